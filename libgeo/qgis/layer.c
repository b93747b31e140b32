/*
** layer.c: a layer as wangge shows it, on paper (grid-map, grid-list's
** sheets) and in QGIS (the project qgs.c writes): the KIND[,TITLE]=PATH
** argument that names it, what kind it is drawn as,
** its legend title, how it looks (the colours people expect of the sample
** town's names), the style it carries, and opening it and the outputs made
** from it. Shared by the verbs that draw layers, so that a PDF and a QGIS
** project show a layer alike.
*/
#include "core/geo_internal.h"
#include "qgis/layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>

/* ---- layer arguments: KIND[,TITLE]=PATH ---------------------------------- */

static const char *const kind_names[] = { "auto", "grids", "primary", "secondary", "boundary",
					   "areas", "lines", "points" };

const char *geo_map_kind_name(geo_map_kind kind)
{
	return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

geo_err geo_map_layer_parse(geo_ctx *ctx, const char *arg, char *buf, geo_map_layer *l)
{
	strcpy(buf, arg);
	l->name = buf;
	l->kind = GEO_MAP_AUTO;
	l->title = NULL;
	char *eq = strchr(buf, '=');
	if (!eq)
		return GEO_OK;
	*eq = '\0';
	char *comma = strchr(buf, ',');
	if (comma)
		*comma = '\0';
	for (size_t k = 1; k < sizeof kind_names / sizeof kind_names[0]; k++)
		if (!strcmp(buf, kind_names[k])) {
			l->kind = (geo_map_kind)k;
			l->title = comma && comma[1] ? comma + 1 : NULL;
			l->name = eq + 1;
			if (!*l->name)
				return geo_fail(ctx, GEO_ERR_USAGE, "layer '%s': nothing after '='", arg);
			return GEO_OK;
		}
	/* Not a kind: the '=' belongs to the path. */
	strcpy(buf, arg);
	return GEO_OK;
}
/* Names the sample town and the other tools use, with the Chinese a legend
** should carry and how the layer is drawn when the user said nothing. */
static const struct known_layer {
	const char *name, *title;
	geo_map_kind kind;
} known_layers[] = {
	{ "township", "镇界 town", GEO_MAP_BOUNDARY },
	{ "town", "镇界 town", GEO_MAP_BOUNDARY },
	{ "boundary", "镇界 town", GEO_MAP_BOUNDARY },
	{ "villages", "村 villages", GEO_MAP_AREAS },
	{ "areas", "片区 areas", GEO_MAP_AREAS },
	{ "primary", "一级网格 primary grids", GEO_MAP_PRIMARY },
	{ "secondary", "二级网格 secondary grids", GEO_MAP_SECONDARY },
	{ "households", "住户 households", GEO_MAP_POINTS },
	{ "cameras", "摄像头 cameras", GEO_MAP_POINTS },
	{ "ponds", "坑塘 ponds", GEO_MAP_AREAS },
	{ "ditches", "沟渠 ditches", GEO_MAP_LINES },
	{ "roads", "道路 roads", GEO_MAP_LINES },
	{ "rivers", "河流 rivers", GEO_MAP_LINES },
	{ "hazards", "隐患 hazards", GEO_MAP_POINTS },
	{ "cases", "案件 cases", GEO_MAP_POINTS },
};

const char *layer_known_title(const char *layer_name)
{
	for (size_t i = 0; i < sizeof known_layers / sizeof known_layers[0]; i++)
		if (!strcasecmp(layer_name, known_layers[i].name))
			return known_layers[i].title;
	return NULL;
}

static geo_map_kind known_kind(const char *layer_name)
{
	for (size_t i = 0; i < sizeof known_layers / sizeof known_layers[0]; i++)
		if (!strcasecmp(layer_name, known_layers[i].name))
			return known_layers[i].kind;
	return GEO_MAP_AUTO;
}


geo_map_kind layer_resolve_kind(OGRLayerH ol, int dim, int level_field, geo_map_kind asked)
{
	if (asked != GEO_MAP_AUTO)
		return asked == GEO_MAP_GRIDS && level_field < 0 ? GEO_MAP_SECONDARY : asked;
	geo_map_kind kn = known_kind(OGR_L_GetName(ol));
	if (dim == 3)
		return GEO_MAP_POINTS;
	if (dim == 2)
		return GEO_MAP_LINES;
	if (level_field >= 0)
		return GEO_MAP_GRIDS;
	if (kn != GEO_MAP_AUTO && kn != GEO_MAP_POINTS && kn != GEO_MAP_LINES)
		return kn;
	if (OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ol), "grid_id") >= 0)
		return GEO_MAP_SECONDARY;
	return GEO_MAP_AREAS;
}

