/*
** qpt.c: the QGIS print layout of grid-map's page, so that a QGIS user
** prints what grid-map prints: the map frame at the same place, extent and
** scale, the title and subtitle, a legend, a scale bar, a north arrow to
** true north, and the footer with the data's period and the day printed
** (QGIS fills in the date when it prints). The same <Layout> goes into the
** project and, as a template (.qpt), beside it. Written for QGIS 3.22;
** what the XML leaves out QGIS reads as its defaults.
*/
#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <math.h>
#include <string.h>

/* QgsLayoutItemRegistry's item types (QGraphicsItem::UserType + 100 + n). */
enum {
	QPT_PAGE = 65638,
	QPT_MAP = 65639,
	QPT_PICTURE = 65640,
	QPT_LABEL = 65641,
	QPT_LEGEND = 65642,
	QPT_SCALEBAR = 65646
};

#define QPT_MAP_UUID "{5f0c1a2e-7a4b-4c1d-9e2f-77616e676501}"

/* An item's opening tag up to its own attributes: type, a stable uuid
** (items refer to the map by it), place and size in mm. */
static void item_open(geo_buf *b, int type, int n, double x, double y, double w, double h)
{
	geo_buf_printf(b, " <LayoutItem type=\"%d\" ", type);
	if (type == QPT_MAP)
		geo_buf_add(b, "uuid=\"" QPT_MAP_UUID "\" templateUuid=\"" QPT_MAP_UUID "\" ");
	else
		geo_buf_printf(b, "uuid=\"{5f0c1a2e-7a4b-4c1d-9e2f-77616e6765%02d}\" ", n);
	geo_buf_printf(b,
		       "position=\"%.2f,%.2f,mm\" positionOnPage=\"%.2f,%.2f,mm\" "
		       "size=\"%.2f,%.2f,mm\" referencePoint=\"0\" zValue=\"%d\" visibility=\"1\" ",
		       x, y, x, y, w, h, n);
}

static void label(geo_buf *b, int n, double x, double y, double w, double h, const char *text,
		  const char *font, double pt, int bold, int halign)
{
	item_open(b, QPT_LABEL, n, x, y, w, h);
	geo_buf_printf(b,
		       "htmlState=\"0\" halign=\"%d\" valign=\"32\" marginX=\"0\" marginY=\"0\" "
		       "frame=\"false\" background=\"false\" labelText=\"",
		       halign);
	geo_xml_text(b, text);
	geo_buf_add(b, "\">\n  <LabelFont description=\"");
	geo_xml_text(b, font);
	geo_buf_printf(b,
		       ",%g,-1,5,%d,0,0,0,0,0\" style=\"\"/>\n"
		       "  <FontColor red=\"0\" green=\"0\" blue=\"0\" alpha=\"255\"/>\n "
		       "</LayoutItem>\n",
		       pt, bold ? 75 : 50);
}

static void map_item(geo_buf *b, const map *m, const char *srs)
{
	item_open(b, QPT_MAP, 1, m->frame[0], m->frame[1], m->frame[2], m->frame[3]);
	geo_buf_add(b, "keepLayerSet=\"false\" followPreset=\"false\" mapRotation=\"0\" "
		       "drawCanvasItems=\"true\" frame=\"true\" outlineWidthM=\"0.35,mm\" "
		       "background=\"true\">\n");
	geo_buf_printf(b, "  <Extent xmin=\"%.3f\" ymin=\"%.3f\" xmax=\"%.3f\" ymax=\"%.3f\"/>\n",
		       m->wx0, m->wy0, m->wx1, m->wy1);
	geo_buf_printf(b, "  <crs>%s</crs>\n  <LayerSet/>\n </LayoutItem>\n", srs);
}

static void legend_item(geo_buf *b, const map *m, double x, double y, double w, double h)
{
	const char *font = m->o->font;
	item_open(b, QPT_LEGEND, 3, x, y, w, h);
	geo_buf_add(b, "map_uuid=\"" QPT_MAP_UUID "\" title=\"图例 Legend\" resizeToContents=\"0\" "
		       "frame=\"true\" background=\"true\" symbolWidth=\"8\" symbolHeight=\"4\" "
		       "columnCount=\"1\" wrapChar=\"\" legendFilterByAtlas=\"0\">\n  <styles>\n");
	static const char *const styles[][2] = {
		{ "title", "9" }, { "group", "8" }, { "subgroup", "7.5" }, { "symbolLabel", "7.5" }
	};
	for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
		geo_buf_printf(b,
			       "   <style name=\"%s\" marginTop=\"1.5\" alignment=\"1\">"
			       "<styleFont description=\"",
			       styles[i][0]);
		geo_xml_text(b, font);
		geo_buf_printf(b, ",%s,-1,5,%d,0,0,0,0,0\" style=\"\"/></style>\n", styles[i][1],
			       i == 0 ? 75 : 50);
	}
	geo_buf_add(b, "  </styles>\n </LayoutItem>\n");
}

