/*
** place_verb.c: grid-place's verb. It reads the grids once, then streams the
** features through: points go straight to the placer (their coordinates read
** with OGR_G_GetX/GetY and transformed in batches, no GEOS on the way), lines
** and polygons go through GEOS against the candidate grids of the spatial
** index. Each feature leaves with grid_id and parent_id added, feeds the
** per-grid summary, and is forgotten, so memory holds the grids only.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cpl_conv.h>
#include <cpl_string.h>

void geo_place_opts_init(geo_place_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_grid_opts_init(&o->grid);
	geo_common_opts_init(&o->common);
	o->mode = GEO_PLACE_LARGEST;
}

enum { BATCH = 256, MAX_LISTED = 20 };

/* The grids features are placed on, with what placing needs to know of them. */
typedef struct place_grids {
	geo_gridset *set;       /* as read */
	geo_gridset *primaries; /* --parents, or NULL */
	geo_gridset view;       /* the grids placed on: shallow copies of set's */
	int levels;             /* 2 when set holds both levels and view the secondaries */
	char **parent;          /* parent code per view grid */
	const char **ids;
	size_t *order, *rank;   /* view grids in grid_id order, and each one's position */
	GEOSGeometry **geoms;
	geo_placer *placer;
	geo_index *index;       /* built when a line, polygon or --max-distance needs it */
	int *copy_field;        /* grid layer field of each copied field */
	char **copy_names;
} place_grids;

/* A feature, or a piece of one, and where it goes. */
typedef struct piece {
	long grid;              /* index into the view, -1 for none */
	GEOSGeometry *geom;     /* owned; NULL: the feature's own geometry */
	double measure, share, distance;
} piece;

typedef struct near_note {
	long long fid;
	long grid;
	double distance;
} near_note;

typedef struct run {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_place_opts *o;
	place_grids g;
	geo_input *in;
	OGRLayerH layer;
	const geo_crs *in_crs;
	geo_crs *out_crs;
	geo_transform *to_work, *to_out, *work_to_out;
	geo_output *out, *un_out;
	OGRLayerH out_layer, un_layer;
	OGRFeatureH of, uf;
	int *map, *un_map;
	int f_grid, f_parent, f_copy, f_measure, f_share, f_distance;
	OGRwkbGeometryType multi; /* split mode: pieces forced to this multi type */
	geo_place_summary *sum;
	piece *pieces;
	size_t npieces, cap;
	size_t *cands;
	size_t ncap;
	long long features, placed, unplaced, no_geometry, near, pieces_out, outside;
	long long dims[4];
	long long listed[MAX_LISTED];
	near_note near_list[MAX_LISTED];
	double seconds_grids, seconds_features;
} run;

/* ---- the grids ------------------------------------------------------------ */

static int by_id(const void *a, const void *b, void *data)
{
	const char **ids = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(ids[i], ids[j]);
	return c ? c : (i > j) - (i < j);
}

/* Secondaries go on the view when the layer holds both levels. */
static geo_err make_view(geo_ctx *ctx, place_grids *g)
{
	const geo_gridset *s = g->set;
	size_t n1 = 0, n2 = 0;
	for (size_t i = 0; i < s->n; i++) {
		n1 += s->grids[i].level == 1;
		n2 += s->grids[i].level == 2;
	}
	g->levels = n1 && n2 ? 2 : 1;
	g->view = *s;
	g->view.n = 0;
	g->view.grids = geo_calloc(ctx, s->n + 1, sizeof *g->view.grids);
	if (!g->view.grids)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < s->n; i++)
		if (g->levels == 1 || s->grids[i].level == 2)
			g->view.grids[g->view.n++] = s->grids[i];
	size_t n = g->view.n;
	g->ids = geo_calloc(ctx, n + 1, sizeof *g->ids);
	g->order = geo_calloc(ctx, n + 1, sizeof *g->order);
	g->rank = geo_calloc(ctx, n + 1, sizeof *g->rank);
	g->geoms = geo_calloc(ctx, n + 1, sizeof *g->geoms);
	g->parent = geo_calloc(ctx, n + 1, sizeof *g->parent);
	if (!g->ids || !g->order || !g->rank || !g->geoms || !g->parent)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		g->ids[i] = g->view.grids[i].id;
		g->geoms[i] = g->view.grids[i].geom;
		g->order[i] = i;
	}
	qsort_r(g->order, n, sizeof *g->order, by_id, g->ids);
	for (size_t i = 0; i < n; i++)
		g->rank[g->order[i]] = i;
	return GEO_OK;
}

/* The primaries a grid's parent is found in by geometry: --parents, or the
** level-1 grids of a layer holding both levels. */
static geo_gridset *primary_view(geo_ctx *ctx, place_grids *g)
{
	if (g->primaries)
		return g->primaries;
	if (g->levels != 2)
		return NULL;
	geo_gridset *p = geo_calloc(ctx, 1, sizeof *p);
	if (!p)
		return NULL;
	*p = *g->set;
	p->n = 0;
	p->grids = geo_calloc(ctx, g->set->n + 1, sizeof *p->grids);
	if (!p->grids) {
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < g->set->n; i++)
		if (g->set->grids[i].level == 1)
			p->grids[p->n++] = g->set->grids[i];
	return p;
}

/*
** A grid's parent code: its parent field when set; otherwise the primary
** holding its interior point (with --parents or a two-level layer);
** otherwise what its code implies (the first 12 digits of a secondary code).
*/
static geo_err find_parents(geo_ctx *ctx, place_grids *g)
{
	geo_gridset *prim = primary_view(ctx, g);
	geo_placer *pp = prim ? geo_placer_new(ctx, prim) : NULL;
	if ((g->primaries || g->levels == 2) && (!prim || !pp)) {
		if (prim != g->primaries && prim)
			free(prim->grids), free(prim);
		return geo_last_code(ctx);
	}
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < g->view.n; i++) {
		const geo_grid *gr = &g->view.grids[i];
		char code[GEO_SECONDARY_CODE_LEN + 1] = "";
		const char *parent = gr->parent_id;
		double x, y;
		if (!*parent && pp && gr->geom && !geo_geom_inside_point(ctx, gr->geom, &x, &y)) {
			long p = geo_placer_locate(pp, x, y);
			parent = p >= 0 ? prim->grids[p].id : "";
		}
		if (!*parent) {
			geo_grid_code_parent(gr->id, code, sizeof code);
			parent = code;
		}
		if (!(g->parent[i] = geo_strdup(ctx, parent)))
			e = GEO_ERR_INTERNAL;
	}
	geo_placer_free(pp);
	if (prim && prim != g->primaries) {
		free(prim->grids);
		free(prim);
	}
	return e;
}

static geo_err find_copy_fields(geo_ctx *ctx, place_grids *g, const char *list)
{
	if (!list)
		return GEO_OK;
	g->copy_names = CSLTokenizeString2(list, ",", CSLT_STRIPLEADSPACES | CSLT_STRIPENDSPACES);
	int n = CSLCount(g->copy_names);
	g->copy_field = geo_calloc(ctx, (size_t)n + 1, sizeof *g->copy_field);
	if (!g->copy_field)
		return GEO_ERR_INTERNAL;
	for (int i = 0; i < n; i++)
		if ((g->copy_field[i] = OGR_FD_GetFieldIndex(g->set->defn, g->copy_names[i])) < 0)
			return geo_fail(ctx, GEO_ERR_USAGE, "--copy-fields: %s has no field '%s'",
					g->set->source, g->copy_names[i]);
	return GEO_OK;
}

