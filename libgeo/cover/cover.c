/*
** cover.c: grid-cover's verb. It reads the cameras (fields, defaults by
** kind, ranges by the DORI rule), builds the surface (a DEM or flat ground,
** with building footprints burnt on at their heights), runs every camera's
** viewshed (cover_view.c) and writes the coverage raster, the per-grid table
** and the blind spots (cover_out.c).
**
** The surface is a north-up grid in the working CRS over the grids' extent
** (or the DEM's, or the cameras' grown by their ranges). Its cell is --cell,
** or the finest of 0.5, 1, 2, 5, 10, 20, 50 and 100 m that keeps it under
** COVER_AUTO_CELLS cells: 2 m for a town of 90 km².
*/
#include "cover/cover_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cpl_string.h>
#include <gdal_alg.h>

#define COVER_AUTO_CELLS 25e6
/* Larger surfaces are refused rather than left to exhaust memory. */
#define COVER_MAX_CELLS 400e6

/* Defaults by kind, for fields that are absent or null. A PTZ camera (and a
** high point, which carries one) turns all round: its sector is 360° whatever
** its fov field, which then describes the lens.
** The Chinese words are a town's ledgers': 高点 (the 慧眼 towers), 球机,
** 半球, 枪机. */
static const geo_camera_kind kinds[] = {
	{ "high_point", 40, 360, 2000, 3 },
	{ "tower", 40, 360, 2000, 3 },
	{ "高点", 40, 360, 2000, 3 },
	{ "铁塔", 40, 360, 2000, 3 },
	{ "ptz", 20, 360, 500, 3 },
	{ "球机", 20, 360, 500, 3 },
	{ "dome", 4, 100, 50, 100 },
	{ "半球", 4, 100, 50, 100 },
	{ "bullet", 6, 90, 100, 90 },
	{ "枪机", 6, 90, 100, 90 },
	{ "village", 6, 90, 100, 90 },
	{ "", 6, 90, 100, 90 },         /* any other kind, or none */
};

static const geo_camera_kind *kind_of(const char *name)
{
	size_t n = sizeof kinds / sizeof kinds[0];
	for (size_t i = 0; name && i + 1 < n; i++)
		if (!strcasecmp(name, kinds[i].name))
			return &kinds[i];
	return &kinds[n - 1];
}

static int turns_all_round(const geo_camera_kind *k)
{
	return k->fov >= 360;
}

void geo_cover_opts_init(geo_cover_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_common_opts_init(&o->common);
	o->height_field = "height_m";
	o->target_height = 1.5;
	o->min_area = 100;
	o->height_f = "height_m";
	o->azimuth_f = "azimuth_deg";
	o->fov_f = "fov_deg";
	o->range_f = "range_m";
	o->tilt_f = "tilt_deg";
	o->vfov_f = "vfov_deg";
	o->kind_f = "type";
	o->resolution_f = "resolution_px";
	o->dori = GEO_DORI_DETECTION;
	o->site_spacing = 50;
	o->add_height = 6;
	o->add_fov = 90;
	o->add_range = 100;
	o->time_limit = 60;
	geo_grid_opts_init(&o->grid);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

struct cover_report {
	size_t cameras, range_field, range_dori, range_kind, obstacles, spots, dem_nodata;
	double cell, covered, inside, spot_area, seconds[4];
	const char *dem;
};

/* ---- the cameras ---------------------------------------------------------- */

struct cam_fields { int height, azimuth, fov, range, tilt, vfov, kind, res; };

static int field(geo_ctx *ctx, geo_input *in, const char *name, const char *dflt)
{
	if (!name)
		return -1;
	int i = OGR_FD_GetFieldIndex(geo_input_defn(in), name);
	if (i < 0 && strcmp(name, dflt))
		geo_log(ctx, GEO_LOG_WARN, "%s has no field '%s': using the defaults by kind",
			geo_input_name(in), name);
	return i;
}

/* The field's value, or NaN when the field is absent or null. */
static double value(OGRFeatureH f, int i)
{
	if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
		return NAN;
	return OGR_F_GetFieldAsDouble(f, i);
}

static geo_err camera_from(geo_ctx *ctx, geo_input *in, OGRFeatureH f, const struct cam_fields *fl,
			   const geo_cover_opts *o, geo_camera *c, struct cover_report *r)
{
	char label[160];
	snprintf(label, sizeof label, "%s: feature %lld", geo_input_name(in),
		 (long long)OGR_F_GetFID(f));
	const geo_camera_kind *k = kind_of(fl->kind >= 0 ? geo_feat_str(f, fl->kind) : NULL);
	double h = value(f, fl->height), az = value(f, fl->azimuth), fov = value(f, fl->fov);
	double range = value(f, fl->range), tilt = value(f, fl->tilt), vfov = value(f, fl->vfov);
	double res = value(f, fl->res);
	c->height = isnan(h) ? k->height : h;
	c->azimuth = isnan(az) ? 0 : az;
	if (!isnan(fov) && !(fov > 0 && fov <= 360))
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: field of view %g° is not between 0 and 360",
				label, fov);
	c->fov = turns_all_round(k) || isnan(fov) ? k->fov : fov;
	double lens = !isnan(fov) && fov < 180 ? fov : k->lens_fov;
	if (!isfinite(c->height) || c->height < 0)
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: height %g m is below the ground (heights are "
				"above the surface at the camera)", label, c->height);
	if (!isfinite(c->azimuth))
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: azimuth is not a number", label);
	c->has_tilt = !isnan(tilt);
	c->tilt = tilt;
	c->vfov = isnan(vfov) ? 0.5625 * c->fov : vfov; /* a 16:9 sensor */
	if (c->has_tilt && !(tilt >= -90 && tilt <= 90))
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: tilt %g° is not between -90 and 90", label, tilt);
	if (c->has_tilt && !(c->vfov > 0 && c->vfov <= 180))
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: vertical field of view %g° is not between 0 and 180",
				label, c->vfov);
	if (!isnan(range)) {
		r->range_field++;
		c->range = range;
	} else if (!isnan(res)) {
		r->range_dori++;
		c->range = geo_dori_range(o->dori, res, lens);
	} else {
		r->range_kind++;
		c->range = k->range;
	}
	if (!(c->range > 0 && isfinite(c->range)))
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: range %g m is not positive", label, c->range);
	return GEO_OK;
}

