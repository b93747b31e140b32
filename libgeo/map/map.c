/*
** map.c: grid-map's verb, a printable map on A4 or A3. It reads the layers
** into the working CRS, lays out a page (title, a map frame, a legend panel
** on the right), and draws with Cairo and Pango: the graduated grid fill,
** the heat raster (warped by GDAL onto the frame's pixels), filled areas,
** lines, grid outlines (primary thick, secondary thin), the town boundary,
** points, then labels that never overlap. Everything on the page is
** measured in millimetres, so line widths and text sizes are the same at
** every resolution and in PNG, SVG and PDF alike.
**
** The scale is a ground scale. Projected metres are not ground metres away
** from a projection's true-scale line (Web Mercator's are 1.29 ground
** metres at 39°N), so the scale bar is corrected by the geodesic length of a
** segment through the map's centre, and the north arrow points along the
** meridian through the centre, not up the frame.
*/
#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <geodesic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cpl_conv.h>

void geo_map_opts_init(geo_map_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_common_opts_init(&o->common);
	o->level_field = "level";
	o->font = "Noto Sans CJK SC";
	o->paper = GEO_PAPER_A4;
	o->orient = GEO_ORIENT_AUTO;
	o->dpi = 200;
}

/* ---- reading ------------------------------------------------------------- */

static void layer_free(map_layer *l, GEOSContextHandle_t h)
{
	for (size_t i = 0; i < l->n; i++) {
		GEOSGeom_destroy_r(h, l->f[i].g);
		free(l->f[i].label);
		free(l->f[i].cat);
	}
	free(l->f);
	for (size_t i = 0; i < 2 * l->nvalues; i++)
		free(l->values[i]);
	free(l->values);
	free(l->title);
	free(l->source);
	free(l->lname);
}

static geo_err resolve_kind(geo_ctx *ctx, map_layer *l, const geo_map_layer *spec,
			    OGRLayerH ol, int dim, int level_field)
{
	geo_map_kind k = layer_resolve_kind(ol, dim, level_field, spec->kind);
	int want = k == GEO_MAP_POINTS ? 3 : k == GEO_MAP_LINES ? 2 : 1;
	if (dim && dim != want)
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: layer '%s' holds %s, not what '%s' draws",
				spec->name, OGR_L_GetName(ol),
				dim == 3 ? "points" : dim == 2 ? "lines" : "polygons",
				geo_map_kind_name(k));
	l->kind = k;
	l->dim = want;
	return GEO_OK;
}

static geo_err choose_working_crs(map *m, geo_input *in)
{
	if (m->work)
		return GEO_OK;
	if (m->o->common.work_srs)
		m->work = geo_crs_new(m->ctx, m->o->common.work_srs);
	else if (!geo_crs_is_projected(geo_input_crs(in)) && geo_input_count(in) == 0)
		return GEO_OK; /* an empty lon/lat layer cannot say; let the next one */
	else
		m->work = geo_input_working_crs(m->ctx, in);
	return m->work ? GEO_OK : geo_last_code(m->ctx);
}

struct fields {
	int level, label, cat, fill;
};

static geo_err read_feature(map *m, map_layer *l, OGRFeatureH f, GEOSGeometry *g,
			    const struct fields *fi)
{
	map_feat *mf = &l->f[l->n];
	memset(mf, 0, sizeof *mf);
	mf->g = g;
	mf->value = NAN;
	mf->level = l->kind == GEO_MAP_PRIMARY ? 1 : l->kind == GEO_MAP_SECONDARY ? 2 : 0;
	if (l->kind == GEO_MAP_GRIDS && fi->level >= 0)
		mf->level = OGR_F_GetFieldAsInteger(f, fi->level);
	if (fi->label >= 0 && l->dim == 1 && l->kind != GEO_MAP_AREAS)
		mf->label = geo_strdup(m->ctx, geo_feat_str(f, fi->label));
	if (fi->cat >= 0 && l->dim == 3)
		mf->cat = geo_strdup(m->ctx, geo_feat_str(f, fi->cat));
	if (fi->fill >= 0 && l->dim == 1 && OGR_F_IsFieldSetAndNotNull(f, fi->fill))
		mf->value = OGR_F_GetFieldAsDouble(f, fi->fill);
	if ((fi->label >= 0 && l->dim == 1 && l->kind != GEO_MAP_AREAS && !mf->label) ||
	    (fi->cat >= 0 && l->dim == 3 && !mf->cat))
		return GEO_ERR_INTERNAL;
	l->n++;
	return GEO_OK;
}

