/*
** io.c: datasets through GDAL/OGR. Inputs are named the way DESIGN.md says
** (PATH, PATH:LAYER, '-', or anything GDAL opens), read feature by feature
** and handed out as GEOS geometries in a target CRS. Outputs are written
** into a temporary folder beside the target (temps.c) and moved into place
** on commit, so a failed run leaves nothing half-written and never touches
** an input; a layer added to an existing GeoPackage or SpatiaLite file is
** written in place under SQLite's lock instead (writer.c). Standard output
** is written the same way: into a temporary file, copied out on commit.
*/
#include "core/geo_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gdal.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

struct geo_input {
	char *name;             /* as the user gave it */
	char *vsimem;           /* copy of standard input, if any */
	GDALDatasetH ds;
	OGRLayerH layer;
	geo_crs *crs;
	geo_transform *to_target;
	int fid_shift;          /* 1 where the driver numbers features from 0 */
	geo_select *sel;        /* --where and the time window (select.c), or NULL */
	char *town_where;       /* --town's attribute filter (town.c), or NULL */
	int recoded;            /* text was read as GB18030, and said so (encoding.c) */
};

void geo_input_opts_init(geo_input_opts *o)
{
	o->s_srs = NULL;
	o->where = NULL;
	o->layer = NULL;
	o->window = NULL;
	o->as_text = 0;
}

static int has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && path[n - e - 1] == '.' && !strcasecmp(path + n - e, ext);
}

/* CSV columns holding point coordinates, in the order OGR tries them. */
static char **csv_open_options(void)
{
	char **o = NULL;
	o = CSLSetNameValue(o, "X_POSSIBLE_NAMES", "x,lon,lng,longitude,经度");
	o = CSLSetNameValue(o, "Y_POSSIBLE_NAMES", "y,lat,latitude,纬度");
	o = CSLSetNameValue(o, "AUTODETECT_TYPE", "YES");
	return o;
}

/* Copies standard input into memory under a name whose extension tells GDAL
** the format: GeoJSON, GeoJSONSeq (a feature per line) or CSV. */
static char *slurp_stdin(geo_ctx *ctx, void *owner)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add_file(&b, stdin);
	size_t len = b.len;
	char *text = geo_buf_take(&b);
	if (!text) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory reading standard input");
		return NULL;
	}
	const char *p = text + strspn(text, " \t\r\n");
	const char *ext = "csv";
	if (*p == '\x1e')
		ext = "geojsons";
	else if (*p == '{') {
		const char *nl = strchr(p, '\n');
		int seq = nl && *(nl + 1 + strspn(nl + 1, " \t\r\n")) == '{';
		ext = seq && !strstr(p, "FeatureCollection") ? "geojsonl" : "geojson";
	}
	/* A folder per input keeps names apart; the file name gives the layer name. */
	char *path = CPLStrdup(CPLSPrintf("/vsimem/wangge-%p/stdin.%s", owner, ext));
	VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)text, len, TRUE);
	if (!f) {
		free(text);
		CPLFree(path);
		geo_fail(ctx, GEO_ERR_INTERNAL, "cannot hold standard input in memory");
		return NULL;
	}
	VSIFCloseL(f);
	return path;
}

/* Splits NAME into a path and a layer at the last ':' when what precedes it
** is an existing file, or after PG:CONNINFO when it is a table name;
** returns the layer part or NULL. */
static char *split_layer(char *path)
{
	if (geo_pg_is(path))
		return geo_pg_split_layer(path);
	char *colon = strrchr(path, ':');
	if (!colon)
		return NULL;
	*colon = '\0';
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return colon + 1;
	*colon = ':';
	return NULL;
}

/* QGIS's style table is metadata, not data: never a layer to choose or list. */
static int is_data_layer(OGRLayerH l)
{
	return strcmp(OGR_L_GetName(l), "layer_styles") != 0;
}

static OGRLayerH choose_layer(geo_ctx *ctx, geo_input *in, const char *layer)
{
	if (layer) {
		OGRLayerH l = GDALDatasetGetLayerByName(in->ds, layer);
		if (!l)
			geo_fail(ctx, GEO_ERR_INPUT, "%s: no %s named '%s'", in->name,
				 geo_pg_is(in->name) ? "table" : "layer", layer);
		return l;
	}
	OGRLayerH only = NULL;
	int n = 0;
	geo_buf names;
	geo_buf_init(&names);
	for (int i = 0; i < GDALDatasetGetLayerCount(in->ds); i++) {
		OGRLayerH l = GDALDatasetGetLayer(in->ds, i);
		if (!is_data_layer(l))
			continue;
		geo_buf_printf(&names, "%s%s", n++ ? ", " : "", OGR_L_GetName(l));
		only = l;
	}
	if (n == 1) {
		geo_buf_free(&names);
		return only;
	}
	if (n == 0)
		geo_fail(ctx, GEO_ERR_INPUT, "%s: no layers", in->name);
	else
		geo_fail(ctx, GEO_ERR_INPUT, "%s: has %d layers (%s); name one as %s:LAYER",
			 in->name, n, names.s ? names.s : "", in->name);
	geo_buf_free(&names);
	return NULL;
}

/* A table read as text keeps its codes' leading zeros and its phone
** numbers as written; a spreadsheet of text cells only would otherwise have
** its header row taken for data. GDAL 3.6's XLSX and ODS drivers take these
** as configuration options only, read when a sheet is first read: set for
** this thread while the file is opened and its sheets read. */
static void text_config(const char *path, int on)
{
	const char *fmt = has_ext(path, "xlsx") ? "XLSX" : has_ext(path, "ods") ? "ODS" : NULL;
	if (!fmt)
		return;
	char key[64];
	snprintf(key, sizeof key, "OGR_%s_HEADERS", fmt);
	CPLSetThreadLocalConfigOption(key, on ? "FORCE" : NULL);
	snprintf(key, sizeof key, "OGR_%s_FIELD_TYPES", fmt);
	CPLSetThreadLocalConfigOption(key, on ? "STRING" : NULL);
}

/* A CSV file not in UTF-8 is read through its UTF-8 copy (encoding.c), held
** as standard input is and removed with it. */
static geo_err csv_as_utf8(geo_ctx *ctx, geo_input *in, char **path)
{
	char *copy = NULL;
	if (!has_ext(*path, "csv"))
		return GEO_OK;
	geo_err e = geo_csv_utf8(ctx, in->name, *path, in, &copy);
	if (!copy)
		return e;
	free(*path);
	if (!(*path = geo_strdup(ctx, copy))) {
		CPLFree(copy);
		return GEO_ERR_INTERNAL;
	}
	CPLFree(in->vsimem);
	in->vsimem = copy;
	return GEO_OK;
}

