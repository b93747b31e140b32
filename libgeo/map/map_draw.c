/*
** map_draw.c: grid-map's page, drawn with Cairo in millimetres and Pango for
** text (Chinese needs a CJK font; Pango falls back per glyph when the named
** one lacks a character). Draw order is what lets a printed map be read:
** fills and the heat raster beneath, then areas, lines, grid outlines (thin
** secondaries under thick primaries), the town boundary, points, and last
** labels with a white halo, each placed only where no other label is.
*/
#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct pen {
	map *m;
	cairo_t *cr;
	PangoContext *pc;
	GEOSContextHandle_t h;
} pen;

typedef enum shape { SHAPE_CIRCLE, SHAPE_TRIANGLE, SHAPE_SQUARE, SHAPE_DIAMOND } shape;
typedef map_look look;

/* Point layers of up to this many markers keep labels off them. */
enum { MAP_MAX_OBSTACLES = 400 };

/* Layers the sample town names get the look people expect (ponds blue,
** roads grey, cameras as triangles); others take the next of a cycle. */
static const struct named_look {
	const char *name;
	look look;
} named_looks[] = {
	{ "villages", { 0xf3f0e6, 0xb8b09a, 0.2, SHAPE_CIRCLE } },
	{ "areas", { 0xeef3e6, 0x9aae8a, 0.2, SHAPE_CIRCLE } },
	{ "ponds", { 0xa6cee3, 0x1f78b4, 0.15, SHAPE_CIRCLE } },
	{ "roads", { 0, 0x8c8c8c, 0.3, SHAPE_CIRCLE } },
	{ "rivers", { 0, 0x4a90c8, 0.6, SHAPE_CIRCLE } },
	{ "ditches", { 0, 0x1f78b4, 0.3, SHAPE_CIRCLE } },
	{ "households", { 0x8c6d46, 0, 0.5, SHAPE_CIRCLE } },
	{ "cameras", { 0x1f78b4, 0, 1.9, SHAPE_TRIANGLE } },
	{ "hazards", { 0xe31a1c, 0, 1.7, SHAPE_CIRCLE } },
	{ "cases", { 0x6a3d9a, 0, 1.8, SHAPE_DIAMOND } },
};

static const look cycle_areas[] = { { 0xa6cee3, 0x1f78b4, 0.15, 0 }, { 0xccebc5, 0x4daf4a, 0.15, 0 },
				     { 0xfbb4ae, 0xe41a1c, 0.15, 0 } };
static const look cycle_lines[] = { { 0, 0x1f78b4, 0.35, 0 }, { 0, 0x33a02c, 0.35, 0 },
				     { 0, 0x6a3d9a, 0.35, 0 } };
static const look cycle_points[] = { { 0xe31a1c, 0, 1.7, SHAPE_CIRCLE },
				      { 0x1f78b4, 0, 1.9, SHAPE_TRIANGLE },
				      { 0x33a02c, 0, 1.6, SHAPE_SQUARE },
				      { 0x6a3d9a, 0, 1.8, SHAPE_DIAMOND } };

map_look map_look_for(geo_map_kind kind, const char *lname, size_t k, size_t n)
{
	switch (kind) {
	case GEO_MAP_BOUNDARY: return (look){ 0, 0x000000, 1.0, 0 };
	case GEO_MAP_PRIMARY: return (look){ 0, 0x1a1a1a, 0.7, 0 };
	case GEO_MAP_GRIDS:
	case GEO_MAP_SECONDARY: return (look){ 0, 0x5a5a5a, 0.25, 0 };
	default: break;
	}
	for (size_t i = 0; i < sizeof named_looks / sizeof named_looks[0]; i++)
		if (!strcasecmp(lname, named_looks[i].name))
			return named_looks[i].look;
	look lk = kind == GEO_MAP_AREAS ? cycle_areas[k % 3]
		  : kind == GEO_MAP_LINES ? cycle_lines[k % 3] : cycle_points[k % 4];
	if (kind == GEO_MAP_POINTS && n > 2000)
		lk.width = 0.5; /* thousands of markers would hide the map */
	return lk;
}

static look look_of(const map *m, size_t li)
{
	const map_layer *l = &m->layers[li];
	size_t k = 0;
	for (size_t i = 0; i < li; i++)
		k += m->layers[i].kind == l->kind;
	return map_look_for(l->kind, l->lname, k, l->n);
}

static void rgb(cairo_t *cr, unsigned c)
{
	cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0,
			     (c & 255) / 255.0);
}

