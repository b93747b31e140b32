/*
** diff_place.c: the features side of grid-diff. Every --features layer is
** placed on OLD and on NEW with grid-place's rules (geo_feature_placer), so
** a feature lands in the grid grid-place would give it; a feature whose new
** grid has another code than its old grid changes grid (its ledger entry
** moves) and goes into the hand-over, labelled by its name, address or id
** (diff_handover.c writes the lists).
*/
#include "diff/diff_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Fields that say what a feature is, tried in order: a name or address, an
** id, and the village it lies in. */
static const char *const name_fields[] = { "name", "名称", "head", "户主", "householder",
					   "address", "地址", "addr", NULL };
static const char *const village_fields[] = { "village", "村", "村庄", "所属村", NULL };

/* One feature input, open, with the fields its rows are labelled by. */
struct source {
	geo_input *in;
	int name[9];            /* fields of name_fields present, -1 after the last */
	int id;                 /* id, or the first field named *_id or 编号; -1 */
	int village;
};

struct placing {
	struct diff_run *run;
	geo_feature_placer *old_p, *new_p;
	struct source *src;
	size_t nsrc, cap_moves;
};

static void close_sources(struct placing *pl)
{
	for (size_t k = 0; pl->src && k < pl->nsrc; k++)
		geo_input_close(pl->src[k].in);
	free(pl->src);
}

static void label_fields(struct source *s)
{
	OGRFeatureDefnH d = geo_input_defn(s->in);
	int n = 0;
	for (int k = 0; name_fields[k]; k++) {
		int f = OGR_FD_GetFieldIndex(d, name_fields[k]);
		if (f >= 0)
			s->name[n++] = f;
	}
	s->name[n] = -1;
	s->id = OGR_FD_GetFieldIndex(d, "id");
	for (int f = 0; s->id < 0 && f < OGR_FD_GetFieldCount(d); f++) {
		const char *fn = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, f));
		size_t len = strlen(fn);
		if ((len > 3 && !strcasecmp(fn + len - 3, "_id")) || !strcmp(fn, "编号") || !strcmp(fn, "hid"))
			s->id = f;
	}
	s->village = -1;
	for (int k = 0; s->village < 0 && village_fields[k]; k++)
		s->village = OGR_FD_GetFieldIndex(d, village_fields[k]);
}

/* "name (village)", "id (village)" or "#FID". */
static char *feature_label(geo_ctx *ctx, const struct source *s, OGRFeatureH f)
{
	const char *what = "";
	for (int k = 0; !*what && s->name[k] >= 0; k++)
		what = geo_feat_str(f, s->name[k]);
	if (!*what)
		what = geo_feat_str(f, s->id);
	const char *village = geo_feat_str(f, s->village);
	geo_buf b;
	geo_buf_init(&b);
	if (*what)
		geo_buf_add(&b, what);
	else
		geo_buf_printf(&b, "#%lld", (long long)OGR_F_GetFID(f));
	if (*village && !strstr(what, village))
		geo_buf_printf(&b, " (%s)", village);
	char *label = geo_buf_take(&b);
	if (!label)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return label;
}

/* --s-srs only supplies a CRS to a layer that states none (io.c). */
static geo_input *open_source(struct diff_run *run, const char *name)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &run->o->common, NULL);
	geo_input *in = geo_input_open(run->ctx, name, &io);
	if (in && geo_input_set_target(run->ctx, in, run->r->old_grids->crs)) {
		geo_input_close(in);
		return NULL;
	}
	return in;
}

static geo_err open_sources(struct placing *pl)
{
	struct diff_run *run = pl->run;
	geo_diff_result *r = run->r;
	while (run->o->features[pl->nsrc])
		pl->nsrc++;
	pl->src = geo_calloc(run->ctx, pl->nsrc, sizeof *pl->src);
	r->layers = geo_calloc(run->ctx, pl->nsrc, sizeof *r->layers);
	if (!pl->src || !r->layers)
		return GEO_ERR_INTERNAL;
	r->nlayers = pl->nsrc;
	int windowed = 0;
	for (size_t k = 0; k < pl->nsrc; k++) {
		const char *name = run->o->features[k];
		geo_diff_layer *l = &r->layers[k];
		if (!(pl->src[k].in = open_source(run, name)))
			return geo_last_code(run->ctx);
		label_fields(&pl->src[k]);
		if (geo_input_window_if_dated(run->ctx, pl->src[k].in, name, &run->o->common.window, &windowed))
			return geo_last_code(run->ctx);
		l->name = geo_strdup(run->ctx, OGR_L_GetName(geo_input_layer(pl->src[k].in)));
		l->source = geo_strdup(run->ctx, name);
		l->count_old = geo_calloc(run->ctx, r->old_grids->n, sizeof *l->count_old);
		l->count_new = geo_calloc(run->ctx, r->new_grids->n, sizeof *l->count_new);
		if (!l->name || !l->source || !l->count_old || !l->count_new)
			return GEO_ERR_INTERNAL;
	}
	if (geo_window_opts_given(&run->o->common.window) && !windowed)
		return geo_fail(run->ctx, GEO_ERR_USAGE,
				"the time window applies to no --features layer (none has a field '%s')",
				run->o->common.window.date_field);
	return GEO_OK;
}

