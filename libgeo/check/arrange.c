/*
** arrange.c: the exact planar arrangement behind grid-check, computed only
** where it can differ from a perfect tiling.
**
** Noding every ring of a town and polygonizing the result is exact but slow
** (seconds for 10,000 grids), and almost all of that work confirms edges that
** are fine. So the work is split in two. First, a cheap filter over edge
** segments: give every grid ring +1 and every reference ring (the town, a
** primary, or the grids' own outline) -1, each traversed with its interior on
** the left. Where the grids tile the reference exactly, these oriented edges
** cancel: a shared edge is walked once each way, an edge on the town boundary
** once by a grid and once, negatively, by the town. Conversely the boundary of
** every region where the count of grids differs from what the reference wants
** is made of edges that do not cancel (the chain of the count's difference is
** the difference of the chains). Cancelling is done per supporting line, so
** edges that are not vertex-matched still cancel: each segment sums the
** signed intervals of the nearly collinear segments that overlap it.
**
** Second, the residual edges are clustered; every defect region lies inside
** the bounding box of the residual edges around it. In each cluster's box,
** all rings (not only residual ones) are clipped, noded (GEOSUnaryUnion) and
** polygonized, and every face is classified by a point inside it: how many
** grids cover it, which primary holds it, whether it is inside the reference.
** Faces that are not "one grid, inside, in its own primary" are returned. A
** defect face touching its box's border means the box was too small (a defect
** tapering below eps); the box then grows and is redone.
**
** Without a town or primaries the reference is the grids' outline with its
** holes filled: the residual edges of a first pass are polygonized and
** unioned into that outline, and the filter runs again against it.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A directed edge segment with its weight and the two sums it takes part
** in: the town's (grids against the town or the outline: in0) and its
** primary's (group 1 + p: the secondaries assigned to primary p against p;
** 0 for none). Each ring's segment is stored once. */
struct seg {
	double x0, y0, x1, y1;
	int32_t group;
	int16_t w;
	uint8_t in0;
};

struct segs {
	struct seg *v;
	size_t n, cap;
};

/* A uniform grid of cells over the segments, each cell listing the segments
** that pass through it (compressed rows: items[start[c] .. start[c+1])). */
struct hash {
	double x0, y0, cs;
	size_t nx, ny;
	uint32_t *start, *items;
};

struct event {
	double t;
	int dw0, dwp;           /* weight changes of the town's and the primary's sums */
	int start;
	uint32_t id;
};

/* A cluster's box: the residual edges' bounding box (inner) and, around it,
** the box its local arrangement is built in. */
struct rect {
	double x0, y0, x1, y1;
	double ix0, iy0, ix1, iy1;
	int alive, done;
};

/* Everything one run needs, freed together. */
struct arr {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_arr_in *in;
	int hull_mode, parents;
	struct segs segs, pieces;
	struct hash hash;
	uint32_t *stamp, gen;
	uint32_t last_src;              /* the segment the last residual piece came from */
	size_t drawn;                   /* segments [0, drawn) are drawn into local arrangements */
	struct event *ev;
	size_t nev, capev;
	unsigned char *has_residual;
	double *ring;
	size_t ringcap;
	geo_index *grid_idx, *prim_idx;
	const GEOSGeometry *ref;        /* town or hull */
	const GEOSPreparedGeometry *ref_prep;
	geo_arr_out *out;
	size_t facecap;
};

/* Makes room for n more segments at once, so large inputs are not copied
** through doublings (memory matters: 10,000 grids make 160,000 segments). */
static geo_err reserve_segs(struct arr *a, struct segs *s, size_t n)
{
	if (s->n + n <= s->cap)
		return GEO_OK;
	struct seg *v = geo_realloc_array(a->ctx, s->v, s->n + n, sizeof *v);
	if (!v)
		return GEO_ERR_INTERNAL;
	s->v = v;
	s->cap = s->n + n;
	return GEO_OK;
}

static geo_err push_seg(struct arr *a, struct segs *s, struct seg g)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4096;
		struct seg *v = geo_realloc_array(a->ctx, s->v, cap, sizeof *v);
		if (!v)
			return GEO_ERR_INTERNAL;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = g;
	return GEO_OK;
}

/* Twice the signed area of a closed ring of n xy pairs, relative to its
** first point to keep the products small. */
static double ring_area2(const double *c, size_t n)
{
	double a = 0;
	for (size_t i = 1; i + 1 < n; i++)
		a += (c[2 * i] - c[0]) * (c[2 * i + 3] - c[1]) -
		     (c[2 * i + 2] - c[0]) * (c[2 * i + 1] - c[1]);
	return a;
}

static geo_err add_ring(struct arr *a, const GEOSGeometry *ring, int shell, int w, int group,
			int in0)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(a->h, ring);
	unsigned int n = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(a->h, cs, &n))
		return geo_fail(a->ctx, GEO_ERR_INTERNAL, "cannot read a ring: %s",
				geo_last_error(a->ctx));
	if (n < 4)
		return GEO_OK;
	if (2 * (size_t)n > a->ringcap) {
		double *r = geo_realloc_array(a->ctx, a->ring, 2 * (size_t)n, sizeof *r);
		if (!r)
			return GEO_ERR_INTERNAL;
		a->ring = r;
		a->ringcap = 2 * (size_t)n;
	}
	if (!GEOSCoordSeq_copyToBuffer_r(a->h, cs, a->ring, 0, 0))
		return geo_fail(a->ctx, GEO_ERR_INTERNAL, "cannot read a ring");
	double area = ring_area2(a->ring, n);
	if (area == 0)
		return GEO_OK; /* a collapsed ring walks each edge both ways */
	int sign = (area > 0) == (shell != 0) ? 1 : -1;
	const double *c = a->ring;
	for (size_t i = 0; i + 1 < n; i++) {
		if (c[2 * i] == c[2 * i + 2] && c[2 * i + 1] == c[2 * i + 3])
			continue;
		struct seg g = { c[2 * i], c[2 * i + 1], c[2 * i + 2], c[2 * i + 3],
				 group, (int16_t)(w * sign), (uint8_t)in0 };
		if (push_seg(a, &a->segs, g))
			return GEO_ERR_INTERNAL;
	}
	return GEO_OK;
}

