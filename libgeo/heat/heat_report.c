/*
** heat_report.c: grid-heat's report, rendered from the public result alone:
** text for people, or one JSON object for scripts (scripts/weekly-maps reads
** it), with fixed decimals.
*/
#include "core/geo_internal.h"

#include <stdlib.h>
#include <string.h>

/* The window's dates: its first day, and its last (the end is exclusive;
** a window ending mid-day shows that day). Empty for an open end. */
static void window_dates(const geo_window *w, char *a, char *z, size_t size)
{
	*a = *z = '\0';
	if (w->start != GEO_TIME_MIN)
		geo_time_format(w->start, a, size);
	if (w->end != GEO_TIME_MAX)
		geo_time_format(w->end - (w->end % 86400 ? 1 : 86400), z, size);
}

static void points_text(geo_buf *b, const geo_heat_result *r)
{
	geo_buf_printf(b, _("points: %zu read, %zu in the window, total weight %.6g"), r->read,
		       r->in_window, r->weight);
	if (r->no_date)
		geo_buf_printf(b, _("; %zu without a date"), r->no_date);
	if (r->no_weight)
		geo_buf_printf(b, _("; %zu without a weight"), r->no_weight);
	if (r->no_geometry)
		geo_buf_printf(b, _("; %zu without geometry"), r->no_geometry);
	if (r->beyond)
		geo_buf_printf(b, _("; %zu too far from the raster to touch it"), r->beyond);
	geo_buf_add(b, "\n");
}

static void grids_text(geo_buf *b, const geo_heat_result *r)
{
	const geo_heat_grids *s = &r->grids;
	geo_buf_printf(b, _("grids: %zu grids written to %s; %zu points placed, %zu outside every grid"),
		       s->grids, strcmp(r->grid_output, "-") ? r->grid_output : _("standard output"),
		       s->placed, s->unplaced);
	if (s->compared)
		geo_buf_printf(b, _("; %zu placed in the previous window %s"), s->prev_placed,
			       s->prev_label);
	geo_buf_add(b, "\n");
	for (size_t i = 0; i < s->ntop; i++)
		geo_buf_printf(b, _("%s %s: %zu point%s, weight %.6g\n"), i ? "    " : _("top:"),
			       s->top[i].id, s->top[i].count, s->top[i].count == 1 ? "" : "s",
			       s->top[i].weight);
}

static void render_text(geo_buf *b, const geo_heat_result *r)
{
	const geo_raster_grid *g = &r->grid;
	geo_buf_printf(b, _("%s: %d x %d pixels of %.6g x %.6g m in %s, extent %.1f %.1f %.1f %.1f\n"),
		       r->output, g->width, g->height, g->px, g->py, r->crs, g->x0,
		       g->y0 - g->height * g->py, g->x0 + g->width * g->px, g->y0);
	geo_buf_printf(b, _("kernel: %s, radius %.6g m, %s\n"), geo_kernel_name(r->kernel), r->radius,
		       _(r->units));
	if (r->window.kind != GEO_WINDOW_ALL) {
		char a[32], z[32];
		window_dates(&r->window, a, z, sizeof a);
		geo_buf_printf(b, _("window: %s (%s to %s) by field '%s'\n"), r->window.label,
			       *a ? a : _("the start"), *z ? z : _("the end"), r->date_field);
	}
	points_text(b, r);
	geo_buf_printf(b, _("surface: maximum %.6g %s; weight inside the raster %.6g\n"), r->max,
		       _(r->units), r->inside);
	if (r->grid_output)
		grids_text(b, r);
}

