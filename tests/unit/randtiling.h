/*
** randtiling.h: random towns tiled by random grids, for property tests of
** grid-check. A case is drawn from a seed alone (so a failure is replayed by
** its seed): an irregular town, primaries from a Voronoi diagram or a rotated
** lattice clipped to it, secondaries the same way inside each primary, and a
** few defects from a catalogue applied to them. Each defect is made with plain
** GEOS overlay on one or two grids; what grid-check must report is not decided
** here but by the test's independent computation on the result.
*/
#ifndef RANDTILING_H
#define RANDTILING_H

#include <geos_c.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static inline double rng_uniform(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static inline int rng_int(struct rng *r, int n)
{
	return (int)(rng_next(r) % (uint64_t)n);
}

/* The defect catalogue. */
enum defect {
	D_NOTCH, D_NOTCH_VERTICES, D_BULGE, D_BULGE_VERTICES, D_HOLE, D_ISLAND, D_MULTIPART,
	D_SLIVER_GAP, D_SLIVER_OVERLAP, D_SPIKE, D_DUPLICATE_VERTICES, D_REVERSED,
	D_HOLE_TOUCHING, D_TRIPLE_GAP, D_EDGE_GAP, D_SPILL_OUT, D_SPILL_PRIMARY,
	D_DUPLICATE_CODE, D_BOWTIE, D_EMPTY_PRIMARY, D_COUNT
};

static const char *const defect_names[D_COUNT] = {
	"notch", "notch with vertices", "bulge", "bulge with vertices", "hole", "island",
	"multipart", "sliver gap", "sliver overlap", "spike", "duplicate and collinear vertices",
	"reversed rings", "hole touching its shell", "gap at a triple point",
	"gap at the town boundary", "spill out of the town", "spill across a primary",
	"duplicate code", "bow-tie", "primary without secondaries",
};

/* A town and its grids: one level (grids against the town) or two
** (secondaries against their primaries and the town). */
struct rtiling {
	GEOSContextHandle_t h;
	GEOSGeometry *town;
	size_t np, n;
	GEOSGeometry **prim, **grid;
	char **pcode, **code;
	long *parent;           /* per grid: its primary, or -1 at one level */
	int levels, has_town;
	unsigned applied[D_COUNT];
};

static inline void rt_free(struct rtiling *t)
{
	for (size_t i = 0; i < t->np; i++) {
		GEOSGeom_destroy_r(t->h, t->prim[i]);
		free(t->pcode[i]);
	}
	for (size_t i = 0; i < t->n; i++) {
		GEOSGeom_destroy_r(t->h, t->grid[i]);
		free(t->code[i]);
	}
	GEOSGeom_destroy_r(t->h, t->town);
	free(t->prim);
	free(t->pcode);
	free(t->grid);
	free(t->code);
	free(t->parent);
	memset(t, 0, sizeof *t);
}

static inline double rt_area(GEOSContextHandle_t h, const GEOSGeometry *g)
{
	double a = 0;
	if (g)
		GEOSArea_r(h, g, &a);
	return a;
}

/* An irregular, star-shaped town of 10-30 vertices about 2 km across. */
static inline GEOSGeometry *rt_town(GEOSContextHandle_t h, struct rng *r)
{
	int n = 10 + rng_int(r, 21);
	double cx = 500000 + rng_uniform(r, -5000, 5000), cy = 4360000 + rng_uniform(r, -5000, 5000);
	double *ang = calloc((size_t)n, sizeof *ang);
	for (int i = 0; i < n; i++)
		ang[i] = 2 * M_PI * ((double)i + rng_uniform(r, 0, 0.8)) / n;
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
	for (int i = 0; i < n; i++) {
		double rad = 1000 * rng_uniform(r, 0.55, 1.0);
		GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, cx + rad * cos(ang[i]), cy + rad * sin(ang[i]));
	}
	double x, y;
	GEOSCoordSeq_getXY_r(h, cs, 0, &x, &y);
	GEOSCoordSeq_setXY_r(h, cs, (unsigned)n, x, y);
	free(ang);
	return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, cs), NULL, 0);
}

