/*
** synth.c: the seeded generator of wangge's test data.
**
**   synth town   --seed N -o FILE.gpkg [--scale K] [--gcj02-csv FILE.csv]
**   synth tiling --seed N --grids K [--points P] [--clustered] [--unmatched]
**                [--defects] -o DIR
**
** `town` makes the sample town of data/samples (a township modelled on
** Xiawuqi: areas, villages, grids, households, roads, rivers, cameras, ponds,
** ditches, hazards and cases); `tiling` makes towns of any size for tests and
** benchmarks: grids that tile a town exactly, points, and copies with
** injected defects whose truth is written as JSON. docs/synth.md describes
** both.
**
** Same seed, same bytes: every random number comes from our own xoshiro256**
** generator (one stream per layer, so that changing one layer's size leaves
** the others alone), features are written in a fixed order, coordinates are
** rounded to a fixed grid, and OGR_CURRENT_DATE pins the GeoPackage's
** timestamps.
**
** Exact tilings come from one construction: every dividing line (the town
** boundary and the Voronoi edges of the grid seeds, level by level) is noded
** and snap-rounded together by GEOS, polygonized into faces, and each face is
** given to the seed that is nearest at each level. Grids are then coverage
** unions of faces, so neighbours share their boundary vertex for vertex.
**
** This is a script, not the library: it stops with a message on out of
** memory or a GEOS failure instead of unwinding.
*/
#include "geo.h"
#include "geo_internal.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TOWN_CODE "120114107"
#define TOWN_X 500000.0
#define TOWN_Y 4361000.0
#define FIXED_DATE "2021-12-31T00:00:00Z"

/* ---- random numbers: xoshiro256** seeded through splitmix64 ----------- */

typedef struct rng {
	uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Each layer draws from its own stream so that its size does not shift the
** numbers another layer sees. */
static void rng_init(rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static double rng_unif(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static double rng_range(rng *r, double a, double b) { return a + (b - a) * rng_unif(r); }
static size_t rng_below(rng *r, size_t n) { return (size_t)(rng_unif(r) * (double)n); }

static double rng_normal(rng *r)
{
	double u = rng_unif(r), v = rng_unif(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static size_t rng_weighted(rng *r, const double *w, size_t n)
{
	double total = 0, x;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	x = rng_unif(r) * total;
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* ---- plumbing ----------------------------------------------------------- */

typedef struct synth {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	double scale;           /* coordinates are multiples of 1/scale metres */
	uint64_t seed;
	int quiet;
} synth;

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("synth: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(GEO_ERR_INTERNAL);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	if (n && size > SIZE_MAX / n)
		fatal("out of memory");
	p = realloc(p, n * size > 0 ? n * size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

static GEOSGeometry *need(synth *s, GEOSGeometry *g, const char *what)
{
	if (!g)
		fatal("%s failed: %s", what, geo_last_error(s->ctx));
	return g;
}

static void note(synth *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(synth *s, const char *fmt, ...)
{
	if (s->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("synth: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static double snapv(const synth *s, double v) { return round(v * s->scale) / s->scale; }

static int snap_cb(double *x, double *y, void *data)
{
	*x = snapv(data, *x);
	*y = snapv(data, *y);
	return 1;
}

static GEOSGeometry *snapped(synth *s, const GEOSGeometry *g)
{
	return need(s, GEOSGeom_transformXY_r(s->h, g, snap_cb, s), "rounding");
}

static GEOSGeometry *make_point(synth *s, double x, double y)
{
	return need(s, GEOSGeom_createPointFromXY_r(s->h, x, y), "point");
}

static GEOSGeometry *make_line(synth *s, const double *xy, size_t n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(s->h, xy, n, 0, 0);
	if (!cs)
		fatal("coordinates: %s", geo_last_error(s->ctx));
	return need(s, GEOSGeom_createLineString_r(s->h, cs), "line");
}

/* xy holds a closed ring. */
static GEOSGeometry *make_polygon(synth *s, const double *xy, size_t n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(s->h, xy, n, 0, 0);
	GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(s->h, cs) : NULL;
	if (!ring)
		fatal("ring: %s", geo_last_error(s->ctx));
	return need(s, GEOSGeom_createPolygon_r(s->h, ring, NULL, 0), "polygon");
}

typedef struct dvec {
	double *v;
	size_t n, cap;
} dvec;

static void dvec_push(dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->v = xrealloc(d->v, d->cap, sizeof *d->v);
	}
	d->v[d->n++] = x;
}

typedef struct glist {
	GEOSGeometry **g;
	size_t n, cap;
} glist;

static void glist_push(glist *l, GEOSGeometry *g)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->g = xrealloc(l->g, l->cap, sizeof *l->g);
	}
	l->g[l->n++] = g;
}

/* Makes a collection of the list's geometries (taking them) and empties it. */
static GEOSGeometry *glist_collect(synth *s, glist *l, int type)
{
	GEOSGeometry *c = need(s, GEOSGeom_createCollection_r(s->h, type, l->g, (unsigned)l->n),
			       "collection");
	free(l->g);
	memset(l, 0, sizeof *l);
	return c;
}

static void glist_free(synth *s, glist *l)
{
	for (size_t i = 0; i < l->n; i++)
		GEOSGeom_destroy_r(s->h, l->g[i]);
	free(l->g);
	memset(l, 0, sizeof *l);
}

static void destroy_all(synth *s, GEOSGeometry **g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		GEOSGeom_destroy_r(s->h, g[i]);
	free(g);
}

static void inside_point(synth *s, const GEOSGeometry *g, double *x, double *y)
{
	if (geo_geom_inside_point(s->ctx, g, x, y))
		fatal("interior point: %s", geo_last_error(s->ctx));
}

/* 1 if (x, y) lies in the interior of the prepared polygon. */
static int prep_contains(synth *s, const GEOSPreparedGeometry *p, double x, double y)
{
	GEOSGeometry *pt = make_point(s, x, y);
	int in = GEOSPreparedContains_r(s->h, p, pt) == 1;
	GEOSGeom_destroy_r(s->h, pt);
	return in;
}

/* The parts of a (multi)line as separate geometries, each rounded. */
static void push_parts(synth *s, const GEOSGeometry *g, glist *out)
{
	int n = GEOSGetNumGeometries_r(s->h, g);
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(s->h, g, i);
		if (GEOSGeomTypeId_r(s->h, part) == GEOS_LINESTRING && !GEOSisEmpty_r(s->h, part))
			glist_push(out, snapped(s, part));
	}
}

/* ---- exact tilings: faces, seeds, groups ------------------------------- */

/*
** Faces are the polygons of the noded, snap-rounded dividing lines. Two faces
** are neighbours when they share a segment; since polygonize hands both the
** same coordinates, adjacency is found exactly by sorting segments.
*/
typedef struct faces {
	size_t n;
	GEOSGeometry **g;
	double *area, *x, *y;   /* area and a point inside */
	size_t *adj_off;        /* neighbours of f: adj_to[adj_off[f] .. adj_off[f+1]) */
	size_t *adj_to;
	double *adj_len;        /* length of the shared boundary */
} faces;

typedef struct seg {
	double ax, ay, bx, by;
	size_t face;
} seg;

static int cmp_seg(const void *a, const void *b)
{
	const seg *p = a, *q = b;
	const double k1[4] = { p->ax, p->ay, p->bx, p->by }, k2[4] = { q->ax, q->ay, q->bx, q->by };
	for (int i = 0; i < 4; i++)
		if (k1[i] != k2[i])
			return k1[i] < k2[i] ? -1 : 1;
	return p->face < q->face ? -1 : p->face > q->face;
}

typedef struct pair {
	size_t a, b;
	double len;
} pair;

static int cmp_pair(const void *x, const void *y)
{
	const pair *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

static void add_ring_segs(synth *s, const GEOSGeometry *ring, size_t face, seg **sv, size_t *n,
			  size_t *cap)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->h, ring);
	unsigned m = 0;
	GEOSCoordSeq_getSize_r(s->h, cs, &m);
	double *xy = xcalloc(2 * (size_t)m, sizeof *xy);
	GEOSCoordSeq_copyToBuffer_r(s->h, cs, xy, 0, 0);
	for (unsigned i = 0; i + 1 < m; i++) {
		double ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * i + 2], by = xy[2 * i + 3];
		if (ax == bx && ay == by)
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 1024;
			*sv = xrealloc(*sv, *cap, sizeof **sv);
		}
		int swap = ax > bx || (ax == bx && ay > by);
		(*sv)[(*n)++] = swap ? (seg){ bx, by, ax, ay, face } : (seg){ ax, ay, bx, by, face };
	}
	free(xy);
}

static void faces_adjacency(synth *s, faces *f)
{
	seg *sv = NULL;
	size_t ns = 0, cap = 0;
	for (size_t i = 0; i < f->n; i++) {
		add_ring_segs(s, GEOSGetExteriorRing_r(s->h, f->g[i]), i, &sv, &ns, &cap);
		int nh = GEOSGetNumInteriorRings_r(s->h, f->g[i]);
		for (int k = 0; k < nh; k++)
			add_ring_segs(s, GEOSGetInteriorRingN_r(s->h, f->g[i], k), i, &sv, &ns, &cap);
	}
	qsort(sv, ns, sizeof *sv, cmp_seg);
	pair *pv = xcalloc(ns * 2 + 1, sizeof *pv);
	size_t np = 0;
	for (size_t i = 0; i + 1 < ns; i++) {
		seg *a = &sv[i], *b = &sv[i + 1];
		if (a->ax != b->ax || a->ay != b->ay || a->bx != b->bx || a->by != b->by ||
		    a->face == b->face)
			continue;
		double len = hypot(a->bx - a->ax, a->by - a->ay);
		pv[np++] = (pair){ a->face, b->face, len };
		pv[np++] = (pair){ b->face, a->face, len };
	}
	free(sv);
	qsort(pv, np, sizeof *pv, cmp_pair);
	f->adj_off = xcalloc(f->n + 1, sizeof *f->adj_off);
	f->adj_to = xcalloc(np + 1, sizeof *f->adj_to);
	f->adj_len = xcalloc(np + 1, sizeof *f->adj_len);
	size_t m = 0;
	for (size_t i = 0; i < np; i++) {
		if (m && pv[i].a == pv[i - 1].a && pv[i].b == f->adj_to[m - 1]) {
			f->adj_len[m - 1] += pv[i].len;
			continue;
		}
		f->adj_to[m] = pv[i].b;
		f->adj_len[m] = pv[i].len;
		f->adj_off[pv[i].a + 1] = ++m;
	}
	for (size_t i = 1; i <= f->n; i++)
		if (f->adj_off[i] < f->adj_off[i - 1])
			f->adj_off[i] = f->adj_off[i - 1];
	free(pv);
}

/* 1 if the face lies (mostly) inside the town: faces outside come only from
** dividing lines that overshoot the boundary by a metre. */
static int face_inside(synth *s, const GEOSPreparedGeometry *town_p, const GEOSGeometry *town,
		       const GEOSGeometry *face, double area)
{
	if (GEOSPreparedContains_r(s->h, town_p, face) == 1)
		return 1;
	if (GEOSPreparedIntersects_r(s->h, town_p, face) != 1)
		return 0;
	GEOSGeometry *in = need(s, GEOSIntersection_r(s->h, face, town), "intersection");
	double a = 0;
	GEOSArea_r(s->h, in, &a);
	GEOSGeom_destroy_r(s->h, in);
	return a > 0.5 * area;
}

/* Nodes and rounds the lines (taken), polygonizes them and keeps the faces
** inside town. */
static void faces_build(synth *s, GEOSGeometry *lines, const GEOSGeometry *town, faces *f)
{
	GEOSGeometry *noded = need(s, GEOSUnaryUnionPrec_r(s->h, lines, 1.0 / s->scale), "noding");
	GEOSGeom_destroy_r(s->h, lines);
	const GEOSGeometry *arr[1] = { noded };
	GEOSGeometry *polys = need(s, GEOSPolygonize_r(s->h, arr, 1), "polygonize");
	GEOSGeom_destroy_r(s->h, noded);
	const GEOSPreparedGeometry *tp = GEOSPrepare_r(s->h, town);
	int n = GEOSGetNumGeometries_r(s->h, polys);
	memset(f, 0, sizeof *f);
	f->g = xcalloc((size_t)n, sizeof *f->g);
	f->area = xcalloc((size_t)n, sizeof *f->area);
	f->x = xcalloc((size_t)n, sizeof *f->x);
	f->y = xcalloc((size_t)n, sizeof *f->y);
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(s->h, polys, i);
		double a = 0;
		GEOSArea_r(s->h, p, &a);
		if (a <= 0 || !face_inside(s, tp, town, p, a))
			continue;
		f->g[f->n] = need(s, GEOSGeom_clone_r(s->h, p), "clone");
		f->area[f->n] = a;
		inside_point(s, p, &f->x[f->n], &f->y[f->n]);
		f->n++;
	}
	GEOSPreparedGeom_destroy_r(s->h, tp);
	GEOSGeom_destroy_r(s->h, polys);
	faces_adjacency(s, f);
}

static void faces_free(synth *s, faces *f)
{
	destroy_all(s, f->g, f->n);
	free(f->area);
	free(f->x);
	free(f->y);
	free(f->adj_off);
	free(f->adj_to);
	free(f->adj_len);
}

/* Seeds of one level of grids; parent indexes the level above (-1 at top). */
typedef struct seeds {
	size_t n;
	double *x, *y;
	int *parent;
} seeds;

static void seeds_alloc(seeds *lv, size_t n)
{
	lv->n = n;
	lv->x = xcalloc(n, sizeof *lv->x);
	lv->y = xcalloc(n, sizeof *lv->y);
	lv->parent = xcalloc(n, sizeof *lv->parent);
}

static void seeds_free(seeds *lv)
{
	free(lv->x);
	free(lv->y);
	free(lv->parent);
}

typedef struct match {
	const double *x, *y;
	const GEOSPreparedGeometry **prep;
	synth *s;
	size_t want, found;
	int ok;
} match;

/*
** For each parent region (regions[0] when np == 1 and parents are -1), the
** Voronoi edges between its child seeds, clipped to the region grown by a
** metre (the overshoot is cut away again as dangles when polygonizing), go
** to lines; cells (when not NULL) receives each seed's cell inside its region.
*/
static void level_cut(synth *s, const seeds *lv, GEOSGeometry *const *regions, size_t np,
		      glist *lines, GEOSGeometry **cells)
{
	size_t *idx = xcalloc(lv->n, sizeof *idx);
	for (size_t p = 0; p < np; p++) {
		size_t k = 0;
		for (size_t i = 0; i < lv->n; i++)
			if ((size_t)(lv->parent[i] < 0 ? 0 : lv->parent[i]) == p)
				idx[k++] = i;
		if (k == 0)
			continue;
		if (k == 1) {
			if (cells)
				cells[idx[0]] = need(s, GEOSGeom_clone_r(s->h, regions[p]), "clone");
			continue;
		}
		GEOSGeometry **pts = xcalloc(k, sizeof *pts);
		for (size_t j = 0; j < k; j++)
			pts[j] = make_point(s, lv->x[idx[j]], lv->y[idx[j]]);
		GEOSGeometry *mp = need(s, GEOSGeom_createCollection_r(s->h, GEOS_MULTIPOINT, pts, (unsigned)k),
					"multipoint");
		free(pts);
		GEOSGeometry *grown = need(s, GEOSBuffer_r(s->h, regions[p], 1.0, 4), "buffer");
		GEOSGeometry *env = need(s, GEOSEnvelope_r(s->h, grown), "envelope");
		GEOSGeometry *edges = need(s, GEOSVoronoiDiagram_r(s->h, mp, env, 0, 1), "voronoi");
		glist_push(lines, need(s, GEOSIntersection_r(s->h, edges, grown), "clip"));
		GEOSGeom_destroy_r(s->h, edges);
		if (cells) {
			GEOSGeometry *polys = need(s, GEOSVoronoiDiagram_r(s->h, mp, env, 0, 0), "voronoi");
			int m = GEOSGetNumGeometries_r(s->h, polys);
			const GEOSGeometry **pg = xcalloc((size_t)m, sizeof *pg);
			for (int q = 0; q < m; q++)
				pg[q] = GEOSGetGeometryN_r(s->h, polys, q);
			geo_index *ix = geo_index_new(s->ctx, (GEOSGeometry *const *)pg, (size_t)m);
			if (!ix)
				fatal("index: %s", geo_last_error(s->ctx));
			for (size_t j = 0; j < k; j++) {
				size_t cand[64];
				double x = lv->x[idx[j]], y = lv->y[idx[j]];
				size_t nc = geo_index_query_box(ix, x, y, x, y, cand, 64);
				for (size_t c = 0; c < nc && c < 64; c++) {
					if (!prep_contains(s, geo_index_prepared(ix, cand[c]), x, y))
						continue;
					cells[idx[j]] = need(s, GEOSIntersection_r(s->h, pg[cand[c]], regions[p]),
							     "cell");
					break;
				}
				if (!cells[idx[j]])
					fatal("no Voronoi cell holds seed %zu", idx[j]);
			}
			geo_index_free(ix);
			free(pg);
			GEOSGeom_destroy_r(s->h, polys);
		}
		GEOSGeom_destroy_r(s->h, mp);
		GEOSGeom_destroy_r(s->h, env);
		GEOSGeom_destroy_r(s->h, grown);
	}
	free(idx);
}

/* Gives each face to the nearest seed among the children of its parent group
** (pgroup NULL: among all seeds). */
static void assign_faces(const faces *f, const seeds *lv, const int *pgroup, int *group)
{
	for (size_t i = 0; i < f->n; i++) {
		double best = INFINITY;
		group[i] = -1;
		for (size_t j = 0; j < lv->n; j++) {
			if (pgroup && lv->parent[j] != pgroup[i])
				continue;
			double d = hypot(f->x[i] - lv->x[j], f->y[i] - lv->y[j]);
			if (d < best) {
				best = d;
				group[i] = (int)j;
			}
		}
		if (group[i] < 0)
			fatal("face %zu has no seed in its parent grid", i);
	}
}

/*
** A group whose faces are not connected (a Voronoi cell cut in two by a bay
** of the town boundary, or a face misplaced by rounding) gives its smaller
** pieces to the sibling group it shares the longest boundary with. Returns
** the number of pieces moved.
*/
static size_t fix_pieces(const faces *f, int *group, const seeds *lv)
{
	size_t moved = 0;
	int *comp = xcalloc(f->n, sizeof *comp);
	size_t *stack = xcalloc(f->n, sizeof *stack);
	double *comp_area = xcalloc(f->n, sizeof *comp_area);
	for (int round = 0; round < 20; round++) {
		size_t nc = 0, round_moved = 0;
		for (size_t i = 0; i < f->n; i++)
			comp[i] = -1;
		for (size_t i = 0; i < f->n; i++) {
			if (comp[i] >= 0)
				continue;
			size_t top = 0;
			stack[top++] = i;
			comp[i] = (int)nc;
			comp_area[nc] = 0;
			while (top) {
				size_t a = stack[--top];
				comp_area[nc] += f->area[a];
				for (size_t e = f->adj_off[a]; e < f->adj_off[a + 1]; e++) {
					size_t b = f->adj_to[e];
					if (comp[b] < 0 && group[b] == group[a]) {
						comp[b] = (int)nc;
						stack[top++] = b;
					}
				}
			}
			nc++;
		}
		/* The largest piece of each group stays. */
		int *keep = xcalloc(lv->n, sizeof *keep);
		for (size_t g = 0; g < lv->n; g++)
			keep[g] = -1;
		for (size_t i = 0; i < f->n; i++) {
			int g = group[i], c = comp[i];
			if (keep[g] < 0 || comp_area[c] > comp_area[keep[g]])
				keep[g] = c;
		}
		for (size_t c = 0; c < nc; c++) {
			/* Sum the boundary this piece shares with each sibling group. */
			int from = -1, best = -1;
			double best_len = 0;
			for (size_t i = 0; i < f->n; i++) {
				if (comp[i] != (int)c)
					continue;
				from = group[i];
				if (keep[from] == (int)c)
					break;
				for (size_t e = f->adj_off[i]; e < f->adj_off[i + 1]; e++) {
					int g = group[f->adj_to[e]];
					if (g == from || lv->parent[g] != lv->parent[from])
						continue;
					double len = 0;
					for (size_t j = 0; j < f->n; j++)
						if (comp[j] == (int)c)
							for (size_t e2 = f->adj_off[j]; e2 < f->adj_off[j + 1]; e2++)
								if (group[f->adj_to[e2]] == g)
									len += f->adj_len[e2];
					if (len > best_len || (len == best_len && g < best)) {
						best_len = len;
						best = g;
					}
				}
			}
			if (from < 0 || keep[from] == (int)c || best < 0)
				continue;
			for (size_t i = 0; i < f->n; i++)
				if (comp[i] == (int)c)
					group[i] = best;
			round_moved++;
		}
		free(keep);
		moved += round_moved;
		if (!round_moved)
			break;
	}
	free(comp);
	free(stack);
	free(comp_area);
	return moved;
}

/* The coverage union of each group's faces; every group must be one polygon. */
static GEOSGeometry **group_union(synth *s, const faces *f, const int *group, size_t ng,
				  const char *what)
{
	GEOSGeometry **out = xcalloc(ng, sizeof *out);
	glist *parts = xcalloc(ng, sizeof *parts);
	for (size_t i = 0; i < f->n; i++)
		glist_push(&parts[group[i]], need(s, GEOSGeom_clone_r(s->h, f->g[i]), "clone"));
	for (size_t g = 0; g < ng; g++) {
		if (!parts[g].n)
			fatal("%s %zu is empty; try another --seed", what, g + 1);
		GEOSGeometry *c = glist_collect(s, &parts[g], GEOS_GEOMETRYCOLLECTION);
		GEOSGeometry *u = need(s, GEOSCoverageUnion_r(s->h, c), "coverage union");
		GEOSGeom_destroy_r(s->h, c);
		if (GEOSGeomTypeId_r(s->h, u) == GEOS_MULTIPOLYGON && GEOSGetNumGeometries_r(s->h, u) == 1) {
			GEOSGeometry *one = need(s, GEOSGeom_clone_r(s->h, GEOSGetGeometryN_r(s->h, u, 0)), "clone");
			GEOSGeom_destroy_r(s->h, u);
			u = one;
		}
		if (GEOSGeomTypeId_r(s->h, u) != GEOS_POLYGON)
			fatal("%s %zu is not one polygon; try another --seed", what, g + 1);
		out[g] = u;
	}
	free(parts);
	return out;
}

/* Areas of the groups and the boundary length each pair of groups shares. */
static double *group_adjacency(const faces *f, const int *group, size_t ng)
{
	double *len = xcalloc(ng * ng, sizeof *len);
	for (size_t i = 0; i < f->n; i++)
		for (size_t e = f->adj_off[i]; e < f->adj_off[i + 1]; e++) {
			int a = group[i], b = group[f->adj_to[e]];
			if (a != b)
				len[(size_t)a * ng + (size_t)b] += f->adj_len[e];
		}
	return len;
}

/* ---- seeds: spaced points and k-means ---------------------------------- */

/*
** n points inside the prepared region, at least dmin apart (dart throwing;
** dmin shrinks by 5% when darts keep missing, so it always finishes).
*/
static void spaced_points(synth *s, rng *r, const GEOSPreparedGeometry *region, const double *env,
			  size_t n, double dmin, double *x, double *y)
{
	size_t k = 0, misses = 0;
	while (k < n) {
		double px = snapv(s, rng_range(r, env[0], env[2]));
		double py = snapv(s, rng_range(r, env[1], env[3]));
		int ok = prep_contains(s, region, px, py);
		for (size_t j = 0; ok && j < k; j++)
			ok = hypot(px - x[j], py - y[j]) >= dmin;
		if (!ok) {
			if (++misses > 2000) {
				dmin *= 0.95;
				misses = 0;
			}
			continue;
		}
		x[k] = px;
		y[k] = py;
		k++;
	}
}

typedef struct proj {
	double t;
	size_t i;
} proj;

static int cmp_proj(const void *a, const void *b)
{
	const proj *p = a, *q = b;
	if (p->t != q->t)
		return p->t < q->t ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/*
** k centres of the points idx[0..n) by Lloyd's k-means, started from
** quantiles along the widest axis so that it needs no randomness. Centres that leave the
** region (a non-convex cell) fall back to their cluster's point nearest them.
*/
static void kmeans(synth *s, const double *px, const double *py, const size_t *idx, size_t n,
		   size_t k, const GEOSPreparedGeometry *region, double *cx, double *cy)
{
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += px[idx[i]];
		my += py[idx[i]];
	}
	mx /= (double)n;
	my /= (double)n;
	/* Start from quantiles along the axis of widest spread. */
	double vx = 0, vy = 0, cxy = 0;
	for (size_t i = 0; i < n; i++) {
		double dx = px[idx[i]] - mx, dy = py[idx[i]] - my;
		vx += dx * dx;
		vy += dy * dy;
		cxy += dx * dy;
	}
	double ang = 0.5 * atan2(2 * cxy, vx - vy), ax = cos(ang), ay = sin(ang);
	proj *pr = xcalloc(n, sizeof *pr);
	for (size_t i = 0; i < n; i++)
		pr[i] = (proj){ (px[idx[i]] - mx) * ax + (py[idx[i]] - my) * ay, i };
	qsort(pr, n, sizeof *pr, cmp_proj);
	for (size_t c = 0; c < k; c++) {
		size_t q = pr[(size_t)(((double)c + 0.5) * (double)n / (double)k)].i;
		cx[c] = px[idx[q]];
		cy[c] = py[idx[q]];
	}
	free(pr);
	int *lab = xcalloc(n, sizeof *lab);
	double *sx = xcalloc(k, sizeof *sx), *sy = xcalloc(k, sizeof *sy), *sn = xcalloc(k, sizeof *sn);
	for (int it = 0; it < 20; it++) {
		memset(sx, 0, k * sizeof *sx);
		memset(sy, 0, k * sizeof *sy);
		memset(sn, 0, k * sizeof *sn);
		for (size_t i = 0; i < n; i++) {
			double best = INFINITY;
			for (size_t c = 0; c < k; c++) {
				double d = hypot(px[idx[i]] - cx[c], py[idx[i]] - cy[c]);
				if (d < best) {
					best = d;
					lab[i] = (int)c;
				}
			}
			sx[lab[i]] += px[idx[i]];
			sy[lab[i]] += py[idx[i]];
			sn[lab[i]] += 1;
		}
		for (size_t c = 0; c < k; c++)
			if (sn[c] > 0) {
				cx[c] = sx[c] / sn[c];
				cy[c] = sy[c] / sn[c];
			}
	}
	for (size_t c = 0; c < k; c++) {
		cx[c] = snapv(s, cx[c]);
		cy[c] = snapv(s, cy[c]);
		if (prep_contains(s, region, cx[c], cy[c]))
			continue;
		double best = INFINITY;
		for (size_t i = 0; i < n; i++) {
			double d = hypot(px[idx[i]] - cx[c], py[idx[i]] - cy[c]);
			if (lab[i] == (int)c && d < best) {
				best = d;
				cx[c] = px[idx[i]];
				cy[c] = py[idx[i]];
			}
		}
	}
	free(lab);
	free(sx);
	free(sy);
	free(sn);
}

/* Splits total into n integers proportional to w, each at least lo (largest
** remainder). */
static void apportion(const double *w, size_t n, long total, long lo, long *out)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += w[i];
	long rest = total - lo * (long)n, given = 0;
	double *rem = xcalloc(n, sizeof *rem);
	for (size_t i = 0; i < n; i++) {
		double q = rest * w[i] / sum;
		out[i] = lo + (long)floor(q);
		rem[i] = q - floor(q);
		given += out[i];
	}
	while (given < total) {
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		out[best]++;
		rem[best] = -1;
		given++;
	}
	free(rem);
}

/* ---- output ------------------------------------------------------------- */

typedef struct field {
	const char *name;
	OGRFieldType type;
} field;

static OGRLayerH new_layer(synth *s, geo_output *out, const char *name, const geo_crs *crs,
			   OGRwkbGeometryType type, const field *fields)
{
	OGRLayerH l = geo_output_create_layer(s->ctx, out, name, crs, type);
	if (!l)
		fatal("%s", geo_last_error(s->ctx));
	for (const field *f = fields; f && f->name; f++) {
		OGRFieldDefnH fd = OGR_Fld_Create(f->name, f->type);
		if (OGR_L_CreateField(l, fd, TRUE) != OGRERR_NONE)
			fatal("layer %s: cannot create field %s", name, f->name);
		OGR_Fld_Destroy(fd);
	}
	return l;
}

static void put(synth *s, OGRLayerH l, OGRFeatureH f, const GEOSGeometry *g)
{
	if (geo_write_feature(s->ctx, l, f, g, NULL))
		fatal("%s", geo_last_error(s->ctx));
}

/* Writes a point feature without going through GEOS (fast for millions). */
static void put_point(OGRLayerH l, OGRFeatureH f, double x, double y)
{
	OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
	OGR_G_SetPoint_2D(p, 0, x, y);
	OGR_F_SetGeometryDirectly(f, p);
	OGR_F_SetFID(f, OGRNullFID);
	if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
		fatal("cannot write to layer %s: %s", OGR_L_GetName(l), geo_cpl_error("write failed"));
}

static void set_str(OGRFeatureH f, const char *name, const char *v)
{
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, name), v);
}

static void set_int(OGRFeatureH f, const char *name, long long v)
{
	OGR_F_SetFieldInteger64(f, OGR_F_GetFieldIndex(f, name), v);
}

static void set_num(OGRFeatureH f, const char *name, double v)
{
	OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, name), v);
}

