/*
** test_map.c: grid-map's verb. The scale is checked against the data, not
** against grid-map's own arithmetic: a square of known size is drawn, its
** width is measured in the PNG's pixels, its ground width is computed with
** OGR and the geodesic directly, and the scale bar must agree with both
** within 1% (in Gauss-Krüger and in Web Mercator, where projected metres
** are 1.29 ground metres). Also: layer arguments, the north arrow off the
** central meridian, atomic output, and the QGIS project's text. The
** result: its layers' features and labels against OGR's reading of the
** data, and both reports rendered from one result.
*/
#include "check.h"
#include "geo.h"
#include "minijson.h"
#include "report.h"

#include <cairo.h>
#include <geodesic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_map.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* A square of side metres at (x0, y0) in EPSG:4548, as GeoJSON. */
static void square(const char *name, double x0, double y0, double side)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
		 "{\"name\":\"urn:ogc:def:crs:EPSG::4548\"}},\"features\":[{\"type\":\"Feature\","
		 "\"properties\":{\"id\":1},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
		 "[[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f]]]}}]}",
		 x0, y0, x0 + side, y0, x0 + side, y0 + side, x0, y0 + side, x0, y0);
	write_file(name, text);
}

static double json_num(const char *json, const char *key)
{
	char k[64];
	snprintf(k, sizeof k, "\"%s\": ", key);
	const char *p = strstr(json, k);
	return p ? strtod(p + strlen(k), NULL) : NAN;
}

/* Ground distance along the square's middle, by OGR and the geodesic. */
static double ground_width(double x0, double y0, double side)
{
	OGRSpatialReferenceH gk = OSRNewSpatialReference(NULL), ll = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(gk, 4548);
	OSRImportFromEPSG(ll, 4490);
	OSRSetAxisMappingStrategy(gk, OAMS_TRADITIONAL_GIS_ORDER);
	OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
	OGRCoordinateTransformationH t = OCTNewCoordinateTransformation(gk, ll);
	double x[2] = { x0, x0 + side }, y[2] = { y0 + side / 2, y0 + side / 2 };
	OCTTransform(t, 2, x, y, NULL);
	struct geod_geodesic g;
	geod_init(&g, 6378137, 1 / 298.257222101);
	double s12;
	geod_inverse(&g, y[0], x[0], y[1], x[1], &s12, NULL, NULL);
	OCTDestroyCoordinateTransformation(t);
	OSRDestroySpatialReference(gk);
	OSRDestroySpatialReference(ll);
	return s12;
}

/* Pixels from the first to the last non-white one along row y inside the frame. */
static double measured_width(const char *png, double fx, double fw, int y)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(png);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		return -1;
	}
	const unsigned char *d = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s), first = -1, last = -1;
	for (int x = (int)fx + 3; x < (int)(fx + fw) - 3; x++) {
		uint32_t px = *(const uint32_t *)(const void *)(d + (size_t)y * stride + 4 * x);
		if ((px & 0xffffff) != 0xffffff) {
			if (first < 0)
				first = x;
			last = x;
		}
	}
	cairo_surface_destroy(s);
	return first < 0 ? -1 : last - first + 1;
}

/* The report of r in one form, as a string the caller frees (NULL without r). */
static char *report_of(const geo_map_result *r, int json)
{
	report_buf rb;
	return r ? report_take(&rb, geo_map_report(r, json, report_open(&rb))) : NULL;
}

/* geo_map of l to out, with its report in *report (NULL on failure), text or
** JSON as o->common.json says. */
static geo_err map_to(geo_ctx *ctx, const geo_map_layer *l, const char *out, geo_map_opts *o,
		      char **report)
{
	geo_map_result *r = NULL;
	o->common.output = out;
	geo_err e = geo_map(ctx, l, 1, o, &r, NULL, NULL);
	*report = report_of(r, o->common.json);
	geo_map_result_free(r);
	return e;
}

