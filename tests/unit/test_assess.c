/*
** test_assess.c: grid-assess's result as data. geo_assess on the sample
** town for September 2021, its figures against SQLite's count of the same
** ledgers (written down below with the query), the grid rows against the
** town's row, and one result rendered both as text and as JSON, the JSON
** parsed and its figures compared with the result's.
*/
#include "check.h"
#include "geo.h"
#include "minijson.h"
#include "report.h"

#include <string.h>
#include <unistd.h>

#define TOWN "data/samples/xiawuqi.gpkg"

/*
** SQLite's count of the ledgers (every feature of the sample lies in a grid):
**   sqlite3 data/samples/xiawuqi.gpkg "SELECT (SELECT count(*) FROM households),
**     (SELECT count(*) FROM visits), (SELECT count(*) FROM hazards WHERE date >=
**     '2021-09-01' AND date < '2021-10-01'), (SELECT count(*) FROM hazards WHERE
**     closed >= '2021-09-01' AND closed < '2021-10-01'), (SELECT count(*) FROM
**     hazards WHERE closed >= '2021-09-01' AND closed < '2021-10-01' AND closed <=
**     deadline), (SELECT count(*) FROM secondary), (SELECT count(DISTINCT worker)
**     FROM secondary WHERE worker <> ''), (SELECT count(*) FROM hazards WHERE date
**     >= '2021-08-01' AND date < '2021-09-01')"
** gives 13000|562010|115|109|90|131|131|124, and
**   sqlite3 data/samples/xiawuqi.gpkg "SELECT level, count(*) FROM cases WHERE
**     date >= '2021-09-01' AND date < '2021-10-01' GROUP BY level"
** gives 网格 69, 片区 3, 镇 3, none 8.
*/
enum { HOUSEHOLDS = 13000, VISITS = 562010, FOUND = 115, CLOSED = 109, ON_TIME = 90,
       GRIDS = 131, WORKERS = 131, FOUND_AUGUST = 124 };
static const long cases[4] = { 69, 3, 3, 8 };

static void check_json(const geo_assess_result *r, const char *json)
{
	mj *root = mj_parse(json);
	CHECK("the JSON report parses", root && root->type == MJ_OBJ);
	const mj *town = root ? mj_get(root, "town") : NULL;
	const mj *rows = root ? mj_get(root, "rows") : NULL;
	CHECK("JSON grids, workers, visits = result's", mj_num(root, "grids") == (double)r->nrows &&
	      mj_num(root, "workers") == (double)r->workers && mj_num(root, "visits") == (double)r->visits);
	CHECK("JSON town figures = result's", mj_num(town, "hazards_found") == (double)r->town.found &&
	      mj_num(town, "cases_open") == (double)r->town.cases[3]);
	CHECK_NEAR("JSON town score = result's (to its one decimal)", mj_num(town, "score"),
		   r->town.score, 0.05 + 1e-9);
	CHECK("JSON rows = result's", rows && rows->n == r->nrows);
	mj_free(root);
}

/* The grids' rows add up to the town's. */
static void check_rows(const geo_assess_result *r)
{
	long hh = 0, found = 0, closed = 0, open = 0;
	int ranks = 1;
	for (size_t i = 0; i < r->nrows; i++) {
		const geo_assess_row *row = &r->rows[i];
		hh += row->now.households;
		found += row->now.found;
		closed += row->now.closed;
		open += row->now.cases[3];
		ranks &= row->now.rank >= 1 && row->now.rank <= (int)r->nrows && *row->grid_id;
	}
	CHECK("the grids' rows add up to the town's", hh == r->town.households &&
	      found == r->town.found && closed == r->town.closed && open == r->town.cases[3]);
	CHECK("every row has a code and a rank in 1..grids", ranks);
}

static void test_sample(geo_ctx *ctx, const char *dir)
{
	char out[300];
	snprintf(out, sizeof out, "%s/a.xlsx", dir);
	geo_assess_opts o;
	geo_assess_opts_init(&o);
	o.common.window.month = "2021-09";
	o.common.output = out;
	geo_assess_result *r = NULL;
	geo_err e = geo_assess(ctx, TOWN, &o, &r, NULL, NULL);
	CHECK("geo_assess succeeds with a result", e == GEO_OK && r);
	if (!r)
		return;
	CHECK("the periods' labels", !strcmp(r->period, "2021-09") && !strcmp(r->previous, "2021-08"));
	CHECK("grids, workers and visits as SQLite counts them",
	      r->nrows == GRIDS && r->workers == WORKERS && r->visits == VISITS);
	CHECK("households and hazards as SQLite counts them",
	      r->town.households == HOUSEHOLDS && r->town.found == FOUND &&
	      r->town.closed == CLOSED && r->town.on_time == ON_TIME &&
	      r->town_previous.found == FOUND_AUGUST);
	CHECK("cases by the level that solved them, as SQLite counts them",
	      !memcmp(r->town.cases, cases, sizeof cases));
	CHECK("the tables written are named", r->output && !strcmp(r->output, out) &&
	      !r->report && access(out, F_OK) == 0);
	check_rows(r);
	report_buf rb;
	char *text = report_take(&rb, geo_assess_report(r, 0, report_open(&rb)));
	char *json = report_take(&rb, geo_assess_report(r, 1, report_open(&rb)));
	CHECK("the text report from the result",
	      text && strstr(text, "2021-09: 131 grids, 131 workers, 562010 visits read\n") == text &&
	      strstr(text, "hazards 115 found, 109 closed (90 on time)") && strstr(text, "tables: "));
	check_json(r, json);
	free(text);
	free(json);
	geo_assess_result_free(r);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	char dir[] = "/tmp/test_assess.XXXXXX";
	if (!ctx || !mkdtemp(dir))
		return 1;
	test_sample(ctx, dir);
	geo_assess_opts o;
	geo_assess_opts_init(&o);
	geo_assess_result *r = (geo_assess_result *)dir;
	CHECK("no period: a usage error and no result",
	      geo_assess(ctx, TOWN, &o, &r, NULL, NULL) == GEO_ERR_USAGE && !r);
	geo_assess_result_free(NULL);
	check_remove_dir(dir);
	geo_ctx_free(ctx);
	return check_done();
}
