/*
** cover_exact.c: grid-cover's exact placement (--exact): the covering
** problem as a mixed-integer programme for GLPK's branch and cut, seeded
** with the heuristic's answer, stopped at a time limit, with the gap it
** proved. GLPK (libglpk-dev) is the established MIP solver Debian packages;
** it is built in when the Makefile finds glpk.h (HAVE_GLPK), and without it
** --exact says so. The tests solve their instances through the same module.
**
**   --add K:     max sum_g w_g y_g
**   --target P:  min sum_o x_o   with  sum_g w_g y_g >= the demand wanted
**   s.t.  y_g <= sum of x_o over the options o (site, heading) seeing group g,
**         sum_h x_sh <= 1 per site,  (--add) sum_o x_o <= K,
**         x binary, 0 <= y_g <= 1,
** where a group is the unseen demand cells seen by exactly the same options
** (neighbouring cells mostly are): one variable and one row for all of them.
*/
#include "cover/cover_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_GLPK
#include <glpk.h>

int cover_exact_available(void)
{
	return 1;
}

/* The cells some option sees, grouped by the options that see them. */
struct groups {
	size_t n;               /* groups */
	int32_t *of;            /* per cell of the surface: its group, -1 none */
	int32_t *last;          /* per group: the last site whose options went into its row */
	double *w;              /* per group: its weight */
};

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct cell_key { uint64_t h1, h2; uint32_t cell; };

static int by_key(const void *a, const void *b)
{
	const struct cell_key *x = a, *y = b;
	if (x->h1 != y->h1)
		return x->h1 < y->h1 ? -1 : 1;
	return x->h2 < y->h2 ? -1 : x->h2 > y->h2;
}

/* Groups cells by two 64-bit sums of their options' hashes (a collision,
** about 2^-128, would merge two groups: a cell then counts as seen by the
** options of its group's first cell). */
static geo_err make_groups(geo_ctx *ctx, const cover_site *sites, size_t ns, int headings,
			   const float *w, size_t ncells, struct groups *g)
{
	memset(g, 0, sizeof *g);
	g->of = geo_calloc(ctx, ncells, sizeof *g->of);
	if (!g->of)
		return GEO_ERR_INTERNAL;
	memset(g->of, 0xff, ncells * sizeof *g->of);
	size_t nu = 0;
	for (size_t i = 0; i < ns; i++)
		for (size_t q = 0; q < sites[i].n; q++)
			if (g->of[sites[i].cell[q]] < 0)
				g->of[sites[i].cell[q]] = (int32_t)nu++;
	struct cell_key *k = geo_calloc(ctx, nu ? nu : 1, sizeof *k);
	g->last = geo_calloc(ctx, nu ? nu : 1, sizeof *g->last);
	g->w = geo_calloc(ctx, nu ? nu : 1, sizeof *g->w);
	if (!k || !g->last || !g->w) {
		free(k);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < ns; i++)
		for (size_t q = 0; q < sites[i].n; q++) {
			struct cell_key *c = &k[g->of[sites[i].cell[q]]];
			c->cell = sites[i].cell[q];
			for (unsigned m = sites[i].mask[q]; m; m &= m - 1) {
				uint64_t o = i * (uint64_t)headings + (uint64_t)__builtin_ctz(m) + 1;
				c->h1 += mix(o);
				c->h2 += mix(o ^ 0x5851f42d4c957f2dULL);
			}
		}
	qsort(k, nu, sizeof *k, by_key);
	for (size_t u = 0; u < nu; u++) {
		if (u && (k[u].h1 != k[u - 1].h1 || k[u].h2 != k[u - 1].h2))
			g->n++;
		g->of[k[u].cell] = (int32_t)g->n;
		g->w[g->n] += w[k[u].cell];
	}
	g->n += nu > 0;
	free(k);
	return GEO_OK;
}

static void free_groups(struct groups *g)
{
	free(g->of);
	free(g->last);
	free(g->w);
}

/* The programme's columns: x_o from 1, then y_g. */
struct mip {
	glp_prob *p;
	size_t nx;
	int y0;
	double *start;          /* the heuristic's answer, glp's 1-based columns */
	int given;
	double bound;           /* best bound seen during the search */
	int have_bound;
};

