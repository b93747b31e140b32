/*
** cli.c: the shared command-line layer. Each tool hands over one table of
** options; from it this builds getopt_long's table, its short-option string
** and the --help text, so help cannot drift from what is parsed.
*/
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/*
** Where the translations are. WANGGE_LOCALEDIR, when set, says it (tests
** set it). Otherwise relative to the running program, so that the tools
** work where they are without a fixed path: an installed PREFIX/bin/TOOL
** finds PREFIX/share/locale (make install puts them there), bin/TOOL of a
** build tree finds build/locale, and B/bin/TOOL (make check-asan's
** build/asan/bin) finds B/locale; a folder counts when it holds the Chinese
** catalogue (the one translation so far). LOCALEDIR, the installed path
** compiled in, is the last resort.
*/
static void find_locale_dir(char *dir, size_t size)
{
	const char *env = getenv("WANGGE_LOCALEDIR");
	if (env && *env) {
		snprintf(dir, size, "%s", env);
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			static const char *const rel[] = { "../build/locale", "../locale",
							   "../share/locale" };
			for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
				char cand[PATH_MAX + 32], probe[PATH_MAX + 96];
				snprintf(cand, sizeof cand, "%s/%s", exe, rel[i]);
				snprintf(probe, sizeof probe, "%s/zh_CN/LC_MESSAGES/%s.mo", cand,
					 GEO_TEXT_DOMAIN);
				if (access(probe, R_OK) == 0) {
					snprintf(dir, size, "%s", cand);
					return;
				}
			}
		}
	}
	snprintf(dir, size, "%s", LOCALEDIR);
}

/*
** The language of messages follows the locale (LANG, LC_ALL, LC_MESSAGES):
** Chinese under zh_CN.UTF-8, English otherwise. Only LC_MESSAGES and
** LC_CTYPE (the character set the messages are written in) are taken from
** the environment: numbers, dates and sorting stay in the C locale, so that
** no output, SQL statement or GDAL call ever sees a decimal comma.
*/
static void start_i18n(void)
{
	static int started;
	if (started++)
		return;
	char dir[PATH_MAX + 64];
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	find_locale_dir(dir, sizeof dir);
	bindtextdomain(GEO_TEXT_DOMAIN, dir);
}

static size_t count_options(const cli_option *o)
{
	size_t n = 0;
	while (o[n].help)
		n++;
	return n;
}

static const cli_option *find_row(const cli_tool *t, int key)
{
	for (const cli_option *o = t->options; o->help; o++)
		if (o->name && o->key == key)
			return o;
	return NULL;
}

/* A bound as people write it: 100000, but 1e8 rather than 100000000. */
static void bound_text(double v, char *buf, size_t size)
{
	snprintf(buf, size, "%.15g", v);
	if (strlen(buf) <= 7)
		return;
	char e[32], *p;
	snprintf(e, sizeof e, "%.6g", v);
	if (strtod(e, NULL) != v || !(p = strstr(e, "e+")))
		return;
	memmove(p + 1, p + 2 + (p[2] == '0'), strlen(p + 2 + (p[2] == '0')) + 1);
	snprintf(buf, size, "%s", e);
}

/* "0 < M <= 100000", as --help and the error messages show a range. */
static void range_text(const cli_option *o, const cli_range *r, char *buf, size_t size)
{
	const char *what = r->what ? r->what : o->arg ? o->arg : "N";
	char lo[32], hi[32];
	bound_text(r->min, lo, sizeof lo);
	bound_text(r->max, hi, sizeof hi);
	snprintf(buf, size, "%s %s %s %s %s%s", lo, r->flags & CLI_ABOVE_MIN ? "<" : "<=", what,
		 r->flags & CLI_BELOW_MAX ? "<" : "<=", hi, r->flags & CLI_WHOLE ? _(", whole") : "");
}

static int in_range(const cli_range *r, double v)
{
	int above = r->flags & CLI_ABOVE_MIN ? v > r->min : v >= r->min;
	int below = r->flags & CLI_BELOW_MAX ? v < r->max : v <= r->max;
	return isfinite(v) && above && below && (!(r->flags & CLI_WHOLE) || v == floor(v));
}

