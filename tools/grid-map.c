/*
** grid-map: draw grids, points and a heat raster as a printable map (PNG,
** SVG or PDF on A4 or A3), and write a QGIS project holding the layers with
** their styles.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_TITLE = CLI_TOOL_KEYS, OPT_SUBTITLE, OPT_LABEL, OPT_CATEGORY, OPT_FILL, OPT_FILL_TITLE,
	OPT_RASTER, OPT_RASTER_TITLE, OPT_RASTER_UNITS, OPT_PAPER, OPT_LANDSCAPE, OPT_PORTRAIT,
	OPT_DPI, OPT_FONT, OPT_LEVEL_FIELD, OPT_QGIS
};

static const cli_range dpi_range = { NULL, 50, 600, 0 };

static const char *const papers[] = { "a4", "a3", NULL }; /* geo_paper */

static const cli_option options[] = {
	CLI_HEADING("Output"),
	{ "output", required_argument, 'o', "MAP", N_("write the map to MAP.png, MAP.svg or MAP.pdf") },
	{ "format", required_argument, 'f', "FMT", N_("png, svg or pdf (default: from the extension)") },
	{ "overwrite", no_argument, CLI_OVERWRITE, NULL, N_("replace existing output files") },
	{ "qgis-project", required_argument, OPT_QGIS, "OUT.qgs",
	  N_("also write a QGIS project holding the layers with their styles") },
	CLI_HEADING("Page"),
	{ "paper", required_argument, OPT_PAPER, "a4|a3", N_("paper size (default a4)") },
	{ "landscape", no_argument, OPT_LANDSCAPE, NULL, N_("landscape page (default: what fits the data best)") },
	{ "portrait", no_argument, OPT_PORTRAIT, NULL, N_("portrait page") },
	{ "dpi", required_argument, OPT_DPI, "N", N_("PNG resolution (default 200)"), &dpi_range },
	{ "title", required_argument, OPT_TITLE, "TEXT", N_("title at the top") },
	{ "subtitle", required_argument, OPT_SUBTITLE, "TEXT", N_("second line, such as the date range") },
	{ "font", required_argument, OPT_FONT, "FAMILY", N_("font family (default Noto Sans CJK SC)") },
	CLI_HEADING("What to draw"),
	{ "label", required_argument, OPT_LABEL, "FIELD", N_("label grids with FIELD (grid_id, name)") },
	{ "category", required_argument, OPT_CATEGORY, "FIELD", N_("colour points by FIELD") },
	{ "fill", required_argument, OPT_FILL, "FIELD", N_("colour grids by the number in FIELD") },
	{ "fill-title", required_argument, OPT_FILL_TITLE, "TEXT", N_("legend heading for --fill") },
	{ "raster", required_argument, OPT_RASTER, "HEAT.tif", N_("draw a heat raster beneath") },
	{ "raster-title", required_argument, OPT_RASTER_TITLE, "TEXT", N_("legend heading for --raster") },
	{ "raster-units", required_argument, OPT_RASTER_UNITS, "TEXT",
	  N_("units of --raster (default: the band's unit type)") },
	{ "level-field", required_argument, OPT_LEVEL_FIELD, "FIELD", N_("grid level field (default level)") },
	CLI_HEADING("Input"),
	{ "s-srs", required_argument, CLI_S_SRS, "CRS", N_("CRS of layers that have none (GCJ02 for web-map CSV)") },
	{ "work-srs", required_argument, CLI_WORK_SRS, "CRS", N_("projected CRS to draw in") },
	{ "where", required_argument, CLI_WHERE, "EXPR", N_("OGR SQL filter on the point layers") },
	CLI_OPTS_TOWN,
	CLI_HEADING("Time window on the point layers that have the date field"),
	CLI_OPTS_WINDOW,
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-map", "[options] -o MAP.png|MAP.svg|MAP.pdf [KIND[,TITLE]=]LAYER...",
	N_("Draw a printable map: grids (primary thick, secondary thin, labelled), a heat raster\n"
	"beneath, points above, with title, legend, scale bar and north arrow.\n"
	"KIND is grids, primary, secondary, boundary, areas, lines or points; without it\n"
	"grid-map decides from the geometry, the layer's name and its fields. TITLE names\n"
	"the layer in the legend: points,隐患=town.gpkg:hazards"),
	options, 0, 256
};

