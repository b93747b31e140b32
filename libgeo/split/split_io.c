/*
** split_io.c: grid-split's inputs and outputs. It reads the town (one valid
** polygon), the village limits (checked to tile the town), the barriers
** (lines, or the outlines of polygons, each with a cut cost from its class)
** and the households (points, with a weight and persons), all into the
** working CRS; and it writes the grids with their fields and QGIS styles.
**
** A layer option such as --households may name a layer of the town's own
** file: `grid-split town.gpkg:township --households households` reads
** town.gpkg:households when no file named `households` exists.
*/
#include "split/input.h"
#include "split/linework.h"
#include "split/split_grid.h"
#include "split/split_io.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_conv.h>

/* A village gap, overlap or spill smaller than this, or thinner on average,
** is digitising noise the atoms absorb, not a problem. */
#define TILE_AREA_M2 1.0
#define TILE_WIDTH_M 0.5

/* The name of a layer option: NAME as given, or TOWNFILE:NAME when NAME is
** not a file but the town is. Caller frees. */
static char *resolve(geo_ctx *ctx, const char *name, const char *town)
{
	if (strchr(name, ':') || geo_file_exists(name) || !strcmp(name, "-"))
		return geo_strdup(ctx, name);
	char *path = geo_strdup(ctx, town);
	if (!path)
		return NULL;
	char *colon = strrchr(path, ':');
	if (colon && !geo_file_exists(path)) {
		*colon = '\0';
		if (!geo_file_exists(path))
			*colon = ':';
	}
	char *out = NULL;
	if (geo_file_exists(path)) {
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "%s:%s", path, name);
		out = geo_buf_take(&b);
	} else {
		out = geo_strdup(ctx, name);
	}
	free(path);
	return out;
}

/* Opens a layer, with --s-srs for a layer that has no CRS, reading in `work`. */
static geo_input *open_layer(geo_ctx *ctx, const char *name, const char *town,
			     const geo_split_opts *o, const char *where, const geo_crs *work)
{
	char *full = resolve(ctx, name, town);
	if (!full)
		return NULL;
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, where);
	geo_input *in = geo_input_open(ctx, full, &io);
	free(full);
	if (in && work && geo_input_set_target(ctx, in, work)) {
		geo_input_close(in);
		return NULL;
	}
	return in;
}

static geo_err wrong_type(geo_ctx *ctx, geo_input *in, OGRFeatureH f, const char *want)
{
	char label[256];
	geo_feat_label(f, -1, label, sizeof label);
	OGRGeometryH g = OGR_F_GetGeometryRef(f);
	return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: is a %s; %s", geo_input_name(in), label,
			g ? OGR_G_GetGeometryName(g) : "feature without geometry", want);
}

static geo_err invalid(geo_ctx *ctx, geo_input *in, OGRFeatureH f, const GEOSGeometry *g)
{
	char reason[512], label[256];
	double x, y;
	geo_err e = geo_geom_validity(ctx, g, reason, sizeof reason, &x, &y);
	if (e != GEO_PROBLEMS)
		return e;
	geo_feat_label(f, -1, label, sizeof label);
	return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: invalid polygon: %s at (%.1f, %.1f)",
			geo_input_name(in), label, reason, x, y);
}

/* What a reader does with one feature of its layer; it keeps g by setting
** *g to NULL. */
typedef geo_err (*feature_fn)(geo_ctx *ctx, geo_input *in, OGRFeatureH f, GEOSGeometry **g,
			      void *data);

/* Hands every feature of in, with its geometry in the working CRS, to each. */
static geo_err read_features(geo_ctx *ctx, geo_input *in, feature_fn each, void *data)
{
	geo_err e = GEO_OK;
	while (!e) {
		OGRFeatureH f = NULL;
		GEOSGeometry *g = NULL;
		if ((e = geo_input_next(ctx, in, &f, &g)) || !f)
			break;
		e = each(ctx, in, f, &g, data);
		if (g)
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
		OGR_F_Destroy(f);
	}
	return e;
}

/* Fails unless f is a polygon, and a valid one. */
static geo_err valid_polygon(geo_ctx *ctx, geo_input *in, OGRFeatureH f, const GEOSGeometry *g,
			     const char *want)
{
	OGRGeometryH og = OGR_F_GetGeometryRef(f);
	if (!og || geo_geom_dimension_class(OGR_G_GetGeometryType(og)) != 1)
		return wrong_type(ctx, in, f, want);
	return g ? invalid(ctx, in, f, g) : GEO_OK;
}

