/*
** Unit tests of geom.c: OGR <-> GEOS conversion, measurements, and validity
** with GEOS's reason and location, on our cases (tests/geometry/validity.cases)
** and on GEOS's own isValid cases from its xmltester suite when the shared
** external data is present.
*/
#include "check.h"
#include "geo.h"

#include <cpl_minixml.h>
#include <string.h>

static GEOSGeometry *read_wkt(geo_ctx *ctx, const char *wkt)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSWKTReader *r = GEOSWKTReader_create_r(h);
	GEOSGeometry *g = GEOSWKTReader_read_r(h, r, wkt);
	GEOSWKTReader_destroy_r(h, r);
	if (g)
		return g;
	/* Some xmltester cases give WKB as hex. */
	GEOSWKBReader *wr = GEOSWKBReader_create_r(h);
	g = GEOSWKBReader_readHEX_r(h, wr, (const unsigned char *)wkt, strlen(wkt));
	GEOSWKBReader_destroy_r(h, wr);
	return g;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void test_cases_file(geo_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "r");
	CHECK("validity cases file opens", f != NULL);
	char line[4096];
	while (f && fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *wkt = strtok(line, "|"), *valid = strtok(NULL, "|");
		char *reason = strtok(NULL, "|"), *where = strtok(NULL, "|");
		if (!wkt || !valid || !reason || !where)
			continue;
		wkt = trim(wkt);
		GEOSGeometry *g = read_wkt(ctx, wkt);
		char why[256], desc[512];
		double x, y;
		geo_err e = g ? geo_geom_validity(ctx, g, why, sizeof why, &x, &y) : GEO_ERR_INPUT;
		snprintf(desc, sizeof desc, "validity of %.60s", wkt);
		CHECK(desc, e == (atoi(valid) ? GEO_OK : GEO_PROBLEMS));
		if (e == GEO_PROBLEMS) {
			snprintf(desc, sizeof desc, "reason '%s' for %.50s", trim(reason), wkt);
			CHECK(desc, strstr(why, trim(reason)) != NULL);
			double ex, ey;
			if (sscanf(where, "%lf %lf", &ex, &ey) == 2) {
				snprintf(desc, sizeof desc, "location of the problem in %.50s", wkt);
				CHECK(desc, fabs(x - ex) < 1e-9 && fabs(y - ey) < 1e-9);
			}
		}
		GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
	}
	if (f)
		fclose(f);
}

/* Runs every isValid case of one GEOS xmltester file; returns how many ran. */
static int xmltester_file(geo_ctx *ctx, const char *path, int *wrong)
{
	CPLXMLNode *root = CPLParseXMLFile(path);
	int ran = 0;
	CPLXMLNode *run = root ? CPLSearchXMLNode(root, "=run") : NULL;
	for (CPLXMLNode *c = run ? run->psChild : NULL; c; c = c->psNext) {
		if (c->eType != CXT_Element || strcmp(c->pszValue, "case"))
			continue;
		const char *a = CPLGetXMLValue(c, "a", NULL);
		CPLXMLNode *op = CPLGetXMLNode(c, "test.op");
		if (!a || !op || strcmp(CPLGetXMLValue(op, "name", ""), "isValid"))
			continue;
		char *wkt = strdup(a), *want = strdup(CPLGetXMLValue(op, NULL, ""));
		GEOSGeometry *g = read_wkt(ctx, trim(wkt));
		if (g) {
			char why[256];
			double x, y;
			geo_err e = geo_geom_validity(ctx, g, why, sizeof why, &x, &y);
			int expect_valid = !strcmp(trim(want), "true");
			if ((e == GEO_OK) != expect_valid) {
				(*wrong)++;
				printf("     %s: %s\n", path, CPLGetXMLValue(c, "desc", "?"));
			}
			ran++;
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
		}
		free(wkt);
		free(want);
	}
	CPLDestroyXMLNode(root);
	return ran;
}

static void test_xmltester(geo_ctx *ctx)
{
	const char *ext = getenv("EXT");
	char path[4096];
	static const char *files[] = { "general_TestValid.xml", "general_TestValid2.xml",
				       "misc_TestIsValid.xml" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/geos/xmltester/%s", ext ? ext : "", files[i]);
		FILE *f = ext ? fopen(path, "r") : NULL;
		if (!f) {
			CHECK_SKIP(files[i], "the shared external data is not present");
			continue;
		}
		fclose(f);
		int wrong = 0, ran = xmltester_file(ctx, path, &wrong);
		char desc[256];
		snprintf(desc, sizeof desc, "GEOS xmltester %s: %d isValid cases agree", files[i], ran);
		CHECK(desc, ran > 0 && wrong == 0);
	}
}

static void test_conversion(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	OGRGeometryH og = NULL;
	char *wkt = "CURVEPOLYGON(CIRCULARSTRING(0 0, 10 0, 0 0))";
	OGR_G_CreateFromWkt(&wkt, NULL, &og);
	GEOSGeometry *g = og ? geo_geom_from_ogr(ctx, og) : NULL;
	CHECK("a curve polygon is linearised into GEOS", g && GEOSGeomTypeId_r(h, g) == GEOS_POLYGON);
	CHECK_NEAR("its area is the circle's", g ? geo_geom_area(ctx, g) : 0, M_PI * 25, 0.5);
	OGR_G_DestroyGeometry(og);
	GEOSGeom_destroy_r(h, g);

	char *wkt3 = "POLYGON Z((0 0 1, 4 0 1, 4 3 1, 0 0 1))";
	OGR_G_CreateFromWkt(&wkt3, NULL, &og);
	g = geo_geom_from_ogr(ctx, og);
	CHECK("Z is dropped", g && !GEOSHasZ_r(h, g));
	OGRGeometryH back = g ? geo_geom_to_ogr(ctx, g) : NULL;
	CHECK("GEOS -> OGR round trip keeps the area", back && fabs(OGR_G_Area(back) - 6) < 1e-12);
	double x, y;
	CHECK("an inside point is found", g && geo_geom_inside_point(ctx, g, &x, &y) == GEO_OK);
	OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
	OGR_G_SetPoint_2D(p, 0, x, y);
	CHECK("the inside point is within the polygon", back && OGR_G_Within(p, back));
	OGR_G_DestroyGeometry(p);
	OGR_G_DestroyGeometry(back);
	OGR_G_DestroyGeometry(og);
	GEOSGeom_destroy_r(h, g);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	test_conversion(ctx);
	test_cases_file(ctx, "tests/geometry/validity.cases");
	test_xmltester(ctx);
	geo_ctx_free(ctx);
	return check_done();
}
