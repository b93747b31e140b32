/*
** Unit tests of grid-heat's kernels and surfaces (kde_surface.c) and time
** windows (window.c). Every surface is checked against a brute-force
** reference written here from the definitions: a direct double-precision sum
** over the points of weight x kernel at each pixel centre, with the density
** constants found by numerical integration rather than taken from the
** library. Windows are checked against calendar facts. The verb geo_heat
** runs on points written here, and its result's counts are checked against
** the counts made while writing them, its maximum against GDAL's reading of
** the raster, and its report rendered as text and as JSON from one result.
*/
#include "check.h"
#include "geo.h"
#include "minijson.h"
#include "report.h"

#include <string.h>

/* The kernel shapes as the man page defines them, written out again. */
static double ref_shape(geo_kernel k, double u)
{
	if (u >= 1)
		return 0;
	switch (k) {
	case GEO_KERNEL_QUARTIC: return pow(1 - u * u, 2);
	case GEO_KERNEL_TRIANGULAR: return 1 - u;
	case GEO_KERNEL_UNIFORM: return 1;
	case GEO_KERNEL_EPANECHNIKOV: return 1 - u * u;
	case GEO_KERNEL_TRIWEIGHT: return pow(1 - u * u, 3);
	case GEO_KERNEL_GAUSSIAN:
		return (exp(-u * u / (2.0 / 9)) - exp(-4.5)) / (1 - exp(-4.5));
	}
	return NAN;
}

/* The integral of K(d / r) over the plane by Simpson's rule in d, taking
** K's limit from inside at d = r (the uniform kernel jumps there). */
static double ref_area(geo_kernel k, double r)
{
	int n = 20000;
	double h = r / n, s = 0;
	for (int i = 0; i <= n; i++) {
		double d = i * h, u = i == n ? nextafter(1, 0) : d / r;
		double f = 2 * M_PI * d * ref_shape(k, u);
		s += f * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
	}
	return s * h / 3;
}

static unsigned long long rng_state = 88172645463325252ULL;
static double rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

struct cloud {
	size_t n;
	double x[200], y[200], w[200];
};

/* Points over and around the grid, some outside it, two coincident. */
static void make_cloud(struct cloud *c, const geo_raster_grid *g, size_t n, double margin)
{
	double w = g->width * g->px, h = g->height * g->py;
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		c->x[i] = g->x0 - margin + rnd() * (w + 2 * margin);
		c->y[i] = g->y0 + margin - rnd() * (h + 2 * margin);
		c->w[i] = 0.25 + 3 * rnd();
	}
	c->x[1] = c->x[0];
	c->y[1] = c->y[0];
}

/* Compares the library's surface with the reference at every pixel; pixels
** whose centre is within a micrometre of some point's radius are left out. */
static void compare(const char *what, const struct cloud *c, const geo_raster_grid *g,
		    geo_kernel k, geo_heat_scale s, double r, int threads)
{
	size_t np = (size_t)g->width * g->height;
	float *got = malloc(np * sizeof *got);
	double *want = malloc(np * sizeof *want);
	unsigned char *skip = calloc(np, 1);
	geo_ctx *ctx = geo_ctx_new();
	geo_heat_points pts = { c->n, c->x, c->y, c->w };
	geo_err e = geo_heat_surface(ctx, &pts, g, k, s, r, threads, NULL, GEO_HEAT_NODATA, got,
				     NULL, NULL);
	double norm = s == GEO_HEAT_DENSITY ? 1e6 / ref_area(k, r) : 1, max = 0, worst = 0;
	for (int row = 0; row < g->height; row++)
		for (int col = 0; col < g->width; col++) {
			double cx = g->x0 + (col + 0.5) * g->px, cy = g->y0 - (row + 0.5) * g->py, v = 0;
			size_t i = (size_t)row * g->width + col;
			for (size_t p = 0; p < c->n; p++) {
				double d = hypot(cx - c->x[p], cy - c->y[p]);
				if (fabs(d - r) < 1e-6)
					skip[i] = 1;
				v += c->w[p] * ref_shape(k, d / r) * norm;
			}
			want[i] = v;
			max = fmax(max, fabs(v));
		}
	int zeros_kept = 1;
	for (size_t i = 0; i < np; i++) {
		if (!skip[i])
			worst = fmax(worst, fabs(got[i] - want[i]));
		if (!skip[i] && want[i] == 0 && got[i] != 0)
			zeros_kept = 0;
	}
	char desc[200];
	snprintf(desc, sizeof desc, "%s: %s %s equals the brute-force sum within 1e-5 of the maximum",
		 what, geo_kernel_name(k), s == GEO_HEAT_RAW ? "raw" : "density");
	CHECK(desc, e == GEO_OK && max > 0 && worst <= 1e-5 * max);
	if (!(worst <= 1e-5 * max))
		printf("     worst difference %g, maximum %g\n", worst, max);
	snprintf(desc, sizeof desc, "%s: %s %s is exactly 0 where no point reaches", what,
		 geo_kernel_name(k), s == GEO_HEAT_RAW ? "raw" : "density");
	CHECK(desc, zeros_kept);
	geo_ctx_free(ctx);
	free(got);
	free(want);
	free(skip);
}