/* Cells covering `area`'s envelope: a Voronoi diagram of k random seeds, or a
** lattice of about k squares turned by a random angle. */
static inline GEOSGeometry *rt_cells(GEOSContextHandle_t h, struct rng *r, const GEOSGeometry *area,
				     int k)
{
	double x0, y0, x1, y1;
	GEOSGeom_getExtent_r(h, area, &x0, &y0, &x1, &y1);
	double w = x1 - x0, ht = y1 - y0;
	GEOSGeometry *env = GEOSGeom_createRectangle_r(h, x0 - w, y0 - ht, x1 + w, y1 + ht);
	GEOSGeometry *out;
	if (rng_int(r, 3)) {
		GEOSGeometry **pts = calloc((size_t)k, sizeof *pts);
		for (int i = 0; i < k; i++)
			pts[i] = GEOSGeom_createPointFromXY_r(h, rng_uniform(r, x0, x1), rng_uniform(r, y0, y1));
		GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)k);
		free(pts);
		out = GEOSVoronoiDiagram_r(h, mp, env, 0, 0);
		GEOSGeom_destroy_r(h, mp);
	} else {
		double side = sqrt(w * ht / k), a = rng_uniform(r, 0, M_PI / 2);
		double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, reach = hypot(w, ht);
		int m = (int)ceil(reach / side) + 1;
		size_t cap = (size_t)(2 * m + 1) * (size_t)(2 * m + 1), n = 0;
		GEOSGeometry **sq = calloc(cap, sizeof *sq);
		double ox = rng_uniform(r, 0, side), oy = rng_uniform(r, 0, side);
		for (int i = -m; i <= m; i++)
			for (int j = -m; j <= m; j++) {
				GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 5, 2);
				static const int corner[5][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 0, 1 }, { 0, 0 } };
				for (int c = 0; c < 5; c++) {
					double u = (i + corner[c][0]) * side + ox, v = (j + corner[c][1]) * side + oy;
					GEOSCoordSeq_setXY_r(h, cs, (unsigned)c, cx + u * cos(a) - v * sin(a),
							     cy + u * sin(a) + v * cos(a));
				}
				sq[n++] = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, cs), NULL, 0);
			}
		out = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, sq, (unsigned)n);
		free(sq);
	}
	GEOSGeom_destroy_r(h, env);
	return out;
}

/* Appends the polygons of cells ∩ area of at least 100 m² to v. Smaller bits
** of a clip are left to the neighbour that covers them: they are tiled by
** the cells, so dropping one leaves a gap; instead they join the largest. */
static inline size_t rt_clip(GEOSContextHandle_t h, const GEOSGeometry *cells,
			     const GEOSGeometry *area, GEOSGeometry ***v, size_t n)
{
	int k = GEOSGetNumGeometries_r(h, cells);
	size_t first = n;
	GEOSGeometry *bits = NULL;
	for (int i = 0; i < k; i++) {
		GEOSGeometry *x = GEOSIntersection_r(h, GEOSGetGeometryN_r(h, cells, i), area);
		int parts = x ? GEOSGetNumGeometries_r(h, x) : 0;
		for (int p = 0; p < parts; p++) {
			const GEOSGeometry *g = GEOSGetGeometryN_r(h, x, p);
			if (GEOSGeomTypeId_r(h, g) != GEOS_POLYGON || GEOSisEmpty_r(h, g))
				continue;
			GEOSGeometry *c = GEOSGeom_clone_r(h, g);
			if (rt_area(h, c) < 100 || n - first > 200) {
				GEOSGeometry *u = bits ? GEOSUnion_r(h, bits, c) : GEOSGeom_clone_r(h, c);
				GEOSGeom_destroy_r(h, bits);
				GEOSGeom_destroy_r(h, c);
				bits = u;
				continue;
			}
			*v = realloc(*v, (n + 1) * sizeof **v);
			(*v)[n++] = c;
		}
		GEOSGeom_destroy_r(h, x);
	}
	if (bits && n > first) {
		/* give each small bit to the touching cell with the longest border */
		int parts = GEOSGetNumGeometries_r(h, bits);
		for (int p = 0; p < parts; p++) {
			const GEOSGeometry *b = GEOSGetGeometryN_r(h, bits, p);
			GEOSGeometry *bd = GEOSBoundary_r(h, b);
			size_t best = first;
			double bestlen = -1;
			for (size_t i = first; i < n; i++) {
				GEOSGeometry *l = GEOSIntersection_r(h, (*v)[i], bd);
				double len = 0;
				if (l)
					GEOSLength_r(h, l, &len);
				GEOSGeom_destroy_r(h, l);
				if (len > bestlen) {
					bestlen = len;
					best = i;
				}
			}
			GEOSGeom_destroy_r(h, bd);
			GEOSGeometry *u = GEOSUnion_r(h, (*v)[best], b);
			if (u && GEOSGeomTypeId_r(h, u) == GEOS_POLYGON) {
				GEOSGeom_destroy_r(h, (*v)[best]);
				(*v)[best] = u;
			} else {
				GEOSGeom_destroy_r(h, u);
			}
		}
	}
	GEOSGeom_destroy_r(h, bits);
	return n;
}

