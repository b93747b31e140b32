/*
** kde_grid.c: grid-heat's per-grid map. Each point of the window is placed
** in its grid by the shared placer (place.c, the same shared-edge rule as
** grid-place and grid-check), then every grid gets its count, weight,
** density per km², weight per 100 households, the change from the previous
** window and a rank, written with the grid's own geometry and CRS and a
** graduated style on the density.
*/
#include "heat/kde_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tally {
	size_t *count, *prev_count;
	double *weight, *prev_weight, *area_km2;
	long *rank;
};

geo_output *heat_grid_open(geo_ctx *ctx, const geo_heat_opts *o, const char *const *inputs)
{
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = o->common.out.overwrite;
	oo.inputs = inputs;
	return geo_output_open(ctx, o->grid_output, &oo);
}

static int in_window(const heat_points *p, size_t i, const geo_window *w)
{
	return w->kind == GEO_WINDOW_ALL || (p->has_t[i] && geo_window_holds(w, p->t[i]));
}

/* Places the points of win (and of prev) and sums them per grid. */
static void place_points(geo_placer *pl, const heat_points *p, const geo_window *win,
			 const geo_window *prev, struct tally *t, geo_heat_grids *sum)
{
	for (size_t i = 0; i < p->n; i++) {
		int now = in_window(p, i, win), before = prev && in_window(p, i, prev);
		if (!now && !before)
			continue;
		long g = geo_placer_locate(pl, p->x[i], p->y[i]);
		if (now && g < 0)
			sum->unplaced++;
		if (now && g >= 0) {
			t->count[g]++;
			t->weight[g] += p->w[i];
			sum->placed++;
		}
		if (before && g >= 0) {
			t->prev_count[g]++;
			t->prev_weight[g] += p->w[i];
			sum->prev_placed++;
		}
	}
}

/* Competition ranking by weight, highest first ("1224"): equal weights
** share a rank. order[] gets the grids by rank, ties in the grids' order. */
static int by_rank(const void *a, const void *b, void *data)
{
	const struct tally *t = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (t->weight[i] != t->weight[j])
		return t->weight[i] > t->weight[j] ? -1 : 1;
	return i < j ? -1 : i > j;
}

static void rank_grids(const geo_gridset *gs, struct tally *t, size_t *order)
{
	for (size_t i = 0; i < gs->n; i++)
		order[i] = i;
	qsort_r(order, gs->n, sizeof *order, by_rank, t);
	for (size_t k = 0; k < gs->n; k++) {
		size_t i = order[k];
		t->rank[i] = k && t->weight[order[k - 1]] == t->weight[i] ? t->rank[order[k - 1]]
									: (long)k + 1;
	}
}

static geo_err add_field(geo_ctx *ctx, OGRLayerH l, const char *name, OGRFieldType type)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, type);
	if (type == OFTReal)
		OGR_Fld_SetPrecision(fd, 6);
	OGRErr e = OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
	return e == OGRERR_NONE ? GEO_OK
				: geo_fail(ctx, GEO_ERR_OUTPUT, "cannot create field '%s': %s", name,
					   geo_cpl_error("driver refused"));
}

static geo_err make_fields(geo_ctx *ctx, OGRLayerH l, const geo_gridset *gs, int compare)
{
	static const struct { const char *name; OGRFieldType type; int when; } f[] = {
		{ "grid_id", OFTString, 0 }, { "name", OFTString, 0 }, { "level", OFTInteger, 0 },
		{ "window", OFTString, 0 }, { "count", OFTInteger64, 0 }, { "weight", OFTReal, 0 },
		{ "area_km2", OFTReal, 0 }, { "density_km2", OFTReal, 0 },
		{ "households", OFTInteger, 1 }, { "per_100_hh", OFTReal, 1 },
		{ "previous", OFTString, 2 }, { "prev_count", OFTInteger64, 2 },
		{ "prev_weight", OFTReal, 2 }, { "change", OFTReal, 2 }, { "change_pct", OFTReal, 2 },
		{ "rank", OFTInteger, 0 },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if ((f[i].when == 1 && !gs->has_households) || (f[i].when == 2 && !compare))
			continue;
		geo_err e = add_field(ctx, l, f[i].name, f[i].type);
		if (e)
			return e;
	}
	return GEO_OK;
}

