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
#include "cover_internal.h"

#include <glpk.h>
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

/*
** The exact answer by GLPK: with k > 0, the most demand k cameras see;
** with want > 0, the fewest cameras that see want. Returns 1 when GLPK
** proved it within its time limit.
*/
static int solve_exact(const instance *in, int k, double want, double *value)
{
	glp_prob *p = glp_create_prob();
	glp_set_obj_dir(p, k > 0 ? GLP_MAX : GLP_MIN);
	size_t nx = in->nsites * COVER_HEADINGS;
	int x0 = glp_add_cols(p, (int)nx), y0 = glp_add_cols(p, (int)in->ncells);
	for (size_t j = 0; j < nx; j++) {
		glp_set_col_kind(p, x0 + (int)j, GLP_BV);
		glp_set_obj_coef(p, x0 + (int)j, k > 0 ? 0 : 1);
	}
	for (size_t c = 0; c < in->ncells; c++) {
		glp_set_col_bnds(p, y0 + (int)c, GLP_DB, 0, 1);
		glp_set_obj_coef(p, y0 + (int)c, k > 0 ? in->w[c] : 0);
	}
	/* y_c - sum x <= 0, one row a cell, its entries gathered per cell. */
	int r0 = glp_add_rows(p, (int)in->ncells);
	size_t cap = 1 + in->ncells * (1 + nx);
	int *ri = malloc(cap * sizeof *ri), *ci = malloc(cap * sizeof *ci);
	double *v = malloc(cap * sizeof *v);
	size_t ne = 0;
	for (size_t c = 0; c < in->ncells; c++) {
		glp_set_row_bnds(p, r0 + (int)c, GLP_UP, 0, 0);
		ne++, ri[ne] = r0 + (int)c, ci[ne] = y0 + (int)c, v[ne] = 1;
	}
	for (size_t s = 0; s < in->nsites; s++)
		for (size_t q = 0; q < in->sites[s].n; q++)
			for (int h = 0; h < COVER_HEADINGS; h++)
				if (in->sites[s].mask[q] >> h & 1)
					ne++, ri[ne] = r0 + (int)in->sites[s].cell[q],
					ci[ne] = x0 + (int)(s * COVER_HEADINGS + (size_t)h), v[ne] = -1;
	int rs = glp_add_rows(p, (int)in->nsites);
	for (size_t s = 0; s < in->nsites; s++) {
		glp_set_row_bnds(p, rs + (int)s, GLP_UP, 0, 1);
		for (int h = 0; h < COVER_HEADINGS; h++)
			ne++, ri[ne] = rs + (int)s, ci[ne] = x0 + (int)(s * COVER_HEADINGS + (size_t)h),
			v[ne] = 1;
	}
	int rk = glp_add_rows(p, 1);
	if (k > 0) {
		glp_set_row_bnds(p, rk, GLP_UP, 0, k);
		for (size_t j = 0; j < nx; j++)
			ne++, ri[ne] = rk, ci[ne] = x0 + (int)j, v[ne] = 1;
	} else {
		glp_set_row_bnds(p, rk, GLP_LO, want, 0);
		for (size_t c = 0; c < in->ncells; c++)
			ne++, ri[ne] = rk, ci[ne] = y0 + (int)c, v[ne] = in->w[c];
	}
	glp_load_matrix(p, (int)ne, ri, ci, v);
	glp_iocp parm;
	glp_init_iocp(&parm);
	parm.presolve = GLP_ON;
	parm.msg_lev = GLP_MSG_OFF;
	parm.tm_lim = 20000;
	int rc = glp_intopt(p, &parm), proved = rc == 0 && glp_mip_status(p) == GLP_OPT;
	*value = glp_mip_obj_val(p);
	free(ri);
	free(ci);
	free(v);
	glp_delete_prob(p);
	return proved;
}

static double total(const instance *in)
{
	double t = 0;
	for (size_t c = 0; c < in->ncells; c++)
		t += in->w[c];
	return t;
}

