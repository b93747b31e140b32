/*
** info_report.c: grid-info's report, rendered from its result as text for
** people or as one JSON object.
*/
#include "core/geo_internal.h"

#include <string.h>

static void json_codes(geo_buf *b, const char *key, const geo_info_codes *c)
{
	geo_buf_printf(b, ", \"%s\": {\"count\": %zu, \"codes\": [", key, c->n);
	for (int i = 0; c->codes && c->codes[i]; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_str(b, c->codes[i]);
	}
	geo_buf_add(b, "]}");
}

static void json_layer(geo_buf *b, const geo_info_layer *li)
{
	geo_json_strings(b, "{", "name", li->name, "crs", li->crs, "working_crs", li->work_crs,
			 (char *)NULL);
	geo_buf_printf(b, ", \"features\": %zu, \"empty\": %zu, \"geometry_types\": {",
		       li->features, li->empty);
	for (size_t i = 0; i < li->ntypes; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_str(b, li->types[i].name);
		geo_buf_printf(b, ": %zu", li->types[i].n);
	}
	geo_buf_add(b, "}, \"extent\": ");
	if (li->has_extent) {
		for (int i = 0; i < 4; i++) {
			geo_buf_add(b, i ? ", " : "[");
			geo_json_num(b, li->extent[i], 6);
		}
		geo_buf_add(b, "]");
	} else {
		geo_buf_add(b, "null");
	}
	geo_buf_add(b, ", \"area_m2\": ");
	geo_json_num(b, li->area_m2, 1);
	geo_buf_add(b, ", \"length_m\": ");
	geo_json_num(b, li->length_m, 1);
	if (li->is_grid) {
		geo_buf_printf(b, ", \"grid\": {\"levels\": {\"1\": %zu, \"2\": %zu, \"unknown\": %zu}",
			       li->level[1], li->level[2], li->level[0]);
		json_codes(b, "malformed_codes", &li->malformed);
		json_codes(b, "duplicate_codes", &li->duplicates);
		json_codes(b, "missing_parents", &li->orphans);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "}");
}

static void render_json(geo_buf *b, const geo_info_result *r)
{
	geo_buf_add(b, "{\"dataset\": ");
	geo_json_str(b, r->dataset);
	geo_buf_add(b, ", \"layers\": [");
	for (size_t i = 0; i < r->nlayers; i++) {
		geo_buf_add(b, i ? ", " : "");
		json_layer(b, &r->layers[i]);
	}
	geo_buf_add(b, "]}\n");
}

static void text_codes(geo_buf *b, const char *what, const geo_info_codes *c)
{
	if (!c->n)
		return;
	geo_buf_printf(b, "  %s: %zu:", what, c->n);
	for (int i = 0; c->codes && c->codes[i]; i++)
		geo_buf_printf(b, " %s", c->codes[i]);
	geo_buf_add(b, c->n > GEO_INFO_LISTED ? " ...\n" : "\n");
}

/* The messages keep their %lld, which their translations share. */
static void text_layer(geo_buf *b, const geo_info_layer *li)
{
	geo_buf_printf(b, _("Layer: %s\n  CRS: %s"), li->name, li->crs);
	if (*li->work_crs && strcmp(li->crs, li->work_crs))
		geo_buf_printf(b, _(" (measured in %s)"), li->work_crs);
	geo_buf_printf(b, _("\n  Features: %lld"), (long long)li->features);
	if (li->empty)
		geo_buf_printf(b, _(" (%lld without geometry)"), (long long)li->empty);
	geo_buf_add(b, _("\n  Geometry:"));
	for (size_t i = 0; i < li->ntypes; i++)
		geo_buf_printf(b, " %s%s %zu", i ? "," : "", li->types[i].name, li->types[i].n);
	if (li->has_extent)
		geo_buf_printf(b, _("\n  Extent: %.6f %.6f %.6f %.6f"), li->extent[0], li->extent[1],
			       li->extent[2], li->extent[3]);
	if (li->area_m2 > 0)
		geo_buf_printf(b, _("\n  Area: %.1f m² (%.3f km²)"), li->area_m2, li->area_m2 / 1e6);
	if (li->length_m > 0)
		geo_buf_printf(b, _("\n  Length: %.1f m"), li->length_m);
	geo_buf_add(b, "\n");
	if (li->is_grid) {
		geo_buf_printf(b, _("  Grids: %lld primary, %lld secondary"),
			       (long long)li->level[1], (long long)li->level[2]);
		if (li->level[0])
			geo_buf_printf(b, _(", %lld of unknown level"), (long long)li->level[0]);
		geo_buf_add(b, "\n");
		text_codes(b, _("Malformed codes"), &li->malformed);
		text_codes(b, _("Duplicate codes"), &li->duplicates);
		text_codes(b, _("Secondaries whose parent is missing"), &li->orphans);
	}
}

static void render_text(geo_buf *b, const geo_info_result *r)
{
	geo_buf_printf(b, _("Dataset: %s\n"), r->dataset);
	for (size_t i = 0; i < r->nlayers; i++)
		text_layer(b, &r->layers[i]);
}

GEO_REPORT(info)