static geo_crs *working_crs(geo_ctx *ctx, const geo_cover_opts *o, geo_input *in)
{
	geo_crs *w = o->common.work_srs ? geo_crs_new(ctx, o->common.work_srs)
					: geo_input_working_crs(ctx, in);
	if (!w)
		return NULL;
	if (!geo_crs_is_projected(w) || fabs(OSRGetLinearUnits(geo_crs_ogr(w), NULL) - 1) > 1e-9) {
		geo_fail(ctx, GEO_ERR_USAGE, "--work-srs: %s is not a projected CRS in metres",
			 geo_crs_name(w));
		geo_crs_free(w);
		return NULL;
	}
	return w;
}

static geo_err read_cameras(geo_ctx *ctx, const geo_cover_opts *o, const char *name,
			    geo_crs **work, geo_camera **cams, long long **fids, size_t *n,
			    struct cover_report *r)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, o->common.where);
	geo_input *in = geo_input_open(ctx, name, &io);
	if (!in)
		return geo_last_code(ctx);
	geo_err e = geo_input_require_crs(ctx, in);
	if (!e && !(*work = working_crs(ctx, o, in)))
		e = geo_last_code(ctx);
	if (!e)
		e = geo_input_set_target(ctx, in, *work);
	struct cam_fields fl = {
		field(ctx, in, o->height_f, "height_m"), field(ctx, in, o->azimuth_f, "azimuth_deg"),
		field(ctx, in, o->fov_f, "fov_deg"), field(ctx, in, o->range_f, "range_m"),
		field(ctx, in, o->tilt_f, "tilt_deg"), field(ctx, in, o->vfov_f, "vfov_deg"),
		field(ctx, in, o->kind_f, "type"), field(ctx, in, o->resolution_f, "resolution_px"),
	};
	size_t cap = 0;
	GEOSContextHandle_t gh = geo_ctx_geos(ctx);
	OGRFeatureH f;
	GEOSGeometry *g;
	while (!e && !(e = geo_input_next(ctx, in, &f, &g)) && f) {
		if (!g || GEOSGeomTypeId_r(gh, g) != GEOS_POINT || GEOSisEmpty_r(gh, g)) {
			e = geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: a camera must be a point",
				     geo_input_name(in), (long long)OGR_F_GetFID(f));
		} else if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			geo_camera *c2 = geo_realloc_array(ctx, *cams, cap, sizeof **cams);
			if (c2)
				*cams = c2;
			long long *f2 = geo_realloc_array(ctx, *fids, cap, sizeof **fids);
			if (f2)
				*fids = f2;
			if (!c2 || !f2)
				e = GEO_ERR_INTERNAL;
		}
		if (!e) {
			geo_camera *c = &(*cams)[*n];
			memset(c, 0, sizeof *c);
			GEOSGeomGetX_r(gh, g, &c->x);
			GEOSGeomGetY_r(gh, g, &c->y);
			(*fids)[*n] = OGR_F_GetFID(f);
			e = camera_from(ctx, in, f, &fl, o, c, r);
			if (!e)
				(*n)++;
		}
		if (g)
			GEOSGeom_destroy_r(gh, g);
		OGR_F_Destroy(f);
	}
	if (!e && !*n)
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: no camera at all%s", geo_input_name(in),
			     o->common.where ? " (after --where)" : "");
	geo_input_close(in);
	r->cameras = *n;
	return e;
}

