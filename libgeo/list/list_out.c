/*
** list_out.c: grid-list's tables. An .xlsx holds one sheet per grid (or per
** worker, all their grids together) with Chinese headers, codes as text
** cells, a blank column to tick and one for remarks, the features in the
** order of their numbers; anything else is one table in the format OGR gives
** the extension, with English column names for scripts.
*/
#include "list/list_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
	COL_NUMBER,
	COL_ID,
	COL_NAME,
	COL_KIND,
	COL_AREA,
	COL_LENGTH,
	COL_VILLAGE,
	COL_GRID_ID,
	COL_GRID_NAME,
	COL_WORKER,
	COL_PHONE,
	COL_CHECKED,
	COL_REMARKS,
	COL_LAYER,
	COL_FID,
	NCOLS
};

static const struct {
	const char *name, *zh;
	OGRFieldType type;
} columns[NCOLS] = {
	{ "number", "序号", OFTInteger },
	{ "id", "编号", OFTString },
	{ "name", "名称或地址", OFTString },
	{ "kind", "类别", OFTString },
	{ "area_m2", "面积(平方米)", OFTReal },
	{ "length_m", "长度(米)", OFTReal },
	{ "village", "所属村", OFTString },
	{ "grid_id", "网格编码", OFTString },
	{ "grid_name", "网格名称", OFTString },
	{ "worker", "网格员", OFTString },
	{ "phone", "电话", OFTString },
	{ "checked", "已踏查(√)", OFTString },
	{ "remarks", "备注", OFTString },
	{ "layer", "图层", OFTString },
	{ "fid", "要素号", OFTInteger64 },
};

/* The columns a table has: area and length only when some feature has one;
** the sheets leave out the layer and the feature number, which are for
** scripts. Returns the count; fills cols. */
static int table_columns(const list_run *run, int zh, int *cols)
{
	int area = 0, line = 0, n = 0;
	for (size_t k = 0; k < run->nitems; k++)
		area |= run->items[k].dim == LIST_AREA, line |= run->items[k].dim == LIST_LINE;
	for (int c = 0; c < NCOLS; c++) {
		if ((c == COL_AREA && !area) || (c == COL_LENGTH && !line) ||
		    (zh && (c == COL_LAYER || c == COL_FID)))
			continue;
		cols[n++] = c;
	}
	return n;
}

static geo_err add_columns(list_run *run, OGRLayerH l, const char *name, const int *cols, int n,
			   int zh)
{
	/* A GeoPackage or PostGIS table's own key is fid: a column of that
	** name would be taken for it, and two layers' feature ids collide. */
	const char *key = OGR_L_GetFIDColumn(l);
	int own_fid = key && !strcasecmp(key, "fid");
	for (int k = 0; k < n; k++) {
		int c = cols[k];
		const char *cname = zh ? columns[c].zh
				       : c == COL_FID && own_fid ? "feature_fid" : columns[c].name;
		OGRFieldDefnH fd = OGR_Fld_Create(cname, columns[c].type);
		OGRErr err = OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE)
			return geo_fail(run->ctx, GEO_ERR_OUTPUT, "%s: cannot create column '%s': %s",
					name, columns[c].name, geo_cpl_error("driver refused"));
	}
	return GEO_OK;
}

static void set_text(OGRFeatureH row, int field, const char *s)
{
	if (s && *s)
		OGR_F_SetFieldString(row, field, s);
}

