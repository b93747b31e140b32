/*
** test_cover.c: grid-cover's camera model (DORI ranges, sectors, tilt) and
** its viewshed against GDAL's own gdal_viewshed program: on random surfaces
** of hills and buildings, random cameras must see the same cells as
** gdal_viewshed run with the same parameters and masked by the same sector,
** on at least 99.9% of the cells within each camera's range. The verb
** geo_cover runs on three grids and four cameras written here; its result's
** cells, covered cells and blind spots are checked against GDAL's and OGR's
** reading of the files it wrote, its per-grid figures against the layout,
** and its report is rendered as text and as JSON from one result.
*/
#include "check.h"
#include "geo.h"
#include "minijson.h"
#include "report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_conv.h>

static void test_dori(void)
{
	geo_dori d;
	CHECK("dori names", geo_dori_from_name("Recognition", &d) && d == GEO_DORI_RECOGNITION &&
				    !geo_dori_from_name("spotting", &d));
	CHECK_NEAR("detection: 1920 px behind 90° see 25 px/m at 38.4 m",
		   geo_dori_range(GEO_DORI_DETECTION, 1920, 90), 38.4, 1e-9);
	CHECK_NEAR("identification: 250 px/m", geo_dori_range(GEO_DORI_IDENTIFICATION, 1920, 90),
		   3.84, 1e-9);
	CHECK("no DORI range for an all-round lens", isnan(geo_dori_range(GEO_DORI_DETECTION, 1920, 360)));
}

static void test_sector(void)
{
	geo_camera c = { 0, 0, 5, 90, 60, 0, 0, 0, 100 };
	CHECK("east is in a sector facing east", geo_camera_in_sector(&c, 10, 0));
	CHECK("north is not", !geo_camera_in_sector(&c, 0, 10));
	CHECK("the edge (30° off) is in", geo_camera_in_sector(&c, cos(M_PI / 6), -sin(M_PI / 6)));
	CHECK("31° off is not", !geo_camera_in_sector(&c, cos(31 * M_PI / 180), sin(31 * M_PI / 180)));
	c.azimuth = 350;
	CHECK("a sector across north", geo_camera_in_sector(&c, -1, 10) && geo_camera_in_sector(&c, 3, 10));
	c.azimuth = -10;
	CHECK("a negative azimuth is the same heading", geo_camera_in_sector(&c, -1, 10) &&
							      !geo_camera_in_sector(&c, 10, 1));
	c.azimuth = 710;
	CHECK("so is one past a turn", geo_camera_in_sector(&c, -1, 10));
	c.fov = 360;
	CHECK("all round", geo_camera_in_sector(&c, 0, -10));
	c.fov = 60;
	CHECK("the camera's own cell", geo_camera_in_sector(&c, 0, 0));
}

/* Flat ground, a camera 10 m up tilted 45° down with a 30° vertical view:
** it sees between (10 - 1.5) / tan 60° = 4.9 m and (10 - 1.5) / tan 30° = 14.7 m. */
static void test_tilt(geo_ctx *ctx)
{
	geo_raster_grid g = { 0, 100, 1, 1, 100, 100 };
	float *z = calloc(100 * 100, sizeof *z);
	geo_camera c = { 50.5, 50.5, 10, 90, 90, 1, 45, 30, 40 };
	unsigned char *vis = NULL;
	int win[4];
	geo_err e = geo_cover_view(ctx, &g, z, NULL, &c, 1.5, &vis, win);
	CHECK("tilted view computed", !e && vis);
	if (!e && vis) {
		int cx = 50 - win[0], cy = 49 - win[1];
#define AT(dx) vis[(size_t)cy * win[2] + cx + (dx)]
		CHECK("under the view at 3 m", !AT(3));
		CHECK("seen at 5 m and 14 m", AT(5) && AT(14));
		CHECK("above the view at 15 m", !AT(15));
		CHECK("behind the sector", !AT(-10));
	}
	free(vis);
	free(z);
}

