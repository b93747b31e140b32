/*
** town.c: the town as a key (--town CODE): which features of each input
** belong to one town of a district kept in one dataset (one PostGIS, one
** GeoPackage). A layer that carries the town field (--town-field, default
** the township layer's `code`) is filtered on it; a grid layer without it on
** its codes, which begin with the town's 9 digits (DESIGN.md's grid model);
** any other layer with geometry spatially, by the features that intersect
** the town's polygon, taken from the township layer (--town-layer, default
** the `township` layer of the input's own dataset); a table without geometry
** is read whole. Each input says on standard error which way it was selected,
** since the spatial way counts a feature on the boundary in both towns.
*/
#include "core/geo_internal.h"

#include <cpl_conv.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One allocation, the strings after the struct: the context that holds it
** frees it with free() and so calls nothing of this module. */
struct geo_town {
	char *code, *field, *layer;
	int resolving; /* opening the township layer itself */
};

void geo_town_opts_init(geo_town_opts *o)
{
	o->code = NULL;
	o->field = GEO_TOWN_FIELD_DEFAULT;
	o->layer = NULL;
}

/* Codes go into SQL filters as literals, so they are held to letters and
** digits (a division code is 9 digits): nothing to quote, nothing to inject. */
static int code_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s))
			return 0;
	return 1;
}

static int field_ok(const char *s)
{
	return *s && !strchr(s, '"') && strlen(s) <= 64;
}

geo_err geo_ctx_set_town(geo_ctx *ctx, const geo_town_opts *o)
{
	geo_ctx_set_town_sel(ctx, NULL);
	if (!o || !o->code)
		return GEO_OK;
	const char *field = o->field ? o->field : GEO_TOWN_FIELD_DEFAULT;
	if (!code_ok(o->code))
		return geo_fail(ctx, GEO_ERR_USAGE, "--town '%s': a code is letters and digits",
				o->code);
	if (!field_ok(field))
		return geo_fail(ctx, GEO_ERR_USAGE, "--town-field '%s': not a field name", field);
	size_t lc = strlen(o->code) + 1, lf = strlen(field) + 1;
	size_t ll = o->layer ? strlen(o->layer) + 1 : 0;
	geo_town *t = geo_calloc(ctx, 1, sizeof *t + lc + lf + ll);
	if (!t)
		return geo_last_code(ctx);
	t->code = memcpy((char *)(t + 1), o->code, lc);
	t->field = memcpy(t->code + lc, field, lf);
	t->layer = o->layer ? memcpy(t->field + lf, o->layer, ll) : NULL;
	geo_ctx_set_town_sel(ctx, t);
	return GEO_OK;
}

const char *geo_ctx_town_code(const geo_ctx *ctx)
{
	const geo_town *t = geo_ctx_town_sel(ctx);
	return t ? t->code : NULL;
}

const char *geo_ctx_town_field(const geo_ctx *ctx)
{
	const geo_town *t = geo_ctx_town_sel(ctx);
	return t ? t->field : GEO_TOWN_FIELD_DEFAULT;
}

/* "(WHERE) AND (TOWN)", or either alone; NULL when both are. */
char *geo_town_join_where(geo_ctx *ctx, const char *where, const char *town)
{
	if (!town || !*town)
		return where ? geo_strdup(ctx, where) : NULL;
	geo_buf b;
	geo_buf_init(&b);
	if (where && *where)
		geo_buf_printf(&b, "(%s) AND (%s)", where, town);
	else
		geo_buf_printf(&b, "%s", town);
	return geo_buf_take(&b);
}

