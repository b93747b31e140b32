/*
** Unit tests of crs.c: GCJ-02 and BD-09 against published conversion pairs
** (the test vectors of the eviltransform and coordtransform projects), the
** inverses to under 1 cm, the working-CRS rule, and PROJ transforms.
*/
#include "check.h"
#include "geo.h"

#include <string.h>

/* Published WGS84 -> GCJ-02 pairs: lon, lat, glon, glat. */
static const double wgs_gcj[][4] = {
	{ 121.5272106, 31.1774276, 121.531541859215, 31.17530398364597 },   /* Shanghai */
	{ 113.912316, 22.543847, 113.9171764808363, 22.540796131694766 },  /* Shenzhen */
	{ 116.377817, 39.911954, 116.38404722455657, 39.91334545536069 },  /* Beijing */
	{ 116.404, 39.915, 116.41024449916938, 39.91640428150164 },
};

/* Published BD-09 -> GCJ-02 pair (coordtransform's test, computed there with
** the approximate closed-form inverse, so it agrees with the exact inverse
** only to about a metre): blon, blat, glon, glat. */
static const double bd_gcj[][4] = {
	{ 116.404, 39.915, 116.39762729119315, 39.90865673957631 },
};

static double metres(double dlon, double dlat, double lat)
{
	return hypot(dlon * 111320 * cos(lat * M_PI / 180), dlat * 110540);
}

static void test_published_pairs(void)
{
	for (size_t i = 0; i < sizeof wgs_gcj / sizeof wgs_gcj[0]; i++) {
		const double *p = wgs_gcj[i];
		double gx, gy, wx, wy;
		geo_wgs84_to_gcj02(p[0], p[1], &gx, &gy);
		CHECK_NEAR("WGS84 -> GCJ-02 lon matches the published pair", gx, p[2], 1e-9);
		CHECK_NEAR("WGS84 -> GCJ-02 lat matches the published pair", gy, p[3], 1e-9);
		geo_gcj02_to_wgs84(p[2], p[3], &wx, &wy);
		CHECK("GCJ-02 -> WGS84 inverse within 1 cm of the published point",
		      metres(wx - p[0], wy - p[1], p[1]) < 0.01);
	}
	double bx, by;
	geo_gcj02_to_bd09(116.404, 39.915, &bx, &by);
	CHECK_NEAR("GCJ-02 -> BD-09 lon (coordtransform pair)", bx, 116.41036949371029, 1e-9);
	CHECK_NEAR("GCJ-02 -> BD-09 lat (coordtransform pair)", by, 39.92133699351021, 1e-9);
	for (size_t i = 0; i < sizeof bd_gcj / sizeof bd_gcj[0]; i++) {
		const double *p = bd_gcj[i];
		double gx, gy;
		geo_bd09_to_gcj02(p[0], p[1], &gx, &gy);
		CHECK("BD-09 -> GCJ-02 within 1 m of the published (approximate) pair",
		      metres(gx - p[2], gy - p[3], p[1]) < 1);
	}
}

static void test_round_trips(void)
{
	double worst = 0;
	for (double lon = 100; lon <= 125; lon += 0.37)
		for (double lat = 20; lat <= 45; lat += 0.41) {
			double gx, gy, bx, by, x, y, cx, cy;
			geo_wgs84_to_gcj02(lon, lat, &gx, &gy);
			geo_gcj02_to_wgs84(gx, gy, &x, &y);
			worst = fmax(worst, metres(x - lon, y - lat, lat));
			geo_gcj02_to_bd09(gx, gy, &bx, &by);
			geo_bd09_to_gcj02(bx, by, &cx, &cy);
			worst = fmax(worst, metres(cx - gx, cy - gy, lat));
		}
	CHECK("GCJ-02 and BD-09 inverses round-trip to under 1 cm over China", worst < 0.01);
	double x, y;
	geo_wgs84_to_gcj02(2.35, 48.85, &x, &y);
	CHECK("no GCJ-02 offset outside China", x == 2.35 && y == 48.85);
}