static void rgbv(cairo_t *cr, const double c[3])
{
	cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

/* ---- text ---------------------------------------------------------------- */

PangoLayout *map_text(PangoContext *pc, const char *font, const char *s, double pt, int bold)
{
	PangoLayout *l = pango_layout_new(pc);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_font_description_set_absolute_size(fd, pt * 25.4 / 72 * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(l, s, -1);
	return l;
}

static PangoLayout *text(pen *p, const char *s, double pt, int bold)
{
	return map_text(p->pc, p->m->o->font, s, pt, bold);
}

static void text_size(PangoLayout *l, double *w, double *h)
{
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	*w = (double)r.width / PANGO_SCALE;
	*h = (double)r.height / PANGO_SCALE;
}

/* Where the text of a centred, wrapped layout starts within its width. */
static double ink_x(PangoLayout *l)
{
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	return (double)r.x / PANGO_SCALE;
}

/* Shows l with its top-left at (x, y), with a white halo when halo > 0. */
static void show(pen *p, PangoLayout *l, double x, double y, unsigned colour, double halo)
{
	cairo_t *cr = p->cr;
	if (halo > 0) {
		cairo_move_to(cr, x, y);
		pango_cairo_layout_path(cr, l);
		cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
		cairo_set_line_width(cr, 2 * halo);
		cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
		cairo_stroke(cr);
	}
	cairo_move_to(cr, x, y);
	rgb(cr, colour);
	pango_cairo_show_layout(cr, l);
}

/* Text with its top-left, top-centre or top-right at (x, y) (align -1, 0, 1);
** returns its height. */
static double say(pen *p, const char *s, double x, double y, double pt, int bold, int align,
		  unsigned colour)
{
	PangoLayout *l = text(p, s, pt, bold);
	double w, h;
	text_size(l, &w, &h);
	show(p, l, x - (align + 1) * w / 2, y, colour, 0);
	g_object_unref(l);
	return h;
}

/* ---- geometry ------------------------------------------------------------ */

static void path_seq(pen *p, const GEOSGeometry *g, int close)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(p->h, g);
	unsigned n = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(p->h, cs, &n))
		return;
	for (unsigned i = 0; i < n; i++) {
		double x, y, px, py;
		GEOSCoordSeq_getXY_r(p->h, cs, i, &x, &y);
		map_to_paper(p->m, x, y, &px, &py);
		if (i == 0)
			cairo_move_to(p->cr, px, py);
		else
			cairo_line_to(p->cr, px, py);
	}
	if (close)
		cairo_close_path(p->cr);
}

static void path_geom(pen *p, const GEOSGeometry *g)
{
	switch (GEOSGeomTypeId_r(p->h, g)) {
	case GEOS_POLYGON:
		path_seq(p, GEOSGetExteriorRing_r(p->h, g), 1);
		for (int i = 0; i < GEOSGetNumInteriorRings_r(p->h, g); i++)
			path_seq(p, GEOSGetInteriorRingN_r(p->h, g, i), 1);
		break;
	case GEOS_LINESTRING:
	case GEOS_LINEARRING:
		path_seq(p, g, 0);
		break;
	case GEOS_MULTIPOLYGON:
	case GEOS_MULTILINESTRING:
	case GEOS_GEOMETRYCOLLECTION:
		for (int i = 0; i < GEOSGetNumGeometries_r(p->h, g); i++)
			path_geom(p, GEOSGetGeometryN_r(p->h, g, i));
		break;
	default:
		break;
	}
}

static void marker_path(cairo_t *cr, shape s, double x, double y, double size)
{
	double r = size / 2;
	switch (s) {
	case SHAPE_TRIANGLE:
		cairo_move_to(cr, x, y - r * 1.15);
		cairo_line_to(cr, x + r, y + r * 0.7);
		cairo_line_to(cr, x - r, y + r * 0.7);
		cairo_close_path(cr);
		break;
	case SHAPE_SQUARE:
		cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r);
		break;
	case SHAPE_DIAMOND:
		cairo_move_to(cr, x, y - r * 1.2);
		cairo_line_to(cr, x + r, y);
		cairo_line_to(cr, x, y + r * 1.2);
		cairo_line_to(cr, x - r, y);
		cairo_close_path(cr);
		break;
	default:
		cairo_new_sub_path(cr);
		cairo_arc(cr, x, y, r, 0, 2 * M_PI);
		break;
	}
}

static void marker(cairo_t *cr, shape s, double x, double y, double size, const double c[3])
{
	marker_path(cr, s, x, y, size);
	rgbv(cr, c);
	if (size < 1) {
		cairo_fill(cr);
		return;
	}
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_set_line_width(cr, 0.2);
	cairo_stroke(cr);
}

static void point_colour(const map *m, const map_layer *l, const map_feat *f, const look *lk,
			 double c[3])
{
	if (l->has_cat) {
		map_cat_colour(map_cat_of(m, f->cat), c);
		return;
	}
	c[0] = ((lk->fill >> 16) & 255) / 255.0;
	c[1] = ((lk->fill >> 8) & 255) / 255.0;
	c[2] = (lk->fill & 255) / 255.0;
}

static int keep_box(map *m, map_box **boxes, size_t *n, size_t *cap, map_box b);

