/*
** grid-cover: what the cameras see, where nobody looks: a coverage raster,
** a per-grid table and blind-spot polygons, from GDAL's viewshed with each
** camera's sector and tilt.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_GRIDS = CLI_TOOL_KEYS, O_DEM, O_OBSTACLES, O_HEIGHT_FIELD, O_CELL, O_TARGET_HEIGHT,
	O_SUMMARY, O_BLIND, O_MIN_AREA, O_ROADS, O_HOUSEHOLDS, O_CAM_HEIGHT, O_AZIMUTH, O_FOV,
	O_RANGE, O_TILT, O_VFOV, O_KIND, O_RESOLUTION, O_DORI, O_THREADS, O_ADD, O_TARGET, O_SITES,
	O_PROPOSED, O_SPACING, O_ADD_HEIGHT, O_ADD_FOV, O_ADD_RANGE, O_EXACT, O_TIME_LIMIT, O_DEMAND,
	O_WEIGHT_FIELD
};

static const cli_range cell_range = { NULL, 0, 1e4, CLI_ABOVE_MIN };
static const cli_range height_range = { NULL, 0, 1e4, 0 };
static const cli_range area_range = { NULL, 0, 1e12, 0 };
static const cli_range add_range = { NULL, 1, 100000, CLI_WHOLE };
static const cli_range length_range = { NULL, 0, 1e5, CLI_ABOVE_MIN };
static const cli_range fov_range = { NULL, 0, 360, CLI_ABOVE_MIN };
static const cli_range pct_range = { NULL, 0, 100, CLI_ABOVE_MIN };
static const cli_range seconds_range = { NULL, 0, 1e6, CLI_ABOVE_MIN };
static const cli_range threads_range = { NULL, 0, 64, CLI_WHOLE };

static const cli_option options[] = {
	CLI_HEADING("Surface"),
	{ "grids", required_argument, 'g', "GRIDS", N_("grid polygons: the extent, the table's rows") },
	{ "dem", required_argument, O_DEM, "DEM", N_("elevation raster in the working CRS (default: flat)") },
	{ "obstacles", required_argument, O_OBSTACLES, "LAYER", N_("building footprints burnt onto the surface") },
	{ "height-field", required_argument, O_HEIGHT_FIELD, "FIELD", N_("the obstacles' height in metres (default height_m)") },
	{ "cell", required_argument, O_CELL, "M", N_("cell size in metres (default: from the extent)"), &cell_range },
	{ "target-height", required_argument, O_TARGET_HEIGHT, "M", N_("height seen above the surface (default 1.5)"), &height_range },
	CLI_HEADING("Camera fields (absent or null: the defaults of the camera's kind)"),
	{ "height", required_argument, O_CAM_HEIGHT, "FIELD", N_("mount height above the surface (default height_m)") },
	{ "azimuth", required_argument, O_AZIMUTH, "FIELD", N_("heading, degrees from north (default azimuth_deg)") },
	{ "fov", required_argument, O_FOV, "FIELD", N_("horizontal field of view (default fov_deg)") },
	{ "range", required_argument, O_RANGE, "FIELD", N_("range in metres (default range_m)") },
	{ "tilt", required_argument, O_TILT, "FIELD", N_("degrees below the horizon (default tilt_deg)") },
	{ "vfov", required_argument, O_VFOV, "FIELD", N_("vertical field of view (default vfov_deg)") },
	{ "kind", required_argument, O_KIND, "FIELD", N_("camera kind: high_point/高点, ptz, dome, bullet/枪机... (default type)") },
	{ "resolution", required_argument, O_RESOLUTION, "FIELD", N_("horizontal pixels, for the DORI range (default resolution_px)") },
	{ "dori", required_argument, O_DORI, "LEVEL", N_("detection (default), observation, recognition or identification") },
	CLI_OPTS_WHERE,
	CLI_HEADING("Outputs"),
	CLI_OPTS_OUTPUT,
	{ "summary", required_argument, O_SUMMARY, "TABLE", N_("per-grid table (needs -g)") },
	{ "blind-spots", required_argument, O_BLIND, "LAYER", N_("polygons of the cells no camera sees") },
	{ "min-area", required_argument, O_MIN_AREA, "M2", N_("smallest blind spot kept (default 100)"), &area_range },
	/* xgettext:no-c-format */
	{ "roads", required_argument, O_ROADS, "LAYER", N_("road lines: % of their length seen, in --summary") },
	/* xgettext:no-c-format */
	{ "households", required_argument, O_HOUSEHOLDS, "LAYER", N_("household points: % seen, in --summary") },
	CLI_OPTS_ID_FIELD,
	CLI_HEADING("Placement (demand: cells in the grids, weighted up on roads, at households and --demand)"),
	{ "add", required_argument, O_ADD, "K", N_("propose K new cameras (lazy greedy)"), &add_range },
	/* xgettext:no-c-format */
	{ "target", required_argument, O_TARGET, "P", N_("or the fewest new cameras to see P% of the demand"),
	  &pct_range },
	{ "demand", required_argument, O_DEMAND, "LAYER", N_("more demand: public spaces (points, lines, polygons)") },
	{ "weight-field", required_argument, O_WEIGHT_FIELD, "FIELD", N_("its weight per cell (default weight, else 8)") },
	{ "sites", required_argument, O_SITES, "LAYER", N_("candidate sites (default: along --roads)") },
	{ "proposed", required_argument, O_PROPOSED, "LAYER", N_("where the proposed cameras go") },
	{ "site-spacing", required_argument, O_SPACING, "M", N_("metres between sites along roads (default 50)"), &length_range },
	{ "add-height", required_argument, O_ADD_HEIGHT, "M", N_("the new cameras' height (default 6)"), &height_range },
	{ "add-fov", required_argument, O_ADD_FOV, "DEG", N_("their field of view (default 90; 360: PTZ)"), &fov_range },
	{ "add-range", required_argument, O_ADD_RANGE, "M", N_("their range (default 100)"), &length_range },
	{ "exact", no_argument, O_EXACT, NULL, N_("then GLPK's exact MIP from that answer (a build with GLPK)") },
	{ "time-limit", required_argument, O_TIME_LIMIT, "S", N_("--exact's seconds (default 60)"), &seconds_range },
	{ "s-srs", required_argument, CLI_S_SRS, "CRS", N_("the cameras' CRS when the layer has none") },
	{ "work-srs", required_argument, CLI_WORK_SRS, "CRS", N_("projected CRS in metres to compute in") },
	{ "threads", required_argument, O_THREADS, "N", N_("threads to use (default: one per processor)"), &threads_range },
	CLI_HEADING("Report"),
	CLI_OPTS_REPORT,
	CLI_OPTS_BASIC,
	CLI_END
};

