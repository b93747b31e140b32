/*
** split_straight.h: straightening the free limits (split_straight.c), which
** split.c calls after dissolving the grids. Private to grid-split.
*/
#ifndef SPLIT_SPLIT_STRAIGHT_H
#define SPLIT_SPLIT_STRAIGHT_H

#include "split/input.h"
#include "split/split_grid.h"

/*
** Pairs of neighbouring secondaries sec[pairs[2i]], sec[pairs[2i+1]] have
** their limits that follow no line replaced by straighter ones where balance
** (tol) and shape allow. Grids' geometry, weight, households, persons,
** perimeter, area and compactness are updated, secondaries' targets too, and
** primaries whose outline moved are dissolved again from their secondaries.
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

#endif