static void draw_points_of(pen *p, size_t li)
{
	map *m = p->m;
	const map_layer *l = &p->m->layers[li];
	look lk = look_of(p->m, li);
	for (size_t i = 0; i < l->n; i++) {
		const GEOSGeometry *g = l->f[i].g;
		int parts = GEOSGetNumGeometries_r(p->h, g);
		double c[3];
		point_colour(p->m, l, &l->f[i], &lk, c);
		for (int k = 0; k < parts; k++) {
			const GEOSGeometry *pt = parts > 1 ? GEOSGetGeometryN_r(p->h, g, k) : g;
			double x, y, px, py;
			if (GEOSGeomTypeId_r(p->h, pt) != GEOS_POINT || !GEOSGeomGetX_r(p->h, pt, &x) ||
			    !GEOSGeomGetY_r(p->h, pt, &y))
				continue;
			map_to_paper(p->m, x, y, &px, &py);
			marker(p->cr, (shape)lk.shape, px, py, lk.width, c);
			/* Markers a reader must see one by one keep labels off; the
			** dots of thousands of households, or a year's hazards,
			** are read as a density and would leave no room for any. */
			double r = lk.width / 2;
			if (lk.width >= 1 && l->n <= MAP_MAX_OBSTACLES && px >= m->frame[0] && py >= m->frame[1] &&
			    px <= m->frame[0] + m->frame[2] && py <= m->frame[1] + m->frame[3])
				keep_box(m, &m->marker_boxes, &m->nmarkers, &m->marker_cap,
					 (map_box){ px - r, py - r, 2 * r, 2 * r, NULL, 0 });
		}
	}
}

static void draw_fill(pen *p, const map_layer *l)
{
	cairo_set_fill_rule(p->cr, CAIRO_FILL_RULE_EVEN_ODD);
	/* Primaries first, so secondaries in the same layer lie over them. */
	for (size_t k = 0; k < 2 * l->n; k++) {
		size_t i = k % l->n;
		int c = map_class_of(p->m, l->f[i].value);
		if (c < 0 || (k < l->n) != (l->f[i].level == 1))
			continue;
		double col[3];
		map_class_colour(p->m, c, col);
		path_geom(p, l->f[i].g);
		rgbv(p->cr, col);
		cairo_fill(p->cr);
	}
}

static void draw_areas(pen *p, size_t li)
{
	const map_layer *l = &p->m->layers[li];
	look lk = look_of(p->m, li);
	cairo_set_fill_rule(p->cr, CAIRO_FILL_RULE_EVEN_ODD);
	for (size_t i = 0; i < l->n; i++)
		path_geom(p, l->f[i].g);
	rgb(p->cr, lk.fill);
	cairo_fill_preserve(p->cr);
	rgb(p->cr, lk.stroke);
	cairo_set_line_width(p->cr, lk.width);
	cairo_stroke(p->cr);
}

static void stroke_features(pen *p, const map_layer *l, int level, unsigned colour, double width)
{
	for (size_t i = 0; i < l->n; i++)
		if (level < 0 || l->f[i].level == level || (level == 2 && l->f[i].level == 0))
			path_geom(p, l->f[i].g);
	rgb(p->cr, colour);
	cairo_set_line_width(p->cr, width);
	cairo_set_line_join(p->cr, CAIRO_LINE_JOIN_ROUND);
	cairo_set_line_cap(p->cr, CAIRO_LINE_CAP_ROUND);
	cairo_stroke(p->cr);
}

static int is_grid(const map_layer *l)
{
	return l->kind == GEO_MAP_GRIDS || l->kind == GEO_MAP_PRIMARY || l->kind == GEO_MAP_SECONDARY;
}

/* ---- the heat raster ----------------------------------------------------- */

static geo_err draw_raster(pen *p)
{
	map *m = p->m;
	geo_err e = map_raster_warp(m);
	if (e)
		return e;
	map_raster *r = &m->raster;
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, r->w, r->h);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(img);
		return geo_fail(m->ctx, GEO_ERR_INTERNAL, "out of memory for the raster");
	}
	cairo_surface_flush(img);
	unsigned char *data = cairo_image_surface_get_data(img);
	int stride = cairo_image_surface_get_stride(img);
	for (int y = 0; y < r->h; y++) {
		uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * stride);
		for (int x = 0; x < r->w; x++) {
			float v = r->v[(size_t)y * r->w + x];
			double c[4] = { 0, 0, 0, 0 };
			if (isfinite(v) && v > 0 && r->max > 0)
				map_ramp(v / r->max, c);
			/* Cairo wants premultiplied alpha. */
			uint32_t a = (uint32_t)lround(c[3] * 255);
			row[x] = a << 24 | (uint32_t)lround(c[0] * a) << 16 |
				 (uint32_t)lround(c[1] * a) << 8 | (uint32_t)lround(c[2] * a);
		}
	}
	cairo_surface_mark_dirty(img);
	cairo_save(p->cr);
	cairo_translate(p->cr, m->frame[0], m->frame[1]);
	cairo_scale(p->cr, m->frame[2] / r->w, m->frame[3] / r->h);
	cairo_set_source_surface(p->cr, img, 0, 0);
	cairo_paint(p->cr);
	cairo_restore(p->cr);
	cairo_surface_destroy(img);
	return GEO_OK;
}

