/*
** info.c: grid-info's verb. It describes each layer of a dataset (CRS,
** counts, geometry types, extent, area in m²) and, for grid layers, checks
** the codes: the count per level, malformed and duplicate codes, and
** secondaries whose parent is not in the layer. It reads every feature, so
** the area is measured, not estimated.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

void geo_info_opts_init(geo_info_opts *o)
{
	geo_common_opts_init(&o->common);
	geo_grid_opts_init(&o->grid);
}

static void count_type(geo_info_layer *li, const char *type)
{
	for (size_t i = 0; i < li->ntypes; i++)
		if (!strcmp(li->types[i].name, type)) {
			li->types[i].n++;
			return;
		}
	if (li->ntypes < GEO_INFO_TYPES) {
		li->types[li->ntypes].name = type;
		li->types[li->ntypes++].n = 1;
	}
}

static void list_add(geo_info_codes *list, const char *s)
{
	if (list->n < GEO_INFO_LISTED)
		list->codes = CSLAddString(list->codes, s);
	list->n++;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int found(char *const *sorted, size_t n, const char *s)
{
	return bsearch(&s, sorted, n, sizeof *sorted, by_str) != NULL;
}

static geo_err check_codes(geo_ctx *ctx, geo_info_layer *li, const geo_gridset *gs)
{
	char **ids = geo_calloc(ctx, gs->n, sizeof *ids);
	char **primaries = geo_calloc(ctx, gs->n, sizeof *primaries);
	if (!ids || !primaries) {
		free(ids);
		free(primaries);
		return GEO_ERR_INTERNAL;
	}
	size_t np = 0;
	for (size_t i = 0; i < gs->n; i++) {
		const geo_grid *g = &gs->grids[i];
		ids[i] = g->id;
		int by_code = geo_grid_code_level(g->id);
		li->level[g->level >= 1 && g->level <= 2 ? g->level : 0]++;
		if (!by_code || by_code != g->level)
			list_add(&li->malformed, *g->id ? g->id : "(empty)");
		if (g->level == 1)
			primaries[np++] = g->id;
	}
	qsort(ids, gs->n, sizeof *ids, by_str);
	for (size_t i = 1; i < gs->n; i++)
		if (!strcmp(ids[i], ids[i - 1]) && (i == 1 || strcmp(ids[i], ids[i - 2])))
			list_add(&li->duplicates, ids[i]);
	qsort(primaries, np, sizeof *primaries, by_str);
	for (size_t i = 0; np && i < gs->n; i++) {
		const geo_grid *g = &gs->grids[i];
		if (g->level == 2 && !found(primaries, np, g->parent_id))
			list_add(&li->orphans, g->id);
	}
	free(ids);
	free(primaries);
	return GEO_OK;
}

static void measure(geo_ctx *ctx, geo_info_layer *li, const geo_grid *g)
{
	OGRGeometryH og = OGR_F_GetGeometryRef(g->feat);
	if (!og || OGR_G_IsEmpty(og)) {
		li->empty++;
		return;
	}
	count_type(li, OGR_G_GetGeometryName(og));
	OGREnvelope e;
	OGR_G_GetEnvelope(og, &e);
	double *x = li->extent;
	if (!li->has_extent) {
		x[0] = e.MinX, x[1] = e.MinY, x[2] = e.MaxX, x[3] = e.MaxY;
		li->has_extent = 1;
	}
	x[0] = fmin(x[0], e.MinX);
	x[1] = fmin(x[1], e.MinY);
	x[2] = fmax(x[2], e.MaxX);
	x[3] = fmax(x[3], e.MaxY);
	int dim = geo_geom_dimension_class(OGR_G_GetGeometryType(og));
	if (dim == 1 && g->geom)
		li->area_m2 += geo_geom_area(ctx, g->geom);
	if (dim == 2 && g->geom)
		li->length_m += geo_geom_length(ctx, g->geom);
}

/* Reads any layer through the gridset reader, which accepts every geometry
** type when asked to describe rather than to check. */
static geo_err describe(geo_ctx *ctx, const char *name, const char *layer,
			const geo_info_opts *o, geo_info_layer *li)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, o->common.where);
	io.layer = *layer ? layer : NULL;
	geo_input *in = geo_input_open(ctx, name, &io);
	if (!in)
		return geo_last_code(ctx);
	const geo_crs *crs = geo_input_crs(in);
	geo_crs *work = NULL;
	OGREnvelope env;
	if (crs && geo_input_extent(ctx, in, &env) == GEO_OK)
		work = geo_input_working_crs(ctx, in);
	li->name = geo_strdup(ctx, OGR_L_GetName(geo_input_layer(in)));
	li->crs = geo_strdup(ctx, crs ? geo_crs_name(crs) : "none");
	li->work_crs = geo_strdup(ctx, work ? geo_crs_name(work) : "");
	li->is_grid = OGR_FD_GetFieldIndex(geo_input_defn(in), o->grid.id_field) >= 0;
	geo_gridset gs = { .geos = geo_ctx_geos(ctx) };
	geo_err e = !li->name || !li->crs || !li->work_crs ? GEO_ERR_INTERNAL
			  : work ? geo_input_set_target(ctx, in, work) : GEO_OK;
	geo_grid_opts gopts = o->grid;
	OGRFeatureDefnH d = geo_input_defn(in);
	for (size_t cap = 0; !e;) {
		OGRFeatureH f;
		GEOSGeometry *g = NULL;
		if ((e = geo_input_next(ctx, in, &f, work ? &g : NULL)) || !f)
			break;
		if (gs.n == cap) {
			cap = cap ? cap * 2 : 256;
			geo_grid *grids = geo_realloc_array(ctx, gs.grids, cap, sizeof *grids);
			if (!grids) {
				OGR_F_Destroy(f);
				GEOSGeom_destroy_r(gs.geos, g);
				e = GEO_ERR_INTERNAL;
				break;
			}
			gs.grids = grids;
		}
		geo_grid *gr = &gs.grids[gs.n++];
		memset(gr, 0, sizeof *gr);
		gr->feat = f;
		gr->geom = g;
		/* Copies: OGR formats a numeric field into one buffer per feature, so
		** the parent's text would free the id's. */
		gr->id = geo_strdup(ctx, geo_feat_str(f, OGR_FD_GetFieldIndex(d, gopts.id_field)));
		gr->parent_id =
			geo_strdup(ctx, geo_feat_str(f, OGR_FD_GetFieldIndex(d, gopts.parent_field)));
		if (!gr->id || !gr->parent_id) {
			e = GEO_ERR_INTERNAL;
			break;
		}
		int lf = OGR_FD_GetFieldIndex(d, gopts.level_field);
		gr->level = lf >= 0 && OGR_F_IsFieldSetAndNotNull(f, lf) ? OGR_F_GetFieldAsInteger(f, lf)
									  : geo_grid_code_level(gr->id);
		measure(ctx, li, gr);
	}
	li->features = gs.n;
	if (!e && li->is_grid)
		e = check_codes(ctx, li, &gs);
	for (size_t i = 0; i < gs.n; i++) {
		GEOSGeom_destroy_r(gs.geos, gs.grids[i].geom);
		OGR_F_Destroy(gs.grids[i].feat);
		free(gs.grids[i].id);
		free(gs.grids[i].parent_id);
	}
	free(gs.grids);
	geo_crs_free(work);
	geo_input_close(in);
	return e;
}

