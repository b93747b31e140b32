/*
** Unit tests of grid-split: the graph partition on drawn graphs (contiguity,
** holes and balance checked by our own breadth-first searches), the regular
** cells against PostGIS's ST_Square/ST_Hexagon cases, and the whole verb on
** the fixture town, its output read back and checked with GEOS directly:
** both levels tile the town, secondaries nest in primaries, primaries in
** villages, counts match a brute-force count, and runs repeat byte for byte;
** the result's figures against the grids read back, and its report rendered
** both as text and as JSON.
*/
#include "check.h"
#include "geo.h"
#include "minijson.h"
#include "report.h"
#include "split/cells.h"
#include "split/partition.h"
#include "split/split_grid.h"
#include "core/geo_internal.h"

#include <string.h>
#include <unistd.h>

#define FIX "tests/fixtures/split/"

/* ---- partition ---------------------------------------------------------------- */

/* A w x h grid graph (4-neighbours), weights by a fixed pattern, the border
** touching the outside. */
static split_graph grid_graph(size_t w, size_t h, size_t xoff)
{
	split_graph g = { 0 };
	g.n = w * h;
	g.xadj = calloc(g.n + 1, sizeof *g.xadj);
	g.adj = calloc(4 * g.n, sizeof *g.adj);
	g.ew = calloc(4 * g.n, sizeof *g.ew);
	g.vw = calloc(g.n, sizeof *g.vw);
	g.out = calloc(g.n, 1);
	g.len = calloc(4 * g.n, sizeof *g.len);
	g.area = calloc(g.n, sizeof *g.area);
	g.outlen = calloc(g.n, sizeof *g.outlen);
	size_t m = 0;
	for (size_t y = 0; y < h; y++)
		for (size_t x = 0; x < w; x++) {
			size_t v = y * w + x;
			g.vw[v] = 1 + (double)((x * 7 + y * 3 + xoff) % 5);
			g.out[v] = x == 0 || y == 0 || x == w - 1 || y == h - 1;
			long nb[4][2] = { { (long)x - 1, (long)y }, { (long)x + 1, (long)y },
					  { (long)x, (long)y - 1 }, { (long)x, (long)y + 1 } };
			for (int k = 0; k < 4; k++)
				if (nb[k][0] >= 0 && nb[k][0] < (long)w && nb[k][1] >= 0 && nb[k][1] < (long)h) {
					size_t u = (size_t)nb[k][1] * w + (size_t)nb[k][0];
					g.adj[m] = u;
					g.len[m] = 100; /* cells of 100 m */
					g.ew[m++] = 1 + (double)((u < v ? u : v) % 3); /* symmetric */
				}
			g.area[v] = 1e4;
			g.outlen[v] = 100 * (double)(4 - (m - g.xadj[v]));
			g.xadj[v + 1] = m;
		}
	return g;
}

/* Reached vertices of part p from v (p == -2: complement of `not`, with the
** outside as vertex n). */
static size_t bfs(const split_graph *g, const int *part, size_t from, int p, int not, char *seen)
{
	size_t n = g->n, count = 0, *q = malloc((n + 1) * sizeof *q), head = 0, tail = 0;
	memset(seen, 0, n + 1);
	seen[from] = 1;
	q[tail++] = from;
	while (head < tail) {
		size_t v = q[head++];
		count++;
		for (size_t i = 0; i <= n; i++) {
			int adjacent = 0;
			if (v == n)
				adjacent = i < n && g->out[i];
			else if (i == n)
				adjacent = g->out[v];
			else
				for (size_t e = g->xadj[v]; e < g->xadj[v + 1]; e++)
					adjacent |= g->adj[e] == i;
			int in = p == -2 ? (i == n || part[i] != not) : (i < n && part[i] == p);
			if (adjacent && in && !seen[i]) {
				seen[i] = 1;
				q[tail++] = i;
			}
		}
	}
	free(q);
	return count;
}