/* ---- the surface ----------------------------------------------------------- */

static double auto_cell(double w, double h)
{
	static const double cells[] = { 0.5, 1, 2, 5, 10, 20, 50, 100 };
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
		if (ceil(w / cells[i]) * ceil(h / cells[i]) <= COVER_AUTO_CELLS)
			return cells[i];
	return 100;
}

static geo_err open_dem(geo_ctx *ctx, const char *path, const geo_crs *work, GDALDatasetH *ds,
			double env[4])
{
	CPLErrorReset();
	*ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!*ds)
		return geo_fail(ctx, GEO_ERR_INPUT, "--dem %s: cannot open: %s", path,
				geo_cpl_error("not a raster GDAL reads"));
	double gt[6];
	OGRSpatialReferenceH srs = GDALGetSpatialRef(*ds);
	if (GDALGetGeoTransform(*ds, gt) != CE_None || gt[2] != 0 || gt[4] != 0 || gt[5] >= 0)
		return geo_fail(ctx, GEO_ERR_INPUT, "--dem %s: not a north-up georeferenced raster", path);
	if (!srs)
		return geo_fail(ctx, GEO_ERR_INPUT, "--dem %s: has no CRS", path);
	geo_crs *c = geo_crs_from_ogr(ctx, srs);
	int same = c && geo_crs_equal(c, work);
	char name[64];
	snprintf(name, sizeof name, "%s", c ? geo_crs_name(c) : "?");
	geo_crs_free(c);
	if (!same)
		return geo_fail(ctx, GEO_ERR_INPUT, "--dem %s: is in %s, not in the working CRS %s: "
				"reproject it (gdalwarp -t_srs %s) or give --work-srs", path, name,
				geo_crs_name(work), geo_crs_name(work));
	env[0] = gt[0];
	env[3] = gt[3];
	env[2] = gt[0] + gt[1] * GDALGetRasterXSize(*ds);
	env[1] = gt[3] + gt[5] * GDALGetRasterYSize(*ds);
	return GEO_OK;
}

/* Reads the DEM resampled (bilinear) onto the surface's grid. */
static geo_err read_dem(geo_ctx *ctx, GDALDatasetH ds, const char *path, cover_surface *s,
			struct cover_report *r)
{
	double gt[6];
	GDALGetGeoTransform(ds, gt);
	GDALRasterBandH b = GDALGetRasterBand(ds, 1);
	GDALRasterIOExtraArg arg;
	INIT_RASTERIO_EXTRA_ARG(arg);
	arg.eResampleAlg = GRIORA_Bilinear;
	arg.bFloatingPointWindowValidity = TRUE;
	arg.dfXOff = (s->g.x0 - gt[0]) / gt[1];
	arg.dfYOff = (s->g.y0 - gt[3]) / gt[5];
	arg.dfXSize = s->g.width * s->g.px / gt[1];
	arg.dfYSize = s->g.height * s->g.py / -gt[5];
	/* The surface lies inside the DEM: a window edge a rounding error
	** outside it is on it. */
	int xoff = (int)floor(arg.dfXOff + 1e-6), yoff = (int)floor(arg.dfYOff + 1e-6);
	if (xoff < 0)
		xoff = 0;
	if (yoff < 0)
		yoff = 0;
	arg.dfXOff = fmax(arg.dfXOff, 0);
	arg.dfYOff = fmax(arg.dfYOff, 0);
	int xs = (int)ceil(arg.dfXOff + arg.dfXSize) - xoff, ys = (int)ceil(arg.dfYOff + arg.dfYSize) - yoff;
	if (xoff + xs > GDALGetRasterXSize(ds))
		xs = GDALGetRasterXSize(ds) - xoff;
	if (yoff + ys > GDALGetRasterYSize(ds))
		ys = GDALGetRasterYSize(ds) - yoff;
	CPLErrorReset();
	if (GDALRasterIOEx(b, GF_Read, xoff, yoff, xs, ys, s->z, s->g.width, s->g.height,
			   GDT_Float32, 0, 0, &arg) != CE_None)
		return geo_fail(ctx, GEO_ERR_INPUT, "--dem %s: cannot read: %s", path,
				geo_cpl_error("read failed"));
	int has_nd;
	double nd = GDALGetRasterNoDataValue(b, &has_nd);
	size_t n = (size_t)s->g.width * s->g.height;
	for (size_t i = 0; i < n; i++)
		if ((has_nd && s->z[i] == (float)nd) || !isfinite(s->z[i])) {
			s->z[i] = 0;
			r->dem_nodata++;
		}
	if (r->dem_nodata)
		geo_log(ctx, GEO_LOG_WARN, "--dem %s: %zu cells without data taken as 0 m", path,
			r->dem_nodata);
	return GEO_OK;
}

