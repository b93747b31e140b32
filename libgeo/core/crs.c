/*
** crs.c: coordinate reference systems as users name them, the working-CRS
** rule, and transformations. PROJ (through OGR) does the real geodesy; this
** module adds GCJ-02 and BD-09, the offset systems of Chinese web maps that
** PROJ has no definition of. They are obfuscations of WGS84 lon/lat with a
** published forward formula and no closed inverse, so the inverses iterate.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct geo_crs {
	OGRSpatialReferenceH srs;
	geo_shift shift;
	char name[128];
};

struct geo_transform {
	OGRCoordinateTransformationH oct;   /* NULL when the datums agree */
	geo_shift from_shift, to_shift;
};

static void set_name(geo_crs *c)
{
	if (c->shift == GEO_SHIFT_GCJ02) {
		snprintf(c->name, sizeof c->name, "GCJ02");
		return;
	}
	if (c->shift == GEO_SHIFT_BD09) {
		snprintf(c->name, sizeof c->name, "BD09");
		return;
	}
	const char *auth = OSRGetAuthorityName(c->srs, NULL);
	const char *code = OSRGetAuthorityCode(c->srs, NULL);
	if (auth && code)
		snprintf(c->name, sizeof c->name, "%s:%s", auth, code);
	else
		snprintf(c->name, sizeof c->name, "%s", OSRGetName(c->srs) ? OSRGetName(c->srs) : "unnamed");
}

static geo_crs *wrap(geo_ctx *ctx, OGRSpatialReferenceH srs, geo_shift shift)
{
	geo_crs *c = geo_calloc(ctx, 1, sizeof *c);
	if (!c) {
		OSRDestroySpatialReference(srs);
		return NULL;
	}
	OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
	c->srs = srs;
	c->shift = shift;
	set_name(c);
	return c;
}

static geo_shift shift_named(const char *s)
{
	if (!strcasecmp(s, "GCJ02") || !strcasecmp(s, "GCJ-02"))
		return GEO_SHIFT_GCJ02;
	if (!strcasecmp(s, "BD09") || !strcasecmp(s, "BD-09"))
		return GEO_SHIFT_BD09;
	return GEO_SHIFT_NONE;
}

geo_crs *geo_crs_new(geo_ctx *ctx, const char *text)
{
	geo_shift shift = shift_named(text);
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OGRErr e = shift != GEO_SHIFT_NONE ? OSRImportFromEPSG(srs, 4326)
					   : OSRSetFromUserInput(srs, text);
	if (e != OGRERR_NONE) {
		OSRDestroySpatialReference(srs);
		geo_fail(ctx, GEO_ERR_USAGE, "unknown coordinate reference system '%s'", text);
		return NULL;
	}
	return wrap(ctx, srs, shift);
}

geo_crs *geo_crs_from_ogr(geo_ctx *ctx, OGRSpatialReferenceH srs)
{
	return srs ? wrap(ctx, OSRClone(srs), GEO_SHIFT_NONE) : NULL;
}

geo_crs *geo_crs_clone(const geo_crs *crs)
{
	if (!crs)
		return NULL;
	geo_crs *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	*c = *crs;
	c->srs = OSRClone(crs->srs);
	OSRSetAxisMappingStrategy(c->srs, OAMS_TRADITIONAL_GIS_ORDER);
	return c;
}

void geo_crs_free(geo_crs *crs)
{
	if (!crs)
		return;
	OSRDestroySpatialReference(crs->srs);
	free(crs);
}

OGRSpatialReferenceH geo_crs_ogr(const geo_crs *crs) { return crs->srs; }
geo_shift geo_crs_shift(const geo_crs *crs) { return crs->shift; }
const char *geo_crs_name(const geo_crs *crs) { return crs->name; }

int geo_crs_is_projected(const geo_crs *crs)
{
	return crs->shift == GEO_SHIFT_NONE && OSRIsProjected(crs->srs);
}

int geo_crs_equal(const geo_crs *a, const geo_crs *b)
{
	return a->shift == b->shift && OSRIsSame(a->srs, b->srs);
}

