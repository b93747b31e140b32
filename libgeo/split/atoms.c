/*
** atoms.c: cuts a town into atoms, the pieces grid-split builds grids from.
**
** The town's linework (linework.c: boundary, village limits, barriers) is
** noded and polygonized into blocks. A block holding more household weight
** than an atom may is cut by the Voronoi diagram of k-means centres of its
** households, and everything is noded and polygonized once more into faces.
** Because every face comes from one noding, neighbouring faces share their
** edges vertex for vertex: the faces are an exact coverage of the town, and
** any union of them is too.
**
** Each segment of the noded linework remembers what it lies on (a barrier, a
** village limit, the town boundary, or nothing), which gives the graph its
** edge costs and the report its share of limits along barriers. Faces that
** are slivers (thinner than a metre, or smaller than a few square metres) join
** the neighbour they share most boundary with; the groups are the atoms.
*/
#include "split/split_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Faces thinner than this (twice the area over the perimeter) or smaller
** than SLIVER_AREA are slivers. */
#define SLIVER_WIDTH_M 1.0
#define SLIVER_AREA_M2 10.0
#define KMEANS_ROUNDS 25

void split_input_free(GEOSContextHandle_t h, split_input *in)
{
	if (!in)
		return;
	if (in->town)
		GEOSGeom_destroy_r(h, in->town);
	for (size_t i = 0; i < in->nvillages; i++) {
		if (in->villages[i])
			GEOSGeom_destroy_r(h, in->villages[i]);
		free(in->village_names ? in->village_names[i] : NULL);
	}
	free(in->villages);
	free(in->village_names);
	for (size_t i = 0; i < in->nlines; i++)
		if (in->lines[i].geom)
			GEOSGeom_destroy_r(h, in->lines[i].geom);
	free(in->lines);
	free(in->points);
	memset(in, 0, sizeof *in);
}

void split_atoms_free(split_atoms *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nfaces; i++)
		if (a->faces[i])
			GEOSGeom_destroy_r(a->h, a->faces[i]);
	free(a->faces);
	free(a->face_atom);
	free(a->weight);
	free(a->households);
	free(a->persons);
	free(a->area);
	free(a->heaviest);
	free(a->village);
	free(a->outside);
	free(a->xadj);
	free(a->adj);
	free(a->len);
	free(a->cost);
	free(a->along);
	free(a->road);
	free(a->water);
	free(a->vlimit);
	free(a->point_atom);
	free(a);
}

/* For each point, the lowest-numbered face holding it, or -1. */
static int locate_points(geo_ctx *ctx, const split_input *in, const split_geoms *faces, long *where)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_index *idx = geo_index_new(ctx, faces->g, faces->n);
	size_t cap = 64, *cand = geo_calloc(ctx, cap, sizeof *cand);
	if (!idx || !cand) {
		geo_index_free(idx);
		free(cand);
		return 0;
	}
	for (size_t i = 0; i < in->npoints; i++) {
		const split_point *p = &in->points[i];
		size_t n = geo_index_query_box(idx, p->x, p->y, p->x, p->y, cand, cap);
		if (n > cap) {
			size_t *c2 = geo_realloc_array(ctx, cand, n, sizeof *c2);
			if (!c2)
				break;
			cand = c2;
			cap = n;
			n = geo_index_query_box(idx, p->x, p->y, p->x, p->y, cand, cap);
		}
		qsort(cand, n, sizeof *cand, split_by_index);
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, p->x, p->y);
		where[i] = -1;
		for (size_t k = 0; k < n && where[i] < 0; k++)
			if (GEOSPreparedIntersects_r(h, geo_index_prepared(idx, cand[k]), pt) == 1)
				where[i] = (long)cand[k];
		GEOSGeom_destroy_r(h, pt);
	}
	geo_index_free(idx);
	free(cand);
	return 1;
}

/* ---- splitting heavy blocks ----------------------------------------------- */

struct wpt {
	double x, y, w;
};

static int by_xy(const void *a, const void *b)
{
	const struct wpt *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->y < q->y ? -1 : p->y > q->y;
}