static int check_number(const cli_tool *t, const cli_option *o, const cli_range *r,
			const char *text, double *out)
{
	char *end = NULL, range[128];
	errno = 0;
	double v = strtod(text, &end);
	range_text(o, r, range, sizeof range);
	if (end == text || *end || (errno && errno != ERANGE))
		return cli_usage_error(t, "--%s: '%s' is not a number (%s)", o->name, text, range);
	if (isnan(v) || isinf(v) != !!errno) /* nan, inf: not 1e999, which is out of range */
		return cli_usage_error(t, "--%s: '%s' is not a finite number (%s)", o->name, text,
				       range);
	if (!in_range(r, v))
		return cli_usage_error(t, "--%s: '%s' is out of range (%s)", o->name, text, range);
	*out = v;
	return 0;
}

static int same_bounds(const cli_range *a, const cli_range *b)
{
	return a->min == b->min && a->max == b->max && a->flags == b->flags;
}

/* A row's ranges in --help: after the text, or for a compound argument on a
** line of their own ("-1e8 <= XMIN, YMIN, XMAX, YMAX <= 1e8" when alike). */
static void print_ranges(const cli_option *o, int indent)
{
	int n = o->nranges > 0 ? o->nranges : 1, alike = 1;
	char range[128];
	for (int i = 1; i < n; i++)
		alike = alike && same_bounds(&o->range[0], &o->range[i]);
	if (n == 1) {
		range_text(o, o->range, range, sizeof range);
		printf(" [%s]\n", range);
		return;
	}
	printf("\n%*s[", indent, "");
	if (alike) {
		cli_range all = o->range[0];
		char names[96] = "";
		for (int i = 0; i < n; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
				 i ? ", " : "", o->range[i].what);
		all.what = names;
		range_text(o, &all, range, sizeof range);
		printf("%s]\n", range);
		return;
	}
	for (int i = 0; i < n; i++) {
		range_text(o, &o->range[i], range, sizeof range);
		printf("%s%s", i ? "; " : "", range);
	}
	printf("]\n");
}

/* The usage line in the reader's language: "[options]" is its one word that
** is not a name. */
static void usage_text(const cli_tool *t, char *buf, size_t size)
{
	if (!strncmp(t->usage, "[options]", 9))
		snprintf(buf, size, "%s%s", _("[options]"), t->usage + 9);
	else
		snprintf(buf, size, "%s", t->usage);
}

static void print_help(const cli_tool *t)
{
	char usage[512];
	usage_text(t, usage, sizeof usage);
	printf(_("Usage: %s %s\n\n%s\n"), t->name, usage, _(t->summary));
	for (const cli_option *o = t->options; o->help; o++) {
		if (!o->name) {
			printf(_("\n%s:\n"), T_(o->help));
			continue;
		}
		char left[80];
		int n = snprintf(left, sizeof left, "%c%c%s--%s%s%s", o->key < 128 && o->key > ' ' ? '-' : ' ',
				 o->key < 128 && o->key > ' ' ? o->key : ' ',
				 o->key < 128 && o->key > ' ' ? ", " : "  ", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		printf("  %-*s %s", n < 30 ? 30 : n, left, T_(o->help));
		if (o->range)
			print_ranges(o, 2 + (n < 30 ? 30 : n) + 1);
		else
			printf("\n");
	}
	printf(_("\nExit status: 0 done (checks: nothing wrong), 1 problems found, 2 usage error,\n"
	       "3 input error, 4 output error, 5 internal error. See %s(1).\n"), t->name);
}

int cli_usage_error(const cli_tool *t, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, _("%s: error: "), t->name);
	va_start(ap, fmt);
	vfprintf(stderr, T_(fmt), ap);
	va_end(ap);
	fprintf(stderr, _("\nTry '%s --help'.\n"), t->name);
	return GEO_ERR_USAGE;
}