static void set_date(OGRFeatureH f, const char *name, int doy)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m = 0;
	while (doy >= mdays[m]) {
		doy -= mdays[m];
		m++;
	}
	OGR_F_SetFieldDateTime(f, OGR_F_GetFieldIndex(f, name), 2021, m + 1, doy + 1, 0, 0, 0, 0);
}

/* ---- the sample town --------------------------------------------------- */

enum { N_VILLAGES = 34, N_PRIMARY = 37, N_SECONDARY = 131, N_AREAS = 6 };
enum { BASE_HOUSEHOLDS = 13000, BASE_CAMERAS = 300, BASE_TOWERS = 24, BASE_HAZARDS = 1240,
       N_PONDS = 150, N_INSPECTED = 40, N_DITCHES = 180 };

/* Random streams, one per layer. */
enum { S_SHAPE = 1, S_VILLAGES, S_HOUSEHOLDS, S_NAMES, S_ROADS, S_RIVERS, S_DITCHES, S_PONDS,
       S_CAMERAS, S_HAZARDS, S_CASES, S_TILING, S_POINTS, S_DEFECTS };

typedef struct town {
	GEOSGeometry *shape;            /* the rough outline the grids were cut from */
	GEOSGeometry *town;             /* the final town, the union of its faces */
	const GEOSPreparedGeometry *town_p;
	seeds vs, ps, ss;               /* village, primary and secondary seeds */
	double *sigma;                  /* settlement spread per village */
	double sub_x[N_VILLAGES], sub_y[N_VILLAGES];
	int has_sub[N_VILLAGES];
	GEOSGeometry **vill, **prim, **sec, **area;
	const GEOSPreparedGeometry **vill_p, **sec_p;
	int vrank[N_VILLAGES];          /* west-to-east, north-to-south rank */
	int area_of[N_VILLAGES];
	int prank[N_PRIMARY];
	int srank[N_SECONDARY];         /* sequence within its primary */
	char vname[N_VILLAGES][64];
	double *vadj;                   /* shared boundary length between villages */
	/* households */
	size_t nh;
	double *hx, *hy;
	int *hp, *hv, *hs;              /* persons, village, secondary */
	/* lines kept for later layers */
	glist roads, rivers;
	dvec road_class;                /* 0 main, 1 village, 2 lane per road */
	char **road_name;
	GEOSGeometry **ponds;
	size_t nponds, n_river;
	double *pond_x, *pond_y;
} town;

static GEOSGeometry *town_shape(synth *s, rng *r)
{
	enum { NV = 240 };
	static const int harm[5] = { 1, 2, 3, 5, 7 };
	static const double amp[5] = { 0.12, 0.13, 0.08, 0.05, 0.025 };
	double ph[5], a[5], xy[2 * (NV + 1)], rad[NV];
	for (int k = 0; k < 5; k++) {
		ph[k] = rng_range(r, 0, 2 * M_PI);
		a[k] = amp[k] * rng_range(r, 0.6, 1.2);
	}
	double rot = rng_range(r, 0, M_PI), area1 = 0;
	for (int i = 0; i < NV; i++) {
		double t = 2 * M_PI * i / NV;
		rad[i] = 1 + 0.003 * rng_normal(r);
		for (int k = 0; k < 5; k++)
			rad[i] += a[k] * cos(harm[k] * t + ph[k]);
	}
	/* An ellipse bent by a few harmonics: irregular, but star-shaped, so simple. */
	for (int pass = 0; pass < 2; pass++) {
		double target = 0, R = 1;
		if (pass == 1) {
			rng tr = *r;
			target = rng_range(&tr, 60e6, 72e6);
			R = sqrt(target / area1);
		}
		for (int i = 0; i < NV; i++) {
			double t = 2 * M_PI * i / NV, ex = 1.25 * rad[i] * cos(t), ey = 0.8 * rad[i] * sin(t);
			xy[2 * i] = TOWN_X + R * (ex * cos(rot) - ey * sin(rot));
			xy[2 * i + 1] = TOWN_Y + R * (ex * sin(rot) + ey * cos(rot));
			if (pass == 1) {
				xy[2 * i] = snapv(s, xy[2 * i]);
				xy[2 * i + 1] = snapv(s, xy[2 * i + 1]);
			}
		}
		xy[2 * NV] = xy[0];
		xy[2 * NV + 1] = xy[1];
		if (pass == 0) {
			GEOSGeometry *p = make_polygon(s, xy, NV + 1);
			GEOSArea_r(s->h, p, &area1);
			GEOSGeom_destroy_r(s->h, p);
		}
	}
	return make_polygon(s, xy, NV + 1);
}

static void env_of(synth *s, const GEOSGeometry *g, double *env)
{
	GEOSGeom_getExtent_r(s->h, g, &env[0], &env[1], &env[2], &env[3]);
}

/* A point drawn from a normal around (cx, cy) that lies in the prepared region. */
static void normal_in(synth *s, rng *r, const GEOSPreparedGeometry *p, double cx, double cy,
		      double sigma, double *x, double *y)
{
	for (int tries = 0;; tries++) {
		*x = snapv(s, cx + sigma * rng_normal(r));
		*y = snapv(s, cy + sigma * rng_normal(r));
		if (prep_contains(s, p, *x, *y))
			return;
		if (tries > 10000)
			fatal("cannot place a point near (%.1f, %.1f)", cx, cy);
	}
}

static void uniform_in(synth *s, rng *r, const GEOSPreparedGeometry *p, const double *env,
		       double *x, double *y)
{
	for (int tries = 0;; tries++) {
		*x = snapv(s, rng_range(r, env[0], env[2]));
		*y = snapv(s, rng_range(r, env[1], env[3]));
		if (prep_contains(s, p, *x, *y))
			return;
		if (tries > 100000)
			fatal("cannot place a point in a region");
	}
}

