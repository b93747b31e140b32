/*
** partition.c: cuts a graph of atoms into k parts that are contiguous, not
** enclosed in one another, balanced by weight within a tolerance, and cheap
** to cut (edges along barriers cost little, so limits follow them).
**
** METIS (METIS_PartGraphKway with METIS_OPTION_CONTIG) makes the first
** partition: it is the established multilevel partitioner and finds a cheap,
** nearly balanced cut in milliseconds. METIS only bounds the heaviest part,
** can leave parts empty when atoms are coarse, and knows nothing of holes,
** so the result is then put right here:
**   - a part in several pieces keeps its heaviest piece; the others join the
**     neighbouring part they share most boundary with;
**   - a region enclosed by one part is opened by giving the enclosed part
**     the lightest path of atoms out through the enclosing one (or, failing
**     that, joins the enclosing part), and parts left empty are refilled by
**     cutting the heaviest part again with METIS;
**   - a local search moves boundary atoms from part to part until every part
**     is within the tolerance, preferring moves that cost least cut;
**   - a refinement moves boundary atoms that shorten the cut while staying
**     within the tolerance;
**   - parts less round than PP_GOAL (Polsby-Popper) are rounded by boundary
**     moves that raise the lesser roundness of the two parts concerned.
** Every move keeps the losing part connected and never makes the gaining part
** enclose anything, tested exactly by breadth-first search. A disconnected
** graph is partitioned one connected piece at a time, the parts shared out by
** weight. A few METIS seeds are tried and the best result kept.
*/
#include "split/partition.h"

#include <math.h>
#include <metis.h>
#include <stdlib.h>
#include <string.h>

#define TRIES 3             /* METIS seeds tried per graph */
#define FIX_ROUNDS 64       /* rounds of piece, hole and empty-part repair */
#define REFINE_PASSES 12
#define TOL_MARGIN 0.98      /* share of the tolerance aimed at */
#define PP_GOAL 0.35         /* parts less round than this are rounded */

void split_graph_free(split_graph *g)
{
	if (!g)
		return;
	free(g->xadj);
	free(g->adj);
	free(g->ew);
	free(g->vw);
	free(g->out);
	free(g->len);
	free(g->area);
	free(g->outlen);
	memset(g, 0, sizeof *g);
}

int split_graph_alloc(split_graph *g, size_t n, size_t ne, int shaped)
{
	memset(g, 0, sizeof *g);
	g->n = n;
	g->xadj = calloc(n + 1, sizeof *g->xadj);
	g->adj = calloc(ne + 1, sizeof *g->adj);
	g->ew = calloc(ne + 1, sizeof *g->ew);
	g->vw = calloc(n + 1, sizeof *g->vw);
	g->out = calloc(n + 1, 1);
	if (!g->xadj || !g->adj || !g->ew || !g->vw || !g->out)
		return 0;
	if (!shaped)
		return 1;
	g->len = calloc(ne + 1, sizeof *g->len);
	g->area = calloc(n + 1, sizeof *g->area);
	g->outlen = calloc(n + 1, sizeof *g->outlen);
	return g->len && g->area && g->outlen;
}

/* ---- the working state ---------------------------------------------------- */

typedef struct ps {
	geo_ctx *ctx;
	const split_graph *g;
	int k;
	int *part;
	double *pw;             /* weight per part */
	size_t *size;           /* vertices per part */
	double *pa, *pp;        /* area and perimeter per part, when the graph has shapes */
	double target, lo, hi;
	unsigned *mark;         /* BFS marks, n + 1 entries (n is the outside) */
	unsigned stamp;
	size_t *queue;
	size_t *outs, nouts;    /* vertices touching the outside */
	unsigned long seed;
} ps;

static unsigned new_stamp(ps *s)
{
	if (++s->stamp == 0) {
		memset(s->mark, 0, (s->g->n + 1) * sizeof *s->mark);
		s->stamp = 1;
	}
	return s->stamp;
}

/* Area and perimeter of every part, from its vertices' shapes. */
static void shapes(ps *s)
{
	const split_graph *g = s->g;
	for (int p = 0; p < s->k; p++)
		s->pa[p] = s->pp[p] = 0;
	for (size_t v = 0; v < g->n; v++) {
		int p = s->part[v];
		if (p < 0)
			continue;
		s->pa[p] += g->area[v];
		s->pp[p] += g->outlen[v];
		for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++)
			if (s->part[g->adj[e]] != p)
				s->pp[p] += g->len[e];
	}
}

static void tally(ps *s)
{
	for (int p = 0; p < s->k; p++) {
		s->pw[p] = 0;
		s->size[p] = 0;
	}
	for (size_t v = 0; v < s->g->n; v++)
		if (s->part[v] >= 0) {
			s->pw[s->part[v]] += s->g->vw[v];
			s->size[s->part[v]]++;
		}
	if (s->pa)
		shapes(s);
}