static geo_err open_dataset(geo_ctx *ctx, geo_input *in, const char *path, int as_text)
{
	char **oo = as_text ? NULL : has_ext(path, "csv") ? csv_open_options() : NULL;
	if (has_ext(path, "shp") && geo_dbf_is_gb18030(path)) {
		oo = CSLSetNameValue(oo, "ENCODING", "GB18030");
		geo_log(ctx, GEO_LOG_WARN, "%s: names no encoding and is not UTF-8: read as GB18030 (GBK)",
			in->name);
	}
	const char *pg[] = { "PostgreSQL", NULL };
	CPLErrorReset();
	if (as_text)
		text_config(path, 1);
	in->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
			    geo_pg_is(path) ? pg : NULL, (const char *const *)oo, NULL);
	if (as_text) {
		/* The sheets are read when their fields are first asked for. */
		for (int i = 0; in->ds && i < GDALDatasetGetLayerCount(in->ds); i++)
			OGR_L_GetLayerDefn(GDALDatasetGetLayer(in->ds, i));
		text_config(path, 0);
	}
	CSLDestroy(oo);
	if (in->ds)
		return GEO_OK;
	/* libpq's own words: a wrong database, role, password or socket. */
	if (geo_pg_is(path)) {
		char why[1024];
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot connect: %s", in->name,
				geo_pg_error(why, sizeof why, "GDAL cannot open it"));
	}
	struct stat st;
	if (!strcmp(in->name, "-") || stat(path, &st) == 0)
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot read: %s", in->name,
				geo_cpl_error("not a vector dataset GDAL recognises, or damaged"));
	return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot open: %s", in->name,
			errno == ENOENT || !strchr(path, ':') ? _("no such file")
							      : geo_cpl_error("GDAL cannot open it"));
}

/*
** Whether the layer states its CRS, for the one rule of --s-srs: it names the
** CRS of inputs that state none, and never overrides one that is stated.
** GeoJSON is WGS84 by RFC 7946 when it says nothing, and GDAL reports that
** default exactly as a stated EPSG:4326; web-map exports in GCJ-02 lean on
** it wrongly. So GeoJSON in WGS84 counts as unstated: --s-srs may name its
** CRS, and without it, it is WGS84.
*/
static int states_crs(const geo_input *in, OGRSpatialReferenceH srs)
{
	if (!srs)
		return 0;
	const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(in->ds));
	if (strcmp(driver, "GeoJSON") && strcmp(driver, "GeoJSONSeq"))
		return 1;
	const char *auth = OSRGetAuthorityName(srs, NULL), *code = OSRGetAuthorityCode(srs, NULL);
	return !(auth && code &&
		 ((!strcmp(auth, "EPSG") && !strcmp(code, "4326")) ||
		  (!strcmp(auth, "OGC") && !strcmp(code, "CRS84"))));
}

/*
** Feature numbers in messages count from 1 in every format. Databases
** (GeoPackage, SpatiaLite, PostGIS) number by their FID column and CSV from
** 1, but GDAL numbers GeoJSON, Shapefile and FlatGeobuf features from 0:
** for a layer with no FID column whose first feature is 0, every feature
** read is renumbered one up, so that "feature 1" is the first everywhere.
*/
static int numbers_from_zero(OGRLayerH l)
{
	const char *column = OGR_L_GetFIDColumn(l);
	if (column && *column)
		return 0;
	OGR_L_ResetReading(l);
	OGRFeatureH f = OGR_L_GetNextFeature(l);
	int zero = f && OGR_F_GetFID(f) == 0;
	OGR_F_Destroy(f);
	OGR_L_ResetReading(l);
	return zero;
}

int geo_input_fid_offset(const geo_input *in)
{
	return in->fid_shift;
}

void geo_input_number(const geo_input *in, OGRFeatureH f)
{
	if (in->fid_shift && f && OGR_F_GetFID(f) != OGRNullFID)
		OGR_F_SetFID(f, OGR_F_GetFID(f) + 1);
}

geo_input *geo_input_open(geo_ctx *ctx, const char *name, const geo_input_opts *o)
{
	geo_input *in = geo_calloc(ctx, 1, sizeof *in);
	char *path = geo_strdup(ctx, name);
	if (!in || !path)
		goto fail;
	/* Messages name a PostGIS input without its password. */
	if (!(in->name = geo_pg_is(name) ? geo_pg_label(ctx, name) : geo_strdup(ctx, name)))
		goto fail;
	const char *layer = o && o->layer ? o->layer : NULL;
	if (!strcmp(name, "-")) {
		if (!(in->vsimem = slurp_stdin(ctx, in)))
			goto fail;
		free(path);
		path = geo_strdup(ctx, in->vsimem);
	} else {
		char *l = split_layer(path);
		if (l)
			layer = l;
	}
	if (!path || (!(o && o->as_text) && csv_as_utf8(ctx, in, &path)) ||
	    open_dataset(ctx, in, path, o && o->as_text))
		goto fail;
	if (!(in->layer = choose_layer(ctx, in, layer)))
		goto fail;
	in->fid_shift = numbers_from_zero(in->layer);
	/* A --s-srs that names no CRS is an error even where it does not apply. */
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(in->layer);
	geo_crs *given = o && o->s_srs ? geo_crs_new(ctx, o->s_srs) : NULL;
	if (o && o->s_srs && !given)
		goto fail;
	if (given && !states_crs(in, srs)) {
		in->crs = given;
	} else {
		geo_crs_free(given);
		if (srs && !(in->crs = geo_crs_from_ogr(ctx, srs)))
			goto fail;
	}
	if (geo_town_select(ctx, in->ds, in->layer, in->name, &in->town_where))
		goto fail;
	if (((o && (o->where || o->window)) || in->town_where) &&
	    geo_input_set_filter(ctx, in, o ? o->where : NULL, o ? o->window : NULL))
		goto fail;
	free(path);
	return in;
fail:
	free(path);
	geo_input_close(in);
	return NULL;
}

void geo_input_close(geo_input *in)
{
	if (!in)
		return;
	if (in->ds)
		GDALClose(in->ds);
	if (in->vsimem) {
		VSIRmdirRecursive(CPLGetPath(in->vsimem));
		CPLFree(in->vsimem);
	}
	geo_transform_free(in->to_target);
	geo_select_free(in->sel);
	geo_crs_free(in->crs);
	free(in->town_where);
	free(in->name);
	free(in);
}

const char *geo_input_name(const geo_input *in) { return in->name; }
OGRLayerH geo_input_layer(geo_input *in) { return in->layer; }
OGRFeatureDefnH geo_input_defn(geo_input *in) { return OGR_L_GetLayerDefn(in->layer); }
const geo_crs *geo_input_crs(const geo_input *in) { return in->crs; }

geo_err geo_input_require_crs(geo_ctx *ctx, geo_input *in)
{
	if (in->crs)
		return GEO_OK;
	return geo_fail(ctx, GEO_ERR_INPUT, "%s: layer '%s' has no CRS; say which with --s-srs",
			in->name, OGR_L_GetName(in->layer));
}

geo_err geo_input_set_filter(geo_ctx *ctx, geo_input *in, const char *where,
			     const geo_window_opts *window)
{
	geo_select_free(in->sel);
	in->sel = NULL;
	/* --town's filter stays under every --where a tool sets. */
	char *all = geo_town_join_where(ctx, where, in->town_where);
	if ((where || in->town_where) && !all)
		return geo_last_code(ctx);
	geo_err e = GEO_OK;
	if ((all || geo_window_opts_given(window)) &&
	    !(in->sel = geo_select_new(ctx, in->layer, in->name, all, window)))
		e = geo_last_code(ctx);
	else if (OGR_L_SetAttributeFilter(in->layer, all) != OGRERR_NONE)
		e = geo_fail(ctx, GEO_ERR_USAGE, "--where '%s' on %s: %s", all, in->name,
			     geo_cpl_error("invalid expression"));
	free(all);
	return e;
}