static int on_option(int key, const char *arg, void *data)
{
	geo_map_opts *o = data;
	double v;
	int i;
	switch (key) {
	case OPT_TITLE: o->title = arg; break;
	case OPT_SUBTITLE: o->subtitle = arg; break;
	case OPT_LABEL: o->label_field = arg; break;
	case OPT_CATEGORY: o->category_field = arg; break;
	case OPT_FILL: o->fill_field = arg; break;
	case OPT_FILL_TITLE: o->fill_title = arg; break;
	case OPT_RASTER: o->raster = arg; break;
	case OPT_RASTER_TITLE: o->raster_title = arg; break;
	case OPT_RASTER_UNITS: o->raster_units = arg; break;
	case OPT_LANDSCAPE: o->orient = GEO_ORIENT_LANDSCAPE; break;
	case OPT_PORTRAIT: o->orient = GEO_ORIENT_PORTRAIT; break;
	case OPT_FONT: o->font = arg; break;
	case OPT_LEVEL_FIELD: o->level_field = arg; break;
	case OPT_QGIS: o->qgis_project = arg; break;
	case OPT_PAPER:
		if (cli_pick_nocase(&tool, arg, papers, "--paper: '%s' is not a4 or a3", &i))
			return GEO_ERR_USAGE;
		o->paper = (geo_paper)i;
		break;
	case OPT_DPI:
		if (cli_number(&tool, key, arg, &v))
			return GEO_ERR_USAGE;
		o->dpi = v;
		break;
	default:
		return GEO_ERR_USAGE;
	}
	return 0;
}

/* The LAYER arguments into layers, each one's text kept in bufs. */
static int parse_layers(geo_ctx *ctx, char **args, size_t n, geo_map_layer *layers, char **bufs)
{
	for (size_t i = 0; i < n; i++) {
		if (!(bufs[i] = malloc(strlen(args[i]) + 1)))
			return GEO_ERR_INTERNAL;
		if (geo_map_layer_parse(ctx, args[i], bufs[i], &layers[i]))
			return cli_usage_error(&tool, "%s", geo_last_error(ctx));
	}
	return 0;
}

static int run(cli_common *c, geo_map_opts *o, char **args, size_t n)
{
	geo_map_layer *layers = calloc(n ? n : 1, sizeof *layers);
	char **bufs = calloc(n ? n : 1, sizeof *bufs);
	geo_ctx *ctx = cli_context(c);
	int rc = !layers || !bufs || !ctx ? GEO_ERR_INTERNAL : parse_layers(ctx, args, n, layers, bufs);
	if (rc)
		geo_ctx_free(ctx);
	else
		CLI_VERB(rc, c, ctx, map, o, layers, n);
	for (size_t i = 0; bufs && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(layers);
	return rc;
}

int main(int argc, char **argv)
{
	cli_common c;
	geo_map_opts o;
	geo_map_opts_init(&o);
	int first, rc = cli_parse(&tool, argc, argv, &c, &o.common, on_option, &o, &first);
	if (rc >= 0)
		return rc;
	if (argc == first && !o.raster)
		return cli_usage_error(&tool, "nothing to draw: give at least one LAYER or --raster");
	if (!o.common.output && !o.qgis_project)
		return cli_usage_error(&tool, "no output: give -o MAP.png|MAP.svg|MAP.pdf or --qgis-project");
	return run(&c, &o, argv + first, (size_t)(argc - first));
}
