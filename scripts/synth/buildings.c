/*
** buildings.c: the sample town's building footprints with heights, what
** grid-cover burns onto its surface: a house (住宅, 3-10 m) round most
** households, a few apartment blocks (楼房, 15-24 m) in the town's seat, a
** committee house (村委会) in every village and workshops (厂房, 8-14 m)
** along the main roads. Footprints are axis-aligned rectangles (village
** houses on the North China plain face south), keep 1 m from each other,
** stay off roads, rivers and ponds and never cover a camera's pole or a
** household's point: a household stands 1 m in front of its house's door.
** Everything is drawn from a stream of its own (S_BUILDINGS), after every
** other layer, so the layers the town had before are as they were.
*/
#include "town.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BUCKET = 50, N_BLOCKS = 8, N_WORKSHOPS = 18, TRIES = 2000 };

/* Buildings by 50 m bucket, to test a new footprint against its neighbours. */
typedef struct bgrid {
	double x0, y0;
	size_t nx, ny;
	size_t **cell, *n, *cap;
} bgrid;

typedef struct site {
	synth *s;
	town *t;
	bgrid g;                /* buildings */
	bgrid hg;               /* households */
	const GEOSPreparedGeometry *nogo; /* roads, rivers and ponds, with a margin */
	size_t cap;
} site;

static void bucket_range(const bgrid *g, const double *b, size_t *r);

static void bgrid_init(bgrid *g, const double *env)
{
	g->x0 = env[0];
	g->y0 = env[1];
	g->nx = (size_t)((env[2] - env[0]) / BUCKET) + 1;
	g->ny = (size_t)((env[3] - env[1]) / BUCKET) + 1;
	g->cell = xcalloc(g->nx * g->ny, sizeof *g->cell);
	g->n = xcalloc(g->nx * g->ny, sizeof *g->n);
	g->cap = xcalloc(g->nx * g->ny, sizeof *g->cap);
}

static void bgrid_add(bgrid *g, const double *b, size_t k)
{
	size_t r[4];
	bucket_range(g, b, r);
	for (size_t y = r[1]; y <= r[3]; y++)
		for (size_t x = r[0]; x <= r[2]; x++) {
			size_t c = y * g->nx + x;
			if (g->n[c] == g->cap[c]) {
				g->cap[c] = g->cap[c] ? 2 * g->cap[c] : 8;
				g->cell[c] = xrealloc(g->cell[c], g->cap[c], sizeof **g->cell);
			}
			g->cell[c][g->n[c]++] = k;
		}
}

static void bgrid_free(bgrid *g)
{
	for (size_t i = 0; i < g->nx * g->ny; i++)
		free(g->cell[i]);
	free(g->cell);
	free(g->n);
	free(g->cap);
}

/* The buckets a box touches, clamped to the grid. */
static void bucket_range(const bgrid *g, const double *b, size_t *r)
{
	double lo[2] = { (b[0] - g->x0) / BUCKET, (b[1] - g->y0) / BUCKET };
	double hi[2] = { (b[2] - g->x0) / BUCKET, (b[3] - g->y0) / BUCKET };
	size_t max[2] = { g->nx - 1, g->ny - 1 };
	for (int k = 0; k < 2; k++) {
		r[k] = lo[k] < 0 ? 0 : (size_t)lo[k] > max[k] ? max[k] : (size_t)lo[k];
		r[k + 2] = hi[k] < 0 ? 0 : (size_t)hi[k] > max[k] ? max[k] : (size_t)hi[k];
	}
}

/* 1 when the box keeps 1 m from every building already placed. */
static int box_free(const site *st, const double *b)
{
	size_t r[4];
	bucket_range(&st->g, b, r);
	for (size_t y = r[1]; y <= r[3]; y++)
		for (size_t x = r[0]; x <= r[2]; x++) {
			size_t c = y * st->g.nx + x;
			for (size_t i = 0; i < st->g.n[c]; i++) {
				const building *o = &st->t->bld[st->g.cell[c][i]];
				if (b[0] < o->box[2] + 1 && o->box[0] < b[2] + 1 && b[1] < o->box[3] + 1 &&
				    o->box[1] < b[3] + 1)
					return 0;
			}
		}
	return 1;
}

/* 1 when no household's point lies within 0.5 m of the box: a household
** stands at its door, where grid-cover looks for it, not on a roof. */
static int clear_of_households(const site *st, const double *b)
{
	const town *t = st->t;
	size_t r[4];
	bucket_range(&st->hg, b, r);
	for (size_t y = r[1]; y <= r[3]; y++)
		for (size_t x = r[0]; x <= r[2]; x++) {
			size_t c = y * st->hg.nx + x;
			for (size_t i = 0; i < st->hg.n[c]; i++) {
				size_t h = st->hg.cell[c][i];
				if (t->hx[h] > b[0] - 0.5 && t->hx[h] < b[2] + 0.5 && t->hy[h] > b[1] - 0.5 &&
				    t->hy[h] < b[3] + 0.5)
					return 0;
			}
		}
	return 1;
}

