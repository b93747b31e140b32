/*
** atoms.c: cuts a town into atoms, the pieces grid-split builds grids from.
**
** The town boundary, the village limits and the barriers (roads, rivers) are
** noded together and polygonized into blocks; barrier ends that stop a few
** metres short of another line are extended to meet it first, so they do not
** dangle. A block holding more household weight than an atom may is cut by
** the Voronoi diagram of k-means centres of its households, and everything is
** noded and polygonized once more into faces. Because every face comes from
** one noding, neighbouring faces share their edges vertex for vertex: the
** faces are an exact coverage of the town, and any union of them is too.
**
** Each segment of the noded linework remembers what it lies on (a barrier, a
** village limit, the town boundary, or nothing), which gives the graph its
** edge costs and the report its share of limits along barriers. Faces that
** are slivers (thinner than a metre, or smaller than a few square metres) join
** the neighbour they share most boundary with; the groups are the atoms.
*/
#include "split_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A noded segment lies on a source line when its midpoint is this close. */
#define ON_LINE_M 1e-3
/* Faces thinner than this (twice the area over the perimeter) or smaller
** than SLIVER_AREA are slivers. */
#define SLIVER_WIDTH_M 1.0
#define SLIVER_AREA_M2 10.0
#define KMEANS_ROUNDS 25
/* Lines meant to end on another line are made to cross it by this much
** instead: an end computed to lie on a line is a rounding away from it, and
** the noding would leave it dangling. The stubs beyond are dangles that
** polygonizing drops. */
#define CROSS_M 0.05
/* A stretch of line within BAND_M of an earlier line, longer than
** BAND_RUN_M, is a second copy of that line (a village limit digitised twice,
** a road along the boundary) and is dropped; otherwise the two would enclose
** slivers. Shorter stretches are crossings and stay. */
#define BAND_M 0.5
#define BAND_RUN_M 5.0

void split_input_free(GEOSContextHandle_t h, split_input *in)
{
	if (!in)
		return;
	if (in->town)
		GEOSGeom_destroy_r(h, in->town);
	for (size_t i = 0; i < in->nvillages; i++) {
		if (in->villages[i])
			GEOSGeom_destroy_r(h, in->villages[i]);
		free(in->village_names ? in->village_names[i] : NULL);
	}
	free(in->villages);
	free(in->village_names);
	for (size_t i = 0; i < in->nlines; i++)
		if (in->lines[i].geom)
			GEOSGeom_destroy_r(h, in->lines[i].geom);
	free(in->lines);
	free(in->points);
	memset(in, 0, sizeof *in);
}

void split_atoms_free(split_atoms *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nfaces; i++)
		if (a->faces[i])
			GEOSGeom_destroy_r(a->h, a->faces[i]);
	free(a->faces);
	free(a->face_atom);
	free(a->weight);
	free(a->households);
	free(a->persons);
	free(a->area);
	free(a->heaviest);
	free(a->village);
	free(a->outside);
	free(a->xadj);
	free(a->adj);
	free(a->len);
	free(a->cost);
	free(a->along);
	free(a->point_atom);
	free(a);
}

/* ---- a growable array of owned geometries ------------------------------- */

typedef struct geoms {
	GEOSGeometry **g;
	int *kind;
	double *cost;
	size_t n, cap;
} geoms;

static int geoms_add(geo_ctx *ctx, geoms *v, GEOSGeometry *g, int kind, double cost)
{
	if (!g)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "geometry operation failed: %s",
				geo_last_error(ctx)), 0;
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 256;
		GEOSGeometry **g2 = geo_realloc_array(ctx, v->g, cap, sizeof *g2);
		if (g2)
			v->g = g2;
		int *k2 = g2 ? geo_realloc_array(ctx, v->kind, cap, sizeof *k2) : NULL;
		if (k2)
			v->kind = k2;
		double *c2 = k2 ? geo_realloc_array(ctx, v->cost, cap, sizeof *c2) : NULL;
		if (!c2) {
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
			return 0;
		}
		v->cost = c2;
		v->cap = cap;
	}
	v->g[v->n] = g;
	v->kind[v->n] = kind;
	v->cost[v->n++] = cost;
	return 1;
}

static void geoms_free(GEOSContextHandle_t h, geoms *v)
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
static int add_lines(geo_ctx *ctx, geoms *v, GEOSGeometry *g, int kind, double cost)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	if (!g)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "geometry operation failed: %s",
				geo_last_error(ctx)), 0;
	int type = GEOSGeomTypeId_r(h, g), ok = 1;
	if (type == GEOS_LINESTRING) {
		if (GEOSGetNumCoordinates_r(h, g) >= 2 && !GEOSisEmpty_r(h, g))
			return geoms_add(ctx, v, g, kind, cost);
	} else if (type == GEOS_LINEARRING) {
		GEOSCoordSequence *s = GEOSCoordSeq_clone_r(h, GEOSGeom_getCoordSeq_r(h, g));
		ok = geoms_add(ctx, v, GEOSGeom_createLineString_r(h, s), kind, cost);
	} else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
		for (int i = 0; ok && i < GEOSGetNumGeometries_r(h, g); i++)
			ok = add_lines(ctx, v, GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, g, i)), kind,
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

