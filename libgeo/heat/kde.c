/*
** kde.c: grid-heat's verb. It reads the points of a time window (weights and
** dates from their fields), chooses the raster's extent (the town, an
** explicit box, or the points grown by the radius), sums the kernels
** (kde_surface.c), and writes a Float32 GeoTIFF or COG with a QGIS colour
** ramp whose legend states the units; kde_grid.c adds the per-grid map.
**
** The raster is in the working CRS, since kernels are discs in metres;
** points from a lon/lat layer are projected first (see crs.c).
*/
#include "heat/kde_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cpl_string.h>
#include <gdal_alg.h>

/* Larger rasters are refused rather than left to exhaust memory. */

void geo_heat_opts_init(geo_heat_opts *o)
{
	memset(o, 0, sizeof *o);
	o->kernel = GEO_KERNEL_QUARTIC;
	o->scale = GEO_HEAT_DENSITY;
	geo_common_opts_init(&o->common);
	geo_grid_opts_init(&o->grid);
}

struct heat_report {
	size_t read, in_window, no_geometry, no_date, no_weight, beyond;
	char layer[256];        /* the points' layer name, for the selection report */
	double weight, max, inside, nodata_pixels;
	double seconds[3];      /* read, surface, write */
	geo_heat_grids grid;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static geo_err check_opts(geo_ctx *ctx, const geo_heat_opts *o)
{
	if (!(o->radius > 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--radius: give the bandwidth in metres (> 0)");
	if (!(o->pixel >= 0 && o->radius <= GEO_COORD_MAX && o->pixel <= GEO_COORD_MAX))
		return geo_fail(ctx, GEO_ERR_USAGE, "--pixel, --radius: must be positive and under %g m",
				GEO_COORD_MAX);
	if (o->has_te && !(o->te[2] > o->te[0] && o->te[3] > o->te[1]))
		return geo_fail(ctx, GEO_ERR_USAGE, "--te: need XMIN YMIN XMAX YMAX with XMIN < XMAX and YMIN < YMAX");
	if (o->has_te && o->extent)
		return geo_fail(ctx, GEO_ERR_USAGE, "give --extent or --te, not both");
	if (o->threads < 0)
		return geo_fail(ctx, GEO_ERR_USAGE, "--threads: must be 0 (all) or more");
	if (!!o->grids != !!o->grid_output)
		return geo_fail(ctx, GEO_ERR_USAGE, "--grids and --grid-output go together");
	if (o->compare_previous && !o->grids)
		return geo_fail(ctx, GEO_ERR_USAGE, "--compare-previous needs --grids and --grid-output");
	return GEO_OK;
}

/* The working CRS: --work-srs, or the points' own (projected) one. */
static geo_crs *working_crs(geo_ctx *ctx, const geo_heat_opts *o, geo_input *in)
{
	geo_crs *w = o->common.work_srs ? geo_crs_new(ctx, o->common.work_srs) : geo_input_working_crs(ctx, in);
	if (!w)
		return NULL;
	OGRSpatialReferenceH srs = geo_crs_ogr(w);
	if (!geo_crs_is_projected(w) || fabs(OSRGetLinearUnits(srs, NULL) - 1) > 1e-9) {
		geo_fail(ctx, GEO_ERR_USAGE, "--work-srs: %s is not a projected CRS in metres",
			 geo_crs_name(w));
		geo_crs_free(w);
		return NULL;
	}
	return w;
}

/* ---- reading the points ------------------------------------------------- */

struct fields {
	int weight, date;
};

static geo_err find_fields(geo_ctx *ctx, const geo_heat_opts *o, geo_input *in, int timed,
			   struct fields *f)
{
	OGRFeatureDefnH defn = geo_input_defn(in);
	f->weight = f->date = -1;
	if (o->weight_field) {
		f->weight = OGR_FD_GetFieldIndex(defn, o->weight_field);
		if (f->weight < 0)
			return geo_fail(ctx, GEO_ERR_USAGE, "--weight: %s has no field '%s'",
					geo_input_name(in), o->weight_field);
		OGRFieldType t = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f->weight));
		if (t != OFTInteger && t != OFTInteger64 && t != OFTReal)
			return geo_fail(ctx, GEO_ERR_USAGE, "--weight: field '%s' of %s is %s, not a number",
					o->weight_field, geo_input_name(in), OGR_GetFieldTypeName(t));
	}
	if (timed) {
		const char *field = o->common.window.date_field;
		f->date = OGR_FD_GetFieldIndex(defn, field);
		if (f->date < 0)
			return geo_fail(ctx, GEO_ERR_USAGE,
					"--date-field: %s has no field '%s' to take dates from",
					geo_input_name(in), field);
		OGRFieldType type = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f->date));
		if (type != OFTDate && type != OFTDateTime && type != OFTString)
			return geo_fail(ctx, GEO_ERR_USAGE,
					"--date-field: field '%s' of %s is %s, not a date or text",
					field, geo_input_name(in), OGR_GetFieldTypeName(type));
	}
	/* Reading only the fields we use makes large layers markedly faster. */
	char **ignored = NULL;
	for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
		if (i != f->weight && i != f->date)
			ignored = CSLAddString(ignored, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
	OGR_L_SetIgnoredFields(geo_input_layer(in), (const char **)ignored);
	CSLDestroy(ignored);
	return GEO_OK;
}

