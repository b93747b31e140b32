/*
** assess_out.c: what grid-assess writes. The tables go to one dataset of
** several layers (an XLSX workbook, one sheet per table: grids, workers,
** town, rules; codes are text cells); the printable report is one PDF: the
** map of the grids coloured by score and labelled by rank (drawn by
** grid-map's code), then the town's figures against the period before,
** then the ranked grids and workers as tables. (The summary on the terminal
** is assess_report.c's.)
*/
#include "assess/assess_internal.h"
#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

/* The figures' columns, in the order of geo.h's list. */
const char *const assess_fig_cols[ASSESS_NFIG] = {
	"households",       "weeks",          "visited_weekly", "visited_pct",
	"household_weeks",  "coverage_pct",   "visits",         "hazards_found",
	"hazards_closed",   "closed_on_time", "overdue",        "cases_grid",
	"cases_area",       "cases_town",     "cases_open",     "waters",
	"waters_inspected", "score"
};

/* The same figures as a planner reads them (住户数 under zh_CN), for the
** printed report; the tables keep the column names. */
static const char *const fig_labels[] = {
	NC_("assess figure", "households"),	  NC_("assess figure", "weeks"),
	NC_("assess figure", "visited_weekly"),	  NC_("assess figure", "visited_pct"),
	NC_("assess figure", "household_weeks"),  NC_("assess figure", "coverage_pct"),
	NC_("assess figure", "visits"),		  NC_("assess figure", "hazards_found"),
	NC_("assess figure", "hazards_closed"),	  NC_("assess figure", "closed_on_time"),
	NC_("assess figure", "overdue"),	  NC_("assess figure", "cases_grid"),
	NC_("assess figure", "cases_area"),	  NC_("assess figure", "cases_town"),
	NC_("assess figure", "cases_open"),	  NC_("assess figure", "waters"),
	NC_("assess figure", "waters_inspected"), NC_("assess figure", "score"),
};
_Static_assert(sizeof fig_labels / sizeof fig_labels[0] == ASSESS_NFIG,
	       "a label for every figure");

/* A label key's English (the name after the context) and its translation. */
static const char *key_name(const char *key)
{
	return strchr(key, '\004') + 1;
}

static const char *label(const char *key)
{
	return geo_pgettext(key, key_name(key));
}

double assess_pct(long part, long whole)
{
	return whole ? round(1000.0 * (double)part / (double)whole) / 10 : NAN;
}

double assess_fig_value(const assess_fig *f, int k)
{
	switch (k) {
	case 0: return (double)f->households;
	case 1: return (double)f->weeks;
	case 2: return (double)f->weekly;
	case 3: return assess_pct(f->weekly, f->households);
	case 4: return (double)f->hh_weeks;
	case 5: return assess_pct(f->hh_weeks, f->households * f->weeks);
	case 6: return (double)f->visits;
	case 7: return (double)f->found;
	case 8: return (double)f->closed;
	case 9: return (double)f->on_time;
	case 10: return (double)f->overdue;
	case 11:
	case 12:
	case 13:
	case 14: return (double)f->cases[k - 11];
	case 15: return (double)f->waters;
	case 16: return (double)f->inspected;
	default: return f->score;
	}
}

int assess_fig_real(int k)
{
	return k == 3 || k == 5 || k == ASSESS_NFIG - 1;
}