/* The time window on a layer that has its date field (hazards, cases); a
** layer without it (ponds, households) is read whole, and the run says so.
** *applied counts the layers it applied to. */
void geo_feature_set_real(OGRFeatureH f, const char *name, double v, int ok)
{
	int i = OGR_F_GetFieldIndex(f, name);
	if (i < 0)
		return;
	if (ok && isfinite(v))
		OGR_F_SetFieldDouble(f, i, v);
	else
		OGR_F_SetFieldNull(f, i);
}

geo_err geo_input_window_if_dated(geo_ctx *ctx, geo_input *in, const char *name,
				  const geo_window_opts *w, int *applied)
{
	if (!geo_window_opts_given(w))
		return GEO_OK;
	if (OGR_FD_GetFieldIndex(geo_input_defn(in), w->date_field) < 0) {
		geo_log(ctx, GEO_LOG_WARN, "%s: no field '%s': the time window does not apply", name,
			w->date_field);
		return GEO_OK;
	}
	(*applied)++;
	return geo_input_set_filter(ctx, in, NULL, w);
}

int geo_input_windowed(const geo_input *in) { return geo_select_windowed(in->sel); }

void geo_input_read_to_end(geo_ctx *ctx, geo_input *in, int64_t kept)
{
	geo_select_end_kept(ctx, in->sel, kept);
}

int64_t geo_input_count(geo_input *in)
{
	return (int64_t)OGR_L_GetFeatureCount(in->layer, FALSE);
}

geo_err geo_input_extent(geo_ctx *ctx, geo_input *in, OGREnvelope *env)
{
	if (OGR_L_GetExtent(in->layer, env, TRUE) != OGRERR_NONE)
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: layer '%s' has no features with geometry",
				in->name, OGR_L_GetName(in->layer));
	return GEO_OK;
}

geo_crs *geo_input_working_crs(geo_ctx *ctx, geo_input *in)
{
	if (geo_input_require_crs(ctx, in))
		return NULL;
	if (geo_crs_is_projected(in->crs))
		return geo_crs_clone(in->crs);
	OGREnvelope env;
	if (geo_input_extent(ctx, in, &env))
		return NULL;
	double x = (env.MinX + env.MaxX) / 2, y = (env.MinY + env.MaxY) / 2;
	if (geo_crs_shift(in->crs) != GEO_SHIFT_NONE)
		geo_gcj02_to_wgs84(x, y, &x, &y);
	geo_crs *work = geo_crs_working(ctx, in->crs, x, y);
	if (!work) { /* the message names the data: say whose */
		char *why = strdup(geo_last_error(ctx));
		geo_fail(ctx, geo_last_code(ctx), "%s: %s", in->name, why ? why : "no working CRS");
		free(why);
	}
	return work;
}

geo_err geo_input_set_target(geo_ctx *ctx, geo_input *in, const geo_crs *target)
{
	geo_err e = geo_input_require_crs(ctx, in);
	if (e)
		return e;
	geo_transform_free(in->to_target);
	in->to_target = geo_transform_new(ctx, in->crs, target);
	return in->to_target ? GEO_OK : GEO_ERR_INPUT;
}

geo_err geo_input_geometry(geo_ctx *ctx, geo_input *in, OGRFeatureH f, GEOSGeometry **geom)
{
	OGRGeometryH g = OGR_F_GetGeometryRef(f);
	*geom = NULL;
	if (!g || OGR_G_IsEmpty(g))
		return GEO_OK;
	char label[256];
	if (!geo_ogr_is_finite(g)) {
		geo_feat_label(f, -1, label, sizeof label);
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: coordinate is not a finite number",
				in->name, label);
	}
	OGRGeometryH work = NULL;
	if (in->to_target && !geo_transform_is_identity(in->to_target)) {
		work = OGR_G_Clone(g);
		if (geo_transform_ogr(ctx, in->to_target, work)) {
			OGR_G_DestroyGeometry(work);
			geo_feat_label(f, -1, label, sizeof label);
			char why[1024];
			snprintf(why, sizeof why, "%s", geo_last_error(ctx));
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: %s", in->name, label, why);
		}
	}
	/* The one check of every input coordinate, in the CRS the work is done in. */
	OGREnvelope env;
	char why[1024];
	OGR_G_GetEnvelope(work ? work : g, &env);
	if (geo_coord_problem(env.MinX, env.MinY, env.MaxX, env.MaxY, why, sizeof why)) {
		if (work)
			OGR_G_DestroyGeometry(work);
		geo_feat_label(f, -1, label, sizeof label);
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: %s", in->name, label, why);
	}
	*geom = geo_geom_from_ogr(ctx, work ? work : g);
	if (work)
		OGR_G_DestroyGeometry(work);
	if (!*geom) {
		geo_feat_label(f, -1, label, sizeof label);
		snprintf(why, sizeof why, "%s", geo_last_error(ctx));
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: %s", in->name, label, why);
	}
	return GEO_OK;
}

geo_err geo_input_next(geo_ctx *ctx, geo_input *in, OGRFeatureH *feat, GEOSGeometry **geom)
{
	if (geom)
		*geom = NULL;
	for (;;) {
		CPLErrorReset();
		*feat = OGR_L_GetNextFeature(in->layer);
		if (!*feat) {
			if (CPLGetLastErrorType() >= CE_Failure)
				return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot read: %s", in->name,
						geo_cpl_error("read error"));
			geo_select_end(ctx, in->sel);
			return GEO_OK;
		}
		geo_input_number(in, *feat);
		if (geo_text_utf8(ctx, in->name, *feat, &in->recoded)) {
			OGR_F_Destroy(*feat);
			*feat = NULL;
			return GEO_ERR_INPUT;
		}
		int keep = in->sel ? geo_select_keep(ctx, in->sel, *feat) : 1;
		if (keep > 0)
			break;
		OGR_F_Destroy(*feat);
		*feat = NULL;
		if (keep < 0)
			return GEO_ERR_INPUT;
	}
	/* An empty geometry (GEOMETRYCOLLECTION EMPTY, POINT EMPTY) is no
	** geometry, so that every tool treats it as it treats a null one. */
	OGRGeometryH g = OGR_F_GetGeometryRef(*feat);
	if (g && OGR_G_IsEmpty(g))
		OGR_F_SetGeometryDirectly(*feat, NULL);
	if (!geom)
		return GEO_OK;
	geo_err e = geo_input_geometry(ctx, in, *feat, geom);
	if (e) {
		OGR_F_Destroy(*feat);
		*feat = NULL;
	}
	return e;
}

/* ---- outputs ------------------------------------------------------------- */

/* How an output reaches its target. */
typedef enum out_mode {
	OUT_NEW,        /* no such file yet: made aside, moved in without replacing one */
	OUT_REPLACE,    /* an existing file and --overwrite: made aside, renamed over it */
	OUT_IN_PLACE,   /* a layer into an existing GeoPackage or SpatiaLite file */
	OUT_DEVICE,     /* a device or pipe: made aside, copied into it */
	OUT_STDOUT,     /* made in $TMPDIR, copied to standard output */
	OUT_DIRECT      /* a database connection (PG:), written by GDAL directly */
} out_mode;

