/*
** tiling.c: `synth tiling`, towns of any size for tests and benchmarks. K
** secondary and about 37/131 × K primary seeds are spread evenly over the
** town outline; each secondary seed belongs to its nearest primary seed; the
** exact tiling of faces.c cuts both levels at once. Writes grids.gpkg (town,
** primaries, secondaries and, with --points, points streamed without an
** R-tree), and with --defects defects.gpkg and truth.json (defects.c).
** Coordinates are multiples of 1/128 m, so that the points halfway and a
** quarter along an edge are exact: --unmatched and the defects rely on it.
*/
#include "tiling.h"

#include <cpl_string.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Primaries: 37/131 of the secondaries, at least K/99 and at most 999, so
** that codes fit their 3 + 2 digits. */
static size_t primary_count(size_t K)
{
	size_t M = (size_t)lround((double)K * N_PRIMARY / N_SECONDARY);
	size_t lo = (K + MAX_SECONDARY_PER_PRIMARY - 1) / MAX_SECONDARY_PER_PRIMARY;
	return M < lo ? lo : M > MAX_PRIMARY ? MAX_PRIMARY : M < 1 ? 1 : M;
}

/* Each secondary seed belongs to its nearest primary seed; primaries that
** won none are dropped. */
static void adopt(seeds *P, seeds *S)
{
	size_t M = P->n;
	int *kids = xcalloc(M, sizeof *kids), *renum = xcalloc(M, sizeof *renum);
	for (size_t j = 0; j < S->n; j++) {
		S->parent[j] = (int)nearest_seed(P, -1, S->x[j], S->y[j]);
		kids[S->parent[j]]++;
	}
	size_t m = 0;
	for (size_t i = 0; i < M; i++) {
		if (kids[i] > MAX_SECONDARY_PER_PRIMARY)
			fatal("a primary grid would hold %d secondaries (at most %d); use fewer --grids",
			      kids[i], MAX_SECONDARY_PER_PRIMARY);
		renum[i] = kids[i] ? (int)m : -1;
		if (kids[i]) {
			P->x[m] = P->x[i];
			P->y[m] = P->y[i];
			m++;
		}
	}
	P->n = m;
	for (size_t j = 0; j < S->n; j++)
		S->parent[j] = renum[S->parent[j]];
	free(kids);
	free(renum);
}

static void tiling_seeds(synth *s, const tiling *t, rng *r, size_t K, seeds *P, seeds *S)
{
	double env[4];
	env_of(s, t->shape, env);
	double area = geo_geom_area(s->ctx, t->shape);
	const GEOSPreparedGeometry *sp = GEOSPrepare_r(s->h, t->shape);
	seeds_alloc(P, primary_count(K));
	seeds_alloc(S, K);
	even_seeds(s, r, sp, env, area, P->n, P->x, P->y);
	even_seeds(s, r, sp, env, area, K, S->x, S->y);
	GEOSPreparedGeom_destroy_r(s->h, sp);
	adopt(P, S);
}

/* Codes west to east, north to south: primaries over the town, secondaries
** inside their primary; households drawn (40-250), not counted, since
** tilings are about shape. */
static void number_grids(synth *s, tiling *t, rng *r, const seeds *S, GEOSGeometry **pg,
			 GEOSGeometry **sg)
{
	size_t *po = xcalloc(t->np, sizeof *po), *so = xcalloc(S->n, sizeof *so), k = 0;
	GEOSGeometry **kg = xcalloc(S->n, sizeof *kg);
	size_t *ki = xcalloc(S->n, sizeof *ki);
	if (geo_grid_order(s->ctx, pg, t->np, po))
		fatal("%s", geo_last_error(s->ctx));
	for (size_t a = 0; a < t->np; a++) {
		size_t i = po[a], nk = 0;
		tgrid *pr = &t->prim[a];
		grid_from_geos(s, pg[i], pr);
		if (geo_grid_code_primary(pr->code, sizeof pr->code, TOWN_CODE, (int)a + 1))
			fatal("primary code");
		for (size_t j = 0; j < S->n; j++)
			if (S->parent[j] == (int)i) {
				ki[nk] = j;
				kg[nk++] = sg[j];
			}
		if (geo_grid_order(s->ctx, kg, nk, so))
			fatal("%s", geo_last_error(s->ctx));
		for (size_t b = 0; b < nk; b++, k++) {
			tgrid *sc = &t->sec[k];
			grid_from_geos(s, sg[ki[so[b]]], sc);
			sc->prim = (int)a;
			memcpy(sc->parent, pr->code, sizeof sc->parent);
			if (geo_grid_code_secondary(sc->code, sizeof sc->code, pr->code, (int)b + 1))
				fatal("secondary code");
			sc->households = 40 + (long)rng_below(r, 211);
			pr->households += sc->households;
		}
	}
	free(po);
	free(so);
	free(kg);
	free(ki);
}