/* A grid without geometry takes no feature (QGIS counts 0 in it too); say which. */
static void warn_empty_grids(geo_ctx *ctx, const place_grids *g, const char *id_field)
{
	int id = OGR_FD_GetFieldIndex(g->set->defn, id_field);
	for (size_t i = 0; i < g->view.n; i++) {
		const geo_grid *gr = &g->view.grids[i];
		if (gr->geom)
			continue;
		char label[256];
		geo_feat_label(gr->feat, id, label, sizeof label);
		geo_log(ctx, GEO_LOG_WARN, "%s: %s: has no geometry; no feature can be placed in it",
			g->set->source, label);
	}
}

static geo_err load_grids(geo_ctx *ctx, place_grids *g, const char *name, const geo_place_opts *o)
{
	geo_crs *work = NULL;
	if (o->common.work_srs && !(work = geo_crs_new(ctx, o->common.work_srs)))
		return geo_last_code(ctx);
	geo_input_opts io;
	geo_input_opts_init(&io);
	g->set = geo_gridset_read(ctx, name, &io, &o->grid, work);
	geo_crs_free(work);
	if (!g->set)
		return geo_last_code(ctx);
	if (o->parents &&
	    !(g->primaries = geo_gridset_read(ctx, o->parents, &io, &o->grid, g->set->crs)))
		return geo_last_code(ctx);
	geo_err e = make_view(ctx, g);
	if (!e)
		warn_empty_grids(ctx, g, o->grid.id_field);
	if (!e)
		e = find_parents(ctx, g);
	if (!e)
		e = find_copy_fields(ctx, g, o->copy_fields);
	if (!e && !(g->placer = geo_placer_new(ctx, &g->view)))
		e = geo_last_code(ctx);
	return e;
}

static geo_index *grid_index(run *r)
{
	if (!r->g.index)
		r->g.index = geo_index_new(r->ctx, r->g.geoms, r->g.view.n);
	return r->g.index;
}

static void free_grids(place_grids *g)
{
	geo_index_free(g->index);
	geo_placer_free(g->placer);
	for (size_t i = 0; g->parent && i < g->view.n; i++)
		free(g->parent[i]);
	free(g->parent);
	free(g->ids);
	free(g->order);
	free(g->rank);
	free(g->geoms);
	free(g->copy_field);
	CSLDestroy(g->copy_names);
	free(g->view.grids);
	geo_gridset_free(g->primaries);
	geo_gridset_free(g->set);
}

/* ---- placing one feature ------------------------------------------------- */

static piece *add_piece(run *r, long grid, GEOSGeometry *geom, double measure, double share)
{
	if (r->npieces == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		piece *p = geo_realloc_array(r->ctx, r->pieces, cap, sizeof *p);
		if (!p) {
			GEOSGeom_destroy_r(r->h, geom);
			return NULL;
		}
		r->pieces = p;
		r->cap = cap;
	}
	piece *p = &r->pieces[r->npieces++];
	*p = (piece){ grid, geom, measure, share, 0 };
	return p;
}

static void clear_pieces(run *r)
{
	for (size_t i = 0; i < r->npieces; i++)
		GEOSGeom_destroy_r(r->h, r->pieces[i].geom);
	r->npieces = 0;
}

static void collect(size_t i, void *data)
{
	run *r = data;
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

/* Candidate grids of geom (envelopes meet), in grid_id order: cands[1..n]. */
static size_t candidates(run *r, const GEOSGeometry *geom)
{
	geo_index *idx = grid_index(r);
	if (!idx)
		return 0;
	if (r->ncap)
		r->cands[0] = 0;
	geo_index_query(idx, geom, collect, r);
	size_t n = r->ncap ? r->cands[0] : 0;
	for (size_t i = 2; i <= n; i++)
		for (size_t j = i; j > 1 && r->g.rank[r->cands[j]] < r->g.rank[r->cands[j - 1]]; j--) {
			size_t t = r->cands[j];
			r->cands[j] = r->cands[j - 1];
			r->cands[j - 1] = t;
		}
	return n;
}

/* The nearest grid within --max-distance of geom, or -1. */
static long nearest(run *r, const GEOSGeometry *geom, double *distance)
{
	double m = r->o->max_distance, x0, y0, x1, y1;
	if (!(m > 0) || !grid_index(r) || !GEOSGeom_getExtent_r(r->h, geom, &x0, &y0, &x1, &y1))
		return -1;
	GEOSGeometry *box = GEOSGeom_createRectangle_r(r->h, x0 - m, y0 - m, x1 + m, y1 + m);
	size_t n = box ? candidates(r, box) : 0;
	GEOSGeom_destroy_r(r->h, box);
	long best = -1;
	double bd = INFINITY;
	for (size_t i = 1; i <= n; i++) {
		double d;
		size_t c = r->cands[i];
		if (r->g.geoms[c] && GEOSDistance_r(r->h, r->g.geoms[c], geom, &d) && d < bd) {
			bd = d;
			best = (long)c;
		}
	}
	*distance = bd;
	return bd <= m ? best : -1;
}

/* A point at (x, y) in the working CRS that the placer put in grid g. */
static geo_err place_located(run *r, long g, double x, double y)
{
	double d = 0;
	if (g < 0 && r->o->max_distance > 0) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(r->h, x, y);
		g = pt ? nearest(r, pt, &d) : -1;
		GEOSGeom_destroy_r(r->h, pt);
	}
	piece *p = add_piece(r, g, NULL, 0, 1);
	if (!p)
		return GEO_ERR_INTERNAL;
	p->distance = g >= 0 ? d : 0;
	return GEO_OK;
}

static double measure(run *r, const GEOSGeometry *g, int dim)
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
static GEOSGeometry *keep_dim(run *r, GEOSGeometry *g, int dim)
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
static geo_err place_by_point(run *r, const GEOSGeometry *geom, int dim, int centroid)
{
	GEOSGeometry *pt = centroid ? GEOSGetCentroid_r(r->h, geom) : GEOSPointOnSurface_r(r->h, geom);
	double x = 0, y = 0, d = 0;
	long g = -1;
	if (pt && !GEOSisEmpty_r(r->h, pt) && GEOSGeomGetX_r(r->h, pt, &x) && GEOSGeomGetY_r(r->h, pt, &y))
		g = geo_placer_locate(r->g.placer, x, y);
	GEOSGeom_destroy_r(r->h, pt);
	if (g < 0)
		g = nearest(r, geom, &d);
	piece *p = add_piece(r, g, NULL, measure(r, geom, dim), 1);
	if (!p)
		return GEO_ERR_INTERNAL;
	p->distance = g >= 0 ? d : 0;
	return GEO_OK;
}

/* --mode largest: the grid holding most of the feature; ties go to the
** grid_id that sorts first (candidates come in that order). */
static geo_err place_largest(run *r, const GEOSGeometry *geom, int dim)
{
	size_t n = candidates(r, geom);
	long best = -1;
	double best_m = 0, total = measure(r, geom, dim);
	for (size_t i = 1; i <= n; i++) {
		size_t c = r->cands[i];
		const GEOSPreparedGeometry *prep = geo_index_prepared(r->g.index, c);
		if (!prep || !GEOSPreparedIntersects_r(r->h, prep, geom))
			continue;
		if (GEOSPreparedCovers_r(r->h, prep, geom)) {
			best = (long)c;
			break;
		}
		GEOSGeometry *inter = GEOSIntersection_r(r->h, r->g.geoms[c], geom);
		double m = inter ? measure(r, inter, dim) : 0;
		GEOSGeom_destroy_r(r->h, inter);
		if (m > best_m) {
			best_m = m;
			best = (long)c;
		}
	}
	if (best < 0)
		return place_by_point(r, geom, dim, 0);
	return add_piece(r, best, NULL, total, 1) ? GEO_OK : GEO_ERR_INTERNAL;
}

