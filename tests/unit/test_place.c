/*
** Unit tests of the point placer (place.c) against brute force with GEOS's
** own predicates: on a generated coverage of squares, triangles (diagonal
** shared edges), a grid with an island grid in its hole, a grid with an
** empty hole and a two-part grid, every located point must lie in the
** closed polygon of its grid, in its interior whenever some grid's interior
** holds it, and nowhere when no grid covers it. Points exactly on shared
** edges and vertices must go to one grid by the documented rule whatever the
** grids' order, and points on the town's outer boundary must be placed.
**
** grid-place's verb (geo_place) runs on a drawn tiling with random points,
** features without geometry and lines; its result's counts are checked
** against a count made here with GEOS's own predicates and distances, and
** against the written file read back with OGR, and its report is rendered
** from the one result as text and as JSON (which must parse and agree).
*/
#include "check.h"
#include "core/geo_internal.h"
#include "minijson.h"
#include "tiling.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N = 7, STEP = 100, NRANDOM = 4000 };
static const double X0 = 500000, Y0 = 4360000;

/* Lattice vertex (i, j); some interior vertices are moved so that some
** shared edges are diagonal. Integer coordinates keep edge points exact. */
static void vertex(int i, int j, double *x, double *y)
{
	int inner = i > 0 && j > 0 && i < N - 1 && j < N - 1;
	int move = inner && (i + j) % 3 == 0;
	*x = X0 + STEP * i + (move ? 24 * ((i % 2) ? 1 : -1) : 0);
	*y = Y0 + STEP * j + (move ? 16 : 0);
}

static void add_pt(geo_buf *b, int i, int j, int first)
{
	double x, y;
	vertex(i, j, &x, &y);
	geo_buf_printf(b, "%s%.0f %.0f", first ? "" : ", ", x, y);
}

/* The WKT of the test coverage, one string per grid. */
static size_t make_wkts(char **wkt)
{
	size_t n = 0;
	for (int i = 0; i < N - 1; i++)
		for (int j = 0; j < N - 1; j++) {
			geo_buf b;
			geo_buf_init(&b);
			if ((i == 0 && j == 5) || (i == 5 && j == 0))
				continue; /* the two parts of the multipolygon, below */
			if ((i * 7 + j) % 4 == 1 && !(i == 2 && j == 2) && !(i == 4 && j == 3)) {
				geo_buf_add(&b, "POLYGON((");
				add_pt(&b, i, j, 1), add_pt(&b, i + 1, j, 0), add_pt(&b, i + 1, j + 1, 0),
					add_pt(&b, i, j, 0);
				geo_buf_add(&b, "))");
				wkt[n++] = geo_buf_take(&b);
				geo_buf_add(&b, "POLYGON((");
				add_pt(&b, i, j, 1), add_pt(&b, i + 1, j + 1, 0), add_pt(&b, i, j + 1, 0),
					add_pt(&b, i, j, 0);
				geo_buf_add(&b, "))");
				wkt[n++] = geo_buf_take(&b);
				continue;
			}
			geo_buf_add(&b, "POLYGON((");
			add_pt(&b, i, j, 1), add_pt(&b, i + 1, j, 0), add_pt(&b, i + 1, j + 1, 0),
				add_pt(&b, i, j + 1, 0), add_pt(&b, i, j, 0);
			geo_buf_add(&b, ")");
			if ((i == 2 && j == 2) || (i == 4 && j == 3)) {
				double x, y;
				vertex(i, j, &x, &y);
				geo_buf_printf(&b, ", (%.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f)",
					       x + 30, y + 30, x + 30, y + 70, x + 70, y + 70, x + 70, y + 30,
					       x + 30, y + 30);
			}
			geo_buf_add(&b, ")");
			wkt[n++] = geo_buf_take(&b);
			if (i == 2 && j == 2) {
				double x, y;
				vertex(i, j, &x, &y);
				geo_buf_printf(&b, "POLYGON((%.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f))",
					       x + 30, y + 30, x + 70, y + 30, x + 70, y + 70, x + 30, y + 70,
					       x + 30, y + 30);
				wkt[n++] = geo_buf_take(&b);
			}
		}
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add(&b, "MULTIPOLYGON(((");
	add_pt(&b, 0, 5, 1), add_pt(&b, 1, 5, 0), add_pt(&b, 1, 6, 0), add_pt(&b, 0, 6, 0),
		add_pt(&b, 0, 5, 0);
	geo_buf_add(&b, ")),((");
	add_pt(&b, 5, 0, 1), add_pt(&b, 6, 0, 0), add_pt(&b, 6, 1, 0), add_pt(&b, 5, 1, 0),
		add_pt(&b, 5, 0, 0);
	geo_buf_add(&b, ")))");
	wkt[n++] = geo_buf_take(&b);
	return n;
}

