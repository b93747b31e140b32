/*
** geo.h: the public contract of libgeo, the library behind the wangge tools.
**
** Naming. Every public function starts with geo_, every type with geo_. A verb
** (geo_info, geo_check, geo_place, geo_heat, geo_split, geo_diff, geo_map,
** geo_assess, geo_cover, geo_list) does one tool's whole job; its options are
** a struct set to defaults by geo_<verb>_opts_init(), the only place those
** defaults live. Every verb has the same shape, "the verb contract" below
** (geo_common_opts).
**
** Return conventions, the same everywhere. A constructor returns NULL on
** failure. A verb or operation returns a geo_err: GEO_OK (0) on success,
** otherwise a code whose value is also the exit code the tools use; the
** message is kept in the context (geo_last_error). A free function accepts
** NULL. Nothing in libgeo prints or exits; messages go to the context's log
** callback and progress to a geo_progress callback, which can cancel.
**
** Ownership. The caller owns what it creates with a _new/_open/_create
** function and frees it with the matching _free/_close. Functions that take a
** GEOSGeometry pointer borrow it unless their comment says they take it.
** Strings returned by accessors belong to the object they came from.
**
** Geometry. Work happens in metres in a projected working CRS (see crs.c): the
** input's own if projected, else the CGCS2000 3-degree Gauss-Kruger zone of
** the data's centre inside China, else its UTM zone. Geometries handed out by
** geo_layer are GEOS geometries in that working CRS. Axis order is always
** x = easting/longitude, y = northing/latitude.
**
** Threads. A geo_ctx and everything made with it belong to one thread at a
** time. Separate contexts may be used from separate threads.
*/
#ifndef GEO_H
#define GEO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif
#include <geos_c.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define GEO_VERSION "0.1.0"
/* The shared library's ABI version: its SONAME is libgeo.so.GEO_ABI. Raise
** it when a change here breaks a program built against an older header. */
#define GEO_ABI 0

/* libgeo.so exports what this header declares and nothing else: the library
** is built with -fvisibility=hidden, and this says which are public. */
#pragma GCC visibility push(default)

/*
** Limits. No projected CRS reaches GEO_COORD_MAX metres (Gauss-Kruger CRSs
** that put the zone number in the false easting reach about 4e7): a
** coordinate beyond it in the working CRS is a mistake, and an input error,
** long before it could overflow an integer cell or grid index. A raster of
** more than GEO_LARGE_PIXELS pixels or a cell layer of more than
** GEO_LARGE_CELLS cells is made only when the caller allows it (the tools'
** --allow-large): such sizes come from a mistyped coordinate or size far more
** often than from intent, and take minutes and gigabytes.
*/
#define GEO_COORD_MAX 1e8
#define GEO_LARGE_PIXELS 1e8
#define GEO_LARGE_CELLS 1e6

/* Error codes; each value is the exit code the tools return for it. */
typedef enum geo_err {
	GEO_OK = 0,
	GEO_PROBLEMS = 1,       /* done, and problems were found */
	GEO_ERR_USAGE = 2,      /* bad option or value */
	GEO_ERR_INPUT = 3,      /* cannot read, no CRS, wrong or unusable geometry */
	GEO_ERR_OUTPUT = 4,     /* exists without overwrite, cannot write, disk full */
	GEO_ERR_INTERNAL = 5    /* internal error, out of memory, cancelled */
} geo_err;

/* ---- context (ctx.c) ---------------------------------------------------- */

typedef struct geo_ctx geo_ctx;

typedef enum geo_log_level { GEO_LOG_DEBUG, GEO_LOG_INFO, GEO_LOG_WARN } geo_log_level;
typedef void (*geo_log_fn)(geo_log_level level, const char *msg, void *data);

/* Progress: fraction in [0,1] and a short message; return 0 to cancel. */
typedef int (*geo_progress)(double fraction, const char *msg, void *data);

