/*
** cover_swap.c: improves grid-cover's greedy placement by exchanges and
** restarts. Greedy alone is within 1-1/e of the optimum and, on small
** instances solved exactly by GLPK (tests/unit/test_cover_opt.c), fell 2% or
** more short on one in seven. Three steps follow it:
** - single exchanges: each proposed camera in turn is replaced by the option
**   (site and heading) that sees the most demand the others leave unseen,
**   when that is more than it saw, until none helps; an option can only help
**   if it sees more alone than the camera it replaces, so options are tried
**   in decreasing order of what they see alone and the scan stops early;
** - pair exchanges: each two cameras replaced together by the best two
**   options, found exactly with the same kind of bound;
** - restarts (partial enumeration): the greedy again from each of the
**   options that see most alone as its first camera, exchanged the same way.
** The last two are bounded by COVER_PAIR_WORK cells visited: they complete
** on small instances (the tests), not on a town's thousands of sites, where
** they gain little. For --target, cameras are then dropped while the rest,
** re-exchanged, still reach it. At most one camera a site, as in the greedy.
*/
#include "cover/cover_internal.h"

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
	double *gain;           /* pair exchanges: each option's gain given the others */
	uint32_t *cand;         /* and the options that gain, largest first */
	double work, budget;    /* cells visited by the search, and their limit */
	double value;           /* what the proposals see */
	cover_opt *heap;        /* restarts' lazy greedy */
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
static double gain_without(struct swap *s, uint32_t j)
{
	const cover_site *st = &s->sites[OPT_SITE(s, j)];
	int h = OPT_HEADING(s, j);
	double g = 0;
	s->work += st->n;
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
	s->value += best - loss;
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

/* What every heading of site i sees that no proposed camera sees, into g. */
static void site_gains(struct swap *s, size_t i, double *g)
{
	const cover_site *st = &s->sites[i];
	for (int h = 0; h < s->headings; h++)
		g[h] = 0;
	for (size_t q = 0; q < st->n; q++)
		if (!s->cnt[st->cell[q]])
			for (unsigned m = st->mask[q]; m; m &= m - 1)
				g[__builtin_ctz(m)] += s->w[st->cell[q]];
	s->work += st->n;
}

static void set_used(struct swap *s, uint32_t j, int used)
{
	s->sites[OPT_SITE(s, j)].used = used;
}

static int by_alone(const void *a, const void *b, void *alone)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	double x = ((const double *)alone)[i], y = ((const double *)alone)[j];
	return x < y ? 1 : x > y ? -1 : (i > j) - (i < j);
}

/*
** Tries to replace cameras opt[i] and opt[j] together by the two options
** that see the most the others leave unseen; 1 when that adds. The best
** pair is found exactly: options in decreasing order of their gain g given
** the others, the second for each first searched while g(first) + g(second)
** can still beat the best pair, which is exact because a second camera adds
** at most its gain given the others.
*/
static int swap_pair(struct swap *s, uint32_t *opt, size_t i, size_t j)
{
	uint32_t a0 = opt[i], b0 = opt[j];
	count(s, a0, -1);
	count(s, b0, -1);
	set_used(s, a0, 0);
	set_used(s, b0, 0);
	double loss = gain_without(s, a0);
	count(s, a0, 1);
	loss += gain_without(s, b0);
	count(s, a0, -1);
	size_t m = 0;
	for (size_t site = 0; site < s->ns; site++) {
		if (s->sites[site].used)
			continue;
		double g[COVER_HEADINGS];
		site_gains(s, site, g);
		for (int h = 0; h < s->headings; h++) {
			uint32_t o = (uint32_t)(site * (size_t)s->headings + (size_t)h);
			s->gain[o] = g[h];
			if (g[h] > 0)
				s->cand[m++] = o;
		}
	}
	qsort_r(s->cand, m, sizeof *s->cand, by_alone, s->gain);
	double best = loss + 1e-9 * (1 + loss);
	uint32_t pa = a0, pb = b0;
	for (size_t p = 0; p < m; p++) {
		uint32_t a = s->cand[p];
		/* The best second is at most the best other gain. */
		if (s->gain[a] + s->gain[s->cand[p ? 0 : m > 1]] <= best)
			break;
		count(s, a, 1);
		for (size_t q = 0; q < m; q++) {
			uint32_t b = s->cand[q];
			if (s->gain[a] + s->gain[b] <= best)
				break;
			if (OPT_SITE(s, b) == OPT_SITE(s, a))
				continue;
			double g = s->gain[a] + gain_without(s, b);
			if (g > best)
				best = g, pa = a, pb = b;
		}
		count(s, a, -1);
	}
	if (pa != a0 || pb != b0)
		s->value += best - loss;
	count(s, pa, 1);
	count(s, pb, 1);
	set_used(s, pa, 1);
	set_used(s, pb, 1);
	opt[i] = pa;
	opt[j] = pb;
	return pa != a0 || pb != b0;
}

/*
** Pair exchanges, each followed by single ones, until none helps or the
** work (cells visited) passes s->budget: on a town's thousands of sites a
** pass over the pairs of 30 cameras would take minutes, on the small
** instances of the tests it always completes.
*/
static void pair_search(struct swap *s, uint32_t *opt, size_t n)
{
	for (int changed = 1; changed && s->work < s->budget;) {
		changed = 0;
		for (size_t i = 0; i < n && s->work < s->budget; i++)
			for (size_t j = i + 1; j < n && s->work < s->budget; j++)
				if (swap_pair(s, opt, i, j)) {
					changed = 1;
					local_search(s, opt, n);
				}
	}
}

