/*
** cli.h: what every wangge tool shares: one option table that drives both
** getopt_long and --help, the common options of DESIGN.md parsed the same way
** everywhere, number parsing that names the option, the exit codes, and the
** log and progress callbacks that print on standard error.
*/
#ifndef CLI_H
#define CLI_H

#include "geo.h"
#include "core/i18n.h"

#include <getopt.h>

/*
** What a number accepts. Every numeric option states its range in its row of
** the table, so that the parser (cli_number, cli_part) checks it in one place
** and --help shows it: a value outside, or one that is not a finite number,
** is a usage error naming the option and the range. Ranges keep absurd values
** (a radius of 1e300 m, a pixel of 0) from turning into absurd work.
*/
enum {
	CLI_WHOLE = 1,          /* a whole number */
	CLI_ABOVE_MIN = 2,      /* min itself is excluded */
	CLI_BELOW_MAX = 4       /* max itself is excluded */
};
typedef struct cli_range {
	const char *what;       /* the value's name (SIZE); NULL: the row's arg */
	double min, max;
	unsigned flags;
} cli_range;

/* Rows name only the fields they use, the rest being zero as C guarantees: a
** table where every row spelled out range and nranges would bury the few
** numeric options it is there to show. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* One row of a tool's option table. A row with name NULL and help set is a
** heading in --help; the table ends with a row whose help is NULL. A numeric
** option points at its range; one whose argument holds several numbers
** (square:SIZE,X0,Y0) at an array of them, one per number. */
typedef struct cli_option {
	const char *name;       /* long name */
	int has_arg;            /* no_argument or required_argument */
	int key;                /* short letter, or a value >= 256 */
	const char *arg;        /* argument name for --help */
	const char *help;
	const cli_range *range; /* NULL: not a number */
	int nranges;            /* entries in range (0 counts as 1) */
} cli_option;

/* Limits shared by several tools (see docs/conventions.md). */
#define CLI_COORD_RANGE(what) { what, -GEO_COORD_MAX, GEO_COORD_MAX, 0 }

/* Keys of the common options that have no short letter. */
enum {
	CLI_OVERWRITE = 200, CLI_S_SRS, CLI_T_SRS, CLI_WORK_SRS, CLI_WHERE, CLI_JSON,
	CLI_PROGRESS, CLI_NO_PROGRESS, CLI_ID_FIELD, CLI_PARENT_FIELD, CLI_WEEK, CLI_MONTH,
	CLI_QUARTER, CLI_YEAR, CLI_FROM, CLI_TO, CLI_DATE_FIELD, CLI_TZ, CLI_STRICT,
	CLI_NLN, CLI_TOWN, CLI_TOWN_FIELD, CLI_TOWN_LAYER, CLI_WORKER_FIELD, CLI_PHONE_FIELD,
	CLI_ROSTER,
	CLI_TOOL_KEYS = 256
};

#define CLI_OPTS_OUTPUT \
	{ "output", required_argument, 'o', "PATH[:LAYER]", N_("write to PATH (format from the extension) or PG:CONNINFO:TABLE") }, \
	{ "format", required_argument, 'f', "DRIVER", N_("output format as a GDAL driver name") }, \
	{ "overwrite", no_argument, CLI_OVERWRITE, NULL, N_("replace an existing output file or layer") }, \
	{ "nln", required_argument, CLI_NLN, "LAYER", N_("name the output's layer or table (as -o PATH:LAYER)") }
#define CLI_OPTS_SRS \
	{ "s-srs", required_argument, CLI_S_SRS, "CRS", N_("CRS of inputs that state none (EPSG:4490, WKT, PROJ, GCJ02, BD09)") }, \
	{ "t-srs", required_argument, CLI_T_SRS, "CRS", N_("output CRS (default: the main input's)") }, \
	{ "work-srs", required_argument, CLI_WORK_SRS, "CRS", N_("projected CRS to compute in") }
/* Grid fields: their keys go to the tool's on_option, which sets its
** geo_grid_opts (the defaults named here live in geo_grid_opts_init). */
#define CLI_OPTS_ID_FIELD \
	{ "id-field", required_argument, CLI_ID_FIELD, "FIELD", N_("grid code field (default grid_id)") }
#define CLI_OPTS_GRID_FIELDS \
	CLI_OPTS_ID_FIELD, \
	{ "parent-field", required_argument, CLI_PARENT_FIELD, "FIELD", N_("parent code field (default parent_id)") }
/* Who keeps each grid (geo_staff_opts): their keys go to cli_staff_option. */
#define CLI_OPTS_STAFF(roster_help) \
	{ "worker-field", required_argument, CLI_WORKER_FIELD, "FIELD", N_("grid worker's name field (default worker)") }, \
	{ "phone-field", required_argument, CLI_PHONE_FIELD, "FIELD", N_("grid worker's phone field (default phone)") }, \
	{ "roster", required_argument, CLI_ROSTER, "TABLE", roster_help }