static void test_shapes(void)
{
	for (int k = 0; k <= GEO_KERNEL_GAUSSIAN; k++) {
		char desc[120];
		snprintf(desc, sizeof desc, "%s: shape 1 at the centre, 0 at the radius",
			 geo_kernel_name(k));
		CHECK(desc, geo_kernel_shape(k, 0) == 1 && geo_kernel_shape(k, 1) == 0 &&
				    geo_kernel_shape(k, 1.5) == 0);
		snprintf(desc, sizeof desc, "%s: closed-form area matches numerical integration",
			 geo_kernel_name(k));
		CHECK_NEAR(desc, geo_kernel_area(k, 500) / ref_area(k, 500), 1, 1e-6);
		geo_kernel back;
		CHECK("kernel names round-trip",
		      geo_kernel_from_name(geo_kernel_name(k), &back) && back == (geo_kernel)k);
	}
	geo_kernel k;
	CHECK("an unknown kernel name is refused", !geo_kernel_from_name("cosine", &k));
}

static void test_surfaces(void)
{
	/* Square pixels, a radius of 7.3 pixels, a grid not on round numbers. */
	geo_raster_grid sq = { 500013.7, 4361987.1, 10, 10, 61, 47 };
	/* Oblong pixels (as --te can make) and a radius a whole number of pixels,
	** so some centres fall exactly on the radius. */
	geo_raster_grid ob = { 1000, 2000, 4, 5, 50, 30 };
	/* Radii of 56 and 50 columns, which kde_surface.c sums as coefficients,
	** on rasters wider than its frames of 256 columns. */
	geo_raster_grid wide = { 500013.7, 4361987.1, 10, 10, 600, 50 };
	geo_raster_grid wide_ob = { 1000, 2000, 4, 5, 530, 40 };
	struct cloud c1, c2, c3, c4;
	make_cloud(&c1, &sq, 60, 80);
	make_cloud(&c2, &ob, 25, 30);
	make_cloud(&c3, &wide, 60, 300);
	make_cloud(&c4, &wide_ob, 40, 100);
	for (int k = 0; k <= GEO_KERNEL_GAUSSIAN; k++)
		for (int s = 0; s < 2; s++) {
			compare("square pixels", &c1, &sq, k, s, 73, 2);
			compare("oblong pixels", &c2, &ob, k, s, 40, 3);
			compare("wide radius", &c3, &wide, k, s, 563, 2);
			compare("wide radius, oblong pixels", &c4, &wide_ob, k, s, 200, 3);
		}
}

