/*
** draw.c: where random things go. Points uniform or normal in a region,
** points spread apart (dart throwing) or evenly (a jittered lattice), seeds
** that follow settlements (k-means), integers shared out by weight, and the
** town outline itself. Every point is rounded to the run's grid as it is
** drawn, so that what is tested is what is written.
*/
#include "synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void box_point(synth *s, rng *r, const double *env, double *x, double *y)
{
	*x = snapv(s, rng_range(r, env[0], env[2]));
	*y = snapv(s, rng_range(r, env[1], env[3]));
}

void uniform_in(synth *s, rng *r, const GEOSPreparedGeometry *p, const double *env, double *x,
		double *y)
{
	for (int tries = 0;; tries++) {
		box_point(s, r, env, x, y);
		if (prep_contains(s, p, *x, *y))
			return;
		if (tries > 100000)
			fatal("cannot place a point in a region");
	}
}

/* A point drawn from a normal around (cx, cy) that lies in the prepared region. */
void normal_in(synth *s, rng *r, const GEOSPreparedGeometry *p, double cx, double cy,
	       double sigma, double *x, double *y)
{
	for (int tries = 0;; tries++) {
		*x = snapv(s, cx + sigma * rng_normal(r));
		*y = snapv(s, cy + sigma * rng_normal(r));
		if (prep_contains(s, p, *x, *y))
			return;
		if (tries > 10000)
			fatal("cannot place a point near (%.1f, %.1f)", cx, cy);
	}
}

/* Distance from (px, py) to the nearest of k points; infinite when k is 0. */
static double min_dist(double px, double py, const double *x, const double *y, size_t k)
{
	double d = INFINITY;
	for (size_t j = 0; j < k; j++)
		d = fmin(d, hypot(px - x[j], py - y[j]));
	return d;
}

/*
** n points inside the prepared region, at least dmin apart (dart throwing;
** dmin shrinks by 5% when darts keep missing, so it always finishes).
*/
void spaced_points(synth *s, rng *r, const GEOSPreparedGeometry *region, const double *env,
		   size_t n, double dmin, double *x, double *y)
{
	size_t k = 0, misses = 0;
	while (k < n) {
		double px, py;
		box_point(s, r, env, &px, &py);
		if (!prep_contains(s, region, px, py) || min_dist(px, py, x, y, k) < dmin) {
			if (++misses > 2000) {
				dmin *= 0.95;
				misses = 0;
			}
			continue;
		}
		x[k] = px;
		y[k] = py;
		k++;
	}
}

/* One jittered point per cell of a square lattice of side c, inside the region. */
static void lattice_points(synth *s, rng *r, const GEOSPreparedGeometry *region,
			   const double *env, double c, dvec *px, dvec *py)
{
	for (double gy = env[1]; gy < env[3]; gy += c)
		for (double gx = env[0]; gx < env[2]; gx += c) {
			double sx = snapv(s, gx + c * rng_unif(r)), sy = snapv(s, gy + c * rng_unif(r));
			if (prep_contains(s, region, sx, sy)) {
				dvec_push(px, sx);
				dvec_push(py, sy);
			}
		}
}

