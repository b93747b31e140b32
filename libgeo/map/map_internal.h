/*
** map_internal.h: what grid-map's modules share: map.c (reading, layout, the
** verb), map_draw.c (features, labels, legend, scale bar, north arrow),
** map_style.c (colour classes, the heat raster, the report) and qgs.c (the
** QGIS project), and the text setting the other printed pages use (the
** hand-over list, the assessment report). Private to libgeo; not part of its
** contract.
*/
#ifndef MAP_INTERNAL_H
#define MAP_INTERNAL_H

#include "geo.h"

#include <cairo.h>
#include <pango/pangocairo.h>

/* A Pango layout of s in font (a family) at pt points, on a page measured in
** millimetres; the caller unrefs it. */
PangoLayout *map_text(PangoContext *pc, const char *font, const char *s, double pt, int bold);

typedef struct map_feat {
	GEOSGeometry *g;        /* in the working CRS */
	char *label;            /* --label value, or NULL */
	char *cat;              /* --category value, or NULL */
	double value;           /* --fill value, NaN if none */
	int level;              /* 1 primary, 2 secondary, 0 neither */
} map_feat;

typedef struct map_layer {
	geo_map_kind kind;      /* resolved: never GEO_MAP_AUTO */
	int dim;                /* 1 polygons, 2 lines, 3 points */
	char *title, *source;
	char *lname;            /* the OGR layer's name, which picks colours */
	size_t n;
	map_feat *f;
	int has_cat, has_fill;
	int filtered;           /* --where applied */
	int windowed;           /* the time window applied */
	char **values;          /* the --category field's value map: code, label, code, label ... */
	size_t nvalues;         /* pairs */
} map_layer;

typedef struct map_raster {
	GDALDatasetH ds;        /* the source, open until warped */
	char *title, *units;
	double max;             /* the largest value in the whole raster */
	int w, h;               /* warped onto the frame */
	float *v;               /* w*h values, NaN for nodata */
} map_raster;

enum { MAP_MAX_CLASSES = 6, MAP_MAX_CATS = 11 };

typedef struct map_cat {
	char *name;             /* NULL for the "other" class */
	const char *label;      /* what the legend says: the value map's, or name */
	size_t count;
} map_cat;

typedef struct map_box {
	double x, y, w, h;      /* mm on the page, y down */
	const char *text;       /* a label's text (borrowed), or NULL for a marker */
	double size;            /* a label's font size in mm */
} map_box;

/* The smallest text on a printed map, in mm (the em of the font): a grid
** label that does not fit its grid at this size is left out, not shrunk. */
#define MAP_MIN_TEXT_MM 2.0

typedef struct map {
	geo_ctx *ctx;
	const geo_map_opts *o;
	map_layer *layers;
	size_t nlayers;
	geo_crs *work;
	int has_extent;
	double x0, y0, x1, y1;  /* data extent, then padded */
	double wx0, wy0, wx1, wy1; /* world window shown in the frame */
	int landscape;
	double page_w, page_h, frame[4]; /* mm: x, y, w, h */
	double scale;           /* paper mm per working-CRS unit */
	double ground;          /* ground metres per working-CRS unit at the centre */
	double north;           /* true north from the frame's vertical, radians */
	double px_per_mm;
	int width_px, height_px;
	map_raster raster;
	/* --fill classes: n classes with upper bounds; class 0 may be exactly zero */
	int nclasses, diverging, integral; /* integral: every value a whole number */
	double lo, step;
	/* --category classes, most frequent first; the last may be "other" */
	map_cat cats[MAP_MAX_CATS];
	int ncats;
	/* the drawn scale bar */
	double bar_m, bar_mm;
	/* labels, and the markers they keep clear of */
	map_box *label_boxes;
	size_t nlabels, labels_skipped, label_cap;
	map_box *marker_boxes;
	size_t nmarkers, marker_cap;
	/* the footer: the data's period (the time window) and the day made */
	char period[96], made[16];
} map;

void map_to_paper(const map *m, double x, double y, double *px, double *py);
geo_err map_draw(map *m, cairo_t *cr, geo_progress progress, void *pdata);