/* The part of geom in no grid of the pieces found, or NULL. */
static GEOSGeometry *outside_part(run *r, const GEOSGeometry *geom, int dim)
{
	GEOSGeometry *rest = GEOSGeom_clone_r(r->h, geom);
	for (size_t i = 0; rest && i < r->npieces; i++) {
		GEOSGeometry *d = GEOSDifference_r(r->h, rest, r->g.geoms[r->pieces[i].grid]);
		GEOSGeom_destroy_r(r->h, rest);
		rest = d;
	}
	return rest ? keep_dim(r, rest, dim) : NULL;
}

/* --mode split: one piece per grid, plus what lies in no grid. */
static geo_err place_split(run *r, const GEOSGeometry *geom, int dim)
{
	size_t n = candidates(r, geom);
	double total = measure(r, geom, dim), sum = 0;
	for (size_t i = 1; i <= n; i++) {
		size_t c = r->cands[i];
		const GEOSPreparedGeometry *prep = geo_index_prepared(r->g.index, c);
		if (!prep || !GEOSPreparedIntersects_r(r->h, prep, geom))
			continue;
		if (GEOSPreparedCovers_r(r->h, prep, geom)) {
			clear_pieces(r);
			return add_piece(r, (long)c, NULL, total, 1) ? GEO_OK : GEO_ERR_INTERNAL;
		}
		GEOSGeometry *inter = GEOSIntersection_r(r->h, r->g.geoms[c], geom);
		inter = inter ? keep_dim(r, inter, dim) : NULL;
		double m = inter ? measure(r, inter, dim) : 0;
		if (m <= 0) {
			GEOSGeom_destroy_r(r->h, inter);
			continue;
		}
		if (!add_piece(r, (long)c, inter, m, total > 0 ? m / total : 0))
			return GEO_ERR_INTERNAL;
		sum += m;
	}
	if (r->npieces == 0)
		return place_by_point(r, geom, dim, 0);
	if (total - sum > 1e-9 * total) {
		GEOSGeometry *rest = outside_part(r, geom, dim);
		double m = rest ? measure(r, rest, dim) : 0;
		if (m > 1e-9 * total) {
			if (!add_piece(r, -1, rest, m, m / total))
				return GEO_ERR_INTERNAL;
		} else {
			GEOSGeom_destroy_r(r->h, rest);
		}
	}
	return GEO_OK;
}

/* Multipoints: each point is placed; largest takes the grid holding most of
** them, split one piece per grid. */
static geo_err place_points(run *r, const GEOSGeometry *geom)
{
	int n = GEOSGetNumGeometries_r(r->h, geom);
	if (n == 1 || r->o->mode == GEO_PLACE_CENTROID) {
		GEOSGeometry *c = GEOSGetCentroid_r(r->h, geom);
		double x = 0, y = 0;
		int ok = c && GEOSGeomGetX_r(r->h, c, &x) && GEOSGeomGetY_r(r->h, c, &y);
		GEOSGeom_destroy_r(r->h, c);
		return ok ? place_located(r, geo_placer_locate(r->g.placer, x, y), x, y)
			  : GEO_ERR_INTERNAL;
	}
	long *grid = geo_calloc(r->ctx, (size_t)n + 1, sizeof *grid);
	if (!grid)
		return GEO_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		double x = 0, y = 0;
		const GEOSGeometry *pt = GEOSGetGeometryN_r(r->h, geom, i);
		GEOSGeomGetX_r(r->h, pt, &x);
		GEOSGeomGetY_r(r->h, pt, &y);
		grid[i] = geo_placer_locate(r->g.placer, x, y);
	}
	geo_err e = GEO_OK;
	/* One piece per distinct grid, in order of first appearance. */
	for (int i = 0; !e && i < n; i++) {
		int seen = 0, k = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = grid[j] == grid[i];
		if (seen)
			continue;
		GEOSGeometry **parts = geo_calloc(r->ctx, (size_t)n, sizeof *parts);
		for (int j = i; parts && j < n; j++)
			if (grid[j] == grid[i])
				parts[k++] = GEOSGeom_clone_r(r->h, GEOSGetGeometryN_r(r->h, geom, j));
		GEOSGeometry *mp = parts ? GEOSGeom_createCollection_r(r->h, GEOS_MULTIPOINT, parts,
								       (unsigned)k)
					 : NULL;
		free(parts);
		if (!mp || !add_piece(r, grid[i], mp, (double)k, (double)k / n))
			e = GEO_ERR_INTERNAL;
	}
	free(grid);
	if (e || r->o->mode == GEO_PLACE_SPLIT)
		return e;
	size_t best = 0;
	for (size_t i = 1; i < r->npieces; i++) {
		const piece *p = &r->pieces[i], *b = &r->pieces[best];
		if (p->grid >= 0 && (b->grid < 0 || p->measure > b->measure ||
				     (p->measure == b->measure && r->g.rank[p->grid] < r->g.rank[b->grid])))
			best = i;
	}
	long g = r->pieces[best].grid;
	clear_pieces(r);
	return add_piece(r, g, NULL, 0, 1) ? GEO_OK : GEO_ERR_INTERNAL;
}

static geo_err place_geometry(run *r, const GEOSGeometry *geom, int dim)
{
	if (dim == 3)
		return place_points(r, geom);
	switch (r->o->mode) {
	case GEO_PLACE_CENTROID:
		return place_by_point(r, geom, dim, 1);
	case GEO_PLACE_SPLIT:
		return place_split(r, geom, dim);
	default:
		return place_largest(r, geom, dim);
	}
}

/* ---- writing --------------------------------------------------------------- */

static void set_grid_fields(run *r, OGRFeatureH of, const piece *p)
{
	const place_grids *g = &r->g;
	OGR_F_SetFieldString(of, r->f_grid, p->grid >= 0 ? g->ids[p->grid] : "");
	OGR_F_SetFieldString(of, r->f_parent, p->grid >= 0 ? g->parent[p->grid] : "");
	for (int i = 0; g->copy_names && g->copy_names[i]; i++) {
		if (p->grid < 0) {
			OGR_F_UnsetField(of, r->f_copy + i);
			continue;
		}
		OGRFeatureH gf = g->view.grids[p->grid].feat;
		int src = g->copy_field[i];
		if (OGR_F_IsFieldSetAndNotNull(gf, src))
			OGR_F_SetFieldRaw(of, r->f_copy + i, OGR_F_GetRawFieldRef(gf, src));
		else
			OGR_F_UnsetField(of, r->f_copy + i);
	}
	if (r->f_measure >= 0)
		OGR_F_SetFieldDouble(of, r->f_measure, round(p->measure * 100) / 100);
	if (r->f_share >= 0)
		OGR_F_SetFieldDouble(of, r->f_share, round(p->share * 1e6) / 1e6);
	if (r->f_distance >= 0)
		OGR_F_SetFieldDouble(of, r->f_distance, round(p->distance * 100) / 100);
}

