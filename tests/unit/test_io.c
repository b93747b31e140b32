/*
** Unit tests of io.c: atomic outputs (nothing left behind on failure),
** --overwrite, adding a layer to an existing GeoPackage, refusing an output
** that is an input, unwritable folders, a full disk, and input naming
** (PATH:LAYER, CSV coordinate columns with Chinese names).
*/
#include "check.h"
#include "geo.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static const char *at(const char *name)
{
	static char path[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

/* Writes one point layer; returns the commit's result. */
static geo_err write_points(geo_ctx *ctx, const char *name, const char *layer, int overwrite,
			    const char *const *inputs)
{
	geo_output_opts o;
	geo_output_opts_init(&o);
	o.overwrite = overwrite;
	o.inputs = inputs;
	geo_output *out = geo_output_open(ctx, name, &o);
	if (!out)
		return geo_last_code(ctx);
	geo_crs *crs = geo_crs_new(ctx, "EPSG:4548");
	OGRLayerH l = geo_output_create_layer(ctx, out, layer, crs, wkbPoint);
	geo_err e = l ? GEO_OK : geo_last_code(ctx);
	if (!e) {
		OGRFieldDefnH fd = OGR_Fld_Create("name", OFTString);
		OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		OGR_F_SetFieldString(f, 0, "下伍旗镇");
		GEOSContextHandle_t h = geo_ctx_geos(ctx);
		GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, 500000, 4361000);
		e = geo_write_feature(ctx, l, f, p, NULL);
		GEOSGeom_destroy_r(h, p);
		OGR_F_Destroy(f);
	}
	if (!e)
		e = geo_output_style(ctx, out, l, "<qgis></qgis>");
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	geo_crs_free(crs);
	return e;
}

static int layer_count(const char *path)
{
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	int n = ds ? GDALDatasetGetLayerCount(ds) : -1;
	if (ds)
		GDALClose(ds);
	return n;
}

static int leftovers(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".tmp") != NULL || strstr(e->d_name, "wangge-tmp") != NULL;
	if (d)
		closedir(d);
	return n;
}

static void test_outputs(geo_ctx *ctx)
{
	CHECK("a new GeoPackage is written", write_points(ctx, at("a.gpkg"), "pts", 0, NULL) == GEO_OK);
	CHECK("it holds the layer and its style", layer_count(at("a.gpkg")) == 2);
	CHECK("an existing file is refused without --overwrite",
	      write_points(ctx, at("a.gpkg"), NULL, 0, NULL) == GEO_ERR_OUTPUT);
	CHECK("the message names the file and the way out",
	      strstr(geo_last_error(ctx), "a.gpkg: exists; use --overwrite") != NULL);
	CHECK("a layer is added to an existing GeoPackage",
	      write_points(ctx, at("a.gpkg:more"), NULL, 0, NULL) == GEO_OK &&
		      layer_count(at("a.gpkg")) == 3);
	CHECK("an existing layer is refused without --overwrite",
	      write_points(ctx, at("a.gpkg:more"), NULL, 0, NULL) == GEO_ERR_OUTPUT);
	CHECK("and the file is left as it was", layer_count(at("a.gpkg")) == 3);
	CHECK("with --overwrite the layer is replaced",
	      write_points(ctx, at("a.gpkg:more"), NULL, 1, NULL) == GEO_OK &&
		      layer_count(at("a.gpkg")) == 3);
	const char *inputs[] = { at("a.gpkg:pts"), NULL };
	CHECK("an output that is an input is refused, even with --overwrite",
	      write_points(ctx, at("a.gpkg"), NULL, 1, inputs) == GEO_ERR_OUTPUT);
	CHECK("an output in a missing folder is an output error",
	      write_points(ctx, at("no/such/folder/x.gpkg"), NULL, 0, NULL) == GEO_ERR_OUTPUT);
	CHECK("an output whose format cannot be told is a usage error",
	      write_points(ctx, "/dev/full", NULL, 0, NULL) == GEO_ERR_USAGE);
	geo_output_opts o;
	geo_output_opts_init(&o);
	o.format = "GeoJSON";
	geo_output *out = geo_output_open(ctx, "/dev/full", &o);
	geo_crs *crs = geo_crs_new(ctx, "EPSG:4548");
	OGRLayerH l = out ? geo_output_create_layer(ctx, out, "x", crs, wkbPoint) : NULL;
	for (int i = 0; l && i < 2000; i++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		GEOSGeometry *p = GEOSGeom_createPointFromXY_r(geo_ctx_geos(ctx), i, i);
		geo_write_feature(ctx, l, f, p, NULL);
		GEOSGeom_destroy_r(geo_ctx_geos(ctx), p);
		OGR_F_Destroy(f);
	}
	CHECK("GeoJSON to /dev/full (a full disk) fails with an output error",
	      out && geo_output_commit(ctx, out) == GEO_ERR_OUTPUT &&
		      strstr(geo_last_error(ctx), "/dev/full: cannot write: No space left"));
	geo_output_close(out);
	geo_crs_free(crs);

	out = geo_output_open(ctx, at("never.gpkg"), &(geo_output_opts){ 0 });
	crs = geo_crs_new(ctx, "EPSG:4548");
	CHECK("an abandoned output can be started", out && geo_output_create_layer(ctx, out, NULL, crs, wkbPoint));
	geo_output_close(out);
	geo_crs_free(crs);
	CHECK("an abandoned output leaves nothing behind",
	      access(at("never.gpkg"), F_OK) != 0 && leftovers() == 0);
	CHECK("a Shapefile is written with its sidecars and style",
	      write_points(ctx, at("s.shp"), NULL, 0, NULL) == GEO_OK &&
		      access(at("s.dbf"), F_OK) == 0 && access(at("s.prj"), F_OK) == 0 &&
		      access(at("s.qml"), F_OK) == 0);
}