/* ---- the town ------------------------------------------------------------ */

struct town_parts {
	GEOSGeometry **g;
	size_t n, cap;
	char code[GEO_TOWN_CODE_LEN + 1]; /* the features' town code, "" if none */
	int mixed;              /* the features disagree on it, or one is not 9 digits */
};

/* The town code of the town's own features (the field --town-field names,
** default code), for grid codes when --town-code is not given. */
static void note_code(geo_ctx *ctx, OGRFeatureH f, struct town_parts *p)
{
	int i = OGR_F_GetFieldIndex(f, geo_ctx_town_field(ctx));
	const char *v = i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "";
	if (!geo_grid_town_code_ok(v) || (p->n > 0 && strcmp(p->code, v)))
		p->mixed = 1;
	else
		snprintf(p->code, sizeof p->code, "%s", v);
}

static geo_err town_feature(geo_ctx *ctx, geo_input *in, OGRFeatureH f, GEOSGeometry **g,
			    void *data)
{
	struct town_parts *p = data;
	geo_err e = valid_polygon(ctx, in, f, *g, "the town must be a polygon");
	if (e || !*g)
		return e;
	note_code(ctx, f, p);
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 8;
		GEOSGeometry **parts = geo_realloc_array(ctx, p->g, cap, sizeof *parts);
		if (!parts)
			return GEO_ERR_INTERNAL;
		p->g = parts;
		p->cap = cap;
	}
	p->g[p->n++] = *g;
	*g = NULL;
	return GEO_OK;
}

/* Reads the town into in->town: the union of the layer's features, which
** must be one valid polygon. Sets the working and the town's CRS. */
static geo_err read_town(geo_ctx *ctx, const char *name, const geo_split_opts *o,
			 split_input *in, geo_crs **work, geo_crs **crs)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	geo_input *t = open_layer(ctx, name, name, o, o->common.where, NULL);
	if (!t || geo_input_require_crs(ctx, t)) {
		geo_input_close(t);
		return geo_last_code(ctx);
	}
	*crs = geo_crs_clone(geo_input_crs(t));
	*work = o->common.work_srs ? geo_crs_new(ctx, o->common.work_srs) : geo_input_working_crs(ctx, t);
	struct town_parts p = { NULL, 0, 0, "", 0 };
	geo_err e = !*crs || !*work ? geo_last_code(ctx) : geo_input_set_target(ctx, t, *work);
	if (!e)
		e = read_features(ctx, t, town_feature, &p);
	if (!e && p.n == 0)
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: no town polygon (the layer is empty)", name);
	GEOSGeometry *c = e ? NULL : GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, p.g,
								 (unsigned)p.n);
	if (c)
		p.n = 0;
	GEOSGeometry *u = c ? GEOSUnaryUnion_r(h, c) : NULL;
	if (!e && !u)
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot merge the town's features: %s", name,
			     geo_last_error(ctx));
	if (!e && GEOSGeomTypeId_r(h, u) != GEOS_POLYGON) {
		double x, y;
		geo_geom_inside_point(ctx, GEOSGetGeometryN_r(h, u, 1), &x, &y);
		e = geo_fail(ctx, GEO_ERR_INPUT,
			     "%s: the town is %d separate polygons (the second at (%.1f, %.1f)); "
			     "grid-split needs one", name, GEOSGetNumGeometries_r(h, u), x, y);
	}
	if (!e) {
		in->town = u;
		u = NULL;
		if (!p.mixed)
			snprintf(in->town_code, sizeof in->town_code, "%s", p.code);
	}
	for (size_t i = 0; i < p.n; i++)
		GEOSGeom_destroy_r(h, p.g[i]);
	free(p.g);
	if (c)
		GEOSGeom_destroy_r(h, c);
	if (u)
		GEOSGeom_destroy_r(h, u);
	geo_input_close(t);
	return e;
}

/* ---- barriers -------------------------------------------------------------- */

