/*
** arrow_points.c: reads a point layer column by column through GDAL's Arrow
** stream, for grid-place's counting and grid-heat's points. Where a driver
** has a fast Arrow stream (GeoPackage does), a batch of tens of thousands of
** points arrives as a few arrays, two to three times as fast as reading
** feature by feature; both need nothing else: the coordinates (parsed from
** the WKB column), the FID for reports, and numeric fields to sum or weigh
** by (and grid-place's text to count by).
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <ogr_recordbatch.h>

enum { MAX_VALUES = 64 };

typedef struct column {
	int index;              /* child of the batch's struct array, -1 if absent */
	char format;            /* the Arrow format letter */
} column;

struct geo_arrow_points {
	struct ArrowArrayStream stream;
	struct ArrowSchema schema;
	struct ArrowArray array;
	int has_stream, has_schema, has_array;
	column fid, geom, by, sums[MAX_VALUES];
	int nsum;
	size_t cap;
	geo_arrow_batch b;
	char *text;             /* the --count-by values of the batch, NUL-terminated */
	size_t text_cap;
	OGRLayerH layer;
	int64_t *empty;         /* features whose point came empty, read again at the end */
	size_t nempty, empty_cap;
};

static int find_child(const struct ArrowSchema *s, const char *name)
{
	for (int64_t i = 0; name && i < s->n_children; i++)
		if (!strcmp(s->children[i]->name, name))
			return (int)i;
	return -1;
}

static column find_column(const struct ArrowSchema *s, const char *name)
{
	column c = { find_child(s, name), 0 };
	if (c.index >= 0)
		c.format = s->children[c.index]->format[0];
	return c;
}

static int numeric_format(char f)
{
	return f && strchr("cCsSiIlLfgb", f) != NULL;
}

/* The geometry column: the layer's, else the first binary one. */
static column find_geometry(const struct ArrowSchema *s, OGRLayerH l)
{
	column c = find_column(s, OGR_L_GetGeometryColumn(l));
	for (int64_t i = 0; c.index < 0 && i < s->n_children; i++)
		if (!strcmp(s->children[i]->format, "z") || !strcmp(s->children[i]->format, "Z"))
			c = (column){ (int)i, s->children[i]->format[0] };
	return c;
}

/* Opens the stream and finds the columns; 0 when this layer or these fields
** cannot go through Arrow (then the caller reads features). */
static int open_stream(geo_arrow_points *a, OGRLayerH l, int nsum, const char *const *sums,
		       const char *by)
{
	char **opts = CSLSetNameValue(NULL, "INCLUDE_FID", "YES");
	a->has_stream = OGR_L_GetArrowStream(l, &a->stream, opts);
	CSLDestroy(opts);
	if (!a->has_stream || a->stream.get_schema(&a->stream, &a->schema) != 0)
		return 0;
	a->has_schema = 1;
	a->layer = l;
	const char *fid = OGR_L_GetFIDColumn(l);
	a->fid = find_column(&a->schema, fid && *fid ? fid : "OGC_FID");
	a->geom = find_geometry(&a->schema, l);
	a->by = find_column(&a->schema, by);
	if (a->geom.index < 0 || (a->fid.index >= 0 && a->fid.format != 'l') ||
	    (by && a->by.format != 'u'))
		return 0;
	a->nsum = nsum;
	for (int i = 0; i < nsum; i++) {
		a->sums[i] = find_column(&a->schema, sums[i]);
		if (!numeric_format(a->sums[i].format))
			return 0;
	}
	return 1;
}

geo_arrow_points *geo_arrow_points_open(geo_ctx *ctx, OGRLayerH l, int nsum,
					const char *const *sums, const char *by)
{
	if (nsum > MAX_VALUES || !OGR_L_TestCapability(l, OLCFastGetArrowStream) ||
	    wkbFlatten(OGR_L_GetGeomType(l)) != wkbPoint)
		return NULL;
	geo_arrow_points *a = geo_calloc(ctx, 1, sizeof *a);
	if (a && !open_stream(a, l, nsum, sums, by)) {
		geo_arrow_points_close(a);
		/* The stream may have started reading: the caller reads afresh. */
		OGR_L_ResetReading(l);
		return NULL;
	}
	return a;
}

void geo_arrow_points_close(geo_arrow_points *a)
{
	if (!a)
		return;
	if (a->has_array && a->array.release)
		a->array.release(&a->array);
	if (a->has_schema && a->schema.release)
		a->schema.release(&a->schema);
	if (a->has_stream && a->stream.release)
		a->stream.release(&a->stream);
	free(a->b.x);
	free(a->b.y);
	free(a->b.fid);
	free(a->b.sums);
	free(a->b.by);
	free(a->text);
	free(a->empty);
	free(a);
}

