/*
** list_report.c: grid-list's report, rendered from its result as text for
** people or as one JSON object.
*/
#include "core/geo_internal.h"

static void render_json(geo_buf *b, const geo_list_result *r)
{
	geo_buf_printf(b, "{\"features\": %zu, \"unplaced\": %zu, \"grids\": %zu, "
		       "\"grids_with_features\": %zu, \"title\": ",
		       r->features, r->unplaced, r->grids, r->grids_with_features);
	geo_json_str(b, r->title);
	geo_buf_add(b, ", \"layers\": [");
	for (size_t l = 0; l < r->nlayers; l++) {
		const geo_list_source *ly = &r->layers[l];
		geo_json_strings(b, l ? ", {" : "{", "name", ly->name, "source", ly->source, (char *)NULL);
		geo_buf_printf(b, ", \"features\": %zu, \"unplaced\": %zu, \"empty\": %zu, "
			       "\"unlisted\": %zu}",
			       ly->features, ly->unplaced, ly->empty, ly->unlisted);
	}
	geo_buf_add(b, "], \"lists\": [");
	for (size_t k = 0; k < r->nlists; k++) {
		const geo_list_section *s = &r->lists[k];
		if (s->grid_id)
			geo_json_strings(b, k ? ", {" : "{", "grid_id", s->grid_id, "name", s->name,
					 "worker", s->worker, "phone", s->phone, (char *)NULL);
		else
			geo_buf_add(b, k ? ", {\"grid_id\": null" : "{\"grid_id\": null");
		geo_buf_printf(b, ", \"features\": %zu}", s->features);
	}
	geo_buf_add(b, "]}\n");
}

static void render_text(geo_buf *b, const geo_list_result *r)
{
	geo_buf_printf(b, _("%s: %zu features in %zu lists, one per grid that has any (%zu grids)\n"),
		       r->title, r->features, r->grids_with_features, r->grids);
	for (size_t l = 0; l < r->nlayers; l++) {
		const geo_list_source *ly = &r->layers[l];
		if (ly->unlisted)
			geo_buf_printf(b, _("  %s: %zu features, %zu in no grid, %zu in grids not listed\n"),
				       ly->source, ly->features, ly->unplaced, ly->unlisted);
		else
			geo_buf_printf(b, _("  %s: %zu features, %zu in no grid\n"), ly->source,
				       ly->features, ly->unplaced);
	}
	if (!r->verbose)
		return;
	for (size_t k = 0; k < r->nlists; k++) {
		const geo_list_section *s = &r->lists[k];
		if (s->grid_id)
			geo_buf_printf(b, "  %s %s %s %s: %zu\n", s->grid_id, s->name,
				       *s->worker ? s->worker : "-", s->phone, s->features);
		else
			geo_buf_printf(b, _("  in no grid: %zu\n"), s->features);
	}
}

GEO_REPORT(list)