/* ---- the linework --------------------------------------------------------- */

/* The barrier and village lines clipped to the town, plus the town's
** boundary, as LineStrings with their kind and cost. */
static int clipped_lines(geo_ctx *ctx, const split_input *in, geoms *out)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	if (!add_lines(ctx, out, GEOSBoundary_r(h, in->town), SPLIT_TOWN, SPLIT_COST_OPEN))
		return 0;
	/* Clipped a little outside the town, lines cross its boundary. */
	GEOSGeometry *big = GEOSBuffer_r(h, in->town, CROSS_M, 2);
	const GEOSPreparedGeometry *town = big ? GEOSPrepare_r(h, big) : NULL;
	int ok = town != NULL;
	for (size_t i = 0; ok && i < in->nlines; i++) {
		const split_line *l = &in->lines[i];
		if (!GEOSPreparedIntersects_r(h, town, l->geom))
			continue;
		GEOSGeometry *g = GEOSPreparedContains_r(h, town, l->geom)
					  ? GEOSGeom_clone_r(h, l->geom)
					  : GEOSIntersection_r(h, l->geom, big);
		ok = add_lines(ctx, out, g, l->kind, l->cost);
	}
	if (town)
		GEOSPreparedGeom_destroy_r(h, town);
	if (big)
		GEOSGeom_destroy_r(h, big);
	return ok;
}

struct hits {
	GEOSContextHandle_t h;
	size_t *idx, n, cap;
};

static void hit(void *item, void *data)
{
	struct hits *s = data;
	if (s->n < s->cap)
		s->idx[s->n++] = *(size_t *)item;
}

static int by_size_t(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Candidates whose envelope meets g, in index order (so results never
** depend on the tree's internal order). */
static size_t query(GEOSContextHandle_t h, GEOSSTRtree *t, const GEOSGeometry *g,
		    struct hits *s)
{
	s->h = h;
	s->n = 0;
	GEOSSTRtree_query_r(h, t, g, hit, s);
	qsort(s->idx, s->n, sizeof *s->idx, by_size_t);
	return s->n;
}

/* The point where the ray from (x, y) along (dx, dy), `len` long, first meets
** one of the lines other than `self`; 0 if none. */
static int ray_hit(GEOSContextHandle_t h, GEOSSTRtree *t, const geoms *v, size_t self,
		   struct hits *s, double x, double y, double dx, double dy, double len,
		   double *hx, double *hy)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 2, 2);
	GEOSCoordSeq_setXY_r(h, cs, 0, x, y);
	GEOSCoordSeq_setXY_r(h, cs, 1, x + dx * len, y + dy * len);
	GEOSGeometry *ray = GEOSGeom_createLineString_r(h, cs);
	double best = INFINITY;
	query(h, t, ray, s);
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
static int touches_other(GEOSContextHandle_t h, GEOSSTRtree *t, const geoms *v, size_t self,
			 struct hits *s, GEOSGeometry *pt)
{
	query(h, t, pt, s);
	for (size_t k = 0; k < s->n; k++) {
		double d = INFINITY;
		if (s->idx[k] != self && GEOSDistance_r(h, pt, v->g[s->idx[k]], &d) && d < ON_LINE_M)
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
static void extend_end(GEOSContextHandle_t h, GEOSSTRtree *t, geoms *v, size_t i,
		       struct hits *s, int at_start, double snap)
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
		query(h, t, box, s);
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
	hx += (hx - ex) / d * CROSS_M;
	hy += (hy - ey) / d * CROSS_M;
	GEOSGeometry *longer = extend_line(h, v->g[i], at_start, hx, hy);
	if (longer) {
		GEOSGeom_destroy_r(h, v->g[i]);
		v->g[i] = longer;
	}
}

/* Extends line ends that stop within snap metres of another line. The
** tree holds the lines as they were; an extension is short, so meeting a
** line's old shape is what matters. */
static int extend_dangles(geo_ctx *ctx, geoms *v, double snap)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSSTRtree *t = GEOSSTRtree_create_r(h, 10);
	size_t *items = geo_calloc(ctx, v->n, sizeof *items);
	struct hits s = { h, geo_calloc(ctx, v->n, sizeof(size_t)), 0, v->n };
	GEOSGeometry **orig = geo_calloc(ctx, v->n, sizeof *orig);
	int ok = t && items && s.idx && orig;
	for (size_t i = 0; ok && i < v->n; i++) {
		items[i] = i;
		orig[i] = GEOSGeom_clone_r(h, v->g[i]);
		GEOSSTRtree_insert_r(h, t, orig[i], &items[i]);
	}
	geoms view = *v;
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
	geoms g;
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
	return geoms_add(ctx, &k->g, g, kind, cost);
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
static int drop_copies(geo_ctx *ctx, geoms *v)
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
		geoms pieces = { 0 };
		ok = add_lines(ctx, &pieces, left, v->kind[i], v->cost[i]);
		for (size_t j = 0; ok && j < pieces.n; j++) {
			ok = keep_line(ctx, &k, pieces.g[j], v->kind[i], v->cost[i]);
			pieces.g[j] = NULL;
		}
		geoms_free(h, &pieces);
	}
	for (size_t j = 0; j < k.g.n; j++)
		if (k.band && k.band[j])
			GEOSGeom_destroy_r(h, k.band[j]);
	free(k.box);
	free(k.band);
	geoms_free(h, v);
	*v = k.g;
	return ok;
}

