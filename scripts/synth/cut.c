/*
** cut.c: the dividing lines of an exact tiling. Grids grow from seeds, level
** by level: inside each parent region (the town, then each village or
** primary), the Voronoi edges between the parent's child seeds are the lines
** that divide it. faces.c nodes all levels' lines together into faces.
*/
#include "synth.h"

#include <math.h>
#include <stdlib.h>

void seeds_alloc(seeds *lv, size_t n)
{
	lv->n = n;
	lv->x = xcalloc(n, sizeof *lv->x);
	lv->y = xcalloc(n, sizeof *lv->y);
	lv->parent = xcalloc(n, sizeof *lv->parent);
	for (size_t i = 0; i < n; i++)
		lv->parent[i] = -1;
}

void seeds_free(seeds *lv)
{
	free(lv->x);
	free(lv->y);
	free(lv->parent);
}

long nearest_seed(const seeds *lv, int parent, double x, double y)
{
	long best = -1;
	double bd = INFINITY;
	for (size_t j = 0; j < lv->n; j++) {
		if (lv->parent[j] != parent)
			continue;
		double d = hypot(x - lv->x[j], y - lv->y[j]);
		if (d < bd) {
			bd = d;
			best = (long)j;
		}
	}
	return best;
}

/* The child seeds idx[0..k) as one multipoint. */
static GEOSGeometry *seed_points(synth *s, const seeds *lv, const size_t *idx, size_t k)
{
	GEOSGeometry **pts = xcalloc(k, sizeof *pts);
	for (size_t j = 0; j < k; j++)
		pts[j] = make_point(s, lv->x[idx[j]], lv->y[idx[j]]);
	GEOSGeometry *mp = need(
		s, GEOSGeom_createCollection_r(s->h, GEOS_MULTIPOINT, pts, (unsigned)k), "multipoint");
	free(pts);
	return mp;
}

/* Each child's Voronoi cell (the one holding its seed) clipped to region. */
static void voronoi_cells(synth *s, const seeds *lv, const size_t *idx, size_t k,
			  const GEOSGeometry *mp, const GEOSGeometry *env,
			  const GEOSGeometry *region, GEOSGeometry **cells)
{
	GEOSGeometry *polys = need(s, GEOSVoronoiDiagram_r(s->h, mp, env, 0, 0), "voronoi");
	int m = GEOSGetNumGeometries_r(s->h, polys);
	GEOSGeometry **pg = xcalloc((size_t)m, sizeof *pg);
	for (int q = 0; q < m; q++)
		pg[q] = (GEOSGeometry *)GEOSGetGeometryN_r(s->h, polys, q);
	geo_index *ix = index_of(s, pg, (size_t)m);
	for (size_t j = 0; j < k; j++) {
		long c = index_first_at(s, ix, lv->x[idx[j]], lv->y[idx[j]]);
		if (c < 0)
			fatal("no Voronoi cell holds seed %zu", idx[j]);
		cells[idx[j]] = need(s, GEOSIntersection_r(s->h, pg[c], region), "cell");
	}
	geo_index_free(ix);
	free(pg);
	GEOSGeom_destroy_r(s->h, polys);
}

/* The Voronoi edges between the children idx[0..k) of one region, clipped
** to the region grown by a metre (the overshoot is cut away again as
** dangles when polygonizing); and their cells when cells is not NULL. */
static void region_cut(synth *s, const seeds *lv, const size_t *idx, size_t k,
		       const GEOSGeometry *region, glist *lines, GEOSGeometry **cells)
{
	GEOSGeometry *mp = seed_points(s, lv, idx, k);
	GEOSGeometry *grown = need(s, GEOSBuffer_r(s->h, region, 1.0, 4), "buffer");
	GEOSGeometry *env = need(s, GEOSEnvelope_r(s->h, grown), "envelope");
	GEOSGeometry *edges = need(s, GEOSVoronoiDiagram_r(s->h, mp, env, 0, 1), "voronoi");
	glist_push(lines, need(s, GEOSIntersection_r(s->h, edges, grown), "clip"));
	GEOSGeom_destroy_r(s->h, edges);
	if (cells)
		voronoi_cells(s, lv, idx, k, mp, env, region, cells);
	GEOSGeom_destroy_r(s->h, mp);
	GEOSGeom_destroy_r(s->h, env);
	GEOSGeom_destroy_r(s->h, grown);
}

/*
** For each parent region (regions[0] when np == 1 and parents are -1), the
** dividing lines between its child seeds go to lines; cells (when not NULL)
** receives each seed's cell inside its region.
*/
void level_cut(synth *s, const seeds *lv, GEOSGeometry *const *regions, size_t np, glist *lines,
	       GEOSGeometry **cells)
{
	size_t *idx = xcalloc(lv->n, sizeof *idx);
	for (size_t p = 0; p < np; p++) {
		size_t k = 0;
		for (size_t i = 0; i < lv->n; i++)
			if ((size_t)(lv->parent[i] < 0 ? 0 : lv->parent[i]) == p)
				idx[k++] = i;
		if (k == 1 && cells)
			cells[idx[0]] = copy_geom(s, regions[p]);
		if (k > 1)
			region_cut(s, lv, idx, k, regions[p], lines, cells);
	}
	free(idx);
}
