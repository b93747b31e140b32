/*
** cover_report.c: grid-cover's report, rendered from the public result
** alone: text for people, or one JSON object for scripts, with fixed
** decimals.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double pct_of(double part, double whole)
{
	return whole > 0 ? 100 * part / whole : 0;
}

/* How many cameras --add asked for, or --target placed. */
static size_t asked(const geo_cover_placement *p)
{
	return p->asked ? (size_t)p->asked : p->added;
}

static int target_reached(const geo_cover_placement *p)
{
	return p->seen_after >= p->target * p->demand / 100;
}

/* The greedy's gain as a share of the most any such cameras could add. */
static double gain_share(const geo_cover_placement *p)
{
	return p->upper > p->seen_before ? 100 * (p->seen_after - p->seen_before) / (p->upper - p->seen_before)
					 : 100;
}

/* Whether --target was reached, and how few cameras it could have taken. */
static void target_line(geo_buf *b, const geo_cover_placement *p)
{
	if (!target_reached(p))
		geo_buf_printf(b, _("target: %g%% NOT reached: the proposals see %.2f%% of the demand%s; "
				    "more sites (--sites, --site-spacing) or longer ranges are needed\n"),
			       p->target, pct_of(p->seen_after, p->demand),
			       p->fewest == SIZE_MAX ? _(", and no placement from these sites reaches it") : "");
	else if (p->fewest == 0)
		geo_buf_printf(b, _("target: %g%% already reached by the cameras there are\n"), p->target);
	else
		geo_buf_printf(b, _("target: %g%% reached with %zu cameras; no placement from these "
				    "sites does it with fewer than %zu\n"), p->target, p->added, p->fewest);
}

/* What --exact proved. */
static void exact_line(geo_buf *b, const geo_cover_placement *p)
{
	const geo_cover_exact *x = &p->exact;
	if (!x->ran)
		geo_buf_printf(b, _("exact: nothing to prove (the target is reached already, or out of "
				    "reach)\n"));
	else if (!x->lp_solved)
		geo_buf_printf(b, _("exact: GLPK did not solve the LP relaxation within %g s (%zu options, "
				    "%zu groups of cells); the gap from the heuristic's bound: %.2f%%\n"),
			       x->time_limit, x->options, x->groups, x->gap_pct);
	else if (x->proved)
		geo_buf_printf(b, _("exact: GLPK proved the optimum in %.1f s (gap 0%%; %zu options, %zu "
				    "groups of cells); %s\n"), x->seconds, x->options, x->groups,
			       x->improved ? _("it beats the heuristic's answer")
					   : _("the heuristic's answer is optimal"));
	else
		geo_buf_printf(b, _("exact: GLPK stopped at the time limit (%g s): gap %.2f%% (%s %.0f, "
				    "bound %.0f; %zu options, %zu groups of cells); %s\n"), x->time_limit,
			       x->gap_pct, p->asked ? _("demand added") : _("cameras"), x->value, x->bound,
			       x->options, x->groups,
			       x->improved ? _("its answer beats the heuristic's")
					   : _("the heuristic's answer stands"));
}

static void placement_text(geo_buf *b, const geo_cover_placement *p, int verbose)
{
	if (p->asked)
		geo_buf_printf(b, _("added: %zu of %d cameras"), p->added, p->asked);
	else
		geo_buf_printf(b, _("added: %zu cameras for %g%% of the demand"), p->added, p->target);
	geo_buf_printf(b, _(" (%g m, %g°, %g m) from %zu sites (%zu near unseen demand) by lazy "
			    "greedy, %zu gains computed\n"), p->height, p->fov, p->range, p->sites,
		       p->viewsheds, p->evaluations);
	geo_buf_printf(b, _("demand seen: %.2f%% now, %.2f%% with them (demand weight %.0f)\n"),
		       pct_of(p->seen_before, p->demand), pct_of(p->seen_after, p->demand), p->demand);
	if (p->has_demand)
		geo_buf_printf(b, _("--demand: %zu features add demand weight %.0f in the grids\n"),
			       p->demand_features, p->demand_added);
	if (p->target > 0)
		target_line(b, p);
	if (p->has_exact)
		exact_line(b, p);
	geo_buf_printf(b, _("bound: no %zu cameras reach more than %.2f%%, so these add at least "
			    "%.1f%% of the best possible gain (greedy guarantees %.1f%%, 1-1/e, "
			    "without the one-camera-per-site rule)\n"), asked(p), pct_of(p->upper, p->demand),
		       gain_share(p), 100 * (1 - exp(-1)));
	for (size_t k = 0; k < p->added && (verbose || k < 10); k++)
		geo_buf_printf(b, _("%s %zu: +%.0f demand, %.2f%%\n"), k ? "     " : _("  new"), k + 1,
			       p->gain[k], p->pct[k]);
}