static geo_err read_features(map *m, map_layer *l, geo_input *in, const struct fields *fi)
{
	geo_ctx *ctx = m->ctx;
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	size_t cap = 0;
	for (;;) {
		OGRFeatureH f;
		GEOSGeometry *g;
		geo_err e = geo_input_next(ctx, in, &f, &g);
		if (e)
			return e;
		if (!f)
			return GEO_OK;
		if (!g) {
			OGR_F_Destroy(f);
			continue;
		}
		if (l->n == cap) {
			map_feat *nf = geo_realloc_array(ctx, l->f, cap ? 2 * cap : 64, sizeof *nf);
			if (!nf) {
				GEOSGeom_destroy_r(h, g);
				OGR_F_Destroy(f);
				return GEO_ERR_INTERNAL;
			}
			l->f = nf;
			cap = cap ? 2 * cap : 64;
		}
		e = read_feature(m, l, f, g, fi);
		OGR_F_Destroy(f);
		if (e) {
			map_feat *mf = &l->f[l->n];
			GEOSGeom_destroy_r(h, g);
			free(mf->label);
			free(mf->cat);
			return e;
		}
	}
}

/* --where filters the point layers it can: hazards by date, say, while the
** cameras beside them, which have no date, are drawn whole (with a warning).
** An expression no layer can take is an error (check_fields). */
static void apply_where(map *m, map_layer *l, OGRLayerH ol)
{
	CPLErrorReset();
	int ok = OGR_L_SetAttributeFilter(ol, m->o->common.where) == OGRERR_NONE;
	if (ok) {
		/* Some drivers (GeoPackage) check the expression only when reading. */
		OGRFeatureH f = OGR_L_GetNextFeature(ol);
		ok = f || CPLGetLastErrorType() < CE_Failure;
		OGR_F_Destroy(f);
		OGR_L_ResetReading(ol);
	}
	if (ok) {
		l->filtered = 1;
		return;
	}
	geo_log(m->ctx, GEO_LOG_WARN,
		"%s: --where does not apply (a field it names is missing?); drawing every feature",
		l->source);
	OGR_L_SetAttributeFilter(ol, NULL);
	CPLErrorReset();
}

/* The time window, like --where, filters the point layers that have its
** date field; the others are drawn whole, with a warning. The input applies
** it (and --where again), and reports an empty selection. */
static geo_err apply_window(map *m, map_layer *l, geo_input *in)
{
	const geo_window_opts *w = &m->o->common.window;
	if (OGR_FD_GetFieldIndex(geo_input_defn(in), w->date_field) < 0) {
		geo_log(m->ctx, GEO_LOG_WARN,
			"%s: no field '%s': the time window does not apply; drawing every feature",
			l->source, w->date_field);
		return GEO_OK;
	}
	l->windowed = 1;
	return geo_input_set_filter(m->ctx, in, l->filtered ? m->o->common.where : NULL, w);
}

static geo_err read_value_map(map *m, map_layer *l, const char *name, const char *lname)
{
	char *file = geo_strdup(m->ctx, name);
	if (!file)
		return GEO_ERR_INTERNAL;
	char *colon = strrchr(file, ':');
	if (!geo_file_exists(file) && colon)
		*colon = '\0';
	char *qml = geo_file_exists(file) ? layer_qml(file, lname) : NULL;
	geo_err e = map_qml_value_map(m->ctx, qml, m->o->category_field, &l->values, &l->nvalues);
	free(qml);
	free(file);
	return e;
}