/* Primaries and secondaries: the same exact construction as the sample
** town, with two levels of seeds. */
static void make_tiling_grids(synth *s, tiling *t, size_t K)
{
	rng r;
	rng_init(&r, s->seed, S_TILING);
	seeds P, S;
	tiling_seeds(s, t, &r, K, &P, &S);
	glist lines = { 0 };
	glist_push(&lines, need(s, GEOSBoundary_r(s->h, t->shape), "boundary"));
	GEOSGeometry **pcells = xcalloc(P.n, sizeof *pcells);
	level_cut(s, &P, &t->shape, 1, &lines, pcells);
	level_cut(s, &S, pcells, P.n, &lines, NULL);
	destroy_all(s, pcells, P.n);
	faces f;
	int *g[2];
	const seeds *lv[2] = { &P, &S };
	faces_tile(s, &lines, t->shape, lv, 2, "tiling", &f, g);
	GEOSGeometry **pg = group_union(s, &f, g[0], P.n, "primary grid");
	GEOSGeometry **sg = group_union(s, &f, g[1], S.n, "secondary grid");
	t->town = faces_union(s, &f);
	free(g[0]);
	free(g[1]);
	faces_free(s, &f);
	t->np = P.n;
	t->ns = S.n;
	t->prim = xcalloc(P.n, sizeof *t->prim);
	t->sec = xcalloc(S.n, sizeof *t->sec);
	number_grids(s, t, &r, &S, pg, sg);
	destroy_all(s, pg, P.n);
	destroy_all(s, sg, S.n);
	seeds_free(&P);
	seeds_free(&S);
}

static void write_grid_layer(synth *s, geo_output *out, const geo_crs *crs, const char *name,
			     const tgrid *g, size_t n, int level, int multi)
{
	static const field gf[] = { { "grid_id", OFTString }, { "level", OFTInteger },
				    { "parent_id", OFTString }, { "name", OFTString },
				    { "households", OFTInteger }, { 0 } };
	OGRLayerH l = new_layer(s, out, name, crs, multi ? wkbMultiPolygon : wkbPolygon, gf);
	for (size_t i = 0; i < n; i++) {
		OGRFeatureH f = new_feature(l);
		char label[64];
		snprintf(label, sizeof label, "%s %s", level == 1 ? "primary" : "secondary", g[i].code);
		set_str(f, "grid_id", g[i].code);
		set_int(f, "level", level);
		if (level == 2)
			set_str(f, "parent_id", g[i].parent);
		set_str(f, "name", label);
		set_int(f, "households", g[i].households);
		GEOSGeometry *gg = grid_to_geos(s, &g[i], multi);
		put(s, l, f, gg);
		GEOSGeom_destroy_r(s->h, gg);
		OGR_F_Destroy(f);
	}
}

/* The town layer and both grid layers; secondaries from sec (the clean
** ones, or the copy with defects as MultiPolygons). */
static void write_grids(synth *s, geo_output *out, const geo_crs *crs, const tiling *t,
			const tgrid *sec, int multi)
{
	static const field tf[] = { { "name", OFTString }, { "code", OFTString }, { "area_m2", OFTReal }, { 0 } };
	OGRLayerH l = new_layer(s, out, "town", crs, wkbPolygon, tf);
	OGRFeatureH f = new_feature(l);
	set_str(f, "name", "synthetic town");
	set_str(f, "code", TOWN_CODE);
	set_num(f, "area_m2", area_of(s, t->town));
	put(s, l, f, t->town);
	OGR_F_Destroy(f);
	write_grid_layer(s, out, crs, "primary", t->prim, t->np, 1, 0);
	write_grid_layer(s, out, crs, "secondary", sec, t->ns, 2, multi);
}