/* Nodes the lines: their union splits every line where another meets it and
** merges the pieces two lines share. */
static GEOSGeometry *node(geo_ctx *ctx, GEOSGeometry *const *g, size_t n)
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
static int polygonize(geo_ctx *ctx, const GEOSGeometry *noded, const GEOSGeometry *town,
		      geoms *faces)
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
			ok = geoms_add(ctx, faces, GEOSGeom_clone_r(h, f), 0, 0);
	}
	if (pt)
		GEOSPreparedGeom_destroy_r(h, pt);
	if (polys)
		GEOSGeom_destroy_r(h, polys);
	return ok;
}

/* For each point, the lowest-numbered face holding it, or -1. */
static int locate_points(geo_ctx *ctx, const split_input *in, const geoms *faces, long *where)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_index *idx = geo_index_new(ctx, faces->g, faces->n);
	size_t cap = 64, *cand = geo_calloc(ctx, cap, sizeof *cand);
	if (!idx || !cand) {
		geo_index_free(idx);
		free(cand);
		return 0;
	}
	for (size_t i = 0; i < in->npoints; i++) {
		const split_point *p = &in->points[i];
		size_t n = geo_index_query_box(idx, p->x, p->y, p->x, p->y, cand, cap);
		if (n > cap) {
			size_t *c2 = geo_realloc_array(ctx, cand, n, sizeof *c2);
			if (!c2)
				break;
			cand = c2;
			cap = n;
			n = geo_index_query_box(idx, p->x, p->y, p->x, p->y, cand, cap);
		}
		qsort(cand, n, sizeof *cand, by_size_t);
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, p->x, p->y);
		where[i] = -1;
		for (size_t k = 0; k < n && where[i] < 0; k++)
			if (GEOSPreparedIntersects_r(h, geo_index_prepared(idx, cand[k]), pt) == 1)
				where[i] = (long)cand[k];
		GEOSGeom_destroy_r(h, pt);
	}
	geo_index_free(idx);
	free(cand);
	return 1;
}

/* ---- splitting heavy blocks ----------------------------------------------- */

struct wpt {
	double x, y, w;
};

static int by_xy(const void *a, const void *b)
{
	const struct wpt *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->y < q->y ? -1 : p->y > q->y;
}

/* Merges points at the same place (households of one building); returns
** the number of distinct places. */
static size_t merge_places(struct wpt *p, size_t n)
{
	qsort(p, n, sizeof *p, by_xy);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && p[m - 1].x == p[i].x && p[m - 1].y == p[i].y)
			p[m - 1].w += p[i].w;
		else
			p[m++] = p[i];
	}
	return m;
}

/* k-means++ seeding, then Lloyd rounds, weighted; c holds k centres. */
static void kmeans(const struct wpt *p, size_t n, size_t k, unsigned long long *rng,
		   struct wpt *c, size_t *label, double *d2)
{
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += p[i].w;
	double r = split_rand01(rng) * total, acc = 0;
	size_t first = n - 1;
	for (size_t i = 0; i < n; i++)
		if ((acc += p[i].w) >= r) {
			first = i;
			break;
		}
	c[0] = p[first];
	for (size_t i = 0; i < n; i++)
		d2[i] = INFINITY;
	for (size_t j = 1; j < k; j++) {
		double sum = 0;
		for (size_t i = 0; i < n; i++) {
			double dx = p[i].x - c[j - 1].x, dy = p[i].y - c[j - 1].y;
			d2[i] = fmin(d2[i], dx * dx + dy * dy);
			sum += d2[i] * p[i].w;
		}
		double t = split_rand01(rng) * sum, a = 0;
		size_t pick = n - 1;
		for (size_t i = 0; i < n; i++)
			if ((a += d2[i] * p[i].w) >= t && d2[i] > 0) {
				pick = i;
				break;
			}
		c[j] = p[pick];
	}
	for (int round = 0; round < KMEANS_ROUNDS; round++) {
		int changed = 0;
		for (size_t i = 0; i < n; i++) {
			size_t best = 0;
			double bd = INFINITY;
			for (size_t j = 0; j < k; j++) {
				double dx = p[i].x - c[j].x, dy = p[i].y - c[j].y, d = dx * dx + dy * dy;
				if (d < bd) {
					bd = d;
					best = j;
				}
			}
			changed |= round == 0 || label[i] != best;
			label[i] = best;
		}
		if (!changed)
			break;
		for (size_t j = 0; j < k; j++)
			c[j].x = c[j].y = c[j].w = 0;
		for (size_t i = 0; i < n; i++) {
			struct wpt *q = &c[label[i]];
			q->x += p[i].x * p[i].w;
			q->y += p[i].y * p[i].w;
			q->w += p[i].w;
		}
		for (size_t j = 0; j < k; j++) {
			if (c[j].w > 0) {
				c[j].x /= c[j].w;
				c[j].y /= c[j].w;
			} else {
				c[j] = p[(j * 7919) % n]; /* an empty cluster restarts on a point */
			}
		}
	}
}

