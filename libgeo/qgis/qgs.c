/*
** qgs.c: a QGIS project (.qgs) holding grid-map's layers with their styles,
** so that "open it in QGIS" is one double-click. A project is XML: a layer
** tree (what the Layers panel shows, top drawn last) and one <maplayer> per
** layer whose children are exactly what a .qml style file holds inside its
** <qgis> root. So each layer's style is its default one, read from its
** GeoPackage's layer_styles table or the .qml beside it (the wangge tools
** write both), pasted in; a layer without one gets a simple style in
** grid-map's own colours, its symbols written by qml.c as the tools' are.
** Paths are written relative to the project, so the project and its data
** move together.
*/
#include "core/geo_internal.h"
#include "qgis/layer.h"
#include "qgis/qgs.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_string.h>

/* ---- XML pieces ---------------------------------------------------------- */

static void srs_xml(geo_buf *b, OGRSpatialReferenceH srs)
{
	char *wkt = NULL, *proj4 = NULL;
	const char *wo[] = { "FORMAT=WKT2_2019", NULL };
	OSRExportToWktEx(srs, &wkt, wo);
	OSRExportToProj4(srs, &proj4);
	OGRSpatialReferenceH id = OSRClone(srs);
	if (!OSRGetAuthorityCode(id, NULL))
		OSRAutoIdentifyEPSG(id);
	const char *auth = OSRGetAuthorityName(id, NULL), *code = OSRGetAuthorityCode(id, NULL);
	geo_buf_add(b, "<spatialrefsys><wkt>");
	geo_xml_text(b, wkt);
	geo_buf_add(b, "</wkt><proj4>");
	geo_xml_text(b, proj4);
	geo_buf_add(b, "</proj4>");
	if (auth && code)
		geo_buf_printf(b, "<srid>%s</srid><authid>%s:%s</authid>", code, auth, code);
	geo_buf_add(b, "<description>");
	geo_xml_text(b, OSRGetName(srs));
	geo_buf_printf(b, "</description><geographicflag>%s</geographicflag></spatialrefsys>",
		       OSRIsGeographic(srs) ? "true" : "false");
	OSRDestroySpatialReference(id);
	CPLFree(wkt);
	CPLFree(proj4);
}

/* ---- default styles ------------------------------------------------------ */

