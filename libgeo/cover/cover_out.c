/*
** cover_out.c: grid-cover's outputs. The coverage raster (UInt16, how many
** cameras see each cell, nodata outside the grids) with a QGIS style that
** shows blind cells in red and seen ones in greens; per grid, the share of
** its cells, road length and households that some camera sees; and the
** blind spots, GDALPolygonize's polygons of the unseen cells of each grid,
** simplified by half a cell and kept above --min-area.
**
** Every per-grid figure places things by the cell they fall in, and a cell
** by its centre, so the figures of one grid add up with its raster cells.
*/
#include "cover/cover_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <gdal_alg.h>

#define COVER_NODATA 65535

/* The cell holding (x, y), or -1 outside the surface. */
static long cell_at(const cover_surface *s, double x, double y)
{
	double cx = floor((x - s->g.x0) / s->g.px), cy = floor((s->g.y0 - y) / s->g.py);
	if (!(cx >= 0 && cy >= 0 && cx < s->g.width && cy < s->g.height))
		return -1;
	return (long)cy * s->g.width + (long)cx;
}

/* ---- the raster ------------------------------------------------------------ */

static char *raster_qml(size_t ncams)
{
	static const geo_qml_stop cls[] = {
		{ 0, "#e31a1c", 200, "0: blind" }, { 1, "#c7e9c0", 200, "1 camera" },
		{ 2, "#74c476", 220, "2 cameras" }, { 65534, "#238b45", 230, "3 or more" },
	};
	char title[64];
	snprintf(title, sizeof title, "cameras seeing each cell (%zu cameras)", ncams);
	return geo_qml_raster(cls, sizeof cls / sizeof cls[0],
			      &(geo_qml_raster_opts){ title, 1, 3, 0, NULL, 1 });
}

static CPLErr fill(GDALDatasetH ds, const cover_surface *s, const char *wkt, const uint16_t *v,
		   size_t ncams, const geo_cover_opts *o)
{
	double gt[6] = { s->g.x0, s->g.px, 0, s->g.y0, 0, -s->g.py };
	GDALSetGeoTransform(ds, gt);
	GDALSetProjection(ds, wkt);
	GDALRasterBandH band = GDALGetRasterBand(ds, 1);
	GDALSetRasterNoDataValue(band, COVER_NODATA);
	GDALSetDescription(band, "cameras seeing the cell");
	GDALSetRasterUnitType(band, "cameras");
	GDALSetMetadataItem(ds, "CAMERAS", CPLSPrintf("%zu", ncams), NULL);
	GDALSetMetadataItem(ds, "TARGET_HEIGHT_M", CPLSPrintf("%.17g", o->target_height), NULL);
	GDALSetMetadataItem(ds, "SURFACE", o->dem ? (o->obstacles ? "DEM and obstacles" : "DEM")
						  : (o->obstacles ? "flat with obstacles" : "flat"), NULL);
	GDALSetMetadataItem(ds, "UNITS", "cameras", NULL);
	GDALSetMetadataItem(ds, "SOFTWARE", "wangge grid-cover " GEO_VERSION, NULL);
	return GDALRasterIO(band, GF_Write, 0, 0, s->g.width, s->g.height, (void *)v, s->g.width,
			    s->g.height, GDT_UInt16, 0, 0);
}

