/*
** list_pdf.c: grid-list's printable lists, for the grid worker who walks the
** grid with one: A4 pages, one section per grid starting on a page of its
** own, with the grid's name, code, worker and phone, a small map of the grid
** with its features numbered, the table of them with a box to tick and room
** for remarks, continued on pages marked （续）, and lines for the signature
** and the date at the end.
*/
#include "list/list_internal.h"
#include "map/page_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN PAGE_MARGIN
#define FOOT_Y PAGE_FOOT_Y
#define ROW_H 7.0
#define HEAD_H 7.0
#define MAP_W (PAGE_W - 2 * MARGIN)
#define MAP_MAX_H 105.0
#define MAP_MIN_H 55.0

enum { C_NUMBER, C_ID, C_NAME, C_KIND, C_MEASURE, C_VILLAGE, C_CHECK, C_REMARKS, NCOL };
static const struct {
	const char *title;
	double width;
} cols[NCOL] = {
	{ "序号", 11 }, { "编号", 22 }, { "名称或地址", 45 }, { "类别", 18 },
	{ "面积/长度", 21 }, { "所属村", 23 }, { "踏查", 12 }, { "备注", 28 },
};

struct pdf {
	list_run *run;
	geo_page pg;
	cairo_t *cr;
	int page;
	double y;
	double w[NCOL];         /* column widths: cols', less the measure when nothing has one */
	char who[256];          /* the section's grid, for continuation pages and footers */
	/* the small map: world to paper */
	double k, ox, oy, wx0, wy1;
	map_box *boxes;         /* numbers placed so far on this map */
	size_t nboxes;
};

static void page_start(struct pdf *p)
{
	p->page++;
	page_say(&p->pg, p->run->title, MARGIN, MARGIN - 6, 0, 9, 1, -1, 0.35);
	page_say(&p->pg, p->run->gs->source, MARGIN + 60, MARGIN - 6, PAGE_W - 2 * MARGIN - 60, 7,
		 0, 1, 0.45);
	page_rule(&p->pg, MARGIN - 1, 0.2, 0.6);
	char s[320];
	snprintf(s, sizeof s, "%s · 第 %d 页", p->who, p->page);
	page_say(&p->pg, s, MARGIN, FOOT_Y, PAGE_W - 2 * MARGIN, 7.5, 0, 0, 0.35);
	p->y = MARGIN + 1;
}

static void table_head(struct pdf *p)
{
	double x = MARGIN;
	cairo_set_source_rgb(p->cr, 0.9, 0.9, 0.9);
	cairo_rectangle(p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, HEAD_H);
	cairo_fill(p->cr);
	for (int c = 0; c < NCOL; c++) {
		if (p->w[c] > 0)
			page_say(&p->pg, cols[c].title, x + 1, p->y + 1.6, p->w[c] - 2, 8.5, 1, -1, 0);
		x += p->w[c];
	}
	p->y += HEAD_H;
}

static void next_page(struct pdf *p, int with_head)
{
	cairo_show_page(p->cr);
	page_start(p);
	char s[300];
	snprintf(s, sizeof s, "%s（续）", p->who);
	p->y += page_say(&p->pg, s, MARGIN, p->y + 1, 0, 10, 1, -1, 0) + 2;
	if (with_head)
		table_head(p);
}

static void row(struct pdf *p, const list_item *it)
{
	char num[32], measure[64];
	snprintf(num, sizeof num, "%zu", it->number);
	list_measure_text(it, measure, sizeof measure);
	if (it->number % 2 == 0) {
		cairo_set_source_rgb(p->cr, 0.965, 0.965, 0.965);
		cairo_rectangle(p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, ROW_H);
		cairo_fill(p->cr);
	}
	const char *text[NCOL] = { num, it->id, it->name, it->kind, measure, it->village, "", "" };
	double x = MARGIN;
	for (int c = 0; c < NCOL; c++) {
		if (c == C_CHECK) {
			/* A box to tick. */
			cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
			cairo_set_line_width(p->cr, 0.25);
			cairo_rectangle(p->cr, x + p->w[c] / 2 - 1.8, p->y + 1.6, 3.6, 3.6);
			cairo_stroke(p->cr);
		} else if (*text[c] && p->w[c] > 0) {
			int right = c == C_NUMBER || c == C_MEASURE;
			page_say(&p->pg, text[c], x + 1, p->y + 1.6, p->w[c] - 2.5, 8.5, 0,
				 right ? 1 : -1, c == C_NUMBER ? 0.3 : 0);
		}
		x += p->w[c];
	}
	cairo_set_source_rgb(p->cr, 0.8, 0.8, 0.8);
	cairo_set_line_width(p->cr, 0.1);
	cairo_move_to(p->cr, MARGIN, p->y + ROW_H);
	cairo_line_to(p->cr, PAGE_W - MARGIN, p->y + ROW_H);
	cairo_stroke(p->cr);
	p->y += ROW_H;
}