/* A colour 0xRRGGBB as "r,g,b". */
static const char *rgb_text(char text[12], unsigned rgb)
{
	snprintf(text, 12, "%u,%u,%u", (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
	return text;
}

/* The symbol of a layer of dimension dim (1 polygons, 2 lines, 3 points) in
** grid-map's look lk: markers in white outlines, round lines, fills with
** round joins; its colours are written into fill and stroke. */
static geo_qml_look look_of(int dim, const layer_look *lk, char fill[12], char stroke[12])
{
	static const char *shapes[] = { "circle", "triangle", "square", "diamond" };
	geo_qml_look q = { .opacity = 1, .width = lk->width, .round = 1 };
	rgb_text(fill, lk->fill);
	rgb_text(stroke, lk->stroke);
	if (dim == 3) {
		q.kind = GEO_QML_MARKER;
		q.rgb = fill;
		q.alpha = 255;
		q.shape = shapes[lk->shape & 3];
		q.outline = "255,255,255";
		q.outline_width = 0.2;
	} else if (dim == 2) {
		q.kind = GEO_QML_LINE;
		q.rgb = stroke;
		q.alpha = 255;
	} else {
		q.kind = GEO_QML_FILL;
		q.rgb = fill;
		q.alpha = lk->fill ? 255 : 0;
		q.shape = lk->fill ? "solid" : "no";
		q.outline = stroke;
	}
	return q;
}

/* Both levels in one layer: a rule per level, primaries thick. */
static void grid_rules(geo_buf *b, const char *level_field)
{
	layer_look p = layer_look_for(GEO_MAP_PRIMARY, "", 0, 0);
	layer_look s = layer_look_for(GEO_MAP_SECONDARY, "", 0, 0);
	geo_buf_add(b, "<renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" "
		       "forceraster=\"0\"><rules key=\"root\"><rule key=\"primary\" symbol=\"0\" "
		       "label=\"一级网格 primary\" filter=\"");
	geo_buf_add(b, "&quot;");
	geo_xml_text(b, level_field);
	geo_buf_add(b, "&quot; = 1\"/><rule key=\"secondary\" symbol=\"1\" "
		       "label=\"二级网格 secondary\" filter=\"ELSE\"/></rules><symbols>");
	char fill[12], stroke[12];
	geo_qml_look q = look_of(1, &p, fill, stroke);
	geo_qml_symbol(b, 0, &q);
	q = look_of(1, &s, fill, stroke);
	geo_qml_symbol(b, 1, &q);
	geo_buf_add(b, "</symbols></renderer-v2>");
}

static void labels(geo_buf *b, const char *field, const char *font)
{
	geo_buf_add(b, "<labeling type=\"simple\"><settings calloutType=\"simple\"><text-style "
		       "isExpression=\"0\" fieldName=\"");
	geo_xml_text(b, field);
	geo_buf_add(b, "\" fontFamily=\"");
	geo_xml_text(b, font);
	geo_buf_add(b, "\" fontSize=\"7\" fontWeight=\"50\" namedStyle=\"Regular\" fontSizeUnit=\"Point\" textColor=\"26,26,26,255\" "
		       "textOpacity=\"1\"><text-buffer bufferDraw=\"1\" bufferSize=\"0.6\" "
		       "bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"0.9\"/>"
		       "</text-style><placement placement=\"1\" centroidInside=\"1\" dist=\"0\" "
		       "priority=\"5\" placementFlags=\"10\"/>"
		       "<rendering obstacle=\"1\" scaleVisibility=\"0\"/></settings></labeling>");
}

static char *default_vector_style(geo_ctx *ctx, geo_map_kind kind, int dim, const char *lname,
				  size_t k, const char *field, const geo_map_opts *o, int *labelled)
{
	geo_buf b;
	geo_buf_init(&b);
	if (kind == GEO_MAP_GRIDS) {
		grid_rules(&b, o->level_field);
	} else {
		layer_look lk = layer_look_for(kind, lname, k, 0);
		char fill[12], stroke[12];
		geo_qml_look q = look_of(dim, &lk, fill, stroke);
		geo_qml_single(&b, &q);
	}
	*labelled = field != NULL;
	if (field)
		labels(&b, field, o->font);
	char *s = geo_buf_take(&b);
	if (!s)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return s;
}

/* ---- styles the data carries --------------------------------------------- */

/* The inside of a QML's <qgis> root, and whether it turns labels on. */
static char *qml_body(const char *qml, int *labelled)
{
	const char *root = strstr(qml, "<qgis");
	const char *open = root ? strchr(root, '>') : NULL;
	const char *close = open ? strstr(open, "</qgis>") : NULL;
	if (!close)
		return NULL;
	char *head = strndup(root, (size_t)(open - root));
	*labelled = head && strstr(head, "labelsEnabled=\"1\"") != NULL;
	free(head);
	return strndup(open + 1, (size_t)(close - open - 1));
}

/* A raster without a style of its own: yellow to dark red from 0 (clear)
** to max, labelled in units, 85% opaque over the layers beneath. */
static char *default_raster_style(geo_ctx *ctx, const char *title, double max, const char *units)
{
	static const char *const rgb[] = { "#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026" };
	enum { N = sizeof rgb / sizeof rgb[0] };
	if (!(max > 0))
		max = 1;
	geo_qml_stop stops[N];
	char *labels[N] = { NULL };
	int ok = 1, labelled;
	for (int i = 0; i < N; i++) {
		double v = max * i / (N - 1);
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "%.3g %s", v, units);
		ok &= (labels[i] = geo_buf_take(&b)) != NULL;
		stops[i] = (geo_qml_stop){ v, rgb[i], i ? 255 : 0, labels[i] };
	}
	char *qml = ok ? geo_qml_raster(stops, N, &(geo_qml_raster_opts){ title, 0, max, 3, NULL,
									  0.85 })
		       : NULL;
	char *body = qml ? qml_body(qml, &labelled) : NULL;
	free(qml);
	for (int i = 0; i < N; i++)
		free(labels[i]);
	if (!body)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return body;
}

/* ---- paths --------------------------------------------------------------- */

/* The file an input name stands for (PATH, or PATH of PATH:LAYER). */
static char *data_file(const char *name)
{
	if (geo_file_exists(name))
		return strdup(name);
	char *s = strdup(name);
	char *colon = s ? strrchr(s, ':') : NULL;
	if (colon) {
		*colon = '\0';
		if (geo_file_exists(s))
			return s;
	}
	free(s);
	return NULL;
}

/* path as QGIS reads it relative to the project's folder: ./a/b or ../c. */
static void relative(geo_buf *b, const char *project_dir, const char *path)
{
	char abs[PATH_MAX];
	if (!realpath(path, abs)) {
		geo_xml_text(b, path);
		return;
	}
	size_t i = 0, common = 0;
	while (project_dir[i] && project_dir[i] == abs[i]) {
		if (project_dir[i] == '/')
			common = i;
		i++;
	}
	if (!project_dir[i] && abs[i] == '/')
		common = i;
	const char *rest = abs + common + 1;
	int up = 0;
	for (const char *p = project_dir + common; *p; p++)
		up += *p == '/' && p[1];
	if (!up)
		geo_buf_add(b, "./");
	for (int k = 0; k < up; k++)
		geo_buf_add(b, "../");
	geo_xml_text(b, rest);
}

/* ---- the project --------------------------------------------------------- */

typedef struct qlayer {
	char *id, *title, *file, *layer; /* layer NULL for a raster or one-layer file */
	char *subset;           /* --where and the time window, on the point layers they fit */
	int dim, raster, labelled;
	geo_map_kind kind;      /* as the tree orders it */
	int fills;              /* a filled background: the town, its villages or areas */
	char *style;            /* maplayer children */
	char *srs;              /* <spatialrefsys> */
} qlayer;

static void qlayer_free(qlayer *q)
{
	free(q->id);
	free(q->title);
	free(q->file);
	free(q->layer);
	free(q->subset);
	free(q->style);
	free(q->srs);
}

static char *srs_text(OGRSpatialReferenceH srs)
{
	geo_buf b;
	geo_buf_init(&b);
	srs_xml(&b, srs);
	return geo_buf_take(&b);
}

/* Whether a filter works on a layer (the map's --where rule: layers it does
** not fit are shown whole). */
static int filter_fits(OGRLayerH ol, const char *where)
{
	CPLErrorReset();
	int ok = OGR_L_SetAttributeFilter(ol, where) == OGRERR_NONE;
	if (ok) {
		OGRFeatureH f = OGR_L_GetNextFeature(ol);
		ok = f || CPLGetLastErrorType() < CE_Failure;
		OGR_F_Destroy(f);
	}
	OGR_L_SetAttributeFilter(ol, NULL);
	CPLErrorReset();
	return ok;
}

/* The time window as QGIS's filter of a point layer: the dates compared as
** the file stores them, which for the local dates towns keep (a GeoPackage
** DATE, text YYYY-MM-DD) is the window itself. */
static geo_err window_subset(geo_ctx *ctx, const geo_map_opts *o, qlayer *q)
{
	geo_window w;
	geo_err e = geo_window_parse(ctx, &o->common.window, &w);
	if (e || w.kind == GEO_WINDOW_ALL)
		return e;
	geo_buf b;
	geo_buf_init(&b);
	char t[32];
	if (q->subset)
		geo_buf_printf(&b, "(%s) AND ", q->subset);
	geo_buf_add(&b, "(");
	if (w.start != GEO_TIME_MIN) {
		geo_time_format(w.start, t, sizeof t);
		geo_buf_printf(&b, "\"%s\" >= '%s'", o->common.window.date_field, t);
	}
	if (w.end != GEO_TIME_MAX) {
		geo_time_format(w.end, t, sizeof t);
		geo_buf_printf(&b, "%s\"%s\" < '%s'", w.start != GEO_TIME_MIN ? " AND " : "",
			       o->common.window.date_field, t);
	}
	geo_buf_add(&b, ")");
	char *s = geo_buf_take(&b);
	if (!s)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	free(q->subset);
	q->subset = s;
	return GEO_OK;
}

/* What grids are labelled with: --label when the layer has it, else their
** name where they have one (a grid worker knows 南罗各庄村第2网格, not
** 12011410501203); other layers keep the labels of their own style. */
static const char *label_field(OGRLayerH ol, geo_map_kind kind, const geo_map_opts *o)
{
	OGRFeatureDefnH d = OGR_L_GetLayerDefn(ol);
	if (kind != GEO_MAP_GRIDS && kind != GEO_MAP_PRIMARY && kind != GEO_MAP_SECONDARY)
		return NULL;
	if (o->label_field)
		return OGR_FD_GetFieldIndex(d, o->label_field) >= 0 ? o->label_field : NULL;
	return OGR_FD_GetFieldIndex(d, "name") >= 0 ? "name" : NULL;
}

/* Whether a style fills its polygons: a fill symbol layer whose style
** option is solid (QGIS writes the option's attributes in any order). */
static int fills(const char *style)
{
	for (const char *p = style; (p = strstr(p, "\"style\"")); p++) {
		const char *a = p, *z = strchr(p, '>');
		while (a > style && *a != '<')
			a--;
		if (z && (strncmp(a, "<Option", 7) == 0 || strncmp(a, "<prop", 5) == 0)) {
			char *tag = strndup(a, (size_t)(z - a));
			int solid = tag && (strstr(tag, "value=\"solid\"") || strstr(tag, "v=\"solid\""));
			free(tag);
			if (solid)
				return 1;
		}
	}
	return 0;
}

/* Whether a style labels nothing, or labels grids by their codes. */
static int labels_codes(const char *style)
{
	const char *lab = strstr(style, "<labeling");
	return !lab || strstr(lab, "fieldName=\"grid_id\"") || strstr(lab, "fieldName=\"parent_id\"");
}

/* Replaces the labels of a carried style with grid-map's on field: asked
** for with --label, or names where the style shows codes. Without --label a
** style that labels by something other than a code is kept as it is. */
static int relabel(qlayer *q, const char *field, const char *font)
{
	char *lab = strstr(q->style, "<labeling");
	char *end = lab ? strstr(lab, "</labeling>") : NULL;
	if (lab && !end)
		return 0;
	geo_buf b;
	geo_buf_init(&b);
	if (lab) {
		geo_buf_addn(&b, q->style, (size_t)(lab - q->style));
		geo_buf_add(&b, end + strlen("</labeling>"));
	} else {
		geo_buf_add(&b, q->style);
	}
	labels(&b, field, font);
	char *s = geo_buf_take(&b);
	if (!s)
		return 0;
	free(q->style);
	q->style = s;
	return 1;
}

static geo_err vector_layer(geo_ctx *ctx, const geo_map_layer *spec, size_t index, size_t k,
			    const geo_map_opts *o, qlayer *q)
{
	geo_input *in = layer_open(ctx, spec->name, o->common.s_srs);
	if (!in)
		return geo_last_code(ctx);
	OGRLayerH ol = geo_input_layer(in);
	const char *lname = OGR_L_GetName(ol);
	int level = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ol), o->level_field);
	geo_map_kind kind = layer_resolve_kind(ol, layer_dimension(in), level, spec->kind);
	q->dim = kind == GEO_MAP_POINTS ? 3 : kind == GEO_MAP_LINES ? 2 : 1;
	if (q->dim == 3 && o->common.where && filter_fits(ol, o->common.where))
		q->subset = strdup(o->common.where);
	if (q->dim == 3 && OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ol), o->common.window.date_field) >= 0) {
		geo_err e = window_subset(ctx, o, q);
		if (e) {
			geo_input_close(in);
			return e;
		}
	}
	q->file = data_file(spec->name);
	if (!q->file) {
		geo_input_close(in);
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: a QGIS project can only hold files", spec->name);
	}
	GDALDatasetH ds = GDALOpenEx(q->file, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	/* A GeoPackage always names its layer, other files only when they hold several. */
	const char *drv = ds ? GDALGetDriverShortName(GDALGetDatasetDriver(ds)) : "";
	int many = ds && (GDALDatasetGetLayerCount(ds) > 1 || !strcmp(drv, "GPKG") ||
			  !strcmp(drv, "SQLite"));
	if (ds)
		GDALClose(ds);
	q->layer = many ? strdup(lname) : NULL;
	q->title = strdup(layer_default_title(spec, kind, lname));
	q->id = strdup(CPLSPrintf("layer_%zu_%s", index, lname));
	q->srs = srs_text(geo_crs_ogr(geo_input_crs(in)));
	char *qml = layer_qml(q->file, lname);
	q->style = qml ? qml_body(qml, &q->labelled) : NULL;
	free(qml);
	const char *field = label_field(ol, kind, o);
	if (!q->style)
		q->style = default_vector_style(ctx, kind, q->dim, lname, k, field, o, &q->labelled);
	else if (field && (o->label_field || labels_codes(q->style)) && relabel(q, field, o->font))
		q->labelled = 1;
	q->kind = kind == GEO_MAP_GRIDS && !strcasecmp(lname, "primary") ? GEO_MAP_PRIMARY : kind;
	q->fills = fills(q->style) && (kind == GEO_MAP_BOUNDARY || !strcasecmp(lname, "villages") ||
				       !strcasecmp(lname, "areas"));
	geo_input_close(in);
	if (!q->title || !q->id || !q->srs || !q->style || (many && !q->layer))
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return GEO_OK;
}