static geo_err add_polygonal(struct arr *a, const GEOSGeometry *g, int w, int group, int in0)
{
	if (!g)
		return GEO_OK;
	int type = GEOSGeomTypeId_r(a->h, g);
	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		int n = GEOSGetNumGeometries_r(a->h, g);
		for (int i = 0; i < n; i++)
			if (add_polygonal(a, GEOSGetGeometryN_r(a->h, g, i), w, group, in0))
				return GEO_ERR_INTERNAL;
		return GEO_OK;
	}
	if (type != GEOS_POLYGON || GEOSisEmpty_r(a->h, g))
		return GEO_OK;
	if (add_ring(a, GEOSGetExteriorRing_r(a->h, g), 1, w, group, in0))
		return GEO_ERR_INTERNAL;
	int holes = GEOSGetNumInteriorRings_r(a->h, g);
	for (int i = 0; i < holes; i++)
		if (add_ring(a, GEOSGetInteriorRingN_r(a->h, g, i), 0, w, group, in0))
			return GEO_ERR_INTERNAL;
	return GEO_OK;
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- the cell hash -------------------------------------------------------- */

static void cell_range(const struct hash *hs, double minx, double miny, double maxx,
		       double maxy, size_t r[4])
{
	double v[4] = { (minx - hs->x0) / hs->cs, (miny - hs->y0) / hs->cs,
			(maxx - hs->x0) / hs->cs, (maxy - hs->y0) / hs->cs };
	size_t lim[4] = { hs->nx - 1, hs->ny - 1, hs->nx - 1, hs->ny - 1 };
	for (int i = 0; i < 4; i++) /* NaN goes to 0: never an index beyond the table */
		r[i] = !(v[i] > 0) ? 0 : v[i] >= (double)lim[i] ? lim[i] : (size_t)v[i];
}

/* Whether segment g passes within eps of cell (cx, cy): the distance from the
** cell's centre to g's line against the cell's half extent along the normal. */
static int meets_cell(const struct hash *hs, const struct seg *g, size_t cx, size_t cy,
		      double eps)
{
	double half = hs->cs / 2;
	double mx = hs->x0 + ((double)cx + 0.5) * hs->cs, my = hs->y0 + ((double)cy + 0.5) * hs->cs;
	double dx = g->x1 - g->x0, dy = g->y1 - g->y0, len = hypot(dx, dy);
	double nx = -dy / len, ny = dx / len;
	double d = fabs(nx * (mx - g->x0) + ny * (my - g->y0));
	return d <= (fabs(nx) + fabs(ny)) * half + eps;
}

typedef void (*cell_fn)(size_t cell, void *data);

static void visit_cells(const struct hash *hs, const struct seg *g, double eps, cell_fn fn,
			void *data)
{
	size_t r[4];
	cell_range(hs, fmin(g->x0, g->x1) - eps, fmin(g->y0, g->y1) - eps,
		   fmax(g->x0, g->x1) + eps, fmax(g->y0, g->y1) + eps, r);
	int test = r[2] - r[0] > 1 && r[3] - r[1] > 1;
	for (size_t cy = r[1]; cy <= r[3]; cy++)
		for (size_t cx = r[0]; cx <= r[2]; cx++)
			if (!test || meets_cell(hs, g, cx, cy, eps))
				fn(cy * hs->nx + cx, data);
}

static void count_cell(size_t cell, void *data)
{
	((uint32_t *)data)[cell + 1]++;
}

struct fill {
	uint32_t *cursor, *items, id;
};

static void fill_cell(size_t cell, void *data)
{
	struct fill *f = data;
	f->items[f->cursor[cell]++] = f->id;
}

static void hash_free(struct hash *hs)
{
	free(hs->start);
	free(hs->items);
	memset(hs, 0, sizeof *hs);
}