static int valid(const struct ArrowArray *c, int64_t j)
{
	const unsigned char *bits = c->null_count ? c->buffers[0] : NULL;
	return !bits || (bits[j >> 3] >> (j & 7) & 1);
}

/* Value j (offset applied) of a numeric column, NaN when null. */
static double number(const struct ArrowArray *c, char f, int64_t j)
{
	if (!valid(c, j))
		return NAN;
	const void *v = c->buffers[1];
	switch (f) {
	case 'c': return ((const int8_t *)v)[j];
	case 'C': return ((const uint8_t *)v)[j];
	case 's': return ((const int16_t *)v)[j];
	case 'S': return ((const uint16_t *)v)[j];
	case 'i': return ((const int32_t *)v)[j];
	case 'I': return ((const uint32_t *)v)[j];
	case 'l': return (double)((const int64_t *)v)[j];
	case 'L': return (double)((const uint64_t *)v)[j];
	case 'f': return ((const float *)v)[j];
	case 'g': return ((const double *)v)[j];
	case 'b': return ((const unsigned char *)v)[j >> 3] >> (j & 7) & 1;
	default: return NAN;
	}
}

static uint32_t u32(const unsigned char *p, int little)
{
	return little ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
		      : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static double f64(const unsigned char *p, int little)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = little ? p[i] : p[7 - i];
	double v;
	memcpy(&v, b, sizeof v);
	return v;
}

/* Parses a WKB point (ISO or extended, any dimensions): 1 with its x, y;
** 0 for a point that is empty (no coordinates, or both NaN, as GeoPackage
** writes POINT EMPTY); -1 for another geometry type. */
static int wkb_point(const unsigned char *w, int64_t n, double *x, double *y)
{
	if (n < 5)
		return -1;
	int little = w[0] == 1;
	uint32_t type = u32(w + 1, little);
	if ((type & 0x0fffffff) % 1000 != 1)
		return -1;
	int64_t at = 5 + (type & 0x20000000 ? 4 : 0); /* EWKB with an SRID */
	if (n < at + 16)
		return 0;
	*x = f64(w + at, little);
	*y = f64(w + at + 8, little);
	return isnan(*x) && isnan(*y) ? 0 : 1;
}

static geo_err reserve(geo_ctx *ctx, geo_arrow_points *a, size_t n)
{
	if (n <= a->cap)
		return GEO_OK;
	geo_arrow_batch *b = &a->b;
	free(b->x), free(b->y), free(b->fid), free(b->sums), free(b->by);
	b->x = geo_calloc(ctx, n, sizeof *b->x);
	b->y = geo_calloc(ctx, n, sizeof *b->y);
	b->fid = geo_calloc(ctx, n, sizeof *b->fid);
	b->sums = geo_calloc(ctx, n * (size_t)(a->nsum ? a->nsum : 1), sizeof *b->sums);
	b->by = geo_calloc(ctx, n, sizeof *b->by);
	a->cap = b->x && b->y && b->fid && b->sums && b->by ? n : 0;
	return a->cap ? GEO_OK : GEO_ERR_INTERNAL;
}

/* Copies the batch's --count-by strings, NUL-terminated, into a->text. */
static geo_err copy_text(geo_ctx *ctx, geo_arrow_points *a, const struct ArrowArray *c, int64_t off,
			 size_t n)
{
	const int32_t *o = c->buffers[1];
	const char *data = c->buffers[2];
	size_t need = (size_t)(o[off + (int64_t)n] - o[off]) + n;
	if (need > a->text_cap) {
		free(a->text);
		if (!(a->text = geo_calloc(ctx, need, 1)))
			return a->text_cap = 0, GEO_ERR_INTERNAL;
		a->text_cap = need;
	}
	char *t = a->text;
	for (size_t i = 0; i < n; i++) {
		int64_t j = off + (int64_t)i;
		if (!valid(c, j)) {
			a->b.by[i] = NULL;
			continue;
		}
		size_t len = (size_t)(o[j + 1] - o[j]);
		memcpy(t, data + o[j], len);
		t[len] = '\0';
		a->b.by[i] = t;
		t += len + 1;
	}
	return GEO_OK;
}