static int persons_draw(rng *r)
{
	static const double w[6] = { 0.10, 0.25, 0.25, 0.20, 0.12, 0.08 };
	return 1 + (int)rng_weighted(r, w, 6);
}

/* Households cluster round each village's settlement (and for some villages
** a second, smaller hamlet), with a few farmsteads scattered in the fields. */
static void make_households(synth *s, town *t, GEOSGeometry **vcells, double scale)
{
	rng r;
	rng_init(&r, s->seed, S_HOUSEHOLDS);
	double w[N_VILLAGES];
	long count[N_VILLAGES];
	for (int v = 0; v < N_VILLAGES; v++)
		w[v] = exp(0.45 * rng_normal(&r));
	long total = lround(BASE_HOUSEHOLDS * scale);
	apportion(w, N_VILLAGES, total, lround(120 * scale), count);
	t->nh = (size_t)total;
	t->hx = xcalloc(t->nh, sizeof *t->hx);
	t->hy = xcalloc(t->nh, sizeof *t->hy);
	t->hp = xcalloc(t->nh, sizeof *t->hp);
	t->hv = xcalloc(t->nh, sizeof *t->hv);
	t->hs = xcalloc(t->nh, sizeof *t->hs);
	t->sigma = xcalloc(N_VILLAGES, sizeof *t->sigma);
	/* The shape of each settlement first, then each village's households
	** from a stream of its own: --scale adds households, not a new town. */
	for (int v = 0; v < N_VILLAGES; v++) {
		const GEOSPreparedGeometry *cp = GEOSPrepare_r(s->h, vcells[v]);
		t->sigma[v] = 60 + 6 * sqrt((double)count[v] / scale);
		t->has_sub[v] = 0;
		if (rng_unif(&r) < 0.55)
			for (int tries = 0; tries < 8 && !t->has_sub[v]; tries++) {
				double a = rng_range(&r, 0, 2 * M_PI), d = rng_range(&r, 380, 650);
				t->sub_x[v] = snapv(s, t->vs.x[v] + d * cos(a));
				t->sub_y[v] = snapv(s, t->vs.y[v] + d * sin(a));
				t->has_sub[v] = prep_contains(s, cp, t->sub_x[v], t->sub_y[v]);
			}
		GEOSPreparedGeom_destroy_r(s->h, cp);
	}
	size_t k = 0;
	for (int v = 0; v < N_VILLAGES; v++) {
		const GEOSPreparedGeometry *cp = GEOSPrepare_r(s->h, vcells[v]);
		double env[4], cx = t->vs.x[v], cy = t->vs.y[v];
		env_of(s, vcells[v], env);
		rng_init(&r, s->seed, S_HOUSEHOLDS * 1000 + (uint64_t)v);
		for (long i = 0; i < count[v]; i++, k++) {
			double u = rng_unif(&r);
			if (u < 0.04)
				uniform_in(s, &r, cp, env, &t->hx[k], &t->hy[k]);
			else if (t->has_sub[v] && u < 0.30)
				normal_in(s, &r, cp, t->sub_x[v], t->sub_y[v], 0.6 * t->sigma[v], &t->hx[k],
					  &t->hy[k]);
			else
				normal_in(s, &r, cp, cx, cy, t->sigma[v], &t->hx[k], &t->hy[k]);
			t->hp[k] = persons_draw(&r);
			t->hv[k] = v;
		}
		GEOSPreparedGeom_destroy_r(s->h, cp);
	}
}

static size_t nearest_child(const seeds *lv, int parent, double x, double y)
{
	size_t best = 0;
	double bd = INFINITY;
	for (size_t j = 0; j < lv->n; j++) {
		double d = hypot(x - lv->x[j], y - lv->y[j]);
		if (lv->parent[j] == parent && d < bd) {
			bd = d;
			best = j;
		}
	}
	return best;
}

/* Seeds of the level below parents: k[p] k-means centres of the households
** that fall in parent p (hpar[h] gives the household's parent). */
static void child_seeds(synth *s, town *t, const int *hpar, size_t np, const long *k,
			GEOSGeometry **cells, seeds *out)
{
	size_t n = 0;
	for (size_t p = 0; p < np; p++)
		n += (size_t)k[p];
	seeds_alloc(out, n);
	size_t *idx = xcalloc(t->nh, sizeof *idx), at = 0;
	for (size_t p = 0; p < np; p++) {
		size_t m = 0;
		for (size_t h = 0; h < t->nh; h++)
			if (hpar[h] == (int)p)
				idx[m++] = h;
		if (m < (size_t)k[p])
			fatal("grid %zu has fewer households than sub-grids; try another --seed", p);
		const GEOSPreparedGeometry *cp = GEOSPrepare_r(s->h, cells[p]);
		kmeans(s, t->hx, t->hy, idx, m, (size_t)k[p], cp, out->x + at, out->y + at);
		GEOSPreparedGeom_destroy_r(s->h, cp);
		for (long j = 0; j < k[p]; j++)
			out->parent[at++] = (int)p;
	}
	free(idx);
}

static int cmp_size_desc(const void *a, const void *b, void *w)
{
	const long *c = w;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (c[i] != c[j])
		return c[i] > c[j] ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Cuts the town into villages, primaries and secondaries by one exact tiling. */
static void make_grids(synth *s, town *t, double scale)
{
	rng r;
	rng_init(&r, s->seed, S_VILLAGES);
	double env[4];
	env_of(s, t->shape, env);
	double area = 0;
	GEOSArea_r(s->h, t->shape, &area);
	GEOSGeometry *inner = need(s, GEOSBuffer_r(s->h, t->shape, -450, 8), "buffer");
	const GEOSPreparedGeometry *ip = GEOSPrepare_r(s->h, inner);
	seeds_alloc(&t->vs, N_VILLAGES);
	for (int v = 0; v < N_VILLAGES; v++)
		t->vs.parent[v] = -1;
	spaced_points(s, &r, ip, env, N_VILLAGES, 0.85 * sqrt(area / N_VILLAGES), t->vs.x, t->vs.y);
	GEOSPreparedGeom_destroy_r(s->h, ip);
	GEOSGeom_destroy_r(s->h, inner);

	glist lines = { 0 };
	glist_push(&lines, need(s, GEOSBoundary_r(s->h, t->shape), "boundary"));
	GEOSGeometry **vcells = xcalloc(N_VILLAGES, sizeof *vcells);
	level_cut(s, &t->vs, &t->shape, 1, &lines, vcells);
	make_households(s, t, vcells, scale);

	/* The three largest villages get two primary grids: 34 + 3 = 37. */
	long vcount[N_VILLAGES] = { 0 }, pk[N_VILLAGES];
	size_t order[N_VILLAGES];
	for (size_t h = 0; h < t->nh; h++)
		vcount[t->hv[h]]++;
	for (size_t v = 0; v < N_VILLAGES; v++) {
		order[v] = v;
		pk[v] = 1;
	}
	qsort_r(order, N_VILLAGES, sizeof *order, cmp_size_desc, vcount);
	for (int i = 0; i < N_PRIMARY - N_VILLAGES; i++)
		pk[order[i]] = 2;
	child_seeds(s, t, t->hv, N_VILLAGES, pk, vcells, &t->ps);
	GEOSGeometry **pcells = xcalloc(N_PRIMARY, sizeof *pcells);
	level_cut(s, &t->ps, vcells, N_VILLAGES, &lines, pcells);

	int *hprim = xcalloc(t->nh, sizeof *hprim);
	double pw[N_PRIMARY] = { 0 };
	long sk[N_PRIMARY];
	for (size_t h = 0; h < t->nh; h++) {
		hprim[h] = (int)nearest_child(&t->ps, t->hv[h], t->hx[h], t->hy[h]);
		pw[hprim[h]] += 1;
	}
	apportion(pw, N_PRIMARY, N_SECONDARY, 2, sk);
	child_seeds(s, t, hprim, N_PRIMARY, sk, pcells, &t->ss);
	level_cut(s, &t->ss, pcells, N_PRIMARY, &lines, NULL);
	free(hprim);
	destroy_all(s, vcells, N_VILLAGES);
	destroy_all(s, pcells, N_PRIMARY);

	faces f;
	faces_build(s, glist_collect(s, &lines, GEOS_GEOMETRYCOLLECTION), t->shape, &f);
	int *g0 = xcalloc(f.n, sizeof *g0), *g1 = xcalloc(f.n, sizeof *g1),
	    *g2 = xcalloc(f.n, sizeof *g2), *ga = xcalloc(f.n, sizeof *ga),
	    *gz = xcalloc(f.n, sizeof *gz);
	assign_faces(&f, &t->vs, NULL, g0);
	size_t moved = fix_pieces(&f, g0, &t->vs);
	assign_faces(&f, &t->ps, g0, g1);
	moved += fix_pieces(&f, g1, &t->ps);
	assign_faces(&f, &t->ss, g1, g2);
	moved += fix_pieces(&f, g2, &t->ss);
	note(s, "town: %zu faces, %zu pieces moved to a neighbour", f.n, moved);
	t->vill = group_union(s, &f, g0, N_VILLAGES, "village");
	t->prim = group_union(s, &f, g1, N_PRIMARY, "primary grid");
	t->sec = group_union(s, &f, g2, N_SECONDARY, "secondary grid");
	GEOSGeometry **whole = group_union(s, &f, gz, 1, "town");
	t->town = whole[0];
	free(whole);
	t->vadj = group_adjacency(&f, g0, N_VILLAGES);

	/* Areas grow from six villages far apart, the smallest taking the
	** neighbour it shares most boundary with, so each stays in one piece. */
	int *ao = t->area_of;
	for (int v = 0; v < N_VILLAGES; v++)
		ao[v] = -1;
	int aseed = 0;
	for (int v = 1; v < N_VILLAGES; v++)
		if (t->vs.x[v] < t->vs.x[aseed])
			aseed = v;
	ao[aseed] = 0;
	for (int a = 1; a < N_AREAS; a++) {
		int far = -1;
		double fd = -1;
		for (int v = 0; v < N_VILLAGES; v++) {
			double d = INFINITY;
			for (int u = 0; u < N_VILLAGES; u++)
				if (ao[u] >= 0)
					d = fmin(d, hypot(t->vs.x[v] - t->vs.x[u], t->vs.y[v] - t->vs.y[u]));
			if (ao[v] < 0 && d > fd) {
				fd = d;
				far = v;
			}
		}
		ao[far] = a;
	}
	for (int left = N_VILLAGES - N_AREAS; left > 0; left--) {
		long size[N_AREAS] = { 0 };
		for (int v = 0; v < N_VILLAGES; v++)
			if (ao[v] >= 0)
				size[ao[v]] += vcount[v];
		int best_a = -1, best_v = -1;
		double best_len = 0;
		for (int a = 0; a < N_AREAS; a++) {
			if (best_a >= 0 && size[a] >= size[best_a])
				continue;
			int cand = -1;
			double cl = 0;
			for (int v = 0; v < N_VILLAGES; v++) {
				if (ao[v] >= 0)
					continue;
				double len = 0;
				for (int u = 0; u < N_VILLAGES; u++)
					if (ao[u] == a)
						len += t->vadj[v * N_VILLAGES + u];
				if (len > cl) {
					cl = len;
					cand = v;
				}
			}
			if (cand >= 0) {
				best_a = a;
				best_v = cand;
				best_len = cl;
			}
		}
		if (best_a < 0 || best_len <= 0)
			fatal("villages are not connected; try another --seed");
		ao[best_v] = best_a;
	}
	for (size_t i = 0; i < f.n; i++)
		ga[i] = ao[g0[i]];
	t->area = group_union(s, &f, ga, N_AREAS, "area");
	free(g0);
	free(g1);
	free(g2);
	free(ga);
	free(gz);
	faces_free(s, &f);
}

/* Village names as on the North China plain: a direction or size, a family
** name and a settlement word (东王庄村, 小李营村). */
static void name_villages(synth *s, town *t)
{
	static const char *pre[] = { "东", "西", "南", "北", "前", "后", "大", "小", "上", "中" };
	static const char *fam[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
				     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "罗", "梁" };
	static const char *suf[] = { "庄村", "营村", "屯村", "各庄村", "辛庄村", "家务村", "台村",
				     "堡村", "店村", "口村" };
	enum { NP = 10, NF = 20, NS = 10 };
	rng r;
	rng_init(&r, s->seed, S_NAMES);
	int used[NP * NF] = { 0 };
	size_t order[N_VILLAGES];
	if (geo_grid_order(s->ctx, t->vill, N_VILLAGES, order))
		fatal("%s", geo_last_error(s->ctx));
	for (int k = 0; k < N_VILLAGES; k++)
		t->vrank[order[k]] = k;
	/* The seat of the town keeps the town's name. */
	int seat = 0;
	for (int v = 1; v < N_VILLAGES; v++)
		if (hypot(t->vs.x[v] - TOWN_X, t->vs.y[v] - TOWN_Y) <
		    hypot(t->vs.x[seat] - TOWN_X, t->vs.y[seat] - TOWN_Y))
			seat = v;
	for (int k = 0; k < N_VILLAGES; k++) {
		int v = (int)order[k];
		if (v == seat) {
			snprintf(t->vname[v], sizeof t->vname[v], "下伍旗村");
			continue;
		}
		size_t c;
		do
			c = rng_below(&r, NP * NF);
		while (used[c]);
		used[c] = 1;
		snprintf(t->vname[v], sizeof t->vname[v], "%s%s%s", pre[c % NP], fam[c / NP],
			 suf[rng_below(&r, NS)]);
	}
}

/* Secondary grid of each household; a household that rounding left on a
** boundary (none in practice) would be dropped rather than mis-placed. */
static void place_households(synth *s, town *t)
{
	t->vill_p = xcalloc(N_VILLAGES, sizeof *t->vill_p);
	t->sec_p = xcalloc(N_SECONDARY, sizeof *t->sec_p);
	for (int v = 0; v < N_VILLAGES; v++)
		t->vill_p[v] = GEOSPrepare_r(s->h, t->vill[v]);
	for (int g = 0; g < N_SECONDARY; g++)
		t->sec_p[g] = GEOSPrepare_r(s->h, t->sec[g]);
	size_t kept = 0;
	for (size_t h = 0; h < t->nh; h++) {
		int found = -1;
		for (int g = 0; g < N_SECONDARY && found < 0; g++)
			if (t->ps.parent[t->ss.parent[g]] == t->hv[h] &&
			    prep_contains(s, t->sec_p[g], t->hx[h], t->hy[h]))
				found = g;
		for (int g = 0; g < N_SECONDARY && found < 0; g++)
			if (prep_contains(s, t->sec_p[g], t->hx[h], t->hy[h]))
				found = g;
		if (found < 0)
			continue;
		t->hx[kept] = t->hx[h];
		t->hy[kept] = t->hy[h];
		t->hp[kept] = t->hp[h];
		t->hs[kept] = found;
		t->hv[kept] = t->ps.parent[t->ss.parent[found]];
		kept++;
	}
	if (kept < t->nh)
		note(s, "town: %zu households fell on a boundary and were dropped", t->nh - kept);
	t->nh = kept;
}

static int village_at(synth *s, const town *t, double x, double y)
{
	for (int v = 0; v < N_VILLAGES; v++)
		if (prep_contains(s, t->vill_p[v], x, y))
			return v;
	return -1;
}

/* A wobbly line from (x0, y0) to (x1, y1): vertices every `step` metres,
** pushed sideways by two sines (amplitudes a1, a2). */
static GEOSGeometry *wobbly(synth *s, rng *r, double x0, double y0, double x1, double y1,
			    double step, double a1, double a2, double wl1, double wl2, int pin)
{
	double len = hypot(x1 - x0, y1 - y0), ux = (x1 - x0) / len, uy = (y1 - y0) / len;
	double p1 = rng_range(r, 0, 2 * M_PI), p2 = rng_range(r, 0, 2 * M_PI);
	size_t n = (size_t)ceil(len / step) + 1;
	double *xy = xcalloc(2 * n, sizeof *xy);
	for (size_t i = 0; i < n; i++) {
		double d = len * (double)i / (double)(n - 1);
		double off = a1 * sin(2 * M_PI * d / wl1 + p1) + a2 * sin(2 * M_PI * d / wl2 + p2);
		/* Pinned lines (village roads) keep their ends at the two centres. */
		if (pin)
			off *= sin(M_PI * d / len);
		xy[2 * i] = snapv(s, x0 + ux * d - uy * off);
		xy[2 * i + 1] = snapv(s, y0 + uy * d + ux * off);
	}
	GEOSGeometry *g = make_line(s, xy, n);
	free(xy);
	return g;
}

static void add_road(synth *s, town *t, GEOSGeometry *g, int cls, const char *name)
{
	int n = GEOSGetNumGeometries_r(s->h, g);
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(s->h, g, i);
		double len = 0;
		if (GEOSGeomTypeId_r(s->h, part) != GEOS_LINESTRING || GEOSisEmpty_r(s->h, part) ||
		    !GEOSLength_r(s->h, part, &len) || len < 5)
			continue;
		glist_push(&t->roads, snapped(s, part));
		dvec_push(&t->road_class, cls);
		t->road_name = xrealloc(t->road_name, t->roads.n, sizeof *t->road_name);
		t->road_name[t->roads.n - 1] = strdup(name);
	}
	GEOSGeom_destroy_r(s->h, g);
}