struct geo_output {
	geo_ctx *ctx;
	char *target;           /* final path */
	char *link;             /* the name given, when target is where its link leads */
	char *layer;            /* layer named in -o PATH:LAYER, or NULL */
	char *tmpdir;           /* temporary folder, or NULL */
	char *path;             /* what GDAL writes: inside tmpdir, or target */
	const char *driver;
	out_mode mode;
	geo_writer *w;          /* the vector dataset being written, or NULL */
	int overwrite, committed;
};

void geo_output_opts_init(geo_output_opts *o)
{
	o->format = NULL;
	o->overwrite = 0;
	o->inputs = NULL;
}

static const struct {
	const char *ext, *driver;
} formats[] = {
	{ "gpkg", "GPKG" }, { "sqlite", "SQLite" }, { "db", "SQLite" },
	{ "geojson", "GeoJSON" }, { "json", "GeoJSON" }, { "geojsonl", "GeoJSONSeq" },
	{ "geojsons", "GeoJSONSeq" }, { "fgb", "FlatGeobuf" }, { "shp", "ESRI Shapefile" },
	{ "csv", "CSV" }, { "xlsx", "XLSX" }, { "gml", "GML" }, { "kml", "KML" },
	{ "tif", "GTiff" }, { "tiff", "GTiff" }, { "png", "PNG" },
};

static const char *driver_for(const char *path)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (has_ext(path, formats[i].ext))
			return formats[i].driver;
	return NULL;
}

static int multi_layer(const char *driver)
{
	return driver && (!strcmp(driver, "GPKG") || !strcmp(driver, "SQLite"));
}

/* A layer name that reads back as one after NAME: (no ':' or '/'; for
** PG:, a plain or schema-qualified table name). */
static int table_like(const char *layer)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "PG::%s", layer);
	int ok = b.s && geo_pg_split_layer(b.s) != NULL;
	geo_buf_free(&b);
	return ok;
}

/* -o PATH:LAYER: split at the last ':' when the part before names a format
** by its extension, since the file need not exist yet. */
static char *split_output_layer(char *path)
{
	char *colon = strrchr(path, ':');
	if (!colon || strchr(colon, '/'))
		return NULL;
	*colon = '\0';
	if (driver_for(path) && multi_layer(driver_for(path)))
		return colon + 1;
	*colon = ':';
	return NULL;
}

char *geo_output_name_layer(const char *name, const char *format, const char *layer,
			    const char **why)
{
	char *copy = strdup(name);
	if (!copy) {
		*why = "out of memory";
		return NULL;
	}
	int pg = geo_pg_is(name);
	const char *driver = format ? format : pg ? "PostgreSQL" : driver_for(name);
	char *has = pg ? geo_pg_split_layer(copy) : split_output_layer(copy);
	free(copy);
	if (has)
		*why = "the output names its layer already (NAME:LAYER); give it once";
	else if (!pg && !multi_layer(driver))
		*why = "only a GeoPackage, SpatiaLite or PG: output has named layers";
	else if (!table_like(layer))
		*why = "not a table name (letters, digits, _; SCHEMA.TABLE)";
	else
		*why = NULL;
	if (*why)
		return NULL;
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "%s:%s", name, layer);
	char *s = geo_buf_take(&b);
	if (!s)
		*why = "out of memory";
	return s;
}

static int is_input(const char *path, const char *const *inputs)
{
	for (size_t i = 0; inputs && inputs[i]; i++) {
		char *in = strdup(inputs[i]);
		if (!in)
			return 0;
		split_layer(in);
		int same = !strcmp(in, path) || geo_same_file(in, path);
		free(in);
		if (same)
			return 1;
	}
	return 0;
}

/* A PostGIS output that names one of the inputs: the same connection
** string and table, as written. */
static int pg_is_input(geo_ctx *ctx, const char *name, const char *const *inputs)
{
	for (size_t i = 0; inputs && inputs[i]; i++)
		if (!strcmp(inputs[i], name))
			return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: output is also an input; refusing "
					"to touch it", name), 1;
	return 0;
}

/* Copies a file byte for byte to a stream (NULL when its open failed);
** returns 0 or the errno of the failure. */
static int copy_to_stream(const char *from, FILE *b)
{
	FILE *a = b ? fopen(from, "rb") : NULL;
	char buf[1 << 16];
	size_t n;
	int ok = a && b;
	errno = 0;
	while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
		ok = fwrite(buf, 1, n, b) == n;
	ok = ok && !ferror(a) && fflush(b) == 0;
	int err = ok ? 0 : errno ? errno : EIO;
	if (a)
		fclose(a);
	return err;
}

/* Copies a file byte for byte; returns 0 or the errno of the failure. */
static int copy_bytes(const char *from, const char *to)
{
	FILE *b = fopen(to, "wb");
	int err = copy_to_stream(from, b);
	if (!b)
		return errno ? errno : EIO;
	if (fclose(b) != 0 && !err)
		err = errno ? errno : EIO;
	return err;
}

/* The temporary folder (in dir) and the name GDAL writes in it. */
static geo_err make_tmpdir(geo_ctx *ctx, geo_output *out, const char *dir, const char *base,
			   const char *file)
{
	if (!(out->tmpdir = geo_tmpdir_new(ctx, dir, base, out->target)))
		return geo_last_code(ctx);
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "%s/%s", out->tmpdir, file);
	out->path = geo_buf_take(&b);
	return out->path ? GEO_OK : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
}

/* The name a device's copy is made under: the device's own, with the
** driver's extension, since some drivers (CSV) make a folder of a name
** without one. */
static char *device_file(const geo_output *out, const char *base)
{
	GDALDriverH drv = out->driver ? GDALGetDriverByName(out->driver) : NULL;
	const char *ext = drv ? GDALGetMetadataItem(drv, GDAL_DMD_EXTENSION, NULL) : NULL;
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_add(&b, base);
	if (ext && *ext && !has_ext(base, ext))
		geo_buf_printf(&b, ".%s", ext);
	return geo_buf_take(&b);
}

/* A file output's temporary folder: beside the target, so that the result
** is renamed into place, except for a device or pipe (such as /dev/full),
** written in $TMPDIR first and copied, so that its write errors are seen. */
static geo_err file_tmpdir(geo_ctx *ctx, geo_output *out)
{
	char *dcopy = strdup(out->target), *bcopy = strdup(out->target), *file = NULL;
	geo_err e = dcopy && bcopy ? GEO_OK : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	if (!e && out->mode == OUT_DEVICE && !(file = device_file(out, basename(bcopy))))
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	if (!e) {
		const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		const char *base = basename(bcopy);
		e = make_tmpdir(ctx, out, out->mode == OUT_DEVICE ? tmp : dirname(dcopy), base,
				file ? file : base);
	}
	free(file);
	free(dcopy);
	free(bcopy);
	return e;
}

/* Standard output is written to a temporary file and copied out only on
** commit: a run that fails mid-stream then writes nothing there, rather than
** a truncated document that GDAL closes into a valid-looking one. The file
** carries the driver's extension, since some drivers (CSV) need it. */
static geo_err stdout_tmpfile(geo_ctx *ctx, geo_output *out, GDALDriverH drv)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	const char *ext = GDALGetMetadataItem(drv, GDAL_DMD_EXTENSION, NULL);
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "stdout%s%s", ext && *ext ? "." : "", ext ? ext : "");
	char *file = geo_buf_take(&b);
	geo_err e = file ? make_tmpdir(ctx, out, dir, "stdout", file)
			 : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	free(file);
	return e;
}

