/*
** harness.c: the one path every fuzz target drives, through libgeo's public
** API only, as the tools would: the input is written to a /vsimem/ file, then
** described (grid-info), each of its layers read feature by feature and
** placed on a fixed grid set (grid-place; points also through the placer's
** "every grid holding it" answer that grid-check counts points with) and,
** when a layer reads as grids, its own features placed on it and the layer
** checked as a coverage (grid-check's geometry and code checks, both
** reports). Whatever the library answers is fine; a crash, a sanitizer
** report, a leak or a hang is a finding.
**
** The context and the fixed grids are made once per process, as libFuzzer
** calls the target millions of times; they are freed at exit so that
** LeakSanitizer sees only what one input leaked.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <cpl_vsi.h>

#include "fuzz.h"
#include "geo.h"

/* Bounds the work per input so that a large layer is not a timeout. */
#define FUZZ_MAX_LAYERS 4
#define FUZZ_MAX_FEATURES 2000
#define FUZZ_MAX_POINTS 4096

#define FUZZ_DIR "/vsimem/wangge-fuzz"
#define FIXED_PATH "/vsimem/wangge-fuzz-fixed/grids.geojson"

static geo_ctx *ctx;
static geo_gridset *fixed;
static geo_placer *fixed_placer;
static int verbose;

/* FUZZ_VERBOSE=1 says what libgeo answered at each step, for triage. */
static void say(const char *step, const char *layer, geo_err e)
{
	if (verbose)
		fprintf(stderr, "  %s %s: %d %s\n", step, layer ? layer : "-", (int)e,
			e > GEO_PROBLEMS ? geo_last_error(ctx) : "");
}

static void finish(void)
{
	geo_placer_free(fixed_placer);
	geo_gridset_free(fixed);
	VSIUnlink(FIXED_PATH);
	geo_ctx_free(ctx);
}

/* Nine 500 m squares of CGCS2000 / 3-degree zone 39 (EPSG:4548), where the
** CSV and GeoJSON seeds lie, as level-1 grids of town 110101001. */
static char *fixed_geojson(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fputs("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
	      "{\"name\":\"urn:ogc:def:crs:EPSG::4548\"}},\"features\":[", f);
	for (int i = 0; i < 9; i++) {
		double x = 500000 + 500 * (i % 3), y = 4360000 + 500 * (i / 3);
		fprintf(f, "%s{\"type\":\"Feature\",\"properties\":{\"grid_id\":\"110101001%03d\","
			   "\"level\":1},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
			   "[[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]]]}}",
			i ? "," : "", i + 1, x, y, x + 500, y, x + 500, y + 500, x, y + 500, x, y);
	}
	fputs("]}", f);
	return fclose(f) ? (free(text), NULL) : text;
}

static int init(void)
{
	if (ctx)
		return 0;
	if (!(ctx = geo_ctx_new()))
		return -1;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	atexit(finish);
	char *text = fixed_geojson();
	VSILFILE *f = text ? VSIFileFromMemBuffer(FIXED_PATH, (GByte *)text, strlen(text), FALSE)
			   : NULL;
	if (f)
		VSIFCloseL(f);
	geo_grid_opts go;
	geo_grid_opts_init(&go);
	fixed = geo_gridset_read(ctx, FIXED_PATH, NULL, &go, NULL);
	free(text); /* the gridset holds what it read */
	VSIUnlink(FIXED_PATH);
	if (!fixed || !(fixed_placer = geo_placer_new(ctx, fixed))) {
		fprintf(stderr, "fuzz: the fixed grids: %s\n", geo_last_error(ctx));
		abort();
	}
	return 0;
}