/* Every part non-empty, connected, not enclosing anything, within tol. */
static void check_parts(const split_graph *g, const int *part, int k, double tol, const char *what)
{
	char *seen = calloc(g->n + 1, 1);
	double total = 0, *w = calloc((size_t)k, sizeof *w);
	size_t *size = calloc((size_t)k, sizeof *size);
	int ok_range = 1, ok_conn = 1, ok_holes = 1, ok_bal = 1;
	for (size_t v = 0; v < g->n; v++) {
		if (part[v] < 0 || part[v] >= k) {
			ok_range = 0;
			continue;
		}
		w[part[v]] += g->vw[v];
		size[part[v]]++;
		total += g->vw[v];
	}
	for (int p = 0; ok_range && p < k; p++) {
		size_t first = 0;
		while (first < g->n && part[first] != p)
			first++;
		if (first == g->n) {
			ok_range = 0;
			break;
		}
		ok_conn &= bfs(g, part, first, p, 0, seen) == size[p];
		ok_holes &= bfs(g, part, g->n, -2, p, seen) == g->n - size[p] + 1;
		ok_bal &= w[p] >= total / k * (1 - tol) - 1e-9 && w[p] <= total / k * (1 + tol) + 1e-9;
	}
	char d[256];
	snprintf(d, sizeof d, "%s: every part non-empty", what);
	CHECK(d, ok_range);
	snprintf(d, sizeof d, "%s: every part contiguous", what);
	CHECK(d, ok_conn);
	snprintf(d, sizeof d, "%s: no part encloses another", what);
	CHECK(d, ok_holes);
	snprintf(d, sizeof d, "%s: every part within the tolerance", what);
	CHECK(d, ok_bal);
	free(seen);
	free(w);
	free(size);
}

static void test_partition(geo_ctx *ctx)
{
	split_graph g = grid_graph(14, 12, 0);
	int *part = calloc(g.n, sizeof *part);
	CHECK("a 14x12 grid graph cuts into 7 parts",
	      split_partition(ctx, &g, 7, 0.1, 1, part) == GEO_OK);
	check_parts(&g, part, 7, 0.1, "14x12 into 7");
	CHECK("one part is the whole graph", split_partition(ctx, &g, 1, 0.1, 1, part) == GEO_OK);
	check_parts(&g, part, 1, 0.1, "14x12 into 1");
	int *again = calloc(g.n, sizeof *again);
	split_partition(ctx, &g, 5, 0.1, 3, part);
	split_partition(ctx, &g, 5, 0.1, 3, again);
	CHECK("the same seed gives the same parts", !memcmp(part, again, g.n * sizeof *part));
	CHECK("more parts than vertices is a usage error",
	      split_partition(ctx, &g, (int)g.n + 1, 0.1, 1, part) == GEO_ERR_USAGE);
	free(again);
	free(part);
	split_graph_free(&g);

	/* Coarse atoms: two heavy ends and light middles; four parts need every
	** vertex, so METIS's empty parts must be refilled. */
	split_graph p = grid_graph(5, 1, 0);
	double w[5] = { 10, 1, 1, 1, 10 };
	memcpy(p.vw, w, sizeof w);
	part = calloc(p.n, sizeof *part);
	CHECK("a 5-vertex path cuts into 4 parts", split_partition(ctx, &p, 4, 0.1, 1, part) == GEO_OK);
	check_parts(&p, part, 4, 10, "path into 4 (balance impossible, tolerance ignored)");
	free(part);
	split_graph_free(&p);
}

/* Two separate grids in one graph: parts are shared by weight. */
static void test_disconnected(geo_ctx *ctx)
{
	split_graph a = grid_graph(8, 6, 0), b = grid_graph(4, 6, 1), g = { 0 };
	g.n = a.n + b.n;
	g.xadj = calloc(g.n + 1, sizeof *g.xadj);
	g.adj = calloc(a.xadj[a.n] + b.xadj[b.n], sizeof *g.adj);
	g.ew = calloc(a.xadj[a.n] + b.xadj[b.n], sizeof *g.ew);
	g.vw = calloc(g.n, sizeof *g.vw);
	g.out = calloc(g.n, 1);
	g.len = calloc(a.xadj[a.n] + b.xadj[b.n], sizeof *g.len);
	g.area = calloc(g.n, sizeof *g.area);
	g.outlen = calloc(g.n, sizeof *g.outlen);
	size_t m = 0;
	for (size_t v = 0; v < g.n; v++) {
		const split_graph *s = v < a.n ? &a : &b;
		size_t o = v < a.n ? 0 : a.n, x = v - o;
		g.vw[v] = s->vw[x];
		g.out[v] = s->out[x];
		g.area[v] = s->area[x];
		g.outlen[v] = s->outlen[x];
		for (size_t e = s->xadj[x]; e < s->xadj[x + 1]; e++) {
			g.adj[m] = s->adj[e] + o;
			g.len[m] = s->len[e];
			g.ew[m++] = s->ew[e];
		}
		g.xadj[v + 1] = m;
	}
	int *part = calloc(g.n, sizeof *part);
	CHECK("a graph in two pieces cuts into 6 parts", split_partition(ctx, &g, 6, 0.1, 1, part) == 0);
	int pa = 0, pb = 0, mixed = 0;
	char used[6] = { 0 };
	for (size_t v = 0; v < g.n; v++) {
		if (used[part[v]] == 0) {
			used[part[v]] = v < a.n ? 1 : 2;
			*(v < a.n ? &pa : &pb) += 1;
		} else if (used[part[v]] != (v < a.n ? 1 : 2)) {
			mixed = 1;
		}
	}
	CHECK("no part spans both pieces", !mixed);
	CHECK("the pieces get parts by weight (4 and 2)", pa == 4 && pb == 2);
	CHECK("fewer parts than pieces is a usage error",
	      split_partition(ctx, &g, 1, 0.1, 1, part) == GEO_ERR_USAGE);
	free(part);
	split_graph_free(&a);
	split_graph_free(&b);
	split_graph_free(&g);
}

