/*
** split_report.c: grid-split's quality report, rendered from its result as
** text for people or as one JSON object (the one planners, scripts/demo and
** scripts/district read).
*/
#include "core/geo_internal.h"

#include <math.h>

static const char *why_name[] = { N_("households"), N_("shape"), N_("free limit") };

static void json_level(geo_buf *b, const char *name, const geo_split_level *s)
{
	geo_buf_printf(b, ", \"%s\": {\"count\": %zu, \"weight\": {\"min\": ", name, s->count);
	geo_json_num(b, s->weight_min, 1);
	geo_buf_add(b, ", \"max\": ");
	geo_json_num(b, s->weight_max, 1);
	geo_buf_add(b, ", \"max_deviation_pct\": ");
	geo_json_num(b, s->max_deviation * 100, 2);
	geo_buf_printf(b, ", \"outside_tolerance\": %zu}, \"compactness\": {\"min\": ",
		       s->outside_tolerance);
	geo_json_num(b, s->compactness_min, 4);
	geo_buf_add(b, ", \"median\": ");
	geo_json_num(b, s->compactness_median, 4);
	geo_buf_printf(b, "}, \"holes\": %zu}", s->holes);
}

static void json_exceptions(geo_buf *b, const geo_split_result *r)
{
	geo_buf_add(b, ", \"exceptions\": [");
	for (size_t i = 0; i < r->nexceptions; i++) {
		const geo_split_exception *x = &r->exceptions[i];
		geo_buf_add(b, i ? ", {\"grid_id\": " : "{\"grid_id\": ");
		geo_json_str(b, x->grid_id);
		geo_buf_add(b, ", \"weight\": ");
		geo_json_num(b, x->weight, 1);
		geo_buf_add(b, ", \"target\": ");
		geo_json_num(b, x->target, 1);
		geo_buf_add(b, ", \"deviation_pct\": ");
		geo_json_num(b, x->deviation * 100, 2);
		geo_buf_printf(b, ", \"single_building\": %s}", x->single_building ? "true" : "false");
	}
	geo_buf_add(b, "]");
}

/* A grid's limit figures: its length and the shares of it along each kind. */
static void json_limit(geo_buf *b, const geo_split_grid *g)
{
	geo_buf_add(b, ", \"deviation_pct\": ");
	geo_json_num(b, g->deviation * 100, 2);
	geo_buf_add(b, ", \"limit_m\": ");
	geo_json_num(b, g->limit_m, 1);
	double p = g->limit_m > 0 ? g->limit_m : 1;
	geo_buf_add(b, ", \"on_roads\": ");
	geo_json_num(b, g->on_roads_m / p, 4);
	geo_buf_add(b, ", \"on_rivers\": ");
	geo_json_num(b, g->on_rivers_m / p, 4);
	geo_buf_add(b, ", \"on_village_limits\": ");
	geo_json_num(b, g->on_village_m / p, 4);
	geo_buf_add(b, ", \"on_town_boundary\": ");
	geo_json_num(b, g->on_town_m / p, 4);
	geo_buf_add(b, ", \"free\": ");
	geo_json_num(b, g->free, 4);
}

static void json_grids(geo_buf *b, const geo_split_result *r)
{
	geo_buf_add(b, ", \"grids\": [");
	for (size_t i = 0; i < r->ngrids; i++) {
		const geo_split_grid *g = &r->grids[i];
		geo_buf_add(b, i ? ", {\"grid_id\": " : "{\"grid_id\": ");
		geo_json_str(b, g->grid_id);
		geo_buf_printf(b, ", \"level\": %d, \"name\": ", g->level);
		geo_json_str(b, g->name);
		geo_buf_add(b, ", \"households\": ");
		geo_json_num(b, g->households, 0);
		geo_buf_add(b, ", \"persons\": ");
		if (r->has_persons && g->households >= 0)
			geo_json_num(b, g->persons, 0);
		else
			geo_buf_add(b, "null");
		geo_buf_add(b, ", \"area_m2\": ");
		geo_json_num(b, g->area_m2, 1);
		geo_buf_add(b, ", \"compactness\": ");
		geo_json_num(b, g->compactness, 4);
		if (g->kept) {
			geo_buf_add(b, ", \"kept\": true}");
			continue;
		}
		json_limit(b, g);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "], \"worst\": [");
	for (size_t k = 0; k < r->nworst; k++) {
		const geo_split_worst *w = &r->worst[k];
		geo_buf_add(b, k ? ", {\"grid_id\": " : "{\"grid_id\": ");
		geo_json_str(b, r->grids[w->grid].grid_id);
		geo_buf_add(b, ", \"score\": ");
		geo_json_num(b, w->score, 3);
		geo_buf_printf(b, ", \"mostly\": \"%s\"}", why_name[w->mostly]);
	}
	geo_buf_add(b, "]");
}

