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
**                           value x pixel area in m². Then "either E same S":
**                           of the pixels non-zero in either, how many hold
**                           the same whole value (cameras seeing them).
**   util rast A.tif B.tif MASK.tif   the same, then "reach R alike L": of the
**                           pixels non-zero in MASK (same grid as A), how
**                           many A and B count alike, zeros included.
**   util dem X0 Y0 X1 Y1 CELL OUT.tif [flat]   writes a hilly surface with house
**                           blocks (Float32, EPSG:4548) for grid-cover's bench:
**                           hills of 15 m over kilometres, and one 20 m block
**                           in eight raised 4 to 10 m, so views are blocked.
**
** Built by bench/run with cc and pkg-config gdal; not part of the product.
*/
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
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

static int compare(const char *pa, const char *pb, const char *pm)
{
	raster a = {0}, b = {0}, m = {0};
	if (raster_load(pa, &a) || raster_load(pb, &b) || (pm && raster_load(pm, &m)))
		return 3;
	if (pm && (m.w != a.w || m.h != a.h)) {
		fprintf(stderr, "util: the mask is not on A's grid\n");
		return 3;
	}
	if (fabs(a.gt[1] - b.gt[1]) > 1e-9 * fabs(a.gt[1]) ||
	    fabs(fabs(a.gt[5]) - fabs(b.gt[5])) > 1e-9 * fabs(a.gt[5])) {
		fprintf(stderr, "util: pixel sizes differ\n");
		return 3;
	}
	/* Offset of b's pixel grid in a's, rounded: rasters made for the same
	** extent by different tools may differ by a fraction of a pixel. */
	double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
	long n = 0, either = 0, same = 0, reach = 0, alike = 0;
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
			if (va != 0 || vb != 0) {
				either++;
				same += lround(va) == lround(vb);
			}
			if (pm && m.v[(size_t)row * a.w + col] != 0) {
				reach++;
				alike += lround(va) == lround(vb);
			}
		}
	}
	double cov = sxy - sx * sy / n, va = sxx - sx * sx / n, vb = syy - sy * sy / n;
	double corr = va > 0 && vb > 0 ? cov / sqrt(va * vb) : 0;
	printf("corr %.6f integral_a %.6g integral_b %.6g shared %ld either %ld same %ld", corr,
	       raster_integral(&a), raster_integral(&b), n, either, same);
	if (pm)
		printf(" reach %ld alike %ld", reach, alike);
	printf("\n");
	free(m.v);
	free(a.v);
	free(b.v);
	return 0;
}

/* A hash of a block's indices into [0, 1). */
static double block_hash(long i, long j)
{
	unsigned long long h = (unsigned long long)(i * 73856093L) ^ (unsigned long long)(j * 19349663L);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (double)(h % 1000003ULL) / 1000003.0;
}

static int make_dem(char **a, int flat)
{
	double x0 = atof(a[0]), y0 = atof(a[1]), x1 = atof(a[2]), y1 = atof(a[3]), cell = atof(a[4]);
	int w = (int)ceil((x1 - x0) / cell), h = (int)ceil((y1 - y0) / cell);
	if (!(cell > 0) || w < 1 || h < 1 || (double)w * h > 4e8)
		return 2;
	GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), a[5], w, h, 1, GDT_Float32,
				     (char *[]){ "COMPRESS=DEFLATE", "TILED=YES", NULL });
	if (!ds)
		return 4;
	double gt[6] = { x0, cell, 0, y1, 0, -cell };
	GDALSetGeoTransform(ds, gt);
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, 4548);
	GDALSetSpatialRef(ds, srs);
	OSRDestroySpatialReference(srs);
	float *row = malloc(sizeof *row * (size_t)w);
	int rc = 0;
	for (int r = 0; r < h && !rc; r++) {
		double y = y1 - (r + 0.5) * cell;
		for (int c = 0; c < w; c++) {
			double x = x0 + (c + 0.5) * cell;
			double z = 15 * sin(x / 1300) * cos(y / 1700) + 6 * sin((x + y) / 530);
			double b = block_hash((long)floor(x / 20), (long)floor(y / 20));
			row[c] = flat ? 0 : (float)(z + (b < 0.125 ? 4 + 48 * b : 0));
		}
		rc = GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, r, w, 1, row, w, 1, GDT_Float32,
				  0, 0) != CE_None;
	}
	free(row);
	GDALClose(ds);
	return rc ? 4 : 0;
}

int main(int argc, char **argv)
{
	GDALAllRegister();
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return read_all(argv[2]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "rast") == 0)
		return compare(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if ((argc == 8 || (argc == 9 && !strcmp(argv[8], "flat"))) && strcmp(argv[1], "dem") == 0)
		return make_dem(argv + 2, argc == 9);
	fprintf(stderr, "usage: util read FILE[:LAYER] | util rast A.tif B.tif [MASK.tif] | "
			"util dem X0 Y0 X1 Y1 CELL OUT.tif [flat]\n");
	return 2;
}
