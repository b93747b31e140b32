/*
** diff_place.c: the features side of grid-diff. Every --features layer is
** placed on OLD and on NEW with grid-place's rules (geo_feature_placer), so
** a feature lands in the grid grid-place would give it; a feature whose new
** grid has another code than its old grid changes grid (its ledger entry
** moves) and goes into the hand-over list and the --moves table, with the
** feature's own fields.
*/
#include "diff_internal.h"

#include <stdlib.h>
#include <string.h>

/* One feature input, open, with where its fields go in the moves table. */
struct source {
	geo_input *in;
	int *to_column;         /* per field of the input: column of the table, or -1 */
};

struct placing {
	struct diff_run *run;
	geo_feature_placer *old_p, *new_p;
	struct source *src;
	size_t nsrc, cap_moves;
	OGRLayerH table;        /* the --moves layer, or NULL */
	int fixed;              /* columns before the features' own fields */
};

static void close_sources(struct placing *pl)
{
	for (size_t k = 0; pl->src && k < pl->nsrc; k++) {
		geo_input_close(pl->src[k].in);
		free(pl->src[k].to_column);
	}
	free(pl->src);
}

/* --s-srs only supplies a CRS to a layer that states none (io.c). */
static geo_input *open_source(struct diff_run *run, const char *name)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	io.s_srs = run->o->s_srs;
	geo_input *in = geo_input_open(run->ctx, name, &io);
	if (in && geo_input_set_target(run->ctx, in, run->r->old_grids->crs)) {
		geo_input_close(in);
		return NULL;
	}
	return in;
}

/* The time window applies to the feature layers that have its date field
** (hazards, cases); the others (households, cameras) are read whole. */
static geo_err window_source(struct diff_run *run, geo_input *in, const char *name, int *applied)
{
	const geo_window_opts *w = &run->o->window;
	if (!geo_window_opts_given(w))
		return GEO_OK;
	if (OGR_FD_GetFieldIndex(geo_input_defn(in), w->date_field) < 0) {
		geo_log(run->ctx, GEO_LOG_WARN, "%s: no field '%s': the time window does not apply",
			name, w->date_field);
		return GEO_OK;
	}
	(*applied)++;
	return geo_input_set_filter(run->ctx, in, NULL, w);
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
		if (window_source(run, pl->src[k].in, name, &windowed))
			return geo_last_code(run->ctx);
		l->name = geo_strdup(run->ctx, OGR_L_GetName(geo_input_layer(pl->src[k].in)));
		l->source = geo_strdup(run->ctx, name);
		l->count_old = geo_calloc(run->ctx, r->old_grids->n, sizeof *l->count_old);
		l->count_new = geo_calloc(run->ctx, r->new_grids->n, sizeof *l->count_new);
		if (!l->name || !l->source || !l->count_old || !l->count_new)
			return GEO_ERR_INTERNAL;
	}
	if (geo_window_opts_given(&run->o->window) && !windowed)
		return geo_fail(run->ctx, GEO_ERR_USAGE,
				"the time window applies to no --features layer (none has a field '%s')",
				run->o->window.date_field);
	return GEO_OK;
}

/* ---- the moves table -------------------------------------------------------- */

static int add_column(OGRLayerH l, const char *name, OGRFieldType t)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, t);
	OGRErr e = OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
	return e == OGRERR_NONE;
}

/* The features' own fields follow the fixed columns; a field of the same
** name in several layers is one column (text when their types differ), and
** a field named like a fixed column is left out, since the fixed one says
** what the table is about. */
static geo_err map_fields(struct placing *pl)
{
	OGRFeatureDefnH td = OGR_L_GetLayerDefn(pl->table);
	for (size_t k = 0; k < pl->nsrc; k++) {
		OGRFeatureDefnH d = geo_input_defn(pl->src[k].in);
		int n = OGR_FD_GetFieldCount(d);
		pl->src[k].to_column = geo_calloc(pl->run->ctx, n ? (size_t)n : 1, sizeof(int));
		if (!pl->src[k].to_column)
			return GEO_ERR_INTERNAL;
		for (int f = 0; f < n; f++) {
			OGRFieldDefnH fd = OGR_FD_GetFieldDefn(d, f);
			int col = OGR_FD_GetFieldIndex(td, OGR_Fld_GetNameRef(fd));
			if (col < 0) {
				if (OGR_L_CreateField(pl->table, fd, TRUE) != OGRERR_NONE)
					return geo_fail(pl->run->ctx, GEO_ERR_OUTPUT,
							"%s: cannot create column '%s'", pl->run->o->moves,
							OGR_Fld_GetNameRef(fd));
				col = OGR_FD_GetFieldIndex(td, OGR_Fld_GetNameRef(fd));
			} else if (col < pl->fixed) {
				col = -1;
			} else if (OGR_Fld_GetType(OGR_FD_GetFieldDefn(td, col)) != OGR_Fld_GetType(fd)) {
				OGRFieldDefnH text = OGR_Fld_Create(OGR_Fld_GetNameRef(fd), OFTString);
				OGR_L_AlterFieldDefn(pl->table, col, text, ALTER_TYPE_FLAG);
				OGR_Fld_Destroy(text);
			}
			pl->src[k].to_column[f] = col;
		}
	}
	return GEO_OK;
}

