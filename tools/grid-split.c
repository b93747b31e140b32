/*
** grid-split: split a town into balanced primary and secondary grids along
** roads, rivers and village limits, or into regular cells.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_HOUSEHOLDS = CLI_TOOL_KEYS, OPT_WEIGHT, OPT_PERSONS, OPT_BARRIERS, OPT_CLASS,
	OPT_VILLAGES, OPT_VILLAGE_NAME, OPT_PRIMARY, OPT_PRIMARY_BY, OPT_SECONDARY, OPT_MAX,
	OPT_METHOD, OPT_TOLERANCE, OPT_TOWN_CODE, OPT_SEED, OPT_KEEP, OPT_KEEP_FROM, OPT_REDRAW,
	OPT_REDRAW_GRIDS, OPT_REPORT, OPT_ALLOW_LARGE
};

static const cli_range count_range = { NULL, 1, 100000, CLI_WHOLE };
static const cli_range households_range = { NULL, 0, 1e9, CLI_ABOVE_MIN };
static const cli_range method_range[3] = {
	{ "SIZE", 0.1, 1e5, 0 }, CLI_COORD_RANGE("X0"), CLI_COORD_RANGE("Y0")
};
static const cli_range tolerance_range = { NULL, 0, 100, CLI_ABOVE_MIN | CLI_BELOW_MAX };
static const cli_range seed_range = { NULL, 0, 4294967295.0, CLI_WHOLE };

static const cli_option options[] = {
	CLI_HEADING("Input (LAYER may name a layer of TOWN's file)"),
	{ "households", required_argument, OPT_HOUSEHOLDS, "LAYER", N_("household points to balance") },
	{ "weight-field", required_argument, OPT_WEIGHT, "FIELD",
	  N_("what a household weighs (default: each counts 1)") },
	{ "persons-field", required_argument, OPT_PERSONS, "FIELD",
	  N_("persons per household, summed per grid (default persons)") },
	{ "barriers", required_argument, OPT_BARRIERS, "LAYER",
	  N_("roads, rivers, canals for limits to follow (repeatable)") },
	{ "barrier-class", required_argument, OPT_CLASS, "FIELD",
	  N_("barrier class (river, primary, lane... or a cost 0-1)") },
	{ "villages", required_argument, OPT_VILLAGES, "LAYER",
	  N_("village limits; primaries never cross them") },
	{ "village-name", required_argument, OPT_VILLAGE_NAME, "FIELD",
	  N_("village name field (default name)") },
	CLI_OPTS_WHERE,
	CLI_OPTS_SRS,
	CLI_HEADING("Grids"),
	{ "primary", required_argument, OPT_PRIMARY, "N",
	  N_("primary grids (default: one per village)"), &count_range },
	{ "primary-by", required_argument, OPT_PRIMARY_BY, "villages",
	  N_("one primary per village (per separate part)") },
	{ "secondary", required_argument, OPT_SECONDARY, "M",
	  N_("secondary grids in all, shared by household share"), &count_range },
	{ "max-households", required_argument, OPT_MAX, "H",
	  N_("instead of --secondary: at most H per secondary (default 200)"), &households_range },
	{ "method", required_argument, OPT_METHOD, "METHOD",
	  N_("balanced (default), square:SIZE[,X0,Y0] or hex:SIZE[,X0,Y0]"), method_range, 3 },
	{ "allow-large", no_argument, OPT_ALLOW_LARGE, NULL,
	  N_("square/hex: allow over 10^6 cells over the town's extent") },
	{ "tolerance", required_argument, OPT_TOLERANCE, "PCT",
	  N_("allowed deviation from the target weight (default 10)"), &tolerance_range },
	{ "town-code", required_argument, OPT_TOWN_CODE, "CODE",
	  N_("9-digit town code that grid codes start with (default: the town's code field)") },
	{ "seed", required_argument, OPT_SEED, "N", N_("random seed (same seed, same output)"), &seed_range },
	{ "keep-codes-from", required_argument, OPT_KEEP, "OLD",
	  N_("reuse the codes of old grids the new ones match") },
	CLI_HEADING("Partial redraw (after an election in some villages)"),
	{ "keep-from", required_argument, OPT_KEEP_FROM, "OLD",
	  N_("the current grids, both levels; all but the redrawn are kept exactly") },
	{ "redraw", required_argument, OPT_REDRAW, "VILLAGE,...",
	  N_("redraw the primaries and secondaries of these villages (--village-name)") },
	{ "redraw-grids", required_argument, OPT_REDRAW_GRIDS, "CODE,...",
	  N_("redraw these primaries (with their secondaries) or secondaries") },
	CLI_HEADING("Output"),
	CLI_OPTS_OUTPUT,
	{ "report", required_argument, OPT_REPORT, "FILE",
	  N_("per-grid table (.csv, .xlsx, .ods): households, shape, limits") },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-split", "[options] TOWN[:LAYER] [-o GRIDS]",
	N_("Split a town into primary grids inside village limits and secondary grids inside\n"
	"primaries, balanced by households, with limits along roads, rivers and village\n"
	"limits; or into square or hexagon cells."),
	options, 1, 1,
	.json_vs_stdout = N_("--json prints on standard output; write the grids with -o GRIDS"),
	.stdout_default = 1
};

/* square:SIZE[,X0,Y0] or hex:SIZE[,X0,Y0]. */
static int parse_method(geo_split_opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	if (!strcmp(arg, "balanced")) {
		o->method = GEO_SPLIT_BALANCED;
		return 0;
	}
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	if (n == 6 && !strncmp(arg, "square", 6))
		o->method = GEO_SPLIT_SQUARE;
	else if (n == 3 && !strncmp(arg, "hex", 3))
		o->method = GEO_SPLIT_HEX;
	else
		return cli_usage_error(&tool, "--method %s: say balanced, square:SIZE or hex:SIZE", arg);
	char rest[256];
	snprintf(rest, sizeof rest, "%s", colon ? colon + 1 : "");
	char *x0 = strchr(rest, ','), *y0 = x0 ? strchr(x0 + 1, ',') : NULL;
	if (x0)
		*x0++ = '\0';
	if (y0)
		*y0++ = '\0';
	if (!colon || (x0 && !y0))
		return cli_usage_error(&tool, "--method %s: say %.*s:SIZE or %.*s:SIZE,X0,Y0", arg,
				       (int)n, arg, (int)n, arg);
	if (cli_part(&tool, OPT_METHOD, 0, rest, &o->cell_size) ||
	    (x0 && cli_part(&tool, OPT_METHOD, 1, x0, &o->origin_x)) ||
	    (y0 && cli_part(&tool, OPT_METHOD, 2, y0, &o->origin_y)))
		return GEO_ERR_USAGE;
	return 0;
}