/* Cluster centres for --clustered: about two per ten grids' worth of width,
** like settlements, with log-normal weights (cum is their running sum). */
typedef struct clusters {
	size_t n;
	double *x, *y, *sd, *cum;
} clusters;

static void clusters_draw(rng *r, geo_placer *in, const double *env, double area, size_t n,
			  clusters *c)
{
	c->n = n;
	c->x = xcalloc(n + 1, sizeof *c->x);
	c->y = xcalloc(n + 1, sizeof *c->y);
	c->sd = xcalloc(n + 1, sizeof *c->sd);
	c->cum = xcalloc(n + 1, sizeof *c->cum);
	for (size_t k = 0; k < n; k++) {
		do {
			c->x[k] = rng_range(r, env[0], env[2]);
			c->y[k] = rng_range(r, env[1], env[3]);
		} while (geo_placer_locate(in, c->x[k], c->y[k]) < 0);
		c->sd[k] = 0.35 * sqrt(area / (double)n) * rng_range(r, 0.3, 1.0);
		c->cum[k] = (k ? c->cum[k - 1] : 0) + exp(0.8 * rng_normal(r));
	}
}

static void clusters_free(clusters *c)
{
	free(c->x);
	free(c->y);
	free(c->sd);
	free(c->cum);
}

/* A rounded point around a cluster drawn by weight. */
static void cluster_point(synth *s, rng *r, const clusters *c, double *x, double *y)
{
	double u = rng_unif(r) * c->cum[c->n - 1];
	size_t lo = 0, hi = c->n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	*x = snapv(s, c->x[lo] + c->sd[lo] * rng_normal(r));
	*y = snapv(s, c->y[lo] + c->sd[lo] * rng_normal(r));
}

/* The points layer, without an R-tree: SQLite's costs 12 µs a point, five
** times the rest of the write; readers that want one run
** SELECT CreateSpatialIndex(...). */
static OGRLayerH points_layer(geo_output *out, const geo_crs *crs)
{
	static const field pf[] = { { "persons", OFTInteger }, { 0 } };
	char **lo = CSLSetNameValue(NULL, "SPATIAL_INDEX", "NO");
	OGRLayerH l = GDALDatasetCreateLayer(geo_output_dataset(out), "points", geo_crs_ogr(crs),
					     wkbPoint, lo);
	CSLDestroy(lo);
	if (!l)
		fatal("cannot create layer points: %s", geo_cpl_error("driver refused"));
	add_fields(l, pf);
	return l;
}

/* P points in the town, uniform or in clusters, streamed to the layer. The
** town test is libgeo's point placer, with the town as its one grid. */
static void write_points(synth *s, geo_output *out, const geo_crs *crs, const GEOSGeometry *town,
			 const tiling_opts *o, size_t ngrids)
{
	OGRLayerH l = points_layer(out, crs);
	OGRFeatureH f = new_feature(l);
	int persons = OGR_F_GetFieldIndex(f, "persons");
	char id[] = "town", none[] = "";
	geo_grid g = { .id = id, .parent_id = none, .name = none, .households = -1,
		       .geom = (GEOSGeometry *)town };
	geo_gridset gs = { .n = 1, .grids = &g, .geos = s->h };
	geo_placer *in = geo_placer_new(s->ctx, &gs);
	if (!in)
		fatal("placer: %s", geo_last_error(s->ctx));
	rng r;
	rng_init(&r, s->seed, S_POINTS);
	double env[4], area = geo_geom_area(s->ctx, town);
	env_of(s, town, env);
	clusters c;
	clusters_draw(&r, in, env, area,
		      o->clustered ? (size_t)fmax(5, round(2 * sqrt((double)ngrids))) : 0, &c);
	for (size_t i = 0; i < o->points; i++) {
		double x, y;
		do {
			if (c.n)
				cluster_point(s, &r, &c, &x, &y);
			else
				box_point(s, &r, env, &x, &y);
		} while (geo_placer_locate(in, x, y) < 0);
		OGR_F_SetFieldInteger(f, persons, persons_draw(&r));
		put_point(l, f, x, y);
	}
	OGR_F_Destroy(f);
	clusters_free(&c);
	geo_placer_free(in);
}