int geo_crs_working_epsg(double lon, double lat)
{
	/* CGCS2000 3-degree Gauss-Kruger zones without zone prefix: EPSG:4534
	** (central meridian 75E) to EPSG:4554 (135E). */
	if (lon >= 73.5 && lon <= 135.5 && lat >= 3 && lat <= 54)
		return 4534 + (int)lround((lon - 75) / 3);
	/* Clamped while still a double: the cast of a zone beyond an int (a
	** longitude of 1e300) or of NaN is undefined. */
	double z = floor((lon + 180) / 6) + 1;
	int zone = z >= 1 ? z <= 60 ? (int)z : 60 : 1;
	return (lat >= 0 ? 32600 : 32700) + zone;
}

geo_crs *geo_crs_working(geo_ctx *ctx, const geo_crs *crs, double x, double y)
{
	if (geo_crs_is_projected(crs))
		return geo_crs_clone(crs);
	double lon = x, lat = y;
	if (!OSRIsGeographic(crs->srs)) {
		geo_fail(ctx, GEO_ERR_INPUT, "CRS %s is neither projected nor geographic", crs->name);
		return NULL;
	}
	char epsg[32];
	snprintf(epsg, sizeof epsg, "EPSG:%d", geo_crs_working_epsg(lon, lat));
	return geo_crs_new(ctx, epsg);
}

/* ---- GCJ-02 and BD-09 ---------------------------------------------------- */

static const double KRASOVSKY_A = 6378245.0;
static const double KRASOVSKY_EE = 0.00669342162296594323;

/* The published formula applies the offset only inside this box. */
static int outside_china(double lon, double lat)
{
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

static double offset_lat(double x, double y)
{
	double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
	return r;
}

static double offset_lon(double x, double y)
{
	double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
	return r;
}

void geo_wgs84_to_gcj02(double lon, double lat, double *glon, double *glat)
{
	if (outside_china(lon, lat)) {
		*glon = lon;
		*glat = lat;
		return;
	}
	double dlat = offset_lat(lon - 105.0, lat - 35.0);
	double dlon = offset_lon(lon - 105.0, lat - 35.0);
	double rad = lat / 180.0 * M_PI;
	double magic = 1 - KRASOVSKY_EE * sin(rad) * sin(rad);
	double sq = sqrt(magic);
	dlat = dlat * 180.0 / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sq) * M_PI);
	dlon = dlon * 180.0 / (KRASOVSKY_A / sq * cos(rad) * M_PI);
	*glon = lon + dlon;
	*glat = lat + dlat;
}

static const double BD_XPI = M_PI * 3000.0 / 180.0;

void geo_gcj02_to_bd09(double x, double y, double *blon, double *blat)
{
	double z = sqrt(x * x + y * y) + 0.00002 * sin(y * BD_XPI);
	double t = atan2(y, x) + 0.000003 * cos(x * BD_XPI);
	*blon = z * cos(t) + 0.0065;
	*blat = z * sin(t) + 0.006;
}

/* Inverts a forward shift by fixed-point iteration: the shift varies so
** slowly that each step gains several digits; 1e-9 degrees is ~0.1 mm. */
static void invert(void (*fwd)(double, double, double *, double *), double tx, double ty,
		   double *x, double *y)
{
	double gx = tx, gy = ty;
	for (int i = 0; i < 30; i++) {
		double fx, fy;
		fwd(gx, gy, &fx, &fy);
		double ex = tx - fx, ey = ty - fy;
		gx += ex;
		gy += ey;
		if (fabs(ex) < 1e-10 && fabs(ey) < 1e-10)
			break;
	}
	*x = gx;
	*y = gy;
}

void geo_gcj02_to_wgs84(double glon, double glat, double *lon, double *lat)
{
	invert(geo_wgs84_to_gcj02, glon, glat, lon, lat);
}

void geo_bd09_to_gcj02(double blon, double blat, double *glon, double *glat)
{
	invert(geo_gcj02_to_bd09, blon, blat, glon, glat);
}

