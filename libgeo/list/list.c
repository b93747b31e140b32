/*
** list.c: grid-list's verb, the inspection lists (踏查清单): every feature of
** the layers placed in its grid by grid-place's rules, numbered in reading
** order within its grid, and handed to list_out.c and list_pdf.c to write.
*/
#include "list/list_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void geo_list_opts_init(geo_list_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_common_opts_init(&o->common);
	geo_grid_opts_init(&o->grid);
	geo_staff_opts_init(&o->staff);
	o->sheets = GEO_LIST_BY_GRID;
	o->font = "Noto Sans CJK SC";
}

/* ---- the grids ---------------------------------------------------------------- */

static int by_code_then_fid(const void *x, const void *y)
{
	const geo_grid *a = x, *b = y;
	int c = strcmp(a->id, b->id);
	return c ? c : a->fid < b->fid ? -1 : a->fid > b->fid;
}

static int by_fid(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;
	return (a > b) - (a < b);
}

/* The grids a feature can be listed in: the secondaries of a layer of both
** levels, as the placer places on them, that --grid-where keeps. */
static void count_listed(list_run *run)
{
	run->grids_listed = 0;
	for (size_t i = 0; i < run->gs->n; i++) {
		if (run->both_levels && run->gs->grids[i].level != 2)
			run->listed[i] = 0;
		run->grids_listed += run->listed[i] != 0;
	}
}

/* --grid-where: the grids listed. Features are placed on every grid all the
** same, so that one of an unlisted grid is not taken for one in no grid. */
static geo_err select_grids(list_run *run, const char *name)
{
	const geo_list_opts *o = run->o;
	geo_gridset *gs = run->gs;
	if (!(run->listed = geo_calloc(run->ctx, gs->n, 1)))
		return GEO_ERR_INTERNAL;
	if (!o->grid_where) {
		memset(run->listed, 1, gs->n);
		count_listed(run);
		return GEO_OK;
	}
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, o->grid_where);
	geo_input *in = geo_input_open(run->ctx, name, &io);
	if (!in)
		return geo_last_code(run->ctx);
	size_t n = 0, cap = 64;
	long long *fids = geo_calloc(run->ctx, cap, sizeof *fids);
	geo_err e = fids ? GEO_OK : GEO_ERR_INTERNAL;
	while (!e) {
		OGRFeatureH f = NULL;
		if ((e = geo_input_next(run->ctx, in, &f, NULL)) || !f)
			break;
		if (n == cap) {
			long long *more = geo_realloc_array(run->ctx, fids, cap *= 2, sizeof *fids);
			if (!more)
				e = GEO_ERR_INTERNAL;
			else
				fids = more;
		}
		if (!e)
			fids[n++] = OGR_F_GetFID(f);
		OGR_F_Destroy(f);
	}
	geo_input_close(in);
	if (!e && !n)
		e = geo_fail(run->ctx, GEO_ERR_INPUT, "%s: no grids match --grid-where", name);
	if (!e) {
		qsort(fids, n, sizeof *fids, by_fid);
		for (size_t i = 0; i < gs->n; i++)
			run->listed[i] = bsearch(&gs->grids[i].fid, fids, n, sizeof *fids, by_fid) != NULL;
		count_listed(run);
	}
	free(fids);
	return e;
}

