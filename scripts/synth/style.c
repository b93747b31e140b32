/*
** style.c: the sample town's default QGIS styles. Each layer's look is a row
** of one table (a single symbol, or one symbol per value of a field, and an
** optional label field); style_layer turns the row into a QML document that
** QGIS 3.22 reads and hands it to geo_output_style, which stores it in the
** GeoPackage's layer_styles table as the layer's default. So the sample
** opens in QGIS drawn as a map: grids as outlines labelled by code, points
** coloured by category, water blue.
*/
#include "town.h"

#include <stdlib.h>
#include <string.h>

/* A symbol: a fill ('f'), a line ('l') or a marker ('m'). A fill without
** colour is an outline only; a symbol without outline colour has none. */
typedef struct sym {
	char kind;
	const char *color, *outline;
	double width;           /* line or outline width, mm */
	double size;            /* marker size, mm */
	const char *shape;      /* marker: circle, triangle, square */
	const char *dash;       /* line or outline style; NULL: solid */
} sym;

typedef struct category {
	const char *value, *label;
	sym s;
} category;

enum { MAX_CATEGORIES = 10 };

typedef struct layer_style {
	const char *layer;
	const char *attr;               /* one symbol per value of attr; NULL: `single` */
	category cats[MAX_CATEGORIES];
	sym single;
	const char *label;              /* the label field, or NULL */
	double label_size;              /* points */
	int priority;                   /* 0-10: which labels win where they collide */
} layer_style;

#define OUTLINE(col, w, d) { .kind = 'f', .outline = col, .width = w, .dash = d }
#define LINE(col, w) { .kind = 'l', .color = col, .width = w }
#define DOT(shp, col, sz) { .kind = 'm', .shape = shp, .color = col, .size = sz, \
			    .outline = "255,255,255,255", .width = 0.2 }

static const layer_style styles[] = {
	{ .layer = "township", .single = OUTLINE("40,40,40,255", 0.8, NULL), .label = "name",
	  .label_size = 12, .priority = 10 },
	{ .layer = "areas", .single = OUTLINE("200,90,20,255", 0.6, "dash"), .label = "name",
	  .label_size = 10, .priority = 9 },
	{ .layer = "villages",
	  .single = { .kind = 'f', .color = "240,236,220,255", .outline = "150,150,150,255",
		      .width = 0.26 },
	  .label = "name", .label_size = 8, .priority = 8 },
	{ .layer = "primary", .single = OUTLINE("20,20,20,255", 0.9, NULL), .label = "grid_id",
	  .label_size = 8, .priority = 5 },
	{ .layer = "secondary", .single = OUTLINE("90,90,90,255", 0.25, NULL), .label = "grid_id",
	  .label_size = 6, .priority = 3 },
	{ .layer = "households",
	  .single = { .kind = 'm', .shape = "circle", .color = "90,90,90,255", .size = 0.8 } },
	{ .layer = "buildings",
	  .single = { .kind = 'f', .color = "205,170,150,255", .outline = "140,100,80,255",
		      .width = 0.1 } },
	{ .layer = "roads", .attr = "class",
	  .cats = { { "公路", "公路", LINE("230,120,40,255", 1.2) },
		    { "村道", "村道", LINE("180,150,100,255", 0.6) },
		    { "巷道", "巷道", LINE("160,160,160,255", 0.3) } } },
	{ .layer = "rivers", .attr = "class",
	  .cats = { { "河流", "河流", LINE("30,110,200,255", 1.6) },
		    { "人工河道", "人工河道", LINE("60,140,220,255", 0.9) } } },
	{ .layer = "ditches", .single = LINE("90,160,220,255", 0.35) },
	{ .layer = "ponds",
	  .single = { .kind = 'f', .color = "150,200,240,255", .outline = "30,110,200,255",
		      .width = 0.2 } },
	{ .layer = "cameras", .attr = "type",
	  .cats = { { "高点", "高点 慧眼", DOT("triangle", "200,30,30,255", 3.2) },
		    { "枪机", "枪机 雪亮", DOT("circle", "120,60,160,255", 1.6) } } },
	{ .layer = "hazards", .attr = "category",
	  .cats = { { "消防", "消防", DOT("circle", "215,25,28,255", 1.8) },
		    { "燃气", "燃气", DOT("circle", "241,105,19,255", 1.8) },
		    { "防汛", "防汛", DOT("circle", "44,123,182,255", 1.8) },
		    { "交通", "交通", DOT("circle", "253,174,97,255", 1.8) },
		    { "房屋安全", "房屋安全", DOT("circle", "140,81,10,255", 1.8) },
		    { "用电", "用电", DOT("circle", "230,200,0,255", 1.8) },
		    { "环境卫生", "环境卫生", DOT("circle", "26,150,65,255", 1.8) },
		    { "矛盾纠纷", "矛盾纠纷", DOT("circle", "152,78,163,255", 1.8) },
		    { "违法用地", "违法用地", DOT("circle", "102,102,102,255", 1.8) },
		    { "其他", "其他", DOT("circle", "170,170,170,255", 1.8) } } },
	{ .layer = "cases", .attr = "category",
	  .cats = { { "矛盾纠纷", "矛盾纠纷", DOT("square", "215,48,39,255", 1.8) },
		    { "便民服务", "便民服务", DOT("square", "69,117,180,255", 1.8) },
		    { "信访", "信访", DOT("square", "152,78,163,255", 1.8) } } },
};

