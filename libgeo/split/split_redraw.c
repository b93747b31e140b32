/*
** split_redraw.c: grid-split's partial redraw (--keep-from OLD with --redraw
** VILLAGES or --redraw-grids CODES). After a village election only some
** villages change their grids; the grids of the others, and the workers and
** ledgers that go with them, must not move.
**
** The old grids to redraw are chosen here: the primaries lying in the named
** villages (more than half of each primary's area) and the named primaries,
** each with all its secondaries; or, when only secondaries are named, those
** secondaries inside their kept primaries. The area they covered (their
** coverage union, whose boundary keeps the old vertices) becomes the town
** the rest of grid-split cuts, so the new grids fill it exactly and meet the
** kept grids along the old limits. Every other old grid is kept as it was
** read: its geometry is written back untouched (bit for bit when OLD is in
** the working CRS) with its code and attributes.
*/
#include "split/split_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A clipped village smaller than this is a sliver along the redrawn area's
** limit, not a village in it (the same as split_io.c's tiling noise). */
#define SLIVER_M2 1.0
/* A primary lies in a village when more than this share of it does. */
#define IN_VILLAGE_SHARE 0.5

static void views_free(geo_gridset *v)
{
	for (int i = 0; i < 2; i++)
		free(v[i].grids);
}

void split_redraw_free(GEOSContextHandle_t h, split_redraw *rd)
{
	if (!rd)
		return;
	for (size_t i = 0; i < rd->nkept; i++) {
		if (rd->kept[i].geom)
			GEOSGeom_destroy_r(h, rd->kept[i].geom);
		free(rd->kept[i].name);
	}
	free(rd->kept);
	views_free(rd->redrawn);
	views_free(rd->keptv);
	split_old_free(&rd->old);
	memset(rd, 0, sizeof *rd);
}

/* Calls each(name) for every comma-separated item of list; fails on an
** empty one. */
static geo_err each_item(geo_ctx *ctx, const char *list, const char *opt,
			 geo_err (*each)(geo_ctx *, const char *, void *), void *data)
{
	char *copy = geo_strdup(ctx, list);
	if (!copy)
		return GEO_ERR_INTERNAL;
	geo_err e = GEO_OK;
	char *s = copy;
	for (;;) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (!*s) {
			e = geo_fail(ctx, GEO_ERR_USAGE, "%s %s: an empty name", opt, list);
			break;
		}
		if ((e = each(ctx, s, data)) || !comma)
			break;
		s = comma + 1;
	}
	free(copy);
	return e;
}

typedef struct pick {
	split_redraw *rd;
	const split_input *in;
	char *prim, *sec;       /* per old grid of each level view: named or redrawn */
} pick;

static double share_in(geo_ctx *ctx, const GEOSGeometry *g, const GEOSGeometry *v)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *x = GEOSIntersection_r(h, g, v);
	double a = geo_geom_area(ctx, g), s = x ? geo_geom_area(ctx, x) : 0;
	if (x)
		GEOSGeom_destroy_r(h, x);
	return a > 0 ? s / a : 0;
}

static geo_err pick_village(geo_ctx *ctx, const char *name, void *data)
{
	pick *p = data;
	const geo_gridset *prim = &p->rd->old.level[0];
	size_t found = 0, villages = 0;
	for (size_t v = 0; v < p->in->nvillages; v++) {
		if (strcmp(p->in->village_names[v], name))
			continue;
		villages++;
		for (size_t i = 0; i < prim->n; i++)
			if (share_in(ctx, prim->grids[i].geom, p->in->villages[v]) > IN_VILLAGE_SHARE) {
				p->prim[i] = 1;
				found++;
			}
	}
	if (!villages)
		return geo_fail(ctx, GEO_ERR_USAGE, "--redraw %s: no village of that name in the "
				"villages layer", name);
	if (!found)
		return geo_fail(ctx, GEO_ERR_USAGE, "--redraw %s: no primary grid of %s lies in it",
				name, prim->source);
	p->rd->nnamed++;
	return GEO_OK;
}

static geo_err pick_grid(geo_ctx *ctx, const char *code, void *data)
{
	pick *p = data;
	for (int lv = 0; lv < 2; lv++) {
		long i = geo_gridset_find(&p->rd->old.level[lv], code);
		if (i >= 0) {
			(lv ? p->sec : p->prim)[i] = 1;
			p->rd->nnamed++;
			return GEO_OK;
		}
	}
	return geo_fail(ctx, GEO_ERR_USAGE, "--redraw-grids %s: no grid with that code in %s", code,
			p->rd->old.level[0].source);
}