/* Merges points at the same place (households of one building); returns
** the number of distinct places. */
static size_t merge_places(struct wpt *p, size_t n)
{
	qsort(p, n, sizeof *p, by_xy);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && p[m - 1].x == p[i].x && p[m - 1].y == p[i].y)
			p[m - 1].w += p[i].w;
		else
			p[m++] = p[i];
	}
	return m;
}

/* k-means++ seeding, then Lloyd rounds, weighted; c holds k centres. */
static void kmeans(const struct wpt *p, size_t n, size_t k, unsigned long long *rng,
		   struct wpt *c, size_t *label, double *d2)
{
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += p[i].w;
	double r = split_rand01(rng) * total, acc = 0;
	size_t first = n - 1;
	for (size_t i = 0; i < n; i++)
		if ((acc += p[i].w) >= r) {
			first = i;
			break;
		}
	c[0] = p[first];
	for (size_t i = 0; i < n; i++)
		d2[i] = INFINITY;
	for (size_t j = 1; j < k; j++) {
		double sum = 0;
		for (size_t i = 0; i < n; i++) {
			double dx = p[i].x - c[j - 1].x, dy = p[i].y - c[j - 1].y;
			d2[i] = fmin(d2[i], dx * dx + dy * dy);
			sum += d2[i] * p[i].w;
		}
		double t = split_rand01(rng) * sum, a = 0;
		size_t pick = n - 1;
		for (size_t i = 0; i < n; i++)
			if ((a += d2[i] * p[i].w) >= t && d2[i] > 0) {
				pick = i;
				break;
			}
		c[j] = p[pick];
	}
	for (int round = 0; round < KMEANS_ROUNDS; round++) {
		int changed = 0;
		for (size_t i = 0; i < n; i++) {
			size_t best = 0;
			double bd = INFINITY;
			for (size_t j = 0; j < k; j++) {
				double dx = p[i].x - c[j].x, dy = p[i].y - c[j].y, d = dx * dx + dy * dy;
				if (d < bd) {
					bd = d;
					best = j;
				}
			}
			changed |= round == 0 || label[i] != best;
			label[i] = best;
		}
		if (!changed)
			break;
		for (size_t j = 0; j < k; j++)
			c[j].x = c[j].y = c[j].w = 0;
		for (size_t i = 0; i < n; i++) {
			struct wpt *q = &c[label[i]];
			q->x += p[i].x * p[i].w;
			q->y += p[i].y * p[i].w;
			q->w += p[i].w;
		}
		for (size_t j = 0; j < k; j++) {
			if (c[j].w > 0) {
				c[j].x /= c[j].w;
				c[j].y /= c[j].w;
			} else {
				c[j] = p[(j * 7919) % n]; /* an empty cluster restarts on a point */
			}
		}
	}
}

/* The Voronoi edges of the k-means centres of a block's households, clipped
** to the block. */
static int voronoi_cuts(geo_ctx *ctx, const GEOSGeometry *block, struct wpt *p, size_t n,
			size_t k, unsigned long long *rng, split_geoms *out)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	struct wpt *c = geo_calloc(ctx, k, sizeof *c);
	size_t *label = geo_calloc(ctx, n, sizeof *label);
	double *d2 = geo_calloc(ctx, n, sizeof *d2);
	GEOSGeometry **pts = geo_calloc(ctx, k, sizeof *pts);
	int ok = c && label && d2 && pts;
	if (ok) {
		kmeans(p, n, k, rng, c, label, d2);
		size_t m = merge_places(c, k);
		for (size_t j = 0; j < m; j++)
			pts[j] = GEOSGeom_createPointFromXY_r(h, c[j].x, c[j].y);
		GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)m);
		GEOSGeometry *edges = m >= 2 && mp ? GEOSVoronoiDiagram_r(h, mp, block, 0, 1) : NULL;
		GEOSGeometry *big = edges ? GEOSBuffer_r(h, block, SPLIT_CROSS_M, 2) : NULL;
		if (big)
			ok = split_add_lines(ctx, out, GEOSIntersection_r(h, edges, big), SPLIT_OPEN,
				       SPLIT_COST_OPEN);
		if (big)
			GEOSGeom_destroy_r(h, big);
		if (edges)
			GEOSGeom_destroy_r(h, edges);
		if (mp)
			GEOSGeom_destroy_r(h, mp);
	}
	free(c);
	free(label);
	free(d2);
	free(pts);
	return ok;
}