/* GDAL's Arrow stream of a GeoPackage hands over a point with a NaN or
** infinite coordinate, or one beyond its envelope's reach, as no geometry,
** which a null or POINT EMPTY also is; such features are read again as
** features when the stream ends (check_empty), so that this path says of a
** bad coordinate what the feature path says. */
static geo_err note_empty(geo_ctx *ctx, geo_arrow_points *a, int64_t fid)
{
	if (a->nempty == a->empty_cap) {
		size_t cap = a->empty_cap ? 2 * a->empty_cap : 64;
		int64_t *e = realloc(a->empty, cap * sizeof *e);
		if (!e)
			return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		a->empty = e;
		a->empty_cap = cap;
	}
	a->empty[a->nempty++] = fid;
	return GEO_OK;
}

static geo_err check_empty(geo_ctx *ctx, geo_arrow_points *a, const char *source)
{
	if (a->has_stream && a->stream.release)
		a->stream.release(&a->stream); /* the layer is GDAL's again */
	a->has_stream = 0;
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < a->nempty; i++) {
		OGRFeatureH f = OGR_L_GetFeature(a->layer, a->empty[i]);
		OGRGeometryH g = f ? OGR_F_GetGeometryRef(f) : NULL;
		OGREnvelope env;
		char why[256];
		if (g && !OGR_G_IsEmpty(g)) {
			OGR_G_GetEnvelope(g, &env);
			e = geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: %s", source,
				     (long long)a->empty[i],
				     geo_coord_problem(env.MinX, env.MinY, env.MaxX, env.MaxY, why,
						       sizeof why)
					     ? why
					     : "GDAL's Arrow stream lost its point");
		}
		OGR_F_Destroy(f);
	}
	a->nempty = 0;
	return e;
}

static geo_err fill(geo_ctx *ctx, geo_arrow_points *a, const char *source)
{
	const struct ArrowArray *s = &a->array;
	size_t n = (size_t)s->length;
	geo_arrow_batch *b = &a->b;
	geo_err e = reserve(ctx, a, n ? n : 1);
	if (e)
		return e;
	b->n = n;
	const struct ArrowArray *g = s->children[a->geom.index];
	const struct ArrowArray *f = a->fid.index >= 0 ? s->children[a->fid.index] : NULL;
	for (size_t i = 0; i < n; i++) {
		int64_t j = g->offset + s->offset + (int64_t)i, w0, w1;
		if (a->geom.format == 'Z') {
			w0 = ((const int64_t *)g->buffers[1])[j];
			w1 = ((const int64_t *)g->buffers[1])[j + 1];
		} else {
			w0 = ((const int32_t *)g->buffers[1])[j];
			w1 = ((const int32_t *)g->buffers[1])[j + 1];
		}
		b->fid[i] = f ? ((const int64_t *)f->buffers[1])[f->offset + s->offset + (int64_t)i] : -1;
		int kind = valid(g, j) ? wkb_point((const unsigned char *)g->buffers[2] + w0, w1 - w0,
						   &b->x[i], &b->y[i])
				       : 0;
		if (kind < 0)
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: not a point in a layer of points",
					source, (long long)b->fid[i]);
		char why[256];
		if (kind == 0 && b->fid[i] >= 0 && note_empty(ctx, a, b->fid[i]))
			return GEO_ERR_INTERNAL;
		if (kind == 0)
			b->x[i] = b->y[i] = NAN;
		else if (geo_coord_problem(b->x[i], b->y[i], b->x[i], b->y[i], why, sizeof why))
			/* as geo_input_geometry says it of a feature */
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: %s", source,
					(long long)b->fid[i], why);
	}
	for (int k = 0; k < a->nsum; k++) {
		const struct ArrowArray *c = s->children[a->sums[k].index];
		for (size_t i = 0; i < n; i++)
			b->sums[i * (size_t)a->nsum + (size_t)k] =
				number(c, a->sums[k].format, c->offset + s->offset + (int64_t)i);
	}
	if (a->by.index >= 0) {
		const struct ArrowArray *c = s->children[a->by.index];
		return copy_text(ctx, a, c, c->offset + s->offset, n);
	}
	return GEO_OK;
}

geo_err geo_arrow_points_next(geo_ctx *ctx, geo_arrow_points *a, const char *source,
			      const geo_arrow_batch **batch)
{
	*batch = &a->b;
	a->b.n = 0;
	do {
		if (a->has_array && a->array.release)
			a->array.release(&a->array);
		a->has_array = 0;
		if (a->stream.get_next(&a->stream, &a->array) != 0) {
			const char *why = a->stream.get_last_error(&a->stream);
			return geo_fail(ctx, GEO_ERR_INPUT, "%s: cannot read: %s", source,
					why ? why : geo_cpl_error("read error"));
		}
		if (!a->array.release)
			return check_empty(ctx, a, source); /* the end */
		a->has_array = 1;
	} while (a->array.length == 0);
	return fill(ctx, a, source);
}