static double excess(const ps *s, double w)
{
	return w > s->hi ? w - s->hi : w < s->lo ? s->lo - w : 0;
}

/* How far the parts are outside the tolerance: sum of squared excess. */
static double violation(const ps *s)
{
	double v = 0;
	for (int p = 0; p < s->k; p++)
		v += excess(s, s->pw[p]) * excess(s, s->pw[p]);
	return v;
}

static double cut(const ps *s)
{
	double c = 0;
	for (size_t v = 0; v < s->g->n; v++)
		for (size_t e = s->g->xadj[v]; e < s->g->xadj[v + 1]; e++)
			if (s->part[s->g->adj[e]] != s->part[v])
				c += s->g->ew[e];
	return c / 2;
}

/* ---- METIS ------------------------------------------------------------------ */

/*
** Partitions the subgraph induced by verts into k parts with METIS; out[i]
** is the part of verts[i]. loc is scratch of g->n entries. Weights are scaled
** to integers; a subgraph without weight is balanced by vertex count.
*/
static geo_err metis(ps *s, const size_t *verts, size_t nv, int k, unsigned long seed,
		     long *loc, int *out)
{
	const split_graph *g = s->g;
	if (k <= 1 || nv <= 1) {
		for (size_t i = 0; i < nv; i++)
			out[i] = 0;
		return GEO_OK;
	}
	for (size_t i = 0; i < nv; i++)
		loc[verts[i]] = (long)i;
	size_t ne = 0;
	double wsum = 0, esum = 0;
	for (size_t i = 0; i < nv; i++) {
		wsum += g->vw[verts[i]];
		for (size_t e = g->xadj[verts[i]]; e < g->xadj[verts[i] + 1]; e++)
			if (loc[g->adj[e]] >= 0) {
				ne++;
				esum += g->ew[e];
			}
	}
	idx_t *xadj = calloc(nv + 1, sizeof *xadj), *adj = calloc(ne + 1, sizeof *adj);
	idx_t *adjw = calloc(ne + 1, sizeof *adjw), *vw = calloc(nv, sizeof *vw);
	idx_t *part = calloc(nv, sizeof *part);
	geo_err err = GEO_OK;
	if (!xadj || !adj || !adjw || !vw || !part) {
		err = geo_fail(s->ctx, GEO_ERR_INTERNAL, "out of memory");
		goto done;
	}
	double vscale = wsum > 0 ? 1e7 / wsum : 0;
	double escale = esum > 0 ? fmin(100, 1e9 / esum) : 1;
	size_t m = 0;
	for (size_t i = 0; i < nv; i++) {
		size_t v = verts[i];
		vw[i] = wsum > 0 ? (idx_t)llround(g->vw[v] * vscale) : 1;
		for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++)
			if (loc[g->adj[e]] >= 0) {
				adj[m] = (idx_t)loc[g->adj[e]];
				adjw[m++] = (idx_t)fmax(1, llround(g->ew[e] * escale));
			}
		xadj[i + 1] = (idx_t)m;
	}
	idx_t n = (idx_t)nv, ncon = 1, np = k, objval = 0;
	real_t ub = (real_t)(1 + (s->hi - s->target) / (s->target > 0 ? s->target : 1) / 2);
	idx_t options[METIS_NOPTIONS];
	METIS_SetDefaultOptions(options);
	options[METIS_OPTION_CONTIG] = 1;
	options[METIS_OPTION_SEED] = (idx_t)(seed & 0x7fffffff);
	options[METIS_OPTION_NCUTS] = 2;
	int rc = METIS_PartGraphKway(&n, &ncon, xadj, adj, vw, NULL, adjw, &np, NULL, &ub, options,
				     &objval, part);
	if (rc != METIS_OK) {
		/* METIS refuses contiguity on some graphs; the pieces are joined
		** up afterwards anyway. */
		options[METIS_OPTION_CONTIG] = 0;
		rc = METIS_PartGraphKway(&n, &ncon, xadj, adj, vw, NULL, adjw, &np, NULL, &ub,
					 options, &objval, part);
	}
	if (rc != METIS_OK)
		err = geo_fail(s->ctx, GEO_ERR_INTERNAL, "METIS failed (code %d) on %zu atoms", rc, nv);
	for (size_t i = 0; !err && i < nv; i++)
		out[i] = (int)part[i];
done:
	for (size_t i = 0; i < nv; i++)
		loc[verts[i]] = -1;
	free(xadj);
	free(adj);
	free(adjw);
	free(vw);
	free(part);
	return err;
}

/* ---- contiguity and holes --------------------------------------------------- */

