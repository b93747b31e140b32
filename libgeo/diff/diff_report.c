/*
** diff_report.c: grid-diff's report, rendered from the public result alone:
** text for people, or one JSON object for scripts. Everything is listed in
** code order with fixed decimals, so the same grids give the same bytes.
** The hand-over list groups the moved features by layer, old grid and new
** grid: what one grid worker hands to another.
*/
#include "core/geo_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *code_of(const geo_gridset *gs, long i)
{
	return i < 0 ? "" : gs->grids[i].id;
}

static const char *shown(const char *code)
{
	return *code ? code : _("(none)");
}

/* Moves ordered by layer, old code, new code, then input order. */
static int by_handover(const void *x, const void *y, void *data)
{
	const geo_diff_result *r = data;
	const geo_diff_move *a = &r->moves[*(const size_t *)x], *b = &r->moves[*(const size_t *)y];
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	int c = strcmp(code_of(r->old_grids, a->old_grid), code_of(r->old_grids, b->old_grid));
	if (!c)
		c = strcmp(code_of(r->new_grids, a->new_grid), code_of(r->new_grids, b->new_grid));
	if (!c && a->old_grid != b->old_grid)
		c = a->old_grid < b->old_grid ? -1 : 1;
	if (!c && a->new_grid != b->new_grid)
		c = a->new_grid < b->new_grid ? -1 : 1;
	return c ? c : *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

static size_t *handover_order(const geo_diff_result *r)
{
	size_t *order = calloc(r->nmoves ? r->nmoves : 1, sizeof *order);
	for (size_t k = 0; order && k < r->nmoves; k++)
		order[k] = k;
	if (order)
		qsort_r(order, r->nmoves, sizeof *order, by_handover, (void *)r);
	return order;
}

static int same_handover(const geo_diff_move *a, const geo_diff_move *b)
{
	return a->layer == b->layer && a->old_grid == b->old_grid && a->new_grid == b->new_grid;
}

/* Per-grid counts of one layer by code, both sides: codes of both sets in
** order, each with its count in OLD and in NEW (a code in one set only
** counts 0 in the other). */
struct code_count {
	const char *code;
	size_t n_old, n_new;
};

static int by_count_code(const void *x, const void *y)
{
	return strcmp(((const struct code_count *)x)->code, ((const struct code_count *)y)->code);
}

static struct code_count *counts_by_code(const geo_diff_result *r, const geo_diff_layer *l,
					 size_t *n)
{
	size_t na = r->old_grids->n, nb = r->new_grids->n, k = 0;
	struct code_count *c = calloc(na + nb, sizeof *c);
	if (!c)
		return NULL;
	for (size_t i = 0; i < na; i++)
		c[k++] = (struct code_count){ r->old_grids->grids[i].id, l->count_old[i], 0 };
	for (size_t j = 0; j < nb; j++)
		c[k++] = (struct code_count){ r->new_grids->grids[j].id, 0, l->count_new[j] };
	qsort(c, k, sizeof *c, by_count_code);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m && !strcmp(c[m - 1].code, c[i].code)) {
			c[m - 1].n_old += c[i].n_old;
			c[m - 1].n_new += c[i].n_new;
		} else {
			c[m++] = c[i];
		}
	}
	*n = m;
	return c;
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_codes(geo_buf *b, const geo_gridset *gs, const size_t *idx, size_t n)
{
	geo_buf_add(b, "[");
	for (size_t k = 0; k < n; k++) {
		geo_buf_add(b, k ? ", " : "");
		geo_json_str(b, gs->grids[idx[k]].id);
	}
	geo_buf_add(b, "]");
}

static void json_code_or_null(geo_buf *b, const geo_gridset *gs, long i)
{
	if (i < 0)
		geo_buf_add(b, "null");
	else
		geo_json_str(b, gs->grids[i].id);
}

static void json_worker(geo_buf *b, const geo_diff_result *r, const geo_gridset *gs, long i)
{
	if (i < 0)
		geo_buf_add(b, "null");
	else
		geo_json_str(b, geo_diff_worker(r, gs, (size_t)i));
}

