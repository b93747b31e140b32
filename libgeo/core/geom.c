/*
** geom.c: the bridge between OGR geometries (what files hold) and GEOS
** geometries (what libgeo computes with), plus the few measurements every
** verb reports. Conversion goes through WKB, the one format both sides read
** and write exactly; curves are linearised and Z dropped on the way in,
** since all work is planar.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

GEOSGeometry *geo_geom_from_ogr(geo_ctx *ctx, OGRGeometryH g)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	OGRGeometryH flat = NULL;
	if (OGR_G_HasCurveGeometry(g, TRUE))
		flat = OGR_G_GetLinearGeometry(g, 0, NULL);
	else if (OGR_G_Is3D(g) || OGR_G_IsMeasured(g))
		flat = OGR_G_Clone(g);
	if (flat)
		OGR_G_FlattenTo2D(flat);
	OGRGeometryH src = flat ? flat : g;
	size_t size = (size_t)OGR_G_WkbSize(src);
	unsigned char *wkb = geo_calloc(ctx, size, 1);
	GEOSGeometry *out = NULL;
	if (wkb && OGR_G_ExportToWkb(src, wkbNDR, wkb) == OGRERR_NONE)
		out = GEOSGeomFromWKB_buf_r(h, wkb, size);
	if (wkb && !out)
		geo_fail(ctx, GEO_ERR_INPUT, "geometry cannot be read: %s", geo_last_error(ctx));
	free(wkb);
	if (flat)
		OGR_G_DestroyGeometry(flat);
	return out;
}

OGRGeometryH geo_geom_to_ogr(geo_ctx *ctx, const GEOSGeometry *g)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	size_t size = 0;
	unsigned char *wkb = GEOSGeomToWKB_buf_r(h, g, &size);
	if (!wkb) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "cannot convert geometry: %s", geo_last_error(ctx));
		return NULL;
	}
	OGRGeometryH out = NULL;
	if (OGR_G_CreateFromWkb(wkb, NULL, &out, (int)size) != OGRERR_NONE) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "cannot convert geometry from GEOS to OGR");
		out = NULL;
	}
	GEOSFree_r(h, wkb);
	return out;
}

int geo_ogr_is_finite(OGRGeometryH g)
{
	int parts = OGR_G_GetGeometryCount(g);
	for (int i = 0; i < parts; i++)
		if (!geo_ogr_is_finite(OGR_G_GetGeometryRef(g, i)))
			return 0;
	int n = OGR_G_GetPointCount(g);
	for (int i = 0; i < n; i++)
		if (!isfinite(OGR_G_GetX(g, i)) || !isfinite(OGR_G_GetY(g, i)))
			return 0;
	return 1;
}

const char *geo_coord_problem(double x0, double y0, double x1, double y1, char *buf, size_t size)
{
	double v[4] = { x0, y0, x1, y1 };
	for (int i = 0; i < 4; i++)
		if (!isfinite(v[i])) {
			snprintf(buf, size, "coordinate is not a finite number");
			return buf;
		}
	for (int i = 0; i < 4; i++)
		if (fabs(v[i]) > GEO_COORD_MAX) {
			snprintf(buf, size, "coordinate %s %.6g is beyond ±1e8 m, "
				 "further than any projected CRS reaches (a wrong CRS or a typing error?)",
				 i % 2 ? "y" : "x", v[i]);
			return buf;
		}
	return NULL;
}

int geo_geom_within_limits(geo_ctx *ctx, const GEOSGeometry *g)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	double x0, y0, x1, y1;
	char buf[160];
	if (!g || GEOSisEmpty_r(h, g))
		return 1;
	return GEOSGeom_getExtent_r(h, g, &x0, &y0, &x1, &y1) &&
	       !geo_coord_problem(x0, y0, x1, y1, buf, sizeof buf);
}

geo_err geo_geom_validity(geo_ctx *ctx, const GEOSGeometry *g, char *reason, size_t reason_size,
			  double *x, double *y)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	char *why = NULL;
	GEOSGeometry *where = NULL;
	char valid = GEOSisValidDetail_r(h, g, 0, &why, &where);
	if (valid == 2)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "validity test failed: %s", geo_last_error(ctx));
	*x = *y = NAN;
	if (reason_size)
		reason[0] = '\0';
	if (why) {
		snprintf(reason, reason_size, "%s", why);
		GEOSFree_r(h, why);
	}
	if (where) {
		GEOSGeomGetX_r(h, where, x);
		GEOSGeomGetY_r(h, where, y);
		GEOSGeom_destroy_r(h, where);
	}
	return valid ? GEO_OK : GEO_PROBLEMS;
}

double geo_geom_area(geo_ctx *ctx, const GEOSGeometry *g)
{
	double a = 0;
	return GEOSArea_r(geo_ctx_geos(ctx), g, &a) ? a : NAN;
}

double geo_geom_length(geo_ctx *ctx, const GEOSGeometry *g)
{
	double l = 0;
	return GEOSLength_r(geo_ctx_geos(ctx), g, &l) ? l : NAN;
}

geo_err geo_geom_inside_point(geo_ctx *ctx, const GEOSGeometry *g, double *x, double *y)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *p = GEOSisEmpty_r(h, g) ? NULL : GEOSPointOnSurface_r(h, g);
	if (!p || GEOSisEmpty_r(h, p)) {
		GEOSGeom_destroy_r(h, p);
		*x = *y = NAN;
		return geo_fail(ctx, GEO_ERR_INPUT, "no point inside an empty geometry");
	}
	GEOSGeomGetX_r(h, p, x);
	GEOSGeomGetY_r(h, p, y);
	GEOSGeom_destroy_r(h, p);
	return GEO_OK;
}

/* Distance from p to boundary b, or -1 on failure. */
static double depth_of(GEOSContextHandle_t h, const GEOSGeometry *b, const GEOSGeometry *p)
{
	double d = -1;
	return b && GEOSDistance_r(h, b, p, &d) ? d : -1;
}

