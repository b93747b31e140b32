/*
** split_internal.h: what grid-split's three modules share and nothing else
** needs. atoms.c cuts the town into atoms (small blocks along roads, rivers
** and village limits, heavy ones split further) and builds their adjacency
** graph; partition.c cuts a graph into contiguous, hole-free, balanced parts
** with METIS and a local search; split.c reads the inputs, runs both per
** level, dissolves, numbers and writes the grids.
*/
#ifndef SPLIT_INTERNAL_H
#define SPLIT_INTERNAL_H

#include "core/geo_internal.h"

/* What a line of the linework is; the order is the order of preference when
** one piece of line is several things at once. */
enum { SPLIT_OPEN = 0, SPLIT_BARRIER, SPLIT_WATER, SPLIT_VILLAGE, SPLIT_TOWN };
/* Barriers are roads (SPLIT_BARRIER) or water: rivers, canals, ditches. */

/* Cut cost per metre: open land costs 1; following a barrier or a village
** limit costs less, so parts' limits are drawn along them. */
#define SPLIT_COST_OPEN 1.0
#define SPLIT_COST_VILLAGE 0.2
#define SPLIT_COST_BARRIER 0.25

typedef struct split_line {
	GEOSGeometry *geom;     /* owned; lines in the working CRS */
	int kind;               /* SPLIT_BARRIER, SPLIT_WATER or SPLIT_VILLAGE */
	double cost;            /* cut cost per metre along it */
} split_line;

typedef struct split_point {
	double x, y;
	double weight, persons;
	long long fid;
} split_point;

/* Everything the atoms are made from, in the working CRS; owned. */
typedef struct split_input {
	GEOSGeometry *town;     /* one valid polygon */
	char town_code[GEO_TOWN_CODE_LEN + 1]; /* the town feature's code field, or "" */
	size_t nvillages;
	GEOSGeometry **villages;
	char **village_names;
	size_t nlines;
	split_line *lines;      /* barriers, then village limits */
	size_t npoints;
	split_point *points;
} split_input;

void split_input_free(GEOSContextHandle_t h, split_input *in);

/* A line ends on another when it is this close to it. */
#define SPLIT_ON_LINE_M 1e-3
/* Lines meant to end on another cross it by this much (linework.c). */
#define SPLIT_CROSS_M 0.05

/* A growable array of owned geometries, each with a kind and a cost. */
typedef struct split_geoms {
	GEOSGeometry **g;
	int *kind;
	double *cost;
	size_t n, cap;
} split_geoms;

/* Appends g (taken; NULL is a failed GEOS call). Returns 0 on failure. */
int split_geoms_add(geo_ctx *ctx, split_geoms *v, GEOSGeometry *g, int kind, double cost);
void split_geoms_free(GEOSContextHandle_t h, split_geoms *v);
/* Appends the LineString parts of g (any type; taken). */
int split_add_lines(geo_ctx *ctx, split_geoms *v, GEOSGeometry *g, int kind, double cost);

/* STRtree query results in index order, so they never depend on the tree. */
typedef struct split_hits {
	GEOSContextHandle_t h;
	size_t *idx, n, cap;
} split_hits;
size_t split_query(GEOSContextHandle_t h, GEOSSTRtree *t, const GEOSGeometry *g, split_hits *s);
int split_by_index(const void *a, const void *b);

/*
** The town's linework (linework.c): its boundary, then the village limits
** and barriers clipped to it, with copies of earlier lines dropped and ends
** within snap metres of another line extended across it.
*/
int split_linework(geo_ctx *ctx, const split_input *in, double snap, split_geoms *out);
/* Nodes lines (a GEOS union); NULL with an error on failure. */
GEOSGeometry *split_node(geo_ctx *ctx, GEOSGeometry *const *g, size_t n);
/* The faces of noded linework that lie inside the town, in GEOS's order. */
int split_polygonize(geo_ctx *ctx, const GEOSGeometry *noded, const GEOSGeometry *town,
		     split_geoms *faces);