/* --town: every input keeps one town's features (town.c says how). */
#define CLI_OPTS_TOWN \
	{ "town", required_argument, CLI_TOWN, "CODE", N_("read only this town's features from every input") }, \
	{ "town-field", required_argument, CLI_TOWN_FIELD, "FIELD", N_("field holding the town code (default code)") }, \
	{ "town-layer", required_argument, CLI_TOWN_LAYER, "PATH[:LAYER]", N_("towns' polygons, for layers without the field (default: township beside each input)") }
#define CLI_OPTS_WHERE \
	{ "where", required_argument, CLI_WHERE, "EXPR", N_("OGR SQL attribute filter on the input") }, \
	CLI_OPTS_TOWN
/* The one time-window rule of every tool that reads dated features
** (docs/conventions.md), and --strict for an empty selection (a tool whose
** --strict means more takes CLI_OPTS_WINDOW_ONLY and its own CLI_OPTS_STRICT). */
#define CLI_OPTS_WINDOW_ONLY \
	{ "week", required_argument, CLI_WEEK, "YYYY-Www", N_("one ISO week, Monday to Sunday (2021-W37)") }, \
	{ "month", required_argument, CLI_MONTH, "YYYY-MM", N_("one calendar month (2021-09)") }, \
	{ "quarter", required_argument, CLI_QUARTER, "YYYY-Qn", N_("one quarter (2021-Q3)") }, \
	{ "year", required_argument, CLI_YEAR, "YYYY", N_("one calendar year (2021)") }, \
	{ "from", required_argument, CLI_FROM, "DATE", N_("first day (or date-time) included") }, \
	{ "to", required_argument, CLI_TO, "DATE", N_("last day (or date-time) included") }, \
	{ "date-field", required_argument, CLI_DATE_FIELD, "FIELD", N_("field holding each feature's date (default date)") }, \
	{ "tz", required_argument, CLI_TZ, "ZONE", N_("the town's time zone, for timestamps with a zone (default: TZ)") }
#define CLI_OPTS_STRICT(help) { "strict", no_argument, CLI_STRICT, NULL, help }
#define CLI_OPTS_WINDOW \
	CLI_OPTS_WINDOW_ONLY, CLI_OPTS_STRICT("exit 1 when --where or the window selects no feature")
#define CLI_OPTS_REPORT \
	{ "json", no_argument, CLI_JSON, NULL, N_("print the report as one JSON object on standard output") }, \
	{ "quiet", no_argument, 'q', NULL, N_("print errors only") }, \
	{ "verbose", no_argument, 'v', NULL, N_("print more detail") }, \
	{ "progress", no_argument, CLI_PROGRESS, NULL, N_("show a progress bar (default on a terminal)") }, \
	{ "no-progress", no_argument, CLI_NO_PROGRESS, NULL, N_("never show a progress bar") }
#define CLI_OPTS_BASIC \
	{ "help", no_argument, 'h', NULL, N_("show this help and exit") }, \
	{ "version", no_argument, 'V', NULL, N_("show the version and exit") }
#define CLI_HEADING(text) { NULL, 0, 0, NULL, text }
#define CLI_END { NULL, 0, 0, NULL, NULL }

typedef struct cli_tool {
	const char *name;       /* grid-info */
	const char *usage;      /* [options] DATASET[:LAYER] */
	const char *summary;    /* one sentence */
	const cli_option *options;
	int min_args, max_args; /* positional arguments */
	/* How the tool takes -o, said once here and checked by cli_parse: the
	** usage error when -o is missing (NULL: -o is optional), the one for
	** -o - (NULL: -o - is standard output), and the one for --json with an
	** output on standard output (NULL: the verb decides). */
	const char *needs_output, *no_stdout, *json_vs_stdout;
	int stdout_default;     /* no -o: the main output goes to standard output */
	int loud_problems;      /* -q still prints the report when problems are found */
} cli_tool;

/*
** The options' values after parsing: the common options of every verb go
** into the verb's geo_common_opts (opts), the rest of what cli.c handles
** stays here.
*/
typedef struct cli_common {
	geo_common_opts *opts;  /* the verb's, or own when the tool has no verb opts */
	geo_common_opts own;
	const char *nln;        /* --nln, joined into opts->output by cli_parse */
	geo_town_opts town;     /* --town, --town-field, --town-layer: set on the context */
	int quiet, progress;
	const char *tz;         /* --tz, put into TZ by cli_parse */
	int stdout_taken;       /* an output goes to standard output */
	const cli_tool *tool;
} cli_common;

/*
** Parses argv. Common options fill c and *common (the verb's, which the
** caller has set to its defaults; NULL: c->own); every other option goes to
** on_option(key, optarg, data), which returns 0 or an exit code. Then it
** checks the common options, each in one place (--tz, --nln, --town, the
** tool's -o rules). Returns -1 to go on (with *first set to the first
** positional argument), or the exit code to end with: 0 after --help or
** --version, 2 on a usage error.
*/
int cli_parse(const cli_tool *t, int argc, char **argv, cli_common *c, geo_common_opts *common,
	      int (*on_option)(int key, const char *arg, void *data), void *data, int *first);
