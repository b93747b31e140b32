/*
** old-grids.c: makes the sample town's grids as they were before the 2021
** redraw, for grid-diff's demo and tests: a coarser set of primary grids,
** each the union of adjacent villages, with codes numbered west to east,
** north to south and a (made-up) grid worker each.
**
**   old-grids [--grids N] [--overwrite] -o OUT.gpkg VILLAGES
**
** VILLAGES is a polygon layer with village_code, name and households (the
** sample's xiawuqi.gpkg:villages). Starting from one grid per village, the
** two adjacent grids with the fewest households together are merged (ties
** to the lower codes) until N grids are left (default 20), so the old grids
** are balanced the way a planner of 2018 would have drawn them by hand.
** Nothing is random: the same villages give the same bytes.
**
** This is a script, not the library: it stops with a message on failure.
*/
#include "geo.h"
#include "core/geo_internal.h"

#include <cpl_string.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOWN_CODE "120114105"

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄",
					"周", "吴", "徐", "孙", "胡", "朱", "高", "林",
					"何", "郭", "马", "罗", "梁", "宋", "郑", "谢" };
static const char *const given[] = { "建国", "秀英", "桂兰", "志强", "海燕", "国华", "淑珍",
				     "文明", "丽娟", "永刚", "春梅", "德胜", "玉兰", "振华",
				     "红霞", "宝山", "凤英", "立新", "金花", "长青", "晓东",
				     "翠萍", "树林", "雪梅" };

static void die(geo_ctx *ctx, const char *what)
{
	fprintf(stderr, "old-grids: error: %s%s%s\n", what, ctx ? ": " : "",
		ctx ? geo_last_error(ctx) : "");
	exit(ctx ? (int)geo_last_code(ctx) : 2);
}

struct group {
	int alive;
	double households;
	char *first_code;       /* the lowest village code, for ties */
	char **villages;        /* CSL list of village names */
	size_t *members, n;
};

/* 1 when villages a and b share more than a metre of boundary. */
static int adjacent(GEOSContextHandle_t h, const GEOSGeometry *a, const GEOSGeometry *b)
{
	GEOSGeometry *ba = GEOSBoundary_r(h, a), *bb = GEOSBoundary_r(h, b);
	GEOSGeometry *common = ba && bb ? GEOSIntersection_r(h, ba, bb) : NULL;
	double len = 0;
	if (common)
		GEOSLength_r(h, common, &len);
	GEOSGeom_destroy_r(h, ba);
	GEOSGeom_destroy_r(h, bb);
	GEOSGeom_destroy_r(h, common);
	return len > 1.0;
}

static int groups_touch(const struct group *a, const struct group *b, const char *adj, size_t n)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (adj[a->members[i] * n + b->members[j]])
				return 1;
	return 0;
}

/* Merges the two touching groups with the fewest households together. */
static int merge_once(struct group *g, size_t n, const char *adj)
{
	long best_a = -1, best_b = -1;
	double best = 0;
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; g[a].alive && b < n; b++) {
			if (!g[b].alive || !groups_touch(&g[a], &g[b], adj, n))
				continue;
			double hh = g[a].households + g[b].households;
			if (best_a < 0 || hh < best)
				best_a = (long)a, best_b = (long)b, best = hh;
		}
	if (best_a < 0)
		return 0;
	struct group *x = &g[best_a], *y = &g[best_b];
	x->members = realloc(x->members, (x->n + y->n) * sizeof *x->members);
	if (!x->members)
		die(NULL, "out of memory");
	memcpy(x->members + x->n, y->members, y->n * sizeof *y->members);
	x->n += y->n;
	x->households += y->households;
	for (int k = 0; y->villages && y->villages[k]; k++)
		x->villages = CSLAddString(x->villages, y->villages[k]);
	y->alive = 0;
	return 1;
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const geo_grid *)a)->id, ((const geo_grid *)b)->id);
}