/* The greedy on a fresh copy of the instance's state. */
static cover_add_result greedy(geo_ctx *ctx, instance *in, int k, double target)
{
	cover_add_result r;
	memset(&r, 0, sizeof r);
	r.demand = total(in);
	uint8_t *seen = calloc(in->ncells, 1);
	for (size_t s = 0; s < in->nsites; s++)
		in->sites[s].used = 0;
	if (cover_greedy(ctx, in->sites, in->nsites, COVER_HEADINGS, in->w, seen, in->ncells, k,
			 target, &r))
		r.n = SIZE_MAX;
	free(seen);
	return r;
}

int main(void)
{
	glp_term_out(GLP_OFF);
	geo_ctx *ctx = geo_ctx_new();
	const char *e = getenv("WANGGE_OPT_SEED"), *n = getenv("WANGGE_OPT_CASES");
	uint64_t seed0 = e ? strtoull(e, NULL, 10) : 1;
	int cases = n ? atoi(n) : 1000;
	int solved = 0, within = 0, bound_ok = 0, t_solved = 0, t_ok = 0;
	double worst = 1;
	uint64_t worst_seed = 0;
	for (int i = 0; i < cases; i++) {
		uint64_t seed = seed0 + (uint64_t)i;
		instance in;
		make_instance(&in, seed);
		int k = 1 + (int)rnd(seed % 3 == 2 ? 8 : 5);
		double opt;
		if (solve_exact(&in, k, 0, &opt)) {
			cover_add_result r = greedy(ctx, &in, k, 0);
			solved++;
			double ratio = opt > 0 ? r.seen_after / opt : 1;
			within += ratio >= 0.98 - 1e-9;
			bound_ok += r.upper >= opt - 1e-6 && r.seen_after <= opt + 1e-6;
			if (ratio < worst)
				worst = ratio, worst_seed = seed;
			if (ratio < 0.98 - 1e-9 || r.upper < opt - 1e-6)
				printf("seed %llu: K %d, greedy %.0f, optimum %.0f, bound %.1f\n",
				       (unsigned long long)seed, k, r.seen_after, opt, r.upper);
			cover_add_result_free(&r);
		}
		/* --target: the share the optimum of K+1 cameras reaches, so it is
		** reachable and not trivial. */
		double pct = 100 * opt / total(&in), fewest;
		if (opt > 0 && solve_exact(&in, 0, opt, &fewest)) {
			cover_add_result r = greedy(ctx, &in, 0, pct - 1e-9);
			t_solved++;
			int ok = r.n != SIZE_MAX && r.n + 1e-9 >= fewest && r.fewest <= fewest + 1e-9;
			t_ok += ok;
			if (!ok)
				printf("seed %llu: target %.2f%%: greedy %zu cameras, fewest %.0f, its bound %zu\n",
				       (unsigned long long)seed, pct, r.n, fewest, r.fewest);
			cover_add_result_free(&r);
		}
		free_instance(&in);
	}
	printf("info %d of %d instances proved optimal by GLPK; greedy's worst %.4f of the optimum "
	       "(seed %llu)\n", solved, cases, worst, (unsigned long long)worst_seed);
	CHECK("GLPK proves most instances optimal", solved >= cases * 9 / 10);
	printf("info --add K: within 2%% of the optimum on %d of %d\n", within, solved);
	/* Issue 18's floor. Greedy alone met it on 256 of the first 300, with
	** single exchanges 282; pair exchanges and restarts on all. */
	CHECK("--add K: within 2% of the optimum on every instance GLPK proves", within == solved);
	CHECK("--add K: never below greedy's guarantee, 1-1/e of the optimum", worst >= 1 - exp(-1));
	CHECK("--add K: the reported bound is never below the optimum", bound_ok == solved);
	CHECK("--target P: greedy's count and its lower bound bracket the fewest", t_ok == t_solved);
	geo_ctx_free(ctx);
	return check_done();
}