/* The rules sheet and the man page say the same. The sheet keeps the English
** (a workbook is the same bytes in every language); the printed report
** translates them. */
static const char *const rules[][2] = {
	{ NC_("assess figure", "households"),
	  N_("household points in the grid (grid-place's rule: the grid holding the point)") },
	{ NC_("assess figure", "weeks"),
	  N_("ISO weeks (Monday to Sunday) whose Thursday lies in the period") },
	{ NC_("assess figure", "visited_weekly"),
	  N_("households with at least one visit in each of those weeks (visits ledger, by hh_id)") },
	{ NC_("assess figure", "visited_pct"),
	  N_("visited_weekly / households, in %") },
	{ NC_("assess figure", "household_weeks"),
	  N_("(household, week) pairs of those weeks with at least one visit") },
	{ NC_("assess figure", "coverage_pct"),
	  N_("household_weeks / (households x weeks), in %") },
	{ NC_("assess figure", "visits"),
	  N_("visits to the grid's households dated in the period") },
	{ NC_("assess figure", "visits_made"),
	  N_("workers: visits the worker recorded in the period, in any grid") },
	{ NC_("assess figure", "hazards_found"),
	  N_("hazards dated (date) in the period") },
	{ NC_("assess figure", "hazards_closed"),
	  N_("hazards whose closing day (closed) lies in the period, whenever found") },
	{ NC_("assess figure", "closed_on_time"),
	  N_("of hazards_closed, those closed on or before their deadline") },
	{ NC_("assess figure", "overdue"),
	  N_("hazards found by the period's last day, not closed by then, deadline on or before it") },
	{ NC_("assess figure", "cases_grid/area/town"),
	  N_("cases dated in the period, by the level that solved them (level)") },
	{ NC_("assess figure", "cases_open"),
	  N_("cases dated in the period with no level (not solved)") },
	{ NC_("assess figure", "waters"),
	  N_("ponds and ditches in the grid (the grid holding most of each)") },
	{ NC_("assess figure", "waters_inspected"),
	  N_("of those, inspected (pond_inspections) from 1 January of the last day's year to the day "
	  "before the flood season (--flood-start, 06-01), and by the last day") },
	{ NC_("assess figure", "score"),
	  N_("40 x household_weeks/(households x weeks) + 30 x "
		   "closed_on_time/(hazards_closed+overdue) + 20 x cases_grid/(cases solved) + 10 "
		   "x waters_inspected/waters; a part with nothing to count gets its full points") },
	{ NC_("assess figure", "rank"),
	  N_("by score, highest first; equal scores share a rank") },
	{ NC_("assess figure", "prev_*"),
	  N_("the same figure for the period before (the previous week, month, quarter, "
		    "year or span)") },
	{ NC_("assess figure", "rank_change"),
	  N_("prev_rank - rank: positive is a rise") },
};

static void set_num(OGRFeatureH f, const char *name, double v)
{
	int i = OGR_F_GetFieldIndex(f, name);
	if (i < 0)
		return;
	if (isnan(v))
		OGR_F_SetFieldNull(f, i);
	else
		OGR_F_SetFieldDouble(f, i, v);
}

static geo_err add_field(geo_ctx *ctx, OGRLayerH l, const char *name, OGRFieldType t)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, t);
	OGRErr err = OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
	return err == OGRERR_NONE ? GEO_OK
				  : geo_fail(ctx, GEO_ERR_OUTPUT, "cannot create field %s: %s",
					     name, geo_cpl_error("driver refused"));
}

static geo_err fig_fields(geo_ctx *ctx, OGRLayerH l, const char *prefix, int workers)
{
	geo_err e = GEO_OK;
	char name[64];
	for (int k = 0; k < ASSESS_NFIG && !e; k++) {
		snprintf(name, sizeof name, "%s%s", prefix, assess_fig_cols[k]);
		e = add_field(ctx, l, name, assess_fig_real(k) ? OFTReal : OFTInteger);
		if (!e && workers && k == 6) {
			snprintf(name, sizeof name, "%svisits_made", prefix);
			e = add_field(ctx, l, name, OFTInteger);
		}
	}
	return e;
}

static void set_figs(OGRFeatureH f, const assess_fig *fig, const char *prefix)
{
	char name[64];
	for (int k = 0; k < ASSESS_NFIG; k++) {
		snprintf(name, sizeof name, "%s%s", prefix, assess_fig_cols[k]);
		set_num(f, name, assess_fig_value(fig, k));
	}
	snprintf(name, sizeof name, "%svisits_made", prefix);
	set_num(f, name, (double)fig->visits_made);
}

typedef struct by_rank {
	int rank;
	const char *key;
	size_t i;
} by_rank;

static int cmp_by_rank(const void *x, const void *y)
{
	const by_rank *p = x, *q = y;
	if (p->rank != q->rank)
		return p->rank < q->rank ? -1 : 1;
	return strcmp(p->key, q->key);
}

