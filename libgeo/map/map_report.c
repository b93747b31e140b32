/*
** map_report.c: grid-map's report, rendered from the public result alone:
** what was drawn at which scale, as text for people or as one JSON object
** (the label boxes too, so a test can check that none is small or
** overlaps).
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *noun(int dim, size_t n)
{
	return dim == 3 ? (n == 1 ? _("point") : _("points"))
	       : dim == 2 ? (n == 1 ? _("line") : _("lines"))
			  : (n == 1 ? _("polygon") : _("polygons"));
}

static const char *paper_name(const geo_map_result *r)
{
	return r->paper == GEO_PAPER_A3 ? "A3" : "A4";
}

static void project_text(geo_buf *b, const geo_map_result *r)
{
	geo_buf_printf(b, _("%s: QGIS project written\n"), r->qgis_project);
	geo_buf_printf(b, _("%s: its print layout, as a template\n"), r->qgis_layout);
}

static void render_text(geo_buf *b, const geo_map_result *r)
{
	if (!r->output) {
		project_text(b, r);
		return;
	}
	int png = !strcmp(r->format, "png");
	const char *orient = r->landscape ? _("landscape") : _("portrait");
	if (png)
		geo_buf_printf(b, _("%s: %s %s, %.0f dpi, %d x %d px\n"), r->output, paper_name(r), orient,
			       r->dpi, r->width_px, r->height_px);
	else
		geo_buf_printf(b, "%s: %s %s, %s\n", r->output, paper_name(r), orient, r->format);
	double g = r->ground / r->scale; /* ground metres per paper mm */
	geo_buf_printf(b, _("scale 1:%.0f in %s"), g * 1000, r->crs);
	if (png)
		geo_buf_printf(b, _(" (1 px = %.2f m on the ground)"), g / r->px_per_mm);
	geo_buf_printf(b, _("\nscale bar %.0f m = %.1f mm"), r->bar_m, r->bar_mm);
	if (png)
		geo_buf_printf(b, _(" = %.0f px"), r->bar_mm * r->px_per_mm);
	geo_buf_printf(b, _("; north %.2f° from the frame's vertical\n"), r->north * 180 / M_PI);
	for (size_t i = 0; i < r->nlayers; i++) {
		const geo_map_drawn *l = &r->layers[i];
		geo_buf_printf(b, "  %-9s %s: %zu %s\n", geo_map_kind_name(l->kind), l->name, l->features,
			       noun(l->dim, l->features));
	}
	if (r->raster)
		geo_buf_printf(b, _("  raster    %s: max %.4g %s\n"), r->raster, r->raster_max,
			       *r->raster_units ? _(r->raster_units) : "");
	if (r->labelled)
		geo_buf_printf(b, _("labels: %zu drawn, %zu left out (too small or overlapping)\n"),
			       r->nlabels, r->labels_left_out);
	if (r->qgis_project)
		geo_buf_printf(b, _("%s: QGIS project written\n%s: its print layout, as a template\n"),
			       r->qgis_project, r->qgis_layout);
}

static void json_array(geo_buf *b, const char *open, const double *v, int n, int decimals)
{
	geo_buf_add(b, open);
	for (int i = 0; i < n; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_num(b, v[i], decimals);
	}
	geo_buf_add(b, "]");
}

/* Every placed label: its text, box on the page (mm, y down) and size. */
static void labels_json(geo_buf *b, const geo_map_result *r)
{
	geo_buf_printf(b, ", \"labels\": {\"drawn\": %zu, \"left_out\": %zu, \"placed\": [", r->nlabels,
		       r->labels_left_out);
	for (size_t i = 0; i < r->nlabels; i++) {
		const geo_map_label *x = &r->labels[i];
		geo_buf_add(b, i ? ", {\"text\": " : "{\"text\": ");
		geo_json_str(b, x->text);
		double v[5] = { x->x, x->y, x->w, x->h, x->size };
		static const char *const k[5] = { "x", "y", "w", "h", "size_mm" };
		for (int j = 0; j < 5; j++) {
			geo_buf_printf(b, ", \"%s\": ", k[j]);
			geo_json_num(b, v[j], 3);
		}
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "]}");
}

static void map_json(geo_buf *b, const geo_map_result *r)
{
	double g = r->ground / r->scale;
	geo_buf_add(b, "{\"output\": ");
	geo_json_str(b, r->output);
	geo_buf_add(b, ", \"format\": ");
	geo_json_str(b, r->format);
	geo_buf_printf(b, ", \"paper\": \"%s\", \"orientation\": \"%s\", \"dpi\": ", paper_name(r),
		       r->landscape ? "landscape" : "portrait");
	geo_json_num(b, r->dpi, 0);
	geo_buf_printf(b, ", \"width_px\": %d, \"height_px\": %d, \"crs\": ", r->width_px, r->height_px);
	geo_json_str(b, r->crs);
	geo_buf_add(b, ", \"scale_denominator\": ");
	geo_json_num(b, g * 1000, 0);
	geo_buf_add(b, ", \"ground_m_per_px\": ");
	geo_json_num(b, g / r->px_per_mm, 4);
	geo_buf_add(b, ", \"ground_m_per_crs_unit\": ");
	geo_json_num(b, r->ground, 6);
	geo_buf_add(b, ", \"scale_bar_m\": ");
	geo_json_num(b, r->bar_m, 1);
	geo_buf_add(b, ", \"scale_bar_px\": ");
	geo_json_num(b, r->bar_mm * r->px_per_mm, 2);
	geo_buf_add(b, ", \"north_deg\": ");
	geo_json_num(b, r->north * 180 / M_PI, 3);
	double px[4];
	for (int i = 0; i < 4; i++)
		px[i] = r->frame[i] * r->px_per_mm;
	json_array(b, ", \"frame_px\": [", px, 4, 2);
	json_array(b, ", \"window\": [", r->window, 4, 3);
	geo_buf_add(b, ", \"layers\": [");
	for (size_t i = 0; i < r->nlayers; i++) {
		geo_buf_add(b, i ? ", {\"name\": " : "{\"name\": ");
		geo_json_str(b, r->layers[i].name);
		geo_buf_add(b, ", \"kind\": ");
		geo_json_str(b, geo_map_kind_name(r->layers[i].kind));
		geo_buf_printf(b, ", \"features\": %zu}", r->layers[i].features);
	}
	geo_buf_add(b, "]");
	json_array(b, ", \"frame_mm\": [", r->frame, 4, 3);
	labels_json(b, r);
	if (r->raster) {
		geo_buf_add(b, ", \"raster\": {\"max\": ");
		geo_json_num(b, r->raster_max, 6);
		geo_buf_add(b, ", \"units\": ");
		geo_json_str(b, r->raster_units);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "}\n");
}

static void render_json(geo_buf *b, const geo_map_result *r)
{
	if (r->output) {
		map_json(b, r);
		return;
	}
	geo_buf_add(b, "{\"qgis_project\": ");
	geo_json_str(b, r->qgis_project);
	geo_buf_add(b, ", \"qgis_layout\": ");
	geo_json_str(b, r->qgis_layout);
	geo_buf_add(b, "}\n");
}

GEO_REPORT(map)

void geo_map_result_free(geo_map_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nlayers; i++)
		free(r->layers[i].name);
	for (size_t i = 0; i < r->nlabels; i++)
		free(r->labels[i].text);
	free(r->layers);
	free(r->labels);
	free(r->output);
	free(r->format);
	free(r->crs);
	free(r->raster);
	free(r->raster_units);
	free(r->qgis_project);
	free(r->qgis_layout);
	free(r);
}