static geo_err raster_layer(geo_ctx *ctx, const geo_map_opts *o, qlayer *q)
{
	GDALDatasetH ds = GDALOpenEx(o->raster, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!ds)
		return geo_fail(ctx, GEO_ERR_INPUT, "--raster %s: cannot open: %s", o->raster,
				geo_cpl_error("not a raster GDAL reads"));
	OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
	GDALRasterBandH band = GDALGetRasterBand(ds, 1);
	double mm[2] = { 0, 1 };
	if (GDALComputeRasterMinMax(band, FALSE, mm) != CE_None)
		mm[1] = 1;
	const char *units = o->raster_units ? o->raster_units : GDALGetMetadataItem(ds, "UNITS", NULL);
	if (!units || !*units)
		units = GDALGetRasterUnitType(band);
	q->raster = 1;
	q->file = strdup(o->raster);
	q->title = strdup(o->raster_title ? o->raster_title : CPLGetBasename(o->raster));
	q->id = strdup("raster_heat");
	q->srs = srs ? srs_text(srs) : strdup("");
	char *qml = layer_qml(o->raster, NULL);
	q->style = qml ? qml_body(qml, &q->labelled) : NULL;
	free(qml);
	if (!q->style)
		q->style = default_raster_style(ctx, q->title ? q->title : "", mm[1],
						units ? units : "");
	GDALClose(ds);
	if (!q->file || !q->title || !q->id || !q->srs || !q->style)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return GEO_OK;
}

