/*
** cover_internal.h: what the files of grid-cover's verb share. cover.c reads
** the cameras and builds the surface, cover_view.c runs the viewsheds on
** every core, cover_out.c writes the raster, the per-grid table and the blind
** spots.
*/
#ifndef COVER_INTERNAL_H
#define COVER_INTERNAL_H

#include "core/geo_internal.h"

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
/* The same, handing each camera's visible cells (a window of s, 1 where
** seen) to sink instead, under a lock: one call at a time. */
typedef void (*cover_sink)(void *data, size_t camera, const int win[4], const unsigned char *vis);
geo_err cover_run_sink(geo_ctx *ctx, cover_surface *s, const geo_camera *cams, size_t n,
		       double target_h, int threads, cover_sink sink, void *sink_data,
		       geo_progress progress, void *pdata);

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

/* A layer read into the working CRS (roads, households, sites); NULL after
** a message when it cannot be, or states no CRS. */
geo_input *cover_open_input(geo_ctx *ctx, const char *name, const geo_crs *work);
/* Calls visit with every feature of the layer name that has a geometry,
** read into work, until visit returns an error. */
typedef geo_err (*cover_visit)(geo_ctx *ctx, OGRFeatureH f, const GEOSGeometry *g, void *data);
geo_err cover_each_geometry(geo_ctx *ctx, const char *name, const geo_crs *work, cover_visit visit,
			    void *data);
/* The coordinates of a point that is not empty; 0 for anything else. */
int cover_point_xy(GEOSContextHandle_t gh, const GEOSGeometry *g, double *x, double *y);

/* Geometries in OGR's form, each with a number (--demand's weights, the
** obstacles' heights), for GDAL's rasteriser. */
typedef struct cover_valued {
	OGRGeometryH *geoms;
	double *v;
	size_t n, cap;
} cover_valued;
/* Appends g (converted; the caller keeps it) with its value v. */
geo_err cover_valued_add(geo_ctx *ctx, cover_valued *c, const GEOSGeometry *g, double v);
/* Destroys the geometries still held and the arrays. */
void cover_valued_free(cover_valued *c);

/*
** Walks the line strings of g (also inside collections) in steps of half a
** cell: step(data, cell, metres) for each step whose middle lies on the
** surface, then segment(data, x0, y0, x1, y1, len, first) after each
** segment's steps (first: the first of its line) when segment is not NULL.
** Walking stops when segment returns 0; so does the return value.
*/
typedef void (*cover_step)(void *data, size_t cell, double metres);
typedef int (*cover_segment)(void *data, double x0, double y0, double x1, double y1, double len,
			     int first);
int cover_walk_lines(GEOSContextHandle_t gh, const GEOSGeometry *g, const cover_surface *s,
		     cover_step step, cover_segment segment, void *data);
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

/* A candidate site of --add: its position and the unseen demand cells it
** sees, each with a byte of the headings (eighths of a turn) that see it. */
enum { COVER_HEADINGS = 8 };
typedef struct cover_site {
	double x, y;
	long long fid;          /* the --sites feature, or -1 along roads */
	uint32_t *cell;         /* unseen demand cells it sees */
	uint8_t *mask;          /* per cell, the headings that see it */
	size_t n;
	int used;               /* holds a proposed camera */
} cover_site;

/* What --exact did (cover_exact.c). */
typedef struct cover_exact_info {
	int ran;                /* 0: not asked, or --target already reached or out of reach */
	int lp_solved;          /* the LP relaxation was solved within the limit */
	int found, proved;      /* GLPK has a solution; proved it optimal */
	int improved;           /* its answer beat the heuristic's */
	double value, bound;    /* --add: demand the proposals add, and no placement adds more;
				** --target: cameras, and no placement needs fewer */
	double gap_pct;         /* |bound - value| / value, GLPK's relative gap, in % */
	double seconds;
	size_t groups, options; /* the programme's size: y and x variables */
} cover_exact_info;

/* What --add proposes: n cameras at sites[site[k]] facing heading[k]
** (in eighths of a turn), each adding gain[k] of demand weight and bringing
** the demand seen to pct[k] %. */
typedef struct cover_add_result {
	size_t n, sites, viewsheds, evaluations; /* sites: candidates; viewsheds: those near unseen demand */
	size_t *site;
	int *heading;
	double *gain, *pct;
	double demand, seen_before, seen_after;
	double upper;           /* no --add cameras see more demand than this */
	size_t fewest;          /* --target: no fewer cameras reach it (SIZE_MAX: none do) */
	int pairs_complete;     /* the exchanges ended by themselves, not at COVER_PAIR_WORK */
	double work;            /* cells the exchanges visited */
	double seconds;         /* choosing (the viewsheds not counted) */
	cover_exact_info exact; /* with --exact */
	size_t demand_features; /* --demand: its features, and the weight they add in the grids */
	double demand_added;
} cover_add_result;
/* An option (site, heading) with a bound on its gain, in a max-heap of
** bounds for lazy greedy. */
typedef struct cover_opt { double bound; uint32_t site; uint8_t heading; } cover_opt;
void cover_heap_push(cover_opt *h, size_t *n, cover_opt o);
cover_opt cover_heap_pop(cover_opt *h, size_t *n);
geo_err cover_add(geo_ctx *ctx, const cover_surface *s, const geo_cover_opts *o,
		  const geo_crs *work, const geo_gridset *gs, geo_output *out,
		  geo_progress progress, void *pdata, cover_add_result *res);
void cover_add_result_free(cover_add_result *r);
geo_err cover_greedy(geo_ctx *ctx, cover_site *sites, size_t ns, int headings, const float *w,
		     uint8_t *seen, size_t ncells, int add, double target, cover_add_result *res);
/* Improves the greedy's res by exchanges (cover_swap.c); with want > 0
** (demand weight, seen before included), also drops cameras not needed to
** see it. Updates res's proposals, seen_after and seen. */
/* The cells the pair exchanges and restarts may visit (under a second's
** work), and how many restarts of the greedy they try. */
#define COVER_PAIR_WORK 1e8
#define COVER_RESTARTS 16
geo_err cover_swap(geo_ctx *ctx, cover_site *sites, size_t ns, int headings, const float *w,
		   uint8_t *seen, size_t ncells, double want, cover_add_result *res);

/*
** --exact (cover_exact.c): improves res, the heuristic's answer, by GLPK's
** branch and cut within time_limit seconds. add > 0: the most demand add
** cameras see; else the fewest cameras that see want (demand weight not
** seen before, > 0). Updates res (proposals, seen_after, seen, upper or
** fewest) and fills info. Without GLPK: a usage error.
*/
int cover_exact_available(void);
geo_err cover_exact(geo_ctx *ctx, cover_site *sites, size_t ns, int headings, const float *w,
		    uint8_t *seen, size_t ncells, int add, double want, double time_limit,
		    cover_add_result *res, cover_exact_info *info);

#endif