static void write_grids(geo_ctx *ctx, const geo_gridset *vs, struct group *g, size_t n,
			const char *out_name, int overwrite)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	size_t k = 0;
	GEOSGeometry **geoms = calloc(n, sizeof *geoms);
	struct group **live = calloc(n, sizeof *live);
	size_t *order = calloc(n, sizeof *order);
	for (size_t i = 0; i < n; i++) {
		if (!g[i].alive)
			continue;
		GEOSGeometry **parts = calloc(g[i].n, sizeof *parts);
		for (size_t m = 0; m < g[i].n; m++)
			parts[m] = GEOSGeom_clone_r(h, vs->grids[g[i].members[m]].geom);
		GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
								 (unsigned)g[i].n);
		geoms[k] = GEOSCoverageUnion_r(h, coll);
		if (!geoms[k])
			die(ctx, "union of villages");
		GEOSGeom_destroy_r(h, coll);
		free(parts);
		live[k++] = &g[i];
	}
	if (geo_grid_order(ctx, geoms, k, order))
		die(ctx, "ordering grids");
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = overwrite;
	geo_output *out = geo_output_open(ctx, out_name, &oo);
	OGRLayerH l = out ? geo_output_create_layer(ctx, out, NULL, vs->source_crs, wkbPolygon) : NULL;
	if (!l)
		die(ctx, out_name);
	static const struct { const char *name; OGRFieldType t; } fields[] = {
		{ "grid_id", OFTString }, { "level", OFTInteger }, { "name", OFTString },
		{ "villages", OFTString }, { "households", OFTInteger }, { "worker", OFTString },
	};
	for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
		OGRFieldDefnH fd = OGR_Fld_Create(fields[f].name, fields[f].t);
		OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
	}
	geo_transform *t = geo_transform_new(ctx, vs->crs, vs->source_crs);
	for (size_t s = 0; s < k; s++) {
		const struct group *gr = live[order[s]];
		char code[32], name[64], worker[64];
		geo_grid_code_primary(code, sizeof code, TOWN_CODE, (int)s + 1);
		snprintf(name, sizeof name, "第%zu网格", s + 1);
		snprintf(worker, sizeof worker, "%s%s", surnames[s % 24], given[(s * 7 + 3) % 24]);
		geo_buf b;
		geo_buf_init(&b);
		for (int v = 0; gr->villages && gr->villages[v]; v++)
			geo_buf_printf(&b, "%s%s", v ? "、" : "", gr->villages[v]);
		char *villages = geo_buf_take(&b);
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		OGR_F_SetFieldString(f, 0, code);
		OGR_F_SetFieldInteger(f, 1, 1);
		OGR_F_SetFieldString(f, 2, name);
		OGR_F_SetFieldString(f, 3, villages);
		OGR_F_SetFieldInteger(f, 4, (int)gr->households);
		OGR_F_SetFieldString(f, 5, worker);
		if (geo_write_feature(ctx, l, f, geoms[order[s]], t))
			die(ctx, out_name);
		OGR_F_Destroy(f);
		free(villages);
	}
	/* Outlines only, labelled with their names, so that QGIS shows the old
	** grids over the new ones as they are compared. */
	static const geo_qml_category all = { "", "2018年网格", "110,70,160", "no" };
	const geo_qml_categorized_opts so = { .field = "grid_id", .kind = GEO_QML_FILL, .opacity = 1,
					      .width = 0.8, .outline = "110,70,160", .label = "name" };
	char *qml = geo_qml_categorized(&all, 1, &so);
	if (!qml || geo_output_style(ctx, out, l, qml))
		die(ctx, "the grids' style");
	free(qml);
	if (geo_output_commit(ctx, out))
		die(ctx, out_name);
	geo_output_close(out);
	geo_transform_free(t);
	for (size_t s = 0; s < k; s++)
		GEOSGeom_destroy_r(h, geoms[s]);
	free(geoms);
	free(live);
	free(order);
}

int main(int argc, char **argv)
{
	long target = 20;
	int overwrite = 0, c;
	const char *out = NULL;
	static const struct option longs[] = { { "grids", required_argument, NULL, 'g' },
					       { "output", required_argument, NULL, 'o' },
					       { "overwrite", no_argument, NULL, 'w' },
					       { NULL, 0, NULL, 0 } };
	while ((c = getopt_long(argc, argv, "o:", longs, NULL)) != -1) {
		if (c == 'g')
			target = strtol(optarg, NULL, 10);
		else if (c == 'o')
			out = optarg;
		else if (c == 'w')
			overwrite = 1;
		else
			die(NULL, "usage: old-grids [--grids N] [--overwrite] -o OUT.gpkg VILLAGES");
	}
	if (!out || optind != argc - 1 || target < 1)
		die(NULL, "usage: old-grids [--grids N] [--overwrite] -o OUT.gpkg VILLAGES");
	geo_ctx *ctx = geo_ctx_new();
	geo_grid_opts go;
	geo_grid_opts_init(&go);
	go.id_field = "village_code";
	geo_gridset *vs = geo_gridset_read(ctx, argv[optind], NULL, &go, NULL);
	if (!vs)
		die(ctx, argv[optind]);
	qsort(vs->grids, vs->n, sizeof *vs->grids, by_code);
	size_t n = vs->n;
	char *adj = calloc(n * n, 1);
	struct group *g = calloc(n, sizeof *g);
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++)
			adj[i * n + j] = adj[j * n + i] =
				(char)adjacent(h, vs->grids[i].geom, vs->grids[j].geom);
		g[i].alive = 1;
		g[i].households = vs->grids[i].households;
		g[i].members = malloc(sizeof *g[i].members);
		g[i].members[0] = i;
		g[i].n = 1;
		g[i].villages = CSLAddString(NULL, vs->grids[i].name);
	}
	for (size_t live = n; live > (size_t)target && merge_once(g, n, adj); live--)
		;
	write_grids(ctx, vs, g, n, out, overwrite);
	for (size_t i = 0; i < n; i++) {
		free(g[i].members);
		CSLDestroy(g[i].villages);
	}
	free(g);
	free(adj);
	geo_gridset_free(vs);
	geo_ctx_free(ctx);
	return 0;
}
