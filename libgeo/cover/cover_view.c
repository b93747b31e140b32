/*
** cover_view.c: one camera's visible cells, and all cameras on every core.
**
** GDAL's viewshed (GDALViewshedGenerate, GDAL 3.1+) gives the cells an
** observer sees all round, up to a distance, but has no sector or tilt in its
** C API before 3.12. So each camera gets a MEM dataset that points into the
** surface (no copy) over the window its range can reach, GDAL's viewshed of
** that window, and then wangge's own masks: the horizontal sector, and with
** a tilt the near and far edges of the view. A cell's direction and distance
** are measured between cell centres, as GDAL measures them, so the sector
** mask applied to gdal_viewshed's output gives the same cells.
**
** Each thread makes its own datasets; the surface is only read. Counts are
** merged under a mutex, so the result does not depend on the order in which
** cameras finish.
*/
#include "cover/cover_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cpl_string.h>
#include <gdal_alg.h>

static const struct { const char *name; double density; } dori[] = {
	{ "detection", 25 }, { "observation", 62 }, { "recognition", 125 },
	{ "identification", 250 },
};

int geo_dori_from_name(const char *name, geo_dori *d)
{
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(name, dori[i].name)) {
			*d = (geo_dori)i;
			return 1;
		}
	return 0;
}

const char *geo_dori_name(geo_dori d)
{
	return d >= 0 && d < 4 ? dori[d].name : "?";
}

double geo_dori_density(geo_dori d)
{
	return d >= 0 && d < 4 ? dori[d].density : NAN;
}

/* The scene width at distance r is 2 r tan(fov/2); the density is the
** sensor's width in pixels over it. */
double geo_dori_range(geo_dori d, double pixels, double fov_deg)
{
	if (!(fov_deg > 0 && fov_deg < 180) || !(pixels > 0))
		return NAN;
	return pixels / (2 * geo_dori_density(d) * tan(fov_deg * M_PI / 360));
}

int geo_camera_in_sector(const geo_camera *c, double dx, double dy)
{
	if (c->fov >= 360 || (dx == 0 && dy == 0))
		return 1;
	double bearing = atan2(dx, dy) * 180 / M_PI;
	double off = fmod(bearing - c->azimuth, 360);
	if (off < 0)
		off += 360;
	if (off > 180)
		off = 360 - off;
	/* A hair of tolerance so that a cell exactly on the edge of the sector
	** is in whatever the rounding of the bearing. */
	return off <= c->fov / 2 + 1e-9;
}

/* The window of g a camera at cell (cx, cy) with this range can reach. */
static void window(const geo_raster_grid *g, int cx, int cy, double range, int win[4])
{
	int rx = (int)ceil(range / g->px) + 1, ry = (int)ceil(range / g->py) + 1;
	int x0 = cx - rx < 0 ? 0 : cx - rx, y0 = cy - ry < 0 ? 0 : cy - ry;
	int x1 = cx + rx + 1 > g->width ? g->width : cx + rx + 1;
	int y1 = cy + ry + 1 > g->height ? g->height : cy + ry + 1;
	win[0] = x0;
	win[1] = y0;
	win[2] = x1 - x0;
	win[3] = y1 - y0;
}

enum { VIS = 1, INVIS = 0, OUT_OF_RANGE = 2 };