static void check_scale(geo_ctx *ctx, const char *work_srs, const char *what)
{
	char out[256], name[256], desc[256];
	snprintf(name, sizeof name, "%s/square.geojson", dir);
	snprintf(out, sizeof out, "%s/scale-%s.png", dir, what);
	geo_map_layer l = { name, GEO_MAP_AREAS, NULL };
	geo_map_opts o;
	geo_map_opts_init(&o);
	o.common.json = 1;
	o.dpi = 150;
	o.common.work_srs = work_srs;
	char *report = NULL;
	geo_err e = map_to(ctx, &l, out, &o, &report);
	snprintf(desc, sizeof desc, "%s: map drawn", what);
	CHECK(desc, e == GEO_OK && report);
	if (e || !report) {
		printf("     %s\n", geo_last_error(ctx));
		free(report);
		return;
	}
	const char *fr = strstr(report, "\"frame_px\": [");
	double fx = 0, fy = 0, fw = 0, fh = 0;
	if (fr)
		sscanf(fr, "\"frame_px\": [%lf, %lf, %lf, %lf]", &fx, &fy, &fw, &fh);
	double px = measured_width(out, fx, fw, (int)(fy + fh / 2));
	/* The outline (0.15 mm) straddles the edge: half of it lies outside. */
	px -= 0.15 / 25.4 * o.dpi;
	double ground = ground_width(530000, 4365000, 2000);
	double per_px = json_num(report, "scale_bar_m") / json_num(report, "scale_bar_px");
	snprintf(desc, sizeof desc, "%s: scale bar agrees with the data within 1%%", what);
	CHECK_NEAR(desc, per_px / (ground / px), 1, 0.01);
	snprintf(desc, sizeof desc, "%s: reported ground m/px agrees with the data within 1%%", what);
	CHECK_NEAR(desc, json_num(report, "ground_m_per_px") / (ground / px), 1, 0.01);
	free(report);
}

static void check_parse(geo_ctx *ctx)
{
	char buf[256];
	geo_map_layer l;
	CHECK("plain name", geo_map_layer_parse(ctx, "a.gpkg:hazards", buf, &l) == GEO_OK &&
				    l.kind == GEO_MAP_AUTO && !strcmp(l.name, "a.gpkg:hazards") &&
				    !l.title);
	CHECK("kind and title", geo_map_layer_parse(ctx, "points,隐患=a.gpkg:hazards", buf, &l) ==
					 GEO_OK && l.kind == GEO_MAP_POINTS &&
					 !strcmp(l.title, "隐患") && !strcmp(l.name, "a.gpkg:hazards"));
	CHECK("kind only", geo_map_layer_parse(ctx, "primary=g.gpkg", buf, &l) == GEO_OK &&
				   l.kind == GEO_MAP_PRIMARY && !l.title && !strcmp(l.name, "g.gpkg"));
	CHECK("'=' in a path is kept", geo_map_layer_parse(ctx, "dir/a=b.gpkg", buf, &l) == GEO_OK &&
					       l.kind == GEO_MAP_AUTO &&
					       !strcmp(l.name, "dir/a=b.gpkg"));
	CHECK("kind with nothing after '='", geo_map_layer_parse(ctx, "points=", buf, &l) ==
						   GEO_ERR_USAGE);
}

/* Off the central meridian the meridian leans: the grid convergence is
** about atan(tan(dlon) sin(lat)), 0.73° at 118.16°E 39.4°N. */
static void check_north(geo_ctx *ctx)
{
	char name[256], out[256];
	square("east.geojson", 600000, 4365000, 2000);
	snprintf(name, sizeof name, "%s/east.geojson", dir);
	snprintf(out, sizeof out, "%s/north.png", dir);
	geo_map_layer l = { name, GEO_MAP_AREAS, NULL };
	geo_map_opts o;
	geo_map_opts_init(&o);
	o.common.json = 1;
	o.dpi = 50;
	char *report = NULL;
	geo_err e = map_to(ctx, &l, out, &o, &report);
	CHECK("north: map drawn", e == GEO_OK);
	OGRSpatialReferenceH gk = OSRNewSpatialReference(NULL), ll = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(gk, 4548);
	OSRImportFromEPSG(ll, 4490);
	OSRSetAxisMappingStrategy(gk, OAMS_TRADITIONAL_GIS_ORDER);
	OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
	OGRCoordinateTransformationH t = OCTNewCoordinateTransformation(gk, ll);
	double x = 601000, y = 4366000;
	OCTTransform(t, 1, &x, &y, NULL);
	double gamma = atan(tan((x - 117) * M_PI / 180) * sin(y * M_PI / 180)) * 180 / M_PI;
	/* East of the central meridian north leans west: counter-clockwise. */
	CHECK_NEAR("north arrow follows the meridian (0.05°)", report ? json_num(report, "north_deg") : 0,
		   -gamma, 0.05);
	OCTDestroyCoordinateTransformation(t);
	OSRDestroySpatialReference(gk);
	OSRDestroySpatialReference(ll);
	free(report);
}