/* Row indices in the order of this period's rank. */
static size_t *rank_order(geo_ctx *ctx, const assess_row *rows, size_t n)
{
	by_rank *b = geo_calloc(ctx, n + 1, sizeof *b);
	size_t *ix = geo_calloc(ctx, n + 1, sizeof *ix);
	if (!b || !ix) {
		free(b);
		free(ix);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		b[i] = (by_rank){ rows[i].now.rank, rows[i].id ? rows[i].id : rows[i].worker, i };
	qsort(b, n, sizeof *b, cmp_by_rank);
	for (size_t i = 0; i < n; i++)
		ix[i] = b[i].i;
	free(b);
	return ix;
}

/* Writes f as a new row of l. */
static geo_err put_row(assess *a, OGRLayerH l, OGRFeatureH f)
{
	OGR_F_SetFID(f, OGRNullFID);
	if (OGR_L_CreateFeature(l, f) == OGRERR_NONE)
		return GEO_OK;
	return geo_fail(a->ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", a->o->common.output,
			geo_cpl_error("write failed"));
}

/* A table of the workbook: its sheet's name, after the layer the output
** names when it names one (PG:...:town_120114105.assess: the tables
** assess_grids, assess_workers, assess_town and assess_rules of schema
** town_120114105), as grid-split names its grid layers. */
static OGRLayerH create_table(geo_ctx *ctx, geo_output *out, const char *sheet)
{
	const char *stem = geo_output_layer_name(out);
	char name[512];
	snprintf(name, sizeof name, "%s%s%s", stem ? stem : "", stem ? "_" : "", sheet);
	return geo_output_create_layer(ctx, out, name, NULL, wkbNone);
}

static geo_err write_rows(assess *a, geo_output *out, const char *lname, const assess_row *rows,
			  size_t n, int workers)
{
	geo_ctx *ctx = a->ctx;
	OGRLayerH l = create_table(ctx, out, lname);
	if (!l)
		return geo_last_code(ctx);
	static const char *const lead[] = { "rank", "grid_id", "name", "parent_id", "worker" };
	geo_err e = add_field(ctx, l, "rank", OFTInteger);
	if (!e && workers)
		e = add_field(ctx, l, "worker", OFTString);
	if (!e && workers)
		e = add_field(ctx, l, "grids", OFTInteger);
	for (int k = 1; k < 5 && !e; k++)
		if (!(workers && k == 4))
			e = add_field(ctx, l, lead[k], OFTString);
	if (!e)
		e = fig_fields(ctx, l, "", workers);
	if (!e)
		e = add_field(ctx, l, "prev_rank", OFTInteger);
	if (!e)
		e = add_field(ctx, l, "rank_change", OFTInteger);
	if (!e)
		e = add_field(ctx, l, "score_change", OFTReal);
	if (!e)
		e = fig_fields(ctx, l, "prev_", workers);
	size_t *ix = e ? NULL : rank_order(ctx, rows, n);
	if (!e && !ix)
		e = GEO_ERR_INTERNAL;
	OGRFeatureH f = e ? NULL : OGR_F_Create(OGR_L_GetLayerDefn(l));
	for (size_t j = 0; !e && j < n; j++) {
		const assess_row *r = &rows[ix[j]];
		OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "rank"), r->now.rank);
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "grid_id"), r->id ? r->id : "");
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "name"), r->name ? r->name : "");
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "parent_id"),
				     r->parent ? r->parent : "");
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "worker"),
				     r->worker ? r->worker : "");
		if (workers)
			OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "grids"), (int)r->grids);
		set_figs(f, &r->now, "");
		set_figs(f, &r->prev, "prev_");
		OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "prev_rank"), r->prev.rank);
		OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "rank_change"),
				      r->prev.rank - r->now.rank);
		set_num(f, "score_change", round((r->now.score - r->prev.score) * 10) / 10);
		e = put_row(a, l, f);
	}
	if (f)
		OGR_F_Destroy(f);
	free(ix);
	return e;
}