static void test_working_crs(geo_ctx *ctx)
{
	CHECK("117E 39.4N works in EPSG:4548", geo_crs_working_epsg(117.0, 39.4) == 4548);
	CHECK("75E works in EPSG:4534", geo_crs_working_epsg(75.2, 39) == 4534);
	CHECK("135E works in EPSG:4554", geo_crs_working_epsg(134.9, 48) == 4554);
	CHECK("Paris works in UTM 31N", geo_crs_working_epsg(2.35, 48.85) == 32631);
	CHECK("Sydney works in UTM 56S", geo_crs_working_epsg(151.2, -33.9) == 32756);
	CHECK("a longitude of 1e300 has the last UTM zone, not an overflow",
	      geo_crs_working_epsg(1e300, 10) == 32660);
	CHECK("a NaN longitude has a zone too", geo_crs_working_epsg(NAN, NAN) / 100 == 327);
	geo_crs *cgcs = geo_crs_new(ctx, "EPSG:4490");
	geo_crs *work = cgcs ? geo_crs_working(ctx, cgcs, 117.0, 39.4) : NULL;
	CHECK("geographic CGCS2000 gets a projected working CRS",
	      work && geo_crs_is_projected(work) && !strcmp(geo_crs_name(work), "EPSG:4548"));
	geo_crs *gk = geo_crs_new(ctx, "EPSG:4548");
	geo_crs *same = gk ? geo_crs_working(ctx, gk, 500000, 4360000) : NULL;
	CHECK("a projected CRS is its own working CRS", same && geo_crs_equal(same, gk));
	geo_crs *gcj = geo_crs_new(ctx, "gcj02");
	CHECK("GCJ02 is known", gcj && geo_crs_shift(gcj) == GEO_SHIFT_GCJ02 &&
				      !strcmp(geo_crs_name(gcj), "GCJ02"));
	CHECK("a nonsense CRS is refused", !geo_crs_new(ctx, "EPSG:99999999"));

	/* 117E is the central meridian of EPSG:4548: easting 500 km there. */
	geo_transform *t = geo_transform_new(ctx, cgcs, gk);
	double x = 117.0, y = 39.4;
	CHECK("transform 4490 -> 4548", t && geo_transform_points(ctx, t, 1, &x, &y) == GEO_OK);
	CHECK_NEAR("central meridian maps to easting 500000", x, 500000, 1e-6);
	CHECK_NEAR("39.4N maps to the meridian arc length", y, 4361438.0, 2000);
	/* GCJ-02 input lands where the WGS84 point it encodes does. */
	geo_transform *tg = geo_transform_new(ctx, gcj, gk), *tw = NULL;
	geo_crs *wgs = geo_crs_new(ctx, "EPSG:4326");
	tw = wgs ? geo_transform_new(ctx, wgs, gk) : NULL;
	double ax = 117.01, ay = 39.41, gx, gy;
	geo_wgs84_to_gcj02(ax, ay, &gx, &gy);
	if (tg && tw) {
		geo_transform_points(ctx, tw, 1, &ax, &ay);
		geo_transform_points(ctx, tg, 1, &gx, &gy);
	}
	CHECK("GCJ-02 points land on their WGS84 position to 1 cm",
	      tg && tw && hypot(ax - gx, ay - gy) < 0.01);
	geo_transform_free(t);
	geo_transform_free(tg);
	geo_transform_free(tw);
	geo_crs_free(wgs);
	geo_crs_free(gcj);
	geo_crs_free(same);
	geo_crs_free(gk);
	geo_crs_free(work);
	geo_crs_free(cgcs);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	test_published_pairs();
	test_round_trips();
	test_working_crs(ctx);
	geo_ctx_free(ctx);
	return check_done();
}
