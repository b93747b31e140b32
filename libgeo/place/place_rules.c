/*
** place_rules.c: grid-place's geometry rules: which grid a point, a line or
** a polygon goes to, as a list of pieces, each with its grid. A point goes
** to the grid the placer finds holding it; a line or polygon by --mode: to
** the grid holding most of its length or area (largest), to the grid
** holding its centroid, or cut at the grid limits into one piece per grid
** (split); what lies in no grid goes to the nearest grid within
** --max-distance. geo_feature_placer gives other verbs the same rules.
*/
#include "place/place_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void place_rules_init(place_rules *r, geo_ctx *ctx, place_grids *g, geo_place_mode mode,
		      double max_distance)
{
	*r = (place_rules){ .ctx = ctx, .h = geo_ctx_geos(ctx), .g = g, .mode = mode,
			    .max_distance = max_distance };
}

void place_rules_free(place_rules *r)
{
	place_rules_clear(r);
	free(r->pieces);
	free(r->cands);
}

static place_piece *add_piece(place_rules *r, long grid, GEOSGeometry *geom, double measure, double share)
{
	if (r->npieces == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		place_piece *p = geo_realloc_array(r->ctx, r->pieces, cap, sizeof *p);
		if (!p) {
			GEOSGeom_destroy_r(r->h, geom);
			return NULL;
		}
		r->pieces = p;
		r->cap = cap;
	}
	place_piece *p = &r->pieces[r->npieces++];
	*p = (place_piece){ grid, geom, measure, share, 0 };
	return p;
}

void place_rules_clear(place_rules *r)
{
	for (size_t i = 0; i < r->npieces; i++)
		GEOSGeom_destroy_r(r->h, r->pieces[i].geom);
	r->npieces = 0;
}

static void collect(size_t i, void *data)
{
	place_rules *r = data;
	if (r->ncap == 0 || r->cands[0] + 1 >= r->ncap) {
		size_t cap = r->ncap ? 2 * r->ncap : 64;
		size_t *c = geo_realloc_array(r->ctx, r->cands, cap, sizeof *c);
		if (!c)
			return;
		if (!r->ncap)
			c[0] = 0;
		r->cands = c;
		r->ncap = cap;
	}
	r->cands[++r->cands[0]] = i;
}

geo_err place_rules_none(place_rules *r)
{
	return add_piece(r, -1, NULL, 0, 1) ? GEO_OK : GEO_ERR_INTERNAL;
}

/* Candidate grids of geom (envelopes meet), in grid_id order: cands[1..n]. */
static size_t candidates(place_rules *r, const GEOSGeometry *geom)
{
	geo_index *idx = place_grids_index(r->ctx, r->g);
	if (!idx)
		return 0;
	if (r->ncap)
		r->cands[0] = 0;
	geo_index_query(idx, geom, collect, r);
	size_t n = r->ncap ? r->cands[0] : 0;
	for (size_t i = 2; i <= n; i++)
		for (size_t j = i; j > 1 && r->g->rank[r->cands[j]] < r->g->rank[r->cands[j - 1]]; j--) {
			size_t t = r->cands[j];
			r->cands[j] = r->cands[j - 1];
			r->cands[j - 1] = t;
		}
	return n;
}

/* The nearest grid within --max-distance of geom, or -1. */
static long nearest(place_rules *r, const GEOSGeometry *geom, double *distance)
{
	double m = r->max_distance, x0, y0, x1, y1;
	if (!(m > 0) || !place_grids_index(r->ctx, r->g) || !GEOSGeom_getExtent_r(r->h, geom, &x0, &y0, &x1, &y1))
		return -1;
	GEOSGeometry *box = GEOSGeom_createRectangle_r(r->h, x0 - m, y0 - m, x1 + m, y1 + m);
	size_t n = box ? candidates(r, box) : 0;
	GEOSGeom_destroy_r(r->h, box);
	long best = -1;
	double bd = INFINITY;
	for (size_t i = 1; i <= n; i++) {
		double d;
		size_t c = r->cands[i];
		if (r->g->geoms[c] && GEOSDistance_r(r->h, r->g->geoms[c], geom, &d) && d < bd) {
			bd = d;
			best = (long)c;
		}
	}
	*distance = bd;
	return bd <= m ? best : -1;
}

/* A point at (x, y) in the working CRS that the placer put in grid g. */
geo_err place_rules_point(place_rules *r, long g, double x, double y)
{
	double d = 0;
	if (g < 0 && r->max_distance > 0) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(r->h, x, y);
		g = pt ? nearest(r, pt, &d) : -1;
		GEOSGeom_destroy_r(r->h, pt);
	}
	place_piece *p = add_piece(r, g, NULL, 0, 1);
	if (!p)
		return GEO_ERR_INTERNAL;
	p->distance = g >= 0 ? d : 0;
	return GEO_OK;
}