static int common_option(cli_common *c, int key, const char *arg)
{
	geo_common_opts *o = c->opts;
	switch (key) {
	case 'o': o->output = arg; return 1;
	case 'f': o->out.format = arg; return 1;
	case CLI_OVERWRITE: o->out.overwrite = 1; return 1;
	case CLI_S_SRS: o->s_srs = arg; return 1;
	case CLI_T_SRS: o->t_srs = arg; return 1;
	case CLI_WORK_SRS: o->work_srs = arg; return 1;
	case CLI_WHERE: o->where = arg; return 1;
	case CLI_JSON: o->json = 1; return 1;
	case 'q': c->quiet = 1; return 1;
	case 'v': o->verbose++; return 1;
	case CLI_PROGRESS: c->progress = 1; return 1;
	case CLI_NO_PROGRESS: c->progress = 0; return 1;
	case CLI_WEEK: o->window.week = arg; return 1;
	case CLI_MONTH: o->window.month = arg; return 1;
	case CLI_QUARTER: o->window.quarter = arg; return 1;
	case CLI_YEAR: o->window.year = arg; return 1;
	case CLI_FROM: o->window.from = arg; return 1;
	case CLI_TO: o->window.to = arg; return 1;
	case CLI_DATE_FIELD: o->window.date_field = arg; return 1;
	case CLI_TZ: c->tz = arg; return 1;
	case CLI_STRICT: o->strict = 1; return 1;
	case CLI_NLN: c->nln = arg; return 1;
	case CLI_TOWN: c->town.code = arg; return 1;
	case CLI_TOWN_FIELD: c->town.field = arg; return 1;
	case CLI_TOWN_LAYER: c->town.layer = arg; return 1;
	default: return 0;
	}
}

int cli_staff_option(int key, const char *arg, geo_staff_opts *s)
{
	switch (key) {
	case CLI_WORKER_FIELD: s->worker_field = arg; return 0;
	case CLI_PHONE_FIELD: s->phone_field = arg; return 0;
	case CLI_ROSTER: s->roster = arg; return 0;
	default: return GEO_ERR_USAGE;
	}
}

int cli_append(cli_list *l, const char *arg)
{
	const char **v = realloc(l->v, (l->n + 2) * sizeof *v);
	if (!v)
		return GEO_ERR_INTERNAL;
	v[l->n++] = arg;
	v[l->n] = NULL;
	l->v = v;
	return 0;
}

void cli_list_free(cli_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int pick(const cli_tool *t, const char *arg, const char *const *names, int nocase,
		const char *fmt, int *index)
{
	for (int i = 0; names[i]; i++)
		if (!(nocase ? strcasecmp(arg, names[i]) : strcmp(arg, names[i]))) {
			*index = i;
			return 0;
		}
	return cli_usage_error(t, fmt, arg);
}

int cli_pick(const cli_tool *t, const char *arg, const char *const *names, const char *fmt,
	     int *index)
{
	return pick(t, arg, names, 0, fmt, index);
}

int cli_pick_nocase(const cli_tool *t, const char *arg, const char *const *names, const char *fmt,
		    int *index)
{
	return pick(t, arg, names, 1, fmt, index);
}

static void watch_stdout(const char *name);

/*
** --tz: zoned timestamps become the town's local time through localtime_r,
** so the zone goes into TZ for the C library to apply. glibc takes a name
** it cannot find for UTC without a word; a name is therefore checked
** against the zone files first (a POSIX rule such as CST-8 has digits).
*/
static int set_zone(const cli_tool *t, const char *tz)
{
	const char *name = tz[0] == ':' ? tz + 1 : tz;
	int ok = *name && !strstr(name, "..");
	if (ok && !strpbrk(name, "0123456789")) {
		const char *dir = getenv("TZDIR");
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", name[0] == '/' ? "" : dir ? dir : "/usr/share/zoneinfo",
			 name);
		ok = access(path, R_OK) == 0;
	}
	if (!ok)
		return cli_usage_error(t, "--tz: '%s' is not a time zone (such as Asia/Shanghai)", tz);
	setenv("TZ", tz, 1);
	tzset();
	return 0;
}

int cli_strict(const cli_common *c, const geo_ctx *ctx, int rc)
{
	if (rc || !c->opts->strict || !ctx || !geo_ctx_empty_selections(ctx))
		return rc;
	fprintf(stderr, _("%s: --strict: a filter or time window selected no feature\n"), c->tool->name);
	return GEO_PROBLEMS;
}

/*
** --nln LAYER names the layer of -o as -o NAME:LAYER does, so it is joined
** into the output name here, once, for every tool. The joined name lives as
** long as the process (held here, so that it is never reported as leaked).
*/
static char *nln_output;