/* Burns geoms (OGR, taken) with their values into buf; GDAL's rule: the
** cells whose centre is inside. */
static geo_err burn(geo_ctx *ctx, const cover_surface *s, void *buf, GDALDataType t,
		    const geo_crs *crs, OGRGeometryH *geoms, const double *values, size_t n)
{
	GDALDatasetH ds = cover_mem_over(&s->g, buf, t, crs);
	geo_err e = GEO_OK;
	int band = 1;
	if (!ds)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "cannot make a MEM raster: %s",
			     geo_cpl_error("out of memory"));
	else if (n && GDALRasterizeGeometries(ds, 1, &band, (int)n, geoms, NULL, NULL, values, NULL,
					      NULL, NULL) != CE_None)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "rasterising failed: %s",
			     geo_cpl_error("GDALRasterizeGeometries refused"));
	if (ds)
		GDALClose(ds);
	for (size_t i = 0; i < n; i++)
		OGR_G_DestroyGeometry(geoms[i]);
	return e;
}

static geo_err add_obstacles(geo_ctx *ctx, const geo_cover_opts *o, const geo_crs *work,
			     cover_surface *s, struct cover_report *r)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, NULL);
	geo_input *in = geo_input_open(ctx, o->obstacles, &io);
	if (!in)
		return geo_last_code(ctx);
	geo_err e = geo_input_require_crs(ctx, in);
	if (!e)
		e = geo_input_set_target(ctx, in, work);
	int hf = OGR_FD_GetFieldIndex(geo_input_defn(in), o->height_field);
	if (!e && hf < 0)
		e = geo_fail(ctx, GEO_ERR_USAGE, "--height-field: %s has no field '%s'",
			     geo_input_name(in), o->height_field);
	cover_valued obs = { 0 };
	size_t skipped = 0;
	OGRFeatureH f;
	GEOSGeometry *g;
	while (!e && !(e = geo_input_next(ctx, in, &f, &g)) && f) {
		double v = value(f, hf);
		if (!g || isnan(v))
			skipped++;
		else if (v < 0)
			e = geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: height %g m is negative",
				     geo_input_name(in), (long long)OGR_F_GetFID(f), v);
		else
			e = cover_valued_add(ctx, &obs, g, v);
		if (g)
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
		OGR_F_Destroy(f);
	}
	geo_input_close(in);
	if (skipped)
		geo_log(ctx, GEO_LOG_WARN, "--obstacles: %zu features without geometry or height skipped",
			skipped);
	float *top = e ? NULL : geo_calloc(ctx, (size_t)s->g.width * s->g.height, sizeof *top);
	if (!e && !top)
		e = GEO_ERR_INTERNAL;
	if (!e) {
		r->obstacles = obs.n;
		e = burn(ctx, s, top, GDT_Float32, work, obs.geoms, obs.v, obs.n);
		obs.n = 0; /* burn destroyed them */
	}
	cover_valued_free(&obs);
	for (size_t i = 0; !e && i < (size_t)s->g.width * s->g.height; i++)
		s->z[i] += top[i];
	free(top);
	return e;
}

/* The grid index of every cell centre, -1 outside every grid. */
static geo_err grid_cells(geo_ctx *ctx, const geo_gridset *gs, const geo_crs *work,
			  cover_surface *s)
{
	size_t n = (size_t)s->g.width * s->g.height;
	for (size_t i = 0; i < n; i++)
		s->grid[i] = -1;
	if (!gs)
		return GEO_OK;
	OGRGeometryH *geoms = geo_calloc(ctx, gs->n ? gs->n : 1, sizeof *geoms);
	double *v = geo_calloc(ctx, gs->n ? gs->n : 1, sizeof *v);
	size_t m = 0;
	geo_err e = geoms && v ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < gs->n; i++) {
		if (!gs->grids[i].geom)
			continue;
		if (!(geoms[m] = geo_geom_to_ogr(ctx, gs->grids[i].geom)))
			e = geo_last_code(ctx);
		else
			v[m++] = (double)i;
	}
	if (!e)
		e = burn(ctx, s, s->grid, GDT_Int32, work, geoms, v, m);
	else
		for (size_t i = 0; i < m; i++)
			OGR_G_DestroyGeometry(geoms[i]);
	free(geoms);
	free(v);
	s->has_grids = 1;
	return e;
}