static double measure(place_rules *r, const GEOSGeometry *g, int dim)
{
	double v = 0;
	if (dim == 1)
		GEOSArea_r(r->h, g, &v);
	else if (dim == 2)
		GEOSLength_r(r->h, g, &v);
	return v;
}

static int type_dim(int type)
{
	return type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON ? 1
	       : type == GEOS_LINESTRING || type == GEOS_MULTILINESTRING || type == GEOS_LINEARRING
		       ? 2
		       : 3;
}

/* The parts of g of dimension class dim (intersections can hold lower
** dimensions too); takes g. NULL when nothing is left. */
static GEOSGeometry *keep_dim(place_rules *r, GEOSGeometry *g, int dim)
{
	int type = GEOSGeomTypeId_r(r->h, g);
	if (type != GEOS_GEOMETRYCOLLECTION) {
		if (type_dim(type) == dim && !GEOSisEmpty_r(r->h, g))
			return g;
		GEOSGeom_destroy_r(r->h, g);
		return NULL;
	}
	int n = GEOSGetNumGeometries_r(r->h, g), k = 0;
	GEOSGeometry **parts = geo_calloc(r->ctx, (size_t)n + 1, sizeof *parts);
	for (int i = 0; parts && i < n; i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(r->h, g, i);
		if (type_dim(GEOSGeomTypeId_r(r->h, part)) == dim && !GEOSisEmpty_r(r->h, part))
			parts[k++] = GEOSGeom_clone_r(r->h, part);
	}
	GEOSGeometry *out = NULL;
	if (parts && k) {
		GEOSGeometry *c = GEOSGeom_createCollection_r(r->h, GEOS_GEOMETRYCOLLECTION, parts,
							      (unsigned)k);
		out = c ? GEOSUnaryUnion_r(r->h, c) : NULL;
		GEOSGeom_destroy_r(r->h, c);
	}
	free(parts);
	GEOSGeom_destroy_r(r->h, g);
	return out;
}

/* A line or polygon wholly in no grid's interior: where its interior point
** lies (it may touch grids along their edges), else the nearest grid. */
static geo_err place_by_point(place_rules *r, const GEOSGeometry *geom, int dim, int centroid)
{
	GEOSGeometry *pt = centroid ? GEOSGetCentroid_r(r->h, geom) : GEOSPointOnSurface_r(r->h, geom);
	double x = 0, y = 0, d = 0;
	long g = -1;
	if (pt && !GEOSisEmpty_r(r->h, pt) && GEOSGeomGetX_r(r->h, pt, &x) && GEOSGeomGetY_r(r->h, pt, &y))
		g = geo_placer_locate(r->g->placer, x, y);
	GEOSGeom_destroy_r(r->h, pt);
	if (g < 0)
		g = nearest(r, geom, &d);
	place_piece *p = add_piece(r, g, NULL, measure(r, geom, dim), 1);
	if (!p)
		return GEO_ERR_INTERNAL;
	p->distance = g >= 0 ? d : 0;
	return GEO_OK;
}

/*
** The part of geom in candidate grid c and its measure *m, NULL and 0 when
** they do not meet; keep: only the part's own dimension class (an
** intersection can hold lower ones). *covers when c holds all of geom (GEOS
** failing to say counts as holding it); then nothing is computed.
*/
static GEOSGeometry *part_in(place_rules *r, size_t c, const GEOSGeometry *geom, int dim, int keep,
			     double *m, int *covers)
{
	const GEOSPreparedGeometry *prep = geo_index_prepared(r->g->index, c);
	*m = 0;
	*covers = 0;
	if (!prep || !GEOSPreparedIntersects_r(r->h, prep, geom))
		return NULL;
	if ((*covers = GEOSPreparedCovers_r(r->h, prep, geom) != 0))
		return NULL;
	GEOSGeometry *inter = GEOSIntersection_r(r->h, r->g->geoms[c], geom);
	if (inter && keep)
		inter = keep_dim(r, inter, dim);
	*m = inter ? measure(r, inter, dim) : 0;
	return inter;
}