static inline char *rt_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	memcpy(d, s, n);
	return d;
}

/* Draws a clean tiling: levels 1 or 2, with or without a town (one level). */
static inline void rt_draw(GEOSContextHandle_t h, struct rng *r, struct rtiling *t)
{
	memset(t, 0, sizeof *t);
	t->h = h;
	t->town = rt_town(h, r);
	t->levels = 1 + rng_int(r, 2);
	t->has_town = t->levels == 2 || rng_int(r, 4);
	GEOSGeometry *cells = rt_cells(h, r, t->town, 5 + rng_int(r, 8));
	t->np = rt_clip(h, cells, t->town, &t->prim, 0);
	GEOSGeom_destroy_r(h, cells);
	t->pcode = calloc(t->np, sizeof *t->pcode);
	for (size_t p = 0; p < t->np; p++) {
		char buf[32];
		snprintf(buf, sizeof buf, "120114105%03zu", p + 1);
		t->pcode[p] = rt_strdup(buf);
	}
	if (t->levels == 1) {
		t->n = t->np;
		t->grid = t->prim;
		t->code = t->pcode;
		t->parent = calloc(t->n + 1, sizeof *t->parent);
		for (size_t i = 0; i < t->n; i++)
			t->parent[i] = -1;
		t->prim = NULL;
		t->pcode = NULL;
		t->np = 0;
		return;
	}
	for (size_t p = 0; p < t->np; p++) {
		GEOSGeometry *sc = rt_cells(h, r, t->prim[p], 2 + rng_int(r, 5));
		size_t before = t->n;
		t->n = rt_clip(h, sc, t->prim[p], &t->grid, t->n);
		GEOSGeom_destroy_r(h, sc);
		if (t->n == before) { /* a primary too small to split is one secondary */
			t->grid = realloc(t->grid, (t->n + 1) * sizeof *t->grid);
			t->grid[t->n++] = GEOSGeom_clone_r(h, t->prim[p]);
		}
		t->code = realloc(t->code, (t->n + 1) * sizeof *t->code);
		t->parent = realloc(t->parent, (t->n + 1) * sizeof *t->parent);
		for (size_t i = before; i < t->n; i++) {
			char buf[40];
			snprintf(buf, sizeof buf, "%s%02zu", t->pcode[p], i - before + 1);
			t->code[i] = rt_strdup(buf);
			t->parent[i] = (long)p;
		}
	}
}


/* ---- defects ------------------------------------------------------------- */

/* A place on the line two grids share (or a grid and the town's boundary):
** point m, unit direction u along it, unit normal n into grid i. */
struct rt_edge {
	double mx, my, ux, uy, nx, ny, len;
};

static inline int rt_point_in(GEOSContextHandle_t h, const GEOSGeometry *g, double x, double y)
{
	GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, x, y);
	int in = GEOSIntersects_r(h, g, p) == 1;
	GEOSGeom_destroy_r(h, p);
	return in;
}