/*
** Marks with stamp st the vertices reachable from `from` without passing
** through `skip`: with inside set, those of part p; else those of every
** other part, with the outside as one more vertex (index n) next to every
** vertex that touches it. Returns the number of vertices reached.
*/
static size_t flood(ps *s, size_t from, int p, int inside, size_t skip, unsigned st)
{
	const split_graph *g = s->g;
	size_t n = g->n, head = 0, tail = 0;
	s->mark[from] = st;
	s->queue[tail++] = from;
	while (head < tail) {
		size_t v = s->queue[head++];
		const size_t *next = v == n ? s->outs : g->adj + g->xadj[v];
		size_t nnext = v == n ? s->nouts : g->xadj[v + 1] - g->xadj[v];
		if (!inside && v < n && g->out[v] && s->mark[n] != st) {
			s->mark[n] = st;
			s->queue[tail++] = n;
		}
		for (size_t k = 0; k < nnext; k++) {
			size_t u = next[k];
			if (u != skip && (s->part[u] == p) == inside && s->mark[u] != st) {
				s->mark[u] = st;
				s->queue[tail++] = u;
			}
		}
	}
	return tail;
}

/*
** 1 if v's neighbours in part p (inside set), or outside p together with the
** outside itself when v touches it, stay connected to one another without
** v. Inside: p stays connected when v leaves it; outside: adding v to p
** leaves p enclosing nothing.
*/
static int neighbours_joined(ps *s, size_t v, int p, int inside)
{
	const split_graph *g = s->g;
	int out = !inside && g->out[v];
	size_t n = g->n, first = out ? n : SIZE_MAX, count = out ? 1 : 0;
	for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++)
		if ((s->part[g->adj[e]] == p) == inside) {
			if (first == SIZE_MAX)
				first = g->adj[e];
			count++;
		}
	if (count <= 1)
		return 1;
	unsigned st = new_stamp(s);
	s->mark[v] = st;
	flood(s, first, p, inside, v, st);
	if (out && s->mark[n] != st)
		return 0;
	for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++)
		if ((s->part[g->adj[e]] == p) == inside && s->mark[g->adj[e]] != st)
			return 0;
	return 1;
}

/* Sum of edge weights from v into each part: parts[], sums[] (at most deg). */
static size_t part_links(const ps *s, size_t v, int *parts, double *sums)
{
	const split_graph *g = s->g;
	size_t m = 0;
	for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++) {
		int p = s->part[g->adj[e]];
		size_t i = 0;
		while (i < m && parts[i] != p)
			i++;
		if (i == m) {
			parts[m] = p;
			sums[m++] = 0;
		}
		sums[i] += g->ew[e];
	}
	return m;
}

/* Keeps each part's heaviest piece; other pieces join, vertex by vertex, the
** neighbouring part they are most strongly linked to. Returns 1 if anything
** changed. */
static int make_contiguous(ps *s, int *parts, double *sums)
{
	const split_graph *g = s->g;
	int changed = 0;
	size_t *best = calloc((size_t)s->k, sizeof *best);
	double *bestw = calloc((size_t)s->k, sizeof *bestw);
	size_t *bests = calloc((size_t)s->k, sizeof *bests);
	if (!best || !bestw || !bests)
		goto done;
	for (int p = 0; p < s->k; p++)
		best[p] = SIZE_MAX;
	unsigned st = new_stamp(s);
	unsigned base = st;
	/* Each piece gets its own stamp; remember the heaviest piece's seed. */
	for (size_t v = 0; v < g->n; v++) {
		int p = s->part[v];
		if (p < 0 || (s->mark[v] >= base && s->mark[v] <= s->stamp))
			continue;
		unsigned ps_ = new_stamp(s);
		size_t cnt = flood(s, v, p, 1, SIZE_MAX, ps_);
		double w = 0;
		for (size_t i = 0; i < cnt; i++)
			w += g->vw[s->queue[i]];
		if (best[p] == SIZE_MAX || w > bestw[p] || (w == bestw[p] && cnt > bests[p])) {
			best[p] = v;
			bestw[p] = w;
			bests[p] = cnt;
		}
	}
	unsigned keep = new_stamp(s);
	for (int p = 0; p < s->k; p++)
		if (best[p] != SIZE_MAX)
			flood(s, best[p], p, 1, SIZE_MAX, keep);
	for (size_t v = 0; v < g->n; v++)
		if (s->part[v] >= 0 && s->mark[v] != keep) {
			s->part[v] = -1;
			changed = 1;
		}
	/* Orphans join a neighbouring part, sweeping until none is left. */
	for (int again = changed; again;) {
		again = 0;
		int progress = 0;
		for (size_t v = 0; v < g->n; v++) {
			if (s->part[v] >= 0)
				continue;
			size_t m = part_links(s, v, parts, sums);
			int to = -1;
			double w = -1;
			for (size_t i = 0; i < m; i++)
				if (parts[i] >= 0 && sums[i] > w) {
					w = sums[i];
					to = parts[i];
				}
			if (to >= 0) {
				s->part[v] = to;
				progress = 1;
			} else {
				again = 1;
			}
		}
		if (!progress)
			break;
	}
done:
	free(best);
	free(bestw);
	free(bests);
	tally(s);
	return changed;
}

