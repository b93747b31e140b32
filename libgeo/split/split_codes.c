/*
** split_codes.c: codes and names for new grids. Primaries are numbered west
** to east, north to south across the town (geo_grid_order), secondaries the
** same way inside their primary, and primaries are named after their village.
**
** With --keep-codes-from, a new grid that matches an old one one to one (at
** least half of both areas shared; geo_match_grids, the matching grid-diff
** uses) keeps the old code, so a grid that survives a redraw keeps its
** worker's code. A secondary keeps its old code only when that code still
** names its new primary. Grids that match nothing get numbers after the
** highest old number, so a retired code never comes back meaning another
** place; only when the digits run out are gaps filled.
*/
#include "split/split_internal.h"

#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

#define MATCH_SHARE 0.5

typedef char code_t[GEO_SECONDARY_CODE_LEN + 2];

void split_old_free(split_old *o)
{
	for (int i = 0; i < 2; i++) {
		free(o->level[i].grids);
		geo_gridset_free(o->sets[i]);
	}
}

static int has_name(char **names, const char *name)
{
	for (int i = 0; names && names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

geo_err split_old_read(geo_ctx *ctx, const char *name, const geo_crs *work, split_old *o)
{
	memset(o, 0, sizeof *o);
	char **layers = geo_input_layer_names(ctx, name);
	if (!layers)
		return geo_last_code(ctx);
	int both = CSLCount(layers) > 1 && has_name(layers, "primary") && has_name(layers, "secondary");
	CSLDestroy(layers);
	geo_input_opts io;
	geo_input_opts_init(&io);
	for (int i = 0; i < (both ? 2 : 1); i++) {
		io.layer = both ? (i ? "secondary" : "primary") : NULL;
		if (!(o->sets[i] = geo_gridset_read(ctx, name, &io, NULL, work)))
			return geo_last_code(ctx);
	}
	for (int lv = 0; lv < 2; lv++) {
		geo_gridset *v = &o->level[lv];
		size_t total = o->sets[0]->n + (o->sets[1] ? o->sets[1]->n : 0);
		*v = *o->sets[0];
		v->n = 0;
		if (!(v->grids = geo_calloc(ctx, total + 1, sizeof *v->grids)))
			return GEO_ERR_INTERNAL;
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; o->sets[s] && i < o->sets[s]->n; i++) {
				const geo_grid *g = &o->sets[s]->grids[i];
				if (g->level == lv + 1 && g->geom)
					v->grids[v->n++] = *g;
			}
	}
	return GEO_OK;
}

/* kept[i]: the code of the old grid that grids[i] matches, or "". */
static geo_err match(geo_ctx *ctx, const geo_gridset *old, split_grid *const *grids, size_t n,
		     const geo_crs *work, code_t *kept)
{
	geo_gridset now = { .n = n, .crs = (geo_crs *)work, .source = "the new grids",
			    .geos = geo_ctx_geos(ctx) };
	now.grids = geo_calloc(ctx, n + 1, sizeof *now.grids);
	long *to_old = geo_calloc(ctx, n + 1, sizeof *to_old);
	geo_err e = now.grids && to_old ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < n; i++) {
		now.grids[i].geom = grids[i]->geom;
		now.grids[i].id = grids[i]->id;
		kept[i][0] = '\0';
	}
	if (!e && old->n)
		e = geo_match_grids(ctx, old, &now, MATCH_SHARE, to_old);
	for (size_t i = 0; !e && old->n && i < n; i++)
		if (to_old[i] >= 0)
			snprintf(kept[i], sizeof kept[i], "%s", old->grids[to_old[i]].id);
	free(now.grids);
	free(to_old);
	return e;
}

