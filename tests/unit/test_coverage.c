/*
** Unit tests of grid-check's geometric checks (coverage.c, arrange.c) on grid
** sets built in memory. Every expectation is computed independently with
** plain GEOS overlay (pairwise intersections for overlaps; the town, or the
** grids' outline with its holes filled, minus the union for gaps), never with
** the arrangement under test. The GEOS coverage unit vectors
** ($EXT/geos/unit-vectors) run as data: each case's polygons are checked and
** compared with that independent computation, and the count of each kind is
** pinned by a table that records where grid-check's area-based rules differ
** from GEOS's edge-matching ones (an unmatched but collinear edge is fine
** here; a gap open to the outside is found only with a boundary).
*/
#include "check.h"
#include "geo.h"
#include "core/geo_internal.h"
#include "minijson.h"
#include "tiling.h"

#include <string.h>

#include <cpl_string.h>

static geo_ctx *ctx;
static GEOSContextHandle_t h;

/* ---- building grid sets ---------------------------------------------------- */

static geo_gridset *gridset(GEOSGeometry **geoms, size_t n)
{
	geo_gridset *gs = calloc(1, sizeof *gs);
	gs->n = n;
	gs->grids = calloc(n + 1, sizeof *gs->grids);
	gs->geos = h;
	gs->crs = geo_crs_new(ctx, "EPSG:3857");
	gs->source_crs = geo_crs_new(ctx, "EPSG:3857");
	for (size_t i = 0; i < n; i++) {
		char code[48];
		snprintf(code, sizeof code, "120114105001%02u", (unsigned)(i + 1) % 100);
		gs->grids[i].id = strdup(code);
		gs->grids[i].parent_id = strdup("120114105001");
		gs->grids[i].name = strdup("");
		gs->grids[i].level = 2;
		gs->grids[i].fid = (long long)i + 1;
		gs->grids[i].geom = geoms[i];
		gs->grids[i].households = -1;
	}
	return gs;
}

static GEOSGeometry *wkt(const char *text)
{
	GEOSWKTReader *r = GEOSWKTReader_create_r(h);
	GEOSGeometry *g = GEOSWKTReader_read_r(h, r, text);
	GEOSWKTReader_destroy_r(h, r);
	return g;
}

static void opts(geo_check_opts *o)
{
	geo_check_opts_init(o);
	o->min_area = 1e-9;
	o->sliver = 0;
}

static size_t count(const geo_check_result *r, geo_problem_type t)
{
	return r ? r->count[t] : 0;
}

/* ---- the independent computation ------------------------------------------ */

struct region {
	double area;
	long a, b;              /* the two grids of an overlap */
};

static int by_area(const void *p, const void *q)
{
	double a = ((const struct region *)p)->area, b = ((const struct region *)q)->area;
	return a < b ? -1 : a > b;
}

/* Adds each polygon of g with area over tiny. */
static size_t add_parts(const GEOSGeometry *g, long a, long b, struct region *out, size_t n)
{
	int parts = g ? GEOSGetNumGeometries_r(h, g) : 0;
	for (int i = 0; i < parts; i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		int t = GEOSGeomTypeId_r(h, p);
		if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
			n = add_parts(p, a, b, out, n);
			continue;
		}
		double area = 0;
		if (t == GEOS_POLYGON && GEOSArea_r(h, p, &area) && area > 1e-9 && n < 256)
			out[n++] = (struct region){ area, a, b };
	}
	return n;
}

static size_t pairwise_overlaps(geo_gridset *gs, struct region *out)
{
	size_t n = 0;
	for (size_t i = 0; i < gs->n; i++)
		for (size_t j = i + 1; j < gs->n; j++) {
			const GEOSGeometry *a = gs->grids[i].geom, *b = gs->grids[j].geom;
			if (!a || !b || GEOSisEmpty_r(h, a) || GEOSisEmpty_r(h, b))
				continue;
			GEOSGeometry *x = GEOSIntersection_r(h, a, b);
			n = add_parts(x, (long)i, (long)j, out, n);
			GEOSGeom_destroy_r(h, x);
		}
	qsort(out, n, sizeof *out, by_area);
	return n;
}

