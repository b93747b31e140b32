/*
** split_straight.c: straightens grid-split's free limits, the stretches of
** limit between two secondaries that follow no barrier, village limit or
** town boundary, where the households, the shapes and the barriers allow.
**
** The atoms' limits across a settlement are Voronoi edges around groups of
** houses, so such a limit zigzags. Each free chain (a maximal run of the
** limit between grids A and B off every line, its ends on a line or at a
** third grid) is replaced by the shortest candidate that passes: a straight
** line or two segments bent off it, from the chain's ends or from ends slid
** a few vertices along A's other limits (so that a dense core cut off on
** three sides becomes one cut across). A candidate passes when it stays
** inside A and B (it crosses no third grid and no barrier), A and B stay one
** polygon each, every grid it changes stays within the balance tolerance
** (households recounted point by point) and neither shape falls below the
** compactness floor. The two new grids are polygonized from the old rings
** with the chain swapped for the candidate, so they keep every vertex they
** share with their other neighbours and the grids still tile the town
** exactly.
*/
#include "split/linework.h"
#include "split/split_straight.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A segment is on a line (barrier, village limit, town boundary) when its
** middle is this close to it; a chain no longer than this beyond the
** distance between its ends is left alone. */
#define ON_LINE_M 0.01
#define MIN_EXCESS_M 0.5
/* Polsby-Popper a straightened grid keeps, unless it had less before. */
#define PP_FLOOR 0.30
#define PASSES 6

/* How far an end may slide along A's other limits: vertices, and chord lengths. */
#define SLIDE 6
#define SLIDE_CHORDS 0.6

/* A vertex an end may slide to, and what the stretch slid over lies on. */
typedef struct slide {
	double x, y;
	int kind;               /* SPLIT_OPEN (another grid's limit), _BARRIER, _WATER, ... */
	double len;             /* of the segment from the previous vertex */
} slide;

typedef struct chain {
	size_t a, b;            /* the two secondaries */
	double *xy;             /* its vertices, x y pairs, from A's ring */
	size_t n;
	double excess;          /* length minus the distance between its ends */
	slide pre[SLIDE], post[SLIDE]; /* A's ring before the start (backwards) and after the end */
	int npre, npost;
	unsigned long va, vb;   /* A's and B's versions when it was found */
} chain;

typedef struct chains {
	chain *c;
	size_t n, cap;
} chains;

typedef struct members {
	size_t *p;              /* points (indexes into the input's points) */
	size_t n, cap;
} members;

typedef struct state {
	split_straight *s;
	GEOSContextHandle_t h;
	members *mem;           /* per secondary */
	char *dirty;            /* per primary: its outline changed */
	unsigned long *version; /* per secondary: how many times it changed */
	size_t *kids, *kid0;    /* secondaries of primary p: kids[kid0[p] .. kid0[p + 1]) */
} state;

/* ---- chains ------------------------------------------------------------------------- */

static double seg_len(const double *xy, size_t i)
{
	return hypot(xy[2 * i + 2] - xy[2 * i], xy[2 * i + 3] - xy[2 * i + 1]);
}

static int on_prepared(GEOSContextHandle_t h, const GEOSPreparedGeometry *p, double x, double y,
		       double d)
{
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
	int r = pt && GEOSPreparedDistanceWithin_r(h, p, pt, d) == 1;
	if (pt)
		GEOSGeom_destroy_r(h, pt);
	return r;
}

static int chains_add(chains *cs, size_t a, size_t b, const double *xy, size_t n)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 64;
		chain *c = realloc(cs->c, cap * sizeof *c);
		if (!c)
			return 0;
		cs->c = c;
		cs->cap = cap;
	}
	chain *c = &cs->c[cs->n];
	c->xy = malloc(2 * n * sizeof *c->xy);
	if (!c->xy)
		return 0;
	memcpy(c->xy, xy, 2 * n * sizeof *xy);
	c->a = a;
	c->b = b;
	c->n = n;
	c->npre = c->npost = 0;
	double len = 0;
	for (size_t i = 0; i + 1 < n; i++)
		len += seg_len(xy, i);
	c->excess = len - hypot(xy[2 * n - 2] - xy[0], xy[2 * n - 1] - xy[1]);
	cs->n++;
	return 1;
}

static void chains_free(chains *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->c[i].xy);
	free(cs->c);
}

/* The ring's vertices as x y pairs (closed: the last equals the first). */
static double *ring_xy(GEOSContextHandle_t h, const GEOSGeometry *ring, size_t *n)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned m = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &m) || m < 4)
		return NULL;
	double *xy = malloc(2 * m * sizeof *xy);
	for (unsigned i = 0; xy && i < m; i++)
		GEOSCoordSeq_getXY_r(h, cs, i, &xy[2 * i], &xy[2 * i + 1]);
	*n = m;
	return xy;
}