/* A table (no geometry) named name whose first columns are the n text
** fields; NULL after a message. */
static OGRLayerH text_table(assess *a, geo_output *out, const char *name, const char *const *fields,
			    int n)
{
	OGRLayerH l = create_table(a->ctx, out, name);
	for (int k = 0; l && k < n; k++)
		if (add_field(a->ctx, l, fields[k], OFTString))
			l = NULL;
	return l;
}

/* The town's figures, this period's and the last. */
static geo_err write_town(assess *a, geo_output *out)
{
	static const char *const cols[] = { "period" };
	OGRLayerH l = text_table(a, out, "town", cols, 1);
	geo_err e = l ? fig_fields(a->ctx, l, "", 1) : geo_last_code(a->ctx);
	OGRFeatureH f = e ? NULL : OGR_F_Create(OGR_L_GetLayerDefn(l));
	for (int k = 0; !e && k < 2; k++) {
		OGR_F_SetFieldString(f, 0, k ? a->prev.label : a->w.label);
		set_figs(f, k ? &a->town_row.prev : &a->town_row.now, "");
		e = put_row(a, l, f);
	}
	if (f)
		OGR_F_Destroy(f);
	return e;
}

/* The rules sheet: how each figure is counted. */
static geo_err write_rules(assess *a, geo_output *out)
{
	static const char *const cols[] = { "figure", "rule" };
	OGRLayerH l = text_table(a, out, "rules", cols, 2);
	OGRFeatureH f = l ? OGR_F_Create(OGR_L_GetLayerDefn(l)) : NULL;
	geo_err e = f ? GEO_OK : geo_last_code(a->ctx);
	for (size_t k = 0; f && !e && k < sizeof rules / sizeof rules[0]; k++) {
		OGR_F_SetFieldString(f, 0, key_name(rules[k][0]));
		OGR_F_SetFieldString(f, 1, rules[k][1]);
		e = put_row(a, l, f);
	}
	if (f)
		OGR_F_Destroy(f);
	return e;
}

/* The outputs an input may not be: every layer's file the run reads. */
geo_err assess_open_outputs(assess *a)
{
	const geo_assess_opts *o = a->o;
	const char *inputs[] = { a->town_name, o->grids, o->households, o->hazards,     o->cases,
				 o->visits,    o->ponds, o->ditches,    o->inspections, NULL };
	const char *in[10];
	size_t k = 0;
	for (size_t i = 0; i < 9; i++)
		if (inputs[i])
			in[k++] = inputs[i];
	in[k] = NULL;
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.format = o->common.out.format;
	oo.overwrite = o->common.out.overwrite;
	oo.inputs = in;
	if (o->common.output && !(a->tables = geo_output_open(a->ctx, o->common.output, &oo)))
		return geo_last_code(a->ctx);
	oo.format = NULL;
	if (o->report && !(a->report = geo_output_open_file(a->ctx, o->report, &oo)))
		return geo_last_code(a->ctx);
	return GEO_OK;
}

geo_err assess_write_tables(assess *a)
{
	geo_output *out = a->tables;
	geo_err e = write_rows(a, out, "grids", a->grid_rows, a->gs->n, 0);
	if (!e)
		e = write_rows(a, out, "workers", a->worker_rows, a->nworkers, 1);
	if (!e)
		e = write_town(a, out);
	if (!e)
		e = write_rules(a, out);
	if (!e)
		e = geo_output_commit(a->ctx, out);
	return e;
}

/* ---- the printable report -------------------------------------------------- */

typedef struct page {
	cairo_t *cr;
	PangoContext *pc;
	PangoFontMap *fm;
	double y; /* mm from the top */
	int n;    /* pages so far */
} page;

enum { PAGE_W = 210, PAGE_H = 297, MARGIN = 12 };
/* The printed report's family, as grid-map's default. */
#define REPORT_FONT "Noto Sans CJK SC"

static double text(page *p, const char *s, double x, double y, double pt, int bold, double width,
		   int right)
{
	PangoLayout *l = map_text(p->pc, REPORT_FONT, s, pt, bold);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	}
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	double w = (double)r.width / PANGO_SCALE, h = (double)r.height / PANGO_SCALE;
	cairo_move_to(p->cr, right ? x - w : x, y);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	pango_cairo_show_layout(p->cr, l);
	g_object_unref(l);
	return h;
}

