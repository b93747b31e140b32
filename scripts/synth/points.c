/*
** points.c: what the sample town holds besides its grids and lines:
** households clustered in settlements, ponds at their edges and in the
** fields, cameras (high-point towers and village cameras), and the hazards
** and cases of 2021 near where people live. Each layer draws from its own
** random stream, in the order written here; --scale multiplies households,
** cameras and events, never the town itself.
*/
#include "town.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Each village's settlement spread and, for about half the villages, a
** hamlet 380-650 m from the centre. */
static void settlements(synth *s, town *t, rng *r, GEOSGeometry **vcells, const long *count)
{
	t->sigma = xcalloc(N_VILLAGES, sizeof *t->sigma);
	for (int v = 0; v < N_VILLAGES; v++) {
		const GEOSPreparedGeometry *cp = GEOSPrepare_r(s->h, vcells[v]);
		t->sigma[v] = 60 + 6 * sqrt((double)count[v] / t->scale);
		t->has_sub[v] = 0;
		if (rng_unif(r) < 0.55)
			for (int tries = 0; tries < 8 && !t->has_sub[v]; tries++) {
				double a = rng_range(r, 0, 2 * M_PI), d = rng_range(r, 380, 650);
				t->sub_x[v] = snapv(s, t->vs.x[v] + d * cos(a));
				t->sub_y[v] = snapv(s, t->vs.y[v] + d * sin(a));
				t->has_sub[v] = prep_contains(s, cp, t->sub_x[v], t->sub_y[v]);
			}
		GEOSPreparedGeom_destroy_r(s->h, cp);
	}
}

/* count households of village v from a stream of its own (so --scale adds
** households, not a new town), from index k on: 4% scattered over the
** village, a quarter at the hamlet if there is one, the rest at the centre. */
static size_t village_households(synth *s, town *t, int v, const GEOSGeometry *cell, long count,
				 size_t k)
{
	const GEOSPreparedGeometry *cp = GEOSPrepare_r(s->h, cell);
	double env[4], cx = t->vs.x[v], cy = t->vs.y[v];
	env_of(s, cell, env);
	rng r;
	rng_init(&r, s->seed, S_HOUSEHOLDS * 1000 + (uint64_t)v);
	for (long i = 0; i < count; i++, k++) {
		double u = rng_unif(&r);
		if (u < 0.04)
			uniform_in(s, &r, cp, env, &t->hx[k], &t->hy[k]);
		else if (t->has_sub[v] && u < 0.30)
			normal_in(s, &r, cp, t->sub_x[v], t->sub_y[v], 0.6 * t->sigma[v], &t->hx[k],
				  &t->hy[k]);
		else
			normal_in(s, &r, cp, cx, cy, t->sigma[v], &t->hx[k], &t->hy[k]);
		t->hp[k] = persons_draw(&r);
		t->hv[k] = v;
	}
	GEOSPreparedGeom_destroy_r(s->h, cp);
	return k;
}

/* Households per village (log-normal weights, at least 120 × scale each). */
void make_households(synth *s, town *t, GEOSGeometry **vcells)
{
	rng r;
	rng_init(&r, s->seed, S_HOUSEHOLDS);
	double w[N_VILLAGES];
	long count[N_VILLAGES];
	for (int v = 0; v < N_VILLAGES; v++)
		w[v] = exp(0.45 * rng_normal(&r));
	long total = lround(BASE_HOUSEHOLDS * t->scale);
	apportion(w, N_VILLAGES, total, lround(120 * t->scale), count);
	t->nh = (size_t)total;
	t->hx = xcalloc(t->nh, sizeof *t->hx);
	t->hy = xcalloc(t->nh, sizeof *t->hy);
	t->hp = xcalloc(t->nh, sizeof *t->hp);
	t->hv = xcalloc(t->nh, sizeof *t->hv);
	t->hs = xcalloc(t->nh, sizeof *t->hs);
	settlements(s, t, &r, vcells, count);
	size_t k = 0;
	for (int v = 0; v < N_VILLAGES; v++)
		k = village_households(s, t, v, vcells[v], count[v], k);
}

/* Households per village, as weights. */
static void village_weights(const town *t, double *vw)
{
	for (size_t h = 0; h < t->nh; h++)
		vw[t->hv[h]] += 1;
}