static void json_households(geo_buf *b, const geo_split_result *r)
{
	geo_buf_add(b, ", \"households\": {\"inside\": ");
	geo_json_num(b, r->households, 0);
	geo_buf_add(b, ", \"persons\": ");
	if (r->has_persons)
		geo_json_num(b, r->persons, 0);
	else
		geo_buf_add(b, "null");
	geo_buf_add(b, ", \"weight_field\": ");
	if (r->weight_field)
		geo_json_str(b, r->weight_field);
	else
		geo_buf_add(b, "null");
	geo_buf_add(b, ", \"weight\": ");
	geo_json_num(b, r->weight, 1);
	geo_buf_printf(b, ", \"outside\": %zu, \"outside_features\": [", r->outside);
	for (size_t i = 0; i < r->outside && i < GEO_SPLIT_LISTED; i++)
		geo_buf_printf(b, "%s%lld", i ? ", " : "", r->outside_fid[i]);
	geo_buf_add(b, "]}");
}

static void render_json(geo_buf *b, const geo_split_result *r)
{
	static const char *methods[] = { "balanced", "square", "hex" };
	geo_buf_printf(b, "{\"method\": \"%s\", \"counts\": {\"primary\": %zu, \"secondary\": %zu, "
		       "\"atoms\": %zu, \"blocks_split\": %zu, \"villages\": %zu}",
		       methods[r->method], r->primary.count, r->secondary.count, r->atoms,
		       r->blocks_split, r->villages);
	if (r->redraw_level)
		geo_buf_printf(b, ", \"redraw\": {\"level\": %d, \"redrawn\": {\"primary\": %zu, "
			       "\"secondary\": %zu}, \"kept\": {\"primary\": %zu, \"secondary\": %zu}}",
			       r->redraw_level, r->redrawn[0], r->redrawn[1], r->kept[0], r->kept[1]);
	json_households(b, r);
	geo_buf_add(b, ", \"tolerance_pct\": ");
	geo_json_num(b, r->tolerance * 100, 1);
	if (r->max_households > 0) {
		geo_buf_add(b, ", \"max_households\": ");
		geo_json_num(b, r->max_households, 3);
		geo_buf_printf(b, ", \"over_max_households\": %zu", r->over_max);
	}
	json_level(b, "primary", &r->primary);
	if (r->method == GEO_SPLIT_BALANCED) {
		json_level(b, "secondary", &r->secondary);
		json_exceptions(b, r);
		geo_buf_add(b, ", \"limits\": {\"internal_m\": ");
		geo_json_num(b, r->internal_m, 1);
		geo_buf_add(b, ", \"along_barriers_m\": ");
		geo_json_num(b, r->along_m, 1);
		geo_buf_add(b, ", \"along_share\": ");
		geo_json_num(b, r->internal_m > 0 ? r->along_m / r->internal_m : 0, 4);
		geo_buf_add(b, "}");
		json_grids(b, r);
	}
	geo_buf_add(b, ", \"time_s\": ");
	geo_json_num(b, r->seconds, 3);
	geo_buf_add(b, "}\n");
}

/* Secondaries' limits by what they follow, as shares of their total length,
** and the secondaries furthest from the floors. */
static void text_limits(geo_buf *b, const geo_split_result *r)
{
	double len = r->sec_limit_m, road = r->sec_on_roads_m, water = r->sec_on_rivers_m;
	double vil = r->sec_on_village_m, town = r->sec_on_town_m;
	if (!(len > 0))
		return;
	geo_buf_printf(b, _("  secondaries' limits: %.0f%% on roads, %.0f%% on rivers, %.0f%% on village "
		       "limits, %.0f%% on the %s, %.0f%% free\n"), 100 * road / len,
		       100 * water / len, 100 * vil / len, 100 * town / len,
		       r->redraw_level ? _("kept grids' limits") : _("town boundary"),
		       fmax(0, 100 * (1 - (road + water + vil + town) / len)));
	if (r->nworst)
		geo_buf_printf(b, _("  the %zu secondaries furthest from the floors:\n"), r->nworst);
	for (size_t k = 0; k < r->nworst; k++) {
		const geo_split_grid *g = &r->grids[r->worst[k].grid];
		geo_buf_printf(b, _("    %s %s: %.0f households (%+.1f%%), Polsby-Popper %.2f, %.0f%% "
			       "of its limit free (mostly %s)\n"), g->grid_id, g->name,
			       g->households, 100 * g->deviation, g->compactness, 100 * g->free,
			       _(why_name[r->worst[k].mostly]));
	}
}