static geo_err read_grids(list_run *run, const char *name)
{
	const geo_list_opts *o = run->o;
	geo_crs *work = o->common.work_srs ? geo_crs_new(run->ctx, o->common.work_srs) : NULL;
	if (o->common.work_srs && !work)
		return geo_last_code(run->ctx);
	if (work && !geo_crs_is_projected(work)) {
		geo_crs_free(work);
		return geo_fail(run->ctx, GEO_ERR_USAGE, "--work-srs %s is not a projected CRS",
				o->common.work_srs);
	}
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, NULL);
	run->gs = geo_gridset_read(run->ctx, name, &io, &o->grid, work);
	geo_crs_free(work);
	if (!run->gs)
		return geo_last_code(run->ctx);
	geo_gridset *gs = run->gs;
	if (OGR_FD_GetFieldIndex(gs->defn, o->grid.id_field) < 0)
		return geo_fail(run->ctx, GEO_ERR_INPUT,
				"%s: has no '%s' field; name the code field with --id-field", name,
				o->grid.id_field);
	if (!gs->n)
		return geo_fail(run->ctx, GEO_ERR_INPUT, "%s: no grids", name);
	/* Code order is the order of the lists, whatever the order of the layer. */
	qsort(gs->grids, gs->n, sizeof *gs->grids, by_code_then_fid);
	size_t n2 = 0;
	for (size_t i = 0; i < gs->n; i++)
		n2 += gs->grids[i].level == 2;
	run->both_levels = n2 && n2 < gs->n;
	if (!(run->staff = geo_calloc(run->ctx, gs->n, sizeof *run->staff)))
		return GEO_ERR_INTERNAL;
	geo_staff_fields f = { o->staff.worker_field, o->staff.phone_field, o->grid.id_field,
			       o->grid.name_field };
	geo_err e = geo_staff_read(run->ctx, gs, &f, o->staff.roster, name, run->staff);
	for (size_t i = 0; !e && i < gs->n; i++)
		run->has_workers |= *run->staff[i].worker != '\0';
	return e ? e : select_grids(run, name);
}

/* ---- the features ------------------------------------------------------------- */

/* Fields that say what a feature is, tried in order. */
static const char *const name_fields[] = { "name",    "名称", "address", "地址", "addr",
					   "head",    "户主", "householder", NULL };
static const char *const village_fields[] = { "village", "村", "村庄", "所属村", NULL };
static const char *const kind_fields[] = { "kind", "type", "类型", "类别", "种类", "category", NULL };

struct source {
	geo_input *in;
	int id, name, village, kind;
};

static int first_field(OGRFeatureDefnH d, const char *const *names)
{
	int f = -1;
	for (int k = 0; f < 0 && names[k]; k++)
		f = OGR_FD_GetFieldIndex(d, names[k]);
	return f;
}

/* id, else the first field named *_id (not the grid's codes), 编号 or hid. */
static int id_field(OGRFeatureDefnH d)
{
	int id = OGR_FD_GetFieldIndex(d, "id");
	for (int f = 0; id < 0 && f < OGR_FD_GetFieldCount(d); f++) {
		const char *fn = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, f));
		size_t len = strlen(fn);
		if (!strcasecmp(fn, "grid_id") || !strcasecmp(fn, "parent_id"))
			continue;
		if ((len > 3 && !strcasecmp(fn + len - 3, "_id")) || !strcmp(fn, "编号") ||
		    !strcmp(fn, "hid"))
			id = f;
	}
	return id;
}

static geo_err open_source(list_run *run, const char *name, struct source *s, int *windowed)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &run->o->common, run->o->common.where);
	if (!(s->in = geo_input_open(run->ctx, name, &io)))
		return geo_last_code(run->ctx);
	if (geo_input_set_target(run->ctx, s->in, run->gs->crs) ||
	    geo_input_window_if_dated(run->ctx, s->in, name, &run->o->common.window, windowed))
		return geo_last_code(run->ctx);
	OGRFeatureDefnH d = geo_input_defn(s->in);
	s->id = id_field(d);
	s->name = first_field(d, name_fields);
	s->village = first_field(d, village_fields);
	s->kind = first_field(d, kind_fields);
	return GEO_OK;
}

static geo_err grow(list_run *run)
{
	if (run->nitems < run->cap)
		return GEO_OK;
	size_t cap = run->cap ? 2 * run->cap : 256;
	list_item *it = geo_realloc_array(run->ctx, run->items, cap, sizeof *it);
	if (!it)
		return GEO_ERR_INTERNAL;
	run->items = it;
	run->cap = cap;
	return GEO_OK;
}