/* The Voronoi edges of the k-means centres of a block's households, clipped
** to the block. */
static int voronoi_cuts(geo_ctx *ctx, const GEOSGeometry *block, struct wpt *p, size_t n,
			size_t k, unsigned long long *rng, geoms *out)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	struct wpt *c = geo_calloc(ctx, k, sizeof *c);
	size_t *label = geo_calloc(ctx, n, sizeof *label);
	double *d2 = geo_calloc(ctx, n, sizeof *d2);
	GEOSGeometry **pts = geo_calloc(ctx, k, sizeof *pts);
	int ok = c && label && d2 && pts;
	if (ok) {
		kmeans(p, n, k, rng, c, label, d2);
		size_t m = merge_places(c, k);
		for (size_t j = 0; j < m; j++)
			pts[j] = GEOSGeom_createPointFromXY_r(h, c[j].x, c[j].y);
		GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)m);
		GEOSGeometry *edges = m >= 2 && mp ? GEOSVoronoiDiagram_r(h, mp, block, 0, 1) : NULL;
		GEOSGeometry *big = edges ? GEOSBuffer_r(h, block, CROSS_M, 2) : NULL;
		if (big)
			ok = add_lines(ctx, out, GEOSIntersection_r(h, edges, big), SPLIT_OPEN,
				       SPLIT_COST_OPEN);
		if (big)
			GEOSGeom_destroy_r(h, big);
		if (edges)
			GEOSGeom_destroy_r(h, edges);
		if (mp)
			GEOSGeom_destroy_r(h, mp);
	}
	free(c);
	free(label);
	free(d2);
	free(pts);
	return ok;
}

/* Cuts for every block heavier than max_weight; counts the blocks cut. */
static int split_heavy(geo_ctx *ctx, const split_input *in, const geoms *blocks,
		       double max_weight, unsigned long seed, geoms *cuts, size_t *nsplit)
{
	long *where = geo_calloc(ctx, in->npoints, sizeof *where);
	double *w = geo_calloc(ctx, blocks->n, sizeof *w);
	size_t *count = geo_calloc(ctx, blocks->n, sizeof *count);
	struct wpt *p = geo_calloc(ctx, in->npoints, sizeof *p);
	int ok = where && w && count && p && locate_points(ctx, in, blocks, where);
	for (size_t i = 0; ok && i < in->npoints; i++)
		if (where[i] >= 0) {
			w[where[i]] += in->points[i].weight;
			count[where[i]]++;
		}
	*nsplit = 0;
	for (size_t b = 0; ok && b < blocks->n; b++) {
		if (!(max_weight > 0) || w[b] <= max_weight)
			continue;
		size_t n = 0;
		for (size_t i = 0; i < in->npoints; i++)
			if (where[i] == (long)b)
				p[n++] = (struct wpt){ in->points[i].x, in->points[i].y,
						       in->points[i].weight + 1e-9 };
		size_t places = merge_places(p, n);
		size_t k = (size_t)ceil(w[b] / max_weight);
		if (k > places)
			k = places;
		if (k < 2)
			continue;
		unsigned long long rng = seed * 0x100000001b3ULL + b;
		ok = voronoi_cuts(ctx, blocks->g[b], p, places, k, &rng, cuts);
		(*nsplit)++;
	}
	free(where);
	free(w);
	free(count);
	free(p);
	return ok;
}

/* ---- segments: what each piece of linework is, and who is on each side --- */

typedef struct seg {
	double x1, y1, x2, y2;  /* canonical: (x1, y1) < (x2, y2) */
	long fa, fb;            /* the faces on either side, -1 for none */
	int kind;
	double cost;
	int used;
} seg;

typedef struct segtab {
	seg *s;
	size_t cap, n;
} segtab;

static uint64_t bits(double v)
{
	uint64_t u;
	v = v == 0 ? 0 : v; /* -0.0 and 0.0 are one coordinate */
	memcpy(&u, &v, sizeof u);
	return u;
}

static uint64_t seg_hash(double x1, double y1, double x2, double y2)
{
	uint64_t k = bits(x1) * 0x9e3779b97f4a7c15ULL;
	k ^= bits(y1) + 0x632be59bd9b4e019ULL + (k << 6) + (k >> 2);
	k ^= bits(x2) + 0x85ebca6b2b2ae35bULL + (k << 6) + (k >> 2);
	k ^= bits(y2) + 0xc2b2ae3d27d4eb4fULL + (k << 6) + (k >> 2);
	return k ^ (k >> 29);
}