static int join_nln(const cli_tool *t, cli_common *c)
{
	geo_common_opts *o = c->opts;
	if (!o->output || !strcmp(o->output, "-"))
		return cli_usage_error(t, "--nln %s: names the layer of -o, and there is none", c->nln);
	const char *why = NULL;
	free(nln_output);
	nln_output = geo_output_name_layer(o->output, o->out.format, c->nln, &why);
	if (!nln_output)
		return cli_usage_error(t, "--nln %s: %s", c->nln, why);
	o->output = nln_output;
	return 0;
}

static int is_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

/* The tool's rules for -o (see cli_tool), after every option is read. */
static int check_output(const cli_tool *t, cli_common *c)
{
	const char *out = c->opts->output;
	if (!out && t->needs_output)
		return cli_usage_error(t, "%s", T_(t->needs_output));
	if (is_stdout(out) && t->no_stdout)
		return cli_usage_error(t, "%s", T_(t->no_stdout));
	c->stdout_taken = is_stdout(out) || (!out && t->stdout_default);
	if (c->stdout_taken && c->opts->json && t->json_vs_stdout)
		return cli_usage_error(t, "%s", T_(t->json_vs_stdout));
	return 0;
}

int cli_outputs(cli_common *c, int n, ...)
{
	va_list ap;
	int taken = 0;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		taken |= is_stdout(va_arg(ap, const char *));
	va_end(ap);
	c->stdout_taken |= taken;
	if (taken && c->opts->json && c->tool->json_vs_stdout)
		return cli_usage_error(c->tool, "%s", T_(c->tool->json_vs_stdout));
	return 0;
}

FILE *cli_report_file(const cli_common *c, geo_err e)
{
	int json = c->opts->json;
	if (e > GEO_PROBLEMS || (c->quiet && !json && !(e == GEO_PROBLEMS && c->tool->loud_problems)))
		return NULL;
	return json || !c->stdout_taken ? stdout : stderr;
}

int cli_finish(cli_common *c, geo_ctx *ctx, geo_err e, geo_err reported)
{
	if (reported)
		e = reported;
	int rc = e > GEO_PROBLEMS ? cli_fail(c, ctx, e) : (int)e;
	rc = cli_strict(c, ctx, rc);
	geo_ctx_free(ctx);
	return rc;
}

/* --town's code goes into SQL filters as a literal: letters and digits only. */
static int check_town(const cli_tool *t, const geo_town_opts *town)
{
	if ((town->field || town->layer) && !town->code)
		return cli_usage_error(t, "--town-field and --town-layer need --town");
	if (!town->code)
		return 0;
	size_t n = strlen(town->code);
	int ok = n > 0 && n <= 64;
	for (size_t i = 0; ok && i < n; i++)
		ok = (town->code[i] >= '0' && town->code[i] <= '9') ||
		     (town->code[i] >= 'A' && town->code[i] <= 'Z') ||
		     (town->code[i] >= 'a' && town->code[i] <= 'z');
	if (!ok)
		return cli_usage_error(t, "--town '%s': a town code is letters and digits",
				       town->code);
	if (town->field && (!*town->field || strchr(town->field, '"')))
		return cli_usage_error(t, "--town-field '%s': not a field name", town->field);
	return 0;
}

