/*
** check.c: grid-check's verb, geo_check. It reads the grids, the town and the
** primaries into the grids' working CRS, runs the checks of coverage.c, places
** every point of the --points layers with the placer (a point on an edge
** shared by two grids belongs to one of them; only real overlaps hold a point
** twice), writes the problems as a styled layer (-o) and a repaired copy
** (--fix, see repair.c), and renders the report as text or JSON.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

/* ---- inputs ---------------------------------------------------------------- */

/* The union of every polygon of the layer `name`, in the CRS `work`. */
static geo_err read_town(geo_ctx *ctx, const char *name, const geo_check_opts *o,
			 const geo_crs *work, GEOSGeometry **town)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, NULL);
	*town = NULL;
	geo_input *in = geo_input_open(ctx, name, &io);
	if (!in)
		return geo_last_code(ctx);
	geo_err e = geo_input_require_crs(ctx, in);
	if (!e)
		e = geo_input_set_target(ctx, in, work);
	GEOSGeometry **parts = NULL;
	size_t n = 0, cap = 0;
	while (!e) {
		OGRFeatureH f = NULL;
		GEOSGeometry *g = NULL;
		if ((e = geo_input_next(ctx, in, &f, &g)) || !f)
			break;
		OGRGeometryH og = OGR_F_GetGeometryRef(f);
		if (og && geo_geom_dimension_class(OGR_G_GetGeometryType(og)) != 1) {
			char label[256];
			geo_feat_label(f, -1, label, sizeof label);
			e = geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: is a %s; the town must be polygons",
				     name, label, OGR_G_GetGeometryName(og));
		}
		OGR_F_Destroy(f);
		if (e || !g || GEOSisEmpty_r(h, g)) {
			if (g)
				GEOSGeom_destroy_r(h, g);
			continue;
		}
		if (GEOSisValid_r(h, g) != 1) {
			geo_log(ctx, GEO_LOG_WARN, "%s: the town polygon is invalid; using GEOS's valid version",
				name);
			GEOSGeometry *v = NULL;
			e = geo_make_valid_polygons(ctx, g, &v);
			GEOSGeom_destroy_r(h, g);
			if (e || !(g = v))
				continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			GEOSGeometry **p = geo_realloc_array(ctx, parts, cap, sizeof *p);
			if (!p) {
				GEOSGeom_destroy_r(h, g);
				e = GEO_ERR_INTERNAL;
				break;
			}
			parts = p;
		}
		parts[n++] = g;
	}
	geo_input_close(in);
	if (!e && !n)
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: no polygon in the town layer", name);
	if (e) {
		for (size_t i = 0; i < n; i++)
			GEOSGeom_destroy_r(h, parts[i]);
		free(parts);
		return e;
	}
	GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
							  (unsigned)n);
	free(parts);
	*town = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
	GEOSGeom_destroy_r(h, coll);
	return *town ? GEO_OK
		     : geo_fail(ctx, GEO_ERR_INTERNAL, "%s: cannot union the town: %s", name,
				geo_last_error(ctx));
}

/* ---- points ---------------------------------------------------------------- */

struct points {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	geo_check_result *r;
	const geo_gridset *gs;
	geo_placer *placer;
	const GEOSPreparedGeometry *town;
	const char *layer;
};

static geo_err place_point(struct points *p, OGRFeatureH f, double x, double y)
{
	long held[8];
	size_t n = geo_placer_all(p->placer, x, y, held, 8);
	if (n == 1)
		return GEO_OK;
	char label[256];
	geo_feat_label(f, -1, label, sizeof label);
	char **codes = NULL;
	for (size_t i = 0; i < n && i < 8; i++)
		codes = CSLAddString(codes, p->gs->grids[held[i]].id);
	geo_buf b, local;
	geo_buf_init(&b);
	geo_buf_init(&local);
	geo_buf_printf(&b, "%s: %s", p->layer, label);
	geo_buf_printf(&local, "%s: %s", p->layer, label);
	if (n) {
		geo_buf_printf(&b, " in %zu grids", n);
		geo_buf_printf(&local, _(" in %zu grids"), n);
	} else {
		int out = 0;
		if (p->town) {
			GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(p->h, x, y);
			out = pt && GEOSPreparedIntersects_r(p->h, p->town, pt) == 0;
			GEOSGeom_destroy_r(p->h, pt);
		}
		const char *where = out ? N_(" in no grid (outside the town)") : N_(" in no grid");
		geo_buf_add(&b, where);
		geo_buf_add(&local, _(where));
	}
	char *detail = b.failed || local.failed ? NULL : geo_detail_pair(p->ctx, b.s, local.s);
	geo_buf_free(&b);
	geo_buf_free(&local);
	return geo_problem_add(p->ctx, p->r,
			       n ? GEO_PROBLEM_MULTIPLY_PLACED_POINT : GEO_PROBLEM_UNPLACED_POINT,
			       n ? held : NULL, codes, NAN, x, y, detail, NULL);
}