/* The longest line of g (a line, or lines). */
static const GEOSGeometry *longest_line(GEOSContextHandle_t h, const GEOSGeometry *g)
{
	const GEOSGeometry *best = NULL;
	double best_len = -1;
	for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
		double len = 0;
		if (GEOSGeomTypeId_r(h, part) == GEOS_LINESTRING && GEOSLength_r(h, part, &len) &&
		    len > best_len)
			best = part, best_len = len;
	}
	return best;
}

/* Where the feature's number goes: the middle of a line (of its longest
** line), a point inside a polygon, the point itself. */
static geo_err number_point(list_run *run, list_item *it)
{
	const GEOSGeometry *line = it->dim == LIST_LINE ? longest_line(run->h, it->geom) : NULL;
	GEOSGeometry *p = line ? GEOSInterpolateNormalized_r(run->h, line, 0.5)
			       : GEOSPointOnSurface_r(run->h, it->geom);
	int ok = p && !GEOSisEmpty_r(run->h, p) && GEOSGeomGetX_r(run->h, p, &it->x) &&
		 GEOSGeomGetY_r(run->h, p, &it->y);
	if (p)
		GEOSGeom_destroy_r(run->h, p);
	return ok ? GEO_OK : geo_fail(run->ctx, GEO_ERR_INTERNAL, "GEOS: no point on a feature");
}

static geo_err describe(list_run *run, const struct source *s, OGRFeatureH f, list_item *it)
{
	const char *kind = geo_feat_str(f, s->kind);
	it->id = geo_strdup(run->ctx, geo_feat_str(f, s->id));
	it->name = geo_strdup(run->ctx, geo_feat_str(f, s->name));
	it->village = geo_strdup(run->ctx, geo_feat_str(f, s->village));
	it->kind = geo_strdup(run->ctx, *kind ? kind : layer_short_title(run->layers[it->layer].name));
	if (!it->id || !it->name || !it->village || !it->kind)
		return GEO_ERR_INTERNAL;
	if (!it->geom)
		return GEO_OK;
	it->dim = geo_geom_dimension_class(OGR_G_GetGeometryType(OGR_F_GetGeometryRef(f)));
	if (it->dim == LIST_AREA)
		it->measure = geo_geom_area(run->ctx, it->geom);
	else if (it->dim == LIST_LINE)
		it->measure = geo_geom_length(run->ctx, it->geom);
	return number_point(run, it);
}

static geo_err read_layer(list_run *run, geo_feature_placer *fp, struct source *s, size_t k)
{
	list_layer *l = &run->layers[k];
	geo_err e = GEO_OK;
	while (!e) {
		OGRFeatureH f = NULL;
		GEOSGeometry *g = NULL;
		if ((e = geo_input_next(run->ctx, s->in, &f, &g)) || !f)
			break;
		if (g && GEOSisEmpty_r(run->h, g)) {
			GEOSGeom_destroy_r(run->h, g);
			g = NULL;
		}
		if (!(e = grow(run))) {
			list_item *it = &run->items[run->nitems++];
			*it = (list_item){ .layer = k, .fid = OGR_F_GetFID(f), .grid = -1, .geom = g };
			l->features++;
			if (g && geo_feature_place(fp, g, &it->grid)) {
				char label[256], why[1024];
				geo_feat_label(f, -1, label, sizeof label);
				snprintf(why, sizeof why, "%s", geo_last_error(run->ctx));
				e = geo_fail(run->ctx, GEO_ERR_INPUT, "%s: %s: cannot be placed: %s",
					     l->source, label, why);
			}
			if (!e)
				e = describe(run, s, f, it);
			l->empty += !g;
			l->unplaced += it->grid < 0;
		} else if (g) {
			GEOSGeom_destroy_r(run->h, g);
		}
		OGR_F_Destroy(f);
	}
	return e;
}

