/*
** io.c: datasets through GDAL/OGR. Inputs are named the way DESIGN.md says
** (PATH, PATH:LAYER, '-', or anything GDAL opens), read feature by feature
** and handed out as GEOS geometries in a target CRS. Outputs are written
** into a temporary folder beside the target and renamed into place on
** commit, so a failed run leaves nothing half-written and never touches an
** input; adding a layer to an existing GeoPackage works on a copy. Standard
** output is written the same way: into a temporary file, copied out on commit.
*/
#include "geo_internal.h"

#include <dirent.h>
#include <errno.h>
#include <gdal.h>
#include <libgen.h>
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
};

void geo_input_opts_init(geo_input_opts *o)
{
	o->s_srs = NULL;
	o->where = NULL;
	o->layer = NULL;
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
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		geo_buf_addn(&b, chunk, n);
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
** is an existing file; returns the layer part or NULL. */
static char *split_layer(char *path)
{
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
			geo_fail(ctx, GEO_ERR_INPUT, "%s: no layer named '%s'", in->name, layer);
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

static geo_err open_dataset(geo_ctx *ctx, geo_input *in, const char *path)
{
	char **oo = has_ext(path, "csv") ? csv_open_options() : NULL;
	CPLErrorReset();
	in->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, (const char *const *)oo,
			    NULL);
	CSLDestroy(oo);
	if (in->ds)
		return GEO_OK;
	struct stat st;
	if (!strcmp(in->name, "-") || stat(path, &st) == 0)
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot read: %s", in->name,
				geo_cpl_error("not a vector dataset GDAL recognises, or damaged"));
	return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot open: %s", in->name,
			errno == ENOENT || !strchr(path, ':') ? "no such file"
							      : geo_cpl_error("GDAL cannot open it"));
}

geo_input *geo_input_open(geo_ctx *ctx, const char *name, const geo_input_opts *o)
{
	geo_input *in = geo_calloc(ctx, 1, sizeof *in);
	char *path = geo_strdup(ctx, name);
	if (!in || !path || !(in->name = geo_strdup(ctx, name)))
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
	if (!path || open_dataset(ctx, in, path))
		goto fail;
	if (!(in->layer = choose_layer(ctx, in, layer)))
		goto fail;
	if (o && o->s_srs) {
		if (!(in->crs = geo_crs_new(ctx, o->s_srs)))
			goto fail;
	} else {
		OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(in->layer);
		if (srs && !(in->crs = geo_crs_from_ogr(ctx, srs)))
			goto fail;
	}
	if (o && o->where && OGR_L_SetAttributeFilter(in->layer, o->where) != OGRERR_NONE) {
		geo_fail(ctx, GEO_ERR_USAGE, "--where '%s' on %s: %s", o->where, name,
			 geo_cpl_error("invalid expression"));
		goto fail;
	}
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
		VSIUnlink(in->vsimem);
		CPLFree(in->vsimem);
	}
	geo_transform_free(in->to_target);
	geo_crs_free(in->crs);
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
	return geo_crs_working(ctx, in->crs, x, y);
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
	*geom = geo_geom_from_ogr(ctx, work ? work : g);
	if (work)
		OGR_G_DestroyGeometry(work);
	if (!*geom) {
		geo_feat_label(f, -1, label, sizeof label);
		char why[1024];
		snprintf(why, sizeof why, "%s", geo_last_error(ctx));
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: %s: %s", in->name, label, why);
	}
	return GEO_OK;
}

geo_err geo_input_next(geo_ctx *ctx, geo_input *in, OGRFeatureH *feat, GEOSGeometry **geom)
{
	CPLErrorReset();
	*feat = OGR_L_GetNextFeature(in->layer);
	if (geom)
		*geom = NULL;
	if (!*feat) {
		if (CPLGetLastErrorType() >= CE_Failure)
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot read: %s", in->name,
					geo_cpl_error("read error"));
		return GEO_OK;
	}
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