static geo_err place_geometry(struct points *p, OGRFeatureH f, const GEOSGeometry *g)
{
	int n = GEOSGetNumGeometries_r(p->h, g);
	geo_err e = GEO_OK;
	for (int i = 0; !e && i < n; i++) {
		const GEOSGeometry *pt = GEOSGetGeometryN_r(p->h, g, i);
		double x, y;
		if (GEOSisEmpty_r(p->h, pt))
			continue;
		GEOSGeomGetX_r(p->h, pt, &x);
		GEOSGeomGetY_r(p->h, pt, &y);
		p->r->points++;
		e = place_point(p, f, x, y);
	}
	return e;
}

static geo_err check_points(struct points *p, const char *name, const geo_check_opts *o)
{
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, NULL);
	io.window = &o->common.window;
	geo_input *in = geo_input_open(p->ctx, name, &io);
	if (!in)
		return geo_last_code(p->ctx);
	p->layer = OGR_L_GetName(geo_input_layer(in));
	geo_err e = geo_input_require_crs(p->ctx, in);
	if (!e)
		e = geo_input_set_target(p->ctx, in, p->gs->crs);
	while (!e) {
		OGRFeatureH f = NULL;
		GEOSGeometry *g = NULL;
		if ((e = geo_input_next(p->ctx, in, &f, NULL)) || !f)
			break;
		OGRGeometryH og = OGR_F_GetGeometryRef(f);
		if (og && geo_geom_dimension_class(OGR_G_GetGeometryType(og)) != 3) {
			char label[256];
			geo_feat_label(f, -1, label, sizeof label);
			e = geo_fail(p->ctx, GEO_ERR_INPUT, "%s: %s: is a %s; --points needs points",
				     name, label, OGR_G_GetGeometryName(og));
		} else if (og && !(e = geo_input_geometry(p->ctx, in, f, &g)) && g) {
			e = place_geometry(p, f, g);
		}
		if (g)
			GEOSGeom_destroy_r(p->h, g);
		OGR_F_Destroy(f);
	}
	geo_input_close(in);
	return e;
}

static geo_err all_points(geo_ctx *ctx, const geo_check_opts *o, const geo_gridset *gs,
			  const GEOSGeometry *town, geo_check_result *r)
{
	struct points p = { ctx, geo_ctx_geos(ctx), r, gs, NULL, NULL, NULL };
	if (!(p.placer = geo_placer_new(ctx, gs)))
		return geo_last_code(ctx);
	if (town && !(p.town = GEOSPrepare_r(p.h, town))) {
		geo_placer_free(p.placer);
		return geo_fail(ctx, GEO_ERR_INTERNAL, "cannot prepare the town");
	}
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && o->points[i]; i++)
		e = check_points(&p, o->points[i], o);
	geo_placer_free(p.placer);
	if (p.town)
		GEOSPreparedGeom_destroy_r(p.h, p.town);
	return e;
}

/* ---- the problems layer ---------------------------------------------------- */

static const char *const colours[GEO_PROBLEM_TYPES] = {
	"228,26,28", "152,78,163", "255,127,0", "55,126,184", "77,175,74", "166,86,40",
	"247,129,191", "153,153,153", "255,255,51", "102,194,165", "0,0,0", "228,26,28",
	"152,78,163",
};

