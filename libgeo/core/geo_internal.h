/*
** geo_internal.h: helpers that libgeo's modules share with each other and
** with the tools' shared code, but that are not part of the public contract.
** A module that needs another's helper asks for it here instead of copying it.
*/
#ifndef GEO_INTERNAL_H
#define GEO_INTERNAL_H

#include "geo.h"
#include "core/i18n.h"

#include <stdarg.h>
#include <stdio.h>

struct sqlite3;

/* A growable, always NUL-terminated string. */
typedef struct geo_buf {
	char *s;
	size_t len, cap;
	int failed;             /* an allocation failed; s holds what fitted */
} geo_buf;

void geo_buf_init(geo_buf *b);
void geo_buf_free(geo_buf *b);
void geo_buf_add(geo_buf *b, const char *s);
void geo_buf_addn(geo_buf *b, const char *s, size_t n);
void geo_buf_printf(geo_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void geo_buf_vprintf(geo_buf *b, const char *fmt, va_list ap);
/* s, then spaces up to width columns (as %-*s, counting a Chinese character
** as the two columns it takes). */
void geo_buf_pad(geo_buf *b, const char *s, size_t width);
/* Hands the string to the caller (NULL if an allocation failed); b is reset. */
char *geo_buf_take(geo_buf *b);
/* Writes b's text to f and frees b: GEO_OK, GEO_ERR_OUTPUT when f fails, or
** GEO_ERR_INTERNAL when b ran out of memory (a verb's report, geo_X_report). */
geo_err geo_buf_write(geo_buf *b, FILE *f);
/*
** geo_X_report (geo.h's verb contract) for a module that renders its result
** with its own render_json(geo_buf *, const geo_X_result *) and render_text
** (the same): either form from one result, written to f in one piece.
*/
#define GEO_REPORT(X)                                                                      \
	geo_err geo_##X##_report(const geo_##X##_result *r, int json, FILE *f)              \
	{                                                                                   \
		if (!r)                                                                     \
			return GEO_ERR_USAGE;                                               \
		geo_buf b;                                                                  \
		geo_buf_init(&b);                                                           \
		(json ? render_json : render_text)(&b, r);                                  \
		return geo_buf_write(&b, f);                                                \
	}

/* JSON text: a quoted, escaped string; a number that is always valid JSON
** (fixed decimals, non-finite as null). */
void geo_json_str(geo_buf *b, const char *s);
/* open ("{", ", {", ", "...), then members "key": "value" of the key,
** value pairs that follow, up to a NULL key, joined by ", ". */
void geo_json_strings(geo_buf *b, const char *open, ...) __attribute__((sentinel));
/* The same for key, double pairs, each number with decimals. */
void geo_json_nums(geo_buf *b, const char *open, int decimals, ...) __attribute__((sentinel));
/* Appends everything f holds from where it stands to its end. */
void geo_buf_add_file(geo_buf *b, FILE *f);
void geo_json_num(geo_buf *b, double v, int decimals);
/* XML text or attribute value, escaped (&, <, >, "). */
void geo_xml_text(geo_buf *b, const char *s);

/* strdup that records an out-of-memory error in ctx. */
char *geo_strdup(geo_ctx *ctx, const char *s);
/* How a verb opens an input (core/verb.c): the defaults, common->s_srs for a
** layer that states no CRS, and where (common->where for the main input, a
** verb's own filter for another, or NULL). */
void geo_input_opts_common(geo_input_opts *io, const geo_common_opts *common, const char *where);
/* Allocation helpers that record out-of-memory in ctx. */
void *geo_calloc(geo_ctx *ctx, size_t n, size_t size);
void *geo_realloc_array(geo_ctx *ctx, void *p, size_t n, size_t size);
/* Resizes the array whose pointer is at pp (&v->x, of any element type) to
** n elements of size bytes: 1 when done, 0 (out of memory recorded, the
** array as it was) when not; so parallel arrays grow in one expression,
** geo_resize(ctx, &v->x, cap, sizeof *v->x) && geo_resize(ctx, &v->y, ...). */
int geo_resize(geo_ctx *ctx, void *pp, size_t n, size_t size);

/* The last GDAL/OGR error message, or fallback when there is none. */
const char *geo_cpl_error(const char *fallback);

/* Calls progress if set; returns 0 (and records the cancellation, or the
** interruption geo_temps_stopping says) to stop (temps.c). */
int geo_progress_step(geo_ctx *ctx, geo_progress fn, void *data, double f, const char *msg);

/* A file's size in bytes, or -1. */
long long geo_file_size(const char *path);
int geo_file_exists(const char *path);
/* 1 if the two paths name the same existing file. */
int geo_same_file(const char *a, const char *b);

/* Text field value of feat, "" when unset or absent (field index < 0). */
const char *geo_feat_str(OGRFeatureH feat, int field);
/* Describes a feature for messages: "feature 17" or "feature 17 (grid_id X)". */
void geo_feat_label(OGRFeatureH feat, int id_field, char *buf, size_t size);
/* Makes f's text fields UTF-8 (encoding.c): text that is not is read as
** GB18030 and *recoded set (said once, where it was 0); GEO_ERR_INPUT where
** it is neither, naming the input `name`, the feature and the field. */
geo_err geo_text_utf8(geo_ctx *ctx, const char *name, OGRFeatureH f, int *recoded);
/* For a CSV file at path that is not UTF-8: its UTF-8 copy, read as GB18030,
** at *copy in /vsimem/wangge-OWNER/ with its .csvt and .prj (remove that
** folder when done); *copy NULL when path is UTF-8 or unreadable. */
geo_err geo_csv_utf8(geo_ctx *ctx, const char *name, const char *path, void *owner, char **copy);
/* 1 when the Shapefile at path names no encoding and its table is GB18030,
** not UTF-8 (open it with ENCODING=GB18030). */
int geo_dbf_is_gb18030(const char *shp);

/*
** Who keeps each grid (staff.c), for the lists handed to grid workers: per
** grid of gs its name, worker and phone from the layer's fields, then from
** roster (NULL: none) where it names the grid's code; gs must be sorted by
** code. The header names a roster is read by start with the fields named
** here. side names gs in the warning about codes that name no grid.
** st holds gs->n entries, zeroed; free with geo_staff_free.
*/
typedef struct geo_staff_fields {
	const char *worker_field, *phone_field; /* on the grid layer (phone may be NULL) */
	const char *id_field, *name_field;      /* the grids' code and name fields */
} geo_staff_fields;
geo_err geo_staff_read(geo_ctx *ctx, const geo_gridset *gs, const geo_staff_fields *f,
		       const char *roster, const char *side, geo_diff_staff *st);
void geo_staff_free(geo_diff_staff *st, size_t n);

/* An Excel sheet name made from want (sheets.c): at most 31 characters,
** none of []:*?/\, unique among ds's layers (a second 张伟 gets 张伟(2)).
** The caller frees it; NULL when out of memory. */
char *geo_sheet_name(GDALDatasetH ds, const char *want);
/* Sets the columns of every sheet of the XLSX file at path to fit their
** widest cell (xlsx.c); label names the output in messages. */
geo_err geo_xlsx_fit_columns(geo_ctx *ctx, const char *path, const char *label);

/* grid-place's per-grid table (place_summary.c), fed by its feature stream and
** written by its writer (place_stream.c, place_write.c). */
typedef struct geo_place_summary geo_place_summary;
/* Sums and counts per grid; sum_fields (comma-separated) and count_by name
** fields of defn; source names the features for messages. */
geo_place_summary *geo_place_summary_new(geo_ctx *ctx, size_t ngrids, OGRFeatureDefnH defn,
					 const char *sum_fields, const char *count_by,
					 const char *source);
void geo_place_summary_free(geo_place_summary *s);
/* The feature fields the summary reads (CSL list, CSLDestroy). */
char **geo_place_summary_fields(const geo_place_summary *s, OGRFeatureDefnH defn);
/* Adds a feature or piece placed in grid (ignored when < 0): dim is its
** geo_geom_dimension_class, measure its length or area, share the part of
** the feature it is (sums are weighted by it). */
geo_err geo_place_summary_add(geo_ctx *ctx, geo_place_summary *s, long grid, OGRFeatureH feat,
			      int dim, double measure, double share);
/* The same from values: sums[i] for the i-th --sum field (NaN when null),
** by the --count-by value (NULL when null). */
geo_err geo_place_summary_add_values(geo_ctx *ctx, geo_place_summary *s, long grid, int dim,
				     double measure, double share, const double *sums,
				     const char *by);
/* The fields the values come from: nsum --sum names and the --count-by name (or NULL). */
void geo_place_summary_inputs(const geo_place_summary *s, OGRFeatureDefnH defn, int *nsum,
			      const char *const **sum_names, const char **by_name);
int64_t geo_place_summary_count(const geo_place_summary *s, long grid);
/* What the table's rows describe: per grid its code, parent code and
** geometry (in work), and the order of the rows. */
typedef struct geo_place_table {
	const char *const *ids, *const *parents;
	GEOSGeometry *const *geoms;
	const size_t *order;
	const geo_crs *work, *crs; /* the geometries' CRS and the table's */
} geo_place_table;
geo_err geo_place_summary_write(geo_ctx *ctx, geo_place_summary *s, const char *path,
				const geo_output_opts *oo, const geo_place_table *t);

/* A point layer read column by column through GDAL's Arrow stream
** (arrow_points.c), for grid-place's counting and grid-heat's points. */
typedef struct geo_arrow_batch {
	size_t n;
	double *x, *y;          /* NaN for a feature without geometry */
	int64_t *fid;           /* -1 when the stream has none */
	double *sums;           /* n rows of the nsum fields asked for, NaN when null */
	char **by;              /* the count-by value of each row, NULL when null */
} geo_arrow_batch;
typedef struct geo_arrow_points geo_arrow_points;
/* NULL (and no error) when the layer has no fast Arrow stream, is not a
** point layer, or a field has a type this reader does not take; the layer is
** then reset for reading feature by feature. */
geo_arrow_points *geo_arrow_points_open(geo_ctx *ctx, OGRLayerH l, int nsum,
					const char *const *sums, const char *by);
/* The next batch, owned by a (valid until the next call); n == 0 at the end. */
geo_err geo_arrow_points_next(geo_ctx *ctx, geo_arrow_points *a, const char *source,
			      const geo_arrow_batch **batch);
void geo_arrow_points_close(geo_arrow_points *a);

/*
** The coverage arrangement (arrange.c), shared by grid-check's verb
** (coverage.c) and its repair (repair.c). Given valid polygonal grids and a
** reference region (a town polygon; or primaries, each grid assigned to one;
** or, with neither, the grids' own outline with its holes filled), it finds
** every face of the planar arrangement of all rings where the grids do not
** tile the reference exactly. Edges closer than eps count as one edge.
*/
typedef struct geo_arr_in {
	size_t ngrids;
	GEOSGeometry *const *grids;     /* valid polygonal geometries; NULL entries are skipped */
	const GEOSGeometry *town;       /* the town polygon, or NULL */
	size_t nprimaries;
	GEOSGeometry *const *primaries; /* the primaries, or NULL */
	const long *assigned;           /* per grid, its primary's index or -1; NULL without primaries */
	double eps;                     /* metres */
} geo_arr_in;

/* A face of the arrangement that is not exactly one grid inside the reference. */
typedef struct geo_face {
	GEOSGeometry *geom;             /* a polygon, owned */
	double area;
	size_t *grids, ngrids;          /* indices of the grids covering it, ascending */
	long primary;                   /* the primary holding it, or -1 */
	int in_ref;                     /* inside the town, the primaries or the outline */
	size_t cluster;                 /* faces of different clusters never touch */
} geo_face;

typedef struct geo_arr_out {
	geo_face *faces;
	size_t n;
	GEOSGeometry *hull;             /* the outline used without town and primaries, or NULL */
	size_t segments, residual, clusters; /* for -v */
} geo_arr_out;

geo_err geo_arrange(geo_ctx *ctx, const geo_arr_in *in, geo_arr_out *out);
void geo_arr_out_free(geo_ctx *ctx, geo_arr_out *out);

/* grid-check's helpers (coverage.c) for check.c and repair.c. */
/* GEOSMakeValid's polygonal part of g, or NULL when nothing polygonal is left. */
geo_err geo_make_valid_polygons(geo_ctx *ctx, const GEOSGeometry *g, GEOSGeometry **out);
/* Appends a problem at (wx, wy) in the working CRS; takes codes (CSL), detail
** and geom; idx (may be NULL) gives the codes' grid indices. */
/* A problem's detail as geo_problem_add takes it: the English, a NUL, and the
** same in the reader's language (geo_problem.detail_local); one allocation. */
char *geo_detail_pair(geo_ctx *ctx, const char *en, const char *local);
geo_err geo_problem_add(geo_ctx *ctx, geo_check_result *r, geo_problem_type type,
			const long *idx, char **codes, double area, double wx, double wy,
			char *detail, GEOSGeometry *geom);
/* Sets every problem's x, y in gs's source CRS and sorts the problems. */
geo_err geo_check_finish(geo_ctx *ctx, geo_check_result *r, const geo_gridset *gs);
/*
** grid-check --fix (repair.c): repairs gs in place against the town and the
** primaries, as docs/grid-check.md documents, appending one line per change
** to *changes (a CSL list) and the same, in the reader's language, to
** *changes_local. first is the check of gs as it was read.
*/
geo_err geo_repair(geo_ctx *ctx, geo_gridset *gs, const GEOSGeometry *town,
		   geo_gridset *parents, const geo_check_opts *o, const geo_check_result *first,
		   char ***changes, char ***changes_local);

/*
** A hot loop's function gets a clone for x86-64-v3 (AVX2) that the loader
** picks on CPUs that have it, so a build for baseline x86-64 (a
** distribution's) runs it as fast as -march=native. C11 mode keeps
** floating-point contraction off, so both clones give the same bytes.
*/
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones) && !defined(__clang__)
#define GEO_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
#endif
#ifndef GEO_HOT
#define GEO_HOT
#endif