/* ---- regular cells ---------------------------------------------------------------- */

static GEOSGeometry *wkt(geo_ctx *ctx, const char *text)
{
	GEOSWKTReader *r = GEOSWKTReader_create_r(geo_ctx_geos(ctx));
	GEOSGeometry *g = GEOSWKTReader_read_r(geo_ctx_geos(ctx), r, text);
	GEOSWKTReader_destroy_r(geo_ctx_geos(ctx), r);
	return g;
}

static void free_grids(geo_ctx *ctx, split_grid *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		GEOSGeom_destroy_r(geo_ctx_geos(ctx), g[i].geom);
		free(g[i].name);
	}
	free(g);
}

/* The cell at (i, j) from a town that holds exactly it. */
static int cell_equals(geo_ctx *ctx, int hex, double size, long i, long j, const char *expected)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	/* A town a little larger than the cell holds it whole, unclipped. */
	GEOSGeometry *want = wkt(ctx, expected), *town = GEOSBuffer_r(h, want, 1, 8);
	split_grid *g = NULL;
	size_t n = 0;
	int ok = split_cells(ctx, town, hex, size, 0, 0, 0, &g, &n) == GEO_OK;
	int found = 0;
	for (size_t k = 0; ok && k < n; k++)
		if (g[k].col == i && g[k].row == j)
			found = GEOSEqualsExact_r(h, g[k].geom, want, 1e-4) == 1;
	free_grids(ctx, g, n);
	GEOSGeom_destroy_r(h, want);
	GEOSGeom_destroy_r(h, town);
	return found;
}

/* Issue 13: a town at 1e308 hung (a long overflowing in the cell loop);
** split_cells now refuses it itself, and counts cells before making them. */
static void test_cells_limits(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *huge = wkt(ctx, "POLYGON((-1e308 -1e308,1e308 -1e308,1e308 1e308,-1e308 1e308,"
				 "-1e308 -1e308))");
	GEOSGeometry *town = wkt(ctx, "POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))");
	split_grid *g = NULL;
	size_t n = 0;
	CHECK("cells over a town at 1e308: an input error, not a hang",
	      split_cells(ctx, huge, 0, 500, 0, 0, 1, &g, &n) == GEO_ERR_INPUT && !g && !n);
	CHECK("hexagons over a town at 1e308: an input error",
	      split_cells(ctx, huge, 1, 500, 0, 0, 1, &g, &n) == GEO_ERR_INPUT && !g && !n);
	CHECK("cells from an origin at 1e300: an input error",
	      split_cells(ctx, town, 0, 500, 1e300, 0, 1, &g, &n) == GEO_ERR_INPUT && !g);
	CHECK("cells of 1e-300 m: refused before any is made, even when large is allowed",
	      split_cells(ctx, town, 0, 1e-300, 0, 0, 1, &g, &n) == GEO_ERR_INPUT && !g);
	CHECK("4e6 cells of 0.5 m: a usage error without allow_large",
	      split_cells(ctx, town, 0, 0.5, 0, 0, 0, &g, &n) == GEO_ERR_USAGE && !g);
	GEOSGeom_destroy_r(h, huge);
	GEOSGeom_destroy_r(h, town);
}