static void new_page(page *p, cairo_surface_t *s)
{
	if (p->cr) {
		cairo_show_page(p->cr);
		cairo_destroy(p->cr);
	}
	double k = 72 / 25.4;
	cairo_pdf_surface_set_size(s, PAGE_W * k, PAGE_H * k);
	p->cr = cairo_create(s);
	cairo_scale(p->cr, k, k);
	pango_cairo_update_context(p->cr, p->pc);
	p->y = MARGIN;
	p->n++;
}

typedef struct col {
	const char *head;
	double w; /* mm */
	int right;
} col;

static void table_head(page *p, const col *c, int n)
{
	double x = MARGIN;
	for (int i = 0; i < n; i++) {
		text(p, _(c[i].head), c[i].right ? x + c[i].w - 1.5 : x, p->y, 6.5, 1,
		     c[i].right ? 0 : c[i].w, c[i].right);
		x += c[i].w;
	}
	p->y += 6.6;
	cairo_set_line_width(p->cr, 0.2);
	cairo_move_to(p->cr, MARGIN, p->y - 0.4);
	cairo_line_to(p->cr, PAGE_W - MARGIN, p->y - 0.4);
	cairo_stroke(p->cr);
}

static void table_row(page *p, const col *c, int n, char cells[][64])
{
	double x = MARGIN;
	for (int i = 0; i < n; i++) {
		text(p, cells[i], c[i].right ? x + c[i].w - 1.5 : x, p->y, 6.5, 0,
		     c[i].right ? 0 : c[i].w - 0.8, c[i].right);
		x += c[i].w;
	}
	p->y += 3.6;
}

static void num(char *buf, double v)
{
	if (isnan(v))
		snprintf(buf, 64, "-");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, 64, "%.0f", v);
	else
		snprintf(buf, 64, "%.1f", v);
}

static void signed_num(char *buf, double v)
{
	if (v == 0)
		snprintf(buf, 64, "0");
	else if (v == floor(v))
		snprintf(buf, 64, "%+.0f", v);
	else
		snprintf(buf, 64, "%+.1f", v);
}

static void percent(char *buf, double v)
{
	if (isnan(v))
		snprintf(buf, 64, "-");
	else
		snprintf(buf, 64, "%.0f%%", v);
}

static void ranked_table(page *p, cairo_surface_t *s, const char *title, const assess_row *rows,
			 size_t n, size_t *ix, int workers, int prev_empty)
{
	/* Bilingual in English; the Chinese catalogue keeps the Chinese line. */
	static const col c[] = { { N_("名次\nrank"), 9, 1 },	{ N_("网格\ngrid"), 24, 0 },
				 { N_("名称\nname"), 32, 0 },	{ N_("网格员\nworker"), 15, 0 },
				 { N_("户\nhh"), 8, 1 },	{ N_("每周\nweekly"), 10, 1 },
				 { N_("覆盖\ncover"), 11, 1 },	{ N_("隐患\nfound"), 9, 1 },
				 { N_("销号\nclosed"), 9, 1 },	{ N_("按期\non time"), 9, 1 },
				 { N_("逾期\noverdue"), 9, 1 }, { N_("网/片/镇\ncases"), 14, 1 },
				 { N_("汛前\nponds"), 10, 1 },	{ N_("得分\nscore"), 10, 1 },
				 { N_("升降\n±"), 7, 1 } };
	enum { NC = sizeof c / sizeof c[0] };
	char cells[NC][64];
	for (size_t j = 0; j < n; j++) {
		if (j == 0 || p->y > PAGE_H - MARGIN - 6) {
			new_page(p, s);
			p->y += text(p, title, MARGIN, p->y, 12, 1, 0, 0) + 2;
			table_head(p, c, NC);
		}
		const assess_row *r = &rows[ix[j]];
		const assess_fig *f = &r->now;
		num(cells[0], f->rank);
		snprintf(cells[1], 64, "%s%s", r->id ? r->id : "",
			 workers && r->grids > 1 ? " …" : "");
		snprintf(cells[2], 64, "%s", r->name ? r->name : "");
		snprintf(cells[3], 64, "%s", r->worker ? r->worker : "");
		num(cells[4], (double)f->households);
		percent(cells[5], assess_pct(f->weekly, f->households));
		percent(cells[6], assess_pct(f->hh_weeks, f->households * f->weeks));
		num(cells[7], (double)f->found);
		num(cells[8], (double)f->closed);
		num(cells[9], (double)f->on_time);
		num(cells[10], (double)f->overdue);
		snprintf(cells[11], 64, "%ld/%ld/%ld", f->cases[0], f->cases[1], f->cases[2]);
		snprintf(cells[12], 64, "%ld/%ld", f->inspected, f->waters);
		snprintf(cells[13], 64, "%.1f", f->score);
		if (prev_empty)
			snprintf(cells[14], 64, "-");
		else
			signed_num(cells[14], r->prev.rank - f->rank);
		table_row(p, c, NC, cells);
	}
}

