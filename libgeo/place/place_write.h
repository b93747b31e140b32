/*
** place_write.h: grid-place's outputs (place_write.c): the placed features
** with their grid's codes, the unplaced ones and the per-grid table.
*/
#ifndef PLACE_WRITE_H
#define PLACE_WRITE_H

#include "place/place_rules.h"

typedef struct place_writer {
	geo_ctx *ctx;
	const geo_place_opts *o;
	const place_grids *g;
	geo_input *in;          /* the features: their fields, type and CRS */
	geo_crs *out_crs;
	geo_transform *to_out, *work_to_out; /* features' CRS, working CRS -> output CRS */
	geo_output *out, *un_out;
	OGRLayerH out_layer, un_layer; /* -o, --unplaced; NULL when not asked for */
	OGRFeatureH of, uf;
	int *map, *un_map;      /* input field -> output field */
	int f_grid, f_parent, f_copy, f_measure, f_share, f_distance;
	OGRwkbGeometryType multi; /* split mode: pieces forced to this multi type */
	long long written;      /* features (or pieces) written to -o */
} place_writer;

/* The output CRS (-t_srs, else the features') and the transforms to it. */
geo_err place_write_prepare(place_writer *w, geo_ctx *ctx, const geo_place_opts *o,
			    const place_grids *g, geo_input *in);
/* Opens -o and --unplaced, those o names; inputs: no output may replace them. */
geo_err place_write_open(place_writer *w, const char *const *inputs);
/* Writes f once per piece, with the piece's grid fields and geometry. */
geo_err place_write_pieces(place_writer *w, OGRFeatureH f, const place_piece *pieces, size_t n);
/* Writes f to --unplaced as it came (in the output CRS). */
geo_err place_write_unplaced(place_writer *w, OGRFeatureH f);
/* Writes the per-grid table to --summary. */
geo_err place_write_summary(place_writer *w, geo_place_summary *sum, const char *const *inputs);
/* Styles -o (dims: features read of each dimension class) and commits both. */
geo_err place_write_commit(place_writer *w, const long long dims[4]);
void place_write_close(place_writer *w);

#endif
