/*
** place_grids.c: the grids grid-place places on: read once (with
** --parents), the secondaries when the layer holds both levels, in grid_id
** order, each with its parent code, and the --copy-fields and the point
** placer. The spatial index that lines, polygons and --max-distance need is
** built on first use.
*/
#include "place/place_grids.h"

#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

static int by_id(const void *a, const void *b, void *data)
{
	const char **ids = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(ids[i], ids[j]);
	return c ? c : (i > j) - (i < j);
}

/* Secondaries go on the view when the layer holds both levels. */
static geo_err fill_view(geo_ctx *ctx, place_grids *g)
{
	const geo_gridset *s = g->set;
	size_t n1 = 0, n2 = 0;
	for (size_t i = 0; i < s->n; i++) {
		n1 += s->grids[i].level == 1;
		n2 += s->grids[i].level == 2;
	}
	g->levels = n1 && n2 ? 2 : 1;
	g->view = *s;
	g->view.n = 0;
	g->view.grids = geo_calloc(ctx, s->n + 1, sizeof *g->view.grids);
	if (!g->view.grids)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < s->n; i++)
		if (g->levels == 1 || s->grids[i].level == 2)
			g->view.grids[g->view.n++] = s->grids[i];
	return GEO_OK;
}

geo_err place_grids_view(geo_ctx *ctx, place_grids *g)
{
	geo_err e = fill_view(ctx, g);
	if (e)
		return e;
	size_t n = g->view.n;
	g->ids = geo_calloc(ctx, n + 1, sizeof *g->ids);
	g->order = geo_calloc(ctx, n + 1, sizeof *g->order);
	g->rank = geo_calloc(ctx, n + 1, sizeof *g->rank);
	g->geoms = geo_calloc(ctx, n + 1, sizeof *g->geoms);
	g->parent = geo_calloc(ctx, n + 1, sizeof *g->parent);
	if (!g->ids || !g->order || !g->rank || !g->geoms || !g->parent)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		g->ids[i] = g->view.grids[i].id;
		g->geoms[i] = g->view.grids[i].geom;
		g->order[i] = i;
	}
	qsort_r(g->order, n, sizeof *g->order, by_id, g->ids);
	for (size_t i = 0; i < n; i++)
		g->rank[g->order[i]] = i;
	return GEO_OK;
}

/* The primaries a grid's parent is found in by geometry: --parents, or the
** level-1 grids of a layer holding both levels. */
static geo_gridset *primary_view(geo_ctx *ctx, place_grids *g)
{
	if (g->primaries)
		return g->primaries;
	if (g->levels != 2)
		return NULL;
	geo_gridset *p = geo_calloc(ctx, 1, sizeof *p);
	if (!p)
		return NULL;
	*p = *g->set;
	p->n = 0;
	p->grids = geo_calloc(ctx, g->set->n + 1, sizeof *p->grids);
	if (!p->grids) {
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < g->set->n; i++)
		if (g->set->grids[i].level == 1)
			p->grids[p->n++] = g->set->grids[i];
	return p;
}

static void free_primary_view(place_grids *g, geo_gridset *prim)
{
	if (prim && prim != g->primaries) {
		free(prim->grids);
		free(prim);
	}
}

/*
** A grid's parent code: its parent field when set; otherwise the primary
** holding its interior point (with --parents or a two-level layer, pp
** placing on prim); otherwise what its code implies (the first 12 digits of
** a secondary code, written into code).
*/
static const char *parent_code(geo_ctx *ctx, const geo_grid *gr, geo_placer *pp,
			       const geo_gridset *prim, char *code, size_t size)
{
	const char *parent = gr->parent_id;
	double x, y;
	if (!*parent && pp && gr->geom && !geo_geom_inside_point(ctx, gr->geom, &x, &y)) {
		long p = geo_placer_locate(pp, x, y);
		parent = p >= 0 ? prim->grids[p].id : "";
	}
	if (!*parent) {
		geo_grid_code_parent(gr->id, code, size);
		parent = code;
	}
	return parent;
}

