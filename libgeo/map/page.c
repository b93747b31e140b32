/*
** page.c: printed lists on A4, for the grid workers who carry them: a PDF
** surface drawn in millimetres, with Pango setting the Chinese in the font
** grid-map uses (Noto Sans CJK SC by default).
*/
#include "map/page_internal.h"

#include <pango/pangocairo.h>

geo_err page_open(geo_ctx *ctx, geo_page *p, const char *path, const char *name,
		  const char *title, const char *creator, const char *font)
{
	*p = (geo_page){ .ctx = ctx, .font = font };
	double k = 72 / 25.4;
	p->surface = cairo_pdf_surface_create(path, PAGE_W * k, PAGE_H * k);
	if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
		geo_err e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", name,
				     cairo_status_to_string(cairo_surface_status(p->surface)));
		cairo_surface_destroy(p->surface);
		p->surface = NULL;
		return e;
	}
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, creator);
	p->cr = cairo_create(p->surface);
	cairo_scale(p->cr, k, k);
	/* A font map of our own, freed below (see map_draw.c), and no hinting:
	** text laid out in millimetres scales exactly. */
	p->fm = pango_cairo_font_map_new();
	p->pc = pango_font_map_create_context(p->fm);
	pango_cairo_update_context(p->cr, p->pc);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(p->pc, fo);
	pango_context_set_round_glyph_positions(p->pc, FALSE);
	cairo_font_options_destroy(fo);
	return GEO_OK;
}

geo_err page_close(geo_page *p, const char *name)
{
	if (!p->surface)
		return GEO_OK;
	geo_err e = GEO_OK;
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS)
		e = geo_fail(p->ctx, GEO_ERR_INTERNAL, "%s: drawing failed: %s", name,
			     cairo_status_to_string(cairo_status(p->cr)));
	cairo_destroy(p->cr);
	g_object_unref(p->pc);
	g_object_unref(p->fm);
	cairo_surface_finish(p->surface);
	if (!e && cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS)
		e = geo_fail(p->ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", name,
			     cairo_status_to_string(cairo_surface_status(p->surface)));
	cairo_surface_destroy(p->surface);
	p->surface = NULL;
	return e;
}

double page_say(geo_page *p, const char *s, double x, double y, double w, double pt, int bold,
		int align, double grey)
{
	PangoLayout *l = map_text(p->pc, p->font, s, pt, bold);
	if (w > 0) {
		pango_layout_set_width(l, (int)(w * PANGO_SCALE));
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		pango_layout_set_alignment(l, align < 0 ? PANGO_ALIGN_LEFT
					      : align   ? PANGO_ALIGN_RIGHT
							: PANGO_ALIGN_CENTER);
	}
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	cairo_set_source_rgb(p->cr, grey, grey, grey);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
	g_object_unref(l);
	return (double)r.height / PANGO_SCALE;
}

double page_paragraph(geo_page *p, const char *s, double x, double y, double w, double pt)
{
	PangoLayout *l = map_text(p->pc, p->font, s, pt, 0);
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
	g_object_unref(l);
	return (double)r.height / PANGO_SCALE;
}

void page_rule(geo_page *p, double y, double width, double grey)
{
	cairo_set_source_rgb(p->cr, grey, grey, grey);
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, PAGE_MARGIN, y);
	cairo_line_to(p->cr, PAGE_W - PAGE_MARGIN, y);
	cairo_stroke(p->cr);
}
