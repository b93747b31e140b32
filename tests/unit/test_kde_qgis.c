/*
** grid-heat against QGIS 3.22's Heatmap (qgis:heatmapkerneldensityestimation,
** raw quartic), run headless on the same points, radius and pixel size,
** with grid-heat given QGIS's own output extent (its layer extent grown by
** the radius, widened by a pixel) through --te. Two cases: the points of
** QGIS's own heatmap test (from the external data, placed in a metric CRS
** so the numbers are the same: radius 0.5, pixel 0.1), and a weighted
** lattice of points at random sub-pixel positions, radius 500 m, 10 m
** pixels, far enough apart that each pixel sees one kernel, so the
** difference can be read in units of a kernel's peak.
**
** Checked: integrals within 0.5% and correlation at least 0.999. Printed:
** the largest difference, which measures QGIS's half-pixel bookkeeping
** error (docs/grid-heat.md). Skipped when qgis_process.bin is missing.
*/
#include "check.h"
#include "geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QGIS "/usr/bin/qgis_process.bin"

struct raster {
	int w, h;
	double gt[6];
	float *v;
};

static int read_raster(const char *path, struct raster *r)
{
	GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
	if (!ds)
		return 0;
	r->w = GDALGetRasterXSize(ds);
	r->h = GDALGetRasterYSize(ds);
	GDALGetGeoTransform(ds, r->gt);
	r->v = malloc(sizeof *r->v * (size_t)r->w * r->h);
	GDALRasterBandH b = GDALGetRasterBand(ds, 1);
	int has = 0;
	double nd = GDALGetRasterNoDataValue(b, &has);
	CPLErr e = GDALRasterIO(b, GF_Read, 0, 0, r->w, r->h, r->v, r->w, r->h, GDT_Float32, 0, 0);
	GDALClose(ds);
	/* QGIS leaves pixels no kernel reached as nodata: they are zeros. */
	for (size_t i = 0; has && i < (size_t)r->w * r->h; i++)
		if (r->v[i] == (float)nd)
			r->v[i] = 0;
	return e == CE_None;
}

static void write_points(const char *path, const char *crs, const double *x, const double *y,
			 const double *w, int n)
{
	FILE *f = fopen(path, "w");
	fprintf(f, "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": "
		   "{\"name\": \"urn:ogc:def:crs:%s\"}}, \"features\": [\n", crs);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s{\"type\": \"Feature\", \"properties\": {\"w\": %.17g}, \"geometry\": "
			   "{\"type\": \"Point\", \"coordinates\": [%.17g, %.17g]}}\n",
			i ? "," : "", w[i], x[i], y[i]);
	fputs("]}\n", f);
	fclose(f);
}

static char *qgis_command(const char *dir, const char *name, double radius, double pixel,
			  int weighted)
{
	static char cmd[2][1024];
	static int k;
	char *c = cmd[k++ % 2];
	snprintf(c, sizeof cmd[0],
		 "QT_QPA_PLATFORM=offscreen " QGIS " run qgis:heatmapkerneldensityestimation "
		 "--INPUT=%s/%s.geojson --RADIUS=%.17g --PIXEL_SIZE=%.17g %s --KERNEL=0 --DECAY=0 "
		 "--OUTPUT_VALUE=0 --OUTPUT=%s/%s_qgis.tif >%s/%s.log 2>&1",
		 dir, name, radius, pixel, weighted ? "--WEIGHT_FIELD=w" : "", dir, name, dir, name);
	return c;
}

