/*
** faces.c: exact tilings from dividing lines. Every dividing line (the town
** boundary and the Voronoi edges of the seeds, level by level) is noded and
** snap-rounded together by GEOS and polygonized into faces; each face goes to
** the nearest seed at each level, among the children of its group at the
** level above. Grids are coverage unions of their faces, so neighbours share
** their boundary vertex for vertex and every level nests in the one above.
*/
#include "synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void segs_add(segs *sv, const double *xy, size_t n, size_t owner)
{
	for (size_t i = 0; i + 1 < n; i++) {
		double ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * i + 2], by = xy[2 * i + 3];
		if (ax == bx && ay == by)
			continue;
		if (sv->n == sv->cap) {
			sv->cap = sv->cap ? 2 * sv->cap : 1024;
			sv->v = xrealloc(sv->v, sv->cap, sizeof *sv->v);
		}
		int swap = ax > bx || (ax == bx && ay > by);
		sv->v[sv->n++] = swap ? (seg){ bx, by, ax, ay, owner } : (seg){ ax, ay, bx, by, owner };
	}
}

/* A total order (ends, then owner), so the sorted array does not depend on
** the sorting algorithm. */
static int cmp_seg(const void *a, const void *b)
{
	const seg *p = a, *q = b;
	const double k1[4] = { p->ax, p->ay, p->bx, p->by }, k2[4] = { q->ax, q->ay, q->bx, q->by };
	for (int i = 0; i < 4; i++)
		if (k1[i] != k2[i])
			return k1[i] < k2[i] ? -1 : 1;
	return p->owner < q->owner ? -1 : p->owner > q->owner;
}

void segs_sort(segs *sv)
{
	qsort(sv->v, sv->n, sizeof *sv->v, cmp_seg);
}

int seg_same(const seg *a, const seg *b)
{
	return a->ax == b->ax && a->ay == b->ay && a->bx == b->bx && a->by == b->by;
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

static void add_ring(synth *s, segs *sv, const GEOSGeometry *ring, size_t face)
{
	size_t n;
	double *xy = ring_coords(s, ring, &n);
	segs_add(sv, xy, n, face);
	free(xy);
}

/* Both directions of every segment two faces share, sorted by face pair. */
static pair *shared_pairs(synth *s, const faces *f, size_t *count)
{
	segs sv = { 0 };
	for (size_t i = 0; i < f->n; i++) {
		add_ring(s, &sv, GEOSGetExteriorRing_r(s->h, f->g[i]), i);
		int nh = GEOSGetNumInteriorRings_r(s->h, f->g[i]);
		for (int k = 0; k < nh; k++)
			add_ring(s, &sv, GEOSGetInteriorRingN_r(s->h, f->g[i], k), i);
	}
	segs_sort(&sv);
	pair *pv = xcalloc(sv.n * 2 + 1, sizeof *pv);
	size_t np = 0;
	for (size_t i = 0; i + 1 < sv.n; i++) {
		seg *a = &sv.v[i], *b = &sv.v[i + 1];
		if (!seg_same(a, b) || a->owner == b->owner)
			continue;
		double len = hypot(a->bx - a->ax, a->by - a->ay);
		pv[np++] = (pair){ a->owner, b->owner, len };
		pv[np++] = (pair){ b->owner, a->owner, len };
	}
	free(sv.v);
	qsort(pv, np, sizeof *pv, cmp_pair);
	*count = np;
	return pv;
}

static void faces_adjacency(synth *s, faces *f)
{
	size_t np;
	pair *pv = shared_pairs(s, f, &np);
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
	double a = geo_geom_area(s->ctx, in);
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
		double a = geo_geom_area(s->ctx, p);
		if (a <= 0 || !face_inside(s, tp, town, p, a))
			continue;
		f->g[f->n] = copy_geom(s, p);
		f->area[f->n] = a;
		inside_point(s, p, &f->x[f->n], &f->y[f->n]);
		f->n++;
	}
	GEOSPreparedGeom_destroy_r(s->h, tp);
	GEOSGeom_destroy_r(s->h, polys);
	faces_adjacency(s, f);
}

void faces_free(synth *s, faces *f)
{
	destroy_all(s, f->g, f->n);
	free(f->area);
	free(f->x);
	free(f->y);
	free(f->adj_off);
	free(f->adj_to);
	free(f->adj_len);
}

/* Gives each face to the nearest seed among the children of its parent group
** (pgroup NULL: among the top-level seeds). */
static void assign_faces(const faces *f, const seeds *lv, const int *pgroup, int *group)
{
	for (size_t i = 0; i < f->n; i++) {
		group[i] = (int)nearest_seed(lv, pgroup ? pgroup[i] : -1, f->x[i], f->y[i]);
		if (group[i] < 0)
			fatal("face %zu has no seed in its parent grid", i);
	}
}

