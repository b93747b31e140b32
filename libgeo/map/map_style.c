/*
** map_style.c: what grid-map's colours mean. The --fill classes (counts
** from zero in a sequential ramp, changes around zero in a diverging one,
** with round class limits), the --category colours (most frequent first),
** and the heat raster (read and warped by GDAL, its units from the band).
*/
#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <gdal_utils.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

/* ---- --fill classes ------------------------------------------------------ */

/* The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x. */
static double nice_up(double x)
{
	if (!(x > 0))
		return 1;
	double p = pow(10, floor(log10(x)));
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i] * p >= x * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

geo_err map_classes(map *m)
{
	double vmin = INFINITY, vmax = -INFINITY;
	int any = 0;
	m->integral = 1;
	for (size_t i = 0; i < m->nlayers; i++)
		for (size_t j = 0; m->layers[i].has_fill && j < m->layers[i].n; j++) {
			double v = m->layers[i].f[j].value;
			if (isfinite(v)) {
				vmin = fmin(vmin, v), vmax = fmax(vmax, v);
				any = 1;
				m->integral &= v == floor(v);
			}
		}
	m->nclasses = 0;
	if (!m->o->fill_field)
		return GEO_OK;
	if (!any || (vmin >= 0 && vmax <= 0)) {
		m->nclasses = 1; /* everything is zero: one class, "0" */
		m->step = 1;
		return GEO_OK;
	}
	if (vmin < 0) {
		/* Changes: [-2s,-s), [-s,0), 0, (0,s], (s,2s]. */
		m->diverging = 1;
		m->step = nice_up(fmax(-vmin, vmax) / 2);
		m->nclasses = 5;
		m->lo = -2 * m->step;
		return GEO_OK;
	}
	/* Counts: 0, then up to four classes (0,s], (s,2s] ... */
	m->step = nice_up(vmax / 4);
	m->nclasses = 1 + (int)ceil(vmax / m->step - 1e-9);
	if (m->nclasses > 5)
		m->nclasses = 5;
	return GEO_OK;
}

void map_classes_free(map *m)
{
	for (int i = 0; i < m->ncats; i++)
		free(m->cats[i].name);
	m->ncats = 0;
}

int map_class_of(const map *m, double v)
{
	if (!isfinite(v) || m->nclasses == 0)
		return -1;
	if (m->nclasses == 1)
		return 0;
	double s = m->step;
	if (m->diverging)
		return v == 0 ? 2 : v < 0 ? (v < -s ? 0 : 1) : (v <= s ? 3 : 4);
	if (v <= 0)
		return 0;
	int c = 1 + (int)ceil(v / s - 1e-9) - 1;
	return c < 1 ? 1 : c > m->nclasses - 1 ? m->nclasses - 1 : c;
}

static void hex(unsigned rgb, double out[3])
{
	out[0] = ((rgb >> 16) & 255) / 255.0;
	out[1] = ((rgb >> 8) & 255) / 255.0;
	out[2] = (rgb & 255) / 255.0;
}

void map_class_colour(const map *m, int c, double rgb[3])
{
	static const unsigned seq[] = { 0xf4f4f4, 0xfed976, 0xfd8d3c, 0xe31a1c, 0x800026 };
	static const unsigned div[] = { 0x2166ac, 0x92c5de, 0xf4f4f4, 0xf4a582, 0xb2182b };
	/* A score: low in red, high in green (ColorBrewer RdYlGn's ends). */
	static const unsigned good[] = { 0xf4f4f4, 0xd7301f, 0xfc8d59, 0xa6d96a, 0x1a9850 };
	hex(c < 0 ? 0xffffff : m->diverging ? div[c] : m->o->fill_good ? good[c] : seq[c], rgb);
}

/* A number with as many decimals as the class step needs. */
static void fmt_num(char *buf, size_t size, double v, double step)
{
	int d = 0;
	while (d < 6 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9)
		d++;
	snprintf(buf, size, "%.*f", d, v == 0 ? 0.0 : v);
}

