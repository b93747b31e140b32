/*
** town.c: `synth town`, the sample town of data/samples. The outline comes
** first, then 34 village centres spread over it; households cluster round
** them (points.c); primaries and secondaries are k-means centres of the
** households below them, so grids follow settlements; one exact tiling
** (faces.c) cuts villages, primaries and secondaries at once. Six areas grow
** from far-apart villages. Roads, rivers and ditches (network.c), ponds,
** cameras, hazards and cases (points.c) follow, then the ledgers
** (ledgers.c) and the buildings (buildings.c); town_write.c writes it.
*/
#include "town.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 34 village centres, spread by dart throwing 450 m inside the outline. */
static void village_seeds(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_VILLAGES);
	double env[4];
	env_of(s, t->shape, env);
	double area = geo_geom_area(s->ctx, t->shape);
	GEOSGeometry *inner = need(s, GEOSBuffer_r(s->h, t->shape, -450, 8), "buffer");
	const GEOSPreparedGeometry *ip = GEOSPrepare_r(s->h, inner);
	seeds_alloc(&t->vs, N_VILLAGES);
	spaced_points(s, &r, ip, env, N_VILLAGES, 0.85 * sqrt(area / N_VILLAGES), t->vs.x, t->vs.y);
	GEOSPreparedGeom_destroy_r(s->h, ip);
	GEOSGeom_destroy_r(s->h, inner);
}

/* Seeds of the level below parents: k[p] k-means centres of the households
** that fall in parent p (hpar[h] gives the household's parent). */
static void child_seeds(synth *s, town *t, const int *hpar, size_t np, const long *k,
			GEOSGeometry **cells, seeds *out)
{
	size_t n = 0;
	for (size_t p = 0; p < np; p++)
		n += (size_t)k[p];
	seeds_alloc(out, n);
	size_t *idx = xcalloc(t->nh, sizeof *idx), at = 0;
	for (size_t p = 0; p < np; p++) {
		size_t m = 0;
		for (size_t h = 0; h < t->nh; h++)
			if (hpar[h] == (int)p)
				idx[m++] = h;
		if (m < (size_t)k[p])
			fatal("grid %zu has fewer households than sub-grids; try another --seed", p);
		const GEOSPreparedGeometry *cp = GEOSPrepare_r(s->h, cells[p]);
		kmeans(s, t->hx, t->hy, idx, m, (size_t)k[p], cp, out->x + at, out->y + at);
		GEOSPreparedGeom_destroy_r(s->h, cp);
		for (long j = 0; j < k[p]; j++)
			out->parent[at++] = (int)p;
	}
	free(idx);
}