static GEOSGeometry *union_all(geo_gridset *gs)
{
	GEOSGeometry **v = calloc(gs->n + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < gs->n; i++)
		if (gs->grids[i].geom && !GEOSisEmpty_r(h, gs->grids[i].geom))
			v[k++] = GEOSGeom_clone_r(h, gs->grids[i].geom);
	GEOSGeometry *c = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, v, (unsigned)k);
	free(v);
	GEOSGeometry *u = GEOSUnaryUnion_r(h, c);
	GEOSGeom_destroy_r(h, c);
	return u;
}

/* The region g encloses: every face of the polygonized boundary of g, so
** polygons touching at points also enclose what lies between them. */
static GEOSGeometry *filled(const GEOSGeometry *g)
{
	GEOSGeometry *lines = GEOSBoundary_r(h, g);
	GEOSGeometry *b = lines ? GEOSUnaryUnion_r(h, lines) : NULL; /* noded */
	const GEOSGeometry *in[1] = { b };
	GEOSGeometry *faces = b ? GEOSPolygonize_r(h, in, 1) : NULL;
	GEOSGeometry *u = faces ? GEOSUnaryUnion_r(h, faces) : NULL;
	GEOSGeom_destroy_r(h, faces);
	GEOSGeom_destroy_r(h, b);
	GEOSGeom_destroy_r(h, lines);
	return u;
}

/* Gaps: town (or the filled outline) minus the union of the grids. */
static size_t independent_gaps(geo_gridset *gs, const GEOSGeometry *town, struct region *out)
{
	GEOSGeometry *u = union_all(gs);
	GEOSGeometry *ref = town ? GEOSGeom_clone_r(h, town) : filled(u);
	GEOSGeometry *d = GEOSDifference_r(h, ref, u);
	size_t n = add_parts(d, -1, -1, out, 0);
	GEOSGeom_destroy_r(h, d);
	GEOSGeom_destroy_r(h, ref);
	GEOSGeom_destroy_r(h, u);
	qsort(out, n, sizeof *out, by_area);
	return n;
}

static size_t reported(const geo_check_result *r, geo_problem_type t, struct region *out)
{
	size_t n = 0;
	for (size_t i = 0; r && i < r->n; i++)
		if (r->problems[i].type == t && n < 256)
			out[n++] = (struct region){ r->problems[i].area_m2,
						    r->problems[i].ngrids > 0 ? r->problems[i].index[0] : -1,
						    r->problems[i].ngrids > 1 ? r->problems[i].index[1] : -1 };
	qsort(out, n, sizeof *out, by_area);
	return n;
}

/* Same count and, sorted by area, the same areas (to 1e-5 relative): the
** arrangement is noded by snap rounding to GEO_CHECK_EPS (1e-6 m), so a
** crossing's vertex may move by half that. */
static int same_regions(const struct region *a, size_t na, const struct region *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (fabs(a[i].area - b[i].area) > 1e-5 * fmax(1, a[i].area))
			return 0;
	return 1;
}