static void test_lone_point(void)
{
	/* The QGIS test's convention: raw quartic of a lone point is 1.0 at its
	** pixel centre and 0 at the radius. */
	geo_raster_grid g = { 0, 10, 1, 1, 10, 10 };
	double x = 4.5, y = 5.5, w = 1;
	geo_heat_points p = { 1, &x, &y, &w };
	float out[100];
	geo_ctx *ctx = geo_ctx_new();
	geo_heat_surface(ctx, &p, &g, GEO_KERNEL_QUARTIC, GEO_HEAT_RAW, 3, 1, NULL, -9999, out,
			 NULL, NULL);
	CHECK_NEAR("lone point: 1.0 at its own pixel centre", out[4 * 10 + 4], 1, 0);
	CHECK_NEAR("lone point: 0 at exactly the radius", out[1 * 10 + 4], 0, 0);
	CHECK_NEAR("lone point: (1 - (2/3)^2)^2 two pixels away", out[4 * 10 + 6],
		   pow(1 - 4.0 / 9, 2), 1e-7);
	unsigned char mask[100];
	memset(mask, 1, sizeof mask);
	mask[0] = 0;
	geo_heat_surface(ctx, &p, &g, GEO_KERNEL_QUARTIC, GEO_HEAT_RAW, 1, 1, mask, -9999, out,
			 NULL, NULL);
	CHECK("masked pixels get nodata", out[0] == -9999 && out[44] == 1);
	geo_ctx_free(ctx);
}

static double integral(const float *v, const geo_raster_grid *g)
{
	double s = 0;
	for (size_t i = 0; i < (size_t)g->width * g->height; i++)
		s += v[i];
	return s * g->px * g->py / 1e6;
}

static void test_integrals(void)
{
	/* 40 points well inside, radius 25 pixels: every kernel is whole. */
	geo_raster_grid g = { 0, 4000, 4, 4, 1000, 1000 };
	static double x[40], y[40], w[40];
	double total = 0;
	for (int i = 0; i < 40; i++) {
		x[i] = 150 + rnd() * 3700;
		y[i] = 150 + rnd() * 3700;
		w[i] = 1 + (i % 3);
		total += w[i];
	}
	geo_heat_points p = { 40, x, y, w };
	float *out = malloc(sizeof *out * 1000 * 1000);
	geo_ctx *ctx = geo_ctx_new();
	for (int k = 0; k <= GEO_KERNEL_GAUSSIAN; k++) {
		geo_heat_surface(ctx, &p, &g, k, GEO_HEAT_DENSITY, 100, 0, NULL, -9999, out, NULL,
				 NULL);
		char desc[120];
		snprintf(desc, sizeof desc, "%s density integrates to the total weight within 0.5%%",
			 geo_kernel_name(k));
		CHECK_NEAR(desc, integral(out, &g) / total, 1, 0.005);
	}
	geo_ctx_free(ctx);
	free(out);
}

static void test_threads(void)
{
	geo_raster_grid g = { 0, 2000, 5, 5, 400, 400 };
	static double x[200], y[200];
	for (int i = 0; i < 200; i++) {
		x[i] = rnd() * 2000;
		y[i] = rnd() * 2000;
	}
	geo_heat_points p = { 200, x, y, NULL };
	size_t n = 400 * 400;
	float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
	geo_ctx *ctx = geo_ctx_new();
	geo_heat_surface(ctx, &p, &g, GEO_KERNEL_QUARTIC, GEO_HEAT_DENSITY, 300, 1, NULL, -9999, a,
			 NULL, NULL);
	geo_heat_surface(ctx, &p, &g, GEO_KERNEL_QUARTIC, GEO_HEAT_DENSITY, 300, 2, NULL, -9999, b,
			 NULL, NULL);
	geo_heat_surface(ctx, &p, &g, GEO_KERNEL_QUARTIC, GEO_HEAT_DENSITY, 300, 7, NULL, -9999, c,
			 NULL, NULL);
	CHECK("1, 2 and 7 threads give bit-identical surfaces",
	      !memcmp(a, b, n * sizeof *a) && !memcmp(a, c, n * sizeof *a));
	geo_ctx_free(ctx);
	free(a);
	free(b);
	free(c);
}

static int64_t day(int y, int m, int d)
{
	return geo_time_from_civil(y, m, d, 0, 0, 0);
}

/* The windows of --week, --month and --from/--to as grid-heat had them. */
static geo_err window_parse(geo_ctx *ctx, const char *week, const char *month, const char *from,
			    const char *to, geo_window *w)
{
	geo_window_opts o;
	geo_window_opts_init(&o);
	o.week = week, o.month = month, o.from = from, o.to = to;
	return geo_window_parse(ctx, &o, w);
}

