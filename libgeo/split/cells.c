/*
** cells.c: regular grids for towns without household data. The cells are
** exactly those of PostGIS: ST_SquareGrid(size) squares
** [x0 + i*size, x0 + (i+1)*size] x [y0 + j*size, y0 + (j+1)*size], and
** ST_HexagonGrid(size) flat-topped hexagons of edge `size` centred at
** (x0 + 1.5*size*i, y0 + sqrt(3)*size*(j + 0.5 if i is odd)), with the same
** vertex order, anchored at the origin (x0, y0) of the working CRS (0 0 as
** in PostGIS unless given). Each cell is clipped to the town; a clipped cell
** in several pieces gives one grid per piece, so every grid is one polygon.
*/
#include "split/split_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static GEOSGeometry *ring_polygon(GEOSContextHandle_t h, const double *xy, unsigned n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, n + 1, 2);
	for (unsigned i = 0; i <= n; i++)
		GEOSCoordSeq_setXY_r(h, cs, i, xy[2 * (i % n)], xy[2 * (i % n) + 1]);
	GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, cs);
	return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

/* The corners come from whole multiples of the size, as PostGIS computes
** them, so neighbouring cells share their corners bit for bit. */
static GEOSGeometry *square(GEOSContextHandle_t h, double s, long i, long j, double ox, double oy)
{
	double x0 = ox + s * (double)i, y0 = oy + s * (double)j;
	double x1 = ox + s * (double)(i + 1), y1 = oy + s * (double)(j + 1);
	double xy[8] = { x0, y0, x0, y1, x1, y1, x1, y0 };
	return ring_polygon(h, xy, 4);
}

/* cos(pi/6) as PostGIS writes it (one ulp above sqrt(3)/2 in double). */
#define HEX_H 0.8660254037844387

/* Vertex k is the centre plus (dx, dy) in units of the size and the row
** height; every multiplier is a multiple of 1/2, exact in binary, so a
** shared edge has the same coordinates in both hexagons. */
static GEOSGeometry *hexagon(GEOSContextHandle_t h, double s, long i, long j, double ox,
			     double oy)
{
	static const double dx[6] = { -1.0, -0.5, 0.5, 1.0, 0.5, -0.5 };
	static const double dy[6] = { 0.0, -0.5, -0.5, 0.0, 0.5, 0.5 };
	double height = s * 2 * HEX_H, shift = 0.5 * (double)(labs(i) % 2), xy[12];
	for (int k = 0; k < 6; k++) {
		xy[2 * k] = ox + s * (1.5 * (double)i + dx[k]);
		xy[2 * k + 1] = oy + height * ((double)j + shift + dy[k]);
	}
	return ring_polygon(h, xy, 6);
}

static geo_err add_grid(geo_ctx *ctx, split_grid **g, size_t *n, size_t *cap, GEOSGeometry *p,
			long col, long row)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		split_grid *ng = geo_realloc_array(ctx, *g, *cap, sizeof *ng);
		if (!ng) {
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), p);
			return GEO_ERR_INTERNAL;
		}
		*g = ng;
	}
	split_grid *x = &(*g)[(*n)++];
	memset(x, 0, sizeof *x);
	x->geom = p;
	x->level = 1;
	x->col = col;
	x->row = row;
	x->households = -1;
	return GEO_OK;
}

/* Adds the polygon pieces of the cell clipped to the town. */
static geo_err clip_cell(geo_ctx *ctx, const GEOSGeometry *town,
			 const GEOSPreparedGeometry *pt, GEOSGeometry *cell, long i, long j,
			 split_grid **g, size_t *n, size_t *cap)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_err e = GEO_OK;
	if (!GEOSPreparedIntersects_r(h, pt, cell)) {
		GEOSGeom_destroy_r(h, cell);
		return GEO_OK;
	}
	if (GEOSPreparedContains_r(h, pt, cell))
		return add_grid(ctx, g, n, cap, cell, i, j);
	GEOSGeometry *x = GEOSIntersection_r(h, cell, town);
	GEOSGeom_destroy_r(h, cell);
	if (!x)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "cannot clip cell %ld %ld: %s", i, j,
				geo_last_error(ctx));
	for (int k = 0; !e && k < GEOSGetNumGeometries_r(h, x); k++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(h, x, k);
		double area = 0;
		if (GEOSGeomTypeId_r(h, part) == GEOS_POLYGON && GEOSArea_r(h, part, &area) && area > 0)
			e = add_grid(ctx, g, n, cap, GEOSGeom_clone_r(h, part), i, j);
	}
	GEOSGeom_destroy_r(h, x);
	return e;
}

/*
** The range of cell columns (or rows) over [lo, hi], counted in double
** first: a coordinate or origin beyond GEO_COORD_MAX, or a size so small
** that the index would leave a long, is refused here rather than wrapped
** into a loop that never ends, whoever the caller is.
*/
static int cell_span(double lo, double hi, double origin, double step, int hex, long *a, long *b)
{
	if (!(fabs(lo) <= GEO_COORD_MAX && fabs(hi) <= GEO_COORD_MAX &&
	      fabs(origin) <= GEO_COORD_MAX && step > 0))
		return 0;
	double fa = floor((lo - origin) / step) - hex, fb = floor((hi - origin) / step) + hex;
	if (!(fabs(fa) < 1e15 && fabs(fb) < 1e15))
		return 0;
	*a = (long)fa;
	*b = (long)fb;
	return 1;
}

geo_err split_cells(geo_ctx *ctx, const GEOSGeometry *town, int hex, double size, double ox,
		    double oy, int allow_large, split_grid **grids, size_t *n)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	double x0 = NAN, y0 = NAN, x1 = NAN, y1 = NAN;
	*grids = NULL;
	*n = 0;
	if (!GEOSGeom_getExtent_r(h, town, &x0, &y0, &x1, &y1))
		return geo_fail(ctx, GEO_ERR_INPUT, "the town has no extent");
	double dx = hex ? 1.5 * size : size, dy = hex ? 2 * HEX_H * size : size;
	long i0, i1, j0, j1;
	if (!cell_span(x0, x1, ox, dx, hex, &i0, &i1) || !cell_span(y0, y1, oy, dy, hex, &j0, &j1))
		return geo_fail(ctx, GEO_ERR_INPUT, "--method: cells of %g m from (%g, %g) over a town "
				"from (%g, %g) to (%g, %g): beyond %g m or too many to count", size, ox,
				oy, x0, y0, x1, y1, GEO_COORD_MAX);
	double cells = (double)(i1 - i0 + 1) * (double)(j1 - j0 + 1);
	if (cells > GEO_LARGE_CELLS && !allow_large)
		return geo_fail(ctx, GEO_ERR_USAGE, "--method: cells of %g m make %.3g cells over the "
				"town's extent, over 10^6: a mistyped size? Use a bigger size, or give "
				"--allow-large", size, cells);
	const GEOSPreparedGeometry *pt = GEOSPrepare_r(h, town);
	size_t cap = 0;
	geo_err e = pt ? GEO_OK : GEO_ERR_INTERNAL;
	for (long j = j1; !e && j >= j0; j--)
		for (long i = i0; !e && i <= i1; i++) {
			GEOSGeometry *cell = hex ? hexagon(h, size, i, j, ox, oy)
						 : square(h, size, i, j, ox, oy);
			e = cell ? clip_cell(ctx, town, pt, cell, i, j, grids, n, &cap)
				 : GEO_ERR_INTERNAL;
		}
	if (pt)
		GEOSPreparedGeom_destroy_r(h, pt);
	return e;
}
