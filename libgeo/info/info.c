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

enum { MAX_TYPES = 8, MAX_LISTED = 20 };

struct layer_info {
	char name[256];
	char crs[128], work_crs[128];
	long long features, empty;
	struct { const char *name; long long n; } types[MAX_TYPES];
	int ntypes;
	OGREnvelope env;
	int has_env;
	double area_m2, length_m;
	int is_grid;
	long long level[3];     /* unknown, primary, secondary */
	char **malformed, **duplicates, **orphans; /* CSL lists */
	long long nmalformed, nduplicates, norphans;
};

static void count_type(struct layer_info *li, const char *type)
{
	for (int i = 0; i < li->ntypes; i++)
		if (!strcmp(li->types[i].name, type)) {
			li->types[i].n++;
			return;
		}
	if (li->ntypes < MAX_TYPES) {
		li->types[li->ntypes].name = type;
		li->types[li->ntypes++].n = 1;
	}
}

static void list_add(char ***list, long long *n, const char *s)
{
	if (*n < MAX_LISTED)
		*list = CSLAddString(*list, s);
	(*n)++;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int found(char *const *sorted, size_t n, const char *s)
{
	return bsearch(&s, sorted, n, sizeof *sorted, by_str) != NULL;
}

static geo_err check_codes(geo_ctx *ctx, struct layer_info *li, const geo_gridset *gs)
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
			list_add(&li->malformed, &li->nmalformed, *g->id ? g->id : "(empty)");
		if (g->level == 1)
			primaries[np++] = g->id;
	}
	qsort(ids, gs->n, sizeof *ids, by_str);
	for (size_t i = 1; i < gs->n; i++)
		if (!strcmp(ids[i], ids[i - 1]) && (i == 1 || strcmp(ids[i], ids[i - 2])))
			list_add(&li->duplicates, &li->nduplicates, ids[i]);
	qsort(primaries, np, sizeof *primaries, by_str);
	for (size_t i = 0; np && i < gs->n; i++) {
		const geo_grid *g = &gs->grids[i];
		if (g->level == 2 && !found(primaries, np, g->parent_id))
			list_add(&li->orphans, &li->norphans, g->id);
	}
	free(ids);
	free(primaries);
	return GEO_OK;
}

static void measure(geo_ctx *ctx, struct layer_info *li, const geo_grid *g)
{
	OGRGeometryH og = OGR_F_GetGeometryRef(g->feat);
	if (!og || OGR_G_IsEmpty(og)) {
		li->empty++;
		return;
	}
	count_type(li, OGR_G_GetGeometryName(og));
	OGREnvelope e;
	OGR_G_GetEnvelope(og, &e);
	if (!li->has_env)
		li->env = e;
	li->env.MinX = fmin(li->env.MinX, e.MinX);
	li->env.MinY = fmin(li->env.MinY, e.MinY);
	li->env.MaxX = fmax(li->env.MaxX, e.MaxX);
	li->env.MaxY = fmax(li->env.MaxY, e.MaxY);
	li->has_env = 1;
	int dim = geo_geom_dimension_class(OGR_G_GetGeometryType(og));
	if (dim == 1 && g->geom)
		li->area_m2 += geo_geom_area(ctx, g->geom);
	if (dim == 2 && g->geom)
		li->length_m += geo_geom_length(ctx, g->geom);
}

/* Reads any layer through the gridset reader, which accepts every geometry
** type when asked to describe rather than to check. */
static geo_err describe(geo_ctx *ctx, const char *name, const char *layer,
			const geo_info_opts *o, struct layer_info *li)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, o->common.where);
	io.layer = *layer ? layer : NULL;
	geo_input *in = geo_input_open(ctx, name, &io);
	if (!in)
		return geo_last_code(ctx);
	snprintf(li->name, sizeof li->name, "%s", OGR_L_GetName(geo_input_layer(in)));
	const geo_crs *crs = geo_input_crs(in);
	snprintf(li->crs, sizeof li->crs, "%s", crs ? geo_crs_name(crs) : "none");
	geo_crs *work = NULL;
	OGREnvelope env;
	if (crs && geo_input_extent(ctx, in, &env) == GEO_OK)
		work = geo_input_working_crs(ctx, in);
	if (work)
		snprintf(li->work_crs, sizeof li->work_crs, "%s", geo_crs_name(work));
	li->is_grid = OGR_FD_GetFieldIndex(geo_input_defn(in), o->grid.id_field) >= 0;
	geo_gridset gs = { .geos = geo_ctx_geos(ctx) };
	geo_err e = work ? geo_input_set_target(ctx, in, work) : GEO_OK;
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
	li->features = (long long)gs.n;
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

static void json_list(geo_buf *b, const char *key, char **list, long long n)
{
	geo_buf_printf(b, ", \"%s\": {\"count\": %lld, \"codes\": [", key, n);
	for (int i = 0; list && list[i]; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_str(b, list[i]);
	}
	geo_buf_add(b, "]}");
}