static geo_err grow(geo_ctx *ctx, heat_points *p)
{
	if (p->n < p->cap)
		return GEO_OK;
	size_t cap = p->cap ? 2 * p->cap : 4096;
	if (!geo_resize(ctx, &p->x, cap, sizeof *p->x) ||
	    !geo_resize(ctx, &p->y, cap, sizeof *p->y) ||
	    !geo_resize(ctx, &p->w, cap, sizeof *p->w) ||
	    !geo_resize(ctx, &p->t, cap, sizeof *p->t) ||
	    !geo_resize(ctx, &p->has_t, cap, sizeof *p->has_t) ||
	    !geo_resize(ctx, &p->fid, cap, sizeof *p->fid))
		return GEO_ERR_INTERNAL;
	p->cap = cap;
	return GEO_OK;
}

static geo_err push(geo_ctx *ctx, heat_points *p, double x, double y, double w, int64_t t,
		    int has_t, long long fid)
{
	if (grow(ctx, p))
		return GEO_ERR_INTERNAL;
	p->x[p->n] = x;
	p->y[p->n] = y;
	p->w[p->n] = w;
	p->t[p->n] = t;
	p->has_t[p->n] = (unsigned char)has_t;
	p->fid[p->n] = fid;
	p->n++;
	return GEO_OK;
}

static void points_free(heat_points *p)
{
	free(p->x);
	free(p->y);
	free(p->w);
	free(p->t);
	free(p->has_t);
	free(p->fid);
}

/* Appends the point parts of one feature, or fails on another geometry. */
static geo_err add_feature(geo_ctx *ctx, geo_input *in, OGRFeatureH f, const struct fields *fl,
			   heat_points *p, struct heat_report *r)
{
	OGRGeometryH g = OGR_F_GetGeometryRef(f);
	if (!g || OGR_G_IsEmpty(g)) {
		r->no_geometry++;
		return GEO_OK;
	}
	OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
	if (type != wkbPoint && type != wkbMultiPoint)
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: geometry is %s, not a point",
				geo_input_name(in), (long long)OGR_F_GetFID(f),
				OGR_G_GetGeometryName(g));
	if (!geo_ogr_is_finite(g))
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: coordinate is not a finite number",
				geo_input_name(in), (long long)OGR_F_GetFID(f));
	double w = 1;
	if (fl->weight >= 0) {
		if (!OGR_F_IsFieldSetAndNotNull(f, fl->weight)) {
			r->no_weight++;
			return GEO_OK;
		}
		w = OGR_F_GetFieldAsDouble(f, fl->weight);
		if (!isfinite(w))
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: weight is not a finite number",
					geo_input_name(in), (long long)OGR_F_GetFID(f));
	}
	int64_t t = 0;
	int has_t = fl->date >= 0 ? geo_feature_time(ctx, f, fl->date, geo_input_name(in), &t) : 0;
	if (has_t < 0)
		return GEO_ERR_INPUT;
	if (fl->date >= 0 && !has_t)
		r->no_date++;
	int parts = type == wkbPoint ? 1 : OGR_G_GetGeometryCount(g);
	for (int i = 0; i < parts; i++) {
		OGRGeometryH pt = type == wkbPoint ? g : OGR_G_GetGeometryRef(g, i);
		if (OGR_G_IsEmpty(pt))
			continue;
		if (push(ctx, p, OGR_G_GetX(pt, 0), OGR_G_GetY(pt, 0), w, t, has_t,
			 (long long)OGR_F_GetFID(f)))
			return GEO_ERR_INTERNAL;
	}
	return GEO_OK;
}

/* Appends the points of one Arrow batch (no dates: only an untimed run
** reads this way); a null weight skips its feature, as above. */
static geo_err add_batch(geo_ctx *ctx, geo_input *in, const geo_arrow_batch *b, int weighted,
			 heat_points *p, struct heat_report *r)
{
	for (size_t i = 0; i < b->n; i++) {
		long long fid = (long long)b->fid[i] + geo_input_fid_offset(in);
		if (isnan(b->x[i])) {
			r->no_geometry++;
			continue;
		}
		if (!isfinite(b->x[i]) || !isfinite(b->y[i]))
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: coordinate is not a finite number",
					geo_input_name(in), fid);
		double w = weighted ? b->sums[i] : 1;
		if (isnan(w)) {
			r->no_weight++;
			continue;
		}
		if (!isfinite(w))
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: weight is not a finite number",
					geo_input_name(in), fid);
		if (push(ctx, p, b->x[i], b->y[i], w, 0, 0, fid))
			return GEO_ERR_INTERNAL;
	}
	return GEO_OK;
}

