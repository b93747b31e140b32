/*
** linework.c: the lines grid-split cuts a town along. The town boundary, the
** village limits and the barriers are clipped a little outside the town, a
** stretch of line that copies an earlier one is dropped, and barrier and
** village ends that stop a few metres short of another line are extended
** across it; split_node nodes lines with a GEOS union and split_polygonize
** turns the noded lines into the faces inside the town.
**
** Two rules keep the noding honest. A line meant to end on another is made
** to cross it by SPLIT_CROSS_M instead, since an end computed to lie on a line
** is a rounding away from it and would dangle; the stubs beyond are dangles
** that polygonizing drops. And two copies of one line (a village limit
** digitised twice, a road along the boundary) would enclose slivers, so only
** the first is kept: the town boundary, then village limits, then barriers.
*/
#include "split/input.h"
#include "split/linework.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A stretch of line within BAND_M of an earlier line, longer than
** BAND_RUN_M, is a second copy of that line and is dropped. Shorter
** stretches are crossings and stay. */
#define BAND_M 0.5
#define BAND_RUN_M 5.0

/* ---- a growable array of owned geometries ---------------------------------- */

int split_geoms_add(geo_ctx *ctx, split_geoms *v, GEOSGeometry *g, int kind, double cost)
{
	if (!g)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "geometry operation failed: %s",
				geo_last_error(ctx)), 0;
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 256;
		if (!geo_resize(ctx, &v->g, cap, sizeof *v->g) ||
		    !geo_resize(ctx, &v->kind, cap, sizeof *v->kind) ||
		    !geo_resize(ctx, &v->cost, cap, sizeof *v->cost)) {
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
			return 0;
		}
		v->cap = cap;
	}
	v->g[v->n] = g;
	v->kind[v->n] = kind;
	v->cost[v->n++] = cost;
	return 1;
}

void split_geoms_free(GEOSContextHandle_t h, split_geoms *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->g[i])
			GEOSGeom_destroy_r(h, v->g[i]);
	free(v->g);
	free(v->kind);
	free(v->cost);
	memset(v, 0, sizeof *v);
}

/* Adds the LineString parts of g (any type; taken) to v. */
int split_add_lines(geo_ctx *ctx, split_geoms *v, GEOSGeometry *g, int kind, double cost)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	if (!g)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "geometry operation failed: %s",
				geo_last_error(ctx)), 0;
	int type = GEOSGeomTypeId_r(h, g), ok = 1;
	if (type == GEOS_LINESTRING) {
		if (GEOSGetNumCoordinates_r(h, g) >= 2 && !GEOSisEmpty_r(h, g))
			return split_geoms_add(ctx, v, g, kind, cost);
	} else if (type == GEOS_LINEARRING) {
		GEOSCoordSequence *s = GEOSCoordSeq_clone_r(h, GEOSGeom_getCoordSeq_r(h, g));
		ok = split_geoms_add(ctx, v, GEOSGeom_createLineString_r(h, s), kind, cost);
	} else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
		for (int i = 0; ok && i < GEOSGetNumGeometries_r(h, g); i++)
			ok = split_add_lines(ctx, v, GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, g, i)), kind,
				       cost);
	}
	GEOSGeom_destroy_r(h, g);
	return ok;
}

GEOSGeometry *split_collect(GEOSContextHandle_t h, GEOSGeometry *const *g, size_t n)
{
	GEOSGeometry **c = malloc((n ? n : 1) * sizeof *c);
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++)
		c[i] = GEOSGeom_clone_r(h, g[i]);
	GEOSGeometry *out = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, c, (unsigned)n);
	free(c);
	return out;
}