/* A gridset holding the WKT in the order perm gives; ids name the WKT's
** position scrambled, so that id order is neither input nor WKT order. */
static geo_gridset *make_gridset(geo_ctx *ctx, char **wkt, size_t n, const size_t *perm)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSWKTReader *r = GEOSWKTReader_create_r(h);
	geo_gridset *gs = geo_calloc(ctx, 1, sizeof *gs);
	gs->geos = h;
	gs->n = n;
	gs->grids = geo_calloc(ctx, n, sizeof *gs->grids);
	for (size_t k = 0; k < n; k++) {
		size_t i = perm[k];
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "g%03zu", (i * 37) % 101);
		gs->grids[k].id = geo_buf_take(&b);
		gs->grids[k].parent_id = geo_strdup(ctx, "");
		gs->grids[k].name = geo_strdup(ctx, "");
		gs->grids[k].geom = GEOSWKTReader_read_r(h, r, wkt[i]);
	}
	GEOSWKTReader_destroy_r(h, r);
	return gs;
}

/* What GEOS says about a point: the grids whose closed polygon holds it and
** those whose interior does. */
typedef struct truth {
	long cover[8], inside[8];
	size_t ncover, ninside;
} truth;

static truth brute(geo_ctx *ctx, const geo_gridset *gs, const GEOSPreparedGeometry **prep,
		   double x, double y)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
	truth t = { { 0 }, { 0 }, 0, 0 };
	for (size_t g = 0; g < gs->n; g++) {
		if (GEOSPreparedIntersects_r(h, prep[g], pt) && t.ncover < 8)
			t.cover[t.ncover++] = (long)g;
		if (GEOSPreparedContains_r(h, prep[g], pt) && t.ninside < 8)
			t.inside[t.ninside++] = (long)g;
	}
	GEOSGeom_destroy_r(h, pt);
	return t;
}

static int has(const long *list, size_t n, long g)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == g)
			return 1;
	return 0;
}

/* Test points: random ones over and around the coverage, every vertex, and
** points exactly on every edge at 1/4, 1/2, 3/4 of its length. */
static size_t make_points(const geo_gridset *gs, GEOSContextHandle_t h, double *xs, double *ys,
			  size_t cap)
{
	size_t n = 0;
	unsigned int seed = 12345;
	for (int k = 0; k < NRANDOM && n < cap; k++, n++) {
		xs[n] = X0 - 60 + (rand_r(&seed) / (double)RAND_MAX) * (STEP * (N - 1) + 120);
		ys[n] = Y0 - 60 + (rand_r(&seed) / (double)RAND_MAX) * (STEP * (N - 1) + 120);
	}
	for (size_t g = 0; g < gs->n; g++) {
		GEOSGeometry *b = GEOSBoundary_r(h, gs->grids[g].geom);
		GEOSGeometry *pts = GEOSGeom_extractUniquePoints_r(h, b);
		for (int i = 0; i < GEOSGetNumGeometries_r(h, pts) && n < cap; i++, n++)
			GEOSGeomGetX_r(h, GEOSGetGeometryN_r(h, pts, i), &xs[n]),
				GEOSGeomGetY_r(h, GEOSGetGeometryN_r(h, pts, i), &ys[n]);
		GEOSGeom_destroy_r(h, pts);
		GEOSGeom_destroy_r(h, b);
		const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, gs->grids[g].geom);
		if (!ring)
			continue; /* the multipolygon: its vertices are enough */
		const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, ring);
		unsigned int m = 0;
		GEOSCoordSeq_getSize_r(h, s, &m);
		for (unsigned int i = 0; i + 1 < m; i++) {
			double ax, ay, bx, by;
			GEOSCoordSeq_getXY_r(h, s, i, &ax, &ay);
			GEOSCoordSeq_getXY_r(h, s, i + 1, &bx, &by);
			for (int q = 1; q <= 3 && n < cap; q++, n++) {
				xs[n] = ax + (bx - ax) * q / 4;
				ys[n] = ay + (by - ay) * q / 4;
			}
		}
	}
	return n;
}