/* Finds the longest straight piece of the line where a and b meet (b may be
** a linear boundary) and a place along its middle; the normal points into a. */
static inline int rt_shared(GEOSContextHandle_t h, struct rng *r, const GEOSGeometry *a,
			    const GEOSGeometry *bline, struct rt_edge *e)
{
	GEOSGeometry *ba = GEOSBoundary_r(h, a);
	GEOSGeometry *x = ba ? GEOSIntersection_r(h, ba, bline) : NULL;
	GEOSGeom_destroy_r(h, ba);
	double best = 0, s[4] = { 0 };
	int parts = x ? GEOSGetNumGeometries_r(h, x) : 0;
	for (int p = 0; p < parts; p++) {
		const GEOSGeometry *l = GEOSGetGeometryN_r(h, x, p);
		if (GEOSGeomTypeId_r(h, l) != GEOS_LINESTRING)
			continue;
		const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, l);
		unsigned n = 0;
		GEOSCoordSeq_getSize_r(h, cs, &n);
		for (unsigned k = 0; k + 1 < n; k++) {
			double x0, y0, x1, y1;
			GEOSCoordSeq_getXY_r(h, cs, k, &x0, &y0);
			GEOSCoordSeq_getXY_r(h, cs, k + 1, &x1, &y1);
			double len = hypot(x1 - x0, y1 - y0);
			if (len > best) {
				best = len;
				s[0] = x0, s[1] = y0, s[2] = x1, s[3] = y1;
			}
		}
	}
	GEOSGeom_destroy_r(h, x);
	if (best < 40)
		return 0;
	double t = rng_uniform(r, 0.3, 0.7);
	e->len = best;
	e->ux = (s[2] - s[0]) / best;
	e->uy = (s[3] - s[1]) / best;
	e->mx = s[0] + t * (s[2] - s[0]);
	e->my = s[1] + t * (s[3] - s[1]);
	e->nx = -e->uy;
	e->ny = e->ux;
	if (!rt_point_in(h, a, e->mx + 0.05 * e->nx, e->my + 0.05 * e->ny)) {
		e->nx = -e->nx;
		e->ny = -e->ny;
	}
	return rt_point_in(h, a, e->mx + 0.05 * e->nx, e->my + 0.05 * e->ny);
}

/* A polygon from n points (closed here). */
static inline GEOSGeometry *rt_polygon(GEOSContextHandle_t h, const double *xy, unsigned n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, n + 1, 2);
	for (unsigned k = 0; k <= n; k++)
		GEOSCoordSeq_setXY_r(h, cs, k, xy[2 * (k % n)], xy[2 * (k % n) + 1]);
	return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, cs), NULL, 0);
}

/* Half an ellipse on side `side` (+1: along n, into grid i; -1: away) of the
** edge, half-width a along it and depth b, its base pushed 1 cm to the other
** side so that it covers the edge where it crosses it. */
static inline GEOSGeometry *rt_half_ellipse(GEOSContextHandle_t h, const struct rt_edge *e,
					    int side, double a, double b)
{
	double xy[2 * 16];
	unsigned n = 0;
	double nx = side * e->nx, ny = side * e->ny;
	for (int k = 0; k <= 12; k++) {
		double th = M_PI * k / 12;
		xy[2 * n] = e->mx + a * cos(th) * e->ux + b * sin(th) * nx;
		xy[2 * n + 1] = e->my + a * cos(th) * e->uy + b * sin(th) * ny;
		n++;
	}
	for (int k = 0; k < 2; k++) {
		double c = k ? a : -a;
		xy[2 * n] = e->mx + c * e->ux - 0.01 * nx;
		xy[2 * n + 1] = e->my + c * e->uy - 0.01 * ny;
		n++;
	}
	return rt_polygon(h, xy, n);
}

/* A strip along the edge: half-length a, from 1 cm behind the edge to w in
** front of it, on side `side`. */
static inline GEOSGeometry *rt_strip(GEOSContextHandle_t h, const struct rt_edge *e, int side,
				     double a, double w)
{
	double nx = side * e->nx, ny = side * e->ny, xy[8];
	double c[4][2] = { { -a, -0.01 }, { a, -0.01 }, { a, w }, { -a, w } };
	for (int k = 0; k < 4; k++) {
		xy[2 * k] = e->mx + c[k][0] * e->ux + c[k][1] * nx;
		xy[2 * k + 1] = e->my + c[k][0] * e->uy + c[k][1] * ny;
	}
	return rt_polygon(h, xy, 4);
}

