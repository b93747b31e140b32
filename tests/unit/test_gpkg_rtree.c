/*
** Unit tests of gpkg_rtree.c, the bulk-loaded GeoPackage R-tree that every
** GeoPackage output gets at commit. Checked independently: SQLite's own
** rtreecheck() verifies the tree's structure, window queries on the index
** equal a brute-force count over the boxes written, GDAL sees the index and
** its spatial filter agrees, and the triggers keep the index right when GDAL
** edits the layer afterwards. Sizes cover an empty layer, one root leaf, two
** and three levels, and more boxes than one in-memory run (the spilled,
** merged path).
*/
#include "check.h"
#include "geo.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

/* A deterministic generator: boxes on a 0.01 m lattice in [0, 1000) m, so
** that single precision holds them exactly enough (windows end at .005). */
static unsigned long long seed;
/* Coordinates of a real town instead (4.36e6 m north), where single
** precision is coarser than half a metre: boxes must be rounded outwards. */
static double far;
static double coord(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return far + (double)((seed >> 33) % 100000) / 100;
}

typedef struct box {
	double x0, y0, x1, y1;  /* x1 < 0: the feature has no geometry */
} box;

/* One feature of each kind in turn: points, small squares, level lines,
** an empty polygon and a feature with no geometry. */
static GEOSGeometry *make(GEOSContextHandle_t h, long i, box *b)
{
	double x = coord(), y = coord(), d = 1 + (double)(i % 5);
	*b = (box){ x, y, x, y };
	switch (i % 13) {
	case 3: {
		b->x1 = x + d, b->y1 = y + d;
		GEOSGeometry *g = GEOSGeom_createRectangle_r(h, x, y, x + d, y + d);
		return g;
	}
	case 7: {
		GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, 2, 2);
		GEOSCoordSeq_setXY_r(h, s, 0, x, y);
		GEOSCoordSeq_setXY_r(h, s, 1, x + d, y);  /* level: its box is its shape */
		b->x1 = x + d;
		return GEOSGeom_createLineString_r(h, s);
	}
	case 11:
		b->x1 = -1;
		return GEOSGeom_createEmptyPolygon_r(h);
	case 12:
		b->x1 = -1;
		return NULL;
	default:
		return GEOSGeom_createPointFromXY_r(h, x, y);
	}
}

static geo_err write_layer(geo_ctx *ctx, const char *path, long n, box *boxes)
{
	geo_output *out = geo_output_open(ctx, path, &(geo_output_opts){ 0 });
	if (!out)
		return geo_last_code(ctx);
	geo_crs *crs = geo_crs_new(ctx, "EPSG:4548");
	OGRLayerH l = geo_output_create_layer(ctx, out, "features", crs, wkbUnknown);
	geo_err e = l ? GEO_OK : geo_last_code(ctx);
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	OGRFeatureH f = l ? OGR_F_Create(OGR_L_GetLayerDefn(l)) : NULL;
	for (long i = 0; !e && i < n; i++) {
		GEOSGeometry *g = make(h, i, &boxes[i]);
		OGR_F_SetFID(f, OGRNullFID);
		OGR_F_SetGeometryDirectly(f, NULL);
		e = geo_write_feature(ctx, l, f, g, NULL);
		GEOSGeom_destroy_r(h, g);
	}
	OGR_F_Destroy(f);
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	geo_crs_free(crs);
	return e;
}

static long long sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int rtree_ok(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int ok = sqlite3_prepare_v2(db, "SELECT rtreecheck('rtree_features_geom')", -1, &s, NULL) ==
			 SQLITE_OK &&
		 sqlite3_step(s) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(s, 0), "ok");
	if (!ok && s && sqlite3_column_text(s, 0))
		printf("     rtreecheck: %s\n", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return ok;
}

static long brute_count(const box *b, long n, const double w[4])
{
	long c = 0;
	for (long i = 0; i < n; i++)
		c += b[i].x1 >= 0 && b[i].x0 <= w[2] && b[i].x1 >= w[0] && b[i].y0 <= w[3] &&
		     b[i].y1 >= w[1];
	return c;
}

static long index_count(sqlite3 *db, const double w[4])
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM rtree_features_geom WHERE minx <= %.3f AND maxx >= %.3f "
		 "AND miny <= %.3f AND maxy >= %.3f",
		 w[2], w[0], w[3], w[1]);
	return (long)sql_int(db, sql);
}

static long gdal_count(OGRLayerH l, const double w[4])
{
	OGR_L_SetSpatialFilterRect(l, w[0], w[1], w[2], w[3]);
	long c = (long)OGR_L_GetFeatureCount(l, TRUE);
	OGR_L_SetSpatialFilter(l, NULL);
	return c;
}