/* The QGIS version wangge's styles (qml.c) and projects (qgs.c) say they
** were written for; every later version reads them. */
#define GEO_QGIS_VERSION "3.22.0"

/* How geo_qml_graduated makes its classes from the values. */
typedef enum geo_qml_classes {
	GEO_QML_QUANTILES,      /* a class for 0, then up to five at quantiles of the positives */
	GEO_QML_COUNTS          /* whole counts: up to five equal classes from 0 to the largest */
} geo_qml_classes;

typedef struct geo_qml_graduated_opts {
	const char *field;      /* the number classified */
	geo_qml_classes classes;
	const char *unit;       /* after the numbers in class labels; NULL: none */
	double opacity;         /* of every symbol, 0 to 1 */
	const char *label;      /* QGIS expression labelling each feature; NULL: no labels */
} geo_qml_graduated_opts;

/* A QGIS style (QML) filling polygons by o->field in graduated colours,
** light yellow to dark red (ColorBrewer YlOrRd), with classes made from the
** n values as o->classes says. NULL when out of memory. */
char *geo_qml_graduated(const double *values, size_t n, const geo_qml_graduated_opts *o);

/* One class of a categorized style: the features whose field holds value
** ("": every other value, NULL included). */
typedef struct geo_qml_category {
	const char *value, *label;
	const char *rgb;        /* "r,g,b" */
	const char *shape;      /* marker name (circle, cross_fill...) or fill style
				** (solid, b_diagonal...); NULL: circle or solid */
} geo_qml_category;