static geo_err build(geo_ctx *ctx, struct mip *m, const cover_site *sites, size_t ns, int headings,
		     const struct groups *g, int add, double want)
{
	glp_prob *p = m->p;
	glp_set_obj_dir(p, add ? GLP_MAX : GLP_MIN);
	m->nx = ns * (size_t)headings;
	if (m->nx)
		glp_add_cols(p, (int)m->nx);
	for (size_t j = 0; j < m->nx; j++) {
		glp_set_col_kind(p, 1 + (int)j, GLP_BV);
		glp_set_obj_coef(p, 1 + (int)j, add ? 0 : 1);
	}
	m->y0 = 1 + (int)m->nx;
	if (g->n)
		glp_add_cols(p, (int)g->n);
	for (size_t k = 0; k < g->n; k++) {
		glp_set_col_bnds(p, m->y0 + (int)k, GLP_DB, 0, 1);
		glp_set_obj_coef(p, m->y0 + (int)k, add ? g->w[k] : 0);
	}
	/* Entries: y and its options per group (a group's cells are seen by the
	** same options: each site adds its headings once), x per site, x or y in
	** the last row. */
	size_t ne = g->n + m->nx + (add ? m->nx : g->n);
	memset(g->last, 0xff, g->n * sizeof *g->last);
	for (size_t i = 0; i < ns; i++)
		for (size_t q = 0; q < sites[i].n; q++) {
			int32_t k = g->of[sites[i].cell[q]];
			if (g->last[k] != (int32_t)i) {
				g->last[k] = (int32_t)i;
				ne += (size_t)__builtin_popcount(sites[i].mask[q]);
			}
		}
	memset(g->last, 0xff, g->n * sizeof *g->last);
	int *ri = geo_calloc(ctx, ne + 1, sizeof *ri), *ci = geo_calloc(ctx, ne + 1, sizeof *ci);
	double *v = geo_calloc(ctx, ne + 1, sizeof *v);
	if (!ri || !ci || !v) {
		free(ri);
		free(ci);
		free(v);
		return GEO_ERR_INTERNAL;
	}
	size_t e = 0;
	int rg = g->n ? glp_add_rows(p, (int)g->n) : 1;
	for (size_t k = 0; k < g->n; k++) {
		glp_set_row_bnds(p, rg + (int)k, GLP_UP, 0, 0);
		e++, ri[e] = rg + (int)k, ci[e] = m->y0 + (int)k, v[e] = 1;
	}
	for (size_t i = 0; i < ns; i++)
		for (size_t q = 0; q < sites[i].n; q++) {
			int32_t k = g->of[sites[i].cell[q]];
			if (g->last[k] == (int32_t)i)
				continue;
			g->last[k] = (int32_t)i;
			for (unsigned mk = sites[i].mask[q]; mk; mk &= mk - 1)
				e++, ri[e] = rg + k, v[e] = -1,
				ci[e] = 1 + (int)(i * (size_t)headings + (size_t)__builtin_ctz(mk));
		}
	int rs = ns ? glp_add_rows(p, (int)ns) : 1;
	for (size_t i = 0; i < ns; i++) {
		glp_set_row_bnds(p, rs + (int)i, GLP_UP, 0, 1);
		for (int h = 0; h < headings; h++)
			e++, ri[e] = rs + (int)i, ci[e] = 1 + (int)(i * (size_t)headings + (size_t)h), v[e] = 1;
	}
	int rk = glp_add_rows(p, 1);
	if (add) {
		glp_set_row_bnds(p, rk, GLP_UP, 0, add);
		for (size_t j = 0; j < m->nx; j++)
			e++, ri[e] = rk, ci[e] = 1 + (int)j, v[e] = 1;
	} else {
		glp_set_row_bnds(p, rk, GLP_LO, want, 0);
		for (size_t k = 0; k < g->n; k++)
			e++, ri[e] = rk, ci[e] = m->y0 + (int)k, v[e] = g->w[k];
	}
	glp_load_matrix(p, (int)e, ri, ci, v);
	free(ri);
	free(ci);
	free(v);
	return GEO_OK;
}

/* The heuristic's answer as a full solution: its options, and the groups
** they see. */
static geo_err seed(geo_ctx *ctx, struct mip *m, const cover_site *sites, int headings,
		    const struct groups *g, const cover_add_result *res)
{
	int ncols = glp_get_num_cols(m->p);
	m->start = geo_calloc(ctx, (size_t)ncols + 1, sizeof *m->start);
	if (!m->start)
		return GEO_ERR_INTERNAL;
	for (size_t k = 0; k < res->n; k++) {
		const cover_site *st = &sites[res->site[k]];
		m->start[1 + res->site[k] * (size_t)headings + (size_t)res->heading[k]] = 1;
		for (size_t q = 0; q < st->n; q++)
			if (st->mask[q] >> res->heading[k] & 1)
				m->start[m->y0 + g->of[st->cell[q]]] = 1;
	}
	return GEO_OK;
}