/* The town's polygon (its features in the township layer, collected),
** in the CRS srs; NULL after an input error. */
static OGRGeometryH town_polygon(geo_ctx *ctx, geo_town *t, GDALDatasetH ds, const char *source,
				 OGRSpatialReferenceH srs)
{
	geo_input *tin = NULL;
	OGRLayerH tl = NULL;
	if (t->layer) {
		t->resolving = 1;
		tin = geo_input_open(ctx, t->layer, NULL);
		t->resolving = 0;
		if (!tin)
			return NULL;
		tl = geo_input_layer(tin);
	} else {
		tl = GDALDatasetGetLayerByName(ds, "township");
		if (!tl) {
			geo_fail(ctx, GEO_ERR_INPUT,
				 "%s: no field '%s' to select town %s by, and no township layer "
				 "beside it to select it spatially; name one with --town-layer",
				 source, t->field, t->code);
			return NULL;
		}
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "\"%s\" = '%s'", t->field, t->code);
		char *filter = geo_buf_take(&b);
		if (OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(tl), t->field) < 0 || !filter ||
		    OGR_L_SetAttributeFilter(tl, filter) != OGRERR_NONE) {
			free(filter);
			geo_fail(ctx, GEO_ERR_INPUT, "%s: layer township has no field '%s'", source,
				 t->field);
			return NULL;
		}
		free(filter);
	}
	OGRGeometryH all = OGR_G_CreateGeometry(wkbGeometryCollection);
	OGR_L_ResetReading(tl);
	for (OGRFeatureH f; (f = OGR_L_GetNextFeature(tl)); OGR_F_Destroy(f)) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		if (g)
			OGR_G_AddGeometry(all, g);
	}
	/* Transformed while the township layer, which owns its CRS, is open. */
	OGRSpatialReferenceH from = OGR_L_GetSpatialRef(tl);
	int empty = OGR_G_GetGeometryCount(all) == 0;
	int moved = empty || !from || !srs || OSRIsSame(from, srs) ||
		    OGR_G_TransformTo(all, srs) == OGRERR_NONE;
	if (!tin)
		OGR_L_SetAttributeFilter(tl, NULL);
	geo_input_close(tin);
	if (empty || !moved) {
		OGR_G_DestroyGeometry(all);
		if (empty)
			geo_fail(ctx, GEO_ERR_INPUT, "%s: town %s is not in the township layer",
				 source, t->code);
		else
			geo_fail(ctx, GEO_ERR_INPUT,
				 "%s: cannot bring town %s's polygon into its CRS", source,
				 t->code);
		return NULL;
	}
	return all;
}

/*
** GDAL's PostgreSQL driver sends a spatial filter as a bounding-box test
** (&&) and trusts the server with the rest, so a neighbouring town's points
** inside the town's box would come too: there the exact test goes to the
** server as well, as an attribute filter (the box keeps the index).
*/
static geo_err exact_on_server(geo_ctx *ctx, GDALDatasetH ds, OGRLayerH layer, OGRGeometryH poly,
			       char **where)
{
	GDALDriverH d = ds ? GDALGetDatasetDriver(ds) : NULL;
	const char *column = OGR_L_GetGeometryColumn(layer);
	if (!d || strcmp(GDALGetDriverShortName(d), "PostgreSQL") || !column || !*column ||
	    strchr(column, '"'))
		return GEO_OK;
	char *wkt = NULL;
	if (OGR_G_ExportToWkt(poly, &wkt) != OGRERR_NONE)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "cannot write the town's polygon as WKT");
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b,
		       "ST_Intersects(\"%s\", ST_SetSRID(ST_GeomFromText('%s'), ST_SRID(\"%s\")))",
		       column, wkt, column);
	CPLFree(wkt);
	*where = geo_buf_take(&b);
	return *where ? GEO_OK : geo_last_code(ctx);
}

geo_err geo_town_select(geo_ctx *ctx, GDALDatasetH ds, OGRLayerH layer, const char *source,
			char **where)
{
	*where = NULL;
	geo_town *t = geo_ctx_town_sel(ctx);
	if (!t)
		return GEO_OK;
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
	geo_buf b;
	geo_buf_init(&b);
	if (OGR_FD_GetFieldIndex(defn, t->field) >= 0) {
		geo_log(ctx, GEO_LOG_INFO, "%s: town %s: the features whose %s is %s", source,
			t->code, t->field, t->code);
		geo_buf_printf(&b, "\"%s\" = '%s'", t->field, t->code);
		*where = geo_buf_take(&b);
		return *where ? GEO_OK : geo_last_code(ctx);
	}
	if (t->resolving)
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: the township layer has no field '%s'",
				source, t->field);
	if (OGR_FD_GetFieldIndex(defn, "grid_id") >= 0) {
		geo_log(ctx, GEO_LOG_INFO, "%s: town %s: the grids whose %s begins with %s", source,
			t->code, "grid_id", t->code);
		geo_buf_printf(&b, "\"%s\" LIKE '%s%%'", "grid_id", t->code);
		*where = geo_buf_take(&b);
		return *where ? GEO_OK : geo_last_code(ctx);
	}
	if (OGR_FD_GetGeomFieldCount(defn) == 0) {
		geo_log(ctx, GEO_LOG_INFO,
			"%s: town %s: no field '%s' and no geometry, so every feature is read",
			source, t->code, t->field);
		return GEO_OK;
	}
	OGRGeometryH poly = town_polygon(ctx, t, ds, source, OGR_L_GetSpatialRef(layer));
	if (!poly)
		return geo_last_code(ctx);
	geo_log(ctx, GEO_LOG_INFO,
		"%s: town %s: no field '%s', so the features that intersect the town's polygon",
		source, t->code, t->field);
	OGR_L_SetSpatialFilter(layer, poly);
	geo_err e = exact_on_server(ctx, ds, layer, poly, where);
	OGR_G_DestroyGeometry(poly);
	return e;
}