static geo_err read_layer(map *m, const geo_map_layer *spec, map_layer *l)
{
	geo_ctx *ctx = m->ctx;
	geo_input *in = layer_open(ctx, spec->name, m->o->common.s_srs);
	if (!in)
		return geo_last_code(ctx);
	OGRLayerH ol = geo_input_layer(in);
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(ol);
	struct fields fi = { OGR_FD_GetFieldIndex(defn, m->o->level_field),
			     m->o->label_field ? OGR_FD_GetFieldIndex(defn, m->o->label_field) : -1,
			     m->o->category_field ? OGR_FD_GetFieldIndex(defn, m->o->category_field) : -1,
			     m->o->fill_field ? OGR_FD_GetFieldIndex(defn, m->o->fill_field) : -1 };
	geo_err e = resolve_kind(ctx, l, spec, ol, layer_dimension(in), fi.level);
	l->title = geo_strdup(ctx, layer_default_title(spec, l->kind, OGR_L_GetName(ol)));
	l->source = geo_strdup(ctx, spec->name);
	l->lname = geo_strdup(ctx, OGR_L_GetName(ol));
	if (!e && (!l->title || !l->source || !l->lname))
		e = GEO_ERR_INTERNAL;
	if (!e && l->dim == 3 && m->o->common.where)
		apply_where(m, l, ol);
	if (!e && l->dim == 3 && geo_window_opts_given(&m->o->common.window))
		e = apply_window(m, l, in);
	if (!e)
		e = choose_working_crs(m, in);
	if (!e && !m->work)
		e = geo_fail(ctx, GEO_ERR_INPUT, "%s: empty, and no other layer gives a CRS to draw in",
			     spec->name);
	if (!e)
		e = geo_input_set_target(ctx, in, m->work);
	if (!e)
		e = read_features(m, l, in, &fi);
	l->has_cat = fi.cat >= 0 && l->dim == 3;
	if (!e && l->has_cat)
		e = read_value_map(m, l, spec->name, OGR_L_GetName(ol));
	l->has_fill = fi.fill >= 0 && l->dim == 1 && l->kind != GEO_MAP_AREAS;
	geo_input_close(in);
	return e;
}

static void grow_extent(map *m, const GEOSGeometry *g)
{
	GEOSContextHandle_t h = geo_ctx_geos(m->ctx);
	double x0, y0, x1, y1;
	if (!GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
	    !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
		return;
	if (!m->has_extent) {
		m->x0 = x0, m->y0 = y0, m->x1 = x1, m->y1 = y1;
		m->has_extent = 1;
		return;
	}
	m->x0 = fmin(m->x0, x0), m->y0 = fmin(m->y0, y0);
	m->x1 = fmax(m->x1, x1), m->y1 = fmax(m->y1, y1);
}

static geo_err read_layers(map *m, const geo_map_layer *specs, size_t n)
{
	m->layers = geo_calloc(m->ctx, n ? n : 1, sizeof *m->layers);
	if (!m->layers)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		m->nlayers = i + 1;
		geo_err e = read_layer(m, &specs[i], &m->layers[i]);
		if (e)
			return e;
		for (size_t j = 0; j < m->layers[i].n; j++)
			grow_extent(m, m->layers[i].f[j].g);
	}
	return GEO_OK;
}

