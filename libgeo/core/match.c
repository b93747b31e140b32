/*
** match.c: overlaying two grid sets of one level and matching their grids one
** to one. grid-diff measures with the overlay how much area moves between old
** and new grids; grid-diff --keep-codes and grid-split --keep-codes-from use
** the one-to-one match, so a grid that survives a redraw keeps its code. Both
** tools share this file so the two can never disagree about which grid is
** which.
**
** The overlay is exact: every pair whose envelopes meet is intersected with
** GEOS in the common working CRS and measured. Grids that only touch along an
** edge give an intersection of zero area and are not pairs.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A relative slack on the threshold test, so an intersection measured a few
** ulps under exactly half of a grid still counts as half. */
#define MATCH_SLACK 1e-9

void geo_overlay_free(geo_overlay *ov)
{
	if (!ov)
		return;
	for (size_t i = 0; ov->pairs && i < ov->n; i++)
		if (ov->pairs[i].geom)
			GEOSGeom_destroy_r(ov->geos, ov->pairs[i].geom);
	free(ov->pairs);
	free(ov->area_a);
	free(ov->area_b);
	free(ov);
}

/* The intersection of a and b. Invalid grids make GEOS throw; they are
** repaired and tried once more, since a diff should not die on a bowtie that
** grid-check would report anyway. */
static GEOSGeometry *intersect(GEOSContextHandle_t h, const GEOSGeometry *a,
			       const GEOSGeometry *b)
{
	GEOSGeometry *g = GEOSIntersection_r(h, a, b);
	if (g)
		return g;
	GEOSGeometry *va = GEOSMakeValid_r(h, a), *vb = GEOSMakeValid_r(h, b);
	if (va && vb)
		g = GEOSIntersection_r(h, va, vb);
	if (va)
		GEOSGeom_destroy_r(h, va);
	if (vb)
		GEOSGeom_destroy_r(h, vb);
	return g;
}

/* The polygonal part of g (an intersection also holds the lines and points
** where the grids merely touch), as one MultiPolygon; takes g. */
static GEOSGeometry *polygonal(GEOSContextHandle_t h, GEOSGeometry *g)
{
	size_t n = 0;
	for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		if (GEOSGeomTypeId_r(h, p) == GEOS_POLYGON)
			n++;
		else if (GEOSGeomTypeId_r(h, p) == GEOS_MULTIPOLYGON)
			n += (size_t)GEOSGetNumGeometries_r(h, p);
	}
	GEOSGeometry **parts = calloc(n ? n : 1, sizeof *parts);
	size_t np = 0;
	for (int i = 0; parts && i < GEOSGetNumGeometries_r(h, g); i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		if (GEOSGeomTypeId_r(h, p) == GEOS_POLYGON)
			parts[np++] = GEOSGeom_clone_r(h, p);
		else if (GEOSGeomTypeId_r(h, p) == GEOS_MULTIPOLYGON)
			for (int k = 0; k < GEOSGetNumGeometries_r(h, p); k++)
				parts[np++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, p, k));
	}
	GEOSGeom_destroy_r(h, g);
	GEOSGeometry *m = parts ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts,
							     (unsigned)np)
				: NULL;
	free(parts);
	return m;
}

struct candidates {
	size_t *idx, n, cap;
	int failed;
};

static void add_candidate(size_t i, void *data)
{
	struct candidates *c = data;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		size_t *idx = realloc(c->idx, cap * sizeof *idx);
		if (!idx) {
			c->failed = 1;
			return;
		}
		c->idx = idx;
		c->cap = cap;
	}
	c->idx[c->n++] = i;
}