struct geo_output {
	char *target;           /* final path */
	char *layer;            /* layer named in -o PATH:LAYER, or NULL */
	char *tmpdir;           /* temporary folder beside target, or NULL */
	char *path;             /* what GDAL writes: inside tmpdir, or target */
	const char *driver;
	GDALDatasetH ds;
	int is_stdout, in_transaction, overwrite;
	char **unindexed;       /* GeoPackage layers to index at commit: table, column, fid, ... */
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
	return !strcmp(driver, "GPKG") || !strcmp(driver, "SQLite");
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

static int is_device(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Makes the temporary folder beside the target. */
static geo_err make_tmpdir(geo_ctx *ctx, geo_output *out)
{
	char *dcopy = strdup(out->target), *bcopy = strdup(out->target);
	if (!dcopy || !bcopy) {
		free(dcopy);
		free(bcopy);
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	/* A device or pipe (such as /dev/full) is written to a temporary file
	** first and copied into place, so its write errors are seen. */
	if (is_device(out->target))
		dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "%s/.%s.tmpXXXXXX", dir, base);
	char *tmpl = geo_buf_take(&b);
	geo_err e = GEO_OK;
	if (!tmpl || !mkdtemp(tmpl)) {
		e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write in folder %s: %s", out->target,
			     dir, tmpl ? strerror(errno) : "out of memory");
		free(tmpl);
	} else {
		out->tmpdir = tmpl;
		geo_buf_printf(&b, "%s/%s", tmpl, base);
		out->path = geo_buf_take(&b);
	}
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
	geo_buf_printf(&b, "%s/.wangge-stdout.tmpXXXXXX", dir);
	char *tmpl = geo_buf_take(&b);
	if (!tmpl || !mkdtemp(tmpl)) {
		geo_err e = geo_fail(ctx, GEO_ERR_OUTPUT, "standard output: cannot write in folder %s: %s",
				     dir, tmpl ? strerror(errno) : "out of memory");
		free(tmpl);
		return e;
	}
	out->tmpdir = tmpl;
	geo_buf_printf(&b, "%s/stdout%s%s", tmpl, ext && *ext ? "." : "", ext ? ext : "");
	out->path = geo_buf_take(&b);
	return out->path ? GEO_OK : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
}

static geo_err check_target(geo_ctx *ctx, geo_output *out, const geo_output_opts *o, int *add)
{
	struct stat st;
	*add = 0;
	if (is_input(out->target, o->inputs))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: output is also an input; refusing to touch it",
				out->target);
	if (stat(out->target, &st) != 0)
		return GEO_OK;
	if (S_ISDIR(st.st_mode))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: is a folder", out->target);
	if (!S_ISREG(st.st_mode))
		return GEO_OK; /* a device or pipe: written in place */
	if (out->layer && multi_layer(out->driver)) {
		*add = 1;
		return GEO_OK;
	}
	if (!o->overwrite)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: exists; use --overwrite to replace it%s",
				out->target,
				multi_layer(out->driver) ? ", or add a layer as FILE:LAYER" : "");
	return GEO_OK;
}

static char **creation_options(const char *driver)
{
	char **o = NULL;
	if (!strcmp(driver, "SQLite"))
		o = CSLSetNameValue(o, "SPATIALITE", "YES");
	return o;
}

geo_output *geo_output_open(geo_ctx *ctx, const char *name, const geo_output_opts *o)
{
	geo_output *out = geo_calloc(ctx, 1, sizeof *out);
	if (!out)
		return NULL;
	out->overwrite = o->overwrite;
	if (!name || !strcmp(name, "-")) {
		out->is_stdout = 1;
		out->driver = o->format ? o->format : "GeoJSON";
		out->target = geo_strdup(ctx, "standard output");
		if (!out->target)
			goto fail;
	} else {
		out->target = geo_strdup(ctx, name);
		if (!out->target)
			goto fail;
		char *l = split_output_layer(out->target);
		out->layer = l ? geo_strdup(ctx, l) : NULL;
		out->driver = o->format ? o->format : driver_for(out->target);
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
	int add = 0;
	if (out->is_stdout) {
		if (stdout_tmpfile(ctx, out, drv))
			goto fail;
	} else {
		if (!strncmp(out->target, "PG:", 3)) {
			out->path = geo_strdup(ctx, out->target);
			out->ds = GDALOpenEx(out->path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
			if (!out->ds) {
				geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot open: %s", name,
					 geo_cpl_error("connection failed"));
				goto fail;
			}
			return out;
		}
		if (check_target(ctx, out, o, &add))
			goto fail;
		if (make_tmpdir(ctx, out))
			goto fail;
	}
	if (add) {
		int err = copy_bytes(out->target, out->path);
		if (err) {
			geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot copy it to add a layer: %s", name,
				 strerror(err));
			goto fail;
		}
		out->ds = GDALOpenEx(out->path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
	} else {
		char **co = creation_options(out->driver);
		out->ds = GDALCreate(drv, out->path, 0, 0, 0, GDT_Unknown, co);
		CSLDestroy(co);
	}
	if (!out->ds) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create: %s", name,
			 geo_cpl_error("the driver refused"));
		goto fail;
	}
	return out;
