/*
** grid-assess: the periodic assessment of grids and their workers (月考评,
** 季汇报, 年终量化评比) from the town's ledgers: one row per grid and one
** per worker, ranked, against the period before; tables as XLSX, a
** printable PDF report with the map.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_GRIDS = CLI_TOOL_KEYS,
	OPT_HOUSEHOLDS,
	OPT_HAZARDS,
	OPT_CASES,
	OPT_VISITS,
	OPT_PONDS,
	OPT_DITCHES,
	OPT_INSPECTIONS,
	OPT_WORKER_FIELD,
	OPT_FLOOD_START,
	OPT_REPORT,
	OPT_TITLE
};

static const cli_option options[] = {
	CLI_HEADING("Ledgers (default: the layer of that name in TOWN)"),
	{ "grids", required_argument, OPT_GRIDS, "PATH[:LAYER]",
	  N_("the grids assessed (default TOWN:secondary)") },
	{ "worker-field", required_argument, OPT_WORKER_FIELD, "FIELD",
	  N_("the grids' worker field (default worker)") },
	{ "households", required_argument, OPT_HOUSEHOLDS, "PATH[:LAYER]",
	  N_("household points with hh_id") },
	{ "visits", required_argument, OPT_VISITS, "PATH[:LAYER]",
	  N_("visits ledger: hh_id, worker, date") },
	{ "hazards", required_argument, OPT_HAZARDS, "PATH[:LAYER]",
	  N_("hazard points: date, deadline, closed") },
	{ "cases", required_argument, OPT_CASES, "PATH[:LAYER]",
	  N_("case points: date, level (grid, area, town)") },
	{ "ponds", required_argument, OPT_PONDS, "PATH[:LAYER]", N_("pond polygons with pond_id") },
	{ "ditches", required_argument, OPT_DITCHES, "PATH[:LAYER]", N_("ditch lines with ditch_id") },
	{ "inspections", required_argument, OPT_INSPECTIONS, "PATH[:LAYER]",
	  N_("pond and ditch inspections: pond_id, date (default TOWN:pond_inspections)") },
	CLI_HEADING("Period"),
	CLI_OPTS_WINDOW_ONLY,
	{ "flood-start", required_argument, OPT_FLOOD_START, "MM-DD",
	  N_("first day of the flood season (default 06-01)") },
	{ "s-srs", required_argument, CLI_S_SRS, "CRS", N_("CRS of inputs that state none") },
	{ "work-srs", required_argument, CLI_WORK_SRS, "CRS", N_("projected CRS to compute in") },
	CLI_OPTS_TOWN,
	CLI_HEADING("Output"),
	CLI_OPTS_OUTPUT,
	{ "report", required_argument, OPT_REPORT, "PATH.pdf",
	  N_("the printable report: map, town, ranked tables") },
	{ "title", required_argument, OPT_TITLE, "TEXT", N_("the report's title (the town's name)") },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-assess",
	"[options] --month 2021-09 TOWN",
	N_("Assess every grid and grid worker of TOWN for a period from its ledgers: households\n"
	"visited every week, hazards found, closed and closed on time, cases by the level that\n"
	"solved them, ponds and ditches inspected before the flood season; a score, a rank and\n"
	"the change against the period before. -o writes the tables (.xlsx: one sheet each),\n"
	"--report the printable PDF."),
	options, 1, 1,
	.no_stdout = N_("-o -: the tables are a workbook; name a file (.xlsx)")
};

static int on_option(int key, const char *arg, void *data)
{
	geo_assess_opts *o = data;
	switch (key) {
	case OPT_GRIDS: o->grids = arg; return 0;
	case OPT_HOUSEHOLDS: o->households = arg; return 0;
	case OPT_HAZARDS: o->hazards = arg; return 0;
	case OPT_CASES: o->cases = arg; return 0;
	case OPT_VISITS: o->visits = arg; return 0;
	case OPT_PONDS: o->ponds = arg; return 0;
	case OPT_DITCHES: o->ditches = arg; return 0;
	case OPT_INSPECTIONS: o->inspections = arg; return 0;
	case OPT_WORKER_FIELD: o->worker_field = arg; return 0;
	case OPT_FLOOD_START: o->flood_start = arg; return 0;
	case OPT_REPORT: o->report = arg; return 0;
	case OPT_TITLE: o->title = arg; return 0;
	default: return GEO_ERR_USAGE;
	}
}

/* Options -> geo_assess_opts -> geo_assess -> its report -> the exit code. */
CLI_MAIN(tool, assess)