/* The output geometry of a piece: its own (working CRS) or the feature's
** (features' CRS), in the output CRS. */
static geo_err piece_geometry(run *r, OGRFeatureH f, const piece *p, int steal, OGRGeometryH *out)
{
	OGRGeometryH g = NULL;
	geo_transform *t = NULL;
	if (p->geom) {
		if (!(g = geo_geom_to_ogr(r->ctx, p->geom)))
			return GEO_ERR_INTERNAL;
		t = r->work_to_out;
	} else {
		g = steal ? OGR_F_StealGeometry(f) : OGR_F_GetGeometryRef(f);
		if (g && !steal)
			g = OGR_G_Clone(g);
		t = r->to_out;
	}
	if (g && t && geo_transform_ogr(r->ctx, t, g)) {
		OGR_G_DestroyGeometry(g);
		return GEO_ERR_OUTPUT;
	}
	if (g && r->multi == wkbMultiPolygon)
		g = OGR_G_ForceToMultiPolygon(g);
	else if (g && r->multi == wkbMultiLineString)
		g = OGR_G_ForceToMultiLineString(g);
	*out = g;
	return GEO_OK;
}

static geo_err create(run *r, OGRLayerH l, OGRFeatureH of)
{
	OGRErr err = OGR_L_CreateFeature(l, of);
	OGR_F_SetFID(of, OGRNullFID);
	if (err != OGRERR_NONE)
		return geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot write feature to layer '%s': %s",
				OGR_L_GetName(l), geo_cpl_error("write failed"));
	return GEO_OK;
}

static geo_err write_unplaced(run *r, OGRFeatureH f)
{
	OGR_F_SetFromWithMap(r->uf, f, TRUE, r->un_map);
	OGRGeometryH g = NULL;
	piece whole = { -1, NULL, 0, 0, 0 };
	geo_err e = piece_geometry(r, f, &whole, 0, &g);
	if (e)
		return e;
	OGR_F_SetGeometryDirectly(r->uf, g);
	return create(r, r->un_layer, r->uf);
}

static geo_err write_pieces(run *r, OGRFeatureH f)
{
	for (size_t i = 0; i < r->npieces; i++) {
		const piece *p = &r->pieces[i];
		OGR_F_SetFromWithMap(r->of, f, TRUE, r->map);
		set_grid_fields(r, r->of, p);
		OGRGeometryH g = NULL;
		geo_err e = piece_geometry(r, f, p, i + 1 == r->npieces, &g);
		if (e)
			return e;
		OGR_F_SetGeometryDirectly(r->of, g);
		if ((e = create(r, r->out_layer, r->of)))
			return e;
		r->pieces_out++;
	}
	return GEO_OK;
}

/* The values a feature gives the summary: its fields, or (f NULL) sums and by. */
typedef struct values {
	OGRFeatureH f;
	const double *sums;
	const char *by;
} values;

/* Counts the feature's pieces and feeds the summary; returns 1 in *placed
** when some piece has a grid. */
static geo_err tally(run *r, long long fid, int dim, const values *v, int *placed)
{
	*placed = 0;
	for (size_t i = 0; i < r->npieces; i++) {
		const piece *p = &r->pieces[i];
		*placed |= p->grid >= 0;
		r->outside += p->grid < 0 && r->npieces > 1;
		geo_err e = !r->sum ? GEO_OK
			    : v->f ? geo_place_summary_add(r->ctx, r->sum, p->grid, v->f, dim, p->measure,
							   p->share)
				   : geo_place_summary_add_values(r->ctx, r->sum, p->grid, dim, p->measure,
								  p->share, v->sums, v->by);
		if (e)
			return e;
		if (p->grid >= 0 && p->distance > 0) {
			if (r->near < MAX_LISTED)
				r->near_list[r->near] = (near_note){ fid, p->grid, p->distance };
			r->near++;
		}
	}
	if (*placed) {
		r->placed++;
	} else {
		if (r->unplaced < MAX_LISTED)
			r->listed[r->unplaced] = fid;
		r->unplaced++;
		r->no_geometry += dim == 0;
	}
	return GEO_OK;
}

/* Counts the feature's pieces, feeds the summary and writes it out. */
static geo_err emit(run *r, OGRFeatureH f, int dim)
{
	int placed;
	values v = { f, NULL, NULL };
	geo_err e = tally(r, (long long)OGR_F_GetFID(f), dim, &v, &placed);
	if (!e && !placed && r->un_layer)
		e = write_unplaced(r, f);
	if (!e && r->out_layer)
		e = write_pieces(r, f);
	return e;
}

static geo_err feature_error(run *r, OGRFeatureH f, const char *what)
{
	char label[256];
	geo_feat_label(f, -1, label, sizeof label);
	return geo_fail(r->ctx, GEO_ERR_INPUT, "%s: %s: %s", geo_input_name(r->in), label,
			what);
}

/*
** A feature without geometry is kept, unplaced (as ogr2ogr and QGIS keep
** it); the first few are named. An empty geometry is no geometry, in every
** tool (GDAL's GeoJSON reader makes a point with a NaN coordinate empty).
*/
static void warn_no_geometry(run *r, OGRFeatureH f)
{
	if (r->no_geometry >= MAX_LISTED)
		return;
	char label[256];
	geo_feat_label(f, -1, label, sizeof label);
	geo_log(r->ctx, GEO_LOG_WARN, "%s: %s: has no geometry; left unplaced",
		geo_input_name(r->in), label);
}

/* Places one feature; a point (has_xy) comes located in grid g, at (x, y)
** in the working CRS. */
static geo_err place_feature(run *r, OGRFeatureH f, int has_xy, long g, double x, double y)
{
	geo_err e = GEO_OK;
	int dim = 3;
	clear_pieces(r);
	r->features++;
	if (has_xy) {
		e = place_located(r, g, x, y);
	} else {
		OGRGeometryH og = OGR_F_GetGeometryRef(f);
		dim = og && !OGR_G_IsEmpty(og) ? geo_geom_dimension_class(OGR_G_GetGeometryType(og)) : 0;
		GEOSGeometry *geom = NULL;
		if (!og || OGR_G_IsEmpty(og)) {
			warn_no_geometry(r, f);
			e = add_piece(r, -1, NULL, 0, 1) ? GEO_OK : GEO_ERR_INTERNAL;
		} else if (dim == 0) {
			char what[128];
			snprintf(what, sizeof what, "a %s cannot be placed: use points, lines or polygons",
				 OGR_G_GetGeometryName(og));
			e = feature_error(r, f, what);
		} else if (!(e = geo_input_geometry(r->ctx, r->in, f, &geom))) {
			e = place_geometry(r, geom, dim);
		}
		GEOSGeom_destroy_r(r->h, geom);
	}
	r->dims[dim]++;
	return e ? e : emit(r, f, dim);
}

/* ---- streaming ----------------------------------------------------------- */

typedef struct batch {
	OGRFeatureH f[BATCH];
	double x[BATCH], y[BATCH];
	long grid[BATCH];       /* where the placer put each point */
	int slot[BATCH];        /* index into x, y, or -1 for a feature that is not a point */
	size_t n, k;
} batch;

static void drop(batch *b, size_t from)
{
	for (size_t i = from; i < b->n; i++)
		OGR_F_Destroy(b->f[i]);
	b->n = 0;
}

/* Reads up to BATCH features; points keep their coordinates. */
static geo_err read_batch(run *r, batch *b)
{
	b->n = b->k = 0;
	while (b->n < BATCH) {
		OGRFeatureH f;
		geo_err e = geo_input_next(r->ctx, r->in, &f, NULL);
		if (e) {
			drop(b, 0);
			return e;
		}
		if (!f)
			break;
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		b->slot[b->n] = -1;
		b->f[b->n++] = f;
		if (g && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint && !OGR_G_IsEmpty(g)) {
			double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);
			if (!isfinite(x) || !isfinite(y)) {
				geo_err e = feature_error(r, f, "coordinate is not a finite number");
				drop(b, 0);
				return e;
			}
			b->slot[b->n - 1] = (int)b->k;
			b->x[b->k] = x;
			b->y[b->k++] = y;
		}
	}
	return GEO_OK;
}