int cli_parse(const cli_tool *t, int argc, char **argv, cli_common *c, geo_common_opts *common,
	      int (*on_option)(int key, const char *arg, void *data), void *data, int *first)
{
	start_i18n();
	watch_stdout(t->name);
	memset(c, 0, sizeof *c);
	geo_common_opts_init(&c->own);
	c->opts = common ? common : &c->own;
	c->tool = t;
	c->progress = isatty(STDERR_FILENO);
	size_t n = count_options(t->options);
	struct option *longs = calloc(n + 1, sizeof *longs);
	char *shorts = calloc(2 * n + 2, 1);
	if (!longs || !shorts) {
		free(longs);
		free(shorts);
		fprintf(stderr, _("%s: error: out of memory\n"), t->name);
		return GEO_ERR_INTERNAL;
	}
	size_t nl = 0, ns = 0;
	shorts[ns++] = ':';
	for (const cli_option *o = t->options; o->help; o++) {
		if (!o->name)
			continue;
		longs[nl++] = (struct option){ o->name, o->has_arg, NULL, o->key };
		if (o->key > ' ' && o->key < 128) {
			shorts[ns++] = (char)o->key;
			if (o->has_arg)
				shorts[ns++] = ':';
		}
	}
	int rc = -1, key;
	opterr = 0;
	optind = 1;
	while (rc < 0 && (key = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (key == 'h') {
			print_help(t);
			rc = 0;
		} else if (key == 'V') {
			printf("%s (wangge) %s\n", t->name, GEO_VERSION);
			rc = 0;
		} else if (key == '?') {
			rc = cli_usage_error(t, "unknown option '%s'", argv[optind - 1]);
		} else if (key == ':') {
			rc = cli_usage_error(t, "option '%s' needs a value", argv[optind - 1]);
		} else if (!common_option(c, key, optarg)) {
			int r = on_option ? on_option(key, optarg, data) : GEO_ERR_USAGE;
			if (r)
				rc = r;
		}
	}
	free(longs);
	free(shorts);
	if (rc >= 0)
		return rc;
	if (c->tz && set_zone(t, c->tz))
		return GEO_ERR_USAGE;
	if (c->nln && join_nln(t, c))
		return GEO_ERR_USAGE;
	if (check_town(t, &c->town))
		return GEO_ERR_USAGE;
	int nargs = argc - optind;
	if (nargs < t->min_args) {
		char usage[512];
		usage_text(t, usage, sizeof usage);
		return cli_usage_error(t, "missing argument: %s", usage);
	}
	if (nargs > t->max_args)
		return cli_usage_error(t, "unexpected argument '%s'", argv[optind + t->max_args]);
	if (check_output(t, c))
		return GEO_ERR_USAGE;
	*first = optind;
	return -1;
}

/*
** Signals. SIGINT, SIGTERM and SIGHUP end a run the way a failure does: its
** temporary folders are removed (they are registered in run_temps as they
** are made) and it exits 128 + the signal (130, 143, 129). A run with a
** write transaction open on a file written in place has it interrupted
** instead (geo_temps_interrupt): the run then fails at its next SQLite
** call, rolls the transaction back and returns from main, and exit_stopped
** (at exit) gives the signal's exit code. Should it not get there within
** STOP_SECONDS, or should a second signal come, it exits at once; SQLite
** then rolls the transaction back when the file is next opened for
** writing. The handlers make async-signal-safe calls only. The registry is
** process state, so it lives here for the whole process, not in libgeo.
** SIGPIPE (the reader of standard output or of a FIFO went away, as with
** `| head`) is handled the same way but ends the run quietly, by the signal
** itself, as other Unix tools end: only after its temporaries are removed.
*/
#define STOP_SECONDS 5

static geo_temps *run_temps;
static const char *run_name = "wangge";
static volatile sig_atomic_t stopping; /* the signal being acted on, or 0 */
/* What stop_now says, translated before any signal: gettext is not
** async-signal-safe. */
static const char *said_interrupted = ": interrupted\n", *said_hung_up = ": hung up\n",
		  *said_terminated = ": terminated\n";

static void write_str(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));
	(void)n;
}