fail:
	geo_output_close(out);
	return NULL;
}

geo_output *geo_output_open_raster(geo_ctx *ctx, const char *name, const geo_output_opts *o)
{
	geo_output *out = geo_calloc(ctx, 1, sizeof *out);
	if (!out)
		return NULL;
	out->overwrite = o->overwrite;
	if (!name || !strcmp(name, "-")) {
		geo_fail(ctx, GEO_ERR_USAGE, "a raster needs an output file: -o PATH.tif");
		goto fail;
	}
	if (!(out->target = geo_strdup(ctx, name)))
		goto fail;
	if (is_input(out->target, o->inputs)) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: output is also an input; refusing to touch it", name);
		goto fail;
	}
	out->driver = o->format ? o->format : driver_for(name);
	GDALDriverH drv = out->driver ? GDALGetDriverByName(out->driver) : NULL;
	if (!out->driver) {
		geo_fail(ctx, GEO_ERR_USAGE, "%s: cannot tell the format from the extension; use -f DRIVER",
			 name);
		goto fail;
	}
	if (!drv || !GDALGetMetadataItem(drv, GDAL_DCAP_RASTER, NULL)) {
		geo_fail(ctx, GEO_ERR_USAGE, "'%s' is not a raster format GDAL can write", out->driver);
		goto fail;
	}
	int add = 0;
	if (check_target(ctx, out, o, &add) || make_tmpdir(ctx, out))
		goto fail;
	return out;
fail:
	geo_output_close(out);
	return NULL;
}

const char *geo_output_path(const geo_output *out) { return out->path; }
const char *geo_output_driver(const geo_output *out) { return out->driver; }
const char *geo_output_layer_name(const geo_output *out) { return out->layer; }
int geo_output_is_stdout(const geo_output *out) { return out->is_stdout; }
GDALDatasetH geo_output_dataset(geo_output *out) { return out->ds; }

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

static char **layer_options(const char *driver, OGRwkbGeometryType type)
{
	char **o = NULL;
	if (!strcmp(driver, "GPKG") && type != wkbNone)    /* built in bulk at commit */
		o = CSLSetNameValue(o, "SPATIAL_INDEX", "NO");
	if (!strcmp(driver, "CSV") && type != wkbNone)
		o = CSLSetNameValue(o, "GEOMETRY",
				    wkbFlatten(type) == wkbPoint ? "AS_XY" : "AS_WKT");
	if (!strcmp(driver, "ESRI Shapefile"))
		o = CSLSetNameValue(o, "ENCODING", "UTF-8");
	return o;
}

static int delete_layer(GDALDatasetH ds, const char *name)
{
	for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++)
		if (!strcmp(OGR_L_GetName(GDALDatasetGetLayer(ds, i)), name))
			return GDALDatasetDeleteLayer(ds, i) == OGRERR_NONE;
	return 1;
}

OGRLayerH geo_output_create_layer(geo_ctx *ctx, geo_output *out, const char *name,
				  const geo_crs *crs, OGRwkbGeometryType type)
{
	char *own = NULL;
	if (!name)
		name = out->layer ? out->layer : out->is_stdout ? "features" : (own = stem(out->target));
	if (!name) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	OGRLayerH l = NULL;
	if (GDALDatasetGetLayerByName(out->ds, name)) {
		if (!out->overwrite) {
			geo_fail(ctx, GEO_ERR_OUTPUT, "%s: layer '%s' exists; use --overwrite to replace it",
				 out->target, name);
			goto done;
		}
		if (!delete_layer(out->ds, name)) {
			geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot replace layer '%s': %s", out->target,
				 name, geo_cpl_error("driver refused"));
			goto done;
		}
	}
	char **lo = layer_options(out->driver, type);
	l = GDALDatasetCreateLayer(out->ds, name, crs ? geo_crs_ogr(crs) : NULL, type, lo);
	CSLDestroy(lo);
	if (!l) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create layer '%s': %s", out->target, name,
			 geo_cpl_error("driver refused"));
		goto done;
	}
	if (!strcmp(out->driver, "GPKG") && type != wkbNone) {
		out->unindexed = CSLAddString(out->unindexed, OGR_L_GetName(l));
		out->unindexed = CSLAddString(out->unindexed, OGR_L_GetGeometryColumn(l));
		out->unindexed = CSLAddString(out->unindexed, OGR_L_GetFIDColumn(l));
	}
	if (!out->in_transaction && GDALDatasetTestCapability(out->ds, ODsCTransactions))
		out->in_transaction = GDALDatasetStartTransaction(out->ds, FALSE) == OGRERR_NONE;