static geo_err write_file(synth *s, const char *dir, const char *file, int overwrite,
			  const geo_crs *crs, const tiling *t, const tgrid *sec,
			  const tiling_opts *points)
{
	char *path = strf("%s/%s", dir, file);
	geo_output *out = open_output(s, path, overwrite);
	free(path);
	if (!out)
		return geo_last_code(s->ctx);
	write_grids(s, out, crs, t, sec, sec != t->sec);
	if (points && points->points)
		write_points(s, out, crs, t->town, points, t->ns);
	geo_err e = geo_output_commit(s->ctx, out);
	geo_output_close(out);
	return e;
}

static geo_err check_tiling(synth *s, const char *dir, const tiling_opts *o)
{
	if (o->defects && o->grids < MIN_DEFECT_GRIDS)
		return geo_fail(s->ctx, GEO_ERR_USAGE, "--defects needs --grids %d or more",
				MIN_DEFECT_GRIDS);
	if (o->grids > (size_t)MAX_PRIMARY * MAX_SECONDARY_PER_PRIMARY)
		return geo_fail(s->ctx, GEO_ERR_USAGE, "--grids: at most %d (999 primaries of 99)",
				MAX_PRIMARY * MAX_SECONDARY_PER_PRIMARY);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: cannot create folder: %s", dir, strerror(errno));
	return GEO_OK;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + 1e-9 * (double)(b->tv_nsec - a->tv_nsec);
}

/* Writes grids.gpkg and, with defects, defects.gpkg and truth.json. */
static geo_err write_tiling(synth *s, const char *dir, const tiling_opts *o, int overwrite,
			    const tiling *t, const tgrid *bad, const defect *d, size_t nd)
{
	geo_crs *crs = geo_crs_new(s->ctx, "EPSG:4548");
	geo_err e = crs ? write_file(s, dir, "grids.gpkg", overwrite, crs, t, t->sec, o)
			: geo_last_code(s->ctx);
	if (!e && bad)
		e = write_file(s, dir, "defects.gpkg", overwrite, crs, t, bad, NULL);
	if (!e && bad) {
		char *path = strf("%s/truth.json", dir);
		e = write_truth(s, path, t, o, d, nd, overwrite);
		free(path);
	}
	geo_crs_free(crs);
	return e;
}

geo_err make_tiling(synth *s, const char *dir, const tiling_opts *o, int overwrite)
{
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	geo_err e = check_tiling(s, dir, o);
	if (e)
		return e;
	tiling t = { 0 };
	rng r;
	rng_init(&r, s->seed, S_SHAPE);
	t.shape = town_shape(s, &r);
	make_tiling_grids(s, &t, o->grids);
	defect d[N_DEFECTS];
	size_t nd = 0;
	tgrid *bad = NULL;
	if (o->defects) {
		bad = grids_copy(t.sec, t.ns);
		double cell = sqrt(geo_geom_area(s->ctx, t.town) / (double)t.ns);
		nd = inject_defects(s, bad, t.ns, t.town, cell, d);
	}
	if (o->unmatched) {
		unmatch(t.prim, t.np);
		unmatch(t.sec, t.ns);
		if (bad)
			unmatch(bad, t.ns);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	e = write_tiling(s, dir, o, overwrite, &t, bad, d, nd);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (!e)
		note(s, "tiling: %s: %zu primaries, %zu secondaries, %zu points, %zu defects; "
			"grids %.1f s, writing %.1f s",
		     dir, t.np, t.ns, o->points, nd, seconds(&t0, &t1), seconds(&t1, &t2));
	grids_free(bad, t.ns);
	grids_free(t.prim, t.np);
	grids_free(t.sec, t.ns);
	GEOSGeom_destroy_r(s->h, t.shape);
	GEOSGeom_destroy_r(s->h, t.town);
	return e;
}