/* The cut cost of a barrier by its class: a number in (0, 1] is the cost
** itself; otherwise words of OpenStreetMap and Chinese road and water
** classes, strongest first; anything else is an ordinary barrier. */
static double class_cost(const char *v)
{
	static const struct {
		const char *word;
		double cost;
	} table[] = {
		{ "river", 0.15 }, { "canal", 0.15 }, { "stream", 0.2 }, { "ditch", 0.25 },
		{ "water", 0.15 }, { "河", 0.15 }, { "渠", 0.2 }, { "沟", 0.25 },
		{ "rail", 0.15 }, { "铁路", 0.15 },
		{ "lane", 0.45 }, { "track", 0.45 }, { "path", 0.5 }, { "footway", 0.5 },
		{ "service", 0.45 }, { "alley", 0.45 }, { "巷", 0.45 }, { "小路", 0.45 },
		{ "田间", 0.45 },
		{ "motorway", 0.15 }, { "trunk", 0.15 }, { "primary", 0.2 }, { "highway", 0.2 },
		{ "expressway", 0.15 }, { "国道", 0.15 }, { "省道", 0.2 }, { "公路", 0.2 },
		{ "main", 0.2 }, { "secondary", 0.25 }, { "tertiary", 0.25 }, { "县道", 0.25 },
		{ "乡道", 0.3 }, { "residential", 0.3 }, { "village", 0.3 }, { "村道", 0.3 },
		{ "unclassified", 0.3 }, { "road", 0.3 }, { "street", 0.3 }, { "路", 0.3 },
		{ "街", 0.3 },
	};
	if (!v || !*v)
		return SPLIT_COST_BARRIER;
	char *end;
	double x = strtod(v, &end);
	if (end != v && !*end && x > 0 && x <= 1)
		return x;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const char *w = table[i].word;
		if ((unsigned char)w[0] < 0x80 ? strcasestr(v, w) != NULL : strstr(v, w) != NULL)
			return table[i].cost;
	}
	return SPLIT_COST_BARRIER;
}

static geo_err add_line(geo_ctx *ctx, split_input *in, size_t *cap, GEOSGeometry *g, int kind,
			double cost)
{
	if (in->nlines == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		split_line *l = geo_realloc_array(ctx, in->lines, *cap, sizeof *l);
		if (!l) {
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
			return GEO_ERR_INTERNAL;
		}
		in->lines = l;
	}
	in->lines[in->nlines++] = (split_line){ g, kind, cost };
	return GEO_OK;
}

/* Whether a barrier class, or failing that its layer's name, says water:
** the report tells limits on rivers and canals from limits on roads. */
static int is_water(const char *v)
{
	static const char *words[] = { "river", "canal", "stream", "ditch", "water", "drain",
				       "河", "渠", "沟" };
	for (size_t i = 0; v && i < sizeof words / sizeof words[0]; i++)
		if ((unsigned char)words[i][0] < 0x80 ? strcasestr(v, words[i]) != NULL
						      : strstr(v, words[i]) != NULL)
			return 1;
	return 0;
}

struct barriers {
	split_input *in;
	size_t *cap;
	int class_field;        /* or -1 */
	int layer_water;        /* the layer's name says water */
};

static geo_err barrier_feature(geo_ctx *ctx, geo_input *in, OGRFeatureH f, GEOSGeometry **g,
			       void *data)
{
	struct barriers *b = data;
	int dim = *g ? geo_geom_dimension_class(OGR_G_GetGeometryType(OGR_F_GetGeometryRef(f))) : 2;
	if (dim == 3 || dim == 0)
		return wrong_type(ctx, in, f, "barriers must be lines or polygons");
	const char *cls = b->class_field >= 0 ? geo_feat_str(f, b->class_field) : NULL;
	double cost = class_cost(cls);
	int kind = is_water(cls) || b->layer_water ? SPLIT_WATER : SPLIT_BARRIER;
	GEOSGeometry *line = *g && dim == 1 ? GEOSBoundary_r(geo_ctx_geos(ctx), *g) : *g;
	if (line == *g)
		*g = NULL;
	return line ? add_line(ctx, b->in, b->cap, line, kind, cost) : GEO_OK;
}

static geo_err read_barriers(geo_ctx *ctx, const char *town, const geo_split_opts *o,
			     const geo_crs *work, split_input *in, size_t *cap)
{
	geo_err e = GEO_OK;
	for (int i = 0; !e && i < o->nbarriers; i++) {
		geo_input *bi = open_layer(ctx, o->barriers[i], town, o, NULL, work);
		if (!bi)
			return geo_last_code(ctx);
		struct barriers b = { in, cap, o->barrier_class ? OGR_FD_GetFieldIndex(geo_input_defn(bi),
										 o->barrier_class)
								: -1,
				   is_water(o->barriers[i]) };
		if (o->barrier_class && b.class_field < 0)
			e = geo_fail(ctx, GEO_ERR_USAGE, "--barrier-class %s: %s has no such field",
				     o->barrier_class, geo_input_name(bi));
		if (!e)
			e = read_features(ctx, bi, barrier_feature, &b);
		geo_input_close(bi);
	}
	return e;
}

