/*
** test_synth.c: checks what scripts/synth writes against GEOS directly. The
** clean tiling must tile its town exactly at both levels; each injected
** defect must be where truth.json says, with the area it says; the same
** seed must give the same bytes. The generator runs as a program (from
** $B/scripts, so the sanitizer build checks its own synth).
*/
#include "check.h"
#include "geo.h"

#include <string.h>
#include <unistd.h>

typedef struct layer {
	size_t n;
	GEOSGeometry **g;
	char (*id)[32], (*parent)[32];
} layer;

static void layer_free(GEOSContextHandle_t h, layer *l)
{
	for (size_t i = 0; i < l->n; i++)
		GEOSGeom_destroy_r(h, l->g[i]);
	free(l->g);
	free(l->id);
	free(l->parent);
	memset(l, 0, sizeof *l);
}

static int read_layer(geo_ctx *ctx, const char *path, const char *name, layer *l)
{
	memset(l, 0, sizeof *l);
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	OGRLayerH ol = ds ? GDALDatasetGetLayerByName(ds, name) : NULL;
	if (!ol) {
		if (ds)
			GDALClose(ds);
		return 0;
	}
	size_t cap = (size_t)OGR_L_GetFeatureCount(ol, TRUE) + 1;
	l->g = calloc(cap, sizeof *l->g);
	l->id = calloc(cap, sizeof *l->id);
	l->parent = calloc(cap, sizeof *l->parent);
	OGRFeatureH f;
	while ((f = OGR_L_GetNextFeature(ol)) && l->n < cap) {
		int fi = OGR_F_GetFieldIndex(f, "grid_id"), fp = OGR_F_GetFieldIndex(f, "parent_id");
		if (fi >= 0)
			snprintf(l->id[l->n], 32, "%s", OGR_F_GetFieldAsString(f, fi));
		if (fp >= 0)
			snprintf(l->parent[l->n], 32, "%s", OGR_F_GetFieldAsString(f, fp));
		l->g[l->n++] = geo_geom_from_ogr(ctx, OGR_F_GetGeometryRef(f));
		OGR_F_Destroy(f);
	}
	GDALClose(ds);
	return 1;
}

static int run_synth(const char *args, const char *dir)
{
	const char *b = getenv("B");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s/scripts/synth tiling %s -q -o %s", b ? b : "build", args, dir);
	return system(cmd);
}

static double area(GEOSContextHandle_t h, const GEOSGeometry *g)
{
	double a = 0;
	GEOSArea_r(h, g, &a);
	return a;
}

static GEOSGeometry *union_all(GEOSContextHandle_t h, const layer *l)
{
	GEOSGeometry **c = calloc(l->n, sizeof *c);
	for (size_t i = 0; i < l->n; i++)
		c[i] = GEOSisValid_r(h, l->g[i]) == 1 ? GEOSGeom_clone_r(h, l->g[i])
						       : GEOSMakeValid_r(h, l->g[i]);
	GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, c, (unsigned)l->n);
	GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
	GEOSGeom_destroy_r(h, coll);
	free(c);
	return u;
}

/* Total area where two grids of the layer overlap (brute force over pairs). */
static double overlap_area(GEOSContextHandle_t h, const layer *l)
{
	double total = 0;
	for (size_t i = 0; i < l->n; i++)
		for (size_t j = i + 1; j < l->n; j++) {
			if (GEOSIntersects_r(h, l->g[i], l->g[j]) != 1)
				continue;
			GEOSGeometry *x = GEOSIntersection_r(h, l->g[i], l->g[j]);
			total += x ? area(h, x) : 0;
			GEOSGeom_destroy_r(h, x);
		}
	return total;
}

static size_t vertices(GEOSContextHandle_t h, const layer *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += (size_t)GEOSGetNumCoordinates_r(h, l->g[i]);
	return n;
}