/* What the symbols of a categorized style draw. */
typedef enum geo_qml_kind { GEO_QML_MARKER, GEO_QML_LINE, GEO_QML_FILL } geo_qml_kind;

/*
** What one QGIS symbol draws: a SimpleMarker, SimpleLine or SimpleFill
** symbol layer, written the same in styles (qml.c) and in the default
** styles of projects (qgs.c), whose <maplayer> holds a style's elements.
*/
typedef struct geo_qml_look {
	geo_qml_kind kind;
	const char *rgb;        /* "r,g,b" */
	int alpha;              /* of rgb, 0 to 255 */
	double opacity;         /* of the whole symbol, 0 to 1 */
	const char *shape;      /* marker name or fill style */
	const char *outline;    /* "r,g,b" of a marker's or a fill's outline */
	double width;           /* mm: marker size, line width or fill outline width */
	const char *outline_style; /* a fill's outline: solid, dash...; NULL: solid */
	int pass;               /* the symbol layer's rendering pass */
	double outline_width;   /* mm, a marker's outline; 0: QGIS's default */
	int round;              /* round joins (and a line's caps) */
} geo_qml_look;
/* Appends the <symbol> named name (its index in <symbols>). */
void geo_qml_symbol(geo_buf *b, int name, const geo_qml_look *look);
/* Appends a singleSymbol <renderer-v2> drawing every feature with look. */
void geo_qml_single(geo_buf *b, const geo_qml_look *look);