/* Checks gs against town and compares overlaps and gaps with the
** independent computation; returns the result for more checks. */
static geo_check_result *check_against(const char *name, geo_gridset *gs, GEOSGeometry *town)
{
	geo_check_opts o;
	opts(&o);
	geo_check_result *r = NULL;
	geo_err e = geo_check_gridset(ctx, gs, town, NULL, &o, &r);
	char desc[256];
	snprintf(desc, sizeof desc, "%s: the check runs", name);
	CHECK(desc, e == GEO_OK || e == GEO_PROBLEMS);
	static struct region want[256], got[256];
	size_t nw = pairwise_overlaps(gs, want), ng = reported(r, GEO_PROBLEM_OVERLAP, got);
	snprintf(desc, sizeof desc, "%s: overlaps as pairwise intersection finds them (%zu)", name, nw);
	CHECK(desc, same_regions(want, nw, got, ng));
	if (!same_regions(want, nw, got, ng))
		for (size_t i = 0; i < nw || i < ng; i++)
			printf("     overlap %zu: got %.12g, want %.12g\n", i, i < ng ? got[i].area : -1,
			       i < nw ? want[i].area : -1);
	nw = independent_gaps(gs, town, want);
	ng = reported(r, GEO_PROBLEM_GAP, got);
	snprintf(desc, sizeof desc, "%s: gaps as the difference finds them (%zu)", name, nw);
	CHECK(desc, same_regions(want, nw, got, ng));
	if (!same_regions(want, nw, got, ng))
		for (size_t i = 0; i < nw || i < ng; i++)
			printf("     gap %zu: got %.12g, want %.12g\n", i, i < ng ? got[i].area : -1,
			       i < nw ? want[i].area : -1);
	return r;
}

/* ---- the GEOS coverage unit vectors ------------------------------------------ */

/* Where grid-check's rules differ from GEOS's, the case's outcome is pinned:
** problems: the number found without a boundary (-1: not pinned, the
** independent computation decides); bounded_gaps: gaps found with the
** polygons' envelope as the town (-1: not run). */
struct pinned {
	const char *file;
	int test;
	int problems, bounded_gaps;
	const char *why;
};

static const struct pinned pins[] = {
	{ "CoverageValidatorTest", 1, 0, -1, "collinear but unmatched edges tile exactly" },
	{ "CoverageValidatorTest", 3, 1, 1, "an enclosed gap" },
	{ "CoverageValidatorTest", 4, 0, 1, "a gap open to the outside needs a boundary" },
	{ "CoverageValidatorTest", 5, 0, 1, "a gore open to the outside needs a boundary" },
	{ "CoverageValidatorTest", 10, 0, 0, "a clean grid" },
	{ "CoverageValidatorTest", 11, 2, -1, "two grids in two parts each: multipart" },
	{ "CoverageValidatorTest", 13, 1, -1, "a collapsed ring: invalid, nothing left of it" },
	{ "CoverageValidatorTest", 14, 1, -1, "an empty polygon" },
	{ "CoverageValidatorTest", 15, 0, -1, "an empty part does not make a grid multipart" },
	{ "CoveragePolygonValidatorTest", 1, 0, -1, "collinear but unmatched edges tile exactly" },
	{ "CoveragePolygonValidatorTest", 6, 0, -1, "a vertex touching an edge leaves no area" },
	{ "CoveragePolygonValidatorTest", 7, 0, -1, "a vertex touching an edge leaves no area" },
	{ "CoveragePolygonValidatorTest", 20, 0, 1, "a gap open to the outside needs a boundary" },
	{ "CoveragePolygonValidatorTest", 21, 0, 0, "matched edges" },
	{ "CoveragePolygonValidatorTest", 22, 0, -1, "rings in either orientation" },
	{ "CoveragePolygonValidatorTest", 23, 0, -1, "repeated vertices" },
	{ "CoveragePolygonValidatorTest", 24, 0, -1, "repeated vertices" },
};

static const struct pinned *pin_of(const char *file, int test)
{
	for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++)
		if (strstr(file, pins[i].file) && pins[i].test == test &&
		    (strlen(file) == strlen(pins[i].file) + 5))
			return &pins[i];
	return NULL;
}

/* Appends g's polygons as separate grids (split) or g whole. */
static void add_grid(GEOSGeometry **v, size_t *n, GEOSGeometry *g, int split)
{
	if (split && g && GEOSGeomTypeId_r(h, g) == GEOS_MULTIPOLYGON) {
		for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
			v[(*n)++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, g, i));
		GEOSGeom_destroy_r(h, g);
	} else {
		v[(*n)++] = g; /* NULL when GEOS cannot read it: a grid without geometry */
	}
}