geo_err cover_write_raster(geo_ctx *ctx, geo_output *out, const cover_surface *s,
			   const geo_crs *work, size_t ncams, const geo_cover_opts *o)
{
	const char *drv = geo_output_driver(out);
	if (strcmp(drv, "GTiff") && strcmp(drv, "COG"))
		return geo_fail(ctx, GEO_ERR_USAGE, "-f %s: grid-cover writes GTiff or COG", drv);
	size_t n = (size_t)s->g.width * s->g.height;
	uint16_t *v = geo_calloc(ctx, n, sizeof *v);
	if (!v)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		v[i] = s->has_grids && s->grid[i] < 0 ? COVER_NODATA : s->count[i];
	char *wkt = NULL;
	OSRExportToWkt(geo_crs_ogr(work), &wkt);
	char **co = NULL;
	co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
	co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
	co = CSLSetNameValue(co, "PREDICTOR", "2");
	geo_err e = GEO_OK;
	CPLErrorReset();
	GDALDatasetH mem = NULL, ds = NULL;
	if (!strcmp(drv, "GTiff")) {
		co = CSLSetNameValue(co, "TILED", "YES");
		co = CSLSetNameValue(co, "ZLEVEL", "1");
		ds = GDALCreate(GDALGetDriverByName("GTiff"), geo_output_path(out), s->g.width,
				s->g.height, 1, GDT_UInt16, co);
		if (!ds || fill(ds, s, wkt ? wkt : "", v, ncams, o) != CE_None)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write the GeoTIFF: %s",
				     geo_cpl_error("the driver refused"));
		int levels[] = { 2, 4, 8, 16 }, nl = 0;
		while (nl < 4 && (s->g.width > 256 * levels[nl] / 2 || s->g.height > 256 * levels[nl] / 2))
			nl++;
		if (!e && nl && GDALBuildOverviews(ds, "NEAREST", nl, levels, 0, NULL, NULL, NULL) != CE_None)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write the overviews: %s",
				     geo_cpl_error("write failed"));
	} else {
		co = CSLSetNameValue(co, "LEVEL", "1");
		co = CSLSetNameValue(co, "RESAMPLING", "NEAREST");
		mem = GDALCreate(GDALGetDriverByName("MEM"), "", s->g.width, s->g.height, 1, GDT_UInt16, NULL);
		if (!mem || fill(mem, s, wkt ? wkt : "", v, ncams, o) != CE_None)
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory writing the COG");
		if (!e && !(ds = GDALCreateCopy(GDALGetDriverByName("COG"), geo_output_path(out), mem,
						FALSE, co, NULL, NULL)))
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write the COG: %s",
				     geo_cpl_error("the driver refused"));
	}
	if (ds)
		GDALClose(ds);
	if (mem)
		GDALClose(mem);
	if (!e && CPLGetLastErrorType() >= CE_Failure)
		e = geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write %s: %s", geo_output_path(out),
			     geo_cpl_error("write failed"));
	CSLDestroy(co);
	CPLFree(wkt);
	free(v);
	if (e)
		return e;
	return geo_qml_attach(ctx, out, NULL, raster_qml(ncams));
}

/* ---- roads and households ------------------------------------------------------ */

geo_input *cover_open_input(geo_ctx *ctx, const char *name, const geo_crs *work)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	geo_input *in = geo_input_open(ctx, name, &io);
	if (in && (geo_input_require_crs(ctx, in) || geo_input_set_target(ctx, in, work))) {
		geo_input_close(in);
		return NULL;
	}
	return in;
}

geo_err cover_each_geometry(geo_ctx *ctx, const char *name, const geo_crs *work, cover_visit visit,
			    void *data)
{
	geo_input *in = cover_open_input(ctx, name, work);
	if (!in)
		return geo_last_code(ctx);
	OGRFeatureH f;
	GEOSGeometry *g;
	geo_err e;
	while (!(e = geo_input_next(ctx, in, &f, &g)) && f) {
		if (g) {
			e = visit(ctx, f, g, data);
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
		}
		OGR_F_Destroy(f);
		if (e)
			break;
	}
	geo_input_close(in);
	return e;
}

int cover_point_xy(GEOSContextHandle_t gh, const GEOSGeometry *g, double *x, double *y)
{
	return GEOSGeomTypeId_r(gh, g) == GEOS_POINT && !GEOSisEmpty_r(gh, g) && GEOSGeomGetX_r(gh, g, x) &&
	       GEOSGeomGetY_r(gh, g, y);
}

geo_err cover_valued_add(geo_ctx *ctx, cover_valued *c, const GEOSGeometry *g, double v)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		OGRGeometryH *g2 = geo_realloc_array(ctx, c->geoms, cap, sizeof *c->geoms);
		if (g2)
			c->geoms = g2;
		double *v2 = geo_realloc_array(ctx, c->v, cap, sizeof *c->v);
		if (v2)
			c->v = v2;
		if (!g2 || !v2)
			return GEO_ERR_INTERNAL;
		c->cap = cap;
	}
	if (!(c->geoms[c->n] = geo_geom_to_ogr(ctx, g)))
		return geo_last_code(ctx);
	c->v[c->n++] = v;
	return GEO_OK;
}

void cover_valued_free(cover_valued *c)
{
	for (size_t i = 0; i < c->n; i++)
		OGR_G_DestroyGeometry(c->geoms[i]);
	free(c->geoms);
	free(c->v);
	*c = (cover_valued){ 0 };
}

