/*
** synth.h: what the files of the test-data generator share (see main.c for
** the program and docs/synth.md for what it makes).
**
** Same seed, same bytes: every random number comes from rng.c, one stream
** per layer; features are written in a fixed order; coordinates are multiples
** of 1/scale metres. This is a script, not the library: out of memory or a
** GEOS failure stops it with a message (fatal) instead of unwinding.
**
** The sample town's own types are in town.h, the tilings' in tiling.h.
*/
#ifndef SYNTH_H
#define SYNTH_H

#include "geo.h"
#include "core/geo_internal.h"

#include <stdint.h>

/* The town's code and centre: 120114105 at (500000, 4361000) unless --code
** and --centre say otherwise (districts of many towns for the benchmarks). */
#define TOWN_CODE_SAMPLE "120114105"
#define TOWN_X_SAMPLE 500000.0
#define TOWN_Y_SAMPLE 4361000.0
#define TOWN_CODE (s->code)
#define TOWN_X (s->x0)
#define TOWN_Y (s->y0)

/* Random streams, one per layer, so that one layer's size does not shift
** the numbers another layer sees. The ledgers' streams come last, so that
** adding them left every earlier layer byte for byte as it was; so do the
** buildings' and the finer hazard and pond kinds' after them. */
enum { S_SHAPE = 1, S_VILLAGES, S_HOUSEHOLDS, S_NAMES, S_ROADS, S_RIVERS, S_DITCHES, S_PONDS,
       S_CAMERAS, S_HAZARDS, S_CASES, S_TILING, S_POINTS, S_DEFECTS, S_WORKERS, S_HAZARD_LEDGER,
       S_CASE_LEVELS, S_VISITS, S_INSPECTIONS, S_BUILDINGS, S_HAZARD_KINDS, S_POND_KINDS };

/* The sample town's real figures (DOMAIN.md) that the tilings follow too. */
enum { N_PRIMARY = 37, N_SECONDARY = 131 };

/* ---- rng.c: xoshiro256** seeded through splitmix64 ---------------------- */

typedef struct rng {
	uint64_t s[4];
} rng;

void rng_init(rng *r, uint64_t seed, uint64_t stream);
double rng_unif(rng *r);                        /* uniform in [0, 1) */
double rng_range(rng *r, double a, double b);   /* uniform in [a, b) */
size_t rng_below(rng *r, size_t n);             /* uniform in 0 .. n-1 */
double rng_normal(rng *r);
size_t rng_weighted(rng *r, const double *w, size_t n);

/* ---- base.c: the run, allocation, GEOS helpers, lists, files ------------ */

typedef struct synth {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	double scale;           /* coordinates are multiples of 1/scale metres */
	uint64_t seed;
	int quiet;
	const char *code;       /* the town's 9-digit code */
	double x0, y0;          /* the town's centre */
} synth;