/* The polygons of one call: every WKT argument but the expected result. */
static size_t call_grids(const mj *call, GEOSGeometry **v, int polygon_validator)
{
	const mj *fn = mj_get(call, "fn"), *args = mj_get(call, "args");
	int has_expected = fn && fn->str && strncmp(fn->str, "checkValid", 10) != 0;
	size_t n = 0, last = args ? args->n - (has_expected ? 1 : 0) : 0;
	for (size_t i = 0; i < last; i++) {
		const mj *a = args->items[i];
		if (a->type == MJ_STR)
			add_grid(v, &n, wkt(a->str), polygon_validator && i > 0);
		for (size_t k = 0; a->type == MJ_ARR && k < a->n && n < 60; k++)
			if (a->items[k]->type == MJ_STR)
				add_grid(v, &n, wkt(a->items[k]->str), 0);
	}
	return n;
}

static GEOSGeometry *envelope_of(geo_gridset *gs)
{
	GEOSGeometry *u = union_all(gs);
	GEOSGeometry *e = GEOSEnvelope_r(h, u);
	GEOSGeom_destroy_r(h, u);
	return e;
}

static void run_vector(const char *file, const mj *entry)
{
	const mj *test = mj_get(entry, "test"), *name = mj_get(entry, "name"),
		 *calls = mj_get(entry, "calls");
	int polygon_validator = strstr(file, "PolygonValidator") != NULL;
	for (size_t c = 0; calls && c < calls->n; c++) {
		GEOSGeometry *v[64];
		size_t n = call_grids(calls->items[c], v, polygon_validator);
		char label[256];
		snprintf(label, sizeof label, "%s %d %s", file, test ? (int)test->num : 0,
			 name && name->str ? name->str : "");
		geo_gridset *gs = gridset(v, n);
		geo_check_result *r = check_against(label, gs, NULL);
		const struct pinned *p = pin_of(file, test ? (int)test->num : 0);
		if (p && p->problems >= 0) {
			char desc[512];
			snprintf(desc, sizeof desc, "%s: %d problem(s): %s", label, p->problems, p->why);
			CHECK(desc, r && r->n == (size_t)p->problems);
		}
		geo_check_result_free(r);
		if (p && p->bounded_gaps >= 0) {
			char desc[512];
			snprintf(desc, sizeof desc, "%s, within its envelope", label);
			GEOSGeometry *town = envelope_of(gs);
			r = check_against(desc, gs, town);
			snprintf(desc, sizeof desc, "%s: %d gap(s) within the envelope", label,
				 p->bounded_gaps);
			CHECK(desc, count(r, GEO_PROBLEM_GAP) == (size_t)p->bounded_gaps);
			geo_check_result_free(r);
			GEOSGeom_destroy_r(h, town);
		}
		geo_gridset_free(gs);
	}
}

static void test_vectors(const char *ext)
{
	static const char *files[] = { "CoverageValidatorTest", "CoveragePolygonValidatorTest" };
	for (size_t f = 0; f < 2; f++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/geos/unit-vectors/%s.json", ext, files[f]);
		mj *doc = mj_read_file(path);
		if (!doc) {
			CHECK_SKIP(files[f], "the GEOS unit vectors are not there");
			continue;
		}
		for (size_t i = 0; doc->type == MJ_ARR && i < doc->n; i++)
			run_vector(files[f], doc->items[i]);
		mj_free(doc);
	}
}