/* A line through the town at angle a, passing off-centre by `offset`, long
** enough to cross it, clipped to the town grown by 30 m so that it ends
** beyond the boundary and splits the town cleanly. */
static GEOSGeometry *crossing(synth *s, rng *r, const GEOSGeometry *grown, double a, double offset,
			      double step, double a1, double a2, double wl1, double wl2)
{
	double cx = TOWN_X - offset * sin(a), cy = TOWN_Y + offset * cos(a), L = 9000;
	GEOSGeometry *line = wobbly(s, r, cx - L * cos(a), cy - L * sin(a), cx + L * cos(a),
				    cy + L * sin(a), step, a1, a2, wl1, wl2, 0);
	GEOSGeometry *clip = need(s, GEOSIntersection_r(s->h, line, grown), "clip");
	GEOSGeom_destroy_r(s->h, line);
	return clip;
}

static void make_roads(synth *s, town *t)
{
	static const char *main_names[] = { "津永公路", "下伍旗大道", "伍河路" };
	rng r;
	rng_init(&r, s->seed, S_ROADS);
	GEOSGeometry *grown = need(s, GEOSBuffer_r(s->h, t->town, 30, 8), "buffer");
	double base = rng_range(&r, 0, M_PI / 3);
	for (int k = 0; k < 3; k++) {
		double a = base + k * M_PI / 3 + rng_range(&r, -0.15, 0.15);
		GEOSGeometry *g = crossing(s, &r, grown, a, rng_range(&r, -1500, 1500), 150, 80, 40,
					   2600, 1100);
		add_road(s, t, g, 0, main_names[k]);
	}
	/* Village roads join the centres of neighbouring villages. */
	for (int v = 0; v < N_VILLAGES; v++)
		for (int u = v + 1; u < N_VILLAGES; u++) {
			if (t->vadj[v * N_VILLAGES + u] < 150)
				continue;
			GEOSGeometry *line = wobbly(s, &r, t->vs.x[v], t->vs.y[v], t->vs.x[u], t->vs.y[u],
						    100, 40, 15, 1800, 700, 1);
			char name[160];
			snprintf(name, sizeof name, "%s-%s路", t->vname[v], t->vname[u]);
			add_road(s, t, need(s, GEOSIntersection_r(s->h, line, grown), "clip"), 1, name);
			GEOSGeom_destroy_r(s->h, line);
		}
	/* Lanes: a small street grid over each settlement, clipped to its village. */
	for (int v = 0; v < N_VILLAGES; v++) {
		int lane = 0;
		for (int hamlet = 0; hamlet < 1 + t->has_sub[v]; hamlet++) {
			double cx = hamlet ? t->sub_x[v] : t->vs.x[v], cy = hamlet ? t->sub_y[v] : t->vs.y[v];
			double R = (hamlet ? 1.3 : 2.0) * t->sigma[v], th = rng_range(&r, 0, M_PI);
			double sp = rng_range(&r, 70, 110);
			for (int dir = 0; dir < 2; dir++) {
				double ux = cos(th + dir * M_PI / 2), uy = sin(th + dir * M_PI / 2);
				for (double o = -R + sp / 2; o < R; o += sp) {
					double hc = sqrt(R * R - o * o), ox = cx - uy * o, oy = cy + ux * o;
					double xy[4] = { snapv(s, ox - ux * hc), snapv(s, oy - uy * hc),
							 snapv(s, ox + ux * hc), snapv(s, oy + uy * hc) };
					GEOSGeometry *line = make_line(s, xy, 2);
					char name[96];
					snprintf(name, sizeof name, "%s%d巷", t->vname[v], ++lane);
					add_road(s, t, need(s, GEOSIntersection_r(s->h, line, t->vill[v]), "clip"), 2,
						 name);
					GEOSGeom_destroy_r(s->h, line);
				}
			}
		}
	}
	GEOSGeom_destroy_r(s->h, grown);
}

static void make_rivers(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_RIVERS);
	GEOSGeometry *grown = need(s, GEOSBuffer_r(s->h, t->town, 30, 8), "buffer");
	double a = rng_range(&r, -0.6, -0.15);
	GEOSGeometry *river = crossing(s, &r, grown, a, rng_range(&r, -1200, 1200), 60, 180, 90,
				       1900, 700);
	push_parts(s, river, &t->rivers);
	GEOSGeom_destroy_r(s->h, river);
	t->n_river = t->rivers.n;
	double c = M_PI / 2 + rng_range(&r, -0.25, 0.25);
	GEOSGeometry *canal = crossing(s, &r, grown, c, rng_range(&r, -1800, 1800), 400, 60, 0,
				       7000, 1000);
	push_parts(s, canal, &t->rivers);
	GEOSGeom_destroy_r(s->h, canal);
	GEOSGeom_destroy_r(s->h, grown);
}

static void make_ditches(synth *s, town *t, glist *out)
{
	rng r;
	rng_init(&r, s->seed, S_DITCHES);
	double env[4], th = rng_range(&r, 0, M_PI / 2);
	env_of(s, t->town, env);
	for (int k = 0; k < N_DITCHES;) {
		double x, y;
		uniform_in(s, &r, t->town_p, env, &x, &y);
		int in_settlement = 0;
		for (int v = 0; v < N_VILLAGES && !in_settlement; v++)
			in_settlement = hypot(x - t->vs.x[v], y - t->vs.y[v]) < 1.8 * t->sigma[v] ||
					(t->has_sub[v] && hypot(x - t->sub_x[v], y - t->sub_y[v]) < 1.2 * t->sigma[v]);
		if (in_settlement)
			continue;
		double a = th + (rng_unif(&r) < 0.5 ? 0 : M_PI / 2) + rng_range(&r, -0.05, 0.05);
		double len = rng_range(&r, 150, 700);
		double xy[4] = { x, y, snapv(s, x + len * cos(a)), snapv(s, y + len * sin(a)) };
		GEOSGeometry *line = make_line(s, xy, 2);
		GEOSGeometry *clip = need(s, GEOSIntersection_r(s->h, line, t->town), "clip");
		GEOSGeom_destroy_r(s->h, line);
		const GEOSGeometry *first = GEOSGetNumGeometries_r(s->h, clip) > 0
						    ? GEOSGetGeometryN_r(s->h, clip, 0) : NULL;
		double l = 0;
		if (first && GEOSGeomTypeId_r(s->h, first) == GEOS_LINESTRING &&
		    GEOSLength_r(s->h, first, &l) && l > 50) {
			glist_push(out, snapped(s, first));
			k++;
		}
		GEOSGeom_destroy_r(s->h, clip);
	}
}

typedef struct pond {
	double x, y, area, depth, silt;
	int village, inspected;
} pond;

/* Ponds (坑塘) sit mostly at the edge of settlements, some out in the fields;
** they keep clear of each other and of the river and canal. */
static pond *make_ponds(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_PONDS);
	pond *p = xcalloc(N_PONDS, sizeof *p);
	t->ponds = xcalloc(N_PONDS, sizeof *t->ponds);
	double env[4], vw[N_VILLAGES] = { 0 }, radius[N_PONDS];
	env_of(s, t->town, env);
	for (size_t h = 0; h < t->nh; h++)
		vw[t->hv[h]] += 1;
	glist rl = { 0 };
	for (size_t i = 0; i < t->rivers.n; i++)
		glist_push(&rl, need(s, GEOSGeom_clone_r(s->h, t->rivers.g[i]), "clone"));
	GEOSGeometry *water = glist_collect(s, &rl, GEOS_GEOMETRYCOLLECTION);
	GEOSGeometry *wb = need(s, GEOSBuffer_r(s->h, water, 30, 4), "buffer");
	GEOSGeom_destroy_r(s->h, water);
	const GEOSPreparedGeometry *wp = GEOSPrepare_r(s->h, wb);
	size_t n = 0;
	while (n < N_PONDS) {
		double cx, cy;
		if (rng_unif(&r) < 0.6) {
			int v = (int)rng_weighted(&r, vw, N_VILLAGES);
			double a = rng_range(&r, 0, 2 * M_PI), d = rng_range(&r, 1.0, 3.0) * t->sigma[v];
			cx = snapv(s, t->vs.x[v] + d * cos(a));
			cy = snapv(s, t->vs.y[v] + d * sin(a));
		} else {
			uniform_in(s, &r, t->town_p, env, &cx, &cy);
		}
		double rad = fmin(60, fmax(8, exp(log(22) + 0.4 * rng_normal(&r))));
		double xy[2 * 15], rot = rng_range(&r, 0, 2 * M_PI);
		for (int i = 0; i < 14; i++) {
			double a = rot + 2 * M_PI * i / 14, rr = rad * rng_range(&r, 0.8, 1.15);
			xy[2 * i] = snapv(s, cx + rr * cos(a));
			xy[2 * i + 1] = snapv(s, cy + rr * sin(a) * 0.8);
		}
		xy[28] = xy[0];
		xy[29] = xy[1];
		int ok = 1;
		for (size_t j = 0; j < n && ok; j++)
			ok = hypot(cx - p[j].x, cy - p[j].y) > rad + radius[j] + 15;
		GEOSGeometry *g = ok ? make_polygon(s, xy, 15) : NULL;
		int v = -1;
		for (int u = 0; g && u < N_VILLAGES && v < 0; u++)
			if (GEOSPreparedContains_r(s->h, t->vill_p[u], g) == 1)
				v = u;
		if (v < 0 || GEOSPreparedIntersects_r(s->h, wp, g) == 1) {
			GEOSGeom_destroy_r(s->h, g);
			continue;
		}
		t->ponds[n] = g;
		radius[n] = rad;
		p[n] = (pond){ .x = cx, .y = cy, .village = v,
			       .depth = round(rng_range(&r, 0.8, 2.5) * 10) / 10 };
		GEOSArea_r(s->h, g, &p[n].area);
		n++;
	}
	t->nponds = n;
	GEOSPreparedGeom_destroy_r(s->h, wp);
	GEOSGeom_destroy_r(s->h, wb);
	/* 40 ponds were inspected before the 2021 flood season, about 7,000 m³
	** of silt between them (DOMAIN.md). */
	double sw[N_INSPECTED];
	long silt[N_INSPECTED];
	size_t pick[N_INSPECTED];
	for (int k = 0; k < N_INSPECTED; k++) {
		size_t i;
		do
			i = rng_below(&r, n);
		while (p[i].inspected);
		p[i].inspected = 1;
		pick[k] = i;
		sw[k] = p[i].area * rng_range(&r, 0.5, 1.5);
	}
	apportion(sw, N_INSPECTED, 7000, 20, silt);
	for (int k = 0; k < N_INSPECTED; k++)
		p[pick[k]].silt = (double)silt[k];
	return p;
}

typedef struct camera {
	double x, y, az, fov, range, height;
	int tower, village;
	char name[96];
} camera;

static camera *make_cameras(synth *s, town *t, double scale, size_t *count)
{
	rng r;
	rng_init(&r, s->seed, S_CAMERAS);
	size_t n = (size_t)lround(BASE_CAMERAS * scale), towers = n < BASE_TOWERS ? n : BASE_TOWERS;
	camera *c = xcalloc(n, sizeof *c);
	double env[4], *tx = xcalloc(towers, sizeof *tx), *ty = xcalloc(towers, sizeof *ty);
	double vw[N_VILLAGES] = { 0 };
	int seq[N_VILLAGES] = { 0 };
	env_of(s, t->town, env);
	spaced_points(s, &r, t->town_p, env, towers, 1300, tx, ty);
	for (size_t i = 0; i < towers; i++) {
		/* The "慧眼" high-point cameras on telecom towers turn all round. */
		c[i] = (camera){ .x = tx[i], .y = ty[i], .az = 0, .fov = 360, .tower = 1,
				 .range = 10 * round(rng_range(&r, 200, 300)),
				 .height = round(rng_range(&r, 35, 55)) };
		c[i].village = village_at(s, t, tx[i], ty[i]);
		snprintf(c[i].name, sizeof c[i].name, "慧眼塔%02zu", i + 1);
	}
	for (size_t h = 0; h < t->nh; h++)
		vw[t->hv[h]] += 1;
	static const double fovs[4] = { 60, 75, 90, 110 };
	for (size_t i = towers; i < n; i++) {
		int v = (int)rng_weighted(&r, vw, N_VILLAGES);
		int sub = t->has_sub[v] && rng_unif(&r) < 0.25;
		double x, y;
		normal_in(s, &r, t->vill_p[v], sub ? t->sub_x[v] : t->vs.x[v],
			  sub ? t->sub_y[v] : t->vs.y[v], 0.8 * t->sigma[v], &x, &y);
		c[i] = (camera){ .x = x, .y = y, .village = v, .az = (double)rng_below(&r, 360),
				 .fov = fovs[rng_below(&r, 4)], .range = 5 * round(rng_range(&r, 12, 50)),
				 .height = 0.5 * round(rng_range(&r, 7, 16)) };
		snprintf(c[i].name, sizeof c[i].name, "%s-%02d", t->vname[v], ++seq[v]);
	}
	free(tx);
	free(ty);
	*count = n;
	return c;
}

typedef struct event {
	double x, y;
	int doy, category, severity, status, village;
	size_t gen;
} event;

static int cmp_event(const void *a, const void *b)
{
	const event *p = a, *q = b;
	if (p->doy != q->doy)
		return p->doy < q->doy ? -1 : 1;
	return p->gen < q->gen ? -1 : p->gen > q->gen;
}

/* Most events happen where people live: near a household. */
static void near_household(synth *s, rng *r, const town *t, double sigma, double *x, double *y)
{
	size_t h = rng_below(r, t->nh);
	normal_in(s, r, t->town_p, t->hx[h], t->hy[h], sigma, x, y);
}

static int status_draw(rng *r, int doy, double resolved_boost)
{
	double p = (doy < 300 ? 0.93 : doy < 340 ? 0.75 : 0.45) + resolved_boost;
	if (rng_unif(r) < p)
		return 0;
	return rng_unif(r) < 0.6 ? 1 : 2;
}

static const char *hazard_cats[] = { "fire", "flood", "traffic", "building", "electrical",
				     "environment", "dispute", "other" };
static const char *severities[] = { "low", "medium", "high" };
static const char *statuses[] = { "resolved", "in_progress", "open" };
static const char *case_cats[] = { "dispute", "service_request", "petition" };

static event *make_hazards(synth *s, town *t, const pond *ponds, double scale, size_t *count)
{
	static const double cw[8] = { 0.18, 0.14, 0.14, 0.12, 0.10, 0.12, 0.14, 0.06 };
	static const double sw[3] = { 0.55, 0.33, 0.12 };
	rng r;
	rng_init(&r, s->seed, S_HAZARDS);
	size_t n = (size_t)lround(BASE_HAZARDS * scale);
	event *e = xcalloc(n, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		int cat = (int)rng_weighted(&r, cw, 8), doy;
		/* Floods come in the rainy summer, fires in the dry winter and spring. */
		for (;;) {
			doy = (int)rng_below(&r, 365);
			double w = cat == 1 ? (doy >= 150 && doy <= 260 ? 1 : 0.15)
				 : cat == 0 ? (doy < 120 || doy > 300 ? 1 : 0.35) : 1;
			if (rng_unif(&r) < w)
				break;
		}
		double x, y;
		if (cat == 1 && rng_unif(&r) < 0.5) {
			const pond *p = &ponds[rng_below(&r, t->nponds)];
			normal_in(s, &r, t->town_p, p->x, p->y, 40, &x, &y);
		} else if (cat == 1) {
			const GEOSGeometry *river = t->rivers.g[rng_below(&r, t->rivers.n)];
			const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->h, river);
			unsigned m = 0;
			double vx = 0, vy = 0;
			GEOSCoordSeq_getSize_r(s->h, cs, &m);
			GEOSCoordSeq_getXY_r(s->h, cs, (unsigned)rng_below(&r, m), &vx, &vy);
			normal_in(s, &r, t->town_p, vx, vy, 50, &x, &y);
		} else {
			near_household(s, &r, t, 30, &x, &y);
		}
		e[i] = (event){ .x = x, .y = y, .doy = doy, .category = cat, .gen = i,
				.severity = (int)rng_weighted(&r, sw, 3), .status = status_draw(&r, doy, 0),
				.village = village_at(s, t, x, y) };
	}
	qsort(e, n, sizeof *e, cmp_event);
	*count = n;
	return e;
}

/* 272 problems solved, 618 convenience services and about 60 petitions
** (DOMAIN.md) make the 950 cases of 2021. */
static event *make_cases(synth *s, town *t, double scale, size_t *count)
{
	static const double base[3] = { 272, 618, 60 };
	rng r;
	rng_init(&r, s->seed, S_CASES);
	size_t n = 0, k = 0;
	for (int c = 0; c < 3; c++)
		n += (size_t)lround(base[c] * scale);
	event *e = xcalloc(n, sizeof *e);
	for (int c = 0; c < 3; c++)
		for (long i = 0; i < lround(base[c] * scale); i++, k++) {
			double x, y;
			int doy = (int)rng_below(&r, 365);
			near_household(s, &r, t, 20, &x, &y);
			e[k] = (event){ .x = x, .y = y, .doy = doy, .category = c, .gen = k,
					.status = status_draw(&r, doy, c == 2 ? 0.5 : 0),
					.village = village_at(s, t, x, y) };
		}
	qsort(e, n, sizeof *e, cmp_event);
	*count = n;
	return e;
}

static const char *vname_or_empty(const town *t, int v) { return v >= 0 ? t->vname[v] : ""; }

static double area_of(synth *s, const GEOSGeometry *g)
{
	double a = 0;
	GEOSArea_r(s->h, g, &a);
	return round(a * 100) / 100;
}