static geo_err check_fields(map *m)
{
	int label = 0, cat = 0, fill = 0;
	for (size_t i = 0; i < m->nlayers; i++) {
		const map_layer *l = &m->layers[i];
		label |= l->dim == 1 && l->kind != GEO_MAP_AREAS && l->n && l->f[0].label;
		cat |= l->has_cat;
		fill |= l->has_fill;
	}
	int filtered = 0;
	for (size_t i = 0; i < m->nlayers; i++)
		filtered |= m->layers[i].filtered;
	if (m->o->common.where && !filtered)
		return geo_fail(m->ctx, GEO_ERR_USAGE, "--where '%s' applies to no point layer",
				m->o->common.where);
	int windowed = 0;
	for (size_t i = 0; i < m->nlayers; i++)
		windowed |= m->layers[i].windowed;
	if (geo_window_opts_given(&m->o->common.window) && !windowed)
		return geo_fail(m->ctx, GEO_ERR_USAGE,
				"the time window applies to no point layer (none has a field '%s')",
				m->o->common.window.date_field);
	const char *missing = m->o->label_field && !label ? "--label"
			      : m->o->category_field && !cat ? "--category"
			      : m->o->fill_field && !fill ? "--fill" : NULL;
	if (!missing)
		return GEO_OK;
	const char *field = !strcmp(missing, "--label") ? m->o->label_field
			    : !strcmp(missing, "--category") ? m->o->category_field : m->o->fill_field;
	return geo_fail(m->ctx, GEO_ERR_INPUT, "%s %s: no %s layer has a field '%s'", missing, field,
			!strcmp(missing, "--category") ? "point" : "grid", field);
}

/* ---- ground scale and north -------------------------------------------- */

/* Ground metres per working-CRS unit along x at the centre, and the angle
** of true north from the frame's vertical (radians, clockwise positive). */
static geo_err ground_scale(map *m)
{
	geo_ctx *ctx = m->ctx;
	OGRSpatialReferenceH geog = OSRCloneGeogCS(geo_crs_ogr(m->work));
	geo_crs *ll = geog ? geo_crs_from_ogr(ctx, geog) : NULL;
	OSRDestroySpatialReference(geog);
	geo_transform *to = ll ? geo_transform_new(ctx, m->work, ll) : NULL;
	geo_transform *from = ll ? geo_transform_new(ctx, ll, m->work) : NULL;
	geo_err e = to && from ? GEO_OK
			       : geo_fail(ctx, GEO_ERR_INPUT, "cannot find the geographic CRS of %s",
					  geo_crs_name(m->work));
	double cx = (m->wx0 + m->wx1) / 2, cy = (m->wy0 + m->wy1) / 2;
	double d = (m->wx1 - m->wx0) / 20;
	double x[2] = { cx - d / 2, cx + d / 2 }, y[2] = { cy, cy };
	if (!e)
		e = geo_transform_points(ctx, to, 2, x, y);
	if (!e) {
		struct geod_geodesic g;
		double a = OSRGetSemiMajor(geo_crs_ogr(ll), NULL);
		double invf = OSRGetInvFlattening(geo_crs_ogr(ll), NULL);
		geod_init(&g, a, invf > 0 ? 1 / invf : 0);
		double s12;
		geod_inverse(&g, y[0], x[0], y[1], x[1], &s12, NULL, NULL);
		m->ground = s12 / d;
		/* North: from the centre a little way up the meridian. */
		double nx[2] = { (x[0] + x[1]) / 2, (x[0] + x[1]) / 2 };
		double ny[2] = { (y[0] + y[1]) / 2, (y[0] + y[1]) / 2 + 0.01 };
		e = geo_transform_points(ctx, from, 2, nx, ny);
		if (!e)
			m->north = atan2(nx[1] - nx[0], ny[1] - ny[0]);
	}
	geo_transform_free(to);
	geo_transform_free(from);
	geo_crs_free(ll);
	return e;
}

/* ---- layout -------------------------------------------------------------- */

enum { MARGIN = 10, PANEL_W = 64, GAP = 5, FOOT = 6 };