/* The index in the primaries of a secondary's primary: by parent_id, else by
** its code's first 12 digits; -1 when neither names a primary. */
static long parent_of(const split_redraw *rd, const geo_grid *s)
{
	long i = *s->parent_id ? geo_gridset_find(&rd->old.level[0], s->parent_id) : -1;
	if (i < 0) {
		char code[GEO_SECONDARY_CODE_LEN + 2];
		geo_grid_code_parent(s->id, code, sizeof code);
		i = geo_gridset_find(&rd->old.level[0], code);
	}
	return i;
}

/* Fills the views: redrawn and kept grids of each level. */
static geo_err split_views(geo_ctx *ctx, split_redraw *rd, const char *flag[2])
{
	for (int lv = 0; lv < 2; lv++) {
		const geo_gridset *all = &rd->old.level[lv];
		geo_gridset *r = &rd->redrawn[lv], *k = &rd->keptv[lv];
		*r = *k = *all;
		r->n = k->n = 0;
		r->grids = geo_calloc(ctx, all->n + 1, sizeof *r->grids);
		k->grids = geo_calloc(ctx, all->n + 1, sizeof *k->grids);
		if (!r->grids || !k->grids)
			return GEO_ERR_INTERNAL;
		for (size_t i = 0; i < all->n; i++) {
			if (flag[lv][i])
				r->grids[r->n++] = all->grids[i];
			else
				k->grids[k->n++] = all->grids[i];
		}
	}
	return GEO_OK;
}

/* Marks the grids to redraw from the names given; sets rd->level. */
static geo_err choose(geo_ctx *ctx, const geo_split_opts *o, const split_input *in,
		      split_redraw *rd, char *prim, char *sec)
{
	pick p = { rd, in, prim, sec };
	const geo_gridset *P = &rd->old.level[0], *S = &rd->old.level[1];
	geo_err e = GEO_OK;
	if (o->redraw)
		e = each_item(ctx, o->redraw, "--redraw", pick_village, &p);
	if (!e && o->redraw_grids)
		e = each_item(ctx, o->redraw_grids, "--redraw-grids", pick_grid, &p);
	if (e)
		return e;
	size_t nprim = 0, nsec_alone = 0;
	for (size_t i = 0; i < P->n; i++)
		nprim += prim[i];
	for (size_t i = 0; i < S->n; i++) {
		long par = parent_of(rd, &S->grids[i]);
		if (par < 0)
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: secondary %s: its primary %s is not "
					"among the primaries", S->source, S->grids[i].id,
					*S->grids[i].parent_id ? S->grids[i].parent_id : "(none)");
		if (prim[par])
			sec[i] = 1;
		else if (sec[i])
			nsec_alone++;
	}
	if (nprim && nsec_alone)
		return geo_fail(ctx, GEO_ERR_USAGE, "--redraw-grids: name primaries (and villages) "
				"or secondaries of kept primaries, not both in one run");
	rd->level = nprim ? 1 : 2;
	return GEO_OK;
}

/* The area the redrawn grids cover, one polygon or several. */
static GEOSGeometry *covered(geo_ctx *ctx, const geo_gridset *g)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry **parts = geo_calloc(ctx, g->n + 1, sizeof *parts);
	if (!parts)
		return NULL;
	for (size_t i = 0; i < g->n; i++)
		parts[i] = g->grids[i].geom;
	GEOSGeometry *c = split_collect(h, parts, g->n);
	free(parts);
	/* The old grids share their limits vertex for vertex when grid-split drew
	** them, and then the coverage union is exact; otherwise an overlay union. */
	GEOSGeometry *u = c ? GEOSCoverageUnion_r(h, c) : NULL;
	if (u && GEOSisValid_r(h, u) != 1) {
		GEOSGeom_destroy_r(h, u);
		u = NULL;
	}
	if (c && !u)
		u = GEOSUnaryUnion_r(h, c);
	if (c)
		GEOSGeom_destroy_r(h, c);
	if (!u)
		geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot merge the grids to redraw: %s", g->source,
			 geo_last_error(ctx));
	return u;
}