/* ---- villages ---------------------------------------------------------------- */

struct villages {
	split_input *in;
	size_t *lcap, cap;
	int name_field;         /* or -1 */
};

static geo_err village_feature(geo_ctx *ctx, geo_input *vi, OGRFeatureH f, GEOSGeometry **g,
			       void *data)
{
	struct villages *v = data;
	split_input *in = v->in;
	geo_err e = valid_polygon(ctx, vi, f, *g, "villages must be polygons");
	if (!e && in->nvillages == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 32;
		GEOSGeometry **vs = geo_realloc_array(ctx, in->villages, v->cap, sizeof *vs);
		char **nm = vs ? geo_realloc_array(ctx, in->village_names, v->cap, sizeof *nm) : NULL;
		if (vs)
			in->villages = vs;
		if (nm)
			in->village_names = nm;
		else
			e = GEO_ERR_INTERNAL;
	}
	if (e)
		return e;
	char fallback[32];
	snprintf(fallback, sizeof fallback, "%lld", (long long)OGR_F_GetFID(f));
	int nf = v->name_field;
	in->village_names[in->nvillages] = geo_strdup(ctx, nf >= 0 && *geo_feat_str(f, nf)
								 ? geo_feat_str(f, nf)
								 : fallback);
	in->villages[in->nvillages++] = *g;
	GEOSGeometry *limit = GEOSBoundary_r(geo_ctx_geos(ctx), *g);
	*g = NULL;
	return limit ? add_line(ctx, in, v->lcap, limit, SPLIT_VILLAGE, SPLIT_COST_VILLAGE)
		     : GEO_ERR_INTERNAL;
}

static geo_err read_villages(geo_ctx *ctx, const char *town, const geo_split_opts *o,
			     const geo_crs *work, split_input *in, size_t *lcap)
{
	geo_input *vi = open_layer(ctx, o->villages, town, o, NULL, work);
	if (!vi)
		return geo_last_code(ctx);
	struct villages v = { in, lcap, 0, OGR_FD_GetFieldIndex(geo_input_defn(vi), o->village_name) };
	geo_err e = read_features(ctx, vi, village_feature, &v);
	if (!e && !in->nvillages)
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: no village polygons", geo_input_name(vi));
	geo_input_close(vi);
	return e;
}

typedef struct tile_problem {
	const char *type;
	double area, x, y;
	char grids[2][256];
	int count;
} tile_problem;

/* Keeps the largest significant problem of g (taken) in p. */
static void note_problem(geo_ctx *ctx, GEOSGeometry *g, const char *type, const char *a,
			 const char *b, tile_problem *p)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	for (int i = 0; g && i < GEOSGetNumGeometries_r(h, g); i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
		double area = geo_geom_area(ctx, part), len = geo_geom_length(ctx, part);
		if (!(area > TILE_AREA_M2 && 2 * area / len > TILE_WIDTH_M))
			continue;
		p->count++;
		if (area <= p->area)
			continue;
		p->type = type;
		p->area = area;
		geo_geom_inside_point(ctx, part, &p->x, &p->y);
		snprintf(p->grids[0], sizeof p->grids[0], "%s", a ? a : "");
		snprintf(p->grids[1], sizeof p->grids[1], "%s", b ? b : "");
	}
	if (g)
		GEOSGeom_destroy_r(h, g);
}