static void unshift(geo_shift s, double *x, double *y)
{
	double gx = *x, gy = *y;
	if (s == GEO_SHIFT_BD09)
		geo_bd09_to_gcj02(*x, *y, &gx, &gy);
	if (s != GEO_SHIFT_NONE)
		geo_gcj02_to_wgs84(gx, gy, x, y);
}

static void shift(geo_shift s, double *x, double *y)
{
	if (s == GEO_SHIFT_NONE)
		return;
	double gx, gy;
	geo_wgs84_to_gcj02(*x, *y, &gx, &gy);
	if (s == GEO_SHIFT_BD09)
		geo_gcj02_to_bd09(gx, gy, x, y);
	else {
		*x = gx;
		*y = gy;
	}
}

/* ---- transformations ----------------------------------------------------- */

geo_transform *geo_transform_new(geo_ctx *ctx, const geo_crs *from, const geo_crs *to)
{
	geo_transform *t = geo_calloc(ctx, 1, sizeof *t);
	if (!t)
		return NULL;
	t->from_shift = from->shift;
	t->to_shift = to->shift;
	if (OSRIsSame(from->srs, to->srs))
		return t;
	t->oct = OCTNewCoordinateTransformation(from->srs, to->srs);
	if (!t->oct) {
		geo_fail(ctx, GEO_ERR_INPUT, "cannot transform from %s to %s: %s", from->name, to->name,
			 geo_cpl_error("PROJ found no transformation"));
		free(t);
		return NULL;
	}
	return t;
}

void geo_transform_free(geo_transform *t)
{
	if (!t)
		return;
	if (t->oct)
		OCTDestroyCoordinateTransformation(t->oct);
	free(t);
}

int geo_transform_is_identity(const geo_transform *t)
{
	return !t->oct && t->from_shift == t->to_shift;
}

geo_err geo_transform_points(geo_ctx *ctx, geo_transform *t, size_t n, double *x, double *y)
{
	if (t->from_shift != t->to_shift)
		for (size_t i = 0; i < n; i++)
			unshift(t->from_shift, &x[i], &y[i]);
	if (t->oct && n) {
		int *ok = geo_calloc(ctx, n, sizeof *ok);
		if (!ok)
			return GEO_ERR_INTERNAL;
		int all = OCTTransformEx(t->oct, (int)n, x, y, NULL, ok);
		for (size_t i = 0; all && i < n; i++)
			all = ok[i] && isfinite(x[i]) && isfinite(y[i]);
		free(ok);
		if (!all)
			return geo_fail(ctx, GEO_ERR_INPUT, "coordinates cannot be transformed: %s",
					geo_cpl_error("outside the CRS's area"));
	}
	if (t->from_shift != t->to_shift)
		for (size_t i = 0; i < n; i++)
			shift(t->to_shift, &x[i], &y[i]);
	return GEO_OK;
}

/* Applies fn to every vertex of g. */
static void each_vertex(OGRGeometryH g, geo_shift s, void (*fn)(geo_shift, double *, double *))
{
	int parts = OGR_G_GetGeometryCount(g);
	if (parts > 0) {
		for (int i = 0; i < parts; i++)
			each_vertex(OGR_G_GetGeometryRef(g, i), s, fn);
		return;
	}
	int n = OGR_G_GetPointCount(g);
	for (int i = 0; i < n; i++) {
		double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
		fn(s, &x, &y);
		OGR_G_SetPoint_2D(g, i, x, y);
	}
}

geo_err geo_transform_ogr(geo_ctx *ctx, geo_transform *t, OGRGeometryH g)
{
	if (t->from_shift != t->to_shift)
		each_vertex(g, t->from_shift, unshift);
	if (t->oct && OGR_G_Transform(g, t->oct) != OGRERR_NONE)
		return geo_fail(ctx, GEO_ERR_INPUT, "geometry cannot be transformed: %s",
				geo_cpl_error("outside the CRS's area"));
	if (t->from_shift != t->to_shift)
		each_vertex(g, t->to_shift, shift);
	return GEO_OK;
}