/* grid-heat on QGIS's extent and pixel grid; compares and prints. */
static void compare(const char *dir, const char *name, double radius, double pixel,
		    int weighted, double peak)
{
	char in[512], qout[512], mout[512];
	snprintf(in, sizeof in, "%s/%s.geojson", dir, name);
	snprintf(qout, sizeof qout, "%s/%s_qgis.tif", dir, name);
	snprintf(mout, sizeof mout, "%s/%s_wangge.tif", dir, name);
	struct raster q = { 0 }, m = { 0 };
	char desc[200];
	snprintf(desc, sizeof desc, "%s: QGIS produced a raster", name);
	CHECK(desc, read_raster(qout, &q));
	if (!q.v)
		return;
	geo_heat_opts o;
	geo_heat_opts_init(&o);
	o.radius = radius;
	o.pixel = pixel;
	o.scale = GEO_HEAT_RAW;
	o.weight_field = weighted ? "w" : NULL;
	o.has_te = 1;
	o.te[0] = q.gt[0];
	o.te[1] = q.gt[3] + q.h * q.gt[5];
	o.te[2] = q.gt[0] + q.w * q.gt[1];
	o.te[3] = q.gt[3];
	o.common.out.overwrite = 1;
	o.common.output = mout;
	geo_ctx *ctx = geo_ctx_new();
	geo_heat_result *report = NULL;
	geo_err e = geo_heat(ctx, in, &o, &report, NULL, NULL);
	snprintf(desc, sizeof desc, "%s: grid-heat on QGIS's extent gives the same pixel grid", name);
	CHECK(desc, e == GEO_OK && read_raster(mout, &m) && m.w == q.w && m.h == q.h &&
			    fabs(m.gt[1] - q.gt[1]) < 1e-9 * pixel);
	if (e)
		printf("     %s\n", geo_last_error(ctx));
	if (m.v && m.w == q.w && m.h == q.h) {
		double sq = 0, sm = 0, sqq = 0, smm = 0, sqm = 0, diff = 0;
		size_t n = (size_t)q.w * q.h;
		for (size_t i = 0; i < n; i++) {
			double a = q.v[i], b = m.v[i];
			sq += a, sm += b, sqq += a * a, smm += b * b, sqm += a * b;
			diff = fmax(diff, fabs(a - b));
		}
		double cov = sqm / n - sq / n * sm / n;
		double corr = cov / sqrt((sqq / n - sq / n * sq / n) * (smm / n - sm / n * sm / n));
		snprintf(desc, sizeof desc, "%s: integrals agree with QGIS within 0.5%%", name);
		CHECK_NEAR(desc, sm / sq, 1, 0.005);
		snprintf(desc, sizeof desc, "%s: correlation with QGIS at least 0.999", name);
		CHECK(desc, corr >= 0.999);
		printf("info %s: %dx%d pixels, integral ratio %.6f, correlation %.6f, largest "
		       "difference %.4f (%.2f%% of a kernel's peak)\n",
		       name, q.w, q.h, sm / sq, corr, diff, 100 * diff / peak);
	}
	geo_heat_result_free(report);
	free(q.v);
	free(m.v);
	geo_ctx_free(ctx);
}

/* QGIS's own test points (EPSG:4326 there; here the same numbers in a
** metric CRS, since grid-heat works in metres). */
static int qgis_points(const char *dir)
{
	const char *ext = getenv("EXT");
	char path[512];
	snprintf(path, sizeof path, "%s/qgis/heatmap/points.csv", ext ? ext : "../shared/data/external");
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	double x[32], y[32], w[32];
	int n = 0;
	char line[256];
	while (n < 32 && fgets(line, sizeof line, f))
		if (sscanf(line, "%*[^,],POINT (%lf %lf)", &x[n], &y[n]) == 2)
			w[n++] = 1;
	fclose(f);
	snprintf(path, sizeof path, "%s/qgis_test.geojson", dir);
	write_points(path, "EPSG::3857", x, y, w, n);
	return n == 9;
}

static void lattice_points(const char *dir)
{
	double x[20], y[20], w[20];
	unsigned s = 12345;
	for (int i = 0; i < 20; i++) {
		s = s * 1103515245 + 12345;
		double fx = (s >> 8) % 1000 / 100.0;
		s = s * 1103515245 + 12345;
		double fy = (s >> 8) % 1000 / 100.0;
		x[i] = 500000 + (i % 5) * 1500 + fx;
		y[i] = 4360000 + (i / 5) * 1500 + fy;
		w[i] = 2; /* one weight, so a difference reads in units of its peak */
	}
	char path[512];
	snprintf(path, sizeof path, "%s/lattice.geojson", dir);
	write_points(path, "EPSG::4548", x, y, w, 20);
}

int main(void)
{
	if (access(QGIS, X_OK) != 0) {
		CHECK_SKIP("comparison with QGIS's Heatmap", QGIS " is not installed");
		return check_done();
	}
	char dir[] = "/tmp/wangge-qgis-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK("a temporary folder", 0);
		return check_done();
	}
	GDALAllRegister();
	int own = qgis_points(dir);
	lattice_points(dir);
	/* The two QGIS runs at once: each spends most of its time starting up. */
	char cmd[3000];
	snprintf(cmd, sizeof cmd, "(%s) & %s; wait",
		 own ? qgis_command(dir, "qgis_test", 0.5, 0.1, 0) : "true",
		 qgis_command(dir, "lattice", 500, 10, 1));
	CHECK("qgis_process ran", system(cmd) == 0);
	if (own)
		compare(dir, "qgis_test", 0.5, 0.1, 0, 1);
	else
		CHECK_SKIP("QGIS's own heatmap test points", "the external test data is missing");
	compare(dir, "lattice", 500, 10, 1, 2);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("info: could not remove %s\n", dir);
	return check_done();
}
