/*
** place_report.c: grid-place's report, rendered from the result alone: text
** for people or one JSON object for programs.
*/
#include "core/geo_internal.h"

#include <stdlib.h>

static const char *mode_name(geo_place_mode m)
{
	return m == GEO_PLACE_SPLIT ? N_("split") : m == GEO_PLACE_CENTROID ? N_("centroid") : N_("largest");
}

static void json_counts(geo_buf *b, const geo_place_result *r)
{
	geo_buf_printf(b,
		       ", \"counts\": {\"features\": %lld, \"points\": %lld, \"lines\": %lld, "
		       "\"polygons\": %lld, \"placed\": %lld, \"unplaced\": %lld, \"no_geometry\": %lld, "
		       "\"near\": %lld, \"written\": %lld, \"outside_pieces\": %lld}",
		       r->features, r->points, r->lines, r->polygons, r->placed, r->unplaced,
		       r->no_geometry, r->near, r->written, r->outside_pieces);
}

static void json_lists(geo_buf *b, const geo_place_result *r)
{
	geo_buf_add(b, ", \"unplaced\": [");
	for (size_t i = 0; i < r->nunplaced_listed; i++)
		geo_buf_printf(b, "%s%lld", i ? ", " : "", r->unplaced_listed[i]);
	geo_buf_add(b, "], \"near\": [");
	for (size_t i = 0; i < r->nnear_listed; i++) {
		const geo_place_near *n = &r->near_listed[i];
		geo_buf_printf(b, "%s{\"feature\": %lld, \"grid_id\": ", i ? ", " : "", n->feature);
		geo_json_str(b, n->grid_id);
		geo_buf_add(b, ", \"distance_m\": ");
		geo_json_num(b, n->distance_m, 2);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "]");
}

static void render_json(geo_buf *b, const geo_place_result *r)
{
	geo_buf_add(b, "{\"features_file\": ");
	geo_json_str(b, r->features_file);
	geo_buf_add(b, ", \"grids_file\": ");
	geo_json_str(b, r->grids_file);
	geo_buf_printf(b, ", \"grids\": %zu, \"level\": %d, \"mode\": ", r->grids, r->level);
	geo_json_str(b, mode_name(r->mode));
	json_counts(b, r);
	json_lists(b, r);
	if (r->timed)
		geo_buf_printf(b, ", \"seconds\": {\"grids\": %.3f, \"features\": %.3f}",
			       r->seconds_grids, r->seconds_features);
	geo_buf_add(b, "}\n");
}

static void text_near(geo_buf *b, const geo_place_result *r)
{
	geo_buf_printf(b, _("Near a grid (within %.2f m): %lld:"), r->max_distance, r->near);
	for (size_t i = 0; i < r->nnear_listed; i++)
		geo_buf_printf(b, " %lld (%s, %.2f m)", r->near_listed[i].feature,
			       r->near_listed[i].grid_id, r->near_listed[i].distance_m);
	geo_buf_add(b, r->near > (long long)r->nnear_listed ? " ...\n" : "\n");
}

static void text_unplaced(geo_buf *b, const geo_place_result *r)
{
	geo_buf_printf(b, _("Unplaced: %lld"), r->unplaced);
	for (size_t i = 0; i < r->nunplaced_listed; i++)
		geo_buf_printf(b, "%s%lld", i ? " " : _(" (features "), r->unplaced_listed[i]);
	geo_buf_add(b, r->unplaced > (long long)r->nunplaced_listed ? " ...)\n"
		       : r->unplaced				      ? ")\n"
									      : "\n");
}

static void render_text(geo_buf *b, const geo_place_result *r)
{
	geo_buf_printf(b, _("Grids: %zu%s, from %s\n"), r->grids,
		       r->both_levels ? _(" secondary (the layer holds both levels)") : "", r->grids_file);
	geo_buf_printf(b, _("Features: %lld (%lld points, %lld lines, %lld polygons, %lld without geometry)\n"),
		       r->features, r->points, r->lines, r->polygons, r->no_geometry);
	if (r->polygons || r->lines)
		geo_buf_printf(b, _("Mode: %s\n"), _(mode_name(r->mode)));
	geo_buf_printf(b, _("Placed: %lld\n"), r->placed);
	if (r->near)
		text_near(b, r);
	text_unplaced(b, r);
	if (r->outside_pieces)
		geo_buf_printf(b, _("Pieces outside every grid: %lld\n"), r->outside_pieces);
	if (r->output && r->mode == GEO_PLACE_SPLIT)
		geo_buf_printf(b, _("Written: %lld features\n"), r->written);
	if (r->timed)
		geo_buf_printf(b, _("Time: %.3f s reading grids, %.3f s placing\n"), r->seconds_grids,
			       r->seconds_features);
}

GEO_REPORT(place)

void geo_place_result_free(geo_place_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nnear_listed; i++)
		free(r->near_listed[i].grid_id);
	free(r->near_listed);
	free(r->unplaced_listed);
	free(r->features_file);
	free(r->grids_file);
	free(r->output);
	free(r->summary);
	free(r->unplaced_output);
	free(r);
}
