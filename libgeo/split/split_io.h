/*
** split_io.h: reading the inputs and writing the grids and their table (split_io.c). Private
** to grid-split.
*/
#ifndef SPLIT_SPLIT_IO_H
#define SPLIT_SPLIT_IO_H

#include "split/input.h"
#include "split/split_grid.h"

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

#endif