static geo_err hash_build(geo_ctx *ctx, struct hash *hs, const struct seg *v, size_t n,
			  double eps, double min_cell)
{
	double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, total = 0;
	for (size_t i = 0; i < n; i++) {
		x0 = fmin(x0, fmin(v[i].x0, v[i].x1));
		y0 = fmin(y0, fmin(v[i].y0, v[i].y1));
		x1 = fmax(x1, fmax(v[i].x0, v[i].x1));
		y1 = fmax(y1, fmax(v[i].y0, v[i].y1));
		total += hypot(v[i].x1 - v[i].x0, v[i].y1 - v[i].y0);
	}
	if (!n)
		x0 = y0 = x1 = y1 = 0;
	/* geo_arrange refuses such coordinates; here too, since a box beyond
	** them (or infinite) makes a cell count no size_t holds. */
	char why[160] = "a tolerance out of range";
	if (geo_coord_problem(x0, y0, x1, y1, why, sizeof why) || !isfinite(total) ||
	    !(eps >= 0 && eps < GEO_COORD_MAX) || !(min_cell < GEO_COORD_MAX))
		return geo_fail(ctx, GEO_ERR_INPUT, "arrangement: %s", why);
	double cs = fmax(n ? total / (double)n : 1, min_cell);
	cs = fmax(cs, 1e-9);
	/* Keep the cell count near a few per segment, so sparse data stays small. */
	while (((x1 - x0) / cs + 1) * ((y1 - y0) / cs + 1) > 4.0 * (double)n + 1024)
		cs *= 1.5;
	hs->x0 = x0 - eps;
	hs->y0 = y0 - eps;
	hs->cs = cs;
	hs->nx = (size_t)((x1 - x0 + 2 * eps) / cs) + 1;
	hs->ny = (size_t)((y1 - y0 + 2 * eps) / cs) + 1;
	size_t cells = hs->nx * hs->ny;
	hs->start = geo_calloc(ctx, cells + 1, sizeof *hs->start);
	uint32_t *cursor = geo_calloc(ctx, cells + 1, sizeof *cursor);
	if (!hs->start || !cursor) {
		free(cursor);
		hash_free(hs);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		visit_cells(hs, &v[i], eps, count_cell, hs->start);
	for (size_t c = 0; c < cells; c++)
		hs->start[c + 1] += hs->start[c];
	hs->items = geo_calloc(ctx, hs->start[cells] + 1, sizeof *hs->items);
	if (!hs->items) {
		free(cursor);
		hash_free(hs);
		return GEO_ERR_INTERNAL;
	}
	memcpy(cursor, hs->start, cells * sizeof *cursor);
	struct fill f = { cursor, hs->items, 0 };
	for (size_t i = 0; i < n; i++) {
		f.id = (uint32_t)i;
		visit_cells(hs, &v[i], eps, fill_cell, &f);
	}
	free(cursor);
	return GEO_OK;
}

/* ---- cancelling: the residual of each segment ----------------------------- */

static int push_event(struct arr *a, double t, int dw0, int dwp, int start, uint32_t id)
{
	if (a->nev == a->capev) {
		size_t cap = a->capev ? 2 * a->capev : 64;
		struct event *e = geo_realloc_array(a->ctx, a->ev, cap, sizeof *e);
		if (!e)
			return 0;
		a->ev = e;
		a->capev = cap;
	}
	a->ev[a->nev++] = (struct event){ t, dw0, dwp, start, id };
	return 1;
}

static int by_t(const void *p, const void *q)
{
	const struct event *a = p, *b = q;
	return a->t < b->t ? -1 : a->t > b->t;
}

/* A segment has a handful of events; insertion sort beats qsort there. */
static void sort_events(struct event *ev, size_t n)
{
	if (n > 16) {
		qsort(ev, n, sizeof *ev, by_t);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct event x = ev[i];
		size_t j = i;
		for (; j > 0 && ev[j - 1].t > x.t; j--)
			ev[j] = ev[j - 1];
		ev[j] = x;
	}
}

struct gather {
	struct arr *a;
	uint32_t self;
	int failed;
	double ux, uy, len, eps;
};

/* Adds the signed interval that segment j covers on segment self, when j lies
** within eps of self's line over their common stretch. */
static void gather_cell(size_t cell, void *data)
{
	struct gather *g = data;
	struct arr *a = g->a;
	const struct seg *s = &a->segs.v[g->self];
	for (uint32_t k = a->hash.start[cell]; k < a->hash.start[cell + 1]; k++) {
		uint32_t j = a->hash.items[k];
		if (a->stamp[j] == a->gen || j == g->self)
			continue;
		a->stamp[j] = a->gen;
		const struct seg *b = &a->segs.v[j];
		int in0 = s->in0 && b->in0, inp = s->group && b->group == s->group;
		if (!in0 && !inp)
			continue;
		double bx0 = b->x0 - s->x0, by0 = b->y0 - s->y0;
		double bx1 = b->x1 - s->x0, by1 = b->y1 - s->y0;
		double h0 = -bx0 * g->uy + by0 * g->ux, h1 = -bx1 * g->uy + by1 * g->ux;
		if ((h0 > g->eps && h1 > g->eps) || (h0 < -g->eps && h1 < -g->eps))
			continue;
		double t0 = bx0 * g->ux + by0 * g->uy, t1 = bx1 * g->ux + by1 * g->uy;
		double dt = t1 - t0;
		if (fabs(dt) <= g->eps)
			continue;
		double sa = (0 - t0) / dt, sb = (g->len - t0) / dt;
		double lo = fmax(0, fmin(sa, sb)), hi = fmin(1, fmax(sa, sb));
		if (lo >= hi)
			continue;
		double ta = t0 + lo * dt, tb = t0 + hi * dt;
		double ha = h0 + lo * (h1 - h0), hb = h0 + hi * (h1 - h0);
		if (fabs(tb - ta) <= g->eps || fabs(ha) > g->eps || fabs(hb) > g->eps)
			continue;
		int dw = dt > 0 ? b->w : -b->w, d0 = in0 ? dw : 0, dp = inp ? dw : 0;
		if (!push_event(a, fmin(ta, tb), d0, dp, 1, j) ||
		    !push_event(a, fmax(ta, tb), -d0, -dp, 0, j))
			g->failed = 1;
	}
}

static geo_err emit_piece(struct arr *a, uint32_t src, double ux, double uy, double t0,
			  double t1, int w)
{
	const struct seg *s = &a->segs.v[src];
	struct segs *p = &a->pieces;
	w = w > INT16_MAX ? INT16_MAX : w < -INT16_MAX ? -INT16_MAX : w;
	struct seg g = { s->x0 + t0 * ux, s->y0 + t0 * uy, s->x0 + t1 * ux, s->y0 + t1 * uy,
			 s->group, (int16_t)w, s->in0 };
	/* Consecutive stretches of one segment with one weight make one piece. */
	if (p->n && a->last_src == src) {
		struct seg *last = &p->v[p->n - 1];
		if (last->w == w && last->x1 == g.x0 && last->y1 == g.y0) {
			last->x1 = g.x1;
			last->y1 = g.y1;
			return GEO_OK;
		}
	}
	a->last_src = src;
	return push_seg(a, p, g);
}

/* Sweeps segment i's events and emits the stretches where the weights do not
** cancel. A stretch shared by several segments is emitted by the one with the
** smallest index only, so each is listed once. */
static geo_err residual_of(struct arr *a, uint32_t i, double eps)
{
	const struct seg *s = &a->segs.v[i];
	double dx = s->x1 - s->x0, dy = s->y1 - s->y0, len = hypot(dx, dy);
	if (len == 0)
		return GEO_OK;
	struct gather g = { a, i, 0, dx / len, dy / len, len, eps };
	a->nev = 0;
	a->gen++;
	int w0 = s->in0 ? s->w : 0, wp = s->group ? s->w : 0;
	if (!push_event(a, 0, w0, wp, 1, i) || !push_event(a, len, -w0, -wp, 0, i))
		return GEO_ERR_INTERNAL;
	visit_cells(&a->hash, s, eps, gather_cell, &g);
	if (g.failed)
		return GEO_ERR_INTERNAL;
	if (a->nev == 4 && a->ev[2].dw0 == -w0 && a->ev[2].dwp == -wp && a->ev[2].t <= eps &&
	    a->ev[3].t >= len - eps)
		return GEO_OK; /* the common case: one partner covers it, reversed */
	sort_events(a->ev, a->nev);
	uint32_t active[64];
	size_t nactive = 0;
	int sum0 = 0, sump = 0, any = 0;
	for (size_t k = 0; k + 1 < a->nev; k++) {
		const struct event *ev = &a->ev[k];
		sum0 += ev->dw0;
		sump += ev->dwp;
		if (ev->start && nactive < 64) {
			active[nactive++] = ev->id;
		} else if (!ev->start) {
			for (size_t m = 0; m < nactive; m++)
				if (active[m] == ev->id) {
					active[m] = active[--nactive];
					break;
				}
		}
		double t0 = ev->t, t1 = a->ev[k + 1].t;
		if ((sum0 == 0 && sump == 0) || t1 - t0 <= eps)
			continue;
		any = 1;
		uint32_t least = i;
		for (size_t m = 0; m < nactive; m++)
			least = active[m] < least ? active[m] : least;
		if (least == i && emit_piece(a, i, g.ux, g.uy, t0, t1, sum0 ? sum0 : sump))
			return GEO_ERR_INTERNAL;
	}
	if (any)
		a->has_residual[i] = 1;
	return GEO_OK;
}

static geo_err compute_residual(struct arr *a, double eps)
{
	hash_free(&a->hash);
	a->pieces.n = 0;
	a->last_src = UINT32_MAX;
	free(a->stamp);
	free(a->has_residual);
	a->gen = 0;
	a->stamp = geo_calloc(a->ctx, a->segs.n + 1, sizeof *a->stamp);
	a->has_residual = geo_calloc(a->ctx, a->segs.n + 1, 1);
	if (!a->stamp || !a->has_residual ||
	    hash_build(a->ctx, &a->hash, a->segs.v, a->segs.n, eps, 0))
		return GEO_ERR_INTERNAL;
	double t0 = seconds();
	for (size_t i = 0; i < a->segs.n; i++)
		if (residual_of(a, (uint32_t)i, eps))
			return GEO_ERR_INTERNAL;
	geo_log(a->ctx, GEO_LOG_DEBUG, "hash %zu x %zu cells of %.1f m, %u items; sweep %.3f s",
		a->hash.nx, a->hash.ny, a->hash.cs, a->hash.start[a->hash.nx * a->hash.ny],
		seconds() - t0);
	return GEO_OK;
}

/* ---- the outline, when there is no town and no primaries ------------------ */

static GEOSGeometry *segment_line(GEOSContextHandle_t h, double x0, double y0, double x1,
				  double y1)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 2, 2);
	if (!cs)
		return NULL;
	GEOSCoordSeq_setXY_r(h, cs, 0, x0, y0);
	GEOSCoordSeq_setXY_r(h, cs, 1, x1, y1);
	return GEOSGeom_createLineString_r(h, cs);
}