static const char *cn_num[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九" };

static void write_polygons(synth *s, town *t, geo_output *out, const geo_crs *crs)
{
	long vh[N_VILLAGES] = { 0 }, vp[N_VILLAGES] = { 0 }, sh[N_SECONDARY] = { 0 },
	     sp[N_SECONDARY] = { 0 }, th = 0, tp = 0;
	for (size_t h = 0; h < t->nh; h++) {
		vh[t->hv[h]]++;
		vp[t->hv[h]] += t->hp[h];
		sh[t->hs[h]]++;
		sp[t->hs[h]] += t->hp[h];
		th++;
		tp += t->hp[h];
	}
	static const field tf[] = { { "name", OFTString }, { "code", OFTString }, { "area_m2", OFTReal },
				    { "households", OFTInteger }, { "persons", OFTInteger }, { 0 } };
	OGRLayerH l = new_layer(s, out, "township", crs, wkbPolygon, tf);
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	set_str(f, "name", "下伍旗镇");
	set_str(f, "code", TOWN_CODE);
	set_num(f, "area_m2", area_of(s, t->town));
	set_int(f, "households", th);
	set_int(f, "persons", tp);
	put(s, l, f, t->town);
	OGR_F_Destroy(f);

	size_t aorder[N_AREAS];
	if (geo_grid_order(s->ctx, t->area, N_AREAS, aorder))
		fatal("%s", geo_last_error(s->ctx));
	int arank[N_AREAS];
	for (int k = 0; k < N_AREAS; k++)
		arank[aorder[k]] = k;
	static const field af[] = { { "area_id", OFTInteger }, { "name", OFTString },
				    { "villages", OFTInteger }, { "households", OFTInteger },
				    { "persons", OFTInteger }, { "area_m2", OFTReal }, { 0 } };
	l = new_layer(s, out, "areas", crs, wkbPolygon, af);
	for (int k = 0; k < N_AREAS; k++) {
		int a = (int)aorder[k];
		long nv = 0, hh = 0, pp = 0;
		for (int v = 0; v < N_VILLAGES; v++)
			if (t->area_of[v] == a) {
				nv++;
				hh += vh[v];
				pp += vp[v];
			}
		char name[64];
		snprintf(name, sizeof name, "第%s片区", cn_num[k]);
		f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		set_int(f, "area_id", k + 1);
		set_str(f, "name", name);
		set_int(f, "villages", nv);
		set_int(f, "households", hh);
		set_int(f, "persons", pp);
		set_num(f, "area_m2", area_of(s, t->area[a]));
		put(s, l, f, t->area[a]);
		OGR_F_Destroy(f);
	}

	static const field vf[] = { { "village_code", OFTString }, { "name", OFTString },
				    { "area_name", OFTString }, { "households", OFTInteger },
				    { "persons", OFTInteger }, { "area_m2", OFTReal }, { 0 } };
	l = new_layer(s, out, "villages", crs, wkbPolygon, vf);
	for (int k = 0; k < N_VILLAGES; k++) {
		int v = 0;
		while (t->vrank[v] != k)
			v++;
		char code[32], an[64];
		snprintf(code, sizeof code, "%s%03d", TOWN_CODE, 201 + k);
		snprintf(an, sizeof an, "第%s片区", cn_num[arank[t->area_of[v]]]);
		f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		set_str(f, "village_code", code);
		set_str(f, "name", t->vname[v]);
		set_str(f, "area_name", an);
		set_int(f, "households", vh[v]);
		set_int(f, "persons", vp[v]);
		set_num(f, "area_m2", area_of(s, t->vill[v]));
		put(s, l, f, t->vill[v]);
		OGR_F_Destroy(f);
	}

	static const field gf[] = { { "grid_id", OFTString }, { "level", OFTInteger },
				    { "parent_id", OFTString }, { "name", OFTString },
				    { "village", OFTString }, { "households", OFTInteger },
				    { "persons", OFTInteger }, { "area_m2", OFTReal }, { 0 } };
	size_t porder[N_PRIMARY];
	if (geo_grid_order(s->ctx, t->prim, N_PRIMARY, porder))
		fatal("%s", geo_last_error(s->ctx));
	char pcode[N_PRIMARY][32], pname[N_PRIMARY][96];
	int vseq[N_VILLAGES] = { 0 }, vcnt[N_VILLAGES] = { 0 };
	for (int p = 0; p < N_PRIMARY; p++)
		vcnt[t->ps.parent[p]]++;
	l = new_layer(s, out, "primary", crs, wkbPolygon, gf);
	for (int k = 0; k < N_PRIMARY; k++) {
		int p = (int)porder[k], v = t->ps.parent[p];
		long hh = 0, pp = 0;
		for (int g = 0; g < N_SECONDARY; g++)
			if (t->ss.parent[g] == p) {
				hh += sh[g];
				pp += sp[g];
			}
		if (geo_grid_code_primary(pcode[p], sizeof pcode[p], TOWN_CODE, k + 1))
			fatal("primary code");
		if (vcnt[v] > 1)
			snprintf(pname[p], sizeof pname[p], "%s%s区", t->vname[v], cn_num[vseq[v]++]);
		else
			snprintf(pname[p], sizeof pname[p], "%s", t->vname[v]);
		char name[128];
		snprintf(name, sizeof name, "%s网格", pname[p]);
		f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		set_str(f, "grid_id", pcode[p]);
		set_int(f, "level", 1);
		set_str(f, "name", name);
		set_str(f, "village", t->vname[v]);
		set_int(f, "households", hh);
		set_int(f, "persons", pp);
		set_num(f, "area_m2", area_of(s, t->prim[p]));
		put(s, l, f, t->prim[p]);
		OGR_F_Destroy(f);
	}

	l = new_layer(s, out, "secondary", crs, wkbPolygon, gf);
	for (int k = 0; k < N_PRIMARY; k++) {
		int p = (int)porder[k], v = t->ps.parent[p];
		GEOSGeometry *kids[N_SECONDARY];
		int kid_of[N_SECONDARY];
		size_t nk = 0, korder[N_SECONDARY];
		for (int g = 0; g < N_SECONDARY; g++)
			if (t->ss.parent[g] == p) {
				kid_of[nk] = g;
				kids[nk++] = t->sec[g];
			}
		if (geo_grid_order(s->ctx, kids, nk, korder))
			fatal("%s", geo_last_error(s->ctx));
		for (size_t j = 0; j < nk; j++) {
			int g = kid_of[korder[j]];
			char code[32], name[128];
			if (geo_grid_code_secondary(code, sizeof code, pcode[p], (int)j + 1))
				fatal("secondary code");
			snprintf(name, sizeof name, "%s第%zu网格", pname[p], j + 1);
			f = OGR_F_Create(OGR_L_GetLayerDefn(l));
			set_str(f, "grid_id", code);
			set_int(f, "level", 2);
			set_str(f, "parent_id", pcode[p]);
			set_str(f, "name", name);
			set_str(f, "village", t->vname[v]);
			set_int(f, "households", sh[g]);
			set_int(f, "persons", sp[g]);
			set_num(f, "area_m2", area_of(s, t->sec[g]));
			put(s, l, f, t->sec[g]);
			OGR_F_Destroy(f);
		}
	}
}

static void write_households(synth *s, town *t, geo_output *out, const geo_crs *crs)
{
	static const field hf[] = { { "hh_id", OFTString }, { "persons", OFTInteger },
				    { "village", OFTString }, { 0 } };
	OGRLayerH l = new_layer(s, out, "households", crs, wkbPoint, hf);
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	size_t id = 0;
	for (int k = 0; k < N_VILLAGES; k++)
		for (size_t h = 0; h < t->nh; h++) {
			if (t->vrank[t->hv[h]] != k)
				continue;
			char code[32];
			snprintf(code, sizeof code, "H%06zu", ++id);
			set_str(f, "hh_id", code);
			set_int(f, "persons", t->hp[h]);
			set_str(f, "village", t->vname[t->hv[h]]);
			put_point(l, f, t->hx[h], t->hy[h]);
		}
	OGR_F_Destroy(f);
}

static void write_lines(synth *s, town *t, geo_output *out, const geo_crs *crs, const glist *ditches)
{
	static const char *rclass[] = { "main", "village", "lane" };
	static const field rf[] = { { "class", OFTString }, { "name", OFTString }, { 0 } };
	OGRLayerH l = new_layer(s, out, "roads", crs, wkbLineString, rf);
	for (size_t i = 0; i < t->roads.n; i++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		set_str(f, "class", rclass[(int)t->road_class.v[i]]);
		set_str(f, "name", t->road_name[i]);
		put(s, l, f, t->roads.g[i]);
		OGR_F_Destroy(f);
	}
	static const field wf[] = { { "class", OFTString }, { "name", OFTString },
				    { "width_m", OFTReal }, { 0 } };
	l = new_layer(s, out, "rivers", crs, wkbLineString, wf);
	for (size_t i = 0; i < t->rivers.n; i++) {
		int river = i < t->n_river;
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		set_str(f, "class", river ? "river" : "canal");
		set_str(f, "name", river ? "龙凤河" : "新开渠");
		set_num(f, "width_m", river ? 40 : 12);
		put(s, l, f, t->rivers.g[i]);
		OGR_F_Destroy(f);
	}
	static const field df[] = { { "ditch_id", OFTString }, { "village", OFTString },
				    { "length_m", OFTReal }, { 0 } };
	l = new_layer(s, out, "ditches", crs, wkbLineString, df);
	for (size_t i = 0; i < ditches->n; i++) {
		char id[32];
		double x, y, len = 0;
		inside_point(s, ditches->g[i], &x, &y);
		GEOSLength_r(s->h, ditches->g[i], &len);
		snprintf(id, sizeof id, "GQ%03zu", i + 1);
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		set_str(f, "ditch_id", id);
		set_str(f, "village", vname_or_empty(t, village_at(s, t, x, y)));
		set_num(f, "length_m", round(len * 100) / 100);
		put(s, l, f, ditches->g[i]);
		OGR_F_Destroy(f);
	}
}

static void write_ponds(synth *s, town *t, geo_output *out, const geo_crs *crs, const pond *p)
{
	static const field pf[] = { { "pond_id", OFTString }, { "name", OFTString },
				    { "village", OFTString }, { "area_m2", OFTReal },
				    { "depth_m", OFTReal }, { "volume_m3", OFTReal },
				    { "inspected", OFTInteger }, { "silt_m3", OFTReal }, { 0 } };
	OGRLayerH l = new_layer(s, out, "ponds", crs, wkbPolygon, pf);
	int seq[N_VILLAGES] = { 0 };
	for (size_t i = 0; i < t->nponds; i++) {
		char id[32], name[128];
		snprintf(id, sizeof id, "KT%03zu", i + 1);
		snprintf(name, sizeof name, "%s%d号坑塘", t->vname[p[i].village], ++seq[p[i].village]);
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		set_str(f, "pond_id", id);
		set_str(f, "name", name);
		set_str(f, "village", t->vname[p[i].village]);
		set_num(f, "area_m2", round(p[i].area * 100) / 100);
		set_num(f, "depth_m", p[i].depth);
		set_num(f, "volume_m3", round(p[i].area * p[i].depth));
		set_int(f, "inspected", p[i].inspected);
		set_num(f, "silt_m3", p[i].silt);
		put(s, l, f, t->ponds[i]);
		OGR_F_Destroy(f);
	}
}

static void write_cameras(synth *s, town *t, geo_output *out, const geo_crs *crs,
			  const camera *c, size_t n)
{
	static const field cf[] = { { "name", OFTString }, { "type", OFTString },
				    { "azimuth_deg", OFTReal }, { "fov_deg", OFTReal },
				    { "range_m", OFTReal }, { "height_m", OFTReal },
				    { "village", OFTString }, { 0 } };
	OGRLayerH l = new_layer(s, out, "cameras", crs, wkbPoint, cf);
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	for (size_t i = 0; i < n; i++) {
		set_str(f, "name", c[i].name);
		set_str(f, "type", c[i].tower ? "high_point" : "village");
		set_num(f, "azimuth_deg", c[i].az);
		set_num(f, "fov_deg", c[i].fov);
		set_num(f, "range_m", c[i].range);
		set_num(f, "height_m", c[i].height);
		set_str(f, "village", vname_or_empty(t, c[i].village));
		put_point(l, f, c[i].x, c[i].y);
	}
	OGR_F_Destroy(f);
}

static void write_events(synth *s, town *t, geo_output *out, const geo_crs *crs, const event *e,
			 size_t n, int hazards)
{
	static const field hf[] = { { "hazard_id", OFTString }, { "date", OFTDate },
				    { "category", OFTString }, { "severity", OFTString },
				    { "status", OFTString }, { "village", OFTString }, { 0 } };
	static const field kf[] = { { "case_id", OFTString }, { "date", OFTDate },
				    { "category", OFTString }, { "status", OFTString },
				    { "village", OFTString }, { 0 } };
	OGRLayerH l = new_layer(s, out, hazards ? "hazards" : "cases", crs, wkbPoint, hazards ? hf : kf);
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "%s2021-%04zu", hazards ? "YH" : "AJ", i + 1);
		set_str(f, hazards ? "hazard_id" : "case_id", id);
		set_date(f, "date", e[i].doy);
		set_str(f, "category", hazards ? hazard_cats[e[i].category] : case_cats[e[i].category]);
		if (hazards)
			set_str(f, "severity", severities[e[i].severity]);
		set_str(f, "status", statuses[e[i].status]);
		set_str(f, "village", vname_or_empty(t, e[i].village));
		put_point(l, f, e[i].x, e[i].y);
	}
	OGR_F_Destroy(f);
}

/* The cameras as a user copies them from a web map: GCJ-02 lon/lat with
** Chinese column names. */
static geo_err write_gcj02_csv(synth *s, const char *path, const camera *c, size_t n,
			       const geo_crs *crs, int overwrite)
{
	if (!overwrite && geo_file_exists(path))
		return geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: exists; use --overwrite to replace it", path);
	geo_crs *wgs = geo_crs_new(s->ctx, "EPSG:4326");
	geo_transform *tr = wgs ? geo_transform_new(s->ctx, crs, wgs) : NULL;
	double *x = xcalloc(n, sizeof *x), *y = xcalloc(n, sizeof *y);
	for (size_t i = 0; i < n; i++) {
		x[i] = c[i].x;
		y[i] = c[i].y;
	}
	geo_err e = tr ? geo_transform_points(s->ctx, tr, n, x, y) : geo_last_code(s->ctx);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *fp = e ? NULL : fopen(tmp, "w");
	if (!e && !fp)
		e = geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: %s", tmp, strerror(errno));
	if (fp) {
		fputs("name,经度,纬度,type,azimuth_deg,fov_deg,range_m,height_m\n", fp);
		for (size_t i = 0; i < n; i++) {
			double glon, glat;
			geo_wgs84_to_gcj02(x[i], y[i], &glon, &glat);
			fprintf(fp, "%s,%.6f,%.6f,%s,%.0f,%.0f,%.0f,%.1f\n", c[i].name, glon, glat,
				c[i].tower ? "high_point" : "village", c[i].az, c[i].fov, c[i].range,
				c[i].height);
		}
		if (fclose(fp) != 0 || rename(tmp, path) != 0)
			e = geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: %s", path, strerror(errno));
	}
	free(x);
	free(y);
	geo_transform_free(tr);
	geo_crs_free(wgs);
	return e;
}

static void town_free(synth *s, town *t)
{
	GEOSPreparedGeom_destroy_r(s->h, t->town_p);
	for (int v = 0; t->vill_p && v < N_VILLAGES; v++)
		GEOSPreparedGeom_destroy_r(s->h, t->vill_p[v]);
	for (int g = 0; t->sec_p && g < N_SECONDARY; g++)
		GEOSPreparedGeom_destroy_r(s->h, t->sec_p[g]);
	free(t->vill_p);
	free(t->sec_p);
	GEOSGeom_destroy_r(s->h, t->shape);
	GEOSGeom_destroy_r(s->h, t->town);
	destroy_all(s, t->vill, N_VILLAGES);
	destroy_all(s, t->prim, N_PRIMARY);
	destroy_all(s, t->sec, N_SECONDARY);
	destroy_all(s, t->area, N_AREAS);
	destroy_all(s, t->ponds, t->nponds);
	seeds_free(&t->vs);
	seeds_free(&t->ps);
	seeds_free(&t->ss);
	free(t->sigma);
	free(t->vadj);
	free(t->hx);
	free(t->hy);
	free(t->hp);
	free(t->hv);
	free(t->hs);
	for (size_t i = 0; i < t->roads.n; i++)
		free(t->road_name[i]);
	free(t->road_name);
	free(t->road_class.v);
	glist_free(s, &t->roads);
	glist_free(s, &t->rivers);
}