void map_class_label(const map *m, int c, char *buf, size_t size)
{
	double s = m->step, a, b;
	char x[32], y[32];
	if (m->nclasses == 1 || (!m->diverging && c == 0) || (m->diverging && c == 2)) {
		snprintf(buf, size, "0");
		return;
	}
	if (m->diverging) {
		static const double lo[] = { -2, -1, 0, 0, 1 };
		a = lo[c] * s, b = a + s;
	} else {
		a = (c - 1) * s, b = c * s;
	}
	if (m->integral && s == floor(s)) {
		/* Counts: (0,2] holds 1 and 2; [-2,0) holds -2 and -1. */
		if (a >= 0)
			a += 1;
		else
			b -= 1;
		const char *plus = m->diverging && a > 0 ? "+" : "";
		if (a == b)
			snprintf(buf, size, "%s%.0f", plus, a);
		else
			snprintf(buf, size, "%s%.0f – %s%.0f", plus, a, plus, b);
		return;
	}
	fmt_num(x, sizeof x, a, s);
	fmt_num(y, sizeof y, b, s);
	snprintf(buf, size, "%s – %s", x, y);
}

/* ---- --category classes -------------------------------------------------- */

static int by_count(const void *a, const void *b)
{
	const map_cat *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static geo_err count_cats(map *m, map_cat **all, size_t *n)
{
	size_t cap = 0;
	for (size_t i = 0; i < m->nlayers; i++)
		for (size_t j = 0; m->layers[i].has_cat && j < m->layers[i].n; j++) {
			const char *c = m->layers[i].f[j].cat;
			size_t k = 0;
			while (k < *n && strcmp((*all)[k].name, c))
				k++;
			if (k < *n) {
				(*all)[k].count++;
				continue;
			}
			if (*n == cap) {
				map_cat *na = geo_realloc_array(m->ctx, *all, cap ? 2 * cap : 16, sizeof *na);
				if (!na)
					return GEO_ERR_INTERNAL;
				*all = na;
				cap = cap ? 2 * cap : 16;
			}
			(*all)[*n].name = (char *)c;
			(*all)[(*n)++].count = 1;
		}
	return GEO_OK;
}

/* A value's words: the value map of a layer that has it, else a code the
** sample and the tools write, else the value itself (already words). */
static const char *cat_label(const map *m, const char *name)
{
	if (!name)
		return "其他 other";
	for (size_t i = 0; i < m->nlayers; i++)
		for (size_t k = 0; k < m->layers[i].nvalues; k++)
			if (!strcmp(m->layers[i].values[2 * k], name))
				return m->layers[i].values[2 * k + 1];
	const char *known = map_known_value(name);
	return known ? known : name;
}

geo_err map_categories(map *m)
{
	map_cat *all = NULL;
	size_t n = 0;
	geo_err e = count_cats(m, &all, &n);
	if (!e && n)
		qsort(all, n, sizeof *all, by_count);
	size_t keep = n > MAP_MAX_CATS ? MAP_MAX_CATS - 1 : n;
	for (size_t i = 0; !e && i < keep; i++) {
		m->cats[i].name = geo_strdup(m->ctx, all[i].name);
		m->cats[i].count = all[i].count;
		m->ncats = (int)i + 1;
		if (!m->cats[i].name)
			e = GEO_ERR_INTERNAL;
	}
	if (!e && keep < n) {
		m->cats[keep].name = NULL;
		m->cats[keep].count = 0;
		for (size_t i = keep; i < n; i++)
			m->cats[keep].count += all[i].count;
		m->ncats = (int)keep + 1;
	}
	free(all);
	for (int i = 0; !e && i < m->ncats; i++)
		m->cats[i].label = cat_label(m, m->cats[i].name);
	return e;
}

int map_cat_of(const map *m, const char *cat)
{
	if (!cat)
		return -1;
	for (int i = 0; i < m->ncats; i++)
		if (!m->cats[i].name || !strcmp(m->cats[i].name, cat))
			return i;
	return -1;
}

void map_cat_colour(int i, double rgb[3])
{
	/* ColorBrewer's Set1 with cyan, olive and dark green added, so that a
	 * town's ten hazard categories each get a colour; grey is "other". */
	static const unsigned pal[MAP_MAX_CATS] = { 0xe41a1c, 0x377eb8, 0x4daf4a, 0x984ea3, 0xff7f00, 0xa65628,
						    0xf781bf, 0x17becf, 0xbcbd22, 0x1b5e20, 0x808080 };
	hex(pal[i < 0 ? MAP_MAX_CATS - 1 : i % MAP_MAX_CATS], rgb);
}

/* ---- the heat raster ----------------------------------------------------- */

void map_ramp(double t, double rgba[4])
{
	static const unsigned stops[] = { 0xffffb2, 0xfecc5c, 0xfd8d3c, 0xf03b20, 0xbd0026 };
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	double f = t * 4;
	int i = f >= 4 ? 3 : (int)f;
	double a[3], b[3];
	hex(stops[i], a);
	hex(stops[i + 1], b);
	f -= i;
	for (int k = 0; k < 3; k++)
		rgba[k] = a[k] + (b[k] - a[k]) * f;
	/* Faint values fade out, so the map beneath shows where little happens. */
	rgba[3] = 0.85 * fmin(1, t * 5);
}

static char *first_nonempty(geo_ctx *ctx, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && *v[i])
			return geo_strdup(ctx, v[i]);
	return geo_strdup(ctx, "");
}