static void datasource(geo_buf *b, const char *dir, const qlayer *q)
{
	relative(b, dir, q->file);
	if (q->layer) {
		geo_buf_add(b, "|layername=");
		geo_xml_text(b, q->layer);
	}
	if (q->subset) {
		geo_buf_add(b, "|subset=");
		geo_xml_text(b, q->subset);
	}
}

/* Where a layer goes in the tree, top (drawn last) first: points, lines,
** the town's boundary, primary grids, areas (ponds), the heat raster, then
** grids and secondaries, whose styles may fill them, and at the bottom the
** filled background: the town, its villages or areas. So ponds show above a filled grid and the town's fill, and the heat is drawn over grids coloured by a count (it is
** transparent where nothing happened), as grid-map draws them. */
static int tree_rank(const qlayer *q)
{
	if (q->raster)
		return 5;
	switch (q->kind) {
	case GEO_MAP_POINTS: return 0;
	case GEO_MAP_LINES: return 1;
	case GEO_MAP_BOUNDARY: return q->fills ? 8 : 2;
	case GEO_MAP_PRIMARY: return 3;
	case GEO_MAP_AREAS: return q->fills ? 8 : 4;
	case GEO_MAP_GRIDS: return 6;
	default: return 7;
	}
}

static void write_tree(geo_buf *b, const char *dir, const qlayer *q, size_t n)
{
	geo_buf_add(b, "  <layer-tree-group>\n");
	for (int rank = 0; rank <= 8; rank++)
		for (size_t i = 0; i < n; i++) {
			if (tree_rank(&q[i]) != rank)
				continue;
			geo_buf_add(b, "    <layer-tree-layer expanded=\"1\" checked=\"Qt::Checked\" id=\"");
			geo_xml_text(b, q[i].id);
			geo_buf_add(b, "\" name=\"");
			geo_xml_text(b, q[i].title);
			geo_buf_printf(b, "\" providerKey=\"%s\" source=\"", q[i].raster ? "gdal" : "ogr");
			datasource(b, dir, &q[i]);
			geo_buf_add(b, "\"/>\n");
		}
	geo_buf_add(b, "  </layer-tree-group>\n");
}