/* Projects every point to the working CRS; on failure, names the first
** feature that cannot be projected. */
static geo_err project(geo_ctx *ctx, geo_input *in, const geo_crs *work, heat_points *p)
{
	geo_transform *t = geo_transform_new(ctx, geo_input_crs(in), work);
	if (!t)
		return GEO_ERR_INPUT;
	geo_err e = GEO_OK;
	if (!geo_transform_is_identity(t) && geo_transform_points(ctx, t, p->n, p->x, p->y)) {
		e = GEO_ERR_INPUT;
		for (size_t i = 0; i < p->n; i++)
			if (!isfinite(p->x[i]) || !isfinite(p->y[i]) || fabs(p->x[i]) == HUGE_VAL) {
				geo_fail(ctx, GEO_ERR_INPUT,
					 "%s: feature %lld: cannot be projected to %s",
					 geo_input_name(in), p->fid[i], geo_crs_name(work));
				break;
			}
	}
	char why[256];
	for (size_t i = 0; !e && i < p->n; i++) /* io.c's limit, for points read in bulk */
		if (geo_coord_problem(p->x[i], p->y[i], p->x[i], p->y[i], why, sizeof why))
			e = geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: %s", geo_input_name(in),
				     p->fid[i], why);
	geo_transform_free(t);
	return e;
}

static geo_err read_features(geo_ctx *ctx, geo_input *in, const struct fields *fl,
			     heat_points *p, struct heat_report *r, geo_progress progress, void *pdata)
{
	int64_t total = geo_input_count(in);
	OGRFeatureH f;
	geo_err e;
	while (!(e = geo_input_next(ctx, in, &f, NULL)) && f) {
		e = add_feature(ctx, in, f, fl, p, r);
		OGR_F_Destroy(f);
		if (!e && total > 0 && p->n % 65536 == 0 &&
		    !geo_progress_step(ctx, progress, pdata, 0.3 * p->n / total, "reading points"))
			e = GEO_ERR_INTERNAL;
		if (e)
			break;
	}
	return e;
}

static geo_err read_batches(geo_ctx *ctx, geo_input *in, geo_arrow_points *a, int weighted,
			    heat_points *p, struct heat_report *r, geo_progress progress, void *pdata)
{
	int64_t total = geo_input_count(in);
	const geo_arrow_batch *b;
	size_t seen = 0;
	geo_err e;
	while (!(e = geo_arrow_points_next(ctx, a, geo_input_name(in), &b)) && b->n) {
		if ((e = add_batch(ctx, in, b, weighted, p, r)))
			break;
		seen += b->n;
		if (total > 0 &&
		    !geo_progress_step(ctx, progress, pdata, 0.3 * seen / total, "reading points"))
			return GEO_ERR_INTERNAL;
	}
	if (!e) /* the --where report, which geo_input_next makes at the end */
		geo_input_read_to_end(ctx, in, (int64_t)seen);
	return e;
}

static geo_err read_points(geo_ctx *ctx, const geo_heat_opts *o, const char *name, int timed,
			   geo_crs **work, heat_points *p, struct heat_report *r,
			   geo_progress progress, void *pdata)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, o->common.where);
	geo_input *in = geo_input_open(ctx, name, &io);
	if (!in)
		return geo_last_code(ctx);
	struct fields fl = { -1, -1 };
	snprintf(r->layer, sizeof r->layer, "%s", OGR_L_GetName(geo_input_layer(in)));
	geo_err e = geo_input_require_crs(ctx, in);
	if (!e)
		e = find_fields(ctx, o, in, timed, &fl);
	if (!e && !(*work = working_crs(ctx, o, in)))
		e = geo_last_code(ctx);
	/* Without dates, a layer with a fast Arrow stream is read a batch at a
	** time (arrow_points.c), about three times as fast as feature by
	** feature for 10^6 GeoPackage points; dates need geo_feature_time. */
	geo_arrow_points *a = NULL;
	if (!e && !timed)
		a = geo_arrow_points_open(ctx, geo_input_layer(in), o->weight_field ? 1 : 0,
					  &o->weight_field, NULL);
	if (!e)
		e = a ? read_batches(ctx, in, a, o->weight_field != NULL, p, r, progress, pdata)
		      : read_features(ctx, in, &fl, p, r, progress, pdata);
	geo_arrow_points_close(a);
	if (!e)
		e = project(ctx, in, *work, p);
	geo_input_close(in);
	r->read = p->n;
	return e;
}

/* ---- the raster's extent ------------------------------------------------ */