/* Cuts for every block heavier than max_weight; counts the blocks cut. */
static int split_heavy(geo_ctx *ctx, const split_input *in, const split_geoms *blocks,
		       double max_weight, unsigned long seed, split_geoms *cuts, size_t *nsplit)
{
	long *where = geo_calloc(ctx, in->npoints, sizeof *where);
	double *w = geo_calloc(ctx, blocks->n, sizeof *w);
	size_t *count = geo_calloc(ctx, blocks->n, sizeof *count);
	struct wpt *p = geo_calloc(ctx, in->npoints, sizeof *p);
	int ok = where && w && count && p && locate_points(ctx, in, blocks, where);
	for (size_t i = 0; ok && i < in->npoints; i++)
		if (where[i] >= 0) {
			w[where[i]] += in->points[i].weight;
			count[where[i]]++;
		}
	*nsplit = 0;
	for (size_t b = 0; ok && b < blocks->n; b++) {
		if (!(max_weight > 0) || w[b] <= max_weight)
			continue;
		size_t n = 0;
		for (size_t i = 0; i < in->npoints; i++)
			if (where[i] == (long)b)
				p[n++] = (struct wpt){ in->points[i].x, in->points[i].y,
						       in->points[i].weight + 1e-9 };
		size_t places = merge_places(p, n);
		size_t k = (size_t)ceil(w[b] / max_weight);
		if (k > places)
			k = places;
		if (k < 2)
			continue;
		unsigned long long rng = seed * 0x100000001b3ULL + b;
		ok = voronoi_cuts(ctx, blocks->g[b], p, places, k, &rng, cuts);
		(*nsplit)++;
	}
	free(where);
	free(w);
	free(count);
	free(p);
	return ok;
}

/* ---- segments: what each piece of linework is, and who is on each side --- */

typedef struct seg {
	double x1, y1, x2, y2;  /* canonical: (x1, y1) < (x2, y2) */
	long fa, fb;            /* the faces on either side, -1 for none */
	int kind;
	double cost;
	int used;
} seg;

typedef struct segtab {
	seg *s;
	size_t cap, n;
} segtab;

static uint64_t bits(double v)
{
	uint64_t u;
	v = v == 0 ? 0 : v; /* -0.0 and 0.0 are one coordinate */
	memcpy(&u, &v, sizeof u);
	return u;
}

static uint64_t seg_hash(double x1, double y1, double x2, double y2)
{
	uint64_t k = bits(x1) * 0x9e3779b97f4a7c15ULL;
	k ^= bits(y1) + 0x632be59bd9b4e019ULL + (k << 6) + (k >> 2);
	k ^= bits(x2) + 0x85ebca6b2b2ae35bULL + (k << 6) + (k >> 2);
	k ^= bits(y2) + 0xc2b2ae3d27d4eb4fULL + (k << 6) + (k >> 2);
	return k ^ (k >> 29);
}

/* The slot of segment (a, b) (either direction); creates it if asked. */
static seg *seg_find(segtab *t, double ax, double ay, double bx, double by, int create)
{
	if (bx < ax || (bx == ax && by < ay)) {
		double tx = ax, ty = ay;
		ax = bx, ay = by, bx = tx, by = ty;
	}
	size_t i = seg_hash(ax, ay, bx, by) & (t->cap - 1);
	for (;; i = (i + 1) & (t->cap - 1)) {
		seg *s = &t->s[i];
		if (!s->used) {
			if (!create || t->n + 1 > t->cap / 2)
				return NULL;
			*s = (seg){ ax, ay, bx, by, -1, -1, SPLIT_OPEN, SPLIT_COST_OPEN, 1 };
			t->n++;
			return s;
		}
		if (s->x1 == ax && s->y1 == ay && s->x2 == bx && s->y2 == by)
			return s;
	}
}