/* The atom of part p, not yet settled, nearest by dist; SIZE_MAX if none. */
static size_t nearest(const ps *s, const double *dist, const char *done)
{
	size_t best = SIZE_MAX;
	for (size_t v = 0; v < s->g->n; v++)
		if (!done[v] && isfinite(dist[v]) && (best == SIZE_MAX || dist[v] < dist[best]))
			best = v;
	return best;
}

/* 1 if v (of part p) touches the outside or the part of the complement that
** reaches it (marked `reached`). */
static int outer_side(const ps *s, size_t v, int p, unsigned reached)
{
	const split_graph *g = s->g;
	if (g->out[v])
		return 1;
	for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++)
		if (s->part[g->adj[e]] != p && s->mark[g->adj[e]] == reached)
			return 1;
	return 0;
}

/*
** Opens what part p encloses (the vertices not marked `reached`): the
** lightest path of p's atoms from one next to the enclosed region to one on
** p's outer side joins the enclosed part at its start, which then reaches
** past p. A field between a village core and the road is such a path.
** Returns 0 when there is none.
*/
static int open_enclosure(ps *s, int p, unsigned reached)
{
	const split_graph *g = s->g;
	size_t n = g->n;
	double *dist = malloc(n * sizeof *dist), step = 0;
	long *pred = malloc(n * sizeof *pred);
	int *to = malloc(n * sizeof *to);
	char *done = calloc(n, 1);
	int ok = 0;
	for (size_t v = 0; dist && pred && to && done && v < n; v++) {
		step += g->vw[v] / (double)n * 1e-3; /* so empty atoms still count */
		dist[v] = INFINITY;
		pred[v] = -1;
		to[v] = -1;
	}
	for (size_t v = 0; dist && pred && to && done && v < n; v++)
		for (size_t e = g->xadj[v]; s->part[v] == p && e < g->xadj[v + 1]; e++)
			if (s->part[g->adj[e]] != p && s->mark[g->adj[e]] != reached) {
				dist[v] = g->vw[v] + step;
				to[v] = s->part[g->adj[e]];
				break;
			}
	for (size_t v; !ok && dist && pred && to && done && (v = nearest(s, dist, done)) != SIZE_MAX;) {
		done[v] = 1;
		if (outer_side(s, v, p, reached)) {
			int q = to[v];
			for (long u = (long)v; u >= 0; u = pred[u])
				s->part[u] = q;
			ok = 1;
			break;
		}
		for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++) {
			size_t u = g->adj[e];
			double d = dist[v] + g->vw[u] + step;
			if (s->part[u] == p && !done[u] && d < dist[u]) {
				dist[u] = d;
				pred[u] = (long)v;
				to[u] = to[v];
			}
		}
	}
	free(dist);
	free(pred);
	free(to);
	free(done);
	if (ok)
		tally(s);
	return ok;
}

/* Opens every region a part encloses, or, when it cannot, gives the region
** to the part. Returns 1 if anything changed. */
static int fix_enclosures(ps *s)
{
	const split_graph *g = s->g;
	int changed = 0;
	for (int p = 0; p < s->k; p++) {
		if (!s->size[p])
			continue;
		unsigned st = new_stamp(s);
		size_t reached = flood(s, g->n, p, 0, SIZE_MAX, st);
		if (reached == g->n - s->size[p] + 1)
			continue;
		changed = 1;
		if (open_enclosure(s, p, st))
			continue;
		for (size_t v = 0; v < g->n; v++)
			if (s->part[v] != p && s->mark[v] != st)
				s->part[v] = p;
		tally(s);
	}
	return changed;
}