/* Columns and rows stay ints (GDAL's sizes); over GEO_LARGE_PIXELS pixels
** needs allow_large, since a mistyped coordinate or size is far likelier
** than a wish for gigabytes of raster. */
static geo_err raster_size(geo_ctx *ctx, geo_raster_grid *g, double w, double h, int allow_large)
{
	double cols = ceil(w / g->px - 1e-9), rows = ceil(h / g->py - 1e-9);
	cols = cols < 1 ? 1 : cols;
	rows = rows < 1 ? 1 : rows;
	if (!(cols <= INT_MAX && rows <= INT_MAX))
		return geo_fail(ctx, GEO_ERR_USAGE,
				"--pixel: the raster would have %.3g x %.3g pixels, over %d a side; use "
				"larger pixels or a smaller extent", cols, rows, INT_MAX);
	if (cols * rows > GEO_LARGE_PIXELS && !allow_large)
		return geo_fail(ctx, GEO_ERR_USAGE,
				"the raster would have %.0f x %.0f = %.3g pixels (%.1f GB), over 10^8: "
				"a mistyped size or coordinate? Use larger pixels or a smaller extent, or "
				"give --allow-large", cols, rows, cols * rows, cols * rows * 4 / 1e9);
	g->width = (int)cols;
	g->height = (int)rows;
	return GEO_OK;
}

/* --te: the box exactly, with the pixel size adjusted (separately in x and
** y) to fit a whole number of pixels, as gdalwarp -te -tr does. */
static geo_err grid_from_te(geo_ctx *ctx, const geo_heat_opts *o, double pixel, geo_raster_grid *g)
{
	double w = o->te[2] - o->te[0], h = o->te[3] - o->te[1];
	g->px = g->py = pixel;
	double cols = fmax(1, round(w / pixel)), rows = fmax(1, round(h / pixel));
	if (raster_size(ctx, g, cols * pixel, rows * pixel, o->allow_large))
		return GEO_ERR_USAGE;
	g->x0 = o->te[0];
	g->y0 = o->te[3];
	g->px = w / g->width;
	g->py = h / g->height;
	return GEO_OK;
}

/* The points' extent grown by the radius, anchored at its top-left corner
** and widened to whole pixels on the right and at the bottom. */
static geo_err grid_from_points(geo_ctx *ctx, const char *name, const heat_points *p, double r,
				double pixel, int allow_large, geo_raster_grid *g)
{
	if (!p->n)
		return geo_fail(ctx, GEO_ERR_INPUT,
				"%s: no points to take an extent from; give --extent or --te", name);
	double xmin = HUGE_VAL, ymin = HUGE_VAL, xmax = -HUGE_VAL, ymax = -HUGE_VAL;
	for (size_t i = 0; i < p->n; i++) {
		xmin = fmin(xmin, p->x[i]);
		xmax = fmax(xmax, p->x[i]);
		ymin = fmin(ymin, p->y[i]);
		ymax = fmax(ymax, p->y[i]);
	}
	g->px = g->py = pixel;
	g->x0 = xmin - r;
	g->y0 = ymax + r;
	return raster_size(ctx, g, xmax - xmin + 2 * r, ymax - ymin + 2 * r, allow_large);
}

struct town {
	OGRGeometryH *geoms;
	int n;
};

static void town_free(struct town *t)
{
	for (int i = 0; i < t->n; i++)
		OGR_G_DestroyGeometry(t->geoms[i]);
	free(t->geoms);
}

/* Reads the town's polygons into the working CRS. */
static geo_err read_town(geo_ctx *ctx, const geo_heat_opts *o, const geo_crs *work, struct town *t,
			 OGREnvelope *env)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	geo_input *in = geo_input_open(ctx, o->extent, &io);
	if (!in)
		return geo_last_code(ctx);
	geo_err e = geo_input_require_crs(ctx, in);
	geo_transform *tr = e ? NULL : geo_transform_new(ctx, geo_input_crs(in), work);
	if (!e && !tr)
		e = GEO_ERR_INPUT;
	OGRFeatureH f;
	int has_env = 0;
	while (!e && !(e = geo_input_next(ctx, in, &f, NULL)) && f) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		if (g && !OGR_G_IsEmpty(g) &&
		    geo_geom_dimension_class(OGR_G_GetGeometryType(g)) != 1)
			e = geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: geometry is %s, not a polygon",
				     o->extent, (long long)OGR_F_GetFID(f), OGR_G_GetGeometryName(g));
		OGRGeometryH *grown = e || !g || OGR_G_IsEmpty(g) ? NULL
				      : geo_realloc_array(ctx, t->geoms, (size_t)t->n + 1, sizeof *grown);
		if (grown) {
			t->geoms = grown;
			OGRGeometryH c = OGR_G_Clone(g);
			t->geoms[t->n++] = c;
			if (geo_transform_ogr(ctx, tr, c))
				e = GEO_ERR_INPUT;
			OGREnvelope ge;
			OGR_G_GetEnvelope(c, &ge);
			if (!has_env)
				*env = ge;
			env->MinX = fmin(env->MinX, ge.MinX);
			env->MinY = fmin(env->MinY, ge.MinY);
			env->MaxX = fmax(env->MaxX, ge.MaxX);
			env->MaxY = fmax(env->MaxY, ge.MaxY);
			has_env = 1;
		} else if (!e && g && !OGR_G_IsEmpty(g)) {
			e = GEO_ERR_INTERNAL;
		}
		OGR_F_Destroy(f);
	}
	if (!e && !has_env)
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: no polygons to take the extent from", o->extent);
	geo_transform_free(tr);
	geo_input_close(in);
	return e;
}