/*
** The atoms: faces of the noded linework (a coverage of the town whose
** shared edges match vertex for vertex), grouped so that slivers join a
** neighbour. The graph is symmetric CSR over atoms.
*/
typedef struct split_atoms {
	GEOSContextHandle_t h;
	size_t nfaces;
	GEOSGeometry **faces;   /* owned polygons */
	size_t *face_atom;
	size_t natoms;
	double *weight;         /* per atom: household weight */
	double *households;     /* per atom: household points */
	double *persons;
	double *area;           /* m² */
	double *heaviest;       /* the heaviest single point (building) in the atom */
	long *village;          /* index into the villages, -1 for none */
	double *outside;        /* boundary length on the town's own boundary */
	size_t *xadj, *adj;     /* neighbours of atom a: adj[xadj[a] .. xadj[a+1]) */
	double *len;            /* shared boundary length, m */
	double *cost;           /* shared boundary length weighted by cut cost */
	double *along;          /* shared boundary length on barriers or village limits */
	double *road, *water, *vlimit; /* the same, on roads, on water, on village limits */
	long *point_atom;       /* per input point: its atom, -1 outside the town */
	size_t nsplit;          /* blocks split by k-means and Voronoi */
} split_atoms;

/*
** Builds the atoms. A block heavier than max_weight is split into Voronoi
** cells of k-means centres of its households; snap is how far a barrier
** end that stops short of another line is extended to meet it.
*/
split_atoms *split_atoms_build(geo_ctx *ctx, const split_input *in, double max_weight,
			       double snap, unsigned long seed);
void split_atoms_free(split_atoms *a);

/* A graph to partition: CSR with local vertex numbers. out[v] says v touches
** the region's outside (other regions or the town's boundary). */
typedef struct split_graph {
	size_t n;
	size_t *xadj, *adj;
	double *ew;             /* cut cost of each adjacency */
	double *vw;             /* vertex weight */
	char *out;
	/* Optional (NULL: no compactness pass): the shape of each vertex. */
	double *len;            /* boundary length shared along each adjacency, m */
	double *area;           /* vertex area, m² */
	double *outlen;         /* vertex boundary on the region's outside, m */
} split_graph;

void split_graph_free(split_graph *g);

/*
** Partitions g into k parts (part[v] in 0..k-1): every part contiguous and
** not enclosed in another, each part's weight within tol of the average when
** the vertices allow it, and the cut as cheap as that allows. Fails with a
** usage error when g has fewer vertices than k.
*/
geo_err split_partition(geo_ctx *ctx, const split_graph *g, int k, double tol,
			unsigned long seed, int *part);

/* A GeometryCollection of clones of g[0..n). */
GEOSGeometry *split_collect(GEOSContextHandle_t h, GEOSGeometry *const *g, size_t n);

/* One grid as written. */
typedef struct split_grid {
	GEOSGeometry *geom;     /* owned, working CRS */
	char id[GEO_SECONDARY_CODE_LEN + 2];
	char parent[GEO_SECONDARY_CODE_LEN + 2];
	char *name;             /* owned */
	int level;
	long index;             /* primary: its number in the split; secondary: its primary's */
	double households;      /* -1 when there are no households */
	double persons, weight, target, area, compactness;
	double heaviest;        /* the heaviest single household point in it */
	long col, row;          /* regular cells only */
	/* Its limit (balanced, new grids only): length, and the lengths on roads,
	** water, village limits and the town boundary. */
	double perimeter, on_road, on_water, on_village, on_town;
	double deviation;       /* from the target, a fraction (signed) */
	double free;            /* share of the limit that follows nothing */
	int kept;               /* a partial redraw kept it as it was */
} split_grid;

/*
** Straightening the free limits (split_straight.c): pairs of neighbouring
** secondaries sec[pairs[2i]], sec[pairs[2i+1]] have their limits that follow
** no line replaced by straighter ones where balance (tol) and shape allow.
** Grids' geometry, weight, households, persons, perimeter, area and
** compactness are updated, secondaries' targets too, and primaries whose
** outline moved are dissolved again from their secondaries.
*/
typedef struct split_straight {
	split_grid *prim, *sec;  /* index of a secondary: its primary */
	size_t nprim, nsec;
	const int *kprim;        /* secondaries per primary */
	const split_point *points;
	const long *point_sec;   /* per point: its secondary, -1 outside */
	size_t npoints;
	const size_t *pairs;
	size_t npairs;
	const GEOSPreparedGeometry *lines; /* barriers, village limits, the town's boundary */
	/* The same by kind: the town's boundary, village limits, water, roads (or NULL). */
	const GEOSPreparedGeometry *kinds[4];
	double tol;
	double saved;            /* out: limit length removed, m */
	size_t straightened;     /* out: chains replaced */
} split_straight;