/* The viewshed of c over win of z into vis (win[2] x win[3]); err gets the
** reason of a failure. Touches no shared state but what it reads. */
static int viewshed(const geo_raster_grid *g, const float *z, const char *wkt, const geo_camera *c,
		    double target_h, const int win[4], unsigned char *vis, char *err, size_t errsz)
{
	GDALDatasetH src = GDALCreate(GDALGetDriverByName("MEM"), "", win[2], win[3], 0,
				      GDT_Float32, NULL);
	if (!src) {
		snprintf(err, errsz, _("cannot make a MEM dataset: %s"), geo_cpl_error("out of memory"));
		return -1;
	}
	char opt[3][96];
	snprintf(opt[0], sizeof opt[0], "DATAPOINTER=%p",
		 (const void *)(z + (size_t)win[1] * g->width + win[0]));
	snprintf(opt[1], sizeof opt[1], "PIXELOFFSET=%d", (int)sizeof(float));
	snprintf(opt[2], sizeof opt[2], "LINEOFFSET=%lld", (long long)g->width * (long long)sizeof(float));
	char *opts[] = { opt[0], opt[1], opt[2], NULL };
	double gt[6] = { g->x0 + win[0] * g->px, g->px, 0, g->y0 - win[1] * g->py, 0, -g->py };
	int rc = -1;
	GDALDatasetH out = NULL;
	if (GDALAddBand(src, GDT_Float32, opts) != CE_None) {
		snprintf(err, errsz, _("cannot map the surface: %s"), geo_cpl_error("MEM refused"));
		goto done;
	}
	GDALSetGeoTransform(src, gt);
	/* GDAL takes the earth's diameter for the curvature from the CRS's
	** ellipsoid: without it, results differ from gdal_viewshed's on a file. */
	if (wkt)
		GDALSetProjection(src, wkt);
	out = GDALViewshedGenerate(GDALGetRasterBand(src, 1), "MEM", "", NULL, c->x, c->y,
				   c->height, target_h, VIS, INVIS, OUT_OF_RANGE, -1,
				   GEO_COVER_CURVATURE, GVM_Edge, c->range, NULL, NULL,
				   GVOT_NORMAL, NULL);
	if (!out) {
		snprintf(err, errsz, _("GDAL's viewshed failed: %s"), geo_cpl_error("no reason given"));
		goto done;
	}
	/* GDAL 3.6 crops its output to the range; place it in the window. */
	double ogt[6];
	GDALGetGeoTransform(out, ogt);
	int ox = (int)lround((ogt[0] - gt[0]) / g->px), oy = (int)lround((gt[3] - ogt[3]) / g->py);
	int ow = GDALGetRasterXSize(out), oh = GDALGetRasterYSize(out);
	if (ox < 0 || oy < 0 || ox + ow > win[2] || oy + oh > win[3]) {
		snprintf(err, errsz, _("GDAL's viewshed returned an unexpected window"));
		goto done;
	}
	memset(vis, 0, (size_t)win[2] * win[3]);
	if (GDALDatasetRasterIO(out, GF_Read, 0, 0, ow, oh, vis + (size_t)oy * win[2] + ox, ow, oh,
				GDT_Byte, 1, NULL, 1, win[2], 0) != CE_None) {
		snprintf(err, errsz, _("cannot read the viewshed: %s"), geo_cpl_error("read failed"));
		goto done;
	}
	rc = 0;
done:
	if (out)
		GDALClose(out);
	GDALClose(src);
	return rc;
}

/*
** Keeps the cells in c's sector and, with a tilt, those whose depression
** angle (from the camera's eye to the target above the cell) lies within
** tilt +- vfov/2: nearer cells are under the view, farther ones above it.
*/
static void mask(const geo_raster_grid *g, const float *z, const geo_camera *c, double target_h,
		 const int win[4], unsigned char *vis)
{
	int cx = (int)floor((c->x - g->x0) / g->px), cy = (int)floor((g->y0 - c->y) / g->py);
	double eye = z[(size_t)cy * g->width + cx] + c->height;
	double lo = c->tilt - c->vfov / 2, hi = c->tilt + c->vfov / 2;
	for (int r = 0; r < win[3]; r++)
		for (int k = 0; k < win[2]; k++) {
			unsigned char *v = vis + (size_t)r * win[2] + k;
			if (*v != VIS) {
				*v = 0;
				continue;
			}
			double dx = (win[0] + k - cx) * g->px, dy = (cy - win[1] - r) * g->py;
			if (!geo_camera_in_sector(c, dx, dy)) {
				*v = 0;
				continue;
			}
			if (c->has_tilt) {
				double t = z[(size_t)(win[1] + r) * g->width + win[0] + k] + target_h;
				double dep = atan2(eye - t, hypot(dx, dy)) * 180 / M_PI;
				if (dep < lo || dep > hi)
					*v = 0;
			}
		}
}

static int view(const geo_raster_grid *g, const float *z, const char *wkt, const geo_camera *c,
		double target_h, unsigned char **vis, int win[4], char *err, size_t errsz)
{
	*vis = NULL;
	int cx = (int)floor((c->x - g->x0) / g->px), cy = (int)floor((g->y0 - c->y) / g->py);
	if (cx < 0 || cy < 0 || cx >= g->width || cy >= g->height) {
		snprintf(err, errsz, _("the camera at (%.1f, %.1f) is outside the surface"), c->x, c->y);
		return -1;
	}
	window(g, cx, cy, c->range, win);
	if (!(*vis = malloc((size_t)win[2] * win[3]))) {
		snprintf(err, errsz, _("out of memory"));
		return -1;
	}
	if (viewshed(g, z, wkt, c, target_h, win, *vis, err, errsz)) {
		free(*vis);
		*vis = NULL;
		return -1;
	}
	mask(g, z, c, target_h, win, *vis);
	return 0;
}

