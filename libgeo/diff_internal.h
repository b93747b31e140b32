/*
** diff_internal.h: what grid-diff's modules share and nobody else needs: the
** verb's working state. diff.c compares the grids, diff_place.c places the
** feature layers and writes the table of moved features, diff_write.c writes
** the moved pieces and NEW with the surviving codes, diff_report.c renders
** the report from the public result alone.
*/
#ifndef DIFF_INTERNAL_H
#define DIFF_INTERNAL_H

#include "geo_internal.h"

struct diff_run {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_diff_opts *o;
	geo_diff_result *r;
	const char *const *inputs;      /* every input name, for the outputs' checks */
	GEOSGeometry **old_out, **new_out; /* pieces outside the other set, for -o */
	geo_output *moves_out;          /* opened by diff_place.c, committed with the rest */
	geo_progress progress;
	void *progress_data;
};

/* Places every --features layer on OLD and NEW; fills r->layers and
** r->moves and writes the moved features to --moves. */
geo_err diff_place_features(struct diff_run *run);
/* Writes -o and --keep-codes, then commits every output, or none. */
geo_err diff_write_outputs(struct diff_run *run);

#endif
