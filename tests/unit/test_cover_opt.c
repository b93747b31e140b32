/*
** test_cover_opt.c: grid-cover's placement (cover_greedy) against the proven
** optimum of the same problem solved exactly by GLPK's branch and cut, on
** random instances: sites seeing random demand cells under some of their
** eight headings, at most one camera a site.
**   max sum w_c y_c   s.t.  y_c <= sum of x_sh over the options seeing c,
**   sum_h x_sh <= 1 per site,  sum x_sh <= K,  x binary,  0 <= y_c <= 1.
** For --add K the placement must reach 98% of the optimum on every
** instance GLPK proves (issue 18's floor) and its reported bound must not
** be below it; for --target P the greedy's count must be at least the
** fewest GLPK proves possible, and the greedy's lower bound at most that.
** 1,000 instances by default, two in three small (4-15 sites, 1-5 cameras),
** one in three larger (12-35 sites, 1-8 cameras). WANGGE_OPT_SEED and
** WANGGE_OPT_CASES vary the run; a failure prints its seed.
*/
#include "check.h"
#include "cover/cover_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct instance {
	size_t ncells, nsites;
	float *w;
	cover_site *sites;
} instance;

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

/* Sites see clusters of nearby cells, each under two or three adjacent
** headings, so options overlap the way neighbouring cameras' views do. */
static void make_instance(instance *in, uint64_t seed)
{
	rng_state = seed * 2654435761ULL + 1;
	/* Two instances in three as small as a village street's, one larger. */
	int large = seed % 3 == 2;
	in->ncells = large ? 150 + rnd(350) : 60 + rnd(140);
	in->nsites = large ? 12 + rnd(24) : 4 + rnd(12);
	in->w = calloc(in->ncells, sizeof *in->w);
	in->sites = calloc(in->nsites, sizeof *in->sites);
	for (size_t c = 0; c < in->ncells; c++)
		in->w[c] = (float)(1 + (rnd(4) == 0 ? 4 : 0) + (rnd(6) == 0 ? 4 : 0));
	for (size_t s = 0; s < in->nsites; s++) {
		cover_site *st = &in->sites[s];
		size_t n = 8 + rnd(40), centre = rnd((uint32_t)in->ncells);
		st->cell = calloc(n, sizeof *st->cell);
		st->mask = calloc(n, 1);
		unsigned char *taken = calloc(in->ncells, 1);
		for (size_t k = 0; k < n; k++) {
			size_t c = (centre + rnd(50)) % in->ncells;
			if (taken[c])
				continue;
			taken[c] = 1;
			int h = (int)rnd(COVER_HEADINGS), width = 2 + (int)rnd(2);
			uint8_t m = 0;
			for (int j = 0; j < width; j++)
				m |= (uint8_t)(1u << ((h + j) % COVER_HEADINGS));
			st->cell[st->n] = (uint32_t)c;
			st->mask[st->n++] = m;
		}
		free(taken);
	}
}

static void free_instance(instance *in)
{
	for (size_t s = 0; s < in->nsites; s++) {
		free(in->sites[s].cell);
		free(in->sites[s].mask);
	}
	free(in->sites);
	free(in->w);
}

/* An independent optimum for small instances: every placement of at most k
** cameras, one a site, tried (each site: none or one of its headings). */
static double brute(const instance *in, size_t site, int k, uint16_t *cnt)
{
	double best = 0;
	if (site == in->nsites || k == 0) {
		for (size_t c = 0; c < in->ncells; c++)
			best += cnt[c] ? in->w[c] : 0;
		return best;
	}
	best = brute(in, site + 1, k, cnt);
	const cover_site *st = &in->sites[site];
	for (int h = 0; h < COVER_HEADINGS; h++) {
		for (size_t q = 0; q < st->n; q++)
			cnt[st->cell[q]] += st->mask[q] >> h & 1;
		double v = brute(in, site + 1, k - 1, cnt);
		for (size_t q = 0; q < st->n; q++)
			cnt[st->cell[q]] -= st->mask[q] >> h & 1;
		if (v > best)
			best = v;
	}
	return best;
}

static double total(const instance *in)
{
	double t = 0;
	for (size_t c = 0; c < in->ncells; c++)
		t += in->w[c];
	return t;
}

/*
** The heuristic on a fresh copy of the instance's state into *r, then
** GLPK's exact answer through cover_exact (grid-cover --exact's MIP) seeded
** with it into *x: with k > 0 the most demand k cameras see, else the
** fewest cameras that see target % of it. r keeps the heuristic's answer,
** *answer is --exact's (demand seen, or cameras).
*/
static int solve(geo_ctx *ctx, instance *in, int k, double target, cover_add_result *r,
		 cover_exact_info *x, double *answer)
{
	memset(r, 0, sizeof *r);
	r->demand = total(in);
	uint8_t *seen = calloc(in->ncells, 1);
	for (size_t s = 0; s < in->nsites; s++)
		in->sites[s].used = 0;
	geo_err e = cover_greedy(ctx, in->sites, in->nsites, COVER_HEADINGS, in->w, seen, in->ncells,
				 k, target, r);
	cover_add_result copy = *r;
	size_t cap = (k > 0 ? (size_t)k : in->nsites) + 1;
	copy.site = calloc(cap, sizeof *copy.site);
	copy.heading = calloc(cap, sizeof *copy.heading);
	copy.gain = calloc(cap, sizeof *copy.gain);
	copy.pct = calloc(cap, sizeof *copy.pct);
	memcpy(copy.site, r->site, r->n * sizeof *copy.site);
	memcpy(copy.heading, r->heading, r->n * sizeof *copy.heading);
	memcpy(copy.gain, r->gain, r->n * sizeof *copy.gain);
	memcpy(copy.pct, r->pct, r->n * sizeof *copy.pct);
	if (!e)
		e = cover_exact(ctx, in->sites, in->nsites, COVER_HEADINGS, in->w, seen, in->ncells, k,
				target * r->demand / 100, 20, &copy, x);
	*answer = k > 0 ? copy.seen_after : (double)copy.n;
	cover_add_result_free(&copy);
	free(seen);
	return e ? -1 : x->proved;
}