/* --extent: the town's box widened to multiples of the pixel size, so that
** every raster of one town and pixel size shares the same pixel edges. */
static geo_err grid_from_town(geo_ctx *ctx, const OGREnvelope *env, double pixel,
			      int allow_large, geo_raster_grid *g)
{
	double x0 = floor(env->MinX / pixel + 1e-9) * pixel, y1 = ceil(env->MaxY / pixel - 1e-9) * pixel;
	double x1 = ceil(env->MaxX / pixel - 1e-9) * pixel, y0 = floor(env->MinY / pixel + 1e-9) * pixel;
	g->px = g->py = pixel;
	g->x0 = x0;
	g->y0 = y1;
	return raster_size(ctx, g, x1 - x0, y1 - y0, allow_large);
}

/* 1 where a pixel's centre lies in the town, by GDAL's rasteriser. */
static unsigned char *town_mask(geo_ctx *ctx, const struct town *t, const geo_raster_grid *g)
{
	size_t n = (size_t)g->width * g->height;
	unsigned char *mask = geo_calloc(ctx, n, 1);
	GDALDatasetH mem = mask ? GDALCreate(GDALGetDriverByName("MEM"), "", g->width, g->height,
					     1, GDT_Byte, NULL)
				: NULL;
	if (!mem) {
		free(mask);
		if (mask)
			geo_fail(ctx, GEO_ERR_INTERNAL, "cannot make the town's mask: %s",
				 geo_cpl_error("out of memory"));
		return NULL;
	}
	double gt[6] = { g->x0, g->px, 0, g->y0, 0, -g->py };
	GDALSetGeoTransform(mem, gt);
	int band = 1;
	double *burn = geo_calloc(ctx, (size_t)t->n, sizeof *burn);
	CPLErr err = CE_Failure;
	if (burn) {
		for (int i = 0; i < t->n; i++)
			burn[i] = 1;
		err = GDALRasterizeGeometries(mem, 1, &band, t->n, t->geoms, NULL, NULL, burn, NULL,
					      NULL, NULL);
	}
	if (err == CE_None)
		err = GDALRasterIO(GDALGetRasterBand(mem, 1), GF_Read, 0, 0, g->width, g->height,
				   mask, g->width, g->height, GDT_Byte, 0, 0);
	free(burn);
	GDALClose(mem);
	if (err != CE_None) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "cannot make the town's mask: %s",
			 geo_cpl_error("rasterising failed"));
		free(mask);
		return NULL;
	}
	return mask;
}

/* ---- writing ------------------------------------------------------------ */

static const char *units(const geo_heat_opts *o)
{
	if (o->scale == GEO_HEAT_RAW)
		return o->weight_field ? N_("weighted kernel sum (raw)") : N_("kernel sum (raw)");
	return o->weight_field ? N_("weight per km²") : N_("points per km²");
}

static int label_decimals(double max)
{
	return max >= 100 ? 0 : max >= 10 ? 1 : max >= 1 ? 2 : 4;
}

/*
** A pseudocolour ramp from transparent at 0 through yellow and orange to dark
** red at the raster's maximum, its labels and continuous legend carrying the
** units.
*/
static char *raster_qml(const geo_heat_opts *o, double max, const char *title)
{
	static const struct { double at; const char *rgb; int alpha; } ramp[] = {
		{ 0, "#ffffb2", 0 }, { 0.25, "#fecc5c", 255 }, { 0.5, "#fd8d3c", 255 },
		{ 0.75, "#f03b20", 255 }, { 1, "#bd0026", 255 },
	};
	enum { N = sizeof ramp / sizeof ramp[0] };
	if (!(max > 0))
		max = 1;
	int dec = label_decimals(max);
	char labels[N][64];
	geo_qml_stop stops[N];
	for (int i = 0; i < N; i++) {
		snprintf(labels[i], sizeof labels[i], "%.*f %s", dec, ramp[i].at * max, units(o));
		stops[i] = (geo_qml_stop){ ramp[i].at * max, ramp[i].rgb, ramp[i].alpha, labels[i] };
	}
	return geo_qml_raster(stops, N, &(geo_qml_raster_opts){ title, 0, max, dec, units(o), 1 });
}

