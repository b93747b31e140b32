/*
** map_internal.h: what grid-map's modules share: map.c (reading, layout, the
** verb), map_draw.c (features, labels, legend, scale bar, north arrow),
** map_style.c (colour classes, the heat raster), map_report.c (the
** report) and map_words.c (legend words), and the text setting the other printed pages
** use (the hand-over list, the assessment report). The layers' kinds and
** looks are qgis/layer.h's, the QGIS project qgis/qgs.h's. Private to libgeo; not part of its
** contract.
*/
#ifndef MAP_INTERNAL_H
#define MAP_INTERNAL_H

#include "geo.h"
#include "qgis/layer.h"
#include "qgis/qgs.h"

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

/* A map as geo_map draws it, as the next page of a PDF surface the caller
** owns (grid-assess's report); the page takes the map's size. */
geo_err map_pdf_page(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const geo_map_opts *o,
		     cairo_surface_t *pdf);

#endif