/* Refills empty parts by cutting the heaviest part again. Returns 1 if any
** part was empty; fails when no part can be cut. */
static geo_err refill_empty(ps *s, long *loc, int *changed)
{
	*changed = 0;
	int nempty = 0;
	for (int p = 0; p < s->k; p++)
		nempty += s->size[p] == 0;
	if (!nempty)
		return GEO_OK;
	int q = -1;
	for (int p = 0; p < s->k; p++)
		if (s->size[p] >= 2 &&
		    (q < 0 || s->pw[p] > s->pw[q] || (s->pw[p] == s->pw[q] && s->size[p] > s->size[q])))
			q = p;
	if (q < 0)
		return geo_fail(s->ctx, GEO_ERR_USAGE, "more grids requested than the atoms can make");
	double ratio = s->target > 0 ? s->pw[q] / s->target : (double)s->size[q] * s->k / s->g->n;
	int pieces = (int)fmin(nempty + 1, fmax(2, floor(ratio + 0.5)));
	if ((size_t)pieces > s->size[q])
		pieces = (int)s->size[q];
	size_t nv = 0;
	for (size_t v = 0; v < s->g->n; v++)
		if (s->part[v] == q)
			s->queue[nv++] = v;
	size_t *verts = malloc(nv * sizeof *verts);
	int *out = malloc(nv * sizeof *out);
	int *label = malloc((size_t)pieces * sizeof *label);
	geo_err e = verts && out && label ? GEO_OK : geo_fail(s->ctx, GEO_ERR_INTERNAL, "out of memory");
	if (!e) {
		memcpy(verts, s->queue, nv * sizeof *verts);
		e = metis(s, verts, nv, pieces, s->seed + 7 * (unsigned long)nempty, loc, out);
	}
	if (!e) {
		label[0] = q;
		for (int i = 1, p = 0; i < pieces; i++) {
			while (s->size[p])
				p++;
			label[i] = p++;
		}
		for (size_t i = 0; i < nv; i++)
			s->part[verts[i]] = label[out[i] < pieces ? out[i] : 0];
		tally(s);
		*changed = 1;
	}
	free(verts);
	free(out);
	free(label);
	return e;
}

/* ---- moving atoms ----------------------------------------------------------- */

typedef struct move {
	size_t v;
	int to;
	double dv, dd, gain;
} move;

static int move_ok(ps *s, size_t v, int to)
{
	return s->size[s->part[v]] > 1 && neighbours_joined(s, v, s->part[v], 1) &&
	       neighbours_joined(s, v, to, 0);
}

/* Boundary lengths of v: with part a, with part b, and in all. */
static void v_lengths(const ps *s, size_t v, int a, int b, double *la, double *lb, double *all)
{
	const split_graph *g = s->g;
	*la = *lb = 0;
	*all = g->outlen[v];
	for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++) {
		int p = s->part[g->adj[e]];
		*all += g->len[e];
		if (p == a)
			*la += g->len[e];
		else if (p == b)
			*lb += g->len[e];
	}
}

static void apply(ps *s, size_t v, int to)
{
	int from = s->part[v];
	if (s->pa) {
		double la, lb, all;
		v_lengths(s, v, from, to, &la, &lb, &all);
		s->pa[from] -= s->g->area[v];
		s->pa[to] += s->g->area[v];
		s->pp[from] += 2 * la - all;
		s->pp[to] += all - 2 * lb;
	}
	s->pw[from] -= s->g->vw[v];
	s->size[from]--;
	s->pw[to] += s->g->vw[v];
	s->size[to]++;
	s->part[v] = to;
}

static int by_move(const void *a, const void *b)
{
	const move *x = a, *y = b;
	if (x->gain != y->gain)
		return x->gain > y->gain ? -1 : 1;
	if (x->dv != y->dv)
		return x->dv < y->dv ? -1 : 1;
	if (x->dd != y->dd)
		return x->dd < y->dd ? -1 : 1;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->to - y->to;
}

static int by_gain_dv(const void *a, const void *b)
{
	const move *x = a, *y = b;
	if (x->dv != y->dv)
		return x->dv < y->dv ? -1 : 1;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->to - y->to;
}

/* Every boundary move that lowers the violation (or, if use_d, the squared
** deviation from the target without raising the violation). */
static size_t moves(ps *s, move *m, int *parts, double *sums, int use_d)
{
	const split_graph *g = s->g;
	size_t n = 0;
	for (size_t v = 0; v < g->n; v++) {
		int i = s->part[v];
		double w = g->vw[v];
		if (w <= 0)
			continue;
		size_t np = part_links(s, v, parts, sums);
		double own = 0;
		for (size_t t = 0; t < np; t++)
			if (parts[t] == i)
				own = sums[t];
		for (size_t t = 0; t < np; t++) {
			int j = parts[t];
			if (j == i)
				continue;
			double ei = excess(s, s->pw[i]), ej = excess(s, s->pw[j]);
			double ei2 = excess(s, s->pw[i] - w), ej2 = excess(s, s->pw[j] + w);
			double dv = ei2 * ei2 + ej2 * ej2 - ei * ei - ej * ej;
			double di = s->pw[i] - s->target, dj = s->pw[j] - s->target;
			double dd = (di - w) * (di - w) + (dj + w) * (dj + w) - di * di - dj * dj;
			if (dv < -1e-12 || (use_d && dv <= 1e-12 && dd < -1e-12))
				m[n++] = (move){ v, j, dv, dd, sums[t] - own };
		}
	}
	return n;
}

