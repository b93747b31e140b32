/*
** tiling.h: `synth tiling`'s grids as plain coordinates (tgrid.c), so that
** defects (defects.c) can be drawn into them vertex by vertex, and what the
** command writes (tiling.c). docs/synth.md describes the command.
*/
#ifndef TILING_H
#define TILING_H

#include "synth.h"

enum { MIN_DEFECT_GRIDS = 30, MAX_PRIMARY = 999, MAX_SECONDARY_PER_PRIMARY = 99,
       N_DEFECTS = 9 };

/* A ring is closed: its last point repeats its first. */
typedef struct ring {
	double *xy;
	size_t n;
} ring;

typedef struct poly {
	ring *r;                /* r[0] is the shell */
	size_t nr;
} poly;

typedef struct tgrid {
	poly *p;                /* more than one part only for the multipart defect */
	size_t np;
	char code[16], parent[16];
	int prim;               /* index of the primary, for secondaries */
	long households;
} tgrid;

typedef struct tiling {
	GEOSGeometry *shape, *town;
	size_t np, ns;
	tgrid *prim, *sec;
} tiling;

/* One injected defect, as truth.json tells it. */
typedef struct defect {
	const char *defect, *type;      /* our name for it; grid-check's problem type */
	char grids[2][16];
	int ngrids;
	double area, x, y;
	int has_loc;
	double lx, ly;                  /* the self-intersection of the bow-tie */
} defect;

/* tgrid.c */
/* Sets g to the one polygon pg (a grid of one part). */
void grid_from_geos(synth *s, const GEOSGeometry *pg, tgrid *g);
/* Adds the closed ring xy of n points to g as a part of its own. */
void grid_add_part(tgrid *g, const double *xy, size_t n);
/* The grid as a Polygon, or a MultiPolygon when multi is set or it has parts. */
GEOSGeometry *grid_to_geos(synth *s, const tgrid *g, int multi);
tgrid *grids_copy(const tgrid *g, size_t n);
void grids_free(tgrid *g, size_t n);
/* Replaces segment a-b of the grid (either direction) by a, pts[0..k), b. */
void grid_splice(tgrid *g, const double *a, const double *b, const double *pts, size_t k);
/* Every segment of every grid, sorted, owner = the grid's index. */
void grid_segments(const tgrid *g, size_t n, segs *out);
void unmatch(tgrid *g, size_t n);

/* defects.c */
size_t inject_defects(synth *s, tgrid *g, size_t n, const GEOSGeometry *town, double cell,
		      defect *out);
geo_err write_truth(synth *s, const char *path, const tiling *t, const tiling_opts *o,
		    const defect *d, size_t nd, int overwrite);

#endif