/* Nodes and polygonizes a set of lines (taking them) and returns the faces. */
static GEOSGeometry *polygonize(struct arr *a, GEOSGeometry **lines, size_t n)
{
	GEOSGeometry *multi = GEOSGeom_createCollection_r(a->h, GEOS_MULTILINESTRING, lines,
							   (unsigned int)n);
	if (!multi) {
		for (size_t i = 0; i < n; i++)
			GEOSGeom_destroy_r(a->h, lines[i]);
		return NULL;
	}
	GEOSGeometry *noded = GEOSUnaryUnionPrec_r(a->h, multi, a->in->eps);
	GEOSGeom_destroy_r(a->h, multi);
	if (!noded)
		return NULL;
	const GEOSGeometry *arg[1] = { noded };
	GEOSGeometry *faces = GEOSPolygonize_r(a->h, arg, 1);
	GEOSGeom_destroy_r(a->h, noded);
	return faces;
}

/* The grids' outline with holes filled: the union of the faces enclosed by
** the first pass's residual segments (taken whole, so their rings close). */
static geo_err build_hull(struct arr *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->segs.n; i++)
		n += a->has_residual[i];
	GEOSGeometry **lines = geo_calloc(a->ctx, n + 1, sizeof *lines);
	if (!lines)
		return GEO_ERR_INTERNAL;
	size_t k = 0;
	for (size_t i = 0; i < a->segs.n; i++) {
		const struct seg *s = &a->segs.v[i];
		if (a->has_residual[i] && !(lines[k] = segment_line(a->h, s->x0, s->y0, s->x1, s->y1)))
			break;
		k += a->has_residual[i];
	}
	GEOSGeometry *faces = k == n ? polygonize(a, lines, n) : NULL;
	free(lines);
	GEOSGeometry *hull = faces ? GEOSUnaryUnion_r(a->h, faces) : NULL;
	GEOSGeom_destroy_r(a->h, faces);
	if (!hull)
		return geo_fail(a->ctx, GEO_ERR_INTERNAL, "cannot build the grids' outline: %s",
				geo_last_error(a->ctx));
	a->out->hull = hull;
	/* The outline follows the grids' outer edges: it cancels them but is
	** not drawn again into the local arrangements. */
	a->drawn = a->segs.n;
	return add_polygonal(a, hull, -1, 0, 1);
}