/* Fails with grid-check's words when the villages do not tile the town. */
static geo_err check_tiling(geo_ctx *ctx, const split_input *in, const char *name)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	tile_problem p = { 0 };
	GEOSGeometry *c = split_collect(h, in->villages, in->nvillages);
	GEOSGeometry *u = c ? GEOSUnaryUnion_r(h, c) : NULL;
	if (!u) {
		if (c)
			GEOSGeom_destroy_r(h, c);
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot merge the villages: %s", name,
				geo_last_error(ctx));
	}
	note_problem(ctx, GEOSDifference_r(h, in->town, u), "gap", NULL, NULL, &p);
	note_problem(ctx, GEOSDifference_r(h, u, in->town), "outside", NULL, NULL, &p);
	geo_index *idx = geo_index_new(ctx, in->villages, in->nvillages);
	size_t *cand = geo_calloc(ctx, in->nvillages, sizeof *cand);
	for (size_t i = 0; idx && cand && i < in->nvillages; i++) {
		double x0, y0, x1, y1;
		GEOSGeom_getExtent_r(h, in->villages[i], &x0, &y0, &x1, &y1);
		size_t n = geo_index_query_box(idx, x0, y0, x1, y1, cand, in->nvillages);
		for (size_t k = 0; k < n; k++)
			if (cand[k] > i &&
			    GEOSPreparedOverlaps_r(h, geo_index_prepared(idx, i), in->villages[cand[k]]))
				note_problem(ctx, GEOSIntersection_r(h, in->villages[i], in->villages[cand[k]]),
					     "overlap", in->village_names[i],
					     in->village_names[cand[k]], &p);
	}
	geo_index_free(idx);
	free(cand);
	GEOSGeom_destroy_r(h, u);
	GEOSGeom_destroy_r(h, c);
	if (!p.count)
		return GEO_OK;
	char who[600] = "";
	if (p.grids[0][0])
		snprintf(who, sizeof who, " between %s and %s", p.grids[0], p.grids[1]);
	return geo_fail(ctx, GEO_ERR_INPUT,
			"%s: the villages do not tile the town (%d problem%s); the largest: %s of "
			"%.1f m²%s at (%.1f, %.1f)", name, p.count, p.count == 1 ? "" : "s", p.type,
			p.area, who, p.x, p.y);
}

/* ---- households ------------------------------------------------------------- */

static geo_err point_of(geo_ctx *ctx, geo_input *hi, OGRFeatureH f, const GEOSGeometry *g,
			double *x, double *y)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	OGRGeometryH og = OGR_F_GetGeometryRef(f);
	if (!og || geo_geom_dimension_class(OGR_G_GetGeometryType(og)) != 3 || !g)
		return wrong_type(ctx, hi, f, "households must be points");
	const GEOSGeometry *p = GEOSGeomTypeId_r(h, g) == GEOS_POINT ? g : GEOSGetGeometryN_r(h, g, 0);
	GEOSGeomGetX_r(h, p, x);
	GEOSGeomGetY_r(h, p, y);
	return GEO_OK;
}

struct households {
	split_input *in;
	const char *weight_name;
	int weight, persons;    /* field indices, or -1 */
	size_t cap;
};

static geo_err household_feature(geo_ctx *ctx, geo_input *hi, OGRFeatureH f, GEOSGeometry **g,
				 void *data)
{
	struct households *hh = data;
	int wf = hh->weight, pf = hh->persons;
	split_point p = { .weight = 1, .fid = (long long)OGR_F_GetFID(f) };
	geo_err e = point_of(ctx, hi, f, *g, &p.x, &p.y);
	if (!e && wf >= 0)
		p.weight = OGR_F_IsFieldSetAndNotNull(f, wf) ? OGR_F_GetFieldAsDouble(f, wf) : 0;
	if (!e && !(p.weight >= 0 && isfinite(p.weight)))
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: %s is %s; weights must be "
			     "0 or more", geo_input_name(hi), p.fid, hh->weight_name,
			     geo_feat_str(f, wf));
	if (!e && pf >= 0 && OGR_F_IsFieldSetAndNotNull(f, pf))
		p.persons = OGR_F_GetFieldAsDouble(f, pf);
	if (!e && hh->in->npoints == hh->cap) {
		size_t cap = hh->cap ? 2 * hh->cap : 1024;
		split_point *np = geo_realloc_array(ctx, hh->in->points, cap, sizeof *np);
		if (!np)
			return GEO_ERR_INTERNAL;
		hh->in->points = np;
		hh->cap = cap;
	}
	if (!e)
		hh->in->points[hh->in->npoints++] = p;
	return e;
}

static geo_err read_households(geo_ctx *ctx, const char *town, const geo_split_opts *o,
			       const geo_crs *work, split_input *in, int *has_persons)
{
	geo_input *hi = open_layer(ctx, o->households, town, o, NULL, work);
	if (!hi)
		return geo_last_code(ctx);
	OGRFeatureDefnH d = geo_input_defn(hi);
	struct households hh = { in, o->weight_field,
				 o->weight_field ? OGR_FD_GetFieldIndex(d, o->weight_field) : -1,
				 o->persons_field ? OGR_FD_GetFieldIndex(d, o->persons_field) : -1, 0 };
	*has_persons = hh.persons >= 0;
	geo_err e = o->weight_field && hh.weight < 0
			    ? geo_fail(ctx, GEO_ERR_USAGE, "--weight-field %s: %s has no such field",
				       o->weight_field, geo_input_name(hi))
			    : read_features(ctx, hi, household_feature, &hh);
	geo_input_close(hi);
	return e;
}