static void write_layer(geo_buf *b, const char *dir, const qlayer *q)
{
	static const char *geom[] = { "Polygon", "Polygon", "Line", "Point" };
	if (q->raster)
		geo_buf_add(b, "    <maplayer type=\"raster\">\n      <id>");
	else
		geo_buf_printf(b, "    <maplayer type=\"vector\" geometry=\"%s\" labelsEnabled=\"%d\">\n"
				  "      <id>",
			       geom[q->dim & 3], q->labelled);
	geo_xml_text(b, q->id);
	geo_buf_add(b, "</id>\n      <datasource>");
	datasource(b, dir, q);
	geo_buf_add(b, "</datasource>\n      <layername>");
	geo_xml_text(b, q->title);
	geo_buf_printf(b, "</layername>\n      <srs>%s</srs>\n      <provider encoding=\"UTF-8\">%s"
			  "</provider>\n",
		       q->srs, q->raster ? "gdal" : "ogr");
	geo_buf_add(b, q->style);
	geo_buf_add(b, "\n    </maplayer>\n");
}

static char *project_text(const char *dir, const qlayer *q, size_t n, const char *layout)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
			"<qgis projectname=\"wangge\" version=\"" GEO_QGIS_VERSION "\">\n  <title>wangge</title>\n");
	if (n)
		geo_buf_printf(&b, "  <projectCrs>%s</projectCrs>\n", q[0].srs);
	write_tree(&b, dir, q, n);
	geo_buf_add(&b, "  <projectlayers>\n");
	for (size_t i = 0; i < n; i++)
		write_layer(&b, dir, &q[i]);
	geo_buf_add(&b, "  </projectlayers>\n");
	if (layout) {
		geo_buf_add(&b, "  <Layouts>\n");
		geo_buf_add(&b, layout);
		geo_buf_add(&b, "  </Layouts>\n");
	}
	geo_buf_add(&b, "  <properties>\n    <Paths>\n      <Absolute "
			"type=\"bool\">false</Absolute>\n    </Paths>\n  </properties>\n</qgis>\n");
	return geo_buf_take(&b);
}