/* Replaces the villages by their parts in the redrawn area (level 1), or by
** the kept primaries' parts in it, named by code (level 2). */
static geo_err clip_villages(geo_ctx *ctx, split_input *in, const split_redraw *rd)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	size_t n = rd->level == 1 ? in->nvillages : rd->old.level[0].n, m = 0;
	GEOSGeometry **vs = geo_calloc(ctx, n + 1, sizeof *vs);
	char **names = geo_calloc(ctx, n + 1, sizeof *names);
	if (!vs || !names) {
		free(vs);
		free(names);
		return GEO_ERR_INTERNAL;
	}
	const GEOSPreparedGeometry *area = GEOSPrepare_r(h, in->town);
	geo_err e = area ? GEO_OK : geo_fail(ctx, GEO_ERR_INTERNAL, "cannot prepare the area");
	for (size_t i = 0; !e && i < n; i++) {
		const GEOSGeometry *v = rd->level == 1 ? in->villages[i] : rd->old.level[0].grids[i].geom;
		if (!v || GEOSPreparedIntersects_r(h, area, v) != 1)
			continue;
		GEOSGeometry *x = GEOSIntersection_r(h, v, in->town);
		if (!x) {
			e = geo_fail(ctx, GEO_ERR_INPUT, "cannot clip a village to the redrawn area: %s",
				     geo_last_error(ctx));
			break;
		}
		if (geo_geom_area(ctx, x) <= SLIVER_M2) {
			GEOSGeom_destroy_r(h, x);
			continue;
		}
		vs[m] = x;
		names[m] = geo_strdup(ctx, rd->level == 1 ? in->village_names[i]
							  : rd->old.level[0].grids[i].id);
		if (!names[m++])
			e = GEO_ERR_INTERNAL;
	}
	if (area)
		GEOSPreparedGeom_destroy_r(h, area);
	for (size_t i = 0; i < in->nvillages; i++) {
		GEOSGeom_destroy_r(h, in->villages[i]);
		free(in->village_names[i]);
	}
	free(in->villages);
	free(in->village_names);
	in->villages = vs;
	in->village_names = names;
	in->nvillages = m;
	return e;
}

/* Keeps the households inside the redrawn area. */
static geo_err clip_points(geo_ctx *ctx, split_input *in)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	const GEOSPreparedGeometry *area = GEOSPrepare_r(h, in->town);
	if (!area)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "cannot prepare the area");
	size_t m = 0;
	for (size_t i = 0; i < in->npoints; i++) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, in->points[i].x, in->points[i].y);
		if (pt && GEOSPreparedIntersects_r(h, area, pt) == 1)
			in->points[m++] = in->points[i];
		if (pt)
			GEOSGeom_destroy_r(h, pt);
	}
	in->npoints = m;
	GEOSPreparedGeom_destroy_r(h, area);
	return GEO_OK;
}

static double field(const geo_grid *g, const char *name, double fallback)
{
	OGRFeatureDefnH d = g->feat ? OGR_F_GetDefnRef(g->feat) : NULL;
	int i = d ? OGR_FD_GetFieldIndex(d, name) : -1;
	return i >= 0 && OGR_F_IsFieldSetAndNotNull(g->feat, i) ? OGR_F_GetFieldAsDouble(g->feat, i)
							       : fallback;
}

/* Counts the households of the town inside a kept grid: the old counts
** are as old as the grids, and households come and go. */
static void recount(geo_ctx *ctx, const split_input *in, split_grid *k)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	double x0, y0, x1, y1;
	const GEOSPreparedGeometry *pg = GEOSPrepare_r(h, k->geom);
	if (!pg || !GEOSGeom_getXMin_r(h, k->geom, &x0) || !GEOSGeom_getYMin_r(h, k->geom, &y0) ||
	    !GEOSGeom_getXMax_r(h, k->geom, &x1) || !GEOSGeom_getYMax_r(h, k->geom, &y1)) {
		if (pg)
			GEOSPreparedGeom_destroy_r(h, pg);
		return;
	}
	k->households = k->persons = k->weight = 0;
	for (size_t i = 0; i < in->npoints; i++) {
		const split_point *p = &in->points[i];
		if (p->x < x0 || p->x > x1 || p->y < y0 || p->y > y1)
			continue;
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, p->x, p->y);
		if (pt && GEOSPreparedIntersects_r(h, pg, pt) == 1) {
			k->households += 1;
			k->persons += p->persons;
			k->weight += p->weight;
		}
		if (pt)
			GEOSGeom_destroy_r(h, pt);
	}
	GEOSPreparedGeom_destroy_r(h, pg);
}