/* Random hills and buildings on a w x h grid of cell metres. */
static void surface(unsigned *seed, int w, int h, float *z)
{
	double hx[6], hy[6], hh[6], hr[6];
	for (int k = 0; k < 6; k++) {
		hx[k] = rand_r(seed) % w;
		hy[k] = rand_r(seed) % h;
		hh[k] = 2 + rand_r(seed) % 15;
		hr[k] = 10 + rand_r(seed) % 40;
	}
	for (int r = 0; r < h; r++)
		for (int c = 0; c < w; c++) {
			double v = 0;
			for (int k = 0; k < 6; k++)
				v += hh[k] * exp(-((c - hx[k]) * (c - hx[k]) + (r - hy[k]) * (r - hy[k])) /
						 (hr[k] * hr[k]));
			z[(size_t)r * w + c] = (float)v;
		}
	for (int b = 0; b < 60; b++) {
		int x0 = rand_r(seed) % w, y0 = rand_r(seed) % h, bw = 2 + rand_r(seed) % 6,
		    bh = 2 + rand_r(seed) % 6;
		float top = 3 + rand_r(seed) % 8;
		for (int r = y0; r < y0 + bh && r < h; r++)
			for (int c = x0; c < x0 + bw && c < w; c++)
				z[(size_t)r * w + c] += top;
	}
}

static int write_dem(const char *path, const geo_raster_grid *g, const float *z)
{
	GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, g->width, g->height, 1,
				     GDT_Float32, NULL);
	if (!ds)
		return -1;
	double gt[6] = { g->x0, g->px, 0, g->y0, 0, -g->py };
	GDALSetGeoTransform(ds, gt);
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, 4548);
	GDALSetSpatialRef(ds, srs);
	OSRDestroySpatialReference(srs);
	CPLErr e = GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, g->width, g->height,
				(void *)z, g->width, g->height, GDT_Float32, 0, 0);
	GDALClose(ds);
	return e == CE_None ? 0 : -1;
}

/* gdal_viewshed's cells (1 visible) on the whole grid, masked by c's sector;
** NULL when it failed. */
static unsigned char *gdal_view(const char *dir, const geo_raster_grid *g, const geo_camera *c,
				double target_h)
{
	char cmd[1200], out[600];
	snprintf(out, sizeof out, "%s/vs.tif", dir);
	snprintf(cmd, sizeof cmd, "gdal_viewshed -q -ox %.17g -oy %.17g -oz %.17g -tz %.17g -md %.17g "
				  "-cc %.17g -vv 1 -iv 0 -ov 2 -of GTiff '%s/dem.tif' '%s'",
		 c->x, c->y, c->height, target_h, c->range, GEO_COVER_CURVATURE, dir, out);
	if (system(cmd) != 0)
		return NULL;
	GDALDatasetH ds = GDALOpen(out, GA_ReadOnly);
	if (!ds)
		return NULL;
	unsigned char *v = calloc((size_t)g->width * g->height, 1);
	double gt[6];
	GDALGetGeoTransform(ds, gt);
	int ox = (int)lround((gt[0] - g->x0) / g->px), oy = (int)lround((g->y0 - gt[3]) / g->py);
	int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
	unsigned char *buf = malloc((size_t)w * h);
	if (GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, w, h, buf, w, h, GDT_Byte, 0, 0) ==
	    CE_None) {
		int cx = (int)floor((c->x - g->x0) / g->px), cy = (int)floor((g->y0 - c->y) / g->py);
		for (int r = 0; r < h; r++)
			for (int k = 0; k < w; k++) {
				int gx = ox + k, gy = oy + r;
				if (gx < 0 || gy < 0 || gx >= g->width || gy >= g->height)
					continue;
				v[(size_t)gy * g->width + gx] =
					buf[(size_t)r * w + k] == 1 &&
					geo_camera_in_sector(c, (gx - cx) * g->px, (cy - gy) * g->py);
			}
	}
	free(buf);
	GDALClose(ds);
	return v;
}

