/*
** grid-place: put every feature (camera, household, pond, ditch, hazard,
** case) into its grid, adding grid_id and parent_id; optionally count them
** per grid.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_MODE = CLI_TOOL_KEYS, OPT_SUMMARY, OPT_SUM, OPT_COUNT_BY, OPT_COPY, OPT_PARENTS,
	OPT_UNPLACED, OPT_MAX_DISTANCE
};

static const cli_range distance_range = { NULL, 0, 1e5, 0 };

static const char *const modes[] = { "largest", "centroid", "split", NULL }; /* geo_place_mode */

static const cli_option options[] = {
	CLI_HEADING("Grids"),
	{ "grids", required_argument, 'g', "GRIDS[:LAYER]", N_("the grid polygons (required)") },
	{ "parents", required_argument, OPT_PARENTS, "PRIMARY",
	  N_("primary grids: parent_id by geometry where the grids have none") },
	CLI_OPTS_GRID_FIELDS,
	{ "copy-fields", required_argument, OPT_COPY, "A,B", N_("grid fields to copy onto the features") },
	CLI_HEADING("Placing"),
	{ "mode", required_argument, OPT_MODE, "MODE",
	  N_("lines and polygons: largest (default), centroid or split") },
	{ "max-distance", required_argument, OPT_MAX_DISTANCE, "M",
	  N_("give features up to M metres outside every grid to the nearest"), &distance_range },
	CLI_OPTS_SRS,
	CLI_HEADING("Selecting"),
	CLI_OPTS_WHERE,
	CLI_OPTS_WINDOW_ONLY,
	CLI_OPTS_STRICT("exit 1 when features are left unplaced, or --where or the window selects none"),
	CLI_HEADING("Output"),
	CLI_OPTS_OUTPUT,
	{ "unplaced", required_argument, OPT_UNPLACED, "PATH", N_("write the unplaced features to PATH") },
	{ "summary", required_argument, OPT_SUMMARY, "PATH",
	  N_("one row per grid: count, length or area, sums (CSV or vector)") },
	{ "sum", required_argument, OPT_SUM, "FIELD[,FIELD]", N_("numeric fields to sum per grid") },
	{ "count-by", required_argument, OPT_COUNT_BY, "FIELD", N_("a count column per value of FIELD") },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-place", "[options] -g GRIDS FEATURES",
	N_("Add grid_id and parent_id to every feature of FEATURES ('-': standard input): points\n"
	"by the grid holding them (a point on a shared edge goes to the grid to its right or\n"
	"above), lines and polygons by --mode. Writes GeoJSON to standard output unless -o\n"
	"or --summary is given."),
	options, 1, 1
};

struct args {
	geo_place_opts o;
	const char *grids;
};

static int on_option(int key, const char *arg, void *data)
{
	struct args *a = data;
	geo_place_opts *o = &a->o;
	int i;
	switch (key) {
	case 'g': a->grids = arg; return 0;
	case OPT_PARENTS: o->parents = arg; return 0;
	case CLI_ID_FIELD: o->grid.id_field = arg; return 0;
	case CLI_PARENT_FIELD: o->grid.parent_field = arg; return 0;
	case OPT_COPY: o->copy_fields = arg; return 0;
	case OPT_UNPLACED: o->unplaced = arg; return 0;
	case OPT_SUMMARY: o->summary = arg; return 0;
	case OPT_SUM: o->sum_fields = arg; return 0;
	case OPT_COUNT_BY: o->count_by = arg; return 0;
	case OPT_MAX_DISTANCE: return cli_number(&tool, key, arg, &o->max_distance);
	case OPT_MODE:
		if (cli_pick(&tool, arg, modes, "--mode: '%s' is not largest, centroid or split", &i))
			return GEO_ERR_USAGE;
		o->mode = (geo_place_mode)i;
		return 0;
	default: return GEO_ERR_USAGE;
	}
}

int main(int argc, char **argv)
{
	cli_common c;
	struct args a = { .grids = NULL };
	geo_place_opts_init(&a.o);
	int first, rc = cli_parse(&tool, argc, argv, &c, &a.o.common, on_option, &a, &first);
	if (rc >= 0)
		return rc;
	if (!a.grids)
		return cli_usage_error(&tool, "missing -g GRIDS");
	/* The features go to standard output unless -o or --summary says otherwise. */
	if (!a.o.common.output && !a.o.summary)
		a.o.common.output = "-";
	cli_outputs(&c, 1, a.o.common.output);
	CLI_RUN(rc, &c, place, &a.o, a.grids, argv[first]);
	return rc;
}
