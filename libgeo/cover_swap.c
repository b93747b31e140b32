/*
** cover_swap.c: improves grid-cover's greedy placement by exchanges. Greedy
** alone is within 1-1/e of the optimum and, on small instances solved
** exactly by GLPK (tests/unit/test_cover_opt.c), fell 2% or more short on
** one in seven (44 of 300; with the exchanges, 18); so each proposed camera is in turn taken out and replaced by
** the option (site and heading) that sees the most demand the others leave
** unseen, when that is more than it saw alone, until no exchange helps
** (local search with single swaps). An option can only help if it sees more
** on its own than the camera it replaces, so the options are tried in
** decreasing order of what they see alone and the search stops early. For
** --target, cameras are then dropped while the rest, re-exchanged, still
** reach it. At most one camera a site, as in the greedy.
*/
#include "cover_internal.h"

#include <stdlib.h>
#include <string.h>

/* The swap search's state: how many proposed cameras see each cell. */
struct swap {
	cover_site *sites;
	size_t ns;
	int headings;
	const float *w;
	uint16_t *cnt;
	uint8_t *mine;          /* the cells of the camera being replaced */
	uint32_t *order;        /* options by what they see alone, largest first */
	double *alone;
};

#define OPT_SITE(s, j) ((j) / (uint32_t)(s)->headings)
#define OPT_HEADING(s, j) ((int)((j) % (uint32_t)(s)->headings))

static void count(struct swap *s, uint32_t j, int by)
{
	const cover_site *st = &s->sites[OPT_SITE(s, j)];
	int h = OPT_HEADING(s, j);
	for (size_t q = 0; q < st->n; q++)
		if (st->mask[q] >> h & 1)
			s->cnt[st->cell[q]] = (uint16_t)(s->cnt[st->cell[q]] + by);
}

/* What option j sees that no proposed camera but the one in mine sees. */
static double gain_without(const struct swap *s, uint32_t j)
{
	const cover_site *st = &s->sites[OPT_SITE(s, j)];
	int h = OPT_HEADING(s, j);
	double g = 0;
	for (size_t q = 0; q < st->n; q++) {
		uint32_t c = st->cell[q];
		if ((st->mask[q] >> h & 1) && s->cnt[c] - s->mine[c] == 0)
			g += s->w[c];
	}
	return g;
}

static void mark_mine(struct swap *s, uint32_t j, uint8_t v)
{
	const cover_site *st = &s->sites[OPT_SITE(s, j)];
	int h = OPT_HEADING(s, j);
	for (size_t q = 0; q < st->n; q++)
		if (st->mask[q] >> h & 1)
			s->mine[st->cell[q]] = v;
}

/* Tries to replace camera i by a better option; 1 when it did. */
static int swap_one(struct swap *s, uint32_t *opt)
{
	uint32_t i = *opt;
	mark_mine(s, i, 1);
	double loss = gain_without(s, i), best = loss + 1e-9 * (1 + loss);
	uint32_t pick = i;
	size_t nopt = s->ns * (size_t)s->headings;
	for (size_t k = 0; k < nopt && s->alone[s->order[k]] > best; k++) {
		uint32_t j = s->order[k];
		size_t site = OPT_SITE(s, j);
		if (j == i || (s->sites[site].used && site != OPT_SITE(s, i)))
			continue;
		double g = gain_without(s, j);
		if (g > best)
			best = g, pick = j;
	}
	mark_mine(s, i, 0);
	if (pick == i)
		return 0;
	count(s, i, -1);
	count(s, pick, 1);
	s->sites[OPT_SITE(s, i)].used = 0;
	s->sites[OPT_SITE(s, pick)].used = 1;
	*opt = pick;
	return 1;
}

/* Single swaps until none helps (each strictly adds, so it ends). */
static void local_search(struct swap *s, uint32_t *opt, size_t n)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t k = 0; k < n; k++)
			changed |= swap_one(s, &opt[k]);
	}
}

static double seen_by(const struct swap *s, size_t ncells)
{
	double t = 0;
	for (size_t c = 0; c < ncells; c++)
		if (s->cnt[c])
			t += s->w[c];
	return t;
}

static int by_alone(const void *a, const void *b, void *alone)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	double x = ((const double *)alone)[i], y = ((const double *)alone)[j];
	return x < y ? 1 : x > y ? -1 : (i > j) - (i < j);
}

