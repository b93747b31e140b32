/*
** test_info.c: grid-info's result as data. geo_info on the fixtures, its
** figures against a count made here with OGR alone (features, levels,
** polygon area by OGR_G_Area, duplicate codes by sorting), and one result
** rendered both as text and as JSON, the JSON parsed and its figures
** compared with the result's.
*/
#include "check.h"
#include "geo.h"
#include "minijson.h"
#include "report.h"

#include <string.h>

#include <cpl_string.h>

#define FIX "tests/fixtures/"

/* What OGR alone says of a grid layer. */
struct ogr_count {
	size_t features, level[3], duplicates;
	double area;
};

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct ogr_count ogr_count(const char *path)
{
	struct ogr_count c = { 0 };
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	OGRLayerH l = ds ? GDALDatasetGetLayer(ds, 0) : NULL;
	char *ids[64];
	OGRFeatureH f;
	while (l && (f = OGR_L_GetNextFeature(l)) && c.features < 64) {
		OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
		int level = OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "level"));
		c.level[level == 1 || level == 2 ? level : 0]++;
		ids[c.features++] = strdup(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "grid_id")));
		c.area += OGR_G_Area(OGR_F_GetGeometryRef(f));
		OGR_F_Destroy(f);
	}
	qsort(ids, c.features, sizeof *ids, by_str);
	for (size_t i = 1; i < c.features; i++)
		c.duplicates += !strcmp(ids[i], ids[i - 1]) && (i == 1 || strcmp(ids[i], ids[i - 2]));
	for (size_t i = 0; i < c.features; i++)
		free(ids[i]);
	GDALClose(ds);
	return c;
}

/* The JSON report's figures are the result's. */
static void check_json(const geo_info_result *r, const char *json)
{
	mj *root = mj_parse(json);
	CHECK("the JSON report parses", root && root->type == MJ_OBJ);
	const mj *layers = root ? mj_get(root, "layers") : NULL;
	CHECK("the JSON report has the result's layers", layers && layers->n == r->nlayers);
	const mj *l0 = layers && layers->n ? layers->items[0] : NULL;
	const geo_info_layer *li = &r->layers[0];
	CHECK("JSON features = result's", mj_num(l0, "features") == (double)li->features);
	CHECK_NEAR("JSON area_m2 = result's", mj_num(l0, "area_m2"), li->area_m2, 0.05);
	const mj *grid = l0 ? mj_get(l0, "grid") : NULL;
	const mj *dup = grid ? mj_get(grid, "duplicate_codes") : NULL;
	CHECK("JSON duplicate count = result's", mj_num(dup, "count") == (double)li->duplicates.n);
	mj_free(root);
}

static void test_grids(geo_ctx *ctx, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, FIX "%s.geojson", name);
	struct ogr_count want = ogr_count(path);
	geo_info_opts o;
	geo_info_opts_init(&o);
	geo_info_result *r = NULL;
	geo_err e = geo_info(ctx, path, &o, &r, NULL, NULL);
	printf("info %s: %zu features, %zu primary, %zu secondary, %.1f m2, %zu duplicates by OGR\n",
	       name, want.features, want.level[1], want.level[2], want.area, want.duplicates);
	CHECK("geo_info succeeds with a result", e == GEO_OK && r && r->nlayers == 1);
	if (!r || r->nlayers != 1)
		return;
	const geo_info_layer *li = &r->layers[0];
	CHECK("the layer is named and its CRS copied", !strcmp(li->name, name) &&
	      !strcmp(li->crs, "EPSG:4548") && !strcmp(li->work_crs, "EPSG:4548"));
	CHECK("features as OGR counts them", li->features == want.features && li->empty == 0);
	CHECK("one geometry type, all polygons", li->ntypes == 1 &&
	      !strcmp(li->types[0].name, "POLYGON") && li->types[0].n == want.features);
	CHECK("levels as OGR counts them", li->is_grid && li->level[0] == want.level[0] &&
	      li->level[1] == want.level[1] && li->level[2] == want.level[2]);
	CHECK_NEAR("area as OGR_G_Area sums it (m², 1e-6 relative)", li->area_m2, want.area,
		   want.area * 1e-6);
	CHECK("duplicates as sorting the codes finds them", li->duplicates.n == want.duplicates &&
	      CSLCount(li->duplicates.codes) == (int)want.duplicates);
	report_buf rb;
	char *text = report_take(&rb, geo_info_report(r, 0, report_open(&rb)));
	char *json = report_take(&rb, geo_info_report(r, 1, report_open(&rb)));
	char line[64];
	snprintf(line, sizeof line, "Features: %zu\n", li->features);
	CHECK("the text report from the result", text && strstr(text, "Dataset: ") == text &&
	      strstr(text, line));
	check_json(r, json);
	free(text);
	free(json);
	geo_info_result_free(r);
}

static void test_failure(geo_ctx *ctx)
{
	geo_info_opts o;
	geo_info_opts_init(&o);
	geo_info_result *r = (geo_info_result *)&o; /* must be overwritten */
	geo_err e = geo_info(ctx, FIX "no-such-file.geojson", &o, &r, NULL, NULL);
	CHECK("a missing file: an input error and no result", e == GEO_ERR_INPUT && !r);
	geo_info_result_free(NULL);
}

int main(void)
{
	GDALAllRegister();
	geo_ctx *ctx = geo_ctx_new();
	test_grids(ctx, "grids");
	test_grids(ctx, "badcodes");
	test_failure(ctx);
	geo_ctx_free(ctx);
	return check_done();
}