geo_err split_read(geo_ctx *ctx, const char *town, const geo_split_opts *o, split_input *in,
		   geo_crs **work, geo_crs **town_crs, int *has_persons)
{
	size_t lcap = 0;
	*has_persons = 0;
	geo_err e = read_town(ctx, town, o, in, work, town_crs);
	if (!e && o->villages)
		e = read_villages(ctx, town, o, *work, in, &lcap);
	if (!e && o->villages)
		e = check_tiling(ctx, in, o->villages);
	if (!e)
		e = read_barriers(ctx, town, o, *work, in, &lcap);
	if (!e && o->households)
		e = read_households(ctx, town, o, *work, in, has_persons);
	return e;
}

/* ---- output -------------------------------------------------------------------- */

static geo_err add_fields(geo_ctx *ctx, OGRLayerH l, int with_cells)
{
	static const struct {
		const char *name;
		OGRFieldType type;
		int width;
	} f[] = {
		{ "grid_id", OFTString, 14 }, { "level", OFTInteger, 0 }, { "parent_id", OFTString, 12 },
		{ "name", OFTString, 0 }, { "households", OFTInteger, 0 }, { "persons", OFTInteger, 0 },
		{ "area_m2", OFTReal, 0 }, { "compactness", OFTReal, 0 },
		{ "col", OFTInteger, 0 }, { "row", OFTInteger, 0 },
	};
	size_t n = sizeof f / sizeof f[0] - (with_cells ? 0 : 2);
	for (size_t i = 0; i < n; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(f[i].name, f[i].type);
		if (f[i].width)
			OGR_Fld_SetWidth(fd, f[i].width);
		OGRErr err = OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE)
			return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot add field %s to layer %s: %s",
					f[i].name, OGR_L_GetName(l), geo_cpl_error("driver refused"));
	}
	return GEO_OK;
}

static geo_err write_grid(geo_ctx *ctx, OGRLayerH l, const split_grid *g, int has_persons,
			  int with_cells, geo_transform *t)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	OGR_F_SetFieldString(f, 0, g->id);
	OGR_F_SetFieldInteger(f, 1, g->level);
	if (g->level == 2)
		OGR_F_SetFieldString(f, 2, g->parent);
	else
		OGR_F_SetFieldNull(f, 2);
	OGR_F_SetFieldString(f, 3, g->name ? g->name : "");
	if (g->households >= 0)
		OGR_F_SetFieldInteger(f, 4, (int)llround(g->households));
	else
		OGR_F_SetFieldNull(f, 4);
	if (has_persons && g->households >= 0)
		OGR_F_SetFieldInteger(f, 5, (int)llround(g->persons));
	else
		OGR_F_SetFieldNull(f, 5);
	OGR_F_SetFieldDouble(f, 6, round(g->area * 100) / 100);
	OGR_F_SetFieldDouble(f, 7, round(g->compactness * 1e4) / 1e4);
	if (with_cells) {
		OGR_F_SetFieldInteger(f, 8, (int)g->col);
		OGR_F_SetFieldInteger(f, 9, (int)g->row);
	}
	geo_err e = geo_write_feature(ctx, l, f, g->geom, t);
	OGR_F_Destroy(f);
	return e;
}

/* A layer of grids styled as style says (a level's, or both levels'). */
static OGRLayerH grid_layer(geo_ctx *ctx, geo_output *out, const char *name,
			    const geo_crs *crs, int with_cells, geo_qml_grids_style style)
{
	OGRLayerH l = geo_output_create_layer(ctx, out, name, crs, wkbPolygon);
	if (!l || add_fields(ctx, l, with_cells))
		return NULL;
	return geo_qml_attach(ctx, out, l, geo_qml_grids(style, "name")) ? NULL : l;
}

static int multi_layer(const char *driver)
{
	return !strcmp(driver, "GPKG") || !strcmp(driver, "SQLite");
}

/*
** A layer about to be replaced (--overwrite) that holds grids of other towns
** (a district's table of every town's grids): replacing it would drop them,
** and a code is unique only within its town. Refused, naming them.
*/
static geo_err other_towns_in(geo_ctx *ctx, OGRLayerH l, const char *name, const char *town,
			      const char *output);