/* Transforms the batch's points to the working CRS; names the first point
** that cannot be transformed. */
static geo_err transform_batch_points(run *r, batch *b)
{
	if (!b->k || geo_transform_is_identity(r->to_work))
		return GEO_OK;
	if (!geo_transform_points(r->ctx, r->to_work, b->k, b->x, b->y))
		return GEO_OK;
	for (size_t i = 0; i < b->n; i++) {
		if (b->slot[i] < 0)
			continue;
		OGRGeometryH g = OGR_F_GetGeometryRef(b->f[i]);
		double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);
		if (geo_transform_points(r->ctx, r->to_work, 1, &x, &y)) {
			char why[512];
			snprintf(why, sizeof why, _("cannot transform to the working CRS: %s"),
				 geo_last_error(r->ctx));
			return feature_error(r, b->f[i], why);
		}
	}
	return geo_fail(r->ctx, GEO_ERR_INPUT, "%s: cannot transform the points",
			geo_input_name(r->in));
}

/* The batch's points in the working CRS, each within io.c's coordinate limit. */
static geo_err transform_batch(run *r, batch *b)
{
	geo_err e = transform_batch_points(r, b);
	char why[256];
	for (size_t i = 0; !e && i < b->n; i++) {
		int s = b->slot[i];
		if (s >= 0 && geo_coord_problem(b->x[s], b->y[s], b->x[s], b->y[s], why, sizeof why))
			e = feature_error(r, b->f[i], why);
	}
	return e;
}

static geo_err stream(run *r, geo_progress progress, void *pdata)
{
	batch *b = geo_calloc(r->ctx, 1, sizeof *b);
	if (!b)
		return GEO_ERR_INTERNAL;
	double total = (double)geo_input_count(r->in);
	geo_err e = GEO_OK;
	do {
		if ((e = read_batch(r, b)) || (e = transform_batch(r, b))) {
			drop(b, 0);
			break;
		}
		geo_placer_locate_many(r->g.placer, b->k, b->x, b->y, b->grid);
		for (size_t i = 0; !e && i < b->n; i++) {
			int s = b->slot[i];
			e = s >= 0 ? place_feature(r, b->f[i], 1, b->grid[s], b->x[s], b->y[s])
				   : place_feature(r, b->f[i], 0, -1, 0, 0);
			OGR_F_Destroy(b->f[i]);
			b->f[i] = NULL;
		}
		if (e)
			drop(b, 0);
		else if (total > 0 &&
			 !geo_progress_step(r->ctx, progress, pdata, fmin(1, (double)r->features / total),
					    "placing"))
			e = GEO_ERR_INTERNAL;
	} while (!e && b->n == BATCH);
	clear_pieces(r);
	free(b);
	return e;
}

/* Transforms n points to the working CRS in place; names the feature of
** the first point that cannot be transformed. */
static geo_err transform_points(run *r, size_t n, double *x, double *y, const int64_t *fid)
{
	if (!n)
		return GEO_OK;
	double *cx = geo_calloc(r->ctx, n, sizeof *cx), *cy = geo_calloc(r->ctx, n, sizeof *cy);
	if (!cx || !cy) {
		free(cx);
		free(cy);
		return GEO_ERR_INTERNAL;
	}
	memcpy(cx, x, n * sizeof *x);
	memcpy(cy, y, n * sizeof *y);
	geo_err e = geo_transform_points(r->ctx, r->to_work, n, x, y);
	for (size_t i = 0; e && i < n; i++)
		if (geo_transform_points(r->ctx, r->to_work, 1, &cx[i], &cy[i])) {
			char why[512];
			snprintf(why, sizeof why, "%s", geo_last_error(r->ctx));
			e = geo_fail(r->ctx, GEO_ERR_INPUT,
				     "%s: feature %lld: cannot transform to the working CRS: %s",
				     geo_input_name(r->in), (long long)fid[i], why);
			break;
		}
	free(cx);
	free(cy);
	return e;
}

/* The points in the working CRS, each within the coordinate limit. */
static geo_err transform_fids(run *r, size_t n, double *x, double *y, const int64_t *fid)
{
	geo_err e = geo_transform_is_identity(r->to_work) ? GEO_OK : transform_points(r, n, x, y, fid);
	char why[256];
	for (size_t i = 0; !e && i < n; i++) /* io.c's limit, for points read in bulk */
		if (geo_coord_problem(x[i], y[i], x[i], y[i], why, sizeof why))
			e = geo_fail(r->ctx, GEO_ERR_INPUT, "%s: feature %lld: %s",
				     geo_input_name(r->in), (long long)fid[i], why);
	return e;
}

/* Places one Arrow batch: the points with geometry are transformed and
** located together, then every row is tallied. */
static geo_err place_arrow_batch(run *r, const geo_arrow_batch *b, double *x, double *y,
				 int64_t *fid, long *grid)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!isnan(b->x[i])) {
			x[k] = b->x[i];
			y[k] = b->y[i];
			fid[k++] = b->fid[i] + geo_input_fid_offset(r->in);
		}
	geo_err e = transform_fids(r, k, x, y, fid);
	if (e)
		return e;
	geo_placer_locate_many(r->g.placer, k, x, y, grid);
	int nsum = 0;
	const char *const *names;
	const char *by;
	geo_place_summary_inputs(r->sum, geo_input_defn(r->in), &nsum, &names, &by);
	k = 0;
	for (size_t i = 0; !e && i < b->n; i++) {
		int dim = isnan(b->x[i]) ? 0 : 3, placed;
		clear_pieces(r);
		r->features++;
		r->dims[dim]++;
		if (dim) {
			e = place_located(r, grid[k], x[k], y[k]);
			k++;
		} else
			e = add_piece(r, -1, NULL, 0, 1) ? GEO_OK : GEO_ERR_INTERNAL;
		values v = { NULL, b->sums + i * (size_t)nsum, b->by[i] };
		if (!e)
			e = tally(r, (long long)b->fid[i] + geo_input_fid_offset(r->in), dim, &v,
				  &placed);
	}
	return e;
}

/* Counting alone from a layer with a fast Arrow stream. */
static geo_err stream_arrow(run *r, geo_arrow_points *a, geo_progress progress, void *pdata)
{
	double total = (double)geo_input_count(r->in);
	double *x = NULL, *y = NULL;
	int64_t *fid = NULL;
	long *grid = NULL;
	size_t cap = 0;
	geo_err e = GEO_OK;
	for (;;) {
		const geo_arrow_batch *b;
		if ((e = geo_arrow_points_next(r->ctx, a, geo_input_name(r->in), &b)) || !b->n)
			break;
		if (b->n > cap) {
			free(x), free(y), free(fid), free(grid);
			x = geo_calloc(r->ctx, b->n, sizeof *x);
			y = geo_calloc(r->ctx, b->n, sizeof *y);
			fid = geo_calloc(r->ctx, b->n, sizeof *fid);
			grid = geo_calloc(r->ctx, b->n, sizeof *grid);
			cap = x && y && fid && grid ? b->n : 0;
			if (!cap) {
				e = GEO_ERR_INTERNAL;
				break;
			}
		}
		if ((e = place_arrow_batch(r, b, x, y, fid, grid)))
			break;
		if (total > 0 && !geo_progress_step(r->ctx, progress, pdata,
						    fmin(1, (double)r->features / total), "counting")) {
			e = GEO_ERR_INTERNAL;
			break;
		}
	}
	clear_pieces(r);
	free(x), free(y), free(fid), free(grid);
	return e;
}

