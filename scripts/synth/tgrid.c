/*
** tgrid.c: grids as plain coordinates. The tiling's grids leave GEOS as
** rings of numbers so that a defect can be drawn into them exactly: a
** segment is replaced by a path (grid_splice), a part is added. Shared
** segments are found by sorting every segment of every grid (faces.c's
** segs); --unmatched puts a midpoint on one side of each.
*/
#include "tiling.h"

#include <stdlib.h>
#include <string.h>

static void ring_set(ring *r, const double *xy, size_t n)
{
	r->n = n;
	r->xy = xcalloc(2 * n, sizeof *r->xy);
	memcpy(r->xy, xy, 2 * n * sizeof *xy);
}

static void poly_from_geos(synth *s, const GEOSGeometry *g, poly *p)
{
	int nh = GEOSGetNumInteriorRings_r(s->h, g);
	p->nr = 1 + (size_t)nh;
	p->r = xcalloc(p->nr, sizeof *p->r);
	p->r[0].xy = ring_coords(s, GEOSGetExteriorRing_r(s->h, g), &p->r[0].n);
	for (int i = 0; i < nh; i++)
		p->r[1 + i].xy = ring_coords(s, GEOSGetInteriorRingN_r(s->h, g, i), &p->r[1 + i].n);
}

void grid_from_geos(synth *s, const GEOSGeometry *pg, tgrid *g)
{
	g->np = 1;
	g->p = xcalloc(1, sizeof *g->p);
	poly_from_geos(s, pg, &g->p[0]);
}

void grid_add_part(tgrid *g, const double *xy, size_t n)
{
	g->p = xrealloc(g->p, g->np + 1, sizeof *g->p);
	poly *np = &g->p[g->np++];
	np->nr = 1;
	np->r = xcalloc(1, sizeof *np->r);
	ring_set(&np->r[0], xy, n);
}

static GEOSGeometry *poly_to_geos(synth *s, const poly *p)
{
	GEOSGeometry **holes = xcalloc(p->nr, sizeof *holes);
	GEOSGeometry *shell = make_ring(s, p->r[0].xy, p->r[0].n);
	for (size_t i = 1; i < p->nr; i++)
		holes[i - 1] = make_ring(s, p->r[i].xy, p->r[i].n);
	GEOSGeometry *g = need(
		s, GEOSGeom_createPolygon_r(s->h, shell, holes, (unsigned)(p->nr - 1)), "polygon");
	free(holes);
	return g;
}

GEOSGeometry *grid_to_geos(synth *s, const tgrid *g, int multi)
{
	if (!multi && g->np == 1)
		return poly_to_geos(s, &g->p[0]);
	GEOSGeometry **parts = xcalloc(g->np, sizeof *parts);
	for (size_t i = 0; i < g->np; i++)
		parts[i] = poly_to_geos(s, &g->p[i]);
	GEOSGeometry *m = need(
		s, GEOSGeom_createCollection_r(s->h, GEOS_MULTIPOLYGON, parts, (unsigned)g->np),
		"multipolygon");
	free(parts);
	return m;
}

void grids_free(tgrid *g, size_t n)
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

tgrid *grids_copy(const tgrid *g, size_t n)
{
	tgrid *c = xcalloc(n, sizeof *c);
	for (size_t i = 0; i < n; i++) {
		c[i] = g[i];
		c[i].p = xcalloc(g[i].np, sizeof *c[i].p);
		for (size_t j = 0; j < g[i].np; j++) {
			const poly *from = &g[i].p[j];
			poly *to = &c[i].p[j];
			to->nr = from->nr;
			to->r = xcalloc(from->nr, sizeof *to->r);
			for (size_t k = 0; k < from->nr; k++)
				ring_set(&to->r[k], from->r[k].xy, from->r[k].n);
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

void grid_splice(tgrid *g, const double *a, const double *b, const double *pts, size_t k)
{
	for (size_t j = 0; j < g->np; j++)
		for (size_t i = 0; i < g->p[j].nr; i++)
			if (ring_splice(&g->p[j].r[i], a, b, pts, k))
				return;
	fatal("internal: segment not found in grid %s", g->code);
}

void grid_segments(const tgrid *g, size_t n, segs *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < g[i].np; j++)
			for (size_t r = 0; r < g[i].p[j].nr; r++)
				segs_add(out, g[i].p[j].r[r].xy, g[i].p[j].r[r].n, i);
	segs_sort(out);
}

/*
** --unmatched: every segment shared by two grids gets its midpoint added on
** the side of the grid that comes first, only. Coordinates are multiples of
** 1/128 m, so the midpoint is exact and lies exactly on the neighbour's
** segment: the tiling stays exact, only the vertices no longer match.
*/
void unmatch(tgrid *g, size_t n)
{
	segs sv;
	grid_segments(g, n, &sv);
	for (size_t i = 0; i + 1 < sv.n; i++) {
		const seg *a = &sv.v[i], *b = &sv.v[i + 1];
		if (!seg_same(a, b) || a->owner == b->owner)
			continue;
		double p[2] = { a->ax, a->ay }, q[2] = { a->bx, a->by };
		double mid[2] = { (p[0] + q[0]) / 2, (p[1] + q[1]) / 2 };
		grid_splice(&g[a->owner < b->owner ? a->owner : b->owner], p, q, mid, 1);
		i++;
	}
	free(sv.v);
}
