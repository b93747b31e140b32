/*
** place_rules.h: grid-place's geometry rules (place_rules.c): which grid a
** point, a line or a polygon goes to, as a list of pieces.
*/
#ifndef PLACE_RULES_H
#define PLACE_RULES_H

#include "place/place_grids.h"

/* A feature, or a piece of one, and where it goes. */
typedef struct place_piece {
	long grid;              /* index into the view, -1 for none */
	GEOSGeometry *geom;     /* owned; NULL: the feature's own geometry */
	double measure, share, distance;
} place_piece;

/* The rules of one run and the pieces of the geometry at hand. */
typedef struct place_rules {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	place_grids *g;
	geo_place_mode mode;
	double max_distance;    /* metres; 0: off */
	place_piece *pieces;
	size_t npieces, cap;
	size_t *cands;          /* candidate grids: cands[0] of them in cands[1..] */
	size_t ncap;
} place_rules;

void place_rules_init(place_rules *r, geo_ctx *ctx, place_grids *g, geo_place_mode mode,
		      double max_distance);
/* Frees the pieces and the candidates (not the grids). */
void place_rules_free(place_rules *r);
/* Forgets the pieces of the last geometry. */
void place_rules_clear(place_rules *r);
/* A point at (x, y), working CRS, that the placer put in grid g (-1: none). */
geo_err place_rules_point(place_rules *r, long g, double x, double y);
/* A feature that goes to no grid (it has no geometry). */
geo_err place_rules_none(place_rules *r);
/* A geometry (working CRS) of dimension class dim: 1 polygons, 2 lines, 3 points. */
geo_err place_rules_geometry(place_rules *r, const GEOSGeometry *geom, int dim);

#endif