/* Ends the process by sig's default action: the caller sees a death by it. */
static void die_by(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t set;
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

static void stop_now(int sig)
{
	if (sig == SIGPIPE)
		die_by(sig);
	write_str(run_name);
	write_str(sig == SIGINT ? said_interrupted : sig == SIGHUP ? said_hung_up : said_terminated);
	_exit(128 + sig);
}

static void on_signal(int sig)
{
	geo_temps_remove(run_temps);
	if (!stopping && geo_temps_interrupt(run_temps) > 0) {
		stopping = sig;
		alarm(STOP_SECONDS);
		return;
	}
	stop_now(stopping ? stopping : sig);
}

static void on_alarm(int sig)
{
	(void)sig;
	if (stopping)
		stop_now(stopping);
}

static void exit_stopped(void)
{
	if (stopping) {
		geo_temps_remove(run_temps);
		stop_now(stopping);
	}
}

static void catch_signals(const char *name)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	static int caught;
	run_name = name;
	if (caught++)
		return;
	said_interrupted = _(": interrupted\n");
	said_hung_up = _(": hung up\n");
	said_terminated = _(": terminated\n");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		/* A signal the caller ignores (nohup, a background job) stays
		** ignored; an ignored SIGPIPE makes writes fail with EPIPE instead. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	atexit(exit_stopped);
}

/*
** Standard output is checked once, at exit, as coreutils' close_stdout does,
** rather than after each printf: a report, --json, --help or --version that
** could not be written whole (a full disk, /dev/full) fails the run with exit
** code 4 and says why, instead of a silent success. A failure already
** reported keeps its own code.
*/
static int run_failed;

static void close_stdout(void)
{
	int pending = __fpending(stdout) > 0, failed = ferror(stdout);
	errno = 0;
	/* Closed by the caller (>&-) and never written to: nothing was lost. */
	if (fclose(stdout) != 0 && (pending || errno != EBADF))
		failed = 1;
	if (!failed)
		return;
	fprintf(stderr, _("%s: error: standard output: cannot write: %s\n"), run_name,
		errno ? strerror(errno) : _("write error"));
	_exit(run_failed ? run_failed : GEO_ERR_OUTPUT);
}

static void watch_stdout(const char *name)
{
	static int watching;
	run_name = name;
	if (!watching++)
		atexit(close_stdout);
}

int cli_fail(const cli_common *c, geo_ctx *ctx, geo_err code)
{
	run_failed = code;
	if (stopping)   /* the failure is the signal's, said at exit */
		return code;
	const char *msg = ctx ? geo_last_error(ctx) : "";
	fprintf(stderr, _("%s: error: %s\n"), c->tool->name, *msg ? msg : _("failed"));
	return code;
}

int cli_part(const cli_tool *t, int key, int part, const char *text, double *out)
{
	const cli_option *o = find_row(t, key);
	if (!o || !o->range || part < 0 || part >= (o->nranges > 0 ? o->nranges : 1)) {
		fprintf(stderr, _("%s: error: option %d has no range %d (a bug)\n"), t->name, key, part);
		return GEO_ERR_INTERNAL;
	}
	return check_number(t, o, &o->range[part], text, out);
}

int cli_number(const cli_tool *t, int key, const char *arg, double *out)
{
	return cli_part(t, key, 0, arg, out);
}

static void log_message(geo_log_level level, const char *msg, void *data)
{
	const cli_common *c = data;
	if (level == GEO_LOG_WARN && !c->quiet)
		fprintf(stderr, _("%s: warning: %s\n"), c->tool->name, msg);
	else if (level == GEO_LOG_INFO && !c->quiet && c->opts->verbose)
		fprintf(stderr, "%s: %s\n", c->tool->name, msg);
	else if (level == GEO_LOG_DEBUG && c->opts->verbose > 1)
		fprintf(stderr, _("%s: debug: %s\n"), c->tool->name, msg);
}

geo_ctx *cli_context(cli_common *c)
{
	geo_ctx *ctx = geo_ctx_new();
	if (!run_temps)
		run_temps = geo_temps_new();
	if (!ctx || !run_temps) {
		geo_ctx_free(ctx);
		fprintf(stderr, _("%s: error: cannot start (out of memory)\n"), c->tool->name);
		return NULL;
	}
	geo_ctx_set_log(ctx, log_message, c);
	geo_ctx_set_temps(ctx, run_temps);
	if (geo_ctx_set_town(ctx, &c->town)) {
		fprintf(stderr, _("%s: error: %s\n"), c->tool->name, geo_last_error(ctx));
		geo_ctx_free(ctx);
		return NULL;
	}
	catch_signals(c->tool->name);
	return ctx;
}

int cli_progress_draw(double fraction, const char *msg, void *data)
{
	const cli_common *c = data;
	int width = 30, done = (int)(fraction * width + 0.5);
	done = done < 0 ? 0 : done > width ? width : done;
	fprintf(stderr, "\r%s: [%.*s%*s] %3d%% %-30.30s", c->tool->name, done,
		"##############################", width - done, "", (int)(fraction * 100 + 0.5),
		msg ? msg : "");
	if (fraction >= 1)
		fputc('\n', stderr);
	return 1;
}

geo_progress cli_progress(const cli_common *c)
{
	return c->progress && !c->quiet ? cli_progress_draw : NULL;
}