/* What a noded edge lies on: the strongest kind and the cheapest cost among
** the source lines within SPLIT_ON_LINE_M of its first segment's midpoint. */
static void classify(GEOSContextHandle_t h, GEOSSTRtree *t, const split_geoms *src, split_hits *s,
		     const GEOSGeometry *edge, int *kind, double *cost)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, edge);
	double ax, ay, bx, by;
	GEOSCoordSeq_getXY_r(h, cs, 0, &ax, &ay);
	GEOSCoordSeq_getXY_r(h, cs, 1, &bx, &by);
	GEOSGeometry *mid = GEOSGeom_createPointFromXY_r(h, (ax + bx) / 2, (ay + by) / 2);
	GEOSGeometry *box = GEOSGeom_createRectangle_r(h, (ax + bx) / 2 - SPLIT_ON_LINE_M,
						       (ay + by) / 2 - SPLIT_ON_LINE_M,
						       (ax + bx) / 2 + SPLIT_ON_LINE_M,
						       (ay + by) / 2 + SPLIT_ON_LINE_M);
	*kind = SPLIT_OPEN;
	*cost = SPLIT_COST_OPEN;
	split_query(h, t, box, s);
	for (size_t k = 0; k < s->n; k++) {
		double d = INFINITY;
		size_t j = s->idx[k];
		if (!GEOSDistance_r(h, mid, src->g[j], &d) || d > SPLIT_ON_LINE_M)
			continue;
		if (src->kind[j] > *kind)
			*kind = src->kind[j];
		if (src->kind[j] != SPLIT_TOWN && src->cost[j] < *cost)
			*cost = src->cost[j];
	}
	GEOSGeom_destroy_r(h, mid);
	GEOSGeom_destroy_r(h, box);
}

/* Enters every segment of the noded linework with what it lies on. */
static int enter_linework(geo_ctx *ctx, const GEOSGeometry *noded, const split_geoms *src, segtab *t)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
	size_t *items = geo_calloc(ctx, src->n, sizeof *items);
	split_hits s = { h, geo_calloc(ctx, src->n + 1, sizeof(size_t)), 0, src->n + 1 };
	int ok = tree && items && s.idx;
	for (size_t i = 0; ok && i < src->n; i++) {
		items[i] = i;
		GEOSSTRtree_insert_r(h, tree, src->g[i], &items[i]);
	}
	for (int e = 0; ok && e < GEOSGetNumGeometries_r(h, noded); e++) {
		const GEOSGeometry *edge = GEOSGetGeometryN_r(h, noded, e);
		if (GEOSGeomTypeId_r(h, edge) != GEOS_LINESTRING || GEOSGetNumCoordinates_r(h, edge) < 2)
			continue;
		int kind;
		double cost;
		classify(h, tree, src, &s, edge, &kind, &cost);
		const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, edge);
		unsigned n = 0;
		GEOSCoordSeq_getSize_r(h, cs, &n);
		for (unsigned i = 0; ok && i + 1 < n; i++) {
			double ax, ay, bx, by;
			GEOSCoordSeq_getXY_r(h, cs, i, &ax, &ay);
			GEOSCoordSeq_getXY_r(h, cs, i + 1, &bx, &by);
			if (ax == bx && ay == by)
				continue;
			seg *sg = seg_find(t, ax, ay, bx, by, 1);
			if (!sg)
				ok = !geo_fail(ctx, GEO_ERR_INTERNAL, "segment table full");
			else if (kind > sg->kind || cost < sg->cost) {
				sg->kind = kind > sg->kind ? kind : sg->kind;
				sg->cost = fmin(cost, sg->cost);
			}
		}
	}
	if (tree)
		GEOSSTRtree_destroy_r(h, tree);
	free(items);
	free(s.idx);
	return ok;
}

static int ring_sides(GEOSContextHandle_t h, const GEOSGeometry *ring, long f, segtab *t)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned n = 0;
	GEOSCoordSeq_getSize_r(h, cs, &n);
	for (unsigned i = 0; i + 1 < n; i++) {
		double ax, ay, bx, by;
		GEOSCoordSeq_getXY_r(h, cs, i, &ax, &ay);
		GEOSCoordSeq_getXY_r(h, cs, i + 1, &bx, &by);
		if (ax == bx && ay == by)
			continue;
		seg *s = seg_find(t, ax, ay, bx, by, 1);
		if (!s)
			return 0;
		if (s->fa < 0)
			s->fa = f;
		else if (s->fa != f && s->fb < 0)
			s->fb = f;
	}
	return 1;
}