/* ---- labels -------------------------------------------------------------- */

static int meets(const map_box *b, double x, double y, double w, double h)
{
	return x < b->x + b->w && b->x < x + w && y < b->y + b->h && b->y < y + h;
}

/* Whether a label box at (x, y) is clear of every placed label and marker. */
static int box_free(const map *m, double x, double y, double w, double h)
{
	for (size_t i = 0; i < m->nlabels; i++)
		if (meets(&m->label_boxes[i], x, y, w, h))
			return 0;
	for (size_t i = 0; i < m->nmarkers; i++)
		if (meets(&m->marker_boxes[i], x, y, w, h))
			return 0;
	return 1;
}

static int keep_box(map *m, map_box **boxes, size_t *n, size_t *cap, map_box b)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		map_box *nb = geo_realloc_array(m->ctx, *boxes, c, sizeof *nb);
		if (!nb)
			return 0;
		*boxes = nb;
		*cap = c;
	}
	(*boxes)[(*n)++] = b;
	return 1;
}

/* The grid's label anchor in the working CRS: the centre of its largest
** inscribed circle (where a label has most room), else a point on it. */
static int anchor(pen *p, const GEOSGeometry *g, double *x, double *y)
{
	GEOSGeometry *c = GEOSMaximumInscribedCircle_r(p->h, g, 0.5 / p->m->scale);
	GEOSGeometry *start = c ? GEOSGeomGetStartPoint_r(p->h, c) : NULL;
	int ok = start && GEOSGeomGetX_r(p->h, start, x) && GEOSGeomGetY_r(p->h, start, y);
	GEOSGeom_destroy_r(p->h, start);
	GEOSGeom_destroy_r(p->h, c);
	if (ok)
		return 1;
	GEOSGeometry *in = GEOSPointOnSurface_r(p->h, g);
	ok = in && GEOSGeomGetX_r(p->h, in, x) && GEOSGeomGetY_r(p->h, in, y);
	GEOSGeom_destroy_r(p->h, in);
	return ok;
}

/* Whether the paper point (px, py) lies in the grid. */
static int on_grid(pen *p, const GEOSPreparedGeometry *pg, double px, double py)
{
	const map *m = p->m;
	double x = m->wx0 + (px - m->frame[0]) / m->scale, y = m->wy1 - (py - m->frame[1]) / m->scale;
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(p->h, x, y);
	int in = pt && GEOSPreparedIntersects_r(p->h, pg, pt) == 1;
	GEOSGeom_destroy_r(p->h, pt);
	return in;
}

