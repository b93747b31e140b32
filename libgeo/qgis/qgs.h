/*
** qgs.h: the QGIS project and print layout of grid-map's layers (qgs.c,
** qpt.c), for grid-map. Private to libgeo.
*/
#ifndef QGIS_QGS_H
#define QGIS_QGS_H

#include "geo.h"

/* grid-map's laid-out page as its print layout needs it: sizes and places
** in mm on the page, the world window the frame shows, the scales. */
typedef struct qgs_page {
	const geo_map_opts *o;     /* title, subtitle, font */
	const geo_crs *work;       /* the working CRS */
	double page_w, page_h, frame[4]; /* mm: the page; the frame's x, y, w, h */
	double wx0, wy0, wx1, wy1; /* world window shown in the frame */
	double scale;              /* paper mm per working-CRS unit */
	double ground;             /* ground metres per working-CRS unit at the centre */
	double bar_m;              /* the drawn scale bar's length in metres */
	const char *period;        /* the data's period, "" for none */
} qgs_page;

/* Writes the QGIS project named path (for its folder) into out; with a
** page (else NULL), the project holds its print layout, also written into
** qpt as a template (when not NULL). */
geo_err qgs_write(geo_ctx *ctx, const geo_map_layer *layers, size_t n, const char *path,
		  const geo_map_opts *o, const qgs_page *page, geo_output *out, geo_output *qpt);
/* The print layout (a QGIS <Layout> element) of the page, named name; srs
** is the working CRS as a <spatialrefsys>. NULL when out of memory. */
char *qpt_layout(const qgs_page *m, const char *name, const char *srs);

#endif