/* A symbolic link is written through: to the regular file it names (whose
** real path becomes the target), or as the device or pipe it names. */
static geo_err follow_link(geo_ctx *ctx, geo_output *out, struct stat *st)
{
	if (stat(out->target, st) != 0)
		return geo_fail(ctx, GEO_ERR_OUTPUT,
				"%s: is a symbolic link to nothing; refusing to replace it", out->target);
	if (!S_ISREG(st->st_mode))
		return GEO_OK;
	char *real = realpath(out->target, NULL);
	if (!real)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: %s", out->target, strerror(errno));
	char *copy = geo_strdup(ctx, real);
	free(real);
	if (!copy)
		return GEO_ERR_INTERNAL;
	out->link = out->target;
	out->target = copy;
	return GEO_OK;
}

/* Decides out->mode from what the target is now; raster outputs cannot be
** added to a file as a layer. */
static geo_err check_target(geo_ctx *ctx, geo_output *out, const geo_output_opts *o, int raster)
{
	struct stat st;
	if (is_input(out->target, o->inputs))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: output is also an input; refusing to touch it",
				out->target);
	out->mode = OUT_NEW;
	if (lstat(out->target, &st) != 0)
		return GEO_OK;
	geo_err e = S_ISLNK(st.st_mode) ? follow_link(ctx, out, &st) : GEO_OK;
	if (e)
		return e;
	if (S_ISDIR(st.st_mode))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: is a folder", out->target);
	if (!S_ISREG(st.st_mode)) {
		out->mode = OUT_DEVICE;
		return GEO_OK;
	}
	if (out->layer && multi_layer(out->driver) && !raster) {
		out->mode = OUT_IN_PLACE;
		return GEO_OK;
	}
	if (!o->overwrite)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: exists; use --overwrite to replace it%s",
				out->target,
				multi_layer(out->driver) && !raster ? ", or add a layer as FILE:LAYER"
								    : "");
	/* Refused now rather than after the work, and checked again at commit. */
	out->mode = OUT_REPLACE;
	return geo_writer_check_idle(ctx, out->target, out->target);
}

static char **creation_options(const char *driver)
{
	char **o = NULL;
	if (!strcmp(driver, "SQLite"))
		o = CSLSetNameValue(o, "SPATIALITE", "YES");
	return o;
}

static int ignores_write_errors(const char *driver)
{
	return !strcmp(driver, "GeoJSON") || !strcmp(driver, "GeoJSONSeq") ||
	       !strcmp(driver, "GML") || !strcmp(driver, "KML");
}

/* Opens or creates the vector dataset the output writes. */
static geo_err open_dataset_for(geo_ctx *ctx, geo_output *out, GDALDriverH drv, const char *name)
{
	GDALDatasetH ds = NULL;
	if (out->mode == OUT_IN_PLACE) {
		out->w = geo_writer_open_in_place(ctx, out->target, out->driver, out->target);
		return out->w ? GEO_OK : geo_last_code(ctx);
	}
	if (out->mode == OUT_DIRECT) {
		if (strcmp(out->driver, "PostgreSQL"))
			return geo_fail(ctx, GEO_ERR_USAGE, "%s: a PG: output is written by GDAL's "
					"PostgreSQL driver, not %s", name, out->driver);
		out->w = geo_writer_open_pg(ctx, out->path, out->target);
		return out->w ? GEO_OK : geo_last_code(ctx);
	}
	CPLErrorReset();
	{
		/* The text drivers ignore failed writes: theirs go through a file
		** system that reports them when the file is closed. */
		char *checked = ignores_write_errors(out->driver) ? geo_checked_path(ctx, out->path)
								  : NULL;
		if (ignores_write_errors(out->driver) && !checked)
			return geo_last_code(ctx);
		char **co = creation_options(out->driver);
		ds = GDALCreate(drv, checked ? checked : out->path, 0, 0, 0, GDT_Unknown, co);
		CSLDestroy(co);
		free(checked);
		if (!ds)
			return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create: %s", name,
					geo_cpl_error("the driver refused"));
	}
	out->w = geo_writer_new(ctx, ds, out->driver, out->target);
	return out->w ? GEO_OK : GEO_ERR_INTERNAL;
}

geo_output *geo_output_open(geo_ctx *ctx, const char *name, const geo_output_opts *o)
{
	geo_output *out = geo_calloc(ctx, 1, sizeof *out);
	if (!out)
		return NULL;
	out->ctx = ctx;
	out->overwrite = o->overwrite;
	if (!name || !strcmp(name, "-")) {
		out->mode = OUT_STDOUT;
		out->driver = o->format ? o->format : "GeoJSON";
		out->target = geo_strdup(ctx, "standard output");
		if (!out->target)
			goto fail;
	} else {
		out->target = geo_strdup(ctx, name);
		if (!out->target)
			goto fail;
		int pg = geo_pg_is(name);
		char *l = pg ? geo_pg_split_layer(out->target) : split_output_layer(out->target);
		out->layer = l ? geo_strdup(ctx, l) : NULL;
		if (l && !out->layer)
			goto fail;
		out->mode = pg ? OUT_DIRECT : out->mode;
		out->driver = o->format ? o->format : pg ? "PostgreSQL" : driver_for(out->target);
		if (!out->driver) {
			geo_fail(ctx, GEO_ERR_USAGE,
				 "%s: cannot tell the format from the extension; use -f DRIVER", name);
			goto fail;
		}
	}
	GDALDriverH drv = GDALGetDriverByName(out->driver);
	if (!drv) {
		geo_fail(ctx, GEO_ERR_USAGE, "unknown output format '%s'", out->driver);
		goto fail;
	}
	if (out->mode == OUT_STDOUT) {
		if (stdout_tmpfile(ctx, out, drv))
			goto fail;
	} else if (out->mode == OUT_DIRECT) {
		if (pg_is_input(ctx, name, o->inputs) || !(out->path = geo_strdup(ctx, out->target)))
			goto fail;
		/* Messages name it without its password. */
		char *label = geo_pg_label(ctx, name);
		if (!label)
			goto fail;
		free(out->target);
		out->target = label;
	} else if (check_target(ctx, out, o, 0) ||
		   (out->mode != OUT_IN_PLACE && file_tmpdir(ctx, out))) {
		goto fail;
	}
	if (open_dataset_for(ctx, out, drv, name))
		goto fail;
	return out;
fail:
	geo_output_close(out);
	return NULL;
}

/* An output the caller writes itself, as one file of the driver's (NULL: a
** format of its own): the checks of check_target, then a temporary folder. */
static geo_output *open_file(geo_ctx *ctx, const char *name, const geo_output_opts *o,
			     const char *driver)
{
	geo_output *out = geo_calloc(ctx, 1, sizeof *out);
	if (!out)
		return NULL;
	out->ctx = ctx;
	out->overwrite = o->overwrite;
	out->driver = driver;
	if (!(out->target = geo_strdup(ctx, name)) || check_target(ctx, out, o, 1) ||
	    file_tmpdir(ctx, out)) {
		geo_output_close(out);
		return NULL;
	}
	return out;
}