/* A name too long for its grid on one line, on two at the smallest size
** (村名 over 第3网格), centred; NULL when two lines do not fit either. */
static PangoLayout *wrapped(pen *p, const char *s, double mm, int primary, double room)
{
	double size = mm < MAP_MIN_TEXT_MM ? mm : MAP_MIN_TEXT_MM;
	/* Break after the village's name when there is one, not mid-word. */
	const char *v = strstr(s, "村");
	char *two = v && v[3] ? g_strdup_printf("%.*s\n%s", (int)(v + 3 - s), s, v + 3) : NULL;
	PangoLayout *l = text(p, two ? two : s, size * 72 / 25.4, primary);
	g_free(two);
	pango_layout_set_width(l, (int)(room * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	if (pango_layout_get_line_count(l) <= 2 && r.width <= room * PANGO_SCALE)
		return l;
	g_object_unref(l);
	return NULL;
}

/*
** Greedy placement: the label at its full size, or shrunk to the grid's
** width but never under MAP_MIN_TEXT_MM, else on two lines at that size; then the first of nine positions
** (on the anchor, then above, below, right, left and the diagonals) whose
** box clears every placed label and marker and whose centre is on the
** grid. A label with no such place is left out and counted: a smaller or
** a covered name would not be read.
*/
static void label_one(pen *p, const map_feat *f, int primary)
{
	static const double cand[][2] = { { 0, 0 }, { 0, -1 }, { 0, 1 }, { 1, 0 }, { -1, 0 },
					  { 1, -1 }, { -1, -1 }, { 1, 1 }, { -1, 1 } };
	map *m = p->m;
	double mm = primary ? 3.2 : 2.3; /* the em, in millimetres */
	double x0, x1, x, y, px, py, w, h;
	if (!anchor(p, f->g, &x, &y) || !GEOSGeom_getXMin_r(p->h, f->g, &x0) ||
	    !GEOSGeom_getXMax_r(p->h, f->g, &x1))
		return;
	map_to_paper(m, x, y, &px, &py);
	double room = 0.9 * (x1 - x0) * m->scale;
	PangoLayout *l = text(p, f->label, mm * 72 / 25.4, primary);
	text_size(l, &w, &h);
	if (w > room && w > 0) {
		double fit = mm * room / w;
		g_object_unref(l);
		l = NULL;
		if (fit >= MAP_MIN_TEXT_MM) {
			mm = fit;
			l = text(p, f->label, mm * 72 / 25.4, primary);
		} else if ((l = wrapped(p, f->label, mm, primary, room))) {
			mm = MAP_MIN_TEXT_MM;
		} else {
			m->labels_skipped++;
			return;
		}
		text_size(l, &w, &h);
	}
	const GEOSPreparedGeometry *pg = GEOSPrepare_r(p->h, f->g);
	size_t k = 0;
	double lx = 0, ly = 0;
	for (; pg && k < sizeof cand / sizeof cand[0]; k++) {
		lx = px - w / 2 + cand[k][0] * (w / 2 + 1);
		ly = py - h / 2 + cand[k][1] * (h + 0.3);
		if (box_free(m, lx, ly, w, h) && on_grid(p, pg, lx + w / 2, ly + h / 2))
			break;
	}
	GEOSPreparedGeom_destroy_r(p->h, pg);
	if (!pg || k == sizeof cand / sizeof cand[0] ||
	    !keep_box(m, &m->label_boxes, &m->nlabels, &m->label_cap,
		      (map_box){ lx, ly, w, h, f->label, mm }))
		m->labels_skipped++;
	else
		show(p, l, lx - ink_x(l), ly, 0x1a1a1a, primary ? 0.55 : 0.4);
	g_object_unref(l);
}

static void draw_labels(pen *p)
{
	map *m = p->m;
	if (!m->o->label_field)
		return;
	/* Primaries first: when labels collide, the bigger grid keeps its name. */
	for (int pass = 1; pass <= 2; pass++)
		for (size_t i = 0; i < m->nlayers; i++) {
			const map_layer *l = &m->layers[i];
			for (size_t j = 0; is_grid(l) && j < l->n; j++) {
				const map_feat *f = &l->f[j];
				int primary = f->level == 1;
				if (f->label && *f->label && primary == (pass == 1))
					label_one(p, f, primary);
			}
		}
}

/* ---- the frame ----------------------------------------------------------- */

static geo_err draw_frame(pen *p)
{
	map *m = p->m;
	cairo_t *cr = p->cr;
	cairo_save(cr);
	cairo_rectangle(cr, m->frame[0], m->frame[1], m->frame[2], m->frame[3]);
	cairo_clip(cr);
	for (size_t i = 0; i < m->nlayers; i++)
		if (m->layers[i].has_fill)
			draw_fill(p, &m->layers[i]);
	geo_err e = m->o->raster ? draw_raster(p) : GEO_OK;
	for (size_t i = 0; !e && i < m->nlayers; i++)
		if (m->layers[i].kind == GEO_MAP_AREAS)
			draw_areas(p, i);
	for (size_t i = 0; !e && i < m->nlayers; i++)
		if (m->layers[i].kind == GEO_MAP_LINES) {
			look lk = look_of(m, i);
			stroke_features(p, &m->layers[i], -1, lk.stroke, lk.width);
		}
	for (int level = 2; !e && level >= 1; level--)
		for (size_t i = 0; i < m->nlayers; i++)
			if (is_grid(&m->layers[i]))
				stroke_features(p, &m->layers[i], level, level == 1 ? 0x1a1a1a : 0x5a5a5a,
						level == 1 ? 0.7 : 0.25);
	for (size_t i = 0; !e && i < m->nlayers; i++)
		if (m->layers[i].kind == GEO_MAP_BOUNDARY)
			stroke_features(p, &m->layers[i], -1, 0x000000, 1.0);
	for (size_t i = 0; !e && i < m->nlayers; i++)
		if (m->layers[i].kind == GEO_MAP_POINTS)
			draw_points_of(p, i);
	if (!e)
		draw_labels(p);
	cairo_restore(cr);
	cairo_rectangle(cr, m->frame[0], m->frame[1], m->frame[2], m->frame[3]);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.35);
	cairo_stroke(cr);
	return e;
}

/* ---- legend -------------------------------------------------------------- */

enum { ROW = 5 };
#define PAD 3.0
#define SYM 8.0
#define LEGEND_PT 7.5

typedef struct cursor {
	double x, y, w;         /* left, current top, width of the panel's inside */
} cursor;

static void row_text(pen *p, cursor *c, const char *s)
{
	PangoLayout *l = text(p, s, LEGEND_PT, 0);
	double w, h;
	text_size(l, &w, &h);
	pango_layout_set_width(l, (int)((c->w - SYM - 2) * PANGO_SCALE));
	pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	show(p, l, c->x + SYM + 2, c->y + ROW / 2.0 - h / 2, 0x1a1a1a, 0);
	g_object_unref(l);
}

static void heading(pen *p, cursor *c, const char *s)
{
	c->y += 1;
	c->y += say(p, s, c->x, c->y, LEGEND_PT + 0.5, 1, -1, 0x000000) + 0.5;
}

static void line_row(pen *p, cursor *c, unsigned colour, double width, const char *s)
{
	cairo_move_to(p->cr, c->x, c->y + ROW / 2.0);
	cairo_line_to(p->cr, c->x + SYM, c->y + ROW / 2.0);
	rgb(p->cr, colour);
	cairo_set_line_width(p->cr, width);
	cairo_stroke(p->cr);
	row_text(p, c, s);
	c->y += ROW;
}

static void box_row(pen *p, cursor *c, const double fill[3], unsigned stroke, const char *s)
{
	cairo_rectangle(p->cr, c->x, c->y + 0.6, SYM, ROW - 1.2);
	rgbv(p->cr, fill);
	cairo_fill_preserve(p->cr);
	rgb(p->cr, stroke);
	cairo_set_line_width(p->cr, 0.15);
	cairo_stroke(p->cr);
	row_text(p, c, s);
	c->y += ROW;
}

static void marker_row(pen *p, cursor *c, shape s, double size, const double col[3],
		       const char *label)
{
	marker(p->cr, s, c->x + SYM / 2, c->y + ROW / 2.0, size < 1.2 ? 1.2 : size, col);
	row_text(p, c, label);
	c->y += ROW;
}

static void hex3(unsigned h, double c[3])
{
	c[0] = ((h >> 16) & 255) / 255.0, c[1] = ((h >> 8) & 255) / 255.0, c[2] = (h & 255) / 255.0;
}

static size_t count_level(const map_layer *l, int level)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->f[i].level == level || (level == 2 && l->f[i].level == 0);
	return n;
}

