/*
** kde_surface.c: the kernels of grid-heat and the surface they make, the
** part of kde.c that does the arithmetic. A surface is the sum over points
** of weight x K(d / radius), evaluated exactly at every pixel centre.
**
** Speed comes from three habits rather than approximations. The raster is
** cut into bands of rows; a thread takes a whole band and, for it, walks
** every point in input order, so each pixel is summed over the same points
** in the same order whatever the number of threads, and the result does not
** depend on them. A point touches only the columns its disc covers on each
** row (a table of half-widths by rows away, not a square root per row or
** pixel), and the squared column offsets are computed once per point and
** reused on every row. All but the
** triangular kernel are polynomials in d^2 (the Gaussian splits into a
** product of an x and a y factor), so no pixel needs a square root, and
** the inner loops vectorise (the Makefile's HOT files, GEO_HOT).
*/
#include "core/geo_internal.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The Gaussian: exp(-GAUSS_S u^2), a standard deviation of radius / 3. */
#define GAUSS_S 4.5

static const char *const kernel_names[] = {
	[GEO_KERNEL_QUARTIC] = "quartic", [GEO_KERNEL_TRIANGULAR] = "triangular",
	[GEO_KERNEL_UNIFORM] = "uniform", [GEO_KERNEL_EPANECHNIKOV] = "epanechnikov",
	[GEO_KERNEL_TRIWEIGHT] = "triweight", [GEO_KERNEL_GAUSSIAN] = "gaussian",
};

int geo_kernel_from_name(const char *name, geo_kernel *k)
{
	for (size_t i = 0; i < sizeof kernel_names / sizeof kernel_names[0]; i++)
		if (!strcmp(name, kernel_names[i])) {
			*k = (geo_kernel)i;
			return 1;
		}
	return 0;
}

const char *geo_kernel_name(geo_kernel k)
{
	return (unsigned)k < sizeof kernel_names / sizeof kernel_names[0] ? kernel_names[k] : "?";
}

double geo_kernel_shape(geo_kernel k, double u)
{
	u = fabs(u);
	if (u >= 1)
		return 0;
	double t = 1 - u * u, e = exp(-GAUSS_S);
	switch (k) {
	case GEO_KERNEL_QUARTIC: return t * t;
	case GEO_KERNEL_TRIANGULAR: return 1 - u;
	case GEO_KERNEL_UNIFORM: return 1;
	case GEO_KERNEL_EPANECHNIKOV: return t;
	case GEO_KERNEL_TRIWEIGHT: return t * t * t;
	case GEO_KERNEL_GAUSSIAN: return (exp(-GAUSS_S * u * u) - e) / (1 - e);
	}
	return 0;
}

/* 2 pi r^2 times the integral of K(u) u over [0, 1], in closed form. */
double geo_kernel_area(geo_kernel k, double radius)
{
	double moment = 0, e = exp(-GAUSS_S);
	switch (k) {
	case GEO_KERNEL_QUARTIC: moment = 1.0 / 6; break;
	case GEO_KERNEL_TRIANGULAR: moment = 1.0 / 6; break;
	case GEO_KERNEL_UNIFORM: moment = 1.0 / 2; break;
	case GEO_KERNEL_EPANECHNIKOV: moment = 1.0 / 4; break;
	case GEO_KERNEL_TRIWEIGHT: moment = 1.0 / 8; break;
	case GEO_KERNEL_GAUSSIAN:
		moment = ((1 - e) / (2 * GAUSS_S) - e / 2) / (1 - e);
		break;
	}
	return 2 * M_PI * radius * radius * moment;
}

enum { BAND_ROWS = 32 };

struct job {
	const geo_heat_points *pts;
	const geo_raster_grid *g;
	geo_kernel kernel;
	int polynomial;                      /* a polynomial in u^2: quartic, Epanechnikov, triweight */
	double r, r2, inv_r2, inv_r, factor; /* factor: raw 1, density 1e6 / area */
	const int *row_lo, *row_hi;          /* rows each point may touch */
	const int *half_cols;                /* columns either side, by whole rows away */
	int nhalf;
	const unsigned char *mask;
	float nodata;
	float *out;
	int nbands;
	atomic_int next, done, stop, failed;
};