static void test_windows(void)
{
	geo_ctx *ctx = geo_ctx_new();
	geo_window w, p;
	CHECK("2021-W37 parses", window_parse(ctx, "2021-W37", NULL, NULL, NULL, &w) == GEO_OK);
	CHECK("2021-W37 is Monday 2021-09-13 to Sunday 2021-09-19",
	      w.start == day(2021, 9, 13) && w.end == day(2021, 9, 20) && !strcmp(w.label, "2021-W37"));
	window_parse(ctx, "2021W01", NULL, NULL, NULL, &w);
	CHECK("2021-W01 starts on 2021-01-04", w.start == day(2021, 1, 4));
	CHECK("2020-W53 exists and spans the new year",
	      window_parse(ctx, "2020-W53", NULL, NULL, NULL, &w) == GEO_OK &&
		      w.start == day(2020, 12, 28) && w.end == day(2021, 1, 4));
	CHECK("2021-W53 does not exist",
	      window_parse(ctx, "2021-W53", NULL, NULL, NULL, &w) == GEO_ERR_USAGE);
	window_parse(ctx, "2026-W01", NULL, NULL, NULL, &w);
	CHECK("2026-W01 starts in 2025 (2025-12-29)", w.start == day(2025, 12, 29));
	window_parse(ctx, "2021-W01", NULL, NULL, NULL, &w);
	geo_window_previous(ctx, &w, &p);
	CHECK("the week before 2021-W01 is 2020-W53",
	      !strcmp(p.label, "2020-W53") && p.start == day(2020, 12, 28) && p.end == w.start);
	window_parse(ctx, "2016-W01", NULL, NULL, NULL, &w);
	geo_window_previous(ctx, &w, &p);
	CHECK("the week before 2016-W01 is 2015-W53", !strcmp(p.label, "2015-W53"));
	window_parse(ctx, "2023-W01", NULL, NULL, NULL, &w);
	geo_window_previous(ctx, &w, &p);
	CHECK("the week before 2023-W01 is 2022-W52", !strcmp(p.label, "2022-W52"));
	CHECK("a bad week is a usage error naming --week",
	      window_parse(ctx, "2021-37", NULL, NULL, NULL, &w) == GEO_ERR_USAGE &&
		      strstr(geo_last_error(ctx), "--week"));
	window_parse(ctx, NULL, "2024-02", NULL, NULL, &w);
	CHECK("2024-02 has 29 days", w.end - w.start == 29 * 86400 && w.start == day(2024, 2, 1));
	window_parse(ctx, NULL, "2021-01", NULL, NULL, &w);
	geo_window_previous(ctx, &w, &p);
	CHECK("the month before 2021-01 is 2020-12", !strcmp(p.label, "2020-12") &&
							      p.start == day(2020, 12, 1) &&
							      p.end == w.start);
	window_parse(ctx, NULL, NULL, "2021-09-01", "2021-09-10", &w);
	CHECK("--to is inclusive of its day", w.end == day(2021, 9, 11) &&
						      !strcmp(w.label, "2021-09-01..2021-09-10"));
	geo_window_previous(ctx, &w, &p);
	CHECK("the range before 10 days is the 10 days before",
	      p.start == day(2021, 8, 22) && p.end == day(2021, 9, 1));
	window_parse(ctx, NULL, NULL, "2021-09-01", NULL, &w);
	CHECK("an open range has no previous window",
	      geo_window_previous(ctx, &w, &p) == GEO_ERR_USAGE);
	CHECK("--to before --from is refused",
	      window_parse(ctx, NULL, NULL, "2021-09-10", "2021-09-01", &w) == GEO_ERR_USAGE);
	CHECK("two kinds of window are refused",
	      window_parse(ctx, "2021-W37", "2021-09", NULL, NULL, &w) == GEO_ERR_USAGE);
	int64_t t;
	int timed;
	CHECK("date-time with seconds, fraction and zone parses",
	      geo_time_parse("2021-09-13T08:05:09.5+08:00", &t, &timed) && timed &&
		      t == day(2021, 9, 13) + 8 * 3600 + 5 * 60 + 9);
	CHECK("slashes are accepted", geo_time_parse("2021/09/13", &t, &timed) && !timed &&
					      t == day(2021, 9, 13));
	CHECK("2021-02-29 is not a date", !geo_time_parse("2021-02-29", &t, NULL));
	CHECK("2021-9-3 is not accepted (two digits each)", !geo_time_parse("2021-9-3", &t, NULL));
	char buf[32];
	geo_time_format(day(1969, 12, 31) + 3600, buf, sizeof buf);
	CHECK("times before 1970 format", !strcmp(buf, "1969-12-31T01:00:00"));
	geo_ctx_free(ctx);
}