static void render_text(geo_buf *b, const geo_cover_result *r)
{
	const geo_raster_grid *g = &r->grid;
	double cell_m2 = g->px * g->py;
	geo_buf_printf(b, _("%s: %d x %d cells of %g m in %s, extent %.1f %.1f %.1f %.1f\n"), r->output,
		       g->width, g->height, g->px, r->crs, g->x0, g->y0 - g->height * g->py,
		       g->x0 + g->width * g->px, g->y0);
	geo_buf_printf(b, _("surface: %s%s, target %.2f m above it\n"), r->dem ? "DEM" : _("flat ground"),
		       r->obstacles ? _(" with obstacles") : "", r->target_height);
	geo_buf_printf(b, _("cameras: %zu; ranges: %zu from the field, %zu by DORI %s (%.0f px/m), "
			    "%zu by kind\n"), r->cameras, r->range_field, r->range_dori,
		       geo_dori_name(r->dori), geo_dori_density(r->dori), r->range_kind);
	geo_buf_printf(b, _("covered: %.2f%% of %.4f km² (%s)\n"), pct_of(r->covered, r->cells),
		       r->cells * cell_m2 / 1e6, r->in_grids ? _("the grids") : _("the surface"));
	if (r->households > 0)
		geo_buf_printf(b, _("households seen: %.0f of %.0f (%.2f%%)\n"), r->households_seen,
			       r->households, 100 * r->households_seen / r->households);
	if (r->has_blind_spots)
		geo_buf_printf(b, _("blind spots: %zu of at least %g m², %.0f m²\n"), r->blind_spots,
			       r->min_area, r->blind_spot_m2);
	for (size_t k = 0; k < r->nworst; k++)
		geo_buf_printf(b, _("%s %s: %.2f%% covered, %ld cameras, %.0f m² blind\n"),
			       k ? "      " : _("worst:"), r->worst[k].id, r->worst[k].covered_pct,
			       r->worst[k].cameras, r->worst[k].blind_m2);
	if (r->add)
		placement_text(b, r->add, r->verbose);
	if (r->verbose && r->add)
		geo_buf_printf(b, _("exchanges: %.3g cells visited%s; choosing took %.3f s\n"), r->add->work,
			       r->add->pairs_complete ? "" : _(", stopped at their limit"), r->add->seconds);
	if (r->verbose)
		geo_buf_printf(b, _("seconds: surface %.3f, viewsheds %.3f, write %.3f, add %.3f\n"),
			       r->seconds[0], r->seconds[1], r->seconds[2], r->seconds[3]);
}

static void exact_json(geo_buf *b, const geo_cover_exact *x)
{
	geo_buf_printf(b, ", \"exact\": {\"ran\": %s, \"lp_solved\": %s, \"proved\": %s, "
			  "\"improved\": %s, \"value\": ", x->ran ? "true" : "false",
		       x->lp_solved ? "true" : "false", x->proved ? "true" : "false",
		       x->improved ? "true" : "false");
	geo_json_num(b, x->value, 1);
	geo_buf_add(b, ", \"bound\": ");
	geo_json_num(b, x->bound, 1);
	geo_buf_add(b, ", \"gap_pct\": ");
	geo_json_num(b, x->gap_pct, 3);
	geo_buf_printf(b, ", \"options\": %zu, \"groups\": %zu, \"seconds\": ", x->options, x->groups);
	geo_json_num(b, x->seconds, 3);
	geo_buf_add(b, "}");
}

