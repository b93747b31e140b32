/*
** layer.h: a layer as wangge shows it, on paper and in QGIS (layer.c), for
** the verbs that draw layers and the QGIS project. Private to libgeo.
*/
#ifndef QGIS_LAYER_H
#define QGIS_LAYER_H

#include "geo.h"

/* The marker shapes a look names. */
typedef enum layer_shape { SHAPE_CIRCLE, SHAPE_TRIANGLE, SHAPE_SQUARE, SHAPE_DIAMOND } layer_shape;

/* How a layer of a kind looks: colours 0xRRGGBB (fill 0: none), line width
** or marker size in mm, and the marker shape (a layer_shape). k counts the
** earlier layers of the same kind, n the layer's features. */
typedef struct layer_look {
	unsigned fill, stroke;
	double width;
	int shape;
} layer_look;
layer_look layer_look_for(geo_map_kind kind, const char *lname, size_t k, size_t n);

/* Opens a layer; s_srs gives a CRS to one that has none. Fails without a CRS. */
geo_input *layer_open(geo_ctx *ctx, const char *name, const char *s_srs);
/* 1 polygons, 2 lines, 3 points, 0 unknown (an empty layer of no stated type). */
int layer_dimension(geo_input *in);
/* The kind a layer is drawn as (asked, or decided as GEO_MAP_AUTO says). */
geo_map_kind layer_resolve_kind(OGRLayerH ol, int dim, int level_field, geo_map_kind asked);
/* The legend title of a layer drawn as kind: the user's, else what its name
** implies when it is drawn as that name suggests, else its name. */
const char *layer_default_title(const geo_map_layer *spec, geo_map_kind kind, const char *lname);
/* The legend title sample layer names carry ("隐患 hazards"), or NULL. */
const char *layer_known_title(const char *layer_name);
/* The layer's name as the lists print it: 住户 for households, ...; else layer. */
const char *layer_short_title(const char *layer);
/* The default style (QML text) a layer carries: its GeoPackage's or
** SpatiaLite file's layer_styles, else the .qml beside it; NULL if none. */
char *layer_qml(const char *file, const char *layer);
/* Opens an output drawn from the layers (and o->raster) as every output is
** opened, refusing to replace any of them. */
geo_output *layer_output_open(geo_ctx *ctx, const char *path, const geo_map_layer *layers, size_t n,
			      const geo_map_opts *o);

#endif