int main(void)
{
	if (!cover_exact_available()) {
		CHECK_SKIP("the placement against GLPK's optimum", "built without GLPK (WITH_GLPK=0)");
		return check_done();
	}
	geo_ctx *ctx = geo_ctx_new();
	const char *e = getenv("WANGGE_OPT_SEED"), *n = getenv("WANGGE_OPT_CASES");
	uint64_t seed0 = e ? strtoull(e, NULL, 10) : 1;
	int cases = n ? atoi(n) : 1000;
	int solved = 0, within = 0, bound_ok = 0, t_solved = 0, t_ok = 0, t_same = 0, exact_ok = 0;
	int exact_runs = 0, brute_n = 0, brute_ok = 0;
	double worst = 1;
	uint64_t worst_seed = seed0;
	for (int i = 0; i < cases; i++) {
		uint64_t seed = seed0 + (uint64_t)i;
		instance in;
		make_instance(&in, seed);
		int k = 1 + (int)rnd(seed % 3 == 2 ? 8 : 5);
		double opt = 0, answer;
		cover_add_result r;
		cover_exact_info x;
		int proved = solve(ctx, &in, k, 0, &r, &x, &answer);
		if (proved > 0) {
			opt = x.value;
			solved++;
			exact_runs++;
			double ratio = opt > 0 ? r.seen_after / opt : 1;
			within += ratio >= 0.98 - 1e-9;
			bound_ok += r.upper >= opt - 1e-6 && r.seen_after <= opt + 1e-6;
			exact_ok += x.gap_pct == 0 && x.bound == x.value && fabs(answer - opt) < 1e-6;
			if (in.nsites <= 8 && k <= 3) {
				uint16_t *cnt = calloc(in.ncells, sizeof *cnt);
				double b = brute(&in, 0, k, cnt);
				free(cnt);
				brute_n++;
				brute_ok += fabs(b - opt) < 1e-6;
				if (fabs(b - opt) >= 1e-6)
					printf("seed %llu: K %d, GLPK %.0f, every placement tried %.0f\n",
					       (unsigned long long)seed, k, opt, b);
			}
			if (ratio < worst)
				worst = ratio, worst_seed = seed;
			if (ratio < 0.98 - 1e-9 || r.upper < opt - 1e-6)
				printf("seed %llu: K %d, greedy %.0f, optimum %.0f, bound %.1f\n",
				       (unsigned long long)seed, k, r.seen_after, opt, r.upper);
		}
		cover_add_result_free(&r);
		/* --target: the share the optimum of K cameras reaches, so it is
		** reachable and not trivial. */
		double pct = 100 * opt / total(&in);
		int pr = opt > 0 ? solve(ctx, &in, 0, pct - 1e-9, &r, &x, &answer) : -2;
		if (pr > 0) {
			double fewest = x.value;
			t_solved++;
			int ok = r.n + 1e-9 >= fewest && r.fewest <= fewest + 1e-9;
			t_ok += ok;
			t_same += r.n == (size_t)fewest;
			exact_ok += x.gap_pct == 0 && x.bound == x.value && answer == fewest;
			exact_runs++;
			if (!ok)
				printf("seed %llu: target %.2f%%: greedy %zu cameras, fewest %.0f, its bound %zu\n",
				       (unsigned long long)seed, pct, r.n, fewest, r.fewest);
		}
		cover_add_result_free(&r);
		free_instance(&in);
	}
	printf("info %d of %d instances proved optimal by GLPK; greedy's worst %.4f of the optimum "
	       "(seed %llu)\n", solved, cases, worst, (unsigned long long)worst_seed);
	CHECK("GLPK proves most instances optimal", solved >= cases * 9 / 10);
	printf("info GLPK's optimum checked by trying every placement on %d small instances\n", brute_n);
	CHECK("--exact's MIP: GLPK's optimum is the best of every placement", brute_ok == brute_n && brute_n > 0);
	printf("info --add K: within 2%% of the optimum on %d of %d\n", within, solved);
	/* Issue 18's floor. Greedy alone met it on 256 of the first 300, with
	** single exchanges 282; pair exchanges and restarts on all. */
	CHECK("--add K: within 2% of the optimum on every instance GLPK proves", within == solved);
	CHECK("--add K: never below greedy's guarantee, 1-1/e of the optimum", worst >= 1 - exp(-1));
	CHECK("--add K: the reported bound is never below the optimum", bound_ok == solved);
	printf("info --target P: the fewest cameras on %d of %d\n", t_same, t_solved);
	CHECK("--exact: a proved optimum has gap 0 and is the answer", exact_ok == exact_runs);
	CHECK("--target P: greedy's count and its lower bound bracket the fewest", t_ok == t_solved);
	geo_ctx_free(ctx);
	return check_done();
}
