/*
** list_internal.h: what grid-list's modules share: list.c reads, places and
** numbers the features, list_out.c writes the tables (XLSX sheets, CSV) and
** list_pdf.c the printable lists.
*/
#ifndef LIST_INTERNAL_H
#define LIST_INTERNAL_H

#include "core/geo_internal.h"

/* What a list's row says of a feature; how it is measured by its kind. */
enum { LIST_AREA = 1, LIST_LINE = 2, LIST_POINT = 3 };

typedef struct list_item {
	size_t layer;
	long long fid;          /* feature number, from 1 */
	long grid;              /* index into the grid set, -1 in no grid */
	size_t number;          /* in its grid's list, from 1 */
	double x, y;            /* where its number goes (working CRS) */
	GEOSGeometry *geom;     /* working CRS, NULL without geometry */
	int dim;                /* LIST_AREA, LIST_LINE, LIST_POINT, 0 without geometry */
	double measure;         /* m² of an area, m of a line */
	char *id, *name, *kind, *village; /* "" when unknown */
} list_item;

typedef struct list_layer {
	char *name;             /* the layer's name */
	char *source;           /* the input as the user named it */
	size_t features, unplaced, empty;
	size_t unlisted;        /* in grids --grid-where leaves out */
} list_layer;

/* The features of one grid's list: items[from, to). */
typedef struct list_section {
	long grid;              /* -1: the features in no grid */
	size_t from, to;
} list_section;

typedef struct list_run {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_list_opts *o;
	geo_gridset *gs;        /* sorted by code */
	geo_diff_staff *staff;  /* per grid of gs */
	char *listed;           /* per grid of gs: --grid-where keeps it */
	int has_workers;
	list_layer *layers;
	size_t nlayers;
	list_item *items;       /* by grid (code order, none last), then number */
	size_t nitems, cap;
	list_section *sections; /* a grid with no feature has none */
	size_t nsections;
	int both_levels;        /* gs holds both levels: the secondaries are listed */
	size_t grids_listed;    /* grids that can have a list */
	char *title;            /* 坑塘踏查清单 ... */
} list_run;

/* The layer's name as the lists print it: 坑塘 for ponds, ... (diff_handover.c). */
const char *diff_layer_title(const char *layer);

/* The sections in the order of the sheets: by grid, or by worker (grids of
** one worker together, workers in the order of their first grid). Fills
** order[0..nsections). */
void list_sheet_order(const list_run *run, int by_worker, size_t *order);
/* 1 when sections a and b go to one worker's sheet. */
int list_same_worker(const list_run *run, const list_section *a, const list_section *b);
/* "3,509 m²", "812 m" or "" for a point. */
void list_measure_text(const list_item *it, char *buf, size_t size);

geo_err list_write_table(list_run *run, geo_output *out, const char *name);
geo_err list_write_pdf(list_run *run, geo_output *out, const char *name);

#endif