/* ---- clusters of residual pieces ----------------------------------------- */

static size_t find(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

struct link {
	struct arr *a;
	struct hash *hs;
	size_t *parent;
	uint32_t self, *stamp, gen;
	double d;
};

static void link_cell(size_t cell, void *data)
{
	struct link *l = data;
	const struct seg *p = l->a->pieces.v, *s = &p[l->self];
	for (uint32_t k = l->hs->start[cell]; k < l->hs->start[cell + 1]; k++) {
		uint32_t j = l->hs->items[k];
		if (j <= l->self || l->stamp[j] == l->gen)
			continue;
		l->stamp[j] = l->gen;
		const struct seg *t = &p[j];
		if (fmax(s->x0, s->x1) + l->d < fmin(t->x0, t->x1) ||
		    fmax(t->x0, t->x1) + l->d < fmin(s->x0, s->x1) ||
		    fmax(s->y0, s->y1) + l->d < fmin(t->y0, t->y1) ||
		    fmax(t->y0, t->y1) + l->d < fmin(s->y0, s->y1))
			continue;
		size_t ri = find(l->parent, l->self), rj = find(l->parent, j);
		if (ri != rj)
			l->parent[rj] = ri;
	}
}

static int by_x0(const void *p, const void *q)
{
	const struct rect *a = p, *b = q;
	return a->x0 < b->x0 ? -1 : a->x0 > b->x0;
}

/* Merges rectangles that overlap until none do. */
static void merge_rects(struct rect *r, size_t *n)
{
	for (int merged = 1; merged;) {
		merged = 0;
		qsort(r, *n, sizeof *r, by_x0);
		for (size_t i = 0; i < *n; i++) {
			if (!r[i].alive)
				continue;
			for (size_t j = i + 1; j < *n && r[j].x0 <= r[i].x1; j++) {
				if (!r[j].alive || r[j].y0 > r[i].y1 || r[j].y1 < r[i].y0)
					continue;
				r[i].x0 = fmin(r[i].x0, r[j].x0);
				r[i].y0 = fmin(r[i].y0, r[j].y0);
				r[i].x1 = fmax(r[i].x1, r[j].x1);
				r[i].y1 = fmax(r[i].y1, r[j].y1);
				r[i].ix0 = fmin(r[i].ix0, r[j].ix0);
				r[i].iy0 = fmin(r[i].iy0, r[j].iy0);
				r[i].ix1 = fmax(r[i].ix1, r[j].ix1);
				r[i].iy1 = fmax(r[i].iy1, r[j].iy1);
				r[i].done = 0;
				r[j].alive = 0;
				merged = 1;
			}
		}
		size_t k = 0;
		for (size_t i = 0; i < *n; i++)
			if (r[i].alive)
				r[k++] = r[i];
		*n = k;
	}
}

static double margin(double w, double hgt)
{
	return 1.0 + 0.05 * fmax(w, hgt);
}

static geo_err cluster_rects(struct arr *a, double eps, struct rect **rects, size_t *nrects)
{
	size_t n = a->pieces.n;
	*rects = NULL;
	*nrects = 0;
	if (!n)
		return GEO_OK;
	struct hash hs = { 0 };
	size_t *parent = geo_calloc(a->ctx, n, sizeof *parent);
	uint32_t *stamp = geo_calloc(a->ctx, n, sizeof *stamp);
	struct rect *r = geo_calloc(a->ctx, n, sizeof *r);
	double d = fmax(10 * eps, 1e-3);
	geo_err e = parent && stamp && r ? hash_build(a->ctx, &hs, a->pieces.v, n, d, 4 * d)
					 : GEO_ERR_INTERNAL;
	if (!e) {
		for (size_t i = 0; i < n; i++)
			parent[i] = i;
		struct link l = { a, &hs, parent, 0, stamp, 0, d };
		for (size_t i = 0; i < n; i++) {
			l.self = (uint32_t)i;
			l.gen++;
			visit_cells(&hs, &a->pieces.v[i], d, link_cell, &l);
		}
		for (size_t i = 0; i < n; i++)
			r[i] = (struct rect){ INFINITY, INFINITY, -INFINITY, -INFINITY, 0, 0, 0, 0, 0, 0 };
		for (size_t i = 0; i < n; i++) {
			const struct seg *s = &a->pieces.v[i];
			struct rect *c = &r[find(parent, i)];
			c->x0 = fmin(c->x0, fmin(s->x0, s->x1));
			c->y0 = fmin(c->y0, fmin(s->y0, s->y1));
			c->x1 = fmax(c->x1, fmax(s->x0, s->x1));
			c->y1 = fmax(c->y1, fmax(s->y0, s->y1));
			c->alive = 1;
		}
		for (size_t i = 0; i < n; i++) {
			double m = margin(r[i].x1 - r[i].x0, r[i].y1 - r[i].y0);
			r[i].ix0 = r[i].x0 - d;
			r[i].iy0 = r[i].y0 - d;
			r[i].ix1 = r[i].x1 + d;
			r[i].iy1 = r[i].y1 + d;
			r[i].x0 -= m;
			r[i].y0 -= m;
			r[i].x1 += m;
			r[i].y1 += m;
		}
		size_t k = n;
		merge_rects(r, &k);
		*rects = r;
		*nrects = k;
		r = NULL;
	}
	hash_free(&hs);
	free(parent);
	free(stamp);
	free(r);
	return e;
}

/* ---- local arrangements --------------------------------------------------- */

struct lines {
	struct arr *a;
	const struct rect *r;
	GEOSGeometry **v;
	size_t n, cap;
	int failed;
};

static void lines_cell(size_t cell, void *data)
{
	struct lines *l = data;
	struct arr *a = l->a;
	for (uint32_t k = a->hash.start[cell]; k < a->hash.start[cell + 1] && !l->failed; k++) {
		uint32_t j = a->hash.items[k];
		if (a->stamp[j] == a->gen)
			continue;
		a->stamp[j] = a->gen;
		const struct seg *s = &a->segs.v[j];
		const struct rect *r = l->r;
		if (j >= a->drawn || fmax(s->x0, s->x1) < r->x0 || fmin(s->x0, s->x1) > r->x1 ||
		    fmax(s->y0, s->y1) < r->y0 || fmin(s->y0, s->y1) > r->y1)
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 256;
			GEOSGeometry **v = geo_realloc_array(a->ctx, l->v, cap, sizeof *v);
			if (!v) {
				l->failed = 1;
				return;
			}
			l->v = v;
			l->cap = cap;
		}
		if (!(l->v[l->n] = segment_line(a->h, s->x0, s->y0, s->x1, s->y1)))
			l->failed = 1;
		else
			l->n++;
	}
}