/* Moves atoms until every part is within the tolerance or no move helps. */
static void repair(ps *s, move *m, int *parts, double *sums)
{
	size_t cap = 8 * s->g->n + 100;
	for (size_t it = 0; it < cap && violation(s) > 0; it++) {
		int done = 0;
		for (int use_d = 0; use_d < 2 && !done; use_d++) {
			size_t n = moves(s, m, parts, sums, use_d);
			qsort(m, n, sizeof *m, by_move);
			for (size_t i = 0; i < n && !done; i++)
				if (move_ok(s, m[i].v, m[i].to)) {
					apply(s, m[i].v, m[i].to);
					done = 1;
				}
		}
		if (!done)
			break;
	}
}

/* Moves boundary atoms that make the cut cheaper, keeping the balance. */
static void refine(ps *s, int *parts, double *sums)
{
	const split_graph *g = s->g;
	for (int pass = 0; pass < REFINE_PASSES; pass++) {
		int moved = 0;
		for (size_t v = 0; v < g->n; v++) {
			int i = s->part[v];
			double w = g->vw[v];
			size_t np = part_links(s, v, parts, sums);
			double own = 0;
			for (size_t t = 0; t < np; t++)
				if (parts[t] == i)
					own = sums[t];
			int to = -1;
			double best = 1e-9;
			for (size_t t = 0; t < np; t++) {
				int j = parts[t];
				if (j == i || sums[t] - own <= best)
					continue;
				double before = excess(s, s->pw[i]) + excess(s, s->pw[j]);
				double after = excess(s, s->pw[i] - w) + excess(s, s->pw[j] + w);
				if (after > before + 1e-12 || (after > 0 && after >= before))
					continue;
				to = j;
				best = sums[t] - own;
			}
			if (to >= 0 && move_ok(s, v, to)) {
				apply(s, v, to);
				moved = 1;
			}
		}
		if (!moved)
			break;
	}
}

static double polsby(double area, double perim)
{
	return perim > 0 ? 4 * M_PI * area / (perim * perim) : 0;
}

/* The smaller Polsby-Popper of parts a and b if v moved from a to b. */
static double pp_after(const ps *s, size_t v, int a, int b)
{
	double la, lb, all;
	v_lengths(s, v, a, b, &la, &lb, &all);
	double pa = polsby(s->pa[a] - s->g->area[v], s->pp[a] + 2 * la - all);
	double pb = polsby(s->pa[b] + s->g->area[v], s->pp[b] + all - 2 * lb);
	return fmin(pa, pb);
}

/* 1 if moving v from a to b keeps both within the tolerance (or makes their
** excess smaller). */
static int balance_ok(const ps *s, size_t v, int a, int b)
{
	double w = s->g->vw[v];
	double before = excess(s, s->pw[a]) + excess(s, s->pw[b]);
	double after = excess(s, s->pw[a] - w) + excess(s, s->pw[b] + w);
	return after <= 1e-12 || after < before - 1e-12;
}

/*
** Makes the best move that rounds part p: the lesser Polsby-Popper of the
** two parts concerned must grow. The move is an atom of p leaving for a neighbour, or a neighbour's atom joining p,
** within the tolerance. Returns 1 if one was made.
*/
static int round_part(ps *s, int p, move *m)
{
	const split_graph *g = s->g;
	size_t n = 0;
	for (size_t v = 0; v < g->n; v++)
		for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++) {
			int a = s->part[v], b = s->part[g->adj[e]];
			if (a == b || (a != p && b != p))
				continue;
			double now = fmin(polsby(s->pa[a], s->pp[a]), polsby(s->pa[b], s->pp[b]));
			double then = pp_after(s, v, a, b);
			if (then > now + 1e-4 && balance_ok(s, v, a, b)) {
				size_t k = 0;
				while (k < n && !(m[k].v == v && m[k].to == b))
					k++;
				if (k == n)
					m[n++] = (move){ v, b, -(then - now), 0, 0 };
			}
		}
	qsort(m, n, sizeof *m, by_gain_dv);
	for (size_t k = 0; k < n; k++)
		if (move_ok(s, m[k].v, m[k].to)) {
			apply(s, m[k].v, m[k].to);
			return 1;
		}
	return 0;
}

/* Rounds the least round parts (Polsby-Popper under PP_GOAL) by moving
** boundary atoms, within the tolerance, worst part first. */
static void compact(ps *s, move *m)
{
	if (!s->pa)
		return;
	char *stuck = calloc((size_t)s->k, 1);
	for (size_t it = 0; stuck && it < 4 * s->g->n; it++) {
		int worst = -1;
		for (int p = 0; p < s->k; p++)
			if (!stuck[p] && polsby(s->pa[p], s->pp[p]) < PP_GOAL &&
			    (worst < 0 || polsby(s->pa[p], s->pp[p]) < polsby(s->pa[worst], s->pp[worst])))
				worst = p;
		if (worst < 0)
			break;
		if (round_part(s, worst, m))
			memset(stuck, 0, (size_t)s->k);
		else
			stuck[worst] = 1;
	}
	free(stuck);
}