static void test_inputs(geo_ctx *ctx)
{
	geo_input *in = geo_input_open(ctx, at("s.shp"), NULL);
	OGRFeatureH f = NULL;
	CHECK("the Shapefile reads back", in && geo_input_next(ctx, in, &f, NULL) == GEO_OK && f);
	CHECK("Chinese text survives a Shapefile (UTF-8)",
	      f && !strcmp(OGR_F_GetFieldAsString(f, 0), "下伍旗镇"));
	OGR_F_Destroy(f);
	geo_input_close(in);

	CHECK("a dataset with several layers needs one named",
	      !geo_input_open(ctx, at("a.gpkg"), NULL) &&
		      strstr(geo_last_error(ctx), "name one as") != NULL);
	geo_input *one = write_points(ctx, at("one.gpkg"), NULL, 0, NULL) == GEO_OK
				 ? geo_input_open(ctx, at("one.gpkg"), NULL)
				 : NULL;
	CHECK("the style table is not counted as a layer", one != NULL);
	geo_input_close(one);
	CHECK("an unknown layer is an input error",
	      !geo_input_open(ctx, at("a.gpkg:nope"), NULL) && geo_last_code(ctx) == GEO_ERR_INPUT);
	in = geo_input_open(ctx, at("a.gpkg:pts"), NULL);
	CHECK("PATH:LAYER opens the layer", in && !strcmp(OGR_L_GetName(geo_input_layer(in)), "pts"));
	geo_input_close(in);

	FILE *csv = fopen(at("p.csv"), "w");
	fputs("名称,经度,纬度\n甲,117.0,39.4\n", csv);
	fclose(csv);
	geo_input_opts io;
	geo_input_opts_init(&io);
	io.s_srs = "EPSG:4490";
	in = geo_input_open(ctx, at("p.csv"), &io);
	geo_crs *work = in ? geo_input_working_crs(ctx, in) : NULL;
	GEOSGeometry *g = NULL;
	CHECK("CSV with 经度/纬度 columns gives points",
	      in && work && geo_input_set_target(ctx, in, work) == GEO_OK &&
		      geo_input_next(ctx, in, &f, &g) == GEO_OK && g);
	double x = 0;
	if (g)
		GEOSGeomGetX_r(geo_ctx_geos(ctx), g, &x);
	CHECK_NEAR("and they land on the central meridian of EPSG:4548", x, 500000, 1e-3);
	GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
	OGR_F_Destroy(f);
	geo_crs_free(work);
	geo_input_close(in);

	in = geo_input_open(ctx, at("p.csv"), NULL);
	CHECK("a layer without CRS and no --s-srs is an input error",
	      in && geo_input_require_crs(ctx, in) == GEO_ERR_INPUT &&
		      strstr(geo_last_error(ctx), "--s-srs"));
	geo_input_close(in);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/wangge-test-io-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	geo_ctx *ctx = geo_ctx_new();
	test_outputs(ctx);
	test_inputs(ctx);
	geo_ctx_free(ctx);
	check_remove_dir(dir);
	return check_done();
}
