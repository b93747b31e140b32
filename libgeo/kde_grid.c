/*
** kde_grid.c: grid-heat's per-grid map (placeholder until the placer lands).
*/
#include "kde_internal.h"

geo_err heat_grid_map(geo_ctx *ctx, const geo_heat_opts *o, const geo_crs *work,
		      const heat_points *p, const geo_window *win, const geo_window *prev,
		      heat_grid_summary *sum)
{
	(void)o, (void)work, (void)p, (void)win, (void)prev, (void)sum;
	return geo_fail(ctx, GEO_ERR_USAGE, "--grids: not available yet");
}