/* The layer as it is now: PostGIS's in the run's own transaction; a file's
** in the file itself (the run writes a copy of it). */
static geo_err other_towns(geo_ctx *ctx, geo_output *out, const char *output, const char *name,
			   const char *town)
{
	GDALDatasetH ds = geo_output_dataset(out);
	OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, name) : NULL;
	if (l || geo_pg_is(output))
		return other_towns_in(ctx, l, name, town, output);
	char *path = geo_strdup(ctx, output);
	if (!path)
		return geo_last_code(ctx);
	char *colon = strrchr(path, ':');
	if (!geo_file_exists(path) && colon)
		*colon = '\0';
	/* Only a regular file can hold grids: opening a FIFO to look would wait
	** for a writer that never comes (the run itself is to write it). */
	struct stat st;
	GDALDatasetH file = stat(path, &st) == 0 && S_ISREG(st.st_mode)
		? GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL) : NULL;
	free(path);
	geo_err e = other_towns_in(ctx, file ? GDALDatasetGetLayerByName(file, name) : NULL, name,
				   town, output);
	if (file)
		GDALClose(file);
	return e;
}

static geo_err other_towns_in(geo_ctx *ctx, OGRLayerH l, const char *name, const char *town,
			      const char *output)
{
	if (!l || !town || OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "grid_id") < 0)
		return GEO_OK;
	char filter[128];
	snprintf(filter, sizeof filter, "grid_id IS NOT NULL AND grid_id NOT LIKE '%s%%'", town);
	if (OGR_L_SetAttributeFilter(l, filter) != OGRERR_NONE)
		return GEO_OK;
	OGR_L_ResetReading(l);
	OGRFeatureH f = OGR_L_GetNextFeature(l);
	char first[64] = "";
	long long n = 0;
	if (f) {
		snprintf(first, sizeof first, "%s", OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "grid_id")));
		n = (long long)OGR_L_GetFeatureCount(l, TRUE);
		OGR_F_Destroy(f);
	}
	OGR_L_SetAttributeFilter(l, NULL);
	if (!n)
		return GEO_OK;
	/* A PostGIS name is shown without its password. */
	char *label = geo_pg_is(output) ? geo_pg_label(ctx, output) : geo_strdup(ctx, output);
	geo_fail(ctx, GEO_ERR_OUTPUT,
		 "%s: layer %s holds %lld grids of other towns than %s (the first %s), which "
		 "--overwrite would drop; write each town's grids to a layer of its own "
		 "(PG:...:town_%s.grids)", label ? label : "", name, n, town, first, town);
	free(label);
	return GEO_ERR_OUTPUT;
}

geo_err split_write(geo_ctx *ctx, const char *output, const geo_split_opts *o,
		    const geo_crs *work, const geo_crs *out_crs, const split_grid *g, size_t n,
		    int has_persons, int with_cells)
{
	geo_transform *t = geo_transform_new(ctx, work, out_crs);
	geo_output *out = t ? geo_output_open(ctx, output, &o->common.out) : NULL;
	if (!out) {
		geo_transform_free(t);
		return geo_last_code(ctx);
	}
	int has[3] = { 0, 0, 0 };
	for (size_t i = 0; i < n; i++)
		has[g[i].level == 2 ? 2 : 1] = 1;
	OGRLayerH layer[3] = { NULL, NULL, NULL };
	geo_err e = GEO_OK;
	/* An output naming a layer holds other grids too (a district's towns in
	** PostGIS, a town's years in one GeoPackage): the layers are named after
	** it (town_120114105.grids: grids_primary and grids_secondary in schema
	** town_120114105; grids.gpkg:y2024: y2024_primary, y2024_secondary). */
	int pg = !strcmp(geo_output_driver(out), "PostgreSQL");
	const char *stem = geo_output_layer_name(out);
	if (multi_layer(geo_output_driver(out)) || pg) {
		for (int level = 1; level <= 2 && !e; level++) {
			char name[512];
			snprintf(name, sizeof name, "%s%s%s", stem ? stem : "", stem ? "_" : "",
				 level == 1 ? "primary" : "secondary");
			if (!has[level])
				continue;
			/* A PostGIS table is checked once the run has taken it
			** (pg.c's lock_table, as its new table is made): two runs
			** into one table cannot both pass the check. */
			if (!pg && (e = other_towns(ctx, out, output, name, o->town_code)))
				break;
			if (!(layer[level] = grid_layer(ctx, out, name, out_crs, with_cells,
							level == 1 ? GEO_QML_PRIMARY : GEO_QML_SECONDARY)))
				e = geo_last_code(ctx);
			else if (pg)
				e = other_towns(ctx, out, output, name, o->town_code);
		}
	} else {
		layer[1] = layer[2] = grid_layer(ctx, out, NULL, out_crs, with_cells, GEO_QML_LEVELS);
		if (!layer[1])
			e = geo_last_code(ctx);
	}
	for (int level = 1; level <= 2 && !e; level++)
		for (size_t i = 0; i < n && !e; i++)
			if (g[i].level == level)
				e = write_grid(ctx, layer[level], &g[i], has_persons, with_cells, t);
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	geo_transform_free(t);
	return e;
}

