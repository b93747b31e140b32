/*
** repair.c: grid-check --fix. It repairs a grid set in place, in steps, each
** working from a fresh check (geo_check_gridset) of the result of the step
** before, and writes one line per change:
**
**   1. invalid grids are replaced by GEOSMakeValid's polygonal result (the
**      check does that; here it is only reported), and a parent_id that
**      names no primary becomes the primary holding most of the grid;
**   2. with --snap M, vertices of different grids (or of a grid and the town)
**      within M of each other are moved to one place (see snap_all);
**   3. spill is clipped off: a grid reaching outside the town is cut to the
**      town; a secondary reaching out of its primary is cut to it, or, when
**      it lies mostly in another primary, its parent_id is changed to that
**      one first (and it is cut to that);
**   4. each overlap is given to one grid: among the grids whose primary holds
**      it (all of them without primaries), the one whose rest shares the
**      longest border with it; the others lose it;
**   5. each gap (and sliver gap), including gaps open to the town boundary,
**      is merged into the grid that shares the longest border with it (among
**      the grids whose primary holds it, when there are primaries; a gap in
**      several primaries is split along their edges first);
**
**   6. a grid in pieces keeps its largest piece; each other piece goes to the
**      grid that shares the longest border with it;
**
** and the copy of a duplicated code takes the next free code of its primary.
** Ties go to the larger grid, then the smaller code. What cannot be repaired
** (malformed codes, sliver grids, empty grids, islands, points outside every
** grid) is left for the final check to report.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

struct repair {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	geo_gridset *gs;
	const GEOSGeometry *town;
	geo_gridset *parents;
	const geo_check_opts *o;
	char ***changes, ***changes_local;
	int decimals;
	unsigned char *tried;           /* per grid: its pieces were dealt with */
};

/* Appends a change in English (JSON) and in the reader's language (text). */
static geo_err say_both(struct repair *rp, const char *en, const char *local)
{
	if (!en || !local)
		return geo_fail(rp->ctx, GEO_ERR_INTERNAL, "out of memory");
	*rp->changes = CSLAddString(*rp->changes, en);
	*rp->changes_local = CSLAddString(*rp->changes_local, local);
	return GEO_OK;
}

/* A change, formatted from fmt and from its translation with the same
** arguments: those must not be English words (make them part of fmt). */
static geo_err say_change(struct repair *rp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static geo_err say_change(struct repair *rp, const char *fmt, ...)
{
	geo_buf en, local;
	geo_buf_init(&en);
	geo_buf_init(&local);
	va_list ap;
	va_start(ap, fmt);
	geo_buf_vprintf(&en, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	geo_buf_vprintf(&local, _(fmt), ap);
	va_end(ap);
	geo_err e = say_both(rp, en.failed ? NULL : en.s ? en.s : "",
			     local.failed ? NULL : local.s ? local.s : "");
	geo_buf_free(&en);
	geo_buf_free(&local);
	return e;
}

/* A grid's name in the change list: its code, or its feature id. Returned
** by value, so it lives until the end of the call that prints it. */
struct name {
	char s[64];
};

static struct name code(const geo_grid *g)
{
	struct name n;
	if (*g->id)
		snprintf(n.s, sizeof n.s, "%s", g->id);
	else
		snprintf(n.s, sizeof n.s, "feature %lld", g->fid);
	return n;
}

/* g itself when valid, else GEOS's repair of it kept to its polygons; g is
** consumed. */
static GEOSGeometry *valid_polygons(struct repair *rp, GEOSGeometry *g)
{
	GEOSContextHandle_t h = rp->h;
	if (!g || GEOSisValid_r(h, g) == 1)
		return g;
	GEOSGeometry *v = NULL;
	geo_make_valid_polygons(rp->ctx, g, &v);
	GEOSGeom_destroy_r(h, g);
	return v;
}

/* Drops polygons and holes of g smaller than a square millimetre, the dust
** overlay leaves where edges nearly coincide; takes g. */
static GEOSGeometry *tidy(struct repair *rp, GEOSGeometry *g)
{
	GEOSContextHandle_t h = rp->h;
	if (!g)
		return NULL;
	int n = GEOSGetNumGeometries_r(h, g), k = 0;
	GEOSGeometry **keep = geo_calloc(rp->ctx, (size_t)n + 1, sizeof *keep);
	for (int i = 0; keep && i < n; i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		if (GEOSGeomTypeId_r(h, p) != GEOS_POLYGON || !(geo_geom_area(rp->ctx, p) >= 1e-6))
			continue;
		int nh = GEOSGetNumInteriorRings_r(h, p), m = 0;
		GEOSGeometry **holes = geo_calloc(rp->ctx, (size_t)nh + 1, sizeof *holes);
		for (int j = 0; holes && j < nh; j++) {
			const GEOSGeometry *ring = GEOSGetInteriorRingN_r(h, p, j);
			GEOSGeometry *hp = GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, ring), NULL, 0);
			double a = hp ? geo_geom_area(rp->ctx, hp) : 0;
			GEOSGeom_destroy_r(h, hp);
			if (a >= 1e-6)
				holes[m++] = GEOSGeom_clone_r(h, ring);
		}
		GEOSGeometry *shell = GEOSGeom_clone_r(h, GEOSGetExteriorRing_r(h, p));
		keep[k++] = holes ? GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)m) : NULL;
		free(holes);
	}
	GEOSGeometry *out = NULL;
	if (keep && k == 1)
		out = keep[0];
	else if (keep && k > 1)
		out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, keep, (unsigned)k);
	free(keep);
	GEOSGeom_destroy_r(h, g);
	return valid_polygons(rp, out);
}

