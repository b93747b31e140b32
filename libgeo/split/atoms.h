/*
** atoms.h: the atoms and their adjacency graph (atoms.c), for split.c. Private to grid-split.
*/
#ifndef SPLIT_ATOMS_H
#define SPLIT_ATOMS_H

#include "split/input.h"

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