static geo_err read_features(list_run *run, const char *const *names, size_t n,
			     geo_progress progress, void *pdata)
{
	struct source *src = geo_calloc(run->ctx, n, sizeof *src);
	run->layers = geo_calloc(run->ctx, n, sizeof *run->layers);
	if (!src || !run->layers) {
		free(src);
		return GEO_ERR_INTERNAL;
	}
	run->nlayers = n;
	geo_feature_placer *fp = geo_feature_placer_new(run->ctx, run->gs, NULL);
	geo_err e = fp ? GEO_OK : geo_last_code(run->ctx);
	int windowed = 0;
	for (size_t k = 0; !e && k < n; k++) {
		e = open_source(run, names[k], &src[k], &windowed);
		if (!e) {
			run->layers[k].name =
				geo_strdup(run->ctx, OGR_L_GetName(geo_input_layer(src[k].in)));
			run->layers[k].source = geo_strdup(run->ctx, names[k]);
			if (!run->layers[k].name || !run->layers[k].source)
				e = GEO_ERR_INTERNAL;
		}
	}
	if (!e && geo_window_opts_given(&run->o->common.window) && !windowed)
		e = geo_fail(run->ctx, GEO_ERR_USAGE,
			     "the time window applies to no layer (none has a field '%s')",
			     run->o->common.window.date_field);
	for (size_t k = 0; !e && k < n; k++) {
		e = read_layer(run, fp, &src[k], k);
		if (!e && !geo_progress_step(run->ctx, progress, pdata, (double)(k + 1) / (double)n,
					     "placing features"))
			e = GEO_ERR_INTERNAL;
	}
	geo_feature_placer_free(fp);
	for (size_t k = 0; k < n; k++)
		geo_input_close(src[k].in);
	free(src);
	return e;
}

/* ---- numbering ------------------------------------------------------------------ */

/* Grids in code order, the features in no grid last. */
static int by_grid(const void *x, const void *y)
{
	const list_item *a = x, *b = y;
	if (a->grid != b->grid)
		return a->grid < 0 ? 1 : b->grid < 0 ? -1 : a->grid < b->grid ? -1 : 1;
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	return a->fid < b->fid ? -1 : a->fid > b->fid;
}

struct banded {
	list_item *it;
	long band;
};

/* Reading order: bands from the north, west to east within a band; a
** feature without geometry comes last. */
static int by_reading(const void *x, const void *y)
{
	const struct banded *a = x, *b = y;
	int ga = a->it->geom != NULL, gb = b->it->geom != NULL;
	if (ga != gb)
		return gb - ga;
	if (a->band != b->band)
		return a->band < b->band ? -1 : 1;
	if (ga && a->it->x != b->it->x)
		return a->it->x < b->it->x ? -1 : 1;
	if (a->it->layer != b->it->layer)
		return a->it->layer < b->it->layer ? -1 : 1;
	return a->it->fid < b->it->fid ? -1 : a->it->fid > b->it->fid;
}

/* How many bands the n numbers of a box w by h are read in: about as many
** features along a band as the bands are high, so a band reads as a line. */
static long bands_for(size_t n, double w, double h)
{
	if (n < 4 || !(h > 0))
		return 1;
	double k = round(sqrt((double)n * h / (w > 0 ? w : h)));
	return k < 1 ? 1 : k > (double)n ? (long)n : (long)k;
}

static geo_err number_section(list_run *run, list_section *s)
{
	size_t n = s->to - s->from;
	struct banded *b = geo_calloc(run->ctx, n ? n : 1, sizeof *b);
	list_item *copy = geo_calloc(run->ctx, n ? n : 1, sizeof *copy);
	if (!b || !copy) {
		free(b);
		free(copy);
		return GEO_ERR_INTERNAL;
	}
	double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
	if (s->grid >= 0 && run->gs->grids[s->grid].geom) {
		const GEOSGeometry *g = run->gs->grids[s->grid].geom;
		GEOSGeom_getXMin_r(run->h, g, &x0);
		GEOSGeom_getYMin_r(run->h, g, &y0);
		GEOSGeom_getXMax_r(run->h, g, &x1);
		GEOSGeom_getYMax_r(run->h, g, &y1);
	}
	for (size_t k = s->from; k < s->to; k++) {
		const list_item *it = &run->items[k];
		if (s->grid < 0 && it->geom) {
			x0 = fmin(x0, it->x), x1 = fmax(x1, it->x);
			y0 = fmin(y0, it->y), y1 = fmax(y1, it->y);
		}
	}
	long nb = y1 > y0 ? bands_for(n, x1 - x0, y1 - y0) : 1;
	double bh = nb > 0 && y1 > y0 ? (y1 - y0) / (double)nb : 1;
	for (size_t k = 0; k < n; k++) {
		list_item *it = &run->items[s->from + k];
		long band = it->geom && y1 > y0 ? (long)floor((y1 - it->y) / bh) : 0;
		b[k] = (struct banded){ it, band < 0 ? 0 : band >= nb ? nb - 1 : band };
	}
	qsort(b, n, sizeof *b, by_reading);
	for (size_t k = 0; k < n; k++)
		copy[k] = *b[k].it;
	for (size_t k = 0; k < n; k++) {
		run->items[s->from + k] = copy[k];
		run->items[s->from + k].number = k + 1;
	}
	free(b);
	free(copy);
	return GEO_OK;
}