/*
** Replaces grid i's geometry by g (taken); returns the area change. The new
** geometry is snap-rounded to a grid of GEO_CHECK_EPS first: overlay leaves
** hair-thin spikes where edges nearly coincide, which a transform to the
** output's CRS and back could turn into self-intersections; rounding
** removes what is thinner than eps and keeps the result valid. Shared edges
** move by about eps (a few eps where overlay noded a sharp wedge: seed
** 1008940 of the random test), under the check's resolution of 10 eps.
*/
static double replace(struct repair *rp, size_t i, GEOSGeometry *g)
{
	geo_grid *grid = &rp->gs->grids[i];
	double before = grid->geom ? geo_geom_area(rp->ctx, grid->geom) : 0;
	GEOSGeometry *r = g ? GEOSGeom_setPrecision_r(rp->h, g, GEO_CHECK_EPS, 0) : NULL;
	if (r) {
		GEOSGeom_destroy_r(rp->h, g);
		g = r;
	}
	g = tidy(rp, g);
	if (!g)
		return 0;
	GEOSGeom_destroy_r(rp->h, grid->geom);
	grid->geom = g;
	return geo_geom_area(rp->ctx, g) - before;
}

/* ---- measuring shared borders ---------------------------------------------- */

struct border {
	struct repair *rp;
	const GEOSPreparedGeometry *prep;
	int interior;           /* count segments inside g, else on g's boundary */
	double length;
};

static void border_ring(struct border *b, const GEOSGeometry *ring)
{
	GEOSContextHandle_t h = b->rp->h;
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned int n = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
		return;
	double x0 = 0, y0 = 0;
	for (unsigned int i = 0; i < n; i++) {
		double x, y;
		GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
		if (i > 0) {
			GEOSGeometry *m = GEOSGeom_createPointFromXY_r(h, (x + x0) / 2, (y + y0) / 2);
			int hit = m && (b->interior ? GEOSPreparedContainsProperly_r(h, b->prep, m)
						    : GEOSPreparedDistanceWithin_r(h, b->prep, m,
										   10 * GEO_CHECK_EPS)) == 1;
			if (hit)
				b->length += hypot(x - x0, y - y0);
			GEOSGeom_destroy_r(h, m);
		}
		x0 = x;
		y0 = y;
	}
}

/*
** The length of region's boundary that lies inside grid g (interior: the
** border between a piece of g and the rest of g) or on g's boundary (the
** border between a gap and g). Each boundary segment of the region is one
** grid's edge piece, so its midpoint says where the whole segment lies.
*/
static double shared_border(struct repair *rp, const GEOSGeometry *region, const GEOSGeometry *g,
			    int interior)
{
	GEOSGeometry *b = interior ? NULL : GEOSBoundary_r(rp->h, g);
	const GEOSPreparedGeometry *prep = GEOSPrepare_r(rp->h, interior ? g : b);
	struct border br = { rp, prep, interior, 0 };
	int n = prep ? GEOSGetNumGeometries_r(rp->h, region) : 0;
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(rp->h, region, i);
		if (GEOSGeomTypeId_r(rp->h, p) != GEOS_POLYGON)
			continue;
		border_ring(&br, GEOSGetExteriorRing_r(rp->h, p));
		for (int k = 0; k < GEOSGetNumInteriorRings_r(rp->h, p); k++)
			border_ring(&br, GEOSGetInteriorRingN_r(rp->h, p, k));
	}
	if (prep)
		GEOSPreparedGeom_destroy_r(rp->h, prep);
	GEOSGeom_destroy_r(rp->h, b);
	return br.length;
}

/* Whether grid a beats grid b as the owner of a piece: longer border, then
** larger area, then smaller code. */
static int better(struct repair *rp, long a, double la, long b, double lb)
{
	if (b < 0 || la > lb)
		return 1;
	if (la < lb)
		return 0;
	const geo_grid *ga = &rp->gs->grids[a], *gb = &rp->gs->grids[b];
	double aa = geo_geom_area(rp->ctx, ga->geom), ab = geo_geom_area(rp->ctx, gb->geom);
	if (aa != ab)
		return aa > ab;
	return strcmp(ga->id, gb->id) < 0;
}

/* ---- the steps ------------------------------------------------------------- */

static geo_err report_invalid(struct repair *rp, const geo_check_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const geo_problem *p = &r->problems[i];
		if (p->type != GEO_PROBLEM_INVALID)
			continue;
		/* A geometry GEOS could not read has nothing to repair from. */
		int unreadable = rp->gs->grids[p->index[0]].unreadable != NULL;
		const char *f = unreadable
				  ? N_("%s: invalid (%s); not repaired: draw it again")
				  : N_("%s: invalid (%s) at %.*f %.*f; replaced by GEOS's valid version");
		/* The detail is the problem's own, in English and translated. */
		char *en = CPLStrdup(CPLSPrintf(f, p->grids[0], p->detail, rp->decimals, p->x,
						rp->decimals, p->y));
		char *local = CPLStrdup(CPLSPrintf(_(f), p->grids[0],
						   p->detail_local ? p->detail_local : p->detail,
						   rp->decimals, p->x, rp->decimals, p->y));
		geo_err e = say_both(rp, en, local);
		CPLFree(en);
		CPLFree(local);
		if (e)
			return GEO_ERR_INTERNAL;
	}
	return GEO_OK;
}

/* Every vertex of the grids (owner >= 0) and of the town (owner -1), in
** traversal order, with the union-find of its cluster. */
struct verts {
	double *x, *y;
	long *owner;
	size_t *parent, n, cap;
};

static size_t vfind(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

/* Calls fn on each ring of g in a fixed order. */
static void each_ring(GEOSContextHandle_t h, const GEOSGeometry *g,
		      void (*fn)(const GEOSGeometry *ring, void *data), void *data)
{
	int t = g ? GEOSGeomTypeId_r(h, g) : -1;
	if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
		for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
			each_ring(h, GEOSGetGeometryN_r(h, g, i), fn, data);
	} else if (t == GEOS_POLYGON && !GEOSisEmpty_r(h, g)) {
		fn(GEOSGetExteriorRing_r(h, g), data);
		for (int i = 0; i < GEOSGetNumInteriorRings_r(h, g); i++)
			fn(GEOSGetInteriorRingN_r(h, g, i), data);
	}
}

struct collect {
	struct repair *rp;
	struct verts *v;
	long owner;
	int failed;
};