/*
** Gives grids[0..n) (in numbering order) codes under `prefix` (a town code
** for primaries, a primary code for secondaries): kept codes first, then
** new numbers after the highest old one under the prefix. The codes of
** `taken` (grids a partial redraw keeps, or NULL) are never given.
*/
static geo_err assign(geo_ctx *ctx, split_grid *const *grids, size_t n, const char *prefix,
		      int level, const code_t *kept, const geo_gridset *old,
		      const geo_gridset *taken)
{
	int max = level == 1 ? 999 : 99;
	size_t plen = strlen(prefix);
	char *used = geo_calloc(ctx, (size_t)max + 2, 1);
	int *seq = geo_calloc(ctx, n + 1, sizeof *seq);
	if (!used || !seq) {
		free(used);
		free(seq);
		return GEO_ERR_INTERNAL;
	}
	int next = 1;
	for (size_t i = 0; taken && i < taken->n; i++) {
		const char *id = taken->grids[i].id;
		int s = geo_grid_code_level(id) == level && !strncmp(id, prefix, plen)
				? atoi(id + plen) : 0;
		if (s >= 1 && s <= max)
			used[s] = 1;
	}
	for (size_t i = 0; old && i < old->n; i++) {
		const char *id = old->grids[i].id;
		if (geo_grid_code_level(id) == level && !strncmp(id, prefix, plen))
			next = atoi(id + plen) + 1 > next ? atoi(id + plen) + 1 : next;
	}
	for (size_t i = 0; kept && i < n; i++) {
		int s = geo_grid_code_level(kept[i]) == level && !strncmp(kept[i], prefix, plen)
				? atoi(kept[i] + plen) : 0;
		if (s >= 1 && s <= max && !used[s]) {
			used[s] = 1;
			seq[i] = s;
		}
	}
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < n; i++) {
		if (!seq[i]) {
			while (next <= max && used[next])
				next++;
			int s = next <= max ? next : 1;
			while (s <= max && used[s])
				s++;
			if (s > max)
				return free(used), free(seq), GEO_ERR_USAGE;
			used[s] = 1;
			seq[i] = s;
		}
		e = level == 1 ? geo_grid_code_primary(grids[i]->id, sizeof grids[i]->id, prefix, seq[i])
			       : geo_grid_code_secondary(grids[i]->id, sizeof grids[i]->id, prefix,
							 seq[i]);
	}
	free(used);
	free(seq);
	return e;
}

/* grids in west-to-east, north-to-south order. */
static geo_err ordered(geo_ctx *ctx, split_grid **grids, size_t n)
{
	GEOSGeometry **g = geo_calloc(ctx, n + 1, sizeof *g);
	size_t *order = geo_calloc(ctx, n + 1, sizeof *order);
	split_grid **copy = geo_calloc(ctx, n + 1, sizeof *copy);
	geo_err e = g && order && copy ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < n; i++)
		g[i] = grids[i]->geom;
	if (!e)
		e = geo_grid_order(ctx, g, n, order);
	for (size_t i = 0; !e && i < n; i++)
		copy[i] = grids[order[i]];
	if (!e)
		memcpy(grids, copy, n * sizeof *grids);
	free(g);
	free(order);
	free(copy);
	return e;
}

static char *printed(const char *fmt, const char *a, int n)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, fmt, a, n);
	return geo_buf_take(&b);
}

/* A secondary's name: "<primary>-01", or in the style of a primary named
** "...村网格" (as the sample town's and many towns' registers are):
** "...村第1网格". */
static char *secondary_name(const char *primary, int n)
{
	static const char grid[] = "网格";
	size_t len = strlen(primary), gl = sizeof grid - 1;
	if (len > gl && !strcmp(primary + len - gl, grid)) {
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "%.*s第%d网格", (int)(len - gl), primary, n);
		return geo_buf_take(&b);
	}
	return printed("%s-%02d", primary, n);
}

/* Primary names: the village's, with -1, -2... when it holds several. */
static geo_err name_primaries(geo_ctx *ctx, split_grid **p, size_t np, const long *village_of,
			      char *const *names, size_t nvillages)
{
	int *total = geo_calloc(ctx, nvillages + 1, sizeof *total);
	int *seen = geo_calloc(ctx, nvillages + 1, sizeof *seen);
	geo_err e = total && seen ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < np; i++)
		if (village_of[p[i]->index] >= 0)
			total[village_of[p[i]->index]]++;
	for (size_t i = 0; !e && i < np; i++) {
		long v = village_of[p[i]->index];
		if (v < 0)
			p[i]->name = printed("%s%03d", "", (int)(i + 1));
		else if (total[v] > 1)
			p[i]->name = printed("%s-%d", names[v], ++seen[v]);
		else
			p[i]->name = printed("%s", names[v], 0);
		if (!p[i]->name)
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	free(total);
	free(seen);
	return e;
}

/* Secondaries under each primary: matching ones keep the code of the grid
** of `match_set` they match; new numbers come after the highest of `old`. */
static geo_err number_secondaries(geo_ctx *ctx, split_grid *g, size_t np, size_t ns,
				  const geo_gridset *match_set, const geo_gridset *old,
				  const geo_gridset *taken, const geo_crs *work)
{
	split_grid **s = geo_calloc(ctx, ns + 1, sizeof *s);
	code_t *kept = geo_calloc(ctx, ns + 1, sizeof *kept);
	geo_err e = s && kept ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t p = 0; !e && p < np; p++) {
		split_grid *pg = &g[p];
		size_t m = 0;
		for (size_t i = 0; i < ns; i++)
			if (g[np + i].index == pg->index)
				s[m++] = &g[np + i];
		e = ordered(ctx, s, m);
		if (!e && match_set)
			e = match(ctx, match_set, s, m, work, kept);
		if (!e)
			e = assign(ctx, s, m, pg->id, 2, match_set ? (const code_t *)kept : NULL, old,
				   taken);
		for (size_t k = 0; !e && k < m; k++) {
			snprintf(s[k]->parent, sizeof s[k]->parent, "%s", pg->id);
			s[k]->name = secondary_name(pg->name, atoi(s[k]->id + GEO_PRIMARY_CODE_LEN));
			if (!s[k]->name)
				e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		}
	}
	free(s);
	free(kept);
	return e;
}