static void item_free(list_run *run, list_item *it)
{
	if (it->geom)
		GEOSGeom_destroy_r(run->h, it->geom);
	free(it->id);
	free(it->name);
	free(it->kind);
	free(it->village);
}

/* Keeps the features of the listed grids and those in no grid. */
static void drop_unlisted(list_run *run)
{
	size_t n = 0;
	for (size_t k = 0; k < run->nitems; k++) {
		list_item *it = &run->items[k];
		if (it->grid >= 0 && !run->listed[it->grid]) {
			run->layers[it->layer].unlisted++;
			item_free(run, it);
		} else {
			run->items[n++] = *it;
		}
	}
	run->nitems = n;
}

static geo_err number_items(list_run *run)
{
	drop_unlisted(run);
	qsort(run->items, run->nitems, sizeof *run->items, by_grid);
	if (!(run->sections = geo_calloc(run->ctx, run->nitems + 1, sizeof *run->sections)))
		return GEO_ERR_INTERNAL;
	geo_err e = GEO_OK;
	for (size_t from = 0; !e && from < run->nitems;) {
		size_t to = from + 1;
		while (to < run->nitems && run->items[to].grid == run->items[from].grid)
			to++;
		list_section *s = &run->sections[run->nsections++];
		*s = (list_section){ run->items[from].grid, from, to };
		e = number_section(run, s);
		from = to;
	}
	return e;
}

/* ---- sheets ---------------------------------------------------------------------- */

static const geo_diff_staff *staff_of(const list_run *run, const list_section *s)
{
	return s->grid < 0 ? NULL : &run->staff[s->grid];
}

/* ---- the result ---------------------------------------------------------------- */

static size_t unplaced(const list_run *run)
{
	size_t n = 0;
	for (size_t l = 0; l < run->nlayers; l++)
		n += run->layers[l].unplaced;
	return n;
}

void geo_list_result_free(geo_list_result *r)
{
	if (!r)
		return;
	for (size_t l = 0; l < r->nlayers; l++) {
		free(r->layers[l].name);
		free(r->layers[l].source);
	}
	for (size_t k = 0; k < r->nlists; k++) {
		geo_list_section *s = &r->lists[k];
		free(s->grid_id);
		free(s->name);
		free(s->worker);
		free(s->phone);
	}
	free(r->layers);
	free(r->lists);
	free(r->title);
	free(r->output);
	free(r->pdf);
	free(r);
}

static int copy_section(geo_ctx *ctx, const list_run *run, const list_section *s,
			geo_list_section *out)
{
	out->features = s->to - s->from;
	const geo_diff_staff *st = staff_of(run, s);
	if (!st)
		return 1;
	out->grid_id = geo_strdup(ctx, run->gs->grids[s->grid].id);
	out->name = geo_strdup(ctx, st->name);
	out->worker = geo_strdup(ctx, st->worker);
	out->phone = geo_strdup(ctx, st->phone);
	return out->grid_id && out->name && out->worker && out->phone;
}

