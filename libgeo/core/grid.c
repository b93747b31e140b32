/*
** grid.c: the grid model. Codes are the town code (9 digits, GB/T 10114)
** followed by a 3-digit primary and a 2-digit secondary sequence, so a code
** alone says its level and its parent. A grid layer is read into a gridset:
** geometries in the working CRS plus the fields every tool relies on.
*/
#include "core/geo_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int geo_grid_code_level(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	if (!all_digits(code ? code : "", n))
		return 0;
	return n == GEO_PRIMARY_CODE_LEN ? 1 : n == GEO_SECONDARY_CODE_LEN ? 2 : 0;
}

int geo_grid_town_code_ok(const char *town)
{
	return town && strlen(town) == GEO_TOWN_CODE_LEN && all_digits(town, GEO_TOWN_CODE_LEN);
}

geo_err geo_grid_code_primary(char *buf, size_t size, const char *town, int seq)
{
	if (!geo_grid_town_code_ok(town) || seq < 1 || seq > 999 || size <= GEO_PRIMARY_CODE_LEN)
		return GEO_ERR_USAGE;
	snprintf(buf, size, "%s%03d", town, seq);
	return GEO_OK;
}

geo_err geo_grid_code_secondary(char *buf, size_t size, const char *primary, int seq)
{
	if (geo_grid_code_level(primary) != 1 || seq < 1 || seq > 99 ||
	    size <= GEO_SECONDARY_CODE_LEN)
		return GEO_ERR_USAGE;
	snprintf(buf, size, "%s%02d", primary, seq);
	return GEO_OK;
}

void geo_grid_code_parent(const char *code, char *buf, size_t size)
{
	if (geo_grid_code_level(code) == 2)
		snprintf(buf, size, "%.*s", GEO_PRIMARY_CODE_LEN, code);
	else if (size)
		buf[0] = '\0';
}

void geo_grid_opts_init(geo_grid_opts *o)
{
	o->id_field = "grid_id";
	o->parent_field = "parent_id";
	o->level_field = "level";
	o->name_field = "name";
	o->households_field = "households";
	o->keep_unreadable = 0;
}

struct fields {
	int id, parent, level, name, households;
};

static struct fields find_fields(OGRFeatureDefnH d, const geo_grid_opts *o)
{
	struct fields f = {
		OGR_FD_GetFieldIndex(d, o->id_field), OGR_FD_GetFieldIndex(d, o->parent_field),
		OGR_FD_GetFieldIndex(d, o->level_field), OGR_FD_GetFieldIndex(d, o->name_field),
		OGR_FD_GetFieldIndex(d, o->households_field),
	};
	return f;
}

static geo_err fill_grid(geo_ctx *ctx, geo_grid *g, OGRFeatureH feat, const struct fields *f)
{
	g->feat = feat;
	g->fid = (long long)OGR_F_GetFID(feat);
	g->id = geo_strdup(ctx, geo_feat_str(feat, f->id));
	g->parent_id = geo_strdup(ctx, geo_feat_str(feat, f->parent));
	g->name = geo_strdup(ctx, geo_feat_str(feat, f->name));
	if (!g->id || !g->parent_id || !g->name)
		return GEO_ERR_INTERNAL;
	g->level = f->level >= 0 && OGR_F_IsFieldSetAndNotNull(feat, f->level)
			   ? OGR_F_GetFieldAsInteger(feat, f->level)
			   : geo_grid_code_level(g->id);
	g->households = f->households >= 0 ? OGR_F_GetFieldAsDouble(feat, f->households) : -1;
	return GEO_OK;
}

static geo_err check_polygonal(geo_ctx *ctx, geo_input *in, OGRFeatureH feat, int id_field)
{
	OGRGeometryH g = OGR_F_GetGeometryRef(feat);
	if (!g || geo_geom_dimension_class(OGR_G_GetGeometryType(g)) == 1)
		return GEO_OK;
	char label[256];
	geo_feat_label(feat, id_field, label, sizeof label);
	return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: is a %s; grids must be polygons",
			geo_input_name(in), label, OGR_G_GetGeometryName(g));
}

/*
** Why GEOS cannot read the feature's geometry as it is in the file (a ring
** that is unclosed or too short, a coordinate that is not a finite number),
** or NULL when it can. Asked before the geometry is transformed, so that a
** transformation failure (a wrong CRS, for the whole layer) stays an error.
*/
static char *unreadable(geo_ctx *ctx, OGRFeatureH feat)
{
	OGRGeometryH g = OGR_F_GetGeometryRef(feat);
	if (!g || OGR_G_IsEmpty(g))
		return NULL;
	if (!geo_ogr_is_finite(g))
		return geo_strdup(ctx, "coordinate is not a finite number");
	GEOSGeometry *t = geo_geom_from_ogr(ctx, g);
	if (t) {
		GEOSGeom_destroy_r(geo_ctx_geos(ctx), t);
		return NULL;
	}
	return geo_strdup(ctx, geo_last_error(ctx));
}

/* The grid's geometry in the working CRS, or (o->keep_unreadable) *why. */
static geo_err grid_geometry(geo_ctx *ctx, geo_input *in, OGRFeatureH feat, const struct fields *f,
			     int keep, GEOSGeometry **geom, char **why)
{
	*geom = NULL;
	*why = unreadable(ctx, feat);
	if (!*why)
		return geo_input_geometry(ctx, in, feat, geom);
	if (keep)
		return GEO_OK;
	char label[256];
	geo_feat_label(feat, f->id, label, sizeof label);
	geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: %s", geo_input_name(in), label, *why);
	free(*why);
	*why = NULL;
	return GEO_ERR_INPUT;
}