/* ---- the small map ------------------------------------------------------------ */

static void to_paper(const struct pdf *p, double x, double y, double *px, double *py)
{
	*px = p->ox + (x - p->wx0) * p->k;
	*py = p->oy + (p->wy1 - y) * p->k;
}

static void path_ring(struct pdf *p, const GEOSGeometry *ring, int close)
{
	GEOSContextHandle_t h = p->run->h;
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned n = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
		return;
	for (unsigned i = 0; i < n; i++) {
		double x, y, px, py;
		GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
		to_paper(p, x, y, &px, &py);
		if (i)
			cairo_line_to(p->cr, px, py);
		else
			cairo_move_to(p->cr, px, py);
	}
	if (close)
		cairo_close_path(p->cr);
}

/* Adds g's polygons (rings) or lines to the current path; points are drawn
** as markers by the caller. */
static void path_geom(struct pdf *p, const GEOSGeometry *g)
{
	GEOSContextHandle_t h = p->run->h;
	int n = GEOSGetNumGeometries_r(h, g);
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
		int t = GEOSGeomTypeId_r(h, part);
		if (t == GEOS_POLYGON) {
			path_ring(p, GEOSGetExteriorRing_r(h, part), 1);
			for (int r = 0; r < GEOSGetNumInteriorRings_r(h, part); r++)
				path_ring(p, GEOSGetInteriorRingN_r(h, part, r), 1);
		} else if (t == GEOS_LINESTRING || t == GEOS_LINEARRING) {
			path_ring(p, part, 0);
		} else if (t != GEOS_POINT) {
			path_geom(p, part);
		}
	}
}

static void set_rgb(cairo_t *cr, unsigned c)
{
	cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0,
			     (c & 255) / 255.0);
}

static void draw_points(struct pdf *p, const GEOSGeometry *g, unsigned colour)
{
	GEOSContextHandle_t h = p->run->h;
	int n = GEOSGetNumGeometries_r(h, g);
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *pt = GEOSGetGeometryN_r(h, g, i);
		double x, y, px, py;
		if (GEOSGeomTypeId_r(h, pt) != GEOS_POINT || !GEOSGeomGetX_r(h, pt, &x) ||
		    !GEOSGeomGetY_r(h, pt, &y))
			continue;
		to_paper(p, x, y, &px, &py);
		cairo_new_path(p->cr);
		cairo_arc(p->cr, px, py, 0.7, 0, 2 * M_PI);
		set_rgb(p->cr, colour);
		cairo_fill_preserve(p->cr);
		cairo_set_source_rgb(p->cr, 1, 1, 1);
		cairo_set_line_width(p->cr, 0.15);
		cairo_stroke(p->cr);
	}
}

static void draw_feature(struct pdf *p, const list_item *it)
{
	geo_map_kind kind = it->dim == LIST_AREA   ? GEO_MAP_AREAS
			    : it->dim == LIST_LINE ? GEO_MAP_LINES
						   : GEO_MAP_POINTS;
	map_look lk = map_look_for(kind, p->run->layers[it->layer].name, it->layer, 1);
	if (it->dim == LIST_POINT) {
		draw_points(p, it->geom, lk.fill ? lk.fill : lk.stroke);
		return;
	}
	cairo_new_path(p->cr);
	path_geom(p, it->geom);
	if (it->dim == LIST_AREA) {
		set_rgb(p->cr, lk.fill ? lk.fill : 0xa6cee3);
		cairo_fill_preserve(p->cr);
	}
	set_rgb(p->cr, lk.stroke ? lk.stroke : 0x1f78b4);
	cairo_set_line_width(p->cr, it->dim == LIST_LINE ? fmax(lk.width, 0.5) : 0.2);
	cairo_stroke(p->cr);
}