/* The run's figures, copied: the result outlives the run. */
static geo_list_result *take_result(const list_run *run)
{
	geo_ctx *ctx = run->ctx;
	geo_list_result *r = geo_calloc(ctx, 1, sizeof *r);
	if (!r)
		return NULL;
	r->features = run->nitems;
	r->unplaced = unplaced(run);
	r->grids = run->grids_listed;
	r->grids_with_features =
		run->nsections - (run->nsections && run->sections[run->nsections - 1].grid < 0);
	r->verbose = run->o->common.verbose;
	int ok = (r->title = geo_strdup(ctx, run->title)) != NULL &&
		 (!run->o->common.output || (r->output = geo_strdup(ctx, run->o->common.output))) &&
		 (!run->o->pdf || (r->pdf = geo_strdup(ctx, run->o->pdf))) &&
		 (r->layers = geo_calloc(ctx, run->nlayers, sizeof *r->layers)) &&
		 (r->lists = geo_calloc(ctx, run->nsections, sizeof *r->lists));
	for (size_t l = 0; ok && l < run->nlayers; l++, r->nlayers++) {
		const list_layer *ly = &run->layers[l];
		geo_list_source *out = &r->layers[l];
		*out = (geo_list_source){ .features = ly->features, .unplaced = ly->unplaced,
					  .empty = ly->empty, .unlisted = ly->unlisted };
		ok = (out->name = geo_strdup(ctx, ly->name)) &&
		     (out->source = geo_strdup(ctx, ly->source));
	}
	for (size_t k = 0; ok && k < run->nsections; k++, r->nlists++)
		ok = copy_section(ctx, run, &run->sections[k], &r->lists[k]);
	if (!ok) {
		geo_list_result_free(r);
		return NULL;
	}
	return r;
}

/* ---- the verb ------------------------------------------------------------------ */

static char *default_title(const list_run *run)
{
	if (run->o->title)
		return geo_strdup(run->ctx, run->o->title);
	geo_buf b;
	geo_buf_init(&b);
	for (size_t l = 0; l < run->nlayers; l++) {
		const char *t = layer_short_title(run->layers[l].name);
		if (!strstr(b.s ? b.s : "", t))
			geo_buf_printf(&b, "%s%s", b.len ? "、" : "", t);
	}
	int visits = run->nlayers == 1 && !strcmp(run->layers[0].name, "households");
	geo_buf_add(&b, visits ? "走访清单" : "踏查清单");
	char *t = geo_buf_take(&b);
	if (!t)
		geo_fail(run->ctx, GEO_ERR_INTERNAL, "out of memory");
	return t;
}

/* Says once which features lie in no grid, and which listed grids have no worker. */
static void warn(list_run *run)
{
	size_t n = unplaced(run);
	if (n) {
		geo_buf b;
		geo_buf_init(&b);
		size_t shown = 0;
		for (size_t k = 0; k < run->nitems && shown < 5; k++) {
			const list_item *it = &run->items[k];
			if (it->grid >= 0)
				continue;
			if (*it->id)
				geo_buf_printf(&b, "%s%s", shown++ ? ", " : "", it->id);
			else
				geo_buf_printf(&b, "%s#%lld", shown++ ? ", " : "", it->fid);
		}
		geo_log(run->ctx, GEO_LOG_WARN,
			P_("%zu feature lies in no grid (%s%s): it is listed last, under 不在任何网格内",
			   "%zu features lie in no grid (%s%s): they are listed last, under 不在任何网格内",
			   n),
			n, b.s ? b.s : "", n > shown ? ", ..." : "");
		geo_buf_free(&b);
	}
	size_t none = 0;
	for (size_t k = 0; k < run->nsections; k++)
		none += run->sections[k].grid >= 0 && !*run->staff[run->sections[k].grid].worker;
	if (none && !run->has_workers)
		geo_log(run->ctx, GEO_LOG_WARN,
			"no grid worker is known: the grids have no '%s' field and no --roster "
			"names them; the lists leave the worker blank",
			run->o->staff.worker_field);
	else if (none)
		geo_log(run->ctx, GEO_LOG_WARN,
			P_("%zu listed grid has no worker: give it one in the '%s' field or a --roster",
			   "%zu listed grids have no worker: give them one in the '%s' field or a --roster",
			   none),
			none, run->o->staff.worker_field);
}

