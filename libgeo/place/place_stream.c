/*
** place_stream.c: grid-place's feature stream: the features read in
** batches, placed, counted into the result, summed per grid and handed to
** the writer, then forgotten, so that memory holds the grids only. Points go
** straight to the placer (their coordinates read with OGR_G_GetX/GetY and
** transformed in batches, no GEOS on the way), lines and polygons through
** GEOS and the geometry rules. Counting alone, from a layer with a fast
** Arrow stream, reads the points and the summed fields in columns instead.
*/
#include "place/place_stream.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

enum { BATCH = 256 };

/* The values a feature gives the summary: its fields, or (f NULL) sums and by. */
typedef struct values {
	OGRFeatureH f;
	const double *sums;
	const char *by;
} values;

/* Notes a piece that went to a grid it lies near, naming the first few. */
static geo_err note_near(place_stream *r, long long fid, const place_piece *p)
{
	geo_place_result *res = r->res;
	if (res->near++ >= PLACE_LISTED)
		return GEO_OK;
	if (!res->near_listed &&
	    !(res->near_listed = geo_calloc(r->ctx, PLACE_LISTED, sizeof *res->near_listed)))
		return GEO_ERR_INTERNAL;
	geo_place_near *n = &res->near_listed[res->nnear_listed];
	*n = (geo_place_near){ fid, geo_strdup(r->ctx, r->g->ids[p->grid]), p->distance };
	if (!n->grid_id)
		return GEO_ERR_INTERNAL;
	res->nnear_listed++;
	return GEO_OK;
}

/* Notes a feature left unplaced, naming the first few. */
static geo_err note_unplaced(place_stream *r, long long fid, int dim)
{
	geo_place_result *res = r->res;
	res->no_geometry += dim == 0;
	if (res->unplaced++ >= PLACE_LISTED)
		return GEO_OK;
	if (!res->unplaced_listed &&
	    !(res->unplaced_listed = geo_calloc(r->ctx, PLACE_LISTED, sizeof *res->unplaced_listed)))
		return GEO_ERR_INTERNAL;
	res->unplaced_listed[res->nunplaced_listed++] = fid;
	return GEO_OK;
}

static geo_err add_to_summary(place_stream *r, const place_piece *p, int dim, const values *v)
{
	if (!r->sum)
		return GEO_OK;
	if (v->f)
		return geo_place_summary_add(r->ctx, r->sum, p->grid, v->f, dim, p->measure, p->share);
	return geo_place_summary_add_values(r->ctx, r->sum, p->grid, dim, p->measure, p->share,
					    v->sums, v->by);
}

/* Counts the feature's pieces and feeds the summary; returns 1 in *placed
** when some piece has a grid. */
static geo_err tally(place_stream *r, long long fid, int dim, const values *v, int *placed)
{
	const place_rules *pr = &r->rules;
	*placed = 0;
	for (size_t i = 0; i < pr->npieces; i++) {
		const place_piece *p = &pr->pieces[i];
		*placed |= p->grid >= 0;
		r->res->outside_pieces += p->grid < 0 && pr->npieces > 1;
		geo_err e = add_to_summary(r, p, dim, v);
		if (!e && p->grid >= 0 && p->distance > 0)
			e = note_near(r, fid, p);
		if (e)
			return e;
	}
	if (*placed) {
		r->res->placed++;
		return GEO_OK;
	}
	return note_unplaced(r, fid, dim);
}

/* Counts the feature's pieces, feeds the summary and writes it out. */
static geo_err emit(place_stream *r, OGRFeatureH f, int dim)
{
	int placed;
	values v = { f, NULL, NULL };
	geo_err e = tally(r, (long long)OGR_F_GetFID(f), dim, &v, &placed);
	if (!e && !placed && r->w->un_layer)
		e = place_write_unplaced(r->w, f);
	if (!e && r->w->out_layer)
		e = place_write_pieces(r->w, f, r->rules.pieces, r->rules.npieces);
	return e;
}

static geo_err feature_error(place_stream *r, OGRFeatureH f, const char *what)
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
static void warn_no_geometry(place_stream *r, OGRFeatureH f)
{
	if (r->res->no_geometry >= PLACE_LISTED)
		return;
	char label[256];
	geo_feat_label(f, -1, label, sizeof label);
	geo_log(r->ctx, GEO_LOG_WARN, "%s: %s: has no geometry; left unplaced",
		geo_input_name(r->in), label);
}