static void legend_points(pen *p, cursor *c, size_t li)
{
	map *m = p->m;
	const map_layer *l = &m->layers[li];
	look lk = look_of(m, li);
	char s[512];
	if (!l->has_cat) {
		double col[3];
		hex3(lk.fill, col);
		snprintf(s, sizeof s, "%s (%zu)", l->title, l->n);
		marker_row(p, c, (shape)lk.shape, lk.width, col, s);
		return;
	}
	snprintf(s, sizeof s, "%s (%zu)", l->title, l->n);
	heading(p, c, s);
	if (l->n == 0)
		row_text(p, c, "本期无 none in this period"), c->y += ROW;
	for (int k = 0; k < m->ncats; k++) {
		size_t n = 0;
		for (size_t i = 0; i < l->n; i++)
			n += map_cat_of(m, l->f[i].cat) == k;
		if (!n)
			continue;
		double col[3];
		map_cat_colour(k, col);
		snprintf(s, sizeof s, "%s (%zu)", m->cats[k].label, n);
		marker_row(p, c, (shape)lk.shape, lk.width, col, s);
	}
}

static void legend_layer(pen *p, cursor *c, size_t li)
{
	map *m = p->m;
	const map_layer *l = &m->layers[li];
	look lk = look_of(m, li);
	char s[512];
	double col[3];
	switch (l->kind) {
	case GEO_MAP_POINTS:
		legend_points(p, c, li);
		break;
	case GEO_MAP_LINES:
		snprintf(s, sizeof s, "%s (%zu)", l->title, l->n);
		line_row(p, c, lk.stroke, lk.width, s);
		break;
	case GEO_MAP_BOUNDARY:
		line_row(p, c, 0, 1.0, l->title);
		break;
	case GEO_MAP_AREAS:
		hex3(lk.fill, col);
		snprintf(s, sizeof s, "%s (%zu)", l->title, l->n);
		box_row(p, c, col, lk.stroke, s);
		break;
	default:
		break;
	}
}

/* Every grid layer's levels, primaries first whatever the layers' order. */
static void legend_grids(pen *p, cursor *c)
{
	map *m = p->m;
	char s[512];
	for (int level = 1; level <= 2; level++)
		for (size_t i = 0; i < m->nlayers; i++) {
			const map_layer *l = &m->layers[i];
			size_t n = is_grid(l) ? count_level(l, level) : 0;
			if (!n)
				continue;
			const char *t = l->kind == GEO_MAP_GRIDS
						? (level == 1 ? "一级网格 primary grids" : "二级网格 secondary grids")
						: l->title;
			snprintf(s, sizeof s, "%s (%zu)", t, n);
			line_row(p, c, level == 1 ? 0x1a1a1a : 0x5a5a5a, level == 1 ? 0.7 : 0.25, s);
		}
}

static void legend_fill(pen *p, cursor *c)
{
	map *m = p->m;
	heading(p, c, m->o->fill_title ? m->o->fill_title : m->o->fill_field);
	for (int k = m->nclasses - 1; k >= 0; k--) {
		double col[3];
		char s[96];
		map_class_colour(m, k, col);
		map_class_label(m, k, s, sizeof s);
		box_row(p, c, col, 0x808080, s);
	}
}