static void json_groups(geo_buf *b, const geo_diff_result *r)
{
	geo_buf_add(b, ", \"classes\": {");
	for (int c = 0; c < GEO_DIFF_NCLASSES; c++)
		geo_buf_printf(b, "%s\"%s\": %zu", c ? ", " : "", geo_diff_class_name(c), r->classes[c]);
	geo_buf_add(b, "}, \"grids\": [");
	for (size_t k = 0; k < r->ngroups; k++) {
		const geo_diff_group *g = &r->groups[k];
		geo_buf_printf(b, "%s{\"class\": \"%s\", \"old\": ", k ? ", " : "",
			       geo_diff_class_name(g->cls));
		json_codes(b, r->old_grids, g->old_idx, g->nold);
		geo_buf_add(b, ", \"new\": ");
		json_codes(b, r->new_grids, g->new_idx, g->nnew);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "]");
}

static void json_pairs(geo_buf *b, const geo_diff_result *r)
{
	const geo_overlay *ov = r->overlay;
	geo_buf_add(b, ", \"pairs\": [");
	for (size_t k = 0; k < ov->n; k++) {
		const geo_overlap *p = &ov->pairs[k];
		geo_buf_add(b, k ? ", {\"old\": " : "{\"old\": ");
		geo_json_str(b, r->old_grids->grids[p->a].id);
		geo_buf_add(b, ", \"new\": ");
		geo_json_str(b, r->new_grids->grids[p->b].id);
		geo_buf_add(b, ", \"area_m2\": ");
		geo_json_num(b, p->area, 1);
		geo_buf_add(b, ", \"old_pct\": ");
		geo_json_num(b, 100 * p->area / ov->area_a[p->a], 2);
		geo_buf_add(b, ", \"new_pct\": ");
		geo_json_num(b, 100 * p->area / ov->area_b[p->b], 2);
		geo_buf_printf(b, ", \"matched\": %s, \"moved\": %s}",
			       r->new_to_old[p->b] == (long)p->a ? "true" : "false",
			       geo_diff_same_code(r, (long)p->a, (long)p->b) ? "false" : "true");
	}
	geo_buf_add(b, "], \"code_changes\": [");
	int first = 1;
	for (size_t j = 0; j < r->new_grids->n; j++) {
		long i = r->new_to_old[j];
		if (i < 0 || !strcmp(r->old_grids->grids[i].id, r->new_grids->grids[j].id))
			continue;
		geo_buf_add(b, first ? "{\"old\": " : ", {\"old\": ");
		geo_json_str(b, r->old_grids->grids[i].id);
		geo_buf_add(b, ", \"new\": ");
		geo_json_str(b, r->new_grids->grids[j].id);
		geo_buf_add(b, "}");
		first = 0;
	}
	geo_buf_add(b, "]");
}

static void json_area(geo_buf *b, const geo_diff_result *r)
{
	geo_buf_add(b, ", \"area\": {\"old_m2\": ");
	geo_json_num(b, r->area_old, 1);
	geo_buf_add(b, ", \"new_m2\": ");
	geo_json_num(b, r->area_new, 1);
	geo_buf_add(b, ", \"moved_m2\": ");
	geo_json_num(b, r->moved_m2, 1);
	geo_buf_add(b, "}, \"spill\": {\"old_outside_new_m2\": ");
	geo_json_num(b, r->outside_new_m2, 1);
	geo_buf_add(b, ", \"new_outside_old_m2\": ");
	geo_json_num(b, r->outside_old_m2, 1);
	geo_buf_add(b, ", \"grids\": [");
	int first = 1;
	for (int side = 0; side < 2; side++) {
		const geo_gridset *gs = side ? r->new_grids : r->old_grids;
		const double *out = side ? r->outside_old : r->outside_new;
		for (size_t i = 0; i < gs->n; i++) {
			if (out[i] <= 0)
				continue;
			geo_buf_printf(b, "%s{\"side\": \"%s\", \"grid\": ", first ? "" : ", ",
				       side ? "new" : "old");
			geo_json_str(b, gs->grids[i].id);
			geo_buf_add(b, ", \"area_m2\": ");
			geo_json_num(b, out[i], 1);
			geo_buf_add(b, "}");
			first = 0;
		}
	}
	geo_buf_add(b, "]}");
}

