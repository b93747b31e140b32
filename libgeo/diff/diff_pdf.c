/*
** diff_pdf.c: grid-diff's hand-over as a printable list, for the grid
** workers who carry it: A4 pages, one section per receiving worker, each
** starting on a page of its own so that it can be handed out alone. A
** section opens with the worker, phone, the grids received and the count by
** layer, lists every feature with the grid and worker it comes from, and
** ends with lines for the signatures. Cairo draws and Pango shapes the
** Chinese, in the font grid-map uses (Noto Sans CJK SC by default).
*/
#include "diff/diff_internal.h"
#include "map/page_internal.h"

#include <stdlib.h>
#include <string.h>

#define MARGIN PAGE_MARGIN
#define FOOT_Y PAGE_FOOT_Y
#define ROW_H 8.6
#define HEAD_H 7.0

static const struct {
	const char *title;
	double width;
} cols[] = {
	{ "序号", 11 },   { "图层", 15 },     { "对象", 44 },
	{ "原网格", 42 }, { "原网格员", 26 }, { "新网格", 42 },
};
enum { NCOL = sizeof cols / sizeof cols[0] };

struct pdf {
	struct diff_run *run;
	geo_page pg;
	cairo_t *cr;
	int page;
	double y;
	const char *who; /* the section's receiver, for continuation pages */
};

static double say(struct pdf *p, const char *s, double x, double y, double w, double pt, int bold,
		  int align, double grey)
{
	return page_say(&p->pg, s, x, y, w, pt, bold, align, grey);
}

static double paragraph(struct pdf *p, const char *s, double x, double y, double w, double pt)
{
	return page_paragraph(&p->pg, s, x, y, w, pt);
}

static void rule(struct pdf *p, double y, double width, double grey)
{
	page_rule(&p->pg, y, width, grey);
}

static void page_start(struct pdf *p)
{
	p->page++;
	const geo_diff_result *r = p->run->r;
	say(p, "网格移交清单", MARGIN, MARGIN - 6, 0, 9, 1, -1, 0.35);
	char s[512];
	snprintf(s, sizeof s, "%s → %s", r->old_grids->source, r->new_grids->source);
	say(p, s, MARGIN + 40, MARGIN - 6, PAGE_W - 2 * MARGIN - 40, 7, 0, 1, 0.45);
	rule(p, MARGIN - 1, 0.2, 0.6);
	snprintf(s, sizeof s, "%s · 第 %d 页", p->who, p->page);
	say(p, s, MARGIN, FOOT_Y, PAGE_W - 2 * MARGIN, 7.5, 0, 0, 0.35);
	p->y = MARGIN + 1;
}

static void table_head(struct pdf *p)
{
	double x = MARGIN;
	cairo_set_source_rgb(p->cr, 0.9, 0.9, 0.9);
	cairo_rectangle(p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, HEAD_H);
	cairo_fill(p->cr);
	for (int c = 0; c < NCOL; c++) {
		say(p, cols[c].title, x + 1, p->y + 1.6, cols[c].width - 2, 8.5, 1, -1, 0);
		x += cols[c].width;
	}
	p->y += HEAD_H;
}

static void next_page(struct pdf *p, int with_head)
{
	cairo_show_page(p->cr);
	page_start(p);
	char s[256];
	snprintf(s, sizeof s, "%s（续）", p->who);
	p->y += say(p, s, MARGIN, p->y + 1, 0, 10, 1, -1, 0) + 2;
	if (with_head)
		table_head(p);
}

/* A grid as two lines: its code, and its name in grey beneath. */
static void grid_cell(struct pdf *p, const geo_gridset *gs, long i, double x, double w)
{
	if (i < 0) {
		say(p, "（无）", x + 1, p->y + 1.2, w - 2, 8, 0, -1, 0.4);
		return;
	}
	const geo_diff_staff *st = geo_diff_staff_of(p->run->r, gs, (size_t)i);
	say(p, gs->grids[i].id, x + 1, p->y + 0.9, w - 2, 8, 0, -1, 0);
	say(p, st->name, x + 1, p->y + 4.4, w - 2, 7, 0, -1, 0.35);
}

static void row(struct pdf *p, const geo_diff_move *m, size_t n)
{
	const geo_diff_result *r = p->run->r;
	char num[32];
	snprintf(num, sizeof num, "%zu", n);
	double x = MARGIN;
	if (n % 2 == 0) {
		cairo_set_source_rgb(p->cr, 0.965, 0.965, 0.965);
		cairo_rectangle(p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, ROW_H);
		cairo_fill(p->cr);
	}
	say(p, num, x + 1, p->y + 2.2, cols[0].width - 3, 8, 0, 1, 0.3);
	x += cols[0].width;
	say(p, diff_layer_title(r->layers[m->layer].name), x + 1, p->y + 2.2, cols[1].width - 2, 8,
	    0, -1, 0);
	x += cols[1].width;
	say(p, m->label, x + 1, p->y + 2.2, cols[2].width - 2, 8.5, 0, -1, 0);
	x += cols[2].width;
	grid_cell(p, r->old_grids, m->old_grid, x, cols[3].width);
	x += cols[3].width;
	if (m->old_grid >= 0) {
		const geo_diff_staff *st = geo_diff_staff_of(r, r->old_grids, (size_t)m->old_grid);
		say(p, *st->worker ? st->worker : "（未知）", x + 1, p->y + 0.9, cols[4].width - 2,
		    8, 0, -1, *st->worker ? 0 : 0.4);
		say(p, st->phone, x + 1, p->y + 4.4, cols[4].width - 2, 7, 0, -1, 0.35);
	}
	x += cols[4].width;
	grid_cell(p, r->new_grids, m->new_grid, x, cols[5].width);
	p->y += ROW_H;
}