static void free_layer(geo_info_layer *li)
{
	free(li->name);
	free(li->crs);
	free(li->work_crs);
	CSLDestroy(li->malformed.codes);
	CSLDestroy(li->duplicates.codes);
	CSLDestroy(li->orphans.codes);
}

void geo_info_result_free(geo_info_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nlayers; i++)
		free_layer(&r->layers[i]);
	free(r->layers);
	free(r->dataset);
	free(r);
}

static geo_err info(geo_ctx *ctx, const char *name, const geo_info_opts *o, geo_info_result *r)
{
	char **layers = geo_input_layer_names(ctx, name);
	if (!layers)
		return geo_last_code(ctx);
	r->dataset = geo_pg_label(ctx, name); /* a PG: password shown as *** */
	size_t n = (size_t)CSLCount(layers);
	r->layers = r->dataset ? geo_calloc(ctx, n, sizeof *r->layers) : NULL;
	geo_err e = r->layers ? GEO_OK : geo_last_code(ctx);
	for (size_t i = 0; !e && i < n; i++, r->nlayers++)
		e = describe(ctx, name, layers[i], o, &r->layers[i]);
	CSLDestroy(layers);
	return e;
}

geo_err geo_info(geo_ctx *ctx, const char *name, const geo_info_opts *o, geo_info_result **result,
		 geo_progress progress, void *progress_data)
{
	(void)progress, (void)progress_data;
	geo_info_result *r = geo_calloc(ctx, 1, sizeof *r);
	geo_err e = r ? info(ctx, name, o, r) : GEO_ERR_INTERNAL;
	if (e) {
		geo_info_result_free(r);
		r = NULL;
	}
	*result = r;
	return e;
}
