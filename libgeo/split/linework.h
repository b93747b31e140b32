/*
** linework.h: the town's linework (linework.c): growable arrays of geometries, ordered STRtree
** queries, noding and polygonizing, for atoms.c and the writers. Private to grid-split.
*/
#ifndef SPLIT_LINEWORK_H
#define SPLIT_LINEWORK_H

#include "split/input.h"

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

/* A GeometryCollection of clones of g[0..n). */
GEOSGeometry *split_collect(GEOSContextHandle_t h, GEOSGeometry *const *g, size_t n);
/* The union of g[0..n), pieces that share their edges exactly (GEOS's
** coverage union), when it is one polygon; else NULL. */
GEOSGeometry *split_union_one(GEOSContextHandle_t h, GEOSGeometry *const *g, size_t n);

#endif