/* n seeds spread evenly over the region: a jittered lattice, then trimmed or
** topped up to exactly n. */
void even_seeds(synth *s, rng *r, const GEOSPreparedGeometry *region, const double *env,
		double area, size_t n, double *x, double *y)
{
	double c = sqrt(area / (double)n);
	dvec px = { 0 }, py = { 0 };
	lattice_points(s, r, region, env, c, &px, &py);
	/* Too many: drop random ones, keeping the lattice order of the rest. */
	char *drop = xcalloc(px.n + 1, 1);
	for (size_t extra = px.n > n ? px.n - n : 0; extra > 0;) {
		size_t i = rng_below(r, px.n);
		if (!drop[i]) {
			drop[i] = 1;
			extra--;
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < px.n; i++)
		if (!drop[i]) {
			x[k] = px.v[i];
			y[k] = py.v[i];
			k++;
		}
	/* Too few: add points not too near the others. */
	while (k < n) {
		double sx, sy;
		box_point(s, r, env, &sx, &sy);
		if (prep_contains(s, region, sx, sy) && min_dist(sx, sy, x, y, k) > 0.3 * c) {
			x[k] = sx;
			y[k] = sy;
			k++;
		}
	}
	free(drop);
	free(px.v);
	free(py.v);
}

typedef struct proj {
	double t;
	size_t i;
} proj;

static int cmp_proj(const void *a, const void *b)
{
	const proj *p = a, *q = b;
	if (p->t != q->t)
		return p->t < q->t ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* k starting centres at quantiles along the points' axis of widest spread,
** so that k-means needs no randomness. */
static void kmeans_start(const double *px, const double *py, const size_t *idx, size_t n,
			 size_t k, double *cx, double *cy)
{
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += px[idx[i]];
		my += py[idx[i]];
	}
	mx /= (double)n;
	my /= (double)n;
	double vx = 0, vy = 0, cxy = 0;
	for (size_t i = 0; i < n; i++) {
		double dx = px[idx[i]] - mx, dy = py[idx[i]] - my;
		vx += dx * dx;
		vy += dy * dy;
		cxy += dx * dy;
	}
	double ang = 0.5 * atan2(2 * cxy, vx - vy), ax = cos(ang), ay = sin(ang);
	proj *pr = xcalloc(n, sizeof *pr);
	for (size_t i = 0; i < n; i++)
		pr[i] = (proj){ (px[idx[i]] - mx) * ax + (py[idx[i]] - my) * ay, i };
	qsort(pr, n, sizeof *pr, cmp_proj);
	for (size_t c = 0; c < k; c++) {
		size_t q = pr[(size_t)(((double)c + 0.5) * (double)n / (double)k)].i;
		cx[c] = px[idx[q]];
		cy[c] = py[idx[q]];
	}
	free(pr);
}

/* Twenty rounds of Lloyd's algorithm; lab gets each point's last centre. */
static void kmeans_lloyd(const double *px, const double *py, const size_t *idx, size_t n,
			 size_t k, double *cx, double *cy, int *lab)
{
	double *sx = xcalloc(k, sizeof *sx), *sy = xcalloc(k, sizeof *sy), *sn = xcalloc(k, sizeof *sn);
	for (int it = 0; it < 20; it++) {
		memset(sx, 0, k * sizeof *sx);
		memset(sy, 0, k * sizeof *sy);
		memset(sn, 0, k * sizeof *sn);
		for (size_t i = 0; i < n; i++) {
			double best = INFINITY;
			for (size_t c = 0; c < k; c++) {
				double d = hypot(px[idx[i]] - cx[c], py[idx[i]] - cy[c]);
				if (d < best) {
					best = d;
					lab[i] = (int)c;
				}
			}
			sx[lab[i]] += px[idx[i]];
			sy[lab[i]] += py[idx[i]];
			sn[lab[i]] += 1;
		}
		for (size_t c = 0; c < k; c++)
			if (sn[c] > 0) {
				cx[c] = sx[c] / sn[c];
				cy[c] = sy[c] / sn[c];
			}
	}
	free(sx);
	free(sy);
	free(sn);
}

/*
** k centres of the points idx[0..n) by k-means. Centres that leave the
** region (a non-convex cell) fall back to a point of their own cluster.
*/
void kmeans(synth *s, const double *px, const double *py, const size_t *idx, size_t n, size_t k,
	    const GEOSPreparedGeometry *region, double *cx, double *cy)
{
	int *lab = xcalloc(n, sizeof *lab);
	kmeans_start(px, py, idx, n, k, cx, cy);
	kmeans_lloyd(px, py, idx, n, k, cx, cy, lab);
	for (size_t c = 0; c < k; c++) {
		cx[c] = snapv(s, cx[c]);
		cy[c] = snapv(s, cy[c]);
		if (prep_contains(s, region, cx[c], cy[c]))
			continue;
		/* The distance is to the centre as moved so far: the point
		** nearest a point of the cluster that was nearer still. */
		double best = INFINITY;
		for (size_t i = 0; i < n; i++) {
			double d = hypot(px[idx[i]] - cx[c], py[idx[i]] - cy[c]);
			if (lab[i] == (int)c && d < best) {
				best = d;
				cx[c] = px[idx[i]];
				cy[c] = py[idx[i]];
			}
		}
	}
	free(lab);
}

/* Splits total into n integers proportional to w, each at least lo (largest
** remainder). */
void apportion(const double *w, size_t n, long total, long lo, long *out)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += w[i];
	long rest = total - lo * (long)n, given = 0;
	double *rem = xcalloc(n, sizeof *rem);
	for (size_t i = 0; i < n; i++) {
		double q = rest * w[i] / sum;
		out[i] = lo + (long)floor(q);
		rem[i] = q - floor(q);
		given += out[i];
	}
	while (given < total) {
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		out[best]++;
		rem[best] = -1;
		given++;
	}
	free(rem);
}