/* The kept grids as they are written: geometry and attributes as read,
** households counted again. */
static geo_err keep(geo_ctx *ctx, const split_input *in, split_redraw *rd)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	size_t n = rd->keptv[0].n + rd->keptv[1].n;
	rd->kept = geo_calloc(ctx, n + 1, sizeof *rd->kept);
	if (!rd->kept)
		return GEO_ERR_INTERNAL;
	for (int lv = 0; lv < 2; lv++)
		for (size_t i = 0; i < rd->keptv[lv].n; i++) {
			const geo_grid *o = &rd->keptv[lv].grids[i];
			split_grid *k = &rd->kept[rd->nkept++];
			k->level = lv + 1;
			snprintf(k->id, sizeof k->id, "%s", o->id);
			if (lv) {
				long p = parent_of(rd, o);
				snprintf(k->parent, sizeof k->parent, "%s",
					 *o->parent_id ? o->parent_id : rd->old.level[0].grids[p].id);
			}
			k->geom = GEOSGeom_clone_r(h, o->geom);
			k->name = geo_strdup(ctx, o->name);
			if (!k->geom || !k->name)
				return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
			k->households = o->households;
			k->persons = field(o, "persons", 0);
			k->area = field(o, "area_m2", geo_geom_area(ctx, o->geom));
			double len = geo_geom_length(ctx, o->geom);
			k->compactness = field(o, "compactness",
					       len > 0 ? 4 * M_PI * k->area / (len * len) : 0);
			k->weight = k->households;
			k->index = -1;
			k->kept = 1;
			recount(ctx, in, k);
		}
	return GEO_OK;
}

geo_err split_redraw_prepare(geo_ctx *ctx, geo_split_opts *o, const geo_crs *work,
			     split_input *in, split_redraw *rd)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	memset(rd, 0, sizeof *rd);
	geo_err e = split_old_read(ctx, o->keep_from, work, &rd->old);
	if (e)
		return e;
	if (!rd->old.level[0].n || !rd->old.level[1].n)
		return geo_fail(ctx, GEO_ERR_INPUT, "--keep-from %s: needs both levels (layers "
				"primary and secondary, or one layer with level 1 and 2)",
				o->keep_from);
	for (int lv = 0; lv < 2; lv++)
		for (size_t i = 0; i < rd->old.level[lv].n; i++)
			if (!*rd->old.level[lv].grids[i].id)
				return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld has no grid_id",
						rd->old.level[lv].source,
						rd->old.level[lv].grids[i].fid);
	char *prim = geo_calloc(ctx, rd->old.level[0].n + 1, 1);
	char *sec = geo_calloc(ctx, rd->old.level[1].n + 1, 1);
	e = prim && sec ? choose(ctx, o, in, rd, prim, sec) : GEO_ERR_INTERNAL;
	const char *flag[2] = { prim, sec };
	if (!e)
		e = split_views(ctx, rd, flag);
	free(prim);
	free(sec);
	if (!e && !rd->redrawn[1].n)
		e = geo_fail(ctx, GEO_ERR_USAGE, "nothing to redraw: name villages with --redraw or "
			     "grids with --redraw-grids");
	GEOSGeometry *area = e ? NULL : covered(ctx, &rd->redrawn[rd->level - 1]);
	if (!e && !area)
		e = geo_last_code(ctx);
	if (!e) {
		GEOSGeom_destroy_r(h, in->town);
		in->town = area;
		e = clip_villages(ctx, in, rd);
	}
	if (!e)
		e = keep(ctx, in, rd);
	if (!e)
		e = clip_points(ctx, in);
	if (e)
		return e;
	/* Counts of the redrawn area: as many grids as it had, unless given. */
	if (rd->level == 2) {
		o->primary_by_villages = 1;
		o->primaries = GEO_SPLIT_AUTO;
	} else if (o->primaries == GEO_SPLIT_AUTO && !o->primary_by_villages) {
		o->primaries = (int)rd->redrawn[0].n;
	}
	if (o->secondaries == GEO_SPLIT_AUTO && o->max_households == GEO_SPLIT_AUTO)
		o->secondaries = (int)rd->redrawn[1].n;
	return GEO_OK;
}