/* Places a feature that is not a point by its geometry; *dim is its
** dimension class (0: none). */
static geo_err place_shape(place_stream *r, OGRFeatureH f, int *dim)
{
	OGRGeometryH og = OGR_F_GetGeometryRef(f);
	if (!og || OGR_G_IsEmpty(og)) {
		*dim = 0;
		warn_no_geometry(r, f);
		return place_rules_none(&r->rules);
	}
	if (!(*dim = geo_geom_dimension_class(OGR_G_GetGeometryType(og)))) {
		char what[128];
		snprintf(what, sizeof what, "a %s cannot be placed: use points, lines or polygons",
			 OGR_G_GetGeometryName(og));
		return feature_error(r, f, what);
	}
	GEOSGeometry *geom = NULL;
	geo_err e = geo_input_geometry(r->ctx, r->in, f, &geom);
	if (!e)
		e = place_rules_geometry(&r->rules, geom, *dim);
	GEOSGeom_destroy_r(r->h, geom);
	return e;
}

/* Places one feature; a point (has_xy) comes located in grid g, at (x, y)
** in the working CRS. */
static geo_err place_feature(place_stream *r, OGRFeatureH f, int has_xy, long g, double x, double y)
{
	int dim = 3;
	place_rules_clear(&r->rules);
	r->res->features++;
	geo_err e = has_xy ? place_rules_point(&r->rules, g, x, y) : place_shape(r, f, &dim);
	r->dims[dim]++;
	return e ? e : emit(r, f, dim);
}

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
static geo_err read_batch(place_stream *r, batch *b)
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
static geo_err transform_batch_points(place_stream *r, batch *b)
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
static geo_err transform_batch(place_stream *r, batch *b)
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

static geo_err stream(place_stream *r, geo_progress progress, void *pdata)
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
		geo_placer_locate_many(r->g->placer, b->k, b->x, b->y, b->grid);
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
			 !geo_progress_step(r->ctx, progress, pdata, fmin(1, (double)r->res->features / total),
					    "placing"))
			e = GEO_ERR_INTERNAL;
	} while (!e && b->n == BATCH);
	place_rules_clear(&r->rules);
	free(b);
	return e;
}

/* Transforms n points to the working CRS in place; names the feature of
** the first point that cannot be transformed. */
static geo_err transform_points(place_stream *r, size_t n, double *x, double *y, const int64_t *fid)
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
static geo_err transform_fids(place_stream *r, size_t n, double *x, double *y, const int64_t *fid)
{
	geo_err e = geo_transform_is_identity(r->to_work) ? GEO_OK : transform_points(r, n, x, y, fid);
	char why[256];
	for (size_t i = 0; !e && i < n; i++) /* io.c's limit, for points read in bulk */
		if (geo_coord_problem(x[i], y[i], x[i], y[i], why, sizeof why))
			e = geo_fail(r->ctx, GEO_ERR_INPUT, "%s: feature %lld: %s",
				     geo_input_name(r->in), (long long)fid[i], why);
	return e;
}

/* The points of an Arrow batch with geometry, in the working CRS, and
** where the placer put them; reused from batch to batch. */
typedef struct columns {
	double *x, *y;
	int64_t *fid;
	long *grid;
	size_t cap;
} columns;

static void columns_free(columns *c)
{
	free(c->x), free(c->y), free(c->fid), free(c->grid);
	*c = (columns){ 0 };
}

/* Room for n points. */
static geo_err columns_fit(geo_ctx *ctx, columns *c, size_t n)
{
	if (n <= c->cap)
		return GEO_OK;
	columns_free(c);
	c->x = geo_calloc(ctx, n, sizeof *c->x);
	c->y = geo_calloc(ctx, n, sizeof *c->y);
	c->fid = geo_calloc(ctx, n, sizeof *c->fid);
	c->grid = geo_calloc(ctx, n, sizeof *c->grid);
	c->cap = c->x && c->y && c->fid && c->grid ? n : 0;
	return c->cap ? GEO_OK : GEO_ERR_INTERNAL;
}

/* The batch's points with geometry, transformed and located: how many. */
static geo_err locate_columns(place_stream *r, const geo_arrow_batch *b, columns *c, size_t *k)
{
	*k = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!isnan(b->x[i])) {
			c->x[*k] = b->x[i];
			c->y[*k] = b->y[i];
			c->fid[(*k)++] = b->fid[i] + geo_input_fid_offset(r->in);
		}
	geo_err e = transform_fids(r, *k, c->x, c->y, c->fid);
	if (!e)
		geo_placer_locate_many(r->g->placer, *k, c->x, c->y, c->grid);
	return e;
}