/* 1 when no camera stands within 1.5 m of the box. */
static int clear_of_cameras(const town *t, const double *b)
{
	for (size_t i = 0; i < t->ncams; i++) {
		const camera *c = &t->cams[i];
		if (c->x > b[0] - 1.5 && c->x < b[2] + 1.5 && c->y > b[1] - 1.5 && c->y < b[3] + 1.5)
			return 0;
	}
	return 1;
}

static GEOSGeometry *box_polygon(synth *s, const double *b)
{
	double xy[10] = { b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1] };
	return make_polygon(s, xy, 5);
}

/* 1 when the box may be built on: free, in the town, off the no-go zone. */
static int box_fits(site *st, const double *b)
{
	if (!box_free(st, b) || !clear_of_cameras(st->t, b) || !clear_of_households(st, b))
		return 0;
	GEOSGeometry *p = box_polygon(st->s, b);
	int ok = GEOSPreparedContains_r(st->s->h, st->t->town_p, p) == 1 &&
		 GEOSPreparedIntersects_r(st->s->h, st->nogo, p) == 0;
	GEOSGeom_destroy_r(st->s->h, p);
	return ok;
}

static void add_building(site *st, const double *b, int kind, int floors, double height,
			 long hh)
{
	town *t = st->t;
	if (t->nbld == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 4096;
		t->bld = xrealloc(t->bld, st->cap, sizeof *t->bld);
	}
	size_t k = t->nbld++;
	building *o = &t->bld[k];
	*o = (building){ .kind = kind, .floors = floors, .height = height, .hh = hh };
	memcpy(o->box, b, sizeof o->box);
	o->village = village_at(st->s, t, 0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3]));
	bgrid_add(&st->g, b, k);
}

/* A w × d box whose point (fx, fy) (fractions of w and d) is at (x, y). */
static void box_at(const synth *s, double x, double y, double w, double d, double fx, double fy,
		   double *b)
{
	b[0] = snapv(s, x - fx * w);
	b[1] = snapv(s, y - fy * d);
	b[2] = snapv(s, b[0] + w);
	b[3] = snapv(s, b[1] + d);
}

/* Roads (by their width), the river and canal, and ponds, with a margin. */
static GEOSGeometry *no_go(synth *s, const town *t)
{
	static const double half[3] = { 6, 4, 2.5 };  /* main, village, lane */
	glist parts = { 0 };
	for (size_t i = 0; i < t->roads.n; i++)
		glist_push(&parts, need(s, GEOSBuffer_r(s->h, t->roads.g[i],
							half[(int)t->road_class.v[i]], 2), "buffer"));
	for (size_t i = 0; i < t->rivers.n; i++)
		glist_push(&parts, need(s, GEOSBuffer_r(s->h, t->rivers.g[i],
							i < t->n_river ? 30 : 12, 2), "buffer"));
	for (size_t i = 0; i < t->nponds; i++)
		glist_push(&parts, need(s, GEOSBuffer_r(s->h, t->ponds[i], 3, 2), "buffer"));
	GEOSGeometry *all = glist_collect(s, &parts, GEOS_GEOMETRYCOLLECTION);
	GEOSGeometry *u = need(s, GEOSUnaryUnion_r(s->h, all), "union");
	GEOSGeom_destroy_r(s->h, all);
	return u;
}

/* The seat's apartment blocks: six to eight floors, near its centre. */
static void apartment_blocks(site *st, rng *r, int seat)
{
	const town *t = st->t;
	for (int k = 0, tries = 0; k < N_BLOCKS && tries < TRIES; tries++) {
		double a = rng_range(r, 0, 2 * M_PI), d = rng_range(r, 0, 1.2) * t->sigma[seat];
		double w = rng_range(r, 45, 70), dep = rng_range(r, 11, 14), b[4];
		int floors = 6 + (int)rng_below(r, 3);
		double h = round((3 * floors + rng_range(r, 0.3, 1.5)) * 10) / 10;
		box_at(st->s, t->vs.x[seat] + d * cos(a), t->vs.y[seat] + d * sin(a), w, dep, 0.5, 0.5, b);
		if (box_fits(st, b)) {
			add_building(st, b, B_BLOCK, floors, h, -1);
			k++;
		}
	}
}