static void collect_ring(const GEOSGeometry *ring, void *data)
{
	struct collect *c = data;
	GEOSContextHandle_t h = c->rp->h;
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned int n = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
		return;
	struct verts *v = c->v;
	/* The closing vertex repeats the first: not a vertex of its own. */
	for (unsigned int i = 0; i + 1 < n && !c->failed; i++) {
		if (v->n == v->cap) {
			size_t cap = v->cap ? 2 * v->cap : 1024;
			geo_ctx *ctx = c->rp->ctx;
			if (!geo_resize(ctx, &v->x, cap, sizeof *v->x) ||
			    !geo_resize(ctx, &v->y, cap, sizeof *v->y) ||
			    !geo_resize(ctx, &v->owner, cap, sizeof *v->owner)) {
				c->failed = 1;
				return;
			}
			v->cap = cap;
		}
		GEOSCoordSeq_getXY_r(h, cs, i, &v->x[v->n], &v->y[v->n]);
		v->owner[v->n++] = c->owner;
	}
}

static int by_x(const void *p, const void *q, void *data)
{
	const double *x = data;
	double a = x[*(const size_t *)p], b = x[*(const size_t *)q];
	return a < b ? -1 : a > b;
}

/* Links vertices of different owners closer than d. */
static geo_err cluster_vertices(struct repair *rp, struct verts *v, double d)
{
	size_t *order = geo_calloc(rp->ctx, v->n + 1, sizeof *order);
	v->parent = geo_calloc(rp->ctx, v->n + 1, sizeof *v->parent);
	if (!order || !v->parent) {
		free(order);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < v->n; i++)
		order[i] = v->parent[i] = i;
	qsort_r(order, v->n, sizeof *order, by_x, v->x);
	for (size_t a = 0; a < v->n; a++)
		for (size_t b = a + 1; b < v->n && v->x[order[b]] - v->x[order[a]] <= d; b++) {
			size_t i = order[a], j = order[b];
			if (v->owner[i] == v->owner[j] || hypot(v->x[i] - v->x[j], v->y[i] - v->y[j]) > d)
				continue;
			size_t ri = vfind(v->parent, i), rj = vfind(v->parent, j);
			if (ri != rj)
				v->parent[rj] = ri;
		}
	free(order);
	return GEO_OK;
}

/* Where each cluster goes: onto the town's vertex if it holds one, else to
** the mean of its vertices. Fills x, y of every vertex with its place. */
static geo_err cluster_places(struct repair *rp, struct verts *v, double *px, double *py)
{
	double *sx = geo_calloc(rp->ctx, v->n + 1, sizeof *sx), *sy = geo_calloc(rp->ctx, v->n + 1, sizeof *sy);
	size_t *cnt = geo_calloc(rp->ctx, v->n + 1, sizeof *cnt);
	long *town = geo_calloc(rp->ctx, v->n + 1, sizeof *town);
	geo_err e = sx && sy && cnt && town ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < v->n; i++)
		town[i] = -1;
	for (size_t i = 0; !e && i < v->n; i++) {
		size_t r = vfind(v->parent, i);
		sx[r] += v->x[i];
		sy[r] += v->y[i];
		cnt[r]++;
		if (v->owner[i] < 0 && town[r] < 0)
			town[r] = (long)i;
	}
	for (size_t i = 0; !e && i < v->n; i++) {
		size_t r = vfind(v->parent, i);
		if (cnt[r] < 2) {
			px[i] = v->x[i];
			py[i] = v->y[i];
		} else if (town[r] >= 0) {
			px[i] = v->x[town[r]];
			py[i] = v->y[town[r]];
		} else {
			px[i] = sx[r] / (double)cnt[r];
			py[i] = sy[r] / (double)cnt[r];
		}
	}
	free(sx);
	free(sy);
	free(cnt);
	free(town);
	return e;
}

struct rebuild {
	struct repair *rp;
	const double *px, *py;
	size_t next, moved;
	GEOSGeometry **rings;
	size_t nrings, cap;
	int failed;
};

static void rebuild_ring(const GEOSGeometry *ring, void *data)
{
	struct rebuild *b = data;
	GEOSContextHandle_t h = b->rp->h;
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned int n = 0, k = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
		return;
	GEOSCoordSequence *out = GEOSCoordSeq_create_r(h, n, 2);
	for (unsigned int i = 0; out && i < n; i++) {
		size_t v = b->next + (i + 1 < n ? i : 0);
		double x, y;
		GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
		b->moved += i + 1 < n && (x != b->px[v] || y != b->py[v]);
		double lx = 0, ly = 0;
		if (k)
			GEOSCoordSeq_getXY_r(h, out, k - 1, &lx, &ly);
		if (!k || lx != b->px[v] || ly != b->py[v])
			GEOSCoordSeq_setXY_r(h, out, k++, b->px[v], b->py[v]);
	}
	b->next += n ? n - 1 : 0;
	GEOSGeometry *r = NULL;
	if (out && k >= 4) {
		GEOSCoordSequence *trim = GEOSCoordSeq_create_r(h, k, 2);
		for (unsigned int i = 0; trim && i < k; i++) {
			double x, y;
			GEOSCoordSeq_getXY_r(h, out, i, &x, &y);
			GEOSCoordSeq_setXY_r(h, trim, i, x, y);
		}
		r = trim ? GEOSGeom_createLinearRing_r(h, trim) : NULL;
	}
	if (out)
		GEOSCoordSeq_destroy_r(h, out);
	if (b->nrings == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;
		GEOSGeometry **v = geo_realloc_array(b->rp->ctx, b->rings, cap, sizeof *v);
		if (!v) {
			GEOSGeom_destroy_r(h, r);
			b->failed = 1;
			return;
		}
		b->rings = v;
		b->cap = cap;
	}
	b->rings[b->nrings++] = r; /* NULL: collapsed */
}

