/*
** page_internal.h: printed lists on A4 (page.c), shared by grid-diff's
** hand-over (diff_pdf.c) and grid-list's inspection lists (list_pdf.c).
*/
#ifndef PAGE_INTERNAL_H
#define PAGE_INTERNAL_H

#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <cairo-pdf.h>

/* Page geometry in millimetres. */
#define PAGE_W 210.0
#define PAGE_H 297.0
#define PAGE_MARGIN 15.0
#define PAGE_FOOT_Y (PAGE_H - 9.0)

typedef struct geo_page {
	geo_ctx *ctx;
	const char *font;       /* Pango family */
	cairo_surface_t *surface;
	cairo_t *cr;            /* scaled to millimetres */
	PangoFontMap *fm;
	PangoContext *pc;
} geo_page;

/* A PDF of A4 pages at path, titled title, made by creator ("wangge grid-x
** VERSION"); name is the output as the user named it, for messages. */
geo_err page_open(geo_ctx *ctx, geo_page *p, const char *path, const char *name,
		  const char *title, const char *creator, const char *font);
/* Finishes the file; reports a failed drawing or write. */
geo_err page_close(geo_page *p, const char *name);
/* Text with its top-left at (x, y), ellipsized to w mm (0: no limit) and
** aligned left, centre or right (-1, 0, 1) in it, in grey (0 black); returns
** its height. */
double page_say(geo_page *p, const char *s, double x, double y, double w, double pt, int bold,
		int align, double grey);
/* Text wrapped w mm wide; returns its height. */
double page_paragraph(geo_page *p, const char *s, double x, double y, double w, double pt);
/* A horizontal line across the page between the margins. */
void page_rule(geo_page *p, double y, double width, double grey);

#endif