/* CoverageGapFinderTest: the gap GEOS finds is the one grid-check reports. */
static void test_gap_finder(const char *ext)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/geos/unit-vectors/CoverageGapFinderTest.json", ext);
	mj *doc = mj_read_file(path);
	if (!doc) {
		CHECK_SKIP("CoverageGapFinderTest", "the GEOS unit vectors are not there");
		return;
	}
	for (size_t i = 0; doc->type == MJ_ARR && i < doc->n; i++) {
		const mj *calls = mj_get(doc->items[i], "calls");
		const mj *args = calls && calls->n ? mj_get(calls->items[0], "args") : NULL;
		if (!args || args->n < 3)
			continue;
		GEOSGeometry *v[64];
		size_t n = 0;
		add_grid(v, &n, wkt(args->items[0]->str), 1);
		GEOSGeometry *want = wkt(args->items[2]->str);
		geo_gridset *gs = gridset(v, n);
		geo_check_result *r = check_against("CoverageGapFinderTest", gs, NULL);
		double area = 0;
		GEOSArea_r(h, want, &area);
		const geo_problem *p = r && r->n == 1 ? &r->problems[0] : NULL;
		CHECK("CoverageGapFinderTest: one gap", p && p->type == GEO_PROBLEM_GAP);
		CHECK_NEAR("CoverageGapFinderTest: the expected gap's area", p ? p->area_m2 : 0, area,
			   1e-9);
		GEOSGeometry *pt = p ? GEOSGeom_createPointFromXY_r(h, p->x, p->y) : NULL;
		CHECK("CoverageGapFinderTest: reported inside the expected gap",
		      pt && GEOSContains_r(h, want, pt) == 1);
		CHECK("CoverageGapFinderTest: the gap is the expected polygon",
		      p && p->geom && GEOSEquals_r(h, p->geom, want) == 1);
		GEOSGeom_destroy_r(h, pt);
		GEOSGeom_destroy_r(h, want);
		geo_check_result_free(r);
		geo_gridset_free(gs);
	}
	mj_free(doc);
}

/* ---- drawn tilings: expectations by counting cells ------------------------------ */

enum { CELL = 100 };

/* The grids of a drawn map, in letter order, with their codes (primary
** sequence = letter); parents, when given, names each letter's primary
** letter (lower case: none). */
static geo_gridset *drawn(const char *const *rows, const char *parents)
{
	GEOSGeometry *v[26];
	char letters[27];
	size_t n = 0;
	for (char l = 'A'; l <= 'Z'; l++) {
		GEOSGeometry *g = tiling_grid(h, rows, l, CELL);
		if (g) {
			letters[n] = l;
			v[n++] = g;
		}
	}
	geo_gridset *gs = gridset(v, n);
	for (size_t i = 0; i < n; i++) {
		char code[64], parent[32];
		int l = letters[i] - 'A';
		snprintf(parent, sizeof parent, "120114105%03d", parents ? parents[l] - 'A' + 1 : l + 1);
		if (parents)
			snprintf(code, sizeof code, "%s%02d", parent, l + 1);
		else
			snprintf(code, sizeof code, "%s", parent);
		free(gs->grids[i].id);
		free(gs->grids[i].parent_id);
		gs->grids[i].id = strdup(code);
		gs->grids[i].parent_id = strdup(parents && parents[l] >= 'A' ? parent : "");
		gs->grids[i].level = parents ? 2 : 1;
	}
	return gs;
}

static GEOSGeometry *box_cells(int c0, int r0, int c1, int r1)
{
	return GEOSGeom_createRectangle_r(h, TILING_X0 + c0 * CELL, TILING_Y0 - r1 * CELL,
					  TILING_X0 + c1 * CELL, TILING_Y0 - r0 * CELL);
}

static const geo_problem *find(const geo_check_result *r, geo_problem_type t, size_t k)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->problems[i].type == t && k-- == 0)
			return &r->problems[i];
	return NULL;
}

static void test_drawn_gaps(void)
{
	/* B leaves out one cell inside (a hole in the tiling) and one on the edge. */
	static const char *rows[] = { "AAAB", "A.BB", "CCDD", "CCD.", NULL };
	geo_gridset *gs = drawn(rows, NULL);
	GEOSGeometry *town = box_cells(0, 0, 4, 4);
	geo_check_opts o;
	opts(&o);
	geo_check_result *r = NULL;
	geo_check_gridset(ctx, gs, town, NULL, &o, &r);
	CHECK("drawn: two gaps, nothing else", r && r->n == 2 && count(r, GEO_PROBLEM_GAP) == 2);
	const geo_problem *a = find(r, GEO_PROBLEM_GAP, 0), *b = find(r, GEO_PROBLEM_GAP, 1);
	CHECK_NEAR("drawn: each gap is one cell", a ? a->area_m2 : 0, CELL * CELL, 1e-6);
	CHECK_NEAR("drawn: each gap is one cell (2)", b ? b->area_m2 : 0, CELL * CELL, 1e-6);
	CHECK("drawn: the inner gap is bordered by A, B and D (C touches a corner)",
	      a && a->ngrids == 4);
	geo_check_result_free(r);
	/* Without the town only the enclosed gap is found. */
	geo_check_gridset(ctx, gs, NULL, NULL, &o, &r);
	CHECK("drawn, no town: only the enclosed gap", r && r->n == 1 && count(r, GEO_PROBLEM_GAP) == 1);
	geo_check_result_free(r);
	GEOSGeom_destroy_r(h, town);
	geo_gridset_free(gs);
}