/* PostGIS's regression cases 300-307 (ST_Hexagon, ST_Square). */
static void test_cells_postgis(geo_ctx *ctx)
{
	const char *ext = getenv("EXT");
	char path[1024];
	snprintf(path, sizeof path, "%s/postgis/regress_expected", ext ? ext : "");
	FILE *f = ext ? fopen(path, "r") : NULL;
	if (!f) {
		CHECK_SKIP("cells match PostGIS ST_Hexagon/ST_Square", "no external PostGIS cases");
		return;
	}
	static const struct {
		int id, hex;
		long i, j;
	} cases[] = { { 300, 1, 0, 0 }, { 301, 1, 1, 1 }, { 302, 1, -1, -1 }, { 303, 1, 100, -100 },
		      { 304, 0, 0, 0 }, { 305, 0, 1, 1 }, { 306, 0, -1, -1 }, { 307, 0, 100, -100 } };
	char line[4096];
	int matched = 0, seen = 0;
	while (fgets(line, sizeof line, f)) {
		int id = atoi(line);
		char *bar = strchr(line, '|');
		for (size_t c = 0; bar && c < sizeof cases / sizeof cases[0]; c++)
			if (cases[c].id == id) {
				seen++;
				matched += cell_equals(ctx, cases[c].hex, 10, cases[c].i, cases[c].j, bar + 1);
			}
	}
	fclose(f);
	CHECK("the 8 PostGIS cell cases are in the file", seen == 8);
	CHECK("every hexagon and square equals PostGIS's (vertex order too)", matched == 8);
}

static void test_cells(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *town = wkt(ctx, "POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))");
	split_grid *g = NULL;
	size_t n = 0;
	split_cells(ctx, town, 0, 100, 0, 0, 0, &g, &n);
	double area = 0;
	for (size_t i = 0; i < n; i++)
		area += geo_geom_area(ctx, g[i].geom);
	/* ST_SquareGrid(100, 0 0 1000 1000) makes 121 cells; the 21 that only
	** touch the square's top and right edges clip to nothing. */
	CHECK("a 1000 m square makes 100 square cells of 100 m", n == 100);
	CHECK_NEAR("the cells cover the square", area, 1e6, 1e-6);
	free_grids(ctx, g, n);
	split_cells(ctx, town, 1, 100, 0, 0, 0, &g, &n);
	area = 0;
	for (size_t i = 0; i < n; i++)
		area += geo_geom_area(ctx, g[i].geom);
	CHECK_NEAR("hexagon cells clipped to the square cover it", area, 1e6, 1e-6);
	int adjacent = 0;
	for (size_t i = 0; i < n; i++)
		if (g[i].col == 5 && g[i].row == 0)
			for (size_t k = 0; k < n; k++)
				if (g[k].col == 5 && g[k].row == 1) {
					GEOSGeometry *x = GEOSIntersection_r(h, g[i].geom, g[k].geom);
					adjacent = x && geo_geom_area(ctx, x) == 0 && geo_geom_length(ctx, x) > 99.99;
					GEOSGeom_destroy_r(h, x);
				}
	CHECK("hexes (5,0) and (5,1) share one edge of 100 m, no area (PostGIS case 316)", adjacent);
	free_grids(ctx, g, n);
	GEOSGeom_destroy_r(h, town);
}

/* Cells of PostGIS itself, live, when a server with PostGIS answers psql
** (PGHOST, PGDATABASE... from the environment): the same (i, j) and the same
** clipped areas as ours on the fixture town. */
struct cell_area {
	long i, j;
	double area;
};

static int by_cell(const void *a, const void *b)
{
	const struct cell_area *x = a, *y = b;
	if (x->i != y->i)
		return x->i < y->i ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

static size_t postgis_cells(const char *wkt, int hex, struct cell_area *out, size_t cap)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "psql -XAtq -v ON_ERROR_STOP=1 -c \"WITH t AS (SELECT "
		       "ST_GeomFromText('%s') AS g) SELECT c.i, c.j, ST_Area(ST_Intersection(c.geom, "
		       "t.g)) FROM t, %s(500, t.g) c WHERE ST_Area(ST_Intersection(c.geom, t.g)) > 0\" "
		       "2>/dev/null", wkt, hex ? "ST_HexagonGrid" : "ST_SquareGrid");
	char *cmd = geo_buf_take(&b);
	FILE *p = cmd ? popen(cmd, "r") : NULL;
	size_t n = 0;
	char line[256];
	while (p && fgets(line, sizeof line, p))
		if (n < cap && sscanf(line, "%ld|%ld|%lf", &out[n].i, &out[n].j, &out[n].area) == 3)
			n++;
	int status = p ? pclose(p) : -1;
	free(cmd);
	return status == 0 ? n : 0;
}