static void opt(geo_buf *b, const char *name, const char *value)
{
	geo_buf_printf(b, "      <Option name=\"%s\" type=\"QString\" value=\"%s\"/>\n", name, value);
}

static void optn(geo_buf *b, const char *name, double value)
{
	geo_buf_printf(b, "      <Option name=\"%s\" type=\"QString\" value=\"%g\"/>\n", name, value);
}

/* The properties of one symbol layer, by its kind. */
static void symbol_options(geo_buf *b, const sym *s)
{
	const char *edge = s->outline ? s->dash ? s->dash : "solid" : "no";
	if (s->kind == 'l') {
		opt(b, "line_color", s->color);
		optn(b, "line_width", s->width);
		opt(b, "line_width_unit", "MM");
		opt(b, "line_style", s->dash ? s->dash : "solid");
		opt(b, "capstyle", "round");
		opt(b, "joinstyle", "round");
		return;
	}
	if (s->kind == 'm') {
		opt(b, "name", s->shape);
		optn(b, "size", s->size);
		opt(b, "size_unit", "MM");
	} else {
		opt(b, "style", s->color ? "solid" : "no");
	}
	opt(b, "color", s->color ? s->color : "0,0,0,0");
	opt(b, "outline_color", s->outline ? s->outline : "0,0,0,0");
	opt(b, "outline_style", edge);
	optn(b, "outline_width", s->width);
	opt(b, "outline_width_unit", "MM");
}

static void symbol(geo_buf *b, int n, const sym *s)
{
	static const char *types[] = { "fill", "line", "marker" };
	static const char *classes[] = { "SimpleFill", "SimpleLine", "SimpleMarker" };
	int k = s->kind == 'f' ? 0 : s->kind == 'l' ? 1 : 2;
	geo_buf_printf(b, "   <symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" "
			  "force_rhr=\"0\">\n    <layer class=\"%s\" enabled=\"1\" pass=\"0\" locked=\"0\">\n"
			  "     <Option type=\"Map\">\n",
		       types[k], n, classes[k]);
	symbol_options(b, s);
	geo_buf_add(b, "     </Option>\n    </layer>\n   </symbol>\n");
}

static void renderer(geo_buf *b, const layer_style *st)
{
	const char *common = "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"";
	if (!st->attr) {
		geo_buf_printf(b, " <renderer-v2 type=\"singleSymbol\" %s>\n  <symbols>\n", common);
		symbol(b, 0, &st->single);
		geo_buf_add(b, "  </symbols>\n </renderer-v2>\n");
		return;
	}
	geo_buf_printf(b, " <renderer-v2 type=\"categorizedSymbol\" attr=\"%s\" %s>\n  <categories>\n",
		       st->attr, common);
	int n = 0;
	while (n < MAX_CATEGORIES && st->cats[n].value)
		n++;
	for (int i = 0; i < n; i++)
		geo_buf_printf(b, "   <category value=\"%s\" symbol=\"%d\" label=\"%s\" render=\"true\"/>\n",
			       st->cats[i].value, i, st->cats[i].label);
	geo_buf_add(b, "  </categories>\n  <symbols>\n");
	for (int i = 0; i < n; i++)
		symbol(b, i, &st->cats[i].s);
	geo_buf_add(b, "  </symbols>\n </renderer-v2>\n");
}

/* Labels from a field, over the polygon's inside, with a white halo; in a
** font that has the Chinese names. The polygons are no obstacles: the town
** and its areas cover every other label's place. */
static void labeling(geo_buf *b, const layer_style *st)
{
	geo_buf_printf(b, " <labeling type=\"simple\">\n  <settings calloutType=\"simple\">\n"
			  "   <text-style fieldName=\"%s\" isExpression=\"0\" fontFamily=\"Noto Sans CJK SC\" "
			  "fontSize=\"%g\" fontSizeUnit=\"Point\" textColor=\"0,0,0,255\">\n"
			  "    <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
			  "bufferColor=\"255,255,255,255\"/>\n   </text-style>\n"
			  "   <placement placement=\"1\" centroidInside=\"1\" priority=\"%d\"/>\n"
			  "   <rendering obstacle=\"0\"/>\n  </settings>\n"
			  " </labeling>\n",
		       st->label, st->label_size, st->priority);
}

static char *style_qml(const layer_style *st)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
			   "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" "
			   "labelsEnabled=\"%d\">\n",
		       st->label != NULL);
	renderer(&b, st);
	if (st->label)
		labeling(&b, st);
	geo_buf_add(&b, "</qgis>\n");
	char *qml = geo_buf_take(&b);
	if (!qml)
		fatal("out of memory");
	return qml;
}

void style_layer(synth *s, geo_output *out, OGRLayerH l)
{
	const char *name = OGR_L_GetName(l);
	for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
		if (strcmp(styles[i].layer, name))
			continue;
		char *qml = style_qml(&styles[i]);
		geo_err e = geo_output_style(s->ctx, out, l, qml);
		free(qml);
		if (e)
			fatal("%s", geo_last_error(s->ctx));
		return;
	}
}
