/*
** diff_internal.h: what grid-diff's modules share and nobody else needs: the
** verb's working state. diff.c compares the grids, diff_place.c places the
** feature layers, diff_staff.c finds each grid's name, worker and phone,
** diff_handover.c writes the hand-over lists (tables, XLSX) and diff_pdf.c
** the printable one, diff_write.c writes the moved pieces and NEW with the
** surviving codes, diff_report.c renders the report from the public result
** alone.
*/
#ifndef DIFF_INTERNAL_H
#define DIFF_INTERNAL_H

#include "core/geo_internal.h"

struct diff_run {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_diff_opts *o;
	geo_diff_result *r;
	const char *const *inputs;      /* every input name, for the outputs' checks */
	GEOSGeometry **old_out, **new_out; /* pieces outside the other set, for -o */
	size_t nmoves_out;
	geo_output **moves_out;         /* --moves, opened before placing, committed with the rest */
	geo_progress progress;
	void *progress_data;
};

/* Places every --features layer on OLD and NEW; fills r->layers and
** r->moves. */
geo_err diff_place_features(struct diff_run *run);
/* Fills r->old_staff and r->new_staff from the layers and the rosters. */
geo_err diff_staff(struct diff_run *run);
/* Says once, as a warning, which grids of the hand-over have no worker. */
void diff_warn_unstaffed(struct diff_run *run);
/* Opens every --moves output (so a refused one fails before the work). */
geo_err diff_handover_open(struct diff_run *run);
/* Writes every --moves output; diff_write_outputs commits them. */
geo_err diff_handover_write(struct diff_run *run);
void diff_handover_close(struct diff_run *run);

/* The hand-over's rows in their order: by receiving worker, new grid, layer,
** old grid, feature (indices into r->moves; free). */
size_t *diff_handover_order(const geo_diff_result *r);
/* 0 when two rows go to the same receiver (a worker by name and phone; a
** grid without a worker is a receiver of its own, and every feature in no
** new grid goes to one more). */
int diff_receiver_cmp(const geo_diff_result *r, const geo_diff_move *a, const geo_diff_move *b);
/* The layer's name as the lists print it: 住户 for households, ... */
const char *diff_layer_title(const char *layer);
/* Writes the printable list (A4 pages, a section per receiving worker). */
geo_err diff_pdf_write(struct diff_run *run, geo_output *out, const char *name,
		       const size_t *order);
/* Writes -o and --keep-codes, then commits every output, or none. */
geo_err diff_write_outputs(struct diff_run *run);

#endif