/* ---- placing ----------------------------------------------------------------- */

/* The grid g goes to by grid-place's rules (points in the grid holding them,
** lines and polygons in the grid holding most of them); -1 for none. */
static geo_err place(struct placing *pl, geo_feature_placer *p, const GEOSGeometry *g,
		     size_t layer, OGRFeatureH feat, long *grid)
{
	if (!geo_feature_place(p, g, grid))
		return GEO_OK;
	char label[256], why[1024];
	geo_feat_label(feat, -1, label, sizeof label);
	snprintf(why, sizeof why, "%s", geo_last_error(pl->run->ctx));
	return geo_fail(pl->run->ctx, GEO_ERR_INPUT, "%s: %s: cannot be placed: %s",
			pl->run->r->layers[layer].source, label, why);
}

static geo_err add_move(struct placing *pl, size_t layer, OGRFeatureH feat, long io, long jn)
{
	geo_diff_result *r = pl->run->r;
	if (r->nmoves == pl->cap_moves) {
		size_t cap = pl->cap_moves ? 2 * pl->cap_moves : 256;
		geo_diff_move *m = geo_realloc_array(pl->run->ctx, r->moves, cap, sizeof *m);
		if (!m)
			return GEO_ERR_INTERNAL;
		r->moves = m;
		pl->cap_moves = cap;
	}
	char *label = feature_label(pl->run->ctx, &pl->src[layer], feat);
	if (!label)
		return GEO_ERR_INTERNAL;
	r->moves[r->nmoves++] =
		(geo_diff_move){ layer, (long long)OGR_F_GetFID(feat), io, jn, label };
	r->layers[layer].moved++;
	return GEO_OK;
}

static geo_err place_layer(struct placing *pl, size_t k)
{
	struct diff_run *run = pl->run;
	geo_diff_layer *l = &run->r->layers[k];
	geo_err e = GEO_OK;
	while (!e) {
		OGRFeatureH feat = NULL;
		GEOSGeometry *g = NULL;
		if ((e = geo_input_next(run->ctx, pl->src[k].in, &feat, &g)) || !feat)
			break;
		l->features++;
		long io = -1, jn = -1;
		if (!g)
			l->empty++;
		else if (!(e = place(pl, pl->old_p, g, k, feat, &io)))
			e = place(pl, pl->new_p, g, k, feat, &jn);
		if (!e && g) {
			io >= 0 ? l->count_old[io]++ : l->outside_old++;
			jn >= 0 ? l->count_new[jn]++ : l->outside_new++;
			if (!geo_diff_same_code(run->r, io, jn) && (io >= 0 || jn >= 0))
				e = add_move(pl, k, feat, io, jn);
		}
		if (g)
			GEOSGeom_destroy_r(run->h, g);
		OGR_F_Destroy(feat);
	}
	return e;
}

geo_err diff_place_features(struct diff_run *run)
{
	if (!run->o->features || !run->o->features[0])
		return geo_window_opts_given(&run->o->common.window)
			       ? geo_fail(run->ctx, GEO_ERR_USAGE, "a time window needs --features")
			       : GEO_OK;
	struct placing pl = { .run = run };
	geo_err e = open_sources(&pl);
	if (!e && !(pl.old_p = geo_feature_placer_new(run->ctx, run->r->old_grids, NULL)))
		e = geo_last_code(run->ctx);
	if (!e && !(pl.new_p = geo_feature_placer_new(run->ctx, run->r->new_grids, NULL)))
		e = geo_last_code(run->ctx);
	for (size_t k = 0; !e && k < pl.nsrc; k++) {
		e = place_layer(&pl, k);
		if (!e && !geo_progress_step(run->ctx, run->progress, run->progress_data,
					     (double)(k + 1) / (double)pl.nsrc, "placing features"))
			e = GEO_ERR_INTERNAL;
	}
	geo_feature_placer_free(pl.old_p);
	geo_feature_placer_free(pl.new_p);
	close_sources(&pl);
	return e;
}