static const char *const legends[GEO_PROBLEM_TYPES] = {
	"gap (no grid)", "overlap (two or more grids)", "outside the town",
	"not nested in its primary", "parent_id names no primary", "invalid geometry",
	"duplicate code", "malformed code", "grid in pieces", "sliver", "no geometry",
	"point in no grid", "point in two or more grids",
};

/* A categorized QML style by `type`: fills for areas or markers for points. */
static char *problems_qml(int points)
{
	geo_qml_category c[GEO_PROBLEM_TYPES];
	int lo = points ? GEO_PROBLEM_UNPLACED_POINT : 0;
	int hi = points ? GEO_PROBLEM_TYPES : GEO_PROBLEM_UNPLACED_POINT;
	for (int t = lo; t < hi; t++)
		c[t - lo] = (geo_qml_category){
			geo_problem_name(t), legends[t], colours[t],
			points ? (t == GEO_PROBLEM_UNPLACED_POINT ? "cross_fill" : "circle")
			       : (t <= GEO_PROBLEM_NOT_NESTED ? "solid" : "b_diagonal")
		};
	geo_qml_categorized_opts o = { "type", points ? GEO_QML_MARKER : GEO_QML_FILL,
				       points ? 1 : 0.75, points ? 3 : 0.8, points ? "0,0,0" : NULL,
				       "type" };
	return geo_qml_categorized(c, (size_t)(hi - lo), &o);
}

static OGRLayerH problems_layer(geo_ctx *ctx, geo_output *out, const char *name,
				const geo_crs *crs, OGRwkbGeometryType type)
{
	OGRLayerH l = geo_output_create_layer(ctx, out, name, crs, type);
	if (!l)
		return NULL;
	static const struct { const char *name; OGRFieldType type; } fields[] = {
		{ "type", OFTString }, { "grids", OFTString }, { "area_m2", OFTReal },
		{ "detail", OFTString },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
		if (fields[i].type == OFTReal)
			OGR_Fld_SetPrecision(fd, 3);
		OGRErr err = OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE) {
			geo_fail(ctx, GEO_ERR_OUTPUT, "cannot create field %s: %s", fields[i].name,
				 geo_cpl_error("driver refused"));
			return NULL;
		}
	}
	return geo_qml_attach(ctx, out, l, problems_qml(type == wkbPoint)) ? NULL : l;
}

static int is_point_problem(geo_problem_type t)
{
	return t == GEO_PROBLEM_UNPLACED_POINT || t == GEO_PROBLEM_MULTIPLY_PLACED_POINT;
}

/* The geometry a problem is drawn with (a new GEOS geometry, or NULL): its
** region; else the grid it is about; else its point. */
static GEOSGeometry *problem_shape(GEOSContextHandle_t h, const geo_problem *p,
				   const geo_gridset *gs, int multi)
{
	const GEOSGeometry *g = p->geom;
	if (!g && !is_point_problem(p->type) && p->ngrids && p->index[0] >= 0)
		g = gs->grids[p->index[0]].geom;
	if (!g)
		return isfinite(p->wx) ? GEOSGeom_createPointFromXY_r(h, p->wx, p->wy) : NULL;
	if (!multi || GEOSGeomTypeId_r(h, g) != GEOS_POLYGON)
		return GEOSGeom_clone_r(h, g);
	GEOSGeometry *one = GEOSGeom_clone_r(h, g);
	return one ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, &one, 1) : NULL;
}

static geo_err write_problem(geo_ctx *ctx, OGRLayerH l, const geo_problem *p,
			     const geo_gridset *gs, geo_transform *t, int multi)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	OGR_F_SetFieldString(f, 0, geo_problem_name(p->type));
	char *grids = p->grids ? CPLStrdup("") : NULL;
	for (size_t i = 0; p->grids && p->grids[i]; i++) {
		char *more = CPLStrdup(CPLSPrintf("%s%s%s", grids, i ? "," : "", p->grids[i]));
		CPLFree(grids);
		grids = more;
	}
	if (grids)
		OGR_F_SetFieldString(f, 1, grids);
	CPLFree(grids);
	if (isfinite(p->area_m2))
		OGR_F_SetFieldDouble(f, 2, round(p->area_m2 * 1000) / 1000);
	OGR_F_SetFieldString(f, 3, p->detail);
	GEOSGeometry *g = problem_shape(h, p, gs, multi);
	geo_err e = geo_write_feature(ctx, l, f, g, t);
	if (g)
		GEOSGeom_destroy_r(h, g);
	OGR_F_Destroy(f);
	return e;
}