static int collides(const struct pdf *p, double x, double y, double w, double h)
{
	for (size_t k = 0; k < p->nboxes; k++) {
		const map_box *b = &p->boxes[k];
		if (x < b->x + b->w && b->x < x + w && y < b->y + b->h && b->y < y + h)
			return 1;
	}
	return 0;
}

/* A feature's number beside its point, moved around it to stay clear of
** the numbers already placed; on top of them when there is no room. */
static void number(struct pdf *p, const list_item *it, const double frame[4])
{
	char s[32];
	snprintf(s, sizeof s, "%zu", it->number);
	PangoLayout *l = map_text(p->pg.pc, p->pg.font, s, 7, 1);
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	double w = (double)r.width / PANGO_SCALE, h = (double)r.height / PANGO_SCALE;
	double px, py;
	to_paper(p, it->x, it->y, &px, &py);
	static const double dx[] = { 0.6, 0.6, -1, -1, -0.5, -0.5, 1.2, -1.6 };
	static const double dy[] = { -1, 0.1, -1, 0.1, -1.5, 0.6, -0.45, -0.45 };
	double x = px + 0.6, y = py - h;
	for (size_t k = 0; k < sizeof dx / sizeof dx[0]; k++) {
		double cx = px + dx[k] * (dx[k] < 0 ? w : 1), cy = py + dy[k] * h;
		if (cx < frame[0] || cy < frame[1] || cx + w > frame[0] + frame[2] ||
		    cy + h > frame[1] + frame[3] || collides(p, cx, cy, w, h))
			continue;
		x = cx, y = cy;
		break;
	}
	if (p->boxes)
		p->boxes[p->nboxes++] = (map_box){ .x = x, .y = y, .w = w, .h = h };
	/* A white halo, then the number. */
	cairo_move_to(p->cr, x, y);
	pango_cairo_layout_path(p->cr, l);
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_set_line_width(p->cr, 0.8);
	cairo_set_line_join(p->cr, CAIRO_LINE_JOIN_ROUND);
	cairo_stroke(p->cr);
	cairo_move_to(p->cr, x, y);
	cairo_set_source_rgb(p->cr, 0.75, 0.05, 0.05);
	pango_cairo_show_layout(p->cr, l);
	g_object_unref(l);
}

static void extent_add(const list_run *run, const GEOSGeometry *g, double e[4])
{
	double x0, y0, x1, y1;
	if (!g || !GEOSGeom_getXMin_r(run->h, g, &x0) || !GEOSGeom_getYMin_r(run->h, g, &y0) ||
	    !GEOSGeom_getXMax_r(run->h, g, &x1) || !GEOSGeom_getYMax_r(run->h, g, &y1))
		return;
	e[0] = fmin(e[0], x0), e[1] = fmin(e[1], y0), e[2] = fmax(e[2], x1), e[3] = fmax(e[3], y1);
}

/* A scale bar of a round length about a fifth of the map's width. */
static void scale_bar(struct pdf *p, const double frame[4])
{
	double want = frame[2] / 5 / p->k, step = pow(10, floor(log10(want)));
	double len = want >= 5 * step ? 5 * step : want >= 2 * step ? 2 * step : step;
	double x = frame[0] + 3, y = frame[1] + frame[3] - 3, w = len * p->k;
	/* On white, so that no grid line runs through it. */
	cairo_set_source_rgba(p->cr, 1, 1, 1, 0.85);
	cairo_rectangle(p->cr, frame[0], y - 5, w + 20, 5 + 3);
	cairo_rectangle(p->cr, frame[0] + frame[2] - 12, frame[1], 12, 7);
	cairo_fill(p->cr);
	cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
	cairo_set_line_width(p->cr, 0.4);
	cairo_move_to(p->cr, x, y - 1.2);
	cairo_line_to(p->cr, x, y);
	cairo_line_to(p->cr, x + w, y);
	cairo_line_to(p->cr, x + w, y - 1.2);
	cairo_stroke(p->cr);
	char s[32];
	if (len >= 1000)
		snprintf(s, sizeof s, "%g 公里", len / 1000);
	else
		snprintf(s, sizeof s, "%g 米", len);
	page_say(&p->pg, s, x + w + 1.5, y - 3.2, 0, 7, 0, -1, 0.1);
	page_say(&p->pg, "北 ↑", frame[0] + frame[2] - 10, frame[1] + 2, 0, 8, 1, -1, 0.1);
}