/* What a segment's middle lies on: the town boundary, a village limit,
** water, a road, or none of them. */
static int kind_at(const state *st, double x, double y)
{
	static const int kinds[4] = { SPLIT_TOWN, SPLIT_VILLAGE, SPLIT_WATER, SPLIT_BARRIER };
	for (int k = 0; k < 4; k++)
		if (st->s->kinds[k] && on_prepared(st->h, st->s->kinds[k], x, y, ON_LINE_M))
			return kinds[k];
	return SPLIT_OPEN;
}

/* The vertices an end of the chain may slide to along A's ring from vertex
** v, stepping dir (-1 or +1), over segments not on B (onb). */
static int slides(const state *st, const double *xy, size_t nseg, const char *onb, size_t v,
		  int dir, double limit, slide *out)
{
	int n = 0;
	double dist = 0;
	for (; n < SLIDE; n++) {
		size_t w = (v + nseg + (size_t)(dir < 0 ? nseg - 1 : 1)) % nseg;
		size_t seg = dir < 0 ? w : v;
		if (onb[seg])
			break;
		double len = hypot(xy[2 * w] - xy[2 * v], xy[2 * w + 1] - xy[2 * v + 1]);
		dist += len;
		if (dist > limit)
			break;
		out[n] = (slide){ xy[2 * w], xy[2 * w + 1],
				  kind_at(st, (xy[2 * w] + xy[2 * v]) / 2, (xy[2 * w + 1] + xy[2 * v + 1]) / 2),
				  len };
		v = w;
	}
	return n;
}

/*
** The free chains of A's outer ring along B: runs of segments whose middle
** lies on B's boundary and on no line. A ring wholly along B (A enclosed)
** has no ends to keep and is left alone.
*/
static int ring_chains(state *st, size_t a, size_t b, chains *out)
{
	GEOSContextHandle_t h = st->h;
	const GEOSGeometry *A = st->s->sec[a].geom, *B = st->s->sec[b].geom;
	size_t n = 0;
	double *xy = ring_xy(h, GEOSGetExteriorRing_r(h, A), &n);
	GEOSGeometry *bb = GEOSBoundary_r(h, B);
	const GEOSPreparedGeometry *pb = bb ? GEOSPrepare_r(h, bb) : NULL;
	char *m = xy ? malloc(2 * n) : NULL, *onb = m ? m + n : NULL;
	int ok = xy && pb && m;
	size_t nseg = n - 1, start = nseg, marked = 0;
	for (size_t i = 0; ok && i < nseg; i++) {
		double x = (xy[2 * i] + xy[2 * i + 2]) / 2, y = (xy[2 * i + 1] + xy[2 * i + 3]) / 2;
		onb[i] = on_prepared(h, pb, x, y, 1e-6);
		m[i] = onb[i] && !on_prepared(h, st->s->lines, x, y, ON_LINE_M);
		marked += m[i];
	}
	for (size_t i = 0; ok && i < nseg; i++)
		if (m[i] && !m[(i + nseg - 1) % nseg])
			start = i;
	double *run = ok ? malloc(2 * n * sizeof *run) : NULL;
	ok = ok && run;
	for (size_t k = 0; ok && start < nseg && marked < nseg && k < nseg; k++) {
		size_t i = (start + k) % nseg;
		if (!m[i] || m[(i + nseg - 1) % nseg])
			continue;
		size_t len = 0;
		run[0] = xy[2 * i];
		run[1] = xy[2 * i + 1];
		for (size_t j = i; m[j % nseg] && len < nseg; j++, len++) {
			run[2 * len + 2] = xy[2 * ((j % nseg) + 1)];
			run[2 * len + 3] = xy[2 * ((j % nseg) + 1) + 1];
		}
		ok = chains_add(out, a, b, run, len + 1);
		chain *c = ok ? &out->c[out->n - 1] : NULL;
		if (c && !(c->excess > MIN_EXCESS_M)) {
			free(out->c[--out->n].xy);
			continue;
		}
		double lim = c ? SLIDE_CHORDS * hypot(c->xy[2 * c->n - 2] - c->xy[0],
						      c->xy[2 * c->n - 1] - c->xy[1]) : 0;
		if (c) {
			c->va = st->version[a];
			c->vb = st->version[b];
		}
		if (c && marked + 2 < nseg) {
			c->npre = slides(st, xy, nseg, onb, i, -1, lim, c->pre);
			c->npost = slides(st, xy, nseg, onb, (i + len) % nseg, +1, lim, c->post);
		}
	}
	free(run);
	free(m);
	free(xy);
	if (pb)
		GEOSPreparedGeom_destroy_r(h, pb);
	if (bb)
		GEOSGeom_destroy_r(h, bb);
	return ok;
}

