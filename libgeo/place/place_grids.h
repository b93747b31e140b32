/*
** place_grids.h: the grids grid-place places on (place_grids.c), as the
** geometry rules (place_rules.c), the feature stream (place_stream.c) and
** the writer (place_write.c) read them.
*/
#ifndef PLACE_GRIDS_H
#define PLACE_GRIDS_H

#include "core/geo_internal.h"

typedef struct place_grids {
	geo_gridset *set;       /* as read (or borrowed: see place_grids_free) */
	geo_gridset *primaries; /* --parents, or NULL */
	geo_gridset view;       /* the grids placed on: shallow copies of set's */
	int levels;             /* 2 when set holds both levels and view the secondaries */
	char **parent;          /* parent code per view grid */
	const char **ids;
	size_t *order, *rank;   /* view grids in grid_id order, and each one's position */
	GEOSGeometry **geoms;
	geo_placer *placer;
	geo_index *index;       /* built when a line, polygon or --max-distance needs it */
	int *copy_field;        /* grid layer field of each copied field */
	char **copy_names;
} place_grids;

/* Reads the grid layer name (and o->parents) into g: the view, the parent
** codes, the --copy-fields and the placer. */
geo_err place_grids_load(geo_ctx *ctx, place_grids *g, const char *name, const geo_place_opts *o);
/* The view of g->set (set by the caller): its secondaries when it holds
** both levels, else every grid; with ids, geoms and the grid_id order. */
geo_err place_grids_view(geo_ctx *ctx, place_grids *g);
/* The spatial index of the view, built on first use; NULL on failure. */
geo_index *place_grids_index(geo_ctx *ctx, place_grids *g);
/* Frees what g holds, g->set included: set it NULL first when borrowed. */
void place_grids_free(place_grids *g);

#endif