/* The kind for GEO_MAP_AUTO; a kind the user named must fit the geometry. */
int layer_dimension(geo_input *in)
{
	int d = geo_geom_dimension_class(OGR_L_GetGeomType(geo_input_layer(in)));
	if (d)
		return d;
	/* GeoJSON and CSV may not say; the first feature with geometry does. */
	OGRLayerH ol = geo_input_layer(in);
	OGRFeatureH f;
	while (!d && (f = OGR_L_GetNextFeature(ol))) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		if (g)
			d = geo_geom_dimension_class(OGR_G_GetGeometryType(g));
		OGR_F_Destroy(f);
	}
	OGR_L_ResetReading(ol);
	return d;
}

geo_input *layer_open(geo_ctx *ctx, const char *name, const char *s_srs)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	/* --s-srs supplies a CRS to layers that state none (a CSV of web-map
	** points); it does not override the CRS a GeoPackage states (io.c). */
	io.s_srs = s_srs;
	geo_input *in = geo_input_open(ctx, name, &io);
	if (in && geo_input_require_crs(ctx, in)) {
		geo_input_close(in);
		return NULL;
	}
	return in;
}

/* The user's title, else the one the layer's name implies when it is drawn as
** that name suggests (a per-grid table named hazards is grids, not hazards). */
const char *layer_default_title(const geo_map_layer *spec, geo_map_kind kind, const char *lname)
{
	if (spec->title)
		return spec->title;
	geo_map_kind kn = known_kind(lname);
	if (kn == kind || (kind == GEO_MAP_GRIDS && (kn == GEO_MAP_PRIMARY || kn == GEO_MAP_SECONDARY)))
		return layer_known_title(lname);
	if (kind == GEO_MAP_PRIMARY)
		return "一级网格 primary grids";
	if (kind == GEO_MAP_SECONDARY)
		return "二级网格 secondary grids";
	return lname;
}

/* The --category field's value map in the style the layer carries. */
/* The names the hand-over and field lists print for the layers the sample
** town and the other tools write: one word, where a legend says two. */
static const struct {
	const char *name, *title;
} short_titles[] = {
	{ "households", "住户" }, { "cameras", "摄像头" }, { "ponds", "坑塘" },
	{ "ditches", "沟渠" },    { "hazards", "隐患" },   { "cases", "案件" },
};

const char *layer_short_title(const char *layer)
{
	for (size_t k = 0; k < sizeof short_titles / sizeof short_titles[0]; k++)
		if (!strcmp(layer, short_titles[k].name))
			return short_titles[k].title;
	return layer;
}

/* Layers the sample town names get the look people expect (ponds blue,
** roads grey, cameras as triangles); others take the next of a cycle. */
static const struct named_look {
	const char *name;
	layer_look look;
} named_looks[] = {
	{ "villages", { 0xf3f0e6, 0xb8b09a, 0.2, SHAPE_CIRCLE } },
	{ "areas", { 0xeef3e6, 0x9aae8a, 0.2, SHAPE_CIRCLE } },
	{ "ponds", { 0xa6cee3, 0x1f78b4, 0.15, SHAPE_CIRCLE } },
	{ "roads", { 0, 0x8c8c8c, 0.3, SHAPE_CIRCLE } },
	{ "rivers", { 0, 0x4a90c8, 0.6, SHAPE_CIRCLE } },
	{ "ditches", { 0, 0x1f78b4, 0.3, SHAPE_CIRCLE } },
	{ "households", { 0x8c6d46, 0, 0.5, SHAPE_CIRCLE } },
	{ "cameras", { 0x1f78b4, 0, 1.9, SHAPE_TRIANGLE } },
	{ "hazards", { 0xe31a1c, 0, 1.7, SHAPE_CIRCLE } },
	{ "cases", { 0x6a3d9a, 0, 1.8, SHAPE_DIAMOND } },
};