GEOSGeometry *split_union_one(GEOSContextHandle_t h, GEOSGeometry *const *g, size_t n)
{
	GEOSGeometry *coll = split_collect(h, g, n);
	GEOSGeometry *u = coll ? GEOSCoverageUnion_r(h, coll) : NULL;
	if (coll)
		GEOSGeom_destroy_r(h, coll);
	if (u && GEOSGeomTypeId_r(h, u) == GEOS_MULTIPOLYGON && GEOSGetNumGeometries_r(h, u) == 1) {
		GEOSGeometry *one = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, u, 0));
		GEOSGeom_destroy_r(h, u);
		u = one;
	}
	if (u && GEOSGeomTypeId_r(h, u) != GEOS_POLYGON) {
		GEOSGeom_destroy_r(h, u);
		u = NULL;
	}
	return u;
}

/* ---- the linework --------------------------------------------------------- */

/* The barrier and village lines clipped to the town, plus the town's
** boundary, as LineStrings with their kind and cost. */
static int clipped_lines(geo_ctx *ctx, const split_input *in, split_geoms *out)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	if (!split_add_lines(ctx, out, GEOSBoundary_r(h, in->town), SPLIT_TOWN, SPLIT_COST_OPEN))
		return 0;
	/* Clipped a little outside the town, lines cross its boundary. */
	GEOSGeometry *big = GEOSBuffer_r(h, in->town, SPLIT_CROSS_M, 2);
	const GEOSPreparedGeometry *town = big ? GEOSPrepare_r(h, big) : NULL;
	int ok = town != NULL;
	for (size_t i = 0; ok && i < in->nlines; i++) {
		const split_line *l = &in->lines[i];
		if (!GEOSPreparedIntersects_r(h, town, l->geom))
			continue;
		GEOSGeometry *g = GEOSPreparedContains_r(h, town, l->geom)
					  ? GEOSGeom_clone_r(h, l->geom)
					  : GEOSIntersection_r(h, l->geom, big);
		ok = split_add_lines(ctx, out, g, l->kind, l->cost);
	}
	if (town)
		GEOSPreparedGeom_destroy_r(h, town);
	if (big)
		GEOSGeom_destroy_r(h, big);
	return ok;
}

static void hit(void *item, void *data)
{
	split_hits *s = data;
	if (s->n < s->cap)
		s->idx[s->n++] = *(size_t *)item;
}

int split_by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Candidates whose envelope meets g, in index order (so results never
** depend on the tree's internal order). */
size_t split_query(GEOSContextHandle_t h, GEOSSTRtree *t, const GEOSGeometry *g,
		    split_hits *s)
{
	s->h = h;
	s->n = 0;
	GEOSSTRtree_query_r(h, t, g, hit, s);
	qsort(s->idx, s->n, sizeof *s->idx, split_by_index);
	return s->n;
}

/* The point where the ray from (x, y) along (dx, dy), `len` long, first meets
** one of the lines other than `self`; 0 if none. */
static int ray_hit(GEOSContextHandle_t h, GEOSSTRtree *t, const split_geoms *v, size_t self,
		   split_hits *s, double x, double y, double dx, double dy, double len,
		   double *hx, double *hy)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 2, 2);
	GEOSCoordSeq_setXY_r(h, cs, 0, x, y);
	GEOSCoordSeq_setXY_r(h, cs, 1, x + dx * len, y + dy * len);
	GEOSGeometry *ray = GEOSGeom_createLineString_r(h, cs);
	double best = INFINITY;
	split_query(h, t, ray, s);
	for (size_t k = 0; k < s->n; k++) {
		if (s->idx[k] == self)
			continue;
		GEOSGeometry *x2 = GEOSIntersection_r(h, ray, v->g[s->idx[k]]);
		/* Points, or the ends of a collinear overlap. */
		GEOSGeometry *pts = x2 ? GEOSGeom_extractUniquePoints_r(h, x2) : NULL;
		for (int i = 0; pts && i < GEOSGetNumGeometries_r(h, pts); i++) {
			const GEOSGeometry *p = GEOSGetGeometryN_r(h, pts, i);
			double px = 0, py = 0;
			if (GEOSisEmpty_r(h, p))
				continue;
			GEOSGeomGetX_r(h, p, &px);
			GEOSGeomGetY_r(h, p, &py);
			double d = hypot(px - x, py - y);
			if (d > 1e-9 && d < best) {
				best = d;
				*hx = px;
				*hy = py;
			}
		}
		if (pts)
			GEOSGeom_destroy_r(h, pts);
		if (x2)
			GEOSGeom_destroy_r(h, x2);
	}
	GEOSGeom_destroy_r(h, ray);
	return isfinite(best);
}