static int ends_with(const char *s, const char *ext)
{
	size_t n = strlen(s), e = strlen(ext);
	return n > e && !strcasecmp(s + n - e, ext);
}

static geo_err write_outputs(list_run *run, const char *grids, const char *const *features,
			     size_t nfeatures)
{
	const geo_list_opts *o = run->o;
	const char **inputs = geo_calloc(run->ctx, nfeatures + 3, sizeof *inputs);
	if (!inputs)
		return GEO_ERR_INTERNAL;
	size_t ni = 0;
	inputs[ni++] = grids;
	for (size_t k = 0; k < nfeatures; k++)
		inputs[ni++] = features[k];
	if (o->staff.roster)
		inputs[ni++] = o->staff.roster;
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = o->common.out.overwrite;
	oo.inputs = inputs;
	oo.format = o->common.out.format;
	geo_output *table = NULL, *pdf = NULL;
	geo_err e = GEO_OK;
	if (o->common.output && !(table = geo_output_open(run->ctx, o->common.output, &oo)))
		e = geo_last_code(run->ctx);
	oo.format = NULL;
	if (!e && o->pdf && !(pdf = geo_output_open_file(run->ctx, o->pdf, &oo)))
		e = geo_last_code(run->ctx);
	if (!e && table)
		e = list_write_table(run, table, o->common.output);
	if (!e && pdf)
		e = list_write_pdf(run, pdf, o->pdf);
	if (!e && table)
		e = geo_output_commit(run->ctx, table);
	if (!e && pdf)
		e = geo_output_commit(run->ctx, pdf);
	geo_output_close(table);
	geo_output_close(pdf);
	free(inputs);
	return e;
}

static void run_free(list_run *run)
{
	for (size_t k = 0; k < run->nitems; k++)
		item_free(run, &run->items[k]);
	free(run->items);
	free(run->listed);
	free(run->sections);
	for (size_t l = 0; l < run->nlayers; l++) {
		free(run->layers[l].name);
		free(run->layers[l].source);
	}
	free(run->layers);
	geo_staff_free(run->staff, run->gs ? run->gs->n : 0);
	geo_gridset_free(run->gs);
	free(run->title);
}

static geo_err list(geo_ctx *ctx, const char *grids, const char *const *features,
		    size_t nfeatures, const geo_list_opts *o, geo_list_result **result,
		    geo_progress progress, void *progress_data)
{
	list_run run = { .ctx = ctx, .h = geo_ctx_geos(ctx), .o = o };
	if (!nfeatures)
		return geo_fail(ctx, GEO_ERR_USAGE, "no feature layer to list");
	if (o->common.output && ends_with(o->common.output, ".pdf"))
		return geo_fail(ctx, GEO_ERR_USAGE, "-o %s: the printable lists go to --pdf",
				o->common.output);
	geo_err e = read_grids(&run, grids);
	if (!e)
		e = read_features(&run, features, nfeatures, progress, progress_data);
	if (!e)
		e = number_items(&run);
	if (!e && !(run.title = default_title(&run)))
		e = GEO_ERR_INTERNAL;
	if (!e)
		warn(&run);
	if (!e)
		e = write_outputs(&run, grids, features, nfeatures);
	if (!e && !(*result = take_result(&run)))
		e = GEO_ERR_INTERNAL;
	if (!e && o->common.strict && unplaced(&run))
		e = GEO_PROBLEMS;
	run_free(&run);
	return e;
}

geo_err geo_list(geo_ctx *ctx, const char *grids, const char *const *features, size_t nfeatures,
		 const geo_list_opts *o, geo_list_result **result, geo_progress progress,
		 void *progress_data)
{
	*result = NULL;
	geo_err e = list(ctx, grids, features, nfeatures, o, result, progress, progress_data);
	if (e > GEO_PROBLEMS) {
		geo_list_result_free(*result);
		*result = NULL;
	}
	return e;
}