static void json_counts(geo_buf *b, const geo_gridset *gs, const size_t *count)
{
	geo_buf_add(b, "{");
	for (size_t i = 0; i < gs->n; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_str(b, gs->grids[i].id);
		geo_buf_printf(b, ": %zu", count[i]);
	}
	geo_buf_add(b, "}");
}

static void json_layers(geo_buf *b, const geo_diff_result *r)
{
	geo_buf_add(b, ", \"moved\": {");
	for (size_t l = 0; l < r->nlayers; l++) {
		geo_buf_add(b, l ? ", " : "");
		geo_json_str(b, r->layers[l].name);
		geo_buf_printf(b, ": %zu", r->layers[l].moved);
	}
	geo_buf_add(b, "}, \"layers\": [");
	for (size_t l = 0; l < r->nlayers; l++) {
		const geo_diff_layer *ly = &r->layers[l];
		geo_json_strings(b, l ? ", {" : "{", "layer", ly->name, "source", ly->source, (char *)NULL);
		geo_buf_printf(b, ", \"features\": %zu, \"empty\": %zu, \"moved\": %zu, "
				  "\"outside_old\": %zu, \"outside_new\": %zu, \"counts\": {\"old\": ",
			       ly->features, ly->empty, ly->moved, ly->outside_old, ly->outside_new);
		json_counts(b, r->old_grids, ly->count_old);
		geo_buf_add(b, ", \"new\": ");
		json_counts(b, r->new_grids, ly->count_new);
		geo_buf_add(b, "}}");
	}
	geo_buf_add(b, "]");
}

static void json_handover(geo_buf *b, const geo_diff_result *r, const size_t *order)
{
	geo_buf_add(b, ", \"hand_over\": [");
	for (size_t k = 0, first = 1; k < r->nmoves;) {
		const geo_diff_move *m = &r->moves[order[k]];
		size_t n = 0;
		while (k < r->nmoves && same_handover(m, &r->moves[order[k]]))
			n++, k++;
		geo_buf_add(b, first ? "{\"layer\": " : ", {\"layer\": ");
		geo_json_str(b, r->layers[m->layer].name);
		geo_buf_add(b, ", \"old\": ");
		json_code_or_null(b, r->old_grids, m->old_grid);
		geo_buf_add(b, ", \"new\": ");
		json_code_or_null(b, r->new_grids, m->new_grid);
		if (r->has_workers) {
			geo_buf_add(b, ", \"old_worker\": ");
			json_worker(b, r, r->old_grids, m->old_grid);
			geo_buf_add(b, ", \"new_worker\": ");
			json_worker(b, r, r->new_grids, m->new_grid);
		}
		geo_buf_printf(b, ", \"count\": %zu}", n);
		first = 0;
	}
	geo_buf_add(b, "]");
}

static void render_json(geo_buf *b, const geo_diff_result *r, const size_t *order)
{
	geo_buf_add(b, "{\"old\": ");
	geo_json_str(b, r->old_grids->source);
	geo_buf_add(b, ", \"new\": ");
	geo_json_str(b, r->new_grids->source);
	geo_buf_printf(b, ", \"level\": %d, \"working_crs\": ", r->level);
	geo_json_str(b, geo_crs_name(r->old_grids->crs));
	geo_buf_printf(b, ", \"changed\": %s, \"counts\": {\"old\": %zu, \"new\": %zu}",
		       r->changed ? "true" : "false", r->old_grids->n, r->new_grids->n);
	json_groups(b, r);
	json_pairs(b, r);
	json_area(b, r);
	json_layers(b, r);
	json_handover(b, r, order);
	if (r->codes_kept || r->codes_renumbered)
		geo_buf_printf(b, ", \"keep_codes\": {\"kept\": %zu, \"renumbered\": %zu}",
			       r->codes_kept, r->codes_renumbered);
	geo_buf_add(b, "}\n");
}