/* Issue 13: a grid at ±1e308 overflowed the arrangement's cell hash (ASan:
** heap-buffer-overflow in count_cell). Called directly, geo_arrange now
** refuses it; grid-check never gets there (io.c refuses it on input). */
static void test_huge_coordinates(void)
{
	GEOSGeometry *g[2] = {
		wkt("POLYGON((0 0,100 0,100 100,0 100,0 0))"),
		wkt("POLYGON((-1e308 -1e308,1e308 -1e308,1e308 1e308,-1e308 1e308,-1e308 -1e308))")
	};
	geo_arr_in in = { .ngrids = 2, .grids = g, .eps = 1e-6 };
	geo_arr_out out;
	CHECK("arrangement of a grid at 1e308: an input error, no crash",
	      geo_arrange(ctx, &in, &out) == GEO_ERR_INPUT && out.n == 0);
	in.ngrids = 1;
	in.town = g[1];
	CHECK("arrangement with a town at 1e308: an input error",
	      geo_arrange(ctx, &in, &out) == GEO_ERR_INPUT);
	in.town = NULL;
	CHECK("arrangement of the one ordinary grid: fine",
	      geo_arrange(ctx, &in, &out) == GEO_OK);
	geo_arr_out_free(ctx, &out);
	GEOSGeom_destroy_r(h, g[0]);
	GEOSGeom_destroy_r(h, g[1]);
}

static void test_drawn_overlaps_and_spill(void)
{
	static const char *rows[] = { "AABB", "AABB", "CCDD", "CCDD", NULL };
	geo_gridset *gs = drawn(rows, NULL);
	/* A reaches one column into B (2 cells) and one row beyond the town (2 cells). */
	GEOSGeometry *grown = box_cells(0, -1, 3, 2);
	GEOSGeom_destroy_r(h, gs->grids[0].geom);
	gs->grids[0].geom = grown;
	GEOSGeometry *town = box_cells(0, 0, 4, 4);
	geo_check_opts o;
	opts(&o);
	geo_check_result *r = NULL;
	geo_check_gridset(ctx, gs, town, NULL, &o, &r);
	const geo_problem *ov = find(r, GEO_PROBLEM_OVERLAP, 0), *out = find(r, GEO_PROBLEM_OUTSIDE, 0);
	CHECK("drawn: one overlap and one spill", r && r->n == 2 && ov && out);
	CHECK_NEAR("drawn: the overlap is the 2 cells of B under A", ov ? ov->area_m2 : 0,
		   2 * CELL * CELL, 1e-6);
	CHECK_NEAR("drawn: the spill is the 3 cells above the town", out ? out->area_m2 : 0,
		   3 * CELL * CELL, 1e-6);
	CHECK("drawn: the overlap names A and B",
	      ov && ov->ngrids == 2 && !strcmp(ov->grids[0], "120114105001") &&
		      !strcmp(ov->grids[1], "120114105002"));
	geo_check_result_free(r);
	GEOSGeom_destroy_r(h, town);
	geo_gridset_free(gs);
}