static void test_agreement(geo_ctx *ctx)
{
	char dir[] = "/tmp/wangge-cover-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK("a temporary folder", 0);
		return;
	}
	if (system("command -v gdal_viewshed >/dev/null 2>&1") != 0) {
		CHECK_SKIP("agreement with gdal_viewshed", "gdal_viewshed is not installed");
		check_remove_dir(dir);
		return;
	}
	/* The DEM's CRS: GDAL takes the earth's diameter from its ellipsoid. */
	char *wkt = NULL;
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, 4548);
	OSRExportToWkt(srs, &wkt);
	OSRDestroySpatialReference(srs);
	unsigned seed = 18;
	size_t cams = 0, cells = 0, differ = 0;
	double worst = 1;
	for (int s = 0; s < 5; s++) {
		double cell = s % 2 ? 2 : 1.5;
		geo_raster_grid g = { 500000, 4360000, cell, cell, 180 + 20 * s, 150 + 10 * s };
		float *z = malloc((size_t)g.width * g.height * sizeof *z);
		surface(&seed, g.width, g.height, z);
		char path[600];
		snprintf(path, sizeof path, "%s/dem.tif", dir);
		if (write_dem(path, &g, z)) {
			CHECK("the DEM written", 0);
			free(z);
			break;
		}
		for (int k = 0; k < 10; k++) {
			geo_camera c;
			memset(&c, 0, sizeof c);
			c.x = g.x0 + (rand_r(&seed) % 10000) / 10000.0 * g.width * g.px;
			c.y = g.y0 - (rand_r(&seed) % 10000) / 10000.0 * g.height * g.py;
			c.height = 2 + rand_r(&seed) % 38;
			c.azimuth = rand_r(&seed) % 3600 / 10.0;
			c.fov = k % 4 == 0 ? 360 : 10 + rand_r(&seed) % 3500 / 10.0;
			c.range = 20 + rand_r(&seed) % 230;
			double th = k % 3 == 0 ? 0 : 1.5;
			unsigned char *vis = NULL;
			int win[4];
			geo_err e = geo_cover_view(ctx, &g, z, wkt, &c, th, &vis, win);
			unsigned char *ref = e ? NULL : gdal_view(dir, &g, &c, th);
			if (e || !ref) {
				CHECK("a camera's viewshed, ours and gdal_viewshed's", 0);
				free(vis);
				free(ref);
				continue;
			}
			size_t n = 0, d = 0;
			for (int r = 0; r < g.height; r++)
				for (int q = 0; q < g.width; q++) {
					int in = q >= win[0] && q < win[0] + win[2] && r >= win[1] &&
						 r < win[1] + win[3];
					unsigned char a = in ? vis[(size_t)(r - win[1]) * win[2] + q - win[0]] : 0;
					unsigned char b = ref[(size_t)r * g.width + q];
					/* Count the cells either program could see: the range's box. */
					double dx = (q + 0.5) * g.px - (c.x - g.x0), dy = (r + 0.5) * g.py - (g.y0 - c.y);
					if (hypot(dx, dy) > c.range + 2 * g.px && !a && !b)
						continue;
					n++;
					d += a != b;
					if (a != b && getenv("COVER_DEBUG"))
						printf("debug: cam %zu (%.2f,%.2f h %.0f fov %.1f) cell %d,%d dist %.2f range %.0f ours %d gdal %d\n",
						       cams, c.x - g.x0, g.y0 - c.y, c.height, c.fov, q, r, hypot(dx, dy), c.range, a, b);
				}
			double agree = n ? 1 - (double)d / n : 1;
			if (agree < worst)
				worst = agree;
			cams++;
			cells += n;
			differ += d;
			free(vis);
			free(ref);
		}
		free(z);
	}
	printf("info: %zu cameras, %zu cells, %zu differ; worst camera agrees on %.4f%%\n", cams, cells,
	       differ, 100 * worst);
	CHECK("50 random cameras computed", cams == 50);
	CHECK("every camera agrees with gdal_viewshed on at least 99.9% of its cells", worst >= 0.999);
	CHECK("in fact on every cell", differ == 0);
	CPLFree(wkt);
	check_remove_dir(dir);
}

/* ---- the verb and its result ----------------------------------------------- */

/* A layer of EPSG:4548 features from WKT, with up to three named real
** fields ("" for none; NAN leaves a field null) and a string field "grid_id"
** set when ids is not NULL. */
static int write_layer(const char *path, OGRwkbGeometryType type, size_t n, const char *const *wkt,
		       const char *const *ids, const char *const names[3], const double (*v)[3])
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, 4548);
	GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
	OGRLayerH l = ds ? GDALDatasetCreateLayer(ds, "layer", srs, type, NULL) : NULL;
	OSRDestroySpatialReference(srs);
	int ok = l != NULL;
	for (int k = 0; ok && k < 3; k++)
		if (*names[k]) {
			OGRFieldDefnH fd = OGR_Fld_Create(names[k], OFTReal);
			ok = OGR_L_CreateField(l, fd, 0) == OGRERR_NONE;
			OGR_Fld_Destroy(fd);
		}
	if (ok && ids) {
		OGRFieldDefnH fd = OGR_Fld_Create("grid_id", OFTString);
		ok = OGR_L_CreateField(l, fd, 0) == OGRERR_NONE;
		OGR_Fld_Destroy(fd);
	}
	for (size_t i = 0; ok && i < n; i++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		for (int k = 0; k < 3; k++)
			if (*names[k] && !isnan(v[i][k]))
				OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, names[k]), v[i][k]);
		if (ids)
			OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "grid_id"), ids[i]);
		OGRGeometryH g = NULL;
		char *text = (char *)wkt[i];
		ok = OGR_G_CreateFromWkt(&text, NULL, &g) == OGRERR_NONE;
		if (ok) {
			OGR_F_SetGeometryDirectly(f, g);
			ok = OGR_L_CreateFeature(l, f) == OGRERR_NONE;
		}
		OGR_F_Destroy(f);
	}
	if (ds)
		GDALClose(ds);
	return ok;
}