static geo_err make_town(synth *s, const char *path, const char *csv, double scale, int overwrite)
{
	clock_t t0 = clock();
	town t;
	memset(&t, 0, sizeof t);
	rng r;
	rng_init(&r, s->seed, S_SHAPE);
	t.shape = town_shape(s, &r);
	make_grids(s, &t, scale);
	t.town_p = GEOSPrepare_r(s->h, t.town);
	name_villages(s, &t);
	place_households(s, &t);
	make_roads(s, &t);
	make_rivers(s, &t);
	glist ditches = { 0 };
	make_ditches(s, &t, &ditches);
	pond *ponds = make_ponds(s, &t);
	size_t nc, nhz, nk;
	camera *cams = make_cameras(s, &t, scale, &nc);
	event *hz = make_hazards(s, &t, ponds, scale, &nhz);
	event *cs = make_cases(s, &t, scale, &nk);

	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = overwrite;
	geo_crs *crs = geo_crs_new(s->ctx, "EPSG:4548");
	geo_output *out = crs ? geo_output_open(s->ctx, path, &oo) : NULL;
	geo_err e = out ? GEO_OK : geo_last_code(s->ctx);
	if (!e) {
		write_polygons(s, &t, out, crs);
		write_households(s, &t, out, crs);
		write_lines(s, &t, out, crs, &ditches);
		write_ponds(s, &t, out, crs, ponds);
		write_cameras(s, &t, out, crs, cams, nc);
		write_events(s, &t, out, crs, hz, nhz, 1);
		write_events(s, &t, out, crs, cs, nk, 0);
		e = geo_output_commit(s->ctx, out);
	}
	if (!e && csv)
		e = write_gcj02_csv(s, csv, cams, nc, crs, overwrite);
	if (!e)
		note(s, "town: %s: %zu households, %zu roads, %zu rivers, %zu ditches, %zu ponds, "
			"%zu cameras, %zu hazards, %zu cases in %.1f s",
		     path, t.nh, t.roads.n, t.rivers.n, ditches.n, t.nponds, nc, nhz, nk,
		     (double)(clock() - t0) / CLOCKS_PER_SEC);
	geo_output_close(out);
	geo_crs_free(crs);
	glist_free(s, &ditches);
	free(ponds);
	free(cams);
	free(hz);
	free(cs);
	town_free(s, &t);
	return e;
}
/* ---- tilings for tests and benchmarks --------------------------------- */

typedef struct tiling_opts {
	size_t grids, points;
	int clustered, unmatched, defects;
} tiling_opts;

enum { MIN_DEFECT_GRIDS = 30, MAX_PRIMARY = 999, MAX_SECONDARY_PER_PRIMARY = 99 };

/* Grids as plain coordinates, so that defects can be drawn into them
** vertex by vertex. A ring is closed (its last point repeats its first). */
typedef struct ring {
	double *xy;
	size_t n;
} ring;

typedef struct poly {
	ring *r;                /* r[0] is the shell */
	size_t nr;
} poly;

typedef struct tgrid {
	poly *p;                /* more than one part only for the multipart defect */
	size_t np;
	char code[16], parent[16];
	int prim;               /* index of the primary, for secondaries */
	long households;
} tgrid;

static void ring_from_geos(synth *s, const GEOSGeometry *g, ring *r)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->h, g);
	unsigned m = 0;
	GEOSCoordSeq_getSize_r(s->h, cs, &m);
	r->n = m;
	r->xy = xcalloc(2 * (size_t)m, sizeof *r->xy);
	GEOSCoordSeq_copyToBuffer_r(s->h, cs, r->xy, 0, 0);
}

static void poly_from_geos(synth *s, const GEOSGeometry *g, poly *p)
{
	int nh = GEOSGetNumInteriorRings_r(s->h, g);
	p->nr = 1 + (size_t)nh;
	p->r = xcalloc(p->nr, sizeof *p->r);
	ring_from_geos(s, GEOSGetExteriorRing_r(s->h, g), &p->r[0]);
	for (int i = 0; i < nh; i++)
		ring_from_geos(s, GEOSGetInteriorRingN_r(s->h, g, i), &p->r[1 + i]);
}

static GEOSGeometry *poly_to_geos(synth *s, const poly *p)
{
	GEOSGeometry **holes = xcalloc(p->nr, sizeof *holes), *shell = NULL;
	for (size_t i = 0; i < p->nr; i++) {
		GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(s->h, p->r[i].xy, p->r[i].n, 0, 0);
		GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(s->h, cs) : NULL;
		if (!ring)
			fatal("ring: %s", geo_last_error(s->ctx));
		if (i == 0)
			shell = ring;
		else
			holes[i - 1] = ring;
	}
	GEOSGeometry *g = need(s, GEOSGeom_createPolygon_r(s->h, shell, holes, (unsigned)(p->nr - 1)),
			       "polygon");
	free(holes);
	return g;
}

static GEOSGeometry *grid_to_geos(synth *s, const tgrid *g, int multi)
{
	if (!multi && g->np == 1)
		return poly_to_geos(s, &g->p[0]);
	GEOSGeometry **parts = xcalloc(g->np, sizeof *parts);
	for (size_t i = 0; i < g->np; i++)
		parts[i] = poly_to_geos(s, &g->p[i]);
	GEOSGeometry *m = need(s, GEOSGeom_createCollection_r(s->h, GEOS_MULTIPOLYGON, parts,
							      (unsigned)g->np), "multipolygon");
	free(parts);
	return m;
}

static void grids_free(tgrid *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++) {
		for (size_t j = 0; j < g[i].np; j++) {
			for (size_t k = 0; k < g[i].p[j].nr; k++)
				free(g[i].p[j].r[k].xy);
			free(g[i].p[j].r);
		}
		free(g[i].p);
	}
	free(g);
}

static tgrid *grids_copy(const tgrid *g, size_t n)
{
	tgrid *c = xcalloc(n, sizeof *c);
	for (size_t i = 0; i < n; i++) {
		c[i] = g[i];
		c[i].p = xcalloc(g[i].np, sizeof *c[i].p);
		for (size_t j = 0; j < g[i].np; j++) {
			c[i].p[j].nr = g[i].p[j].nr;
			c[i].p[j].r = xcalloc(g[i].p[j].nr, sizeof *c[i].p[j].r);
			for (size_t k = 0; k < g[i].p[j].nr; k++) {
				const ring *r = &g[i].p[j].r[k];
				c[i].p[j].r[k].n = r->n;
				c[i].p[j].r[k].xy = xcalloc(2 * r->n, sizeof *r->xy);
				memcpy(c[i].p[j].r[k].xy, r->xy, 2 * r->n * sizeof *r->xy);
			}
		}
	}
	return c;
}

/*
** Replaces the segment a-b of the ring (found in either direction) by the
** path a, pts[0..k), b. Returns 0 when the ring has no such segment.
*/
static int ring_splice(ring *r, const double *a, const double *b, const double *pts, size_t k)
{
	for (size_t i = 0; i + 1 < r->n; i++) {
		const double *p = r->xy + 2 * i, *q = p + 2;
		int fwd = p[0] == a[0] && p[1] == a[1] && q[0] == b[0] && q[1] == b[1];
		int back = p[0] == b[0] && p[1] == b[1] && q[0] == a[0] && q[1] == a[1];
		if (!fwd && !back)
			continue;
		double *xy = xcalloc(2 * (r->n + k), sizeof *xy);
		memcpy(xy, r->xy, 2 * (i + 1) * sizeof *xy);
		for (size_t j = 0; j < k; j++) {
			size_t from = fwd ? j : k - 1 - j;
			xy[2 * (i + 1 + j)] = pts[2 * from];
			xy[2 * (i + 1 + j) + 1] = pts[2 * from + 1];
		}
		memcpy(xy + 2 * (i + 1 + k), r->xy + 2 * (i + 1), 2 * (r->n - i - 1) * sizeof *xy);
		free(r->xy);
		r->xy = xy;
		r->n += k;
		return 1;
	}
	return 0;
}

static void grid_splice(tgrid *g, const double *a, const double *b, const double *pts, size_t k)
{
	for (size_t j = 0; j < g->np; j++)
		for (size_t i = 0; i < g->p[j].nr; i++)
			if (ring_splice(&g->p[j].r[i], a, b, pts, k))
				return;
	fatal("internal: segment not found in grid %s", g->code);
}

/* Every segment of every grid, sorted, so that shared segments sit side by side. */
typedef struct gseg {
	double ax, ay, bx, by;
	size_t grid;
} gseg;

static int cmp_gseg(const void *x, const void *y)
{
	const gseg *p = x, *q = y;
	const double k1[4] = { p->ax, p->ay, p->bx, p->by }, k2[4] = { q->ax, q->ay, q->bx, q->by };
	for (int i = 0; i < 4; i++)
		if (k1[i] != k2[i])
			return k1[i] < k2[i] ? -1 : 1;
	return p->grid < q->grid ? -1 : p->grid > q->grid;
}

static int cmp_gseg_key(const gseg *p, const gseg *q)
{
	return !(p->ax == q->ax && p->ay == q->ay && p->bx == q->bx && p->by == q->by);
}

static gseg *grid_segments(const tgrid *g, size_t n, size_t *count)
{
	size_t total = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < g[i].np; j++)
			for (size_t r = 0; r < g[i].p[j].nr; r++)
				total += g[i].p[j].r[r].n;
	gseg *sv = xcalloc(total, sizeof *sv);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < g[i].np; j++)
			for (size_t r = 0; r < g[i].p[j].nr; r++) {
				const ring *rg = &g[i].p[j].r[r];
				for (size_t v = 0; v + 1 < rg->n; v++) {
					double ax = rg->xy[2 * v], ay = rg->xy[2 * v + 1];
					double bx = rg->xy[2 * v + 2], by = rg->xy[2 * v + 3];
					if (ax == bx && ay == by)
						continue;
					int swap = ax > bx || (ax == bx && ay > by);
					sv[k++] = swap ? (gseg){ bx, by, ax, ay, i } : (gseg){ ax, ay, bx, by, i };
				}
			}
	qsort(sv, k, sizeof *sv, cmp_gseg);
	*count = k;
	return sv;
}

/*
** --unmatched: every segment shared by two grids gets its midpoint added on
** the side of the grid that comes first, only. Coordinates are multiples of
** 1/128 m, so the midpoint is exact and lies exactly on the neighbour's
** segment: the tiling stays exact, only the vertices no longer match.
*/
static void unmatch(tgrid *g, size_t n)
{
	size_t ns;
	gseg *sv = grid_segments(g, n, &ns);
	for (size_t i = 0; i + 1 < ns; i++) {
		gseg *a = &sv[i], *b = &sv[i + 1];
		if (a->ax != b->ax || a->ay != b->ay || a->bx != b->bx || a->by != b->by ||
		    a->grid == b->grid)
			continue;
		double p[2] = { a->ax, a->ay }, q[2] = { a->bx, a->by };
		double mid[2] = { (p[0] + q[0]) / 2, (p[1] + q[1]) / 2 };
		grid_splice(&g[a->grid < b->grid ? a->grid : b->grid], p, q, mid, 1);
		i++;
	}
	free(sv);
}