static int by_excess(const void *x, const void *y)
{
	const chain *a = x, *b = y;
	if (a->excess != b->excess)
		return a->excess < b->excess ? 1 : -1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* ---- candidates ----------------------------------------------------------------------- */

static GEOSGeometry *line_of(GEOSContextHandle_t h, const double *xy, size_t n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
	for (size_t i = 0; cs && i < n; i++)
		GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, xy[2 * i], xy[2 * i + 1]);
	return cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
}

/* The candidate without its last 5 cm at each end, to test it against the
** lines it may end on. */
static GEOSGeometry *trimmed(GEOSContextHandle_t h, const GEOSGeometry *c)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, c);
	unsigned n = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 2)
		return NULL;
	double *xy = malloc(2 * n * sizeof *xy);
	if (!xy)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		GEOSCoordSeq_getXY_r(h, cs, i, &xy[2 * i], &xy[2 * i + 1]);
	for (int end = 0; end < 2; end++) {
		size_t i = end ? n - 1 : 0, j = end ? n - 2 : 1;
		double dx = xy[2 * j] - xy[2 * i], dy = xy[2 * j + 1] - xy[2 * i + 1];
		double d = hypot(dx, dy), t = d > 0 ? fmin(0.05 / d, 0.4) : 0;
		xy[2 * i] += t * dx;
		xy[2 * i + 1] += t * dy;
	}
	GEOSGeometry *g = line_of(h, xy, n);
	free(xy);
	return g;
}

/* The lines of g's rings, except the segments that lie on the chain. */
static int add_rings_but(GEOSContextHandle_t h, const GEOSGeometry *g,
			 const GEOSPreparedGeometry *chain, GEOSGeometry ***v, size_t *nv, size_t *cap)
{
	int nr = GEOSGetNumInteriorRings_r(h, g);
	for (int r = -1; r < nr; r++) {
		size_t n = 0;
		double *xy = ring_xy(h, r < 0 ? GEOSGetExteriorRing_r(h, g)
					      : GEOSGetInteriorRingN_r(h, g, r), &n);
		if (!xy)
			return 0;
		for (size_t i = 0; i + 1 < n; i++) {
			double x = (xy[2 * i] + xy[2 * i + 2]) / 2, y = (xy[2 * i + 1] + xy[2 * i + 3]) / 2;
			if (on_prepared(h, chain, x, y, 1e-6))
				continue;
			if (*nv == *cap) {
				*cap = *cap ? 2 * *cap : 256;
				GEOSGeometry **w = realloc(*v, *cap * sizeof *w);
				if (!w) {
					free(xy);
					return 0;
				}
				*v = w;
			}
			(*v)[(*nv)++] = line_of(h, xy + 2 * i, 2);
		}
		free(xy);
	}
	return 1;
}