/* Checks that a layer tiles the town exactly and that secondaries nest. */
static void check_tiling(geo_ctx *ctx, const char *path, const char *what)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	layer town, prim, sec;
	char d[160];
	int ok = read_layer(ctx, path, "town", &town) && read_layer(ctx, path, "primary", &prim) &&
		 read_layer(ctx, path, "secondary", &sec);
	snprintf(d, sizeof d, "%s: town, primary and secondary layers read", what);
	CHECK(d, ok && town.n == 1 && prim.n > 0 && sec.n > 0);
	if (!ok)
		return;
	double ta = area(h, town.g[0]);
	const layer *lv[2] = { &prim, &sec };
	for (int k = 0; k < 2; k++) {
		const layer *l = lv[k];
		const char *name = k ? "secondaries" : "primaries";
		int valid = 1;
		double sum = 0;
		for (size_t i = 0; i < l->n; i++) {
			valid &= GEOSisValid_r(h, l->g[i]) == 1;
			sum += area(h, l->g[i]);
		}
		snprintf(d, sizeof d, "%s: %s all valid", what, name);
		CHECK(d, valid);
		snprintf(d, sizeof d, "%s: %s' areas sum to the town's", what, name);
		CHECK_NEAR(d, sum, ta, 1e-6);
		GEOSGeometry *u = union_all(h, l), *x = GEOSSymDifference_r(h, u, town.g[0]);
		snprintf(d, sizeof d, "%s: union of %s is the town", what, name);
		CHECK_NEAR(d, area(h, x), 0, 1e-6);
		GEOSGeom_destroy_r(h, u);
		GEOSGeom_destroy_r(h, x);
		snprintf(d, sizeof d, "%s: %s do not overlap", what, name);
		CHECK_NEAR(d, overlap_area(h, l), 0, 1e-6);
	}
	double outside = 0;
	int parents = 1;
	for (size_t i = 0; i < sec.n; i++) {
		size_t p = 0;
		while (p < prim.n && strcmp(prim.id[p], sec.parent[i]))
			p++;
		if (p == prim.n || strncmp(sec.id[i], prim.id[p], 12)) {
			parents = 0;
			continue;
		}
		GEOSGeometry *x = GEOSDifference_r(h, sec.g[i], prim.g[p]);
		outside += area(h, x);
		GEOSGeom_destroy_r(h, x);
	}
	snprintf(d, sizeof d, "%s: every secondary's parent exists and prefixes its code", what);
	CHECK(d, parents);
	snprintf(d, sizeof d, "%s: every secondary lies in its primary", what);
	CHECK_NEAR(d, outside, 0, 1e-6);
	layer_free(h, &town);
	layer_free(h, &prim);
	layer_free(h, &sec);
}

static long find(const layer *l, const char *id, long after)
{
	for (size_t i = (size_t)(after + 1); i < l->n; i++)
		if (!strcmp(l->id[i], id))
			return (long)i;
	return -1;
}

static int covers_point(GEOSContextHandle_t h, const GEOSGeometry *g, double x, double y)
{
	GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, x, y);
	int in = GEOSIntersects_r(h, g, p) == 1;
	GEOSGeom_destroy_r(h, p);
	return in;
}

static int grids_at(GEOSContextHandle_t h, const layer *l, double x, double y)
{
	int n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += covers_point(h, l->g[i], x, y);
	return n;
}

/* The area of the part of g that holds the point. */
static double part_area_at(GEOSContextHandle_t h, const GEOSGeometry *g, double x, double y)
{
	for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		if (covers_point(h, p, x, y))
			return area(h, p);
	}
	return -1;
}

typedef struct truth {
	char defect[32], type[32], g1[32], g2[32];
	double area, x, y, lx, ly;
} truth;