/* The surface's extent and cell: the grids', else the DEM's, else the
** cameras' grown by their ranges; within the DEM when there is one. */
static geo_err make_surface(geo_ctx *ctx, const geo_cover_opts *o, const geo_crs *work,
			    const geo_gridset *gs, const geo_camera *cams, size_t n,
			    cover_surface *s, struct cover_report *r)
{
	double env[4] = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL }, denv[4] = { 0, 0, 0, 0 };
	GDALDatasetH dem = NULL;
	geo_err e = GEO_OK;
	if (o->dem && (e = open_dem(ctx, o->dem, work, &dem, denv))) {
		if (dem)
			GDALClose(dem);
		return e;
	}
	GEOSContextHandle_t gh = geo_ctx_geos(ctx);
	if (gs) {
		for (size_t i = 0; i < gs->n; i++) {
			const GEOSGeometry *g = gs->grids[i].geom;
			double v[4];
			if (!g || !GEOSGeom_getXMin_r(gh, g, &v[0]) || !GEOSGeom_getYMin_r(gh, g, &v[1]) ||
			    !GEOSGeom_getXMax_r(gh, g, &v[2]) || !GEOSGeom_getYMax_r(gh, g, &v[3]))
				continue;
			env[0] = fmin(env[0], v[0]);
			env[1] = fmin(env[1], v[1]);
			env[2] = fmax(env[2], v[2]);
			env[3] = fmax(env[3], v[3]);
		}
	} else if (dem) {
		memcpy(env, denv, sizeof env);
	} else {
		for (size_t i = 0; i < n; i++) {
			env[0] = fmin(env[0], cams[i].x - cams[i].range);
			env[1] = fmin(env[1], cams[i].y - cams[i].range);
			env[2] = fmax(env[2], cams[i].x + cams[i].range);
			env[3] = fmax(env[3], cams[i].y + cams[i].range);
		}
	}
	if (dem) {
		env[0] = fmax(env[0], denv[0]);
		env[1] = fmax(env[1], denv[1]);
		env[2] = fmin(env[2], denv[2]);
		env[3] = fmin(env[3], denv[3]);
	}
	if (!(env[2] > env[0] && env[3] > env[1])) {
		if (dem)
			GDALClose(dem);
		return geo_fail(ctx, GEO_ERR_INPUT, "%s", dem ? _("--dem: the DEM does not overlap the grids")
							      : _("the grids have no area"));
	}
	double cell = o->cell > 0 ? o->cell : auto_cell(env[2] - env[0], env[3] - env[1]);
	r->cell = cell;
	s->g.px = s->g.py = cell;
	/* Whole cells, outwards; inwards at the DEM's edges, so every cell has data. */
	s->g.x0 = (dem ? ceil(env[0] / cell - 1e-9) : floor(env[0] / cell + 1e-9)) * cell;
	s->g.y0 = (dem ? floor(env[3] / cell + 1e-9) : ceil(env[3] / cell - 1e-9)) * cell;
	double w = ((dem ? floor(env[2] / cell + 1e-9) : ceil(env[2] / cell - 1e-9)) * cell - s->g.x0) / cell;
	double h = (s->g.y0 - (dem ? ceil(env[1] / cell - 1e-9) : floor(env[1] / cell + 1e-9)) * cell) / cell;
	w = round(w);
	h = round(h);
	if (w < 1 || h < 1 || w * h > COVER_MAX_CELLS) {
		if (dem)
			GDALClose(dem);
		return geo_fail(ctx, GEO_ERR_USAGE, "--cell: %g m makes a surface of %.0f x %.0f cells "
				"(at most %.0f million)", cell, w, h, COVER_MAX_CELLS / 1e6);
	}
	s->g.width = (int)w;
	s->g.height = (int)h;
	size_t cells = (size_t)s->g.width * s->g.height;
	s->z = geo_calloc(ctx, cells, sizeof *s->z);
	s->count = geo_calloc(ctx, cells, sizeof *s->count);
	s->grid = geo_calloc(ctx, cells, sizeof *s->grid);
	if (!s->z || !s->count || !s->grid)
		e = GEO_ERR_INTERNAL;
	if (!e && dem)
		e = read_dem(ctx, dem, o->dem, s, r);
	if (dem)
		GDALClose(dem);
	if (!e && o->obstacles)
		e = add_obstacles(ctx, o, work, s, r);
	if (!e)
		e = grid_cells(ctx, gs, work, s);
	return e;
}

static geo_err check_inside(geo_ctx *ctx, const char *name, const cover_surface *s,
			    const geo_camera *cams, const long long *fids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double cx = (cams[i].x - s->g.x0) / s->g.px, cy = (s->g.y0 - cams[i].y) / s->g.py;
		if (!(cx >= 0 && cy >= 0 && cx < s->g.width && cy < s->g.height))
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: the camera at (%.1f, %.1f) is "
					"outside the surface (%.1f %.1f %.1f %.1f)", name, fids[i],
					cams[i].x, cams[i].y, s->g.x0, s->g.y0 - s->g.height * s->g.py,
					s->g.x0 + s->g.width * s->g.px, s->g.y0);
	}
	return GEO_OK;
}