/*
** A and B redrawn with the chain replaced by c: the faces of their rings
** (less the chain) and c, inside A ∪ B. Exactly two faces, or none.
*/
static int redraw_pair(state *st, const chain *ch, const GEOSGeometry *c,
		       const GEOSPreparedGeometry *pu, GEOSGeometry **na, GEOSGeometry **nb)
{
	GEOSContextHandle_t h = st->h;
	const GEOSGeometry *A = st->s->sec[ch->a].geom, *B = st->s->sec[ch->b].geom;
	GEOSGeometry *cl = line_of(h, ch->xy, ch->n);
	const GEOSPreparedGeometry *pc = cl ? GEOSPrepare_r(h, cl) : NULL;
	GEOSGeometry **v = NULL;
	size_t nv = 0, cap = 0;
	int ok = pc && add_rings_but(h, A, pc, &v, &nv, &cap) && add_rings_but(h, B, pc, &v, &nv, &cap);
	GEOSGeometry *all = NULL, *noded = NULL, *faces = NULL;
	if (ok) {
		GEOSGeometry **w = realloc(v, (nv + 1) * sizeof *w);
		ok = w != NULL;
		if (ok) {
			v = w;
			v[nv++] = GEOSGeom_clone_r(h, c);
			all = GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, v, (unsigned)nv);
			nv = 0;
		}
	}
	noded = all ? GEOSUnaryUnion_r(h, all) : NULL;
	const GEOSGeometry *in1 = noded;
	faces = noded ? GEOSPolygonize_r(h, &in1, 1) : NULL;
	*na = *nb = NULL;
	int nf = faces ? GEOSGetNumGeometries_r(h, faces) : 0, got = 0;
	const GEOSGeometry *f2[2] = { NULL, NULL };
	for (int i = 0; i < nf && got <= 2; i++) {
		const GEOSGeometry *f = GEOSGetGeometryN_r(h, faces, i);
		GEOSGeometry *p = GEOSPointOnSurface_r(h, f);
		if (p && GEOSPreparedContainsProperly_r(h, pu, p) == 1) {
			if (got < 2)
				f2[got] = f;
			got++;
		}
		if (p)
			GEOSGeom_destroy_r(h, p);
	}
	if (got == 2) {
		GEOSGeometry *i0 = GEOSIntersection_r(h, f2[0], A);
		double a0 = 0, f0 = 0;
		if (i0) {
			GEOSArea_r(h, i0, &a0);
			GEOSGeom_destroy_r(h, i0);
		}
		GEOSArea_r(h, f2[0], &f0);
		int first_is_a = a0 > f0 / 2;
		*na = GEOSGeom_clone_r(h, f2[first_is_a ? 0 : 1]);
		*nb = GEOSGeom_clone_r(h, f2[first_is_a ? 1 : 0]);
	}
	for (size_t i = 0; i < nv; i++)
		GEOSGeom_destroy_r(h, v[i]);
	free(v);
	if (faces)
		GEOSGeom_destroy_r(h, faces);
	if (noded)
		GEOSGeom_destroy_r(h, noded);
	if (all)
		GEOSGeom_destroy_r(h, all);
	if (pc)
		GEOSPreparedGeom_destroy_r(h, pc);
	if (cl)
		GEOSGeom_destroy_r(h, cl);
	return *na && *nb;
}

/* ---- the checks ------------------------------------------------------------------------- */

static double pp(GEOSContextHandle_t h, const GEOSGeometry *g, double *area)
{
	double len = 0;
	*area = 0;
	GEOSArea_r(h, g, area);
	GEOSLength_r(h, g, &len);
	return len > 0 ? 4 * M_PI * *area / (len * len) : 0;
}

/* Weight w within the tolerance of target t, or no further from it than
** the grid was before (weight old, target ot). */
static int within_tol(double w, double t, double old, double ot, double tol)
{
	double d = t > 0 ? fabs(w - t) / t : 0, od = ot > 0 ? fabs(old - ot) / ot : 0;
	return d <= tol || d <= od;
}

/* The weight, households and persons of A's and B's points that fall in na. */
typedef struct tally {
	double w[2], hh[2], persons[2];
} tally;

static void recount(state *st, const chain *ch, const GEOSGeometry *na, tally *t)
{
	GEOSContextHandle_t h = st->h;
	memset(t, 0, sizeof *t);
	const GEOSPreparedGeometry *p = GEOSPrepare_r(h, na);
	size_t g2[2] = { ch->a, ch->b };
	for (int k = 0; p && k < 2; k++) {
		const members *m = &st->mem[g2[k]];
		for (size_t i = 0; i < m->n; i++) {
			const split_point *q = &st->s->points[m->p[i]];
			GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, q->x, q->y);
			int side = pt && GEOSPreparedIntersects_r(h, p, pt) == 1 ? 0 : 1;
			if (pt)
				GEOSGeom_destroy_r(h, pt);
			t->w[side] += q->weight;
			t->hh[side] += 1;
			t->persons[side] += q->persons;
		}
	}
	if (p)
		GEOSPreparedGeom_destroy_r(h, p);
}

/* Every secondary of primary p within the tolerance of its target, with
** A's and B's weights replaced and p's weight moved by dw. */
static int primary_balanced(const state *st, long p, double dw, const chain *ch, const tally *t)
{
	const split_straight *s = st->s;
	const split_grid *P = &s->prim[p];
	if (!within_tol(P->weight + dw, P->target, P->weight, P->target, s->tol))
		return 0;
	double target = (P->weight + dw) / s->kprim[p];
	for (size_t j = st->kid0[p]; j < st->kid0[p + 1]; j++) {
		size_t i = st->kids[j];
		double w = i == ch->a ? t->w[0] : i == ch->b ? t->w[1] : s->sec[i].weight;
		if (!within_tol(w, target, s->sec[i].weight, s->sec[i].target, s->tol))
			return 0;
	}
	return 1;
}