/* A committee house (two floors) near every village's centre. */
static void committees(site *st, rng *r)
{
	const town *t = st->t;
	for (int v = 0; v < N_VILLAGES; v++)
		for (int tries = 0; tries < TRIES; tries++) {
			double a = rng_range(r, 0, 2 * M_PI), d = rng_range(r, 0, 0.5) * t->sigma[v];
			double w = rng_range(r, 20, 30), dep = rng_range(r, 10, 14), b[4];
			double h = round(rng_range(r, 7, 8.5) * 10) / 10;
			box_at(st->s, t->vs.x[v] + d * cos(a), t->vs.y[v] + d * sin(a), w, dep, 0.5, 0.5, b);
			if (box_fits(st, b)) {
				add_building(st, b, B_COMMITTEE, 2, h, -1);
				break;
			}
		}
}

/* Workshops in the fields beside the main roads, 30-80 m off them. */
static void workshops(site *st, rng *r)
{
	const town *t = st->t;
	size_t nmain = 0;
	for (size_t i = 0; i < t->roads.n; i++)
		nmain += (int)t->road_class.v[i] == 0;
	for (int k = 0, tries = 0; nmain && k < N_WORKSHOPS && tries < 5 * TRIES; tries++) {
		size_t pick = rng_below(r, nmain), i = 0;
		for (;; i++)
			if ((int)t->road_class.v[i] == 0 && pick-- == 0)
				break;
		const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(st->s->h, t->roads.g[i]);
		unsigned m = 0;
		double vx = 0, vy = 0;
		GEOSCoordSeq_getSize_r(st->s->h, cs, &m);
		GEOSCoordSeq_getXY_r(st->s->h, cs, (unsigned)rng_below(r, m), &vx, &vy);
		double a = rng_range(r, 0, 2 * M_PI), d = rng_range(r, 30, 80);
		double w = rng_range(r, 40, 90), dep = rng_range(r, 20, 40), b[4];
		double h = round(rng_range(r, 8, 14) * 10) / 10;
		box_at(st->s, vx + d * cos(a), vy + d * sin(a), w, dep, 0.5, 0.5, b);
		if (box_fits(st, b)) {
			add_building(st, b, B_WORKSHOP, 1, h, -1);
			k++;
		}
	}
}

/* A household's house: one floor mostly, two or three for some, 1 m from
** the household's point, which stands at its door: north of the point
** (the house faces south, 坐北朝南) if it fits, else south, west or east
** of it, full size or smaller; none when nothing fits (a household that
** shares a courtyard). at[k] is where the point lies in the box's
** fractions of width and depth, 1 m outside its side. */
static void house(site *st, rng *r, size_t h)
{
	const town *t = st->t;
	static const double shrink[3] = { 1, 0.75, 0.55 };
	double w = rng_range(r, 9, 14), d = rng_range(r, 6, 9), u = rng_unif(r);
	int floors = u < 0.72 ? 1 : u < 0.96 ? 2 : 3;
	double height = fmin(10, round((3 * floors + rng_range(r, 0, 1.5)) * 10) / 10);
	for (int size = 0; size < 3; size++)
		for (int k = 0; k < 4; k++) {
			double f = shrink[size], b[4];
			double bw = f * w, bd = f * d;
			const double at[4][2] = { { 0.5, -1 / bd }, { 0.5, 1 + 1 / bd },
						  { 1 + 1 / bw, 0.5 }, { -1 / bw, 0.5 } };
			box_at(st->s, t->hx[h], t->hy[h], bw, bd, at[k][0], at[k][1], b);
			if (box_fits(st, b)) {
				add_building(st, b, B_HOUSE, floors, height, (long)h);
				return;
			}
		}
}

void make_buildings(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_BUILDINGS);
	double env[4];
	env_of(s, t->town, env);
	site st = { .s = s, .t = t };
	bgrid_init(&st.g, env);
	bgrid_init(&st.hg, env);
	for (size_t h = 0; h < t->nh; h++)
		bgrid_add(&st.hg, (const double[4]){ t->hx[h], t->hy[h], t->hx[h], t->hy[h] }, h);
	GEOSGeometry *ng = no_go(s, t);
	st.nogo = GEOSPrepare_r(s->h, ng);
	int seat = 0;
	for (int v = 0; v < N_VILLAGES; v++)
		if (!strcmp(t->vname[v], "下伍旗村"))
			seat = v;
	apartment_blocks(&st, &r, seat);
	committees(&st, &r);
	workshops(&st, &r);
	for (int k = 0; k < N_VILLAGES; k++)
		for (size_t h = 0; h < t->nh; h++)
			if (t->vrank[t->hv[h]] == k)
				house(&st, &r, h);
	GEOSPreparedGeom_destroy_r(s->h, st.nogo);
	GEOSGeom_destroy_r(s->h, ng);
	bgrid_free(&st.g);
	bgrid_free(&st.hg);
}
