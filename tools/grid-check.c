/*
** grid-check: whether grids tile the town with no gap and no overlap, nest in
** their primaries and hold every point once; optionally writes the problems
** as a styled layer and a repaired copy.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_BOUNDARY = CLI_TOOL_KEYS, OPT_PARENTS, OPT_POINTS, OPT_MIN_AREA, OPT_SLIVER, OPT_FIX,
	OPT_SNAP, OPT_CODES
};

static const cli_range area_range = { NULL, 0, 1e10, 0 };
static const cli_range sliver_range = { NULL, 0, 1, 0 };
static const cli_range snap_range = { NULL, 0, 1000, 0 };

static const char *const schemes[] = { "any", "wangge", NULL }; /* geo_code_scheme */

static const cli_option options[] = {
	CLI_HEADING("Input"),
	{ "boundary", required_argument, OPT_BOUNDARY, "TOWN", N_("the polygon the grids must tile exactly") },
	{ "parents", required_argument, OPT_PARENTS, "PRIMARY",
	  N_("primary grids that GRIDS must nest in and tile") },
	{ "points", required_argument, OPT_POINTS, "LAYER",
	  N_("points that must lie in exactly one grid (repeatable)") },
	CLI_OPTS_GRID_FIELDS,
	CLI_OPTS_WHERE,
	CLI_OPTS_SRS,
	CLI_HEADING("Time window on --points"),
	CLI_OPTS_WINDOW,
	CLI_HEADING("Checks"),
	{ "min-area", required_argument, OPT_MIN_AREA, "M2",
	  N_("tolerate gaps, overlaps and spill smaller than this (default 1)"), &area_range },
	{ "sliver", required_argument, OPT_SLIVER, "T",
	  N_("report grids and gaps with thinness 4πA/P² under T as slivers (default 0.01)"),
	  &sliver_range },
	{ "codes", required_argument, OPT_CODES, "SCHEME",
	  N_("any: codes present and unique (default); wangge: also town+primary+secondary digits") },
	CLI_HEADING("Output"),
	{ "output", required_argument, 'o', "ERRORS", N_("write the problems as features, styled for QGIS") },
	{ "format", required_argument, 'f', "DRIVER", N_("format of ERRORS as a GDAL driver name") },
	{ "overwrite", no_argument, CLI_OVERWRITE, NULL, N_("replace existing outputs") },
	{ "fix", required_argument, OPT_FIX, "OUT", N_("write a repaired copy of GRIDS (see grid-check(1))") },
	{ "snap", required_argument, OPT_SNAP, "M", N_("with --fix: first snap vertices within M metres"),
	  &snap_range },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-check", "[options] GRIDS",
	N_("Check that grids tile the town with no gap, overlap or spill (横向到边), that\n"
	"secondaries nest in their primaries (纵向到底) and that every point lies in exactly\n"
	"one grid. Each problem is reported once, with its area in m² and a point inside it."),
	options, 1, 1,
	.json_vs_stdout = N_("--json and -o - both write to standard output"),
	.loud_problems = 1
};

struct args {
	geo_check_opts o;
	cli_list points;
};

static int on_option(int key, const char *arg, void *data)
{
	struct args *a = data;
	int i;
	switch (key) {
	case OPT_BOUNDARY: a->o.boundary = arg; return 0;
	case OPT_PARENTS: a->o.parents = arg; return 0;
	case CLI_ID_FIELD: a->o.grid.id_field = arg; return 0;
	case CLI_PARENT_FIELD: a->o.grid.parent_field = arg; return 0;
	case OPT_FIX: a->o.fix = arg; return 0;
	case OPT_MIN_AREA: return cli_number(&tool, key, arg, &a->o.min_area);
	case OPT_SLIVER: return cli_number(&tool, key, arg, &a->o.sliver);
	case OPT_SNAP: return cli_number(&tool, key, arg, &a->o.snap);
	case OPT_CODES:
		if (cli_pick(&tool, arg, schemes, "--codes: '%s' is not a scheme (any, wangge)", &i))
			return GEO_ERR_USAGE;
		a->o.codes = (geo_code_scheme)i;
		return 0;
	case OPT_POINTS: return cli_append(&a->points, arg);
	default:
		return GEO_ERR_USAGE;
	}
}

/* What only grid-check's options say together; -1 when they agree. */
static int check_args(const struct args *a)
{
	if (a->o.snap > 0 && !a->o.fix)
		return cli_usage_error(&tool, "--snap only applies with --fix");
	if (geo_window_opts_given(&a->o.common.window) && !a->points.v)
		return cli_usage_error(&tool, "a time window applies to --points: give some");
	if (a->o.fix && a->o.common.output && !strcmp(a->o.fix, a->o.common.output))
		return cli_usage_error(&tool, "--fix and -o name the same output");
	return -1;
}

static int run(cli_common *c, struct args *a, const char *grids)
{
	const char *inputs[] = { grids, a->o.boundary, a->o.parents, NULL };
	a->o.points = a->points.v;
	a->o.common.out.inputs = inputs;
	int rc;
	CLI_RUN(rc, c, check, &a->o, grids);
	return rc;
}

int main(int argc, char **argv)
{
	cli_common c;
	struct args a = { .points = { NULL } };
	geo_check_opts_init(&a.o);
	int first, rc = cli_parse(&tool, argc, argv, &c, &a.o.common, on_option, &a, &first);
	if (rc < 0)
		rc = check_args(&a);
	if (rc < 0)
		rc = run(&c, &a, argv[first]);
	cli_list_free(&a.points);
	return rc;
}
