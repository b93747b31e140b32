/*
** diff_write.c: grid-diff's outputs besides the table of moved features. The
** changes layer holds the moved pieces: every overlap of an old and a new grid
** that do not match one to one, and the parts of either set the other does
** not cover; each styled for QGIS by kind. --keep-codes writes NEW again with
** each grid carrying the code of the old grid it matches, so codes survive a
** redraw. Every output is committed together at the end, or none is.
*/
#include "diff/diff_internal.h"

#include <stdlib.h>
#include <string.h>

#include <cpl_hash_set.h>

/* The moved pieces by kind, labelled with the grids each went from and to. */
static geo_err style_changes(struct diff_run *run, geo_output *out, OGRLayerH l)
{
	static const geo_qml_category kinds[] = {
		{ "moved", "moved to another grid", "230,85,13", "solid" },
		{ "outside_new", "in no new grid", "150,150,150", "b_diagonal" },
		{ "outside_old", "in no old grid", "49,163,84", "f_diagonal" },
	};
	static const char *const outlines[] = { "140,45,4", "90,90,90", "0,90,50" };
	geo_qml_categorized_opts o = { "kind", GEO_QML_FILL, 0.7, 0.4, NULL, NULL };
	const char *label = "coalesce(\"old_grid_id\", '-') || '\\n→ ' || coalesce(\"new_grid_id\", '-')";
	return geo_qml_attach(run->ctx, out, l, geo_qml_categorized_outlined(kinds, outlines, 3, &o, label));
}

static geo_err style_grids(struct diff_run *run, geo_output *out, OGRLayerH l)
{
	return geo_qml_attach(run->ctx, out, l, geo_qml_grids(GEO_QML_OUTLINES, run->o->grid.id_field));
}

static geo_output *open_output(struct diff_run *run, const char *name, const char *format)
{
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.format = format;
	oo.overwrite = run->o->common.out.overwrite;
	oo.inputs = run->inputs;
	return geo_output_open(run->ctx, name, &oo);
}

static void add_field(OGRLayerH l, const char *name, OGRFieldType t)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, t);
	OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
}

/* One piece of the changes layer; old_i or new_j is -1 for a spill piece. */
static geo_err write_piece(struct diff_run *run, OGRLayerH l, geo_transform *t, long old_i,
			   long new_j, const char *kind, double area, const GEOSGeometry *g)
{
	const geo_diff_result *r = run->r;
	const geo_overlay *ov = r->overlay;
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	if (old_i >= 0) {
		OGR_F_SetFieldString(f, 0, r->old_grids->grids[old_i].id);
		OGR_F_SetFieldDouble(f, 4, 100 * area / ov->area_a[old_i]);
	}
	if (new_j >= 0) {
		OGR_F_SetFieldString(f, 1, r->new_grids->grids[new_j].id);
		OGR_F_SetFieldDouble(f, 5, 100 * area / ov->area_b[new_j]);
	}
	OGR_F_SetFieldString(f, 2, kind);
	OGR_F_SetFieldDouble(f, 3, area);
	if (r->has_workers && old_i >= 0)
		OGR_F_SetFieldString(f, 6, geo_diff_worker(r, r->old_grids, (size_t)old_i));
	if (r->has_workers && new_j >= 0)
		OGR_F_SetFieldString(f, 7, geo_diff_worker(r, r->new_grids, (size_t)new_j));
	geo_err e = geo_write_feature(run->ctx, l, f, g, t);
	OGR_F_Destroy(f);
	return e;
}

