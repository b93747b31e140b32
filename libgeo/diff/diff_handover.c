/*
** diff_handover.c: grid-diff's hand-over lists, one row per feature that
** changes grid: what it is and where (layer, name or address, old and new
** grid with their names) and who gives it to whom (old and new worker, with
** phones). Rows come in the order a town office hands them out: by
** receiving worker, then new grid, then layer, old grid and feature. Each
** --moves output takes its form from its name: a .pdf is the printable list
** (diff_pdf.c), an .xlsx has one sheet per receiving worker with Chinese
** headers and codes as text cells, anything else is one table in the format
** OGR gives the extension, with English column names for scripts.
*/
#include "diff/diff_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum handover_form { FORM_TABLE, FORM_XLSX, FORM_PDF };

static int ends_with(const char *s, const char *ext)
{
	size_t n = strlen(s), e = strlen(ext);
	return n > e && !strcasecmp(s + n - e, ext);
}

static enum handover_form form_of(const char *name)
{
	return ends_with(name, ".pdf")    ? FORM_PDF
	       : ends_with(name, ".xlsx") ? FORM_XLSX
					  : FORM_TABLE;
}

/* ---- order ----------------------------------------------------------------- */

static const char *code(const geo_gridset *gs, long i)
{
	return i < 0 ? "" : gs->grids[i].id;
}

static int by_row(const void *x, const void *y, void *data)
{
	const geo_diff_result *r = data;
	size_t ka = *(const size_t *)x, kb = *(const size_t *)y;
	const geo_diff_move *a = &r->moves[ka], *b = &r->moves[kb];
	int c = diff_receiver_cmp(r, a, b);
	if (!c)
		c = strcmp(code(r->new_grids, a->new_grid), code(r->new_grids, b->new_grid));
	if (!c && a->new_grid != b->new_grid)
		c = a->new_grid < b->new_grid ? -1 : 1;
	if (!c && a->layer != b->layer)
		c = a->layer < b->layer ? -1 : 1;
	if (!c)
		c = strcmp(code(r->old_grids, a->old_grid), code(r->old_grids, b->old_grid));
	if (!c && a->old_grid != b->old_grid)
		c = a->old_grid < b->old_grid ? -1 : 1;
	if (!c && a->fid != b->fid)
		c = a->fid < b->fid ? -1 : 1;
	return c ? c : ka < kb ? -1 : ka > kb;
}

size_t *diff_handover_order(const geo_diff_result *r)
{
	size_t *order = calloc(r->nmoves ? r->nmoves : 1, sizeof *order);
	for (size_t k = 0; order && k < r->nmoves; k++)
		order[k] = k;
	if (order)
		qsort_r(order, r->nmoves, sizeof *order, by_row, (void *)r);
	return order;
}

/* ---- tables ------------------------------------------------------------------ */

enum {
	COL_LAYER,
	COL_FEATURE,
	COL_OLD_ID,
	COL_OLD_NAME,
	COL_NEW_ID,
	COL_NEW_NAME,
	COL_OLD_WORKER,
	COL_OLD_PHONE,
	COL_NEW_WORKER,
	COL_NEW_PHONE,
	COL_FID,
	NCOLS
};

static const struct {
	const char *name, *zh;
} columns[NCOLS] = {
	{ "layer", "图层" },
	{ "feature", "对象" },
	{ "old_grid_id", "原网格编码" },
	{ "old_grid_name", "原网格名称" },
	{ "new_grid_id", "新网格编码" },
	{ "new_grid_name", "新网格名称" },
	{ "old_worker", "原网格员" },
	{ "old_phone", "原网格员电话" },
	{ "new_worker", "新网格员" },
	{ "new_phone", "新网格员电话" },
	{ "fid", "编号" },
};

static geo_err add_columns(struct diff_run *run, OGRLayerH l, const char *name, int zh)
{
	for (int k = 0; k < NCOLS; k++) {
		OGRFieldDefnH fd = OGR_Fld_Create(zh ? columns[k].zh : columns[k].name,
						  k == COL_FID ? OFTInteger64 : OFTString);
		OGRErr err = OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE)
			return geo_fail(run->ctx, GEO_ERR_OUTPUT,
					"%s: cannot create column '%s': %s", name, columns[k].name,
					geo_cpl_error("driver refused"));
	}
	return GEO_OK;
}

static void set_grid(OGRFeatureH row, int col, const geo_diff_result *r, const geo_gridset *gs,
		     long i)
{
	if (i < 0)
		return;
	const geo_diff_staff *st = geo_diff_staff_of(r, gs, (size_t)i);
	OGR_F_SetFieldString(row, col, gs->grids[i].id);
	OGR_F_SetFieldString(row, col + 1, st->name);
}

static void set_worker(OGRFeatureH row, int col, const geo_diff_result *r, const geo_gridset *gs,
		       long i)
{
	if (i < 0)
		return;
	const geo_diff_staff *st = geo_diff_staff_of(r, gs, (size_t)i);
	if (*st->worker)
		OGR_F_SetFieldString(row, col, st->worker);
	if (*st->phone)
		OGR_F_SetFieldString(row, col + 1, st->phone);
}