static void set_metadata(GDALDatasetH ds, const geo_heat_opts *o, const geo_window *win,
			 const struct heat_report *r)
{
	GDALRasterBandH band = GDALGetRasterBand(ds, 1);
	GDALSetRasterNoDataValue(band, GEO_HEAT_NODATA);
	GDALSetRasterUnitType(band, o->scale == GEO_HEAT_DENSITY ? "1/km2" : "");
	char desc[256];
	snprintf(desc, sizeof desc, "%s kernel %s, radius %g m, %s", geo_kernel_name(o->kernel),
		 o->scale == GEO_HEAT_DENSITY ? "density" : "raw sum", o->radius, win->label);
	GDALSetDescription(band, desc);
	GDALSetMetadataItem(ds, "KERNEL", geo_kernel_name(o->kernel), NULL);
	GDALSetMetadataItem(ds, "RADIUS_M", CPLSPrintf("%.17g", o->radius), NULL);
	GDALSetMetadataItem(ds, "SCALE", o->scale == GEO_HEAT_DENSITY ? "density" : "raw", NULL);
	GDALSetMetadataItem(ds, "UNITS", units(o), NULL);
	GDALSetMetadataItem(ds, "WINDOW", win->label, NULL);
	GDALSetMetadataItem(ds, "POINTS", CPLSPrintf("%zu", r->in_window), NULL);
	GDALSetMetadataItem(ds, "TOTAL_WEIGHT", CPLSPrintf("%.17g", r->weight), NULL);
	GDALSetMetadataItem(ds, "SOFTWARE", "wangge grid-heat " GEO_VERSION, NULL);
}

/* Overview factors 2, 4, ... while the previous level is wider than a tile. */
static int overview_levels(const geo_raster_grid *g, int *levels)
{
	int n = 0, big = g->width > g->height ? g->width : g->height;
	for (int f = 2; n < 16 && big > 256 * (f / 2); f *= 2)
		levels[n++] = f;
	return n;
}

/* Places the surface v on the grid in the working CRS (wkt), with the
** metadata, in the single band of ds. */
static CPLErr fill(GDALDatasetH ds, const geo_raster_grid *g, const char *wkt, const float *v,
		   const geo_heat_opts *o, const geo_window *win, const struct heat_report *r)
{
	double gt[6] = { g->x0, g->px, 0, g->y0, 0, -g->py };
	GDALSetGeoTransform(ds, gt);
	GDALSetProjection(ds, wkt);
	set_metadata(ds, o, win, r);
	return GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, g->width, g->height,
			    (void *)v, g->width, g->height, GDT_Float32, 0, 0);
}

static geo_err write_gtiff(geo_ctx *ctx, const char *path, const geo_raster_grid *g,
			   const char *wkt, const float *v, const geo_heat_opts *o,
			   const geo_window *win, const struct heat_report *r)
{
	char **co = NULL;
	co = CSLSetNameValue(co, "TILED", "YES");
	co = CSLSetNameValue(co, "BLOCKXSIZE", "256");
	co = CSLSetNameValue(co, "BLOCKYSIZE", "256");
	co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
	co = CSLSetNameValue(co, "PREDICTOR", "3");
	co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
	/* Level 1 makes files about 3% larger than the default 6 in half the time. */
	co = CSLSetNameValue(co, "ZLEVEL", "1");
	CPLErrorReset();
	GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, g->width, g->height, 1,
				     GDT_Float32, co);
	CSLDestroy(co);
	if (!ds)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot create the GeoTIFF: %s",
				geo_cpl_error("the driver refused"));
	CPLErr err = fill(ds, g, wkt, v, o, win, r);
	int levels[16], nl = overview_levels(g, levels);
	if (err == CE_None && nl)
		err = GDALBuildOverviews(ds, "AVERAGE", nl, levels, 0, NULL, NULL, NULL);
	GDALClose(ds);
	if (err != CE_None || CPLGetLastErrorType() >= CE_Failure)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write the GeoTIFF: %s",
				geo_cpl_error("write failed"));
	return GEO_OK;
}

static geo_err write_cog(geo_ctx *ctx, const char *path, const geo_raster_grid *g,
			 const char *wkt, const float *v, const geo_heat_opts *o,
			 const geo_window *win, const struct heat_report *r)
{
	CPLErrorReset();
	GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", g->width, g->height, 1,
				      GDT_Float32, NULL);
	if (!mem)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory writing the COG");
	CPLErr err = fill(mem, g, wkt, v, o, win, r);
	char **co = NULL;
	co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
	co = CSLSetNameValue(co, "PREDICTOR", "YES");
	co = CSLSetNameValue(co, "LEVEL", "1");
	co = CSLSetNameValue(co, "BLOCKSIZE", "256");
	co = CSLSetNameValue(co, "RESAMPLING", "AVERAGE");
	co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
	GDALDatasetH ds = err == CE_None ? GDALCreateCopy(GDALGetDriverByName("COG"), path, mem,
							  FALSE, co, NULL, NULL)
					 : NULL;
	CSLDestroy(co);
	GDALClose(mem);
	if (!ds)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write the COG: %s",
				geo_cpl_error("the driver refused"));
	GDALClose(ds);
	if (CPLGetLastErrorType() >= CE_Failure)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write the COG: %s",
				geo_cpl_error("write failed"));
	return GEO_OK;
}