static void legend_raster(pen *p, cursor *c)
{
	map *m = p->m;
	map_raster *r = &m->raster;
	heading(p, c, r->title);
	char u[512];
	if (!(r->max > 0)) {
		/* An empty window: no ramp to explain. */
		snprintf(u, sizeof u, "全为 0 zero everywhere (%s)",
			 *r->units ? map_units_words(r->units) : "no units");
		row_text(p, &(cursor){ c->x - SYM - 2, c->y, c->w }, u);
		c->y += ROW;
		return;
	}
	double bw = c->w - 4, bh = 3.5;
	cairo_pattern_t *g = cairo_pattern_create_linear(c->x, 0, c->x + bw, 0);
	for (int i = 0; i <= 20; i++) {
		double rgba[4];
		map_ramp(i / 20.0, rgba);
		cairo_pattern_add_color_stop_rgba(g, i / 20.0, rgba[0], rgba[1], rgba[2], rgba[3]);
	}
	cairo_rectangle(p->cr, c->x, c->y + 0.5, bw, bh);
	cairo_set_source(p->cr, g);
	cairo_fill_preserve(p->cr);
	cairo_pattern_destroy(g);
	cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
	cairo_set_line_width(p->cr, 0.15);
	cairo_stroke(p->cr);
	c->y += bh + 1;
	char s[64];
	for (int i = 0; i <= 2; i++) {
		snprintf(s, sizeof s, "%.3g", r->max * i / 2);
		say(p, s, c->x + bw * i / 2, c->y, 6.5, 0, i - 1, 0x1a1a1a);
	}
	c->y += 3.5;
	snprintf(u, sizeof u, "单位 units: %s", *r->units ? map_units_words(r->units) : "(not given)");
	c->y += say(p, u, c->x, c->y, 6.5, 0, -1, 0x1a1a1a) + 1;
}

static void draw_legend_items(pen *p, cursor *c)
{
	map *m = p->m;
	static const geo_map_kind order[] = { GEO_MAP_POINTS, GEO_MAP_LINES, GEO_MAP_BOUNDARY,
					      GEO_MAP_GRIDS, GEO_MAP_AREAS };
	heading(p, c, "图例 Legend");
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		if (order[k] == GEO_MAP_GRIDS)
			legend_grids(p, c);
		for (size_t i = 0; i < m->nlayers; i++)
			if (m->layers[i].kind == order[k])
				legend_layer(p, c, i);
	}
	if (m->nclasses)
		legend_fill(p, c);
	if (m->o->raster)
		legend_raster(p, c);
}

/* ---- scale bar and north arrow ------------------------------------------ */

/* The largest 1, 2 or 5 times a power of ten that is <= x. */
static double nice_down(double x)
{
	double p = pow(10, floor(log10(x)));
	return x >= 5 * p ? 5 * p : x >= 2 * p ? 2 * p : p;
}

static void distance_text(char *buf, size_t size, double metres)
{
	if (metres >= 1000)
		snprintf(buf, size, "%g km", metres / 1000);
	else
		snprintf(buf, size, "%g m", metres);
}

static double draw_scale_bar(pen *p, double x, double y, double maxw)
{
	map *m = p->m;
	double g = m->ground / m->scale; /* ground metres per paper mm */
	m->bar_m = nice_down(maxw * g);
	m->bar_mm = m->bar_m / g;
	double lead = m->bar_m / pow(10, floor(log10(m->bar_m)));
	int segs = lead == 5 ? 5 : 4;
	double sw = m->bar_mm / segs, bh = 1.6;
	for (int i = 0; i < segs; i++) {
		cairo_rectangle(p->cr, x + i * sw, y, sw, bh);
		if (i % 2 == 0)
			cairo_set_source_rgb(p->cr, 0, 0, 0);
		else
			cairo_set_source_rgb(p->cr, 1, 1, 1);
		cairo_fill_preserve(p->cr);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		cairo_set_line_width(p->cr, 0.2);
		cairo_stroke(p->cr);
	}
	char s[64];
	double half = m->bar_m / 2;
	say(p, "0", x, y + bh + 0.6, 6.5, 0, 0, 0x1a1a1a);
	snprintf(s, sizeof s, "%g", m->bar_m >= 1000 ? half / 1000 : half);
	say(p, s, x + m->bar_mm / 2, y + bh + 0.6, 6.5, 0, 0, 0x1a1a1a);
	distance_text(s, sizeof s, m->bar_m);
	say(p, s, x + m->bar_mm, y + bh + 0.6, 6.5, 0, 0, 0x1a1a1a);
	return bh + 4;
}