/* Walks a line in steps of at most half a cell, crediting each step to
** the cell of its middle. */
/* The steps of one line string; 0 when segment asked to stop. */
static int walk_line(GEOSContextHandle_t gh, const GEOSGeometry *line, const cover_surface *s,
		     cover_step step, cover_segment segment, void *data)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(gh, line);
	unsigned int n = 0;
	if (!cs || !GEOSCoordSeq_getSize_r(gh, cs, &n) || n < 2)
		return 1;
	double x0, y0, x1, y1, step_m = s->g.px / 2;
	GEOSCoordSeq_getXY_r(gh, cs, 0, &x0, &y0);
	for (unsigned int i = 1; i < n; i++, x0 = x1, y0 = y1) {
		GEOSCoordSeq_getXY_r(gh, cs, i, &x1, &y1);
		double len = hypot(x1 - x0, y1 - y0);
		long k = (long)ceil(len / step_m);
		for (long j = 0; j < k; j++) {
			double t = (j + 0.5) / k;
			long c = cell_at(s, x0 + t * (x1 - x0), y0 + t * (y1 - y0));
			if (c >= 0)
				step(data, (size_t)c, len / k);
		}
		if (segment && !segment(data, x0, y0, x1, y1, len, i == 1))
			return 0;
	}
	return 1;
}

int cover_walk_lines(GEOSContextHandle_t gh, const GEOSGeometry *g, const cover_surface *s,
		     cover_step step, cover_segment segment, void *data)
{
	int t = GEOSGeomTypeId_r(gh, g);
	if (t == GEOS_LINESTRING || t == GEOS_LINEARRING)
		return walk_line(gh, g, s, step, segment, data);
	if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION)
		for (int i = 0; i < GEOSGetNumGeometries_r(gh, g); i++)
			if (!cover_walk_lines(gh, GEOSGetGeometryN_r(gh, g, i), s, step, segment,
					      data))
				return 0;
	return 1;
}

struct road_sums {
	const cover_surface *s;
	cover_grid_stats *st;
};

static void sum_road(void *data, size_t c, double metres)
{
	struct road_sums *r = data;
	int32_t g = r->s->grid[c];
	if (g < 0)
		return;
	r->st[g].road_m += metres;
	if (r->s->count[c])
		r->st[g].road_seen_m += metres;
}

static geo_err add_road(geo_ctx *ctx, OGRFeatureH f, const GEOSGeometry *g, void *data)
{
	(void)f;
	struct road_sums *r = data;
	cover_walk_lines(geo_ctx_geos(ctx), g, r->s, sum_road, NULL, r);
	return GEO_OK;
}

geo_err cover_roads(geo_ctx *ctx, const cover_surface *s, const char *roads, const geo_crs *work,
		    cover_grid_stats *st)
{
	return cover_each_geometry(ctx, roads, work, add_road, &(struct road_sums){ s, st });
}

struct household_sums {
	const cover_surface *s;
	cover_grid_stats *st;
	double *seen, *total;
};

static geo_err add_household(geo_ctx *ctx, OGRFeatureH f, const GEOSGeometry *g, void *data)
{
	(void)f;
	struct household_sums *h = data;
	double x, y;
	if (!cover_point_xy(geo_ctx_geos(ctx), g, &x, &y))
		return GEO_OK;
	long c = cell_at(h->s, x, y);
	int32_t gi = c < 0 ? -1 : h->s->grid[c];
	if (gi < 0)
		return GEO_OK;
	h->st[gi].households++;
	(*h->total)++;
	if (h->s->count[c]) {
		h->st[gi].hh_seen++;
		(*h->seen)++;
	}
	return GEO_OK;
}

geo_err cover_households(geo_ctx *ctx, const cover_surface *s, const char *households,
			 const geo_crs *work, cover_grid_stats *st, double *seen, double *total)
{
	return cover_each_geometry(ctx, households, work, add_household,
				   &(struct household_sums){ s, st, seen, total });
}

/* ---- blind spots ------------------------------------------------------------------ */

static geo_err add_field(geo_ctx *ctx, OGRLayerH l, const char *name, OGRFieldType type)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, type);
	OGRErr err = OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
	return err == OGRERR_NONE ? GEO_OK
				  : geo_fail(ctx, GEO_ERR_OUTPUT, "cannot create field '%s': %s", name,
					     geo_cpl_error("driver refused"));
}

static char *spots_qml(void)
{
	geo_qml_category c = { "", "blind spot", "227,26,28", "b_diagonal" };
	geo_qml_categorized_opts qo = { "grid_id", GEO_QML_FILL, 0.8, 0.4, "227,26,28", NULL };
	return geo_qml_categorized(&c, 1, &qo);
}