void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void note(synth *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
/* g, or a stop naming `what` when GEOS returned NULL. */
GEOSGeometry *need(synth *s, GEOSGeometry *g, const char *what);
GEOSGeometry *copy_geom(synth *s, const GEOSGeometry *g);

double snapv(const synth *s, double v);
GEOSGeometry *snapped(synth *s, const GEOSGeometry *g);
GEOSGeometry *make_point(synth *s, double x, double y);
GEOSGeometry *make_line(synth *s, const double *xy, size_t n);
/* xy holds a closed ring of n points. */
GEOSGeometry *make_ring(synth *s, const double *xy, size_t n);
GEOSGeometry *make_polygon(synth *s, const double *xy, size_t n);
/* The coordinates of a ring or line as x, y pairs (free them); *n points. */
double *ring_coords(synth *s, const GEOSGeometry *ring, size_t *n);
/* xmin, ymin, xmax, ymax. */
void env_of(synth *s, const GEOSGeometry *g, double *env);
void inside_point(synth *s, const GEOSGeometry *g, double *x, double *y);
/* 1 if (x, y) lies in the interior of the prepared polygon. */
int prep_contains(synth *s, const GEOSPreparedGeometry *p, double x, double y);
void destroy_all(synth *s, GEOSGeometry **g, size_t n);

typedef struct dvec {
	double *v;
	size_t n, cap;
} dvec;
void dvec_push(dvec *d, double x);

typedef struct glist {
	GEOSGeometry **g;
	size_t n, cap;
} glist;
void glist_push(glist *l, GEOSGeometry *g);
/* A collection of the list's geometries (taking them); empties the list. */
GEOSGeometry *glist_collect(synth *s, glist *l, int type);
void glist_free(synth *s, glist *l);
/* The non-empty line parts of g, each rounded, pushed to out. */
void push_parts(synth *s, const GEOSGeometry *g, glist *out);

/* libgeo's index over g[0..n) (borrowed), or a stop. */
geo_index *index_of(synth *s, GEOSGeometry *const *g, size_t n);
/* The lowest i whose geometry holds g in its interior, or -1. */
long index_first(synth *s, geo_index *ix, const GEOSGeometry *g);
long index_first_at(synth *s, geo_index *ix, double x, double y);

/* A formatted string, allocated (free it). */
char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes text to path through a temporary file renamed into place. */
geo_err write_text(synth *s, const char *path, const char *text, int overwrite);

/* ---- draw.c: random points, seeds and shares ---------------------------- */

/* A rounded point uniform in the box env (xmin, ymin, xmax, ymax). */
void box_point(synth *s, rng *r, const double *env, double *x, double *y);
void uniform_in(synth *s, rng *r, const GEOSPreparedGeometry *p, const double *env, double *x,
		double *y);
void normal_in(synth *s, rng *r, const GEOSPreparedGeometry *p, double cx, double cy,
	       double sigma, double *x, double *y);
void spaced_points(synth *s, rng *r, const GEOSPreparedGeometry *region, const double *env,
		   size_t n, double dmin, double *x, double *y);
void even_seeds(synth *s, rng *r, const GEOSPreparedGeometry *region, const double *env,
		double area, size_t n, double *x, double *y);
void kmeans(synth *s, const double *px, const double *py, const size_t *idx, size_t n, size_t k,
	    const GEOSPreparedGeometry *region, double *cx, double *cy);
void apportion(const double *w, size_t n, long total, long lo, long *out);
int persons_draw(rng *r);
/* The outline both commands start from: a bent ellipse of 60-72 km². */
GEOSGeometry *town_shape(synth *s, rng *r);

/* ---- cut.c and faces.c: exact tilings ------------------------------------ */

/* Seeds of one level of grids; parent indexes the level above (-1 at top). */
typedef struct seeds {
	size_t n;
	double *x, *y;
	int *parent;
} seeds;
void seeds_alloc(seeds *lv, size_t n);
void seeds_free(seeds *lv);
/* The seed nearest (x, y) among those whose parent is `parent`, or -1. */
long nearest_seed(const seeds *lv, int parent, double x, double y);
void level_cut(synth *s, const seeds *lv, GEOSGeometry *const *regions, size_t np, glist *lines,
	       GEOSGeometry **cells);

/* A segment from its lesser to its greater end, and what it belongs to. */
typedef struct seg {
	double ax, ay, bx, by;
	size_t owner;
} seg;
typedef struct segs {
	seg *v;
	size_t n, cap;
} segs;
/* Adds the segments of the n points xy (zero-length ones skipped). */
void segs_add(segs *sv, const double *xy, size_t n, size_t owner);
void segs_sort(segs *sv);
int seg_same(const seg *a, const seg *b);

/*
** Faces are the polygons of the noded, snap-rounded dividing lines. Two faces
** are neighbours when they share a segment; since polygonize hands both the
** same coordinates, adjacency is found exactly by sorting segments.
*/
typedef struct faces {
	size_t n;
	GEOSGeometry **g;
	double *area, *x, *y;   /* area and a point inside */
	size_t *adj_off;        /* neighbours of f: adj_to[adj_off[f] .. adj_off[f+1]) */
	size_t *adj_to;
	double *adj_len;        /* length of the shared boundary */
} faces;
void faces_free(synth *s, faces *f);
/*
** Nodes the lines (taken) and polygonizes them into the faces inside shape,
** then gives each face to a seed level by level: group[l][face] is its seed
** of level l (nearest among the children of its group at level l - 1).
*/
void faces_tile(synth *s, glist *lines, const GEOSGeometry *shape, const seeds *const *lv,
		size_t nlv, const char *what, faces *f, int **group);
/* The coverage union of each group's faces; every group must be one polygon. */
GEOSGeometry **group_union(synth *s, const faces *f, const int *group, size_t ng,
			   const char *what);
GEOSGeometry *faces_union(synth *s, const faces *f);
/* Boundary length shared by each pair of groups, ng × ng. */
double *group_adjacency(const faces *f, const int *group, size_t ng);

/* ---- writing (write.c) ---------------------------------------------------- */

typedef struct field {
	const char *name;
	OGRFieldType type;
} field;

OGRLayerH new_layer(synth *s, geo_output *out, const char *name, const geo_crs *crs,
		    OGRwkbGeometryType type, const field *fields);
void add_fields(OGRLayerH l, const field *fields);
OGRFeatureH new_feature(OGRLayerH l);
void put(synth *s, OGRLayerH l, OGRFeatureH f, const GEOSGeometry *g);
/* Writes a point feature without going through GEOS (fast for millions). */
void put_point(OGRLayerH l, OGRFeatureH f, double x, double y);
void set_str(OGRFeatureH f, const char *name, const char *v);
void set_int(OGRFeatureH f, const char *name, long long v);
void set_num(OGRFeatureH f, const char *name, double v);
/* Area in m², to the centimetre. */
double area_of(synth *s, const GEOSGeometry *g);
geo_output *open_output(synth *s, const char *path, int overwrite);

/* ---- the two commands ------------------------------------------------------ */

geo_err make_town(synth *s, const char *path, const char *csv, double scale, int overwrite);

typedef struct tiling_opts {
	size_t grids, points;
	int clustered, unmatched, defects;
} tiling_opts;
geo_err make_tiling(synth *s, const char *dir, const tiling_opts *o, int overwrite);

#endif