static size_t read_truth(const char *path, truth *t, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = 0;
	while (f && n < cap && fgets(line, sizeof line, f)) {
		truth *d = &t[n];
		memset(d, 0, sizeof *d);
		if (sscanf(line, " {\"defect\": \"%31[^\"]\", \"type\": \"%31[^\"]\", \"grids\": [\"%31[^\"]\"",
			   d->defect, d->type, d->g1) != 3)
			continue;
		char *g2 = strstr(strstr(line, "\"grids\": ["), "\", \"");
		if (g2 && g2 < strstr(line, "]"))
			sscanf(g2, "\", \"%31[^\"]", d->g2);
		char *a = strstr(line, "\"area_m2\": ");
		if (!a || sscanf(a, "\"area_m2\": %lf, \"x\": %lf, \"y\": %lf", &d->area, &d->x, &d->y) != 3)
			continue;
		char *loc = strstr(line, "\"location\": [");
		if (loc)
			sscanf(loc, "\"location\": [%lf, %lf]", &d->lx, &d->ly);
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

static void check_defect(geo_ctx *ctx, const truth *t, const layer *town, const layer *prim,
			 const layer *sec, const layer *clean, const GEOSGeometry *holes)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	char d[200];
	long a = find(sec, t->g1, -1), b = t->g2[0] ? find(sec, t->g2, -1) : -1;
	int in_town = covers_point(h, town->g[0], t->x, t->y);
	const char *k = t->defect;
	if (!strcmp(k, "gap") || !strcmp(k, "gap_at_boundary") || !strcmp(k, "sliver")) {
		snprintf(d, sizeof d, "%s: the point is in the town and in no grid", k);
		CHECK(d, in_town && grids_at(h, sec, t->x, t->y) == 0);
		snprintf(d, sizeof d, "%s: the uncovered area there is as truth.json says", k);
		CHECK_NEAR(d, part_area_at(h, holes, t->x, t->y), t->area, 1e-4);
	} else if (!strcmp(k, "overlap")) {
		snprintf(d, sizeof d, "%s: the point is in both grids named", k);
		CHECK(d, a >= 0 && b >= 0 && covers_point(h, sec->g[a], t->x, t->y) &&
				 covers_point(h, sec->g[b], t->x, t->y) && grids_at(h, sec, t->x, t->y) == 2);
		GEOSGeometry *x = a >= 0 && b >= 0 ? GEOSIntersection_r(h, sec->g[a], sec->g[b]) : NULL;
		snprintf(d, sizeof d, "%s: the overlap's area is as truth.json says", k);
		CHECK_NEAR(d, x ? area(h, x) : -1, t->area, 1e-4);
		GEOSGeom_destroy_r(h, x);
	} else if (!strcmp(k, "outside")) {
		snprintf(d, sizeof d, "%s: the point is outside the town, in the grid named", k);
		CHECK(d, !in_town && a >= 0 && covers_point(h, sec->g[a], t->x, t->y));
		GEOSGeometry *x = a >= 0 ? GEOSDifference_r(h, sec->g[a], town->g[0]) : NULL;
		snprintf(d, sizeof d, "%s: the area outside is as truth.json says", k);
		CHECK_NEAR(d, x ? area(h, x) : -1, t->area, 1e-4);
		GEOSGeom_destroy_r(h, x);
	} else if (!strcmp(k, "not_nested")) {
		long p = -1;
		for (size_t i = 0; i < prim->n; i++)
			if (!strcmp(prim->id[i], t->g2))
				p = (long)i;
		snprintf(d, sizeof d, "%s: the point is in the secondary, not in its primary", k);
		CHECK(d, a >= 0 && p >= 0 && !strcmp(sec->parent[a], t->g2) &&
				 covers_point(h, sec->g[a], t->x, t->y) &&
				 !covers_point(h, prim->g[p], t->x, t->y) && grids_at(h, sec, t->x, t->y) == 1);
		GEOSGeometry *x = a >= 0 && p >= 0 ? GEOSDifference_r(h, sec->g[a], prim->g[p]) : NULL;
		snprintf(d, sizeof d, "%s: the area outside the primary is as truth.json says", k);
		CHECK_NEAR(d, x ? area(h, x) : -1, t->area, 1e-4);
		GEOSGeom_destroy_r(h, x);
	} else if (!strcmp(k, "bowtie")) {
		char *reason = NULL;
		GEOSGeometry *loc = NULL;
		int valid = a >= 0 ? GEOSisValidDetail_r(h, sec->g[a], 0, &reason, &loc) : 1;
		double lx = 0, ly = 0;
		if (loc) {
			GEOSGeomGetX_r(h, loc, &lx);
			GEOSGeomGetY_r(h, loc, &ly);
		}
		snprintf(d, sizeof d, "%s: the grid is invalid, crossing itself where truth.json says", k);
		CHECK(d, valid == 0 && fabs(lx - t->lx) < 1e-3 && fabs(ly - t->ly) < 1e-3);
		long c = find(clean, t->g1, -1);
		GEOSGeometry *mv = a >= 0 ? GEOSMakeValid_r(h, sec->g[a]) : NULL;
		snprintf(d, sizeof d, "%s: made valid, it loses the two lobes truth.json gives", k);
		CHECK_NEAR(d, mv && c >= 0 ? area(h, clean->g[c]) - area(h, mv) : -1, t->area, 1e-4);
		snprintf(d, sizeof d, "%s: the lobe's centroid is in no grid once made valid", k);
		CHECK(d, mv && !covers_point(h, mv, t->x, t->y));
		GEOSGeom_destroy_r(h, mv);
		GEOSGeom_destroy_r(h, loc);
		GEOSFree_r(h, reason);
	} else if (!strcmp(k, "duplicate_code")) {
		long second = a >= 0 ? find(sec, t->g1, a) : -1;
		snprintf(d, sizeof d, "%s: the code is used twice", k);
		CHECK(d, a >= 0 && second >= 0 && find(sec, t->g1, second) < 0);
		int at = second >= 0 && (covers_point(h, sec->g[a], t->x, t->y) ||
					 covers_point(h, sec->g[second], t->x, t->y));
		snprintf(d, sizeof d, "%s: the point is in one of the two", k);
		CHECK(d, at);
	} else if (!strcmp(k, "multipart")) {
		snprintf(d, sizeof d, "%s: the grid has two parts, the point in the smaller", k);
		CHECK(d, a >= 0 && GEOSGetNumGeometries_r(h, sec->g[a]) == 2 &&
				 grids_at(h, sec, t->x, t->y) == 1);
		snprintf(d, sizeof d, "%s: that part's area is as truth.json says", k);
		CHECK_NEAR(d, a >= 0 ? part_area_at(h, sec->g[a], t->x, t->y) : -1, t->area, 1e-4);
	} else {
		snprintf(d, sizeof d, "unknown defect %s", k);
		CHECK(d, 0);
	}
}

static void check_defects(geo_ctx *ctx, const char *dir)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	char path[700], clean_path[700], tpath[700];
	snprintf(path, sizeof path, "%s/defects.gpkg", dir);
	snprintf(clean_path, sizeof clean_path, "%s/grids.gpkg", dir);
	snprintf(tpath, sizeof tpath, "%s/truth.json", dir);
	truth t[16];
	size_t n = read_truth(tpath, t, 16);
	CHECK("truth.json lists the nine defects", n == 9);
	layer town, prim, sec, clean;
	int ok = read_layer(ctx, path, "town", &town) && read_layer(ctx, path, "primary", &prim) &&
		 read_layer(ctx, path, "secondary", &sec) && read_layer(ctx, clean_path, "secondary", &clean);
	CHECK("defects.gpkg and grids.gpkg read", ok && town.n == 1);
	if (!ok || town.n != 1)
		return;
	GEOSGeometry *u = union_all(h, &sec), *holes = GEOSDifference_r(h, town.g[0], u);
	for (size_t i = 0; i < n; i++)
		check_defect(ctx, &t[i], &town, &prim, &sec, &clean, holes);
	GEOSGeom_destroy_r(h, u);
	GEOSGeom_destroy_r(h, holes);
	layer_free(h, &town);
	layer_free(h, &prim);
	layer_free(h, &sec);
	layer_free(h, &clean);
}