static void raster_json(geo_buf *b, const geo_heat_result *r)
{
	const geo_raster_grid *g = &r->grid;
	geo_buf_add(b, "{\"output\": ");
	geo_json_str(b, r->output);
	geo_buf_add(b, ", \"crs\": ");
	geo_json_str(b, r->crs);
	geo_buf_printf(b, ", \"width\": %d, \"height\": %d, \"pixel\": [", g->width, g->height);
	geo_json_num(b, g->px, 6);
	geo_buf_add(b, ", ");
	geo_json_num(b, g->py, 6);
	geo_buf_add(b, "], \"extent\": [");
	double ext[4] = { g->x0, g->y0 - g->height * g->py, g->x0 + g->width * g->px, g->y0 };
	for (int i = 0; i < 4; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_num(b, ext[i], 3);
	}
	geo_buf_add(b, "], \"kernel\": ");
	geo_json_str(b, geo_kernel_name(r->kernel));
	geo_buf_add(b, ", \"radius\": ");
	geo_json_num(b, r->radius, 3);
	geo_buf_printf(b, ", \"scale\": \"%s\", \"units\": ", r->scale == GEO_HEAT_DENSITY ? "density" : "raw");
	geo_json_str(b, r->units);
}

/* The window's bounds as they are: its start, and the end it stops before. */
static void window_json(geo_buf *b, const geo_window *w)
{
	char t[32];
	geo_buf_add(b, ", \"window\": {\"label\": ");
	geo_json_str(b, w->label);
	if (w->start != GEO_TIME_MIN) {
		geo_time_format(w->start, t, sizeof t);
		geo_buf_add(b, ", \"start\": ");
		geo_json_str(b, t);
	}
	if (w->end != GEO_TIME_MAX) {
		geo_time_format(w->end, t, sizeof t);
		geo_buf_add(b, ", \"end_before\": ");
		geo_json_str(b, t);
	}
	geo_buf_add(b, "}");
}

static void grids_json(geo_buf *b, const geo_heat_result *r)
{
	const geo_heat_grids *s = &r->grids;
	geo_buf_add(b, ", \"grids\": {\"output\": ");
	geo_json_str(b, r->grid_output);
	geo_buf_printf(b, ", \"grids\": %zu, \"placed\": %zu, \"unplaced\": %zu", s->grids, s->placed,
		       s->unplaced);
	if (s->compared) {
		geo_buf_add(b, ", \"previous\": ");
		geo_json_str(b, s->prev_label);
		geo_buf_printf(b, ", \"previous_placed\": %zu", s->prev_placed);
	}
	geo_buf_add(b, ", \"top\": [");
	for (size_t i = 0; i < s->ntop; i++) {
		geo_buf_add(b, i ? ", {\"grid_id\": " : "{\"grid_id\": ");
		geo_json_str(b, s->top[i].id);
		geo_buf_printf(b, ", \"count\": %zu, \"weight\": ", s->top[i].count);
		geo_json_num(b, s->top[i].weight, 6);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "]}");
}

static void render_json(geo_buf *b, const geo_heat_result *r)
{
	raster_json(b, r);
	window_json(b, &r->window);
	geo_buf_printf(b, ", \"points\": {\"read\": %zu, \"in_window\": %zu, \"weight\": ", r->read,
		       r->in_window);
	geo_json_num(b, r->weight, 6);
	geo_buf_printf(b, ", \"no_date\": %zu, \"no_weight\": %zu, \"no_geometry\": %zu, "
			  "\"beyond_raster\": %zu}, \"surface\": {\"max\": ",
		       r->no_date, r->no_weight, r->no_geometry, r->beyond);
	geo_json_num(b, r->max, 6);
	geo_buf_add(b, ", \"weight_inside\": ");
	geo_json_num(b, r->inside, 6);
	geo_buf_printf(b, ", \"nodata_pixels\": %zu, \"empty_window\": %s}", r->nodata_pixels,
		       r->in_window ? "false" : "true");
	if (r->grid_output)
		grids_json(b, r);
	geo_json_nums(b, ", \"seconds\": {", 3, "read", r->seconds[0], "surface", r->seconds[1], "write",
		      r->seconds[2], (char *)NULL);
	geo_buf_add(b, "}}\n");
}

GEO_REPORT(heat)

void geo_heat_result_free(geo_heat_result *r)
{
	if (r) {
		free(r->output);
		free(r->crs);
		free(r->date_field);
		free(r->grid_output);
	}
	free(r);
}