/* Counting alone goes through the Arrow stream when the layer has a fast
** one; everything else reads feature by feature, and so does an input with
** a time window, which geo_input_next applies. */
static geo_err place_all(run *r, geo_progress progress, void *pdata)
{
	geo_arrow_points *a = NULL;
	if (r->sum && !r->out_layer && !r->un_layer && !geo_input_windowed(r->in)) {
		int nsum;
		const char *const *names;
		const char *by;
		geo_place_summary_inputs(r->sum, geo_input_defn(r->in), &nsum, &names, &by);
		a = geo_arrow_points_open(r->ctx, r->layer, nsum, names, by);
	}
	geo_err e = a ? stream_arrow(r, a, progress, pdata) : stream(r, progress, pdata);
	if (a && !e)
		geo_input_read_to_end(r->ctx, r->in, (int64_t)r->features);
	geo_arrow_points_close(a);
	return e;
}

/* ---- setting up ------------------------------------------------------------ */

static void add_field(OGRLayerH l, const char *name, OGRFieldType t)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, t);
	OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
}

/* Creates on l the features' fields, mapping each input field to its output
** index in *map (caller frees). */
static geo_err copy_input_fields(run *r, OGRLayerH l, int **map)
{
	OGRFeatureDefnH in = geo_input_defn(r->in);
	int n = OGR_FD_GetFieldCount(in);
	*map = geo_calloc(r->ctx, (size_t)n + 1, sizeof **map);
	if (!*map)
		return GEO_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		if (OGR_L_CreateField(l, OGR_FD_GetFieldDefn(in, i), TRUE) != OGRERR_NONE)
			return geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot create field '%s': %s",
					OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(in, i)),
					geo_cpl_error("driver refused"));
		(*map)[i] = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(l)) - 1;
	}
	return GEO_OK;
}

/* The field named name on l: an existing one of the features (then its
** value is replaced), else a new one. */
static int own_field(OGRLayerH l, const char *name, OGRFieldType t)
{
	OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
	int i = OGR_FD_GetFieldIndex(d, name);
	if (i >= 0)
		return i;
	add_field(l, name, t);
	return OGR_FD_GetFieldIndex(d, name);
}

/* grid_id, parent_id, the copied grid fields (prefixed grid_ when a feature
** field has the name already), and split and --max-distance fields. */
static geo_err add_place_fields(run *r, OGRLayerH l, int dim)
{
	OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
	r->f_grid = own_field(l, r->o->grid.id_field, OFTString);
	r->f_parent = own_field(l, r->o->grid.parent_field, OFTString);
	r->f_copy = OGR_FD_GetFieldCount(d);
	for (int i = 0; r->g.copy_names && r->g.copy_names[i]; i++) {
		OGRFieldDefnH src = OGR_FD_GetFieldDefn(r->g.set->defn, r->g.copy_field[i]);
		OGRFieldDefnH fd = OGR_Fld_Create(OGR_Fld_GetNameRef(src), OGR_Fld_GetType(src));
		if (OGR_FD_GetFieldIndex(d, OGR_Fld_GetNameRef(src)) >= 0) {
			geo_buf b;
			geo_buf_init(&b);
			geo_buf_printf(&b, "grid_%s", OGR_Fld_GetNameRef(src));
			OGR_Fld_SetName(fd, b.s ? b.s : "grid_field");
			geo_buf_free(&b);
		}
		OGR_Fld_SetSubType(fd, OGR_Fld_GetSubType(src));
		OGRErr err = OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE)
			return geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot create field '%s': %s",
					r->g.copy_names[i], geo_cpl_error("driver refused"));
	}
	r->f_measure = r->f_share = r->f_distance = -1;
	if (r->o->mode == GEO_PLACE_SPLIT && (dim == 1 || dim == 2)) {
		r->f_measure = own_field(l, dim == 1 ? "area_m2" : "length_m", OFTReal);
		r->f_share = own_field(l, "share", OFTReal);
	}
	if (r->o->max_distance > 0)
		r->f_distance = own_field(l, "distance_m", OFTReal);
	return r->f_grid >= 0 && r->f_parent >= 0 ? GEO_OK
						  : geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot add grid fields: %s",
							     geo_cpl_error("driver refused"));
}

static const char **input_names(run *r, const char *grids, const char *features)
{
	static const size_t n = 4;
	const char **names = geo_calloc(r->ctx, n, sizeof *names);
	if (names) {
		names[0] = grids;
		names[1] = features;
		names[2] = r->o->parents;
	}
	return names;
}

static geo_err open_output(run *r, const char *path, const char *format, const char *const *inputs,
			   geo_output **out, OGRLayerH *l, OGRwkbGeometryType type, const char *layer)
{
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.format = format;
	oo.overwrite = r->o->common.out.overwrite;
	oo.inputs = inputs;
	*out = geo_output_open(r->ctx, path, &oo);
	if (!*out)
		return geo_last_code(r->ctx);
	*l = geo_output_create_layer(r->ctx, *out, layer, r->out_crs, type);
	return *l ? GEO_OK : geo_last_code(r->ctx);
}

/* The dimension class the layer declares (0 when it may mix). */
static int layer_dim(run *r)
{
	return geo_geom_dimension_class(OGR_L_GetGeomType(r->layer));
}

static geo_err open_outputs(run *r, const char *const *inputs)
{
	const geo_place_opts *o = r->o;
	int dim = layer_dim(r);
	OGRwkbGeometryType type = OGR_L_GetGeomType(r->layer);
	if (o->mode == GEO_PLACE_SPLIT && (dim == 1 || dim == 2))
		type = r->multi = dim == 1 ? wkbMultiPolygon : wkbMultiLineString;
	geo_err e = GEO_OK;
	if (o->common.output) {
		e = open_output(r, o->common.output, o->common.out.format, inputs, &r->out, &r->out_layer, type, NULL);
		if (!e)
			e = copy_input_fields(r, r->out_layer, &r->map);
		if (!e)
			e = add_place_fields(r, r->out_layer, dim);
		if (!e && !(r->of = OGR_F_Create(OGR_L_GetLayerDefn(r->out_layer))))
			e = geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	if (!e && o->unplaced) {
		e = open_output(r, o->unplaced, NULL, inputs, &r->un_out, &r->un_layer,
				OGR_L_GetGeomType(r->layer), NULL);
		if (!e)
			e = copy_input_fields(r, r->un_layer, &r->un_map);
		if (!e && !(r->uf = OGR_F_Create(OGR_L_GetLayerDefn(r->un_layer))))
			e = geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	return e;
}

/* When only the summary is wanted, OGR need not read the other fields;
** except those --where names, which some drivers (CSV) would then see as
** null: with a filter, every field is read. */
static void ignore_unused_fields(run *r)
{
	if (r->out_layer || r->un_layer || r->o->common.where)
		return;
	OGRFeatureDefnH d = geo_input_defn(r->in);
	char **keep = geo_place_summary_fields(r->sum, d), **ignore = NULL;
	if (geo_window_opts_given(&r->o->common.window)) /* the input's time window reads it */
		keep = CSLAddString(keep, r->o->common.window.date_field);
	for (int i = 0; i < OGR_FD_GetFieldCount(d); i++) {
		const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i));
		if (CSLFindString(keep, name) < 0)
			ignore = CSLAddString(ignore, name);
	}
	ignore = CSLAddString(ignore, "OGR_STYLE");
	OGR_L_SetIgnoredFields(r->layer, (const char **)ignore);
	CSLDestroy(ignore);
	CSLDestroy(keep);
}