static inline void rt_replace(struct rtiling *t, size_t i, GEOSGeometry *g)
{
	if (!g)
		return;
	GEOSGeom_destroy_r(t->h, t->grid[i]);
	t->grid[i] = g;
}

static inline int rt_cut(struct rtiling *t, size_t i, GEOSGeometry *d)
{
	GEOSGeometry *g = GEOSDifference_r(t->h, t->grid[i], d);
	GEOSGeom_destroy_r(t->h, d);
	int ok = g && !GEOSisEmpty_r(t->h, g);
	if (ok)
		rt_replace(t, i, g);
	else
		GEOSGeom_destroy_r(t->h, g);
	return ok;
}

static inline int rt_add(struct rtiling *t, size_t i, GEOSGeometry *d)
{
	GEOSGeometry *g = GEOSUnion_r(t->h, t->grid[i], d);
	GEOSGeom_destroy_r(t->h, d);
	rt_replace(t, i, g);
	return g != NULL;
}

/* A grid j != i sharing an edge with i (same or other primary as asked:
** 0 any, 1 same, 2 other), and the place on that edge. */
static inline long rt_neighbour(struct rtiling *t, struct rng *r, size_t i, int prim,
				struct rt_edge *e)
{
	size_t start = (size_t)rng_int(r, (int)t->n);
	for (size_t k = 0; k < t->n; k++) {
		size_t j = (start + k) % t->n;
		if (j == i || (prim == 1 && t->parent[j] != t->parent[i]) ||
		    (prim == 2 && t->parent[j] == t->parent[i]))
			continue;
		GEOSGeometry *bj = GEOSBoundary_r(t->h, t->grid[j]);
		int ok = bj && rt_shared(t->h, r, t->grid[i], bj, e);
		GEOSGeom_destroy_r(t->h, bj);
		if (ok)
			return (long)j;
	}
	return -1;
}

/* A point at least `depth` inside g, or 0. */
static inline int rt_deep_point(GEOSContextHandle_t h, const GEOSGeometry *g, double depth,
				double *x, double *y)
{
	GEOSGeometry *core = GEOSBuffer_r(h, g, -depth, 4);
	GEOSGeometry *p = core && !GEOSisEmpty_r(h, core) ? GEOSPointOnSurface_r(h, core) : NULL;
	int ok = p && !GEOSisEmpty_r(h, p);
	if (ok) {
		GEOSGeomGetX_r(h, p, x);
		GEOSGeomGetY_r(h, p, y);
	}
	GEOSGeom_destroy_r(h, p);
	GEOSGeom_destroy_r(h, core);
	return ok;
}

static inline GEOSGeometry *rt_disk(GEOSContextHandle_t h, double x, double y, double rad)
{
	GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, x, y);
	GEOSGeometry *d = GEOSBuffer_r(h, p, rad, 6);
	GEOSGeom_destroy_r(h, p);
	return d;
}

/* The exterior ring of grid i (its largest polygon) as a copied array. */
static inline double *rt_ring(struct rtiling *t, size_t i, unsigned *n)
{
	const GEOSGeometry *g = t->grid[i];
	if (GEOSGeomTypeId_r(t->h, g) != GEOS_POLYGON)
		return NULL;
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(t->h, GEOSGetExteriorRing_r(t->h, g));
	GEOSCoordSeq_getSize_r(t->h, cs, n);
	double *xy = calloc(2 * (size_t)*n, sizeof *xy);
	for (unsigned k = 0; k < *n; k++)
		GEOSCoordSeq_getXY_r(t->h, cs, k, &xy[2 * k], &xy[2 * k + 1]);
	return xy;
}