/* --mode largest: the grid holding most of the feature; ties go to the
** grid_id that sorts first (candidates come in that order). */
static geo_err place_largest(place_rules *r, const GEOSGeometry *geom, int dim)
{
	size_t n = candidates(r, geom);
	long best = -1;
	double best_m = 0, total = measure(r, geom, dim);
	for (size_t i = 1; i <= n; i++) {
		double m;
		int covers;
		GEOSGeom_destroy_r(r->h, part_in(r, r->cands[i], geom, dim, 0, &m, &covers));
		if (covers || m > best_m) {
			best_m = m;
			best = (long)r->cands[i];
		}
		if (covers)
			break;
	}
	if (best < 0)
		return place_by_point(r, geom, dim, 0);
	return add_piece(r, best, NULL, total, 1) ? GEO_OK : GEO_ERR_INTERNAL;
}

/* The part of geom in no grid of the pieces found, or NULL. */
static GEOSGeometry *outside_part(place_rules *r, const GEOSGeometry *geom, int dim)
{
	GEOSGeometry *rest = GEOSGeom_clone_r(r->h, geom);
	for (size_t i = 0; rest && i < r->npieces; i++) {
		GEOSGeometry *d = GEOSDifference_r(r->h, rest, r->g->geoms[r->pieces[i].grid]);
		GEOSGeom_destroy_r(r->h, rest);
		rest = d;
	}
	return rest ? keep_dim(r, rest, dim) : NULL;
}

/* The part of geom (of measure total) in no grid of the pieces found, as a
** piece of its own unless it is too small to be more than rounding. */
static geo_err add_outside_piece(place_rules *r, const GEOSGeometry *geom, int dim, double total)
{
	GEOSGeometry *rest = outside_part(r, geom, dim);
	double m = rest ? measure(r, rest, dim) : 0;
	if (m > 1e-9 * total)
		return add_piece(r, -1, rest, m, m / total) ? GEO_OK : GEO_ERR_INTERNAL;
	GEOSGeom_destroy_r(r->h, rest);
	return GEO_OK;
}

/* --mode split: one piece per grid, plus what lies in no grid. */
static geo_err place_split(place_rules *r, const GEOSGeometry *geom, int dim)
{
	size_t n = candidates(r, geom);
	double total = measure(r, geom, dim), sum = 0;
	for (size_t i = 1; i <= n; i++) {
		double m;
		int covers;
		long c = (long)r->cands[i];
		GEOSGeometry *part = part_in(r, (size_t)c, geom, dim, 1, &m, &covers);
		if (covers) {
			place_rules_clear(r);
			return add_piece(r, c, NULL, total, 1) ? GEO_OK : GEO_ERR_INTERNAL;
		}
		if (m <= 0) {
			GEOSGeom_destroy_r(r->h, part);
			continue;
		}
		if (!add_piece(r, c, part, m, total > 0 ? m / total : 0))
			return GEO_ERR_INTERNAL;
		sum += m;
	}
	if (r->npieces == 0)
		return place_by_point(r, geom, dim, 0);
	return total - sum > 1e-9 * total ? add_outside_piece(r, geom, dim, total) : GEO_OK;
}

/* One point, or a multipoint by its centroid. */
static geo_err place_centroid_point(place_rules *r, const GEOSGeometry *geom)
{
	GEOSGeometry *c = GEOSGetCentroid_r(r->h, geom);
	double x = 0, y = 0;
	int ok = c && GEOSGeomGetX_r(r->h, c, &x) && GEOSGeomGetY_r(r->h, c, &y);
	GEOSGeom_destroy_r(r->h, c);
	return ok ? place_rules_point(r, geo_placer_locate(r->g->placer, x, y), x, y)
		  : GEO_ERR_INTERNAL;
}

/* The points of geom (n of them) in grid[i]'s grid, as one multipoint piece. */
static geo_err add_points_piece(place_rules *r, const GEOSGeometry *geom, const long *grid, int n,
				int i)
{
	int k = 0;
	GEOSGeometry **parts = geo_calloc(r->ctx, (size_t)n, sizeof *parts);
	for (int j = i; parts && j < n; j++)
		if (grid[j] == grid[i])
			parts[k++] = GEOSGeom_clone_r(r->h, GEOSGetGeometryN_r(r->h, geom, j));
	GEOSGeometry *mp =
		parts ? GEOSGeom_createCollection_r(r->h, GEOS_MULTIPOINT, parts, (unsigned)k) : NULL;
	free(parts);
	if (!mp || !add_piece(r, grid[i], mp, (double)k, (double)k / n))
		return GEO_ERR_INTERNAL;
	return GEO_OK;
}