/* Where ponds may not be: within 30 m of the river and canal. */
static GEOSGeometry *water_zone(synth *s, const town *t)
{
	glist rl = { 0 };
	for (size_t i = 0; i < t->rivers.n; i++)
		glist_push(&rl, copy_geom(s, t->rivers.g[i]));
	GEOSGeometry *water = glist_collect(s, &rl, GEOS_GEOMETRYCOLLECTION);
	GEOSGeometry *wb = need(s, GEOSBuffer_r(s->h, water, 30, 4), "buffer");
	GEOSGeom_destroy_r(s->h, water);
	return wb;
}

/* A pond's centre: 60% at the edge of a settlement, the rest anywhere. */
static void pond_centre(synth *s, const town *t, rng *r, const double *vw, const double *env,
			double *cx, double *cy)
{
	if (rng_unif(r) < 0.6) {
		int v = (int)rng_weighted(r, vw, N_VILLAGES);
		double a = rng_range(r, 0, 2 * M_PI), d = rng_range(r, 1.0, 3.0) * t->sigma[v];
		*cx = snapv(s, t->vs.x[v] + d * cos(a));
		*cy = snapv(s, t->vs.y[v] + d * sin(a));
	} else {
		uniform_in(s, r, t->town_p, env, cx, cy);
	}
}

/* A star-shaped ring of 14 points round (cx, cy), radius about rad. */
static void pond_ring(synth *s, rng *r, double cx, double cy, double rad, double *xy)
{
	double rot = rng_range(r, 0, 2 * M_PI);
	for (int i = 0; i < 14; i++) {
		double a = rot + 2 * M_PI * i / 14, rr = rad * rng_range(r, 0.8, 1.15);
		xy[2 * i] = snapv(s, cx + rr * cos(a));
		xy[2 * i + 1] = snapv(s, cy + rr * sin(a) * 0.8);
	}
	xy[28] = xy[0];
	xy[29] = xy[1];
}

/* 40 ponds were inspected before the 2021 flood season, about 7,000 m³
** of silt between them (DOMAIN.md). */
static void inspect_ponds(town *t, rng *r)
{
	double sw[N_INSPECTED];
	long silt[N_INSPECTED];
	size_t pick[N_INSPECTED];
	pond *p = t->pond;
	for (int k = 0; k < N_INSPECTED; k++) {
		size_t i;
		do
			i = rng_below(r, t->nponds);
		while (p[i].inspected);
		p[i].inspected = 1;
		pick[k] = i;
		sw[k] = p[i].area * rng_range(r, 0.5, 1.5);
	}
	apportion(sw, N_INSPECTED, 7000, 20, silt);
	for (int k = 0; k < N_INSPECTED; k++)
		p[pick[k]].silt = (double)silt[k];
}

/* Ponds (坑塘) sit mostly at the edge of settlements, some out in the fields;
** they keep clear of each other and of the river and canal, inside one village. */
void make_ponds(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_PONDS);
	pond *p = t->pond = xcalloc(N_PONDS, sizeof *p);
	t->ponds = xcalloc(N_PONDS, sizeof *t->ponds);
	double env[4], vw[N_VILLAGES] = { 0 }, radius[N_PONDS];
	env_of(s, t->town, env);
	village_weights(t, vw);
	GEOSGeometry *wb = water_zone(s, t);
	const GEOSPreparedGeometry *wp = GEOSPrepare_r(s->h, wb);
	size_t n = 0;
	while (n < N_PONDS) {
		double cx, cy, xy[2 * 15];
		pond_centre(s, t, &r, vw, env, &cx, &cy);
		double rad = fmin(60, fmax(8, exp(log(22) + 0.4 * rng_normal(&r))));
		pond_ring(s, &r, cx, cy, rad, xy);
		int ok = 1;
		for (size_t j = 0; j < n && ok; j++)
			ok = hypot(cx - p[j].x, cy - p[j].y) > rad + radius[j] + 15;
		GEOSGeometry *g = ok ? make_polygon(s, xy, 15) : NULL;
		long v = g ? index_first(s, t->vill_ix, g) : -1;
		if (v < 0 || GEOSPreparedIntersects_r(s->h, wp, g) == 1) {
			GEOSGeom_destroy_r(s->h, g);
			continue;
		}
		t->ponds[n] = g;
		radius[n] = rad;
		double depth = round(rng_range(&r, 0.8, 2.5) * 10) / 10;
		p[n] = (pond){ .x = cx, .y = cy, .village = (int)v, .depth = depth };
		p[n].area = geo_geom_area(s->ctx, g);
		n++;
	}
	t->nponds = n;
	GEOSPreparedGeom_destroy_r(s->h, wp);
	GEOSGeom_destroy_r(s->h, wb);
	inspect_ponds(t, &r);
}