static geo_err write_raster(geo_ctx *ctx, geo_output *out, const geo_raster_grid *g,
			    const geo_crs *work, const float *v, const geo_heat_opts *o,
			    const geo_window *win, const struct heat_report *r)
{
	char *wkt = NULL;
	OSRExportToWkt(geo_crs_ogr(work), &wkt);
	const char *drv = geo_output_driver(out);
	geo_err e;
	if (!strcmp(drv, "GTiff"))
		e = write_gtiff(ctx, geo_output_path(out), g, wkt ? wkt : "", v, o, win, r);
	else if (!strcmp(drv, "COG"))
		e = write_cog(ctx, geo_output_path(out), g, wkt ? wkt : "", v, o, win, r);
	else
		e = geo_fail(ctx, GEO_ERR_USAGE, "-f %s: grid-heat writes GTiff or COG", drv);
	CPLFree(wkt);
	if (e)
		return e;
	char title[256];
	snprintf(title, sizeof title, "%s %s, %s (%s)", geo_kernel_name(o->kernel),
		 o->scale == GEO_HEAT_DENSITY ? "density" : "raw sum", win->label, units(o));
	char *qml = raster_qml(o, r->max, title);
	if (!qml)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	e = geo_output_style(ctx, out, NULL, qml);
	free(qml);
	return e;
}

/* ---- the verb ------------------------------------------------------------ */

/* The window's points as the surface takes them (weights folded in). */
static geo_err window_points(geo_ctx *ctx, const heat_points *p, const geo_window *win,
			     double **x, double **y, double **w, struct heat_report *r)
{
	*x = geo_calloc(ctx, p->n, sizeof **x);
	*y = geo_calloc(ctx, p->n, sizeof **y);
	*w = geo_calloc(ctx, p->n, sizeof **w);
	if (!*x || !*y || !*w)
		return GEO_ERR_INTERNAL;
	size_t k = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (win->kind != GEO_WINDOW_ALL && (!p->has_t[i] || !geo_window_holds(win, p->t[i])))
			continue;
		(*x)[k] = p->x[i];
		(*y)[k] = p->y[i];
		(*w)[k] = p->w[i];
		r->weight += p->w[i];
		k++;
	}
	r->in_window = k;
	return GEO_OK;
}

static void summarise(const float *v, const geo_raster_grid *g, const geo_heat_opts *o,
		      const double *x, const double *y, struct heat_report *r)
{
	double sum = 0, max = 0;
	size_t n = (size_t)g->width * g->height, nodata = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == GEO_HEAT_NODATA) {
			nodata++;
			continue;
		}
		sum += v[i];
		max = fmax(max, v[i]);
	}
	double per = o->scale == GEO_HEAT_DENSITY ? 1e6 : geo_kernel_area(o->kernel, o->radius);
	r->max = max;
	r->inside = sum * g->px * g->py / per;
	r->nodata_pixels = (double)nodata;
	for (size_t i = 0; i < r->in_window; i++) {
		double dx = fmax(g->x0 - x[i], x[i] - (g->x0 + g->width * g->px));
		double dy = fmax(g->y0 - g->height * g->py - y[i], y[i] - g->y0);
		if (dx >= o->radius || dy >= o->radius || (dx > 0 && dy > 0 && hypot(dx, dy) >= o->radius))
			r->beyond++;
	}
}

/* The figures the report gives, copied: the report runs after the points,
** the CRS and the options are gone. */
static geo_heat_result *heat_result(const char *output, const geo_heat_opts *o,
				    const geo_raster_grid *g, const geo_crs *work,
				    const geo_window *win, const struct heat_report *r)
{
	geo_heat_result *res = calloc(1, sizeof *res);
	if (!res)
		return NULL;
	*res = (geo_heat_result){
		.grid = *g, .kernel = o->kernel, .radius = o->radius, .scale = o->scale,
		.units = units(o), .window = *win, .read = r->read, .in_window = r->in_window,
		.weight = r->weight, .no_date = r->no_date, .no_weight = r->no_weight,
		.no_geometry = r->no_geometry, .beyond = r->beyond, .max = r->max,
		.inside = r->inside, .nodata_pixels = (size_t)r->nodata_pixels, .grids = r->grid,
		.seconds = { r->seconds[0], r->seconds[1], r->seconds[2] }
	};
	res->output = strdup(output);
	res->crs = strdup(geo_crs_name(work));
	int ok = res->output && res->crs;
	if (win->kind != GEO_WINDOW_ALL)
		ok = ok && (res->date_field = strdup(o->common.window.date_field));
	if (o->grids)
		ok = ok && (res->grid_output = strdup(o->grid_output));
	if (!ok) {
		geo_heat_result_free(res);
		return NULL;
	}
	return res;
}

