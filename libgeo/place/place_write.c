/*
** place_write.c: grid-place's outputs: the placed features (or their split
** pieces) with grid_id, parent_id and the copied grid fields, in the output
** CRS, with a QGIS style by grid; the features left unplaced as they came;
** and the per-grid table (place_summary.c keeps it).
*/
#include "place/place_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

/* ---- setting up ------------------------------------------------------------ */

static void add_field(OGRLayerH l, const char *name, OGRFieldType t)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, t);
	OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
}

geo_err place_write_prepare(place_writer *r, geo_ctx *ctx, const geo_place_opts *o,
			    const place_grids *g, geo_input *in)
{
	*r = (place_writer){ .ctx = ctx, .o = o, .g = g, .in = in };
	const geo_crs *in_crs = geo_input_crs(in);
	r->out_crs = o->common.t_srs ? geo_crs_new(ctx, o->common.t_srs) : geo_crs_clone(in_crs);
	if (!r->out_crs)
		return geo_last_code(ctx);
	if (!(r->work_to_out = geo_transform_new(ctx, g->set->crs, r->out_crs)))
		return geo_last_code(ctx);
	if (!geo_crs_equal(in_crs, r->out_crs) &&
	    !(r->to_out = geo_transform_new(ctx, in_crs, r->out_crs)))
		return geo_last_code(ctx);
	return GEO_OK;
}

/* Creates on l the features' fields, mapping each input field to its output
** index in *map (caller frees). */
static geo_err copy_input_fields(place_writer *r, OGRLayerH l, int **map)
{
	OGRFeatureDefnH in = geo_input_defn(r->in);
	int n = OGR_FD_GetFieldCount(in);
	*map = geo_calloc(r->ctx, (size_t)n + 1, sizeof **map);
	if (!*map)
		return GEO_ERR_INTERNAL;
	for (int i = 0; i < n; i++) {
		if (OGR_L_CreateField(l, OGR_FD_GetFieldDefn(in, i), TRUE) != OGRERR_NONE)
			return geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot create field '%s': %s",
					OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(in, i)),
					geo_cpl_error("driver refused"));
		(*map)[i] = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(l)) - 1;
	}
	return GEO_OK;
}

/* The field named name on l: an existing one of the features (then its
** value is replaced), else a new one. */
static int own_field(OGRLayerH l, const char *name, OGRFieldType t)
{
	OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
	int i = OGR_FD_GetFieldIndex(d, name);
	if (i >= 0)
		return i;
	add_field(l, name, t);
	return OGR_FD_GetFieldIndex(d, name);
}

/* A copied grid field, prefixed grid_ when a feature field has the name. */
static geo_err add_copy_field(place_writer *r, OGRLayerH l, int i)
{
	OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
	OGRFieldDefnH src = OGR_FD_GetFieldDefn(r->g->set->defn, r->g->copy_field[i]);
	OGRFieldDefnH fd = OGR_Fld_Create(OGR_Fld_GetNameRef(src), OGR_Fld_GetType(src));
	if (OGR_FD_GetFieldIndex(d, OGR_Fld_GetNameRef(src)) >= 0) {
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "grid_%s", OGR_Fld_GetNameRef(src));
		OGR_Fld_SetName(fd, b.s ? b.s : "grid_field");
		geo_buf_free(&b);
	}
	OGR_Fld_SetSubType(fd, OGR_Fld_GetSubType(src));
	OGRErr err = OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
	if (err != OGRERR_NONE)
		return geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot create field '%s': %s",
				r->g->copy_names[i], geo_cpl_error("driver refused"));
	return GEO_OK;
}

