/*
** grid-list: inspection lists (踏查清单), one per grid: the ponds and ditches
** to walk before the flood season, the households to visit, the hazards
** still open, each numbered on a small map of the grid and in a table with
** a box to tick, for the grid's worker.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_GRID_WHERE = CLI_TOOL_KEYS, OPT_PDF, OPT_SHEETS, OPT_TITLE, OPT_FONT
};

static const char *const sheets[] = { "grid", "worker", NULL }; /* geo_list_sheets */

static const cli_option options[] = {
	CLI_HEADING("Grids"),
	{ "grids", required_argument, 'g', "GRIDS[:LAYER]",
	  N_("the grid polygons (required; a layer of both levels lists the secondaries)") },
	CLI_OPTS_ID_FIELD,
	{ "grid-where", required_argument, OPT_GRID_WHERE, "EXPR",
	  N_("OGR SQL attribute filter on the grids") },
	CLI_OPTS_STAFF(N_("table of grid workers (CSV, XLSX, ...): code, worker, phone (网格编码, 网格员, 电话)")),
	{ "s-srs", required_argument, CLI_S_SRS, "CRS", N_("CRS of inputs that state none") },
	{ "work-srs", required_argument, CLI_WORK_SRS, "CRS", N_("projected CRS to compute in") },
	CLI_HEADING("Selecting"),
	CLI_OPTS_WHERE,
	CLI_OPTS_WINDOW_ONLY,
	CLI_OPTS_STRICT("exit 1 when features lie in no grid, or --where or the window selects none"),
	CLI_HEADING("Output"),
	CLI_OPTS_OUTPUT,
	{ "sheets", required_argument, OPT_SHEETS, "BY",
	  N_(".xlsx: a sheet per grid (default) or per worker") },
	{ "pdf", required_argument, OPT_PDF, "PATH.pdf",
	  N_("the printable lists: A4, a section per grid with its map") },
	{ "title", required_argument, OPT_TITLE, "TEXT",
	  N_("the lists' title (default from the layers: 坑塘踏查清单 ...)") },
	{ "font", required_argument, OPT_FONT, "FAMILY",
	  N_("font of the PDF (default Noto Sans CJK SC)") },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-list", "[options] -g GRIDS FEATURES...",
	N_("One inspection list per grid of the features of FEATURES (ponds and ditches before\n"
	"the flood season, households to visit, open hazards): each feature goes to exactly one\n"
	"grid by grid-place's rules and is numbered west to east in bands from the north. -o\n"
	"writes the lists as a table (.xlsx: a sheet per grid), --pdf as printable pages with\n"
	"a small map of each grid. Features in no grid are listed last and warned about."),
	options, 1, 64,
	.no_stdout = N_("-o -: the lists are a table; name a file (.xlsx, .csv)")
};

struct args {
	geo_list_opts o;
	const char *grids;
};

static int on_option(int key, const char *arg, void *data)
{
	struct args *a = data;
	geo_list_opts *o = &a->o;
	int i;
	switch (key) {
	case 'g': a->grids = arg; return 0;
	case CLI_ID_FIELD: o->grid.id_field = arg; return 0;
	case OPT_GRID_WHERE: o->grid_where = arg; return 0;
	case OPT_PDF: o->pdf = arg; return 0;
	case OPT_TITLE: o->title = arg; return 0;
	case OPT_FONT: o->font = arg; return 0;
	case OPT_SHEETS:
		if (cli_pick(&tool, arg, sheets, "--sheets: expected grid or worker, not '%s'", &i))
			return GEO_ERR_USAGE;
		o->sheets = (geo_list_sheets)i;
		return 0;
	default: return cli_staff_option(key, arg, &o->staff);
	}
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	geo_list_opts_init(&a.o);
	cli_common c;
	int first, rc = cli_parse(&tool, argc, argv, &c, &a.o.common, on_option, &a, &first);
	if (rc < 0 && !a.grids)
		rc = cli_usage_error(&tool, "-g GRIDS is required");
	if (rc < 0)
		CLI_RUN(rc, &c, list, &a.o, a.grids, (const char *const *)argv + first,
			(size_t)(argc - first));
	return rc;
}