typedef struct geo_qml_categorized_opts {
	const char *field;      /* the value classified */
	geo_qml_kind kind;
	double opacity;         /* of every symbol, 0 to 1 */
	double width;           /* mm: marker size, line width or fill outline width */
	const char *outline;    /* "r,g,b" of marker and fill outlines; NULL: the class colour */
	const char *label;      /* field labelling each feature; NULL: no labels */
} geo_qml_categorized_opts;

/* A QGIS style (QML) drawing each of the n categories in its colour. NULL
** when out of memory. */
char *geo_qml_categorized(const geo_qml_category *c, size_t n, const geo_qml_categorized_opts *o);
/* The same with outlines[i] ("r,g,b") round category i, and labels from
** the QGIS expression label (o->label unused; NULL: no labels). */
char *geo_qml_categorized_outlined(const geo_qml_category *c, const char *const *outlines, size_t n,
				   const geo_qml_categorized_opts *o, const char *label);

/* The styles of grids geo_qml_grids makes. */
typedef enum geo_qml_grids_style {
	GEO_QML_PRIMARY,        /* grid-split's primaries: thick red outlines, names in red */
	GEO_QML_SECONDARY,      /* its secondaries: a pale fill in dashed grey outlines, names */
	GEO_QML_LEVELS,         /* both levels in one layer, by its field "level"; no labels */
	GEO_QML_OUTLINES,       /* dark outlines, no fill (grid-diff's grids) */
	GEO_QML_CHECKED         /* a pale green fill in dark outlines (grid-check's --fix) */
} geo_qml_grids_style;

