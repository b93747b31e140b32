/*
** place_stream.h: grid-place's feature stream (place_stream.c): reads the
** features, places each by the geometry rules, counts it into the result,
** feeds the summary and hands it to the writer.
*/
#ifndef PLACE_STREAM_H
#define PLACE_STREAM_H

#include "place/place_write.h"

enum { PLACE_LISTED = 20 }; /* unplaced and near features named, at most */

typedef struct place_stream {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_place_opts *o;
	place_grids *g;
	place_rules rules;      /* the pieces of the feature at hand */
	place_writer *w;        /* where features go; it may write nothing */
	geo_place_summary *sum; /* or NULL */
	geo_place_result *res;  /* the counts go here */
	geo_input *in;
	OGRLayerH layer;
	geo_transform *to_work; /* features' CRS -> working CRS */
	long long dims[4];      /* features read without geometry, of polygons, lines, points */
} place_stream;

/* Opens the features (o's s_srs, where and window), to go on g's working CRS. */
geo_err place_stream_open(place_stream *s, geo_ctx *ctx, const char *features,
			  const geo_place_opts *o, place_grids *g);
/* Places every feature, writing through w and summing into sum (NULL: no
** summary); counts into res. */
geo_err place_stream_run(place_stream *s, place_writer *w, geo_place_summary *sum,
			 geo_place_result *res, geo_progress progress, void *progress_data);
void place_stream_close(place_stream *s);

#endif