/* A vertex of grid i's exterior ring within 1e-6 m of at least `grids`
** grids (counting i) or, with grids == 0, of the town's boundary. */
static inline int rt_vertex(struct rtiling *t, struct rng *r, size_t i, int grids, double *x,
			    double *y)
{
	unsigned n = 0;
	double *xy = rt_ring(t, i, &n);
	if (!xy || n < 4) {
		free(xy);
		return 0;
	}
	GEOSGeometry *tb = GEOSBoundary_r(t->h, t->town);
	unsigned start = (unsigned)rng_int(r, (int)n - 1);
	int found = 0;
	for (unsigned k = 0; k + 1 < n && !found; k++) {
		unsigned v = (start + k) % (n - 1);
		GEOSGeometry *p = GEOSGeom_createPointFromXY_r(t->h, xy[2 * v], xy[2 * v + 1]);
		int count = 0;
		if (grids) {
			for (size_t j = 0; j < t->n; j++)
				count += GEOSDistanceWithin_r(t->h, t->grid[j], p, 1e-6) == 1;
			found = count >= grids;
		} else {
			found = GEOSDistanceWithin_r(t->h, tb, p, 1e-6) == 1;
		}
		GEOSGeom_destroy_r(t->h, p);
		if (found) {
			*x = xy[2 * v];
			*y = xy[2 * v + 1];
		}
	}
	GEOSGeom_destroy_r(t->h, tb);
	free(xy);
	return found;
}

/* Rebuilds grid i's exterior ring from xy (n points, closed). */
static inline void rt_set_ring(struct rtiling *t, size_t i, const double *xy, unsigned n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(t->h, n, 2);
	for (unsigned k = 0; k < n; k++)
		GEOSCoordSeq_setXY_r(t->h, cs, k, xy[2 * k], xy[2 * k + 1]);
	const GEOSGeometry *g = t->grid[i];
	int nh = GEOSGetNumInteriorRings_r(t->h, g);
	GEOSGeometry **holes = calloc((size_t)nh + 1, sizeof *holes);
	for (int k = 0; k < nh; k++)
		holes[k] = GEOSGeom_clone_r(t->h, GEOSGetInteriorRingN_r(t->h, g, k));
	GEOSGeometry *p = GEOSGeom_createPolygon_r(t->h, GEOSGeom_createLinearRing_r(t->h, cs), holes,
						   (unsigned)nh);
	free(holes);
	rt_replace(t, i, p);
}