static geo_err open_table(struct placing *pl)
{
	struct diff_run *run = pl->run;
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = run->o->overwrite;
	oo.inputs = run->inputs;
	if (!(run->moves_out = geo_output_open(run->ctx, run->o->moves, &oo)) ||
	    !(pl->table = geo_output_create_layer(run->ctx, run->moves_out, NULL, NULL, wkbNone)))
		return geo_last_code(run->ctx);
	static const char *const fixed[] = { "layer", "fid", "old_grid_id", "new_grid_id",
					     "old_worker", "new_worker" };
	pl->fixed = run->r->has_workers ? 6 : 4;
	for (int k = 0; k < pl->fixed; k++)
		if (!add_column(pl->table, fixed[k], k == 1 ? OFTInteger64 : OFTString))
			return geo_fail(run->ctx, GEO_ERR_OUTPUT, "%s: cannot create column '%s'",
					run->o->moves, fixed[k]);
	return map_fields(pl);
}

static geo_err write_row(struct placing *pl, size_t layer, OGRFeatureH feat, long io, long jn)
{
	const geo_diff_result *r = pl->run->r;
	OGRFeatureDefnH td = OGR_L_GetLayerDefn(pl->table);
	OGRFeatureH row = OGR_F_Create(td);
	OGR_F_SetFieldString(row, 0, r->layers[layer].name);
	OGR_F_SetFieldInteger64(row, 1, OGR_F_GetFID(feat));
	if (io >= 0)
		OGR_F_SetFieldString(row, 2, r->old_grids->grids[io].id);
	if (jn >= 0)
		OGR_F_SetFieldString(row, 3, r->new_grids->grids[jn].id);
	if (pl->fixed > 4 && io >= 0)
		OGR_F_SetFieldString(row, 4, geo_diff_worker(r, r->old_grids, (size_t)io));
	if (pl->fixed > 4 && jn >= 0)
		OGR_F_SetFieldString(row, 5, geo_diff_worker(r, r->new_grids, (size_t)jn));
	const int *to = pl->src[layer].to_column;
	for (int f = 0; f < OGR_F_GetFieldCount(feat); f++) {
		if (to[f] < 0 || !OGR_F_IsFieldSetAndNotNull(feat, f))
			continue;
		if (OGR_Fld_GetType(OGR_FD_GetFieldDefn(td, to[f])) ==
		    OGR_Fld_GetType(OGR_F_GetFieldDefnRef(feat, f)))
			OGR_F_SetFieldRaw(row, to[f], OGR_F_GetRawFieldRef(feat, f));
		else
			OGR_F_SetFieldString(row, to[f], OGR_F_GetFieldAsString(feat, f));
	}
	geo_err e = geo_write_feature(pl->run->ctx, pl->table, row, NULL, NULL);
	OGR_F_Destroy(row);
	return e;
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
	r->moves[r->nmoves++] = (geo_diff_move){ layer, (long long)OGR_F_GetFID(feat), io, jn };
	r->layers[layer].moved++;
	return pl->table ? write_row(pl, layer, feat, io, jn) : GEO_OK;
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
		return geo_window_opts_given(&run->o->window)
			       ? geo_fail(run->ctx, GEO_ERR_USAGE, "a time window needs --features")
			       : GEO_OK;
	struct placing pl = { .run = run };
	geo_err e = open_sources(&pl);
	if (!e && !(pl.old_p = geo_feature_placer_new(run->ctx, run->r->old_grids, NULL)))
		e = geo_last_code(run->ctx);
	if (!e && !(pl.new_p = geo_feature_placer_new(run->ctx, run->r->new_grids, NULL)))
		e = geo_last_code(run->ctx);
	if (!e && run->o->moves)
		e = open_table(&pl);
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