/* ---- the verb and its result ----------------------------------------------- */

/* What the verb should count, by grid-heat's rules: a feature without a
** weight is left out before its date is looked at. */
struct heat_truth {
	size_t read, in_window, no_date, no_weight, beyond;
	double weight, weight_near;
};

/* 80 points in EPSG:4548 around (500500, 4360500), dated 2021-08-25 on, some
** without a date or a weight, and every 13th 9 km east, far from the raster. */
static int write_heat_points(const char *path, struct heat_truth *t)
{
	memset(t, 0, sizeof *t);
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, 4548);
	GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
	OGRLayerH l = ds ? GDALDatasetCreateLayer(ds, "pts", srs, wkbPoint, NULL) : NULL;
	OSRDestroySpatialReference(srs);
	if (!l)
		return 0;
	OGRFieldDefnH fd = OGR_Fld_Create("date", OFTString);
	OGR_L_CreateField(l, fd, 0);
	OGR_Fld_Destroy(fd);
	fd = OGR_Fld_Create("w", OFTReal);
	OGR_L_CreateField(l, fd, 0);
	OGR_Fld_Destroy(fd);
	for (int i = 0; i < 80; i++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		int far = i % 13 == 6, day = 25 + i % 20, dated = i % 7 != 3, weighted = i % 11 != 4;
		double x = far ? 509500 : 500200 + rnd() * 600, y = 4360200 + rnd() * 600;
		double w = 1 + i % 4;
		char date[16];
		snprintf(date, sizeof date, "2021-%02d-%02d", day > 31 ? 9 : 8, day > 31 ? day - 31 : day);
		if (dated)
			OGR_F_SetFieldString(f, 0, date);
		if (weighted)
			OGR_F_SetFieldDouble(f, 1, w);
		OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
		OGR_G_SetPoint_2D(g, 0, x, y);
		OGR_F_SetGeometryDirectly(f, g);
		OGRErr err = OGR_L_CreateFeature(l, f);
		OGR_F_Destroy(f);
		if (err != OGRERR_NONE)
			break;
		if (!weighted) {
			t->no_weight++;
			continue;
		}
		t->read++;
		t->no_date += !dated;
		/* --from 2021-09-01 --to 2021-09-10: days 32 to 41 of August */
		if (!dated || day < 32 || day > 41)
			continue;
		t->in_window++;
		t->weight += w;
		t->beyond += far;
		t->weight_near += far ? 0 : w;
	}
	GDALClose(ds);
	return t->read + t->no_weight == 80;
}

/* The report of r in one form, as a string the caller frees (NULL on failure). */
static char *heat_report_text(const geo_heat_result *r, int json)
{
	report_buf rb;
	return report_take(&rb, geo_heat_report(r, json, report_open(&rb)));
}

static double json_num(const mj *o, const char *a, const char *b)
{
	return mj_num(mj_get(o, a), b);
}