/* The map of a section: the grid (or, for the features in no grid, the
** grids around them) with its neighbours faint, and the features numbered. */
static void small_map(struct pdf *p, const list_section *s)
{
	const list_run *run = p->run;
	double e[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY };
	if (s->grid >= 0)
		extent_add(run, run->gs->grids[s->grid].geom, e);
	for (size_t k = s->from; k < s->to; k++)
		extent_add(run, run->items[k].geom, e);
	if (!(e[2] >= e[0]))
		return;
	/* Features in no grid are shown with the grids around them, a grid alone. */
	double least = s->grid < 0 ? 1500 : 50;
	double bw = fmax(e[2] - e[0], least), bh = fmax(e[3] - e[1], least);
	double cx = (e[0] + e[2]) / 2, cy = (e[1] + e[3]) / 2;
	bw *= 1.08, bh *= 1.08;
	double h = fmin(MAP_MAX_H, fmax(MAP_MIN_H, MAP_W * bh / bw));
	double frame[4] = { MARGIN, p->y, MAP_W, h };
	p->k = fmin(frame[2] / bw, frame[3] / bh);
	p->wx0 = cx - frame[2] / 2 / p->k;
	p->wy1 = cy + frame[3] / 2 / p->k;
	p->ox = frame[0], p->oy = frame[1];
	cairo_save(p->cr);
	cairo_rectangle(p->cr, frame[0], frame[1], frame[2], frame[3]);
	cairo_clip(p->cr);
	/* The neighbours, faint, for where the grid lies. */
	GEOSContextHandle_t gh = run->h;
	GEOSGeometry *view = GEOSGeom_createRectangle_r(gh, p->wx0, p->wy1 - frame[3] / p->k,
							p->wx0 + frame[2] / p->k, p->wy1);
	for (size_t i = 0; i < run->gs->n; i++) {
		const geo_grid *g = &run->gs->grids[i];
		if (!g->geom || (long)i == s->grid || (view && !GEOSIntersects_r(gh, view, g->geom)))
			continue;
		if (run->both_levels && g->level != 2)
			continue;
		cairo_new_path(p->cr);
		path_geom(p, g->geom);
		cairo_set_source_rgb(p->cr, 0.72, 0.72, 0.72);
		cairo_set_line_width(p->cr, 0.25);
		cairo_stroke(p->cr);
	}
	if (view)
		GEOSGeom_destroy_r(gh, view);
	if (s->grid >= 0 && run->gs->grids[s->grid].geom) {
		cairo_new_path(p->cr);
		path_geom(p, run->gs->grids[s->grid].geom);
		cairo_set_source_rgb(p->cr, 1.0, 0.98, 0.9);
		cairo_fill_preserve(p->cr);
		cairo_set_source_rgb(p->cr, 0.15, 0.15, 0.15);
		cairo_set_line_width(p->cr, 0.6);
		cairo_stroke(p->cr);
	}
	for (size_t k = s->from; k < s->to; k++)
		if (run->items[k].geom)
			draw_feature(p, &run->items[k]);
	p->boxes = calloc(s->to - s->from + 1, sizeof *p->boxes);
	p->nboxes = 0;
	for (size_t k = s->from; k < s->to; k++)
		if (run->items[k].geom)
			number(p, &run->items[k], frame);
	free(p->boxes);
	p->boxes = NULL;
	scale_bar(p, frame);
	cairo_restore(p->cr);
	cairo_set_source_rgb(p->cr, 0.4, 0.4, 0.4);
	cairo_set_line_width(p->cr, 0.3);
	cairo_rectangle(p->cr, frame[0], frame[1], frame[2], frame[3]);
	cairo_stroke(p->cr);
	p->y += h + 4;
}

/* ---- sections ------------------------------------------------------------------- */