/* Applies defect d to grid i; returns whether it could. */
static inline int rt_defect(struct rtiling *t, struct rng *r, enum defect d, size_t i,
			    unsigned char *used)
{
	GEOSContextHandle_t h = t->h;
	struct rt_edge e;
	long j;
	double x, y;
	switch (d) {
	case D_NOTCH:
	case D_NOTCH_VERTICES:
	case D_BULGE:
	case D_BULGE_VERTICES:
	case D_SLIVER_GAP:
	case D_SLIVER_OVERLAP:
	case D_SPIKE:
	case D_HOLE_TOUCHING:
	case D_SPILL_PRIMARY: {
		j = rt_neighbour(t, r, i, d == D_SPILL_PRIMARY ? 2 : 0, &e);
		if (j < 0 || used[j])
			return 0;
		double a = fmin(rng_uniform(r, 8, 30), e.len / 4), w = pow(10, rng_uniform(r, -3, -0.5));
		int ok = 0;
		if (d == D_NOTCH || d == D_NOTCH_VERTICES)
			ok = rt_cut(t, i, rt_half_ellipse(h, &e, 1, a, a * rng_uniform(r, 0.3, 1)));
		else if (d == D_BULGE || d == D_BULGE_VERTICES || d == D_SPILL_PRIMARY)
			ok = rt_add(t, i, rt_half_ellipse(h, &e, -1, a, a * rng_uniform(r, 0.3, 1)));
		else if (d == D_SLIVER_GAP)
			ok = rt_cut(t, i, rt_strip(h, &e, 1, 5 + rng_uniform(r, 0, 5), w));
		else if (d == D_SLIVER_OVERLAP)
			ok = rt_add(t, i, rt_strip(h, &e, -1, 5 + rng_uniform(r, 0, 5), w));
		else if (d == D_SPIKE) {
			double base = rng_uniform(r, 0.05, 0.5), len = rng_uniform(r, 5, 20);
			double xy[6] = { e.mx - base * e.ux + 0.01 * e.nx, e.my - base * e.uy + 0.01 * e.ny,
					 e.mx + base * e.ux + 0.01 * e.nx, e.my + base * e.uy + 0.01 * e.ny,
					 e.mx - len * e.nx, e.my - len * e.ny };
			ok = rt_add(t, i, rt_polygon(h, xy, 3));
		} else {
			/* a triangle whose apex is a point of the edge itself */
			double b = rng_uniform(r, 4, 12), s = rng_uniform(r, 2, 6);
			double xy[6] = { e.mx, e.my, e.mx + b * e.nx + s * e.ux, e.my + b * e.ny + s * e.uy,
					 e.mx + b * e.nx - s * e.ux, e.my + b * e.ny - s * e.uy };
			ok = rt_cut(t, i, rt_polygon(h, xy, 3));
		}
		if (ok && (d == D_NOTCH_VERTICES || d == D_BULGE_VERTICES))
			rt_replace(t, (size_t)j, GEOSSnap_r(h, t->grid[j], t->grid[i], 1e-6));
		if (ok)
			used[j] = 1;
		return ok;
	}
	case D_HOLE:
	case D_ISLAND: {
		double rad = rng_uniform(r, 2, 10);
		if (!rt_deep_point(h, t->grid[i], rad + 3, &x, &y))
			return 0;
		if (!rt_cut(t, i, rt_disk(h, x, y, rad)))
			return 0;
		if (d == D_ISLAND) {
			char buf[48];
			if (t->levels == 2)
				snprintf(buf, sizeof buf, "%.12s%02zu", t->code[i], 90 + t->n % 10);
			else
				snprintf(buf, sizeof buf, "120114105%03zu", 900 + t->n % 100);
			t->grid = realloc(t->grid, (t->n + 1) * sizeof *t->grid);
			t->code = realloc(t->code, (t->n + 1) * sizeof *t->code);
			t->parent = realloc(t->parent, (t->n + 1) * sizeof *t->parent);
			t->grid[t->n] = rt_disk(h, x, y, rad);
			t->code[t->n] = rt_strdup(buf);
			t->parent[t->n] = t->parent[i];
			t->n++;
		}
		return 1;
	}
	case D_MULTIPART: {
		size_t k = (size_t)rng_int(r, (int)t->n);
		if (k == i || used[k] || !rt_deep_point(h, t->grid[k], 8, &x, &y))
			return 0;
		used[k] = 1;
		return rt_add(t, i, rt_disk(h, x, y, rng_uniform(r, 2, 5)));
	}
	case D_DUPLICATE_VERTICES:
	case D_REVERSED:
	case D_BOWTIE: {
		unsigned n = 0;
		double *xy = rt_ring(t, i, &n);
		if (!xy || n < 4) {
			free(xy);
			return 0;
		}
		if (d == D_REVERSED) {
			free(xy);
			rt_replace(t, i, GEOSReverse_r(h, t->grid[i]));
			return 1;
		}
		double *out = calloc(4 * (size_t)n + 8, sizeof *out);
		unsigned m = 0;
		int bowtie_at = d == D_BOWTIE ? -1 : -2;
		if (d == D_BOWTIE)
			for (unsigned k = 0; k + 1 < n && bowtie_at < 0; k++)
				if (hypot(xy[2 * k + 2] - xy[2 * k], xy[2 * k + 3] - xy[2 * k + 1]) > 12)
					bowtie_at = (int)k;
		if (d == D_BOWTIE && bowtie_at < 0) {
			free(xy);
			free(out);
			return 0;
		}
		for (unsigned k = 0; k + 1 < n; k++) {
			double x0 = xy[2 * k], y0 = xy[2 * k + 1], x1 = xy[2 * k + 2], y1 = xy[2 * k + 3];
			out[2 * m] = x0, out[2 * m + 1] = y0, m++;
			if (d == D_DUPLICATE_VERTICES && rng_int(r, 3) == 0)
				out[2 * m] = x0, out[2 * m + 1] = y0, m++;
			if (d == D_DUPLICATE_VERTICES && rng_int(r, 3) == 0)
				out[2 * m] = (x0 + x1) / 2, out[2 * m + 1] = (y0 + y1) / 2, m++;
			if ((int)k == bowtie_at) {
				double len = hypot(x1 - x0, y1 - y0), hgt = rng_uniform(r, 0.5, 3);
				double nx = -(y1 - y0) / len * hgt, ny = (x1 - x0) / len * hgt;
				out[2 * m] = x0 + 0.6 * (x1 - x0) + nx, out[2 * m + 1] = y0 + 0.6 * (y1 - y0) + ny, m++;
				out[2 * m] = x0 + 0.4 * (x1 - x0) + nx, out[2 * m + 1] = y0 + 0.4 * (y1 - y0) + ny, m++;
			}
		}
		out[2 * m] = out[0], out[2 * m + 1] = out[1], m++;
		rt_set_ring(t, i, out, m);
		free(xy);
		free(out);
		return 1;
	}
	case D_TRIPLE_GAP:
	case D_EDGE_GAP:
		if (!t->has_town && d == D_EDGE_GAP)
			return 0;
		if (!rt_vertex(t, r, i, d == D_TRIPLE_GAP ? 3 : 0, &x, &y))
			return 0;
		return rt_cut(t, i, rt_disk(h, x, y, rng_uniform(r, 2, 8)));
	case D_SPILL_OUT: {
		if (!t->has_town)
			return 0;
		GEOSGeometry *tb = GEOSBoundary_r(h, t->town);
		int ok = rt_shared(h, r, t->grid[i], tb, &e);
		GEOSGeom_destroy_r(h, tb);
		double a = ok ? fmin(rng_uniform(r, 8, 30), e.len / 4) : 0;
		return ok && rt_add(t, i, rt_half_ellipse(h, &e, -1, a, a * rng_uniform(r, 0.3, 1)));
	}
	case D_DUPLICATE_CODE: {
		size_t k = (size_t)rng_int(r, (int)t->n);
		if (k == i || strcmp(t->code[k], t->code[i]) == 0)
			return 0;
		free(t->code[i]);
		t->code[i] = rt_strdup(t->code[k]);
		return 1;
	}
	default:
		return 0;
	}
}