/* grid_id, parent_id, the copied grid fields, and split and --max-distance
** fields. */
static geo_err add_place_fields(place_writer *r, OGRLayerH l, int dim)
{
	r->f_grid = own_field(l, r->o->grid.id_field, OFTString);
	r->f_parent = own_field(l, r->o->grid.parent_field, OFTString);
	r->f_copy = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(l));
	for (int i = 0; r->g->copy_names && r->g->copy_names[i]; i++) {
		geo_err e = add_copy_field(r, l, i);
		if (e)
			return e;
	}
	r->f_measure = r->f_share = r->f_distance = -1;
	if (r->o->mode == GEO_PLACE_SPLIT && (dim == 1 || dim == 2)) {
		r->f_measure = own_field(l, dim == 1 ? "area_m2" : "length_m", OFTReal);
		r->f_share = own_field(l, "share", OFTReal);
	}
	if (r->o->max_distance > 0)
		r->f_distance = own_field(l, "distance_m", OFTReal);
	return r->f_grid >= 0 && r->f_parent >= 0 ? GEO_OK
						  : geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot add grid fields: %s",
							     geo_cpl_error("driver refused"));
}

static geo_err open_output(place_writer *r, const char *path, const char *format, const char *const *inputs,
			   geo_output **out, OGRLayerH *l, OGRwkbGeometryType type, const char *layer)
{
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.format = format;
	oo.overwrite = r->o->common.out.overwrite;
	oo.inputs = inputs;
	*out = geo_output_open(r->ctx, path, &oo);
	if (!*out)
		return geo_last_code(r->ctx);
	*l = geo_output_create_layer(r->ctx, *out, layer, r->out_crs, type);
	return *l ? GEO_OK : geo_last_code(r->ctx);
}

/* The dimension class the layer declares (0 when it may mix). */
static int layer_dim(place_writer *r)
{
	return geo_geom_dimension_class(OGR_L_GetGeomType(geo_input_layer(r->in)));
}

static int layer_type(place_writer *r)
{
	return OGR_L_GetGeomType(geo_input_layer(r->in));
}

/* -o: split pieces are forced to a multi type, as a layer cannot mix. */
static geo_err open_placed(place_writer *r, const char *const *inputs)
{
	int dim = layer_dim(r);
	OGRwkbGeometryType type = layer_type(r);
	if (r->o->mode == GEO_PLACE_SPLIT && (dim == 1 || dim == 2))
		type = r->multi = dim == 1 ? wkbMultiPolygon : wkbMultiLineString;
	geo_err e = open_output(r, r->o->common.output, r->o->common.out.format, inputs, &r->out,
				&r->out_layer, type, NULL);
	if (!e)
		e = copy_input_fields(r, r->out_layer, &r->map);
	if (!e)
		e = add_place_fields(r, r->out_layer, dim);
	if (!e && !(r->of = OGR_F_Create(OGR_L_GetLayerDefn(r->out_layer))))
		e = geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	return e;
}

static geo_err open_unplaced(place_writer *r, const char *const *inputs)
{
	geo_err e = open_output(r, r->o->unplaced, NULL, inputs, &r->un_out, &r->un_layer,
				layer_type(r), NULL);
	if (!e)
		e = copy_input_fields(r, r->un_layer, &r->un_map);
	if (!e && !(r->uf = OGR_F_Create(OGR_L_GetLayerDefn(r->un_layer))))
		e = geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	return e;
}

geo_err place_write_open(place_writer *r, const char *const *inputs)
{
	geo_err e = r->o->common.output ? open_placed(r, inputs) : GEO_OK;
	if (!e && r->o->unplaced)
		e = open_unplaced(r, inputs);
	return e;
}