static int balanced(const state *st, const chain *ch, const tally *t)
{
	const split_straight *s = st->s;
	const split_grid *A = &s->sec[ch->a], *B = &s->sec[ch->b];
	if (A->index == B->index)
		return within_tol(t->w[0], A->target, A->weight, A->target, s->tol) &&
		       within_tol(t->w[1], B->target, B->weight, B->target, s->tol);
	return primary_balanced(st, A->index, t->w[0] - A->weight, ch, t) &&
	       primary_balanced(st, B->index, t->w[1] - B->weight, ch, t);
}

/* ---- applying ------------------------------------------------------------------------- */

static int members_add(members *m, size_t p)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		size_t *q = realloc(m->p, cap * sizeof *q);
		if (!q)
			return 0;
		m->p = q;
		m->cap = cap;
	}
	m->p[m->n++] = p;
	return 1;
}

/* Moves the points of A and B to the grid they now fall in. */
static int regroup(state *st, const chain *ch, const GEOSGeometry *na)
{
	GEOSContextHandle_t h = st->h;
	members old[2] = { st->mem[ch->a], st->mem[ch->b] };
	memset(&st->mem[ch->a], 0, sizeof st->mem[ch->a]);
	memset(&st->mem[ch->b], 0, sizeof st->mem[ch->b]);
	const GEOSPreparedGeometry *p = GEOSPrepare_r(h, na);
	int ok = p != NULL;
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; ok && i < old[k].n; i++) {
			const split_point *q = &st->s->points[old[k].p[i]];
			GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, q->x, q->y);
			int in_a = pt && GEOSPreparedIntersects_r(h, p, pt) == 1;
			if (pt)
				GEOSGeom_destroy_r(h, pt);
			ok = members_add(&st->mem[in_a ? ch->a : ch->b], old[k].p[i]);
		}
		free(old[k].p);
	}
	if (p)
		GEOSPreparedGeom_destroy_r(h, p);
	return ok;
}

static double *on_kind(split_grid *g, int kind)
{
	return kind == SPLIT_BARRIER ? &g->on_road : kind == SPLIT_WATER ? &g->on_water
		: kind == SPLIT_VILLAGE ? &g->on_village : kind == SPLIT_TOWN ? &g->on_town : NULL;
}

/* A secondary's target is its primary's weight over its count. */
static void retarget(const state *st, long p)
{
	split_straight *s = st->s;
	for (size_t j = st->kid0[p]; j < st->kid0[p + 1]; j++)
		s->sec[st->kids[j]].target = s->prim[p].weight / s->kprim[p];
}

/* A candidate: its ends slid k and m vertices along A's ring, and bent. */
typedef struct cand {
	int k, m;
	double bend, len;
} cand;

static void cand_ends(const chain *ch, const cand *c, double *e)
{
	e[0] = c->k ? ch->pre[c->k - 1].x : ch->xy[0];
	e[1] = c->k ? ch->pre[c->k - 1].y : ch->xy[1];
	e[2] = c->m ? ch->post[c->m - 1].x : ch->xy[2 * ch->n - 2];
	e[3] = c->m ? ch->post[c->m - 1].y : ch->xy[2 * ch->n - 1];
}

/* The candidate's vertices: its ends, and the bend between them. */
static size_t cand_xy(const chain *ch, const cand *c, double *xy)
{
	double e[4];
	cand_ends(ch, c, e);
	xy[0] = e[0];
	xy[1] = e[1];
	if (c->bend == 0) {
		xy[2] = e[2];
		xy[3] = e[3];
		return 2;
	}
	xy[2] = (e[0] + e[2]) / 2 - c->bend * (e[3] - e[1]);
	xy[3] = (e[1] + e[3]) / 2 + c->bend * (e[2] - e[0]);
	xy[4] = e[2];
	xy[5] = e[3];
	return 3;
}

/* The loop the old and the new limit make (from the candidate's start along
** A's ring and the chain to its end, and back along the candidate): a point
** inside it an odd number of times changes grid. */
static size_t flip_loop(const chain *ch, const cand *c, double *xy)
{
	size_t n = 0;
	for (int q = c->k - 1; q >= 0; q--, n++) {
		xy[2 * n] = ch->pre[q].x;
		xy[2 * n + 1] = ch->pre[q].y;
	}
	memcpy(xy + 2 * n, ch->xy, 2 * ch->n * sizeof *xy);
	n += ch->n;
	for (int q = 0; q < c->m; q++, n++) {
		xy[2 * n] = ch->post[q].x;
		xy[2 * n + 1] = ch->post[q].y;
	}
	double cx[6];
	if (cand_xy(ch, c, cx) == 3) {
		xy[2 * n] = cx[2];
		xy[2 * n + 1] = cx[3];
		n++;
	}
	return n;
}