static void check_heat_reports(const geo_heat_result *r, const char *out)
{
	char *text = heat_report_text(r, 0), *json = heat_report_text(r, 1);
	char want[200];
	snprintf(want, sizeof want, "points: %zu read, %zu in the window, total weight %.6g", r->read,
		 r->in_window, r->weight);
	CHECK("heat: the text report gives the result's counts", text && strstr(text, want));
	CHECK("heat: the text report names the raster and the window",
	      text && !strncmp(text, out, strlen(out)) &&
		      strstr(text, "window: 2021-09-01..2021-09-10 (2021-09-01 to 2021-09-10) by field 'date'"));
	mj *doc = mj_parse(json);
	CHECK("heat: the JSON report from the same result parses", doc != NULL);
	const mj *o = mj_get(doc, "output");
	CHECK("heat: JSON output, points and surface are the result's",
	      o && o->type == MJ_STR && !strcmp(o->str, out) &&
		      json_num(doc, "points", "read") == r->read &&
		      json_num(doc, "points", "in_window") == r->in_window &&
		      json_num(doc, "points", "no_date") == r->no_date &&
		      json_num(doc, "points", "beyond_raster") == r->beyond &&
		      fabs(json_num(doc, "surface", "max") - r->max) <= 5e-7 * r->max);
	CHECK("heat: no per-grid part without --grids", !mj_get(doc, "grids"));
	mj_free(doc);
	free(text);
	free(json);
}

static void test_verb(void)
{
	char dir[] = "/tmp/wangge-kde-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK("a temporary folder", 0);
		return;
	}
	char in[600], out[600];
	snprintf(in, sizeof in, "%s/pts.gpkg", dir);
	snprintf(out, sizeof out, "%s/heat.tif", dir);
	struct heat_truth t;
	CHECK("heat: the points written", write_heat_points(in, &t));
	geo_heat_opts o;
	geo_heat_opts_init(&o);
	o.radius = 150;
	o.pixel = 10;
	o.weight_field = "w";
	o.has_te = 1;
	double te[4] = { 499500, 4359500, 501500, 4361500 };
	memcpy(o.te, te, sizeof te);
	o.common.window.from = "2021-09-01";
	o.common.window.to = "2021-09-10";
	o.common.output = out;
	geo_ctx *ctx = geo_ctx_new();
	geo_heat_result *r = NULL;
	geo_err e = geo_heat(ctx, in, &o, &r, NULL, NULL);
	CHECK("heat: the verb succeeds with a result", e == GEO_OK && r);
	if (e)
		printf("     %s\n", geo_last_error(ctx));
	if (r) {
		printf("info heat: %zu read, %zu in the window, %zu without a date, %zu without a "
		       "weight, %zu beyond, weight %g\n",
		       t.read, t.in_window, t.no_date, t.no_weight, t.beyond, t.weight);
		CHECK("heat: counts read, in the window, left out and beyond as written",
		      r->read == t.read && r->in_window == t.in_window && r->no_date == t.no_date &&
			      r->no_weight == t.no_weight && r->no_geometry == 0 && r->beyond == t.beyond &&
			      t.beyond > 0 && t.no_date > 0 && t.no_weight > 0);
		CHECK_NEAR("heat: the window's weight", r->weight, t.weight, 1e-9);
		CHECK_NEAR("heat: the weight inside the raster is the near points' (0.5%)",
			   r->inside / t.weight_near, 1, 0.005);
		CHECK("heat: the grid is --te at 10 m",
		      r->grid.width == 200 && r->grid.height == 200 && r->grid.x0 == te[0] &&
			      r->grid.y0 == te[3] && r->nodata_pixels == 0);
		CHECK("heat: the result owns its strings",
		      !strcmp(r->output, out) && !strcmp(r->crs, "EPSG:4548") &&
			      !strcmp(r->date_field, "date") && !r->grid_output &&
			      !strcmp(r->units, "weight per km²"));
		GDALDatasetH ds = GDALOpen(out, GA_ReadOnly);
		double mm[2] = { NAN, NAN };
		if (ds)
			GDALComputeRasterMinMax(GDALGetRasterBand(ds, 1), FALSE, mm);
		CHECK_NEAR("heat: the maximum is GDAL's maximum of the raster", r->max, mm[1],
			   1e-6 * mm[1]);
		if (ds)
			GDALClose(ds);
		check_heat_reports(r, out);
	}
	geo_heat_result_free(r);
	geo_ctx_free(ctx);
	check_remove_dir(dir);
}

int main(void)
{
	GDALAllRegister();
	test_shapes();
	test_surfaces();
	test_lone_point();
	test_integrals();
	test_threads();
	test_windows();
	test_verb();
	return check_done();
}
