/*
** qml.c: QGIS styles (QML) that tools attach to their outputs: a graduated
** fill for per-grid numbers with class breaks taken from the data (grid-heat's
** per-grid map, grid-place's summary), and a categorized style of markers,
** lines or fills by a field's value (grid-check's problems, grid-place's
** features), and a pseudocolour style of a raster's band (grid-heat's
** surface, grid-cover's cameras per cell). Written for QGIS 3.22 and read by every later version.
** Its symbols (geo_qml_symbol) are also the default styles of grid-map's
** QGIS projects (qgs.c): one writer of QGIS symbol XML.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ColorBrewer's YlOrRd, light to dark. */
static const char *const ramp[] = { "255,255,178", "254,204,92", "253,141,60", "240,59,32",
				    "189,0,38" };

enum { MAX_CLASSES = 6 };     /* the 0 class and five more */

/* One class of a graduated style: values in [lo, hi], drawn in rgb. */
typedef struct qml_class {
	double lo, hi;
	char label[128];
	const char *rgb;
	int alpha;              /* of the fill colour, 0 to 255 */
} qml_class;

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int decimals_for(double v)
{
	v = fabs(v);
	return v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3; /* about three figures */
}

/* Up to five breaks at quantiles of the positive values, without repeats. */
static int quantile_breaks(const double *v, size_t n, double *breaks)
{
	double *pos = malloc(sizeof *pos * (n ? n : 1));
	if (!pos)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] > 0 && isfinite(v[i]))
			pos[k++] = v[i];
	qsort(pos, k, sizeof *pos, by_double);
	int nb = 0;
	for (int c = 1; k && c <= 5; c++) {
		double q = pos[(size_t)ceil((double)c * k / 5) - 1];
		if (!nb || q > breaks[nb - 1])
			breaks[nb++] = q;
	}
	free(pos);
	return nb;
}

/* A pale class for 0, then the quantile classes, light to dark. */
static int quantile_classes(const double *v, size_t n, const char *unit, qml_class *c)
{
	double breaks[5];
	int nb = quantile_breaks(v, n, breaks);
	if (nb < 0)
		return -1;
	c[0] = (qml_class){ 0, 0, "", "240,240,240", 120 };
	snprintf(c[0].label, sizeof c[0].label, "0%s%s", *unit ? " " : "", unit);
	int d = nb ? decimals_for(breaks[nb - 1]) : 0;
	for (int i = 0; i < nb; i++) {
		double lo = i ? breaks[i - 1] : 0, hi = breaks[i];
		c[i + 1] = (qml_class){ lo, hi, "", ramp[nb == 1 ? 4 : i * 4 / (nb - 1)], 255 };
		snprintf(c[i + 1].label, sizeof c[i + 1].label, "%.*f – %.*f%s%s", d, lo, d, hi,
			 *unit ? " " : "", unit);
	}
	return nb + 1;
}

/* Whole counts: one class per count up to 4, else five equal classes from 0
** to the largest, light to dark; bounds halfway between counts. */
static int count_classes(const double *v, size_t n, const char *unit, qml_class *c)
{
	int64_t max = 0;
	for (size_t i = 0; i < n; i++)
		max = v[i] > (double)max ? (int64_t)v[i] : max;
	int classes = max < 5 ? (int)max + 1 : 5;
	int64_t prev = -1;
	for (int i = 0; i < classes; i++) {
		int64_t hi = max < 5 ? i : (int64_t)ceil((double)max * (i + 1) / 5);
		c[i] = (qml_class){ (double)prev + 0.5, (double)hi + 0.5, "",
				    ramp[classes == 1 ? 0 : i * 4 / (classes - 1)], 255 };
		snprintf(c[i].label, sizeof c[i].label, "%lld - %lld%s%s", (long long)(prev + 1),
			 (long long)hi, *unit ? " " : "", unit);
		prev = hi;
	}
	return classes;
}