/* The cells of the coverage raster that hold data, and those seen. */
static void raster_counts(const char *path, size_t *cells, size_t *seen)
{
	*cells = *seen = 0;
	GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
	if (!ds)
		return;
	GDALRasterBandH b = GDALGetRasterBand(ds, 1);
	int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds), has_nodata = 0;
	double nodata = GDALGetRasterNoDataValue(b, &has_nodata);
	double *v = malloc((size_t)w * h * sizeof *v);
	if (v && GDALRasterIO(b, GF_Read, 0, 0, w, h, v, w, h, GDT_Float64, 0, 0) == CE_None)
		for (size_t i = 0; i < (size_t)w * h; i++)
			if (!has_nodata || v[i] != nodata) {
				(*cells)++;
				*seen += v[i] > 0;
			}
	free(v);
	GDALClose(ds);
}

/* The features of a layer and their area in all. */
static void layer_area(const char *path, size_t *n, double *area)
{
	*n = 0;
	*area = 0;
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	OGRLayerH l = ds ? GDALDatasetGetLayer(ds, 0) : NULL;
	OGRFeatureH f;
	while (l && (f = OGR_L_GetNextFeature(l))) {
		(*n)++;
		*area += OGR_G_Area(OGR_F_GetGeometryRef(f));
		OGR_F_Destroy(f);
	}
	if (ds)
		GDALClose(ds);
}

static char *cover_report_text(const geo_cover_result *r, int json)
{
	report_buf rb;
	return report_take(&rb, geo_cover_report(r, json, report_open(&rb)));
}

static void check_cover_reports(const geo_cover_result *r)
{
	char *text = cover_report_text(r, 0), *json = cover_report_text(r, 1);
	char want[200];
	snprintf(want, sizeof want, "cameras: %zu; ranges: %zu from the field, %zu by DORI", r->cameras,
		 r->range_field, r->range_dori);
	CHECK("cover: the text report gives the result's counts", text && strstr(text, want));
	snprintf(want, sizeof want, "worst: %s: %.2f%% covered, %ld cameras", r->worst[0].id,
		 r->worst[0].covered_pct, r->worst[0].cameras);
	CHECK("cover: the text report names the least covered grid", text && strstr(text, want));
	CHECK("cover: the text report gives the placement",
	      text && strstr(text, "added: 1 of 1 cameras") && strstr(text, "  new 1: +"));
	mj *doc = mj_parse(json);
	CHECK("cover: the JSON report from the same result parses", doc != NULL);
	const mj *cams = mj_get(doc, "cameras"), *worst = mj_get(doc, "worst");
	const mj *spots = mj_get(doc, "blind_spots"), *add = mj_get(doc, "add");
	const mj *added = mj_get(add, "added"), *gains = mj_get(add, "gains");
	CHECK("cover: JSON cameras, worst grids, blind spots and placement are the result's",
	      cams && cams->num == r->cameras && worst && worst->n == r->nworst && spots &&
		      spots->num == r->blind_spots && added && added->num == r->add->added && gains &&
		      gains->n == 1 && fabs(gains->items[0]->num - r->add->gain[0]) <= 0.05);
	mj_free(doc);
	free(text);
	free(json);
}