static geo_err write_row(list_run *run, OGRLayerH l, const list_item *it, const int *cols, int n)
{
	OGRFeatureH row = OGR_F_Create(OGR_L_GetLayerDefn(l));
	const geo_diff_staff *st = it->grid >= 0 ? &run->staff[it->grid] : NULL;
	for (int k = 0; k < n; k++) {
		switch (cols[k]) {
		case COL_NUMBER: OGR_F_SetFieldInteger(row, k, (int)it->number); break;
		case COL_ID: set_text(row, k, it->id); break;
		case COL_NAME: set_text(row, k, it->name); break;
		case COL_KIND: set_text(row, k, it->kind); break;
		case COL_AREA:
		case COL_LENGTH:
			/* Tenths of a square metre or a metre: what a tape measures. */
			if (it->dim == (cols[k] == COL_AREA ? LIST_AREA : LIST_LINE))
				OGR_F_SetFieldDouble(row, k, round(it->measure * 10) / 10);
			break;
		case COL_VILLAGE: set_text(row, k, it->village); break;
		case COL_GRID_ID: set_text(row, k, st ? run->gs->grids[it->grid].id : ""); break;
		case COL_GRID_NAME: set_text(row, k, st ? st->name : ""); break;
		case COL_WORKER: set_text(row, k, st ? st->worker : ""); break;
		case COL_PHONE: set_text(row, k, st ? st->phone : ""); break;
		case COL_LAYER: set_text(row, k, run->layers[it->layer].name); break;
		case COL_FID: OGR_F_SetFieldInteger64(row, k, it->fid); break;
		default: break; /* checked and remarks stay blank, for the pen */
		}
	}
	geo_err e = geo_write_feature(run->ctx, l, row, NULL, NULL);
	OGR_F_Destroy(row);
	return e;
}

/* The sheet of section s: a grid's code and name, a worker's name, or
** 不在任何网格内. */
static void sheet_title(const list_run *run, const list_section *s, int by_worker, char *buf,
			size_t size)
{
	if (s->grid < 0) {
		snprintf(buf, size, "不在任何网格内");
		return;
	}
	const geo_diff_staff *st = &run->staff[s->grid];
	if (by_worker && *st->worker)
		snprintf(buf, size, "%s", st->worker);
	else
		snprintf(buf, size, "%s %s", run->gs->grids[s->grid].id, st->name);
}

static geo_err write_sheets(list_run *run, geo_output *out, const char *name)
{
	int cols[NCOLS], n = table_columns(run, 1, cols);
	int by_worker = run->o->sheets == GEO_LIST_BY_WORKER;
	if (!run->nsections) {
		OGRLayerH l = geo_output_create_layer(run->ctx, out, run->title, NULL, wkbNone);
		return l ? add_columns(run, l, name, cols, n, 1) : geo_last_code(run->ctx);
	}
	size_t *order = geo_calloc(run->ctx, run->nsections, sizeof *order);
	if (!order)
		return GEO_ERR_INTERNAL;
	list_sheet_order(run, by_worker, order);
	GDALDatasetH ds = geo_output_dataset(out);
	OGRLayerH l = NULL;
	geo_err e = GEO_OK;
	for (size_t k = 0; !e && k < run->nsections; k++) {
		const list_section *s = &run->sections[order[k]];
		if (!k || !by_worker || !list_same_worker(run, &run->sections[order[k - 1]], s)) {
			char title[256];
			sheet_title(run, s, by_worker, title, sizeof title);
			char *sheet = geo_sheet_name(ds, title);
			if (!sheet) {
				e = geo_fail(run->ctx, GEO_ERR_INTERNAL, "out of memory");
				break;
			}
			l = geo_output_create_layer(run->ctx, out, sheet, NULL, wkbNone);
			free(sheet);
			e = l ? add_columns(run, l, name, cols, n, 1) : geo_last_code(run->ctx);
		}
		for (size_t i = s->from; !e && i < s->to; i++)
			e = write_row(run, l, &run->items[i], cols, n);
	}
	free(order);
	return e;
}

static int is_xlsx(const geo_output *out)
{
	const char *d = geo_output_driver(out);
	return d && !strcasecmp(d, "XLSX");
}

geo_err list_write_table(list_run *run, geo_output *out, const char *name)
{
	if (is_xlsx(out))
		return write_sheets(run, out, name);
	int cols[NCOLS], n = table_columns(run, 0, cols);
	OGRLayerH l = geo_output_create_layer(run->ctx, out, NULL, NULL, wkbNone);
	geo_err e = l ? add_columns(run, l, name, cols, n, 0) : geo_last_code(run->ctx);
	for (size_t k = 0; !e && k < run->nitems; k++)
		e = write_row(run, l, &run->items[k], cols, n);
	return e;
}