/* GLPK's callback: gives the heuristic's answer once, and notes the bound. */
static void on_node(glp_tree *t, void *data)
{
	struct mip *m = data;
	if (glp_ios_reason(t) == GLP_IHEUR && !m->given) {
		m->given = 1;
		glp_ios_heur_sol(t, m->start);
	}
	int b = glp_ios_best_node(t);
	if (b) {
		m->bound = glp_ios_node_bound(t, b);
		m->have_bound = 1;
	}
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Solves the programme: the LP relaxation first (its bound holds even when
** the branching runs out of time), then branch and cut from its basis. */
static void solve(struct mip *m, double limit, const struct timespec *t0,
		  cover_exact_info *info)
{
	glp_smcp sp;
	glp_init_smcp(&sp);
	sp.msg_lev = GLP_MSG_OFF;
	sp.meth = GLP_PRIMAL;
	sp.tm_lim = (int)fmin(limit * 1000, 2e9);
	glp_std_basis(m->p);
	if (glp_simplex(m->p, &sp) || glp_get_status(m->p) != GLP_OPT)
		return;
	info->lp_solved = 1;
	m->bound = glp_get_obj_val(m->p);
	m->have_bound = 1;
	glp_iocp ip;
	glp_init_iocp(&ip);
	ip.msg_lev = GLP_MSG_OFF;
	ip.cb_func = on_node;
	ip.cb_info = m;
	ip.mip_gap = 0;
	double left = limit - seconds_since(t0);
	if (left <= 0)
		return;
	ip.tm_lim = (int)fmin(left * 1000, 2e9);
	int rc = glp_intopt(m->p, &ip), st = glp_mip_status(m->p);
	info->proved = rc == 0 && st == GLP_OPT;
	info->found = st == GLP_OPT || st == GLP_FEAS;
}

geo_err cover_exact(geo_ctx *ctx, cover_site *sites, size_t ns, int headings, const float *w,
		    uint8_t *seen, size_t ncells, int add, double want, double time_limit,
		    cover_add_result *res, cover_exact_info *info)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(info, 0, sizeof *info);
	info->ran = 1;
	glp_term_out(GLP_OFF);
	struct groups g;
	geo_err e = make_groups(ctx, sites, ns, headings, w, ncells, &g);
	struct mip m = { glp_create_prob(), 0, 0, NULL, 0, 0, 0 };
	double before = res->seen_after - res->seen_before; /* the heuristic's gain */
	size_t cams = res->n;
	if (!e)
		e = build(ctx, &m, sites, ns, headings, &g, add, want);
	if (!e)
		e = seed(ctx, &m, sites, headings, &g, res);
	info->groups = g.n;
	info->options = m.nx;
	if (!e)
		solve(&m, time_limit, &t0, info);
	/* The MIP's answer when it beats the heuristic's. */
	double v = info->found ? glp_mip_obj_val(m.p) : 0;
	int better = info->found && (add ? v > before + 1e-6 * (1 + before) : v < cams - 0.5);
	if (!e && better) {
		size_t n = 0;
		for (size_t i = 0; i < ns; i++)
			sites[i].used = 0;
		for (size_t j = 0; j < m.nx; j++)
			if (glp_mip_col_val(m.p, 1 + (int)j) > 0.5) {
				res->site[n] = j / (size_t)headings;
				res->heading[n] = (int)(j % (size_t)headings);
				sites[res->site[n]].used = 1;
				n++;
			}
		res->n = n;
		info->improved = 1;
		e = cover_swap(ctx, sites, ns, headings, w, seen, ncells,
			       add ? 0 : want + res->seen_before, res);
	}
	/* Bounds on the optimum: the MIP's, or its LP's, or the heuristic's own. */
	if (add) {
		info->value = res->seen_after - res->seen_before;
		double ub = res->upper - res->seen_before;
		info->bound = m.have_bound ? fmin(ub, m.bound) : ub;
		if (info->proved)
			info->bound = info->value;
		info->bound = fmax(info->bound, info->value);
		res->upper = res->seen_before + info->bound;
		info->gap_pct = info->value > 0 ? 100 * (info->bound - info->value) / info->value : 0;
	} else {
		info->value = (double)res->n;
		double lb = res->fewest == SIZE_MAX ? info->value : (double)res->fewest;
		if (m.have_bound)
			lb = fmax(lb, ceil(m.bound - 1e-6));
		if (info->proved)
			lb = info->value;
		info->bound = fmin(lb, info->value);
		if (res->fewest != SIZE_MAX)
			res->fewest = (size_t)info->bound;
		info->gap_pct = info->value > 0 ? 100 * (info->value - info->bound) / info->value : 0;
	}
	info->seconds = seconds_since(&t0);
	free(m.start);
	glp_delete_prob(m.p);
	free_groups(&g);
	return e;
}

#else

int cover_exact_available(void)
{
	return 0;
}

geo_err cover_exact(geo_ctx *ctx, cover_site *sites, size_t ns, int headings, const float *w,
		    uint8_t *seen, size_t ncells, int add, double want, double time_limit,
		    cover_add_result *res, cover_exact_info *info)
{
	(void)sites, (void)ns, (void)headings, (void)w, (void)seen, (void)ncells, (void)add;
	(void)want, (void)time_limit, (void)res;
	memset(info, 0, sizeof *info);
	return geo_fail(ctx, GEO_ERR_USAGE, "--exact needs grid-cover built with GLPK (install "
			"libglpk-dev, then make WITH_GLPK=1)");
}

#endif
