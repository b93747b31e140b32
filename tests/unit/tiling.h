/*
** tiling.h: grid sets for tests, drawn as character maps over a known tiling
** of squares. Each letter is a grid made of its cells, '.' is no grid, so a
** test states old and new grids by drawing them, and the expected area shared
** by two grids is the count of cells they share times the cell area: an
** independent count, not a GEOS result. Written as GeoJSON in EPSG:4548.
*/
#ifndef TILING_H
#define TILING_H

#include "geo.h"

#include <stdio.h>
#include <string.h>

#define TILING_X0 500000.0
#define TILING_Y0 4362000.0

/* The grid code of a letter: town 120114105, primary sequence 'A' = 1. */
static inline void tiling_code(char letter, char *buf, size_t size)
{
	snprintf(buf, size, "120114105%03d", letter - 'A' + 1);
}

/* Cells of letter in rows (row 0 is the north). */
static inline int tiling_cells(const char *const *rows, char letter)
{
	int n = 0;
	for (int r = 0; rows[r]; r++)
		for (int c = 0; rows[r][c]; c++)
			n += rows[r][c] == letter;
	return n;
}

/* Cells where a has letter la and b has letter lb. */
static inline int tiling_shared(const char *const *a, char la, const char *const *b, char lb)
{
	int n = 0;
	for (int r = 0; a[r] && b[r]; r++)
		for (int c = 0; a[r][c] && b[r][c]; c++)
			n += a[r][c] == la && b[r][c] == lb;
	return n;
}

/* The union of a letter's cells, or NULL when it has none. */
static inline GEOSGeometry *tiling_grid(GEOSContextHandle_t h, const char *const *rows,
					char letter, double cell)
{
	int n = tiling_cells(rows, letter), k = 0;
	if (!n)
		return NULL;
	GEOSGeometry **sq = calloc((size_t)n, sizeof *sq);
	for (int r = 0; rows[r]; r++)
		for (int c = 0; rows[r][c]; c++)
			if (rows[r][c] == letter)
				sq[k++] = GEOSGeom_createRectangle_r(
					h, TILING_X0 + c * cell, TILING_Y0 - (r + 1) * cell,
					TILING_X0 + (c + 1) * cell, TILING_Y0 - r * cell);
	GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, sq, (unsigned)n);
	free(sq);
	GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
	GEOSGeom_destroy_r(h, coll);
	return u;
}

/* Writes one GeoJSON feature; extra is more properties ("" or ", \"k\": v"). */
static inline void tiling_feature(GEOSContextHandle_t h, FILE *f, int *first, const char *code,
				  const GEOSGeometry *g, const char *extra)
{
	GEOSGeoJSONWriter *w = GEOSGeoJSONWriter_create_r(h);
	char *json = GEOSGeoJSONWriter_writeGeometry_r(h, w, g, -1);
	fprintf(f, "%s{\"type\": \"Feature\", \"properties\": {\"grid_id\": \"%s\", \"level\": 1%s}, "
		   "\"geometry\": %s}\n",
		*first ? "" : ",", code, extra, json);
	*first = 0;
	GEOSFree_r(h, json);
	GEOSGeoJSONWriter_destroy_r(h, w);
}

static inline void tiling_open(FILE *f)
{
	fputs("{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": "
	      "{\"name\": \"urn:ogc:def:crs:EPSG::4548\"}}, \"features\": [\n",
	      f);
}

/* Writes the grid set drawn by rows (NULL-terminated) to path, each grid
** with a worker named after its letter when workers is set. Returns 0 on success. */
static inline int tiling_write(GEOSContextHandle_t h, const char *path, const char *const *rows,
			       double cell, int workers)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	tiling_open(f);
	int first = 1;
	for (char l = 'A'; l <= 'Z'; l++) {
		GEOSGeometry *g = tiling_grid(h, rows, l, cell);
		if (!g)
			continue;
		char code[32], extra[64] = "";
		tiling_code(l, code, sizeof code);
		if (workers)
			snprintf(extra, sizeof extra, ", \"worker\": \"worker %c\"", l);
		tiling_feature(h, f, &first, code, g, extra);
		GEOSGeom_destroy_r(h, g);
	}
	fputs("]}\n", f);
	return fclose(f);
}

#endif