static void draw_north(pen *p, double x, double y, double size)
{
	cairo_t *cr = p->cr;
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_rotate(cr, p->m->north);
	double r = size / 2;
	/* Two halves, so the arrow reads at any print quality. */
	cairo_move_to(cr, 0, -r);
	cairo_line_to(cr, r * 0.4, r * 0.6);
	cairo_line_to(cr, 0, r * 0.3);
	cairo_close_path(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_fill(cr);
	cairo_move_to(cr, 0, -r);
	cairo_line_to(cr, -r * 0.4, r * 0.6);
	cairo_line_to(cr, 0, r * 0.3);
	cairo_close_path(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.25);
	cairo_stroke(cr);
	cairo_restore(cr);
	say(p, "北 N", x - r * sin(p->m->north) * 1.6, y - r * cos(p->m->north) * 1.6 - 4, 7, 1,
	    0, 0x000000);
}

/* Three significant digits: a printed scale is never exact to the metre. */
static double round_to_3(double v)
{
	double r = pow(10, floor(log10(v)) - 2);
	return round(v / r) * r;
}

/* 52300 as "52 300" (the SI thin-space grouping reads in any locale). */
static void group_digits(char *buf, size_t size, double v)
{
	char d[32];
	int n = snprintf(d, sizeof d, "%.0f", v), j = 0;
	for (int i = 0; i < n && j + 4 < (int)size; i++) {
		if (i && (n - i) % 3 == 0) {
			memcpy(buf + j, "\u2009", 3);
			j += 3;
		}
		buf[j++] = d[i];
	}
	buf[j] = '\0';
}

static void draw_panel(pen *p)
{
	map *m = p->m;
	double px = m->frame[0] + m->frame[2] + 5, py = m->frame[1], pw = m->page_w - 10 - px;
	double ph = m->frame[3];
	cairo_rectangle(p->cr, px, py, pw, ph);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	cairo_set_line_width(p->cr, 0.35);
	cairo_stroke(p->cr);
	cursor c = { px + PAD, py + PAD, pw - 2 * PAD };
	draw_legend_items(p, &c);
	/* From the bottom up: CRS, scale, scale bar, north arrow. */
	double y = py + ph - PAD - 3;
	char s[128];
	snprintf(s, sizeof s, "坐标系 CRS %s", geo_crs_name(m->work));
	say(p, s, px + PAD, y, 6.5, 0, -1, 0x333333);
	y -= 4.5;
	double g = m->ground / m->scale;
	char num[32];
	group_digits(num, sizeof num, round_to_3(g * 1000));
	snprintf(s, sizeof s, "比例尺 scale 1 : %s", num);
	say(p, s, px + PAD, y, 7, 0, -1, 0x1a1a1a);
	y -= 8;
	draw_scale_bar(p, px + PAD + 1, y, pw - 2 * PAD - 10);
	draw_north(p, px + pw / 2, y - 14, 10);
}

/* Under the frame: the data's period and the day made on the left, what
** made the map on the right, so a printed page says when it speaks of. */
static void draw_foot(pen *p)
{
	map *m = p->m;
	double y = m->frame[1] + m->frame[3] + 1.2;
	char s[256];
	if (*m->period)
		snprintf(s, sizeof s, "数据期间 period: %s    制图日期 made: %s", m->period, m->made);
	else
		snprintf(s, sizeof s, "制图日期 made: %s", m->made);
	say(p, s, m->frame[0], y, 6.5, 0, -1, 0x333333);
	snprintf(s, sizeof s, "wangge grid-map %s", GEO_VERSION);
	say(p, s, m->frame[0] + m->frame[2], y, 6, 0, 1, 0x808080);
}

static void draw_head(pen *p)
{
	map *m = p->m;
	double y = 10, cx = m->page_w / 2;
	if (m->o->title)
		y += say(p, m->o->title, cx, y, 16, 1, 0, 0x000000) + 0.5;
	if (m->o->subtitle)
		say(p, m->o->subtitle, cx, y, 10, 0, 0, 0x333333);
	draw_foot(p);
}

geo_err map_draw(map *m, cairo_t *cr, geo_progress progress, void *pdata)
{
	/* A font map of our own, freed below, rather than Pango's per-thread
	** default, which lives until the process ends. */
	PangoFontMap *fm = pango_cairo_font_map_new();
	pen p = { m, cr, pango_font_map_create_context(fm), geo_ctx_geos(m->ctx) };
	pango_cairo_update_context(cr, p.pc);
	/* Text laid out in millimetres: no hinting, so sizes scale exactly. */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(p.pc, fo);
	/* Pango rounds glyph positions to whole user units by default: whole
	** millimetres here, which would wreck the spacing of Latin text. */
	pango_context_set_round_glyph_positions(p.pc, FALSE);
	cairo_font_options_destroy(fo);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	geo_err e = draw_frame(&p);
	if (!e && !geo_progress_step(m->ctx, progress, pdata, 0.8, "drew the map"))
		e = GEO_ERR_INTERNAL;
	if (!e) {
		draw_panel(&p);
		draw_head(&p);
	}
	g_object_unref(p.pc);
	g_object_unref(fm);
	if (!e && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		e = geo_fail(m->ctx, GEO_ERR_INTERNAL, "drawing failed: %s",
			     cairo_status_to_string(cairo_status(cr)));
	return e;
}