/* Grid g rebuilt from the moved vertices: each polygon from its rings (a
** collapsed shell drops the polygon, a collapsed hole the hole), made valid. */
static GEOSGeometry *rebuild(struct repair *rp, const GEOSGeometry *g, struct rebuild *b)
{
	GEOSContextHandle_t h = rp->h;
	int t = GEOSGeomTypeId_r(h, g);
	int n = t == GEOS_MULTIPOLYGON ? GEOSGetNumGeometries_r(h, g) : 1, k = 0;
	GEOSGeometry **polys = geo_calloc(rp->ctx, (size_t)n + 1, sizeof *polys);
	for (int i = 0; polys && i < n; i++) {
		const GEOSGeometry *p = t == GEOS_MULTIPOLYGON ? GEOSGetGeometryN_r(h, g, i) : g;
		b->nrings = 0;
		each_ring(h, p, rebuild_ring, b);
		if (!b->nrings || !b->rings[0]) {
			for (size_t j = 0; j < b->nrings; j++)
				GEOSGeom_destroy_r(h, b->rings[j]);
			continue;
		}
		size_t m = 0;
		for (size_t j = 1; j < b->nrings; j++)
			if (b->rings[j])
				b->rings[1 + m++] = b->rings[j];
		polys[k++] = GEOSGeom_createPolygon_r(h, b->rings[0], b->rings + 1, (unsigned)m);
	}
	GEOSGeometry *out = polys && k ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys,
								     (unsigned)k)
				       : NULL;
	free(polys);
	return valid_polygons(rp, out);
}

/*
** --snap M: vertices of different grids (or of a grid and the town) closer
** than M are linked into clusters, and every vertex of a cluster moves to
** one place: the town's vertex when the cluster holds one, else the
** cluster's mean. The same corner drawn a little apart in each grid is then
** one point, whatever the order of the grids; each grid is rebuilt from its
** moved vertices and made valid if the move broke it.
*/
static geo_err snap_all(struct repair *rp)
{
	struct verts v = { 0 };
	struct collect c = { rp, &v, 0, 0 };
	for (size_t i = 0; i < rp->gs->n && !c.failed; i++) {
		c.owner = (long)i;
		each_ring(rp->h, rp->gs->grids[i].geom, collect_ring, &c);
	}
	size_t grid_vertices = v.n;
	c.owner = -1;
	if (rp->town && !c.failed)
		each_ring(rp->h, rp->town, collect_ring, &c);
	double *px = geo_calloc(rp->ctx, v.n + 1, sizeof *px), *py = geo_calloc(rp->ctx, v.n + 1, sizeof *py);
	geo_err e = !c.failed && px && py ? cluster_vertices(rp, &v, rp->o->snap) : GEO_ERR_INTERNAL;
	if (!e)
		e = cluster_places(rp, &v, px, py);
	struct rebuild b = { rp, px, py, 0, 0, NULL, 0, 0, 0 };
	for (size_t i = 0; !e && i < rp->gs->n && b.next < grid_vertices; i++) {
		geo_grid *g = &rp->gs->grids[i];
		if (!g->geom)
			continue;
		b.moved = 0;
		GEOSGeometry *moved = rebuild(rp, g->geom, &b);
		if (b.failed)
			e = GEO_ERR_INTERNAL;
		if (!e && b.moved && moved) {
			replace(rp, i, moved);
			moved = NULL;
			e = say_change(rp, "%s: %zu vertices snapped (within %g m of another grid's)",
				code(g).s, b.moved, rp->o->snap);
		}
		GEOSGeom_destroy_r(rp->h, moved);
	}
	free(b.rings);
	free(px);
	free(py);
	free(v.x);
	free(v.y);
	free(v.owner);
	free(v.parent);
	return e;
}

static long primary_index(struct repair *rp, const char *id)
{
	for (size_t p = 0; rp->parents && *id && p < rp->parents->n; p++)
		if (!strcmp(rp->parents->grids[p].id, id))
			return (long)p;
	return -1;
}

/* The primary holding most of g, or -1. */
static long mostly_in(struct repair *rp, const GEOSGeometry *g)
{
	long best = -1;
	double most = 0;
	for (size_t p = 0; rp->parents && p < rp->parents->n; p++) {
		const GEOSGeometry *pg = rp->parents->grids[p].geom;
		if (!pg || GEOSIntersects_r(rp->h, pg, g) != 1)
			continue;
		GEOSGeometry *x = GEOSIntersection_r(rp->h, pg, g);
		double a = x ? geo_geom_area(rp->ctx, x) : 0;
		GEOSGeom_destroy_r(rp->h, x);
		if (a > most) {
			most = a;
			best = (long)p;
		}
	}
	return best;
}


/* The area of g in primary p. */
static double area_in(struct repair *rp, const GEOSGeometry *g, long p)
{
	const GEOSGeometry *pg = rp->parents->grids[p].geom;
	GEOSGeometry *x = pg ? GEOSIntersection_r(rp->h, pg, g) : NULL;
	double a = x ? geo_geom_area(rp->ctx, x) : 0;
	GEOSGeom_destroy_r(rp->h, x);
	return a;
}

/*
** The area of grid i in primary p that no other grid of p covers. A grid
** whose parent_id is wrong lies in p uncovered; one grown across its
** primary's edge lies there over p's own grids (seed 4015318 of the random
** test: the grown part was larger than the rest, so "mostly in" took the
** grid away from its primary and cut all of its own part off).
*/
static double free_area(struct repair *rp, size_t i, long p)
{
	const GEOSGeometry *pg = rp->parents->grids[p].geom;
	GEOSGeometry *x = pg ? GEOSIntersection_r(rp->h, pg, rp->gs->grids[i].geom) : NULL;
	double a = x ? geo_geom_area(rp->ctx, x) : 0;
	for (size_t j = 0; x && a > 0 && j < rp->gs->n; j++) {
		const GEOSGeometry *o = rp->gs->grids[j].geom;
		if (j == i || !o || primary_index(rp, rp->gs->grids[j].parent_id) != p ||
		    GEOSIntersects_r(rp->h, o, x) != 1)
			continue;
		GEOSGeometry *y = GEOSIntersection_r(rp->h, o, x);
		a -= y ? geo_geom_area(rp->ctx, y) : 0;
		GEOSGeom_destroy_r(rp->h, y);
	}
	GEOSGeom_destroy_r(rp->h, x);
	return a;
}