geo_err split_straighten(geo_ctx *ctx, split_straight *s);

/* Old grids of both levels, in the working CRS (split_codes.c). */
typedef struct split_old {
	geo_gridset *sets[2];   /* as read: the primary and secondary layers, or one layer */
	geo_gridset level[2];   /* views holding only level 1 and level 2 grids */
} split_old;

geo_err split_old_read(geo_ctx *ctx, const char *name, const geo_crs *work, split_old *o);
void split_old_free(split_old *o);

/*
** A partial redraw (split_redraw.c): the old grids, which of them are
** redrawn, and the ones kept as they are. level 1: primaries are redrawn
** with their secondaries; level 2: secondaries of kept primaries only.
*/
typedef struct split_redraw {
	split_old old;
	int level;
	geo_gridset redrawn[2]; /* views: the old grids of each level being redrawn */
	geo_gridset keptv[2];   /* views: the old grids of each level kept */
	split_grid *kept;       /* the old grids kept, as they are written */
	size_t nkept;
	size_t nnamed;          /* villages or grids named */
} split_redraw;

/*
** Reads OLD and narrows in (read from the whole town) to the area the
** redrawn grids covered: in->town becomes that area, the villages are
** clipped to it (for a level 2 redraw they are the kept primaries), and
** households outside it are dropped. *o gets the grid counts of the
** redrawn area unless the caller gave them.
*/
geo_err split_redraw_prepare(geo_ctx *ctx, geo_split_opts *o, const geo_crs *work,
			     split_input *in, split_redraw *rd);
void split_redraw_free(GEOSContextHandle_t h, split_redraw *rd);

/* Reads and checks the inputs (split_io.c). */
geo_err split_read(geo_ctx *ctx, const char *town, const geo_split_opts *o, split_input *in,
		   geo_crs **work, geo_crs **town_crs, int *has_persons);
/* Writes the grids: layers primary and secondary, or one layer (split_io.c). */
geo_err split_write(geo_ctx *ctx, const char *output, const geo_split_opts *o,
		    const geo_crs *work, const geo_crs *out_crs, const split_grid *g, size_t n,
		    int has_persons, int with_cells);

/* Writes the per-grid table (--report): CSV, XLSX, ODS or any table OGR
** writes, by the extension (split_io.c). */
geo_err split_write_table(geo_ctx *ctx, const char *path, const geo_split_opts *o,
			  const split_grid *g, size_t n, int has_persons);

/*
** Codes and names (split_codes.c): primaries g[0..np) numbered across the
** town, secondaries g[np..np+ns) (index: their primary's index) inside their
** primary; village_of[index] names primaries. keep_from: old grids whose
** codes matching grids keep, or NULL.
*/
geo_err split_number(geo_ctx *ctx, split_grid *g, size_t np, size_t ns, const long *village_of,
		     char *const *village_names, size_t nvillages, const char *town_code,
		     const char *keep_from, const geo_crs *work);
/*
** The same for a partial redraw: new grids that match a redrawn one keep its
** code, the others get numbers after the highest old one, and no code of a
** kept grid is given again. In a level 2 redraw village_names are the codes
** of the kept primaries the new secondaries go into; the primaries g[0..np)
** stand for them and are not written.
*/
geo_err split_number_redraw(geo_ctx *ctx, split_grid *g, size_t np, size_t ns,
			    const long *village_of, char *const *village_names, size_t nvillages,
			    const char *town_code, const split_redraw *rd, const geo_crs *work);

/* Regular cells (cells.c): PostGIS ST_SquareGrid or ST_HexagonGrid cells of
** `size` from the origin, clipped to the town, one grid per polygon part,
** with their column and row. */
geo_err split_cells(geo_ctx *ctx, const GEOSGeometry *town, int hex, double size, double ox,
		    double oy, int allow_large, split_grid **grids, size_t *n);

/* A small deterministic random generator (splitmix64), so runs never depend
** on the C library's rand. */
static inline unsigned long long split_rand(unsigned long long *state)
{
	unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline double split_rand01(unsigned long long *state)
{
	return (double)(split_rand(state) >> 11) * 0x1.0p-53;
}

#endif