static geo_err write_file(geo_ctx *ctx, const char *path, const char *file, const char *text)
{
	FILE *f = fopen(file, "w");
	int ok = f && fputs(text, f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? GEO_OK
		  : geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
}

static geo_err project_dir(geo_ctx *ctx, const char *path, char dir[PATH_MAX])
{
	char *copy = strdup(path);
	if (!copy)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	geo_err e = realpath(dirname(copy), dir)
			    ? GEO_OK
			    : geo_fail(ctx, GEO_ERR_OUTPUT, "%s: its folder does not exist", path);
	free(copy);
	return e;
}

/* The page's print layout, named after the title (QGIS lists layouts by name). */
static char *page_layout(geo_ctx *ctx, const qgs_page *m)
{
	char *srs = srs_text(geo_crs_ogr(m->work));
	const char *name = m->o->title ? m->o->title : "wangge";
	char *layout = srs ? qpt_layout(m, name, srs) : NULL;
	free(srs);
	if (!layout)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return layout;
}

geo_err qgs_write(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const char *path,
		       const geo_map_opts *o, const qgs_page *m, geo_output *out, geo_output *qpt)
{
	char dir[PATH_MAX];
	geo_err e = project_dir(ctx, path, dir);
	if (e)
		return e;
	size_t nq = n + (o->raster != NULL);
	qlayer *q = geo_calloc(ctx, nq ? nq : 1, sizeof *q);
	if (!q)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < n; i++) {
		size_t k = 0;
		for (size_t j = 0; j < i; j++)
			k += layers[j].kind == layers[i].kind;
		e = vector_layer(ctx, &layers[i], i, k, o, &q[i]);
	}
	if (!e && o->raster)
		e = raster_layer(ctx, o, &q[n]);
	char *layout = !e && m ? page_layout(ctx, m) : NULL;
	if (!e && m && !layout)
		e = GEO_ERR_INTERNAL;
	char *text = e ? NULL : project_text(dir, q, nq, layout);
	if (!e && !text)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	if (!e)
		e = write_file(ctx, path, geo_output_path(out), text);
	if (!e && layout && qpt)
		e = write_file(ctx, geo_output_path(qpt), geo_output_path(qpt), layout);
	free(layout);
	free(text);
	for (size_t i = 0; i < nq; i++)
		qlayer_free(&q[i]);
	free(q);
	return e;
}

geo_err geo_qgis_project(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const char *path,
			 const geo_map_opts *o)
{
	geo_output *out = layer_output_open(ctx, path, layers, n, o);
	if (!out)
		return geo_last_code(ctx);
	geo_err e = qgs_write(ctx, layers, n, path, o, NULL, out, NULL);
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	return e;
}