static geo_err open_features(run *r, const char *features)
{
	const geo_place_opts *o = r->o;
	geo_input_opts io;
	geo_input_opts_init(&io);
	io.s_srs = o->common.s_srs;
	io.where = o->common.where;
	io.window = &o->common.window;
	if (!(r->in = geo_input_open(r->ctx, features, &io)))
		return geo_last_code(r->ctx);
	geo_err e = geo_input_require_crs(r->ctx, r->in);
	if (!e)
		e = geo_input_set_target(r->ctx, r->in, r->g.set->crs);
	if (e)
		return e;
	r->layer = geo_input_layer(r->in);
	r->in_crs = geo_input_crs(r->in);
	r->out_crs = o->common.t_srs ? geo_crs_new(r->ctx, o->common.t_srs) : geo_crs_clone(r->in_crs);
	if (!r->out_crs)
		return geo_last_code(r->ctx);
	if (!(r->to_work = geo_transform_new(r->ctx, r->in_crs, r->g.set->crs)) ||
	    !(r->work_to_out = geo_transform_new(r->ctx, r->g.set->crs, r->out_crs)))
		return geo_last_code(r->ctx);
	if (!geo_crs_equal(r->in_crs, r->out_crs) &&
	    !(r->to_out = geo_transform_new(r->ctx, r->in_crs, r->out_crs)))
		return geo_last_code(r->ctx);
	return GEO_OK;
}

static geo_err write_summary(run *r, const char *const *inputs)
{
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = r->o->common.out.overwrite;
	oo.inputs = inputs;
	geo_crs *crs = r->o->common.t_srs ? geo_crs_new(r->ctx, r->o->common.t_srs) : geo_crs_clone(r->g.set->source_crs);
	if (!crs)
		return geo_last_code(r->ctx);
	geo_place_table t = { (const char *const *)r->g.ids, (const char *const *)r->g.parent,
			      r->g.geoms, r->g.order, r->g.set->crs, crs };
	geo_err e = geo_place_summary_write(r->ctx, r->sum, r->o->summary, &oo, &t);
	geo_crs_free(crs);
	return e;
}

/* A muted palette for the placed features, one colour a grid in code order,
** so neighbouring grids (consecutive codes) differ; ColorBrewer Set2 and Set3. */
static const char *const grid_colours[] = {
	"102,194,165", "252,141,98", "141,160,203", "231,138,195", "166,216,84", "255,217,47",
	"229,196,148", "128,177,211", "188,128,189", "204,235,197",
};

/* The kind of symbol that draws the written features: the output layer's
** kind, else the one kind of feature placed; -1 when they mix. */
static int features_kind(run *r)
{
	static const int kinds[] = { -1, GEO_QML_FILL, GEO_QML_LINE, GEO_QML_MARKER };
	int declared = geo_geom_dimension_class(OGR_L_GetGeomType(r->out_layer)), dim = declared;
	for (int d = 1; !declared && d <= 3; d++)
		if (r->dims[d])
			dim = dim ? -1 : d;
	return dim > 0 ? kinds[dim] : -1;
}

/* A QGIS style for the placed features: categorized by grid code, a colour
** a grid, the features left unplaced in red. No style for CSV, or for a
** layer that mixes points, lines and polygons (one symbol cannot draw all). */
static geo_err style_features(run *r)
{
	int kind = features_kind(r);
	if (kind < 0 || !strcmp(geo_output_driver(r->out), "CSV"))
		return GEO_OK;
	size_t n = r->g.view.n;
	geo_qml_category *c = geo_calloc(r->ctx, n + 1, sizeof *c);
	if (!c)
		return GEO_ERR_INTERNAL;
	size_t ncolours = sizeof grid_colours / sizeof grid_colours[0];
	for (size_t k = 0; k < n; k++) {
		const char *id = r->g.ids[r->g.order[k]];
		c[k] = (geo_qml_category){ id, id, grid_colours[k % ncolours], NULL };
	}
	c[n] = (geo_qml_category){ "", "unplaced", "228,26,28",
				   kind == GEO_QML_MARKER ? "cross_fill" : "b_diagonal" };
	geo_qml_categorized_opts o = { r->o->grid.id_field, kind,
				       kind == GEO_QML_FILL ? 0.6 : 1,
				       kind == GEO_QML_MARKER ? 2.4 : kind == GEO_QML_LINE ? 0.6 : 0.4,
				       kind == GEO_QML_MARKER ? "50,50,50" : NULL, NULL };
	char *qml = geo_qml_categorized(c, n + 1, &o);
	geo_err e = qml ? geo_output_style(r->ctx, r->out, r->out_layer, qml)
			: geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	free(qml);
	free(c);
	return e;
}

static geo_err commit(run *r)
{
	geo_err e = GEO_OK;
	if (r->un_out && (e = geo_output_commit(r->ctx, r->un_out)))
		return e;
	if (r->out && ((e = style_features(r)) || (e = geo_output_commit(r->ctx, r->out))))
		return e;
	return GEO_OK;
}

static void free_run(run *r)
{
	if (r->of)
		OGR_F_Destroy(r->of);
	if (r->uf)
		OGR_F_Destroy(r->uf);
	geo_output_close(r->out);
	geo_output_close(r->un_out);
	free(r->map);
	free(r->un_map);
	geo_place_summary_free(r->sum);
	geo_transform_free(r->to_work);
	geo_transform_free(r->to_out);
	geo_transform_free(r->work_to_out);
	geo_crs_free(r->out_crs);
	geo_input_close(r->in);
	free(r->pieces);
	free(r->cands);
	free_grids(&r->g);
}

/* ---- the report ------------------------------------------------------------ */

static const char *mode_name(geo_place_mode m)
{
	return m == GEO_PLACE_SPLIT ? N_("split") : m == GEO_PLACE_CENTROID ? N_("centroid") : N_("largest");
}

static void report_json(const run *r, const char *features, geo_buf *b)
{
	geo_buf_add(b, "{\"features_file\": ");
	geo_json_str(b, features);
	geo_buf_add(b, ", \"grids_file\": ");
	geo_json_str(b, r->g.set->source);
	geo_buf_printf(b, ", \"grids\": %zu, \"level\": %d, \"mode\": ", r->g.view.n,
		       r->g.levels == 2 ? 2 : r->g.view.n ? r->g.view.grids[0].level : 0);
	geo_json_str(b, mode_name(r->o->mode));
	geo_buf_printf(b,
		       ", \"counts\": {\"features\": %lld, \"points\": %lld, \"lines\": %lld, "
		       "\"polygons\": %lld, \"placed\": %lld, \"unplaced\": %lld, \"no_geometry\": %lld, "
		       "\"near\": %lld, \"written\": %lld, \"outside_pieces\": %lld}",
		       r->features, r->dims[3], r->dims[2], r->dims[1], r->placed, r->unplaced,
		       r->no_geometry, r->near, r->pieces_out, r->outside);
	geo_buf_add(b, ", \"unplaced\": [");
	for (long long i = 0; i < r->unplaced && i < MAX_LISTED; i++)
		geo_buf_printf(b, "%s%lld", i ? ", " : "", r->listed[i]);
	geo_buf_add(b, "], \"near\": [");
	for (long long i = 0; i < r->near && i < MAX_LISTED; i++) {
		geo_buf_printf(b, "%s{\"feature\": %lld, \"grid_id\": ", i ? ", " : "",
			       r->near_list[i].fid);
		geo_json_str(b, r->g.ids[r->near_list[i].grid]);
		geo_buf_add(b, ", \"distance_m\": ");
		geo_json_num(b, r->near_list[i].distance, 2);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "]");
	if (r->o->common.verbose)
		geo_buf_printf(b, ", \"seconds\": {\"grids\": %.3f, \"features\": %.3f}",
			       r->seconds_grids, r->seconds_features);
	geo_buf_add(b, "}\n");
}