geo_err map_raster_open(map *m);
/* Warps the raster onto the frame's pixels (after layout). */
geo_err map_raster_warp(map *m);
void map_raster_free(map_raster *r);
geo_err map_classes(map *m);
geo_err map_categories(map *m);
void map_classes_free(map *m);
/* The --fill class of v (0..nclasses-1) and its colour. */
int map_class_of(const map *m, double v);
void map_class_colour(const map *m, int c, double rgb[3]);
void map_class_label(const map *m, int c, char *buf, size_t size);
/* The category index of a value (the "other" class for the rest), or -1. */
int map_cat_of(const map *m, const char *cat);
void map_cat_colour(int i, double rgb[3]);
/* The heat ramp at t in [0,1]: colour and opacity. */
void map_ramp(double t, double rgba[4]);
geo_err map_report(map *m, const char *output, const char *fmt, char **report);

/* The default style (QML text) a layer carries: its GeoPackage's or
** SpatiaLite file's layer_styles, else the .qml beside it; NULL if none. */
char *map_layer_qml(const char *file, const char *layer);
/* The value map of field in a QML: from a ValueMap widget, else from a
** categorized renderer on the field. Pairs code, label in *pairs. */
geo_err map_qml_value_map(geo_ctx *ctx, const char *qml, const char *field, char ***pairs,
			  size_t *n);
/* The words a legend shows for a known code (flood: 防汛), or NULL. */
const char *map_known_value(const char *code);
/* A raster's units as a reader says them ("points per km²": per km²). */
const char *map_units_words(const char *units);
/* The footer line's period: the window as "2021-W37 (2021-09-13 – 2021-09-19)". */
void map_period_text(const geo_window *w, char *buf, size_t size);

/* Output helpers shared with qgs.c. */
geo_output *map_output_open(geo_ctx *ctx, const char *path, const geo_map_layer *layers, size_t n,
			    const geo_map_opts *o);
/* Writes the QGIS project named path (for its folder) into out; with the
** page m laid out (else NULL), the project holds its print layout, also
** written into qpt as a template (when not NULL). */
geo_err map_qgis_write(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const char *path,
		       const geo_map_opts *o, const map *m, geo_output *out, geo_output *qpt);
/* The print layout (a QGIS <Layout> element) of the page m lays out, named
** name; srs is the working CRS as a <spatialrefsys>. NULL when out of memory. */
char *map_qpt_layout(const map *m, const char *name, const char *srs);
/* Opens a layer; s_srs gives a CRS to one that has none. Fails without a CRS. */
geo_input *map_open_layer(geo_ctx *ctx, const char *name, const char *s_srs);
/* 1 polygons, 2 lines, 3 points, 0 unknown (an empty layer of no stated type). */
int map_layer_dim(geo_input *in);
/* The kind a layer is drawn as (asked, or decided as GEO_MAP_AUTO says). */
geo_map_kind map_resolve_kind(OGRLayerH ol, int dim, int level_field, geo_map_kind asked);
/* How a layer of a kind looks: colours 0xRRGGBB (fill 0: none), line width
** or marker size in mm, and the marker shape (0 circle, 1 triangle, 2
** square, 3 diamond). k counts the earlier layers of the same kind. */
typedef struct map_look {
	unsigned fill, stroke;
	double width;
	int shape;
} map_look;
map_look map_look_for(geo_map_kind kind, const char *lname, size_t k, size_t n);

/* The legend title of a layer drawn as kind: the user's, else what its name
** implies when it is drawn as that name suggests, else its name. */
const char *map_default_title(const geo_map_layer *spec, geo_map_kind kind, const char *lname);
/* The legend title sample layer names carry ("隐患 hazards"), or NULL. */
const char *map_known_title(const char *layer_name);

/* A map as geo_map draws it, as the next page of a PDF surface the caller
** owns (grid-assess's report); the page takes the map's size. */
geo_err map_pdf_page(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const geo_map_opts *o,
		     cairo_surface_t *pdf);

#endif