/* n seeds spread evenly over the region: one jittered point per cell of a
** square lattice, then trimmed or topped up to exactly n. */
static void even_seeds(synth *s, rng *r, const GEOSPreparedGeometry *region, const double *env,
		       double area, size_t n, double *x, double *y)
{
	double c = sqrt(area / (double)n);
	dvec px = { 0 }, py = { 0 };
	for (double gy = env[1]; gy < env[3]; gy += c)
		for (double gx = env[0]; gx < env[2]; gx += c) {
			double sx = snapv(s, gx + c * rng_unif(r)), sy = snapv(s, gy + c * rng_unif(r));
			if (prep_contains(s, region, sx, sy)) {
				dvec_push(&px, sx);
				dvec_push(&py, sy);
			}
		}
	/* Too many: drop random ones, keeping the lattice order of the rest. */
	char *drop = xcalloc(px.n + 1, 1);
	for (size_t extra = px.n > n ? px.n - n : 0; extra > 0;) {
		size_t i = rng_below(r, px.n);
		if (!drop[i]) {
			drop[i] = 1;
			extra--;
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < px.n; i++)
		if (!drop[i]) {
			x[k] = px.v[i];
			y[k] = py.v[i];
			k++;
		}
	/* Too few: add points not too near the others. */
	while (k < n) {
		double sx = snapv(s, rng_range(r, env[0], env[2])), sy = snapv(s, rng_range(r, env[1], env[3]));
		int ok = prep_contains(s, region, sx, sy);
		for (size_t j = 0; ok && j < k; j++)
			ok = hypot(sx - x[j], sy - y[j]) > 0.3 * c;
		if (ok) {
			x[k] = sx;
			y[k] = sy;
			k++;
		}
	}
	free(drop);
	free(px.v);
	free(py.v);
}

typedef struct tiling {
	GEOSGeometry *shape, *town;
	size_t np, ns;
	tgrid *prim, *sec;
} tiling;

/* Primaries and secondaries: the same exact construction as the sample
** town, with two levels of seeds. */
static void make_tiling_grids(synth *s, tiling *t, size_t K)
{
	rng r;
	rng_init(&r, s->seed, S_TILING);
	double env[4], area = 0;
	env_of(s, t->shape, env);
	GEOSArea_r(s->h, t->shape, &area);
	size_t M = (size_t)lround((double)K * N_PRIMARY / N_SECONDARY);
	size_t lo = (K + MAX_SECONDARY_PER_PRIMARY - 1) / MAX_SECONDARY_PER_PRIMARY;
	M = M < lo ? lo : M > MAX_PRIMARY ? MAX_PRIMARY : M < 1 ? 1 : M;
	const GEOSPreparedGeometry *sp = GEOSPrepare_r(s->h, t->shape);
	seeds P, S;
	seeds_alloc(&P, M);
	seeds_alloc(&S, K);
	even_seeds(s, &r, sp, env, area, M, P.x, P.y);
	even_seeds(s, &r, sp, env, area, K, S.x, S.y);
	GEOSPreparedGeom_destroy_r(s->h, sp);
	/* Each secondary seed belongs to its nearest primary seed; primaries
	** that won none are dropped. */
	int *kids = xcalloc(M, sizeof *kids), *renum = xcalloc(M, sizeof *renum);
	for (size_t i = 0; i < M; i++)
		P.parent[i] = -1;
	for (size_t j = 0; j < K; j++) {
		S.parent[j] = (int)nearest_child(&P, -1, S.x[j], S.y[j]);
		kids[S.parent[j]]++;
	}
	size_t m = 0;
	for (size_t i = 0; i < M; i++) {
		if (kids[i] > MAX_SECONDARY_PER_PRIMARY)
			fatal("a primary grid would hold %d secondaries (at most %d); use fewer --grids",
			      kids[i], MAX_SECONDARY_PER_PRIMARY);
		renum[i] = kids[i] ? (int)m : -1;
		if (kids[i]) {
			P.x[m] = P.x[i];
			P.y[m] = P.y[i];
			m++;
		}
	}
	P.n = m;
	for (size_t j = 0; j < K; j++)
		S.parent[j] = renum[S.parent[j]];
	free(kids);
	free(renum);

	glist lines = { 0 };
	glist_push(&lines, need(s, GEOSBoundary_r(s->h, t->shape), "boundary"));
	GEOSGeometry **pcells = xcalloc(P.n, sizeof *pcells);
	level_cut(s, &P, &t->shape, 1, &lines, pcells);
	level_cut(s, &S, pcells, P.n, &lines, NULL);
	destroy_all(s, pcells, P.n);
	faces f;
	faces_build(s, glist_collect(s, &lines, GEOS_GEOMETRYCOLLECTION), t->shape, &f);
	int *g0 = xcalloc(f.n, sizeof *g0), *g1 = xcalloc(f.n, sizeof *g1), *gz = xcalloc(f.n, sizeof *gz);
	assign_faces(&f, &P, NULL, g0);
	size_t moved = fix_pieces(&f, g0, &P);
	assign_faces(&f, &S, g0, g1);
	moved += fix_pieces(&f, g1, &S);
	note(s, "tiling: %zu faces, %zu pieces moved to a neighbour", f.n, moved);
	GEOSGeometry **pg = group_union(s, &f, g0, P.n, "primary grid");
	GEOSGeometry **sg = group_union(s, &f, g1, S.n, "secondary grid");
	GEOSGeometry **whole = group_union(s, &f, gz, 1, "town");
	t->town = whole[0];
	free(whole);
	free(g0);
	free(g1);
	free(gz);
	faces_free(s, &f);

	/* Codes west to east, north to south: primaries over the town,
	** secondaries inside their primary. */
	t->np = P.n;
	t->ns = S.n;
	t->prim = xcalloc(P.n, sizeof *t->prim);
	t->sec = xcalloc(S.n, sizeof *t->sec);
	size_t *po = xcalloc(P.n, sizeof *po), *so = xcalloc(S.n, sizeof *so), k = 0;
	GEOSGeometry **kg = xcalloc(S.n, sizeof *kg);
	size_t *ki = xcalloc(S.n, sizeof *ki);
	if (geo_grid_order(s->ctx, pg, P.n, po))
		fatal("%s", geo_last_error(s->ctx));
	for (size_t a = 0; a < P.n; a++) {
		size_t i = po[a], nk = 0;
		tgrid *pr = &t->prim[a];
		pr->np = 1;
		pr->p = xcalloc(1, sizeof *pr->p);
		poly_from_geos(s, pg[i], &pr->p[0]);
		if (geo_grid_code_primary(pr->code, sizeof pr->code, TOWN_CODE, (int)a + 1))
			fatal("primary code");
		for (size_t j = 0; j < S.n; j++)
			if (S.parent[j] == (int)i) {
				ki[nk] = j;
				kg[nk++] = sg[j];
			}
		if (geo_grid_order(s->ctx, kg, nk, so))
			fatal("%s", geo_last_error(s->ctx));
		for (size_t b = 0; b < nk; b++, k++) {
			tgrid *sc = &t->sec[k];
			sc->np = 1;
			sc->p = xcalloc(1, sizeof *sc->p);
			poly_from_geos(s, sg[ki[so[b]]], &sc->p[0]);
			sc->prim = (int)a;
			snprintf(sc->parent, sizeof sc->parent, "%s", pr->code);
			if (geo_grid_code_secondary(sc->code, sizeof sc->code, pr->code, (int)b + 1))
				fatal("secondary code");
			/* Households are drawn, not counted: tilings are about shape. */
			sc->households = 40 + (long)rng_below(&r, 211);
			pr->households += sc->households;
		}
	}
	free(po);
	free(so);
	free(kg);
	free(ki);
	destroy_all(s, pg, P.n);
	destroy_all(s, sg, S.n);
	seeds_free(&P);
	seeds_free(&S);
}

/* ---- injected defects --------------------------------------------------- */

typedef struct defect {
	const char *defect, *type;      /* our name for it; grid-check's problem type */
	char grids[2][16];
	int ngrids;
	double area, x, y;
	int has_loc;
	double lx, ly;                  /* the self-intersection of the bow-tie */
} defect;

typedef struct picker {
	synth *s;
	rng r;
	tgrid *g;
	size_t n;
	gseg *sv;
	size_t ns;
	char *involved;                 /* grids a defect changed */
	char *near;                     /* grids next to one a defect changed */
	int strict;                     /* keep defects a grid apart */
	const GEOSGeometry *town;
	double h;                       /* how far a defect reaches from its edge */
} picker;

/* Marks a grid as changed and its neighbours as near, so that defects stay
** apart and each is found on its own. */
static void mark_used(picker *pk, size_t grid)
{
	pk->involved[grid] = 1;
	for (size_t i = 0; i < pk->ns; i++) {
		if (pk->sv[i].grid != grid)
			continue;
		if (i > 0 && !cmp_gseg_key(&pk->sv[i - 1], &pk->sv[i]))
			pk->near[pk->sv[i - 1].grid] = 1;
		if (i + 1 < pk->ns && !cmp_gseg_key(&pk->sv[i + 1], &pk->sv[i]))
			pk->near[pk->sv[i + 1].grid] = 1;
	}
}

/* A grid a new defect may use: never one already changed, and while strict
** none next to one. */
static int grid_free(const picker *pk, size_t g)
{
	return !pk->involved[g] && (!pk->strict || !pk->near[g]);
}

/* A candidate edge for a defect: segment a-b of grid ga, shared with gb
** (or on the town boundary when gb is -1). */
typedef struct edge {
	size_t ga;
	long gb;
	double a[2], b[2];
} edge;

/* Shared edges (shared = 1) or boundary edges, shuffled, long enough. */
static edge *edge_list(picker *pk, int shared, double minlen, size_t *count)
{
	edge *e = xcalloc(pk->ns + 1, sizeof *e);
	size_t k = 0;
	for (size_t i = 0; i < pk->ns;) {
		size_t j = i + 1;
		while (j < pk->ns && !cmp_gseg_key(&pk->sv[i], &pk->sv[j]))
			j++;
		const gseg *g = &pk->sv[i];
		if (hypot(g->bx - g->ax, g->by - g->ay) >= minlen && ((shared && j - i == 2) || (!shared && j - i == 1)))
			e[k++] = (edge){ g->grid, shared ? (long)pk->sv[i + 1].grid : -1, { g->ax, g->ay },
					 { g->bx, g->by } };
		i = j;
	}
	for (size_t i = k; i > 1; i--) {
		size_t j = rng_below(&pk->r, i);
		edge t = e[i - 1];
		e[i - 1] = e[j];
		e[j] = t;
	}
	*count = k;
	return e;
}

/* Points a quarter and three quarters along a-b, the middle, and an offset
** d of length about h square to a-b, towards side `into`; every value is a
** multiple of 1/128 m or its exact half or quarter. */
typedef struct wedge {
	double p[2], q[2], m[2], d[2], c[2];
} wedge;

static void wedge_make(synth *s, const edge *e, double h, wedge *w)
{
	double dx = e->b[0] - e->a[0], dy = e->b[1] - e->a[1], len = hypot(dx, dy);
	h = fmin(h, 0.4 * len);
	w->p[0] = e->a[0] + dx / 4;
	w->p[1] = e->a[1] + dy / 4;
	w->q[0] = e->a[0] + 3 * dx / 4;
	w->q[1] = e->a[1] + 3 * dy / 4;
	w->m[0] = e->a[0] + dx / 2;
	w->m[1] = e->a[1] + dy / 2;
	w->d[0] = snapv(s, -dy / len * h);
	w->d[1] = snapv(s, dx / len * h);
}

static void wedge_flip(wedge *w)
{
	w->d[0] = -w->d[0];
	w->d[1] = -w->d[1];
}

static void wedge_apex(wedge *w)
{
	w->c[0] = w->m[0] + w->d[0];
	w->c[1] = w->m[1] + w->d[1];
}

/* Twice the triangle's area, exactly: the coordinates are relative to p. */
static double tri_area(const double *p, const double *q, const double *c)
{
	return fabs((q[0] - p[0]) * (c[1] - p[1]) - (q[1] - p[1]) * (c[0] - p[0])) / 2;
}

static GEOSGeometry *tri_geom(synth *s, const double *p, const double *q, const double *c)
{
	double xy[8] = { p[0], p[1], c[0], c[1], q[0], q[1], p[0], p[1] };
	return make_polygon(s, xy, 4);
}

/* 1 if the wedge's triangle lies in grid g (side = 1) or outside the town. */
static int wedge_in(picker *pk, const wedge *w, long g)
{
	synth *s = pk->s;
	GEOSGeometry *t = tri_geom(s, w->p, w->q, w->c);
	int ok;
	if (g >= 0) {
		GEOSGeometry *gg = grid_to_geos(s, &pk->g[g], 0);
		ok = GEOSContains_r(s->h, gg, t) == 1;
		GEOSGeom_destroy_r(s->h, gg);
	} else {
		ok = GEOSRelatePattern_r(s->h, t, pk->town, "T********") == 0;
	}
	GEOSGeom_destroy_r(s->h, t);
	return ok;
}

/* Orients the wedge to point into grid g (or out of the town for g < 0);
** 0 when neither side fits. */
static int wedge_fit(picker *pk, wedge *w, long g)
{
	for (int flip = 0; flip < 2; flip++) {
		wedge_apex(w);
		if (wedge_in(pk, w, g))
			return 1;
		wedge_flip(w);
	}
	return 0;
}

static void defect_tri(defect *d, const wedge *w)
{
	d->area = tri_area(w->p, w->q, w->c);
	d->x = (w->p[0] + w->q[0] + w->c[0]) / 3;
	d->y = (w->p[1] + w->q[1] + w->c[1]) / 3;
}

static void defect_grids(defect *d, const char *a, const char *b)
{
	snprintf(d->grids[0], sizeof d->grids[0], "%s", a);
	d->ngrids = 1;
	if (b) {
		snprintf(d->grids[1], sizeof d->grids[1], "%s", b);
		d->ngrids = 2;
	}
}

static int free_edge(const picker *pk, const edge *e)
{
	return grid_free(pk, e->ga) && (e->gb < 0 || grid_free(pk, (size_t)e->gb));
}

/* A wedge cut out of (or pushed out of) grid ga along edge e: a gap, an
** overlap, a spill outside the town, or a sliver. */
static int inject_wedge(picker *pk, const edge *es, size_t ne, const char *name, const char *type,
			int into_other, double h, defect *d)
{
	for (size_t i = 0; i < ne; i++) {
		const edge *e = &es[i];
		if (!free_edge(pk, e))
			continue;
		wedge w;
		wedge_make(pk->s, e, h, &w);
		/* A gap's wedge lies in ga itself; an overlap's in gb; a spill's
		** outside the town. */
		long target = into_other ? e->gb : (long)e->ga;
		if (!wedge_fit(pk, &w, target))
			continue;
		double path[6] = { w.p[0], w.p[1], w.c[0], w.c[1], w.q[0], w.q[1] };
		grid_splice(&pk->g[e->ga], e->a, e->b, path, 3);
		*d = (defect){ .defect = name, .type = type };
		defect_tri(d, &w);
		defect_grids(d, pk->g[e->ga].code, e->gb >= 0 ? pk->g[e->gb].code : NULL);
		mark_used(pk, e->ga);
		if (e->gb >= 0)
			mark_used(pk, (size_t)e->gb);
		return 1;
	}
	return 0;
}

/* A secondary that takes a wedge of its neighbour in another primary: both
** layers still tile the town, but the secondary reaches out of its primary. */
static int inject_not_nested(picker *pk, const edge *es, size_t ne, double h, defect *d)
{
	for (size_t i = 0; i < ne; i++) {
		const edge *e = &es[i];
		if (!free_edge(pk, e) || pk->g[e->ga].prim == pk->g[e->gb].prim)
			continue;
		wedge w;
		wedge_make(pk->s, e, h, &w);
		if (!wedge_fit(pk, &w, e->gb))
			continue;
		double path[6] = { w.p[0], w.p[1], w.c[0], w.c[1], w.q[0], w.q[1] };
		grid_splice(&pk->g[e->ga], e->a, e->b, path, 3);
		grid_splice(&pk->g[e->gb], e->a, e->b, path, 3);
		*d = (defect){ .defect = "not_nested", .type = "not_nested" };
		defect_tri(d, &w);
		defect_grids(d, pk->g[e->ga].code, pk->g[e->ga].parent);
		mark_used(pk, e->ga);
		mark_used(pk, (size_t)e->gb);
		return 1;
	}
	return 0;
}

/*
** A bow-tie: along edge a-b the ring runs p, q+d, p+d, q, so the two
** diagonals of the parallelogram p, q, q+d, p+d cross at its centre. The
** two triangles on either side of the crossing (centre-p-q and
** centre-q+d-p+d) are what the ring encloses wrongly: made valid, the grid
** loses both. Their area is the truth, the far one's centroid its point,
** the crossing its location.
*/
static int inject_bowtie(picker *pk, const edge *es, size_t ne, double h, defect *d)
{
	synth *s = pk->s;
	for (size_t i = 0; i < ne; i++) {
		const edge *e = &es[i];
		if (!free_edge(pk, e))
			continue;
		wedge w;
		wedge_make(s, e, h, &w);
		for (int flip = 0; flip < 2; flip++) {
			double r1[2] = { w.q[0] + w.d[0], w.q[1] + w.d[1] };
			double r2[2] = { w.p[0] + w.d[0], w.p[1] + w.d[1] };
			double xy[10] = { w.p[0], w.p[1], w.q[0], w.q[1], r1[0], r1[1], r2[0], r2[1],
					  w.p[0], w.p[1] };
			GEOSGeometry *quad = make_polygon(s, xy, 5), *gg = grid_to_geos(s, &pk->g[e->ga], 0);
			int in = GEOSContains_r(s->h, gg, quad) == 1;
			GEOSGeom_destroy_r(s->h, quad);
			GEOSGeom_destroy_r(s->h, gg);
			if (!in) {
				wedge_flip(&w);
				continue;
			}
			double path[8] = { w.p[0], w.p[1], r1[0], r1[1], r2[0], r2[1], w.q[0], w.q[1] };
			grid_splice(&pk->g[e->ga], e->a, e->b, path, 4);
			double cx = (w.p[0] + w.q[0] + w.d[0]) / 2, cy = (w.p[1] + w.q[1] + w.d[1]) / 2;
			*d = (defect){ .defect = "bowtie", .type = "invalid", .has_loc = 1, .lx = cx, .ly = cy };
			d->area = fabs((w.q[0] - w.p[0]) * w.d[1] - (w.q[1] - w.p[1]) * w.d[0]) / 2;
			d->x = (cx + r1[0] + r2[0]) / 3;
			d->y = (cy + r1[1] + r2[1]) / 3;
			defect_grids(d, pk->g[e->ga].code, NULL);
			mark_used(pk, e->ga);
			return 1;
		}
	}
	return 0;
}

/* A grid in two parts: a wedge of grid gb (cut along its edge with a third
** grid) is handed to a neighbour of gb it does not touch. */
static int inject_multipart(picker *pk, const edge *es, size_t ne, double h, defect *d)
{
	synth *s = pk->s;
	for (size_t i = 0; i < ne; i++) {
		const edge *e = &es[i];
		if (!free_edge(pk, e))
			continue;
		wedge w;
		wedge_make(s, e, h, &w);
		if (!wedge_fit(pk, &w, (long)e->ga))
			continue;
		GEOSGeometry *t = tri_geom(s, w.p, w.q, w.c);
		long owner = -1;
		for (size_t k = 0; k < pk->ns && owner < 0; k++) {
			if (pk->sv[k].grid != e->ga)
				continue;
			for (size_t j = k ? k - 1 : 0; j <= k + 1 && j < pk->ns; j++) {
				size_t g = pk->sv[j].grid;
				if (j == k || g == e->ga || (long)g == e->gb || !grid_free(pk, g) ||
				    cmp_gseg_key(&pk->sv[j], &pk->sv[k]))
					continue;
				GEOSGeometry *gg = grid_to_geos(s, &pk->g[g], 0);
				double dist = 0;
				GEOSDistance_r(s->h, gg, t, &dist);
				GEOSGeom_destroy_r(s->h, gg);
				if (dist > 1) {
					owner = (long)g;
					break;
				}
			}
		}
		GEOSGeom_destroy_r(s->h, t);
		if (owner < 0)
			continue;
		double path[6] = { w.p[0], w.p[1], w.c[0], w.c[1], w.q[0], w.q[1] };
		grid_splice(&pk->g[e->ga], e->a, e->b, path, 3);
		tgrid *o = &pk->g[owner];
		o->p = xrealloc(o->p, o->np + 1, sizeof *o->p);
		poly *np = &o->p[o->np++];
		np->nr = 1;
		np->r = xcalloc(1, sizeof *np->r);
		np->r[0].n = 4;
		np->r[0].xy = xcalloc(8, sizeof *np->r[0].xy);
		double ring[8] = { w.p[0], w.p[1], w.q[0], w.q[1], w.c[0], w.c[1], w.p[0], w.p[1] };
		memcpy(np->r[0].xy, ring, sizeof ring);
		*d = (defect){ .defect = "multipart", .type = "multipart" };
		defect_tri(d, &w);
		defect_grids(d, o->code, NULL);
		mark_used(pk, e->ga);
		mark_used(pk, (size_t)e->gb);
		mark_used(pk, (size_t)owner);
		return 1;
	}
	return 0;
}

/* A grid that carries the code of a sibling in the same primary. */
static int inject_duplicate(picker *pk, defect *d)
{
	synth *s = pk->s;
	size_t start = rng_below(&pk->r, pk->n);
	for (size_t k = 0; k < pk->n; k++) {
		size_t a = (start + k) % pk->n;
		long b = -1;
		for (size_t j = 0; j < pk->n && b < 0; j++)
			if (j != a && !pk->involved[j] && pk->g[j].prim == pk->g[a].prim)
				b = (long)j;
		if (pk->involved[a] || b < 0)
			continue;
		GEOSGeometry *gg = grid_to_geos(s, &pk->g[a], 0);
		*d = (defect){ .defect = "duplicate_code", .type = "duplicate_id" };
		GEOSArea_r(s->h, gg, &d->area);
		inside_point(s, gg, &d->x, &d->y);
		GEOSGeom_destroy_r(s->h, gg);
		memcpy(pk->g[a].code, pk->g[b].code, sizeof pk->g[a].code);
		defect_grids(d, pk->g[b].code, NULL);
		mark_used(pk, a);
		mark_used(pk, (size_t)b);
		return 1;
	}
	return 0;
}

enum { N_DEFECTS = 9 };

/* Injects one defect of each kind into g (the secondaries), far apart. */
static size_t inject_defects(synth *s, tgrid *g, size_t n, const GEOSGeometry *town, double cell,
			     defect *out)
{
	picker pk = { .s = s, .g = g, .n = n, .town = town };
	rng_init(&pk.r, s->seed, S_DEFECTS);
	pk.involved = xcalloc(n, 1);
	pk.near = xcalloc(n, 1);
	pk.sv = grid_segments(g, n, &pk.ns);
	size_t nsh, nbd;
	double minlen = 0.25 * cell, h = 0.15 * cell;
	/* The town's own boundary has short segments: take any of 30 m. */
	edge *sh = edge_list(&pk, 1, minlen, &nsh), *bd = edge_list(&pk, 0, fmin(minlen, 30), &nbd);
	size_t k = 0;
	static const char *names[N_DEFECTS] = { "gap", "gap_at_boundary", "overlap", "outside",
						"not_nested", "bowtie", "duplicate_code", "sliver",
						"multipart" };
	/* Each defect looks for a place a grid away from the others first, and
	** only in a small town settles for one next to them. */
	for (; k < N_DEFECTS; k++) {
		int ok = 0;
		for (pk.strict = 1; !ok && pk.strict >= 0; pk.strict--) {
			switch (k) {
			case 0: ok = inject_wedge(&pk, sh, nsh, "gap", "gap", 0, h, &out[k]); break;
			case 1: ok = inject_wedge(&pk, bd, nbd, "gap_at_boundary", "gap", 0, h, &out[k]); break;
			case 2: ok = inject_wedge(&pk, sh, nsh, "overlap", "overlap", 1, h, &out[k]); break;
			case 3: ok = inject_wedge(&pk, bd, nbd, "outside", "outside", 1, h, &out[k]); break;
			case 4: ok = inject_not_nested(&pk, sh, nsh, h, &out[k]); break;
			case 5: ok = inject_bowtie(&pk, sh, nsh, h, &out[k]); break;
			case 6: ok = inject_duplicate(&pk, &out[k]); break;
			/* A sliver: a gap 6/128 m (4.7 cm) wide at most. */
			case 7: ok = inject_wedge(&pk, sh, nsh, "sliver", "sliver", 0, 6.0 / 128, &out[k]); break;
			default: ok = inject_multipart(&pk, sh, nsh, h, &out[k]); break;
			}
		}
		if (!ok)
			fatal("could not place the %s defect; use more --grids or another --seed",
			      names[k]);
	}
	free(sh);
	free(bd);
	free(pk.sv);
	free(pk.involved);
	free(pk.near);
	return k;
}

/* ---- writing a tiling --------------------------------------------------- */

static void write_grid_layer(synth *s, geo_output *out, const geo_crs *crs, const char *name,
			     const tgrid *g, size_t n, int level, int multi)
{
	static const field gf[] = { { "grid_id", OFTString }, { "level", OFTInteger },
				    { "parent_id", OFTString }, { "name", OFTString },
				    { "households", OFTInteger }, { 0 } };
	OGRLayerH l = new_layer(s, out, name, crs, multi ? wkbMultiPolygon : wkbPolygon, gf);
	for (size_t i = 0; i < n; i++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		char label[64];
		snprintf(label, sizeof label, "%s %s", level == 1 ? "primary" : "secondary", g[i].code);
		set_str(f, "grid_id", g[i].code);
		set_int(f, "level", level);
		if (level == 2)
			set_str(f, "parent_id", g[i].parent);
		set_str(f, "name", label);
		set_int(f, "households", g[i].households);
		GEOSGeometry *gg = grid_to_geos(s, &g[i], multi);
		put(s, l, f, gg);
		GEOSGeom_destroy_r(s->h, gg);
		OGR_F_Destroy(f);
	}
}

static void write_town_layer(synth *s, geo_output *out, const geo_crs *crs, const GEOSGeometry *town)
{
	static const field tf[] = { { "name", OFTString }, { "code", OFTString }, { "area_m2", OFTReal }, { 0 } };
	OGRLayerH l = new_layer(s, out, "town", crs, wkbPolygon, tf);
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	set_str(f, "name", "synthetic town");
	set_str(f, "code", TOWN_CODE);
	set_num(f, "area_m2", area_of(s, town));
	put(s, l, f, town);
	OGR_F_Destroy(f);
}

/* Point-in-town for millions of points: the boundary's edges bucketed by
** horizontal band, then an even-odd ray cast over one band's edges. */
typedef struct pip {
	double y0, dy;
	size_t nb;
	size_t *off;
	double *e;              /* x1 y1 x2 y2 per edge */
} pip;

static void pip_build(synth *s, const GEOSGeometry *town, pip *p)
{
	ring *rs = NULL;
	poly pl;
	poly_from_geos(s, town, &pl);
	rs = pl.r;
	double env[4];
	env_of(s, town, env);
	size_t ne = 0;
	for (size_t i = 0; i < pl.nr; i++)
		ne += rs[i].n - 1;
	p->nb = ne < 16 ? 16 : ne;
	p->y0 = env[1];
	p->dy = (env[3] - env[1]) / (double)p->nb;
	size_t *cnt = xcalloc(p->nb + 1, sizeof *cnt);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < pl.nr; i++)
			for (size_t v = 0; v + 1 < rs[i].n; v++) {
				double *q = rs[i].xy + 2 * v;
				double lo = fmin(q[1], q[3]), hi = fmax(q[1], q[3]);
				size_t b0 = (size_t)fmax(0, floor((lo - p->y0) / p->dy));
				size_t b1 = (size_t)fmin((double)p->nb - 1, floor((hi - p->y0) / p->dy));
				for (size_t b = b0; b <= b1; b++) {
					if (pass == 0) {
						cnt[b + 1]++;
						continue;
					}
					memcpy(p->e + 4 * cnt[b]++, q, 4 * sizeof *q);
				}
			}
		if (pass == 0) {
			for (size_t b = 0; b < p->nb; b++)
				cnt[b + 1] += cnt[b];
			p->off = xcalloc(p->nb + 1, sizeof *p->off);
			memcpy(p->off, cnt, (p->nb + 1) * sizeof *cnt);
			p->e = xcalloc(4 * cnt[p->nb] + 4, sizeof *p->e);
		}
	}
	free(cnt);
	for (size_t i = 0; i < pl.nr; i++)
		free(rs[i].xy);
	free(rs);
}