static void test_against_geos(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	char *wkt[128];
	size_t n = make_wkts(wkt), perm[128], rev[128];
	for (size_t i = 0; i < n; i++)
		perm[i] = i, rev[i] = n - 1 - i;
	geo_gridset *gs = make_gridset(ctx, wkt, n, perm);
	geo_gridset *gr = make_gridset(ctx, wkt, n, rev);
	geo_placer *p = geo_placer_new(ctx, gs), *pr = geo_placer_new(ctx, gr);
	CHECK("placer builds", p && pr);
	const GEOSPreparedGeometry *prep[128];
	for (size_t g = 0; g < n; g++)
		prep[g] = GEOSPrepare_r(h, gs->grids[g].geom);

	size_t cap = NRANDOM + 4000;
	double *xs = calloc(cap, sizeof *xs), *ys = calloc(cap, sizeof *ys);
	size_t np = make_points(gs, h, xs, ys, cap);
	size_t bad_cover = 0, bad_inside = 0, bad_outside = 0, bad_order = 0, bad_all = 0;
	size_t on_boundary = 0, outer = 0, outer_placed = 0, vertical = 0, bad_vertical = 0;
	size_t horizontal = 0, bad_horizontal = 0;
	for (size_t k = 0; k < np; k++) {
		double x = xs[k], y = ys[k];
		truth t = brute(ctx, gs, prep, x, y);
		long g = geo_placer_locate(p, x, y), gr_i = geo_placer_locate(pr, x, y);
		if (t.ncover == 0 && g != -1)
			bad_outside++;
		if (t.ncover > 0 && !has(t.cover, t.ncover, g))
			bad_cover++;
		if (t.ninside > 0 && !has(t.inside, t.ninside, g))
			bad_inside++;
		const char *id = g >= 0 ? gs->grids[g].id : "";
		const char *id_r = gr_i >= 0 ? gr->grids[gr_i].id : "";
		if (strcmp(id, id_r))
			bad_order++;
		long all[8];
		size_t na = geo_placer_all(p, x, y, all, 8);
		if (t.ninside ? na != t.ninside : na != (g >= 0))
			bad_all++;
		if (t.ninside == 0 && t.ncover > 0) {
			on_boundary++;
			if (t.ncover == 1) {
				outer++;
				outer_placed += g == t.cover[0];
			}
			/* On a vertical shared edge the grid to the right wins, on a
			** horizontal one the grid above. */
			truth right = brute(ctx, gs, prep, x + 0.5, y), above = brute(ctx, gs, prep, x, y + 0.5);
			truth left = brute(ctx, gs, prep, x - 0.5, y), below = brute(ctx, gs, prep, x, y - 0.5);
			if (t.ncover == 2 && right.ninside == 1 && left.ninside == 1 &&
			    right.inside[0] != left.inside[0] && fmod(x - X0, STEP) == 0) {
				vertical++;
				bad_vertical += g != right.inside[0];
			}
			if (t.ncover == 2 && above.ninside == 1 && below.ninside == 1 &&
			    above.inside[0] != below.inside[0] && fmod(y - Y0, STEP) == 0) {
				horizontal++;
				bad_horizontal += g != above.inside[0];
			}
		}
	}
	printf("# %zu points, %zu on boundaries, %zu on the outer boundary, %zu on vertical and "
	       "%zu on horizontal shared edges\n", np, on_boundary, outer, vertical, horizontal);
	CHECK("many test points lie exactly on boundaries", on_boundary > 500);
	CHECK("points outside every grid are not placed", bad_outside == 0);
	CHECK("every placed point lies in its grid's closed polygon", bad_cover == 0);
	CHECK("a point inside a grid's interior goes to that grid", bad_inside == 0);
	CHECK("the grids' order does not change any placement", bad_order == 0);
	CHECK("geo_placer_all: the interior grids, else the one located", bad_all == 0);
	long *many = calloc(np, sizeof *many);
	size_t bad_many = 0;
	geo_placer_locate_many(p, np, xs, ys, many);
	for (size_t k = 0; k < np; k++)
		bad_many += many[k] != geo_placer_locate(p, xs[k], ys[k]);
	CHECK("geo_placer_locate_many gives what geo_placer_locate gives", bad_many == 0);
	free(many);
	CHECK("every point on the outer boundary goes to its grid", outer > 50 && outer == outer_placed);
	CHECK("a point on a vertical shared edge goes to the grid on its right",
	      vertical > 10 && bad_vertical == 0);
	CHECK("a point on a horizontal shared edge goes to the grid above it",
	      horizontal > 10 && bad_horizontal == 0);

	free(xs);
	free(ys);
	for (size_t g = 0; g < n; g++)
		GEOSPreparedGeom_destroy_r(h, prep[g]);
	geo_placer_free(p);
	geo_placer_free(pr);
	geo_gridset_free(gs);
	geo_gridset_free(gr);
	for (size_t i = 0; i < n; i++)
		free(wkt[i]);
}