/* Connected pieces of each group's faces: comp[face], and each piece's area;
** returns the number of pieces. */
static size_t components(const faces *f, const int *group, int *comp, size_t *stack,
			 double *comp_area)
{
	size_t nc = 0;
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
	return nc;
}

/* Boundary that piece c shares with group g. */
static double piece_border(const faces *f, const int *group, const int *comp, int c, int g)
{
	double len = 0;
	for (size_t j = 0; j < f->n; j++)
		if (comp[j] == c)
			for (size_t e = f->adj_off[j]; e < f->adj_off[j + 1]; e++)
				if (group[f->adj_to[e]] == g)
					len += f->adj_len[e];
	return len;
}

/* The sibling group piece c should join (the one it shares the longest
** boundary with), or -1 when c is its group's kept piece or has none. */
static int piece_target(const faces *f, const int *group, const seeds *lv, const int *comp,
			const int *keep, int c)
{
	int from = -1, best = -1;
	double best_len = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (comp[i] != c)
			continue;
		from = group[i];
		if (keep[from] == c)
			return -1;
		for (size_t e = f->adj_off[i]; e < f->adj_off[i + 1]; e++) {
			int g = group[f->adj_to[e]];
			if (g == from || lv->parent[g] != lv->parent[from])
				continue;
			double len = piece_border(f, group, comp, c, g);
			if (len > best_len || (len == best_len && g < best)) {
				best_len = len;
				best = g;
			}
		}
	}
	return from < 0 ? -1 : best;
}

/* One round of fix_pieces: every piece but the largest of its group moves. */
static size_t move_pieces(const faces *f, int *group, const seeds *lv, const int *comp,
			  size_t nc, const double *comp_area)
{
	/* The largest piece of each group stays. */
	int *keep = xcalloc(lv->n, sizeof *keep);
	for (size_t g = 0; g < lv->n; g++)
		keep[g] = -1;
	for (size_t i = 0; i < f->n; i++) {
		int g = group[i], c = comp[i];
		if (keep[g] < 0 || comp_area[c] > comp_area[keep[g]])
			keep[g] = c;
	}
	size_t moved = 0;
	for (size_t c = 0; c < nc; c++) {
		int to = piece_target(f, group, lv, comp, keep, (int)c);
		if (to < 0)
			continue;
		for (size_t i = 0; i < f->n; i++)
			if (comp[i] == (int)c)
				group[i] = to;
		moved++;
	}
	free(keep);
	return moved;
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
		size_t nc = components(f, group, comp, stack, comp_area);
		size_t round_moved = move_pieces(f, group, lv, comp, nc, comp_area);
		moved += round_moved;
		if (!round_moved)
			break;
	}
	free(comp);
	free(stack);
	free(comp_area);
	return moved;
}

void faces_tile(synth *s, glist *lines, const GEOSGeometry *shape, const seeds *const *lv,
		size_t nlv, const char *what, faces *f, int **group)
{
	faces_build(s, glist_collect(s, lines, GEOS_GEOMETRYCOLLECTION), shape, f);
	size_t moved = 0;
	for (size_t l = 0; l < nlv; l++) {
		group[l] = xcalloc(f->n, sizeof *group[l]);
		assign_faces(f, lv[l], l ? group[l - 1] : NULL, group[l]);
		moved += fix_pieces(f, group[l], lv[l]);
	}
	note(s, "%s: %zu faces, %zu pieces moved to a neighbour", what, f->n, moved);
}

GEOSGeometry **group_union(synth *s, const faces *f, const int *group, size_t ng,
			   const char *what)
{
	GEOSGeometry **out = xcalloc(ng, sizeof *out);
	glist *parts = xcalloc(ng, sizeof *parts);
	for (size_t i = 0; i < f->n; i++)
		glist_push(&parts[group[i]], copy_geom(s, f->g[i]));
	for (size_t g = 0; g < ng; g++) {
		if (!parts[g].n)
			fatal("%s %zu is empty; try another --seed", what, g + 1);
		GEOSGeometry *c = glist_collect(s, &parts[g], GEOS_GEOMETRYCOLLECTION);
		GEOSGeometry *u = need(s, GEOSCoverageUnion_r(s->h, c), "coverage union");
		GEOSGeom_destroy_r(s->h, c);
		if (GEOSGeomTypeId_r(s->h, u) == GEOS_MULTIPOLYGON && GEOSGetNumGeometries_r(s->h, u) == 1) {
			GEOSGeometry *one = copy_geom(s, GEOSGetGeometryN_r(s->h, u, 0));
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

/* The town: the union of all faces, so that it is exactly what the grids tile. */
GEOSGeometry *faces_union(synth *s, const faces *f)
{
	int *all = xcalloc(f->n, sizeof *all);
	GEOSGeometry **whole = group_union(s, f, all, 1, "town");
	GEOSGeometry *town = whole[0];
	free(whole);
	free(all);
	return town;
}

double *group_adjacency(const faces *f, const int *group, size_t ng)
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