/* For --target: drops cameras while the others, exchanged, still see want
** (demand seen before the proposals not counted). Returns the count. */
static size_t drop_while_enough(struct swap *s, uint32_t *opt, size_t n, size_t ncells,
				double want, uint16_t *saved_cnt, uint32_t *saved_opt)
{
	while (n > 1) {
		memcpy(saved_cnt, s->cnt, ncells * sizeof *s->cnt);
		memcpy(saved_opt, opt, n * sizeof *opt);
		size_t weakest = 0;
		double least = -1;
		for (size_t k = 0; k < n; k++) {
			mark_mine(s, opt[k], 1);
			double loss = gain_without(s, opt[k]);
			mark_mine(s, opt[k], 0);
			if (least < 0 || loss < least)
				least = loss, weakest = k;
		}
		count(s, opt[weakest], -1);
		s->sites[OPT_SITE(s, opt[weakest])].used = 0;
		opt[weakest] = opt[n - 1];
		local_search(s, opt, n - 1);
		if (seen_by(s, ncells) >= want) {
			n--;
			continue;
		}
		/* Not enough: put the cameras back as they were. */
		for (size_t k = 0; k < n - 1; k++)
			s->sites[OPT_SITE(s, opt[k])].used = 0;
		memcpy(opt, saved_opt, n * sizeof *opt);
		for (size_t k = 0; k < n; k++)
			s->sites[OPT_SITE(s, opt[k])].used = 1;
		memcpy(s->cnt, saved_cnt, ncells * sizeof *s->cnt);
		break;
	}
	return n;
}

/* Lists the cameras in greedy order of what each adds to those before it,
** with gain[] and pct[], and marks what they see in seen. */
static void reorder(struct swap *s, uint32_t *opt, size_t n, uint8_t *seen, size_t ncells,
		    cover_add_result *res)
{
	memset(s->cnt, 0, ncells * sizeof *s->cnt);
	double got = res->seen_before;
	for (size_t k = 0; k < n; k++) {
		size_t best = k;
		double bg = -1;
		for (size_t m = k; m < n; m++) {
			double g = gain_without(s, opt[m]);
			if (g > bg)
				bg = g, best = m;
		}
		uint32_t t = opt[k];
		opt[k] = opt[best];
		opt[best] = t;
		count(s, opt[k], 1);
		got += bg;
		res->site[k] = OPT_SITE(s, opt[k]);
		res->heading[k] = OPT_HEADING(s, opt[k]);
		res->gain[k] = bg;
		res->pct[k] = res->demand > 0 ? 100 * got / res->demand : 0;
	}
	res->n = n;
	res->seen_after = got;
	for (size_t c = 0; c < ncells; c++)
		seen[c] = s->cnt[c] > 0;
}

geo_err cover_swap(geo_ctx *ctx, cover_site *sites, size_t ns, int headings, const float *w,
		   uint8_t *seen, size_t ncells, double want, cover_add_result *res)
{
	/* A cell's count is 16 bits: more cameras than that are left as chosen. */
	if (!res->n || res->n > UINT16_MAX)
		return GEO_OK;
	size_t nopt = ns * (size_t)headings;
	struct swap s = { sites, ns, headings, w, geo_calloc(ctx, ncells, sizeof *s.cnt),
			  geo_calloc(ctx, ncells, 1), geo_calloc(ctx, nopt, sizeof *s.order),
			  geo_calloc(ctx, nopt, sizeof *s.alone) };
	uint32_t *opt = geo_calloc(ctx, res->n, sizeof *opt);
	uint32_t *saved_opt = geo_calloc(ctx, res->n, sizeof *saved_opt);
	uint16_t *saved_cnt = want > 0 ? geo_calloc(ctx, ncells, sizeof *saved_cnt) : NULL;
	geo_err e = s.cnt && s.mine && s.order && s.alone && opt && saved_opt &&
				    (want <= 0 || saved_cnt)
			    ? GEO_OK
			    : GEO_ERR_INTERNAL;
	for (uint32_t j = 0; !e && j < nopt; j++) {
		s.order[j] = j;
		s.alone[j] = gain_without(&s, j); /* nothing proposed yet: all it sees */
	}
	if (!e) {
		qsort_r(s.order, nopt, sizeof *s.order, by_alone, s.alone);
		for (size_t k = 0; k < res->n; k++) {
			opt[k] = (uint32_t)(res->site[k] * (size_t)headings + (size_t)res->heading[k]);
			count(&s, opt[k], 1);
		}
		local_search(&s, opt, res->n);
		size_t n = res->n;
		if (want > 0)
			n = drop_while_enough(&s, opt, n, ncells, want - res->seen_before, saved_cnt,
					      saved_opt);
		reorder(&s, opt, n, seen, ncells, res);
	}
	free(s.cnt);
	free(s.mine);
	free(s.order);
	free(s.alone);
	free(opt);
	free(saved_opt);
	free(saved_cnt);
	return e;
}