static void test_cells_live(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_crs *work = geo_crs_new(ctx, "EPSG:4548");
	geo_gridset *t = geo_gridset_read(ctx, FIX "town.geojson", NULL, NULL, work);
	GEOSWKTWriter *w = GEOSWKTWriter_create_r(h);
	char *wkt = t && w ? GEOSWKTWriter_write_r(h, w, t->grids[0].geom) : NULL;
	for (int hex = 0; wkt && hex < 2; hex++) {
		struct cell_area theirs[400], ours[400];
		size_t nt = postgis_cells(wkt, hex, theirs, 400), no = 0;
		if (!nt) {
			CHECK_SKIP(hex ? "cells equal live ST_HexagonGrid" : "cells equal live ST_SquareGrid",
				   "no PostGIS server answers psql");
			continue;
		}
		split_grid *g = NULL;
		size_t n = 0;
		split_cells(ctx, t->grids[0].geom, hex, 500, 0, 0, 0, &g, &n);
		for (size_t k = 0; k < n; k++) {
			size_t m = 0;
			while (m < no && !(ours[m].i == g[k].col && ours[m].j == g[k].row))
				m++;
			if (m == no && no < 400)
				ours[no++] = (struct cell_area){ g[k].col, g[k].row, 0 };
			if (m < 400)
				ours[m].area += geo_geom_area(ctx, g[k].geom);
		}
		free_grids(ctx, g, n);
		qsort(theirs, nt, sizeof *theirs, by_cell);
		qsort(ours, no, sizeof *ours, by_cell);
		int same = nt == no;
		for (size_t k = 0; same && k < nt; k++)
			same = theirs[k].i == ours[k].i && theirs[k].j == ours[k].j &&
			       fabs(theirs[k].area - ours[k].area) <= 1e-6 * fmax(1, theirs[k].area);
		CHECK(hex ? "hexagon cells equal live PostGIS ST_HexagonGrid(500) clipped"
			  : "square cells equal live PostGIS ST_SquareGrid(500) clipped", same);
	}
	if (wkt)
		GEOSFree_r(h, wkt);
	if (w)
		GEOSWKTWriter_destroy_r(h, w);
	geo_gridset_free(t);
	geo_crs_free(work);
}

/* ---- the verb on the fixture town ---------------------------------------------------- */

static void fixture_opts(geo_split_opts *o)
{
	geo_split_opts_init(o);
	o->households = FIX "households.geojson";
	o->barriers[0] = FIX "roads.geojson";
	o->barriers[1] = FIX "rivers.geojson";
	o->nbarriers = 2;
	o->barrier_class = "class";
	o->villages = FIX "villages.geojson";
	o->primaries = 5;
	o->secondaries = 8;
	o->common.out.overwrite = 1;
}

static GEOSGeometry *read_one(geo_ctx *ctx, const char *name, const geo_crs *work)
{
	geo_gridset *gs = geo_gridset_read(ctx, name, NULL, NULL, work);
	GEOSGeometry *g = gs && gs->n ? GEOSGeom_clone_r(geo_ctx_geos(ctx), gs->grids[0].geom) : NULL;
	geo_gridset_free(gs);
	return g;
}

/* Union area == town area and sum of areas == union area (no overlap). */
static void check_tiling(geo_ctx *ctx, const geo_gridset *gs, const GEOSGeometry *town,
			 const char *what)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry **c = calloc(gs->n, sizeof *c);
	double sum = 0;
	for (size_t i = 0; i < gs->n; i++) {
		c[i] = GEOSGeom_clone_r(h, gs->grids[i].geom);
		sum += geo_geom_area(ctx, c[i]);
	}
	GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, c, (unsigned)gs->n);
	GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
	GEOSGeometry *sym = GEOSSymDifference_r(h, u, town);
	char d[256];
	snprintf(d, sizeof d, "%s: union equals the town (symmetric difference under 0.01 m²)", what);
	CHECK(d, geo_geom_area(ctx, sym) < 0.01);
	snprintf(d, sizeof d, "%s: no overlap (sum of areas = area of union)", what);
	CHECK_NEAR(d, sum, geo_geom_area(ctx, u), 0.01);
	int single = 1, valid = 1;
	for (size_t i = 0; i < gs->n; i++) {
		single &= GEOSGeomTypeId_r(h, gs->grids[i].geom) == GEOS_POLYGON &&
			  GEOSGetNumInteriorRings_r(h, gs->grids[i].geom) == 0;
		valid &= GEOSisValid_r(h, gs->grids[i].geom) == 1;
	}
	snprintf(d, sizeof d, "%s: every grid is one valid polygon without holes", what);
	CHECK(d, single && valid);
	GEOSGeom_destroy_r(h, sym);
	GEOSGeom_destroy_r(h, u);
	GEOSGeom_destroy_r(h, coll);
	free(c);
}