/*
** A point of polygonal g at least `depth` from its boundary: `first` when it
** qualifies (the caller's preferred point, such as the centroid), else the
** point on surface, else a point of g shrunk by depth; NULL when g is
** thinner than 2 depth everywhere. Overlay leaves hairs nanometres wide on
** regions whose edges nearly coincide; a point in one says nothing reliable
** about what covers it, and is no place to send a user to.
*/
GEOSGeometry *geo_geom_deep_point(geo_ctx *ctx, const GEOSGeometry *g, const GEOSGeometry *first,
				  double depth)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *b = GEOSBoundary_r(h, g), *p = NULL;
	if (first && GEOSContains_r(h, g, first) == 1 && depth_of(h, b, first) >= depth)
		p = GEOSGeom_clone_r(h, first);
	else if ((p = GEOSPointOnSurface_r(h, g)) && !GEOSisEmpty_r(h, p) && depth_of(h, b, p) < depth) {
		GEOSGeom_destroy_r(h, p);
		GEOSGeometry *core = GEOSBuffer_r(h, g, -depth, 2);
		p = core && !GEOSisEmpty_r(h, core) ? GEOSPointOnSurface_r(h, core) : NULL;
		GEOSGeom_destroy_r(h, core);
	}
	GEOSGeom_destroy_r(h, b);
	return p;
}

int geo_geom_dimension_class(OGRwkbGeometryType t)
{
	switch (wkbFlatten(t)) {
	case wkbPolygon: case wkbMultiPolygon: case wkbCurvePolygon: case wkbMultiSurface:
	case wkbTriangle: case wkbPolyhedralSurface: case wkbTIN:
		return 1;
	case wkbLineString: case wkbMultiLineString: case wkbCircularString:
	case wkbCompoundCurve: case wkbMultiCurve:
		return 2;
	case wkbPoint: case wkbMultiPoint:
		return 3;
	default:
		return 0;
	}
}