static int multi_layer_driver(const char *driver)
{
	return !strcmp(driver, "GPKG") || !strcmp(driver, "SQLite") || !strcmp(driver, "PostgreSQL");
}

static geo_err write_problems(geo_ctx *ctx, const geo_check_opts *o, const geo_check_result *r,
			      const geo_gridset *gs, const geo_crs *crs)
{
	geo_output *out = geo_output_open(ctx, o->common.output, &o->common.out);
	if (!out)
		return geo_last_code(ctx);
	int has_points = r->count[GEO_PROBLEM_UNPLACED_POINT] +
			 r->count[GEO_PROBLEM_MULTIPLY_PLACED_POINT] > 0;
	int two = has_points && multi_layer_driver(geo_output_driver(out));
	/* A problem with neither region nor grid is drawn as its point; PostGIS,
	** unlike GeoPackage, holds a column to its declared type. */
	int strict = !strcmp(geo_output_driver(out), "PostgreSQL");
	OGRwkbGeometryType type = (has_points && !two) || strict ? wkbUnknown : wkbMultiPolygon;
	geo_transform *t = geo_transform_new(ctx, gs->crs, crs);
	OGRLayerH areas = t ? problems_layer(ctx, out, NULL, crs, type) : NULL, points = areas;
	geo_err e = areas ? GEO_OK : geo_last_code(ctx);
	if (!e && two) {
		char name[256];
		snprintf(name, sizeof name, "%s_points", OGR_L_GetName(areas));
		points = problems_layer(ctx, out, name, crs, wkbPoint);
		e = points ? GEO_OK : geo_last_code(ctx);
	}
	for (size_t i = 0; !e && i < r->n; i++) {
		int pt = is_point_problem(r->problems[i].type);
		e = write_problem(ctx, pt ? points : areas, &r->problems[i], gs, t,
				  !pt && type == wkbMultiPolygon);
	}
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	geo_transform_free(t);
	return e;
}

/* ---- the repaired copy ------------------------------------------------------- */

/* Writes feat with g in the layer's CRS, made valid there if the transform
** (or rounding to the format) broke a hair-thin part of it. */
static geo_err write_valid(geo_ctx *ctx, OGRLayerH l, OGRFeatureH feat, const GEOSGeometry *g,
			   geo_transform *t)
{
	OGRGeometryH og = g ? geo_geom_to_ogr(ctx, g) : NULL;
	if (g && !og)
		return GEO_ERR_INTERNAL;
	if (og && t && !geo_transform_is_identity(t) && geo_transform_ogr(ctx, t, og)) {
		OGR_G_DestroyGeometry(og);
		return GEO_ERR_OUTPUT;
	}
	if (og && !OGR_G_IsValid(og)) {
		OGRGeometryH v = OGR_G_MakeValid(og);
		if (v) {
			OGR_G_DestroyGeometry(og);
			og = v;
		}
	}
	if (og)
		OGR_F_SetGeometryDirectly(feat, og);
	if (OGR_L_CreateFeature(l, feat) != OGRERR_NONE)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write feature to layer '%s': %s",
				OGR_L_GetName(l), geo_cpl_error("write failed"));
	return GEO_OK;
}