geo_err split_number(geo_ctx *ctx, split_grid *g, size_t np, size_t ns, const long *village_of,
		     char *const *village_names, size_t nvillages, const char *town_code,
		     const char *keep_from, const geo_crs *work)
{
	split_old old;
	memset(&old, 0, sizeof old);
	split_grid **p = geo_calloc(ctx, np + 1, sizeof *p);
	code_t *kept = geo_calloc(ctx, np + 1, sizeof *kept);
	geo_err e = p && kept ? GEO_OK : GEO_ERR_INTERNAL;
	if (!e && keep_from)
		e = split_old_read(ctx, keep_from, work, &old);
	for (size_t i = 0; !e && i < np; i++)
		p[i] = &g[i];
	if (!e)
		e = ordered(ctx, p, np);
	if (!e && keep_from)
		e = match(ctx, &old.level[0], p, np, work, kept);
	if (!e)
		e = assign(ctx, p, np, town_code, 1, keep_from ? (const code_t *)kept : NULL,
			   keep_from ? &old.level[0] : NULL, NULL);
	if (e == GEO_ERR_USAGE)
		e = geo_fail(ctx, e, "cannot number %zu primaries under town code %s", np, town_code);
	if (!e)
		e = name_primaries(ctx, p, np, village_of, village_names, nvillages);
	if (!e)
		e = number_secondaries(ctx, g, np, ns, keep_from ? &old.level[1] : NULL,
				       keep_from ? &old.level[1] : NULL, NULL, work);
	split_old_free(&old);
	free(p);
	free(kept);
	return e;
}

/* The old grid of `set` with this code, or NULL. */
static const geo_grid *old_grid(const geo_gridset *set, const char *id)
{
	long i = geo_gridset_find(set, id);
	return i >= 0 ? &set->grids[i] : NULL;
}

geo_err split_number_redraw(geo_ctx *ctx, split_grid *g, size_t np, size_t ns,
			    const long *village_of, char *const *village_names, size_t nvillages,
			    const char *town_code, const split_redraw *rd, const geo_crs *work)
{
	if (rd->level == 2) {
		/* The new primaries stand for the kept primaries they lie in; the
		** secondaries of every piece of one kept primary are numbered together. */
		for (size_t p = 0; p < np; p++) {
			const char *code = village_names[village_of[g[p].index]];
			const geo_grid *old = old_grid(&rd->old.level[0], code);
			snprintf(g[p].id, sizeof g[p].id, "%s", code);
			g[p].name = geo_strdup(ctx, old && *old->name ? old->name : code);
			if (!g[p].name)
				return GEO_ERR_INTERNAL;
		}
		for (size_t i = 0; i < ns; i++) {
			split_grid *s = &g[np + i];
			for (size_t p = 0; p < np; p++)
				if (!strcmp(g[p].id, g[s->index].id)) {
					s->index = g[p].index;
					break;
				}
		}
		return number_secondaries(ctx, g, np, ns, &rd->redrawn[1], &rd->old.level[1],
					  &rd->keptv[1], work);
	}
	split_grid **p = geo_calloc(ctx, np + 1, sizeof *p);
	code_t *kept = geo_calloc(ctx, np + 1, sizeof *kept);
	geo_err e = p && kept ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < np; i++)
		p[i] = &g[i];
	if (!e)
		e = ordered(ctx, p, np);
	if (!e)
		e = match(ctx, &rd->redrawn[0], p, np, work, kept);
	if (!e)
		e = assign(ctx, p, np, town_code, 1, (const code_t *)kept, &rd->old.level[0],
			   &rd->keptv[0]);
	if (e == GEO_ERR_USAGE)
		e = geo_fail(ctx, e, "cannot number %zu more primaries under town code %s", np,
			     town_code);
	if (!e)
		e = name_primaries(ctx, p, np, village_of, village_names, nvillages);
	/* A primary that keeps its code keeps its name too. */
	for (size_t i = 0; !e && i < np; i++) {
		const geo_grid *old = old_grid(&rd->redrawn[0], p[i]->id);
		if (old && *old->name) {
			char *name = geo_strdup(ctx, old->name);
			if (!name)
				e = GEO_ERR_INTERNAL;
			free(e ? NULL : p[i]->name);
			p[i]->name = e ? p[i]->name : name;
		}
	}
	if (!e)
		e = number_secondaries(ctx, g, np, ns, &rd->redrawn[1], &rd->old.level[1],
				       &rd->keptv[1], work);
	free(p);
	free(kept);
	return e;
}