/* Per-thread scratch: a band of sums with a spare row after it, and the
** per-point column factors (add_rows says why and what dx2 holds). */
struct scratch {
	double *acc, *dx2, *ex;
};

/*
** Adds one point's contribution to the rows [a, b] of a band. dx2 holds the
** squared x offsets of the columns clo.. (for a polynomial kernel, divided
** by r^2, so that u^2 costs one subtraction a pixel) and ex the Gaussian's x
** factors; fr is the point's row and ci the column it falls in.
** The loops have no branches, so that they vectorise: max(t, 0) is written
** (t + |t|) / 2, which is exact, and a test is a factor of 1 or 0 (and
** HOT_OPT's -fno-math-errno lets sqrt, never given a negative, vectorise).
** The halving is folded into the weight (w2 = w / 2, w4, w8), which scales
** by a power of two and so rounds the same. A pixel outside the disc adds
** an exact zero, so a row spans the columns of the job's half_cols, wide
** enough for every row at that distance, rather than a square root per row,
** and rows go in pairs, one loop over the wider span of the two: half the
** loops (whose ends the CPU mispredicts) and one load of dx2 for two rows.
** A pair past b takes the row after it, beyond the disc (all zeros) or the
** band's spare row.
*/
GEO_HOT static void add_rows(const struct job *j, double *acc, int r0, int a, int b, double fr,
			     int ci, double y, double w, int clo, int chi,
			     const double *restrict dx2, const double *ex)
{
	const geo_raster_grid *g = j->g;
	double e = exp(-GAUSS_S), ginv = 1 / (1 - e), w2 = w * 0.5, w4 = w * 0.25, w8 = w * 0.125;
	double inv = j->inv_r2, r2 = j->r2;
	for (int r = a; r <= b; r += 2) {
		int m0 = (int)fabs(r - fr), m1 = (int)fabs(r + 1 - fr), m = m0 < m1 ? m0 : m1;
		if (m >= j->nhalf)
			continue;
		double dy = g->y0 - (r + 0.5) * g->py - y, dy2 = dy * dy;
		double dz = g->y0 - (r + 1 + 0.5) * g->py - y, dz2 = dz * dz;
		int ca = ci - j->half_cols[m], cb = ci + 1 + j->half_cols[m];
		ca = ca > clo ? ca : clo;
		cb = cb < chi ? cb : chi;
		double *restrict row = acc + (size_t)(r - r0) * g->width;
		double *restrict next = row + g->width;
		const double *d = dx2 - clo;
		double ay = 1 - dy2 * inv, az = 1 - dz2 * inv;
		switch (j->kernel) {
		case GEO_KERNEL_QUARTIC:
			for (int c = ca; c <= cb; c++) {
				double t = ay - d[c], q = t + fabs(t), u = az - d[c], v = u + fabs(u);
				row[c] += w4 * (q * q);
				next[c] += w4 * (v * v);
			}
			break;
		case GEO_KERNEL_EPANECHNIKOV:
			for (int c = ca; c <= cb; c++) {
				double t = ay - d[c], u = az - d[c];
				row[c] += w2 * (t + fabs(t));
				next[c] += w2 * (u + fabs(u));
			}
			break;
		case GEO_KERNEL_TRIWEIGHT:
			for (int c = ca; c <= cb; c++) {
				double t = ay - d[c], q = t + fabs(t), u = az - d[c], v = u + fabs(u);
				row[c] += w8 * (q * q * q);
				next[c] += w8 * (v * v * v);
			}
			break;
		case GEO_KERNEL_TRIANGULAR:
			for (int c = ca; c <= cb; c++) {
				double t = 1 - sqrt(d[c] + dy2) * j->inv_r, u = 1 - sqrt(d[c] + dz2) * j->inv_r;
				row[c] += w2 * (t + fabs(t));
				next[c] += w2 * (u + fabs(u));
			}
			break;
		case GEO_KERNEL_UNIFORM:
			for (int c = ca; c <= cb; c++) {
				row[c] += d[c] + dy2 < r2 ? w : 0;
				next[c] += d[c] + dz2 < r2 ? w : 0;
			}
			break;
		case GEO_KERNEL_GAUSSIAN: {
			const double *ec = ex - clo;
			double ey = exp(-GAUSS_S * dy2 * inv), ez = exp(-GAUSS_S * dz2 * inv);
			for (int c = ca; c <= cb; c++) {
				double t = (ec[c] * ey - e) * ginv, in_t = d[c] + dy2 < r2;
				double u = (ec[c] * ez - e) * ginv, in_u = d[c] + dz2 < r2;
				row[c] += w2 * (t + fabs(t)) * in_t;
				next[c] += w2 * (u + fabs(u)) * in_u;
			}
			break;
		}
		}
	}
}