static geo_err write_fixed(geo_ctx *ctx, const geo_check_opts *o, const geo_gridset *gs,
			   const geo_crs *crs)
{
	geo_output_opts oo = o->common.out;
	oo.format = NULL; /* -f is for -o; --fix takes its format from its name */
	geo_output *out = geo_output_open(ctx, o->fix, &oo);
	if (!out)
		return geo_last_code(ctx);
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	OGRwkbGeometryType type = wkbPolygon;
	for (size_t i = 0; i < gs->n; i++)
		if (gs->grids[i].geom && GEOSGeomTypeId_r(h, gs->grids[i].geom) == GEOS_MULTIPOLYGON)
			type = wkbMultiPolygon;
	geo_transform *t = geo_transform_new(ctx, gs->crs, crs);
	OGRLayerH l = t ? geo_output_create_layer(ctx, out, NULL, crs, type) : NULL;
	geo_err e = l ? GEO_OK : geo_last_code(ctx);
	OGRFeatureDefnH d = gs->defn;
	for (int i = 0; !e && i < OGR_FD_GetFieldCount(d); i++)
		if (OGR_L_CreateField(l, OGR_FD_GetFieldDefn(d, i), TRUE) != OGRERR_NONE)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create field %s: %s", o->fix,
				     OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)),
				     geo_cpl_error("driver refused"));
	for (size_t i = 0; !e && i < gs->n; i++) {
		const geo_grid *g = &gs->grids[i];
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		OGR_F_SetFrom(f, g->feat, TRUE);
		OGR_F_SetGeometryDirectly(f, NULL);
		GEOSGeometry *geom = NULL;
		if (g->geom && type == wkbMultiPolygon && GEOSGeomTypeId_r(h, g->geom) == GEOS_POLYGON) {
			GEOSGeometry *one = GEOSGeom_clone_r(h, g->geom);
			geom = one ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, &one, 1) : NULL;
		}
		e = write_valid(ctx, l, f, geom ? geom : g->geom, t);
		if (geom)
			GEOSGeom_destroy_r(h, geom);
		OGR_F_Destroy(f);
	}
	if (!e)
		e = geo_qml_attach(ctx, out, l, geo_qml_grids(GEO_QML_CHECKED, o->grid.id_field));
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	geo_transform_free(t);
	return e;
}

/* ---- the verb ---------------------------------------------------------------- */

struct run {
	geo_ctx *ctx;
	const geo_check_opts *o;
	geo_crs *work, *out_crs;
	geo_gridset *gs, *parents;
	GEOSGeometry *town;
};

static geo_err read_inputs(struct run *run, const char *grids)
{
	geo_ctx *ctx = run->ctx;
	const geo_check_opts *o = run->o;
	geo_input_opts io;
	if (o->common.work_srs && !(run->work = geo_crs_new(ctx, o->common.work_srs)))
		return geo_last_code(ctx);
	if (run->work && !geo_crs_is_projected(run->work))
		return geo_fail(ctx, GEO_ERR_USAGE, "--work-srs: %s is not a projected CRS",
				o->common.work_srs);
	geo_input_opts_common(&io, &o->common, o->common.where);
	/* A grid whose geometry GEOS cannot read is one invalid grid, not a failed check. */
	geo_grid_opts go = o->grid;
	go.keep_unreadable = 1;
	if (!(run->gs = geo_gridset_read(ctx, grids, &io, &go, run->work)))
		return geo_last_code(ctx);
	/* The features' OGR geometries duplicate the GEOS ones; dropping them
	** early lets the check reuse that memory. */
	for (size_t i = 0; i < run->gs->n; i++)
		OGR_F_SetGeometryDirectly(run->gs->grids[i].feat, NULL);
	if (o->common.t_srs && !(run->out_crs = geo_crs_new(ctx, o->common.t_srs)))
		return geo_last_code(ctx);
	if (o->boundary && read_town(ctx, o->boundary, o, run->gs->crs, &run->town))
		return geo_last_code(ctx);
	geo_input_opts_common(&io, &o->common, NULL);
	if (o->parents &&
	    !(run->parents = geo_gridset_read(ctx, o->parents, &io, &o->grid, run->gs->crs)))
		return geo_last_code(ctx);
	return GEO_OK;
}

static void run_free(struct run *run)
{
	geo_gridset_free(run->gs);
	geo_gridset_free(run->parents);
	if (run->town)
		GEOSGeom_destroy_r(geo_ctx_geos(run->ctx), run->town);
	geo_crs_free(run->work);
	geo_crs_free(run->out_crs);
}