static int pip_inside(const pip *p, double x, double y)
{
	double fb = floor((y - p->y0) / p->dy);
	if (fb < 0 || fb >= (double)p->nb)
		return 0;
	size_t b = (size_t)fb;
	int in = 0;
	for (size_t i = p->off[b]; i < p->off[b + 1]; i++) {
		const double *e = p->e + 4 * i;
		if ((e[1] > y) != (e[3] > y) && x < e[0] + (y - e[1]) * (e[2] - e[0]) / (e[3] - e[1]))
			in = !in;
	}
	return in;
}

static void pip_free(pip *p)
{
	free(p->off);
	free(p->e);
}

/* P points in the town, uniform or in clusters, streamed to the layer. */
static void write_points(synth *s, geo_output *out, const geo_crs *crs, const GEOSGeometry *town,
			 const tiling_opts *o, size_t ngrids)
{
	static const field pf[] = { { "persons", OFTInteger }, { 0 } };
	/* No R-tree: SQLite's costs 12 µs a point, five times the rest of the
	** write; readers that want one run SELECT CreateSpatialIndex(...). */
	char **lo = CSLSetNameValue(NULL, "SPATIAL_INDEX", "NO");
	OGRLayerH l = GDALDatasetCreateLayer(geo_output_dataset(out), "points", geo_crs_ogr(crs),
					     wkbPoint, lo);
	CSLDestroy(lo);
	if (!l)
		fatal("cannot create layer points: %s", geo_cpl_error("driver refused"));
	for (const field *fd = pf; fd->name; fd++) {
		OGRFieldDefnH d = OGR_Fld_Create(fd->name, fd->type);
		if (OGR_L_CreateField(l, d, TRUE) != OGRERR_NONE)
			fatal("layer points: cannot create field %s", fd->name);
		OGR_Fld_Destroy(d);
	}
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	int persons = OGR_F_GetFieldIndex(f, "persons");
	rng r;
	rng_init(&r, s->seed, S_POINTS);
	pip p;
	pip_build(s, town, &p);
	double env[4], area = 0;
	env_of(s, town, env);
	GEOSArea_r(s->h, town, &area);
	/* Clusters: about two per ten grids' worth of width, like settlements. */
	size_t nc = o->clustered ? (size_t)fmax(5, round(2 * sqrt((double)ngrids))) : 0;
	double *cx = xcalloc(nc + 1, sizeof *cx), *cy = xcalloc(nc + 1, sizeof *cy),
	       *cs = xcalloc(nc + 1, sizeof *cs), *cum = xcalloc(nc + 1, sizeof *cum);
	for (size_t c = 0; c < nc; c++) {
		do {
			cx[c] = rng_range(&r, env[0], env[2]);
			cy[c] = rng_range(&r, env[1], env[3]);
		} while (!pip_inside(&p, cx[c], cy[c]));
		cs[c] = 0.35 * sqrt(area / (double)nc) * rng_range(&r, 0.3, 1.0);
		cum[c] = (c ? cum[c - 1] : 0) + exp(0.8 * rng_normal(&r));
	}
	for (size_t i = 0; i < o->points; i++) {
		double x, y;
		do {
			if (nc) {
				double u = rng_unif(&r) * cum[nc - 1];
				size_t lo = 0, hi = nc - 1;
				while (lo < hi) {
					size_t mid = (lo + hi) / 2;
					if (cum[mid] > u)
						hi = mid;
					else
						lo = mid + 1;
				}
				x = snapv(s, cx[lo] + cs[lo] * rng_normal(&r));
				y = snapv(s, cy[lo] + cs[lo] * rng_normal(&r));
			} else {
				x = snapv(s, rng_range(&r, env[0], env[2]));
				y = snapv(s, rng_range(&r, env[1], env[3]));
			}
		} while (!pip_inside(&p, x, y));
		OGR_F_SetFieldInteger(f, persons, persons_draw(&r));
		put_point(l, f, x, y);
	}
	OGR_F_Destroy(f);
	free(cx);
	free(cy);
	free(cs);
	free(cum);
	pip_free(&p);
}

static geo_err write_truth(synth *s, const char *path, const tiling *t, const tiling_opts *o,
			   const defect *d, size_t nd, int overwrite)
{
	if (!overwrite && geo_file_exists(path))
		return geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: exists; use --overwrite to replace it", path);
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "{\"seed\": %llu, \"grids\": %zu, \"primaries\": %zu, \"unmatched\": %s, ",
		       (unsigned long long)s->seed, o->grids, t->np, o->unmatched ? "true" : "false");
	geo_buf_add(&b, "\"crs\": \"EPSG:4548\", \"file\": \"defects.gpkg\", \"layer\": \"secondary\", "
			"\"primary_layer\": \"primary\", \"town_layer\": \"town\",\n \"defects\": [");
	for (size_t i = 0; i < nd; i++) {
		geo_buf_add(&b, i ? ",\n  {\"defect\": " : "\n  {\"defect\": ");
		geo_json_str(&b, d[i].defect);
		geo_buf_add(&b, ", \"type\": ");
		geo_json_str(&b, d[i].type);
		geo_buf_add(&b, ", \"grids\": [");
		for (int g = 0; g < d[i].ngrids; g++) {
			if (g)
				geo_buf_add(&b, ", ");
			geo_json_str(&b, d[i].grids[g]);
		}
		geo_buf_add(&b, "], \"area_m2\": ");
		geo_json_num(&b, d[i].area, 6);
		geo_buf_add(&b, ", \"x\": ");
		geo_json_num(&b, d[i].x, 4);
		geo_buf_add(&b, ", \"y\": ");
		geo_json_num(&b, d[i].y, 4);
		if (d[i].has_loc) {
			geo_buf_add(&b, ", \"location\": [");
			geo_json_num(&b, d[i].lx, 4);
			geo_buf_add(&b, ", ");
			geo_json_num(&b, d[i].ly, 4);
			geo_buf_add(&b, "]");
		}
		geo_buf_add(&b, "}");
	}
	geo_buf_add(&b, "\n ]}\n");
	char *text = geo_buf_take(&b), tmp[4200];
	if (!text)
		fatal("out of memory");
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	geo_err e = GEO_OK;
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0 || rename(tmp, path) != 0)
		e = geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: %s", path, strerror(errno));
	free(text);
	return e;
}

static geo_err open_out(synth *s, const char *dir, const char *file, int overwrite,
			geo_output **out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = overwrite;
	*out = geo_output_open(s->ctx, path, &oo);
	return *out ? GEO_OK : geo_last_code(s->ctx);
}

static geo_err make_tiling(synth *s, const char *dir, const tiling_opts *o, int overwrite)
{
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (o->defects && o->grids < MIN_DEFECT_GRIDS)
		return geo_fail(s->ctx, GEO_ERR_USAGE, "--defects needs --grids %d or more",
				MIN_DEFECT_GRIDS);
	if (o->grids > (size_t)MAX_PRIMARY * MAX_SECONDARY_PER_PRIMARY)
		return geo_fail(s->ctx, GEO_ERR_USAGE, "--grids: at most %d (999 primaries of 99)",
				MAX_PRIMARY * MAX_SECONDARY_PER_PRIMARY);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: cannot create folder: %s", dir, strerror(errno));
	tiling t = { 0 };
	rng r;
	rng_init(&r, s->seed, S_SHAPE);
	t.shape = town_shape(s, &r);
	make_tiling_grids(s, &t, o->grids);
	double area = 0;
	GEOSArea_r(s->h, t.town, &area);
	defect d[N_DEFECTS];
	size_t nd = 0;
	tgrid *bad = NULL;
	if (o->defects) {
		bad = grids_copy(t.sec, t.ns);
		nd = inject_defects(s, bad, t.ns, t.town, sqrt(area / (double)t.ns), d);
	}
	if (o->unmatched) {
		unmatch(t.prim, t.np);
		unmatch(t.sec, t.ns);
		if (bad)
			unmatch(bad, t.ns);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	geo_crs *crs = geo_crs_new(s->ctx, "EPSG:4548");
	geo_output *out = NULL;
	geo_err e = crs ? open_out(s, dir, "grids.gpkg", overwrite, &out) : geo_last_code(s->ctx);
	if (!e) {
		write_town_layer(s, out, crs, t.town);
		write_grid_layer(s, out, crs, "primary", t.prim, t.np, 1, 0);
		write_grid_layer(s, out, crs, "secondary", t.sec, t.ns, 2, 0);
		if (o->points)
			write_points(s, out, crs, t.town, o, t.ns);
		e = geo_output_commit(s->ctx, out);
	}
	geo_output_close(out);
	out = NULL;
	if (!e && bad) {
		e = open_out(s, dir, "defects.gpkg", overwrite, &out);
		if (!e) {
			write_town_layer(s, out, crs, t.town);
			write_grid_layer(s, out, crs, "primary", t.prim, t.np, 1, 0);
			write_grid_layer(s, out, crs, "secondary", bad, t.ns, 2, 1);
			e = geo_output_commit(s->ctx, out);
		}
		geo_output_close(out);
		char path[4096];
		snprintf(path, sizeof path, "%s/truth.json", dir);
		if (!e)
			e = write_truth(s, path, &t, o, d, nd, overwrite);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (!e)
		note(s, "tiling: %s: %zu primaries, %zu secondaries, %zu points, %zu defects; "
			"grids %.1f s, writing %.1f s",
		     dir, t.np, t.ns, o->points, nd,
		     (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
		     (double)(t2.tv_sec - t1.tv_sec) + 1e-9 * (double)(t2.tv_nsec - t1.tv_nsec));
	geo_crs_free(crs);
	grids_free(bad, t.ns);
	grids_free(t.prim, t.np);
	grids_free(t.sec, t.ns);
	GEOSGeom_destroy_r(s->h, t.shape);
	GEOSGeom_destroy_r(s->h, t.town);
	return e;
}

static void usage(FILE *to)
{
	fputs("Usage: synth town --seed N -o FILE.gpkg [--scale K] [--gcj02-csv FILE.csv] [--overwrite]\n"
	      "       synth tiling --seed N --grids K [--points P] [--clustered] [--unmatched]\n"
	      "                    [--defects] -o DIR [--overwrite]\n"
	      "Makes seeded, reproducible test data for wangge (see docs/synth.md).\n"
	      "  --seed N         seed of every random choice (default 1)\n"
	      "  -o, --output     the GeoPackage (town) or folder (tiling) to write\n"
	      "  --scale K        town: multiply households, cameras, hazards and cases by K\n"
	      "  --gcj02-csv F    town: also write the cameras as GCJ-02 lon/lat CSV\n"
	      "  --grids K        tiling: number of secondary grids\n"
	      "  --points P       tiling: number of points (default 0)\n"
	      "  --clustered      tiling: points clustered instead of uniform\n"
	      "  --unmatched      tiling: shared edges not vertex-matched\n"
	      "  --defects        tiling: also write defects.gpkg and truth.json\n"
	      "  --overwrite      replace existing outputs\n"
	      "  -q, --quiet      print errors only\n",
	      to);
}

static int parse_num(const char *opt, const char *arg, double lo, double *v)
{
	char *end;
	errno = 0;
	double d = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(d) || d < lo) {
		fprintf(stderr, "synth: error: %s: '%s' is not a number >= %g\n", opt, arg, lo);
		return 0;
	}
	*v = d;
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "seed", required_argument, NULL, 's' }, { "output", required_argument, NULL, 'o' },
		{ "scale", required_argument, NULL, 'k' }, { "gcj02-csv", required_argument, NULL, 'c' },
		{ "grids", required_argument, NULL, 'g' }, { "points", required_argument, NULL, 'p' },
		{ "clustered", no_argument, NULL, 'C' }, { "unmatched", no_argument, NULL, 'U' },
		{ "defects", no_argument, NULL, 'D' }, { "overwrite", no_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? GEO_ERR_USAGE : 0;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "town") && strcmp(cmd, "tiling")) {
		fprintf(stderr, "synth: error: unknown command '%s' (town or tiling)\n", cmd);
		return GEO_ERR_USAGE;
	}
	double seed = 1, scale = 1, grids = 0, points = 0;
	const char *output = NULL, *csv = NULL;
	tiling_opts t = { 0 };
	int overwrite = 0, quiet = 0, c;
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qh", longs, NULL)) != -1) {
		int ok = 1;
		switch (c) {
		case 's': ok = parse_num("--seed", optarg, 0, &seed); break;
		case 'o': output = optarg; break;
		case 'k': ok = parse_num("--scale", optarg, 0.001, &scale); break;
		case 'c': csv = optarg; break;
		case 'g': ok = parse_num("--grids", optarg, 1, &grids); break;
		case 'p': ok = parse_num("--points", optarg, 0, &points); break;
		case 'C': t.clustered = 1; break;
		case 'U': t.unmatched = 1; break;
		case 'D': t.defects = 1; break;
		case 'O': overwrite = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "synth: error: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			return GEO_ERR_USAGE;
		}
		if (!ok)
			return GEO_ERR_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "synth: error: unexpected argument '%s'\n", argv[optind]);
		return GEO_ERR_USAGE;
	}
	if (!output) {
		fprintf(stderr, "synth: error: -o is required\n");
		return GEO_ERR_USAGE;
	}
	if (!strcmp(cmd, "tiling") && grids < 1) {
		fprintf(stderr, "synth: error: tiling needs --grids K\n");
		return GEO_ERR_USAGE;
	}
	/* Pins the GeoPackage's timestamps, so equal seeds give equal bytes. */
	CPLSetConfigOption("OGR_CURRENT_DATE", FIXED_DATE);
	synth s = { .seed = (uint64_t)seed, .quiet = quiet };
	s.ctx = geo_ctx_new();
	if (!s.ctx)
		fatal("cannot start GEOS");
	s.h = geo_ctx_geos(s.ctx);
	geo_err e;
	if (!strcmp(cmd, "town")) {
		s.scale = 100;
		e = make_town(&s, output, csv, scale, overwrite);
	} else {
		s.scale = 128;
		t.grids = (size_t)grids;
		t.points = (size_t)points;
		e = make_tiling(&s, output, &t, overwrite);
	}
	if (e)
		fprintf(stderr, "synth: error: %s\n", geo_last_error(s.ctx));
	geo_ctx_free(s.ctx);
	return (int)e;
}