/* The scale bar's length as grid-map draws it: the largest 1, 2 or 5 times
** a power of ten of ground metres that fits maxw mm. */
static double bar_metres(const map *m, double maxw)
{
	double x = maxw * m->ground / m->scale, p = pow(10, floor(log10(x)));
	return x >= 5 * p ? 5 * p : x >= 2 * p ? 2 * p : p;
}

static void scale_bar(geo_buf *b, const map *m, double x, double y, double maxw)
{
	double bar = m->bar_m > 0 ? m->bar_m : bar_metres(m, maxw);
	int km = bar >= 1000;
	double units = km ? bar / 1000 : bar;
	/* QGIS reads a segment's length in map units (ground metres corrected
	** as grid-map's bar is) and labels it in the bar's units. */
	double per_unit = (km ? 1000 : 1) / m->ground;
	item_open(b, QPT_SCALEBAR, 4, x, y, maxw + 10, 10);
	geo_buf_printf(b,
		       "mapUuid=\"" QPT_MAP_UUID "\" style=\"Single Box\" unitType=\"%s\" "
		       "unitLabel=\"%s\" numMapUnitsPerScaleBarUnit=\"%g\" numSegments=\"2\" "
		       "numSegmentsLeft=\"0\" numUnitsPerSegment=\"%g\" segmentSizeMode=\"0\" "
		       "height=\"1.6\" labelBarSpace=\"1\" boxContentSpace=\"1\" alignment=\"0\" "
		       "frame=\"false\" background=\"false\">\n  <text-style fontFamily=\"",
		       km ? "kilometers" : "meters", km ? "km" : "m", per_unit,
		       units / 2 * per_unit);
	geo_xml_text(b, m->o->font);
	geo_buf_add(b, "\" fontSize=\"7\" fontSizeUnit=\"Point\" textColor=\"0,0,0,255\"/>\n"
		       " </LayoutItem>\n");
}

static void north_arrow(geo_buf *b, double x, double y, double size)
{
	item_open(b, QPT_PICTURE, 5, x, y, size, size);
	geo_buf_add(b, "mapUuid=\"" QPT_MAP_UUID "\" northMode=\"1\" northOffset=\"0\" mode=\"0\" "
		       "resizeMode=\"0\" anchorPoint=\"4\" "
		       "file=\":/images/north_arrows/layout_default_north_arrow.svg\" "
		       "svgFillColor=\"0,0,0,255\" svgBorderColor=\"0,0,0,255\" "
		       "svgBorderWidth=\"0.2\" "
		       "frame=\"false\" background=\"false\">\n </LayoutItem>\n");
}

static void footer(geo_buf *b, const map *m)
{
	geo_buf f;
	geo_buf_init(&f);
	if (*m->period)
		geo_buf_printf(&f, "数据期间 period: %s    ", m->period);
	geo_buf_add(&f, "制图日期 made: [% format_date(now(), 'yyyy-MM-dd') %]");
	char *s = geo_buf_take(&f);
	double y = m->frame[1] + m->frame[3] + 1;
	label(b, 6, m->frame[0], y, m->frame[2], 4, s ? s : "", m->o->font, 7, 0, 1);
	free(s);
}

char *map_qpt_layout(const map *m, const char *name, const char *srs)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add(&b, "<Layout name=\"");
	geo_xml_text(&b, name);
	geo_buf_add(&b, "\" units=\"mm\" printResolution=\"300\" worldFileMap=\"\">\n"
			" <PageCollection>\n");
	item_open(&b, QPT_PAGE, 0, 0, 0, m->page_w, m->page_h);
	geo_buf_add(&b, "background=\"true\" frame=\"false\">\n </LayoutItem>\n"
			" </PageCollection>\n");
	map_item(&b, m, srs);
	const geo_map_opts *o = m->o;
	double w = m->page_w - 20;
	if (o->title)
		label(&b, 7, 10, 8, w, 9, o->title, o->font, 16, 1, 4);
	if (o->subtitle)
		label(&b, 8, 10, o->title ? 18 : 9, w, 6, o->subtitle, o->font, 10, 0, 4);
	double px = m->frame[0] + m->frame[2] + 5, pw = m->page_w - 10 - px;
	double bottom = m->frame[1] + m->frame[3];
	legend_item(&b, m, px, m->frame[1], pw, m->frame[3] - 40);
	north_arrow(&b, px + pw / 2 - 5, bottom - 36, 10);
	scale_bar(&b, m, px + 3, bottom - 22, pw - 16);
	footer(&b, m);
	geo_buf_add(&b, "</Layout>\n");
	return geo_buf_take(&b);
}