static const cli_tool tool = {
	"grid-cover", "[options] CAMERAS -o COVERAGE.tif",
	N_("Count the cameras that see each cell (GDAL's viewshed with each camera's sector\n"
	"and tilt) into a UInt16 GeoTIFF with a QGIS style; per grid the share seen; blind spots."),
	options, 1, 1,
	.needs_output = N_("missing -o COVERAGE.tif"),
	.json_vs_stdout = N_("--json and an output on standard output both want it")
};

static int on_option(int key, const char *arg, void *data)
{
	geo_cover_opts *o = data;
	double n;
	switch (key) {
	case 'g': o->grids = arg; return 0;
	case O_DEM: o->dem = arg; return 0;
	case O_OBSTACLES: o->obstacles = arg; return 0;
	case O_HEIGHT_FIELD: o->height_field = arg; return 0;
	case O_CELL: return cli_number(&tool, key, arg, &o->cell);
	case O_TARGET_HEIGHT: return cli_number(&tool, key, arg, &o->target_height);
	case O_SUMMARY: o->summary = arg; return 0;
	case O_BLIND: o->blind_spots = arg; return 0;
	case O_MIN_AREA: return cli_number(&tool, key, arg, &o->min_area);
	case O_ROADS: o->roads = arg; return 0;
	case O_HOUSEHOLDS: o->households = arg; return 0;
	case O_CAM_HEIGHT: o->height_f = arg; return 0;
	case O_AZIMUTH: o->azimuth_f = arg; return 0;
	case O_FOV: o->fov_f = arg; return 0;
	case O_RANGE: o->range_f = arg; return 0;
	case O_TILT: o->tilt_f = arg; return 0;
	case O_VFOV: o->vfov_f = arg; return 0;
	case O_KIND: o->kind_f = arg; return 0;
	case O_RESOLUTION: o->resolution_f = arg; return 0;
	case O_DORI:
		if (!geo_dori_from_name(arg, &o->dori))
			return cli_usage_error(&tool, "--dori: unknown level '%s' (detection, observation, "
					       "recognition, identification)", arg);
		return 0;
	case CLI_ID_FIELD: o->grid.id_field = arg; return 0;
	case O_ADD:
		if (cli_number(&tool, key, arg, &n))
			return GEO_ERR_USAGE;
		o->add = (int)n;
		return 0;
	case O_TARGET: return cli_number(&tool, key, arg, &o->target);
	case O_SITES: o->sites = arg; return 0;
	case O_PROPOSED: o->proposed = arg; return 0;
	case O_SPACING: return cli_number(&tool, key, arg, &o->site_spacing);
	case O_ADD_HEIGHT: return cli_number(&tool, key, arg, &o->add_height);
	case O_ADD_FOV: return cli_number(&tool, key, arg, &o->add_fov);
	case O_ADD_RANGE: return cli_number(&tool, key, arg, &o->add_range);
	case O_DEMAND: o->demand = arg; return 0;
	case O_WEIGHT_FIELD: o->weight_field = arg; return 0;
	case O_EXACT: o->exact = 1; return 0;
	case O_TIME_LIMIT: return cli_number(&tool, key, arg, &o->time_limit);
	case O_THREADS:
		if (cli_number(&tool, key, arg, &n))
			return GEO_ERR_USAGE;
		o->threads = (int)n;
		return 0;
	default: return GEO_ERR_USAGE;
	}
}

int main(int argc, char **argv)
{
	cli_common c;
	geo_cover_opts o;
	geo_cover_opts_init(&o);
	int first, rc = cli_parse(&tool, argc, argv, &c, &o.common, on_option, &o, &first);
	if (rc < 0 && cli_outputs(&c, 3, o.summary, o.blind_spots, o.proposed))
		rc = GEO_ERR_USAGE;
	if (rc < 0)
		CLI_RUN(rc, &c, cover, &o, argv[first]);
	return rc;
}