/* Two named situations: the island in the hole of grid (2, 2), and the empty
** hole of grid (4, 3). */
static void test_holes(geo_ctx *ctx)
{
	char *wkt[128];
	size_t n = make_wkts(wkt), perm[128];
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	geo_gridset *gs = make_gridset(ctx, wkt, n, perm);
	geo_placer *p = geo_placer_new(ctx, gs);
	double x, y;
	vertex(2, 2, &x, &y);
	long outer = geo_placer_locate(p, x + 10, y + 10), island = geo_placer_locate(p, x + 50, y + 50);
	CHECK("the island and its surrounding grid are different grids",
	      outer >= 0 && island >= 0 && outer != island);
	CHECK("the island's left edge belongs to the island", geo_placer_locate(p, x + 30, y + 50) == island);
	CHECK("the island's right edge belongs to the surrounding grid",
	      geo_placer_locate(p, x + 70, y + 50) == outer);
	vertex(4, 3, &x, &y);
	CHECK("a point in an empty hole is in no grid", geo_placer_locate(p, x + 50, y + 50) == -1);
	long holed = geo_placer_locate(p, x + 10, y + 10);
	CHECK("the empty hole's right edge belongs to the holed grid",
	      holed >= 0 && geo_placer_locate(p, x + 70, y + 50) == holed);
	CHECK("the empty hole's left edge belongs to the holed grid",
	      geo_placer_locate(p, x + 30, y + 50) == holed);
	long all[4];
	CHECK("no grid holds a point in the empty hole", geo_placer_all(p, x + 50, y + 50, all, 4) == 0);
	CHECK("far outside: no grid", geo_placer_locate(p, 0, 0) == -1 && geo_placer_locate(p, NAN, 1) == -1);
	vertex(N - 1, N - 1, &x, &y);
	CHECK("the town's top-right corner is placed", geo_placer_locate(p, x, y) >= 0);
	geo_placer_free(p);
	geo_gridset_free(gs);
	for (size_t i = 0; i < n; i++)
		free(wkt[i]);
}

