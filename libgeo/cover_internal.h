/*
** cover_internal.h: what the files of grid-cover's verb share. cover.c reads
** the cameras and builds the surface, cover_view.c runs the viewsheds on
** every core, cover_out.c writes the raster, the per-grid table and the blind
** spots.
*/
#ifndef COVER_INTERNAL_H
#define COVER_INTERNAL_H

#include "geo_internal.h"

/* The surface every camera looks over, and what is known per cell. */
typedef struct cover_surface {
	geo_raster_grid g;
	char *wkt;              /* the working CRS (CPLFree) */
	float *z;               /* ground plus obstacles, m */
	uint16_t *count;        /* cameras seeing each cell */
	int32_t *grid;          /* index of the grid holding the cell's centre, -1 outside */
	int has_grids;
} cover_surface;

/*
** Adds every camera's visible cells to s->count on `threads` threads (0:
** one per processor), the largest windows first. Cancels through progress.
*/
geo_err cover_run(geo_ctx *ctx, cover_surface *s, const geo_camera *cams, size_t n,
		  double target_h, int threads, geo_progress progress, void *pdata);

/* A MEM dataset over buf (Float32, Int32...) on g, in crs (no copy). */
GDALDatasetH cover_mem_over(const geo_raster_grid *g, void *buf, GDALDataType t, const geo_crs *crs);

/* Per-grid figures for the table and the report. */
typedef struct cover_grid_stats {
	double cells, covered;          /* cells of the grid, those seen */
	double road_m, road_seen_m;
	double households, hh_seen;
	double blind_m2;                /* area of the blind spots kept */
	long cameras, spots;
} cover_grid_stats;

/* Sums the road lengths and households per grid, seen or not. */
geo_err cover_roads(geo_ctx *ctx, const cover_surface *s, const char *roads, const geo_crs *work,
		    cover_grid_stats *st);
geo_err cover_households(geo_ctx *ctx, const cover_surface *s, const char *households,
			 const geo_crs *work, cover_grid_stats *st, double *seen, double *total);

/* The coverage raster, with its style. */
geo_err cover_write_raster(geo_ctx *ctx, geo_output *out, const cover_surface *s,
			   const geo_crs *work, size_t ncams, const geo_cover_opts *o);
/* Blind spots: uncovered cells inside grids (or anywhere without grids),
** polygonised per grid, cleaned, kept above o->min_area; counts go to st
** (may be NULL) and *nspots, *area. */
geo_err cover_blind_spots(geo_ctx *ctx, geo_output *out, const cover_surface *s,
			  const geo_gridset *gs, const geo_crs *work, const geo_cover_opts *o,
			  cover_grid_stats *st, size_t *nspots, double *area);
/* The per-grid table. */
geo_err cover_write_summary(geo_ctx *ctx, geo_output *out, const geo_gridset *gs,
			    const cover_grid_stats *st, const geo_cover_opts *o);

#endif