static void add_option(geo_buf *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_option(geo_buf *b, const char *name, const char *fmt, ...)
{
	va_list ap;
	geo_buf_printf(b, "            <Option name=\"%s\" value=\"", name);
	va_start(ap, fmt);
	geo_buf_vprintf(b, fmt, ap);
	va_end(ap);
	geo_buf_add(b, "\" type=\"QString\"/>\n");
}

void geo_qml_symbol(geo_buf *b, int name, const geo_qml_look *s)
{
	static const char *const type[] = { "marker", "line", "fill" };
	static const char *const layer[] = { "SimpleMarker", "SimpleLine", "SimpleFill" };
	geo_buf_printf(b, "      <symbol type=\"%s\" name=\"%d\" alpha=\"%g\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
			  "        <layer class=\"%s\" enabled=\"1\" locked=\"0\" pass=\"%d\">\n"
			  "          <Option type=\"Map\">\n",
		       type[s->kind], name, s->opacity, layer[s->kind], s->pass);
	if (s->kind == GEO_QML_LINE) {
		add_option(b, "line_color", "%s,%d", s->rgb, s->alpha);
		add_option(b, "line_style", "solid");
		add_option(b, "line_width", "%g", s->width);
		add_option(b, "line_width_unit", "MM");
		if (s->round)
			add_option(b, "capstyle", "round");
	} else if (s->kind == GEO_QML_MARKER) {
		add_option(b, "name", "%s", s->shape);
		add_option(b, "color", "%s,%d", s->rgb, s->alpha);
		add_option(b, "outline_color", "%s,255", s->outline);
		add_option(b, "size", "%g", s->width);
		add_option(b, "size_unit", "MM");
		if (s->outline_width > 0) {
			add_option(b, "outline_width", "%g", s->outline_width);
			add_option(b, "outline_width_unit", "MM");
		}
	} else {
		add_option(b, "color", "%s,%d", s->rgb, s->alpha);
		add_option(b, "outline_color", "%s,255", s->outline);
		add_option(b, "outline_style", "%s", s->outline_style ? s->outline_style : "solid");
		add_option(b, "outline_width", "%g", s->width);
		add_option(b, "outline_width_unit", "MM");
		add_option(b, "style", "%s", s->shape);
	}
	if (s->round && s->kind != GEO_QML_MARKER)
		add_option(b, "joinstyle", "round");
	geo_buf_add(b, "          </Option>\n        </layer>\n      </symbol>\n");
}

void geo_qml_single(geo_buf *b, const geo_qml_look *look)
{
	geo_buf_add(b, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" "
		       "enableorderby=\"0\" forceraster=\"0\">\n    <symbols>\n");
	geo_qml_symbol(b, 0, look);
	geo_buf_add(b, "    </symbols>\n  </renderer-v2>\n");
}

/* The document's start: what it holds, and labelsEnabled when it labels. */
static void add_head(geo_buf *b, int labels)
{
	geo_buf_printf(b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
			  "<qgis version=\"" GEO_QGIS_VERSION "\" styleCategories=\"Symbology%s\"%s>\n",
		       labels ? "|Labeling" : "", labels ? " labelsEnabled=\"1\"" : "");
}

/* How labels look: points, bold or not, colour, and a white halo or none. */
typedef struct qml_text {
	int size, bold;
	const char *rgb;        /* "r,g,b" */
	int halo;
} qml_text;

/* Most labels: 8 points of black on a white halo. */
static const qml_text plain_text = { 8, 0, "0,0,0", 1 };

/* Labels over each feature: a field's value, or an expression's. */
static void add_labels(geo_buf *b, const char *text, int expression, const qml_text *t)
{
	geo_buf_add(b, "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
		       "      <text-style fieldName=\"");
	geo_xml_text(b, text);
	geo_buf_printf(b, "\" isExpression=\"%d\" fontSize=\"%d\"%s textColor=\"%s,255\">\n", expression,
		       t->size, t->bold ? " fontWeight=\"75\"" : "", t->rgb);
	if (t->halo)
		geo_buf_add(b, "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" "
			       "bufferColor=\"255,255,255,255\"/>\n");
	geo_buf_add(b, "      </text-style>\n      <placement placement=\"1\"/>\n    </settings>\n"
		       "  </labeling>\n");
}

char *geo_qml_graduated(const double *values, size_t n, const geo_qml_graduated_opts *o)
{
	qml_class c[MAX_CLASSES];
	const char *unit = o->unit ? o->unit : "";
	int nc = o->classes == GEO_QML_COUNTS ? count_classes(values, n, unit, c)
					      : quantile_classes(values, n, unit, c);
	if (nc < 0)
		return NULL;
	geo_buf b;
	geo_buf_init(&b);
	add_head(&b, o->label != NULL);
	geo_buf_printf(&b, "  <renderer-v2 type=\"graduatedSymbol\" graduatedMethod=\"GraduatedColor\" "
			   "attr=\"%s\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n",
		       o->field);
	for (int i = 0; i < nc; i++)
		geo_buf_printf(&b, "      <range lower=\"%.17g\" upper=\"%.17g\" symbol=\"%d\" "
				   "label=\"%s\" render=\"true\"/>\n",
			       c[i].lo, c[i].hi, i, c[i].label);
	geo_buf_add(&b, "    </ranges>\n    <symbols>\n");
	for (int i = 0; i < nc; i++)
		geo_qml_symbol(&b, i, &(geo_qml_look){ GEO_QML_FILL, c[i].rgb, c[i].alpha, o->opacity,
							"solid", "90,90,90", 0.26, NULL, 0, 0, 0 });
	geo_buf_add(&b, "    </symbols>\n");
	if (o->classes == GEO_QML_COUNTS)
		geo_buf_add(&b, "    <classificationMethod id=\"EqualInterval\"/>\n");
	geo_buf_add(&b, "  </renderer-v2>\n");
	if (o->label)
		add_labels(&b, o->label, 1, &plain_text);
	geo_buf_add(&b, "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n"
			"  <layerGeometryType>2</layerGeometryType>\n</qgis>\n");
	return geo_buf_take(&b);
}

/* A categorized style; outlines: per category, else o's; label: a field,
** or an expression when expression is set. */
static char *categorized(const geo_qml_category *c, const char *const *outlines, size_t n,
			 const geo_qml_categorized_opts *o, const char *label, int expression)
{
	static const char *const shape[] = { "circle", "solid", "solid" };
	geo_buf b;
	geo_buf_init(&b);
	add_head(&b, label != NULL);
	geo_buf_add(&b, "  <renderer-v2 type=\"categorizedSymbol\" attr=\"");
	geo_xml_text(&b, o->field);
	geo_buf_add(&b, "\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <categories>\n");
	for (size_t i = 0; i < n; i++) {
		geo_buf_add(&b, "      <category value=\"");
		geo_xml_text(&b, c[i].value);
		geo_buf_printf(&b, "\" symbol=\"%zu\" label=\"", i);
		geo_xml_text(&b, c[i].label);
		geo_buf_add(&b, "\" render=\"true\"/>\n");
	}
	geo_buf_add(&b, "    </categories>\n    <symbols>\n");
	for (size_t i = 0; i < n; i++)
		geo_qml_symbol(&b, (int)i,
			       &(geo_qml_look){ o->kind, c[i].rgb, 255, o->opacity,
						c[i].shape ? c[i].shape : shape[o->kind],
						outlines ? outlines[i] : o->outline ? o->outline : c[i].rgb,
						o->width, NULL, 0, 0, 0 });
	geo_buf_add(&b, "    </symbols>\n  </renderer-v2>\n");
	if (label)
		add_labels(&b, label, expression, &plain_text);
	geo_buf_add(&b, "</qgis>\n");
	return geo_buf_take(&b);
}

char *geo_qml_categorized(const geo_qml_category *c, size_t n, const geo_qml_categorized_opts *o)
{
	return categorized(c, NULL, n, o, o->label, 0);
}

char *geo_qml_categorized_outlined(const geo_qml_category *c, const char *const *outlines, size_t n,
				   const geo_qml_categorized_opts *o, const char *label)
{
	return categorized(c, outlines, n, o, label, 1);
}

char *geo_qml_raster(const geo_qml_stop *s, size_t n, const geo_qml_raster_opts *o)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
			"<qgis version=\"" GEO_QGIS_VERSION "\" styleCategories=\"AllStyleCategories\">\n  <layerTitle>");
	geo_xml_text(&b, o->title);
	geo_buf_printf(&b, "</layerTitle>\n  <pipe>\n"
			   "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"%g\" "
			   "alphaBand=\"-1\" classificationMin=\"0\" classificationMax=\"%.9g\" "
			   "nodataColor=\"\">\n      <rasterTransparency/>\n"
			   "      <minMaxOrigin><limits>None</limits><extent>WholeRaster</extent>"
			   "<statAccuracy>Exact</statAccuracy></minMaxOrigin>\n      <rastershader>\n"
			   "        <colorrampshader colorRampType=\"%s\" classificationMode=\"%d\" "
			   "clip=\"0\" minimumValue=\"0\" maximumValue=\"%.9g\" labelPrecision=\"%d\">\n",
		       o->opacity, o->max, o->discrete ? "DISCRETE" : "INTERPOLATED",
		       o->discrete ? 2 : 1, o->max, o->precision);
	for (size_t i = 0; i < n; i++) {
		geo_buf_printf(&b, "          <item alpha=\"%d\" color=\"%s\" value=\"%.9g\" label=\"",
			       s[i].alpha, s[i].rgb, s[i].value);
		geo_xml_text(&b, s[i].label);
		geo_buf_add(&b, "\"/>\n");
	}
	/* QGIS 3.18+ reads rampLegendSettings; older ones show the labels. */
	if (o->unit) {
		geo_buf_add(&b, "          <rampLegendSettings prefix=\"\" suffix=\" ");
		geo_xml_text(&b, o->unit);
		geo_buf_add(&b, "\" minimumLabel=\"\" maximumLabel=\"\" useContinuousLegend=\"1\" "
				"orientation=\"2\" direction=\"0\"/>\n");
	}
	geo_buf_add(&b, "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n"
			"    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
			"    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\"/>\n"
			"    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n"
			"  <blendMode>0</blendMode>\n</qgis>\n");
	return geo_buf_take(&b);
}