/* ---- the result ------------------------------------------------------------ */

/* The least covered grids with any cells, least first, into r->worst. */
static geo_err worst_grids(const geo_gridset *gs, const cover_grid_stats *st, double cell_m2,
			   geo_cover_result *r)
{
	size_t worst[GEO_COVER_WORST], nw = 0;
	for (size_t i = 0; gs && i < gs->n; i++) {
		if (!(st[i].cells > 0))
			continue;
		double f = st[i].covered / st[i].cells;
		size_t k = nw < GEO_COVER_WORST ? nw++ : GEO_COVER_WORST;
		if (k == GEO_COVER_WORST) {
			size_t j = GEO_COVER_WORST - 1;
			if (!(f < st[worst[j]].covered / st[worst[j]].cells))
				continue;
			k = j;
		}
		while (k > 0 && f < st[worst[k - 1]].covered / st[worst[k - 1]].cells) {
			worst[k] = worst[k - 1];
			k--;
		}
		worst[k] = i;
	}
	for (r->nworst = 0; r->nworst < nw; r->nworst++) {
		const cover_grid_stats *g = &st[worst[r->nworst]];
		char *id = strdup(gs->grids[worst[r->nworst]].id);
		if (!id)
			return GEO_ERR_INTERNAL;
		r->worst[r->nworst] = (geo_cover_grid){ id, 100 * g->covered / g->cells, g->cameras,
							(g->cells - g->covered) * cell_m2 };
	}
	return GEO_OK;
}

static int target_reached(const geo_cover_opts *o, const cover_add_result *add)
{
	return add->seen_after >= o->target * add->demand / 100;
}

/* What --add or --target proposed, for the report. */
static geo_cover_placement *placement(const geo_cover_opts *o, const cover_add_result *add)
{
	geo_cover_placement *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	const cover_exact_info *x = &add->exact;
	*p = (geo_cover_placement){
		.asked = o->add, .target = o->target, .height = o->add_height, .fov = o->add_fov,
		.range = o->add_range, .added = add->n, .sites = add->sites,
		.viewsheds = add->viewsheds, .evaluations = add->evaluations, .demand = add->demand,
		.seen_before = add->seen_before, .seen_after = add->seen_after, .upper = add->upper,
		.fewest = add->fewest, .has_demand = !!o->demand,
		.demand_features = add->demand_features, .demand_added = add->demand_added,
		.has_exact = o->exact,
		.exact = { x->ran, x->lp_solved, x->proved, x->improved, x->value, x->bound,
			   x->gap_pct, x->options, x->groups, x->seconds, o->time_limit },
		.work = add->work, .pairs_complete = add->pairs_complete, .seconds = add->seconds
	};
	size_t n = add->n ? add->n : 1;
	p->gain = malloc(n * sizeof *p->gain);
	p->pct = malloc(n * sizeof *p->pct);
	if (!p->gain || !p->pct) {
		free(p->gain);
		free(p->pct);
		free(p);
		return NULL;
	}
	if (add->n) {
		memcpy(p->gain, add->gain, add->n * sizeof *p->gain);
		memcpy(p->pct, add->pct, add->n * sizeof *p->pct);
	}
	return p;
}

/* The figures the report gives, copied: the report runs after the surface,
** the grids and the options are gone. */
static geo_cover_result *cover_result(const char *output, const geo_cover_opts *o,
				      const cover_surface *s, const geo_crs *work,
				      const geo_gridset *gs, const cover_grid_stats *st,
				      const struct cover_report *r, double hh_seen, double hh_total,
				      const cover_add_result *add)
{
	geo_cover_result *res = calloc(1, sizeof *res);
	if (!res)
		return NULL;
	*res = (geo_cover_result){
		.grid = s->g, .dem = !!o->dem, .obstacles = !!o->obstacles,
		.target_height = o->target_height, .cameras = r->cameras,
		.range_field = r->range_field, .range_dori = r->range_dori,
		.range_kind = r->range_kind, .dori = o->dori, .in_grids = s->has_grids,
		.cells = (size_t)r->inside, .covered = (size_t)r->covered,
		.households = hh_total, .households_seen = hh_seen,
		.has_blind_spots = !!o->blind_spots, .blind_spots = r->spots,
		.blind_spot_m2 = r->spot_area, .min_area = o->min_area,
		.seconds = { r->seconds[0], r->seconds[1], r->seconds[2], r->seconds[3] },
		.verbose = o->common.verbose
	};
	res->output = strdup(output);
	res->crs = strdup(geo_crs_name(work));
	int ok = res->output && res->crs && !worst_grids(gs, st, s->g.px * s->g.py, res);
	if (ok && (o->add || o->target > 0))
		ok = (res->add = placement(o, add)) != NULL;
	if (!ok) {
		geo_cover_result_free(res);
		return NULL;
	}
	return res;
}

