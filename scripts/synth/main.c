/*
** main.c: the command line of synth, the seeded generator of wangge's test
** data (docs/synth.md):
**
**   synth town   --seed N -o FILE.gpkg [--scale K] [--gcj02-csv FILE.csv]
**   synth tiling --seed N --grids K [--points P] [--clustered] [--unmatched]
**                [--defects] -o DIR
**
** `town` makes the sample town of data/samples (town.c); `tiling` makes
** towns of any size, with injected defects and their truth (tiling.c). This
** file only parses the options and maps the result to wangge's exit codes.
** OGR_CURRENT_DATE pins the GeoPackage's timestamps, so that the same seed
** gives the same bytes.
*/
#include "synth.h"

#include <cpl_conv.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXED_DATE "2021-12-31T00:00:00Z"

static void usage(FILE *to)
{
	fputs("Usage: synth town --seed N -o FILE.gpkg [--scale K] [--gcj02-csv FILE.csv] [--overwrite]\n"
	      "       synth tiling --seed N --grids K [--points P] [--clustered] [--unmatched]\n"
	      "                    [--defects] -o DIR [--overwrite]\n"
	      "Makes seeded, reproducible test data for wangge (see docs/synth.md).\n"
	      "  --seed N         seed of every random choice (default 1)\n"
	      "  -o, --output     the GeoPackage (town) or folder (tiling) to write\n"
	      "  --scale K        town: multiply households, cameras, hazards and cases by K\n"
	      "  --gcj02-csv F    town: also write the cameras as GCJ-02 lon/lat CSV\n"
	      "  --code CODE      town: its 9-digit code (default 120114105)\n"
	      "  --centre X,Y     town: its centre in EPSG:4548 metres (default 500000,4361000)\n"
	      "  --grids K        tiling: number of secondary grids\n"
	      "  --points P       tiling: number of points (default 0)\n"
	      "  --clustered      tiling: points clustered instead of uniform\n"
	      "  --unmatched      tiling: shared edges not vertex-matched\n"
	      "  --defects        tiling: also write defects.gpkg and truth.json\n"
	      "  --overwrite      replace existing outputs\n"
	      "  -q, --quiet      print errors only\n",
	      to);
}

static int parse_num(const char *opt, const char *arg, double lo, double *v)
{
	char *end;
	errno = 0;
	double d = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(d) || d < lo) {
		fprintf(stderr, "synth: error: %s: '%s' is not a number >= %g\n", opt, arg, lo);
		return 0;
	}
	*v = d;
	return 1;
}

typedef struct args {
	const char *cmd, *output, *csv, *code;
	double seed, scale, grids, points, x0, y0;
	tiling_opts tiling;
	int overwrite, quiet;
} args;

static const struct option longs[] = {
	{ "seed", required_argument, NULL, 's' }, { "output", required_argument, NULL, 'o' },
	{ "scale", required_argument, NULL, 'k' }, { "gcj02-csv", required_argument, NULL, 'c' },
	{ "grids", required_argument, NULL, 'g' }, { "points", required_argument, NULL, 'p' },
	{ "clustered", no_argument, NULL, 'C' }, { "unmatched", no_argument, NULL, 'U' },
	{ "defects", no_argument, NULL, 'D' }, { "overwrite", no_argument, NULL, 'O' },
	{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
	{ "code", required_argument, NULL, 'T' }, { "centre", required_argument, NULL, 'X' },
	{ NULL, 0, NULL, 0 }
};

static int bad_value(const char *opt, const char *arg)
{
	fprintf(stderr, "synth: error: %s: '%s' is not valid (see --help)\n", opt, arg);
	return 0;
}

/* --centre X,Y: where the town lies, in EPSG:4548 metres (whole metres, so
** the 0.01 m snapping stays exact). */
static int parse_centre(const char *arg, args *a)
{
	char *end;
	a->x0 = strtod(arg, &end);
	if (*end != ',')
		return 0;
	a->y0 = strtod(end + 1, &end);
	return !*end && a->x0 == floor(a->x0) && a->y0 == floor(a->y0) && fabs(a->x0 - 500000) < 4e5 &&
	       a->y0 > 2e6 && a->y0 < 6e6;
}

/* One option into a; 1 when it was fine. */
static int take_option(int c, const char *arg, args *a)
{
	switch (c) {
	case 's': return parse_num("--seed", arg, 0, &a->seed);
	case 'o': a->output = arg; return 1;
	case 'k': return parse_num("--scale", arg, 0.001, &a->scale);
	case 'c': a->csv = arg; return 1;
	case 'g': return parse_num("--grids", arg, 1, &a->grids);
	case 'p': return parse_num("--points", arg, 0, &a->points);
	case 'C': a->tiling.clustered = 1; return 1;
	case 'U': a->tiling.unmatched = 1; return 1;
	case 'D': a->tiling.defects = 1; return 1;
	case 'O': a->overwrite = 1; return 1;
	case 'q': a->quiet = 1; return 1;
	case 'T': a->code = arg; return geo_grid_town_code_ok(arg) || bad_value("--code", arg);
	case 'X': return parse_centre(arg, a) || bad_value("--centre", arg);
	default: return 0;
	}
}

/* Parses the options after the command; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, args *a)
{
	int c;
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qh", longs, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "synth: error: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			return GEO_ERR_USAGE;
		}
		if (!take_option(c, optarg, a))
			return GEO_ERR_USAGE;
	}
	const char *bad = optind < argc ? "unexpected argument" : !a->output ? "-o is required"
			: !strcmp(a->cmd, "tiling") && a->grids < 1 ? "tiling needs --grids K" : NULL;
	if (!bad)
		return -1;
	if (optind < argc)
		fprintf(stderr, "synth: error: %s '%s'\n", bad, argv[optind]);
	else
		fprintf(stderr, "synth: error: %s\n", bad);
	return GEO_ERR_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? GEO_ERR_USAGE : 0;
	}
	args a = { .cmd = argv[1], .seed = 1, .scale = 1, .code = TOWN_CODE_SAMPLE,
		   .x0 = TOWN_X_SAMPLE, .y0 = TOWN_Y_SAMPLE };
	if (strcmp(a.cmd, "town") && strcmp(a.cmd, "tiling")) {
		fprintf(stderr, "synth: error: unknown command '%s' (town or tiling)\n", a.cmd);
		return GEO_ERR_USAGE;
	}
	int code = parse_args(argc, argv, &a);
	if (code >= 0)
		return code;
	/* Pins the GeoPackage's timestamps, so equal seeds give equal bytes. */
	CPLSetConfigOption("OGR_CURRENT_DATE", FIXED_DATE);
	synth s = { .seed = (uint64_t)a.seed, .quiet = a.quiet, .code = a.code, .x0 = a.x0,
		    .y0 = a.y0 };
	s.ctx = geo_ctx_new();
	if (!s.ctx)
		fatal("cannot start GEOS");
	s.h = geo_ctx_geos(s.ctx);
	geo_err e;
	if (!strcmp(a.cmd, "town")) {
		s.scale = 100;
		e = make_town(&s, a.output, a.csv, a.scale, a.overwrite);
	} else {
		s.scale = 128;
		a.tiling.grids = (size_t)a.grids;
		a.tiling.points = (size_t)a.points;
		e = make_tiling(&s, a.output, &a.tiling, a.overwrite);
	}
	if (e)
		fprintf(stderr, "synth: error: %s\n", geo_last_error(s.ctx));
	geo_ctx_free(s.ctx);
	return (int)e;
}