static int by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static geo_err add_pair(geo_ctx *ctx, geo_overlay *ov, size_t *cap, size_t a, size_t b,
			double area, GEOSGeometry *g)
{
	if (ov->n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		geo_overlap *p = geo_realloc_array(ctx, ov->pairs, c, sizeof *p);
		if (!p) {
			if (g)
				GEOSGeom_destroy_r(ov->geos, g);
			return GEO_ERR_INTERNAL;
		}
		ov->pairs = p;
		*cap = c;
	}
	ov->pairs[ov->n++] = (geo_overlap){ a, b, area, g };
	return GEO_OK;
}

/* Intersects grid ia of a with every grid of b its envelope meets. */
static geo_err overlay_one(geo_ctx *ctx, geo_overlay *ov, size_t *cap, const geo_gridset *a,
			   size_t ia, const geo_gridset *b, geo_index *idx, double min_area,
			   int keep_geoms)
{
	GEOSContextHandle_t h = ov->geos;
	const geo_grid *ga = &a->grids[ia];
	struct candidates c = { 0 };
	geo_index_query(idx, ga->geom, add_candidate, &c);
	if (c.failed) {
		free(c.idx);
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	/* The tree visits in its own order; pairs must come out the same every run. */
	if (c.n)
		qsort(c.idx, c.n, sizeof *c.idx, by_index);
	geo_err e = GEO_OK;
	for (size_t k = 0; !e && k < c.n; k++) {
		size_t ib = c.idx[k];
		const GEOSPreparedGeometry *pb = geo_index_prepared(idx, ib);
		if (pb && GEOSPreparedIntersects_r(h, pb, ga->geom) != 1)
			continue;
		GEOSGeometry *g = intersect(h, ga->geom, b->grids[ib].geom);
		if (!g) {
			e = geo_fail(ctx, GEO_ERR_INPUT,
				     "%s: grid %s cannot be intersected with %s: grid %s "
				     "(unusable geometry; run grid-check)",
				     a->source, ga->id, b->source, b->grids[ib].id);
			break;
		}
		double area = 0;
		GEOSArea_r(h, g, &area);
		if (area <= min_area) {
			GEOSGeom_destroy_r(h, g);
			continue;
		}
		if (!keep_geoms) {
			GEOSGeom_destroy_r(h, g);
			g = NULL;
		} else if (!(g = polygonal(h, g))) {
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
			break;
		}
		e = add_pair(ctx, ov, cap, ia, ib, area, g);
	}
	free(c.idx);
	return e;
}

static double *measure_all(geo_ctx *ctx, const geo_gridset *gs)
{
	double *area = geo_calloc(ctx, gs->n ? gs->n : 1, sizeof *area);
	for (size_t i = 0; area && i < gs->n; i++)
		if (gs->grids[i].geom)
			GEOSArea_r(gs->geos, gs->grids[i].geom, &area[i]);
	return area;
}

geo_overlay *geo_overlay_new(geo_ctx *ctx, const geo_gridset *a, const geo_gridset *b,
			     double min_area, int keep_geoms, geo_progress progress,
			     void *progress_data)
{
	if (!geo_crs_equal(a->crs, b->crs)) {
		geo_fail(ctx, GEO_ERR_INPUT,
			 "%s and %s are in different working CRS (%s, %s); read the second "
			 "with the first's working CRS",
			 a->source, b->source, geo_crs_name(a->crs), geo_crs_name(b->crs));
		return NULL;
	}
	geo_overlay *ov = geo_calloc(ctx, 1, sizeof *ov);
	GEOSGeometry **geoms = geo_calloc(ctx, b->n ? b->n : 1, sizeof *geoms);
	if (!ov || !geoms)
		goto fail;
	ov->geos = geo_ctx_geos(ctx);
	if (!(ov->area_a = measure_all(ctx, a)) || !(ov->area_b = measure_all(ctx, b)))
		goto fail;
	for (size_t i = 0; i < b->n; i++)
		geoms[i] = b->grids[i].geom;
	geo_index *idx = geo_index_new(ctx, geoms, b->n);
	if (!idx)
		goto fail;
	size_t cap = 0;
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < a->n; i++) {
		if (a->grids[i].geom)
			e = overlay_one(ctx, ov, &cap, a, i, b, idx, min_area, keep_geoms);
		if (!e && !geo_progress_step(ctx, progress, progress_data,
					     (double)(i + 1) / (double)a->n, "overlaying grids"))
			e = GEO_ERR_INTERNAL;
	}
	geo_index_free(idx);
	free(geoms);
	if (!e)
		return ov;
	geo_overlay_free(ov);
	return NULL;
fail:
	free(geoms);
	geo_overlay_free(ov);
	return NULL;
}