static void visit_rect(const struct hash *hs, const struct rect *r, cell_fn fn, void *data)
{
	size_t c[4];
	cell_range(hs, r->x0, r->y0, r->x1, r->y1, c);
	for (size_t cy = c[1]; cy <= c[3]; cy++)
		for (size_t cx = c[0]; cx <= c[2]; cx++)
			fn(cy * hs->nx + cx, data);
}

/*
** The faces of the arrangement of every segment that reaches r, taken whole:
** clipping would make collinear edges end a rounding apart at the border.
** A face inside r is a face of the whole arrangement (every edge that could
** cross it reaches r); faces reaching beyond r may merge several.
*/
static GEOSGeometry *local_faces(struct arr *a, const struct rect *r)
{
	struct lines l = { a, r, NULL, 0, 0, 0 };
	a->gen++;
	visit_rect(&a->hash, r, lines_cell, &l);
	GEOSGeometry *faces = NULL;
	if (!l.failed) {
		faces = polygonize(a, l.v, l.n);
	} else {
		for (size_t i = 0; i < l.n; i++)
			GEOSGeom_destroy_r(a->h, l.v[i]);
	}
	free(l.v);
	if (!faces)
		geo_fail(a->ctx, GEO_ERR_INTERNAL, "cannot build the arrangement near (%.1f, %.1f): %s",
			 (r->x0 + r->x1) / 2, (r->y0 + r->y1) / 2, geo_last_error(a->ctx));
	return faces;
}

struct hold {
	struct arr *a;
	geo_index *idx;
	const GEOSGeometry *pt;
	size_t *v, n, cap;
	int failed;
};

static void hold_one(size_t i, void *data)
{
	struct hold *h = data;
	const GEOSPreparedGeometry *p = geo_index_prepared(h->idx, i);
	if (!p || GEOSPreparedIntersects_r(h->a->h, p, h->pt) != 1)
		return;
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 4;
		size_t *v = geo_realloc_array(h->a->ctx, h->v, cap, sizeof *v);
		if (!v) {
			h->failed = 1;
			return;
		}
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = i;
}

/* Indices of the geometries of idx that hold the point. */
static geo_err covering(struct arr *a, geo_index *idx, const GEOSGeometry *pt, size_t **out,
			size_t *n)
{
	struct hold h = { a, idx, pt, NULL, 0, 0, 0 };
	geo_index_query(idx, pt, hold_one, &h);
	*out = h.v;
	*n = h.n;
	return h.failed ? GEO_ERR_INTERNAL : GEO_OK;
}

static int by_size(const void *p, const void *q)
{
	size_t a = *(const size_t *)p, b = *(const size_t *)q;
	return a < b ? -1 : a > b;
}

enum { KEEP, DROP, GROW };

/*
** A defect face reaching the border of its box. Every defect region is bounded
** by residual edges, so it lies in the inner box but for stretches thinner
** than eps (a tapering tip, a hair between edges that nearly coincide). When
** what lies outside the inner box is negligible, the face is kept cut to it
** (*kept), or dropped when nothing is left; otherwise the box must grow.
*/
static int inside_part(struct arr *a, const GEOSGeometry *face, const struct rect *r,
		       GEOSGeometry **kept)
{
	*kept = NULL;
	GEOSGeometry *box = GEOSGeom_createRectangle_r(a->h, r->ix0, r->iy0, r->ix1, r->iy1);
	GEOSGeometry *poly = box ? GEOSIntersection_r(a->h, face, box) : NULL;
	double all = geo_geom_area(a->ctx, face), part = poly ? geo_geom_area(a->ctx, poly) : 0;
	GEOSGeom_destroy_r(a->h, box);
	if (!poly || !(all - part <= 1e-6 + 1e-9 * all)) {
		GEOSGeom_destroy_r(a->h, poly);
		return GROW;
	}
	if (!(part > 1e-9)) {
		GEOSGeom_destroy_r(a->h, poly);
		return DROP;
	}
	*kept = poly;
	return KEEP;
}