static geo_err fix(struct run *run, geo_check_result *r)
{
	geo_ctx *ctx = run->ctx;
	geo_err e = geo_repair(ctx, run->gs, run->town, run->parents, run->o, r, &r->changes,
				 &r->changes_local);
	if (e)
		return e;
	r->nchanges = (size_t)CSLCount(r->changes);
	e = geo_check_gridset(ctx, run->gs, run->town, run->parents, run->o, &r->after);
	if (e > GEO_PROBLEMS)
		return e;
	const geo_crs *crs = run->out_crs ? run->out_crs : run->gs->source_crs;
	return write_fixed(ctx, run->o, run->gs, crs);
}

geo_err geo_check(geo_ctx *ctx, const char *grids, const geo_check_opts *o,
		  geo_check_result **result, geo_progress progress, void *progress_data)
{
	struct run run = { .ctx = ctx, .o = o };
	*result = NULL;
	geo_err e = GEO_OK;
	if (!geo_progress_step(ctx, progress, progress_data, 0, "reading"))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = read_inputs(&run, grids);
	if (!e && !geo_progress_step(ctx, progress, progress_data, 0.3, "checking"))
		e = GEO_ERR_INTERNAL;
	if (!e) {
		e = geo_check_gridset(ctx, run.gs, run.town, run.parents, o, result);
		e = e == GEO_PROBLEMS ? GEO_OK : e;
	}
	if (!e && o->points && o->points[0]) {
		if (!geo_progress_step(ctx, progress, progress_data, 0.6, "placing points"))
			e = GEO_ERR_INTERNAL;
		if (!e)
			e = all_points(ctx, o, run.gs, run.town, *result);
		if (!e)
			e = geo_check_finish(ctx, *result, run.gs);
	}
	const geo_crs *crs = !e && run.out_crs ? run.out_crs : run.gs ? run.gs->source_crs : NULL;
	if (!e && o->common.output)
		e = write_problems(ctx, o, *result, run.gs, crs);
	if (!e && o->fix) {
		if (!geo_progress_step(ctx, progress, progress_data, 0.8, "repairing"))
			e = GEO_ERR_INTERNAL;
		if (!e)
			e = fix(&run, *result);
	}
	if (!e && !geo_progress_step(ctx, progress, progress_data, 1, "done"))
		e = GEO_ERR_INTERNAL;
	if (!e)
		(*result)->decimals = geo_crs_is_projected(run.gs->source_crs) ? 1 : 7;
	run_free(&run);
	if (e) {
		geo_check_result_free(*result);
		*result = NULL;
		return e;
	}
	return (*result)->n ? GEO_PROBLEMS : GEO_OK;
}

/* ---- the report ---------------------------------------------------------------- */

static void json_counts(geo_buf *b, const geo_check_result *r)
{
	geo_buf_printf(b, "{\"grids\": %zu", r->grids);
	if (r->points)
		geo_buf_printf(b, ", \"points\": %zu", r->points);
	for (int t = 0; t < GEO_PROBLEM_TYPES; t++)
		geo_buf_printf(b, ", \"%s\": %zu", geo_problem_name(t), r->count[t]);
	geo_buf_printf(b, ", \"tolerated\": %zu}", r->tolerated);
}

static void json_problem(geo_buf *b, const geo_problem *p, int decimals)
{
	geo_buf_printf(b, "{\"type\": \"%s\", \"grids\": [", geo_problem_name(p->type));
	for (size_t i = 0; p->grids && p->grids[i]; i++) {
		geo_buf_add(b, i ? ", " : "");
		geo_json_str(b, p->grids[i]);
	}
	geo_buf_add(b, "], \"area_m2\": ");
	geo_json_num(b, p->area_m2, 3);
	geo_buf_add(b, ", \"x\": ");
	geo_json_num(b, p->x, decimals);
	geo_buf_add(b, ", \"y\": ");
	geo_json_num(b, p->y, decimals);
	geo_buf_add(b, ", \"detail\": ");
	geo_json_str(b, p->detail);
	geo_buf_add(b, "}");
}