/* Simplifies a polygonised spot (a staircase of cell edges) by half a cell,
** keeping its topology, and returns its valid polygonal part. */
static GEOSGeometry *clean(geo_ctx *ctx, OGRGeometryH og, double cell)
{
	GEOSContextHandle_t gh = geo_ctx_geos(ctx);
	GEOSGeometry *g = geo_geom_from_ogr(ctx, og);
	if (!g)
		return NULL;
	GEOSGeometry *simple = GEOSTopologyPreserveSimplify_r(gh, g, cell / 2);
	GEOSGeom_destroy_r(gh, g);
	if (!simple)
		return NULL;
	if (GEOSisValid_r(gh, simple) == 1)
		return simple;
	GEOSGeometry *valid = NULL;
	geo_make_valid_polygons(ctx, simple, &valid);
	GEOSGeom_destroy_r(gh, simple);
	return valid;
}

geo_err cover_blind_spots(geo_ctx *ctx, geo_output *out, const cover_surface *s,
			  const geo_gridset *gs, const geo_crs *work, const geo_cover_opts *o,
			  cover_grid_stats *st, size_t *nspots, double *area)
{
	size_t n = (size_t)s->g.width * s->g.height;
	int32_t *v = geo_calloc(ctx, n, sizeof *v);
	if (!v)
		return GEO_ERR_INTERNAL;
	/* Grid index + 1 where no camera sees the cell: GDALPolygonize then makes
	** each spot inside one grid. */
	for (size_t i = 0; i < n; i++)
		v[i] = s->count[i] ? 0 : s->has_grids ? s->grid[i] + 1 : 1;
	GDALDatasetH mem = cover_mem_over(&s->g, v, GDT_Int32, work);
	GDALDatasetH vds = GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, NULL);
	OGRLayerH pl = vds ? GDALDatasetCreateLayer(vds, "spots", geo_crs_ogr(work), wkbPolygon, NULL)
			   : NULL;
	geo_err e = GEO_OK;
	if (!mem || !pl) {
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "cannot make MEM datasets: %s",
			     geo_cpl_error("out of memory"));
	} else {
		OGRFieldDefnH fd = OGR_Fld_Create("v", OFTInteger);
		OGR_L_CreateField(pl, fd, TRUE);
		OGR_Fld_Destroy(fd);
		GDALRasterBandH b = GDALGetRasterBand(mem, 1);
		if (GDALPolygonize(b, b, pl, 0, NULL, NULL, NULL) != CE_None)
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "GDALPolygonize failed: %s",
				     geo_cpl_error("no reason given"));
	}
	OGRLayerH l = e ? NULL : geo_output_create_layer(ctx, out, NULL, work, wkbMultiPolygon);
	if (!e && !l)
		e = geo_last_code(ctx);
	if (!e)
		e = add_field(ctx, l, "grid_id", OFTString);
	if (!e)
		e = add_field(ctx, l, "area_m2", OFTReal);
	if (!e)
		e = add_field(ctx, l, "cells", OFTInteger64);
	GEOSContextHandle_t gh = geo_ctx_geos(ctx);
	double cell_m2 = s->g.px * s->g.py;
	OGRFeatureH pf;
	if (!e)
		OGR_L_ResetReading(pl);
	while (!e && (pf = OGR_L_GetNextFeature(pl))) {
		int gi = OGR_F_GetFieldAsInteger(pf, 0) - 1;
		OGRGeometryH og = OGR_F_GetGeometryRef(pf);
		double a = og ? OGR_G_Area(og) : 0;
		if (a >= o->min_area && a > 0) {
			GEOSGeometry *g = clean(ctx, og, s->g.px);
			if (g && !GEOSisEmpty_r(gh, g)) {
				GEOSGeometry *multi = GEOSGeomTypeId_r(gh, g) == GEOS_POLYGON
					? GEOSGeom_createCollection_r(gh, GEOS_MULTIPOLYGON, &g, 1) : g;
				OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
				OGR_F_SetFieldString(f, 0, s->has_grids && gi >= 0 && gs ? gs->grids[gi].id : "");
				OGR_F_SetFieldDouble(f, 1, round(a * 10) / 10);
				OGR_F_SetFieldInteger64(f, 2, (GIntBig)llround(a / cell_m2));
				e = geo_write_feature(ctx, l, f, multi, NULL);
				OGR_F_Destroy(f);
				g = multi;
				(*nspots)++;
				*area += a;
				if (st && gs && gi >= 0) {
					st[gi].spots++;
					st[gi].blind_m2 += a;
				}
			}
			if (g)
				GEOSGeom_destroy_r(gh, g);
		}
		OGR_F_Destroy(pf);
	}
	if (!e)
		e = geo_qml_attach(ctx, out, l, spots_qml());
	if (vds)
		GDALClose(vds);
	if (mem)
		GDALClose(mem);
	free(v);
	return e;
}