static void check_outputs(geo_ctx *ctx)
{
	char name[256], out[256], bad[256];
	snprintf(name, sizeof name, "%s/square.geojson", dir);
	snprintf(out, sizeof out, "%s/exists.png", dir);
	write_file("exists.png", "keep me");
	geo_map_layer l = { name, GEO_MAP_AUTO, NULL };
	geo_map_opts o;
	geo_map_opts_init(&o);
	o.dpi = 50;
	char *report = NULL;
	CHECK("existing output refused", map_to(ctx, &l, out, &o, &report) ==
						 GEO_ERR_OUTPUT);
	struct stat st;
	CHECK("existing output untouched", stat(out, &st) == 0 && st.st_size == 7);
	o.common.out.overwrite = 1;
	CHECK("--overwrite replaces it", map_to(ctx, &l, out, &o, &report) == GEO_OK &&
						 stat(out, &st) == 0 && st.st_size > 1000);
	free(report);
	report = NULL;
	CHECK("output equal to input refused",
	      map_to(ctx, &l, name, &o, &report) == GEO_ERR_OUTPUT);
	snprintf(bad, sizeof bad, "%s/no/such/folder/m.png", dir);
	CHECK("missing folder is an output error",
	      map_to(ctx, &l, bad, &o, &report) == GEO_ERR_OUTPUT);
	snprintf(bad, sizeof bad, "%s/m.jpg", dir);
	CHECK("unknown format is a usage error",
	      map_to(ctx, &l, bad, &o, &report) == GEO_ERR_USAGE);
	/* Only the outputs asked for: no temporary files left behind. */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ls -A %s | grep -c tmp", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	CHECK("no temporary file left", n == 0);
}

static void check_project(geo_ctx *ctx)
{
	char name[256], qgs[256];
	snprintf(name, sizeof name, "%s/square.geojson", dir);
	snprintf(qgs, sizeof qgs, "%s/p.qgs", dir);
	geo_map_layer l = { name, GEO_MAP_AREAS, "方块 square" };
	geo_map_opts o;
	geo_map_opts_init(&o);
	CHECK("project written", geo_qgis_project(ctx, &l, 1, qgs, &o) == GEO_OK);
	FILE *f = fopen(qgs, "r");
	char text[65536] = "";
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	CHECK("relative data source", strstr(text, "<datasource>./square.geojson</datasource>") != NULL);
	CHECK("layer title", strstr(text, "<layername>方块 square</layername>") != NULL);
	CHECK("CRS by authority", strstr(text, "<authid>EPSG:4548</authid>") != NULL);
	CHECK("a style in wangge's colours", strstr(text, "SimpleFill") && strstr(text, "166,206,227,255"));
	CHECK("project not replaced without overwrite",
	      geo_qgis_project(ctx, &l, 1, qgs, &o) == GEO_ERR_OUTPUT);
	/* A link is written through, never replaced. */
	char link_path[256];
	snprintf(link_path, sizeof link_path, "%s/link.qgs", dir);
	o.common.out.overwrite = 1;
	struct stat st;
	CHECK("project written through a link",
	      symlink("p.qgs", link_path) == 0 &&
		      geo_qgis_project(ctx, &l, 1, link_path, &o) == GEO_OK &&
		      lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode) && stat(qgs, &st) == 0 &&
		      S_ISREG(st.st_mode));
	char *report = NULL;
	CHECK("a map needs a file, not standard output",
	      map_to(ctx, &l, "-", &o, &report) == GEO_ERR_USAGE && !report);
}

/* Three labelled 500 m squares in a row, as GeoJSON in EPSG:4548. */
static void labelled_squares(const char *name)
{
	char text[2048] = "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
			  "{\"name\":\"urn:ogc:def:crs:EPSG::4548\"}},\"features\":[";
	for (int i = 0; i < 3; i++) {
		double x0 = 530000 + 500 * i, y0 = 4365000;
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n,
			 "%s{\"type\":\"Feature\",\"properties\":{\"name\":\"%c\"},\"geometry\":"
			 "{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],"
			 "[%.1f,%.1f],[%.1f,%.1f]]]}}",
			 i ? "," : "", 'A' + i, x0, y0, x0 + 500, y0, x0 + 500, y0 + 500, x0, y0 + 500,
			 x0, y0);
	}
	strcat(text, "]}");
	write_file(name, text);
}

/* OGR's count and extent of the layer, independently of grid-map. */
static long long ogr_count(const char *path, OGREnvelope *env)
{
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	OGRLayerH l = ds ? GDALDatasetGetLayer(ds, 0) : NULL;
	long long n = l ? (long long)OGR_L_GetFeatureCount(l, 1) : -1;
	if (l)
		OGR_L_GetExtent(l, env, 1);
	if (ds)
		GDALClose(ds);
	return n;
}