/* The raster's extent in the working CRS, for a map with no vector data. */
static geo_err raster_extent(map *m, GDALDatasetH ds)
{
	double gt[6];
	if (GDALGetGeoTransform(ds, gt) != CE_None)
		return geo_fail(m->ctx, GEO_ERR_INPUT, "%s: raster has no georeferencing", m->o->raster);
	int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
	double x[4] = { gt[0], gt[0] + w * gt[1], gt[0], gt[0] + w * gt[1] };
	double y[4] = { gt[3], gt[3], gt[3] + h * gt[5], gt[3] + h * gt[5] };
	geo_crs *rc = geo_crs_from_ogr(m->ctx, GDALGetSpatialRef(ds));
	if (!m->work)
		m->work = geo_crs_is_projected(rc) ? geo_crs_clone(rc)
			  : geo_crs_working(m->ctx, rc, (x[0] + x[1]) / 2, (y[0] + y[2]) / 2);
	geo_transform *t = m->work ? geo_transform_new(m->ctx, rc, m->work) : NULL;
	geo_err e = t ? geo_transform_points(m->ctx, t, 4, x, y) : geo_last_code(m->ctx);
	geo_transform_free(t);
	geo_crs_free(rc);
	if (e)
		return e;
	m->x0 = fmin(fmin(x[0], x[1]), fmin(x[2], x[3]));
	m->x1 = fmax(fmax(x[0], x[1]), fmax(x[2], x[3]));
	m->y0 = fmin(fmin(y[0], y[1]), fmin(y[2], y[3]));
	m->y1 = fmax(fmax(y[0], y[1]), fmax(y[2], y[3]));
	m->has_extent = 1;
	return GEO_OK;
}

