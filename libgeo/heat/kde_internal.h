/*
** kde_internal.h: what the files of grid-heat's verb share (kde.c reads the
** points and writes the raster; kde_grid.c makes the per-grid map).
*/
#ifndef KDE_INTERNAL_H
#define KDE_INTERNAL_H

#include "core/geo_internal.h"

/* Every point that passed --where, in the working CRS, with its weight and
** time (has_t 0 when the date field is empty or there is no window). */
typedef struct heat_points {
	size_t n, cap;
	double *x, *y, *w;
	int64_t *t;
	unsigned char *has_t;
	long long *fid;
} heat_points;


/* Opens the per-grid output early, so a name that exists without
** --overwrite fails before any work. */
geo_output *heat_grid_open(geo_ctx *ctx, const geo_heat_opts *o, const char *const *inputs);

/*
** Writes the per-grid map of o->grids into out: per grid the count and
** weight of the points of win, density per km², per 100 households, change
** from prev (when not NULL) and rank, with a graduated QGIS style. The
** caller commits out.
*/
geo_err heat_grid_map(geo_ctx *ctx, geo_output *out, const geo_heat_opts *o, const geo_crs *work,
		      const heat_points *p, const geo_window *win, const geo_window *prev,
		      geo_heat_grids *sum);

#endif