/* Windows of every size, ending at half-centimetres (never on a box edge);
** far from the origin, on the lattice, often on an edge. */
static void window(double w[4], int k)
{
	double size = k % 4 == 0 ? 2 : k % 4 == 1 ? 30 : k % 4 == 2 ? 250 : 1200;
	double off = far ? 0 : 0.005;
	w[0] = coord() - size / 2 + off, w[1] = coord() - size / 2 + off;
	w[2] = w[0] + size, w[3] = w[1] + size;
}

static void check_windows(const char *path, const box *b, long n, const char *what)
{
	sqlite3 *db = NULL;
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	char desc[160];
	long indexed = 0;
	for (long i = 0; i < n; i++)
		indexed += b[i].x1 >= 0;
	snprintf(desc, sizeof desc, "%s: rtreecheck() finds the tree sound", what);
	CHECK(desc, rtree_ok(db));
	snprintf(desc, sizeof desc, "%s: every feature with a geometry is indexed (%ld)", what, indexed);
	CHECK(desc, sql_int(db, "SELECT count(*) FROM rtree_features_geom") == indexed);
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, "features") : NULL;
	snprintf(desc, sizeof desc, "%s: GDAL sees the spatial index", what);
	CHECK(desc, l && OGR_L_TestCapability(l, OLCFastSpatialFilter));
	int index_right = 1, gdal_right = 1;
	for (int k = 0; k < 40; k++) {
		double w[4];
		window(w, k);
		long want = brute_count(b, n, w);
		long got = index_count(db, w);
		/* far away, the single-precision index may hold a few more */
		index_right &= far ? got >= want : got == want;
		/* GDAL trusts the index for a rectangle filter: it reads the same */
		gdal_right &= !l || gdal_count(l, w) == got;
	}
	snprintf(desc, sizeof desc, "%s: 40 window queries on the index %s brute force", what,
		 far ? "hold all of" : "equal");
	CHECK(desc, index_right);
	snprintf(desc, sizeof desc, "%s: GDAL's spatial filter reads the index", what);
	CHECK(desc, gdal_right);
	if (ds)
		GDALClose(ds);
	sqlite3_close(db);
}

/* GDAL edits the layer: the specification's triggers keep the index right. */
static void check_triggers(const char *path)
{
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
	OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, "features") : NULL;
	if (l) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
		OGR_G_SetPoint_2D(p, 0, 5000, 5000);
		OGR_F_SetGeometryDirectly(f, p);
		CHECK("GDAL adds a feature", OGR_L_CreateFeature(l, f) == OGRERR_NONE);
		OGR_F_Destroy(f);
		CHECK("GDAL deletes feature 1", OGR_L_DeleteFeature(l, 1) == OGRERR_NONE);
	}
	if (ds)
		GDALClose(ds);
	sqlite3 *db = NULL;
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	CHECK("after GDAL adds and deletes a feature, rtreecheck() finds the tree sound", rtree_ok(db));
	CHECK("the added feature is in the index",
	      sql_int(db, "SELECT count(*) FROM rtree_features_geom WHERE minx >= 4999") == 1);
	CHECK("the deleted feature is not", sql_int(db, "SELECT count(*) FROM rtree_features_geom_rowid "
						      "WHERE rowid = 1") == 0);
	sqlite3_close(db);
}

int main(void)
{
	GDALAllRegister();
	snprintf(dir, sizeof dir, "/tmp/test_gpkg_rtree.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	geo_ctx *ctx = geo_ctx_new();
	/* Features, and boxes indexed (2 in 13 features have none): 0; 51 in
	** one root leaf; 52 in two levels; 2602 in three; 270770, more than
	** one in-memory run (2^18), spilled and merged. */
	static const long sizes[] = { 0, 59, 60, 3074, 320000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		long n = sizes[i];
		box *b = calloc((size_t)n + 1, sizeof *b);
		char path[512], what[64];
		snprintf(path, sizeof path, "%s/f%ld.gpkg", dir, n);
		snprintf(what, sizeof what, "%ld features", n);
		seed = (unsigned long long)n + 1;
		geo_err e = write_layer(ctx, path, n, b);
		CHECK(what, e == GEO_OK);
		if (!e)
			check_windows(path, b, n, what);
		if (!e && n == 3074)
			check_triggers(path);
		unlink(path);
		free(b);
	}
	far = 4360000;
	box b[3000];
	char path[512];
	snprintf(path, sizeof path, "%s/far.gpkg", dir);
	seed = 7;
	CHECK("3000 features 4360 km north", write_layer(ctx, path, 3000, b) == GEO_OK);
	check_windows(path, b, 3000, "4360 km north");
	unlink(path);
	rmdir(dir);
	geo_ctx_free(ctx);
	return check_done();
}
