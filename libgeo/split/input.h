/*
** input.h: what the atoms are made from: the town, its villages, the lines that cut it and the
** household points, as split_io.c reads them. Private to grid-split.
*/
#ifndef SPLIT_INPUT_H
#define SPLIT_INPUT_H

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

#endif