static const layer_look cycle_areas[] = { { 0xa6cee3, 0x1f78b4, 0.15, 0 }, { 0xccebc5, 0x4daf4a, 0.15, 0 },
				     { 0xfbb4ae, 0xe41a1c, 0.15, 0 } };
static const layer_look cycle_lines[] = { { 0, 0x1f78b4, 0.35, 0 }, { 0, 0x33a02c, 0.35, 0 },
				     { 0, 0x6a3d9a, 0.35, 0 } };
static const layer_look cycle_points[] = { { 0xe31a1c, 0, 1.7, SHAPE_CIRCLE },
				      { 0x1f78b4, 0, 1.9, SHAPE_TRIANGLE },
				      { 0x33a02c, 0, 1.6, SHAPE_SQUARE },
				      { 0x6a3d9a, 0, 1.8, SHAPE_DIAMOND } };

layer_look layer_look_for(geo_map_kind kind, const char *lname, size_t k, size_t n)
{
	switch (kind) {
	case GEO_MAP_BOUNDARY: return (layer_look){ 0, 0x000000, 1.0, 0 };
	case GEO_MAP_PRIMARY: return (layer_look){ 0, 0x1a1a1a, 0.7, 0 };
	case GEO_MAP_GRIDS:
	case GEO_MAP_SECONDARY: return (layer_look){ 0, 0x5a5a5a, 0.25, 0 };
	default: break;
	}
	for (size_t i = 0; i < sizeof named_looks / sizeof named_looks[0]; i++)
		if (!strcasecmp(lname, named_looks[i].name))
			return named_looks[i].look;
	layer_look lk = kind == GEO_MAP_AREAS ? cycle_areas[k % 3]
		  : kind == GEO_MAP_LINES ? cycle_lines[k % 3] : cycle_points[k % 4];
	if (kind == GEO_MAP_POINTS && n > 2000)
		lk.width = 0.5; /* thousands of markers would hide the map */
	return lk;
}

/* ---- the style a layer carries ------------------------------------------ */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add_file(&b, f);
	fclose(f);
	return geo_buf_take(&b);
}

/* The default style in a GeoPackage's or SpatiaLite file's layer_styles. */
static char *table_style(const char *path, const char *layer)
{
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	OGRLayerH t = ds ? GDALDatasetGetLayerByName(ds, "layer_styles") : NULL;
	char *qml = NULL;
	OGRFeatureH f;
	while (t && (f = OGR_L_GetNextFeature(t))) {
		int name = OGR_F_GetFieldIndex(f, "f_table_name");
		int def = OGR_F_GetFieldIndex(f, "useAsDefault");
		int text = OGR_F_GetFieldIndex(f, "styleQML");
		if (!strcmp(geo_feat_str(f, name), layer) && text >= 0 &&
		    (!qml || (def >= 0 && OGR_F_GetFieldAsInteger(f, def)))) {
			free(qml);
			qml = strdup(geo_feat_str(f, text));
		}
		OGR_F_Destroy(f);
	}
	if (ds)
		GDALClose(ds);
	return qml;
}

char *layer_qml(const char *file, const char *layer)
{
	char *s = layer ? table_style(file, layer) : NULL;
	if (!s)
		s = read_text(CPLResetExtension(file, "qml"));
	if (!s && layer)
		s = read_text(CPLFormFilename(CPLGetPath(file), layer, "qml"));
	return s;
}


/*
** Opens the map or its QGIS project as every output is opened (io.c): made
** in a temporary folder and committed with the run, a device, pipe or link
** written through; a target that is one of the inputs is refused.
*/
geo_output *layer_output_open(geo_ctx *ctx, const char *path, const geo_map_layer *layers, size_t n,
			    const geo_map_opts *o)
{
	const char **inputs = geo_calloc(ctx, n + 2, sizeof *inputs);
	if (!inputs)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		inputs[k++] = layers[i].name;
	if (o->raster)
		inputs[k++] = o->raster;
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = o->common.out.overwrite;
	oo.inputs = inputs;
	geo_output *out = geo_output_open_file(ctx, path, &oo);
	free(inputs);
	return out;
}

/* ---- the verb ------------------------------------------------------------ */
