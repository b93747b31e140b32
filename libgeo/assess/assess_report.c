/*
** assess_report.c: grid-assess's summary, rendered from its result as text
** for people or as one JSON object: the town's figures for the period and
** the one before, the first and last grid, and (JSON) every grid's row.
*/
#include "assess/assess_internal.h"
#include "core/geo_internal.h"

#include <math.h>
#include <string.h>

static void json_fig(geo_buf *b, const geo_assess_figures *f)
{
	geo_buf_add(b, "{");
	for (int k = 0; k < ASSESS_NFIG; k++) {
		if (k)
			geo_buf_add(b, ", ");
		geo_json_str(b, assess_fig_cols[k]);
		geo_buf_add(b, ": ");
		geo_json_num(b, assess_fig_value(f, k), assess_fig_real(k) ? 1 : 0);
	}
	geo_buf_printf(b, ", \"visits_made\": %ld, \"rank\": %d}", f->visits_made, f->rank);
}

static void render_json(geo_buf *b, const geo_assess_result *r)
{
	geo_buf_add(b, "{\"period\": ");
	geo_json_str(b, r->period);
	geo_buf_add(b, ", \"previous\": ");
	geo_json_str(b, r->previous);
	geo_buf_printf(b, ", \"grids\": %zu, \"workers\": %zu, \"visits\": %zu", r->nrows,
		       r->workers, r->visits);
	geo_buf_add(b, ",\n \"town\": ");
	json_fig(b, &r->town);
	geo_buf_add(b, ",\n \"town_previous\": ");
	json_fig(b, &r->town_previous);
	geo_buf_add(b, ",\n \"rows\": [");
	for (size_t i = 0; i < r->nrows; i++) {
		geo_buf_add(b, i ? ",\n  {\"grid_id\": " : "\n  {\"grid_id\": ");
		geo_json_str(b, r->rows[i].grid_id);
		geo_buf_add(b, ", \"worker\": ");
		geo_json_str(b, r->rows[i].worker);
		geo_buf_add(b, ", \"now\": ");
		json_fig(b, &r->rows[i].now);
		geo_buf_add(b, ", \"previous\": ");
		json_fig(b, &r->rows[i].previous);
		geo_buf_add(b, "}");
	}
	geo_buf_printf(b, "],\n \"seconds\": {\"read\": %.2f, \"figures\": %.3f}}\n",
		       r->seconds_read, r->seconds_figures);
}

static void text_fig(geo_buf *b, const char *label, const geo_assess_figures *f)
{
	double vp = assess_pct(f->weekly, f->households);
	double cov = assess_pct(f->hh_weeks, f->households * f->weeks);
	geo_buf_printf(b,
		       _("%s: %ld households, %ld visited every week of %ld (%.1f%%), %.1f%% of "
		       "household-weeks visited; hazards %ld found, "
		       "%ld closed (%ld on time), %ld overdue; cases solved by grid/area/town "
		       "%ld/%ld/%ld, %ld open; ponds and ditches inspected before the flood season "
		       "%ld of %ld; score %.1f\n"),
		       label, f->households, f->weekly, f->weeks, isnan(vp) ? 0 : vp,
		       isnan(cov) ? 0 : cov, f->found, f->closed, f->on_time, f->overdue,
		       f->cases[0], f->cases[1], f->cases[2], f->cases[3], f->inspected, f->waters,
		       f->score);
}

/* The first and the last grid by rank (of equal last ranks, the largest code). */
static void text_ends(geo_buf *b, const geo_assess_result *r)
{
	const geo_assess_row *best = NULL, *worst = NULL;
	for (size_t i = 0; i < r->nrows; i++) {
		const geo_assess_row *row = &r->rows[i];
		if (!best || row->now.rank < best->now.rank)
			best = row;
		if (!worst || row->now.rank > worst->now.rank ||
		    (row->now.rank == worst->now.rank && strcmp(row->grid_id, worst->grid_id) > 0))
			worst = row;
	}
	if (best)
		geo_buf_printf(b, _("first: %s %s (%s), score %.1f; last: %s %s (%s), score %.1f\n"),
			       best->grid_id, best->name, best->worker, best->now.score,
			       worst->grid_id, worst->name, worst->worker, worst->now.score);
}

static void render_text(geo_buf *b, const geo_assess_result *r)
{
	geo_buf_printf(b, _("%s: %zu grids, %zu workers, %zu visits read\n"), r->period, r->nrows,
		       r->workers, r->visits);
	text_fig(b, r->period, &r->town);
	if (assess_fig_empty(&r->town_previous))
		geo_buf_printf(b,
			       _("%s: no ledger entry in that period; changes against it mean "
				 "nothing\n"),
			       r->previous);
	else
		text_fig(b, r->previous, &r->town_previous);
	text_ends(b, r);
	if (r->verbose)
		geo_buf_printf(b, _("read in %.2f s, figures in %.3f s\n"), r->seconds_read,
			       r->seconds_figures);
	if (r->output)
		geo_buf_printf(b, _("tables: %s\n"), r->output);
	if (r->report)
		geo_buf_printf(b, _("report: %s\n"), r->report);
}

GEO_REPORT(assess)