/* Classifies one face; keeps it in out when it is a defect. *outside is set
** when a defect face reaches the rectangle's border. Which grids cover the
** face is told at a point 10 eps inside it: noding nearly collinear edges
** leaves hairs nanometres wide joined to the faces around them, where the
** covering grids are decided by rounding. A face with no such point is
** thinner than the check's resolution and is skipped. */
static geo_err classify(struct arr *a, const GEOSGeometry *face, const struct rect *r,
			size_t cluster, int *outside)
{
	double x0, y0, x1, y1;
	GEOSGeom_getExtent_r(a->h, face, &x0, &y0, &x1, &y1);
	double tol = 1e-9 * fmax(fabs(r->x1) + fabs(r->y1), 1);
	int border = x0 <= r->x0 + tol || y0 <= r->y0 + tol || x1 >= r->x1 - tol || y1 >= r->y1 - tol;
	GEOSGeometry *pt = geo_geom_deep_point(a->ctx, face, NULL, 10 * a->in->eps);
	if (!pt || GEOSisEmpty_r(a->h, pt)) {
		GEOSGeom_destroy_r(a->h, pt);
		return GEO_OK; /* a face without area, or a hair */
	}
	geo_face f = { .primary = -1, .cluster = cluster };
	size_t *prims = NULL, nprims = 0;
	geo_err e = covering(a, a->grid_idx, pt, &f.grids, &f.ngrids);
	if (!e && a->prim_idx)
		e = covering(a, a->prim_idx, pt, &prims, &nprims);
	if (!e) {
		if (nprims) {
			qsort(prims, nprims, sizeof *prims, by_size);
			f.primary = (long)prims[0];
		}
		f.in_ref = a->ref_prep ? GEOSPreparedIntersects_r(a->h, a->ref_prep, pt) == 1
				       : f.primary >= 0;
	}
	free(prims);
	GEOSGeom_destroy_r(a->h, pt);
	int defect = (f.in_ref && f.ngrids != 1) || (!f.in_ref && f.ngrids && !a->hull_mode);
	for (size_t i = 0; a->parents && i < f.ngrids; i++)
		defect |= a->in->assigned[f.grids[i]] != f.primary;
	if (e || !defect) {
		free(f.grids);
		return e;
	}
	GEOSGeometry *kept = NULL;
	int cut = border ? inside_part(a, face, r, &kept) : KEEP;
	if (cut != KEEP) {
		*outside |= cut == GROW;
		free(f.grids);
		return GEO_OK;
	}
	if (f.ngrids)
		qsort(f.grids, f.ngrids, sizeof *f.grids, by_size);
	f.geom = kept ? kept : GEOSGeom_clone_r(a->h, face);
	f.area = f.geom ? geo_geom_area(a->ctx, f.geom) : 0;
	geo_arr_out *o = a->out;
	if (o->n == a->facecap) {
		size_t cap = a->facecap ? 2 * a->facecap : 64;
		geo_face *v = geo_realloc_array(a->ctx, o->faces, cap, sizeof *v);
		if (!v) {
			GEOSGeom_destroy_r(a->h, f.geom);
			free(f.grids);
			return GEO_ERR_INTERNAL;
		}
		o->faces = v;
		a->facecap = cap;
	}
	o->faces[o->n++] = f;
	return f.geom ? GEO_OK : GEO_ERR_INTERNAL;
}

static void drop_cluster_faces(struct arr *a, size_t from)
{
	for (size_t i = from; i < a->out->n; i++) {
		GEOSGeom_destroy_r(a->h, a->out->faces[i].geom);
		free(a->out->faces[i].grids);
	}
	a->out->n = from;
}

/* Processes one rectangle; *grow is set when it must be redone bigger. */
static geo_err do_rect(struct arr *a, const struct rect *r, size_t cluster, int *grow)
{
	GEOSGeometry *faces = local_faces(a, r);
	if (!faces)
		return GEO_ERR_INTERNAL;
	size_t first = a->out->n;
	int outside = 0, n = GEOSGetNumGeometries_r(a->h, faces);
	geo_err e = GEO_OK;
	for (int i = 0; !e && i < n; i++)
		e = classify(a, GEOSGetGeometryN_r(a->h, faces, i), r, cluster, &outside);
	GEOSGeom_destroy_r(a->h, faces);
	if (!e && outside) {
		drop_cluster_faces(a, first);
		*grow = 1;
	}
	return e;
}

/* Runs the local arrangements, growing rectangles whose defects reach their
** border, until every rectangle is done. */
static geo_err do_rects(struct arr *a, struct rect *r, size_t n)
{
	double bx0 = a->hash.x0, by0 = a->hash.y0;
	double bx1 = bx0 + (double)a->hash.nx * a->hash.cs, by1 = by0 + (double)a->hash.ny * a->hash.cs;
	/* Each rectangle's faces are kept in order; redoing one drops them all
	** and starts again, which is rare (defects tapering below eps). */
	for (int again = 1; again;) {
		again = 0;
		drop_cluster_faces(a, 0);
		for (size_t i = 0; i < n; i++) {
			int grow = 0;
			geo_err e = do_rect(a, &r[i], i, &grow);
			if (e)
				return e;
			if (!grow)
				continue;
			double w = r[i].x1 - r[i].x0, h = r[i].y1 - r[i].y0;
			int whole = r[i].x0 <= bx0 && r[i].y0 <= by0 && r[i].x1 >= bx1 && r[i].y1 >= by1;
			if (whole)
				continue; /* nothing lies beyond: the border faces are outside */
			geo_log(a->ctx, GEO_LOG_DEBUG,
				"arrangement: a defect reaches the border of %.1f %.1f %.1f %.1f; growing it",
				r[i].x0, r[i].y0, r[i].x1, r[i].y1);
			r[i].ix0 = r[i].x0;
			r[i].iy0 = r[i].y0;
			r[i].ix1 = r[i].x1;
			r[i].iy1 = r[i].y1;
			r[i].x0 -= w / 2;
			r[i].y0 -= h / 2;
			r[i].x1 += w / 2;
			r[i].y1 += h / 2;
			again = 1;
		}
		if (again)
			merge_rects(r, &n);
	}
	a->out->clusters = n;
	return GEO_OK;
}