static void set_grid_fields(place_writer *r, OGRFeatureH of, const place_piece *p)
{
	const place_grids *g = r->g;
	OGR_F_SetFieldString(of, r->f_grid, p->grid >= 0 ? g->ids[p->grid] : "");
	OGR_F_SetFieldString(of, r->f_parent, p->grid >= 0 ? g->parent[p->grid] : "");
	for (int i = 0; g->copy_names && g->copy_names[i]; i++) {
		if (p->grid < 0) {
			OGR_F_UnsetField(of, r->f_copy + i);
			continue;
		}
		OGRFeatureH gf = g->view.grids[p->grid].feat;
		int src = g->copy_field[i];
		if (OGR_F_IsFieldSetAndNotNull(gf, src))
			OGR_F_SetFieldRaw(of, r->f_copy + i, OGR_F_GetRawFieldRef(gf, src));
		else
			OGR_F_UnsetField(of, r->f_copy + i);
	}
	if (r->f_measure >= 0)
		OGR_F_SetFieldDouble(of, r->f_measure, round(p->measure * 100) / 100);
	if (r->f_share >= 0)
		OGR_F_SetFieldDouble(of, r->f_share, round(p->share * 1e6) / 1e6);
	if (r->f_distance >= 0)
		OGR_F_SetFieldDouble(of, r->f_distance, round(p->distance * 100) / 100);
}

/* The output geometry of a piece: its own (working CRS) or the feature's
** (features' CRS), in the output CRS. */
static geo_err piece_geometry(place_writer *r, OGRFeatureH f, const place_piece *p, int steal, OGRGeometryH *out)
{
	OGRGeometryH g = NULL;
	geo_transform *t = NULL;
	if (p->geom) {
		if (!(g = geo_geom_to_ogr(r->ctx, p->geom)))
			return GEO_ERR_INTERNAL;
		t = r->work_to_out;
	} else {
		g = steal ? OGR_F_StealGeometry(f) : OGR_F_GetGeometryRef(f);
		if (g && !steal)
			g = OGR_G_Clone(g);
		t = r->to_out;
	}
	if (g && t && geo_transform_ogr(r->ctx, t, g)) {
		OGR_G_DestroyGeometry(g);
		return GEO_ERR_OUTPUT;
	}
	if (g && r->multi == wkbMultiPolygon)
		g = OGR_G_ForceToMultiPolygon(g);
	else if (g && r->multi == wkbMultiLineString)
		g = OGR_G_ForceToMultiLineString(g);
	*out = g;
	return GEO_OK;
}

static geo_err create(place_writer *r, OGRLayerH l, OGRFeatureH of)
{
	OGRErr err = OGR_L_CreateFeature(l, of);
	OGR_F_SetFID(of, OGRNullFID);
	if (err != OGRERR_NONE)
		return geo_fail(r->ctx, GEO_ERR_OUTPUT, "cannot write feature to layer '%s': %s",
				OGR_L_GetName(l), geo_cpl_error("write failed"));
	return GEO_OK;
}

geo_err place_write_unplaced(place_writer *r, OGRFeatureH f)
{
	OGR_F_SetFromWithMap(r->uf, f, TRUE, r->un_map);
	OGRGeometryH g = NULL;
	place_piece whole = { -1, NULL, 0, 0, 0 };
	geo_err e = piece_geometry(r, f, &whole, 0, &g);
	if (e)
		return e;
	OGR_F_SetGeometryDirectly(r->uf, g);
	return create(r, r->un_layer, r->uf);
}

geo_err place_write_pieces(place_writer *r, OGRFeatureH f, const place_piece *pieces, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const place_piece *p = &pieces[i];
		OGR_F_SetFromWithMap(r->of, f, TRUE, r->map);
		set_grid_fields(r, r->of, p);
		OGRGeometryH g = NULL;
		geo_err e = piece_geometry(r, f, p, i + 1 == n, &g);
		if (e)
			return e;
		OGR_F_SetGeometryDirectly(r->of, g);
		if ((e = create(r, r->out_layer, r->of)))
			return e;
		r->written++;
	}
	return GEO_OK;
}