/* A QGIS style (QML) of grids drawn as style says, labelled with field
** (unused for GEO_QML_LEVELS). NULL when out of memory. */
char *geo_qml_grids(geo_qml_grids_style style, const char *field);

/* Attaches qml, a style made above (taken; NULL: it ran out of memory), to
** layer of out as geo_output_style does. */
geo_err geo_qml_attach(geo_ctx *ctx, geo_output *out, OGRLayerH layer, char *qml);

/* One colour stop of a raster style: the cells of value (and, on a
** continuous ramp, those between it and its neighbours) in rgb. */
typedef struct geo_qml_stop {
	double value;
	const char *rgb;        /* "#rrggbb" */
	int alpha;              /* 0 to 255 */
	const char *label;
} geo_qml_stop;

typedef struct geo_qml_raster_opts {
	const char *title;
	int discrete;           /* classes up to each stop, not a ramp between stops */
	double max;             /* the style's range is 0 to max */
	int precision;          /* decimals QGIS gives the labels it makes */
	const char *unit;       /* suffix of a continuous legend; NULL: none */
	double opacity;         /* of the whole layer, 0 to 1 */
} geo_qml_raster_opts;

/* A QGIS style (QML) drawing band 1 of a raster by the n stops. NULL when
** out of memory. */
char *geo_qml_raster(const geo_qml_stop *s, size_t n, const geo_qml_raster_opts *o);

/*
** Bulk-loads the R-tree spatial index of a GeoPackage layer written without
** one (gpkg_rtree.c), through db, the connection writing the file, inside
** the transaction the caller holds: the index commits with the layer.
*/
geo_err geo_gpkg_index(geo_ctx *ctx, struct sqlite3 *db, const char *table, const char *column,
		       const char *fid);