/* Each grid of `inner` lies in the grid of `outer` its parent (or the
** village) names: all its area is inside. */
static int nested(geo_ctx *ctx, const geo_gridset *inner, const geo_gridset *outer, int by_parent)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	int ok = 1;
	for (size_t i = 0; i < inner->n; i++) {
		const geo_grid *g = &inner->grids[i];
		double best = 0, area = geo_geom_area(ctx, g->geom);
		for (size_t k = 0; k < outer->n; k++) {
			if (by_parent && strcmp(outer->grids[k].id, g->parent_id))
				continue;
			GEOSGeometry *x = GEOSIntersection_r(h, g->geom, outer->grids[k].geom);
			best = fmax(best, geo_geom_area(ctx, x));
			GEOSGeom_destroy_r(h, x);
		}
		/* The fixture's villages were rounded to 1 mm, so they stray from
		** the town boundary the grids follow by up to half of that. */
		ok &= fabs(best - area) < 1;
	}
	return ok;
}

/* Households per grid by brute force against the written field. */
static int counts_match(geo_ctx *ctx, const geo_gridset *gs, const geo_crs *work)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_input *in = geo_input_open(ctx, FIX "households.geojson", NULL);
	if (!in || geo_input_set_target(ctx, in, work)) {
		geo_input_close(in);
		return 0;
	}
	long *n = calloc(gs->n, sizeof *n), points = 0;
	OGRFeatureH f;
	GEOSGeometry *g;
	while (geo_input_next(ctx, in, &f, &g) == GEO_OK && f) {
		points++;
		for (size_t i = 0; i < gs->n; i++)
			n[i] += GEOSIntersects_r(h, gs->grids[i].geom, g) == 1;
		GEOSGeom_destroy_r(h, g);
		OGR_F_Destroy(f);
	}
	geo_input_close(in);
	int ok = 1;
	long total = 0;
	for (size_t i = 0; i < gs->n; i++) {
		ok &= n[i] == (long)gs->grids[i].households;
		total += n[i];
	}
	free(n);
	return ok && total == points;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	char *s = malloc(*n + 1);
	if (s && fread(s, 1, *n, f) != *n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/* geo_split of town into out, the report dropped. */
static geo_err split_to(geo_ctx *ctx, const char *town, const char *out, geo_split_opts *o)
{
	geo_split_result *r = NULL;
	o->common.output = out;
	geo_err e = geo_split(ctx, town, o, &r, NULL, NULL);
	geo_split_result_free(r);
	return e;
}

static void test_verb(geo_ctx *ctx, const char *dir)
{
	char out[512], out2[512], pl[600], sl[600];
	snprintf(out, sizeof out, "%s/grids.gpkg", dir);
	snprintf(out2, sizeof out2, "%s/again.gpkg", dir);
	geo_split_opts o;
	fixture_opts(&o);
	geo_err e = split_to(ctx, FIX "town.geojson", out, &o);
	CHECK("the fixture town splits into 5 primaries and 8 secondaries", e == GEO_OK);
	if (e)
		printf("     %s\n", geo_last_error(ctx));
	geo_crs *work = geo_crs_new(ctx, "EPSG:4548");
	snprintf(pl, sizeof pl, "%s:primary", out);
	snprintf(sl, sizeof sl, "%s:secondary", out);
	geo_gridset *p = geo_gridset_read(ctx, pl, NULL, NULL, work);
	geo_gridset *s = geo_gridset_read(ctx, sl, NULL, NULL, work);
	geo_gridset *v = geo_gridset_read(ctx, FIX "villages.geojson", NULL, NULL, work);
	GEOSGeometry *town = read_one(ctx, FIX "town.geojson", work);
	if (!p || !s || !v || !town) {
		CHECK("the output reads back", 0);
		return;
	}
	CHECK("5 primaries and 8 secondaries written", p->n == 5 && s->n == 8);
	check_tiling(ctx, p, town, "primaries");
	check_tiling(ctx, s, town, "secondaries");
	CHECK("every secondary lies in the primary its parent_id names", nested(ctx, s, p, 1));
	CHECK("every primary lies in one village", nested(ctx, p, v, 0));
	CHECK("households per secondary match a brute-force count", counts_match(ctx, s, work));
	CHECK("households per primary match a brute-force count", counts_match(ctx, p, work));
	int within = 1;
	for (size_t i = 0; i < s->n; i++) {
		long k = geo_gridset_find(p, s->grids[i].parent_id);
		int m = 0;
		for (size_t j = 0; j < s->n; j++)
			m += !strcmp(s->grids[j].parent_id, s->grids[i].parent_id);
		double t = k >= 0 ? p->grids[k].households / m : 0;
		within &= k >= 0 && fabs(s->grids[i].households - t) <= 0.1 * t + 1e-9;
	}
	CHECK("every secondary within 10% of its primary's households over its secondaries", within);

	e = split_to(ctx, FIX "town.geojson", out2, &o);
	size_t n1 = 0, n2 = 0;
	char *a = slurp(out, &n1), *b = slurp(out2, &n2);
	CHECK("the same inputs and seed give the same bytes", e == GEO_OK && a && b && n1 == n2 &&
	      !memcmp(a, b, n1));
	free(a);
	free(b);

	/* Keeping codes from the first run: every grid matches itself. */
	o.keep_codes_from = out;
	o.seed = 1;
	e = split_to(ctx, FIX "town.geojson", out2, &o);
	snprintf(sl, sizeof sl, "%s:secondary", out2);
	geo_gridset *s2 = geo_gridset_read(ctx, sl, NULL, NULL, work);
	int same = e == GEO_OK && s2 && s2->n == s->n;
	for (size_t i = 0; same && i < s->n; i++)
		same = !strcmp(s->grids[i].id, s2->grids[i].id);
	CHECK("--keep-codes-from its own output keeps every code", same);
	geo_gridset_free(s2);

	GEOSGeom_destroy_r(geo_ctx_geos(ctx), town);
	geo_gridset_free(p);
	geo_gridset_free(s);
	geo_gridset_free(v);
	geo_crs_free(work);
}

/* ---- the result as data ---------------------------------------------------------------- */

/* The JSON report of r parses and says r's figures. */
static void check_result_json(const geo_split_result *r, const char *json)
{
	mj *root = mj_parse(json);
	CHECK("result: the JSON report parses", root && root->type == MJ_OBJ);
	const mj *counts = root ? mj_get(root, "counts") : NULL;
	const mj *hh = root ? mj_get(root, "households") : NULL;
	const mj *grids = root ? mj_get(root, "grids") : NULL;
	const mj *worst = root ? mj_get(root, "worst") : NULL;
	CHECK("result: JSON counts = result's",
	      mj_num(counts, "primary") == (double)r->primary.count &&
	      mj_num(counts, "secondary") == (double)r->secondary.count &&
	      mj_num(counts, "atoms") == (double)r->atoms);
	CHECK("result: JSON households = result's", mj_num(hh, "inside") == round(r->households) &&
	      mj_num(hh, "outside") == (double)r->outside);
	CHECK("result: JSON grids and worst = result's", grids && grids->n == r->ngrids && worst &&
	      worst->n == r->nworst);
	mj_free(root);
}

/* Figures of the written grids, read back: households, area and
** compactness (4πA/P² by GEOS) per grid, against the result's. */
static void check_result_grids(geo_ctx *ctx, const geo_split_result *r, const geo_gridset *p,
			       const geo_gridset *s)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	int same = r->ngrids == p->n + s->n;
	double cmin = INFINITY, households = 0;
	for (size_t i = 0; same && i < r->ngrids; i++) {
		const geo_split_grid *g = &r->grids[i];
		const geo_gridset *gs = g->level == 1 ? p : s;
		long k = geo_gridset_find(gs, g->grid_id);
		const GEOSGeometry *geom = k >= 0 ? gs->grids[k].geom : NULL;
		double area = geom ? geo_geom_area(ctx, geom) : NAN, len = 0;
		if (geom)
			GEOSLength_r(h, geom, &len);
		double c = len > 0 ? 4 * M_PI * area / (len * len) : 0;
		same = geom && gs->grids[k].households == g->households &&
		       fabs(area - g->area_m2) <= 1e-6 * area && fabs(c - g->compactness) <= 1e-6;
		if (g->level == 2)
			cmin = fmin(cmin, c);
		else
			households += g->households;
	}
	CHECK("result: every grid's households, area and compactness as read back", same);
	CHECK_NEAR("result: secondaries' least compactness as read back", r->secondary.compactness_min,
		   cmin, 1e-6);
	CHECK("result: primaries' households as read back", households == r->households);
}