/* The slot of segment (a, b) (either direction); creates it if asked. */
static seg *seg_find(segtab *t, double ax, double ay, double bx, double by, int create)
{
	if (bx < ax || (bx == ax && by < ay)) {
		double tx = ax, ty = ay;
		ax = bx, ay = by, bx = tx, by = ty;
	}
	size_t i = seg_hash(ax, ay, bx, by) & (t->cap - 1);
	for (;; i = (i + 1) & (t->cap - 1)) {
		seg *s = &t->s[i];
		if (!s->used) {
			if (!create || t->n + 1 > t->cap / 2)
				return NULL;
			*s = (seg){ ax, ay, bx, by, -1, -1, SPLIT_OPEN, SPLIT_COST_OPEN, 1 };
			t->n++;
			return s;
		}
		if (s->x1 == ax && s->y1 == ay && s->x2 == bx && s->y2 == by)
			return s;
	}
}

/* What a noded edge lies on: the strongest kind and the cheapest cost among
** the source lines within ON_LINE_M of its first segment's midpoint. */
static void classify(GEOSContextHandle_t h, GEOSSTRtree *t, const geoms *src, struct hits *s,
		     const GEOSGeometry *edge, int *kind, double *cost)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, edge);
	double ax, ay, bx, by;
	GEOSCoordSeq_getXY_r(h, cs, 0, &ax, &ay);
	GEOSCoordSeq_getXY_r(h, cs, 1, &bx, &by);
	GEOSGeometry *mid = GEOSGeom_createPointFromXY_r(h, (ax + bx) / 2, (ay + by) / 2);
	GEOSGeometry *box = GEOSGeom_createRectangle_r(h, (ax + bx) / 2 - ON_LINE_M,
						       (ay + by) / 2 - ON_LINE_M,
						       (ax + bx) / 2 + ON_LINE_M,
						       (ay + by) / 2 + ON_LINE_M);
	*kind = SPLIT_OPEN;
	*cost = SPLIT_COST_OPEN;
	query(h, t, box, s);
	for (size_t k = 0; k < s->n; k++) {
		double d = INFINITY;
		size_t j = s->idx[k];
		if (!GEOSDistance_r(h, mid, src->g[j], &d) || d > ON_LINE_M)
			continue;
		if (src->kind[j] > *kind)
			*kind = src->kind[j];
		if (src->kind[j] != SPLIT_TOWN && src->cost[j] < *cost)
			*cost = src->cost[j];
	}
	GEOSGeom_destroy_r(h, mid);
	GEOSGeom_destroy_r(h, box);
}

/* Enters every segment of the noded linework with what it lies on. */
static int enter_linework(geo_ctx *ctx, const GEOSGeometry *noded, const geoms *src, segtab *t)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
	size_t *items = geo_calloc(ctx, src->n, sizeof *items);
	struct hits s = { h, geo_calloc(ctx, src->n + 1, sizeof(size_t)), 0, src->n + 1 };
	int ok = tree && items && s.idx;
	for (size_t i = 0; ok && i < src->n; i++) {
		items[i] = i;
		GEOSSTRtree_insert_r(h, tree, src->g[i], &items[i]);
	}
	for (int e = 0; ok && e < GEOSGetNumGeometries_r(h, noded); e++) {
		const GEOSGeometry *edge = GEOSGetGeometryN_r(h, noded, e);
		if (GEOSGeomTypeId_r(h, edge) != GEOS_LINESTRING || GEOSGetNumCoordinates_r(h, edge) < 2)
			continue;
		int kind;
		double cost;
		classify(h, tree, src, &s, edge, &kind, &cost);
		const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, edge);
		unsigned n = 0;
		GEOSCoordSeq_getSize_r(h, cs, &n);
		for (unsigned i = 0; ok && i + 1 < n; i++) {
			double ax, ay, bx, by;
			GEOSCoordSeq_getXY_r(h, cs, i, &ax, &ay);
			GEOSCoordSeq_getXY_r(h, cs, i + 1, &bx, &by);
			if (ax == bx && ay == by)
				continue;
			seg *sg = seg_find(t, ax, ay, bx, by, 1);
			if (!sg)
				ok = !geo_fail(ctx, GEO_ERR_INTERNAL, "segment table full");
			else if (kind > sg->kind || cost < sg->cost) {
				sg->kind = kind > sg->kind ? kind : sg->kind;
				sg->cost = fmin(cost, sg->cost);
			}
		}
	}
	if (tree)
		GEOSSTRtree_destroy_r(h, tree);
	free(items);
	free(s.idx);
	return ok;
}

static int ring_sides(GEOSContextHandle_t h, const GEOSGeometry *ring, long f, segtab *t)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned n = 0;
	GEOSCoordSeq_getSize_r(h, cs, &n);
	for (unsigned i = 0; i + 1 < n; i++) {
		double ax, ay, bx, by;
		GEOSCoordSeq_getXY_r(h, cs, i, &ax, &ay);
		GEOSCoordSeq_getXY_r(h, cs, i + 1, &bx, &by);
		if (ax == bx && ay == by)
			continue;
		seg *s = seg_find(t, ax, ay, bx, by, 1);
		if (!s)
			return 0;
		if (s->fa < 0)
			s->fa = f;
		else if (s->fa != f && s->fb < 0)
			s->fb = f;
	}
	return 1;
}