static void page_size(const geo_map_opts *o, int landscape, double *w, double *h)
{
	double a = o->paper == GEO_PAPER_A3 ? 420 : 297, b = o->paper == GEO_PAPER_A3 ? 297 : 210;
	*w = landscape ? a : b;
	*h = landscape ? b : a;
}

static double head_height(const geo_map_opts *o)
{
	return (o->title ? 11 : 0) + (o->subtitle ? 7 : 0) + (o->title || o->subtitle ? 3 : 0);
}

/* Frame for a page; returns the scale (paper mm per working metre) the data
** extent fits at. */
static double frame_for(map *m, int landscape, double f[4])
{
	double pw, ph;
	page_size(m->o, landscape, &pw, &ph);
	double top = MARGIN + head_height(m->o);
	f[0] = MARGIN;
	f[1] = top;
	f[2] = pw - 2 * MARGIN - PANEL_W - GAP;
	f[3] = ph - top - MARGIN - FOOT;
	double dw = m->x1 - m->x0, dh = m->y1 - m->y0;
	return fmin(f[2] / dw, f[3] / dh);
}

static void layout(map *m)
{
	/* 4% air around the data so boundary lines are not cut by the frame. */
	double pad = 0.04 * fmax(m->x1 - m->x0, m->y1 - m->y0);
	if (pad <= 0)
		pad = 500;
	m->x0 -= pad, m->y0 -= pad, m->x1 += pad, m->y1 += pad;
	double fl[4], fp[4];
	double sl = frame_for(m, 1, fl), sp = frame_for(m, 0, fp);
	int landscape = m->o->orient == GEO_ORIENT_LANDSCAPE ? 1
			: m->o->orient == GEO_ORIENT_PORTRAIT ? 0 : sl >= sp;
	m->landscape = landscape;
	page_size(m->o, landscape, &m->page_w, &m->page_h);
	memcpy(m->frame, landscape ? fl : fp, sizeof m->frame);
	m->scale = landscape ? sl : sp;
	/* The world window has the frame's shape, centred on the data. */
	double cx = (m->x0 + m->x1) / 2, cy = (m->y0 + m->y1) / 2;
	double hw = m->frame[2] / m->scale / 2, hh = m->frame[3] / m->scale / 2;
	m->wx0 = cx - hw, m->wx1 = cx + hw, m->wy0 = cy - hh, m->wy1 = cy + hh;
}

/* ---- output files -------------------------------------------------------- */

static const char *format_of(const char *path, const char *format)
{
	if (format)
		return !strcasecmp(format, "png") ? "png" : !strcasecmp(format, "svg") ? "svg"
			: !strcasecmp(format, "pdf") ? "pdf" : NULL;
	const char *dot = strrchr(path, '.');
	return !dot ? NULL : !strcasecmp(dot, ".png") ? "png" : !strcasecmp(dot, ".svg") ? "svg"
		: !strcasecmp(dot, ".pdf") ? "pdf" : NULL;
}

/* ---- the verb ------------------------------------------------------------ */

static void map_free(map *m)
{
	GEOSContextHandle_t h = geo_ctx_geos(m->ctx);
	for (size_t i = 0; i < m->nlayers; i++)
		layer_free(&m->layers[i], h);
	free(m->layers);
	map_raster_free(&m->raster);
	map_classes_free(m);
	free(m->label_boxes);
	free(m->marker_boxes);
	geo_crs_free(m->work);
}

static geo_err surface_for(map *m, const char *fmt, const char *tmp, cairo_surface_t **s)
{
	double k = 72 / 25.4;
	if (!strcmp(fmt, "png")) {
		m->px_per_mm = m->o->dpi / 25.4;
		*s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
						(int)lround(m->page_w * m->px_per_mm),
						(int)lround(m->page_h * m->px_per_mm));
	} else {
		m->px_per_mm = 150 / 25.4; /* the heat raster's resolution in a vector file */
		*s = !strcmp(fmt, "pdf") ? cairo_pdf_surface_create(tmp, m->page_w * k, m->page_h * k)
					 : cairo_svg_surface_create(tmp, m->page_w * k, m->page_h * k);
	}
	if (cairo_surface_status(*s) != CAIRO_STATUS_SUCCESS)
		return geo_fail(m->ctx, GEO_ERR_OUTPUT, "cannot make the page: %s",
				cairo_status_to_string(cairo_surface_status(*s)));
	return GEO_OK;
}