static int odd_inside(const double *xy, size_t n, const double *box, double x, double y)
{
	if (x < box[0] || y < box[1] || x > box[2] || y > box[3])
		return 0;
	int in = 0;
	for (size_t i = 0, j = n - 1; i < n; j = i++) {
		double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
		if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
			in = !in;
	}
	return in;
}

/* A's and B's weights with the candidate, counted against the flip loop:
** cheap enough to try every candidate before drawing any. */
static void screen_count(const state *st, const chain *ch, const cand *c, double *loop, tally *t)
{
	size_t n = flip_loop(ch, c, loop);
	size_t g2[2] = { ch->a, ch->b };
	double box[4] = { loop[0], loop[1], loop[0], loop[1] };
	for (size_t i = 1; i < n; i++) {
		box[0] = fmin(box[0], loop[2 * i]);
		box[1] = fmin(box[1], loop[2 * i + 1]);
		box[2] = fmax(box[2], loop[2 * i]);
		box[3] = fmax(box[3], loop[2 * i + 1]);
	}
	memset(t, 0, sizeof *t);
	for (int k = 0; k < 2; k++) {
		const members *m = &st->mem[g2[k]];
		for (size_t i = 0; i < m->n; i++) {
			const split_point *q = &st->s->points[m->p[i]];
			int side = odd_inside(loop, n, box, q->x, q->y) ? !k : k;
			t->w[side] += q->weight;
			t->hh[side] += 1;
			t->persons[side] += q->persons;
		}
	}
}

static double glen(GEOSContextHandle_t h, const GEOSGeometry *g)
{
	double l = 0;
	GEOSLength_r(h, g, &l);
	return l;
}

static void set_grid(state *st, split_grid *g, GEOSGeometry *geom, const tally *t, int k)
{
	g->perimeter += glen(st->h, geom) - glen(st->h, g->geom);
	GEOSGeom_destroy_r(st->h, g->geom);
	g->geom = geom;
	g->compactness = pp(st->h, geom, &g->area);
	g->weight = t->w[k];
	g->households = t->hh[k];
	g->persons = t->persons[k];
}

/* The stretches of A's limit the ends slid over are B's now. */
static void move_slid(split_straight *s, const chain *ch, const cand *c)
{
	split_grid *A = &s->sec[ch->a], *B = &s->sec[ch->b];
	split_grid *PA = &s->prim[A->index], *PB = &s->prim[B->index];
	for (int side = 0; side < 2; side++)
		for (int q = 0; q < (side ? c->m : c->k); q++) {
			const slide *sl = side ? &ch->post[q] : &ch->pre[q];
			double *fa = on_kind(A, sl->kind), *fb = on_kind(B, sl->kind);
			if (!fa)
				continue;
			*fa -= sl->len;
			*fb += sl->len;
			if (PA != PB) {
				*on_kind(PA, sl->kind) -= sl->len;
				*on_kind(PB, sl->kind) += sl->len;
			}
		}
}

/* Takes na, nb and the new tallies into the grids. */
static int apply(state *st, const chain *ch, const cand *c, GEOSGeometry *na, GEOSGeometry *nb,
		 const tally *t)
{
	split_straight *s = st->s;
	split_grid *A = &s->sec[ch->a], *B = &s->sec[ch->b];
	double before = glen(st->h, A->geom) + glen(st->h, B->geom);
	if (A->index != B->index) {
		split_grid *PA = &s->prim[A->index], *PB = &s->prim[B->index];
		PA->weight += t->w[0] - A->weight;
		PB->weight += t->w[1] - B->weight;
		PA->households += t->hh[0] - A->households;
		PB->households += t->hh[1] - B->households;
		PA->persons += t->persons[0] - A->persons;
		PB->persons += t->persons[1] - B->persons;
		st->dirty[A->index] = st->dirty[B->index] = 1;
		retarget(st, A->index);
		retarget(st, B->index);
	}
	move_slid(s, ch, c);
	set_grid(st, A, na, t, 0);
	set_grid(st, B, nb, t, 1);
	s->saved += (before - glen(st->h, A->geom) - glen(st->h, B->geom)) / 2;
	s->straightened++;
	st->version[ch->a]++;
	st->version[ch->b]++;
	return regroup(st, ch, na) ? 1 : -1;
}