static geo_err read_grids(geo_ctx *ctx, geo_gridset *gs, geo_input *in, const struct fields *f,
			  int keep)
{
	size_t cap = 0;
	for (;;) {
		OGRFeatureH feat = NULL;
		GEOSGeometry *geom = NULL;
		char *why = NULL;
		geo_err e = geo_input_next(ctx, in, &feat, NULL);
		if (e || !feat)
			return e;
		if ((e = check_polygonal(ctx, in, feat, f->id)) ||
		    (e = grid_geometry(ctx, in, feat, f, keep, &geom, &why))) {
			OGR_F_Destroy(feat);
			return e;
		}
		if (gs->n == cap) {
			cap = cap ? 2 * cap : 64;
			geo_grid *g = geo_realloc_array(ctx, gs->grids, cap, sizeof *g);
			if (!g) {
				OGR_F_Destroy(feat);
				GEOSGeom_destroy_r(geo_ctx_geos(ctx), geom);
				free(why);
				return GEO_ERR_INTERNAL;
			}
			gs->grids = g;
		}
		geo_grid *g = &gs->grids[gs->n++];
		memset(g, 0, sizeof *g);
		g->geom = geom;
		g->unreadable = why;
		if ((e = fill_grid(ctx, g, feat, f)))
			return e;
	}
}

geo_gridset *geo_gridset_read(geo_ctx *ctx, const char *name, const geo_input_opts *in_opts,
			      const geo_grid_opts *o, const geo_crs *work)
{
	geo_grid_opts defaults;
	if (!o) {
		geo_grid_opts_init(&defaults);
		o = &defaults;
	}
	geo_input *in = geo_input_open(ctx, name, in_opts);
	geo_gridset *gs = in ? geo_calloc(ctx, 1, sizeof *gs) : NULL;
	if (!gs)
		goto fail;
	gs->geos = geo_ctx_geos(ctx);
	if (!(gs->source = geo_strdup(ctx, name)))
		goto fail;
	if (geo_input_require_crs(ctx, in) ||
	    !(gs->source_crs = geo_crs_clone(geo_input_crs(in))) ||
	    !(gs->crs = work ? geo_crs_clone(work) : geo_input_working_crs(ctx, in)) ||
	    geo_input_set_target(ctx, in, gs->crs))
		goto fail;
	gs->defn = geo_input_defn(in);
	OGR_FD_Reference(gs->defn);
	struct fields f = find_fields(gs->defn, o);
	gs->has_households = f.households >= 0;
	if (read_grids(ctx, gs, in, &f, o->keep_unreadable))
		goto fail;
	geo_input_close(in);
	return gs;
fail:
	geo_input_close(in);
	geo_gridset_free(gs);
	return NULL;
}

void geo_gridset_free(geo_gridset *gs)
{
	if (!gs)
		return;
	for (size_t i = 0; i < gs->n; i++) {
		geo_grid *g = &gs->grids[i];
		free(g->id);
		free(g->parent_id);
		free(g->name);
		free(g->unreadable);
		if (g->feat)
			OGR_F_Destroy(g->feat);
		if (g->geom)
			GEOSGeom_destroy_r(gs->geos, g->geom);
	}
	free(gs->grids);
	if (gs->defn)
		OGR_FD_Release(gs->defn);
	geo_crs_free(gs->crs);
	geo_crs_free(gs->source_crs);
	free(gs->source);
	free(gs);
}

long geo_gridset_find(const geo_gridset *gs, const char *id)
{
	for (size_t i = 0; i < gs->n; i++)
		if (!strcmp(gs->grids[i].id, id))
			return (long)i;
	return -1;
}

struct placed {
	size_t i;
	double x, y;
	double row;             /* a whole number, kept as a double: bands far from the
				   top number more than a long holds */
};

static int by_row_then_x(const void *a, const void *b)
{
	const struct placed *p = a, *q = b;
	if (p->row != q->row)
		return p->row < q->row ? -1 : 1;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

geo_err geo_grid_order(geo_ctx *ctx, GEOSGeometry *const *geoms, size_t n, size_t *order)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	struct placed *p = geo_calloc(ctx, n, sizeof *p);
	double *heights = geo_calloc(ctx, n, sizeof *heights);
	if (!p || !heights) {
		free(p);
		free(heights);
		return GEO_ERR_INTERNAL;
	}
	double top = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
		p[i].i = i;
		if (geoms[i] && !GEOSisEmpty_r(h, geoms[i])) {
			GEOSGeom_getExtent_r(h, geoms[i], &xmin, &ymin, &xmax, &ymax);
			geo_geom_inside_point(ctx, geoms[i], &p[i].x, &p[i].y);
		}
		heights[i] = ymax - ymin;
		top = fmax(top, p[i].y);
	}
	qsort(heights, n, sizeof *heights, by_double);
	double band = n && heights[n / 2] > 0 ? heights[n / 2] : 1;
	for (size_t i = 0; i < n; i++) {
		p[i].row = floor((top - p[i].y) / band);
		if (isnan(p[i].row))
			p[i].row = INFINITY;
	}
	qsort(p, n, sizeof *p, by_row_then_x);
	for (size_t i = 0; i < n; i++)
		order[i] = p[i].i;
	free(p);
	free(heights);
	return GEO_OK;
}