/* The "慧眼" high-point cameras on telecom towers, at least 1.3 km apart,
** turn all round. */
static void tower_cameras(synth *s, town *t, rng *r, size_t towers)
{
	double env[4], *tx = xcalloc(towers, sizeof *tx), *ty = xcalloc(towers, sizeof *ty);
	env_of(s, t->town, env);
	spaced_points(s, r, t->town_p, env, towers, 1300, tx, ty);
	for (size_t i = 0; i < towers; i++) {
		double range = 10 * round(rng_range(r, 200, 300));
		double height = round(rng_range(r, 35, 55));
		t->cams[i] = (camera){ .x = tx[i], .y = ty[i], .az = 0, .fov = 360, .tower = 1,
				       .range = range, .height = height };
		t->cams[i].village = village_at(s, t, tx[i], ty[i]);
		snprintf(t->cams[i].name, sizeof t->cams[i].name, "慧眼塔%02zu", i + 1);
	}
	free(tx);
	free(ty);
}

/* Village cameras near settlement centres, more where more people live. */
static void village_camera(synth *s, town *t, rng *r, const double *vw, int *seq, camera *c)
{
	static const double fovs[4] = { 60, 75, 90, 110 };
	int v = (int)rng_weighted(r, vw, N_VILLAGES);
	int sub = t->has_sub[v] && rng_unif(r) < 0.25;
	double x, y;
	normal_in(s, r, geo_index_prepared(t->vill_ix, (size_t)v), sub ? t->sub_x[v] : t->vs.x[v],
		  sub ? t->sub_y[v] : t->vs.y[v], 0.8 * t->sigma[v], &x, &y);
	double az = (double)rng_below(r, 360);
	double fov = fovs[rng_below(r, 4)];
	double range = 5 * round(rng_range(r, 12, 50));
	double height = 0.5 * round(rng_range(r, 7, 16));
	*c = (camera){ .x = x, .y = y, .village = v, .az = az, .fov = fov, .range = range,
		       .height = height };
	snprintf(c->name, sizeof c->name, "%s-%02d", t->vname[v], ++seq[v]);
}

void make_cameras(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_CAMERAS);
	size_t n = (size_t)lround(BASE_CAMERAS * t->scale);
	size_t towers = n < BASE_TOWERS ? n : BASE_TOWERS;
	t->cams = xcalloc(n, sizeof *t->cams);
	t->ncams = n;
	tower_cameras(s, t, &r, towers);
	double vw[N_VILLAGES] = { 0 };
	int seq[N_VILLAGES] = { 0 };
	village_weights(t, vw);
	for (size_t i = towers; i < n; i++)
		village_camera(s, t, &r, vw, seq, &t->cams[i]);
}

static int cmp_event(const void *a, const void *b)
{
	const event *p = a, *q = b;
	if (p->doy != q->doy)
		return p->doy < q->doy ? -1 : 1;
	return p->gen < q->gen ? -1 : p->gen > q->gen;
}

/* Most events happen where people live: near a household. */
static void near_household(synth *s, rng *r, const town *t, double sigma, double *x, double *y)
{
	size_t h = rng_below(r, t->nh);
	normal_in(s, r, t->town_p, t->hx[h], t->hy[h], sigma, x, y);
}

/* Resolved (0), in progress (1) or open (2): late events are less often done. */
static int status_draw(rng *r, int doy, double resolved_boost)
{
	double p = (doy < 300 ? 0.93 : doy < 340 ? 0.75 : 0.45) + resolved_boost;
	if (rng_unif(r) < p)
		return 0;
	return rng_unif(r) < 0.6 ? 1 : 2;
}

/* A day for a hazard of category cat: floods come in the rainy summer,
** fires in the dry winter and spring. */
static int hazard_day(rng *r, int cat)
{
	for (;;) {
		int doy = (int)rng_below(r, 365);
		double w = cat == 1 ? (doy >= 150 && doy <= 260 ? 1 : 0.15)
			 : cat == 0 ? (doy < 120 || doy > 300 ? 1 : 0.35) : 1;
		if (rng_unif(r) < w)
			return doy;
	}
}