static geo_err find_parents(geo_ctx *ctx, place_grids *g)
{
	geo_gridset *prim = primary_view(ctx, g);
	geo_placer *pp = prim ? geo_placer_new(ctx, prim) : NULL;
	if ((g->primaries || g->levels == 2) && (!prim || !pp)) {
		free_primary_view(g, prim);
		return geo_last_code(ctx);
	}
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < g->view.n; i++) {
		char code[GEO_SECONDARY_CODE_LEN + 1] = "";
		const char *parent = parent_code(ctx, &g->view.grids[i], pp, prim, code, sizeof code);
		if (!(g->parent[i] = geo_strdup(ctx, parent)))
			e = GEO_ERR_INTERNAL;
	}
	geo_placer_free(pp);
	free_primary_view(g, prim);
	return e;
}

static geo_err find_copy_fields(geo_ctx *ctx, place_grids *g, const char *list)
{
	if (!list)
		return GEO_OK;
	g->copy_names = CSLTokenizeString2(list, ",", CSLT_STRIPLEADSPACES | CSLT_STRIPENDSPACES);
	int n = CSLCount(g->copy_names);
	g->copy_field = geo_calloc(ctx, (size_t)n + 1, sizeof *g->copy_field);
	if (!g->copy_field)
		return GEO_ERR_INTERNAL;
	for (int i = 0; i < n; i++)
		if ((g->copy_field[i] = OGR_FD_GetFieldIndex(g->set->defn, g->copy_names[i])) < 0)
			return geo_fail(ctx, GEO_ERR_USAGE, "--copy-fields: %s has no field '%s'",
					g->set->source, g->copy_names[i]);
	return GEO_OK;
}

/* A grid without geometry takes no feature (QGIS counts 0 in it too); say which. */
static void warn_empty_grids(geo_ctx *ctx, const place_grids *g, const char *id_field)
{
	int id = OGR_FD_GetFieldIndex(g->set->defn, id_field);
	for (size_t i = 0; i < g->view.n; i++) {
		const geo_grid *gr = &g->view.grids[i];
		if (gr->geom)
			continue;
		char label[256];
		geo_feat_label(gr->feat, id, label, sizeof label);
		geo_log(ctx, GEO_LOG_WARN, "%s: %s: has no geometry; no feature can be placed in it",
			g->set->source, label);
	}
}

geo_err place_grids_load(geo_ctx *ctx, place_grids *g, const char *name, const geo_place_opts *o)
{
	geo_crs *work = NULL;
	if (o->common.work_srs && !(work = geo_crs_new(ctx, o->common.work_srs)))
		return geo_last_code(ctx);
	geo_input_opts io;
	geo_input_opts_init(&io);
	g->set = geo_gridset_read(ctx, name, &io, &o->grid, work);
	geo_crs_free(work);
	if (!g->set)
		return geo_last_code(ctx);
	if (o->parents &&
	    !(g->primaries = geo_gridset_read(ctx, o->parents, &io, &o->grid, g->set->crs)))
		return geo_last_code(ctx);
	geo_err e = place_grids_view(ctx, g);
	if (!e)
		warn_empty_grids(ctx, g, o->grid.id_field);
	if (!e)
		e = find_parents(ctx, g);
	if (!e)
		e = find_copy_fields(ctx, g, o->copy_fields);
	if (!e && !(g->placer = geo_placer_new(ctx, &g->view)))
		e = geo_last_code(ctx);
	return e;
}

geo_index *place_grids_index(geo_ctx *ctx, place_grids *g)
{
	if (!g->index)
		g->index = geo_index_new(ctx, g->geoms, g->view.n);
	return g->index;
}

void place_grids_free(place_grids *g)
{
	geo_index_free(g->index);
	geo_placer_free(g->placer);
	for (size_t i = 0; g->parent && i < g->view.n; i++)
		free(g->parent[i]);
	free(g->parent);
	free(g->ids);
	free(g->order);
	free(g->rank);
	free(g->geoms);
	free(g->copy_field);
	CSLDestroy(g->copy_names);
	free(g->view.grids);
	geo_gridset_free(g->primaries);
	geo_gridset_free(g->set);
}