static void section_head(struct pdf *p, const list_section *s)
{
	const list_run *run = p->run;
	char line[512];
	size_t n = s->to - s->from;
	if (s->grid < 0) {
		p->y += page_say(&p->pg, "不在任何网格内的对象（请核实位置）",
				 MARGIN, p->y + 2, 0, 14, 1, -1, 0) + 2;
		snprintf(line, sizeof line, "共 %zu 处", n);
	} else {
		const geo_diff_staff *st = &run->staff[s->grid];
		const char *code = run->gs->grids[s->grid].id;
		snprintf(line, sizeof line, "%s（%s）", *st->name ? st->name : code, code);
		p->y += page_say(&p->pg, line, MARGIN, p->y + 2, 0, 15, 1, -1, 0) + 3;
		int off = snprintf(line, sizeof line, "网格员：%s",
				   *st->worker ? st->worker : "______________");
		if (off > 0 && (size_t)off < sizeof line)
			off += snprintf(line + off, sizeof line - (size_t)off, "    电话：%s",
					*st->phone ? st->phone : "______________");
		if (off > 0 && (size_t)off < sizeof line)
			snprintf(line + off, sizeof line - (size_t)off, "    共 %zu 处", n);
	}
	p->y += page_say(&p->pg, line, MARGIN, p->y, 0, 10.5, 0, -1, 0) + 3;
}

static void signatures(struct pdf *p)
{
	if (p->y + 18 > FOOT_Y - 4)
		next_page(p, 0);
	p->y += 9;
	page_say(&p->pg,
		 "网格员签字：______________    踏查日期：____年__月__日    复核人签字：______________",
		 MARGIN, p->y, 0, 10, 0, -1, 0);
	p->y += 8;
}

static void who(struct pdf *p, const list_section *s)
{
	const list_run *run = p->run;
	if (s->grid < 0) {
		snprintf(p->who, sizeof p->who, "不在任何网格内");
		return;
	}
	const geo_diff_staff *st = &run->staff[s->grid];
	snprintf(p->who, sizeof p->who, "%s %s%s%s", run->gs->grids[s->grid].id, st->name,
		 *st->worker ? " · " : "", st->worker);
}

static geo_err sections(struct pdf *p)
{
	const list_run *run = p->run;
	if (!run->nsections) {
		snprintf(p->who, sizeof p->who, "%s", run->title);
		page_start(p);
		page_say(&p->pg, "没有要踏查的对象：所选图层中没有要素。", MARGIN, p->y + 4, 0, 12, 0,
			 -1, 0);
		return GEO_OK;
	}
	size_t *order = geo_calloc(run->ctx, run->nsections, sizeof *order);
	if (!order)
		return GEO_ERR_INTERNAL;
	list_sheet_order(run, run->o->sheets == GEO_LIST_BY_WORKER, order);
	for (size_t k = 0; k < run->nsections; k++) {
		const list_section *s = &run->sections[order[k]];
		if (k)
			cairo_show_page(p->cr);
		who(p, s);
		page_start(p);
		section_head(p, s);
		small_map(p, s);
		table_head(p);
		for (size_t i = s->from; i < s->to; i++) {
			if (p->y + ROW_H > FOOT_Y - 4)
				next_page(p, 1);
			row(p, &run->items[i]);
		}
		page_rule(&p->pg, p->y, 0.3, 0.5);
		signatures(p);
	}
	free(order);
	return GEO_OK;
}

geo_err list_write_pdf(list_run *run, geo_output *out, const char *name)
{
	struct pdf p = { .run = run };
	geo_err e = page_open(run->ctx, &p.pg, geo_output_path(out), name, run->title,
			      "wangge grid-list " GEO_VERSION, run->o->font);
	if (e)
		return e;
	p.cr = p.pg.cr;
	int measured = 0;
	for (size_t k = 0; k < run->nitems; k++)
		measured |= run->items[k].dim == LIST_AREA || run->items[k].dim == LIST_LINE;
	for (int c = 0; c < NCOL; c++)
		p.w[c] = cols[c].width;
	if (!measured)
		p.w[C_NAME] += p.w[C_MEASURE], p.w[C_MEASURE] = 0;
	e = sections(&p);
	if (e) {
		page_close(&p.pg, name);
		return e;
	}
	return page_close(&p.pg, name);
}