/* The registry of temporaries attached to ctx, or NULL (temps.c). */
geo_temps *geo_ctx_temps(const geo_ctx *ctx);
/* Makes a registered temporary folder in dir for an output named base (see
** geo.h); label names the output in the error. NULL on failure. */
char *geo_tmpdir_new(geo_ctx *ctx, const char *dir, const char *base, const char *label);
/* Removes a temporary folder with its files and forgets it (path NULL: nothing). */
void geo_tmpdir_remove(geo_ctx *ctx, const char *path);
/* Registers a connection holding a write transaction in place, so that a
** signal interrupts it; forgets it before its transaction ends. */
void geo_temps_add_db(geo_ctx *ctx, struct sqlite3 *db);
void geo_temps_forget_db(geo_ctx *ctx, struct sqlite3 *db);
/* 1 once geo_temps_interrupt was called on t (t may be NULL). */
int geo_temps_stopping(const geo_temps *t);

/*
** A vector dataset being written (writer.c): a new one made in a temporary
** folder, or an existing GeoPackage or SpatiaLite file written in place in
** one transaction under SQLite's write lock, shared by the outputs of one
** context that name the same file. Each output holding a writer commits it
** once (the transaction commits with the last) and releases it once.
*/
typedef struct geo_writer geo_writer;
/* Takes ds, a dataset just created. NULL when out of memory. */
geo_writer *geo_writer_new(geo_ctx *ctx, GDALDatasetH ds, const char *driver, const char *label);
/* Opens path (driver GPKG or SQLite) in place, or shares this context's
** writer of it; label names it in messages. NULL with an output error when
** it cannot be opened or another program holds its lock past the timeout. */
geo_writer *geo_writer_open_in_place(geo_ctx *ctx, const char *path, const char *driver,
				     const char *label);
GDALDatasetH geo_writer_dataset(geo_writer *w);
/* Notes a layer just created: GeoPackage layers are indexed at commit. */
void geo_writer_layer_created(geo_writer *w, OGRLayerH l);
geo_err geo_writer_commit(geo_ctx *ctx, geo_writer *w);
/* committed: the caller's geo_writer_commit was called. An output released
** without it rolls back the whole shared transaction. */
void geo_writer_release(geo_ctx *ctx, geo_writer *w, int committed);
/* Before an SQLite file is replaced (renamed over): fails with an output
** error when another program has it open or locked. Other files pass. */
geo_err geo_writer_check_idle(geo_ctx *ctx, const char *path, const char *label);
/* Opens a PostGIS database (PG:CONNINFO, without a table) for writing, or
** shares this context's writer of it, and begins its transaction at once:
** every table, swap and style of the run's outputs into it commits together
** at the last commit, and nothing of them is left on any failure. */
geo_writer *geo_writer_open_pg(geo_ctx *ctx, const char *conninfo, const char *label);
/* A table to write into the writer's database (pg.c): NULL with an output
** error when it exists without overwrite. GDAL creates the layer under
** geo_pg_table_create_name; geo_writer_pg_find finds it by that name. */
typedef struct geo_pg_table geo_pg_table;
geo_pg_table *geo_writer_pg_table(geo_ctx *ctx, geo_writer *w, const char *layer, int overwrite);
geo_pg_table *geo_writer_pg_find(geo_writer *w, const char *created);
/* 1 when l is a table a PostGIS writer of the context is writing. */
int geo_writer_is_pg_layer(geo_ctx *ctx, OGRLayerH l);

/* ---- PostGIS (pg.c) ---- */
/* 1 when name begins with PG: (any case). */
int geo_pg_is(const char *name);
/* The name as messages show it: password=*** (libpq's keyword) hidden. */
char *geo_pg_label(geo_ctx *ctx, const char *name);
/* PG:CONNINFO:TABLE: cuts name at the last ':' and returns TABLE when it is
** a plain or schema-qualified table name; else NULL, name untouched. */
char *geo_pg_split_layer(char *name);
/* GDAL's message about a connection or a statement, libpq's own words on
** one line ("connection to server ... failed: FATAL: role ..."). */
void geo_pg_explain(const char *cpl, char *buf, size_t size);
const char *geo_pg_error(char *buf, size_t size, const char *fallback);
/* A table being written: checks that it may be (exists, overwrite) and picks
** the name it is written under; serial tells apart a run's temporary names. */
geo_pg_table *geo_pg_table_new(geo_ctx *ctx, GDALDatasetH ds, const char *label,
			       const char *layer, int overwrite, int serial);
