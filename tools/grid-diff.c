/*
** grid-diff: what changes for whom when grids are redrawn. Compares OLD and
** NEW grids of one level, classifies every grid, measures the area moved
** between them and lists the features that change grid and worker.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_WORKER_FIELD = CLI_TOOL_KEYS, OPT_MIN_AREA,
	OPT_KEEP_CODES, OPT_KEEP_THRESHOLD, OPT_FEATURES, OPT_MOVES, OPT_PHONE_FIELD, OPT_ROSTER,
	OPT_OLD_ROSTER
};

static const cli_range area_range = { NULL, 0, 1e10, 0 };
static const cli_range percent_range = { NULL, 0, 100, CLI_ABOVE_MIN };

static const cli_option options[] = {
	CLI_HEADING("Input"),
	CLI_OPTS_GRID_FIELDS,
	{ "worker-field", required_argument, OPT_WORKER_FIELD, "FIELD",
	  N_("grid worker's name field (default worker)") },
	{ "phone-field", required_argument, OPT_PHONE_FIELD, "FIELD",
	  N_("grid worker's phone field (default phone)") },
	{ "roster", required_argument, OPT_ROSTER, "TABLE",
	  N_("table of NEW's grid workers (CSV, XLSX, ...): code, worker, phone (网格编码, 网格员, 电话)") },
	{ "old-roster", required_argument, OPT_OLD_ROSTER, "TABLE", N_("the same for OLD") },
	CLI_OPTS_WHERE,
	CLI_OPTS_SRS,
	CLI_HEADING("Comparing"),
	{ "min-area", required_argument, OPT_MIN_AREA, "M2",
	  N_("shape tolerance and smallest overlap counted, in m² (default 1)"), &area_range },
	{ "keep-threshold", required_argument, OPT_KEEP_THRESHOLD, "PCT",
	  N_("share of both areas two grids must share to be the same grid (default 50)"),
	  &percent_range },
	{ "features", required_argument, OPT_FEATURES, "LAYER",
	  N_("place this layer on OLD and NEW and list what changes grid (repeatable)") },
	CLI_HEADING("Time window on --features"),
	CLI_OPTS_WINDOW,
	CLI_HEADING("Output"),
	CLI_OPTS_OUTPUT,
	{ "moves", required_argument, OPT_MOVES, "FILE",
	  N_("hand-over list: .csv or any table, .xlsx (a sheet per worker), .pdf (A4) (repeatable)") },
	{ "keep-codes", required_argument, OPT_KEEP_CODES, "OUT",
	  N_("write NEW with each grid carrying the code of the old grid it matches") },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-diff", "[options] OLD NEW",
	N_("Compare old and new grids of one level: which grids are unchanged, reshaped, split,\n"
	"merged, new or removed, the area moved between every pair, and with --features every\n"
	"household, camera or pond that changes grid and worker (the hand-over list). -o writes\n"
	"the moved pieces as polygons. Exit 0 when nothing changed, 1 when something did."),
	options, 2, 2
};

struct args {
	geo_diff_opts o;
	const char **features, **moves;
	size_t nfeatures, nmoves;
};

static int percent(const char *arg, double *out)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%s", arg);
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '%')
		buf[n - 1] = '\0';
	if (cli_number(&tool, OPT_KEEP_THRESHOLD, buf, out))
		return GEO_ERR_USAGE;
	*out /= 100;
	return 0;
}

static int on_option(int key, const char *arg, void *data)
{
	struct args *a = data;
	switch (key) {
	case CLI_ID_FIELD: a->o.grid.id_field = arg; return 0;
	case CLI_PARENT_FIELD: a->o.grid.parent_field = arg; return 0;
	case OPT_WORKER_FIELD: a->o.worker_field = arg; return 0;
	case OPT_KEEP_CODES: a->o.keep_codes = arg; return 0;
	case OPT_MOVES: a->moves[a->nmoves++] = arg; return 0;
	case OPT_PHONE_FIELD: a->o.phone_field = arg; return 0;
	case OPT_ROSTER: a->o.roster = arg; return 0;
	case OPT_OLD_ROSTER: a->o.old_roster = arg; return 0;
	case OPT_FEATURES: a->features[a->nfeatures++] = arg; return 0;
	case OPT_KEEP_THRESHOLD: return percent(arg, &a->o.keep_threshold);
	case OPT_MIN_AREA: return cli_number(&tool, key, arg, &a->o.min_area);
	default: return GEO_ERR_USAGE;
	}
}

int main(int argc, char **argv)
{
	struct args a = { .features = calloc((size_t)argc + 1, sizeof(char *)),
			  .moves = calloc((size_t)argc + 1, sizeof(char *)) };
	if (!a.features || !a.moves) {
		free(a.features);
		free(a.moves);
		return GEO_ERR_INTERNAL;
	}
	geo_diff_opts_init(&a.o);
	cli_common c;
	int first, rc = cli_parse(&tool, argc, argv, &c, NULL, on_option, &a, &first);
	if (rc >= 0) {
		free(a.features);
		free(a.moves);
		return rc;
	}
	int to_stdout = c.opts->output && !strcmp(c.opts->output, "-");
	if (to_stdout && c.opts->json) {
		free(a.features);
		free(a.moves);
		return cli_usage_error(&tool, "--json and -o - would both write to standard output");
	}
	a.o.features = a.features;
	a.o.moves = a.moves;
	a.o.changes = c.opts->output;
	a.o.format = c.opts->out.format;
	a.o.overwrite = c.opts->out.overwrite;
	a.o.s_srs = c.opts->s_srs;
	a.o.t_srs = c.opts->t_srs;
	a.o.work_srs = c.opts->work_srs;
	a.o.where = c.opts->where;
	a.o.window = c.opts->window;
	geo_ctx *ctx = cli_context(&c);
	if (!ctx) {
		free(a.features);
		free(a.moves);
		return GEO_ERR_INTERNAL;
	}
	geo_diff_result *r = NULL;
	geo_err e = geo_diff(ctx, argv[first], argv[first + 1], &a.o, &r, cli_progress(&c), &c);
	if (e != GEO_OK && e != GEO_PROBLEMS) {
		rc = cli_fail(&c, ctx, e);
	} else {
		char *report = c.quiet && !c.opts->json ? NULL : geo_diff_report(r, c.opts->json, c.opts->verbose);
		if (report)
			fputs(report, to_stdout ? stderr : stdout);
		rc = report || (c.quiet && !c.opts->json) ? (int)e : GEO_ERR_INTERNAL;
		free(report);
	}
	rc = cli_strict(&c, ctx, rc);
	geo_diff_result_free(r);
	geo_ctx_free(ctx);
	free(a.features);
	free(a.moves);
	return rc;
}