/* Three 200 m grids in a row; A holds three cameras, B one, C none; a site for
** --add 1 in C. */
static void test_verb(geo_ctx *ctx)
{
	char dir[] = "/tmp/wangge-cover-verb-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK("a temporary folder", 0);
		return;
	}
	char grids[600], cams[600], sites[600], out[600], spots[600];
	snprintf(grids, sizeof grids, "%s/grids.gpkg", dir);
	snprintf(cams, sizeof cams, "%s/cams.gpkg", dir);
	snprintf(sites, sizeof sites, "%s/sites.gpkg", dir);
	snprintf(out, sizeof out, "%s/cover.tif", dir);
	snprintf(spots, sizeof spots, "%s/blind.gpkg", dir);
	const char *gw[] = {
		"POLYGON((500000 4360000,500200 4360000,500200 4360200,500000 4360200,500000 4360000))",
		"POLYGON((500200 4360000,500400 4360000,500400 4360200,500200 4360200,500200 4360000))",
		"POLYGON((500400 4360000,500600 4360000,500600 4360200,500400 4360200,500400 4360000))"
	};
	const char *ids[] = { "A", "B", "C" }, *none[3] = { "", "", "" };
	const char *cam_fields[3] = { "height_m", "range_m", "resolution_px" };
	const char *cw[] = { "POINT(500050 4360100)", "POINT(500150 4360100)", "POINT(500300 4360100)",
			     "POINT(500100 4360050)" };
	/* ranges: two from the field, one by DORI (1920 px, the default lens), one by kind */
	const double cv[][3] = { { 6, 40, NAN }, { 6, 40, NAN }, { 6, NAN, 1920 }, { 4, NAN, NAN } };
	const char *sw[] = { "POINT(500500 4360100)" };
	const double zero[][3] = { { 0, 0, 0 } };
	int ok = write_layer(grids, wkbPolygon, 3, gw, ids, none, zero) &&
		 write_layer(cams, wkbPoint, 4, cw, NULL, cam_fields, cv) &&
		 write_layer(sites, wkbPoint, 1, sw, NULL, none, zero);
	CHECK("cover: the layers written", ok);
	geo_cover_opts o;
	geo_cover_opts_init(&o);
	o.common.output = out;
	o.grids = grids;
	o.cell = 2;
	o.blind_spots = spots;
	o.add = 1;
	o.sites = sites;
	o.add_fov = 360;
	o.threads = 1;
	geo_cover_result *r = NULL;
	geo_err e = ok ? geo_cover(ctx, cams, &o, &r, NULL, NULL) : GEO_ERR_INPUT;
	CHECK("cover: the verb succeeds with a result", e == GEO_OK && r);
	if (e)
		printf("     %s\n", geo_last_error(ctx));
	if (r) {
		size_t cells, seen, nspots;
		double spot_area;
		raster_counts(out, &cells, &seen);
		layer_area(spots, &nspots, &spot_area);
		printf("info cover: %zu cells, %zu seen (GDAL); %zu blind spots of %.0f m² (OGR)\n",
		       cells, seen, nspots, spot_area);
		CHECK("cover: cameras and where their ranges came from",
		      r->cameras == 4 && r->range_field == 2 && r->range_dori == 1 && r->range_kind == 1);
		CHECK("cover: cells and covered cells are GDAL's count of the raster",
		      r->cells == cells && r->covered == seen && r->in_grids && seen > 0 && seen < cells);
		CHECK("cover: the grids' 0.12 km² in 2 m cells", r->cells == 30000 && r->grid.px == 2);
		CHECK("cover: blind spots are OGR's count of the layer, their area its area (1 m²)",
		      r->has_blind_spots && r->blind_spots == nspots && nspots > 0 &&
			      fabs(r->blind_spot_m2 - spot_area) <= 1);
		CHECK("cover: the worst grids are C (nothing), then B, then A",
		      r->nworst == 3 && !strcmp(r->worst[0].id, "C") && r->worst[0].covered_pct == 0 &&
			      r->worst[0].cameras == 0 && fabs(r->worst[0].blind_m2 - 40000) < 1e-6 &&
			      !strcmp(r->worst[1].id, "B") && r->worst[1].cameras == 1 &&
			      !strcmp(r->worst[2].id, "A") && r->worst[2].cameras == 3);
		CHECK("cover: the placement adds one camera in C, and its gain",
		      r->add && r->add->added == 1 && r->add->asked == 1 && r->add->sites == 1 &&
			      r->add->gain[0] > 0 && r->add->seen_after > r->add->seen_before &&
			      !r->add->has_exact);
		CHECK("cover: the result owns its strings",
		      !strcmp(r->output, out) && !strcmp(r->crs, "EPSG:4548"));
		check_cover_reports(r);
	}
	geo_cover_result_free(r);
	check_remove_dir(dir);
}

int main(void)
{
	GDALAllRegister();
	geo_ctx *ctx = geo_ctx_new();
	test_dori();
	test_sector();
	test_tilt(ctx);
	test_agreement(ctx);
	test_verb(ctx);
	geo_ctx_free(ctx);
	return check_done();
}