/* ---- the per-grid table ----------------------------------------------------------- */

/* Shares and lengths to the centimetre or hundredth of a per cent. */
static void set_real(OGRFeatureH f, const char *name, double v, int ok)
{
	geo_feature_set_real(f, name, round(v * 100) / 100, ok);
}

geo_err cover_write_summary(geo_ctx *ctx, geo_output *out, const geo_gridset *gs,
			    const cover_grid_stats *st, const geo_cover_opts *o)
{
	OGRLayerH l = geo_output_create_layer(ctx, out, NULL, gs->source_crs,
					      OGR_FD_GetGeomType(gs->defn));
	if (!l)
		return geo_last_code(ctx);
	static const struct { const char *name; OGRFieldType type; int when; } fl[] = {
		{ "grid_id", OFTString, 0 }, { "name", OFTString, 0 }, { "level", OFTInteger, 0 },
		{ "area_m2", OFTReal, 0 }, { "covered_pct", OFTReal, 0 }, { "uncovered_pct", OFTReal, 0 },
		{ "uncovered_m2", OFTReal, 0 }, { "blind_spots", OFTInteger, 1 },
		{ "blind_spot_m2", OFTReal, 1 }, { "road_m", OFTReal, 2 }, { "road_pct", OFTReal, 2 },
		{ "households", OFTInteger, 3 }, { "households_pct", OFTReal, 3 },
		{ "cameras", OFTInteger, 0 },
	};
	int when[4] = { 1, o->blind_spots != NULL, o->roads != NULL, o->households != NULL };
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < sizeof fl / sizeof fl[0]; i++)
		if (when[fl[i].when])
			e = add_field(ctx, l, fl[i].name, fl[i].type);
	double *unc = e ? NULL : geo_calloc(ctx, gs->n ? gs->n : 1, sizeof *unc);
	if (!e && !unc)
		e = GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < gs->n; i++) {
		const geo_grid *g = &gs->grids[i];
		const cover_grid_stats *t = &st[i];
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "grid_id"), g->id);
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "name"), g->name);
		OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "level"), g->level);
		double area = g->geom ? geo_geom_area(ctx, g->geom) : 0;
		double cov = t->cells > 0 ? 100 * t->covered / t->cells : NAN;
		unc[i] = t->cells > 0 ? 100 - cov : 0;
		set_real(f, "area_m2", area, 1);
		set_real(f, "covered_pct", cov, t->cells > 0);
		set_real(f, "uncovered_pct", 100 - cov, t->cells > 0);
		set_real(f, "uncovered_m2", area * (1 - cov / 100), t->cells > 0);
		if (o->blind_spots) {
			OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "blind_spots"), (int)t->spots);
			set_real(f, "blind_spot_m2", t->blind_m2, 1);
		}
		if (o->roads) {
			set_real(f, "road_m", t->road_m, 1);
			set_real(f, "road_pct", 100 * t->road_seen_m / t->road_m, t->road_m > 0);
		}
		if (o->households) {
			OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "households"), (int)t->households);
			set_real(f, "households_pct", 100 * t->hh_seen / t->households, t->households > 0);
		}
		OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "cameras"), (int)t->cameras);
		OGRGeometryH geom = OGR_F_GetGeometryRef(g->feat);
		if (geom)
			OGR_F_SetGeometry(f, geom);
		e = geo_write_feature(ctx, l, f, NULL, NULL);
		OGR_F_Destroy(f);
	}
	geo_qml_graduated_opts qo = { "uncovered_pct", GEO_QML_QUANTILES, "% unseen", 0.8, NULL };
	if (!e)
		e = geo_qml_attach(ctx, out, l, geo_qml_graduated(unc, gs->n, &qo));
	free(unc);
	return e;
}

GDALDatasetH cover_mem_over(const geo_raster_grid *g, void *buf, GDALDataType t, const geo_crs *crs)
{
	GDALDatasetH ds = GDALCreate(GDALGetDriverByName("MEM"), "", g->width, g->height, 0, t, NULL);
	if (!ds)
		return NULL;
	char opt[64];
	snprintf(opt, sizeof opt, "DATAPOINTER=%p", buf);
	char *opts[] = { opt, NULL };
	if (GDALAddBand(ds, t, opts) != CE_None) {
		GDALClose(ds);
		return NULL;
	}
	double gt[6] = { g->x0, g->px, 0, g->y0, 0, -g->py };
	GDALSetGeoTransform(ds, gt);
	GDALSetSpatialRef(ds, geo_crs_ogr(crs));
	return ds;
}