static void test_drawn_nesting(void)
{
	/* Primaries: P (left half) and Q (right half). Secondaries: A, B in P;
	** C, D in Q; C reaches one cell into P, and E names a primary that does
	** not exist. */
	static const char *prim[] = { "PPQQ", "PPQQ", "PPQQ", NULL };
	static const char *sec[] = { "AACD", "BCCD", "EECD", NULL };
	char parents[26];
	memset(parents, 'x', sizeof parents);
	parents['A' - 'A'] = parents['B' - 'A'] = 'P';
	parents['C' - 'A'] = parents['D' - 'A'] = 'Q';
	parents['E' - 'A'] = 'Z';
	geo_gridset *ps = drawn(prim, NULL), *gs = drawn(sec, parents);
	/* the primaries' codes are their letters' */
	GEOSGeometry *town = box_cells(0, 0, 4, 3);
	geo_check_opts o;
	opts(&o);
	geo_check_result *r = NULL;
	geo_check_gridset(ctx, gs, town, ps, &o, &r);
	const geo_problem *nn = find(r, GEO_PROBLEM_NOT_NESTED, 0);
	const geo_problem *pm = find(r, GEO_PROBLEM_PARENT_MISSING, 0);
	CHECK("drawn nesting: one secondary out of its primary, one parent missing",
	      r && count(r, GEO_PROBLEM_NOT_NESTED) == 1 && count(r, GEO_PROBLEM_PARENT_MISSING) == 1);
	CHECK_NEAR("drawn nesting: C has one cell in P", nn ? nn->area_m2 : 0, CELL * CELL, 1e-6);
	CHECK("drawn nesting: it is C", nn && !strcmp(nn->grids[0], "12011410501703"));
	CHECK("drawn nesting: E's parent_id names no primary", pm && !strcmp(pm->grids[0], "12011410502605"));
	CHECK("drawn nesting: nothing else", r && r->n == 2);
	geo_check_result_free(r);
	/* The repair moves C's cell in P to the neighbour there and E to P. */
	char **changes = NULL, **changes_local = NULL;
	geo_check_gridset(ctx, gs, town, ps, &o, &r);
	geo_err e = geo_repair(ctx, gs, town, ps, &o, r, &changes, &changes_local);
	geo_check_result_free(r);
	r = NULL;
	geo_check_gridset(ctx, gs, town, ps, &o, &r);
	CHECK("drawn nesting: repaired, a second check passes", !e && r && r->n == 0);

	CHECK("drawn nesting: E's parent_id is P's now", !strcmp(gs->grids[4].parent_id, "120114105016"));
	CSLDestroy(changes);
	CSLDestroy(changes_local);
	geo_check_result_free(r);
	GEOSGeom_destroy_r(h, town);
	geo_gridset_free(gs);
	geo_gridset_free(ps);
}

/* A 10 x 10 lattice whose shared edges carry extra vertices on one side
** only (and not exactly on the line: 1e-9 m off) tiles its square. */
static void test_unmatched(void)
{
	enum { N = 10 };
	GEOSGeometry *v[N * N];
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			double x0 = 500000 + i * 100.0, y0 = 4360000 + j * 100.0;
			GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 9, 2);
			double pts[9][2] = { { x0, y0 }, { x0 + 37.1, y0 + ((i + j) % 2) * 1e-9 },
					     { x0 + 100, y0 }, { x0 + 100, y0 + 61.3 },
					     { x0 + 100, y0 + 100 }, { x0 + 100 - 23.9, y0 + 100 },
					     { x0, y0 + 100 }, { x0, y0 + 100 - 77.7 }, { x0, y0 } };
			/* every other cell keeps only its corners */
			int k = 0;
			for (int p = 0; p < 9; p++)
				if ((i + j) % 2 == 0 || p % 2 == 0)
					GEOSCoordSeq_setXY_r(h, cs, (unsigned)k++, pts[p][0], pts[p][1]);
			GEOSCoordSequence *c2 = GEOSCoordSeq_create_r(h, (unsigned)k, 2);
			for (int p = 0; p < k; p++) {
				double x, y;
				GEOSCoordSeq_getXY_r(h, cs, (unsigned)p, &x, &y);
				GEOSCoordSeq_setXY_r(h, c2, (unsigned)p, x, y);
			}
			GEOSCoordSeq_destroy_r(h, cs);
			v[i * N + j] = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, c2), NULL, 0);
		}
	geo_gridset *gs = gridset(v, N * N);
	for (size_t i = 0; i < gs->n; i++) {
		char code[32];
		snprintf(code, sizeof code, "120114105%03zu01", i + 1);
		free(gs->grids[i].id);
		gs->grids[i].id = strdup(code);
	}
	GEOSGeometry *town = GEOSGeom_createRectangle_r(h, 500000, 4360000, 501000, 4361000);
	geo_check_opts o;
	geo_check_opts_init(&o);
	geo_check_result *r = NULL;
	geo_check_gridset(ctx, gs, town, NULL, &o, &r);
	CHECK("unmatched lattice: no problems", r && r->n == 0);
	geo_check_result_free(r);
	GEOSGeom_destroy_r(h, town);
	geo_gridset_free(gs);
}