/* Sums every point whose disc meets band b, in point order, then writes the
** band out as Float32. GEO_HOT too, for the column offsets each point's
** visit to a band computes. */
GEO_HOT static void run_band(struct job *j, int b, struct scratch *s)
{
	const geo_raster_grid *g = j->g;
	const geo_heat_points *p = j->pts;
	int r0 = b * BAND_ROWS, r1 = r0 + BAND_ROWS < g->height ? r0 + BAND_ROWS : g->height;
	memset(s->acc, 0, sizeof *s->acc * (size_t)(r1 - r0 + 1) * g->width);
	double span = j->r / g->px;
	for (size_t i = 0; i < p->n; i++) {
		if (j->row_hi[i] < r0 || j->row_lo[i] >= r1)
			continue;
		double x = p->x[i], y = p->y[i];
		double fc = (x - g->x0) / g->px - 0.5;
		double flo = floor(fc - span), fhi = ceil(fc + span);
		if (fhi < 0 || flo > g->width - 1)
			continue;
		int clo = flo > 0 ? (int)flo : 0, chi = fhi < g->width - 1 ? (int)fhi : g->width - 1;
		for (int c = clo; c <= chi; c++) {
			double dx = g->x0 + (c + 0.5) * g->px - x;
			s->dx2[c - clo] = j->polynomial ? dx * dx * j->inv_r2 : dx * dx;
		}
		if (j->kernel == GEO_KERNEL_GAUSSIAN)
			for (int c = 0; c <= chi - clo; c++)
				s->ex[c] = exp(-GAUSS_S * s->dx2[c] * j->inv_r2);
		int a = j->row_lo[i] > r0 ? j->row_lo[i] : r0;
		int z = j->row_hi[i] < r1 - 1 ? j->row_hi[i] : r1 - 1;
		double w = (p->w ? p->w[i] : 1) * j->factor;
		double fr = (g->y0 - y) / g->py - 0.5;
		add_rows(j, s->acc, r0, a, z, fr, (int)floor(fc), y, w, clo, chi, s->dx2, s->ex);
	}
	size_t first = (size_t)r0 * g->width, count = (size_t)(r1 - r0) * g->width;
	for (size_t k = 0; k < count; k++)
		j->out[first + k] = j->mask && !j->mask[first + k] ? j->nodata : (float)s->acc[k];
}

/* A thread's scratch; a failed allocation marks the job failed. */
static struct scratch scratch_new(struct job *j)
{
	size_t width = (size_t)j->g->width;
	struct scratch s = {
		malloc(sizeof *s.acc * (BAND_ROWS + 1) * width), malloc(sizeof *s.dx2 * width),
		malloc(sizeof *s.ex * width),
	};
	if (!s.acc || !s.dx2 || !s.ex)
		atomic_store(&j->failed, 1);
	return s;
}

static void scratch_free(struct scratch *s)
{
	free(s->acc);
	free(s->dx2);
	free(s->ex);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct scratch s = scratch_new(j);
	int b;
	while (!atomic_load(&j->failed) && !atomic_load(&j->stop) &&
	       (b = atomic_fetch_add(&j->next, 1)) < j->nbands) {
		run_band(j, b, &s);
		atomic_fetch_add(&j->done, 1);
	}
	scratch_free(&s);
	return NULL;
}