/* Records, for every segment, the faces on its two sides. */
static int enter_faces(geo_ctx *ctx, const geoms *faces, segtab *t)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	for (size_t f = 0; f < faces->n; f++) {
		const GEOSGeometry *g = faces->g[f];
		if (!ring_sides(h, GEOSGetExteriorRing_r(h, g), (long)f, t))
			return geo_fail(ctx, GEO_ERR_INTERNAL, "segment table full"), 0;
		for (int r = 0; r < GEOSGetNumInteriorRings_r(h, g); r++)
			if (!ring_sides(h, GEOSGetInteriorRingN_r(h, g, r), (long)f, t))
				return geo_fail(ctx, GEO_ERR_INTERNAL, "segment table full"), 0;
	}
	return 1;
}

/* ---- face pairs and atoms ------------------------------------------------ */

typedef struct pair {
	size_t a, b;
	double len, cost, along;
} pair;

static int by_pair(const void *x, const void *y)
{
	const pair *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

/* Sorts pairs and sums duplicates; returns the new count. */
static size_t merge_pairs(pair *p, size_t n)
{
	qsort(p, n, sizeof *p, by_pair);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && p[m - 1].a == p[i].a && p[m - 1].b == p[i].b) {
			p[m - 1].len += p[i].len;
			p[m - 1].cost += p[i].cost;
			p[m - 1].along += p[i].along;
		} else {
			p[m++] = p[i];
		}
	}
	return m;
}

/* Face pairs from the segment table, and each face's length on the town
** boundary. */
static pair *face_pairs(geo_ctx *ctx, const segtab *t, size_t nfaces, double *outside,
			size_t *npairs)
{
	pair *p = geo_calloc(ctx, t->n, sizeof *p);
	size_t n = 0;
	for (size_t i = 0; p && i < t->cap; i++) {
		const seg *s = &t->s[i];
		if (!s->used || s->fa < 0)
			continue;
		double len = hypot(s->x2 - s->x1, s->y2 - s->y1);
		if (s->fb < 0) {
			if ((size_t)s->fa < nfaces)
				outside[s->fa] += len;
			continue;
		}
		size_t a = (size_t)s->fa, b = (size_t)s->fb;
		int along = s->kind == SPLIT_BARRIER || s->kind == SPLIT_VILLAGE;
		p[n++] = (pair){ a < b ? a : b, a < b ? b : a, len, len * s->cost, along ? len : 0 };
	}
	*npairs = p ? merge_pairs(p, n) : 0;
	return p;
}

static size_t find(size_t *up, size_t x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

/* Joins every sliver face to the neighbour it shares most boundary with. */
static int merge_slivers(geo_ctx *ctx, const geoms *faces, const pair *p, size_t np,
			 size_t *up)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	size_t n = faces->n;
	size_t *start = geo_calloc(ctx, n + 1, sizeof *start);
	size_t *nb = geo_calloc(ctx, 2 * np + 1, sizeof *nb);
	double *len = geo_calloc(ctx, 2 * np + 1, sizeof *len);
	size_t *fill = geo_calloc(ctx, n + 1, sizeof *fill);
	int ok = start && nb && len && fill;
	for (size_t i = 0; ok && i < np; i++) {
		start[p[i].a + 1]++;
		start[p[i].b + 1]++;
	}
	for (size_t f = 0; ok && f < n; f++)
		start[f + 1] += start[f];
	for (size_t f = 0; ok && f < n; f++)
		fill[f] = start[f];
	for (size_t i = 0; ok && i < np; i++) {
		size_t ka = fill[p[i].a]++, kb = fill[p[i].b]++;
		nb[ka] = p[i].b;
		len[ka] = p[i].len;
		nb[kb] = p[i].a;
		len[kb] = p[i].len;
	}
	for (size_t f = 0; f < n; f++)
		up[f] = f;
	for (size_t f = 0; ok && f < n; f++) {
		double area = 0, perim = 0;
		GEOSArea_r(h, faces->g[f], &area);
		GEOSLength_r(h, faces->g[f], &perim);
		if (area >= SLIVER_AREA_M2 && 2 * area / perim >= SLIVER_WIDTH_M)
			continue;
		double best = 0;
		size_t to = f;
		for (size_t k = start[f]; k < start[f + 1]; k++)
			if (len[k] > best) {
				best = len[k];
				to = nb[k];
			}
		size_t a = find(up, f), b = find(up, to);
		if (a != b)
			up[a > b ? a : b] = a < b ? a : b;
	}
	free(start);
	free(nb);
	free(len);
	free(fill);
	return ok;
}

static int alloc_atoms(geo_ctx *ctx, split_atoms *a, size_t n)
{
	a->natoms = n;
	a->weight = geo_calloc(ctx, n, sizeof *a->weight);
	a->households = geo_calloc(ctx, n, sizeof *a->households);
	a->persons = geo_calloc(ctx, n, sizeof *a->persons);
	a->area = geo_calloc(ctx, n, sizeof *a->area);
	a->heaviest = geo_calloc(ctx, n, sizeof *a->heaviest);
	a->village = geo_calloc(ctx, n, sizeof *a->village);
	a->outside = geo_calloc(ctx, n, sizeof *a->outside);
	a->xadj = geo_calloc(ctx, n + 1, sizeof *a->xadj);
	return a->weight && a->households && a->persons && a->area && a->heaviest && a->village &&
	       a->outside && a->xadj;
}