/* Draws candidate c and checks it exactly; applies it when it passes. */
static int try_candidate(state *st, const chain *ch, const cand *cd,
			 const GEOSPreparedGeometry *pu)
{
	GEOSContextHandle_t h = st->h;
	split_straight *s = st->s;
	double xy[6];
	GEOSGeometry *c = line_of(h, xy, cand_xy(ch, cd, xy));
	if (!c)
		return -1;
	GEOSGeometry *tc = trimmed(h, c);
	int inside = tc && GEOSPreparedContainsProperly_r(h, pu, tc) == 1;
	int crosses = !inside || GEOSPreparedIntersects_r(h, s->lines, tc) != 0;
	if (tc)
		GEOSGeom_destroy_r(h, tc);
	GEOSGeometry *na = NULL, *nb = NULL;
	int drawn = !crosses && redraw_pair(st, ch, c, pu, &na, &nb);
	GEOSGeom_destroy_r(h, c);
	if (!drawn)
		return 0;
	split_grid *A = &s->sec[ch->a], *B = &s->sec[ch->b];
	double aa, ab, floor = fmin(PP_FLOOR, fmin(A->compactness, B->compactness));
	int ok = pp(h, na, &aa) >= floor && pp(h, nb, &ab) >= floor;
	tally t;
	if (ok) {
		recount(st, ch, na, &t);
		ok = balanced(st, ch, &t);
	}
	if (ok)
		return apply(st, ch, cd, na, nb, &t);
	GEOSGeom_destroy_r(h, na);
	GEOSGeom_destroy_r(h, nb);
	return 0;
}

static int by_len(const void *x, const void *y)
{
	const cand *a = x, *b = y;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->k != b->k || a->m != b->m)
		return a->k != b->k ? a->k - b->k : a->m - b->m;
	return a->bend < b->bend ? -1 : a->bend > b->bend;
}

/*
** Candidates: the ends where they are or slid along A's other limits, joined
** straight or by two segments bent off the chord (a bend of 0.5 chord is a
** tortuosity of 1.41), shortest first; those that would leave A or B out of
** balance are dropped by a cheap count before any is drawn.
*/
static const double bends[] = { 0, 0.08, -0.08, 0.16, -0.16, 0.25, -0.25, 0.35, -0.35, 0.5, -0.5 };
#define NBENDS (sizeof bends / sizeof *bends)
#define MAX_DRAWN 8

static size_t candidates(const state *st, const chain *ch, cand *out, double *loop)
{
	size_t n = 0;
	for (int k = 0; k <= ch->npre; k++)
		for (int m = 0; m <= ch->npost; m++)
			for (size_t b = 0; b < NBENDS; b++) {
				cand c = { k, m, bends[b], 0 };
				double xy[6];
				size_t np = cand_xy(ch, &c, xy);
				c.len = hypot(xy[2] - xy[0], xy[3] - xy[1]) +
					(np == 3 ? hypot(xy[4] - xy[2], xy[5] - xy[3]) : 0);
				tally t;
				screen_count(st, ch, &c, loop, &t);
				if (c.len < ch->excess + hypot(ch->xy[2 * ch->n - 2] - ch->xy[0],
							       ch->xy[2 * ch->n - 1] - ch->xy[1]) &&
				    balanced(st, ch, &t))
					out[n++] = c;
			}
	qsort(out, n, sizeof *out, by_len);
	return n;
}

static int straighten_chain(state *st, const chain *ch)
{
	GEOSContextHandle_t h = st->h;
	split_straight *s = st->s;
	if (st->version[ch->a] != ch->va || st->version[ch->b] != ch->vb)
		return 0;
	size_t max = (size_t)(SLIDE + 1) * (SLIDE + 1) * NBENDS;
	cand *cs = malloc(max * sizeof *cs);
	double *loop = malloc(2 * (ch->n + 2 * SLIDE + 2) * sizeof *loop);
	if (!cs || !loop) {
		free(cs);
		free(loop);
		return -1;
	}
	size_t n = candidates(st, ch, cs, loop);
	free(loop);
	if (!n) {
		free(cs);
		return 0;
	}
	GEOSGeometry *two[2] = { GEOSGeom_clone_r(h, s->sec[ch->a].geom),
				 GEOSGeom_clone_r(h, s->sec[ch->b].geom) };
	GEOSGeometry *coll = two[0] && two[1]
		? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, two, 2) : NULL;
	GEOSGeometry *u = coll ? GEOSCoverageUnion_r(h, coll) : NULL;
	const GEOSPreparedGeometry *pu = u ? GEOSPrepare_r(h, u) : NULL;
	int r = pu ? 0 : -1;
	for (size_t i = 0; !r && i < n && i < MAX_DRAWN; i++)
		r = try_candidate(st, ch, &cs[i], pu);
	if (pu)
		GEOSPreparedGeom_destroy_r(h, pu);
	if (u)
		GEOSGeom_destroy_r(h, u);
	if (coll)
		GEOSGeom_destroy_r(h, coll);
	else
		for (int k = 0; k < 2; k++)
			if (two[k])
				GEOSGeom_destroy_r(h, two[k]);
	free(cs);
	return r;
}