/*
** The tool's other outputs (n of them, each NULL or a path): one named "-"
** takes standard output, so the report moves to standard error, and with
** --json it is the tool's json_vs_stdout usage error. Returns 0 or that error.
*/
int cli_outputs(cli_common *c, int n, ...);
/* Where the report of a verb that returned e goes: NULL for none (a
** failure; -q unless JSON or the tool's loud problems), standard output, or
** standard error when an output took standard output and the report is text. */
FILE *cli_report_file(const cli_common *c, geo_err e);
/* The run's end: says the context's error when e is a failure, applies
** --strict, frees ctx, and returns the exit code; a report that failed
** (reported, when not GEO_OK) wins over e. */
int cli_finish(cli_common *c, geo_ctx *ctx, geo_err e, geo_err reported);

/* A CLI_OPTS_STAFF option into s: 0, or GEO_ERR_USAGE for another key. */
int cli_staff_option(int key, const char *arg, geo_staff_opts *s);

/* The values of a repeatable option, NULL-terminated (v is NULL until the
** first); the values are argv's. cli_append returns 0 or GEO_ERR_INTERNAL. */
typedef struct cli_list {
	const char **v;
	size_t n;
} cli_list;
int cli_append(cli_list *l, const char *arg);
void cli_list_free(cli_list *l);

/*
** The end of every tool's main, the verb contract of geo.h written once:
** geo_X on ctx (a context of c's, which it frees) with the inputs after opts,
** its report where cli_report_file says, and the exit code into rc.
** CLI_RUN makes the context first (rc is GEO_ERR_INTERNAL when it cannot).
*/
#define CLI_VERB(rc, c, ctx, X, opts, ...)                                                  \
	do {                                                                              \
		geo_##X##_result *verb_r = NULL;                                          \
		geo_err verb_e = geo_##X(ctx, __VA_ARGS__, opts, &verb_r, cli_progress(c), c); \
		FILE *verb_f = cli_report_file(c, verb_e);                                \
		(rc) = cli_finish(c, ctx, verb_e,                                         \
				  verb_f ? geo_##X##_report(verb_r, (opts)->common.json, verb_f) \
					 : GEO_OK);                                       \
		geo_##X##_result_free(verb_r);                                            \
	} while (0)
#define CLI_RUN(rc, c, X, opts, ...)                                                        \
	do {                                                                              \
		geo_ctx *run_ctx = cli_context(c);                                        \
		if (run_ctx)                                                              \
			CLI_VERB(rc, c, run_ctx, X, opts, __VA_ARGS__);                   \
		else                                                                      \
			(rc) = GEO_ERR_INTERNAL;                                          \
	} while (0)

/*
** The whole main of a tool that is the contract and nothing else: its
** options into geo_X_opts (on_option gets the opts), geo_X on its one
** input, the report, the exit code (grid-info, grid-assess).
*/
#define CLI_MAIN(tool, X)                                                                   \
	int main(int argc, char **argv)                                                    \
	{                                                                                 \
		cli_common c;                                                             \
		geo_##X##_opts o;                                                         \
		geo_##X##_opts_init(&o);                                                  \
		int first, rc = cli_parse(&tool, argc, argv, &c, &o.common, on_option, &o, &first); \
		if (rc < 0)                                                               \
			CLI_RUN(rc, &c, X, &o, argv[first]);                              \
		return rc;                                                                \
	}

/*
** A word among names (NULL-terminated, in the order of the enum it stands
** for): 0 with its index in *index, or GEO_ERR_USAGE after the usage error
** fmt, whose one %s is arg. cli_pick_nocase ignores case (--paper A4).
*/
int cli_pick(const cli_tool *t, const char *arg, const char *const *names, const char *fmt,
	     int *index);
int cli_pick_nocase(const cli_tool *t, const char *arg, const char *const *names, const char *fmt,
		    int *index);

/* "grid-x: error: ..." on standard error; returns GEO_ERR_USAGE. */
int cli_usage_error(const cli_tool *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the context's last error and returns code. */
int cli_fail(const cli_common *c, geo_ctx *ctx, geo_err code);

/* The number arg of the option with this key, checked against the range in
** its row; 0, or GEO_ERR_USAGE after a message naming the option and the
** range. cli_part does the same for the part'th number of a compound
** argument (text is that number alone). */
int cli_number(const cli_tool *t, int key, const char *arg, double *out);
int cli_part(const cli_tool *t, int key, int part, const char *text, double *out);

/* With --strict, turns a successful rc into 1 (saying why) when a filter or
** a time window selected no feature; otherwise returns rc. */
int cli_strict(const cli_common *c, const geo_ctx *ctx, int rc);


/* A context whose log messages print on standard error as -q/-v say. */
geo_ctx *cli_context(cli_common *c);
/* A geo_progress callback drawing a bar on standard error; data is the
** cli_common. Returns NULL (no progress) when --progress is off. */
geo_progress cli_progress(const cli_common *c);
int cli_progress_draw(double fraction, const char *msg, void *data);

#endif