/* Places one Arrow batch: the points with geometry are transformed and
** located together, then every row is tallied. */
static geo_err place_arrow_batch(place_stream *r, const geo_arrow_batch *b, columns *c)
{
	size_t k;
	geo_err e = locate_columns(r, b, c, &k);
	int nsum = 0;
	const char *const *names;
	const char *by;
	geo_place_summary_inputs(r->sum, geo_input_defn(r->in), &nsum, &names, &by);
	k = 0;
	for (size_t i = 0; !e && i < b->n; i++) {
		int dim = isnan(b->x[i]) ? 0 : 3, placed;
		place_rules_clear(&r->rules);
		r->res->features++;
		r->dims[dim]++;
		if (dim) {
			e = place_rules_point(&r->rules, c->grid[k], c->x[k], c->y[k]);
			k++;
		} else
			e = place_rules_none(&r->rules);
		values v = { NULL, b->sums + i * (size_t)nsum, b->by[i] };
		if (!e)
			e = tally(r, (long long)b->fid[i] + geo_input_fid_offset(r->in), dim, &v,
				  &placed);
	}
	return e;
}

/* Counting alone from a layer with a fast Arrow stream. */
static geo_err stream_arrow(place_stream *r, geo_arrow_points *a, geo_progress progress, void *pdata)
{
	double total = (double)geo_input_count(r->in);
	columns c = { 0 };
	geo_err e = GEO_OK;
	for (;;) {
		const geo_arrow_batch *b;
		if ((e = geo_arrow_points_next(r->ctx, a, geo_input_name(r->in), &b)) || !b->n)
			break;
		if ((e = columns_fit(r->ctx, &c, b->n)) || (e = place_arrow_batch(r, b, &c)))
			break;
		if (total > 0 && !geo_progress_step(r->ctx, progress, pdata,
						    fmin(1, (double)r->res->features / total), "counting")) {
			e = GEO_ERR_INTERNAL;
			break;
		}
	}
	place_rules_clear(&r->rules);
	columns_free(&c);
	return e;
}

/* Counting alone goes through the Arrow stream when the layer has a fast
** one; everything else reads feature by feature, and so does an input with
** a time window, which geo_input_next applies. */
static geo_err place_all(place_stream *r, geo_progress progress, void *pdata)
{
	geo_arrow_points *a = NULL;
	if (r->sum && !r->w->out_layer && !r->w->un_layer && !geo_input_windowed(r->in)) {
		int nsum;
		const char *const *names;
		const char *by;
		geo_place_summary_inputs(r->sum, geo_input_defn(r->in), &nsum, &names, &by);
		a = geo_arrow_points_open(r->ctx, r->layer, nsum, names, by);
	}
	geo_err e = a ? stream_arrow(r, a, progress, pdata) : stream(r, progress, pdata);
	if (a && !e)
		geo_input_read_to_end(r->ctx, r->in, (int64_t)r->res->features);
	geo_arrow_points_close(a);
	return e;
}

/* When only the summary is wanted, OGR need not read the other fields;
** except those --where names, which some drivers (CSV) would then see as
** null: with a filter, every field is read. */
static void ignore_unused_fields(place_stream *r)
{
	if (r->w->out_layer || r->w->un_layer || r->o->common.where)
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

geo_err place_stream_open(place_stream *r, geo_ctx *ctx, const char *features,
			  const geo_place_opts *o, place_grids *g)
{
	*r = (place_stream){ .ctx = ctx, .h = geo_ctx_geos(ctx), .o = o, .g = g };
	place_rules_init(&r->rules, ctx, g, o->mode, o->max_distance);
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, o->common.where);
	io.window = &o->common.window;
	if (!(r->in = geo_input_open(ctx, features, &io)))
		return geo_last_code(ctx);
	geo_err e = geo_input_require_crs(ctx, r->in);
	if (!e)
		e = geo_input_set_target(ctx, r->in, g->set->crs);
	if (e)
		return e;
	r->layer = geo_input_layer(r->in);
	if (!(r->to_work = geo_transform_new(ctx, geo_input_crs(r->in), g->set->crs)))
		return geo_last_code(ctx);
	return GEO_OK;
}

geo_err place_stream_run(place_stream *r, place_writer *w, geo_place_summary *sum,
			 geo_place_result *res, geo_progress progress, void *progress_data)
{
	r->w = w;
	r->sum = sum;
	r->res = res;
	ignore_unused_fields(r);
	return place_all(r, progress, progress_data);
}

void place_stream_close(place_stream *r)
{
	place_rules_free(&r->rules);
	geo_transform_free(r->to_work);
	geo_input_close(r->in);
}