/* ---- the passes --------------------------------------------------------------------------- */

static int find_chains(state *st, chains *cs)
{
	const split_straight *s = st->s;
	/* Both ways: an end slides along the ring the chain was read from. */
	for (size_t i = 0; i < s->npairs; i++)
		if (!ring_chains(st, s->pairs[2 * i], s->pairs[2 * i + 1], cs) ||
		    !ring_chains(st, s->pairs[2 * i + 1], s->pairs[2 * i], cs))
			return 0;
	if (cs->n)
		qsort(cs->c, cs->n, sizeof *cs->c, by_excess);
	return 1;
}

static int one_pass(state *st, size_t *done)
{
	chains cs = { 0 };
	int ok = find_chains(st, &cs);
	*done = 0;
	for (size_t i = 0; ok && i < cs.n; i++) {
		int r = straighten_chain(st, &cs.c[i]);
		ok = r >= 0;
		*done += r > 0;
	}
	chains_free(&cs);
	return ok;
}

/* A changed primary again as the union of its secondaries. */
static int redissolve(state *st, long p)
{
	GEOSContextHandle_t h = st->h;
	split_straight *s = st->s;
	size_t n = 0;
	GEOSGeometry **g = malloc((s->nsec + 1) * sizeof *g);
	if (!g)
		return 0;
	for (size_t i = 0; i < s->nsec; i++)
		if (s->sec[i].index == p)
			g[n++] = s->sec[i].geom;
	GEOSGeometry *u = split_union_one(h, g, n);
	free(g);
	if (!u)
		return 0;
	split_grid *P = &s->prim[p];
	P->perimeter += glen(h, u) - glen(h, P->geom);
	GEOSGeom_destroy_r(h, P->geom);
	P->geom = u;
	P->compactness = pp(h, u, &P->area);
	return 1;
}

/* The secondaries of each primary, as CSR. */
static int kids_build(state *st)
{
	const split_straight *s = st->s;
	st->kid0 = calloc(s->nprim + 2, sizeof *st->kid0);
	st->kids = malloc((s->nsec + 1) * sizeof *st->kids);
	if (!st->kid0 || !st->kids)
		return 0;
	for (size_t i = 0; i < s->nsec; i++)
		st->kid0[s->sec[i].index + 2]++;
	for (size_t p = 0; p < s->nprim; p++)
		st->kid0[p + 2] += st->kid0[p + 1];
	for (size_t i = 0; i < s->nsec; i++)
		st->kids[st->kid0[s->sec[i].index + 1]++] = i;
	return 1;
}

static int members_build(state *st)
{
	const split_straight *s = st->s;
	for (size_t i = 0; i < s->npoints; i++)
		if (s->point_sec[i] >= 0 && !members_add(&st->mem[s->point_sec[i]], i))
			return 0;
	return 1;
}

geo_err split_straighten(geo_ctx *ctx, split_straight *s)
{
	state st = { s, geo_ctx_geos(ctx), calloc(s->nsec + 1, sizeof *st.mem),
		     calloc(s->nprim + 1, 1), calloc(s->nsec + 1, sizeof *st.version), NULL, NULL };
	int ok = st.mem && st.dirty && st.version && members_build(&st) && kids_build(&st);
	s->saved = 0;
	s->straightened = 0;
	for (int pass = 0; ok && pass < PASSES; pass++) {
		size_t done = 0;
		ok = one_pass(&st, &done);
		if (!done)
			break;
	}
	for (size_t p = 0; ok && p < s->nprim; p++)
		if (st.dirty[p])
			ok = redissolve(&st, (long)p);
	for (size_t p = 0; ok && p < s->nprim; p++)
		s->prim[p].heaviest = 0;
	for (size_t i = 0; ok && i < s->nsec; i++) {
		split_grid *g = &s->sec[i];
		g->heaviest = 0;
		for (size_t k = 0; k < st.mem[i].n; k++)
			g->heaviest = fmax(g->heaviest, s->points[st.mem[i].p[k]].weight);
		s->prim[g->index].heaviest = fmax(s->prim[g->index].heaviest, g->heaviest);
	}
	for (size_t i = 0; st.mem && i < s->nsec; i++)
		free(st.mem[i].p);
	free(st.mem);
	free(st.dirty);
	free(st.version);
	free(st.kids);
	free(st.kid0);
	return ok ? GEO_OK : geo_fail(ctx, GEO_ERR_INTERNAL, "straightening the free limits failed "
				      "(out of memory, or GEOS failed)");
}