/* The village of each face, by a point inside it. */
static int face_villages(geo_ctx *ctx, const split_input *in, const geoms *faces, long *vill)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_index *idx = in->nvillages ? geo_index_new(ctx, in->villages, in->nvillages) : NULL;
	size_t cap = in->nvillages ? in->nvillages : 1;
	size_t *cand = geo_calloc(ctx, cap, sizeof *cand);
	if ((in->nvillages && !idx) || !cand) {
		geo_index_free(idx);
		free(cand);
		return 0;
	}
	for (size_t f = 0; f < faces->n; f++) {
		vill[f] = -1;
		if (!idx)
			continue;
		double x, y;
		if (geo_geom_inside_point(ctx, faces->g[f], &x, &y))
			continue;
		size_t n = geo_index_query_box(idx, x, y, x, y, cand, cap);
		qsort(cand, n < cap ? n : cap, sizeof *cand, by_size_t);
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
		for (size_t k = 0; k < n && k < cap && vill[f] < 0; k++)
			if (GEOSPreparedIntersects_r(h, geo_index_prepared(idx, cand[k]), pt) == 1)
				vill[f] = (long)cand[k];
		GEOSGeom_destroy_r(h, pt);
	}
	geo_index_free(idx);
	free(cand);
	return 1;
}

/* Atom totals: weights and counts from the points, area and village from the
** faces (an atom's village is its largest face's). */
static int atom_totals(geo_ctx *ctx, const split_input *in, const geoms *faces,
		       const long *point_face, split_atoms *a)
{
	long *vill = geo_calloc(ctx, faces->n, sizeof *vill);
	double *biggest = geo_calloc(ctx, a->natoms, sizeof *biggest);
	int ok = vill && biggest && face_villages(ctx, in, faces, vill);
	for (size_t f = 0; ok && f < faces->n; f++) {
		size_t at = a->face_atom[f];
		double area = geo_geom_area(ctx, faces->g[f]);
		a->area[at] += area;
		if (area > biggest[at] || biggest[at] == 0) {
			biggest[at] = area;
			a->village[at] = vill[f];
		}
	}
	for (size_t i = 0; ok && i < in->npoints; i++) {
		a->point_atom[i] = point_face[i] >= 0 ? (long)a->face_atom[point_face[i]] : -1;
		if (a->point_atom[i] < 0)
			continue;
		size_t at = (size_t)a->point_atom[i];
		a->weight[at] += in->points[i].weight;
		a->households[at] += 1;
		a->persons[at] += in->points[i].persons;
		a->heaviest[at] = fmax(a->heaviest[at], in->points[i].weight);
	}
	free(vill);
	free(biggest);
	return ok;
}

/* The atom graph (CSR) from the face pairs. Each atom pair is summed once
** and entered in both directions with the same values: METIS misreads a
** graph whose two directions differ. */
static int atom_graph(geo_ctx *ctx, split_atoms *a, const pair *fp, size_t nfp,
		      const double *face_outside, size_t nfaces)
{
	pair *p = geo_calloc(ctx, nfp + 1, sizeof *p);
	if (!p)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < nfp; i++) {
		size_t x = a->face_atom[fp[i].a], y = a->face_atom[fp[i].b];
		if (x != y)
			p[n++] = (pair){ x < y ? x : y, x < y ? y : x, fp[i].len, fp[i].cost, fp[i].along };
	}
	n = merge_pairs(p, n);
	a->adj = geo_calloc(ctx, 2 * n + 1, sizeof *a->adj);
	a->len = geo_calloc(ctx, 2 * n + 1, sizeof *a->len);
	a->cost = geo_calloc(ctx, 2 * n + 1, sizeof *a->cost);
	a->along = geo_calloc(ctx, 2 * n + 1, sizeof *a->along);
	size_t *fill = geo_calloc(ctx, a->natoms + 1, sizeof *fill);
	int ok = a->adj && a->len && a->cost && a->along && fill;
	for (size_t i = 0; ok && i < n; i++) {
		a->xadj[p[i].a + 1]++;
		a->xadj[p[i].b + 1]++;
	}
	for (size_t i = 0; ok && i < a->natoms; i++)
		fill[i + 1] = a->xadj[i + 1] += a->xadj[i];
	for (size_t i = 0; ok && i < a->natoms; i++)
		fill[i] = a->xadj[i];
	/* Pairs are sorted by (a, b): filling in that order leaves every
	** atom's neighbours sorted too. */
	for (int dir = 0; ok && dir < 2; dir++)
		for (size_t i = 0; i < n; i++) {
			size_t from = dir ? p[i].a : p[i].b, to = dir ? p[i].b : p[i].a;
			size_t k = fill[from]++;
			a->adj[k] = to;
			a->len[k] = p[i].len;
			a->cost[k] = p[i].cost;
			a->along[k] = p[i].along;
		}
	for (size_t f = 0; ok && f < nfaces; f++)
		a->outside[a->face_atom[f]] += face_outside[f];
	free(fill);
	free(p);
	return ok;
}