done:
	free(own);
	return l;
}

static OGRLayerH styles_table(geo_ctx *ctx, geo_output *out)
{
	OGRLayerH t = GDALDatasetGetLayerByName(out->ds, "layer_styles");
	if (t)
		return t;
	t = GDALDatasetCreateLayer(out->ds, "layer_styles", NULL, wkbNone, NULL);
	if (!t) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot create layer_styles: %s", out->target,
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
	if (out->is_stdout)
		return GEO_OK;
	if (!multi_layer(out->driver) || !layer)
		return write_qml_file(ctx, out, layer ? OGR_L_GetName(layer) : NULL, qml);
	OGRLayerH t = styles_table(ctx, out);
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
	if (g) {
		OGRGeometryH og = geo_geom_to_ogr(ctx, g);
		if (!og)
			return GEO_ERR_INTERNAL;
		if (t && !geo_transform_is_identity(t) && geo_transform_ogr(ctx, t, og)) {
			OGR_G_DestroyGeometry(og);
			return GEO_ERR_OUTPUT;
		}
		OGR_F_SetGeometryDirectly(feat, og);
	}
	if (OGR_L_CreateFeature(layer, feat) != OGRERR_NONE)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot write feature to layer '%s': %s",
				OGR_L_GetName(layer), geo_cpl_error("write failed"));
	return GEO_OK;
}

/* Moves every file of the temporary folder into the target's folder. */
static geo_err move_into_place(geo_ctx *ctx, geo_output *out)
{
	char *dcopy = strdup(out->target);
	if (!dcopy)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	const char *dir = dirname(dcopy);
	DIR *d = opendir(out->tmpdir);
	geo_err e = d ? GEO_OK
		      : geo_fail(ctx, GEO_ERR_OUTPUT, "%s: %s", out->tmpdir, strerror(errno));
	struct dirent *ent;
	while (!e && (ent = readdir(d))) {
		if (ent->d_name[0] == '.')
			continue;
		char from[4096], to[4096];
		snprintf(from, sizeof from, "%s/%s", out->tmpdir, ent->d_name);
		snprintf(to, sizeof to, "%s/%s", dir, ent->d_name);
		if (rename(from, to) != 0)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot move into place: %s", to,
				     strerror(errno));
	}
	if (d)
		closedir(d);
	free(dcopy);
	return e;
}

static geo_err copy_to_device(geo_ctx *ctx, geo_output *out)
{
	int err = copy_bytes(out->path, out->target);
	return err ? geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", out->target, strerror(err))
		   : GEO_OK;
}

geo_err geo_output_commit(geo_ctx *ctx, geo_output *out)
{
	CPLErrorReset();
	if (out->in_transaction && GDALDatasetCommitTransaction(out->ds) != OGRERR_NONE)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", out->target,
				geo_cpl_error("commit failed"));
	out->in_transaction = 0;
	if (out->ds)
		GDALClose(out->ds);
	out->ds = NULL;
	if (CPLGetLastErrorType() >= CE_Failure)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", out->target,
				geo_cpl_error("write failed"));
	for (char **u = out->unindexed; u && u[0] && u[1] && u[2]; u += 3) {
		geo_err e = geo_gpkg_index(ctx, out->path, u[0], u[1], u[2]);
		if (e)
			return e;
	}
	if (out->is_stdout) {
		int err = fflush(stdout) != 0 ? errno : copy_to_stream(out->path, stdout);
		return err ? geo_fail(ctx, GEO_ERR_OUTPUT, "standard output: %s", strerror(err))
			   : GEO_OK;
	}
	if (out->tmpdir && is_device(out->target))
		return copy_to_device(ctx, out);
	return out->tmpdir ? move_into_place(ctx, out) : GEO_OK;
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *ent;
	while (d && (ent = readdir(d))) {
		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", path, ent->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

void geo_output_close(geo_output *out)
{
	if (!out)
		return;
	if (out->ds)
		GDALClose(out->ds);
	if (out->tmpdir) {
		remove_tree(out->tmpdir);
		free(out->tmpdir);
	}
	CSLDestroy(out->unindexed);
	free(out->path);
	free(out->layer);
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
	if (open_dataset(ctx, &probe, path) == GEO_OK) {
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