/* Removes primary p's secondaries: its whole area is then a gap that no
** grid of its own borders (--fix must leave it, not nest it wrongly). */
static inline void rt_empty_primary(struct rtiling *t, long p)
{
	size_t kept = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (t->parent[i] == p) {
			GEOSGeom_destroy_r(t->h, t->grid[i]);
			free(t->code[i]);
			continue;
		}
		t->grid[kept] = t->grid[i];
		t->code[kept] = t->code[i];
		t->parent[kept++] = t->parent[i];
	}
	t->n = kept;
	t->applied[D_EMPTY_PRIMARY]++;
}

/* Draws a case: a clean tiling and, most of the time, one to three defects
** on different grids. */
static inline void rt_case(GEOSContextHandle_t h, uint64_t seed, struct rtiling *t)
{
	struct rng r = { seed * 0x2545f4914f6cdd1dULL + 1 };
	rt_draw(h, &r, t);
	if (t->levels == 2 && t->np > 2 && rng_int(&r, 12) == 0)
		rt_empty_primary(t, rng_int(&r, (int)t->np));
	if (t->n < 2 || rng_int(&r, 8) == 0)
		return;
	unsigned char *used = calloc(t->n + 64, 1);
	int want = 1 + rng_int(&r, 3);
	for (int tries = 0; want > 0 && tries < 40; tries++) {
		enum defect d = (enum defect)rng_int(&r, D_COUNT);
		if ((d == D_SPILL_PRIMARY && t->levels != 2) || d == D_EMPTY_PRIMARY)
			continue;
		size_t i = (size_t)rng_int(&r, (int)t->n);
		if (used[i])
			continue;
		if (rt_defect(t, &r, d, i, used)) {
			used[i] = 1;
			t->applied[d]++;
			want--;
		}
	}
	free(used);
}

#endif