static void check_result_reports(const geo_map_result *r)
{
	char *text = report_of(r, 0), *json = report_of(r, 1), want[200];
	snprintf(want, sizeof want, "scale 1:%.0f in EPSG:4548", 1000 * r->ground / r->scale);
	CHECK("result: the text report gives the scale from the result", text && strstr(text, want));
	snprintf(want, sizeof want, "labels: %zu drawn, %zu left out", r->nlabels, r->labels_left_out);
	CHECK("result: the text report gives the labels", text && strstr(text, want));
	CHECK("result: the text report names the project", text && strstr(text, "r.qgs: QGIS project written"));
	mj *doc = mj_parse(json);
	CHECK("result: the JSON report from the same result parses", doc != NULL);
	const mj *layers = mj_get(doc, "layers"), *labels = mj_get(doc, "labels");
	const mj *f = layers && layers->n ? mj_get(layers->items[0], "features") : NULL;
	const mj *drawn = mj_get(labels, "drawn"), *den = mj_get(doc, "scale_denominator");
	CHECK("result: JSON layers, labels and scale are the result's",
	      f && f->num == r->layers[0].features && drawn && drawn->num == r->nlabels && den &&
		      fabs(den->num - 1000 * r->ground / r->scale) <= 0.5);
	mj_free(doc);
	free(text);
	free(json);
}

static void check_result(geo_ctx *ctx)
{
	char name[256], out[256], qgs[256];
	labelled_squares("labelled.geojson");
	snprintf(name, sizeof name, "%s/labelled.geojson", dir);
	snprintf(out, sizeof out, "%s/result.png", dir);
	snprintf(qgs, sizeof qgs, "%s/r.qgs", dir);
	geo_map_layer l = { name, GEO_MAP_PRIMARY, NULL };
	geo_map_opts o;
	geo_map_opts_init(&o);
	o.dpi = 50;
	o.label_field = "name";
	o.qgis_project = qgs;
	o.common.output = out;
	geo_map_result *r = NULL;
	geo_err e = geo_map(ctx, &l, 1, &o, &r, NULL, NULL);
	CHECK("result: map and project drawn", e == GEO_OK && r);
	OGREnvelope env = { 0, 0, 0, 0 };
	long long n = ogr_count(name, &env);
	if (!r) {
		printf("     %s\n", geo_last_error(ctx));
		return;
	}
	CHECK("result: one layer of OGR's 3 features, as primary grids",
	      n == 3 && r->nlayers == 1 && r->layers[0].features == (size_t)n &&
		      r->layers[0].kind == GEO_MAP_PRIMARY && r->layers[0].dim == 1 &&
		      !strcmp(r->layers[0].name, name));
	CHECK("result: every feature's label drawn or left out",
	      r->labelled && r->nlabels + r->labels_left_out == (size_t)n);
	int inside = 1;
	for (size_t i = 0; i < r->nlabels; i++) {
		const geo_map_label *b = &r->labels[i];
		inside = inside && strlen(b->text) == 1 && strchr("ABC", *b->text) && b->x >= r->frame[0] &&
			 b->y >= r->frame[1] && b->x + b->w <= r->frame[0] + r->frame[2] &&
			 b->y + b->h <= r->frame[1] + r->frame[3];
	}
	CHECK("result: the labels are the features' and inside the frame", r->nlabels > 0 && inside);
	CHECK("result: the window shows OGR's extent of the data",
	      r->window[0] <= env.MinX && r->window[1] <= env.MinY && r->window[2] >= env.MaxX &&
		      r->window[3] >= env.MaxY);
	CHECK("result: the output, format, CRS and project are the result's own copies",
	      !strcmp(r->output, out) && !strcmp(r->format, "png") && !strcmp(r->crs, "EPSG:4548") &&
		      !strcmp(r->qgis_project, qgs) && strstr(r->qgis_layout, "r.qpt") && !r->raster);
	check_result_reports(r);
	geo_map_result_free(r);
	/* A project alone: its report names the project and its layout only. */
	o.common.output = NULL;
	o.common.out.overwrite = 1;
	r = NULL;
	e = geo_map(ctx, &l, 1, &o, &r, NULL, NULL);
	char *text = report_of(r, 0), *json = report_of(r, 1);
	CHECK("result: a project alone has no map",
	      e == GEO_OK && r && !r->output && !r->format && text && !strncmp(text, qgs, strlen(qgs)) &&
		      json && !strncmp(json, "{\"qgis_project\": ", 17));
	free(text);
	free(json);
	geo_map_result_free(r);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	geo_ctx *ctx = geo_ctx_new();
	check_parse(ctx);
	square("square.geojson", 530000, 4365000, 2000);
	check_scale(ctx, NULL, "EPSG:4548");
	check_scale(ctx, "EPSG:3857", "Web Mercator");
	check_north(ctx);
	check_outputs(ctx);
	check_project(ctx);
	check_result(ctx);
	geo_ctx_free(ctx);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done();
}