static void render_json(geo_buf *b, const geo_check_result *r)
{
	geo_buf_printf(b, "{\"ok\": %s, \"counts\": ", r->n ? "false" : "true");
	json_counts(b, r);
	geo_buf_printf(b, ", \"tolerated\": {\"count\": %zu, \"area_m2\": ", r->tolerated);
	geo_json_num(b, r->tolerated_m2, 3);
	geo_buf_add(b, "}, \"problems\": [");
	for (size_t i = 0; i < r->n; i++) {
		geo_buf_add(b, i ? ",\n  " : "\n  ");
		json_problem(b, &r->problems[i], r->decimals);
	}
	geo_buf_add(b, r->n ? "\n]" : "]");
	if (r->after) {
		geo_buf_add(b, ", \"fix\": {\"changes\": [");
		for (size_t i = 0; r->changes && r->changes[i]; i++) {
			geo_buf_add(b, i ? ",\n  " : "\n  ");
			geo_json_str(b, r->changes[i]);
		}
		geo_buf_printf(b, "%s], \"ok\": %s, \"remaining\": ", r->nchanges ? "\n" : "",
			       r->after->n ? "false" : "true");
		json_counts(b, r->after);
		geo_buf_add(b, ", \"problems\": [");
		for (size_t i = 0; i < r->after->n; i++) {
			geo_buf_add(b, i ? ",\n  " : "\n  ");
			json_problem(b, &r->after->problems[i], r->decimals);
		}
		geo_buf_add(b, r->after->n ? "\n]}" : "]}");
	}
	geo_buf_add(b, "}\n");
}

static void text_problem(geo_buf *b, const geo_problem *p, int decimals)
{
	geo_buf_add(b, "  ");
	geo_buf_pad(b, geo_problem_label(p->type), 22);
	if (isfinite(p->area_m2))
		geo_buf_printf(b, " %12.1f m²", p->area_m2);
	else
		geo_buf_printf(b, " %15s", "");
	if (isfinite(p->x))
		geo_buf_printf(b, _("  at %.*f %.*f"), decimals, p->x, decimals, p->y);
	for (size_t i = 0; p->grids && p->grids[i]; i++)
		geo_buf_printf(b, "%s%s", i ? ", " : "  ", p->grids[i]);
	geo_buf_printf(b, ": %s\n", p->detail_local ? p->detail_local : p->detail);
}

static void text_summary(geo_buf *b, const geo_check_result *r)
{
	if (!r->n) {
		geo_buf_add(b, _("no problems"));
	} else {
		geo_buf_printf(b, P_("%zu problem (", "%zu problems (", r->n), r->n);
		int first = 1;
		for (int t = 0; t < GEO_PROBLEM_TYPES; t++)
			if (r->count[t]) {
				geo_buf_printf(b, "%s%s %zu", first ? "" : _(", "), geo_problem_label(t),
					       r->count[t]);
				first = 0;
			}
		geo_buf_add(b, ")");
	}
}

static void render_text(geo_buf *b, const geo_check_result *r)
{
	geo_buf_printf(b, _("%zu grids"), r->grids);
	if (r->points)
		geo_buf_printf(b, _(", %zu points"), r->points);
	geo_buf_add(b, ": ");
	text_summary(b, r);
	if (r->tolerated)
		geo_buf_printf(b, P_("; %zu piece under the minimum area tolerated (%.3f m² in all)",
				     "; %zu pieces under the minimum area tolerated (%.3f m² in all)",
				     r->tolerated),
			       r->tolerated, r->tolerated_m2);
	geo_buf_add(b, "\n");
	for (size_t i = 0; i < r->n; i++)
		text_problem(b, &r->problems[i], r->decimals);
	if (!r->after)
		return;
	geo_buf_printf(b, P_("fix: %zu change\n", "fix: %zu changes\n", r->nchanges), r->nchanges);
	char **changes = r->changes_local ? r->changes_local : r->changes;
	for (size_t i = 0; changes && changes[i]; i++)
		geo_buf_printf(b, "  %s\n", changes[i]);
	geo_buf_add(b, _("after the fix: "));
	text_summary(b, r->after);
	geo_buf_add(b, "\n");
	for (size_t i = 0; i < r->after->n; i++)
		text_problem(b, &r->after->problems[i], r->decimals);
}

geo_err geo_check_report(const geo_check_result *r, int json, FILE *f)
{
	geo_buf b;
	geo_buf_init(&b);
	if (json)
		render_json(&b, r);
	else
		render_text(&b, r);
	return geo_buf_write(&b, f);
}