static geo_err write_changes(struct diff_run *run, geo_output *out)
{
	const geo_diff_result *r = run->r;
	geo_crs *crs = run->o->common.t_srs ? geo_crs_new(run->ctx, run->o->common.t_srs)
				     : geo_crs_clone(r->old_grids->source_crs);
	if (!crs)
		return geo_last_code(run->ctx);
	geo_transform *t = geo_transform_new(run->ctx, r->old_grids->crs, crs);
	OGRLayerH l = t ? geo_output_create_layer(run->ctx, out, NULL, crs, wkbMultiPolygon) : NULL;
	geo_crs_free(crs);
	if (!l) {
		geo_transform_free(t);
		return geo_last_code(run->ctx);
	}
	static const struct { const char *name; OGRFieldType t; } fields[] = {
		{ "old_grid_id", OFTString }, { "new_grid_id", OFTString }, { "kind", OFTString },
		{ "area_m2", OFTReal }, { "old_pct", OFTReal }, { "new_pct", OFTReal },
		{ "old_worker", OFTString }, { "new_worker", OFTString },
	};
	for (size_t k = 0; k < (r->has_workers ? 8u : 6u); k++)
		add_field(l, fields[k].name, fields[k].t);
	geo_err e = GEO_OK;
	const geo_overlay *ov = r->overlay;
	for (size_t k = 0; !e && k < ov->n; k++) {
		const geo_overlap *p = &ov->pairs[k];
		if (!geo_diff_same_code(r, (long)p->a, (long)p->b))
			e = write_piece(run, l, t, (long)p->a, (long)p->b, "moved", p->area, p->geom);
	}
	for (size_t i = 0; !e && i < r->old_grids->n; i++)
		if (run->old_out[i])
			e = write_piece(run, l, t, (long)i, -1, "outside_new", r->outside_new[i],
					run->old_out[i]);
	for (size_t j = 0; !e && j < r->new_grids->n; j++)
		if (run->new_out[j])
			e = write_piece(run, l, t, -1, (long)j, "outside_old", r->outside_old[j],
					run->new_out[j]);
	geo_transform_free(t);
	return e ? e : style_changes(run, out, l);
}

/* ---- --keep-codes ---------------------------------------------------------- */

/* The first code of the form the grid's own code has (same town, or same
** parent for a secondary) that is neither used nor named by any grid of NEW;
** a code of no known form gets a numbered suffix instead. */
static char *fresh_code(geo_ctx *ctx, const geo_grid *g, CPLHashSet *used, CPLHashSet *named)
{
	char prefix[64], code[96];
	int level = geo_grid_code_level(g->id), digits = level == 1 ? 3 : 2, max = level == 1 ? 999 : 99;
	if (level == 2 && geo_grid_code_level(g->parent_id) == 1)
		snprintf(prefix, sizeof prefix, "%s", g->parent_id);
	else if (level)
		snprintf(prefix, sizeof prefix, "%.*s",
			 level == 1 ? GEO_TOWN_CODE_LEN : GEO_PRIMARY_CODE_LEN, g->id);
	for (int seq = 1; level && seq <= max; seq++) {
		snprintf(code, sizeof code, "%s%0*d", prefix, digits, seq);
		if (!CPLHashSetLookup(used, code) && !CPLHashSetLookup(named, code))
			return geo_strdup(ctx, code);
	}
	for (int n = 2;; n++) {
		snprintf(code, sizeof code, "%.60s-%d", *g->id ? g->id : "grid", n);
		if (!CPLHashSetLookup(used, code) && !CPLHashSetLookup(named, code))
			return geo_strdup(ctx, code);
	}
}

static int by_new_code(const void *x, const void *y, void *data)
{
	const geo_gridset *gs = data;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = strcmp(gs->grids[a].id, gs->grids[b].id);
	return c ? c : a < b ? -1 : a > b;
}

