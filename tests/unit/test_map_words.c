/*
** test_map_words.c: the words grid-map prints for codes (map_words.c): value
** maps read from QGIS styles (a ValueMap widget, a categorized renderer, XML
** entities), the known codes, raster units and the footer's period.
*/
#include "check.h"
#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <string.h>

static const char *label_of(char **pairs, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(pairs[2 * i], code))
			return pairs[2 * i + 1];
	return NULL;
}

static void free_pairs(char **pairs, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++)
		free(pairs[i]);
	free(pairs);
}

static void check_widget(geo_ctx *ctx)
{
	const char *qml =
		"<qgis><fieldConfiguration><field name=\"kind\"><editWidget "
		"type=\"ValueMap\"><config>"
		"<Option type=\"Map\"><Option type=\"List\" name=\"map\"><Option type=\"Map\">"
		"<Option type=\"QString\" name=\"X\" "
		"value=\"x\"/></Option></Option></Option></config>"
		"</editWidget></field><field name=\"category\"><editWidget "
		"type=\"ValueMap\"><config>"
		"<Option type=\"Map\"><Option type=\"List\" name=\"map\"><Option type=\"Map\">"
		"<Option type=\"QString\" name=\"防汛 &amp; 排涝\" value=\"flood\"/></Option>"
		"<Option type=\"Map\"><Option value=\"fire\" name=\"消防\" "
		"type=\"QString\"/></Option>"
		"</Option></Option></config></editWidget></field></fieldConfiguration>"
		"<renderer-v2 type=\"categorizedSymbol\" attr=\"category\"><categories>"
		"<category value=\"flood\" label=\"not this\"/></categories></renderer-v2></qgis>";
	char **p;
	size_t n;
	CHECK("a ValueMap widget read",
	      map_qml_value_map(ctx, qml, "category", &p, &n) == GEO_OK && n == 2);
	CHECK("entities decoded",
	      label_of(p, n, "flood") && !strcmp(label_of(p, n, "flood"), "防汛 & 排涝"));
	CHECK("attributes in any order",
	      label_of(p, n, "fire") && !strcmp(label_of(p, n, "fire"), "消防"));
	CHECK("another field's map not taken", !label_of(p, n, "x"));
	free_pairs(p, n);
}

static void check_renderer(geo_ctx *ctx)
{
	const char *qml =
		"<qgis><renderer-v2 attr=\"category\" type=\"categorizedSymbol\"><categories>"
		"<category value=\"flood\" symbol=\"0\" label=\"汛情\"/>"
		"<category value=\"fire\" symbol=\"1\" label=\"fire\"/>"
		"<category value=\"\" symbol=\"2\" label=\"\"/></categories></renderer-v2></qgis>";
	char **p;
	size_t n;
	CHECK("a categorized style's labels",
	      map_qml_value_map(ctx, qml, "category", &p, &n) == GEO_OK && n == 1 &&
		      !strcmp(label_of(p, n, "flood"), "汛情"));
	free_pairs(p, n);
	CHECK("not for another field",
	      map_qml_value_map(ctx, qml, "type", &p, &n) == GEO_OK && n == 0);
	free_pairs(p, n);
	CHECK("no style, no map",
	      map_qml_value_map(ctx, NULL, "category", &p, &n) == GEO_OK && n == 0);
}

static void check_words(void)
{
	CHECK("known code", !strcmp(map_known_value("flood"), "防汛"));
	CHECK("known code, any case", !strcmp(map_known_value("High_Point"), "高点监控"));
	CHECK("words stay words", map_known_value("防汛") == NULL);
	CHECK("grid-heat's units", !strcmp(map_units_words("points per km²"), "per km²"));
	CHECK("other units as they are", !strcmp(map_units_words("events/km²"), "events/km²"));
}

static void check_period(geo_ctx *ctx)
{
	geo_window_opts o;
	geo_window w;
	char s[96];
	geo_window_opts_init(&o);
	o.week = "2021-W37";
	CHECK("week parsed", geo_window_parse(ctx, &o, &w) == GEO_OK);
	map_period_text(&w, s, sizeof s);
	CHECK("a week and its days", !strcmp(s, "2021-W37 (2021-09-13 – 2021-09-19)"));
	geo_window_opts_init(&o);
	o.from = "2021-09-14";
	o.to = "2021-09-16";
	CHECK("range parsed", geo_window_parse(ctx, &o, &w) == GEO_OK);
	map_period_text(&w, s, sizeof s);
	CHECK("a range, its last day included", !strcmp(s, "2021-09-14 – 2021-09-16"));
	geo_window_opts_init(&o);
	o.from = "2021-09-14";
	CHECK("open range parsed", geo_window_parse(ctx, &o, &w) == GEO_OK);
	map_period_text(&w, s, sizeof s);
	CHECK("an open end", !strcmp(s, "2021-09-14 – …"));
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	check_widget(ctx);
	check_renderer(ctx);
	check_words();
	check_period(ctx);
	geo_ctx_free(ctx);
	return check_done();
}
