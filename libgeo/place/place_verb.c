/*
** place_verb.c: grid-place's verb: reads the grids (place_grids.c), opens
** the features and the outputs, streams the features through
** (place_stream.c, by the rules of place_rules.c, out through place_write.c)
** and fills the result with what was counted and written; place_report.c
** renders it.
*/
#include "place/place_stream.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void geo_place_opts_init(geo_place_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_grid_opts_init(&o->grid);
	geo_common_opts_init(&o->common);
	o->mode = GEO_PLACE_LARGEST;
}

/* One run: the grids, the stream of features, the outputs and the table. */
typedef struct run {
	geo_ctx *ctx;
	const geo_place_opts *o;
	place_grids g;
	place_stream s;
	place_writer w;
	geo_place_summary *sum;
	const char **inputs;    /* every input name, for the outputs' checks */
	geo_place_result *res;
} run;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static geo_err check_opts(geo_ctx *ctx, const geo_place_opts *o)
{
	if (o->max_distance < 0)
		return geo_fail(ctx, GEO_ERR_USAGE, "--max-distance: must not be negative");
	if (o->common.json && o->common.output && !strcmp(o->common.output, "-") && !o->summary)
		return geo_fail(ctx, GEO_ERR_USAGE,
				"--json needs -o or --summary: the features would go to standard output");
	return GEO_OK;
}

static geo_err list_inputs(run *r, const char *grids, const char *features)
{
	r->inputs = geo_calloc(r->ctx, 4, sizeof *r->inputs);
	if (!r->inputs)
		return GEO_ERR_INTERNAL;
	r->inputs[0] = grids;
	r->inputs[1] = features;
	r->inputs[2] = r->o->parents;
	return GEO_OK;
}

/* A copy of s into *to, or NULL for NULL; 0 when out of memory. */
static int copy(geo_ctx *ctx, char **to, const char *s)
{
	return !s || (*to = geo_strdup(ctx, s));
}

/* What the result says of the run beyond the stream's counts. */
static geo_err describe(run *r, const char *features)
{
	geo_place_result *res = r->res;
	const geo_place_opts *o = r->o;
	res->grids = r->g.view.n;
	res->both_levels = r->g.levels == 2;
	res->level = res->both_levels ? 2 : res->grids ? r->g.view.grids[0].level : 0;
	res->mode = o->mode;
	res->max_distance = o->max_distance;
	res->points = r->s.dims[3];
	res->lines = r->s.dims[2];
	res->polygons = r->s.dims[1];
	res->written = r->w.written;
	res->timed = o->common.verbose;
	if (copy(r->ctx, &res->features_file, features) && copy(r->ctx, &res->grids_file, r->g.set->source) &&
	    copy(r->ctx, &res->output, o->common.output) && copy(r->ctx, &res->summary, o->summary) &&
	    copy(r->ctx, &res->unplaced_output, o->unplaced))
		return GEO_OK;
	return GEO_ERR_INTERNAL;
}

/* Everything up to the placing: the grids, the features, the outputs. */
static geo_err open_run(run *r, const char *grids, const char *features)
{
	const geo_place_opts *o = r->o;
	double t0 = now();
	geo_err e = check_opts(r->ctx, o);
	if (!e)
		e = place_grids_load(r->ctx, &r->g, grids, o);
	r->res->seconds_grids = now() - t0;
	if (!e)
		e = list_inputs(r, grids, features);
	if (!e)
		e = place_stream_open(&r->s, r->ctx, features, o, &r->g);
	if (!e)
		e = place_write_prepare(&r->w, r->ctx, o, &r->g, r->s.in);
	if (!e && o->summary &&
	    !(r->sum = geo_place_summary_new(r->ctx, r->g.view.n, geo_input_defn(r->s.in),
					     o->sum_fields, o->count_by, features)))
		e = geo_last_code(r->ctx);
	if (!e && !o->summary && (o->sum_fields || o->count_by))
		e = geo_fail(r->ctx, GEO_ERR_USAGE, "--sum and --count-by need --summary FILE");
	if (!e)
		e = place_write_open(&r->w, r->inputs);
	return e;
}

/* The placing, the summary, and the outputs committed. */
static geo_err place_features(run *r, geo_progress progress, void *progress_data)
{
	double t0 = now();
	geo_err e = place_stream_run(&r->s, &r->w, r->sum, r->res, progress, progress_data);
	r->res->seconds_features = now() - t0;
	if (!e && r->sum)
		e = place_write_summary(&r->w, r->sum, r->inputs);
	if (!e)
		e = place_write_commit(&r->w, r->s.dims);
	return e;
}

static void close_run(run *r)
{
	place_write_close(&r->w);
	geo_place_summary_free(r->sum);
	place_stream_close(&r->s);
	place_grids_free(&r->g);
	free(r->inputs);
}

geo_err geo_place(geo_ctx *ctx, const char *grids, const char *features, const geo_place_opts *o,
		  geo_place_result **result, geo_progress progress, void *progress_data)
{
	run r = { .ctx = ctx, .o = o, .res = geo_calloc(ctx, 1, sizeof *r.res) };
	geo_err e = r.res ? open_run(&r, grids, features) : GEO_ERR_INTERNAL;
	if (!e)
		e = place_features(&r, progress, progress_data);
	if (!e)
		e = describe(&r, features);
	if (!e && o->common.strict && r.res->unplaced)
		e = GEO_PROBLEMS;
	close_run(&r);
	if (e && e != GEO_PROBLEMS) {
		geo_place_result_free(r.res);
		r.res = NULL;
	}
	*result = r.res;
	return e;
}
