/*
** split_grid.h: one grid as grid-split writes it, which split.c makes and the numbering, the
** redraw, the cells and the writers share. Private to grid-split.
*/
#ifndef SPLIT_SPLIT_GRID_H
#define SPLIT_SPLIT_GRID_H

#include "core/geo_internal.h"

/* One grid as written. */
typedef struct split_grid {
	GEOSGeometry *geom;     /* owned, working CRS */
	char id[GEO_SECONDARY_CODE_LEN + 2];
	char parent[GEO_SECONDARY_CODE_LEN + 2];
	char *name;             /* owned */
	int level;
	long index;             /* primary: its number in the split; secondary: its primary's */
	double households;      /* -1 when there are no households */
	double persons, weight, target, area, compactness;
	double heaviest;        /* the heaviest single household point in it */
	long col, row;          /* regular cells only */
	/* Its limit (balanced, new grids only): length, and the lengths on roads,
	** water, village limits and the town boundary. */
	double perimeter, on_road, on_water, on_village, on_town;
	double deviation;       /* from the target, a fraction (signed) */
	double free;            /* share of the limit that follows nothing */
	int kept;               /* a partial redraw kept it as it was */
} split_grid;

#endif