static void test_result(geo_ctx *ctx, const char *dir)
{
	char out[512], pl[600], sl[600];
	snprintf(out, sizeof out, "%s/result.gpkg", dir);
	geo_split_opts o;
	fixture_opts(&o);
	o.common.output = out;
	geo_split_result *r = NULL;
	geo_err e = geo_split(ctx, FIX "town.geojson", &o, &r, NULL, NULL);
	CHECK("result: geo_split succeeds with a result", e == GEO_OK && r);
	geo_crs *work = geo_crs_new(ctx, "EPSG:4548");
	snprintf(pl, sizeof pl, "%s:primary", out);
	snprintf(sl, sizeof sl, "%s:secondary", out);
	geo_gridset *p = r ? geo_gridset_read(ctx, pl, NULL, NULL, work) : NULL;
	geo_gridset *s = p ? geo_gridset_read(ctx, sl, NULL, NULL, work) : NULL;
	GDALDatasetH hh = GDALOpenEx(FIX "households.geojson", GDAL_OF_VECTOR, NULL, NULL, NULL);
	long long points = hh ? OGR_L_GetFeatureCount(GDALDatasetGetLayer(hh, 0), 1) : -1;
	GDALClose(hh);
	if (r && p && s) {
		CHECK("result: the counts of the layers written",
		      r->primary.count == p->n && r->secondary.count == s->n && r->redraw_level == 0);
		CHECK("result: households read as OGR counts them, inside and outside",
		      (long long)r->points == points && r->outside == 0 &&
		      r->households == (double)points);
		CHECK("result: within the tolerance, no exception (as test_verb checks)",
		      r->secondary.outside_tolerance == 0 && r->nexceptions == 0 &&
		      r->secondary.max_deviation <= r->tolerance + 1e-9);
		check_result_grids(ctx, r, p, s);
		int sorted = r->nworst == 5;
		for (size_t k = 1; k < r->nworst; k++)
			sorted &= r->worst[k - 1].score >= r->worst[k].score &&
				  r->grids[r->worst[k].grid].level == 2;
		CHECK("result: the 5 worst secondaries, worst first", sorted);
		CHECK("result: the output written is named", r->output && !strcmp(r->output, out) &&
		      !r->table);
		report_buf rb;
		char *text = report_take(&rb, geo_split_report(r, 0, report_open(&rb)));
		char *json = report_take(&rb, geo_split_report(r, 1, report_open(&rb)));
		CHECK("result: the text report from the result",
		      text && strstr(text, "5 primary and 8 secondary grids from ") == text &&
		      strstr(text, "the 5 secondaries furthest from the floors"));
		check_result_json(r, json);
		free(text);
		free(json);
	}
	geo_gridset_free(p);
	geo_gridset_free(s);
	geo_crs_free(work);
	geo_split_result_free(r);
}