/* Groups faces into atoms and fills their totals and graph. */
static int make_atoms(geo_ctx *ctx, const split_input *in, split_atoms *a, const geoms *faces,
		      const segtab *t)
{
	size_t nfp = 0, natoms = 0;
	double *outside = geo_calloc(ctx, faces->n, sizeof *outside);
	pair *fp = outside ? face_pairs(ctx, t, faces->n, outside, &nfp) : NULL;
	size_t *up = geo_calloc(ctx, faces->n, sizeof *up);
	long *point_face = geo_calloc(ctx, in->npoints, sizeof *point_face);
	a->face_atom = geo_calloc(ctx, faces->n, sizeof *a->face_atom);
	a->point_atom = geo_calloc(ctx, in->npoints, sizeof *a->point_atom);
	int ok = fp && up && point_face && a->face_atom && a->point_atom &&
		 locate_points(ctx, in, faces, point_face);
	if (ok) {
		ok = merge_slivers(ctx, faces, fp, nfp, up);
		size_t *id = up; /* roots get numbers in face order; reuse as map */
		size_t *num = ok ? geo_calloc(ctx, faces->n, sizeof *num) : NULL;
		ok = num != NULL;
		for (size_t f = 0; ok && f < faces->n; f++)
			num[f] = SIZE_MAX;
		for (size_t f = 0; ok && f < faces->n; f++) {
			size_t r = find(id, f);
			if (num[r] == SIZE_MAX)
				num[r] = natoms++;
			a->face_atom[f] = num[r];
		}
		free(num);
	}
	ok = ok && alloc_atoms(ctx, a, natoms) && atom_totals(ctx, in, faces, point_face, a) &&
	     atom_graph(ctx, a, fp, nfp, outside, faces->n);
	free(outside);
	free(fp);
	free(up);
	free(point_face);
	return ok;
}

/* Moves the faces out of v into the atoms. */
static void take_faces(split_atoms *a, geoms *v)
{
	a->faces = v->g;
	a->nfaces = v->n;
	v->g = NULL;
	v->n = v->cap = 0;
	free(v->kind);
	free(v->cost);
	v->kind = NULL;
	v->cost = NULL;
}

static size_t pow2_above(size_t n)
{
	size_t c = 1024;
	while (c < 4 * n)
		c *= 2;
	return c;
}

static int count_coords(GEOSContextHandle_t h, const GEOSGeometry *g)
{
	return GEOSGetNumCoordinates_r(h, g);
}

split_atoms *split_atoms_build(geo_ctx *ctx, const split_input *in, double max_weight,
			       double snap, unsigned long seed)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	split_atoms *a = geo_calloc(ctx, 1, sizeof *a);
	geoms src = { 0 }, blocks = { 0 }, cuts = { 0 }, faces = { 0 };
	GEOSGeometry *noded = NULL, *all = NULL;
	segtab t = { 0 };
	if (!a)
		return NULL;
	a->h = h;
	int ok = clipped_lines(ctx, in, &src) && drop_copies(ctx, &src) &&
		 extend_dangles(ctx, &src, snap) &&
		 (noded = node(ctx, src.g, src.n)) && polygonize(ctx, noded, in->town, &blocks) &&
		 split_heavy(ctx, in, &blocks, max_weight, seed, &cuts, &a->nsplit);
	if (ok && cuts.n) {
		for (size_t i = 0; ok && i < cuts.n; i++) {
			ok = geoms_add(ctx, &src, cuts.g[i], SPLIT_OPEN, SPLIT_COST_OPEN);
			cuts.g[i] = NULL;
		}
		GEOSGeometry *parts[2] = { noded, NULL };
		GEOSGeometry *c = ok ? split_collect(h, cuts.n ? src.g + src.n - cuts.n : NULL, cuts.n) : NULL;
		parts[1] = c;
		all = c ? node(ctx, parts, 2) : NULL;
		if (c)
			GEOSGeom_destroy_r(h, c);
		ok = all != NULL;
		if (ok) {
			GEOSGeom_destroy_r(h, noded);
			noded = all;
		}
	}
	if (ok) {
		t.cap = pow2_above((size_t)count_coords(h, noded) * 2);
		t.s = geo_calloc(ctx, t.cap, sizeof *t.s);
		ok = t.s && polygonize(ctx, noded, in->town, &faces) &&
		     enter_linework(ctx, noded, &src, &t) && enter_faces(ctx, &faces, &t) &&
		     make_atoms(ctx, in, a, &faces, &t);
	}
	if (ok) {
		geo_log(ctx, GEO_LOG_INFO, "atoms: %zu lines, %zu blocks (%zu split by Voronoi), "
			"%zu faces, %zu atoms", src.n - cuts.n, blocks.n, a->nsplit, faces.n,
			a->natoms);
		take_faces(a, &faces);
	}
	if (noded)
		GEOSGeom_destroy_r(h, noded);
	geoms_free(h, &src);
	geoms_free(h, &blocks);
	geoms_free(h, &cuts);
	geoms_free(h, &faces);
	free(t.s);
	if (!ok) {
		split_atoms_free(a);
		return NULL;
	}
	return a;
}