/* 1 when (x, y) lies on one of the lines other than `self`. */
static int touches_other(GEOSContextHandle_t h, GEOSSTRtree *t, const split_geoms *v, size_t self,
			 split_hits *s, GEOSGeometry *pt)
{
	split_query(h, t, pt, s);
	for (size_t k = 0; k < s->n; k++) {
		double d = INFINITY;
		if (s->idx[k] != self && GEOSDistance_r(h, pt, v->g[s->idx[k]], &d) && d < SPLIT_ON_LINE_M)
			return 1;
	}
	return 0;
}

/* The line with (x, y) added before its first or after its last point. */
static GEOSGeometry *extend_line(GEOSContextHandle_t h, const GEOSGeometry *l, int at_start,
				 double x, double y)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, l);
	unsigned n = 0;
	GEOSCoordSeq_getSize_r(h, cs, &n);
	GEOSCoordSequence *out = GEOSCoordSeq_create_r(h, n + 1, 2);
	for (unsigned i = 0; i < n; i++) {
		double px, py;
		GEOSCoordSeq_getXY_r(h, cs, i, &px, &py);
		GEOSCoordSeq_setXY_r(h, out, at_start ? i + 1 : i, px, py);
	}
	GEOSCoordSeq_setXY_r(h, out, at_start ? 0 : n, x, y);
	return GEOSGeom_createLineString_r(h, out);
}

/* Extends one end of line i when it stops short of another line:
** first straight on, up to snap metres; else to the nearest line within
** half of that. */
static void extend_end(GEOSContextHandle_t h, GEOSSTRtree *t, split_geoms *v, size_t i,
		       split_hits *s, int at_start, double snap)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, v->g[i]);
	unsigned n = 0;
	GEOSCoordSeq_getSize_r(h, cs, &n);
	double ex, ey, px, py;
	GEOSCoordSeq_getXY_r(h, cs, at_start ? 0 : n - 1, &ex, &ey);
	GEOSCoordSeq_getXY_r(h, cs, at_start ? 1 : n - 2, &px, &py);
	double len = hypot(ex - px, ey - py), ox, oy;
	GEOSCoordSeq_getXY_r(h, cs, at_start ? n - 1 : 0, &ox, &oy);
	if (ox == ex && oy == ey)
		return; /* a closed line has no end */
	GEOSGeometry *end = GEOSGeom_createPointFromXY_r(h, ex, ey);
	if (len <= 0 || touches_other(h, t, v, i, s, end)) {
		GEOSGeom_destroy_r(h, end);
		return;
	}
	double hx = 0, hy = 0;
	int found = ray_hit(h, t, v, i, s, ex, ey, (ex - px) / len, (ey - py) / len, snap, &hx, &hy);
	if (!found) {
		GEOSGeometry *box = GEOSBuffer_r(h, end, snap / 2, 2);
		double best = snap / 2;
		split_query(h, t, box, s);
		for (size_t k = 0; k < s->n; k++) {
			double d;
			if (s->idx[k] == i || !GEOSDistance_r(h, end, v->g[s->idx[k]], &d) || d >= best)
				continue;
			GEOSCoordSequence *np = GEOSNearestPoints_r(h, end, v->g[s->idx[k]]);
			if (np) {
				GEOSCoordSeq_getXY_r(h, np, 1, &hx, &hy);
				GEOSCoordSeq_destroy_r(h, np);
				best = d;
				found = 1;
			}
		}
		GEOSGeom_destroy_r(h, box);
	}
	GEOSGeom_destroy_r(h, end);
	double d = hypot(hx - ex, hy - ey);
	if (!found || d <= 0)
		return;
	hx += (hx - ex) / d * SPLIT_CROSS_M;
	hy += (hy - ey) / d * SPLIT_CROSS_M;
	GEOSGeometry *longer = extend_line(h, v->g[i], at_start, hx, hy);
	if (longer) {
		GEOSGeom_destroy_r(h, v->g[i]);
		v->g[i] = longer;
	}
}