const char *geo_pg_table_create_name(const geo_pg_table *t);
void geo_pg_table_set_layer(geo_pg_table *t, OGRLayerH l);
OGRLayerH geo_pg_table_layer(const geo_pg_table *t);
const char *geo_pg_table_name(const geo_pg_table *t);
geo_pg_table *geo_pg_table_next(geo_pg_table *t);
void geo_pg_table_link(geo_pg_table *t, geo_pg_table *next);
/* The QGIS style written into layer_styles at commit. */
geo_err geo_pg_table_style(geo_ctx *ctx, geo_pg_table *t, const char *geom, const char *qml);
void geo_pg_table_free(geo_pg_table *list);
/* At commit, before the transaction commits: swaps replaced tables in and
** writes the styles. */
geo_err geo_pg_finish(geo_ctx *ctx, GDALDatasetH ds, const char *label, geo_pg_table *list);

/* How long SQLite (and PostgreSQL) wait for another program's lock, in ms
** (ctx.c: GDAL's SQLITE_BUSY_TIMEOUT, else a minute). */
int geo_busy_timeout_ms(void);
/* The context's writers in place. */
geo_writer **geo_ctx_writers(geo_ctx *ctx);
/* path as GDAL names it in checked_fs.c's file system, which reports a
** failed write as a GDAL error when the file is closed (caller frees). */
char *geo_checked_path(geo_ctx *ctx, const char *path);
/* A point of polygonal g at least depth from its boundary (geom.c). */
GEOSGeometry *geo_geom_deep_point(geo_ctx *ctx, const GEOSGeometry *g, const GEOSGeometry *first,
				  double depth);


/*
** What an input keeps (select.c): its attribute filter and time window.
** geo_select_new takes the layer's count before any filter (it clears the
** attribute filter: set it after), and fails with a usage error for a bad
** window, an input error when the layer lacks the date field.
** geo_select_keep returns 1 to keep f, 0 to skip it, -1 on an input error
** (a date field holding no date).
** geo_select_end, at the end of the input, reports what was kept, once;
** geo_select_report says "WHAT: KEPT of TOTAL LAYER in SOURCE" (a warning,
** counted in the context, when KEPT is 0; with -v otherwise).
*/
/*
** The context's town (town.c). geo_town_select, for an input layer of
** dataset ds: sets *where to the town's attribute filter (the caller frees;
** NULL when the layer is selected otherwise) or sets the layer's spatial
** filter to the town's polygon. geo_town_join_where joins two filters.
*/
typedef struct geo_town geo_town;   /* one allocation: free() frees it */
geo_town *geo_ctx_town_sel(const geo_ctx *ctx);
void geo_ctx_set_town_sel(geo_ctx *ctx, geo_town *t);
geo_err geo_town_select(geo_ctx *ctx, GDALDatasetH ds, OGRLayerH layer, const char *source,
			char **where);
char *geo_town_join_where(geo_ctx *ctx, const char *where, const char *town);

typedef struct geo_select geo_select;
geo_select *geo_select_new(geo_ctx *ctx, OGRLayerH layer, const char *source, const char *where,
			   const geo_window_opts *window);
int geo_select_keep(geo_ctx *ctx, geo_select *s, OGRFeatureH f);
void geo_select_end(geo_ctx *ctx, geo_select *s);
/* The same, for a reader that kept `kept` features on its own. */
void geo_select_end_kept(geo_ctx *ctx, geo_select *s, int64_t kept);
/* 1 when s (may be NULL) has a time window. */
int geo_select_windowed(const geo_select *s);
void geo_select_free(geo_select *s);
void geo_select_report(geo_ctx *ctx, const char *what, const char *source, const char *layer,
		       int64_t kept, int64_t total, int64_t undated);
/* Counts one empty selection (geo_ctx_empty_selections). */
void geo_ctx_note_empty_selection(geo_ctx *ctx);

/* io.c: the time window on an input that has its date field, else a warning. */
geo_err geo_input_window_if_dated(geo_ctx *ctx, geo_input *in, const char *name,
				  const geo_window_opts *w, int *applied);
/* io.c: sets the field `name` of f (when the layer has it) to v, or to null
** when !ok or v is not finite (a share of nothing, a density of no area). */
void geo_feature_set_real(OGRFeatureH f, const char *name, double v, int ok);

#endif