/* ---- the planner's table (--report) ------------------------------------------- */

static geo_err table_fields(geo_ctx *ctx, OGRLayerH l)
{
	static const struct {
		const char *name;
		OGRFieldType type;
	} f[] = {
		{ "grid_id", OFTString }, { "level", OFTInteger }, { "parent_id", OFTString },
		{ "name", OFTString }, { "households", OFTInteger }, { "persons", OFTInteger },
		{ "area_m2", OFTReal }, { "compactness", OFTReal }, { "deviation_pct", OFTReal },
		{ "limit_m", OFTReal }, { "on_roads_pct", OFTReal }, { "on_rivers_pct", OFTReal },
		{ "on_village_limits_pct", OFTReal }, { "on_town_boundary_pct", OFTReal },
		{ "free_pct", OFTReal }, { "kept", OFTInteger },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(f[i].name, f[i].type);
		OGRErr err = OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE)
			return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot add field %s to the report: %s",
					f[i].name, geo_cpl_error("driver refused"));
	}
	return GEO_OK;
}

static void set_num(OGRFeatureH f, int i, double v, double scale)
{
	OGR_F_SetFieldDouble(f, i, round(v * scale) / scale);
}

static geo_err table_row(geo_ctx *ctx, OGRLayerH l, const split_grid *g, int has_persons)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	OGR_F_SetFieldString(f, 0, g->id);
	OGR_F_SetFieldInteger(f, 1, g->level);
	if (g->level == 2)
		OGR_F_SetFieldString(f, 2, g->parent);
	OGR_F_SetFieldString(f, 3, g->name ? g->name : "");
	if (g->households >= 0)
		OGR_F_SetFieldInteger(f, 4, (int)llround(g->households));
	if (has_persons && g->households >= 0)
		OGR_F_SetFieldInteger(f, 5, (int)llround(g->persons));
	set_num(f, 6, g->area, 10);
	set_num(f, 7, g->compactness, 1e4);
	if (!g->kept && g->perimeter > 0) {
		set_num(f, 8, 100 * g->deviation, 100);
		set_num(f, 9, g->perimeter, 10);
		set_num(f, 10, 100 * g->on_road / g->perimeter, 10);
		set_num(f, 11, 100 * g->on_water / g->perimeter, 10);
		set_num(f, 12, 100 * g->on_village / g->perimeter, 10);
		set_num(f, 13, 100 * g->on_town / g->perimeter, 10);
		set_num(f, 14, 100 * g->free, 10);
	}
	OGR_F_SetFieldInteger(f, 15, g->kept);
	geo_err e = OGR_L_CreateFeature(l, f) == OGRERR_NONE
			    ? GEO_OK
			    : geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write the report row of %s: %s", g->id,
				       geo_cpl_error("driver refused"));
	OGR_F_Destroy(f);
	return e;
}

geo_err split_write_table(geo_ctx *ctx, const char *path, const geo_split_opts *o,
			  const split_grid *g, size_t n, int has_persons)
{
	geo_output_opts oo = o->common.out;
	oo.format = NULL; /* the report's format follows its own extension */
	geo_output *out = geo_output_open(ctx, path, &oo);
	if (!out)
		return geo_last_code(ctx);
	/* The table the output names (PG:...:TABLE, --nln), or "grids". */
	OGRLayerH l = geo_output_create_layer(ctx, out, geo_output_layer_name(out) ? NULL : "grids",
					      NULL, wkbNone);
	geo_err e = l ? table_fields(ctx, l) : geo_last_code(ctx);
	for (size_t i = 0; !e && i < n; i++)
		e = table_row(ctx, l, &g[i], has_persons);
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	return e;
}