/* Sets one of g's codes (*slot, g->id or g->parent_id) and its field in the
** feature that will be written. */
static geo_err set_code(struct repair *rp, geo_grid *g, char **slot, const char *field_name,
			const char *value)
{
	char *copy = geo_strdup(rp->ctx, value);
	if (!copy)
		return GEO_ERR_INTERNAL;
	free(*slot);
	*slot = copy;
	int field = OGR_F_GetFieldIndex(g->feat, field_name);
	if (field >= 0)
		OGR_F_SetFieldString(g->feat, field, value);
	return GEO_OK;
}
static geo_err set_parent(struct repair *rp, size_t i, long p)
{
	geo_grid *g = &rp->gs->grids[i];
	const char *to = rp->parents->grids[p].id;
	geo_err e = say_change(rp, "%s: parent_id %s -> %s (it lies mostly there)", code(g).s,
			*g->parent_id ? g->parent_id : "(none)", to);
	geo_err set = set_code(rp, g, &g->parent_id, rp->o->grid.parent_field, to);
	return set ? set : e;
}

static geo_err clip_to(struct repair *rp, size_t i, const GEOSGeometry *to, long primary)
{
	GEOSGeometry *x = GEOSIntersection_r(rp->h, rp->gs->grids[i].geom, to);
	if (!x)
		return geo_fail(rp->ctx, GEO_ERR_INTERNAL, "cannot clip grid %s: %s",
				code(&rp->gs->grids[i]).s, geo_last_error(rp->ctx));
	double change = replace(rp, i, x);
	if (primary < 0)
		return say_change(rp, "%s: clipped to the town (%.1f m² removed)", code(&rp->gs->grids[i]).s,
			   -change);
	return say_change(rp, "%s: clipped to its primary %s (%.1f m² removed)", code(&rp->gs->grids[i]).s,
		   rp->parents->grids[primary].id, -change);
}

static geo_err clip_spill(struct repair *rp, const geo_check_result *r)
{
	unsigned char *done = geo_calloc(rp->ctx, rp->gs->n + 1, 1);
	geo_err e = done ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t k = 0; !e && k < r->n; k++) {
		const geo_problem *p = &r->problems[k];
		for (size_t j = 0; p->type == GEO_PROBLEM_OUTSIDE && !e && j < p->ngrids; j++) {
			long i = p->index[j];
			if (i >= 0 && !done[i] && rp->town && rp->gs->grids[i].geom)
				e = clip_to(rp, (size_t)i, rp->town, -1);
			if (i >= 0)
				done[i] = 1;
		}
	}
	/* Secondaries reaching out of their primary, and grids whose stray
	** parts lie in another primary, are cut to the primary they mostly lie in. */
	for (size_t k = 0; !e && rp->parents && k < r->n; k++) {
		const geo_problem *p = &r->problems[k];
		if ((p->type != GEO_PROBLEM_NOT_NESTED && p->type != GEO_PROBLEM_MULTIPART) ||
		    p->index[0] < 0 || done[p->index[0]] == 2)
			continue;
		size_t i = (size_t)p->index[0];
		done[i] = 2;
		geo_grid *g = &rp->gs->grids[i];
		long declared = primary_index(rp, g->parent_id), mostly = mostly_in(rp, g->geom);
		if (declared >= 0 && mostly >= 0 && mostly != declared &&
		    !(free_area(rp, i, mostly) > area_in(rp, g->geom, declared)))
			mostly = declared; /* its reach into the other primary is an overlap there */
		if (mostly < 0) {
			e = say_change(rp, "%s: left as it is: outside every primary", code(g).s);
			continue;
		}
		const GEOSGeometry *pg = rp->parents->grids[mostly].geom;
		GEOSGeometry *out = GEOSDifference_r(rp->h, g->geom, pg);
		double spill = out ? geo_geom_area(rp->ctx, out) : 0;
		GEOSGeom_destroy_r(rp->h, out);
		if (p->type == GEO_PROBLEM_MULTIPART && !(spill >= rp->o->min_area))
			continue;
		if (declared != mostly)
			e = set_parent(rp, i, mostly);
		if (!e)
			e = clip_to(rp, i, pg, mostly);
	}
	free(done);
	return e;
}

/* The grids of an overlap or around a gap that may take it: those whose
** primary holds it. Where no such primary is among theirs, an overlap may
** go to any of its grids (cutting the others nests nothing wrongly), but a
** gap to none: the grid taking it would reach out of its primary, a nesting
** problem no later fix can clear. */
static int may_keep(struct repair *rp, const geo_problem *p, size_t j)
{
	if (!rp->parents)
		return 1;
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(rp->h, p->wx, p->wy);
	int any = 0, mine = 0;
	for (size_t k = 0; pt && k < p->ngrids; k++) {
		long pi = primary_index(rp, rp->gs->grids[p->index[k]].parent_id);
		int in = pi >= 0 && rp->parents->grids[pi].geom &&
			 GEOSIntersects_r(rp->h, rp->parents->grids[pi].geom, pt) == 1;
		any |= in;
		if (k == j)
			mine = in;
	}
	GEOSGeom_destroy_r(rp->h, pt);
	return mine || (!any && p->type == GEO_PROBLEM_OVERLAP);
}

/* The grid of p's that may keep it and shares the longest border with it
** (ties by better()), or -1; its border length goes to *longest. interior
** as for shared_border: 1 for an overlap, 0 for a gap. */
static long longest_border(struct repair *rp, const geo_problem *p, int interior, double *longest)
{
	long best = -1;
	*longest = -1;
	for (size_t j = 0; j < p->ngrids; j++) {
		long i = p->index[j];
		if (i < 0 || !rp->gs->grids[i].geom || !may_keep(rp, p, j))
			continue;
		double l = shared_border(rp, p->geom, rp->gs->grids[i].geom, interior);
		if (better(rp, i, l, best, *longest)) {
			best = i;
			*longest = l;
		}
	}
	return best;
}