static void report_text(const run *r, geo_buf *b)
{
	const place_grids *g = &r->g;
	geo_buf_printf(b, _("Grids: %zu%s, from %s\n"), g->view.n,
		       g->levels == 2 ? _(" secondary (the layer holds both levels)") : "", g->set->source);
	geo_buf_printf(b, _("Features: %lld (%lld points, %lld lines, %lld polygons, %lld without geometry)\n"),
		       r->features, r->dims[3], r->dims[2], r->dims[1], r->no_geometry);
	if (r->dims[1] || r->dims[2])
		geo_buf_printf(b, _("Mode: %s\n"), _(mode_name(r->o->mode)));
	geo_buf_printf(b, _("Placed: %lld\n"), r->placed);
	if (r->near) {
		geo_buf_printf(b, _("Near a grid (within %.2f m): %lld:"), r->o->max_distance, r->near);
		for (long long i = 0; i < r->near && i < MAX_LISTED; i++)
			geo_buf_printf(b, " %lld (%s, %.2f m)", r->near_list[i].fid,
				       g->ids[r->near_list[i].grid], r->near_list[i].distance);
		geo_buf_add(b, r->near > MAX_LISTED ? " ...\n" : "\n");
	}
	geo_buf_printf(b, _("Unplaced: %lld"), r->unplaced);
	for (long long i = 0; i < r->unplaced && i < MAX_LISTED; i++)
		geo_buf_printf(b, "%s%lld", i ? " " : _(" (features "), r->listed[i]);
	geo_buf_add(b, r->unplaced > MAX_LISTED ? " ...)\n" : r->unplaced ? ")\n" : "\n");
	if (r->outside)
		geo_buf_printf(b, _("Pieces outside every grid: %lld\n"), r->outside);
	if (r->out_layer && r->o->mode == GEO_PLACE_SPLIT)
		geo_buf_printf(b, _("Written: %lld features\n"), r->pieces_out);
	if (r->o->common.verbose)
		geo_buf_printf(b, _("Time: %.3f s reading grids, %.3f s placing\n"), r->seconds_grids,
			       r->seconds_features);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static geo_err check_opts(geo_ctx *ctx, const geo_place_opts *o)
{
	if (o->max_distance < 0)
		return geo_fail(ctx, GEO_ERR_USAGE, "--max-distance: must not be negative");
	if (o->common.json && o->common.output && !strcmp(o->common.output, "-") && !o->summary)
		return geo_fail(ctx, GEO_ERR_USAGE,
				"--json needs -o or --summary: the features would go to standard output");
	return GEO_OK;
}

static geo_err place(geo_ctx *ctx, const char *grids, const char *features,
		     const geo_place_opts *o, char **report, geo_progress progress,
		     void *progress_data)
{
	run r = { .ctx = ctx, .h = geo_ctx_geos(ctx), .o = o };
	geo_err e = check_opts(ctx, o);
	double t0 = now();
	if (!e)
		e = load_grids(ctx, &r.g, grids, o);
	r.seconds_grids = now() - t0;
	const char **inputs = e ? NULL : input_names(&r, grids, features);
	if (!e && !inputs)
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = open_features(&r, features);
	if (!e && o->summary &&
	    !(r.sum = geo_place_summary_new(ctx, r.g.view.n, geo_input_defn(r.in), o->sum_fields,
					    o->count_by, features)))
		e = geo_last_code(ctx);
	if (!e && !o->summary && (o->sum_fields || o->count_by))
		e = geo_fail(ctx, GEO_ERR_USAGE, "--sum and --count-by need --summary FILE");
	if (!e)
		e = open_outputs(&r, inputs);
	if (!e) {
		ignore_unused_fields(&r);
		t0 = now();
		e = place_all(&r, progress, progress_data);
		r.seconds_features = now() - t0;
	}
	if (!e && r.sum)
		e = write_summary(&r, inputs);
	if (!e)
		e = commit(&r);
	if (!e) {
		geo_buf b;
		geo_buf_init(&b);
		if (o->common.json)
			report_json(&r, features, &b);
		else
			report_text(&r, &b);
		if (!(*report = geo_buf_take(&b)))
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	if (!e && o->common.strict && r.unplaced)
		e = GEO_PROBLEMS;
	free(inputs);
	free_run(&r);
	return e;
}

geo_err geo_place(geo_ctx *ctx, const char *grids, const char *features, const geo_place_opts *o,
		  geo_place_result **result, geo_progress progress, void *progress_data)
{
	char *report = NULL;
	geo_err e = place(ctx, grids, features, o, &report, progress, progress_data);
	return geo_rendered_give(ctx, e, report, o->common.json, result);
}

/* ---- placing for other verbs --------------------------------------------------- */

/* grid-place's rules for one whole feature at a time, over grids another verb
** holds (grid-diff places every feature on the old and the new grids), so a
** feature lands where grid-place would put it. */
struct geo_feature_placer {
	run r;
	geo_place_opts o;
	size_t *to_set;         /* view index -> index into the borrowed set */
};

void geo_feature_placer_free(geo_feature_placer *fp)
{
	if (!fp)
		return;
	clear_pieces(&fp->r);
	free(fp->r.pieces);
	free(fp->r.cands);
	fp->r.g.set = NULL; /* borrowed */
	free_grids(&fp->r.g);
	free(fp->to_set);
	free(fp);
}

geo_feature_placer *geo_feature_placer_new(geo_ctx *ctx, const geo_gridset *grids,
					   const geo_place_opts *o)
{
	geo_feature_placer *fp = geo_calloc(ctx, 1, sizeof *fp);
	if (!fp)
		return NULL;
	if (o)
		fp->o = *o;
	else
		geo_place_opts_init(&fp->o);
	if (fp->o.mode == GEO_PLACE_SPLIT)
		fp->o.mode = GEO_PLACE_LARGEST;
	fp->r.ctx = ctx;
	fp->r.h = geo_ctx_geos(ctx);
	fp->r.o = &fp->o;
	fp->r.g.set = (geo_gridset *)grids;
	geo_err e = make_view(ctx, &fp->r.g);
	if (!e && !(fp->to_set = geo_calloc(ctx, grids->n + 1, sizeof *fp->to_set)))
		e = GEO_ERR_INTERNAL;
	for (size_t i = 0, k = 0; !e && i < grids->n; i++)
		if (fp->r.g.levels == 1 || grids->grids[i].level == 2)
			fp->to_set[k++] = i;
	if (!e && !(fp->r.g.placer = geo_placer_new(ctx, &fp->r.g.view)))
		e = geo_last_code(ctx);
	if (e) {
		geo_feature_placer_free(fp);
		return NULL;
	}
	return fp;
}

geo_err geo_feature_place(geo_feature_placer *fp, const GEOSGeometry *g, long *grid)
{
	run *r = &fp->r;
	*grid = -1;
	if (!g || GEOSisEmpty_r(r->h, g))
		return GEO_OK;
	clear_pieces(r);
	geo_err e = place_geometry(r, g, type_dim(GEOSGeomTypeId_r(r->h, g)));
	if (!e && r->npieces && r->pieces[0].grid >= 0)
		*grid = (long)fp->to_set[r->pieces[0].grid];
	clear_pieces(r);
	return e;
}