static geo_err write_row(struct diff_run *run, OGRLayerH l, const geo_diff_move *m, int zh)
{
	const geo_diff_result *r = run->r;
	OGRFeatureH row = OGR_F_Create(OGR_L_GetLayerDefn(l));
	const char *layer = r->layers[m->layer].name;
	OGR_F_SetFieldString(row, COL_LAYER, zh ? layer_short_title(layer) : layer);
	OGR_F_SetFieldString(row, COL_FEATURE, m->label);
	set_grid(row, COL_OLD_ID, r, r->old_grids, m->old_grid);
	set_grid(row, COL_NEW_ID, r, r->new_grids, m->new_grid);
	set_worker(row, COL_OLD_WORKER, r, r->old_grids, m->old_grid);
	set_worker(row, COL_NEW_WORKER, r, r->new_grids, m->new_grid);
	OGR_F_SetFieldInteger64(row, COL_FID, m->fid);
	geo_err e = geo_write_feature(run->ctx, l, row, NULL, NULL);
	OGR_F_Destroy(row);
	return e;
}

static geo_err write_table(struct diff_run *run, geo_output *out, const char *name,
			   const size_t *order)
{
	OGRLayerH l = geo_output_create_layer(run->ctx, out, NULL, NULL, wkbNone);
	if (!l)
		return geo_last_code(run->ctx);
	geo_err e = add_columns(run, l, name, 0);
	for (size_t k = 0; !e && k < run->r->nmoves; k++)
		e = write_row(run, l, &run->r->moves[order[k]], 0);
	return e;
}

/* ---- XLSX: a sheet per receiving worker ------------------------------------------ */

/* The sheet's name: the worker's, the grid's code and name for a grid
** without a worker, or 移出网格 for what leaves every grid. */
static void receiver_title(const geo_diff_result *r, const geo_diff_move *m, char *buf, size_t size)
{
	switch (diff_receiver_rank(r, m)) {
	case 0: snprintf(buf, size, "%s", r->new_staff[m->new_grid].worker); break;
	case 1:
		snprintf(buf, size, "%s %s", r->new_grids->grids[m->new_grid].id,
			 r->new_staff[m->new_grid].name);
		break;
	default: snprintf(buf, size, "移出网格"); break;
	}
}

static geo_err write_sheets(struct diff_run *run, geo_output *out, const char *name,
			    const size_t *order)
{
	const geo_diff_result *r = run->r;
	GDALDatasetH ds = geo_output_dataset(out);
	geo_err e = GEO_OK;
	OGRLayerH l = NULL;
	if (!r->nmoves) {
		if (!(l = geo_output_create_layer(run->ctx, out, "移交清单", NULL, wkbNone)))
			return geo_last_code(run->ctx);
		return add_columns(run, l, name, 1);
	}
	for (size_t k = 0; !e && k < r->nmoves; k++) {
		const geo_diff_move *m = &r->moves[order[k]];
		if (!k || diff_receiver_cmp(r, &r->moves[order[k - 1]], m)) {
			char title[256];
			receiver_title(r, m, title, sizeof title);
			char *sheet = geo_sheet_name(ds, title);
			if (!sheet)
				return geo_fail(run->ctx, GEO_ERR_INTERNAL, "out of memory");
			l = geo_output_create_layer(run->ctx, out, sheet, NULL, wkbNone);
			free(sheet);
			if (!l)
				return geo_last_code(run->ctx);
			e = add_columns(run, l, name, 1);
		}
		if (!e)
			e = write_row(run, l, m, 1);
	}
	return e;
}

/* ---- the outputs ------------------------------------------------------------- */

geo_err diff_handover_open(struct diff_run *run)
{
	const char *const *names = run->o->moves;
	size_t n = 0;
	while (names && names[n])
		n++;
	if (!n)
		return GEO_OK;
	if (!(run->moves_out = geo_calloc(run->ctx, n, sizeof *run->moves_out)))
		return GEO_ERR_INTERNAL;
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = run->o->common.out.overwrite;
	oo.inputs = run->inputs;
	for (size_t k = 0; k < n; k++) {
		geo_output *out = form_of(names[k]) == FORM_PDF
					  ? geo_output_open_file(run->ctx, names[k], &oo)
					  : geo_output_open(run->ctx, names[k], &oo);
		if (!out)
			return geo_last_code(run->ctx);
		run->moves_out[run->nmoves_out++] = out;
	}
	return GEO_OK;
}

geo_err diff_handover_write(struct diff_run *run)
{
	if (!run->nmoves_out)
		return GEO_OK;
	size_t *order = diff_handover_order(run->r);
	if (!order)
		return geo_fail(run->ctx, GEO_ERR_INTERNAL, "out of memory");
	geo_err e = GEO_OK;
	for (size_t k = 0; !e && k < run->nmoves_out; k++) {
		const char *name = run->o->moves[k];
		geo_output *out = run->moves_out[k];
		switch (form_of(name)) {
		case FORM_PDF: e = diff_pdf_write(run, out, name, order); break;
		case FORM_XLSX: e = write_sheets(run, out, name, order); break;
		default: e = write_table(run, out, name, order); break;
		}
	}
	free(order);
	return e;
}

void diff_handover_close(struct diff_run *run)
{
	for (size_t k = 0; k < run->nmoves_out; k++)
		geo_output_close(run->moves_out[k]);
	free(run->moves_out);
	run->moves_out = NULL;
	run->nmoves_out = 0;
}