/* ---- text ------------------------------------------------------------------ */

/* The classes as a planner reads them (拆分(split) under zh_CN). */
static const char *const class_labels[GEO_DIFF_NCLASSES] = {
	NC_("grid change", "unchanged"), NC_("grid change", "reshaped"), NC_("grid change", "split"),
	NC_("grid change", "merged"), NC_("grid change", "regrouped"), NC_("grid change", "new"),
	NC_("grid change", "removed"),
};

static const char *class_label(geo_diff_class c)
{
	return c >= 0 && c < GEO_DIFF_NCLASSES ? geo_pgettext(class_labels[c], geo_diff_class_name(c))
					       : "?";
}

static void text_groups(geo_buf *b, const geo_diff_result *r, int verbose)
{
	geo_buf_add(b, _("Grids:"));
	for (int c = 0; c < GEO_DIFF_NCLASSES; c++)
		geo_buf_printf(b, "%s %zu %s", c ? _(",") : "", r->classes[c], class_label(c));
	geo_buf_add(b, "\n");
	for (size_t k = 0; k < r->ngroups; k++) {
		const geo_diff_group *g = &r->groups[k];
		if (g->cls == GEO_DIFF_UNCHANGED && !verbose)
			continue;
		geo_buf_add(b, "  ");
		geo_buf_pad(b, class_label(g->cls), 10);
		for (size_t i = 0; i < g->nold; i++)
			geo_buf_printf(b, " %s", shown(r->old_grids->grids[g->old_idx[i]].id));
		geo_buf_add(b, g->nold ? " ->" : _(" (none) ->"));
		for (size_t j = 0; j < g->nnew; j++)
			geo_buf_printf(b, " %s", shown(r->new_grids->grids[g->new_idx[j]].id));
		geo_buf_add(b, g->nnew ? "\n" : _(" (none)\n"));
	}
}

static void text_area(geo_buf *b, const geo_diff_result *r, int verbose)
{
	const geo_overlay *ov = r->overlay;
	geo_buf_printf(b, _("Area moved to other grids: %.1f m² (%.2f%% of OLD's %.1f m²)\n"),
		       r->moved_m2, r->area_old > 0 ? 100 * r->moved_m2 / r->area_old : 0.0,
		       r->area_old);
	for (size_t k = 0; k < ov->n; k++) {
		const geo_overlap *p = &ov->pairs[k];
		int same = geo_diff_same_code(r, (long)p->a, (long)p->b);
		if (same && !verbose)
			continue;
		geo_buf_printf(b, _("  %s -> %s: %.1f m², %.2f%% of old, %.2f%% of new%s\n"),
			       shown(r->old_grids->grids[p->a].id), shown(r->new_grids->grids[p->b].id),
			       p->area, 100 * p->area / ov->area_a[p->a],
			       100 * p->area / ov->area_b[p->b], same ? _(" (stays)") : "");
	}
	if (r->outside_new_m2 > 0 || r->outside_old_m2 > 0 || verbose) {
		geo_buf_printf(b, _("Spill: %.1f m² of OLD in no new grid, %.1f m² of NEW in no old grid\n"),
			       r->outside_new_m2, r->outside_old_m2);
		for (size_t i = 0; i < r->old_grids->n; i++)
			if (r->outside_new[i] > 0)
				geo_buf_printf(b, _("  old %s: %.1f m² in no new grid\n"),
					       shown(r->old_grids->grids[i].id), r->outside_new[i]);
		for (size_t j = 0; j < r->new_grids->n; j++)
			if (r->outside_old[j] > 0)
				geo_buf_printf(b, _("  new %s: %.1f m² in no old grid\n"),
					       shown(r->new_grids->grids[j].id), r->outside_old[j]);
	}
	if (!r->code_changes)
		return;
	geo_buf_printf(b, _("Code changes (the same grid by area, another code): %zu\n"),
		       r->code_changes);
	for (size_t j = 0; j < r->new_grids->n; j++) {
		long i = r->new_to_old[j];
		if (i >= 0 && strcmp(r->old_grids->grids[i].id, r->new_grids->grids[j].id))
			geo_buf_printf(b, "  %s -> %s\n", shown(r->old_grids->grids[i].id),
				       shown(r->new_grids->grids[j].id));
	}
}

