/*
** Unit tests of grid.c and index.c: grid codes and levels, west-to-east
** north-to-south numbering, reading a grid layer, and the STRtree index
** checked against a brute-force envelope test.
*/
#include "check.h"
#include "geo.h"

#include <string.h>

static void test_codes(void)
{
	char buf[32];
	CHECK("primary code", geo_grid_code_primary(buf, sizeof buf, "120114105", 12) == GEO_OK &&
				      !strcmp(buf, "120114105012"));
	CHECK("secondary code", geo_grid_code_secondary(buf, sizeof buf, "120114105012", 3) == GEO_OK &&
					!strcmp(buf, "12011410501203"));
	CHECK("sequence too large for 2 digits",
	      geo_grid_code_secondary(buf, sizeof buf, "120114105012", 100) == GEO_ERR_USAGE);
	CHECK("town code must be 9 digits",
	      geo_grid_code_primary(buf, sizeof buf, "12011410", 1) == GEO_ERR_USAGE);
	CHECK("levels by form", geo_grid_code_level("120114105012") == 1 &&
					geo_grid_code_level("12011410501203") == 2 &&
					geo_grid_code_level("1201141050x2") == 0 &&
					geo_grid_code_level("") == 0 && geo_grid_code_level(NULL) == 0);
	geo_grid_code_parent("12011410501203", buf, sizeof buf);
	CHECK("parent of a secondary", !strcmp(buf, "120114105012"));
	geo_grid_code_parent("120114105012", buf, sizeof buf);
	CHECK("a primary has no parent code", buf[0] == '\0');
}

static void test_order(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	/* A 3x2 block of unit squares given in scrambled order; rows from the
	** north, west to east within a row. */
	static const int cells[6][2] = { { 1, 0 }, { 0, 1 }, { 2, 1 }, { 0, 0 }, { 2, 0 }, { 1, 1 } };
	GEOSGeometry *g[6];
	for (int i = 0; i < 6; i++)
		g[i] = GEOSGeom_createRectangle_r(h, cells[i][0], cells[i][1], cells[i][0] + 1,
						  cells[i][1] + 1);
	size_t order[6];
	CHECK("ordering runs", geo_grid_order(ctx, g, 6, order) == GEO_OK);
	/* North row (y=1): x=0,1,2 are g[1], g[5], g[2]; south row: g[3], g[0], g[4]. */
	static const size_t want[6] = { 1, 5, 2, 3, 0, 4 };
	CHECK("west to east, north to south", !memcmp(order, want, sizeof want));

	geo_index *idx = geo_index_new(ctx, g, 6);
	size_t hits[8];
	size_t n = geo_index_query_box(idx, 0.5, 0.5, 1.5, 0.7, hits, 8);
	CHECK("index finds the two cells a box meets", n == 2);
	int brute = 0;
	for (int i = 0; i < 6; i++)
		brute += cells[i][0] <= 1.5 && cells[i][0] + 1 >= 0.5 && cells[i][1] <= 0.7 &&
			 cells[i][1] + 1 >= 0.5;
	CHECK("index agrees with brute force", (int)n == brute);
	GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, 2.5, 1.5);
	CHECK("prepared geometry of a hit contains the point",
	      geo_index_query_box(idx, 2.5, 1.5, 2.5, 1.5, hits, 8) == 1 &&
		      GEOSPreparedContains_r(h, geo_index_prepared(idx, hits[0]), p) && hits[0] == 2);
	GEOSGeom_destroy_r(h, p);
	geo_index_free(idx);
	for (int i = 0; i < 6; i++)
		GEOSGeom_destroy_r(h, g[i]);
}

static void test_gridset(geo_ctx *ctx)
{
	geo_gridset *gs = geo_gridset_read(ctx, "tests/fixtures/grids.geojson", NULL, NULL, NULL);
	CHECK("grid fixture reads", gs && gs->n == 6);
	if (!gs)
		return;
	CHECK("working CRS is the layer's projected CRS", !strcmp(geo_crs_name(gs->crs), "EPSG:4548"));
	long i = geo_gridset_find(gs, "00000000000201");
	CHECK("find by code", i == 4 && gs->grids[i].level == 2 &&
				      !strcmp(gs->grids[i].parent_id, "000000000002"));
	CHECK("households read", gs->has_households && gs->grids[0].households == 200);
	CHECK_NEAR("areas in m²", geo_geom_area(ctx, gs->grids[0].geom), 1e6, 1e-6);
	geo_gridset_free(gs);

	CHECK("lines are refused as grids",
	      !geo_gridset_read(ctx, "tests/fixtures/lines.geojson", NULL, NULL, NULL) &&
		      strstr(geo_last_error(ctx), "feature 1 (grid_id 000000000001): is a LINESTRING"));
	CHECK("grids without CRS are refused",
	      !geo_gridset_read(ctx, "tests/fixtures/nocrs.geojson", NULL, NULL, NULL) &&
		      geo_last_code(ctx) == GEO_ERR_INPUT);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	test_codes();
	test_order(ctx);
	test_gridset(ctx);
	geo_ctx_free(ctx);
	return check_done();
}