static void test_errors(geo_ctx *ctx, const char *dir)
{
	char out[512];
	snprintf(out, sizeof out, "%s/err.gpkg", dir);
	geo_split_opts o;
	fixture_opts(&o);
	o.secondaries = 4;
	CHECK("fewer secondaries than primaries is a usage error",
	      split_to(ctx, FIX "town.geojson", out, &o) == GEO_ERR_USAGE);
	fixture_opts(&o);
	o.primaries = 2;
	CHECK("fewer primaries than villages is a usage error",
	      split_to(ctx, FIX "town.geojson", out, &o) == GEO_ERR_USAGE);
	fixture_opts(&o);
	o.secondaries = 5000;
	CHECK("more grids than atoms can make is a usage error",
	      split_to(ctx, FIX "town.geojson", out, &o) == GEO_ERR_USAGE);
	fixture_opts(&o);
	CHECK("a line layer as the town is an input error",
	      split_to(ctx, FIX "roads.geojson", out, &o) == GEO_ERR_INPUT);
	fixture_opts(&o);
	o.households = NULL;
	CHECK("the balanced method without households is a usage error",
	      split_to(ctx, FIX "town.geojson", out, &o) == GEO_ERR_USAGE);
	CHECK("nothing is written after a failure", access(out, F_OK) != 0);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	char dir[] = "/tmp/test_split.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	test_partition(ctx);
	test_disconnected(ctx);
	test_cells(ctx);
	test_cells_postgis(ctx);
	test_cells_limits(ctx);
	test_cells_live(ctx);
	test_verb(ctx, dir);
	test_result(ctx, dir);
	test_errors(ctx, dir);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	geo_ctx_free(ctx);
	return check_done();
}