/* The repair leaves a tiling: the union of the repaired grids is the town
** (GEOS overlay), and a second check passes. */
static void test_repair(void)
{
	static const char *rows[] = { "AAB.", "A.BB", "CCDD", "CCDD", NULL };
	geo_gridset *gs = drawn(rows, NULL);
	GEOSGeometry *grown = box_cells(2, 2, 4, 5); /* D reaches below the town */
	GEOSGeom_destroy_r(h, gs->grids[3].geom);
	gs->grids[3].geom = grown;
	GEOSGeometry *wide = box_cells(0, 0, 3, 1);  /* A overlaps B's first cell */
	GEOSGeometry *a = GEOSUnion_r(h, gs->grids[0].geom, wide);
	GEOSGeom_destroy_r(h, wide);
	GEOSGeom_destroy_r(h, gs->grids[0].geom);
	gs->grids[0].geom = a;
	GEOSGeometry *town = box_cells(0, 0, 4, 4);
	geo_check_opts o;
	opts(&o);
	geo_check_result *r = NULL;
	geo_check_gridset(ctx, gs, town, NULL, &o, &r);
	CHECK("repair: before, gaps, an overlap and spill",
	      r && count(r, GEO_PROBLEM_GAP) == 2 && count(r, GEO_PROBLEM_OVERLAP) == 1 &&
		      count(r, GEO_PROBLEM_OUTSIDE) == 1);
	char **changes = NULL, **changes_local = NULL;
	geo_err e = geo_repair(ctx, gs, town, NULL, &o, r, &changes, &changes_local);
	geo_check_result_free(r);
	r = NULL;
	geo_check_gridset(ctx, gs, town, NULL, &o, &r);
	CHECK("repair: a second check passes", !e && r && r->n == 0);
	CHECK("repair: every change is reported (spill, overlap, two gaps)", CSLCount(changes) == 4);
	GEOSGeometry *u = union_all(gs), *d1 = GEOSSymDifference_r(h, u, town);
	double da = 0;
	GEOSArea_r(h, d1, &da);
	CHECK_NEAR("repair: the grids' union is the town", da, 0, 1e-6);
	GEOSGeom_destroy_r(h, d1);
	GEOSGeom_destroy_r(h, u);
	CSLDestroy(changes);
	CSLDestroy(changes_local);
	geo_check_result_free(r);
	GEOSGeom_destroy_r(h, town);
	geo_gridset_free(gs);
}

int main(void)
{
	ctx = geo_ctx_new();
	h = geo_ctx_geos(ctx);
	test_drawn_gaps();
	test_huge_coordinates();
	test_drawn_overlaps_and_spill();
	test_drawn_nesting();
	test_unmatched();
	test_repair();
	const char *ext = getenv("EXT");
	if (ext) {
		test_vectors(ext);
		test_gap_finder(ext);
	} else {
		CHECK_SKIP("GEOS coverage vectors", "EXT is not set");
	}
	geo_ctx_free(ctx);
	return check_done();
}