geo_err geo_cover_view(geo_ctx *ctx, const geo_raster_grid *g, const float *z, const char *wkt,
		       const geo_camera *c, double target_h, unsigned char **vis, int win[4])
{
	char err[512];
	if (view(g, z, wkt, c, target_h, vis, win, err, sizeof err))
		return geo_fail(ctx, GEO_ERR_INTERNAL, "%s", err);
	return GEO_OK;
}

/* ---- every camera, on every core --------------------------------------- */

struct run {
	cover_surface *s;
	cover_sink sink;
	void *sink_data;
	const geo_camera *cams;
	const size_t *order;
	size_t n, next, done;
	double target_h;
	int stop, failed;
	char err[640];
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* The default sink: counts the cameras seeing each cell. */
static void add(void *data, size_t i, const int win[4], const unsigned char *vis)
{
	cover_surface *s = data;
	(void)i;
	for (int r = 0; r < win[3]; r++) {
		uint16_t *row = s->count + (size_t)(win[1] + r) * s->g.width + win[0];
		const unsigned char *v = vis + (size_t)r * win[2];
		for (int k = 0; k < win[2]; k++)
			row[k] += v[k] && row[k] < UINT16_MAX - 1;
	}
}

static void *worker(void *arg)
{
	struct run *r = arg;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		size_t i = r->next < r->n && !r->stop ? r->order[r->next++] : r->n;
		pthread_mutex_unlock(&r->mu);
		if (i == r->n)
			break;
		unsigned char *vis;
		int win[4];
		char err[512];
		int rc = view(&r->s->g, r->s->z, r->s->wkt, &r->cams[i], r->target_h, &vis, win, err,
			      sizeof err);
		pthread_mutex_lock(&r->mu);
		if (rc) {
			if (!r->failed)
				snprintf(r->err, sizeof r->err, _("camera %zu: %s"), i + 1, err);
			r->failed = r->stop = 1;
		} else {
			r->sink(r->sink_data, i, win, vis);
		}
		r->done++;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		free(vis);
	}
	return NULL;
}

static int by_range(const void *a, const void *b, void *data)
{
	const geo_camera *c = data;
	double ra = c[*(const size_t *)a].range, rb = c[*(const size_t *)b].range;
	if (ra != rb)
		return ra > rb ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

geo_err cover_run(geo_ctx *ctx, cover_surface *s, const geo_camera *cams, size_t n,
		  double target_h, int threads, geo_progress progress, void *pdata)
{
	return cover_run_sink(ctx, s, cams, n, target_h, threads, add, s, progress, pdata);
}

geo_err cover_run_sink(geo_ctx *ctx, cover_surface *s, const geo_camera *cams, size_t n,
		       double target_h, int threads, cover_sink sink, void *sink_data,
		       geo_progress progress, void *pdata)
{
	if (threads <= 0) {
		long np = sysconf(_SC_NPROCESSORS_ONLN);
		threads = np > 0 ? (int)np : 1;
	}
	if ((size_t)threads > n)
		threads = n ? (int)n : 1;
	size_t *order = geo_calloc(ctx, n ? n : 1, sizeof *order);
	pthread_t *tid = geo_calloc(ctx, threads, sizeof *tid);
	if (!order || !tid) {
		free(order);
		free(tid);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* The largest windows first, so no thread is left with a tower at the end. */
	qsort_r(order, n, sizeof *order, by_range, (void *)cams);
	struct run r;
	memset(&r, 0, sizeof r);
	r.s = s;
	r.sink = sink;
	r.sink_data = sink_data;
	r.cams = cams;
	r.order = order;
	r.n = n;
	r.target_h = target_h;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	int started = 0;
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &r))
			break;
	geo_err e = GEO_OK;
	if (!started)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "cannot start a thread");
	/* The progress callback belongs to this thread: it reports as cameras end. */
	pthread_mutex_lock(&r.mu);
	while (started && r.done < r.n && !r.stop) {
		pthread_cond_wait(&r.cv, &r.mu);
		size_t done = r.done;
		pthread_mutex_unlock(&r.mu);
		int go = geo_progress_step(ctx, progress, pdata, (double)done / n, "viewsheds");
		pthread_mutex_lock(&r.mu);
		if (!go) {
			r.stop = 1;
			e = GEO_ERR_INTERNAL;
		}
	}
	pthread_mutex_unlock(&r.mu);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (!e && r.failed)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "%s", r.err);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	free(order);
	free(tid);
	return e;
}