static void text_grid(geo_buf *b, const geo_diff_result *r, const geo_gridset *gs, long i)
{
	if (i < 0) {
		geo_buf_add(b, _("(no grid)"));
		return;
	}
	geo_buf_add(b, shown(gs->grids[i].id));
	const char *w = r->has_workers ? geo_diff_worker(r, gs, (size_t)i) : "";
	if (*w)
		geo_buf_printf(b, " (%s)", w);
}

static void text_features(geo_buf *b, const geo_diff_result *r, const size_t *order, int verbose)
{
	if (!r->nlayers)
		return;
	geo_buf_add(b, _("Features that change grid:\n"));
	for (size_t l = 0; l < r->nlayers; l++) {
		const geo_diff_layer *ly = &r->layers[l];
		geo_buf_printf(b, _("  %s: %zu of %zu"), ly->name, ly->moved, ly->features);
		geo_buf_printf(b, _(" (%zu in no old grid, %zu in no new grid"), ly->outside_old,
			       ly->outside_new);
		geo_buf_printf(b, ly->empty ? _(", %zu without geometry)\n") : ")\n", ly->empty);
	}
	if (r->nmoves)
		geo_buf_add(b, _("Hand-over (old grid -> new grid: features):\n"));
	for (size_t k = 0; k < r->nmoves;) {
		const geo_diff_move *m = &r->moves[order[k]];
		size_t n = 0;
		while (k < r->nmoves && same_handover(m, &r->moves[order[k]]))
			n++, k++;
		geo_buf_printf(b, "  %s: ", r->layers[m->layer].name);
		text_grid(b, r, r->old_grids, m->old_grid);
		geo_buf_add(b, " -> ");
		text_grid(b, r, r->new_grids, m->new_grid);
		geo_buf_printf(b, ": %zu\n", n);
	}
	for (size_t l = 0; l < r->nlayers; l++) {
		size_t n = 0;
		struct code_count *c = counts_by_code(r, &r->layers[l], &n);
		int head = 0;
		for (size_t k = 0; c && k < n; k++) {
			if (c[k].n_old == c[k].n_new && !verbose)
				continue;
			if (!head++)
				geo_buf_printf(b, _("%s per grid (old -> new)%s:\n"), r->layers[l].name,
					       verbose ? "" : _(", where it changes"));
			geo_buf_printf(b, "  %s: %zu -> %zu\n", shown(c[k].code), c[k].n_old,
				       c[k].n_new);
		}
		free(c);
	}
}

static void render_text(geo_buf *b, const geo_diff_result *r, const size_t *order, int verbose)
{
	geo_buf_printf(b, _("OLD: %s, %zu grids\nNEW: %s, %zu grids\n"), r->old_grids->source,
		       r->old_grids->n, r->new_grids->source, r->new_grids->n);
	geo_buf_printf(b, _("%s grids, compared in %s\n"),
		       r->level == 1 ? _("Primary") : r->level == 2 ? _("Secondary") : _("Unlevelled"),
		       geo_crs_name(r->old_grids->crs));
	text_groups(b, r, verbose);
	text_area(b, r, verbose);
	text_features(b, r, order, verbose);
	if (r->codes_kept || r->codes_renumbered)
		geo_buf_printf(b, _("Kept codes: %zu new grids carry their old grid's code, %zu got a "
				  "fresh code\n"),
			       r->codes_kept, r->codes_renumbered);
	geo_buf_add(b, r->changed ? _("Changed.\n") : _("No change.\n"));
}

geo_err geo_diff_report(const geo_diff_result *r, int json, FILE *f)
{
	size_t *order = handover_order(r);
	if (!order)
		return GEO_ERR_INTERNAL;
	geo_buf b;
	geo_buf_init(&b);
	if (json)
		render_json(&b, r, order);
	else
		render_text(&b, r, order, r->verbose);
	free(order);
	return geo_buf_write(&b, f);
}