geo_output *geo_output_open_raster(geo_ctx *ctx, const char *name, const geo_output_opts *o)
{
	if (!name || !strcmp(name, "-")) {
		geo_fail(ctx, GEO_ERR_USAGE, "a raster needs an output file: -o PATH.tif");
		return NULL;
	}
	const char *driver = o->format ? o->format : driver_for(name);
	GDALDriverH drv = driver ? GDALGetDriverByName(driver) : NULL;
	if (!driver) {
		geo_fail(ctx, GEO_ERR_USAGE, "%s: cannot tell the format from the extension; use -f DRIVER",
			 name);
		return NULL;
	}
	if (!drv || !GDALGetMetadataItem(drv, GDAL_DCAP_RASTER, NULL)) {
		geo_fail(ctx, GEO_ERR_USAGE, "'%s' is not a raster format GDAL can write", driver);
		return NULL;
	}
	return open_file(ctx, name, o, driver);
}

geo_output *geo_output_open_file(geo_ctx *ctx, const char *name, const geo_output_opts *o)
{
	if (!name || !strcmp(name, "-")) {
		geo_fail(ctx, GEO_ERR_USAGE, "%s: needs a file, not standard output", name ? name : "-");
		return NULL;
	}
	return open_file(ctx, name, o, NULL);
}

const char *geo_output_path(const geo_output *out) { return out->path; }
const char *geo_output_driver(const geo_output *out) { return out->driver; }
const char *geo_output_layer_name(const geo_output *out) { return out->layer; }
int geo_output_is_stdout(const geo_output *out) { return out->mode == OUT_STDOUT; }
GDALDatasetH geo_output_dataset(geo_output *out) { return out->w ? geo_writer_dataset(out->w) : NULL; }

/* The layer name a file implies: its base name without extension. */
static char *stem(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *s = strdup(slash ? slash + 1 : path);
	char *dot = s ? strrchr(s, '.') : NULL;
	if (dot && dot != s)
		*dot = '\0';
	return s;
}

static char **layer_options(const geo_output *out, OGRwkbGeometryType type)
{
	const char *driver = out->driver;
	char **o = NULL;
	/* Excel on Windows reads a CSV file as UTF-8 only after a byte-order
	** mark; pipelines reading standard output or a pipe want none. */
	if (!strcmp(driver, "CSV") && out->mode != OUT_STDOUT && out->mode != OUT_DEVICE)
		o = CSLSetNameValue(o, "WRITE_BOM", "YES");
	if (!strcmp(driver, "GPKG") && type != wkbNone)    /* built in bulk at commit */
		o = CSLSetNameValue(o, "SPATIAL_INDEX", "NO");
	if (!strcmp(driver, "CSV") && type != wkbNone)
		o = CSLSetNameValue(o, "GEOMETRY",
				    wkbFlatten(type) == wkbPoint ? "AS_XY" : "AS_WKT");
	if (!strcmp(driver, "ESRI Shapefile"))
		o = CSLSetNameValue(o, "ENCODING", "UTF-8");
	/* Tables and columns keep the names as given (GDAL would lower-case
	** them), with the column names of a GeoPackage. */
	if (!strcmp(driver, "PostgreSQL")) {
		o = CSLSetNameValue(o, "LAUNDER", "NO");
		o = CSLSetNameValue(o, "FID", "fid");
		if (type != wkbNone)
			o = CSLSetNameValue(o, "GEOMETRY_NAME", "geom");
	}
	return o;
}

static int delete_layer(GDALDatasetH ds, const char *name)
{
	for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++)
		if (!strcmp(OGR_L_GetName(GDALDatasetGetLayer(ds, i)), name))
			return GDALDatasetDeleteLayer(ds, i) == OGRERR_NONE;
	return 1;
}

/* Deletes the layer_styles rows of a layer being replaced, so that QGIS
** finds the new layer's style, not the old one's. */
static int delete_styles(GDALDatasetH ds, const char *layer)
{
	OGRLayerH t = GDALDatasetGetLayerByName(ds, "layer_styles");
	int field = t ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(t), "f_table_name") : -1;
	if (field < 0)
		return 1;
	GIntBig *fids = NULL;
	size_t n = 0, cap = 0;
	int ok = 1;
	OGRFeatureH f;
	OGR_L_ResetReading(t);
	while (ok && (f = OGR_L_GetNextFeature(t))) {
		if (!strcmp(OGR_F_GetFieldAsString(f, field), layer)) {
			if (n == cap) {
				GIntBig *p = realloc(fids, (cap = cap ? 2 * cap : 8) * sizeof *p);
				ok = p != NULL;
				fids = p ? p : fids;
			}
			if (ok)
				fids[n++] = OGR_F_GetFID(f);
		}
		OGR_F_Destroy(f);
	}
	for (size_t i = 0; ok && i < n; i++)
		ok = OGR_L_DeleteFeature(t, fids[i]) == OGRERR_NONE;
	free(fids);
	return ok;
}

/* Makes room for a layer: refused when it exists without --overwrite. */
static geo_err make_room(geo_ctx *ctx, geo_output *out, GDALDatasetH ds, const char *name)
{
	if (!GDALDatasetGetLayerByName(ds, name))
		return GEO_OK;
	if (!out->overwrite)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: layer '%s' exists; use --overwrite to replace it",
				out->target, name);
	if (!delete_layer(ds, name) || !delete_styles(ds, name))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot replace layer '%s': %s", out->target,
				name, geo_cpl_error("driver refused"));
	return GEO_OK;
}

/* A table of a PostGIS output: made new, or under a temporary name to be
** swapped in for the table it replaces at commit (pg.c). */
static OGRLayerH create_pg_layer(geo_ctx *ctx, geo_output *out, const char *name,
				 const geo_crs *crs, OGRwkbGeometryType type)
{
	if (!name) {
		geo_fail(ctx, GEO_ERR_USAGE, "%s: name the table: -o PG:CONNINFO:TABLE or --nln TABLE",
			 out->target);
		return NULL;
	}
	geo_pg_table *t = geo_writer_pg_table(ctx, out->w, name, out->overwrite);
	if (!t)
		return NULL;
	char **lo = layer_options(out, type);
	CPLErrorReset();
	OGRLayerH l = GDALDatasetCreateLayer(geo_output_dataset(out), geo_pg_table_create_name(t),
					     crs ? geo_crs_ogr(crs) : NULL, type, lo);
	CSLDestroy(lo);
	if (!l) {
		char why[1024];
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create table '%s': %s", out->target, name,
			 geo_pg_error(why, sizeof why, "the server refused"));
	}
	geo_pg_table_set_layer(t, l);
	return l;
}

OGRLayerH geo_output_create_layer(geo_ctx *ctx, geo_output *out, const char *name,
				  const geo_crs *crs, OGRwkbGeometryType type)
{
	char *own = NULL;
	if (!name)
		name = out->layer ? out->layer
				  : out->mode == OUT_STDOUT ? "features"
							    : (own = stem(out->link ? out->link : out->target));
	if (!name) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	GDALDatasetH ds = geo_output_dataset(out);
	OGRLayerH l = NULL;
	if (out->mode == OUT_DIRECT) { /* a table is named, never taken from the connection */
		l = create_pg_layer(ctx, out, own ? out->layer : name, crs, type);
		free(own);
		return l;
	}
	if (!make_room(ctx, out, ds, name)) {
		char **lo = layer_options(out, type);
		l = GDALDatasetCreateLayer(ds, name, crs ? geo_crs_ogr(crs) : NULL, type, lo);
		CSLDestroy(lo);
		if (l)
			geo_writer_layer_created(out->w, l);
		else
			geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create layer '%s': %s", out->target,
				 name, geo_cpl_error("driver refused"));
	}
	free(own);
	return l;
}