static geo_err give_overlap(struct repair *rp, const geo_problem *p)
{
	double longest;
	long best = longest_border(rp, p, 1, &longest);
	if (best < 0)
		return GEO_OK;
	geo_buf losers;
	geo_buf_init(&losers);
	for (size_t j = 0; j < p->ngrids; j++) {
		long i = p->index[j];
		if (i == best || i < 0 || !rp->gs->grids[i].geom)
			continue;
		GEOSGeometry *d = GEOSDifference_r(rp->h, rp->gs->grids[i].geom, p->geom);
		if (!d) {
			geo_buf_free(&losers);
			return geo_fail(rp->ctx, GEO_ERR_INTERNAL, "cannot cut grid %s: %s",
					code(&rp->gs->grids[i]).s, geo_last_error(rp->ctx));
		}
		replace(rp, (size_t)i, d);
		geo_buf_printf(&losers, "%s%s", losers.len ? ", " : "", code(&rp->gs->grids[i]).s);
	}
	geo_err e = say_change(rp, "overlap of %.1f m² at %.*f %.*f given to %s (longest shared border, %.1f m); "
			"removed from %s", p->area_m2, rp->decimals, p->x, rp->decimals, p->y,
			code(&rp->gs->grids[best]).s, longest, losers.s ? losers.s : "none");
	geo_buf_free(&losers);
	return e;
}

/* Merges gap p (or a part of it, in q) into the grid that may keep it and
** shares the longest border with it; *best is that grid, or -1 (left). */
static geo_err merge_gap(struct repair *rp, const geo_problem *q, long *best, double *longest)
{
	*best = longest_border(rp, q, 0, longest);
	if (*best < 0 || !(*longest > 0)) {
		*best = -1;
		return GEO_OK;
	}
	GEOSGeometry *u = GEOSUnion_r(rp->h, rp->gs->grids[*best].geom, q->geom);
	if (!u)
		return geo_fail(rp->ctx, GEO_ERR_INTERNAL, "cannot merge a gap into grid %s: %s",
				code(&rp->gs->grids[*best]).s, geo_last_error(rp->ctx));
	replace(rp, (size_t)*best, u);
	return GEO_OK;
}

/* The parts of gap p in each primary it reaches (NULL-terminated), or NULL
** when it lies in one primary or none. A part under --min-area (the dust of
** a gap that ends on a primary's edge) is no part: it is left, tolerated. */
static GEOSGeometry **parts_by_primary(struct repair *rp, const geo_problem *p)
{
	double x0, y0, x1, y1;
	if (!rp->parents || !GEOSGeom_getExtent_r(rp->h, p->geom, &x0, &y0, &x1, &y1))
		return NULL;
	GEOSGeometry **v = geo_calloc(rp->ctx, rp->parents->n + 1, sizeof *v);
	size_t n = 0;
	for (size_t k = 0; v && k < rp->parents->n; k++) {
		const GEOSGeometry *pg = rp->parents->grids[k].geom;
		double a0, b0, a1, b1;
		if (!pg || !GEOSGeom_getExtent_r(rp->h, pg, &a0, &b0, &a1, &b1) || a0 > x1 || a1 < x0 ||
		    b0 > y1 || b1 < y0 || GEOSIntersects_r(rp->h, pg, p->geom) != 1)
			continue;
		GEOSGeometry *x = tidy(rp, GEOSIntersection_r(rp->h, p->geom, pg));
		if (x && !GEOSisEmpty_r(rp->h, x) && geo_geom_area(rp->ctx, x) >= rp->o->min_area)
			v[n++] = x;
		else if (x)
			GEOSGeom_destroy_r(rp->h, x);
	}
	if (v && n < 2) {
		for (size_t k = 0; k < n; k++)
			GEOSGeom_destroy_r(rp->h, v[k]);
		free(v);
		return NULL;
	}
	return v;
}

/*
** Merges gap p into the grid that shares the longest border with it. With
** primaries, a gap reaching into several (gaps cut from grids of two
** primaries that meet at their edge: seed 4004489 of the random test) is
** split along their edges first and each part merged in its own primary, so
** that no grid is made to reach out of its primary.
*/
static geo_err fill_gap(struct repair *rp, const geo_problem *p)
{
	double longest;
	long best;
	int sliver = p->type == GEO_PROBLEM_SLIVER;
	double a = p->area_m2, x = p->x, y = p->y;
	int d = rp->decimals;
	GEOSGeometry **parts = parts_by_primary(rp, p);
	if (!parts) {
		geo_err e = merge_gap(rp, p, &best, &longest);
		if (e)
			return e;
		/* Whole sentences, so that each translates as one. */
		if (best >= 0 && sliver)
			return say_change(rp, "sliver gap of %.1f m² at %.*f %.*f merged into %s (longest "
					      "shared border, %.1f m)", a, d, x, d, y,
					  code(&rp->gs->grids[best]).s, longest);
		if (best >= 0)
			return say_change(rp, "gap of %.1f m² at %.*f %.*f merged into %s (longest shared "
					      "border, %.1f m)", a, d, x, d, y,
					  code(&rp->gs->grids[best]).s, longest);
		if (rp->parents && sliver)
			return say_change(rp, "sliver gap of %.1f m² at %.*f %.*f left: no grid of the "
					      "primary holding it borders it", a, d, x, d, y);
		if (rp->parents)
			return say_change(rp, "gap of %.1f m² at %.*f %.*f left: no grid of the primary "
					      "holding it borders it", a, d, x, d, y);
		if (sliver)
			return say_change(rp, "sliver gap of %.1f m² at %.*f %.*f left: no grid borders it",
					  a, d, x, d, y);
		return say_change(rp, "gap of %.1f m² at %.*f %.*f left: no grid borders it", a, d, x, d,
				  y);
	}
	/* A gap in several primaries: a part each, listed in one change (in
	** English in every language: the parts are pieces of a sentence). */
	const char *what = sliver ? "sliver gap" : "gap";
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "%s of %.1f m² at %.*f %.*f, in several primaries:", what, p->area_m2,
		       rp->decimals, p->x, rp->decimals, p->y);
	geo_err e = GEO_OK;
	for (size_t k = 0; parts[k]; k++) {
		geo_problem q = *p;
		q.geom = parts[k];
		q.area_m2 = geo_geom_area(rp->ctx, parts[k]);
		GEOSGeometry *pt = GEOSPointOnSurface_r(rp->h, parts[k]);
		if (pt) {
			GEOSGeomGetX_r(rp->h, pt, &q.wx);
			GEOSGeomGetY_r(rp->h, pt, &q.wy);
			GEOSGeom_destroy_r(rp->h, pt);
		}
		if (!e)
			e = merge_gap(rp, &q, &best, &longest);
		if (!e && best >= 0)
			geo_buf_printf(&b, "%s %.1f m² merged into %s (longest shared border, %.1f m)",
				       k ? ";" : "", q.area_m2, code(&rp->gs->grids[best]).s, longest);
		else if (!e)
			geo_buf_printf(&b, "%s %.1f m² left (no grid of its primary borders it)",
				       k ? ";" : "", q.area_m2);
		GEOSGeom_destroy_r(rp->h, parts[k]);
	}
	free(parts);
	if (!e)
		e = say_change(rp, "%s", b.s ? b.s : what);
	geo_buf_free(&b);
	return e;
}

