/*
** partition.h: cutting a graph into contiguous, balanced parts (partition.c), for split.c.
** Private to grid-split.
*/
#ifndef SPLIT_PARTITION_H
#define SPLIT_PARTITION_H

#include "core/geo_internal.h"

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
/* Zeroed arrays for n vertices and ne adjacencies, with the shape arrays
** when shaped; 0 when out of memory (split_graph_free frees what was got). */
int split_graph_alloc(split_graph *g, size_t n, size_t ne, int shaped);

/*
** Partitions g into k parts (part[v] in 0..k-1): every part contiguous and
** not enclosed in another, each part's weight within tol of the average when
** the vertices allow it, and the cut as cheap as that allows. Fails with a
** usage error when g has fewer vertices than k.
*/
geo_err split_partition(geo_ctx *ctx, const split_graph *g, int k, double tol,
			unsigned long seed, int *part);

#endif