static OGRLayerH styles_table(geo_ctx *ctx, GDALDatasetH ds, const char *label)
{
	OGRLayerH t = GDALDatasetGetLayerByName(ds, "layer_styles");
	if (t)
		return t;
	t = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, NULL);
	if (!t) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create layer_styles: %s", label,
			 geo_cpl_error("driver refused"));
		return NULL;
	}
	/* The table QGIS reads default styles from; its columns are QGIS's. */
	static const char *text[] = { "f_table_catalog", "f_table_schema", "f_table_name",
				      "f_geometry_column", "styleName", "styleQML", "styleSLD",
				      "description", "owner", "ui" };
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(text[i], OFTString);
		OGR_L_CreateField(t, fd, TRUE);
		OGR_Fld_Destroy(fd);
	}
	OGRFieldDefnH def = OGR_Fld_Create("useAsDefault", OFTInteger);
	OGR_Fld_SetSubType(def, OFSTBoolean);
	OGR_L_CreateField(t, def, TRUE);
	OGR_Fld_Destroy(def);
	OGRFieldDefnH when = OGR_Fld_Create("update_time", OFTDateTime);
	OGR_L_CreateField(t, when, TRUE);
	OGR_Fld_Destroy(when);
	return t;
}

static geo_err write_qml_file(geo_ctx *ctx, geo_output *out, const char *layer, const char *qml)
{
	char *dir = strdup(out->path), *s = stem(out->target);
	geo_buf b;
	geo_buf_init(&b);
	if (dir && s) {
		char *slash = strrchr(dir, '/');
		geo_buf_printf(&b, "%s/%s.qml", slash ? (*slash = '\0', dir) : ".",
			       multi_layer(out->driver) ? layer : s);
	}
	char *path = geo_buf_take(&b);
	FILE *f = path ? fopen(path, "w") : NULL;
	int ok = f && fputs(qml, f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	geo_err e = ok ? GEO_OK
		       : geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write style: %s", out->target,
				  strerror(errno));
	free(path);
	free(dir);
	free(s);
	return e;
}

geo_err geo_output_style(geo_ctx *ctx, geo_output *out, OGRLayerH layer, const char *qml)
{
	if (out->mode == OUT_STDOUT)
		return GEO_OK;
	if (out->mode == OUT_DIRECT) {
		geo_pg_table *t = layer ? geo_writer_pg_find(out->w, OGR_L_GetName(layer)) : NULL;
		if (!t)
			return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: a style needs a table", out->target);
		return geo_pg_table_style(ctx, t, OGR_L_GetGeometryColumn(layer), qml);
	}
	if (!multi_layer(out->driver) || !layer)
		return write_qml_file(ctx, out, layer ? OGR_L_GetName(layer) : NULL, qml);
	OGRLayerH t = styles_table(ctx, geo_output_dataset(out), out->target);
	if (!t)
		return GEO_ERR_OUTPUT;
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(t));
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "f_table_catalog"), "");
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "f_table_schema"), "");
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "f_table_name"), OGR_L_GetName(layer));
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "f_geometry_column"),
			     OGR_L_GetGeometryColumn(layer));
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "styleName"), OGR_L_GetName(layer));
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "styleQML"), qml);
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "description"), "wangge default style");
	OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "useAsDefault"), 1);
	OGRErr e = OGR_L_CreateFeature(t, f);
	OGR_F_Destroy(f);
	return e == OGRERR_NONE ? GEO_OK
				: geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write style: %s",
					   out->target, geo_cpl_error("driver refused"));
}

geo_err geo_write_feature(geo_ctx *ctx, OGRLayerH layer, OGRFeatureH feat, const GEOSGeometry *g,
			  geo_transform *t)
{
	/* A signal asked the run to stop (temps.c): the writes end here. */
	if (geo_temps_stopping(geo_ctx_temps(ctx)))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "interrupted");
	if (g) {
		OGRGeometryH og = geo_geom_to_ogr(ctx, g);
		if (!og)
			return GEO_ERR_INTERNAL;
		if (t && !geo_transform_is_identity(t) && geo_transform_ogr(ctx, t, og)) {
			OGR_G_DestroyGeometry(og);
			return GEO_ERR_OUTPUT;
		}
		/* PostGIS holds a column to its type, where a GeoPackage lets a
		** polygon into a multipolygon layer: one part is made a multi. */
		OGRwkbGeometryType want = wkbFlatten(OGR_L_GetGeomType(layer));
		OGRwkbGeometryType have = wkbFlatten(OGR_G_GetGeometryType(og));
		if (want != have && OGR_GT_GetCollection(have) == want &&
		    geo_writer_is_pg_layer(ctx, layer))
			og = OGR_G_ForceTo(og, want, NULL);
		OGR_F_SetGeometryDirectly(feat, og);
	}
	if (OGR_L_CreateFeature(layer, feat) != OGRERR_NONE) {
		/* PostGIS's ERROR line rather than GDAL's statement (pg.c). */
		char why[1024];
		return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write feature to layer '%s': %s",
				OGR_L_GetName(layer),
				geo_writer_is_pg_layer(ctx, layer)
					? geo_pg_error(why, sizeof why, "write failed")
					: geo_cpl_error("write failed"));
	}
	return GEO_OK;
}

/* ---- committing: into place ---------------------------------------------- */

/* rename() that fails with EEXIST rather than replace a file. */
static int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
	/* A file system without it: a hard link fails as well when the name exists. */
	if (link(from, to) == 0)
		return unlink(from), 0;
	if (errno == EEXIST)
		return -1;
	struct stat st;
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* Copies the styles of the layers src holds into the writer's layer_styles. */
static geo_err copy_styles(geo_ctx *ctx, geo_output *out, GDALDatasetH src, GDALDatasetH dst)
{
	OGRLayerH from = GDALDatasetGetLayerByName(src, "layer_styles");
	OGRLayerH to = from ? styles_table(ctx, dst, out->target) : NULL;
	if (from && !to)
		return GEO_ERR_OUTPUT;
	OGRFeatureH f;
	geo_err e = GEO_OK;
	OGR_L_ResetReading(from);
	while (!e && from && (f = OGR_L_GetNextFeature(from))) {
		OGRFeatureH g = OGR_F_Create(OGR_L_GetLayerDefn(to));
		OGR_F_SetFrom(g, f, TRUE);
		OGR_F_SetFID(g, OGRNullFID);
		if (OGR_L_CreateFeature(to, g) != OGRERR_NONE)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write style: %s", out->target,
				     geo_cpl_error("driver refused"));
		OGR_F_Destroy(g);
		OGR_F_Destroy(f);
	}
	return e;
}

