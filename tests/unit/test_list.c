/*
** test_list.c: grid-list's result as data. geo_list on the sample town's
** ponds, its figures against SpatiaLite's count of the same (written down
** below with the query), a pond outside every grid listed last and counted,
** and one result rendered both as text and as JSON, the JSON parsed and its
** figures compared with the result's.
*/
#include "check.h"
#include "geo.h"
#include "minijson.h"
#include "report.h"

#include <string.h>
#include <unistd.h>

#define TOWN "data/samples/xiawuqi.gpkg"

/*
** SpatiaLite's count, a placing independent of the placer (each pond in the
** grid that contains its ST_PointOnSurface; the ponds lie well inside
** their grids):
**   ogrinfo -ro -q data/samples/xiawuqi.gpkg -dialect SQLite -sql "SELECT
**     count(*) AS ponds, count(DISTINCT g) AS grids, (SELECT count(*) FROM
**     secondary) AS nsec FROM (SELECT (SELECT s.grid_id FROM secondary s
**     WHERE ST_Contains(s.geom, ST_PointOnSurface(p.geom))) AS g FROM ponds p)"
** gives ponds 150, grids 87, nsec 131.
*/
enum { PONDS = 150, GRIDS_WITH_PONDS = 87, SECONDARIES = 131 };

static void check_json(const geo_list_result *r, const char *json)
{
	mj *root = mj_parse(json);
	CHECK("the JSON report parses", root && root->type == MJ_OBJ);
	CHECK("JSON features, unplaced, grids = result's",
	      mj_num(root, "features") == (double)r->features &&
	      mj_num(root, "unplaced") == (double)r->unplaced && mj_num(root, "grids") == (double)r->grids);
	const mj *lists = root ? mj_get(root, "lists") : NULL;
	CHECK("JSON lists = result's", lists && lists->n == r->nlists);
	const mj *last = lists && lists->n ? lists->items[lists->n - 1] : NULL;
	const mj *id = last ? mj_get(last, "grid_id") : NULL;
	CHECK("JSON's last list is the result's", id && r->nlists &&
	      (r->lists[r->nlists - 1].grid_id ? id->type == MJ_STR &&
	       !strcmp(id->str, r->lists[r->nlists - 1].grid_id) : id->type == MJ_NULL));
	mj_free(root);
}

static void test_sample(geo_ctx *ctx)
{
	geo_list_opts o;
	geo_list_opts_init(&o);
	o.common.verbose = 1;
	const char *features[] = { TOWN ":ponds" };
	geo_list_result *r = NULL;
	geo_err e = geo_list(ctx, TOWN ":secondary", features, 1, &o, &r, NULL, NULL);
	CHECK("geo_list succeeds with a result", e == GEO_OK && r);
	if (!r)
		return;
	CHECK("features and grids as SpatiaLite counts them",
	      r->features == PONDS && r->unplaced == 0 && r->grids == SECONDARIES);
	CHECK("a list per grid with a pond, as SpatiaLite places them",
	      r->grids_with_features == GRIDS_WITH_PONDS && r->nlists == GRIDS_WITH_PONDS);
	size_t sum = 0, sorted = 1;
	for (size_t k = 0; k < r->nlists; k++) {
		sum += r->lists[k].features;
		sorted &= k == 0 || strcmp(r->lists[k - 1].grid_id, r->lists[k].grid_id) < 0;
	}
	CHECK("the lists hold every pond once, by grid code", sum == PONDS && sorted);
	CHECK("one layer, named and counted", r->nlayers == 1 && !strcmp(r->layers[0].name, "ponds") &&
	      !strcmp(r->layers[0].source, features[0]) && r->layers[0].features == PONDS);
	CHECK("the title made from the layer, no output written",
	      !strcmp(r->title, "坑塘踏查清单") && !r->output && !r->pdf);
	report_buf rb;
	char *text = report_take(&rb, geo_list_report(r, 0, report_open(&rb)));
	char *json = report_take(&rb, geo_list_report(r, 1, report_open(&rb)));
	char line[160];
	snprintf(line, sizeof line, "  %s %s ", r->lists[0].grid_id, r->lists[0].name);
	CHECK("the text report from the result, a line per list (verbose)",
	      text && strstr(text, "坑塘踏查清单: 150 features in 87 lists") == text && strstr(text, line));
	check_json(r, json);
	free(text);
	free(json);
	geo_list_result_free(r);
}

/* One pond of the town and one moved 20 km east: the second is in no grid. */
static void test_outside(geo_ctx *ctx, const char *dir)
{
	char path[256], csv[600], out[300];
	snprintf(path, sizeof path, "%s/p.geojson", dir);
	snprintf(out, sizeof out, "%s/p.csv", dir);
	snprintf(csv, sizeof csv,
		 "ogr2ogr -f GeoJSON %s " TOWN " -dialect SQLite -sql \"SELECT pond_id, geom FROM ponds "
		 "WHERE pond_id = 'KT001' UNION ALL SELECT 'KT900', ST_Translate(geom, 20000, 0, 0) "
		 "FROM ponds WHERE pond_id = 'KT001'\"",
		 path);
	CHECK("the outside pond is written", system(csv) == 0);
	geo_list_opts o;
	geo_list_opts_init(&o);
	o.common.strict = 1;
	o.common.output = out;
	const char *features[] = { path };
	geo_list_result *r = NULL;
	geo_ctx_set_log(ctx, NULL, NULL);
	geo_err e = geo_list(ctx, TOWN ":secondary", features, 1, &o, &r, NULL, NULL);
	CHECK("--strict and a pond in no grid: GEO_PROBLEMS, with a result", e == GEO_PROBLEMS && r);
	if (!r)
		return;
	CHECK("one placed, one unplaced, listed last without a grid",
	      r->features == 2 && r->unplaced == 1 && r->layers[0].unplaced == 1 && r->nlists == 2 &&
	      r->lists[0].grid_id && !r->lists[1].grid_id && r->lists[1].features == 1);
	CHECK("the table written is named", r->output && !strcmp(r->output, out) &&
	      access(out, F_OK) == 0);
	report_buf rb;
	char *json = report_take(&rb, geo_list_report(r, 1, report_open(&rb)));
	check_json(r, json);
	free(json);
	geo_list_result_free(r);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	char dir[] = "/tmp/test_list.XXXXXX";
	if (!ctx || !mkdtemp(dir))
		return 1;
	test_sample(ctx);
	test_outside(ctx, dir);
	geo_list_result *r = (geo_list_result *)dir;
	geo_list_opts o;
	geo_list_opts_init(&o);
	CHECK("no feature layer: a usage error and no result",
	      geo_list(ctx, TOWN ":secondary", NULL, 0, &o, &r, NULL, NULL) == GEO_ERR_USAGE && !r);
	check_remove_dir(dir);
	geo_ctx_free(ctx);
	return check_done();
}