/* Reads one layer feature by feature in gs's CRS and places every feature on
** gs as grid-place does; points also as grid-check counts them. */
static void place_layer(const char *path, const char *layer, const char *s_srs,
			const geo_gridset *gs, geo_placer *placer)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	io.s_srs = s_srs;
	io.layer = layer;
	geo_input *in = geo_input_open(ctx, path, &io);
	geo_feature_placer *fp = in ? geo_feature_placer_new(ctx, gs, NULL) : NULL;
	geo_err e = fp ? geo_input_require_crs(ctx, in) : geo_last_code(ctx);
	if (!e)
		e = geo_input_set_target(ctx, in, gs->crs);
	say(gs == fixed ? "open for the fixed grids" : "open for itself", layer, e);
	if (e)
		goto done;
	static double xs[FUZZ_MAX_POINTS], ys[FUZZ_MAX_POINTS];
	static long at[FUZZ_MAX_POINTS];
	size_t npoints = 0;
	for (int i = 0; i < FUZZ_MAX_FEATURES; i++) {
		OGRFeatureH feat = NULL;
		GEOSGeometry *g = NULL;
		if ((e = geo_input_next(ctx, in, &feat, &g)) || !feat) {
			say("next", layer, e);
			break;
		}
		long grid;
		if (g) {
			if ((e = geo_feature_place(fp, g, &grid)))
				say("place", layer, e);
			double x, y;
			if (GEOSGeomTypeId_r(gs->geos, g) == GEOS_POINT && !GEOSisEmpty_r(gs->geos, g) &&
			    GEOSGeomGetX_r(gs->geos, g, &x) && GEOSGeomGetY_r(gs->geos, g, &y) &&
			    npoints < FUZZ_MAX_POINTS) {
				long all[8];
				geo_placer_all(placer, x, y, all, 8);
				xs[npoints] = x;
				ys[npoints++] = y;
			}
			GEOSGeom_destroy_r(gs->geos, g);
		}
		OGR_F_Destroy(feat);
	}
	geo_placer_locate_many(placer, npoints, xs, ys, at);
done:
	geo_feature_placer_free(fp);
	geo_input_close(in);
}

/* One layer as a grid layer: its features placed on it, then grid-check's
** checks of it as a coverage, and both forms of the report. */
static void check_layer(const char *path, const char *layer, const char *s_srs)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	io.s_srs = s_srs;
	io.layer = layer;
	geo_grid_opts go;
	geo_grid_opts_init(&go);
	go.keep_unreadable = 1;
	geo_gridset *gs = geo_gridset_read(ctx, path, &io, &go, NULL);
	say("read as grids", layer, gs ? GEO_OK : geo_last_code(ctx));
	if (!gs)
		return;
	geo_placer *placer = geo_placer_new(ctx, gs);
	if (placer)
		place_layer(path, layer, s_srs, gs, placer);
	geo_placer_free(placer);
	geo_check_opts co;
	geo_check_opts_init(&co);
	geo_check_result *r = NULL;
	geo_err e = geo_check_gridset(ctx, gs, NULL, NULL, &co, &r);
	say("check", layer, e);
	if (e <= GEO_PROBLEMS && r) {
		FILE *null = fopen("/dev/null", "w");
		if (null) {
			geo_check_report(r, 0, null);
			geo_check_report(r, 1, null);
			fclose(null);
		}
	}
	geo_check_result_free(r);
	geo_gridset_free(gs);
}

int fuzz_input(const uint8_t *data, size_t size, const char *ext, const char *s_srs)
{
	if (init())
		return 0;
	char path[64];
	snprintf(path, sizeof path, FUZZ_DIR "/input.%s", ext);
	GByte *copy = VSIMalloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	VSILFILE *f = VSIFileFromMemBuffer(path, copy, size, TRUE);
	if (!f) {
		VSIFree(copy);
		return 0;
	}
	VSIFCloseL(f);

	geo_info_opts info;
	geo_info_opts_init(&info);
	info.common.s_srs = s_srs;
	info.common.json = (int)(size & 1);
	geo_info_result *report = NULL;
	say("info", NULL, geo_info(ctx, path, &info, &report, NULL, NULL));
	geo_info_result_free(report);

	char **layers = geo_input_layer_names(ctx, path);
	for (int i = 0; layers && layers[i] && i < FUZZ_MAX_LAYERS; i++) {
		const char *layer = *layers[i] ? layers[i] : NULL;
		place_layer(path, layer, s_srs, fixed, fixed_placer);
		check_layer(path, layer, s_srs);
	}
	CSLDestroy(layers);
	VSIRmdirRecursive(FUZZ_DIR);
	return 0;
}