geo_ctx *geo_ctx_new(void);
void geo_ctx_free(geo_ctx *ctx);
void geo_ctx_set_log(geo_ctx *ctx, geo_log_fn fn, void *data);
GEOSContextHandle_t geo_ctx_geos(geo_ctx *ctx);
/* The message of the last failure, or "" when there was none. */
const char *geo_last_error(const geo_ctx *ctx);
/* The code of the last failure (GEO_ERR_INTERNAL if none was recorded), for
** callers of a constructor that returned NULL. */
geo_err geo_last_code(const geo_ctx *ctx);
/* Records a failure and returns its code, so callers can `return geo_fail(...)`. */
geo_err geo_fail(geo_ctx *ctx, geo_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void geo_log(geo_ctx *ctx, geo_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
** Temporaries (temps.c). Outputs are written in temporary folders named
** .NAME.wangge-tmp.PID.HOST.XXXXXX beside their targets (standard output's
** in $TMPDIR); making one first removes those in the same folder left by a
** run of this machine whose process is gone. A registry attached to a
** context records the folders that exist and the write transactions open
** on files written in place, so that a signal handler can remove the ones
** and interrupt the others with async-signal-safe calls only. The caller
** keeps the registry for as long as a context uses it (a tool keeps one for
** the whole process); the context only borrows it.
*/
typedef struct geo_temps geo_temps;
geo_temps *geo_temps_new(void);
void geo_temps_free(geo_temps *t);
/* Registers the context's temporaries in t from now on (NULL: nowhere). */
void geo_ctx_set_temps(geo_ctx *ctx, geo_temps *t);
/* How many inputs a filter or a time window left empty so far (--strict). */
int geo_ctx_empty_selections(const geo_ctx *ctx);
/*
** The town as a key (town.c): with a code set, every input the context opens
** keeps only that town's features: a layer with the town field by it, a grid
** layer without it by the code its grid_id begins with, another layer with
** geometry by intersecting the town's polygon from the township layer (layer:
** DATASET[:LAYER]; NULL: the `township` layer of the input's own dataset), a
** table without geometry whole. Each input logs which way it was selected.
*/
#define GEO_TOWN_FIELD_DEFAULT "code"
typedef struct geo_town_opts {
	const char *code;       /* the town's code (letters and digits); NULL: every town */
	const char *field;      /* field holding it; default GEO_TOWN_FIELD_DEFAULT */
	const char *layer;      /* the township layer for spatial selection, or NULL */
} geo_town_opts;
void geo_town_opts_init(geo_town_opts *o);
/* Copies o into the context (o->code NULL: no town); a usage error for a
** code that is not letters and digits or a field that is not a name. */
geo_err geo_ctx_set_town(geo_ctx *ctx, const geo_town_opts *o);
/* The town code set, or NULL; the town field (the default when none is set). */
const char *geo_ctx_town_code(const geo_ctx *ctx);
const char *geo_ctx_town_field(const geo_ctx *ctx);
/* Removes every folder registered in t with its files. Async-signal-safe. */
void geo_temps_remove(geo_temps *t);
/*
** Asks the run to stop (async-signal-safe): interrupts every SQLite write
** transaction on a file written in place, so that the run fails, rolls it
** back and closes the file as it was; waits for a lock end. Returns how many
** transactions it interrupted: 0 means there is nothing to roll back.
*/
int geo_temps_interrupt(geo_temps *t);

/* ---- coordinate reference systems (crs.c) ------------------------------ */

/*
** A CRS as a user names it: anything OGR accepts (EPSG:4548, WKT, PROJ
** strings), plus GCJ02 and BD09, the offset lon/lat systems of Chinese web
** maps, which PROJ does not know. Those are held as WGS84 with a shift that
** libgeo applies itself.
*/
typedef enum geo_shift { GEO_SHIFT_NONE, GEO_SHIFT_GCJ02, GEO_SHIFT_BD09 } geo_shift;
typedef struct geo_crs geo_crs;

geo_crs *geo_crs_new(geo_ctx *ctx, const char *user_text);
/* Takes a copy of srs (which may be NULL: then returns NULL without error). */
geo_crs *geo_crs_from_ogr(geo_ctx *ctx, OGRSpatialReferenceH srs);
geo_crs *geo_crs_clone(const geo_crs *crs);
void geo_crs_free(geo_crs *crs);
/* The OGR spatial reference (traditional GIS axis order), owned by crs. */
OGRSpatialReferenceH geo_crs_ogr(const geo_crs *crs);
geo_shift geo_crs_shift(const geo_crs *crs);
int geo_crs_is_projected(const geo_crs *crs);
/* Short name such as "EPSG:4548" or "GCJ02"; owned by crs. */
const char *geo_crs_name(const geo_crs *crs);
/* The working CRS for data in crs whose centre is (x, y) in crs. */
geo_crs *geo_crs_working(geo_ctx *ctx, const geo_crs *crs, double x, double y);
/* EPSG code of the CGCS2000 3-degree zone or UTM zone holding lon/lat. */
int geo_crs_working_epsg(double lon, double lat);
int geo_crs_equal(const geo_crs *a, const geo_crs *b);

/* GCJ-02 and BD-09 from and to WGS84 lon/lat, in degrees. The inverses
** iterate until the round trip is within 1e-9 degrees (about 0.1 mm). */
void geo_wgs84_to_gcj02(double lon, double lat, double *glon, double *glat);
void geo_gcj02_to_wgs84(double glon, double glat, double *lon, double *lat);
void geo_gcj02_to_bd09(double glon, double glat, double *blon, double *blat);
void geo_bd09_to_gcj02(double blon, double blat, double *glon, double *glat);

/* A transformation between two CRS, shifts included. */
typedef struct geo_transform geo_transform;
/* Returns NULL with an error when PROJ cannot transform between them. */
geo_transform *geo_transform_new(geo_ctx *ctx, const geo_crs *from, const geo_crs *to);
void geo_transform_free(geo_transform *t);
int geo_transform_is_identity(const geo_transform *t);
/* Transforms n points in place; returns GEO_ERR_INPUT if a point fails. */
geo_err geo_transform_points(geo_ctx *ctx, geo_transform *t, size_t n, double *x, double *y);
/* Transforms an OGR geometry in place. */
geo_err geo_transform_ogr(geo_ctx *ctx, geo_transform *t, OGRGeometryH g);

/* ---- time windows (window.c) ------------------------------------------- */

/*
** Time windows (window.c): half-open spans [start, end) of seconds since
** 1970-01-01 00:00 on the town's local clock. Dates and times written
** without a zone are taken as local, as written; a timestamp with a zone
** (ISO 8601 Z or +hh:mm, or an OGR date-time with a zone flag) is converted
** to local time with localtime_r, that is in the process's zone (TZ; the
** tools set it from --tz). Weeks are ISO 8601 (Monday first, week 1 holds
** the first Thursday), so 2021-01-01 lies in 2020-W53. GEO_TIME_MIN/MAX
** stand for an open end.
*/
#define GEO_TIME_MIN INT64_MIN
#define GEO_TIME_MAX INT64_MAX
typedef enum geo_window_kind {
	GEO_WINDOW_ALL, GEO_WINDOW_WEEK, GEO_WINDOW_MONTH, GEO_WINDOW_RANGE, GEO_WINDOW_QUARTER,
	GEO_WINDOW_YEAR
} geo_window_kind;
typedef struct geo_window {
	geo_window_kind kind;
	int64_t start, end;
	char label[64];         /* 2021-W37, 2021-09, 2021-Q3, 2021, 2021-09-01..2021-09-30, all */
} geo_window;

/* The window as the tools' options give it: at most one of week (2021-W37),
** month (2021-09), quarter (2021-Q3), year (2021) or from/to (inclusive
** dates or date-times), and the field holding each feature's date. */
typedef struct geo_window_opts {
	const char *week, *month, *quarter, *year, *from, *to;
	const char *date_field; /* default "date" */
} geo_window_opts;
void geo_window_opts_init(geo_window_opts *o);
/* 1 when o (may be NULL) names a window. */
int geo_window_opts_given(const geo_window_opts *o);

/* Sets w from o (NULL or nothing given: every time). Usage errors name the
** option. */
geo_err geo_window_parse(geo_ctx *ctx, const geo_window_opts *o, geo_window *w);
/* The window of the same length just before w: the previous ISO week,
** month, quarter or year, or the span of equal length ending where w starts. */
geo_err geo_window_previous(geo_ctx *ctx, const geo_window *w, geo_window *prev);
int geo_window_holds(const geo_window *w, int64_t t);
/*
** The local time of field `field` of f: 1 with *t set, 0 when the field is
** unset, null or empty, -1 with an input error (naming `source` and the
** feature) when it holds text that is not a date. Dates, OGR date-times
** and text as geo_time_parse_zoned reads it are accepted.
*/
int geo_feature_time(geo_ctx *ctx, OGRFeatureH f, int field, const char *source, int64_t *t);
/* Local time of an instant given in seconds since 1970-01-01 00:00 UTC. */
int64_t geo_time_utc_to_local(int64_t utc);
/* As geo_time_parse, but a zone suffix (Z, +hh, +hhmm, +hh:mm) converts the
** time to local time (see above). */
int geo_time_parse_zoned(const char *s, int64_t *t, int *has_time);
/* YYYY-MM-DD or YYYY/MM/DD, optionally followed by [T ]HH:MM[:SS[.fff]] and a
** zone suffix (ignored). Returns 1 on success; *has_time says a time was given. */
int geo_time_parse(const char *s, int64_t *t, int *has_time);
int64_t geo_time_from_civil(int y, int mo, int d, int h, int mi, int s);
/* YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS when t is not a midnight. */
void geo_time_format(int64_t t, char *buf, size_t size);

/* ---- datasets (io.c) ---------------------------------------------------- */

/*
** Inputs are named PATH, PATH:LAYER (split at the last ':' only when what is
** before it is an existing file) or '-' for standard input (GeoJSON,
** GeoJSONSeq or CSV). Anything else, such as PG:dbname=town, goes to GDAL as
** it is. CSV points are found in x/y, lon/lat, longitude/latitude or
** 经度/纬度 columns.
*/
typedef struct geo_input_opts {
	const char *s_srs;      /* the CRS of a layer that states none (CSV, GeoJSON
				   left at RFC 7946's WGS84); never overrides a stated one */
	const char *where;      /* OGR SQL attribute filter, or NULL */
	const char *layer;      /* layer name when the name carries none, or NULL */
	const geo_window_opts *window; /* keep only features dated in it; NULL: all */
	int as_text;            /* a table read as text (a roster's codes and phones): CSV
				   without type detection, XLSX and ODS with the first row
				   as headers and every cell as text */
} geo_input_opts;
void geo_input_opts_init(geo_input_opts *o);

/* An open input layer. Reads features in order; transforms to a target CRS. */
typedef struct geo_input geo_input;

geo_input *geo_input_open(geo_ctx *ctx, const char *name, const geo_input_opts *o);
void geo_input_close(geo_input *in);
/* The layers an input name stands for: the one it names, or every layer of
** the dataset (CSL list, CSLDestroy; "" for standard input's only layer). */
char **geo_input_layer_names(geo_ctx *ctx, const char *name);
/* The name as the user gave it, for messages. */
const char *geo_input_name(const geo_input *in);
OGRLayerH geo_input_layer(geo_input *in);
OGRFeatureDefnH geo_input_defn(geo_input *in);
/* The layer's CRS (after --s-srs); NULL if it has none. */
const geo_crs *geo_input_crs(const geo_input *in);
/* Fails with an input error naming the file when the layer has no CRS. */
geo_err geo_input_require_crs(geo_ctx *ctx, geo_input *in);
/*
** Filters an open input, as geo_input_opts' where and window do at opening
** (either may be NULL): the OGR attribute filter, then the time window,
** applied by geo_input_next. A window on a layer without its date field is
** an input error. When the input has been read to its end and the filters
** kept no feature, geo_input_next logs a warning such as "hazards:
** 2021-W37: 0 of 1,240 features" and counts an empty selection in the
** context (geo_ctx_empty_selections).
*/
geo_err geo_input_set_filter(geo_ctx *ctx, geo_input *in, const char *where,
			     const geo_window_opts *window);
/* 1 when a time window filters the input: it must be read through
** geo_input_next. */
int geo_input_windowed(const geo_input *in);
/* A reader that read the input to its end past geo_input_next (GDAL's Arrow
** stream applies --where itself) says how many features it got, for the
** report of an empty selection. */
void geo_input_read_to_end(geo_ctx *ctx, geo_input *in, int64_t kept);
/* Feature count (fast when the driver knows it), -1 if unknown; before the
** time window. */
int64_t geo_input_count(geo_input *in);
/* Extent in the layer's CRS; GEO_ERR_INPUT when the layer is empty. */
geo_err geo_input_extent(geo_ctx *ctx, geo_input *in, OGREnvelope *env);
/* The working CRS for this input (its own if projected). */
geo_crs *geo_input_working_crs(geo_ctx *ctx, geo_input *in);
/* Sets the CRS that geo_input_next_geos returns geometries in. */
geo_err geo_input_set_target(geo_ctx *ctx, geo_input *in, const geo_crs *target);
/*
** Reads the next feature: *feat (owned by the caller, OGR_F_Destroy) and,
** when geom is not NULL, its geometry in the target CRS as GEOS (owned by the
** caller; NULL for a feature without geometry). Returns GEO_OK with
** *feat == NULL at the end. Non-finite coordinates are an input error naming
** the feature.
*/
geo_err geo_input_next(geo_ctx *ctx, geo_input *in, OGRFeatureH *feat, GEOSGeometry **geom);
/* Renumbers a feature read from the input's layer directly (not through
** geo_input_next, which does it) so that its FID counts from 1 in messages. */
void geo_input_number(const geo_input *in, OGRFeatureH f);
/* What geo_input_number adds to the layer's FIDs: 1 or 0 (for FIDs read
** another way, such as an Arrow stream). */
int geo_input_fid_offset(const geo_input *in);
/* The geometry of a feature read with geom == NULL, as geo_input_next gives it. */
geo_err geo_input_geometry(geo_ctx *ctx, geo_input *in, OGRFeatureH feat, GEOSGeometry **geom);

/* Output naming: PATH[:LAYER], or NULL/"-" for GeoJSON on standard output. */
typedef struct geo_output_opts {
	const char *format;     /* GDAL driver name; NULL: from the extension */
	int overwrite;          /* replace an existing file or layer */
	const char *const *inputs; /* NULL-terminated input names an output may not be */
} geo_output_opts;
void geo_output_opts_init(geo_output_opts *o);

/*
** The verb contract. Every verb (geo_info, geo_check, geo_place, geo_heat,
** geo_split, geo_diff, geo_map, geo_assess, geo_cover, geo_list) has one shape:
**
**   geo_err geo_X(geo_ctx *ctx, INPUTS, const geo_X_opts *o, geo_X_result **result,
**                 geo_progress progress, void *progress_data);
**   geo_err geo_X_report(const geo_X_result *r, int json, FILE *f);
**   void geo_X_result_free(geo_X_result *r);
**
** INPUTS are the verb's positional inputs (one dataset, OLD and NEW, grids and
** features). geo_X_opts begins with a geo_common_opts named `common`: the
** options every tool spells the same way, so that a caller fills them once
** (tools/cli.c does, from -o, -f, --overwrite, --s-srs, --t-srs, --work-srs,
** --where, the window, --json, -v, --strict) for any verb. *result is set when
** the verb succeeds or returns GEO_PROBLEMS, and is NULL on failure.
** geo_X_report writes the report to f, as text for people or as one JSON
** object; it returns GEO_OK, or GEO_ERR_OUTPUT when f fails. Where the report
** goes, and what "-" means on a command line, is the caller's business; the
** library only knows that an output named "-" is standard output.
*/
typedef struct geo_common_opts {
	const char *s_srs;      /* CRS of inputs that state none */
	const char *t_srs;      /* CRS of the outputs; NULL: the main input's */
	const char *work_srs;   /* projected CRS to compute in; NULL: crs.c's rule */
	const char *where;      /* OGR SQL attribute filter on the main input(s), or NULL */
	geo_window_opts window; /* time window on the inputs that have its date field */
	const char *output;     /* the main output PATH[:LAYER] (or PG:...); "-": standard
				   output; NULL: none (a verb that always writes one says
				   what it does then) */
	geo_output_opts out;    /* format of output, overwrite (of every output), and the
				   inputs no output may replace */
	int json;               /* the report as one JSON object */
	int verbose;            /* a fuller report */
	int strict;             /* a verb with a "strict" rule of its own keeps it (see its opts) */
} geo_common_opts;
/* Sets every field to its default: all NULL and 0, the window's date field. */
void geo_common_opts_init(geo_common_opts *o);

/*
** An output dataset, written to a temporary name beside the target and
** renamed into place by geo_output_commit; never over a file that appeared
** meanwhile, nor over a GeoPackage or SpatiaLite file another program has
** open. geo_output_close without commit removes everything written. A layer
** named in an existing GeoPackage or SpatiaLite file (PATH:LAYER) is
** written in place instead, in one transaction under SQLite's write lock
** (writer.c), so a failure leaves the file as it was; the outputs of one
** context that name the same file share that transaction, which commits
** with the last of them. Standard output ("-" or NULL) goes through a
** temporary file too and is copied out by geo_output_commit: a failed run
** writes nothing there.
*/
typedef struct geo_output geo_output;

geo_output *geo_output_open(geo_ctx *ctx, const char *name, const geo_output_opts *o);
/*
** ogr2ogr's -nln: the output name that names LAYER in NAME, as -o NAME:LAYER
** would (PG:CONNINFO:TABLE, FILE.gpkg:LAYER), in a new string the caller
** frees. NULL, with *why set to a sentence, when NAME already names a layer
** or its format (format, or NAME's extension) holds no named layers.
*/
char *geo_output_name_layer(const char *name, const char *format, const char *layer,
			    const char **why);
/* Driver name chosen for the output (NULL for geo_output_open_file). */
const char *geo_output_driver(const geo_output *out);
/* The layer name from the output name, or NULL when it named none. */
const char *geo_output_layer_name(const geo_output *out);
int geo_output_is_stdout(const geo_output *out);
/* Creates a layer (name NULL: from the output name or file name). */
OGRLayerH geo_output_create_layer(geo_ctx *ctx, geo_output *out, const char *name,
				  const geo_crs *crs, OGRwkbGeometryType type);
GDALDatasetH geo_output_dataset(geo_output *out);
/* Writes a QGIS style (QML text) for a layer: into layer_styles for GeoPackage
** and SpatiaLite, as NAME.qml beside other files (layer NULL: beside a raster). */
geo_err geo_output_style(geo_ctx *ctx, geo_output *out, OGRLayerH layer, const char *qml);
geo_err geo_output_commit(geo_ctx *ctx, geo_output *out);
/*
** A raster output: the same naming, checks and atomic commit, but no dataset
** is created. The caller writes the file at geo_output_path (a temporary
** name beside the target) with GDALCreate or GDALCreateCopy, closes it, may
** add a style with geo_output_style(ctx, out, NULL, qml) (NAME.qml), and
** commits.
*/
geo_output *geo_output_open_raster(geo_ctx *ctx, const char *name, const geo_output_opts *o);
/*
** A file in a format of the caller's own (a map, a QGIS project), written
** like a raster: at geo_output_path, then committed. It has no driver. Like
** every output, a device or pipe is written through, a link to a file
** writes that file and a folder or a link to nothing is refused.
*/
geo_output *geo_output_open_file(geo_ctx *ctx, const char *name, const geo_output_opts *o);
const char *geo_output_path(const geo_output *out);
void geo_output_close(geo_output *out);

/* Writes feat to layer, converting a GEOS geometry in working CRS `from` to
** the layer's CRS (t may be NULL for none). */
geo_err geo_write_feature(geo_ctx *ctx, OGRLayerH layer, OGRFeatureH feat,
			  const GEOSGeometry *g, geo_transform *t);

/* ---- geometry (geom.c) -------------------------------------------------- */

/* OGR to GEOS and back; NULL with an error on failure. */
GEOSGeometry *geo_geom_from_ogr(geo_ctx *ctx, OGRGeometryH g);
OGRGeometryH geo_geom_to_ogr(geo_ctx *ctx, const GEOSGeometry *g);
/* 1 if every coordinate is finite. */
int geo_ogr_is_finite(OGRGeometryH g);
/* What is wrong with g's coordinates as a box's corners (x0, y0, x1, y1)
** show them: NULL when all are finite and within GEO_COORD_MAX, else a
** sentence in buf ("coordinate 1e+308 is beyond ±1e8 m ..."). */
const char *geo_coord_problem(double x0, double y0, double x1, double y1, char *buf, size_t size);
/* 1 when g is empty or within GEO_COORD_MAX everywhere. */
int geo_geom_within_limits(geo_ctx *ctx, const GEOSGeometry *g);

/* Validity: GEO_OK when valid; otherwise fills reason (GEOS's words) and the
** location, and returns GEO_PROBLEMS. */
geo_err geo_geom_validity(geo_ctx *ctx, const GEOSGeometry *g, char *reason,
			  size_t reason_size, double *x, double *y);
double geo_geom_area(geo_ctx *ctx, const GEOSGeometry *g);
double geo_geom_length(geo_ctx *ctx, const GEOSGeometry *g);
/* A point inside g (its interior point), for reports. */
geo_err geo_geom_inside_point(geo_ctx *ctx, const GEOSGeometry *g, double *x, double *y);
/* 1 for Polygon/MultiPolygon families, 2 lines, 3 points, 0 otherwise. */
int geo_geom_dimension_class(OGRwkbGeometryType t);

/* ---- spatial index (index.c) ------------------------------------------- */

/* An STRtree over borrowed geometries, with their prepared forms. */
typedef struct geo_index geo_index;

geo_index *geo_index_new(geo_ctx *ctx, GEOSGeometry *const *geoms, size_t n);
void geo_index_free(geo_index *idx);
/* Calls fn(i, data) for every geometry whose envelope meets g's. */
void geo_index_query(geo_index *idx, const GEOSGeometry *g,
		     void (*fn)(size_t i, void *data), void *data);
/* Indices of geometries whose envelope meets the box; returns the count and
** fills at most cap entries of out. */
size_t geo_index_query_box(geo_index *idx, double xmin, double ymin, double xmax,
			   double ymax, size_t *out, size_t cap);
const GEOSPreparedGeometry *geo_index_prepared(geo_index *idx, size_t i);
size_t geo_index_size(const geo_index *idx);

/* ---- the grid model (grid.c) ------------------------------------------- */

/*
** Grid codes: the 9-digit town code, then 3 digits of primary sequence, then
** 2 of secondary sequence: 120114105012, 12011410501203. Level 1 is primary,
** 2 secondary.
*/
enum { GEO_TOWN_CODE_LEN = 9, GEO_PRIMARY_CODE_LEN = 12, GEO_SECONDARY_CODE_LEN = 14 };
#define GEO_TOWN_CODE_DEFAULT "000000000"

/* The level a code has by its form: 1, 2, or 0 when malformed. */
int geo_grid_code_level(const char *code);
/* 1 if town is 9 digits. */
int geo_grid_town_code_ok(const char *town);
/* Writes a code into buf (size at least 15); returns GEO_ERR_USAGE when the
** sequence does not fit its digits. */
geo_err geo_grid_code_primary(char *buf, size_t size, const char *town, int seq);
geo_err geo_grid_code_secondary(char *buf, size_t size, const char *primary, int seq);
/* The primary code a secondary code implies (its first 12 digits). */
void geo_grid_code_parent(const char *code, char *buf, size_t size);

typedef struct geo_grid {
	char *id;               /* grid_id; "" if missing */
	char *parent_id;        /* parent_id; "" if none */
	char *name;             /* "" if none */
	int level;              /* 1, 2, or 0 if unknown */
	double households;      /* -1 if the layer has no such field */
	long long fid;          /* feature number, from 1 (see geo_input_number) */
	GEOSGeometry *geom;     /* in the working CRS; NULL if empty, missing or unreadable */
	OGRFeatureH feat;       /* all attributes, as read */
	char *unreadable;       /* why the geometry cannot be read (see keep_unreadable), or NULL */
} geo_grid;

typedef struct geo_grid_opts {
	const char *id_field;       /* default "grid_id" */
	const char *parent_field;   /* default "parent_id" */
	const char *level_field;    /* default "level" */
	const char *name_field;     /* default "name" */
	const char *households_field; /* default "households" */
	int keep_unreadable;        /* a geometry GEOS cannot read (an unclosed ring, a
				       non-finite coordinate) is kept as geom NULL with
				       `unreadable` set (grid-check reports it), instead of
				       failing the read; default 0 */
} geo_grid_opts;
void geo_grid_opts_init(geo_grid_opts *o);

/* A grid layer held in memory, in a working CRS. */
typedef struct geo_gridset {
	size_t n;
	geo_grid *grids;
	geo_crs *crs;           /* the working CRS of geom */
	geo_crs *source_crs;    /* the layer's own CRS */
	char *source;           /* the input name, for messages */
	OGRFeatureDefnH defn;   /* the layer's fields (a reference is held) */
	int has_households;
	GEOSContextHandle_t geos; /* the handle geom was made with */
} geo_gridset;

/*
** Reads a polygon layer as grids. The working CRS is `work` when given,
** otherwise the layer's working CRS. Features with missing geometry are kept
** with geom NULL; wrong geometry types are an input error, and so is a
** geometry GEOS cannot read unless o->keep_unreadable ("FILE: feature N
** (grid_id X): geometry cannot be read: ...").
*/
geo_gridset *geo_gridset_read(geo_ctx *ctx, const char *name, const geo_input_opts *in_opts,
			      const geo_grid_opts *o, const geo_crs *work);
void geo_gridset_free(geo_gridset *gs);
/* Index of the grid with this id, or -1. Linear; build your own map for many lookups. */
long geo_gridset_find(const geo_gridset *gs, const char *id);
/*
** Orders geoms west to east, north to south: rows are bands of the median
** grid height, from the north; within a row, by x of the interior point.
** Fills order[0..n) with indices.
*/
geo_err geo_grid_order(geo_ctx *ctx, GEOSGeometry *const *geoms, size_t n, size_t *order);

/* ---- grid-info (info.c, info_report.c) ---------------------------------- */

typedef struct geo_info_opts {
	geo_common_opts common; /* s_srs, where, json */
	geo_grid_opts grid;
} geo_info_opts;
void geo_info_opts_init(geo_info_opts *o);

/*
** Describes a dataset, or one layer of it: per layer its CRS, feature count,
** geometry types, extent and total area (m², in the working CRS); for grid
** layers (with an id field) also the count per level, malformed and duplicate
** codes and secondaries whose parent is not in the layer. It reports no
** progress.
*/
#define GEO_INFO_TYPES 8        /* geometry types counted per layer (the rest are not) */
#define GEO_INFO_LISTED 20      /* codes listed per kind of code problem (all are counted) */

/* Codes with one kind of problem. */
typedef struct geo_info_codes {
	char **codes;           /* the first GEO_INFO_LISTED (CSL list; NULL when none) */
	size_t n;               /* how many in all */
} geo_info_codes;

typedef struct geo_info_layer {
	char *name;             /* the layer's name */
	char *crs;              /* its CRS's name; "none" */
	char *work_crs;         /* the CRS areas and lengths are measured in; "" when none */
	size_t features;        /* features read (after common.where) */
	size_t empty;           /* of them without geometry */
	struct {
		const char *name; /* OGR's name ("POLYGON"; a static string of GDAL's) */
		size_t n;
	} types[GEO_INFO_TYPES]; /* geometry types in the order met */
	size_t ntypes;
	int has_extent;         /* extent is set: some feature has a geometry */
	double extent[4];       /* min x, min y, max x, max y in the layer's CRS */
	double area_m2;         /* total area of the polygons, in the working CRS */
	double length_m;        /* total length of the lines, in the working CRS */
	int is_grid;            /* the layer has the id field: the fields below are set */
	size_t level[3];        /* grids of unknown level, primaries, secondaries */
	geo_info_codes malformed;  /* codes of the wrong form for their level ("(empty)") */
	geo_info_codes duplicates; /* codes held by more than one grid, each once */
	geo_info_codes orphans;    /* secondaries whose parent is not in the layer */
} geo_info_layer;

typedef struct geo_info_result {
	char *dataset;          /* the dataset's name (a PG: password shown as ***) */
	geo_info_layer *layers; /* in the dataset's order (one with DATASET:LAYER) */
	size_t nlayers;
} geo_info_result;
geo_err geo_info(geo_ctx *ctx, const char *name, const geo_info_opts *o, geo_info_result **result,
		 geo_progress progress, void *progress_data);
geo_err geo_info_report(const geo_info_result *r, int json, FILE *f);
void geo_info_result_free(geo_info_result *r);

/* ---- grid-check (coverage.c) ------------------------------------------- */

/*
** Whether grids tile a town exactly (横向到边: no gap, no overlap, nothing
** outside), nest in their primaries (纵向到底) and hold every point once.
** The geometry is checked exactly: the rings of all grids, the town and the
** primaries form one planar arrangement whose faces are classified by the
** grids covering them (see arrange.c for how the work is confined to where
** it can differ from a perfect tiling). Edges within GEO_CHECK_EPS of each
** other count as one edge, so grids whose shared edges are not vertex-matched
** are fine. Each problem is reported once, with its area in m² in the
** working CRS and a point inside it.
*/
#define GEO_CHECK_EPS 1e-6      /* metres */
/* A gap thinner than --sliver is reported as a sliver even under --min-area
** when it is at least this wide on average (2A/P, metres). */
#define GEO_CHECK_SLIVER_WIDTH 1e-3

typedef enum geo_problem_type {
	GEO_PROBLEM_GAP,                /* in the town, no grid */
	GEO_PROBLEM_OVERLAP,            /* two or more grids */
	GEO_PROBLEM_OUTSIDE,            /* a grid outside the town (spill) */
	GEO_PROBLEM_NOT_NESTED,         /* a secondary outside its primary, or parent_id wrong */
	GEO_PROBLEM_PARENT_MISSING,     /* parent_id names no primary */
	GEO_PROBLEM_INVALID,            /* invalid geometry (GEOS's reason) */
	GEO_PROBLEM_DUPLICATE_ID,       /* several grids with one code */
	GEO_PROBLEM_BAD_ID,             /* a code of the wrong form or level */
	GEO_PROBLEM_MULTIPART,          /* a grid in pieces */
	GEO_PROBLEM_SLIVER,             /* a grid or gap thinner than --sliver */
	GEO_PROBLEM_EMPTY,              /* a grid without geometry */
	GEO_PROBLEM_UNPLACED_POINT,     /* a point in no grid */
	GEO_PROBLEM_MULTIPLY_PLACED_POINT, /* a point in two or more grids */
	GEO_PROBLEM_TYPES
} geo_problem_type;

/* The type's name in reports: "gap", "multiply_placed_point", ... */
const char *geo_problem_name(geo_problem_type t);
/* The same for people, in the reader's language (缝隙(gap) under zh_CN; the
** name itself in English): text reports, never JSON or layers. */
const char *geo_problem_label(geo_problem_type t);

typedef struct geo_problem {
	geo_problem_type type;
	char **grids;           /* codes involved (CSL list; NULL when none) */
	long *index;            /* their indices in the checked grid set (-1 for primaries) */
	size_t ngrids;
	double area_m2;         /* NAN for problems without an area */
	double x, y;            /* a point inside it in the grids' CRS; NAN when none */
	double wx, wy;          /* the same point in the working CRS */
	char *detail;           /* one line of explanation, in English (JSON, layers) */
	const char *detail_local; /* the same in the reader's language, for text
				   ** reports; points into detail's allocation */
	GEOSGeometry *geom;     /* the region (working CRS) for area problems, else NULL */
} geo_problem;

typedef struct geo_check_result {
	size_t grids;           /* grids checked */
	size_t points;          /* points checked */
	size_t n;
	geo_problem *problems;  /* sorted by type, then place */
	size_t count[GEO_PROBLEM_TYPES];
	size_t tolerated;       /* gaps, overlaps, spill and nesting pieces under min_area */
	double tolerated_m2;
	char **changes;         /* --fix: one line per change (CSL list), in English */
	char **changes_local;   /* the same in the reader's language, for text reports */
	size_t nchanges;
	struct geo_check_result *after; /* --fix: the check of the repaired grids */
	int decimals;           /* of x and y in reports: 1 for metres, 7 for degrees */
	GEOSContextHandle_t geos;
} geo_check_result;

/* Which code scheme grid-check holds grid codes to. Any scheme must give
** every grid a code of its own; the wangge scheme also wants town 9 + primary
** 3 (+ secondary 2) digits at the level the grid declares. */
typedef enum geo_code_scheme { GEO_CODES_ANY, GEO_CODES_WANGGE } geo_code_scheme;

typedef struct geo_check_opts {
	geo_common_opts common; /* s_srs; where (on GRIDS); work_srs (NULL: GRIDS' working
				   CRS); t_srs (NULL: GRIDS' own); window (on the points);
				   output: write the problems here, or NULL */
	geo_grid_opts grid;     /* field names, also used for PRIMARY */
	const char *boundary;   /* TOWN: the polygon(s) the grids must tile, or NULL */
	const char *parents;    /* PRIMARY: the grids GRIDS must nest in, or NULL */
	const char *const *points; /* NULL-terminated point layers, or NULL */
	double min_area;        /* m²: smaller gaps, overlaps and spill are tolerated (1) */
	double sliver;          /* thinness 4πA/P² below which a grid or gap is a sliver (0.01) */
	geo_code_scheme codes;  /* GEO_CODES_ANY: present and unique (default) */
	const char *fix;        /* --fix: write a repaired copy of GRIDS here, or NULL */
	double snap;            /* --fix: snap vertices within this distance (m); 0: none */
} geo_check_opts;
void geo_check_opts_init(geo_check_opts *o);

/*
** Checks the grid layer `grids` as o says, writes -o and --fix outputs, and
** fills *result (free with geo_check_result_free). Returns GEO_OK when nothing
** is wrong, GEO_PROBLEMS when problems were found (also after a successful
** --fix), or an error code.
*/
geo_err geo_check(geo_ctx *ctx, const char *grids, const geo_check_opts *o,
		  geo_check_result **result, geo_progress progress, void *progress_data);
/*
** The geometric and code checks of grid sets already in memory, in the same
** working CRS: grids against town (a polygon or NULL) and parents (or NULL).
** Invalid geometries in grids are reported and replaced by GEOS's valid
** version. Returns GEO_OK, GEO_PROBLEMS or an error, as geo_check.
*/
geo_err geo_check_gridset(geo_ctx *ctx, geo_gridset *grids, const GEOSGeometry *town,
			  geo_gridset *parents, const geo_check_opts *o,
			  geo_check_result **result);
void geo_check_result_free(geo_check_result *r);
/* Writes the report to f as text (for people) or as DESIGN.md's JSON object. */
geo_err geo_check_report(const geo_check_result *r, int json, FILE *f);

/* ---- grid-place (place.c) ----------------------------------------------- */

/*
** The point placer: which grid holds a point, fast (millions of points a
** second, no GEOS call on the common path). The shared-edge rule, which does
** not depend on the grids' order: a point belongs to the grid for which the
** half-open crossing-number test (a ray towards +x; an edge counts when it
** spans the point's y with its lower end included and its upper end
** excluded, and the point is strictly left of it) is odd. So a point on an
** edge shared by two grids belongs to the grid on the edge's right, or above
** it when the edge is horizontal: a grid owns its left and bottom edges, not
** its right and top ones. A point no grid claims that way but that lies on
** some grid's boundary (the town's right and top boundary, the edge of a
** gap) belongs to the grid among those whose grid_id sorts first (strcmp);
** where grids overlap, the claimant whose grid_id sorts first wins too.
*/
typedef struct geo_placer geo_placer;
/* Borrows grids (must outlive the placer). Builds the index once. */
geo_placer *geo_placer_new(geo_ctx *ctx, const geo_gridset *grids);
void geo_placer_free(geo_placer *p);
/* Index into grids->grids of the one grid holding (x, y) (working CRS), by the
** shared-edge rule above, or -1 when no grid holds it. */
long geo_placer_locate(geo_placer *p, double x, double y);
/* The grids holding (x, y), for grid-check's "multiply placed" test: every
** grid whose interior holds the point; when none does, the one grid
** geo_placer_locate gives (or none). So a point on an edge shared by two
** grids counts once; only real overlaps count twice. Returns the count and
** fills at most cap indices (in the grids' order). */
size_t geo_placer_all(geo_placer *p, double x, double y, long *out, size_t cap);
/* geo_placer_locate for n points at once, into out[0..n): the same answers,
** faster for many points (their memory reads overlap). */
void geo_placer_locate_many(geo_placer *p, size_t n, const double *x, const double *y,
			    long *out);

/* How a line or polygon is placed; points always go to the grid holding them. */
typedef enum geo_place_mode {
	GEO_PLACE_LARGEST,      /* the grid holding most of its length or area */
	GEO_PLACE_CENTROID,     /* the grid holding its centroid */
	GEO_PLACE_SPLIT         /* cut at grid limits: one piece per grid */
} geo_place_mode;

typedef struct geo_place_opts {
	geo_common_opts common; /* s_srs; where and window (on the features); work_srs
				   (NULL: the grids'); t_srs (NULL: the features', the
				   summary's: the grids'); output: the features with codes
				   ("-": standard output; NULL: none); strict: features
				   left unplaced make the result GEO_PROBLEMS; verbose:
				   timings in the text report */
	geo_grid_opts grid;     /* field names of the grid layer */
	const char *parents;    /* primary grids, for parent_id by geometry; NULL */
	const char *copy_fields; /* comma-separated grid fields copied to features; NULL */
	geo_place_mode mode;
	double max_distance;    /* metres: unplaced features this near a grid go to it; 0: off */
	const char *unplaced;   /* where to write the features left unplaced; NULL */
	const char *summary;    /* the per-grid table (CSV or vector with grid geometry); NULL */
	const char *sum_fields; /* comma-separated numeric fields summed per grid; NULL */
	const char *count_by;   /* field whose values each get a count column; NULL */
} geo_place_opts;
void geo_place_opts_init(geo_place_opts *o);

/*
** Places every feature of `features` on the grids of `grids` and writes them
** with grid_id and parent_id (and any --copy-fields) added to common.output,
** the per-grid summary to o->summary, and the unplaced features to
** o->unplaced. Features stream through: memory holds the grids, not the
** features. A grid layer with both levels places on the secondaries. On
** success *result holds the counts (free with geo_place_result_free), also
** when the verb returns GEO_PROBLEMS (common.strict and some features left
** unplaced); on an error it is NULL.
*/
/* A feature that lay in no grid and went to one within max_distance. */
typedef struct geo_place_near {
	long long feature;      /* its FID */
	char *grid_id;          /* the grid it went to */
	double distance_m;      /* how far it lay from that grid */
} geo_place_near;

typedef struct geo_place_result {
	char *features_file;    /* the features' name, as given */
	char *grids_file;       /* the grid layer's source */
	size_t grids;           /* grids placed on */
	int level;              /* their level: 1 or 2 (0 when there are none) */
	int both_levels;        /* the layer held both levels: placed on its secondaries */
	geo_place_mode mode;    /* how lines and polygons were placed */
	double max_distance;    /* metres; 0: off */
	long long features;     /* features read */
	long long points, lines, polygons; /* features of each kind */
	long long no_geometry;  /* features without geometry (left unplaced) */
	long long placed;       /* features with some piece in a grid */
	long long unplaced;     /* features in no grid */
	long long near;         /* pieces that went to a grid within max_distance */
	long long written;      /* features, or split pieces, written to output */
	long long outside_pieces; /* split pieces lying in no grid */
	size_t nunplaced_listed;
	long long *unplaced_listed; /* FIDs of the first unplaced features (20 at most) */
	size_t nnear_listed;
	geo_place_near *near_listed; /* the first near placements (20 at most) */
	char *output;           /* the features written with codes ("-": standard output), or NULL */
	char *summary;          /* the per-grid table written, or NULL */
	char *unplaced_output;  /* the unplaced features written, or NULL */
	int timed;              /* common.verbose: the report shows the timings */
	double seconds_grids;   /* reading the grids */
	double seconds_features; /* placing the features */
} geo_place_result;

geo_err geo_place(geo_ctx *ctx, const char *grids, const char *features,
		  const geo_place_opts *o, geo_place_result **result, geo_progress progress,
		  void *progress_data);
/* Writes the report to f as text (for people) or as one JSON object;
** GEO_ERR_USAGE without a result, GEO_ERR_OUTPUT when f fails. */
geo_err geo_place_report(const geo_place_result *r, int json, FILE *f);
void geo_place_result_free(geo_place_result *r);

/*
** grid-place's rules for one whole feature at a time, for verbs that hold
** grids themselves (grid-diff places features on old and new grids with it):
** a point by the placer, a line or polygon by o->mode (largest by default;
** split counts as largest), within o->max_distance. Borrows grids (must
** outlive it); o may be NULL for the defaults. geo_feature_place sets *grid
** to the index into grids->grids of the grid g (working CRS) goes to, or -1.
*/
typedef struct geo_feature_placer geo_feature_placer;
geo_feature_placer *geo_feature_placer_new(geo_ctx *ctx, const geo_gridset *grids,
					   const geo_place_opts *o);
geo_err geo_feature_place(geo_feature_placer *fp, const GEOSGeometry *g, long *grid);
void geo_feature_placer_free(geo_feature_placer *fp);

/* ---- grid-heat (kde.c) -------------------------------------------------- */

/*
** Kernels. Each has a shape K(u) of u = d / radius that is 1 at u = 0 and 0
** for u >= 1 (the "raw" surface is the sum over points of weight x K):
**   quartic (1-u^2)^2, triangular 1-u, uniform 1, epanechnikov 1-u^2,
**   triweight (1-u^2)^3, gaussian (exp(-u^2 s) - exp(-s)) / (1 - exp(-s))
** with s = 4.5, that is a Gaussian of standard deviation radius/3, cut at
** three standard deviations and lowered so that it reaches 0 there.
** The density surface divides by the kernel's integral over the plane,
** geo_kernel_area = 2 pi r^2 * integral of K(u) u du over [0, 1], and is
** given per km^2, so it integrates to the total weight.
*/
typedef enum geo_kernel {
	GEO_KERNEL_QUARTIC, GEO_KERNEL_TRIANGULAR, GEO_KERNEL_UNIFORM, GEO_KERNEL_EPANECHNIKOV,
	GEO_KERNEL_TRIWEIGHT, GEO_KERNEL_GAUSSIAN
} geo_kernel;
typedef enum geo_heat_scale { GEO_HEAT_RAW, GEO_HEAT_DENSITY } geo_heat_scale;

/* Names as the tools spell them; returns 0 for an unknown name. */
int geo_kernel_from_name(const char *name, geo_kernel *k);
const char *geo_kernel_name(geo_kernel k);
/* K(u) as defined above. */
double geo_kernel_shape(geo_kernel k, double u);
/* The integral of K(d / radius) over the plane, in m^2 for radius in m. */
double geo_kernel_area(geo_kernel k, double radius);

/* A north-up raster grid: the top-left corner, pixel sizes (positive), size. */
typedef struct geo_raster_grid {
	double x0, y0, px, py;
	int width, height;
} geo_raster_grid;

/* Weighted points in the working CRS. */
typedef struct geo_heat_points {
	size_t n;
	const double *x, *y, *w; /* w NULL: every weight is 1 */
} geo_heat_points;

/*
** The surface of pts on grid, evaluated at pixel centres: raw, or density
** per km^2. out holds width x height values, rows from the top. Pixels with
** mask[i] == 0 (mask may be NULL) get nodata. Each pixel is summed over the
** points in their order in double precision, whatever the number of
** threads (0: one per processor), so the result is the same on any machine
** with IEEE doubles.
*/
geo_err geo_heat_surface(geo_ctx *ctx, const geo_heat_points *pts, const geo_raster_grid *grid,
			 geo_kernel kernel, geo_heat_scale scale, double radius, int threads,
			 const unsigned char *mask, float nodata, float *out,
			 geo_progress progress, void *progress_data);

#define GEO_HEAT_NODATA (-9999.0f)

typedef struct geo_heat_opts {
	geo_common_opts common; /* s_srs, work_srs, where; window (and its date field);
				   output: the raster; out.format: NULL (GTiff) or COG */
	double radius;          /* bandwidth in metres; required (> 0) */
	double pixel;           /* metres; 0: radius / 20 */
	geo_kernel kernel;      /* default quartic */
	geo_heat_scale scale;   /* default density */
	const char *weight_field; /* NULL: every point weighs 1 */
	const char *extent;     /* a polygon layer (the town); NULL */
	int has_te;             /* te holds xmin ymin xmax ymax in the working CRS */
	double te[4];
	int threads;            /* 0: one per processor */
	const char *grids;      /* per-grid map: grid layer and output, or NULL */
	const char *grid_output;
	int compare_previous;
	geo_grid_opts grid;
	int allow_large;        /* allow a raster of over GEO_LARGE_PIXELS pixels */
} geo_heat_opts;
void geo_heat_opts_init(geo_heat_opts *o);

/* The per-grid map's figures (o->grids). */
enum { GEO_HEAT_TOP = 5 };
typedef struct geo_heat_grids {
	size_t grids;           /* grids written */
	size_t placed;          /* the window's points inside a grid */
	size_t unplaced;        /* the window's points outside every grid */
	int compared;           /* --compare-previous: the previous window was counted */
	char prev_label[64];    /* that window's label */
	size_t prev_placed;     /* its points inside a grid */
	size_t ntop;
	struct {
		char id[32];    /* the grid's code */
		size_t count;   /* its points in the window */
		double weight;  /* their weight */
	} top[GEO_HEAT_TOP];    /* the highest-ranked grids with any points */
} geo_heat_grids;

typedef struct geo_heat_result {
	char *output;           /* the raster written (common.output) */
	char *crs;              /* the name of its CRS, the working CRS */
	geo_raster_grid grid;   /* its pixels */
	geo_kernel kernel;
	double radius;          /* m */
	geo_heat_scale scale;
	const char *units;      /* the values' units in English (static; gettext msgid) */
	geo_window window;      /* the time window (kind GEO_WINDOW_ALL: none) */
	char *date_field;       /* the field the window reads; NULL when there is none */
	size_t read;            /* points read (that passed --where) */
	size_t in_window;       /* of those, points in the window */
	double weight;          /* their total weight */
	size_t no_date, no_weight, no_geometry; /* features left out for each reason */
	size_t beyond;          /* points in the window too far from the raster to touch it */
	double max;             /* the surface's largest value, in units */
	double inside;          /* the weight inside the raster (the surface's integral) */
	size_t nodata_pixels;   /* pixels outside the town (--extent) */
	char *grid_output;      /* the per-grid map ("-": standard output), or NULL */
	geo_heat_grids grids;   /* its figures when grid_output is set */
	double seconds[3];      /* reading, the surface, writing */
} geo_heat_result;

/*
** Reads the points of the window, writes their surface to common.output as a
** tiled, compressed Float32 GeoTIFF with overviews (or a COG) in the
** working CRS with a .qml colour ramp beside it, and, when o->grids is set,
** a per-grid map. The result holds the figures the report gives. An empty
** window gives an all-zero raster and says so.
*/
geo_err geo_heat(geo_ctx *ctx, const char *points, const geo_heat_opts *o, geo_heat_result **result,
		 geo_progress progress, void *progress_data);
geo_err geo_heat_report(const geo_heat_result *r, int json, FILE *f);
void geo_heat_result_free(geo_heat_result *r);

/* ---- grid-split (split.c, split_report.c) ------------------------------- */

/*
** grid-split: splits a town into primary grids inside village limits and
** secondary grids inside primaries, balanced by households, contiguous,
** compact, with limits along roads, rivers and village limits (the balanced
** method); or into regular square or hexagon cells clipped to the town.
** docs/grid-split.md describes the algorithm.
*/
typedef enum geo_split_method {
	GEO_SPLIT_BALANCED,     /* atoms, METIS, local search (the default) */
	GEO_SPLIT_SQUARE,       /* PostGIS ST_SquareGrid cells clipped to the town */
	GEO_SPLIT_HEX           /* PostGIS ST_HexagonGrid cells clipped to the town */
} geo_split_method;

enum { GEO_SPLIT_MAX_BARRIERS = 16 };

typedef struct geo_split_opts {
	geo_common_opts common;     /* s_srs, t_srs, work_srs; where (on the town layer);
				       output: the grids (NULL or "-": GeoJSON on standard
				       output) */
	const char *households;     /* point layer to balance; NULL for regular cells */
	const char *weight_field;   /* NULL: every household point weighs 1 */
	const char *persons_field;  /* summed into `persons` when present; default "persons" */
	const char *barriers[GEO_SPLIT_MAX_BARRIERS]; /* line (or polygon) layers */
	int nbarriers;
	const char *barrier_class;  /* field giving each barrier's class, or NULL */
	const char *villages;       /* polygon layer of village limits, or NULL */
	const char *village_name;   /* default "name" */
	int primary_by_villages;    /* one primary per village (per part of it) */
	int primaries;              /* GEO_SPLIT_AUTO: one per village */
	int secondaries;            /* total; GEO_SPLIT_AUTO: from max_households */
	double max_households;      /* per secondary instead of `secondaries`; AUTO: 200 when
				       secondaries is AUTO too */
	geo_split_method method;
	double cell_size;           /* square/hex: metres */
	double origin_x, origin_y;  /* square/hex: grid origin in the working CRS; default 0 0 */
	double tolerance;           /* allowed deviation from the target, fraction; default 0.10 */
	double atom_fraction;       /* largest atom, as a fraction of a secondary's target */
	const char *town_code;      /* 9 digits; NULL: the town feature's own (its field
				       geo_ctx_town_field), else GEO_TOWN_CODE_DEFAULT */
	unsigned long seed;         /* same inputs and seed, same output bytes; default 1 */
	const char *keep_codes_from; /* old grids whose codes to reuse, or NULL */
	const char *keep_from;      /* partial redraw: the current grids (both levels); every
				       grid not redrawn is kept exactly, geometry and code */
	const char *redraw;         /* with keep_from: village names, comma-separated, whose
				       primaries and secondaries are redrawn */
	const char *redraw_grids;   /* with keep_from: grid codes, comma-separated: a primary
				       is redrawn with its secondaries; secondaries of one
				       kept primary are redrawn among themselves */
	const char *report_table;   /* per-grid table (CSV, XLSX...) to write, or NULL */
	int allow_large;            /* allow over GEO_LARGE_CELLS cells over the town's extent */
} geo_split_opts;

#define GEO_SPLIT_AUTO 0
#define GEO_SPLIT_MAX_HOUSEHOLDS 200 /* per secondary when no count is given */
void geo_split_opts_init(geo_split_opts *o);

/*
** Splits the polygon of `town` (a layer of one or more features forming one
** valid polygon) and writes the grids to common.output (NULL or "-": GeoJSON
** on standard output): layers `primary` and `secondary` in GeoPackage and
** SpatiaLite, one layer told apart by `level` otherwise. The result holds
** the grids' quality figures, rendered by geo_split_report. Households
** outside the town, and grids outside the tolerance, are reported, not errors.
*/
#define GEO_SPLIT_LISTED 10     /* households outside the town listed by feature number */
#define GEO_SPLIT_WORST 5       /* secondaries listed as the furthest from the floors */

/* The grids one level of a split made (kept grids not counted). */
typedef struct geo_split_level {
	size_t count;           /* grids */
	double weight_min, weight_max; /* households (or weight_field) of a grid; 0 when none */
	double max_deviation;   /* largest |weight - target| / target, a fraction */
	size_t outside_tolerance; /* grids whose deviation exceeds o->tolerance */
	double compactness_min, compactness_median; /* Polsby-Popper 4πA/P²; 0 when none */
	size_t holes;           /* interior rings of its grids */
} geo_split_level;

/* One grid written, kept grids of a partial redraw included. */
typedef struct geo_split_grid {
	char *grid_id;          /* its code */
	char *name;             /* its name ("" when none) */
	int level;              /* 1 or 2 */
	int kept;               /* a partial redraw kept it: the limit figures are not set */
	double households;      /* household points in it; -1 when no households were given */
	double persons;         /* their persons (has_persons) */
	double area_m2;         /* in the working CRS */
	double compactness;     /* Polsby-Popper */
	double deviation;       /* (weight - target) / target, signed */
	double limit_m;         /* length of its limit (balanced method) */
	double on_roads_m, on_rivers_m, on_village_m, on_town_m; /* of it along roads, rivers,
				   village limits, the town boundary (or kept grids' limits) */
	double free;            /* share of its limit that follows nothing, 0-1 */
} geo_split_grid;

/* A secondary whose households are outside the tolerance of its target. */
typedef struct geo_split_exception {
	char *grid_id;
	double weight, target;  /* households (or weight_field) and its target */
	double deviation;       /* (weight - target) / target, signed */
	int single_building;    /* one household point holds much of the target */
} geo_split_exception;

/* A secondary among the furthest from what a planner accepts: the sum of its
** deviation over the tolerance, 0.20 over its Polsby-Popper and its free
** limit's share over one half (each 1 at its floor). */
typedef struct geo_split_worst {
	size_t grid;            /* index into grids */
	double score;           /* that sum */
	int mostly;             /* its largest term: 0 households, 1 shape, 2 free limit */
} geo_split_worst;

typedef struct geo_split_result {
	geo_split_method method;
	double cell_size;       /* square and hex: the cells' size, m */
	size_t atoms;           /* balanced: the atoms the grids are made of */
	size_t blocks_split;    /* balanced: blocks cut into several atoms */
	size_t villages;        /* village limits read */
	int redraw_level;       /* a partial redraw: 1 (primaries and their secondaries) or 2
				   (secondaries); 0: a whole split */
	size_t redrawn[2];      /* a partial redraw: old primaries, secondaries redrawn */
	size_t kept[2];         /* a partial redraw: old primaries, secondaries kept */
	geo_split_level primary, secondary; /* the grids made */
	size_t points;          /* household points read (0: none given) */
	size_t outside;         /* of them outside the town (or the redrawn area) */
	long long outside_fid[GEO_SPLIT_LISTED]; /* the first of those, by feature number */
	double households;      /* households in the primaries made */
	double persons;         /* their persons (has_persons) */
	int has_persons;        /* the households have o->persons_field */
	char *weight_field;     /* o->weight_field, or NULL: a household weighs 1 */
	double weight;          /* the households' total weight inside */
	double tolerance;       /* o->tolerance, a fraction */
	double max_households;  /* balanced: the per-secondary figure its counts came from
				   (--max-households or its default); 0: --secondary gave them */
	size_t over_max;        /* secondaries above max_households (within the tolerance) */
	geo_split_exception *exceptions; /* balanced: secondaries outside the tolerance */
	size_t nexceptions;
	double internal_m;      /* balanced: secondaries' limits inside the town, m */
	double along_m;         /* of them along roads, rivers and village limits */
	double sec_limit_m;     /* balanced: the secondaries' limits in all, m, and of them */
	double sec_on_roads_m, sec_on_rivers_m, sec_on_village_m, sec_on_town_m; /* along ... */
	geo_split_grid *grids;  /* every grid written, by level then code */
	size_t ngrids;
	geo_split_worst worst[GEO_SPLIT_WORST]; /* balanced: worst first */
	size_t nworst;
	double seconds;         /* the run's time */
	char *output;           /* the grids written (common.output), or NULL: standard output */
	char *table;            /* the per-grid table written (o->report_table), or NULL */
} geo_split_result;
geo_err geo_split(geo_ctx *ctx, const char *town, const geo_split_opts *o, geo_split_result **result,
		  geo_progress progress, void *progress_data);
geo_err geo_split_report(const geo_split_result *r, int json, FILE *f);
void geo_split_result_free(geo_split_result *r);

/* ---- grid-diff (diff.c) ------------------------------------------------- */

/*
** Overlay and one-to-one matching of two grid sets (match.c), shared by
** grid-diff and grid-split --keep-codes-from. Both sets must be in the same
** working CRS (read the second with the first's crs as `work`).
*/
typedef struct geo_overlap {
	size_t a, b;            /* index into the first and into the second set */
	double area;            /* m² of their intersection */
	GEOSGeometry *geom;     /* the intersection (MultiPolygon) when kept, else NULL */
} geo_overlap;

typedef struct geo_overlay {
	size_t n;
	geo_overlap *pairs;     /* ordered by a, then b */
	double *area_a, *area_b; /* m² of every grid of each set (0 without geometry) */
	GEOSContextHandle_t geos;
} geo_overlay;

/*
** Every pair of a grid of a and a grid of b whose intersection is larger than
** min_area m² (0: any positive area), measured exactly with GEOS. keep_geoms
** keeps the intersections. Returns NULL with an error when a grid cannot be
** intersected even after repair, or when the sets' working CRS differ.
*/
geo_overlay *geo_overlay_new(geo_ctx *ctx, const geo_gridset *a, const geo_gridset *b,
			     double min_area, int keep_geoms, geo_progress progress,
			     void *progress_data);
void geo_overlay_free(geo_overlay *ov);
/*
** The one-to-one match: b_to_a[j] is the grid of a that grid j of b matches,
** or -1. A pair matches when their intersection holds at least `threshold`
** (a fraction in (0, 1]; grid-diff's default 0.5) of both grids' areas. Above
** one half a grid can qualify with one partner only; otherwise the pair with
** the larger smaller share wins, then the pair of lower codes (grid_id of a,
** then of b), one to one; so the match does not depend on the grids' order.
** ov must be the overlay of a and b.
*/
geo_err geo_overlay_match(geo_ctx *ctx, const geo_overlay *ov, const geo_gridset *a,
			  const geo_gridset *b, double threshold, long *b_to_a);
/* Overlay and match in one call: new_to_old[j] (new_grids->n entries) is the
** index of the old grid new grid j matches one to one, or -1. */
geo_err geo_match_grids(geo_ctx *ctx, const geo_gridset *old_grids, const geo_gridset *new_grids,
			double threshold, long *new_to_old);

/*
** grid-diff compares OLD and NEW grids of one level. Grids are gathered into
** groups: an old grid and the new grid holding more than half of it, a new
** grid and the old grid giving more than half of it, are in one group (and
** so, transitively, are their other such partners). A group of one old and
** one new grid is unchanged (each differs from the other by at most
** min_area m²) or reshaped; one old and several new is a split, several old
** and one new a merge, several of each regrouped; an old grid alone was
** removed, a new grid alone is new.
**
** A grid's code is its identity in the ledgers (台账): area and features in a
** new grid whose code differs from their old grid's have moved, and are the
** hand-over. Grids that match one to one by area (geo_overlay_match at
** keep_threshold) but carry different codes are code changes; --keep-codes
** (or grid-split --keep-codes-from) gives NEW the old codes so they vanish.
*/
typedef enum geo_diff_class {
	GEO_DIFF_UNCHANGED, GEO_DIFF_RESHAPED, GEO_DIFF_SPLIT, GEO_DIFF_MERGED,
	GEO_DIFF_REGROUPED, GEO_DIFF_NEW, GEO_DIFF_REMOVED, GEO_DIFF_NCLASSES
} geo_diff_class;
/* "unchanged", "reshaped", "split", "merged", "regrouped", "new", "removed". */
const char *geo_diff_class_name(geo_diff_class c);

/*
** Who keeps each grid, as the verbs that hand lists to grid workers find it
** (grid-diff's hand-over, grid-list's inspection lists): the grid layer's
** worker and phone fields, and a roster that wins where it names a grid (see
** geo_diff_staff below for the columns a roster is read by).
*/
typedef struct geo_staff_opts {
	const char *worker_field;   /* grid worker's name; default "worker" */
	const char *phone_field;    /* grid worker's phone; default "phone" */
	const char *roster;         /* table of grid workers by code, or NULL */
} geo_staff_opts;
void geo_staff_opts_init(geo_staff_opts *o);

typedef struct geo_diff_opts {
	geo_common_opts common;     /* s_srs; work_srs (NULL: OLD's working CRS); t_srs (of
				       output; NULL: OLD's); where (on OLD and NEW); window
				       (on the features); output: the moved pieces as
				       polygons, or NULL */
	geo_grid_opts grid;
	geo_staff_opts staff;       /* roster: NEW's grid workers */
	const char *old_roster;     /* the same for OLD, or NULL */
	double min_area;            /* m²: shape tolerance, smallest overlap counted; default 1 */
	double keep_threshold;      /* share of both areas for the one-to-one match; 0.5 */
	const char *const *features; /* NULL-terminated feature inputs, or NULL */
	const char *const *moves;   /* NULL-terminated hand-over lists (a table in any OGR
				       format; .xlsx: a sheet per receiving worker; .pdf: a
				       printable list), or NULL */
	const char *font;           /* Pango family of the PDF list; default "Noto Sans CJK SC" */
	const char *keep_codes;     /* NEW with the codes of the old grids it matches, or NULL */
} geo_diff_opts;
void geo_diff_opts_init(geo_diff_opts *o);

typedef struct geo_diff_group {
	geo_diff_class cls;
	size_t nold, nnew;
	size_t *old_idx, *new_idx;  /* into the grid sets, ordered by code */
} geo_diff_group;

/* A feature whose grid code changes: old_grid/new_grid index the grid sets,
** -1 where the feature lies outside them. */
typedef struct geo_diff_move {
	size_t layer;
	long long fid;              /* feature number, from 1 (see geo_input_number) */
	long old_grid, new_grid;
	char *label;                /* what the feature is called: its name, address or id
				       (and village), or "#FID" */
} geo_diff_move;

/*
** What the hand-over says of a grid besides its code: its name, its grid
** worker and the worker's phone ("" when unknown). They come from the grid
** layer's fields (grid.name_field, worker_field, phone_field) and, where a
** roster names the grid, from the roster, which wins: a roster is any table
** OGR reads (CSV, XLSX, a GeoPackage table) with a column of grid codes
** (grid_id, grid_code, code, 网格编码, 网格编号, 网格代码, 编码 or the
** --id-field), of workers (worker, grid_worker, 网格员, 网格员姓名, 姓名 or
** worker_field) and optionally of phones (phone, tel, mobile, 电话, 联系电话,
** 手机, 手机号, 手机号码 or phone_field) and grid names (grid_name, name,
** 网格名称, 网格名 or the name field); headers match without regard to case
** or surrounding spaces, and every cell is read as text.
*/
typedef struct geo_diff_staff {
	char *name, *worker, *phone;
} geo_diff_staff;

typedef struct geo_diff_layer {
	char *name;                 /* the layer's name */
	char *source;               /* the input as the user named it */
	size_t features, empty;     /* features read; of them without geometry */
	size_t outside_old, outside_new; /* features in no grid of OLD, of NEW */
	size_t moved;
	size_t *count_old, *count_new; /* features per grid of OLD, of NEW */
} geo_diff_layer;

typedef struct geo_diff_result {
	geo_gridset *old_grids, *new_grids;
	int level;                  /* 1, 2, or 0 when the grids say none */
	geo_overlay *overlay;       /* every overlap larger than min_area */
	long *new_to_old, *old_to_new; /* the one-to-one match, -1 for none */
	size_t ngroups;
	geo_diff_group *groups;     /* ordered by their first code */
	size_t classes[GEO_DIFF_NCLASSES]; /* groups per class */
	double *outside_new;        /* per old grid: m² not covered by NEW */
	double *outside_old;        /* per new grid: m² not covered by OLD */
	double area_old, area_new;  /* m² of all grids */
	double moved_m2;            /* m² of overlaps between grids of different codes */
	double outside_new_m2, outside_old_m2; /* totals of the above */
	size_t code_changes;        /* matched grids whose codes differ */
	size_t codes_kept, codes_renumbered; /* --keep-codes: old codes given, fresh codes made */
	char *worker_field;         /* the worker field's name */
	int has_workers;            /* a worker is known for some grid of either set */
	int has_phones;             /* a phone is known for some grid of either set */
	geo_diff_staff *old_staff, *new_staff; /* per grid of OLD, of NEW */
	size_t nlayers;
	geo_diff_layer *layers;
	size_t nmoves;
	geo_diff_move *moves;       /* in input order, layer by layer */
	int changed;                /* anything but unchanged grids with the same codes */
	int verbose;                /* the run's common.verbose: the text report lists every
				       pair and the per-grid counts */
} geo_diff_result;

/*
** Compares the grids OLD and NEW (NEW is transformed into OLD's working CRS),
** places the feature layers on both, and writes the outputs named in o. On
** success *result holds the comparison (free with geo_diff_result_free) and
** the return is GEO_OK when nothing changed, GEO_PROBLEMS when something did.
** Mixed levels (within a set or between them) are an input error.
*/
geo_err geo_diff(geo_ctx *ctx, const char *old_name, const char *new_name,
		 const geo_diff_opts *o, geo_diff_result **result, geo_progress progress,
		 void *progress_data);
void geo_diff_result_free(geo_diff_result *r);
/* The worker's name of grid i of gs ("" when none). */
const char *geo_diff_worker(const geo_diff_result *r, const geo_gridset *gs, size_t i);
/* The name, worker and phone of grid i of gs (r's old or new grids). */
const geo_diff_staff *geo_diff_staff_of(const geo_diff_result *r, const geo_gridset *gs, size_t i);
/* 1 when old grid old_i and new grid new_j (either -1: none) have one code. */
int geo_diff_same_code(const geo_diff_result *r, long old_i, long new_j);
/* Writes the report to f: text (r->verbose adds every pair and the per-grid
** counts) or one JSON object. GEO_ERR_INTERNAL when out of memory. */
geo_err geo_diff_report(const geo_diff_result *r, int json, FILE *f);

/* ---- grid-map (map.c, qgs.c) ------------------------------------------ */

/*
** How a layer is drawn. GEO_MAP_AUTO decides from the data: points are
** points, lines are lines; a polygon layer named township, town or boundary
** is the town boundary, one with a level field is grids (level 1 thick, 2
** thin), one named primary or secondary is that level, one with a grid_id
** field is secondary grids, and any other is filled areas (ponds).
*/
typedef enum geo_map_kind {
	GEO_MAP_AUTO, GEO_MAP_GRIDS, GEO_MAP_PRIMARY, GEO_MAP_SECONDARY, GEO_MAP_BOUNDARY,
	GEO_MAP_AREAS, GEO_MAP_LINES, GEO_MAP_POINTS
} geo_map_kind;

/* One LAYER argument: "[KIND[,TITLE]=]PATH[:LAYER]". */
typedef struct geo_map_layer {
	const char *name;       /* the input name, as geo_input_open takes it */
	geo_map_kind kind;
	const char *title;      /* legend text; NULL: a default for the kind */
} geo_map_layer;

/* Parses a LAYER argument into *l, which borrows from (and lives no longer
** than) arg and buf; buf (at least strlen(arg)+1 bytes) holds the pieces.
** The prefix counts only when KIND is one of grids, primary, secondary,
** boundary, areas, lines, points, so a path holding '=' still works. */
geo_err geo_map_layer_parse(geo_ctx *ctx, const char *arg, char *buf, geo_map_layer *l);
/* The kind's word as geo_map_layer_parse reads it ("auto" for GEO_MAP_AUTO). */
const char *geo_map_kind_name(geo_map_kind kind);

typedef enum geo_paper { GEO_PAPER_A4, GEO_PAPER_A3 } geo_paper;
typedef enum geo_orient { GEO_ORIENT_AUTO, GEO_ORIENT_PORTRAIT, GEO_ORIENT_LANDSCAPE } geo_orient;

typedef struct geo_map_opts {
	geo_common_opts common; /* s_srs, work_srs; where and window (on point layers only);
				   output: the map (.png, .svg or .pdf), or NULL;
				   out.format: "png", "svg", "pdf" (NULL: from the
				   extension) */
	const char *title;      /* top line, or NULL */
	const char *subtitle;   /* second line (the date range), or NULL */
	const char *label_field;    /* grid labels from this field, or NULL for none */
	const char *category_field; /* colour points by this field, or NULL */
	const char *fill_field;     /* colour grids by this numeric field, or NULL */
	const char *fill_title;     /* legend heading for fill_field; NULL: the field */
	int fill_good;              /* higher values are better (a score): red to green */
	const char *raster;         /* heat raster drawn beneath, or NULL */
	const char *raster_title;   /* legend heading; NULL: band description or file */
	const char *raster_units;   /* NULL: the band's unit type */
	const char *level_field;    /* default "level" */
	const char *font;       /* Pango family, default "Noto Sans CJK SC" */
	geo_paper paper;        /* default A4 */
	geo_orient orient;      /* default: the one that gives the larger scale */
	double dpi;             /* PNG resolution, default 200; 50..600 */
	const char *qgis_project;   /* also write a QGIS project here, or NULL */
} geo_map_opts;
void geo_map_opts_init(geo_map_opts *o);

/*
** Draws a printable map of layers (in order: polygons, then lines, then
** points; the raster beneath) to common.output (.png, .svg or .pdf), written
** as geo_output_open_file writes a file, and so is o->qgis_project; both are
** committed once both are written (the map first). common.output may be
** NULL when only a QGIS project is asked for. The scale bar and scale are
** ground distances: the working CRS's metres are corrected by the geodesic
** distance at the map's centre, so they hold in any projection. The result
** says what was drawn, the scale and the scale bar.
*/
typedef struct geo_map_drawn {
	char *name;             /* the layer as given (PATH[:LAYER]) */
	geo_map_kind kind;      /* as drawn: never GEO_MAP_AUTO */
	int dim;                /* 1 polygons, 2 lines, 3 points */
	size_t features;        /* features drawn */
} geo_map_drawn;

/* A grid label placed on the page. */
typedef struct geo_map_label {
	char *text;
	double x, y, w, h;      /* its box, mm on the page from the top left */
	double size;            /* the font's em, mm */
} geo_map_label;

typedef struct geo_map_result {
	char *output;           /* the map written, or NULL (only a QGIS project) */
	char *format;           /* "png", "svg" or "pdf"; NULL with no map */
	geo_paper paper;
	int landscape;          /* the orientation chosen */
	double dpi;             /* PNG resolution */
	int width_px, height_px; /* the PNG's size */
	char *crs;              /* the name of the working CRS the map is drawn in */
	double scale;           /* paper mm per CRS unit */
	double ground;          /* ground metres per CRS unit at the centre: the scale
				   denominator is 1000 * ground / scale */
	double px_per_mm;       /* PNG pixels per paper mm */
	double bar_m, bar_mm;   /* the scale bar: ground metres, paper mm */
	double north;           /* true north from the frame's vertical, radians */
	double frame[4];        /* the map frame on the page: x, y, w, h in mm */
	double window[4];       /* the world it shows: xmin ymin xmax ymax, CRS units */
	size_t nlayers;
	geo_map_drawn *layers;  /* in the order given */
	int labelled;           /* a label field was given */
	size_t labels_left_out; /* labels too small or overlapping */
	size_t nlabels;
	geo_map_label *labels;  /* the labels drawn */
	char *raster;           /* the raster drawn beneath, or NULL */
	double raster_max;      /* its largest value */
	char *raster_units;     /* its units in English ("" when none) */
	char *qgis_project;     /* the QGIS project written, or NULL */
	char *qgis_layout;      /* its print layout template (.qpt), or NULL */
} geo_map_result;
geo_err geo_map(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const geo_map_opts *o,
		geo_map_result **result, geo_progress progress, void *progress_data);
geo_err geo_map_report(const geo_map_result *r, int json, FILE *f);
void geo_map_result_free(geo_map_result *r);

/*
** Writes a QGIS project (.qgs) holding the layers (and o->raster) with their
** styles: for each layer the default style from its GeoPackage/SpatiaLite
** layer_styles table or the .qml beside it, else a simple one for its kind.
** Data sources are written relative to the project's folder. Written as
** geo_output_open_file writes a file: needs o->overwrite to replace one.
*/
geo_err geo_qgis_project(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const char *path,
			 const geo_map_opts *o);

/* ---- grid-assess (assess.c, assess_out.c, assess_report.c) -------------- */

/*
** The periodic assessment (月考评, 季汇报, 年终量化评比): for a period, one
** row per grid and one per grid worker, with the figures of the town's
** ledgers, a score and a rank, and the same for the period before. The
** rules of every figure are in docs/man/grid-assess.1; in short, for a
** period [start, end) whose last day is L:
**   households       household points in the grid
**   weeks            ISO weeks whose Thursday lies in the period
**   visited_weekly   households with a visit in every one of those weeks
**   household_weeks  (household, week) pairs with a visit; coverage_pct is
**                    household_weeks / (households x weeks)
**   visits           visits to the grid's households dated in the period
**   hazards_found    hazards dated in the period
**   hazards_closed   hazards whose closing day lies in the period
**   closed_on_time   of those, closed on or before their deadline
**   overdue          hazards found by L, not closed by L, deadline on or before L
**   cases_grid/_area/_town  cases dated in the period, by the level that solved them
**   cases_open       cases dated in the period that no level has solved
**   waters           ponds and ditches in the grid (the grid holding most of each)
**   waters_inspected of those, inspected before the flood season of L's year
**                    (1 January up to the day before flood_start, and by L)
**   score            0-100: 40 x coverage, 30 x closed_on_time
**                    / (hazards_closed + overdue), 20 x cases_grid / cases solved,
**                    10 x waters_inspected / waters; a part with nothing to count
**                    gets its full points
*/
typedef struct geo_assess_opts {
	geo_common_opts common; /* window: the period (required); s_srs, work_srs; output:
				   the tables (XLSX, or any format with several layers),
				   or NULL */
	const char *grids;      /* the grids; NULL: TOWN:secondary */
	const char *households, *hazards, *cases, *visits, *ponds, *ditches, *inspections;
				/* the ledgers; NULL: TOWN:households, ... TOWN:pond_inspections */
	const char *worker_field;   /* on the grids; default "worker" */
	const char *flood_start;    /* MM-DD, default "06-01" */
	const char *report;     /* the printable report (PDF); NULL */
	const char *title;      /* the report's title; NULL: the town layer's name or "grid-assess" */
} geo_assess_opts;
void geo_assess_opts_init(geo_assess_opts *o);

/*
** Assesses the grids of `town` (a dataset holding the layers named above)
** for common.window and the period before it, and writes common.output and
** o->report. The result holds the town's figures and each grid's, for both
** periods; geo_assess_report renders them as the summary.
*/
/* One row's figures for one period, by the rules above. */
typedef struct geo_assess_figures {
	long households;        /* households */
	long weeks;             /* weeks */
	long weekly;            /* visited_weekly */
	long hh_weeks;          /* household_weeks */
	long visits;            /* visits */
	long visits_made;       /* workers' rows: visits the worker recorded, in any grid */
	long found;             /* hazards_found */
	long closed;            /* hazards_closed */
	long on_time;           /* closed_on_time */
	long overdue;           /* overdue */
	long cases[4];          /* cases_grid, cases_area, cases_town, cases_open */
	long waters;            /* waters */
	long inspected;         /* waters_inspected */
	double score;           /* score, 0-100 */
	int rank;               /* by score among the rows of its table, from 1 */
} geo_assess_figures;

/* One grid's row. */
typedef struct geo_assess_row {
	char *grid_id;          /* its code */
	char *name;             /* its name ("" when none) */
	char *worker;           /* its worker (o->worker_field; "" when none) */
	geo_assess_figures now, previous; /* the period's figures, the period before's */
} geo_assess_row;

typedef struct geo_assess_result {
	char *period;           /* the period's label: 2021-W37, 2021-09, 2021-Q3, ... */
	char *previous;         /* the period before's label */
	size_t workers;         /* grid workers named on the grids */
	size_t visits;          /* visits read from the ledger (all periods) */
	geo_assess_figures town, town_previous; /* the whole town, both periods */
	geo_assess_row *rows;   /* one per grid, in the grid set's order */
	size_t nrows;           /* the grids assessed */
	double seconds_read;    /* reading the grids and ledgers */
	double seconds_figures; /* computing the figures of both periods */
	char *output;           /* the tables written (common.output), or NULL */
	char *report;           /* the printable report written (o->report), or NULL */
	int verbose;            /* the run's common.verbose: the text report has the timings */
} geo_assess_result;
geo_err geo_assess(geo_ctx *ctx, const char *town, const geo_assess_opts *o,
		   geo_assess_result **result, geo_progress progress, void *progress_data);
geo_err geo_assess_report(const geo_assess_result *r, int json, FILE *f);
void geo_assess_result_free(geo_assess_result *r);

/* ---- grid-cover (cover.c, cover_view.c, cover_out.c) -------------------- */

/*
** What cameras see. Each camera is a point with a mount height above the
** surface, a heading, a horizontal field of view, optionally a tilt and a
** vertical field of view, and a range. Its visible cells come from GDAL's
** viewshed (GDALViewshedGenerate, Wang 2000) on a window of the surface
** cropped to its range; wangge then keeps the cells inside the camera's
** sector and, with a tilt, between the near and far edges of its view.
** docs/grid-cover.md describes the whole tool.
*/

/* DORI levels of IEC 62676-4: pixels per metre at the target. */
typedef enum geo_dori {
	GEO_DORI_DETECTION, GEO_DORI_OBSERVATION, GEO_DORI_RECOGNITION, GEO_DORI_IDENTIFICATION
} geo_dori;
/* Names detection, observation, recognition, identification; 0 when unknown. */
int geo_dori_from_name(const char *name, geo_dori *d);
const char *geo_dori_name(geo_dori d);
/* 25, 62, 125 or 250 px/m. */
double geo_dori_density(geo_dori d);
/* The distance at which a sensor `pixels` wide behind a lens of horizontal
** field of view fov_deg (0 < fov < 180) still gives the level's density. */
double geo_dori_range(geo_dori d, double pixels, double fov_deg);

/* One camera in the working CRS. Angles in degrees: azimuth clockwise from
** north, fov the horizontal field of view (360: all round), tilt below the
** horizon and vfov the vertical field of view (used when has_tilt). */
typedef struct geo_camera {
	double x, y;
	double height;          /* above the surface at the camera, m */
	double azimuth, fov;
	int has_tilt;
	double tilt, vfov;
	double range;           /* m, > 0 */
} geo_camera;

/* The target height above the surface and the curvature coefficient GDAL's
** viewshed gets (gdal_viewshed's default -cc, standard refraction). */
#define GEO_COVER_CURVATURE 0.85714

/* 1 when the direction (dx east, dy north, in metres) from a camera lies in
** its horizontal sector; the camera's own position (0, 0) always does. */
int geo_camera_in_sector(const geo_camera *c, double dx, double dy);

/*
** The visible cells of camera c on surface z (g->width x g->height values,
** rows from the top, metres, in the CRS of WKT text wkt, whose ellipsoid
** GDAL takes for the earth's curvature; NULL: its mean earth diameter) for
** a target target_h above the surface: a
** window win[0..3] = column, row, width, height of g, and *vis (win[2] x
** win[3] bytes, the caller frees) with 1 where c sees the cell. Safe to call
** from several threads at once on the same surface; ctx records a failure
** only and must belong to the calling thread.
*/
geo_err geo_cover_view(geo_ctx *ctx, const geo_raster_grid *g, const float *z, const char *wkt,
		       const geo_camera *c, double target_h, unsigned char **vis, int win[4]);

/* Defaults by camera kind (the kind field's value), for fields that are absent or null. */
typedef struct geo_camera_kind {
	const char *name;       /* compared without case */
	double height, fov, range, lens_fov;
} geo_camera_kind;

typedef struct geo_cover_opts {
	geo_common_opts common; /* s_srs, work_srs, where (on the cameras); output: the
				   coverage raster; out.format: GTiff or COG; verbose:
				   every proposed camera in the report */
	const char *grids;      /* -g: grid polygons, or NULL */
	const char *dem;        /* elevation raster in the working CRS, or NULL (flat) */
	const char *obstacles;  /* building footprints, or NULL */
	const char *height_field;   /* the obstacles' height above ground; default height_m */
	double cell;            /* metres; 0: chosen from the extent (see cover.c) */
	double target_height;   /* metres above the surface; default 1.5 */
	double min_area;        /* blind spots smaller than this (m²) are dropped; default 100 */
	const char *summary;    /* per-grid table output, or NULL */
	const char *blind_spots;    /* blind-spot polygons output, or NULL */
	const char *roads, *households; /* for the per-grid table, or NULL */
	/* camera fields; NULL or absent: the kind's defaults */
	const char *height_f, *azimuth_f, *fov_f, *range_f, *tilt_f, *vfov_f, *kind_f,
		*resolution_f;
	geo_dori dori;          /* the level ranges derived from resolution use; default detection */
	int threads;            /* 0: one per processor */
	/* Placement (cover_add.c): add new cameras, lazy greedy on weighted
	** unseen cells (GEO_COVER_W_* below), keeping the existing ones. */
	int add;                /* how many; 0: none */
	double target;          /* or the fewest to see this % of the demand; 0: none */
	const char *sites;      /* candidate points, or NULL: along the roads */
	const char *proposed;   /* where the proposals go (points), or NULL */
	double site_spacing;    /* metres between sites along roads; default 50 */
	double add_height, add_fov, add_range; /* the new cameras; default 6 m, 90°, 100 m */
	const char *demand;     /* extra demand (public spaces: points, lines, polygons), or NULL */
	const char *weight_field;   /* its weight per cell; default "weight", else GEO_COVER_W_PUBLIC */
	int exact;              /* improve the placement by GLPK's MIP (a build with GLPK) */
	double time_limit;      /* its seconds; default 60 */
	geo_grid_opts grid;
} geo_cover_opts;

/* Demand weights of a cell inside the grids for placement: every cell, plus
** a road through it (--roads), plus a household in it (--households, as a
** stand-in for its doorway). */
#define GEO_COVER_W_CELL 1.0
#define GEO_COVER_W_ROAD 4.0
#define GEO_COVER_W_HOUSEHOLD 4.0
/* Plus, per feature of --demand (squares, markets, school gates, village
** committee offices...) over the cell: its weight field, or this. */
#define GEO_COVER_W_PUBLIC 8.0
void geo_cover_opts_init(geo_cover_opts *o);

/* A grid among the least covered. */
typedef struct geo_cover_grid {
	char *id;               /* its code */
	double covered_pct;     /* % of its cells seen */
	long cameras;           /* cameras inside it */
	double blind_m2;        /* the area of its cells nobody sees */
} geo_cover_grid;

/* What --exact proved (GLPK's MIP from the heuristic's answer). */
typedef struct geo_cover_exact {
	int ran;                /* 0: the target was reached already, or is out of reach */
	int lp_solved;          /* the LP relaxation was solved within the time limit */
	int proved;             /* the optimum was proved */
	int improved;           /* GLPK's answer beats the heuristic's */
	double value, bound;    /* --add: demand added, and no placement adds more;
				   --target: cameras, and no placement needs fewer */
	double gap_pct;         /* their relative gap, % */
	size_t options, groups; /* the programme's size: (site, heading) options, groups of cells */
	double seconds;
	double time_limit;      /* the seconds it was given */
} geo_cover_exact;

/* What --add K or --target P proposed. */
typedef struct geo_cover_placement {
	int asked;              /* --add K; 0 with --target */
	double target;          /* --target P, % of the demand; 0 with --add */
	double height, fov, range; /* the new cameras': m, degrees, m */
	size_t added;           /* cameras proposed */
	size_t sites;           /* candidate sites */
	size_t viewsheds;       /* of those, sites near unseen demand (a viewshed each) */
	size_t evaluations;     /* gains computed by lazy greedy */
	double demand;          /* the demand weight in all */
	double seen_before, seen_after; /* of it, seen by the cameras there are, and with the new */
	double upper;           /* no `asked` (or `added`) cameras see more demand than this */
	size_t fewest;          /* --target: no placement from these sites takes fewer
				   cameras; SIZE_MAX: none reaches the target */
	int has_demand;         /* --demand was given */
	size_t demand_features; /* its features, and the demand weight they add in the grids */
	double demand_added;
	int has_exact;          /* --exact was given; then exact holds what it did */
	geo_cover_exact exact;
	double *gain;           /* per camera proposed, in order: the demand it adds */
	double *pct;            /* and the % of the demand seen once it is added */
	double work;            /* cells the exchanges visited */
	int pairs_complete;     /* the exchanges ended by themselves, not at their limit */
	double seconds;         /* choosing (the viewsheds not counted) */
} geo_cover_placement;

enum { GEO_COVER_WORST = 5 };
typedef struct geo_cover_result {
	char *output;           /* the coverage raster written (common.output) */
	char *crs;              /* the name of its CRS, the working CRS */
	geo_raster_grid grid;   /* its cells */
	int dem, obstacles;     /* the surface: a DEM (else flat ground); with obstacles */
	double target_height;   /* m above the surface */
	size_t cameras;         /* cameras read */
	size_t range_field, range_dori, range_kind; /* their ranges: from the field, by DORI, by kind */
	geo_dori dori;          /* the level of the ranges by DORI */
	int in_grids;           /* cells counted are the grids' (-g), else the whole surface's */
	size_t cells;           /* cells counted */
	size_t covered;         /* of those, cells some camera sees */
	double households, households_seen; /* --households: in the grids, and seen (else 0) */
	int has_blind_spots;    /* --blind-spots was written */
	size_t blind_spots;     /* its polygons, of at least min_area m² */
	double blind_spot_m2;   /* their area */
	double min_area;
	size_t nworst;
	geo_cover_grid worst[GEO_COVER_WORST]; /* the least covered grids, least first */
	geo_cover_placement *add; /* --add or --target; NULL otherwise */
	double seconds[4];      /* the surface, the viewsheds, writing, placing */
	int verbose;            /* the text report lists every proposal and the timings */
} geo_cover_result;

/*
** Computes what the cameras see and writes the coverage raster to
** common.output (UInt16 GeoTIFF or COG: how many cameras see each cell,
** nodata outside the grids) with a .qml beside it; with o->grids the
** per-grid table and blind spots when asked. The result holds the figures
** the report gives.
*/
geo_err geo_cover(geo_ctx *ctx, const char *cameras, const geo_cover_opts *o,
		  geo_cover_result **result, geo_progress progress, void *progress_data);
geo_err geo_cover_report(const geo_cover_result *r, int json, FILE *f);
void geo_cover_result_free(geo_cover_result *r);

/* ---- grid-list (list.c, list_out.c, list_pdf.c, list_report.c) ----------- */

/*
** Inspection lists (踏查清单): every feature of one or more layers (ponds and
** ditches before the flood season, households for the weekly visits, open
** hazards) placed in its grid by grid-place's rules (geo_feature_placer), so
** each lands in exactly one grid, and listed per grid with the grid's name,
** code, worker and phone (the grid layer's fields or a roster, as
** geo_diff_staff says). Within a grid the features are numbered in reading
** order: bands from north to south, west to east within a band, by a point
** on each feature, so the numbers on the small map and the table's rows
** match. Features in no grid are listed last, under 不在任何网格内, and
** warned about. A grid layer holding both levels lists the secondaries.
*/
typedef enum geo_list_sheets {
	GEO_LIST_BY_GRID,       /* an XLSX sheet per grid */
	GEO_LIST_BY_WORKER      /* an XLSX sheet per worker, holding all their grids */
} geo_list_sheets;

typedef struct geo_list_opts {
	geo_common_opts common;     /* s_srs, work_srs; where and window (on the features that
				       have its date field); output: .xlsx, the lists as
				       sheets, else one table (.csv, ...); strict: features in
				       no grid make the result GEO_PROBLEMS; verbose: a line
				       per grid in the report */
	const char *grid_where;     /* the grids listed (features are placed on all), or NULL */
	geo_grid_opts grid;
	geo_staff_opts staff;
	geo_list_sheets sheets;
	const char *pdf;            /* the printable lists (A4 PDF), or NULL */
	const char *title;          /* the lists' title; NULL: from the layers (坑塘踏查清单) */
	const char *font;           /* Pango family of the PDF; default "Noto Sans CJK SC" */
} geo_list_opts;
void geo_list_opts_init(geo_list_opts *o);

/*
** Lists the features of the nfeatures layers named in features on the grids
** named grids and writes common.output and o->pdf. The result is set even
** when the verb returns GEO_PROBLEMS (common.strict and some feature in no
** grid; the lists are written all the same).
*/
/* One feature layer listed. */
typedef struct geo_list_source {
	char *name;             /* the layer's name */
	char *source;           /* the input as the user named it */
	size_t features;        /* features read (after common.where and the window) */
	size_t unplaced;        /* of them in no grid */
	size_t empty;           /* of them without geometry */
	size_t unlisted;        /* of them in grids grid_where leaves out (not listed) */
} geo_list_source;

/* One list: a grid's features, or the features in no grid. */
typedef struct geo_list_section {
	char *grid_id;          /* the grid's code; NULL: the features in no grid */
	char *name, *worker, *phone; /* the grid's name and who keeps it ("" when unknown) */
	size_t features;        /* features on the list */
} geo_list_section;

typedef struct geo_list_result {
	char *title;            /* the lists' title (o->title, or the one made from the layers) */
	size_t features;        /* features listed, in grids or in none */
	size_t unplaced;        /* of them in no grid */
	size_t grids;           /* grids that can have a list (grid_where, the level listed) */
	size_t grids_with_features; /* grids that have a list */
	geo_list_source *layers; /* per feature layer, in the order given */
	size_t nlayers;
	geo_list_section *lists; /* by grid code; the features in no grid last */
	size_t nlists;
	char *output;           /* the table written (common.output), or NULL */
	char *pdf;              /* the printable lists written (o->pdf), or NULL */
	int verbose;            /* the run's common.verbose: the text report has a line per list */
} geo_list_result;
geo_err geo_list(geo_ctx *ctx, const char *grids, const char *const *features, size_t nfeatures,
		 const geo_list_opts *o, geo_list_result **result, geo_progress progress,
		 void *progress_data);
geo_err geo_list_report(const geo_list_result *r, int json, FILE *f);
void geo_list_result_free(geo_list_result *r);

#pragma GCC visibility pop

#endif