static void render_json(geo_buf *b, const struct layer_info *li)
{
	geo_json_strings(b, "{", "name", li->name, "crs", li->crs, "working_crs", li->work_crs, (char *)NULL);
	geo_buf_printf(b, ", \"features\": %lld, \"empty\": %lld, \"geometry_types\": {",
		       li->features, li->empty);
	for (int i = 0; i < li->ntypes; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_str(b, li->types[i].name);
		geo_buf_printf(b, ": %lld", li->types[i].n);
	}
	geo_buf_add(b, "}, \"extent\": ");
	if (li->has_env) {
		geo_buf_add(b, "[");
		geo_json_num(b, li->env.MinX, 6);
		geo_buf_add(b, ", ");
		geo_json_num(b, li->env.MinY, 6);
		geo_buf_add(b, ", ");
		geo_json_num(b, li->env.MaxX, 6);
		geo_buf_add(b, ", ");
		geo_json_num(b, li->env.MaxY, 6);
		geo_buf_add(b, "]");
	} else {
		geo_buf_add(b, "null");
	}
	geo_buf_add(b, ", \"area_m2\": ");
	geo_json_num(b, li->area_m2, 1);
	geo_buf_add(b, ", \"length_m\": ");
	geo_json_num(b, li->length_m, 1);
	if (li->is_grid) {
		geo_buf_printf(b, ", \"grid\": {\"levels\": {\"1\": %lld, \"2\": %lld, \"unknown\": %lld}",
			       li->level[1], li->level[2], li->level[0]);
		json_list(b, "malformed_codes", li->malformed, li->nmalformed);
		json_list(b, "duplicate_codes", li->duplicates, li->nduplicates);
		json_list(b, "missing_parents", li->orphans, li->norphans);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "}");
}

static void text_list(geo_buf *b, const char *what, char **list, long long n)
{
	if (!n)
		return;
	geo_buf_printf(b, "  %s: %lld:", what, n);
	for (int i = 0; list && list[i]; i++)
		geo_buf_printf(b, " %s", list[i]);
	geo_buf_add(b, n > MAX_LISTED ? " ...\n" : "\n");
}

static void render_text(geo_buf *b, const struct layer_info *li)
{
	geo_buf_printf(b, _("Layer: %s\n  CRS: %s"), li->name, li->crs);
	if (*li->work_crs && strcmp(li->crs, li->work_crs))
		geo_buf_printf(b, _(" (measured in %s)"), li->work_crs);
	geo_buf_printf(b, _("\n  Features: %lld"), li->features);
	if (li->empty)
		geo_buf_printf(b, _(" (%lld without geometry)"), li->empty);
	geo_buf_add(b, _("\n  Geometry:"));
	for (int i = 0; i < li->ntypes; i++)
		geo_buf_printf(b, " %s%s %lld", i ? "," : "", li->types[i].name, li->types[i].n);
	if (li->has_env)
		geo_buf_printf(b, _("\n  Extent: %.6f %.6f %.6f %.6f"), li->env.MinX, li->env.MinY,
			       li->env.MaxX, li->env.MaxY);
	if (li->area_m2 > 0)
		geo_buf_printf(b, _("\n  Area: %.1f m² (%.3f km²)"), li->area_m2, li->area_m2 / 1e6);
	if (li->length_m > 0)
		geo_buf_printf(b, _("\n  Length: %.1f m"), li->length_m);
	geo_buf_add(b, "\n");
	if (li->is_grid) {
		geo_buf_printf(b, _("  Grids: %lld primary, %lld secondary"), li->level[1], li->level[2]);
		if (li->level[0])
			geo_buf_printf(b, _(", %lld of unknown level"), li->level[0]);
		geo_buf_add(b, "\n");
		text_list(b, _("Malformed codes"), li->malformed, li->nmalformed);
		text_list(b, _("Duplicate codes"), li->duplicates, li->nduplicates);
		text_list(b, _("Secondaries whose parent is missing"), li->orphans, li->norphans);
	}
}

static void free_info(struct layer_info *li)
{
	CSLDestroy(li->malformed);
	CSLDestroy(li->duplicates);
	CSLDestroy(li->orphans);
}

static geo_err info(geo_ctx *ctx, const char *name, const geo_info_opts *o, char **report)
{
	char **layers = geo_input_layer_names(ctx, name);
	if (!layers)
		return geo_last_code(ctx);
	char *label = geo_pg_label(ctx, name); /* a PG: password shown as *** */
	if (!label) {
		CSLDestroy(layers);
		return geo_last_code(ctx);
	}
	geo_buf b;
	geo_buf_init(&b);
	if (o->common.json) {
		geo_buf_add(&b, "{\"dataset\": ");
		geo_json_str(&b, label);
		geo_buf_add(&b, ", \"layers\": [");
	} else {
		geo_buf_printf(&b, _("Dataset: %s\n"), label);
	}
	free(label);
	geo_err e = GEO_OK;
	for (int i = 0; !e && layers[i]; i++) {
		struct layer_info li;
		memset(&li, 0, sizeof li);
		e = describe(ctx, name, layers[i], o, &li);
		if (!e && o->common.json) {
			geo_buf_add(&b, i ? ", " : "");
			render_json(&b, &li);
		} else if (!e) {
			render_text(&b, &li);
		}
		free_info(&li);
	}
	if (o->common.json)
		geo_buf_add(&b, "]}\n");
	CSLDestroy(layers);
	*report = geo_buf_take(&b);
	if (!e && !*report)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	if (e) {
		free(*report);
		*report = NULL;
	}
	return e;
}

geo_err geo_info(geo_ctx *ctx, const char *name, const geo_info_opts *o, geo_info_result **result,
		 geo_progress progress, void *progress_data)
{
	(void)progress, (void)progress_data;
	char *report = NULL;
	geo_err e = info(ctx, name, o, &report);
	return geo_rendered_give(ctx, e, report, o->common.json, result);
}