/* The section's heading: the receiver, the grids received, the count by layer. */
static void section_head(struct pdf *p, const size_t *order, size_t from, size_t to)
{
	const geo_diff_result *r = p->run->r;
	const geo_diff_move *first = &r->moves[order[from]];
	char s[512];
	geo_buf b;
	geo_buf_init(&b);
	if (first->new_grid < 0) {
		geo_buf_add(&b, "移出网格：以下对象不在任何新网格内");
	} else if (!*r->new_staff[first->new_grid].worker) {
		geo_buf_add(&b, "接收网格员：（未指定，请填写）______________");
	} else {
		const geo_diff_staff *st = &r->new_staff[first->new_grid];
		geo_buf_printf(&b, "接收网格员：%s", st->worker);
		if (*st->phone)
			geo_buf_printf(&b, "    电话：%s", st->phone);
	}
	p->y += say(p, b.s ? b.s : "", MARGIN, p->y + 2, 0, 15, 1, -1, 0) + 3;
	geo_buf_free(&b);
	geo_buf_init(&b);
	long last = -2;
	size_t ngrids = 0;
	for (size_t k = from; k < to; k++) {
		long j = r->moves[order[k]].new_grid;
		if (j < 0 || j == last)
			continue;
		geo_buf_printf(&b, "%s%s %s", ngrids++ ? "、" : "", r->new_grids->grids[j].id,
			       r->new_staff[j].name);
		last = j;
	}
	if (ngrids) {
		snprintf(s, sizeof s, "接收网格（%zu 个）：", ngrids);
		say(p, s, MARGIN, p->y, 0, 10, 1, -1, 0);
		p->y += paragraph(p, b.s ? b.s : "", MARGIN + 32, p->y, PAGE_W - 2 * MARGIN - 32,
				  10) +
			1.5;
	}
	geo_buf_free(&b);
	geo_buf_init(&b);
	geo_buf_printf(&b, "共 %zu 项", to - from);
	for (size_t l = 0, shown = 0; l < r->nlayers; l++) {
		size_t n = 0;
		for (size_t k = from; k < to; k++)
			n += r->moves[order[k]].layer == l;
		if (n)
			geo_buf_printf(&b, "%s%s %zu", shown++ ? "，" : "：",
				       diff_layer_title(r->layers[l].name), n);
	}
	p->y += say(p, b.s ? b.s : "", MARGIN, p->y, 0, 10, 1, -1, 0) + 3;
	geo_buf_free(&b);
}

static void signatures(struct pdf *p)
{
	if (p->y + 20 > FOOT_Y - 4)
		next_page(p, 0);
	p->y += 10;
	say(p, "移交人签字：______________    接收人签字：______________    日期：__________",
	    MARGIN, p->y, 0, 10, 0, -1, 0);
	p->y += 8;
}

static void sections(struct pdf *p, const size_t *order)
{
	const geo_diff_result *r = p->run->r;
	if (!r->nmoves) {
		p->who = "网格移交清单";
		page_start(p);
		say(p, "没有要移交的对象：新旧网格的编码与范围相同。", MARGIN, p->y + 4, 0, 12, 0,
		    -1, 0);
		return;
	}
	for (size_t from = 0; from < r->nmoves;) {
		size_t to = from + 1;
		while (to < r->nmoves &&
		       !diff_receiver_cmp(r, &r->moves[order[from]], &r->moves[order[to]]))
			to++;
		const geo_diff_move *m = &r->moves[order[from]];
		p->who = m->new_grid < 0                     ? "移出网格"
			 : *r->new_staff[m->new_grid].worker ? r->new_staff[m->new_grid].worker
							     : r->new_grids->grids[m->new_grid].id;
		if (from)
			cairo_show_page(p->cr);
		page_start(p);
		section_head(p, order, from, to);
		table_head(p);
		for (size_t k = from; k < to; k++) {
			if (p->y + ROW_H > FOOT_Y - 4)
				next_page(p, 1);
			row(p, &r->moves[order[k]], k - from + 1);
		}
		rule(p, p->y, 0.3, 0.5);
		signatures(p);
		from = to;
	}
}

geo_err diff_pdf_write(struct diff_run *run, geo_output *out, const char *name, const size_t *order)
{
	struct pdf p = { .run = run };
	geo_err e = page_open(run->ctx, &p.pg, geo_output_path(out), name, "网格移交清单",
			      "wangge grid-diff " GEO_VERSION, run->o->font);
	if (e)
		return e;
	p.cr = p.pg.cr;
	sections(&p, order);
	return page_close(&p.pg, name);
}
