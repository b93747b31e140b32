/*
** grid-heat: kernel-density heatmaps of hazards and cases, by time window,
** as a GeoTIFF with a QGIS colour ramp, and optionally a per-grid map.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_RADIUS = CLI_TOOL_KEYS, O_PIXEL, O_KERNEL, O_SCALE, O_WEIGHT, O_EXTENT, O_TE,
	O_GRIDS, O_GRID_OUTPUT, O_COMPARE,
	O_THREADS, O_ALLOW_LARGE
};

static const cli_range radius_range = { NULL, 0, 1e5, CLI_ABOVE_MIN };
static const cli_range pixel_range = { NULL, 0.01, 1e4, 0 };
static const cli_range te_range[4] = {
	CLI_COORD_RANGE("XMIN"), CLI_COORD_RANGE("YMIN"), CLI_COORD_RANGE("XMAX"),
	CLI_COORD_RANGE("YMAX")
};
static const cli_range threads_range = { NULL, 0, 64, CLI_WHOLE };

static const char *const scales[] = { "raw", "density", NULL }; /* geo_heat_scale */

static const cli_option options[] = {
	CLI_HEADING("Kernel"),
	{ "radius", required_argument, O_RADIUS, "M", N_("bandwidth in metres (required)"), &radius_range },
	{ "pixel", required_argument, O_PIXEL, "M", N_("pixel size in metres (default: radius / 20)"),
	  &pixel_range },
	{ "kernel", required_argument, O_KERNEL, "NAME",
	  N_("quartic (default), triangular, uniform, epanechnikov, triweight or gaussian") },
	{ "scale", required_argument, O_SCALE, "SCALE",
	  N_("density: per km², integrates to the weight (default); raw: sum of weight x shape") },
	{ "weight", required_argument, O_WEIGHT, "FIELD", N_("numeric field weighting each point (default 1)") },
	CLI_HEADING("Extent (default: the points' extent grown by the radius)"),
	{ "extent", required_argument, O_EXTENT, "TOWN",
	  N_("cover the town's polygons, aligned to whole pixels; nodata outside the town") },
	{ "te", required_argument, O_TE, "XMIN YMIN XMAX YMAX",
	  N_("exactly this box in the working CRS (also XMIN,YMIN,XMAX,YMAX)"), te_range, 4 },
	CLI_HEADING("Time window and category"),
	CLI_OPTS_WINDOW,
	CLI_OPTS_WHERE,
	CLI_HEADING("Per-grid map"),
	{ "grids", required_argument, O_GRIDS, "GRIDS", N_("grid polygons to count the window's points in") },
	{ "grid-output", required_argument, O_GRID_OUTPUT, "OUT[:LAYER]", N_("where to write the per-grid map") },
	{ "compare-previous", no_argument, O_COMPARE, NULL,
	  N_("add the change from the previous window of the same length") },
	CLI_OPTS_ID_FIELD,
	CLI_HEADING("Input and output"),
	CLI_OPTS_OUTPUT,
	{ "s-srs", required_argument, CLI_S_SRS, "CRS", N_("the points' CRS when the layer has none") },
	{ "work-srs", required_argument, CLI_WORK_SRS, "CRS",
	  N_("projected CRS in metres to compute and write in") },
	{ "threads", required_argument, O_THREADS, "N", N_("threads to use (default 0: one per processor)"),
	  &threads_range },
	{ "allow-large", no_argument, O_ALLOW_LARGE, NULL,
	  N_("make a raster of over 10^8 pixels (refused otherwise: usually a mistyped size)") },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-heat", "[options] POINTS -o HEAT.tif",
	N_("Sum a kernel over the points of a time window into a Float32 GeoTIFF (density per\n"
	"km² or QGIS's raw sum) with a QGIS colour ramp; optionally map counts per grid."),
	options, 1, 1,
	.needs_output = N_("missing -o HEAT.tif"),
	.json_vs_stdout = N_("--json and --grid-output - both want standard output")
};

struct state {
	geo_heat_opts *o;
	int argc;
	char **argv;
};

/* --te takes four values: as one comma-separated argument or as the option's
** argument and the three words after it, like gdalwarp's -te. */
static int parse_te(struct state *s, const char *arg)
{
	const char *v[4];
	char buf[4][64];
	if (strchr(arg, ',')) {
		const char *p = arg;
		for (int i = 0; i < 4; i++) {
			size_t n = strcspn(p, ",");
			if (n >= sizeof buf[i] || (i < 3 && p[n] != ',') || (i == 3 && p[n]))
				return cli_usage_error(&tool, "--te: need XMIN,YMIN,XMAX,YMAX");
			memcpy(buf[i], p, n);
			buf[i][n] = '\0';
			v[i] = buf[i];
			p += n + 1;
		}
	} else {
		if (optind + 3 > s->argc)
			return cli_usage_error(&tool, "--te: need XMIN YMIN XMAX YMAX");
		v[0] = arg;
		for (int i = 1; i < 4; i++)
			v[i] = s->argv[optind++];
	}
	for (int i = 0; i < 4; i++)
		if (cli_part(&tool, O_TE, i, v[i], &s->o->te[i]))
			return GEO_ERR_USAGE;
	s->o->has_te = 1;
	return 0;
}

static int on_option(int key, const char *arg, void *data)
{
	struct state *s = data;
	geo_heat_opts *o = s->o;
	double n;
	int i;
	switch (key) {
	case O_RADIUS: return cli_number(&tool, key, arg, &o->radius);
	case O_PIXEL: return cli_number(&tool, key, arg, &o->pixel);
	case O_KERNEL:
		if (!geo_kernel_from_name(arg, &o->kernel))
			return cli_usage_error(&tool, "--kernel: unknown kernel '%s' (quartic, triangular, "
					       "uniform, epanechnikov, triweight, gaussian)", arg);
		return 0;
	case O_SCALE:
		if (cli_pick(&tool, arg, scales, "--scale: '%s' is neither raw nor density", &i))
			return GEO_ERR_USAGE;
		o->scale = (geo_heat_scale)i;
		return 0;
	case O_WEIGHT: o->weight_field = arg; return 0;
	case O_EXTENT: o->extent = arg; return 0;
	case O_TE: return parse_te(s, arg);
	case O_GRIDS: o->grids = arg; return 0;
	case O_GRID_OUTPUT: o->grid_output = arg; return 0;
	case O_COMPARE: o->compare_previous = 1; return 0;
	case CLI_ID_FIELD: o->grid.id_field = arg; return 0;
	case O_THREADS:
		if (cli_number(&tool, key, arg, &n))
			return GEO_ERR_USAGE;
		o->threads = (int)n;
		return 0;
	case O_ALLOW_LARGE: o->allow_large = 1; return 0;
	default: return GEO_ERR_USAGE;
	}
}

int main(int argc, char **argv)
{
	cli_common c;
	geo_heat_opts o;
	geo_heat_opts_init(&o);
	struct state s = { &o, argc, argv };
	int first, rc = cli_parse(&tool, argc, argv, &c, &o.common, on_option, &s, &first);
	if (rc < 0 && o.radius == 0)
		rc = cli_usage_error(&tool, "missing --radius M (the bandwidth in metres)");
	if (rc < 0 && cli_outputs(&c, 1, o.grid_output))
		rc = GEO_ERR_USAGE;
	if (rc < 0)
		CLI_RUN(rc, &c, heat, &o, argv[first]);
	return rc;
}
