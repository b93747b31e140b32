/*
** bench/locate.c: placing alone, without I/O, for issue 6's "at least 5
** million points a second on one core".
**
**   locate GRIDS[:LAYER] N   reads the grids, builds grid-place's placer,
**                            draws N uniform points over the grids' extent
**                            in memory and times geo_placer_locate_many on
**                            one thread, then geo_placer_locate one point at
**                            a time. Prints "grids G points N many_s S
**                            many_mps R one_s S one_mps R placed P".
**
** Built by `make bench` against libgeo; not part of the product.
*/
#include "geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The grids' extent in the working CRS. */
static void extent(const geo_gridset *gs, GEOSContextHandle_t h, double e[4])
{
	e[0] = e[1] = 1e300, e[2] = e[3] = -1e300;
	for (size_t i = 0; i < gs->n; i++) {
		double x0, y0, x1, y1;
		if (!gs->grids[i].geom || !GEOSGeom_getXMin_r(h, gs->grids[i].geom, &x0) ||
		    !GEOSGeom_getYMin_r(h, gs->grids[i].geom, &y0) ||
		    !GEOSGeom_getXMax_r(h, gs->grids[i].geom, &x1) ||
		    !GEOSGeom_getYMax_r(h, gs->grids[i].geom, &y1))
			continue;
		e[0] = x0 < e[0] ? x0 : e[0], e[1] = y0 < e[1] ? y0 : e[1];
		e[2] = x1 > e[2] ? x1 : e[2], e[3] = y1 > e[3] ? y1 : e[3];
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 || atol(argv[2]) <= 0) {
		fprintf(stderr, "usage: locate GRIDS[:LAYER] N\n");
		return 2;
	}
	size_t n = (size_t)atol(argv[2]);
	geo_ctx *ctx = geo_ctx_new();
	geo_input_opts io;
	geo_grid_opts go;
	geo_input_opts_init(&io);
	geo_grid_opts_init(&go);
	geo_gridset *gs = geo_gridset_read(ctx, argv[1], &io, &go, NULL);
	geo_placer *p = gs ? geo_placer_new(ctx, gs) : NULL;
	double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	long *out = malloc(n * sizeof *out);
	if (!p || !x || !y || !out) {
		fprintf(stderr, "locate: %s\n", geo_last_error(ctx));
		return 3;
	}
	double e[4];
	extent(gs, geo_ctx_geos(ctx), e);
	srand(1);
	for (size_t i = 0; i < n; i++) {
		x[i] = e[0] + (e[2] - e[0]) * rand() / RAND_MAX;
		y[i] = e[1] + (e[3] - e[1]) * rand() / RAND_MAX;
	}
	double t0 = now();
	geo_placer_locate_many(p, n, x, y, out);
	double t1 = now();
	size_t placed = 0, differ = 0;
	for (size_t i = 0; i < n; i++) {
		long g = geo_placer_locate(p, x[i], y[i]);
		placed += g >= 0;
		differ += g != out[i];
	}
	double t2 = now();
	printf("grids %zu points %zu many_s %.3f many_mps %.1f one_s %.3f one_mps %.1f placed %zu\n",
	       gs->n, n, t1 - t0, n / (t1 - t0) / 1e6, t2 - t1, n / (t2 - t1) / 1e6, placed);
	free(x), free(y), free(out);
	geo_placer_free(p);
	geo_gridset_free(gs);
	geo_ctx_free(ctx);
	return differ ? 1 : 0;
}