static int same_file(const char *a, const char *b)
{
	FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
	int same = f && g, c, d;
	while (same && (c = getc(f)) == (d = getc(g)) && c != EOF)
		;
	if (same)
		same = feof(f) && feof(g);
	if (f)
		fclose(f);
	if (g)
		fclose(g);
	return same;
}

static void check_points(geo_ctx *ctx, const char *path, size_t want)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	layer town;
	read_layer(ctx, path, "town", &town);
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, "points") : NULL;
	size_t n = 0, inside = 0;
	const GEOSPreparedGeometry *tp = town.n ? GEOSPrepare_r(h, town.g[0]) : NULL;
	OGRFeatureH f;
	while (l && tp && (f = OGR_L_GetNextFeature(l))) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, OGR_G_GetX(g, 0), OGR_G_GetY(g, 0));
		inside += GEOSPreparedContains_r(h, tp, p) == 1;
		GEOSGeom_destroy_r(h, p);
		n++;
		OGR_F_Destroy(f);
	}
	CHECK("points: as many as asked", n == want);
	CHECK("points: all inside the town", inside == n);
	GEOSPreparedGeom_destroy_r(h, tp);
	if (ds)
		GDALClose(ds);
	layer_free(h, &town);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	char tmpl[] = "/tmp/test_synth.XXXXXX", a[600], b[600], u[600], p1[700], p2[700];
	char *dir = mkdtemp(tmpl);
	if (!ctx || !dir)
		return 1;
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(u, sizeof u, "%s/u", dir);
	CHECK("synth tiling with defects runs",
	      run_synth("--seed 3 --grids 80 --points 3000 --clustered --defects", a) == 0);
	CHECK("synth tiling runs again", run_synth("--seed 3 --grids 80 --points 3000 --clustered --defects", b) == 0);
	CHECK("synth tiling --unmatched runs", run_synth("--seed 3 --grids 80 --unmatched", u) == 0);
	static const char *files[] = { "grids.gpkg", "defects.gpkg", "truth.json" };
	for (int i = 0; i < 3; i++) {
		char d[100];
		snprintf(p1, sizeof p1, "%s/%s", a, files[i]);
		snprintf(p2, sizeof p2, "%s/%s", b, files[i]);
		snprintf(d, sizeof d, "same seed, same bytes: %s", files[i]);
		CHECK(d, same_file(p1, p2));
	}
	snprintf(p1, sizeof p1, "%s/grids.gpkg", a);
	check_tiling(ctx, p1, "clean");
	check_points(ctx, p1, 3000);
	snprintf(p2, sizeof p2, "%s/grids.gpkg", u);
	check_tiling(ctx, p2, "unmatched");
	layer m, um;
	read_layer(ctx, p1, "secondary", &m);
	read_layer(ctx, p2, "secondary", &um);
	CHECK("unmatched: extra vertices on shared edges",
	      vertices(geo_ctx_geos(ctx), &um) > vertices(geo_ctx_geos(ctx), &m) + m.n);
	layer_free(geo_ctx_geos(ctx), &m);
	layer_free(geo_ctx_geos(ctx), &um);
	check_defects(ctx, a);
	/* A small town, where defects must sit next to each other. */
	char c[600];
	snprintf(c, sizeof c, "%s/c", dir);
	CHECK("synth tiling --grids 30 --defects runs", run_synth("--seed 6 --grids 30 --defects", c) == 0);
	check_defects(ctx, c);
	char rm[700];
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	if (system(rm) != 0)
		printf("note: could not remove %s\n", dir);
	geo_ctx_free(ctx);
	return check_done();
}