/* The rows each point's disc may reach, widened by a row so rounding never
** drops one; a point whose disc misses the raster gets an empty range. */
static geo_err point_rows(geo_ctx *ctx, struct job *j, int **lo, int **hi)
{
	const geo_raster_grid *g = j->g;
	size_t n = j->pts->n;
	*lo = geo_calloc(ctx, n, sizeof **lo);
	*hi = geo_calloc(ctx, n, sizeof **hi);
	if (!*lo || !*hi)
		return GEO_ERR_INTERNAL;
	double span = j->r / g->py;
	for (size_t i = 0; i < n; i++) {
		double fr = (g->y0 - j->pts->y[i]) / g->py - 0.5;
		double a = floor(fr - span), b = ceil(fr + span);
		if (!(b >= 0 && a <= g->height - 1)) {
			(*lo)[i] = 1;
			(*hi)[i] = 0;
			continue;
		}
		(*lo)[i] = a > 0 ? (int)a : 0;
		(*hi)[i] = b < g->height - 1 ? (int)b : g->height - 1;
	}
	return GEO_OK;
}

/* For each whole number m of rows between a pixel row and a point, the
** columns either side of the point's that a row at least m rows away can
** reach; a column of margin covers the rounding of the exact test. */
static int *half_columns(geo_ctx *ctx, const struct job *j, int *n)
{
	const geo_raster_grid *g = j->g;
	*n = (int)fmin(floor(j->r / g->py) + 2, INT_MAX);
	int *h = geo_calloc(ctx, (size_t)*n, sizeof *h);
	for (int m = 0; h && m < *n; m++) {
		double dy = m * g->py, left = j->r2 - dy * dy;
		h[m] = (int)ceil(sqrt(left > 0 ? left : 0) / g->px) + 1;
	}
	return h;
}

static int thread_count(int asked, int nbands)
{
	long n = asked > 0 ? asked : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	return n > nbands ? nbands : (int)n;
}

geo_err geo_heat_surface(geo_ctx *ctx, const geo_heat_points *pts, const geo_raster_grid *grid,
			 geo_kernel kernel, geo_heat_scale scale, double radius, int threads,
			 const unsigned char *mask, float nodata, float *out,
			 geo_progress progress, void *progress_data)
{
	if (!(radius > 0) || grid->width < 1 || grid->height < 1 || !(grid->px > 0) ||
	    !(grid->py > 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "surface: radius, pixel size and raster size must be positive");
	struct job j = {
		.pts = pts, .g = grid, .kernel = kernel,
		.polynomial = kernel == GEO_KERNEL_QUARTIC || kernel == GEO_KERNEL_EPANECHNIKOV ||
			      kernel == GEO_KERNEL_TRIWEIGHT,
		.r = radius, .r2 = radius * radius,
		.inv_r2 = 1 / (radius * radius), .inv_r = 1 / radius,
		.factor = scale == GEO_HEAT_DENSITY ? 1e6 / geo_kernel_area(kernel, radius) : 1,
		.mask = mask, .nodata = nodata, .out = out,
		.nbands = (grid->height + BAND_ROWS - 1) / BAND_ROWS,
	};
	int *lo = NULL, *hi = NULL;
	geo_err e = point_rows(ctx, &j, &lo, &hi);
	j.row_lo = lo;
	j.row_hi = hi;
	int *half = e ? NULL : half_columns(ctx, &j, &j.nhalf);
	if (!e && !half)
		e = GEO_ERR_INTERNAL;
	j.half_cols = half;
	int nt = thread_count(threads, j.nbands), started = 0;
	pthread_t tid[64];
	for (int t = 1; !e && t < nt; t++)
		if (pthread_create(&tid[started], NULL, worker, &j) == 0)
			started++;
	/* The calling thread works too, and reports progress between its bands. */
	struct scratch s = scratch_new(&j);
	int b;
	while (!e && !atomic_load(&j.failed) && !atomic_load(&j.stop) &&
	       (b = atomic_fetch_add(&j.next, 1)) < j.nbands) {
		run_band(&j, b, &s);
		int done = atomic_fetch_add(&j.done, 1) + 1;
		if (!geo_progress_step(ctx, progress, progress_data, (double)done / j.nbands,
				       "summing kernels"))
			atomic_store(&j.stop, 1);
	}
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	scratch_free(&s);
	free(lo);
	free(hi);
	free(half);
	if (e)
		return e;
	if (atomic_load(&j.failed))
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory summing kernels");
	if (atomic_load(&j.stop))
		return GEO_ERR_INTERNAL; /* cancelled; geo_progress_step said so */
	return GEO_OK;
}
