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
	OPT_MIN_AREA = CLI_TOOL_KEYS, OPT_KEEP_CODES, OPT_KEEP_THRESHOLD, OPT_FEATURES, OPT_MOVES,
	OPT_OLD_ROSTER
};

static const cli_range area_range = { NULL, 0, 1e10, 0 };
static const cli_range percent_range = { NULL, 0, 100, CLI_ABOVE_MIN };

static const cli_option options[] = {
	CLI_HEADING("Input"),
	CLI_OPTS_GRID_FIELDS,
	CLI_OPTS_STAFF(N_("table of NEW's grid workers (CSV, XLSX, ...): code, worker, phone (网格编码, 网格员, 电话)")),
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
	options, 2, 2,
	.json_vs_stdout = N_("--json and -o - would both write to standard output")
};

struct args {
	geo_diff_opts o;
	cli_list features, moves;
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
	case OPT_KEEP_CODES: a->o.keep_codes = arg; return 0;
	case OPT_MOVES: return cli_append(&a->moves, arg);
	case OPT_OLD_ROSTER: a->o.old_roster = arg; return 0;
	case OPT_FEATURES: return cli_append(&a->features, arg);
	case OPT_KEEP_THRESHOLD: return percent(arg, &a->o.keep_threshold);
	case OPT_MIN_AREA: return cli_number(&tool, key, arg, &a->o.min_area);
	default: return cli_staff_option(key, arg, &a->o.staff);
	}
}

static int run(cli_common *c, struct args *a, const char *old_name, const char *new_name)
{
	a->o.features = a->features.v;
	a->o.moves = a->moves.v;
	int rc;
	CLI_RUN(rc, c, diff, &a->o, old_name, new_name);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a = { .features = { NULL } };
	geo_diff_opts_init(&a.o);
	cli_common c;
	int first, rc = cli_parse(&tool, argc, argv, &c, &a.o.common, on_option, &a, &first);
	if (rc < 0)
		rc = run(&c, &a, argv[first], argv[first + 1]);
	cli_list_free(&a.features);
	cli_list_free(&a.moves);
	return rc;
}