/* Each point of a multipoint located; one piece per distinct grid, in order
** of first appearance. */
static geo_err split_points(place_rules *r, const GEOSGeometry *geom, int n)
{
	long *grid = geo_calloc(r->ctx, (size_t)n + 1, sizeof *grid);
	if (!grid)
		return GEO_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		double x = 0, y = 0;
		const GEOSGeometry *pt = GEOSGetGeometryN_r(r->h, geom, i);
		GEOSGeomGetX_r(r->h, pt, &x);
		GEOSGeomGetY_r(r->h, pt, &y);
		grid[i] = geo_placer_locate(r->g->placer, x, y);
	}
	geo_err e = GEO_OK;
	for (int i = 0; !e && i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = grid[j] == grid[i];
		if (!seen)
			e = add_points_piece(r, geom, grid, n, i);
	}
	free(grid);
	return e;
}

/* Multipoints: each point is placed; largest takes the grid holding most of
** them (ties to the grid_id that sorts first), split one piece per grid. */
static geo_err place_points(place_rules *r, const GEOSGeometry *geom)
{
	int n = GEOSGetNumGeometries_r(r->h, geom);
	if (n == 1 || r->mode == GEO_PLACE_CENTROID)
		return place_centroid_point(r, geom);
	geo_err e = split_points(r, geom, n);
	if (e || r->mode == GEO_PLACE_SPLIT)
		return e;
	size_t best = 0;
	for (size_t i = 1; i < r->npieces; i++) {
		const place_piece *p = &r->pieces[i], *b = &r->pieces[best];
		if (p->grid >= 0 && (b->grid < 0 || p->measure > b->measure ||
				     (p->measure == b->measure && r->g->rank[p->grid] < r->g->rank[b->grid])))
			best = i;
	}
	long g = r->pieces[best].grid;
	place_rules_clear(r);
	return add_piece(r, g, NULL, 0, 1) ? GEO_OK : GEO_ERR_INTERNAL;
}

geo_err place_rules_geometry(place_rules *r, const GEOSGeometry *geom, int dim)
{
	if (dim == 3)
		return place_points(r, geom);
	switch (r->mode) {
	case GEO_PLACE_CENTROID:
		return place_by_point(r, geom, dim, 1);
	case GEO_PLACE_SPLIT:
		return place_split(r, geom, dim);
	default:
		return place_largest(r, geom, dim);
	}
}

/* ---- placing for other verbs --------------------------------------------------- */

/* grid-place's rules for one whole feature at a time, over grids another verb
** holds (grid-diff places every feature on the old and the new grids), so a
** feature lands where grid-place would put it. */
struct geo_feature_placer {
	place_grids g;          /* g.set borrowed */
	place_rules rules;
	size_t *to_set;         /* view index -> index into the borrowed set */
};

void geo_feature_placer_free(geo_feature_placer *fp)
{
	if (!fp)
		return;
	place_rules_free(&fp->rules);
	fp->g.set = NULL;
	place_grids_free(&fp->g);
	free(fp->to_set);
	free(fp);
}

/* The view's grids, their index in the set, and the placer. */
static geo_err borrow_grids(geo_ctx *ctx, geo_feature_placer *fp, const geo_gridset *grids)
{
	fp->g.set = (geo_gridset *)grids;
	geo_err e = place_grids_view(ctx, &fp->g);
	if (!e && !(fp->to_set = geo_calloc(ctx, grids->n + 1, sizeof *fp->to_set)))
		e = GEO_ERR_INTERNAL;
	for (size_t i = 0, k = 0; !e && i < grids->n; i++)
		if (fp->g.levels == 1 || grids->grids[i].level == 2)
			fp->to_set[k++] = i;
	if (!e && !(fp->g.placer = geo_placer_new(ctx, &fp->g.view)))
		e = geo_last_code(ctx);
	return e;
}

geo_feature_placer *geo_feature_placer_new(geo_ctx *ctx, const geo_gridset *grids,
					   const geo_place_opts *o)
{
	geo_feature_placer *fp = geo_calloc(ctx, 1, sizeof *fp);
	if (!fp)
		return NULL;
	geo_place_mode mode = o && o->mode != GEO_PLACE_SPLIT ? o->mode : GEO_PLACE_LARGEST;
	place_rules_init(&fp->rules, ctx, &fp->g, mode, o ? o->max_distance : 0);
	if (borrow_grids(ctx, fp, grids)) {
		geo_feature_placer_free(fp);
		return NULL;
	}
	return fp;
}

geo_err geo_feature_place(geo_feature_placer *fp, const GEOSGeometry *g, long *grid)
{
	place_rules *r = &fp->rules;
	*grid = -1;
	if (!g || GEOSisEmpty_r(r->h, g))
		return GEO_OK;
	place_rules_clear(r);
	geo_err e = place_rules_geometry(r, g, type_dim(GEOSGeomTypeId_r(r->h, g)));
	if (!e && r->npieces && r->pieces[0].grid >= 0)
		*grid = (long)fp->to_set[r->pieces[0].grid];
	place_rules_clear(r);
	return e;
}