/* ---- the verb ---------------------------------------------------------------- */

static geo_err check_opts(geo_ctx *ctx, const geo_cover_opts *o)
{
	if (!(o->cell >= 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--cell: must be positive");
	if (!(o->target_height >= 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--target-height: must be 0 or more");
	if (!(o->min_area >= 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--min-area: must be 0 or more");
	if (o->threads < 0)
		return geo_fail(ctx, GEO_ERR_USAGE, "--threads: must be 0 (all) or more");
	if (o->summary && !o->grids)
		return geo_fail(ctx, GEO_ERR_USAGE, "--summary needs the grids (-g GRIDS)");
	int placing = o->add || o->target > 0;
	if ((o->roads || o->households) && !o->summary && !placing)
		return geo_fail(ctx, GEO_ERR_USAGE, "--roads and --households go into --summary, --add "
				"or --target");
	if (o->add < 0)
		return geo_fail(ctx, GEO_ERR_USAGE, "--add: must be 0 or more");
	if (!(o->target >= 0 && o->target <= 100))
		return geo_fail(ctx, GEO_ERR_USAGE, "--target: a percentage, above 0 and up to 100");
	if (o->add && o->target > 0)
		return geo_fail(ctx, GEO_ERR_USAGE, "--add K and --target P: give one of them");
	if (placing && !o->sites && !o->roads)
		return geo_fail(ctx, GEO_ERR_USAGE, "--add and --target need candidate sites: --sites "
				"LAYER, or --roads to make them along the roads");
	if ((o->demand || o->weight_field) && !placing)
		return geo_fail(ctx, GEO_ERR_USAGE, "--demand and --weight-field go with --add K or --target P");
	if (o->weight_field && !o->demand)
		return geo_fail(ctx, GEO_ERR_USAGE, "--weight-field names a field of --demand LAYER");
	if (o->exact && !placing)
		return geo_fail(ctx, GEO_ERR_USAGE, "--exact goes with --add K or --target P");
	if (o->exact && !cover_exact_available())
		return geo_fail(ctx, GEO_ERR_USAGE, "--exact needs grid-cover built with GLPK (install "
				"libglpk-dev, then make WITH_GLPK=1)");
	if (!(o->time_limit > 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--time-limit: must be positive");
	if ((o->sites || o->proposed) && !placing)
		return geo_fail(ctx, GEO_ERR_USAGE, "--sites and --proposed go with --add K or --target P");
	if (!(o->site_spacing > 0) || !(o->add_height >= 0) || !(o->add_fov > 0 && o->add_fov <= 360) ||
	    !(o->add_range > 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--site-spacing, --add-height, --add-fov or --add-range "
				"out of range (> 0; fov up to 360)");
	return GEO_OK;
}

/* Cells covered and inside, per grid and in all; cameras per grid. */
static void tally(const cover_surface *s, const geo_camera *cams, size_t n, cover_grid_stats *st,
		  struct cover_report *r)
{
	size_t cells = (size_t)s->g.width * s->g.height;
	for (size_t i = 0; i < cells; i++) {
		int32_t g = s->grid[i];
		if (s->has_grids && g < 0)
			continue;
		r->inside++;
		r->covered += s->count[i] > 0;
		if (g >= 0) {
			st[g].cells++;
			st[g].covered += s->count[i] > 0;
		}
	}
	for (size_t i = 0; st && i < n; i++) {
		int cx = (int)floor((cams[i].x - s->g.x0) / s->g.px);
		int cy = (int)floor((s->g.y0 - cams[i].y) / s->g.py);
		int32_t g = s->grid[(size_t)cy * s->g.width + cx];
		if (g >= 0)
			st[g].cameras++;
	}
}

static geo_err cover_verb(geo_ctx *ctx, const char *cameras, const char *output,
			  const geo_cover_opts *o, geo_progress progress, void *pdata,
			  geo_cover_result **result)
{
	geo_err e = check_opts(ctx, o);
	if (e)
		return e;
	const char *inputs[10] = { cameras };
	int ni = 1;
	const char *in_names[] = { o->grids, o->dem, o->obstacles, o->roads, o->households, o->sites,
				   o->demand };
	for (size_t i = 0; i < sizeof in_names / sizeof in_names[0]; i++)
		if (in_names[i])
			inputs[ni++] = in_names[i];
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.format = o->common.out.format;
	oo.overwrite = o->common.out.overwrite;
	oo.inputs = inputs;
	geo_output *out = geo_output_open_raster(ctx, output, &oo), *sout = NULL, *bout = NULL;
	if (!out)
		return geo_last_code(ctx);
	const char *drv = geo_output_driver(out);
	if (strcmp(drv, "GTiff") && strcmp(drv, "COG")) {
		geo_output_close(out);
		return geo_fail(ctx, GEO_ERR_USAGE, "-f %s: grid-cover writes GTiff or COG", drv);
	}
	inputs[ni] = output;
	geo_output_opts_init(&oo);
	oo.overwrite = o->common.out.overwrite;
	oo.inputs = inputs;
	if (o->summary && !(sout = geo_output_open(ctx, o->summary, &oo)))
		e = geo_last_code(ctx);
	if (!e && o->blind_spots && !(bout = geo_output_open(ctx, o->blind_spots, &oo)))
		e = geo_last_code(ctx);
	geo_output *pout = NULL;
	if (!e && o->proposed && !(pout = geo_output_open(ctx, o->proposed, &oo)))
		e = geo_last_code(ctx);
	cover_add_result add;
	memset(&add, 0, sizeof add);
	struct cover_report r;
	memset(&r, 0, sizeof r);
	geo_crs *work = NULL;
	geo_camera *cams = NULL;
	long long *fids = NULL;
	size_t n = 0;
	geo_gridset *gs = NULL;
	cover_surface s;
	memset(&s, 0, sizeof s);
	cover_grid_stats *st = NULL;
	double hh_seen = 0, hh_total = 0, t0 = now();
	if (!e)
		e = read_cameras(ctx, o, cameras, &work, &cams, &fids, &n, &r);
	if (!e && o->grids) {
		geo_input_opts io;
		geo_input_opts_init(&io);
		if (!(gs = geo_gridset_read(ctx, o->grids, &io, &o->grid, work)))
			e = geo_last_code(ctx);
	}
	if (!e && gs && !(st = geo_calloc(ctx, gs->n ? gs->n : 1, sizeof *st)))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = make_surface(ctx, o, work, gs, cams, n, &s, &r);
	if (!e)
		e = check_inside(ctx, cameras, &s, cams, fids, n);
	double t1 = now();
	r.seconds[0] = t1 - t0;
	if (!e && OSRExportToWkt(geo_crs_ogr(work), &s.wkt) != OGRERR_NONE)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "cannot write %s as WKT", geo_crs_name(work));
	if (!e)
		e = cover_run(ctx, &s, cams, n, o->target_height, o->threads, progress, pdata);
	double t2 = now();
	r.seconds[1] = t2 - t1;
	if (!e) {
		tally(&s, cams, n, st, &r);
		e = cover_write_raster(ctx, out, &s, work, n, o);
	}
	if (!e && o->roads)
		e = cover_roads(ctx, &s, o->roads, work, st);
	if (!e && o->households)
		e = cover_households(ctx, &s, o->households, work, st, &hh_seen, &hh_total);
	if (!e && bout)
		e = cover_blind_spots(ctx, bout, &s, gs, work, o, st, &r.spots, &r.spot_area);
	if (!e && sout)
		e = cover_write_summary(ctx, sout, gs, st, o);
	double t3 = now();
	if (!e && (o->add || o->target > 0))
		e = cover_add(ctx, &s, o, work, gs, pout, progress, pdata, &add);
	if (!e && o->target > 0 && !target_reached(o, &add))
		geo_log(ctx, GEO_LOG_WARN, "--target %g%%: not reached; the proposals see %.2f%% of the "
			"demand", o->target, add.demand > 0 ? 100 * add.seen_after / add.demand : 0);
	r.seconds[3] = now() - t3;
	if (!e)
		e = geo_output_commit(ctx, out);
	if (!e && sout)
		e = geo_output_commit(ctx, sout);
	if (!e && bout)
		e = geo_output_commit(ctx, bout);
	if (!e && pout)
		e = geo_output_commit(ctx, pout);
	r.seconds[2] = now() - t2 - r.seconds[3];
	if (!e && !(*result = cover_result(output, o, &s, work, gs, st, &r, hh_seen, hh_total, &add)))
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	geo_output_close(out);
	geo_output_close(sout);
	geo_output_close(bout);
	geo_output_close(pout);
	cover_add_result_free(&add);
	CPLFree(s.wkt);
	free(s.z);
	free(s.count);
	free(s.grid);
	free(st);
	free(cams);
	free(fids);
	geo_gridset_free(gs);
	geo_crs_free(work);
	return e;
}

geo_err geo_cover(geo_ctx *ctx, const char *cameras, const geo_cover_opts *o,
		  geo_cover_result **result, geo_progress progress, void *progress_data)
{
	*result = NULL;
	return cover_verb(ctx, cameras, o->common.output, o, progress, progress_data, result);
}