static geo_err overlaps_and_gaps(struct repair *rp, const geo_check_result *r)
{
	geo_err e = GEO_OK;
	for (size_t k = 0; !e && k < r->n; k++)
		if (r->problems[k].type == GEO_PROBLEM_OVERLAP && r->problems[k].geom)
			e = give_overlap(rp, &r->problems[k]);
	for (size_t k = 0; !e && k < r->n; k++) {
		const geo_problem *p = &r->problems[k];
		if ((p->type == GEO_PROBLEM_GAP || p->type == GEO_PROBLEM_SLIVER) && p->geom)
			e = fill_gap(rp, p);
	}
	return e;
}

/* Whether r holds problems the geometric steps repair. */
static int pending(const struct repair *rp, const geo_check_result *r)
{
	for (size_t k = 0; r && k < r->n; k++) {
		const geo_problem *p = &r->problems[k];
		if (((p->type == GEO_PROBLEM_GAP || p->type == GEO_PROBLEM_OVERLAP ||
		      p->type == GEO_PROBLEM_SLIVER) && p->geom) ||
		    (p->type == GEO_PROBLEM_MULTIPART && p->index[0] >= 0 && !rp->tried[p->index[0]]))
			return 1;
	}
	return 0;
}

static geo_err check(struct repair *rp, geo_check_result **r)
{
	geo_err e = geo_check_gridset(rp->ctx, rp->gs, rp->town, rp->parents, rp->o, r);
	return e == GEO_PROBLEMS ? GEO_OK : e;
}

/* The next free code under prefix (a primary's code, or the town's), or 0
** when all are taken. */
static int free_code(struct repair *rp, const char *prefix, char *buf, size_t size)
{
	size_t len = strlen(prefix);
	int top = len == GEO_PRIMARY_CODE_LEN ? 99 : 999;
	unsigned char used[1000] = { 0 };
	for (size_t i = 0; i < rp->gs->n; i++) {
		const char *id = rp->gs->grids[i].id;
		if (!strncmp(id, prefix, len) && geo_grid_code_level(id) == (top == 99 ? 2 : 1))
			used[atoi(id + len) % 1000] = 1;
	}
	for (int seq = 1; seq <= top; seq++)
		if (!used[seq]) {
			snprintf(buf, size, "%s%0*d", prefix, top == 99 ? 2 : 3, seq);
			return 1;
		}
	return 0;
}

/* The copy of a duplicated code takes the next free code of its primary. */
static geo_err fix_codes(struct repair *rp, const geo_check_result *r)
{
	geo_err e = GEO_OK;
	for (size_t k = 0; !e && k < r->n; k++) {
		const geo_problem *p = &r->problems[k];
		if (p->type != GEO_PROBLEM_DUPLICATE_ID || p->index[0] < 0)
			continue;
		geo_grid *g = &rp->gs->grids[p->index[0]];
		char prefix[16], fresh[32];
		int level = geo_grid_code_level(g->id);
		snprintf(prefix, sizeof prefix, "%.*s",
			 level == 2 ? GEO_PRIMARY_CODE_LEN : GEO_TOWN_CODE_LEN, g->id);
		if (!level || !free_code(rp, prefix, fresh, sizeof fresh)) {
			e = say_change(rp, "%s: feature %lld left as it is: no free code", code(g).s, g->fid);
			continue;
		}
		e = say_change(rp, "%s: feature %lld takes the free code %s", code(g).s, g->fid, fresh);
		if (set_code(rp, g, &g->id, rp->o->grid.id_field, fresh))
			return GEO_ERR_INTERNAL;
	}
	return e;
}

struct hits {
	struct repair *rp;
	const GEOSGeometry *part;
	size_t self;
	long best;
	double longest;
};

static void weigh_neighbour(size_t i, void *data)
{
	struct hits *h = data;
	const GEOSGeometry *g = h->rp->gs->grids[i].geom;
	if (i == h->self || !g || GEOSDistanceWithin_r(h->rp->h, g, h->part, 10 * GEO_CHECK_EPS) != 1)
		return;
	/* A piece stays in its grid's primary: given to another primary's
	** grid it would make that one reach out of its own. */
	if (h->rp->parents && strcmp(h->rp->gs->grids[i].parent_id, h->rp->gs->grids[h->self].parent_id))
		return;
	double l = shared_border(h->rp, h->part, g, 0);
	if (l > 0 && better(h->rp, (long)i, l, h->best, h->longest)) {
		h->best = (long)i;
		h->longest = l;
	}
}