/* The PDF's document properties: what a viewer's title bar and a search
** show, and which program made it. */
static void pdf_metadata(const map *m, cairo_surface_t *s)
{
	const geo_map_opts *o = m->o;
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE,
				       o->title ? o->title : o->subtitle ? o->subtitle : "wangge map");
	char subject[512];
	snprintf(subject, sizeof subject, "%s%s%s", o->subtitle ? o->subtitle : "",
		 o->subtitle && *m->period ? "; " : "", m->period);
	if (*subject)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, subject);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "wangge " GEO_VERSION);
}

static geo_err render(map *m, geo_output *out, const char *output, const char *fmt,
		      geo_progress progress, void *pdata)
{
	const char *tmp = geo_output_path(out);
	cairo_surface_t *s = NULL;
	geo_err e = surface_for(m, fmt, tmp, &s);
	if (!e && !strcmp(fmt, "pdf"))
		pdf_metadata(m, s);
	if (!e) {
		cairo_t *cr = cairo_create(s);
		double k = !strcmp(fmt, "png") ? m->px_per_mm : 72 / 25.4;
		cairo_scale(cr, k, k);
		e = map_draw(m, cr, progress, pdata);
		cairo_destroy(cr);
	}
	if (!e && !strcmp(fmt, "png")) {
		cairo_status_t st = cairo_surface_write_to_png(s, tmp);
		if (st != CAIRO_STATUS_SUCCESS)
			e = geo_fail(m->ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", output,
				     cairo_status_to_string(st));
		m->width_px = cairo_image_surface_get_width(s);
		m->height_px = cairo_image_surface_get_height(s);
	}
	if (s) {
		cairo_surface_finish(s);
		if (!e && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
			e = geo_fail(m->ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", output,
				     cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
	}
	return e;
}

/* The period the points are of (the time window, when one is given) and
** the day the map is made: SOURCE_DATE_EPOCH when set (reproducible builds'
** convention, which the tests use), else today. */
static geo_err footer_texts(map *m)
{
	if (geo_window_opts_given(&m->o->common.window)) {
		geo_window w;
		geo_err e = geo_window_parse(m->ctx, &m->o->common.window, &w);
		if (e)
			return e;
		map_period_text(&w, m->period, sizeof m->period);
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end = NULL;
	long long t = sde && *sde ? strtoll(sde, &end, 10) : 0;
	time_t now = end && !*end ? (time_t)t : time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm))
		strftime(m->made, sizeof m->made, "%Y-%m-%d", &tm);
	return GEO_OK;
}

static geo_err prepare(map *m, const geo_map_layer *layers, size_t n, geo_progress progress,
		       void *pdata)
{
	geo_err e = read_layers(m, layers, n);
	if (!e)
		e = check_fields(m);
	if (!e && !geo_progress_step(m->ctx, progress, pdata, 0.3, "read layers"))
		e = GEO_ERR_INTERNAL;
	if (!e && m->o->raster)
		e = map_raster_open(m);
	if (!e && !m->has_extent)
		e = geo_fail(m->ctx, GEO_ERR_INPUT, "nothing to draw: every layer is empty");
	if (e)
		return e;
	layout(m);
	e = footer_texts(m);
	if (!e)
		e = ground_scale(m);
	if (!e)
		e = map_classes(m);
	if (!e)
		e = map_categories(m);
	return e;
}

static geo_err check_opts(geo_ctx *ctx, const char *output, const geo_map_opts *o,
			  const char **fmt)
{
	if (!(o->dpi >= 50 && o->dpi <= 600))
		return geo_fail(ctx, GEO_ERR_USAGE, "--dpi %g: must be between 50 and 600", o->dpi);
	if (!output && !o->qgis_project)
		return geo_fail(ctx, GEO_ERR_USAGE, "no output: give -o MAP.png|svg|pdf or --qgis-project");
	*fmt = output ? format_of(output, o->common.out.format) : NULL;
	if (output && !*fmt && o->common.out.format)
		return geo_fail(ctx, GEO_ERR_USAGE, "-f %s: not png, svg or pdf", o->common.out.format);
	if (output && !*fmt)
		return geo_fail(ctx, GEO_ERR_USAGE,
				"%s: cannot tell the format; name it .png, .svg or .pdf, or use -f", output);
	return GEO_OK;
}

/* Draws the map into out and writes the project into qgs (either may be
** NULL), then commits them: the map, then the project. */
static geo_err draw_and_write(map *m, const geo_map_layer *layers, size_t n, geo_output *out,
			      const char *output, const char *fmt, geo_output *qgs, geo_output *qpt,
			      geo_progress progress, void *pdata)
{
	/* The page is laid out for the project too: its print layout is the page. */
	geo_err e = prepare(m, layers, n, progress, pdata);
	if (!e && out)
		e = render(m, out, output, fmt, progress, pdata);
	if (!e && qgs) {
		qgs_page page = { m->o, m->work, m->page_w, m->page_h, { m->frame[0], m->frame[1], m->frame[2], m->frame[3] },
				  m->wx0, m->wy0, m->wx1, m->wy1, m->scale, m->ground, m->bar_m, m->period };
		e = qgs_write(m->ctx, layers, n, m->o->qgis_project, m->o, &page, qgs, qpt);
	}
	if (!e && out)
		e = geo_output_commit(m->ctx, out);
	if (!e && qgs)
		e = geo_output_commit(m->ctx, qgs);
	if (!e && qpt)
		e = geo_output_commit(m->ctx, qpt);
	return e;
}

/* Copies of what was drawn, for the result. */
static int result_layers(const map *m, geo_map_result *r)
{
	r->layers = calloc(m->nlayers ? m->nlayers : 1, sizeof *r->layers);
	if (!r->layers)
		return 0;
	for (; r->nlayers < m->nlayers; r->nlayers++) {
		const map_layer *l = &m->layers[r->nlayers];
		r->layers[r->nlayers] = (geo_map_drawn){ strdup(l->source), l->kind, l->dim, l->n };
		if (!r->layers[r->nlayers].name)
			return 0;
	}
	r->labels = calloc(m->nlabels ? m->nlabels : 1, sizeof *r->labels);
	if (!r->labels)
		return 0;
	for (; r->nlabels < m->nlabels; r->nlabels++) {
		const map_box *b = &m->label_boxes[r->nlabels];
		r->labels[r->nlabels] = (geo_map_label){ strdup(b->text), b->x, b->y, b->w, b->h, b->size };
		if (!r->labels[r->nlabels].text)
			return 0;
	}
	return 1;
}

/* A copy of s, or NULL for NULL; *ok becomes 0 when memory runs out. */
static char *copy(const char *s, int *ok)
{
	char *c = s ? strdup(s) : NULL;
	*ok = *ok && (c || !s);
	return c;
}

/* The figures the report gives, copied: the report runs after the map's
** layers, CRS and options are gone. */
static geo_map_result *map_result(const map *m, const char *output, const char *fmt)
{
	geo_map_result *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	const geo_map_opts *o = m->o;
	*r = (geo_map_result){
		.paper = o->paper, .landscape = m->landscape, .dpi = o->dpi, .width_px = m->width_px,
		.height_px = m->height_px, .scale = m->scale, .ground = m->ground,
		.px_per_mm = m->px_per_mm, .bar_m = m->bar_m, .bar_mm = m->bar_mm, .north = m->north,
		.frame = { m->frame[0], m->frame[1], m->frame[2], m->frame[3] },
		.window = { m->wx0, m->wy0, m->wx1, m->wy1 }, .labelled = o->label_field != NULL,
		.labels_left_out = m->labels_skipped, .raster_max = m->raster.max
	};
	int ok = result_layers(m, r);
	r->output = copy(output, &ok);
	r->format = copy(output ? fmt : NULL, &ok);
	r->crs = copy(m->work ? geo_crs_name(m->work) : NULL, &ok);
	r->raster = copy(o->raster, &ok);
	r->raster_units = copy(o->raster ? m->raster.units : NULL, &ok);
	r->qgis_project = copy(o->qgis_project, &ok);
	r->qgis_layout = copy(o->qgis_project ? CPLResetExtension(o->qgis_project, "qpt") : NULL, &ok);
	if (!ok) {
		geo_map_result_free(r);
		return NULL;
	}
	return r;
}

static geo_err map_run(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const char *output,
		       const geo_map_opts *o, geo_map_result **result, geo_progress progress,
		       void *pdata)
{
	const char *fmt = NULL;
	geo_output *out = NULL, *qgs = NULL, *qpt = NULL;
	/* An output that is an input is refused before anything else is said. */
	geo_err e = output && !(out = layer_output_open(ctx, output, layers, n, o)) ? geo_last_code(ctx)
										  : GEO_OK;
	if (!e)
		e = check_opts(ctx, output, o, &fmt);
	if (!e && o->qgis_project && !(qgs = layer_output_open(ctx, o->qgis_project, layers, n, o)))
		e = geo_last_code(ctx);
	/* The print layout's template beside the project: town.qgs, town.qpt. */
	char *qpt_path = !e && o->qgis_project ? geo_strdup(ctx, CPLResetExtension(o->qgis_project, "qpt"))
					       : NULL;
	if (!e && o->qgis_project && (!qpt_path || !(qpt = layer_output_open(ctx, qpt_path, layers, n, o))))
		e = geo_last_code(ctx);
	free(qpt_path);
	map m;
	memset(&m, 0, sizeof m);
	m.ctx = ctx;
	m.o = o;
	if (!e)
		e = draw_and_write(&m, layers, n, out, output, fmt, qgs, qpt, progress, pdata);
	if (!e && !(*result = map_result(&m, output, fmt)))
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	geo_output_close(out);
	geo_output_close(qgs);
	geo_output_close(qpt);
	map_free(&m);
	if (!e)
		geo_progress_step(ctx, progress, pdata, 1, "done");
	return e;
}

geo_err geo_map(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const geo_map_opts *o,
		geo_map_result **result, geo_progress progress, void *progress_data)
{
	*result = NULL;
	return map_run(ctx, layers, n, o->common.output, o, result, progress, progress_data);
}

/*
** One page of a multi-page PDF that another verb writes (grid-assess's
** report): the map laid out and drawn as geo_map draws it, on a page of the
** size and orientation it chooses, then shown. The caller owns the surface.
*/
geo_err map_pdf_page(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const geo_map_opts *o,
		     cairo_surface_t *pdf)
{
	map m;
	memset(&m, 0, sizeof m);
	m.ctx = ctx;
	m.o = o;
	geo_err e = prepare(&m, layers, n, NULL, NULL);
	if (!e) {
		double k = 72 / 25.4;
		m.px_per_mm = 150 / 25.4;
		cairo_pdf_surface_set_size(pdf, m.page_w * k, m.page_h * k);
		cairo_t *cr = cairo_create(pdf);
		cairo_scale(cr, k, k);
		e = map_draw(&m, cr, NULL, NULL);
		cairo_show_page(cr);
		cairo_destroy(cr);
	}
	map_free(&m);
	return e;
}