static void placement_json(geo_buf *b, const geo_cover_placement *p)
{
	geo_buf_add(b, ", \"add\": {\"asked\": ");
	if (p->asked)
		geo_buf_printf(b, "%d", p->asked);
	else
		geo_buf_add(b, "null");
	geo_buf_add(b, ", \"target_pct\": ");
	if (p->target > 0) {
		geo_json_num(b, p->target, 2);
		geo_buf_printf(b, ", \"target_reached\": %s, \"fewest_bound\": ",
			       target_reached(p) ? "true" : "false");
		if (p->fewest == SIZE_MAX)
			geo_buf_add(b, "null");
		else
			geo_buf_printf(b, "%zu", p->fewest);
	} else {
		geo_buf_add(b, "null");
	}
	geo_buf_printf(b, ", \"added\": %zu, \"sites\": %zu, \"viewsheds\": %zu, "
			  "\"evaluations\": %zu, \"demand\": ", p->added, p->sites, p->viewsheds,
		       p->evaluations);
	geo_json_num(b, p->demand, 1);
	geo_buf_add(b, ", \"seen_pct_before\": ");
	geo_json_num(b, pct_of(p->seen_before, p->demand), 2);
	geo_buf_add(b, ", \"seen_pct_after\": ");
	geo_json_num(b, pct_of(p->seen_after, p->demand), 2);
	geo_buf_add(b, ", \"upper_bound_pct\": ");
	geo_json_num(b, pct_of(p->upper, p->demand), 2);
	geo_buf_add(b, ", \"gain_share_of_best_pct\": ");
	geo_json_num(b, gain_share(p), 2);
	if (p->has_demand) {
		geo_buf_printf(b, ", \"demand_features\": %zu, \"demand_added\": ", p->demand_features);
		geo_json_num(b, p->demand_added, 1);
	}
	if (p->has_exact)
		exact_json(b, &p->exact);
	geo_buf_add(b, ", \"gains\": [");
	for (size_t k = 0; k < p->added; k++) {
		if (k)
			geo_buf_add(b, ", ");
		geo_json_num(b, p->gain[k], 1);
	}
	geo_buf_add(b, "]}");
}

static void render_json(geo_buf *b, const geo_cover_result *r)
{
	double cell_m2 = r->grid.px * r->grid.py;
	geo_buf_add(b, "{\"output\": ");
	geo_json_str(b, r->output);
	geo_buf_printf(b, ", \"crs\": ");
	geo_json_str(b, r->crs);
	geo_buf_printf(b, ", \"cell_m\": ");
	geo_json_num(b, r->grid.px, 3);
	geo_buf_printf(b, ", \"size\": [%d, %d], \"cameras\": %zu", r->grid.width, r->grid.height,
		       r->cameras);
	geo_buf_printf(b, ", \"ranges\": {\"field\": %zu, \"dori\": %zu, \"kind\": %zu}, \"dori\": ",
		       r->range_field, r->range_dori, r->range_kind);
	geo_json_str(b, geo_dori_name(r->dori));
	geo_buf_add(b, ", \"target_height_m\": ");
	geo_json_num(b, r->target_height, 2);
	geo_buf_add(b, ", \"area_km2\": ");
	geo_json_num(b, r->cells * cell_m2 / 1e6, 4);
	geo_buf_add(b, ", \"covered_pct\": ");
	geo_json_num(b, pct_of(r->covered, r->cells), 2);
	if (r->households > 0)
		geo_buf_printf(b, ", \"households\": %.0f, \"households_seen\": %.0f", r->households,
			       r->households_seen);
	if (r->has_blind_spots) {
		geo_buf_printf(b, ", \"blind_spots\": %zu, \"blind_spot_m2\": ", r->blind_spots);
		geo_json_num(b, r->blind_spot_m2, 1);
	}
	geo_buf_add(b, ", \"worst\": [");
	for (size_t k = 0; k < r->nworst; k++) {
		geo_buf_add(b, k ? ", {\"grid_id\": " : "{\"grid_id\": ");
		geo_json_str(b, r->worst[k].id);
		geo_buf_add(b, ", \"covered_pct\": ");
		geo_json_num(b, r->worst[k].covered_pct, 2);
		geo_buf_printf(b, ", \"cameras\": %ld}", r->worst[k].cameras);
	}
	geo_buf_add(b, "]");
	if (r->add)
		placement_json(b, r->add);
	geo_json_nums(b, ", \"seconds\": {", 3, "surface", r->seconds[0], "viewsheds", r->seconds[1],
		      "write", r->seconds[2], "add", r->seconds[3], (char *)NULL);
	geo_buf_add(b, "}}\n");
}

GEO_REPORT(cover)

void geo_cover_result_free(geo_cover_result *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->nworst; k++)
		free(r->worst[k].id);
	if (r->add) {
		free(r->add->gain);
		free(r->add->pct);
		free(r->add);
	}
	free(r->output);
	free(r->crs);
	free(r);
}