geo_err map_raster_open(map *m)
{
	map_raster *r = &m->raster;
	const char *path = m->o->raster;
	r->ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!r->ds)
		return geo_fail(m->ctx, GEO_ERR_INPUT, "--raster %s: cannot open: %s", path,
				geo_cpl_error("not a raster GDAL reads"));
	if (!GDALGetSpatialRef(r->ds))
		return geo_fail(m->ctx, GEO_ERR_INPUT, "--raster %s: has no CRS", path);
	GDALRasterBandH b = GDALGetRasterBand(r->ds, 1);
	double mm[2] = { 0, 0 };
	CPLErrorReset();
	if (GDALComputeRasterMinMax(b, FALSE, mm) != CE_None)
		mm[1] = 0; /* every pixel nodata: nothing to colour */
	r->max = isfinite(mm[1]) ? mm[1] : 0;
	char *stem = CPLStrdup(CPLGetBasename(path));
	/* Words before codes: grid-heat writes "points per km²" as the dataset's
	** UNITS and "1/km2" as the band's unit type. */
	const char *units[] = { m->o->raster_units, GDALGetMetadataItem(r->ds, "UNITS", NULL),
				GDALGetMetadataItem(b, "UNITS", NULL), GDALGetRasterUnitType(b) };
	const char *titles[] = { m->o->raster_title, GDALGetDescription(b), stem };
	r->units = first_nonempty(m->ctx, units, 4);
	r->title = first_nonempty(m->ctx, titles, 3);
	CPLFree(stem);
	if (!r->units || !r->title)
		return GEO_ERR_INTERNAL;
	return m->has_extent ? GEO_OK : raster_extent(m, r->ds);
}

static char **warp_args(map *m, int w, int h)
{
	char *wkt = NULL;
	OSRExportToWkt(geo_crs_ogr(m->work), &wkt);
	char **a = NULL;
	a = CSLAddString(a, "-of");
	a = CSLAddString(a, "MEM");
	a = CSLAddString(a, "-t_srs");
	a = CSLAddString(a, wkt ? wkt : "");
	a = CSLAddString(a, "-te");
	a = CSLAddString(a, CPLSPrintf("%.6f", m->wx0));
	a = CSLAddString(a, CPLSPrintf("%.6f", m->wy0));
	a = CSLAddString(a, CPLSPrintf("%.6f", m->wx1));
	a = CSLAddString(a, CPLSPrintf("%.6f", m->wy1));
	a = CSLAddString(a, "-ts");
	a = CSLAddString(a, CPLSPrintf("%d", w));
	a = CSLAddString(a, CPLSPrintf("%d", h));
	a = CSLAddString(a, "-r");
	a = CSLAddString(a, "bilinear");
	a = CSLAddString(a, "-ot");
	a = CSLAddString(a, "Float32");
	a = CSLAddString(a, "-dstnodata");
	a = CSLAddString(a, "nan");
	CPLFree(wkt);
	return a;
}

geo_err map_raster_warp(map *m)
{
	map_raster *r = &m->raster;
	int w = (int)lround(m->frame[2] * m->px_per_mm), h = (int)lround(m->frame[3] * m->px_per_mm);
	char **args = warp_args(m, w, h);
	GDALWarpAppOptions *wo = GDALWarpAppOptionsNew(args, NULL);
	CSLDestroy(args);
	int usage = 0;
	CPLErrorReset();
	GDALDatasetH src = r->ds;
	GDALDatasetH out = wo ? GDALWarp("", NULL, 1, &src, wo, &usage) : NULL;
	GDALWarpAppOptionsFree(wo);
	if (!out)
		return geo_fail(m->ctx, GEO_ERR_INPUT, "--raster %s: cannot warp onto the map: %s",
				m->o->raster, geo_cpl_error("GDAL refused"));
	r->v = geo_calloc(m->ctx, (size_t)w * h, sizeof *r->v);
	geo_err e = r->v ? GEO_OK : GEO_ERR_INTERNAL;
	if (!e && GDALRasterIO(GDALGetRasterBand(out, 1), GF_Read, 0, 0, w, h, r->v, w, h,
			       GDT_Float32, 0, 0) != CE_None)
		e = geo_fail(m->ctx, GEO_ERR_INPUT, "--raster %s: cannot read: %s", m->o->raster,
			     geo_cpl_error("read failed"));
	r->w = w, r->h = h;
	GDALClose(out);
	return e;
}

void map_raster_free(map_raster *r)
{
	if (r->ds)
		GDALClose(r->ds);
	free(r->v);
	free(r->title);
	free(r->units);
	memset(r, 0, sizeof *r);
}