/* A grid in pieces keeps its largest; each other piece goes to the grid of
** its primary that shares the longest border with it (an island no such grid
** borders stays). */
static geo_err fix_pieces(struct repair *rp, const geo_check_result *r)
{
	GEOSGeometry **geoms = geo_calloc(rp->ctx, rp->gs->n + 1, sizeof *geoms);
	if (!geoms)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < rp->gs->n; i++)
		geoms[i] = rp->gs->grids[i].geom;
	geo_index *idx = geo_index_new(rp->ctx, geoms, rp->gs->n);
	geo_err e = idx ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t k = 0; !e && k < r->n; k++) {
		const geo_problem *p = &r->problems[k];
		/* Not limited to one try per grid: removing an overlap in a later
		** round can cut a grid again, and the rounds are bounded. */
		if (p->type != GEO_PROBLEM_MULTIPART || p->index[0] < 0)
			continue;
		size_t i = (size_t)p->index[0];
		GEOSGeometry *g = GEOSGeom_clone_r(rp->h, rp->gs->grids[i].geom);
		int n = g ? GEOSGetNumGeometries_r(rp->h, g) : 0, big = 0;
		for (int j = 1; j < n; j++)
			if (geo_geom_area(rp->ctx, GEOSGetGeometryN_r(rp->h, g, j)) >
			    geo_geom_area(rp->ctx, GEOSGetGeometryN_r(rp->h, g, big)))
				big = j;
		for (int j = 0; !e && j < n; j++) {
			if (j == big)
				continue;
			const GEOSGeometry *part = GEOSGetGeometryN_r(rp->h, g, j);
			struct hits h = { rp, part, i, -1, -1 };
			geo_index_query(idx, part, weigh_neighbour, &h);
			double a = geo_geom_area(rp->ctx, part);
			if (a < rp->o->min_area) {
				/* a crumb overlay left (a bow-tie's crossing, a snapped
				** corner): dropped, its gap is under the tolerance */
				GEOSGeometry *d = GEOSDifference_r(rp->h, rp->gs->grids[i].geom, part);
				if (d)
					replace(rp, i, d);
				geoms[i] = rp->gs->grids[i].geom;
				continue;
			}
			if (h.best < 0) {
				e = say_change(rp, "%s: a piece of %.1f m² left: no other grid borders it",
					code(&rp->gs->grids[i]).s, a);
				continue;
			}
			GEOSGeometry *u = GEOSUnion_r(rp->h, rp->gs->grids[h.best].geom, part);
			GEOSGeometry *d = GEOSDifference_r(rp->h, rp->gs->grids[i].geom, part);
			if (!u || !d) {
				GEOSGeom_destroy_r(rp->h, u);
				GEOSGeom_destroy_r(rp->h, d);
				e = geo_fail(rp->ctx, GEO_ERR_INTERNAL, "cannot move a piece of %s: %s",
					     code(&rp->gs->grids[i]).s, geo_last_error(rp->ctx));
				break;
			}
			replace(rp, (size_t)h.best, u);
			replace(rp, i, d);
			geoms[h.best] = rp->gs->grids[h.best].geom;
			geoms[i] = rp->gs->grids[i].geom;
			e = say_change(rp, "%s: a piece of %.1f m² given to %s (longest shared border, %.1f m)",
				code(&rp->gs->grids[i]).s, a, code(&rp->gs->grids[h.best]).s, h.longest);
		}
		GEOSGeom_destroy_r(rp->h, g);
	}
	geo_index_free(idx);
	free(geoms);
	return e;
}

/* parent_id that names no primary becomes the primary holding most of the grid. */
static geo_err fix_parents(struct repair *rp, const geo_check_result *r)
{
	geo_err e = GEO_OK;
	for (size_t k = 0; !e && k < r->n; k++) {
		const geo_problem *p = &r->problems[k];
		if (p->type != GEO_PROBLEM_PARENT_MISSING || p->index[0] < 0)
			continue;
		long mostly = mostly_in(rp, rp->gs->grids[p->index[0]].geom);
		e = mostly >= 0 ? set_parent(rp, (size_t)p->index[0], mostly)
				: say_change(rp, "%s: left as it is: outside every primary",
				      code(&rp->gs->grids[p->index[0]]).s);
	}
	return e;
}

geo_err geo_repair(geo_ctx *ctx, geo_gridset *gs, const GEOSGeometry *town,
		   geo_gridset *parents, const geo_check_opts *o, const geo_check_result *first,
		   char ***changes, char ***changes_local)
{
	struct repair rp = { ctx, geo_ctx_geos(ctx), gs, town, parents, o, changes, changes_local,
			     geo_crs_is_projected(gs->source_crs) ? 1 : 7, NULL };
	geo_check_result *r = NULL;
	if (!(rp.tried = geo_calloc(ctx, gs->n + 1, 1)))
		return GEO_ERR_INTERNAL;
	geo_err e = report_invalid(&rp, first);
	if (!e)
		e = fix_codes(&rp, first);
	if (!e)
		e = fix_parents(&rp, first);
	if (!e)
		e = check(&rp, &r);
	if (!e && o->snap > 0) {
		e = snap_all(&rp);
		geo_check_result_free(r);
		r = NULL;
		if (!e)
			e = check(&rp, &r);
	}
	if (!e && (r->count[GEO_PROBLEM_OUTSIDE] || r->count[GEO_PROBLEM_NOT_NESTED] ||
		   (parents && r->count[GEO_PROBLEM_MULTIPART]))) {
		e = clip_spill(&rp, r);
		geo_check_result_free(r);
		r = NULL;
		if (!e)
			e = check(&rp, &r);
	}
	/* Removing an overlap can cut a grid in two, merging a gap can close
	** another: a few rounds, each from a fresh check, settle it. */
	for (int round = 0; !e && round < 4 && pending(&rp, r); round++) {
		e = overlaps_and_gaps(&rp, r);
		if (!e && r->count[GEO_PROBLEM_MULTIPART])
			e = fix_pieces(&rp, r);
		geo_check_result_free(r);
		r = NULL;
		if (!e)
			e = check(&rp, &r);
	}
	geo_check_result_free(r);
	free(rp.tried);
	return e;
}