/* Overlapping grids: the interior of both counts twice in geo_placer_all;
** locate picks the grid_id that sorts first. */
static void test_overlap(geo_ctx *ctx)
{
	char *wkt[] = { "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))", "POLYGON((5 0, 15 0, 15 10, 5 10, 5 0))",
			"POLYGON EMPTY" };
	size_t perm[] = { 0, 1, 2 };
	geo_gridset *gs = make_gridset(ctx, wkt, 3, perm);
	geo_placer *p = geo_placer_new(ctx, gs);
	long all[4];
	CHECK("a point in an overlap is held by two grids", geo_placer_all(p, 7, 5, all, 4) == 2);
	long first = strcmp(gs->grids[0].id, gs->grids[1].id) < 0 ? 0 : 1;
	CHECK("locate picks the first grid_id in an overlap", geo_placer_locate(p, 7, 5) == first);
	CHECK("outside the overlap, one grid", geo_placer_all(p, 2, 5, all, 4) == 1 && all[0] == 0);
	CHECK("cap limits what is filled, not the count", geo_placer_all(p, 7, 5, all, 1) == 2);
	geo_placer_free(p);
	geo_gridset_free(gs);

	geo_gridset empty = { 0 };
	geo_placer *pe = geo_placer_new(ctx, &empty);
	CHECK("a placer over no grids places nothing", pe && geo_placer_locate(pe, 1, 1) == -1 &&
							     geo_placer_all(pe, 1, 1, all, 4) == 0);
	geo_placer_free(pe);
	geo_placer_free(NULL);
}

/* ---- the verb ---------------------------------------------------------------- */

enum { VERB_POINTS = 400, VERB_NO_GEOMETRY = 3, VERB_LISTED = 20 };
#define VERB_CELL 100.0
#define VERB_NEAR 25.0

static const char *const verb_rows[] = { "AAB", "CCB", ".DD", NULL };

/* What the test expects of the verb, counted with GEOS. */
typedef struct verb_truth {
	long long placed, near, unplaced;
	long long unplaced_fid[VERB_LISTED];
} verb_truth;

/* Where point k goes: 1 inside some grid, 2 within VERB_NEAR of one, 0 neither. */
static int point_class(GEOSContextHandle_t h, GEOSGeometry *const *grids, size_t n, double x,
		       double y)
{
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
	int c = 0;
	for (size_t g = 0; g < n && c != 1; g++) {
		double d;
		if (GEOSContains_r(h, grids[g], pt) == 1)
			c = 1;
		else if (GEOSDistance_r(h, grids[g], pt, &d) && d <= VERB_NEAR)
			c = 2;
	}
	GEOSGeom_destroy_r(h, pt);
	return c;
}

static void count_point(verb_truth *t, int cls, long long fid)
{
	if (cls == 1)
		t->placed++;
	else if (cls == 2)
		t->placed++, t->near++;
	else if (t->unplaced++ < VERB_LISTED)
		t->unplaced_fid[t->unplaced - 1] = fid;
}

