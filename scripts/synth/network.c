/*
** network.c: the sample town's lines. Three main roads cross the whole
** town, village roads join neighbouring village centres, lanes make a small
** street grid over each settlement; a meandering river and a gently bent
** canal cross the town; straight field ditches lie along the field grid,
** away from settlements. Lines that cross the town run 30 m beyond its
** boundary, so that noding them with it splits the town cleanly.
*/
#include "town.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A wobbly line from (x0, y0) to (x1, y1): vertices every `step` metres,
** pushed sideways by two sines (amplitudes a1, a2, wavelengths wl1, wl2). */
static GEOSGeometry *wobbly(synth *s, rng *r, double x0, double y0, double x1, double y1,
			    double step, double a1, double a2, double wl1, double wl2, int pin)
{
	double len = hypot(x1 - x0, y1 - y0), ux = (x1 - x0) / len, uy = (y1 - y0) / len;
	double p1 = rng_range(r, 0, 2 * M_PI), p2 = rng_range(r, 0, 2 * M_PI);
	size_t n = (size_t)ceil(len / step) + 1;
	double *xy = xcalloc(2 * n, sizeof *xy);
	for (size_t i = 0; i < n; i++) {
		double d = len * (double)i / (double)(n - 1);
		double off = a1 * sin(2 * M_PI * d / wl1 + p1) + a2 * sin(2 * M_PI * d / wl2 + p2);
		/* Pinned lines (village roads) keep their ends at the two centres. */
		if (pin)
			off *= sin(M_PI * d / len);
		xy[2 * i] = snapv(s, x0 + ux * d - uy * off);
		xy[2 * i + 1] = snapv(s, y0 + uy * d + ux * off);
	}
	GEOSGeometry *g = make_line(s, xy, n);
	free(xy);
	return g;
}

/* Keeps the line parts of g (taken) of 5 m or more as roads. */
static void add_road(synth *s, town *t, GEOSGeometry *g, int cls, const char *name)
{
	int n = GEOSGetNumGeometries_r(s->h, g);
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(s->h, g, i);
		if (GEOSGeomTypeId_r(s->h, part) != GEOS_LINESTRING || GEOSisEmpty_r(s->h, part) ||
		    !(geo_geom_length(s->ctx, part) >= 5))
			continue;
		glist_push(&t->roads, snapped(s, part));
		dvec_push(&t->road_class, cls);
		t->road_name = xrealloc(t->road_name, t->roads.n, sizeof *t->road_name);
		if (!(t->road_name[t->roads.n - 1] = strdup(name)))
			fatal("out of memory");
	}
	GEOSGeom_destroy_r(s->h, g);
}

/* A line through the town at angle a, passing off-centre by `offset`, long
** enough to cross it, clipped to the town grown by 30 m so that it ends
** beyond the boundary and splits the town cleanly. */
static GEOSGeometry *crossing(synth *s, rng *r, const GEOSGeometry *grown, double a, double offset,
			      double step, double a1, double a2, double wl1, double wl2)
{
	double cx = TOWN_X - offset * sin(a), cy = TOWN_Y + offset * cos(a), L = 9000;
	GEOSGeometry *line = wobbly(s, r, cx - L * cos(a), cy - L * sin(a), cx + L * cos(a),
				    cy + L * sin(a), step, a1, a2, wl1, wl2, 0);
	GEOSGeometry *clip = need(s, GEOSIntersection_r(s->h, line, grown), "clip");
	GEOSGeom_destroy_r(s->h, line);
	return clip;
}

static void main_roads(synth *s, town *t, rng *r, const GEOSGeometry *grown)
{
	static const char *main_names[] = { "津永公路", "下伍旗大道", "伍河路" };
	double base = rng_range(r, 0, M_PI / 3);
	for (int k = 0; k < 3; k++) {
		double a = base + k * M_PI / 3 + rng_range(r, -0.15, 0.15);
		GEOSGeometry *g = crossing(s, r, grown, a, rng_range(r, -1500, 1500), 150, 80, 40,
					   2600, 1100);
		add_road(s, t, g, 0, main_names[k]);
	}
}

/* Village roads join the centres of villages sharing 150 m of boundary. */
static void village_roads(synth *s, town *t, rng *r, const GEOSGeometry *grown)
{
	for (int v = 0; v < N_VILLAGES; v++)
		for (int u = v + 1; u < N_VILLAGES; u++) {
			if (t->vadj[v * N_VILLAGES + u] < 150)
				continue;
			GEOSGeometry *line = wobbly(s, r, t->vs.x[v], t->vs.y[v], t->vs.x[u], t->vs.y[u],
						    100, 40, 15, 1800, 700, 1);
			char name[160];
			snprintf(name, sizeof name, "%s-%s路", t->vname[v], t->vname[u]);
			add_road(s, t, need(s, GEOSIntersection_r(s->h, line, grown), "clip"), 1, name);
			GEOSGeom_destroy_r(s->h, line);
		}
}