/* Records, for every segment, the faces on its two sides. */
static int enter_faces(geo_ctx *ctx, const split_geoms *faces, segtab *t)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	for (size_t f = 0; f < faces->n; f++) {
		const GEOSGeometry *g = faces->g[f];
		if (!ring_sides(h, GEOSGetExteriorRing_r(h, g), (long)f, t))
			return geo_fail(ctx, GEO_ERR_INTERNAL, "segment table full"), 0;
		for (int r = 0; r < GEOSGetNumInteriorRings_r(h, g); r++)
			if (!ring_sides(h, GEOSGetInteriorRingN_r(h, g, r), (long)f, t))
				return geo_fail(ctx, GEO_ERR_INTERNAL, "segment table full"), 0;
	}
	return 1;
}

/* ---- face pairs and atoms ------------------------------------------------ */

typedef struct pair {
	size_t a, b;
	double len, cost, along;
	double road, water, vlimit;
} pair;

static int by_pair(const void *x, const void *y)
{
	const pair *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

/* Sorts pairs and sums duplicates; returns the new count. */
static size_t merge_pairs(pair *p, size_t n)
{
	qsort(p, n, sizeof *p, by_pair);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && p[m - 1].a == p[i].a && p[m - 1].b == p[i].b) {
			p[m - 1].len += p[i].len;
			p[m - 1].cost += p[i].cost;
			p[m - 1].along += p[i].along;
			p[m - 1].road += p[i].road;
			p[m - 1].water += p[i].water;
			p[m - 1].vlimit += p[i].vlimit;
		} else {
			p[m++] = p[i];
		}
	}
	return m;
}

/* Face pairs from the segment table, and each face's length on the town
** boundary. */
static pair *face_pairs(geo_ctx *ctx, const segtab *t, size_t nfaces, double *outside,
			size_t *npairs)
{
	pair *p = geo_calloc(ctx, t->n, sizeof *p);
	size_t n = 0;
	for (size_t i = 0; p && i < t->cap; i++) {
		const seg *s = &t->s[i];
		if (!s->used || s->fa < 0)
			continue;
		double len = hypot(s->x2 - s->x1, s->y2 - s->y1);
		if (s->fb < 0) {
			if ((size_t)s->fa < nfaces)
				outside[s->fa] += len;
			continue;
		}
		size_t a = (size_t)s->fa, b = (size_t)s->fb;
		int along = s->kind == SPLIT_BARRIER || s->kind == SPLIT_WATER || s->kind == SPLIT_VILLAGE;
		p[n++] = (pair){ a < b ? a : b, a < b ? b : a, len, len * s->cost, along ? len : 0,
				 s->kind == SPLIT_BARRIER ? len : 0, s->kind == SPLIT_WATER ? len : 0,
				 s->kind == SPLIT_VILLAGE ? len : 0 };
	}
	*npairs = p ? merge_pairs(p, n) : 0;
	return p;
}

static size_t find(size_t *up, size_t x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

/* Joins every sliver face to the neighbour it shares most boundary with. */
static int merge_slivers(geo_ctx *ctx, const split_geoms *faces, const pair *p, size_t np,
			 size_t *up)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	size_t n = faces->n;
	size_t *start = geo_calloc(ctx, n + 1, sizeof *start);
	size_t *nb = geo_calloc(ctx, 2 * np + 1, sizeof *nb);
	double *len = geo_calloc(ctx, 2 * np + 1, sizeof *len);
	size_t *fill = geo_calloc(ctx, n + 1, sizeof *fill);
	int ok = start && nb && len && fill;
	for (size_t i = 0; ok && i < np; i++) {
		start[p[i].a + 1]++;
		start[p[i].b + 1]++;
	}
	for (size_t f = 0; ok && f < n; f++)
		start[f + 1] += start[f];
	for (size_t f = 0; ok && f < n; f++)
		fill[f] = start[f];
	for (size_t i = 0; ok && i < np; i++) {
		size_t ka = fill[p[i].a]++, kb = fill[p[i].b]++;
		nb[ka] = p[i].b;
		len[ka] = p[i].len;
		nb[kb] = p[i].a;
		len[kb] = p[i].len;
	}
	for (size_t f = 0; f < n; f++)
		up[f] = f;
	for (size_t f = 0; ok && f < n; f++) {
		double area = 0, perim = 0;
		GEOSArea_r(h, faces->g[f], &area);
		GEOSLength_r(h, faces->g[f], &perim);
		if (area >= SLIVER_AREA_M2 && 2 * area / perim >= SLIVER_WIDTH_M)
			continue;
		double best = 0;
		size_t to = f;
		for (size_t k = start[f]; k < start[f + 1]; k++)
			if (len[k] > best) {
				best = len[k];
				to = nb[k];
			}
		size_t a = find(up, f), b = find(up, to);
		if (a != b)
			up[a > b ? a : b] = a < b ? a : b;
	}
	free(start);
	free(nb);
	free(len);
	free(fill);
	return ok;
}