/* Points over the tiling and 60 m around it (coordinates off the cell
** edges), then features without geometry, then two lines inside the grids.
** A GeoJSON file numbers its features from 0; libgeo names them from 1
** (geo_input_number), so FIDs are positions plus one. */
static verb_truth write_features(GEOSContextHandle_t h, const char *path)
{
	GEOSGeometry *grids[8];
	size_t n = 0;
	for (char l = 'A'; l <= 'D'; l++)
		grids[n++] = tiling_grid(h, verb_rows, l, VERB_CELL);
	verb_truth t = { 0 };
	FILE *f = fopen(path, "w");
	tiling_open(f);
	unsigned int seed = 7;
	long long fid = 1;
	for (int k = 0; k < VERB_POINTS; k++, fid++) {
		double x = TILING_X0 - 60 + 0.013 + (rand_r(&seed) % 41999) / 100.0;
		double y = TILING_Y0 - 360 + 0.017 + (rand_r(&seed) % 41999) / 100.0;
		fprintf(f, "%s{\"type\": \"Feature\", \"properties\": {\"k\": %d}, \"geometry\": "
			   "{\"type\": \"Point\", \"coordinates\": [%.3f, %.3f]}}\n",
			k ? "," : "", k, x, y);
		count_point(&t, point_class(h, grids, n, x, y), fid);
	}
	for (int k = 0; k < VERB_NO_GEOMETRY; k++, fid++) {
		fprintf(f, ",{\"type\": \"Feature\", \"properties\": {\"k\": %d}, \"geometry\": null}\n", k);
		count_point(&t, 0, fid);
	}
	fprintf(f, ",{\"type\": \"Feature\", \"properties\": {\"k\": 0}, \"geometry\": {\"type\": "
		   "\"LineString\", \"coordinates\": [[%.1f, %.1f], [%.1f, %.1f]]}}\n",
		TILING_X0 + 10, TILING_Y0 - 50, TILING_X0 + 190, TILING_Y0 - 60);
	fprintf(f, ",{\"type\": \"Feature\", \"properties\": {\"k\": 1}, \"geometry\": {\"type\": "
		   "\"LineString\", \"coordinates\": [[%.1f, %.1f], [%.1f, %.1f]]}}\n",
		TILING_X0 + 150, TILING_Y0 - 250, TILING_X0 + 280, TILING_Y0 - 250);
	t.placed += 2;
	fputs("]}\n", f);
	fclose(f);
	for (size_t g = 0; g < n; g++)
		GEOSGeom_destroy_r(h, grids[g]);
	return t;
}

/* The report rendered to a string. */
static char *render(const geo_place_result *r, int json)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	geo_err e = geo_place_report(r, json, f);
	fclose(f);
	if (e) {
		free(text);
		return NULL;
	}
	return text;
}

static mj *parse_json(const char *text)
{
	const char *p = text;
	mj *v = text ? mj_value(&p) : NULL;
	if (v)
		mj_ws(&p);
	if (v && *p) {
		mj_free(v);
		return NULL;
	}
	return v;
}

static double json_count(const mj *j, const char *key)
{
	const mj *v = mj_get(mj_get(j, "counts"), key);
	return v && v->type == MJ_NUM ? v->num : -1;
}

/* The JSON report says what the result says. */
static void check_json(const geo_place_result *r)
{
	char *text = render(r, 1);
	mj *j = parse_json(text);
	CHECK("the JSON report parses", j && j->type == MJ_OBJ);
	CHECK("JSON counts equal the result's",
	      json_count(j, "features") == r->features && json_count(j, "points") == r->points &&
		      json_count(j, "lines") == r->lines && json_count(j, "placed") == r->placed &&
		      json_count(j, "unplaced") == r->unplaced && json_count(j, "near") == r->near &&
		      json_count(j, "no_geometry") == r->no_geometry &&
		      json_count(j, "written") == r->written);
	const mj *un = mj_get(j, "unplaced"), *near = mj_get(j, "near"), *g = mj_get(j, "grids");
	CHECK("JSON lists the unplaced and near features the result lists",
	      un && un->n == r->nunplaced_listed && near && near->n == r->nnear_listed &&
		      (!un->n || un->items[0]->num == r->unplaced_listed[0]));
	CHECK("JSON names the grids file and count", g && g->num == r->grids &&
		      mj_get(j, "grids_file") && !strcmp(mj_get(j, "grids_file")->str, r->grids_file));
	mj_free(j);
	free(text);
}

static void check_text(const geo_place_result *r)
{
	char *text = render(r, 0), want[64];
	snprintf(want, sizeof want, "Placed: %lld\n", r->placed);
	CHECK("the text report says the placed count", text && strstr(text, want));
	snprintf(want, sizeof want, "Unplaced: %lld (features %lld ", r->unplaced,
		 r->nunplaced_listed ? r->unplaced_listed[0] : -1);
	CHECK("the text report names the first unplaced feature", text && strstr(text, want));
	CHECK("the text report has no JSON", text && text[0] != '{');
	free(text);
}