static void text_regular(geo_buf *b, const geo_split_result *r)
{
	const geo_split_level *p = &r->primary;
	geo_buf_printf(b, _("%zu %s cells of %g m\n"), p->count,
		       r->method == GEO_SPLIT_SQUARE ? _("square") : _("hexagon"), r->cell_size);
	geo_buf_printf(b, _("  compactness (Polsby-Popper): min %.2f, median %.2f\n"),
		       p->compactness_min, p->compactness_median);
}

static void text_counts(geo_buf *b, const geo_split_result *r)
{
	size_t np = r->primary.count, ns = r->secondary.count;
	if (r->redraw_level == 2)
		geo_buf_printf(b, _("%zu secondary grids redrawn from %zu atoms in the place of %zu, "
			       "in %zu kept primaries\n"), ns, r->atoms, r->redrawn[1], np);
	else if (r->redraw_level)
		geo_buf_printf(b, _("%zu primary and %zu secondary grids redrawn from %zu atoms in the "
			       "place of %zu and %zu\n"), np, ns, r->atoms, r->redrawn[0],
			       r->redrawn[1]);
	else
		geo_buf_printf(b, _("%zu primary and %zu secondary grids from %zu atoms\n"), np, ns,
			       r->atoms);
	if (r->redraw_level)
		geo_buf_printf(b, _("  kept as they were: %zu primary and %zu secondary grids\n"),
			       r->kept[0], r->kept[1]);
}

static void render_text(geo_buf *b, const geo_split_result *r)
{
	if (r->method != GEO_SPLIT_BALANCED) {
		text_regular(b, r);
		return;
	}
	const geo_split_level *p = &r->primary, *s = &r->secondary;
	text_counts(b, r);
	geo_buf_printf(b, _("  households: %.0f in the %s, %zu outside\n"),
		       r->weight >= 0 ? (double)(r->points - r->outside) : 0,
		       r->redraw_level ? _("redrawn area") : _("town"), r->outside);
	geo_buf_printf(b, _("  secondary %s: %.0f to %.0f, largest deviation %.1f%% of its primary's "
		       "target (tolerance %.0f%%), %zu outside it\n"),
		       r->weight_field ? r->weight_field : _("households"), s->weight_min,
		       s->weight_max, s->max_deviation * 100, r->tolerance * 100, s->outside_tolerance);
	if (r->over_max)
		geo_buf_printf(b, P_("  %zu secondary above --max-households %.0f: a primary gets "
				     "households / H secondaries, rounded up, balanced within the "
				     "tolerance; for none above H, lower H or --tolerance\n",
				     "  %zu secondaries above --max-households %.0f: a primary gets "
				     "households / H secondaries, rounded up, balanced within the "
				     "tolerance; for none above H, lower H or --tolerance\n",
				     r->over_max),
			       r->over_max, r->max_households);
	if (r->redraw_level == 2)
		geo_buf_printf(b, _("  compactness (Polsby-Popper): secondary min %.2f, median %.2f\n"),
			       s->compactness_min, s->compactness_median);
	else
		geo_buf_printf(b, _("  compactness (Polsby-Popper): primary min %.2f, median %.2f; "
			       "secondary min %.2f, median %.2f\n"), p->compactness_min,
			       p->compactness_median, s->compactness_min, s->compactness_median);
	geo_buf_printf(b, _("  internal limits along roads, rivers and village limits: %.1f%% of "
		       "%.1f km\n"), r->internal_m > 0 ? 100 * r->along_m / r->internal_m : 0,
		       r->internal_m / 1000);
	if (p->holes || s->holes)
		geo_buf_printf(b, _("  grids with holes: %zu primary, %zu secondary\n"), p->holes,
			       s->holes);
	text_limits(b, r);
}

GEO_REPORT(split)