/* Floods near ponds and the river, everything else near households. */
static void hazard_place(synth *s, const town *t, rng *r, int cat, double *x, double *y)
{
	if (cat == 1 && rng_unif(r) < 0.5) {
		const pond *p = &t->pond[rng_below(r, t->nponds)];
		normal_in(s, r, t->town_p, p->x, p->y, 40, x, y);
	} else if (cat == 1) {
		const GEOSGeometry *river = t->rivers.g[rng_below(r, t->rivers.n)];
		const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->h, river);
		unsigned m = 0;
		double vx = 0, vy = 0;
		GEOSCoordSeq_getSize_r(s->h, cs, &m);
		GEOSCoordSeq_getXY_r(s->h, cs, (unsigned)rng_below(r, m), &vx, &vy);
		normal_in(s, r, t->town_p, vx, vy, 50, x, y);
	} else {
		near_household(s, r, t, 30, x, y);
	}
}

/* The 1,240 hazards and disputes of 2021 (× scale), sorted by day. */
void make_hazards(synth *s, town *t)
{
	static const double cw[8] = { 0.18, 0.14, 0.14, 0.12, 0.10, 0.12, 0.14, 0.06 };
	static const double sw[3] = { 0.55, 0.33, 0.12 };
	rng r;
	rng_init(&r, s->seed, S_HAZARDS);
	size_t n = (size_t)lround(BASE_HAZARDS * t->scale);
	event *e = xcalloc(n, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		int cat = (int)rng_weighted(&r, cw, 8), doy = hazard_day(&r, cat);
		double x, y;
		hazard_place(s, t, &r, cat, &x, &y);
		int severity = (int)rng_weighted(&r, sw, 3), status = status_draw(&r, doy, 0);
		e[i] = (event){ .x = x, .y = y, .doy = doy, .category = cat, .gen = i,
				.severity = severity, .status = status, .village = village_at(s, t, x, y) };
	}
	qsort(e, n, sizeof *e, cmp_event);
	t->hazards = e;
	t->nhazards = n;
}

/* 272 problems solved, 618 convenience services and about 60 petitions
** (DOMAIN.md) make the 950 cases of 2021 (× scale), sorted by day. */
void make_cases(synth *s, town *t)
{
	static const double base[3] = { 272, 618, 60 };
	rng r;
	rng_init(&r, s->seed, S_CASES);
	size_t n = 0, k = 0;
	for (int c = 0; c < 3; c++)
		n += (size_t)lround(base[c] * t->scale);
	event *e = xcalloc(n, sizeof *e);
	for (int c = 0; c < 3; c++)
		for (long i = 0; i < lround(base[c] * t->scale); i++, k++) {
			double x, y;
			int doy = (int)rng_below(&r, 365);
			near_household(s, &r, t, 20, &x, &y);
			int status = status_draw(&r, doy, c == 2 ? 0.5 : 0);
			e[k] = (event){ .x = x, .y = y, .doy = doy, .category = c, .gen = k,
					.status = status, .village = village_at(s, t, x, y) };
		}
	qsort(e, n, sizeof *e, cmp_event);
	t->cases = e;
	t->ncases = n;
}

/* Finer kinds than the first draw made, from a stream of their own after
** every other layer, so that the hazards keep their days and places: a
** fire hazard is a gas one (燃气) 40% of the time in the heating season
** (15 November to 15 March, coal-to-gas stoves) and 15% otherwise; an
** "other" hazard is illegal land use (违法用地) 60% of the time. A pond of
** over 1,800 m² is a fish pond (养殖塘) 60% of the time; a tenth of the rest
** are reed ponds (苇塘), the others village pit ponds (坑塘). */
void refine_kinds(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_HAZARD_KINDS);
	for (size_t i = 0; i < t->nhazards; i++) {
		event *e = &t->hazards[i];
		double u = rng_unif(&r);
		int heating = e->doy < 74 || e->doy >= 318;
		e->sub = e->category == 0 ? u < (heating ? 0.4 : 0.15) : e->category == 7 ? u >= 0.6 : 0;
	}
	rng_init(&r, s->seed, S_POND_KINDS);
	for (size_t i = 0; i < t->nponds; i++) {
		pond *p = &t->pond[i];
		double u = rng_unif(&r);
		p->kind = p->area > 1800 && u < 0.6 ? 1 : u > 0.9 ? 2 : 0;
	}
}
