/*
** grid-info: describe a dataset or a layer; for grid layers, check codes.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static const cli_option options[] = {
	CLI_HEADING("Input"),
	CLI_OPTS_GRID_FIELDS,
	CLI_OPTS_WHERE,
	{ "s-srs", required_argument, CLI_S_SRS, "CRS", N_("input CRS when the layer has none") },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-info", "[options] DATASET[:LAYER]",
	N_("Print the layers of a dataset with CRS, feature counts, geometry types, extent and\n"
	"area in m²; for grid layers also the count per level and code problems."),
	options, 1, 1
};

static int on_option(int key, const char *arg, void *data)
{
	geo_info_opts *o = data;
	if (key == CLI_ID_FIELD)
		o->grid.id_field = arg;
	else if (key == CLI_PARENT_FIELD)
		o->grid.parent_field = arg;
	else
		return GEO_ERR_USAGE;
	return 0;
}

/* Options -> geo_info_opts -> geo_info -> its report -> the exit code. */
CLI_MAIN(tool, info)