/* 1 if every part is non-empty, connected and encloses nothing. */
static int valid(ps *s)
{
	const split_graph *g = s->g;
	for (int p = 0; p < s->k; p++) {
		if (!s->size[p])
			return 0;
		size_t first = 0;
		while (s->part[first] != p)
			first++;
		unsigned st = new_stamp(s);
		if (flood(s, first, p, 1, SIZE_MAX, st) != s->size[p])
			return 0;
		st = new_stamp(s);
		size_t reached = flood(s, g->n, p, 0, SIZE_MAX, st);
		if (reached != g->n - s->size[p] + 1)
			return 0;
	}
	return 1;
}

/* One attempt on a connected graph with one METIS seed. */
static geo_err attempt(ps *s, unsigned long seed, long *loc, move *m, int *parts, double *sums)
{
	const split_graph *g = s->g;
	size_t *all = malloc(g->n * sizeof *all);
	if (!all)
		return geo_fail(s->ctx, GEO_ERR_INTERNAL, "out of memory");
	for (size_t v = 0; v < g->n; v++)
		all[v] = v;
	s->seed = seed;
	geo_err e = metis(s, all, g->n, s->k, seed, loc, s->part);
	free(all);
	if (e)
		return e;
	tally(s);
	for (int round = 0; round < FIX_ROUNDS; round++) {
		int changed = make_contiguous(s, parts, sums);
		changed |= fix_enclosures(s);
		int refilled = 0;
		if ((e = refill_empty(s, loc, &refilled)))
			return e;
		if (!changed && !refilled)
			break;
	}
	repair(s, m, parts, sums);
	refine(s, parts, sums);
	compact(s, m);
	return GEO_OK;
}

static geo_err partition_connected(geo_ctx *ctx, const split_graph *g, int k, double tol,
				   unsigned long seed, int *part)
{
	ps s = { .ctx = ctx, .g = g, .k = k };
	double total = 0;
	for (size_t v = 0; v < g->n; v++)
		total += g->vw[v];
	s.target = total / k;
	/* Aim a little inside the tolerance, so a grid is never out of it by a
	** rounding in someone else's arithmetic. */
	s.lo = s.target * (1 - tol * TOL_MARGIN);
	s.hi = s.target * (1 + tol * TOL_MARGIN);
	s.part = calloc(g->n, sizeof *s.part);
	s.pw = calloc((size_t)k, sizeof *s.pw);
	s.size = calloc((size_t)k, sizeof *s.size);
	if (g->area && g->len && g->outlen) {
		s.pa = calloc((size_t)k, sizeof *s.pa);
		s.pp = calloc((size_t)k, sizeof *s.pp);
		if (!s.pa || !s.pp) { /* no compactness pass then */
			free(s.pa);
			free(s.pp);
			s.pa = s.pp = NULL;
		}
	}
	s.mark = calloc(g->n + 1, sizeof *s.mark);
	s.queue = calloc(g->n + 1, sizeof *s.queue);
	s.outs = calloc(g->n + 1, sizeof *s.outs);
	long *loc = malloc(g->n * sizeof *loc);
	size_t deg = 1;
	for (size_t v = 0; v < g->n; v++)
		deg = fmax(deg, g->xadj[v + 1] - g->xadj[v] + 1);
	int *parts = calloc(deg, sizeof *parts);
	double *sums = calloc(deg, sizeof *sums);
	move *m = calloc(g->xadj[g->n] + 1, sizeof *m);
	geo_err e = GEO_OK;
	if (!s.part || !s.pw || !s.size || !s.mark || !s.queue || !s.outs || !loc || !parts ||
	    !sums || !m) {
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		goto done;
	}
	for (size_t v = 0; v < g->n; v++) {
		loc[v] = -1;
		if (g->out[v])
			s.outs[s.nouts++] = v;
	}
	double best_v = INFINITY, best_c = INFINITY;
	for (int t = 0; t < TRIES; t++) {
		if ((e = attempt(&s, seed + 1000003UL * (unsigned long)t, loc, m, parts, sums)))
			break;
		if (!valid(&s))
			continue;
		double v = violation(&s), c = cut(&s);
		if (v < best_v || (v == best_v && c < best_c)) {
			best_v = v;
			best_c = c;
			memcpy(part, s.part, g->n * sizeof *part);
		}
	}
	if (!e && !isfinite(best_v))
		e = geo_fail(ctx, GEO_ERR_INTERNAL,
			     "could not cut %zu atoms into %d contiguous parts", g->n, k);
done:
	free(s.part);
	free(s.pw);
	free(s.size);
	free(s.pa);
	free(s.pp);
	free(s.mark);
	free(s.queue);
	free(s.outs);
	free(loc);
	free(parts);
	free(sums);
	free(m);
	return e;
}

/* ---- disconnected graphs ----------------------------------------------------- */

