/*
** write.c: features into libgeo's outputs, for both commands. Layers are
** made with geo_output_create_layer and written with geo_write_feature, so
** the GeoPackage is written to a temporary name and renamed into place on
** commit; a failure to write stops the run, since a half-written test town
** is of no use.
*/
#include "synth.h"

#include <math.h>

void add_fields(OGRLayerH l, const field *fields)
{
	for (const field *f = fields; f && f->name; f++) {
		OGRFieldDefnH fd = OGR_Fld_Create(f->name, f->type);
		if (OGR_L_CreateField(l, fd, TRUE) != OGRERR_NONE)
			fatal("layer %s: cannot create field %s", OGR_L_GetName(l), f->name);
		OGR_Fld_Destroy(fd);
	}
}

OGRLayerH new_layer(synth *s, geo_output *out, const char *name, const geo_crs *crs,
		    OGRwkbGeometryType type, const field *fields)
{
	OGRLayerH l = geo_output_create_layer(s->ctx, out, name, crs, type);
	if (!l)
		fatal("%s", geo_last_error(s->ctx));
	add_fields(l, fields);
	return l;
}

OGRFeatureH new_feature(OGRLayerH l)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	if (!f)
		fatal("out of memory");
	return f;
}

void put(synth *s, OGRLayerH l, OGRFeatureH f, const GEOSGeometry *g)
{
	if (geo_write_feature(s->ctx, l, f, g, NULL))
		fatal("%s", geo_last_error(s->ctx));
}

void put_point(OGRLayerH l, OGRFeatureH f, double x, double y)
{
	OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
	OGR_G_SetPoint_2D(p, 0, x, y);
	OGR_F_SetGeometryDirectly(f, p);
	OGR_F_SetFID(f, OGRNullFID);
	if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
		fatal("cannot write to layer %s: %s", OGR_L_GetName(l), geo_cpl_error("write failed"));
}

void set_str(OGRFeatureH f, const char *name, const char *v)
{
	OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, name), v);
}

void set_int(OGRFeatureH f, const char *name, long long v)
{
	OGR_F_SetFieldInteger64(f, OGR_F_GetFieldIndex(f, name), v);
}

void set_num(OGRFeatureH f, const char *name, double v)
{
	OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, name), v);
}

double area_of(synth *s, const GEOSGeometry *g)
{
	return round(geo_geom_area(s->ctx, g) * 100) / 100;
}

geo_output *open_output(synth *s, const char *path, int overwrite)
{
	geo_output_opts oo;
	geo_output_opts_init(&oo);
	oo.overwrite = overwrite;
	return geo_output_open(s->ctx, path, &oo);
}