/* Lazy greedy from opt[from] to opt[n - 1], the bounds from what each option
** sees alone; returns the cameras placed (fewer when none gains). */
static size_t greedy_fill(struct swap *s, uint32_t *opt, size_t from, size_t n)
{
	size_t nopt = s->ns * (size_t)s->headings, nh = 0;
	/* Sorted by decreasing bound: already a heap. */
	for (size_t k = 0; k < nopt && s->alone[s->order[k]] > 0; k++) {
		uint32_t j = s->order[k];
		s->heap[nh++] = (cover_opt){ s->alone[j], OPT_SITE(s, j), (uint8_t)OPT_HEADING(s, j) };
	}
	size_t k = from;
	while (k < n && nh) {
		cover_opt op = cover_heap_pop(s->heap, &nh);
		if (s->sites[op.site].used)
			continue;
		uint32_t j = op.site * (uint32_t)s->headings + op.heading;
		double g = gain_without(s, j);
		if (nh && g < s->heap[0].bound) {
			op.bound = g;
			if (g > 0)
				cover_heap_push(s->heap, &nh, op);
			continue;
		}
		if (!(g > 0))
			break;
		count(s, j, 1);
		set_used(s, j, 1);
		s->value += g;
		opt[k++] = j;
	}
	return k;
}

static void take_out(struct swap *s, const uint32_t *opt, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		count(s, opt[k], -1);
		set_used(s, opt[k], 0);
	}
	s->value = 0;
}

static int holds(const uint32_t *opt, size_t n, uint32_t j)
{
	for (size_t k = 0; k < n; k++)
		if (opt[k] == j)
			return 1;
	return 0;
}

/* Replaces the m cameras of opt by the n of best, whose value is known. */
static void put_back(struct swap *s, uint32_t *opt, size_t m, const uint32_t *best, size_t n,
		     double value)
{
	take_out(s, opt, m);
	memcpy(opt, best, n * sizeof *opt);
	for (size_t k = 0; k < n; k++) {
		count(s, opt[k], 1);
		set_used(s, opt[k], 1);
	}
	s->value = value;
}

/*
** Restarts (partial enumeration): the greedy again with each of the
** COVER_RESTARTS options that see most alone as its first camera, each
** improved by single and pair exchanges; keeps the best placement in opt.
*/
static void restarts(struct swap *s, uint32_t *opt, size_t n, uint32_t *best)
{
	size_t nopt = s->ns * (size_t)s->headings;
	double best_value = s->value;
	memcpy(best, opt, n * sizeof *opt);
	for (size_t r = 0; r < nopt && r < COVER_RESTARTS && s->work < s->budget; r++) {
		uint32_t first = s->order[r];
		if (!(s->alone[first] > 0))
			break;
		if (holds(best, n, first))
			continue;
		take_out(s, opt, n);
		opt[0] = first;
		count(s, first, 1);
		set_used(s, first, 1);
		s->value = s->alone[first];
		size_t m = greedy_fill(s, opt, 1, n);
		if (m < n) {
			put_back(s, opt, m, best, n, best_value);
			continue;
		}
		local_search(s, opt, n);
		pair_search(s, opt, n);
		if (s->value > best_value + 1e-9 * (1 + best_value)) {
			best_value = s->value;
			memcpy(best, opt, n * sizeof *opt);
		}
	}
	put_back(s, opt, n, best, n, best_value);
}

static double seen_by(const struct swap *s, size_t ncells)
{
	double t = 0;
	for (size_t c = 0; c < ncells; c++)
		if (s->cnt[c])
			t += s->w[c];
	return t;
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
		if (seen_by(s, ncells) < want)
			pair_search(s, opt, n - 1);
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
			  geo_calloc(ctx, nopt, sizeof *s.alone), geo_calloc(ctx, nopt, sizeof *s.gain),
			  geo_calloc(ctx, nopt, sizeof *s.cand), 0, COVER_PAIR_WORK, 0,
			  geo_calloc(ctx, nopt, sizeof *s.heap) };
	uint32_t *opt = geo_calloc(ctx, res->n, sizeof *opt);
	uint32_t *saved_opt = geo_calloc(ctx, res->n, sizeof *saved_opt);
	uint16_t *saved_cnt = want > 0 ? geo_calloc(ctx, ncells, sizeof *saved_cnt) : NULL;
	geo_err e = s.cnt && s.mine && s.order && s.alone && s.gain && s.cand && s.heap && opt &&
				    saved_opt &&
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
			s.value += res->gain[k];
		}
		local_search(&s, opt, res->n);
		pair_search(&s, opt, res->n);
		restarts(&s, opt, res->n, saved_opt);
		size_t n = res->n;
		if (want > 0)
			n = drop_while_enough(&s, opt, n, ncells, want - res->seen_before, saved_cnt,
					      saved_opt);
		reorder(&s, opt, n, seen, ncells, res);
		res->pairs_complete = s.work < s.budget;
		res->work = s.work;
	}
	free(s.gain);
	free(s.cand);
	free(s.heap);
	free(s.cnt);
	free(s.mine);
	free(s.order);
	free(s.alone);
	free(opt);
	free(saved_opt);
	free(saved_cnt);
	return e;
}