/* Lanes: a small street grid of radius R round (cx, cy), clipped to village v. */
static void lane_grid(synth *s, town *t, rng *r, int v, double cx, double cy, double R,
		      int *lane)
{
	double th = rng_range(r, 0, M_PI);
	double sp = rng_range(r, 70, 110);
	for (int dir = 0; dir < 2; dir++) {
		double ux = cos(th + dir * M_PI / 2), uy = sin(th + dir * M_PI / 2);
		for (double o = -R + sp / 2; o < R; o += sp) {
			double hc = sqrt(R * R - o * o), ox = cx - uy * o, oy = cy + ux * o;
			double xy[4] = { snapv(s, ox - ux * hc), snapv(s, oy - uy * hc),
					 snapv(s, ox + ux * hc), snapv(s, oy + uy * hc) };
			GEOSGeometry *line = make_line(s, xy, 2);
			char name[96];
			snprintf(name, sizeof name, "%s%d巷", t->vname[v], ++*lane);
			add_road(s, t, need(s, GEOSIntersection_r(s->h, line, t->vill[v]), "clip"), 2,
				 name);
			GEOSGeom_destroy_r(s->h, line);
		}
	}
}

void make_roads(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_ROADS);
	GEOSGeometry *grown = need(s, GEOSBuffer_r(s->h, t->town, 30, 8), "buffer");
	main_roads(s, t, &r, grown);
	village_roads(s, t, &r, grown);
	for (int v = 0; v < N_VILLAGES; v++) {
		int lane = 0;
		lane_grid(s, t, &r, v, t->vs.x[v], t->vs.y[v], 2.0 * t->sigma[v], &lane);
		if (t->has_sub[v])
			lane_grid(s, t, &r, v, t->sub_x[v], t->sub_y[v], 1.3 * t->sigma[v], &lane);
	}
	GEOSGeom_destroy_r(s->h, grown);
}

void make_rivers(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_RIVERS);
	GEOSGeometry *grown = need(s, GEOSBuffer_r(s->h, t->town, 30, 8), "buffer");
	double a = rng_range(&r, -0.6, -0.15);
	GEOSGeometry *river = crossing(s, &r, grown, a, rng_range(&r, -1200, 1200), 60, 180, 90,
				       1900, 700);
	push_parts(s, river, &t->rivers);
	GEOSGeom_destroy_r(s->h, river);
	t->n_river = t->rivers.n;
	double c = M_PI / 2 + rng_range(&r, -0.25, 0.25);
	GEOSGeometry *canal = crossing(s, &r, grown, c, rng_range(&r, -1800, 1800), 400, 60, 0,
				       7000, 1000);
	push_parts(s, canal, &t->rivers);
	GEOSGeom_destroy_r(s->h, canal);
	GEOSGeom_destroy_r(s->h, grown);
}

/* 1 if (x, y) is in a settlement: near a village centre or a hamlet. */
static int in_settlement(const town *t, double x, double y)
{
	for (int v = 0; v < N_VILLAGES; v++)
		if (hypot(x - t->vs.x[v], y - t->vs.y[v]) < 1.8 * t->sigma[v] ||
		    (t->has_sub[v] && hypot(x - t->sub_x[v], y - t->sub_y[v]) < 1.2 * t->sigma[v]))
			return 1;
	return 0;
}

/* A ditch from (x, y) along the field grid (angle th or th + 90°), clipped
** to the town; kept when its first part is 50 m or more. */
static int ditch_try(synth *s, town *t, rng *r, double th, double x, double y)
{
	double turn = rng_unif(r) < 0.5 ? 0 : M_PI / 2;
	double a = th + turn + rng_range(r, -0.05, 0.05);
	double len = rng_range(r, 150, 700);
	double xy[4] = { x, y, snapv(s, x + len * cos(a)), snapv(s, y + len * sin(a)) };
	GEOSGeometry *line = make_line(s, xy, 2);
	GEOSGeometry *clip = need(s, GEOSIntersection_r(s->h, line, t->town), "clip");
	GEOSGeom_destroy_r(s->h, line);
	const GEOSGeometry *first =
		GEOSGetNumGeometries_r(s->h, clip) > 0 ? GEOSGetGeometryN_r(s->h, clip, 0) : NULL;
	int ok = first && GEOSGeomTypeId_r(s->h, first) == GEOS_LINESTRING &&
		 geo_geom_length(s->ctx, first) > 50;
	if (ok)
		glist_push(&t->ditches, snapped(s, first));
	GEOSGeom_destroy_r(s->h, clip);
	return ok;
}

void make_ditches(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_DITCHES);
	double env[4], th = rng_range(&r, 0, M_PI / 2);
	env_of(s, t->town, env);
	for (int k = 0; k < N_DITCHES;) {
		double x, y;
		uniform_in(s, &r, t->town_p, env, &x, &y);
		if (!in_settlement(t, x, y))
			k += ditch_try(s, t, &r, th, x, y);
	}
}