/* ---- the verb's helper ------------------------------------------------------ */

static size_t points_of(struct arr *a, const GEOSGeometry *g)
{
	int n = g ? GEOSGetNumCoordinates_r(a->h, g) : 0;
	return n > 0 ? (size_t)n : 0;
}

static geo_err add_inputs(struct arr *a)
{
	const geo_arr_in *in = a->in;
	int town_sum = in->town || a->hull_mode;
	size_t need = points_of(a, in->town);
	for (size_t i = 0; i < in->ngrids; i++)
		need += points_of(a, in->grids[i]);
	for (size_t p = 0; a->parents && p < in->nprimaries; p++)
		need += points_of(a, in->primaries[p]);
	if (reserve_segs(a, &a->segs, need))
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < in->ngrids; i++) {
		int group = 0;
		if (a->parents) {
			long p = in->assigned[i];
			group = p >= 0 ? 1 + (int)p : 1 + (int)in->nprimaries;
		}
		if (add_polygonal(a, in->grids[i], 1, group, town_sum))
			return GEO_ERR_INTERNAL;
	}
	if (in->town && add_polygonal(a, in->town, -1, 0, 1))
		return GEO_ERR_INTERNAL;
	for (size_t p = 0; a->parents && p < in->nprimaries; p++)
		if (add_polygonal(a, in->primaries[p], -1, 1 + (int)p, 0))
			return GEO_ERR_INTERNAL;
	return GEO_OK;
}

static void arr_free(struct arr *a)
{
	free(a->segs.v);
	free(a->pieces.v);
	hash_free(&a->hash);
	free(a->stamp);
	free(a->ev);
	free(a->has_residual);
	free(a->ring);
	geo_index_free(a->grid_idx);
	geo_index_free(a->prim_idx);
	if (a->ref_prep)
		GEOSPreparedGeom_destroy_r(a->h, a->ref_prep);
}

/* Coordinates beyond GEO_COORD_MAX would overflow the cell hash; the tools
** never pass them (io.c refuses them on input), a direct caller gets an error. */
static geo_err inputs_within_limits(geo_ctx *ctx, const geo_arr_in *in)
{
	int ok = geo_geom_within_limits(ctx, in->town);
	for (size_t i = 0; ok && i < in->ngrids; i++)
		ok = geo_geom_within_limits(ctx, in->grids[i]);
	for (size_t i = 0; ok && in->primaries && i < in->nprimaries; i++)
		ok = geo_geom_within_limits(ctx, in->primaries[i]);
	return ok ? GEO_OK
		  : geo_fail(ctx, GEO_ERR_INPUT, "coordinates beyond ±1e8 m (GEO_COORD_MAX) or "
			     "not finite: no projected CRS reaches so far");
}

geo_err geo_arrange(geo_ctx *ctx, const geo_arr_in *in, geo_arr_out *out)
{
	memset(out, 0, sizeof *out);
	struct arr a = { .ctx = ctx, .h = geo_ctx_geos(ctx), .in = in, .out = out };
	a.parents = in->primaries && in->assigned;
	a.hull_mode = !in->town && !a.parents;
	struct rect *rects = NULL;
	size_t nrects = 0;
	double t0 = seconds();
	geo_err e = inputs_within_limits(ctx, in);
	if (!e)
		e = add_inputs(&a);
	a.drawn = a.segs.n;
	double t1 = seconds();
	if (!e)
		e = compute_residual(&a, in->eps);
	double t2 = seconds();
	if (!e && a.hull_mode && a.segs.n) {
		e = build_hull(&a);
		if (!e)
			e = compute_residual(&a, in->eps);
	}
	double t3 = seconds();
	out->segments = a.segs.n;
	out->residual = a.pieces.n;
	a.ref = in->town ? in->town : out->hull;
	if (!e && a.ref && !(a.ref_prep = GEOSPrepare_r(a.h, a.ref)))
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "cannot prepare the reference region");
	if (!e && !(a.grid_idx = geo_index_new(ctx, in->grids, in->ngrids)))
		e = GEO_ERR_INTERNAL;
	if (!e && a.parents && !(a.prim_idx = geo_index_new(ctx, in->primaries, in->nprimaries)))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = cluster_rects(&a, in->eps, &rects, &nrects);
	if (!e)
		e = do_rects(&a, rects, nrects);
	geo_log(ctx, GEO_LOG_DEBUG,
		"arrangement: %zu segments (%.3f s), %zu residual (%.3f s, outline %.3f s), "
		"%zu clusters (%.3f s)", a.segs.n, t1 - t0, a.pieces.n, t2 - t1, t3 - t2,
		out->clusters, seconds() - t3);
	free(rects);
	arr_free(&a);
	if (e)
		geo_arr_out_free(ctx, out);
	return e;
}

void geo_arr_out_free(geo_ctx *ctx, geo_arr_out *out)
{
	if (!out)
		return;
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	for (size_t i = 0; i < out->n; i++) {
		GEOSGeom_destroy_r(h, out->faces[i].geom);
		free(out->faces[i].grids);
	}
	free(out->faces);
	GEOSGeom_destroy_r(h, out->hull);
	memset(out, 0, sizeof *out);
}