/* Connected components; returns their number, comp[v] numbered by lowest vertex. */
static size_t components(const split_graph *g, long *comp, size_t *queue)
{
	size_t nc = 0;
	for (size_t v = 0; v < g->n; v++)
		comp[v] = -1;
	for (size_t v = 0; v < g->n; v++) {
		if (comp[v] >= 0)
			continue;
		size_t head = 0, tail = 0;
		comp[v] = (long)nc;
		queue[tail++] = v;
		while (head < tail) {
			size_t x = queue[head++];
			for (size_t e = g->xadj[x]; e < g->xadj[x + 1]; e++)
				if (comp[g->adj[e]] < 0) {
					comp[g->adj[e]] = (long)nc;
					queue[tail++] = g->adj[e];
				}
		}
		nc++;
	}
	return nc;
}

/* The subgraph of the vertices of component c; map[i] is its vertex in g. */
static int subgraph(const split_graph *g, const long *comp, long c, split_graph *sg,
		    size_t *map, long *loc)
{
	size_t n = 0, ne = 0;
	for (size_t v = 0; v < g->n; v++)
		if (comp[v] == c) {
			loc[v] = (long)n;
			map[n++] = v;
			ne += g->xadj[v + 1] - g->xadj[v];
		}
	int shaped = g->len && g->area && g->outlen;
	if (!split_graph_alloc(sg, n, ne, shaped))
		return 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t v = map[i];
		sg->vw[i] = g->vw[v];
		sg->out[i] = g->out[v];
		if (shaped) {
			sg->area[i] = g->area[v];
			sg->outlen[i] = g->outlen[v];
		}
		for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++) {
			sg->adj[m] = (size_t)loc[g->adj[e]];
			if (shaped)
				sg->len[m] = g->len[e];
			sg->ew[m++] = g->ew[e];
		}
		sg->xadj[i + 1] = m;
	}
	return 1;
}

/* Shares k parts among components: one each, the rest to the component
** whose parts would be heaviest (by weight, or by size without weight). */
static void share_parts(const double *w, const size_t *size, size_t nc, int k, int *kc)
{
	double total = 0;
	for (size_t c = 0; c < nc; c++) {
		kc[c] = 1;
		total += w[c];
	}
	for (int left = k - (int)nc; left > 0; left--) {
		size_t best = 0;
		double bv = -1;
		for (size_t c = 0; c < nc; c++) {
			double v = (total > 0 ? w[c] : (double)size[c]) / kc[c];
			if (v > bv) {
				bv = v;
				best = c;
			}
		}
		kc[best]++;
	}
}

geo_err split_partition(geo_ctx *ctx, const split_graph *g, int k, double tol,
			unsigned long seed, int *part)
{
	if (k < 1 || (size_t)k > g->n)
		return geo_fail(ctx, GEO_ERR_USAGE,
				"more grids requested than the atoms can make (%d grids of %zu atoms)",
				k, g->n);
	long *comp = malloc((g->n + 1) * sizeof *comp);
	size_t *queue = malloc((g->n + 1) * sizeof *queue);
	if (!comp || !queue) {
		free(comp);
		free(queue);
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	size_t nc = components(g, comp, queue);
	geo_err e = GEO_OK;
	if (nc == 1) {
		e = partition_connected(ctx, g, k, tol, seed, part);
	} else if ((size_t)k < nc) {
		e = geo_fail(ctx, GEO_ERR_USAGE,
			     "an area of %zu separate pieces cannot make %d contiguous grids", nc, k);
	} else {
		double *w = calloc(nc, sizeof *w);
		size_t *size = calloc(nc, sizeof *size);
		int *kc = calloc(nc, sizeof *kc);
		long *loc = malloc(g->n * sizeof *loc);
		int *sp = malloc(g->n * sizeof *sp);
		if (!w || !size || !kc || !loc || !sp)
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		for (size_t v = 0; !e && v < g->n; v++) {
			w[comp[v]] += g->vw[v];
			size[comp[v]]++;
		}
		if (!e)
			share_parts(w, size, nc, k, kc);
		int base = 0;
		for (size_t c = 0; !e && c < nc; c++) {
			split_graph sg = { 0 };
			if (!subgraph(g, comp, (long)c, &sg, queue, loc))
				e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
			if (!e && kc[c] > (int)sg.n)
				e = geo_fail(ctx, GEO_ERR_USAGE,
					     "more grids requested than the atoms can make (%d grids "
					     "of %zu atoms)", kc[c], sg.n);
			if (!e)
				e = partition_connected(ctx, &sg, kc[c], tol, seed, sp);
			for (size_t i = 0; !e && i < sg.n; i++)
				part[queue[i]] = base + sp[i];
			base += kc[c];
			split_graph_free(&sg);
		}
		free(w);
		free(size);
		free(kc);
		free(loc);
		free(sp);
	}
	free(comp);
	free(queue);
	return e;
}