static int alloc_atoms(geo_ctx *ctx, split_atoms *a, size_t n)
{
	a->natoms = n;
	a->weight = geo_calloc(ctx, n, sizeof *a->weight);
	a->households = geo_calloc(ctx, n, sizeof *a->households);
	a->persons = geo_calloc(ctx, n, sizeof *a->persons);
	a->area = geo_calloc(ctx, n, sizeof *a->area);
	a->heaviest = geo_calloc(ctx, n, sizeof *a->heaviest);
	a->village = geo_calloc(ctx, n, sizeof *a->village);
	a->outside = geo_calloc(ctx, n, sizeof *a->outside);
	a->xadj = geo_calloc(ctx, n + 1, sizeof *a->xadj);
	return a->weight && a->households && a->persons && a->area && a->heaviest && a->village &&
	       a->outside && a->xadj;
}

/* The village of each face, by a point inside it. */
static int face_villages(geo_ctx *ctx, const split_input *in, const split_geoms *faces, long *vill)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_index *idx = in->nvillages ? geo_index_new(ctx, in->villages, in->nvillages) : NULL;
	size_t cap = in->nvillages ? in->nvillages : 1;
	size_t *cand = geo_calloc(ctx, cap, sizeof *cand);
	if ((in->nvillages && !idx) || !cand) {
		geo_index_free(idx);
		free(cand);
		return 0;
	}
	for (size_t f = 0; f < faces->n; f++) {
		vill[f] = -1;
		if (!idx)
			continue;
		double x, y;
		if (geo_geom_inside_point(ctx, faces->g[f], &x, &y))
			continue;
		size_t n = geo_index_query_box(idx, x, y, x, y, cand, cap);
		qsort(cand, n < cap ? n : cap, sizeof *cand, split_by_index);
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
		for (size_t k = 0; k < n && k < cap && vill[f] < 0; k++)
			if (GEOSPreparedIntersects_r(h, geo_index_prepared(idx, cand[k]), pt) == 1)
				vill[f] = (long)cand[k];
		GEOSGeom_destroy_r(h, pt);
	}
	geo_index_free(idx);
	free(cand);
	return 1;
}

/* Atom totals: weights and counts from the points, area and village from the
** faces (an atom's village is its largest face's). */
static int atom_totals(geo_ctx *ctx, const split_input *in, const split_geoms *faces,
		       const long *point_face, split_atoms *a)
{
	long *vill = geo_calloc(ctx, faces->n, sizeof *vill);
	double *biggest = geo_calloc(ctx, a->natoms, sizeof *biggest);
	int ok = vill && biggest && face_villages(ctx, in, faces, vill);
	for (size_t f = 0; ok && f < faces->n; f++) {
		size_t at = a->face_atom[f];
		double area = geo_geom_area(ctx, faces->g[f]);
		a->area[at] += area;
		if (area > biggest[at] || biggest[at] == 0) {
			biggest[at] = area;
			a->village[at] = vill[f];
		}
	}
	for (size_t i = 0; ok && i < in->npoints; i++) {
		a->point_atom[i] = point_face[i] >= 0 ? (long)a->face_atom[point_face[i]] : -1;
		if (a->point_atom[i] < 0)
			continue;
		size_t at = (size_t)a->point_atom[i];
		a->weight[at] += in->points[i].weight;
		a->households[at] += 1;
		a->persons[at] += in->points[i].persons;
		a->heaviest[at] = fmax(a->heaviest[at], in->points[i].weight);
	}
	free(vill);
	free(biggest);
	return ok;
}