/* Extends line ends that stop within snap metres of another line. The
** tree holds the lines as they were; an extension is short, so meeting a
** line's old shape is what matters. */
static int extend_dangles(geo_ctx *ctx, split_geoms *v, double snap)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSSTRtree *t = GEOSSTRtree_create_r(h, 10);
	size_t *items = geo_calloc(ctx, v->n, sizeof *items);
	split_hits s = { h, geo_calloc(ctx, v->n, sizeof(size_t)), 0, v->n };
	GEOSGeometry **orig = geo_calloc(ctx, v->n, sizeof *orig);
	int ok = t && items && s.idx && orig;
	for (size_t i = 0; ok && i < v->n; i++) {
		items[i] = i;
		orig[i] = GEOSGeom_clone_r(h, v->g[i]);
		GEOSSTRtree_insert_r(h, t, orig[i], &items[i]);
	}
	split_geoms view = *v;
	view.g = orig;
	for (size_t i = 0; ok && snap > 0 && i < v->n; i++) {
		if (v->kind[i] == SPLIT_TOWN)
			continue;
		/* Measure against the original shapes, but extend the line in place. */
		GEOSGeometry *old = orig[i];
		orig[i] = v->g[i];
		extend_end(h, t, &view, i, &s, 1, snap);
		extend_end(h, t, &view, i, &s, 0, snap);
		v->g[i] = orig[i];
		orig[i] = old;
	}
	if (t)
		GEOSSTRtree_destroy_r(h, t);
	for (size_t i = 0; orig && i < v->n; i++)
		if (orig[i])
			GEOSGeom_destroy_r(h, orig[i]);
	free(orig);
	free(items);
	free(s.idx);
	return ok;
}

/* Lines kept so far, with their extents and (made when first needed) the
** band around each. A plain array: the lines are few hundred to a few
** thousand, and GEOS's STRtree cannot take insertions once queried. */
typedef struct kept {
	split_geoms g;
	double (*box)[4];
	GEOSGeometry **band;
	size_t cap;
} kept;

static int keep_line(geo_ctx *ctx, kept *k, GEOSGeometry *g, int kind, double cost)
{
	if (k->g.n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 256;
		double(*box)[4] = geo_realloc_array(ctx, k->box, cap, sizeof *box);
		if (box)
			k->box = box;
		GEOSGeometry **band = box ? geo_realloc_array(ctx, k->band, cap, sizeof *band) : NULL;
		if (!band) {
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
			return 0;
		}
		k->band = band;
		k->cap = cap;
	}
	double *b = k->box[k->g.n];
	GEOSGeom_getExtent_r(geo_ctx_geos(ctx), g, &b[0], &b[1], &b[2], &b[3]);
	k->band[k->g.n] = NULL;
	return split_geoms_add(ctx, &k->g, g, kind, cost);
}

/* Line g without its stretches that copy kept lines (a new geometry), or
** NULL when nothing of it is a copy. */
static GEOSGeometry *without_copies(GEOSContextHandle_t h, kept *k, const GEOSGeometry *g)
{
	double x0, y0, x1, y1;
	GEOSGeom_getExtent_r(h, g, &x0, &y0, &x1, &y1);
	GEOSGeometry *left = NULL;
	for (size_t j = 0; j < k->g.n; j++) {
		const double *b = k->box[j];
		if (b[0] > x1 + BAND_M || b[2] < x0 - BAND_M || b[1] > y1 + BAND_M || b[3] < y0 - BAND_M)
			continue;
		if (!k->band[j] && !(k->band[j] = GEOSBuffer_r(h, k->g.g[j], BAND_M, 4)))
			continue;
		const GEOSGeometry *cur = left ? left : g;
		GEOSGeometry *near = GEOSIntersection_r(h, cur, k->band[j]);
		double run = 0;
		if (near) {
			GEOSLength_r(h, near, &run);
			GEOSGeom_destroy_r(h, near);
		}
		GEOSGeometry *d = run > BAND_RUN_M ? GEOSDifference_r(h, cur, k->band[j]) : NULL;
		if (!d)
			continue;
		if (left)
			GEOSGeom_destroy_r(h, left);
		left = d;
	}
	return left;
}