static void town_page(assess *a, page *p, cairo_surface_t *s, const char *title)
{
	new_page(p, s);
	p->y += text(p, title, MARGIN, p->y, 14, 1, 0, 0) + 1;
	char sub[512];
	snprintf(sub, sizeof sub, _("全镇 the town: %s against %s%s"), a->w.label, a->prev.label,
		 assess_fig_empty(&a->town_row.prev)
			 ? _(" (no ledger entry in that period: its changes are against nothing)")
			 : "");
	p->y += text(p, sub, MARGIN, p->y, 9, 0, 0, 0) + 4;
	static const col c[] = { { N_("figure"), 60, 0 },
				 { N_("this period"), 30, 1 },
				 { N_("previous"), 30, 1 },
				 { N_("change"), 30, 1 } };
	table_head(p, c, 4);
	char cells[4][64];
	for (int k = 0; k < ASSESS_NFIG; k++) {
		double v = assess_fig_value(&a->town_row.now, k);
		double w = assess_fig_value(&a->town_row.prev, k);
		snprintf(cells[0], 64, "%s", label(fig_labels[k]));
		num(cells[1], v);
		num(cells[2], w);
		if (isnan(v) || isnan(w))
			snprintf(cells[3], 64, "-");
		else
			signed_num(cells[3], round((v - w) * 10) / 10);
		table_row(p, c, 4, cells);
		if (k == 6) {
			snprintf(cells[0], 64, "%s", label(NC_("assess figure", "visits_made")));
			num(cells[1], (double)a->town_row.now.visits_made);
			num(cells[2], (double)a->town_row.prev.visits_made);
			signed_num(cells[3], (double)(a->town_row.now.visits_made -
						      a->town_row.prev.visits_made));
			table_row(p, c, 4, cells);
		}
	}
	p->y += 5;
	p->y += text(p, _("How each figure is counted (grid-assess(1)):"), MARGIN, p->y, 9, 1, 0,
		     0) +
		1;
	for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++) {
		char line[1024];
		snprintf(line, sizeof line, C_("assess rule", "%s: %s"), label(rules[k][0]),
			 _(rules[k][1]));
		PangoLayout *l = map_text(p->pc, REPORT_FONT, line, 7, 0);
		pango_layout_set_width(l, (int)((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD);
		PangoRectangle r;
		pango_layout_get_extents(l, NULL, &r);
		cairo_move_to(p->cr, MARGIN, p->y);
		pango_cairo_show_layout(p->cr, l);
		p->y += (double)r.height / PANGO_SCALE + 0.6;
		g_object_unref(l);
	}
}

/* The grids with their score and rank, in /vsimem/, for the map page. */
static geo_err scratch_grids(assess *a, const char *path)
{
	geo_ctx *ctx = a->ctx;
	GDALDriverH drv = GDALGetDriverByName("FlatGeobuf");
	GDALDatasetH ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
	OGRLayerH l = ds ? GDALDatasetCreateLayer(ds, "grids", geo_crs_ogr(a->gs->crs), wkbPolygon,
						  NULL)
			 : NULL;
	geo_err e = l ? GEO_OK : geo_fail(ctx, GEO_ERR_INTERNAL, "cannot make the report's map");
	if (!e)
		e = add_field(ctx, l, "grid_id", OFTString);
	if (!e)
		e = add_field(ctx, l, "rank", OFTString);
	if (!e)
		e = add_field(ctx, l, "score", OFTReal);
	OGRFeatureH f = e ? NULL : OGR_F_Create(OGR_L_GetLayerDefn(l));
	for (size_t i = 0; !e && i < a->gs->n; i++) {
		if (!a->gs->grids[i].geom)
			continue;
		char rk[16];
		snprintf(rk, sizeof rk, "%d", a->grid_rows[i].now.rank);
		OGR_F_SetFieldString(f, 0, a->grid_rows[i].id);
		OGR_F_SetFieldString(f, 1, rk);
		OGR_F_SetFieldDouble(f, 2, a->grid_rows[i].now.score);
		e = geo_write_feature(ctx, l, f, a->gs->grids[i].geom, NULL);
	}
	if (f)
		OGR_F_Destroy(f);
	if (ds)
		GDALClose(ds);
	return e;
}

geo_err assess_write_report(assess *a)
{
	geo_ctx *ctx = a->ctx;
	geo_output *out = a->report;
	char scratch[96], title[512], sub[256];
	snprintf(scratch, sizeof scratch, "/vsimem/grid-assess-%p.fgb", (void *)a);
	snprintf(title, sizeof title, _("%s 网格考评 grid assessment %s"),
		 a->o->title ? a->o->title : "", a->w.label);
	snprintf(sub, sizeof sub,
		 _("得分 score 0-100, 标注为名次 labels are ranks; previous period %s"),
		 a->prev.label);
	geo_err e = scratch_grids(a, scratch);
	cairo_surface_t *s = e ? NULL : cairo_pdf_surface_create(geo_output_path(out), 595, 842);
	if (s && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", a->o->report,
			     cairo_status_to_string(cairo_surface_status(s)));
	if (!e) {
		geo_map_layer ml = { .name = scratch,
				     .kind = GEO_MAP_SECONDARY,
				     .title = _("二级网格 secondary grids") };
		geo_map_opts mo;
		geo_map_opts_init(&mo);
		mo.title = title;
		mo.subtitle = sub;
		mo.fill_field = "score";
		mo.fill_title = _("得分 score");
		mo.fill_good = 1;
		mo.label_field = "rank";
		e = map_pdf_page(ctx, &ml, 1, &mo, s);
	}
	if (!e) {
		page p = { 0 };
		p.fm = pango_cairo_font_map_new();
		p.pc = pango_font_map_create_context(p.fm);
		/* Unhinted metrics, as grid-map's: hinted ones space CJK text unevenly. */
		cairo_font_options_t *fo = cairo_font_options_create();
		cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
		cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
		pango_cairo_context_set_font_options(p.pc, fo);
		cairo_font_options_destroy(fo);
		town_page(a, &p, s, title);
		size_t *gi = rank_order(ctx, a->grid_rows, a->gs->n);
		size_t *wi = rank_order(ctx, a->worker_rows, a->nworkers);
		if (gi && wi) {
			int pe = assess_fig_empty(&a->town_row.prev);
			ranked_table(&p, s, _("网格排名 grids ranked"), a->grid_rows, a->gs->n, gi, 0,
				     pe);
			ranked_table(&p, s, _("网格员排名 workers ranked"), a->worker_rows,
				     a->nworkers, wi, 1, pe);
		} else {
			e = GEO_ERR_INTERNAL;
		}
		free(gi);
		free(wi);
		if (p.cr) {
			cairo_show_page(p.cr);
			cairo_destroy(p.cr);
		}
		g_object_unref(p.pc);
		g_object_unref(p.fm);
	}
	if (s) {
		cairo_surface_finish(s);
		if (!e && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", a->o->report,
				     cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
	}
	VSIUnlink(scratch);
	if (!e)
		e = geo_output_commit(ctx, out);
	return e;
}

int assess_fig_empty(const assess_fig *f)
{
	return !f->visits && !f->found && !f->closed && !f->cases[0] && !f->cases[1] &&
	       !f->cases[2] && !f->cases[3];
}