/* The features written, read back with OGR. */
static long long written_features(const char *path)
{
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	long long n = ds ? (long long)OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE) : -1;
	if (ds)
		GDALClose(ds);
	return n;
}

static void check_result(const geo_place_result *r, const verb_truth *t, const char *out)
{
	long long all = VERB_POINTS + VERB_NO_GEOMETRY + 2;
	CHECK("features, points, lines counted", r->features == all && r->points == VERB_POINTS &&
							r->lines == 2 && r->polygons == 0 &&
							r->no_geometry == VERB_NO_GEOMETRY);
	CHECK("4 grids of level 1", r->grids == 4 && r->level == 1 && !r->both_levels);
	CHECK("placed as GEOS counts (inside or within 25 m)", r->placed == t->placed);
	CHECK("near as GEOS counts", r->near == t->near);
	CHECK("unplaced as GEOS counts", r->unplaced == t->unplaced);
	size_t same = 0;
	for (size_t i = 0; i < r->nunplaced_listed && i < VERB_LISTED; i++)
		same += r->unplaced_listed[i] == t->unplaced_fid[i];
	CHECK("the first 20 unplaced FIDs listed, in order",
	      r->nunplaced_listed == (size_t)(t->unplaced < VERB_LISTED ? t->unplaced : VERB_LISTED) &&
		      same == r->nunplaced_listed);
	int near_ok = r->nnear_listed > 0;
	for (size_t i = 0; i < r->nnear_listed; i++)
		near_ok &= r->near_listed[i].distance_m > 0 && r->near_listed[i].distance_m <= VERB_NEAR &&
			   strlen(r->near_listed[i].grid_id) == 12;
	CHECK("near features listed with a grid and a distance within 25 m", near_ok);
	CHECK("every feature written, as OGR reads back",
	      r->written == all && written_features(out) == all);
	CHECK("the output path recorded", r->output && !strcmp(r->output, out) && !r->unplaced_output);
}

static void test_verb(geo_ctx *ctx)
{
	char dir[] = "/tmp/test_place.XXXXXX", grids[64], feats[64], out[64], sum[64];
	if (!mkdtemp(dir))
		return;
	snprintf(grids, sizeof grids, "%s/grids.geojson", dir);
	snprintf(feats, sizeof feats, "%s/features.geojson", dir);
	snprintf(out, sizeof out, "%s/out.gpkg", dir);
	snprintf(sum, sizeof sum, "%s/sum.csv", dir);
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	verb_truth t = write_features(h, feats);
	CHECK("write the tiling", !tiling_write(h, grids, verb_rows, VERB_CELL, 0));
	geo_place_opts o;
	geo_place_opts_init(&o);
	o.common.output = out;
	o.summary = sum;
	o.max_distance = VERB_NEAR;
	o.common.strict = 1;
	geo_place_result *r = NULL;
	geo_err e = geo_place(ctx, grids, feats, &o, &r, NULL, NULL);
	CHECK("strict with unplaced features: GEO_PROBLEMS and a result", e == GEO_PROBLEMS && r);
	if (r) {
		check_result(r, &t, out);
		check_json(r);
		check_text(r);
	}
	geo_place_result_free(r);
	o.common.out.overwrite = 1;
	e = geo_place(ctx, "/nonexistent/grids.gpkg", feats, &o, &r, NULL, NULL);
	CHECK("an error gives no result", e && e != GEO_PROBLEMS && !r);
	geo_place_result_free(NULL);
	check_remove_dir(dir);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	test_against_geos(ctx);
	test_holes(ctx);
	test_overlap(ctx);
	test_verb(ctx);
	geo_ctx_free(ctx);
	return check_done();
}
