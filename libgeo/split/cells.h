/*
** cells.h: regular cells (cells.c), for split.c. Private to grid-split.
*/
#ifndef SPLIT_CELLS_H
#define SPLIT_CELLS_H

#include "split/split_grid.h"

/* Regular cells (cells.c): PostGIS ST_SquareGrid or ST_HexagonGrid cells of
** `size` from the origin, clipped to the town, one grid per polygon part,
** with their column and row. */
geo_err split_cells(geo_ctx *ctx, const GEOSGeometry *town, int hex, double size, double ox,
		    double oy, int allow_large, split_grid **grids, size_t *n);

#endif