/* Persons in a household, 1 to 6. */
int persons_draw(rng *r)
{
	static const double w[6] = { 0.10, 0.25, 0.25, 0.20, 0.12, 0.08 };
	return 1 + (int)rng_weighted(r, w, 6);
}

/* The radii of an ellipse bent by five low harmonics with random phases, and
** its rotation, drawn in this order. */
static void shape_radii(rng *r, int nv, double *rad, double *rot)
{
	static const int harm[5] = { 1, 2, 3, 5, 7 };
	static const double amp[5] = { 0.12, 0.13, 0.08, 0.05, 0.025 };
	double ph[5], a[5];
	for (int k = 0; k < 5; k++) {
		ph[k] = rng_range(r, 0, 2 * M_PI);
		a[k] = amp[k] * rng_range(r, 0.6, 1.2);
	}
	*rot = rng_range(r, 0, M_PI);
	for (int i = 0; i < nv; i++) {
		double t = 2 * M_PI * i / nv;
		rad[i] = 1 + 0.003 * rng_normal(r);
		for (int k = 0; k < 5; k++)
			rad[i] += a[k] * cos(harm[k] * t + ph[k]);
	}
}

/* The closed ring of the radii, rotated by rot and scaled by R about the
** town's centre; rounded when snap is set. */
static void shape_ring(synth *s, const double *rad, int nv, double rot, double R, int snap,
		       double *xy)
{
	for (int i = 0; i < nv; i++) {
		double t = 2 * M_PI * i / nv, ex = 1.25 * rad[i] * cos(t), ey = 0.8 * rad[i] * sin(t);
		xy[2 * i] = TOWN_X + R * (ex * cos(rot) - ey * sin(rot));
		xy[2 * i + 1] = TOWN_Y + R * (ex * sin(rot) + ey * cos(rot));
		if (snap) {
			xy[2 * i] = snapv(s, xy[2 * i]);
			xy[2 * i + 1] = snapv(s, xy[2 * i + 1]);
		}
	}
	xy[2 * nv] = xy[0];
	xy[2 * nv + 1] = xy[1];
}

/* An ellipse bent by a few harmonics: irregular, but star-shaped, so
** simple; scaled to an area drawn from 60-72 km². */
GEOSGeometry *town_shape(synth *s, rng *r)
{
	enum { NV = 240 };
	double xy[2 * (NV + 1)], rad[NV], rot;
	shape_radii(r, NV, rad, &rot);
	shape_ring(s, rad, NV, rot, 1, 0, xy);
	GEOSGeometry *unit = make_polygon(s, xy, NV + 1);
	double area1 = geo_geom_area(s->ctx, unit);
	GEOSGeom_destroy_r(s->h, unit);
	/* The area comes from a copy of the stream, which the shape leaves as
	** it found it. */
	rng tr = *r;
	double target = rng_range(&tr, 60e6, 72e6);
	shape_ring(s, rad, NV, rot, sqrt(target / area1), 1, xy);
	return make_polygon(s, xy, NV + 1);
}