/* Copies one layer of src, its fields and features (fids kept), into the
** writer's dataset. GDAL's own CopyLayer would begin a transaction of its
** own, and the writer's is already open. */
static geo_err copy_layer(geo_ctx *ctx, geo_output *out, geo_writer *w, OGRLayerH from)
{
	const char *name = OGR_L_GetName(from);
	GDALDatasetH dst = geo_writer_dataset(w);
	geo_err e = make_room(ctx, out, dst, name);
	if (e)
		return e;
	OGRwkbGeometryType type = OGR_L_GetGeomType(from);
	char **lo = layer_options(out, type);
	CPLErrorReset();
	OGRLayerH to = GDALDatasetCreateLayer(dst, name, OGR_L_GetSpatialRef(from), type, lo);
	CSLDestroy(lo);
	OGRFeatureDefnH fd = OGR_L_GetLayerDefn(from);
	for (int i = 0; to && i < OGR_FD_GetFieldCount(fd); i++)
		if (OGR_L_CreateField(to, OGR_FD_GetFieldDefn(fd, i), TRUE) != OGRERR_NONE)
			to = NULL;
	if (!to)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create layer '%s': %s", out->target,
				name, geo_cpl_error("driver refused"));
	geo_writer_layer_created(w, to);
	OGRFeatureH f;
	OGR_L_ResetReading(from);
	while (!e && (f = OGR_L_GetNextFeature(from))) {
		OGRFeatureH g = OGR_F_Create(OGR_L_GetLayerDefn(to));
		OGR_F_SetFrom(g, f, TRUE);
		OGR_F_SetFID(g, OGR_F_GetFID(f));
		if (OGR_L_CreateFeature(to, g) != OGRERR_NONE)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write layer '%s': %s",
				     out->target, name, geo_cpl_error("write failed"));
		OGR_F_Destroy(g);
		OGR_F_Destroy(f);
	}
	return e;
}

/*
** The target appeared while the run wrote a new file for a layer of it:
** another run made it. The layers are copied into it in place instead, as
** if it had existed from the start, so neither run's layers are lost.
*/
static geo_err merge_into_target(geo_ctx *ctx, geo_output *out, const char *from)
{
	geo_writer *w = geo_writer_open_in_place(ctx, out->target, out->driver, out->target);
	if (!w)
		return geo_last_code(ctx);
	geo_log(ctx, GEO_LOG_INFO, "%s: made by another run meanwhile; adding the layers to it",
		out->target);
	CPLErrorReset();
	GDALDatasetH src = GDALOpenEx(from, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	geo_err e = src ? GEO_OK
			: geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot read what was written: %s",
				   out->target, geo_cpl_error("GDAL cannot open it"));
	for (int i = 0; !e && i < GDALDatasetGetLayerCount(src); i++) {
		OGRLayerH l = GDALDatasetGetLayer(src, i);
		if (is_data_layer(l))
			e = copy_layer(ctx, out, w, l);
	}
	if (!e)
		e = copy_styles(ctx, out, src, geo_writer_dataset(w));
	if (src)
		GDALClose(src);
	if (!e)
		e = geo_writer_commit(ctx, w);
	geo_writer_release(ctx, w, !e);
	return e;
}

/* Puts the main file where the target is, by what the target is now. */
static geo_err place_main(geo_ctx *ctx, geo_output *out, const char *from)
{
	struct stat st;
	for (int pass = 0; pass < 2; pass++) {
		if (lstat(out->target, &st) != 0) {
			if (rename_noreplace(from, out->target) == 0)
				return GEO_OK;
			if (errno == EEXIST)
				continue;
			return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot move into place: %s",
					out->target, strerror(errno));
		}
		if (out->layer && out->w && multi_layer(out->driver))
			return merge_into_target(ctx, out, from);
		if (!S_ISREG(st.st_mode))
			return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: is no longer a file; refusing to "
					"replace it", out->target);
		if (!out->overwrite)
			return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: was made by another program while "
					"this run wrote it; use --overwrite to replace it", out->target);
		geo_err e = geo_writer_check_idle(ctx, out->target, out->target);
		if (e)
			return e;
		if (rename(from, out->target) != 0)
			return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot move into place: %s",
					out->target, strerror(errno));
		return GEO_OK;
	}
	return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot move into place: it keeps changing",
			out->target);
}

/* Moves the main file into place, then its sidecars (.shx, .dbf, .qml ...). */
static geo_err move_into_place(geo_ctx *ctx, geo_output *out)
{
	char *dcopy = strdup(out->target);
	if (!dcopy)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	const char *dir = dirname(dcopy);
	geo_err e = place_main(ctx, out, out->path);
	DIR *d = e ? NULL : opendir(out->tmpdir);
	if (!e && !d)
		e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: %s", out->tmpdir, strerror(errno));
	struct dirent *ent;
	while (!e && (ent = readdir(d))) {
		if (ent->d_name[0] == '.')
			continue;
		char from[4096], to[4096];
		snprintf(from, sizeof from, "%s/%s", out->tmpdir, ent->d_name);
		snprintf(to, sizeof to, "%s/%s", dir, ent->d_name);
		if (!strcmp(from, out->path))
			continue; /* merged into the target, not moved */
		if (rename(from, to) != 0)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot move into place: %s", to,
				     strerror(errno));
	}
	if (d)
		closedir(d);
	free(dcopy);
	return e;
}

geo_err geo_output_commit(geo_ctx *ctx, geo_output *out)
{
	if (out->committed)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "%s: committed twice", out->target);
	out->committed = 1;
	geo_err e = out->w ? geo_writer_commit(ctx, out->w) : GEO_OK;
	if (!e && out->driver && !strcmp(out->driver, "XLSX") && out->mode != OUT_IN_PLACE)
		e = geo_xlsx_fit_columns(ctx, out->path, out->target);
	if (e)
		return e;
	int err = 0;
	switch (out->mode) {
	case OUT_STDOUT:
		err = fflush(stdout) != 0 ? errno : copy_to_stream(out->path, stdout);
		return err ? geo_fail(ctx, GEO_ERR_OUTPUT, "standard output: cannot write: %s",
				      strerror(err))
			   : GEO_OK;
	case OUT_DEVICE:
		err = copy_bytes(out->path, out->target);
		return err ? geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", out->target,
				      strerror(err))
			   : GEO_OK;
	case OUT_NEW:
	case OUT_REPLACE:
		return move_into_place(ctx, out);
	default:
		return GEO_OK;
	}
}

void geo_output_close(geo_output *out)
{
	if (!out)
		return;
	geo_writer_release(out->ctx, out->w, out->committed);
	geo_tmpdir_remove(out->ctx, out->tmpdir);
	free(out->tmpdir);
	free(out->path);
	free(out->layer);
	free(out->link);
	free(out->target);
	free(out);
}

char **geo_input_layer_names(geo_ctx *ctx, const char *name)
{
	char *path = geo_strdup(ctx, name);
	if (!path)
		return NULL;
	char **names = NULL;
	char *layer = strcmp(name, "-") ? split_layer(path) : NULL;
	if (layer || !strcmp(name, "-")) {
		names = CSLAddString(NULL, layer ? layer : "");
		free(path);
		return names;
	}
	geo_input probe = { .name = (char *)name };
	if (open_dataset(ctx, &probe, path, 0) == GEO_OK) {
		for (int i = 0; i < GDALDatasetGetLayerCount(probe.ds); i++) {
			OGRLayerH l = GDALDatasetGetLayer(probe.ds, i);
			if (is_data_layer(l))
				names = CSLAddString(names, OGR_L_GetName(l));
		}
		if (!names)
			geo_fail(ctx, GEO_ERR_INPUT, "%s: no layers", name);
		GDALClose(probe.ds);
	}
	free(path);
	return names;
}