/* How each style of grids draws them: a fill (with its outline) and labels. */
static const struct grid_style {
	geo_qml_look fill;
	qml_text text;
} grid_styles[] = {
	[GEO_QML_PRIMARY] = { { GEO_QML_FILL, "0,0,0", 0, 1, "no", "190,30,45", 0.9, "solid", 1 },
			      { 10, 1, "190,30,45", 0 } },
	[GEO_QML_SECONDARY] = { { GEO_QML_FILL, "255,240,200", 90, 1, "solid", "60,60,60", 0.3, "dash", 0 },
				{ 7, 0, "60,60,60", 0 } },
	[GEO_QML_OUTLINES] = { { GEO_QML_FILL, "255,255,255", 0, 1, "no", "35,35,35", 0.4, "solid", 0 },
			       { 9, 0, "0,0,0", 1 } },
	[GEO_QML_CHECKED] = { { GEO_QML_FILL, "190,207,80", 60, 1, "solid", "35,35,35", 0.4, "solid", 0 },
			      { 8, 0, "0,0,0", 1 } },
};

/* Both levels in one layer, by its level field: primaries drawn over
** secondaries. */
static void add_level_rules(geo_buf *b)
{
	geo_buf_add(b, "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" "
		       "forceraster=\"0\">\n    <rules key=\"{0}\">\n"
		       "      <rule key=\"{2}\" filter=\"&quot;level&quot; = 2\" symbol=\"1\" label=\"secondary\"/>\n"
		       "      <rule key=\"{1}\" filter=\"&quot;level&quot; = 1\" symbol=\"0\" label=\"primary\"/>\n"
		       "    </rules>\n    <symbols>\n");
	geo_qml_symbol(b, 0, &grid_styles[GEO_QML_PRIMARY].fill);
	geo_qml_symbol(b, 1, &grid_styles[GEO_QML_SECONDARY].fill);
	geo_buf_add(b, "    </symbols>\n  </renderer-v2>\n");
}

char *geo_qml_grids(geo_qml_grids_style style, const char *field)
{
	geo_buf b;
	geo_buf_init(&b);
	add_head(&b, style != GEO_QML_LEVELS);
	if (style == GEO_QML_LEVELS) {
		add_level_rules(&b);
	} else {
		geo_qml_single(&b, &grid_styles[style].fill);
		add_labels(&b, field, 0, &grid_styles[style].text);
	}
	geo_buf_add(&b, "</qgis>\n");
	return geo_buf_take(&b);
}

geo_err geo_qml_attach(geo_ctx *ctx, geo_output *out, OGRLayerH layer, char *qml)
{
	geo_err e = qml ? geo_output_style(ctx, out, layer, qml) : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	free(qml);
	return e;
}