/* The atom graph (CSR) from the face pairs. Each atom pair is summed once
** and entered in both directions with the same values: METIS misreads a
** graph whose two directions differ. */
static int atom_graph(geo_ctx *ctx, split_atoms *a, const pair *fp, size_t nfp,
		      const double *face_outside, size_t nfaces)
{
	pair *p = geo_calloc(ctx, nfp + 1, sizeof *p);
	if (!p)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < nfp; i++) {
		size_t x = a->face_atom[fp[i].a], y = a->face_atom[fp[i].b];
		if (x != y)
			p[n++] = (pair){ x < y ? x : y, x < y ? y : x, fp[i].len, fp[i].cost, fp[i].along,
					 fp[i].road, fp[i].water, fp[i].vlimit };
	}
	n = merge_pairs(p, n);
	a->adj = geo_calloc(ctx, 2 * n + 1, sizeof *a->adj);
	a->len = geo_calloc(ctx, 2 * n + 1, sizeof *a->len);
	a->cost = geo_calloc(ctx, 2 * n + 1, sizeof *a->cost);
	a->along = geo_calloc(ctx, 2 * n + 1, sizeof *a->along);
	a->road = geo_calloc(ctx, 2 * n + 1, sizeof *a->road);
	a->water = geo_calloc(ctx, 2 * n + 1, sizeof *a->water);
	a->vlimit = geo_calloc(ctx, 2 * n + 1, sizeof *a->vlimit);
	size_t *fill = geo_calloc(ctx, a->natoms + 1, sizeof *fill);
	int ok = a->adj && a->len && a->cost && a->along && a->road && a->water && a->vlimit && fill;
	for (size_t i = 0; ok && i < n; i++) {
		a->xadj[p[i].a + 1]++;
		a->xadj[p[i].b + 1]++;
	}
	for (size_t i = 0; ok && i < a->natoms; i++)
		fill[i + 1] = a->xadj[i + 1] += a->xadj[i];
	for (size_t i = 0; ok && i < a->natoms; i++)
		fill[i] = a->xadj[i];
	/* Pairs are sorted by (a, b): filling in that order leaves every
	** atom's neighbours sorted too. */
	for (int dir = 0; ok && dir < 2; dir++)
		for (size_t i = 0; i < n; i++) {
			size_t from = dir ? p[i].a : p[i].b, to = dir ? p[i].b : p[i].a;
			size_t k = fill[from]++;
			a->adj[k] = to;
			a->len[k] = p[i].len;
			a->cost[k] = p[i].cost;
			a->along[k] = p[i].along;
			a->road[k] = p[i].road;
			a->water[k] = p[i].water;
			a->vlimit[k] = p[i].vlimit;
		}
	for (size_t f = 0; ok && f < nfaces; f++)
		a->outside[a->face_atom[f]] += face_outside[f];
	free(fill);
	free(p);
	return ok;
}

/* Groups faces into atoms and fills their totals and graph. */
static int make_atoms(geo_ctx *ctx, const split_input *in, split_atoms *a, const split_geoms *faces,
		      const segtab *t)
{
	size_t nfp = 0, natoms = 0;
	double *outside = geo_calloc(ctx, faces->n, sizeof *outside);
	pair *fp = outside ? face_pairs(ctx, t, faces->n, outside, &nfp) : NULL;
	size_t *up = geo_calloc(ctx, faces->n, sizeof *up);
	long *point_face = geo_calloc(ctx, in->npoints, sizeof *point_face);
	a->face_atom = geo_calloc(ctx, faces->n, sizeof *a->face_atom);
	a->point_atom = geo_calloc(ctx, in->npoints, sizeof *a->point_atom);
	int ok = fp && up && point_face && a->face_atom && a->point_atom &&
		 locate_points(ctx, in, faces, point_face);
	if (ok) {
		ok = merge_slivers(ctx, faces, fp, nfp, up);
		size_t *id = up; /* roots get numbers in face order; reuse as map */
		size_t *num = ok ? geo_calloc(ctx, faces->n, sizeof *num) : NULL;
		ok = num != NULL;
		for (size_t f = 0; ok && f < faces->n; f++)
			num[f] = SIZE_MAX;
		for (size_t f = 0; ok && f < faces->n; f++) {
			size_t r = find(id, f);
			if (num[r] == SIZE_MAX)
				num[r] = natoms++;
			a->face_atom[f] = num[r];
		}
		free(num);
	}
	ok = ok && alloc_atoms(ctx, a, natoms) && atom_totals(ctx, in, faces, point_face, a) &&
	     atom_graph(ctx, a, fp, nfp, outside, faces->n);
	free(outside);
	free(fp);
	free(up);
	free(point_face);
	return ok;
}