/*
** codes[j] for every new grid: the matched old grid's code; otherwise its own,
** unless an old grid or an earlier grid (in code order) has it, then a fresh
** one: a code must never name two territories, nor one that another grid had
** before the redraw.
*/
static geo_err keep_codes(struct diff_run *run, char **codes)
{
	geo_diff_result *r = run->r;
	size_t nb = r->new_grids->n;
	CPLHashSet *used = CPLHashSetNew(CPLHashSetHashStr, CPLHashSetEqualStr, NULL);
	CPLHashSet *named = CPLHashSetNew(CPLHashSetHashStr, CPLHashSetEqualStr, NULL);
	size_t *order = geo_calloc(run->ctx, nb, sizeof *order);
	geo_err e = used && named && order ? GEO_OK
					   : geo_fail(run->ctx, GEO_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; !e && i < r->old_grids->n; i++)
		CPLHashSetInsert(used, r->old_grids->grids[i].id);
	for (size_t j = 0; !e && j < nb; j++)
		CPLHashSetInsert(named, r->new_grids->grids[j].id);
	for (size_t j = 0; !e && j < nb; j++) {
		order[j] = j;
		if (r->new_to_old[j] >= 0) {
			codes[j] = geo_strdup(run->ctx, r->old_grids->grids[r->new_to_old[j]].id);
			r->codes_kept++;
			if (!codes[j])
				e = GEO_ERR_INTERNAL;
		}
	}
	if (!e)
		qsort_r(order, nb, sizeof *order, by_new_code, r->new_grids);
	/* Own codes first, so a fresh code never takes one a later grid keeps. */
	for (int fresh = 0; fresh < 2; fresh++)
		for (size_t k = 0; !e && k < nb; k++) {
			const geo_grid *g = &r->new_grids->grids[order[k]];
			if (codes[order[k]])
				continue;
			int own = *g->id && !CPLHashSetLookup(used, g->id);
			if (own == fresh)
				continue;
			codes[order[k]] = own ? geo_strdup(run->ctx, g->id) : fresh_code(run->ctx, g, used, named);
			if (!codes[order[k]])
				e = GEO_ERR_INTERNAL;
			else
				CPLHashSetInsert(used, codes[order[k]]);
			r->codes_renumbered += !own;
		}
	free(order);
	if (used)
		CPLHashSetDestroy(used);
	if (named)
		CPLHashSetDestroy(named);
	return e;
}

static geo_err write_kept(struct diff_run *run, geo_output *out, char **codes)
{
	const geo_gridset *gs = run->r->new_grids;
	OGRLayerH l = geo_output_create_layer(run->ctx, out, NULL, gs->source_crs,
					      OGR_FD_GetGeomType(gs->defn));
	if (!l)
		return geo_last_code(run->ctx);
	for (int k = 0; k < OGR_FD_GetFieldCount(gs->defn); k++)
		if (OGR_L_CreateField(l, OGR_FD_GetFieldDefn(gs->defn, k), TRUE) != OGRERR_NONE)
			return geo_fail(run->ctx, GEO_ERR_OUTPUT, "%s: cannot create field '%s'",
					run->o->keep_codes,
					OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(gs->defn, k)));
	int id = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), run->o->grid.id_field);
	geo_err e = GEO_OK;
	for (size_t j = 0; !e && j < gs->n; j++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		OGR_F_SetFrom(f, gs->grids[j].feat, TRUE);
		OGR_F_SetFieldString(f, id, codes[j]);
		OGR_F_SetFID(f, OGRNullFID);
		if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
			e = geo_fail(run->ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s",
				     run->o->keep_codes, geo_cpl_error("write failed"));
		OGR_F_Destroy(f);
	}
	return e ? e : style_grids(run, out, l);
}

static geo_err write_keep_codes(struct diff_run *run, geo_output *out)
{
	size_t nb = run->r->new_grids->n;
	char **codes = geo_calloc(run->ctx, nb, sizeof *codes);
	if (!codes)
		return GEO_ERR_INTERNAL;
	geo_err e = keep_codes(run, codes);
	if (!e)
		e = write_kept(run, out, codes);
	for (size_t j = 0; j < nb; j++)
		free(codes[j]);
	free(codes);
	return e;
}

geo_err diff_write_outputs(struct diff_run *run)
{
	const geo_diff_opts *o = run->o;
	geo_output *changes = NULL, *kept = NULL;
	geo_err e = GEO_OK;
	if (o->common.output && !(changes = open_output(run, o->common.output, o->common.out.format)))
		e = geo_last_code(run->ctx);
	if (!e && o->keep_codes && !(kept = open_output(run, o->keep_codes, NULL)))
		e = geo_last_code(run->ctx);
	if (!e && changes)
		e = write_changes(run, changes);
	if (!e && kept)
		e = write_keep_codes(run, kept);
	/* Everything is written; only now does any output replace a file. */
	for (size_t k = 0; !e && k < run->nmoves_out; k++)
		e = geo_output_commit(run->ctx, run->moves_out[k]);
	if (!e && changes)
		e = geo_output_commit(run->ctx, changes);
	if (!e && kept)
		e = geo_output_commit(run->ctx, kept);
	geo_output_close(changes);
	geo_output_close(kept);
	return e;
}