static geo_err write_grid(geo_ctx *ctx, OGRLayerH l, const geo_gridset *gs, size_t i,
			  const struct tally *t, const geo_window *win, const geo_window *prev)
{
	const geo_grid *g = &gs->grids[i];
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "grid_id"), g->id);
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "name"), g->name);
	OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "level"), g->level);
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "window"), win->label);
	OGR_F_SetFieldInteger64(f, OGR_F_GetFieldIndex(f, "count"), (GIntBig)t->count[i]);
	geo_feature_set_real(f, "weight", t->weight[i], 1);
	double area = t->area_km2[i];
	geo_feature_set_real(f, "area_km2", area, area > 0);
	geo_feature_set_real(f, "density_km2", t->weight[i] / area, area > 0);
	if (gs->has_households) {
		OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "households"), (int)g->households);
		geo_feature_set_real(f, "per_100_hh", 100 * t->weight[i] / g->households,
				     g->households > 0);
	}
	if (prev) {
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "previous"), prev->label);
		OGR_F_SetFieldInteger64(f, OGR_F_GetFieldIndex(f, "prev_count"),
					(GIntBig)t->prev_count[i]);
		geo_feature_set_real(f, "prev_weight", t->prev_weight[i], 1);
		geo_feature_set_real(f, "change", t->weight[i] - t->prev_weight[i], 1);
		geo_feature_set_real(f, "change_pct",
				     100 * (t->weight[i] - t->prev_weight[i]) / t->prev_weight[i],
				     t->prev_weight[i] != 0);
	}
	OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "rank"), (int)t->rank[i]);
	OGRGeometryH geom = OGR_F_GetGeometryRef(g->feat);
	if (geom)
		OGR_F_SetGeometry(f, geom);
	geo_err e = geo_write_feature(ctx, l, f, NULL, NULL);
	OGR_F_Destroy(f);
	return e;
}

static void summarise_top(const geo_gridset *gs, const struct tally *t, const size_t *order,
			  geo_heat_grids *sum)
{
	for (size_t k = 0; k < gs->n && sum->ntop < GEO_HEAT_TOP; k++) {
		size_t i = order[k];
		if (!t->count[i])
			break;
		snprintf(sum->top[sum->ntop].id, sizeof sum->top[0].id, "%s", gs->grids[i].id);
		sum->top[sum->ntop].count = t->count[i];
		sum->top[sum->ntop].weight = t->weight[i];
		sum->ntop++;
	}
}

static geo_err write_map(geo_ctx *ctx, geo_output *out, const geo_gridset *gs, struct tally *t,
			 const geo_window *win, const geo_window *prev)
{
	OGRLayerH l = geo_output_create_layer(ctx, out, NULL, gs->source_crs,
					      OGR_FD_GetGeomType(gs->defn));
	if (!l)
		return geo_last_code(ctx);
	geo_err e = make_fields(ctx, l, gs, prev != NULL);
	for (size_t i = 0; !e && i < gs->n; i++)
		e = write_grid(ctx, l, gs, i, t, win, prev);
	double *density = e ? NULL : geo_calloc(ctx, gs->n, sizeof *density);
	if (!e && !density)
		e = GEO_ERR_INTERNAL;
	for (size_t i = 0; density && i < gs->n; i++)
		density[i] = t->area_km2[i] > 0 ? t->weight[i] / t->area_km2[i] : 0;
	geo_qml_graduated_opts qo = { "density_km2", GEO_QML_QUANTILES, "per km²", 1, NULL };
	char *qml = density ? geo_qml_graduated(density, gs->n, &qo) : NULL;
	if (!e && !qml)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	if (!e)
		e = geo_output_style(ctx, out, l, qml);
	free(qml);
	free(density);
	return e;
}

static void tally_free(struct tally *t)
{
	free(t->count);
	free(t->prev_count);
	free(t->weight);
	free(t->prev_weight);
	free(t->area_km2);
	free(t->rank);
}

geo_err heat_grid_map(geo_ctx *ctx, geo_output *out, const geo_heat_opts *o, const geo_crs *work,
		      const heat_points *p, const geo_window *win, const geo_window *prev,
		      geo_heat_grids *sum)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	geo_gridset *gs = geo_gridset_read(ctx, o->grids, &io, &o->grid, work);
	if (!gs)
		return geo_last_code(ctx);
	geo_placer *pl = geo_placer_new(ctx, gs);
	size_t n = gs->n;
	struct tally t = {
		geo_calloc(ctx, n, sizeof(size_t)), geo_calloc(ctx, n, sizeof(size_t)),
		geo_calloc(ctx, n, sizeof(double)), geo_calloc(ctx, n, sizeof(double)),
		geo_calloc(ctx, n, sizeof(double)), geo_calloc(ctx, n, sizeof(long)),
	};
	size_t *order = geo_calloc(ctx, n, sizeof *order);
	geo_err e = GEO_OK;
	if (!pl || !t.count || !t.prev_count || !t.weight || !t.prev_weight || !t.area_km2 ||
	    !t.rank || !order)
		e = geo_last_code(ctx);
	if (!e) {
		memset(sum, 0, sizeof *sum);
		sum->grids = n;
		for (size_t i = 0; i < n; i++)
			t.area_km2[i] = gs->grids[i].geom ? geo_geom_area(ctx, gs->grids[i].geom) / 1e6 : 0;
		place_points(pl, p, win, prev, &t, sum);
		rank_grids(gs, &t, order);
		summarise_top(gs, &t, order, sum);
		if (prev) {
			sum->compared = 1;
			snprintf(sum->prev_label, sizeof sum->prev_label, "%s", prev->label);
		}
		e = write_map(ctx, out, gs, &t, win, prev);
	}
	free(order);
	tally_free(&t);
	geo_placer_free(pl);
	geo_gridset_free(gs);
	return e;
}