/* Moves the faces out of v into the atoms. */
static void take_faces(split_atoms *a, split_geoms *v)
{
	a->faces = v->g;
	a->nfaces = v->n;
	v->g = NULL;
	v->n = v->cap = 0;
	free(v->kind);
	free(v->cost);
	v->kind = NULL;
	v->cost = NULL;
}

static size_t pow2_above(size_t n)
{
	size_t c = 1024;
	while (c < 4 * n)
		c *= 2;
	return c;
}

static int count_coords(GEOSContextHandle_t h, const GEOSGeometry *g)
{
	return GEOSGetNumCoordinates_r(h, g);
}

split_atoms *split_atoms_build(geo_ctx *ctx, const split_input *in, double max_weight,
			       double snap, unsigned long seed)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	split_atoms *a = geo_calloc(ctx, 1, sizeof *a);
	split_geoms src = { 0 }, blocks = { 0 }, cuts = { 0 }, faces = { 0 };
	GEOSGeometry *noded = NULL, *all = NULL;
	segtab t = { 0 };
	if (!a)
		return NULL;
	a->h = h;
	int ok = split_linework(ctx, in, snap, &src) &&
		 (noded = split_node(ctx, src.g, src.n)) && split_polygonize(ctx, noded, in->town, &blocks) &&
		 split_heavy(ctx, in, &blocks, max_weight, seed, &cuts, &a->nsplit);
	if (ok && cuts.n) {
		for (size_t i = 0; ok && i < cuts.n; i++) {
			ok = split_geoms_add(ctx, &src, cuts.g[i], SPLIT_OPEN, SPLIT_COST_OPEN);
			cuts.g[i] = NULL;
		}
		GEOSGeometry *parts[2] = { noded, NULL };
		GEOSGeometry *c = ok ? split_collect(h, cuts.n ? src.g + src.n - cuts.n : NULL, cuts.n) : NULL;
		parts[1] = c;
		all = c ? split_node(ctx, parts, 2) : NULL;
		if (c)
			GEOSGeom_destroy_r(h, c);
		ok = all != NULL;
		if (ok) {
			GEOSGeom_destroy_r(h, noded);
			noded = all;
		}
	}
	if (ok) {
		t.cap = pow2_above((size_t)count_coords(h, noded) * 2);
		t.s = geo_calloc(ctx, t.cap, sizeof *t.s);
		ok = t.s && split_polygonize(ctx, noded, in->town, &faces) &&
		     enter_linework(ctx, noded, &src, &t) && enter_faces(ctx, &faces, &t) &&
		     make_atoms(ctx, in, a, &faces, &t);
	}
	if (ok) {
		geo_log(ctx, GEO_LOG_INFO, "atoms: %zu lines, %zu blocks (%zu split by Voronoi), "
			"%zu faces, %zu atoms", src.n - cuts.n, blocks.n, a->nsplit, faces.n,
			a->natoms);
		take_faces(a, &faces);
	}
	if (noded)
		GEOSGeom_destroy_r(h, noded);
	split_geoms_free(h, &src);
	split_geoms_free(h, &blocks);
	split_geoms_free(h, &cuts);
	split_geoms_free(h, &faces);
	free(t.s);
	if (!ok) {
		split_atoms_free(a);
		return NULL;
	}
	return a;
}