/* The raster's grid by --te, --extent or the points; the town's mask. */
static geo_err choose_grid(geo_ctx *ctx, const geo_heat_opts *o, const char *points,
			   const geo_crs *work, const heat_points *p, geo_raster_grid *g,
			   unsigned char **mask)
{
	double pixel = o->pixel > 0 ? o->pixel : o->radius / 20;
	*mask = NULL;
	if (o->has_te)
		return grid_from_te(ctx, o, pixel, g);
	if (!o->extent)
		return grid_from_points(ctx, points, p, o->radius, pixel, o->allow_large, g);
	struct town t = { NULL, 0 };
	OGREnvelope env = { 0, 0, 0, 0 };
	geo_err e = read_town(ctx, o, work, &t, &env);
	if (!e)
		e = grid_from_town(ctx, &env, pixel, o->allow_large, g);
	if (!e && !(*mask = town_mask(ctx, &t, g)))
		e = geo_last_code(ctx);
	town_free(&t);
	return e;
}

static geo_err heat(geo_ctx *ctx, const char *points, const char *output, const geo_heat_opts *o,
		    geo_progress progress, void *pdata, geo_heat_result **result)
{
	geo_window win, prev;
	geo_err e = check_opts(ctx, o);
	if (!e)
		e = geo_window_parse(ctx, &o->common.window, &win);
	if (!e && o->compare_previous)
		e = geo_window_previous(ctx, &win, &prev);
	if (e)
		return e;
	geo_output_opts oo = o->common.out;
	const char *inputs[5] = { points, NULL, NULL, NULL, NULL };
	int ni = 1;
	if (o->extent)
		inputs[ni++] = o->extent;
	if (o->grids)
		inputs[ni++] = o->grids;
	oo.inputs = inputs;
	geo_output *out = geo_output_open_raster(ctx, output, &oo);
	if (!out)
		return geo_last_code(ctx);
	inputs[ni] = output;
	geo_output *gout = o->grids ? heat_grid_open(ctx, o, inputs) : NULL;
	if (o->grids && !gout) {
		geo_output_close(out);
		return geo_last_code(ctx);
	}
	struct heat_report r;
	memset(&r, 0, sizeof r);
	heat_points p;
	memset(&p, 0, sizeof p);
	geo_crs *work = NULL;
	geo_raster_grid g;
	unsigned char *mask = NULL;
	float *v = NULL;
	double *x = NULL, *y = NULL, *w = NULL, t0 = now();
	e = read_points(ctx, o, points, win.kind != GEO_WINDOW_ALL, &work, &p, &r, progress, pdata);
	if (!e)
		e = choose_grid(ctx, o, points, work, &p, &g, &mask);
	if (!e)
		e = window_points(ctx, &p, &win, &x, &y, &w, &r);
	if (!e && !(v = geo_calloc(ctx, (size_t)g.width * g.height, sizeof *v)))
		e = GEO_ERR_INTERNAL;
	double t1 = now();
	r.seconds[0] = t1 - t0;
	if (!e) {
		geo_heat_points hp = { r.in_window, x, y, w };
		e = geo_heat_surface(ctx, &hp, &g, o->kernel, o->scale, o->radius, o->threads, mask,
				     GEO_HEAT_NODATA, v, progress, pdata);
	}
	double t2 = now();
	r.seconds[1] = t2 - t1;
	if (!e) {
		summarise(v, &g, o, x, y, &r);
		/* The window is applied here, not by the input (the previous window
		** is wanted too); an empty --where was reported by the input. */
		if (win.kind != GEO_WINDOW_ALL && r.read)
			geo_select_report(ctx, win.label, points, r.layer, (int64_t)r.in_window,
					  (int64_t)r.read, (int64_t)r.no_date);
		if (!r.in_window)
			geo_log(ctx, GEO_LOG_WARN, "the window %s holds no points: the raster is all zero",
				win.label);
		e = write_raster(ctx, out, &g, work, v, o, &win, &r);
	}
	if (!e && gout)
		e = heat_grid_map(ctx, gout, o, work, &p, &win, o->compare_previous ? &prev : NULL,
				  &r.grid);
	if (!e)
		e = geo_output_commit(ctx, out);
	if (!e && gout)
		e = geo_output_commit(ctx, gout);
	r.seconds[2] = now() - t2;
	if (!e && !(*result = heat_result(output, o, &g, work, &win, &r)))
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	geo_output_close(out);
	geo_output_close(gout);
	points_free(&p);
	free(x);
	free(y);
	free(w);
	free(v);
	free(mask);
	geo_crs_free(work);
	return e;
}

geo_err geo_heat(geo_ctx *ctx, const char *points, const geo_heat_opts *o, geo_heat_result **result,
		 geo_progress progress, void *progress_data)
{
	*result = NULL;
	return heat(ctx, points, o->common.output, o, progress, progress_data, result);
}