/* The values a feature gives the summary: its fields, or (f NULL) sums and by. */
geo_err place_write_summary(place_writer *r, geo_place_summary *sum, const char *const *inputs)
{
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = r->o->common.out.overwrite;
	oo.inputs = inputs;
	geo_crs *crs = r->o->common.t_srs ? geo_crs_new(r->ctx, r->o->common.t_srs) : geo_crs_clone(r->g->set->source_crs);
	if (!crs)
		return geo_last_code(r->ctx);
	geo_place_table t = { (const char *const *)r->g->ids, (const char *const *)r->g->parent,
			      r->g->geoms, r->g->order, r->g->set->crs, crs };
	geo_err e = geo_place_summary_write(r->ctx, sum, r->o->summary, &oo, &t);
	geo_crs_free(crs);
	return e;
}

/* A muted palette for the placed features, one colour a grid in code order,
** so neighbouring grids (consecutive codes) differ; ColorBrewer Set2 and Set3. */
static const char *const grid_colours[] = {
	"102,194,165", "252,141,98", "141,160,203", "231,138,195", "166,216,84", "255,217,47",
	"229,196,148", "128,177,211", "188,128,189", "204,235,197",
};

/* The kind of symbol that draws the written features: the output layer's
** kind, else the one kind of feature placed; -1 when they mix. */
static int features_kind(place_writer *r, const long long dims[4])
{
	static const int kinds[] = { -1, GEO_QML_FILL, GEO_QML_LINE, GEO_QML_MARKER };
	int declared = geo_geom_dimension_class(OGR_L_GetGeomType(r->out_layer)), dim = declared;
	for (int d = 1; !declared && d <= 3; d++)
		if (dims[d])
			dim = dim ? -1 : d;
	return dim > 0 ? kinds[dim] : -1;
}

/* A QGIS style for the placed features: categorized by grid code, a colour
** a grid, the features left unplaced in red. No style for CSV, or for a
** layer that mixes points, lines and polygons (one symbol cannot draw all). */
static geo_err style_features(place_writer *r, const long long dims[4])
{
	int kind = features_kind(r, dims);
	if (kind < 0 || !strcmp(geo_output_driver(r->out), "CSV"))
		return GEO_OK;
	size_t n = r->g->view.n;
	geo_qml_category *c = geo_calloc(r->ctx, n + 1, sizeof *c);
	if (!c)
		return GEO_ERR_INTERNAL;
	size_t ncolours = sizeof grid_colours / sizeof grid_colours[0];
	for (size_t k = 0; k < n; k++) {
		const char *id = r->g->ids[r->g->order[k]];
		c[k] = (geo_qml_category){ id, id, grid_colours[k % ncolours], NULL };
	}
	c[n] = (geo_qml_category){ "", "unplaced", "228,26,28",
				   kind == GEO_QML_MARKER ? "cross_fill" : "b_diagonal" };
	geo_qml_categorized_opts o = { r->o->grid.id_field, kind,
				       kind == GEO_QML_FILL ? 0.6 : 1,
				       kind == GEO_QML_MARKER ? 2.4 : kind == GEO_QML_LINE ? 0.6 : 0.4,
				       kind == GEO_QML_MARKER ? "50,50,50" : NULL, NULL };
	char *qml = geo_qml_categorized(c, n + 1, &o);
	geo_err e = qml ? geo_output_style(r->ctx, r->out, r->out_layer, qml)
			: geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	free(qml);
	free(c);
	return e;
}

geo_err place_write_commit(place_writer *r, const long long dims[4])
{
	geo_err e = GEO_OK;
	if (r->un_out && (e = geo_output_commit(r->ctx, r->un_out)))
		return e;
	if (r->out && ((e = style_features(r, dims)) || (e = geo_output_commit(r->ctx, r->out))))
		return e;
	return GEO_OK;
}


void place_write_close(place_writer *r)
{
	if (r->of)
		OGR_F_Destroy(r->of);
	if (r->uf)
		OGR_F_Destroy(r->uf);
	geo_output_close(r->out);
	geo_output_close(r->un_out);
	free(r->map);
	free(r->un_map);
	geo_transform_free(r->to_out);
	geo_transform_free(r->work_to_out);
	geo_crs_free(r->out_crs);
}