static int count(int key, const char *arg, int *out)
{
	double v;
	if (cli_number(&tool, key, arg, &v))
		return GEO_ERR_USAGE;
	*out = (int)v;
	return 0;
}

static int on_option(int key, const char *arg, void *data)
{
	geo_split_opts *o = data;
	double d;
	switch (key) {
	case OPT_HOUSEHOLDS: o->households = arg; return 0;
	case OPT_WEIGHT: o->weight_field = arg; return 0;
	case OPT_PERSONS: o->persons_field = arg; return 0;
	case OPT_BARRIERS:
		if (o->nbarriers == GEO_SPLIT_MAX_BARRIERS)
			return cli_usage_error(&tool, "--barriers: at most %d layers",
					       GEO_SPLIT_MAX_BARRIERS);
		o->barriers[o->nbarriers++] = arg;
		return 0;
	case OPT_CLASS: o->barrier_class = arg; return 0;
	case OPT_VILLAGES: o->villages = arg; return 0;
	case OPT_VILLAGE_NAME: o->village_name = arg; return 0;
	case OPT_PRIMARY: return count(key, arg, &o->primaries);
	case OPT_PRIMARY_BY:
		if (strcmp(arg, "villages"))
			return cli_usage_error(&tool, "--primary-by %s: only 'villages' is known", arg);
		o->primary_by_villages = 1;
		return 0;
	case OPT_SECONDARY: return count(key, arg, &o->secondaries);
	case OPT_MAX: return cli_number(&tool, key, arg, &o->max_households);
	case OPT_ALLOW_LARGE: o->allow_large = 1; return 0;
	case OPT_METHOD: return parse_method(o, arg);
	case OPT_TOLERANCE:
		if (cli_number(&tool, key, arg, &d))
			return GEO_ERR_USAGE;
		o->tolerance = d / 100;
		return 0;
	case OPT_TOWN_CODE:
		if (!geo_grid_town_code_ok(arg))
			return cli_usage_error(&tool, "--town-code %s: must be 9 digits", arg);
		o->town_code = arg;
		return 0;
	case OPT_SEED:
		if (cli_number(&tool, key, arg, &d))
			return GEO_ERR_USAGE;
		o->seed = (unsigned long)d;
		return 0;
	case OPT_KEEP: o->keep_codes_from = arg; return 0;
	case OPT_KEEP_FROM: o->keep_from = arg; return 0;
	case OPT_REDRAW: o->redraw = arg; return 0;
	case OPT_REDRAW_GRIDS: o->redraw_grids = arg; return 0;
	case OPT_REPORT: o->report_table = arg; return 0;
	default: return GEO_ERR_USAGE;
	}
}

/* The inputs the grids may not be written over. */
static void input_names(const geo_split_opts *o, const char *town, const char **inputs)
{
	size_t ni = 0;
	inputs[ni++] = town;
	if (o->households)
		inputs[ni++] = o->households;
	if (o->villages)
		inputs[ni++] = o->villages;
	if (o->keep_codes_from)
		inputs[ni++] = o->keep_codes_from;
	if (o->keep_from)
		inputs[ni++] = o->keep_from;
	for (int i = 0; i < o->nbarriers; i++)
		inputs[ni++] = o->barriers[i];
	inputs[ni] = NULL;
}

int main(int argc, char **argv)
{
	cli_common c;
	geo_split_opts o;
	geo_split_opts_init(&o);
	const char *inputs[GEO_SPLIT_MAX_BARRIERS + 6];
	int first, rc = cli_parse(&tool, argc, argv, &c, &o.common, on_option, &o, &first);
	if (rc < 0) {
		input_names(&o, argv[first], inputs);
		o.common.out.inputs = inputs;
		CLI_RUN(rc, &c, split, &o, argv[first]);
	}
	return rc;
}
