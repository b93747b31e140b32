/*
** bench/util.c: the two measurements bench/run needs that no installed tool
** makes without numpy.
**
**   util read FILE[:LAYER]  reads every feature with OGR, fetching its
**                           geometry, and prints the count: the floor a
**                           point-counting tool is held to (issue 6).
**   util rast A.tif B.tif   compares two single-band rasters with the same
**                           pixel size on the pixels they share (matched by
**                           georeferenced pixel centre; nodata counts as 0)
**                           and prints "corr R integral_a IA integral_b IB
**                           shared N": the Pearson correlation and the sums of
**                           value x pixel area in m².
**
** Built by bench/run with cc and pkg-config gdal; not part of the product.
*/
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_all(const char *name)
{
	char *path = strdup(name);
	const char *layer_name = NULL;
	char *colon = strrchr(path, ':');
	if (colon && colon != path) {
		*colon = '\0';
		layer_name = colon + 1;
	}
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!ds) {
		fprintf(stderr, "util: cannot open %s\n", path);
		free(path);
		return 3;
	}
	OGRLayerH layer = layer_name ? GDALDatasetGetLayerByName(ds, layer_name)
				     : GDALDatasetGetLayer(ds, 0);
	if (!layer) {
		fprintf(stderr, "util: no layer in %s\n", name);
		GDALClose(ds);
		free(path);
		return 3;
	}
	long n = 0;
	double sum = 0; /* touch each coordinate so nothing is skipped */
	OGRFeatureH f;
	while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		if (g && OGR_G_GetPointCount(g) > 0)
			sum += OGR_G_GetX(g, 0);
		OGR_F_Destroy(f);
		n++;
	}
	printf("%ld %s\n", n, sum != 0 ? "features" : "features (no coordinates)");
	GDALClose(ds);
	free(path);
	return 0;
}

typedef struct raster {
	int w, h;
	double gt[6];
	float *v;
} raster;

static int raster_load(const char *path, raster *r)
{
	GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
	if (!ds) {
		fprintf(stderr, "util: cannot open %s\n", path);
		return 3;
	}
	GDALRasterBandH b = GDALGetRasterBand(ds, 1);
	r->w = GDALGetRasterXSize(ds);
	r->h = GDALGetRasterYSize(ds);
	GDALGetGeoTransform(ds, r->gt);
	r->v = malloc(sizeof(float) * (size_t)r->w * (size_t)r->h);
	int has_nodata = 0;
	double nodata = GDALGetRasterNoDataValue(b, &has_nodata);
	if (!r->v || GDALRasterIO(b, GF_Read, 0, 0, r->w, r->h, r->v, r->w, r->h, GDT_Float32,
				  0, 0) != CE_None) {
		fprintf(stderr, "util: cannot read %s\n", path);
		GDALClose(ds);
		return 3;
	}
	for (size_t i = 0; i < (size_t)r->w * (size_t)r->h; i++)
		if (isnan(r->v[i]) || (has_nodata && r->v[i] == (float)nodata))
			r->v[i] = 0;
	GDALClose(ds);
	return 0;
}

static double raster_integral(const raster *r)
{
	double s = 0;
	for (size_t i = 0; i < (size_t)r->w * (size_t)r->h; i++)
		s += r->v[i];
	return s * fabs(r->gt[1] * r->gt[5]);
}

static int compare(const char *pa, const char *pb)
{
	raster a = {0}, b = {0};
	if (raster_load(pa, &a) || raster_load(pb, &b))
		return 3;
	if (fabs(a.gt[1] - b.gt[1]) > 1e-9 * fabs(a.gt[1]) ||
	    fabs(fabs(a.gt[5]) - fabs(b.gt[5])) > 1e-9 * fabs(a.gt[5])) {
		fprintf(stderr, "util: pixel sizes differ\n");
		return 3;
	}
	/* Offset of b's pixel grid in a's, rounded: rasters made for the same
	** extent by different tools may differ by a fraction of a pixel. */
	double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
	long n = 0;
	for (int row = 0; row < a.h; row++) {
		double y = a.gt[3] + (row + 0.5) * a.gt[5];
		long brow = lround((y - b.gt[3]) / b.gt[5] - 0.5);
		if (brow < 0 || brow >= b.h)
			continue;
		for (int col = 0; col < a.w; col++) {
			double x = a.gt[0] + (col + 0.5) * a.gt[1];
			long bcol = lround((x - b.gt[0]) / b.gt[1] - 0.5);
			if (bcol < 0 || bcol >= b.w)
				continue;
			double va = a.v[(size_t)row * a.w + col], vb = b.v[(size_t)brow * b.w + bcol];
			sx += va;
			sy += vb;
			sxx += va * va;
			syy += vb * vb;
			sxy += va * vb;
			n++;
		}
	}
	double cov = sxy - sx * sy / n, va = sxx - sx * sx / n, vb = syy - sy * sy / n;
	double corr = va > 0 && vb > 0 ? cov / sqrt(va * vb) : 0;
	printf("corr %.6f integral_a %.6g integral_b %.6g shared %ld\n", corr,
	       raster_integral(&a), raster_integral(&b), n);
	free(a.v);
	free(b.v);
	return 0;
}

int main(int argc, char **argv)
{
	GDALAllRegister();
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return read_all(argv[2]);
	if (argc == 4 && strcmp(argv[1], "rast") == 0)
		return compare(argv[2], argv[3]);
	fprintf(stderr, "usage: util read FILE[:LAYER] | util rast A.tif B.tif\n");
	return 2;
}