struct candidate {
	const geo_overlap *pair;
	long long score;        /* the smaller of the two shares, in parts per million */
	const char *code_a, *code_b;
};

static int by_score(const void *x, const void *y)
{
	const struct candidate *p = x, *q = y;
	if (p->score != q->score)
		return p->score > q->score ? -1 : 1;
	int c = strcmp(p->code_a, q->code_a);
	if (!c)
		c = strcmp(p->code_b, q->code_b);
	if (c)
		return c;
	if (p->pair->a != q->pair->a)
		return p->pair->a < q->pair->a ? -1 : 1;
	return p->pair->b < q->pair->b ? -1 : p->pair->b > q->pair->b;
}

geo_err geo_overlay_match(geo_ctx *ctx, const geo_overlay *ov, const geo_gridset *a,
			  const geo_gridset *b, double threshold, long *b_to_a)
{
	if (!(threshold > 0 && threshold <= 1))
		return geo_fail(ctx, GEO_ERR_USAGE, "match threshold %g is not in (0, 1]", threshold);
	for (size_t j = 0; j < b->n; j++)
		b_to_a[j] = -1;
	struct candidate *c = geo_calloc(ctx, ov->n ? ov->n : 1, sizeof *c);
	char *a_taken = geo_calloc(ctx, a->n ? a->n : 1, 1);
	if (!c || !a_taken) {
		free(c);
		free(a_taken);
		return GEO_ERR_INTERNAL;
	}
	size_t nc = 0;
	double t = threshold * (1 - MATCH_SLACK);
	for (size_t k = 0; k < ov->n; k++) {
		const geo_overlap *p = &ov->pairs[k];
		double sa = p->area / ov->area_a[p->a], sb = p->area / ov->area_b[p->b];
		if (sa >= t && sb >= t)
			c[nc++] = (struct candidate){ p, llround(fmin(sa, sb) * 1e6),
						      a->grids[p->a].id, b->grids[p->b].id };
	}
	/* Above one half a grid can qualify with one partner only; at or below
	** it, the pair sharing most of both grids wins, then the pair of the
	** lower codes, so the result depends on the grids and not on their order.
	** Shares are compared to the part per million: two halves measured a few
	** ulps apart after a reprojection are a tie, settled by the codes. */
	qsort(c, nc, sizeof *c, by_score);
	for (size_t k = 0; k < nc; k++) {
		const geo_overlap *p = c[k].pair;
		if (a_taken[p->a] || b_to_a[p->b] >= 0)
			continue;
		a_taken[p->a] = 1;
		b_to_a[p->b] = (long)p->a;
	}
	free(c);
	free(a_taken);
	return GEO_OK;
}

geo_err geo_match_grids(geo_ctx *ctx, const geo_gridset *old_grids, const geo_gridset *new_grids,
			double threshold, long *new_to_old)
{
	if (!(threshold > 0 && threshold <= 1))
		return geo_fail(ctx, GEO_ERR_USAGE, "match threshold %g is not in (0, 1]", threshold);
	geo_overlay *ov = geo_overlay_new(ctx, old_grids, new_grids, 0, 0, NULL, NULL);
	if (!ov)
		return geo_last_code(ctx);
	geo_err e = geo_overlay_match(ctx, ov, old_grids, new_grids, threshold, new_to_old);
	geo_overlay_free(ov);
	return e;
}