static int cmp_size_desc(const void *a, const void *b, void *w)
{
	const long *c = w;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (c[i] != c[j])
		return c[i] > c[j] ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* The three largest villages get two primary grids: 34 + 3 = 37. */
static void primary_seeds(synth *s, town *t, GEOSGeometry **vcells, const long *vcount)
{
	long pk[N_VILLAGES];
	size_t order[N_VILLAGES];
	for (size_t v = 0; v < N_VILLAGES; v++) {
		order[v] = v;
		pk[v] = 1;
	}
	qsort_r(order, N_VILLAGES, sizeof *order, cmp_size_desc, (void *)vcount);
	for (int i = 0; i < N_PRIMARY - N_VILLAGES; i++)
		pk[order[i]] = 2;
	child_seeds(s, t, t->hv, N_VILLAGES, pk, vcells, &t->ps);
}

/* The 131 secondaries shared out to primaries by households, two at least. */
static void secondary_seeds(synth *s, town *t, GEOSGeometry **pcells)
{
	int *hprim = xcalloc(t->nh, sizeof *hprim);
	double pw[N_PRIMARY] = { 0 };
	long sk[N_PRIMARY];
	for (size_t h = 0; h < t->nh; h++) {
		hprim[h] = (int)nearest_seed(&t->ps, t->hv[h], t->hx[h], t->hy[h]);
		pw[hprim[h]] += 1;
	}
	apportion(pw, N_PRIMARY, N_SECONDARY, 2, sk);
	child_seeds(s, t, hprim, N_PRIMARY, sk, pcells, &t->ss);
	free(hprim);
}

/* The six areas grow from six villages far apart: the first the westmost,
** each next the village farthest from those taken. */
static void area_seeds(const town *t, int *ao)
{
	for (int v = 0; v < N_VILLAGES; v++)
		ao[v] = -1;
	int aseed = 0;
	for (int v = 1; v < N_VILLAGES; v++)
		if (t->vs.x[v] < t->vs.x[aseed])
			aseed = v;
	ao[aseed] = 0;
	for (int a = 1; a < N_AREAS; a++) {
		int far = -1;
		double fd = -1;
		for (int v = 0; v < N_VILLAGES; v++) {
			double d = INFINITY;
			for (int u = 0; u < N_VILLAGES; u++)
				if (ao[u] >= 0)
					d = fmin(d, hypot(t->vs.x[v] - t->vs.x[u], t->vs.y[v] - t->vs.y[u]));
			if (ao[v] < 0 && d > fd) {
				fd = d;
				far = v;
			}
		}
		ao[far] = a;
	}
}

/* The unassigned village sharing most boundary with area a, or -1; *len
** gets that boundary. */
static int area_neighbour(const town *t, const int *ao, int a, double *len)
{
	int cand = -1;
	double cl = 0;
	for (int v = 0; v < N_VILLAGES; v++) {
		if (ao[v] >= 0)
			continue;
		double l = 0;
		for (int u = 0; u < N_VILLAGES; u++)
			if (ao[u] == a)
				l += t->vadj[v * N_VILLAGES + u];
		if (l > cl) {
			cl = l;
			cand = v;
		}
	}
	*len = cl;
	return cand;
}

/* The smallest area (by households) that has a neighbour takes it, until
** every village has an area; so each area stays in one piece. */
static void area_grow(const town *t, int *ao, const long *vcount)
{
	for (int left = N_VILLAGES - N_AREAS; left > 0; left--) {
		long size[N_AREAS] = { 0 };
		for (int v = 0; v < N_VILLAGES; v++)
			if (ao[v] >= 0)
				size[ao[v]] += vcount[v];
		int best_a = -1, best_v = -1;
		double best_len = 0;
		for (int a = 0; a < N_AREAS; a++) {
			if (best_a >= 0 && size[a] >= size[best_a])
				continue;
			double cl;
			int cand = area_neighbour(t, ao, a, &cl);
			if (cand >= 0) {
				best_a = a;
				best_v = cand;
				best_len = cl;
			}
		}
		if (best_a < 0 || best_len <= 0)
			fatal("villages are not connected; try another --seed");
		ao[best_v] = best_a;
	}
}

static void make_areas(synth *s, town *t, const faces *f, const int *village_of,
		       const long *vcount)
{
	area_seeds(t, t->area_of);
	area_grow(t, t->area_of, vcount);
	int *ga = xcalloc(f->n, sizeof *ga);
	for (size_t i = 0; i < f->n; i++)
		ga[i] = t->area_of[village_of[i]];
	t->area = group_union(s, f, ga, N_AREAS, "area");
	free(ga);
}

/* Cuts the town into villages, primaries and secondaries by one exact
** tiling, and the villages into areas. */
static void make_grids(synth *s, town *t)
{
	village_seeds(s, t);
	glist lines = { 0 };
	glist_push(&lines, need(s, GEOSBoundary_r(s->h, t->shape), "boundary"));
	GEOSGeometry **vcells = xcalloc(N_VILLAGES, sizeof *vcells);
	level_cut(s, &t->vs, &t->shape, 1, &lines, vcells);
	make_households(s, t, vcells);
	long vcount[N_VILLAGES] = { 0 };
	for (size_t h = 0; h < t->nh; h++)
		vcount[t->hv[h]]++;
	primary_seeds(s, t, vcells, vcount);
	GEOSGeometry **pcells = xcalloc(N_PRIMARY, sizeof *pcells);
	level_cut(s, &t->ps, vcells, N_VILLAGES, &lines, pcells);
	secondary_seeds(s, t, pcells);
	level_cut(s, &t->ss, pcells, N_PRIMARY, &lines, NULL);
	destroy_all(s, vcells, N_VILLAGES);
	destroy_all(s, pcells, N_PRIMARY);

	faces f;
	int *g[3];
	const seeds *lv[3] = { &t->vs, &t->ps, &t->ss };
	faces_tile(s, &lines, t->shape, lv, 3, "town", &f, g);
	t->vill = group_union(s, &f, g[0], N_VILLAGES, "village");
	t->prim = group_union(s, &f, g[1], N_PRIMARY, "primary grid");
	t->sec = group_union(s, &f, g[2], N_SECONDARY, "secondary grid");
	t->town = faces_union(s, &f);
	t->vadj = group_adjacency(&f, g[0], N_VILLAGES);
	make_areas(s, t, &f, g[0], vcount);
	for (int l = 0; l < 3; l++)
		free(g[l]);
	faces_free(s, &f);
}

/* Village names as on the North China plain: a direction or size, a family
** name and a settlement word (东王庄村, 小李营村). */
static void name_villages(synth *s, town *t)
{
	static const char *pre[] = { "东", "西", "南", "北", "前", "后", "大", "小", "上", "中" };
	static const char *fam[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
				     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "罗", "梁" };
	static const char *suf[] = { "庄村", "营村", "屯村", "各庄村", "辛庄村", "家务村", "台村",
				     "堡村", "店村", "口村" };
	enum { NP = 10, NF = 20, NS = 10 };
	rng r;
	rng_init(&r, s->seed, S_NAMES);
	int used[NP * NF] = { 0 };
	size_t order[N_VILLAGES];
	if (geo_grid_order(s->ctx, t->vill, N_VILLAGES, order))
		fatal("%s", geo_last_error(s->ctx));
	for (int k = 0; k < N_VILLAGES; k++)
		t->vrank[order[k]] = k;
	/* The seat of the town keeps the town's name. */
	int seat = 0;
	for (int v = 1; v < N_VILLAGES; v++)
		if (hypot(t->vs.x[v] - TOWN_X, t->vs.y[v] - TOWN_Y) <
		    hypot(t->vs.x[seat] - TOWN_X, t->vs.y[seat] - TOWN_Y))
			seat = v;
	for (int k = 0; k < N_VILLAGES; k++) {
		int v = (int)order[k];
		if (v == seat) {
			snprintf(t->vname[v], sizeof t->vname[v], "下伍旗村");
			continue;
		}
		size_t c;
		do
			c = rng_below(&r, NP * NF);
		while (used[c]);
		used[c] = 1;
		snprintf(t->vname[v], sizeof t->vname[v], "%s%s%s", pre[c % NP], fam[c / NP],
			 suf[rng_below(&r, NS)]);
	}
}

/* Secondary grid of each household; a household that rounding left on a
** boundary (none in practice) is dropped rather than mis-placed. */
static void place_households(synth *s, town *t)
{
	t->vill_ix = index_of(s, t->vill, N_VILLAGES);
	t->sec_ix = index_of(s, t->sec, N_SECONDARY);
	size_t kept = 0;
	for (size_t h = 0; h < t->nh; h++) {
		long found = index_first_at(s, t->sec_ix, t->hx[h], t->hy[h]);
		if (found < 0)
			continue;
		t->hx[kept] = t->hx[h];
		t->hy[kept] = t->hy[h];
		t->hp[kept] = t->hp[h];
		t->hs[kept] = (int)found;
		t->hv[kept] = t->ps.parent[t->ss.parent[found]];
		kept++;
	}
	if (kept < t->nh)
		note(s, "town: %zu households fell on a boundary and were dropped", t->nh - kept);
	t->nh = kept;
}

int village_at(synth *s, const town *t, double x, double y)
{
	return (int)index_first_at(s, t->vill_ix, x, y);
}

static void town_free(synth *s, town *t)
{
	GEOSPreparedGeom_destroy_r(s->h, t->town_p);
	geo_index_free(t->vill_ix);
	geo_index_free(t->sec_ix);
	GEOSGeom_destroy_r(s->h, t->shape);
	GEOSGeom_destroy_r(s->h, t->town);
	destroy_all(s, t->vill, N_VILLAGES);
	destroy_all(s, t->prim, N_PRIMARY);
	destroy_all(s, t->sec, N_SECONDARY);
	destroy_all(s, t->area, N_AREAS);
	destroy_all(s, t->ponds, t->nponds);
	seeds_free(&t->vs);
	seeds_free(&t->ps);
	seeds_free(&t->ss);
	void *arrays[] = { t->sigma, t->vadj, t->hx, t->hy, t->hp, t->hv, t->hs,
			   t->road_class.v, t->pond, t->cams, t->hazards, t->cases,
			   t->visits, t->inspections, t->hh_num, t->bld };
	for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		free(arrays[i]);
	for (size_t i = 0; i < t->roads.n; i++)
		free(t->road_name[i]);
	free(t->road_name);
	glist_free(s, &t->roads);
	glist_free(s, &t->rivers);
	glist_free(s, &t->ditches);
}

/* Everything of the town, in the order the random streams expect. */
static void town_build(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_SHAPE);
	t->shape = town_shape(s, &r);
	make_grids(s, t);
	t->town_p = GEOSPrepare_r(s->h, t->town);
	name_villages(s, t);
	place_households(s, t);
	make_roads(s, t);
	make_rivers(s, t);
	make_ditches(s, t);
	make_ponds(s, t);
	make_cameras(s, t);
	make_hazards(s, t);
	make_cases(s, t);
	make_ledgers(s, t);
	refine_kinds(s, t);
	make_buildings(s, t);
}

geo_err make_town(synth *s, const char *path, const char *csv, double scale, int overwrite)
{
	clock_t t0 = clock();
	town t;
	memset(&t, 0, sizeof t);
	t.scale = scale;
	town_build(s, &t);
	geo_crs *crs = geo_crs_new(s->ctx, "EPSG:4548");
	geo_output *out = crs ? open_output(s, path, overwrite) : NULL;
	geo_err e = out ? GEO_OK : geo_last_code(s->ctx);
	if (!e) {
		write_town_layers(s, &t, out, crs);
		e = geo_output_commit(s->ctx, out);
	}
	if (!e && csv)
		e = write_gcj02_csv(s, &t, csv, crs, overwrite);
	if (!e)
		note(s, "town: %s: %zu households, %zu roads, %zu rivers, %zu ditches, %zu ponds, "
			"%zu cameras, %zu hazards, %zu cases, %zu buildings in %.1f s",
		     path, t.nh, t.roads.n, t.rivers.n, t.ditches.n, t.nponds, t.ncams, t.nhazards,
		     t.ncases, t.nbld, (double)(clock() - t0) / CLOCKS_PER_SEC);
	geo_output_close(out);
	geo_crs_free(crs);
	town_free(s, &t);
	return e;
}