/*
** Drops the stretches of each line that run along an earlier one: the town
** boundary comes first, then the village limits, then the barriers in their
** order. The ends this leaves are extended to the earlier line again like
** any dangling end, so the junctions stay where they were.
*/
static int drop_copies(geo_ctx *ctx, split_geoms *v)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	kept k = { 0 };
	int ok = 1;
	for (size_t i = 0; ok && i < v->n; i++) {
		GEOSGeometry *left = v->kind[i] == SPLIT_TOWN ? NULL : without_copies(h, &k, v->g[i]);
		if (!left) {
			ok = keep_line(ctx, &k, v->g[i], v->kind[i], v->cost[i]);
			v->g[i] = NULL;
			continue;
		}
		split_geoms pieces = { 0 };
		ok = split_add_lines(ctx, &pieces, left, v->kind[i], v->cost[i]);
		for (size_t j = 0; ok && j < pieces.n; j++) {
			ok = keep_line(ctx, &k, pieces.g[j], v->kind[i], v->cost[i]);
			pieces.g[j] = NULL;
		}
		split_geoms_free(h, &pieces);
	}
	for (size_t j = 0; j < k.g.n; j++)
		if (k.band && k.band[j])
			GEOSGeom_destroy_r(h, k.band[j]);
	free(k.box);
	free(k.band);
	split_geoms_free(h, v);
	*v = k.g;
	return ok;
}

/* Nodes the lines: their union splits every line where another meets it and
** merges the pieces two lines share. */
GEOSGeometry *split_node(geo_ctx *ctx, GEOSGeometry *const *g, size_t n)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *c = split_collect(h, g, n);
	GEOSGeometry *u = c ? GEOSUnaryUnion_r(h, c) : NULL;
	if (c)
		GEOSGeom_destroy_r(h, c);
	if (!u)
		geo_fail(ctx, GEO_ERR_INTERNAL, "cannot node the roads, rivers and limits: %s",
			 geo_last_error(ctx));
	return u;
}

/* The faces of noded linework that lie inside the town, in GEOS's order. */
int split_polygonize(geo_ctx *ctx, const GEOSGeometry *noded, const GEOSGeometry *town,
		      split_geoms *faces)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	const GEOSGeometry *in[1] = { noded };
	GEOSGeometry *polys = GEOSPolygonize_r(h, in, 1);
	const GEOSPreparedGeometry *pt = GEOSPrepare_r(h, town);
	int ok = polys && pt;
	if (!ok)
		geo_fail(ctx, GEO_ERR_INTERNAL, "cannot polygonize the linework: %s",
			 geo_last_error(ctx));
	for (int i = 0; ok && i < GEOSGetNumGeometries_r(h, polys); i++) {
		const GEOSGeometry *f = GEOSGetGeometryN_r(h, polys, i);
		GEOSGeometry *p = GEOSPointOnSurface_r(h, f);
		int inside = p && GEOSPreparedContains_r(h, pt, p) == 1;
		if (p)
			GEOSGeom_destroy_r(h, p);
		if (inside)
			ok = split_geoms_add(ctx, faces, GEOSGeom_clone_r(h, f), 0, 0);
	}
	if (pt)
		GEOSPreparedGeom_destroy_r(h, pt);
	if (polys)
		GEOSGeom_destroy_r(h, polys);
	return ok;
}

int split_linework(geo_ctx *ctx, const split_input *in, double snap, split_geoms *out)
{
	return clipped_lines(ctx, in, out) && drop_copies(ctx, out) && extend_dangles(ctx, out, snap);
}
