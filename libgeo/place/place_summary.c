/*
** place_summary.c: grid-place's per-grid table. While features stream
** through, each placed feature (or piece) adds to its grid's count, length or
** area, the sums of --sum fields and one count per value of the --count-by
** field; at the end the table is written with one row per grid, empty grids
** included, as CSV or as a vector layer carrying the grid geometry and a
** graduated QGIS style on the count.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

enum { MAX_SUMS = 64 };       /* --sum fields, at most */

struct geo_place_summary {
	size_t n;               /* grids */
	int64_t *count;
	double *length, *area;
	int has_lines, has_polygons;
	int nsum;
	int *sum_field;         /* field indices in the features' layer */
	char **sum_name;        /* CSL of field names */
	double *sums;           /* n rows of nsum */
	int by_field;           /* --count-by field index, or -1 */
	char **values;          /* distinct values seen, in order of first sight */
	int64_t **by;           /* by[v][grid] */
	size_t nvalues, cap;
	size_t *slots;          /* open addressing over values: index + 1, 0 empty */
	size_t nslots;
};

static int numeric(OGRFieldType t)
{
	return t == OFTInteger || t == OFTInteger64 || t == OFTReal;
}

static geo_err find_sum_fields(geo_ctx *ctx, geo_place_summary *s, OGRFeatureDefnH defn,
			       const char *list, const char *source)
{
	char **names = CSLTokenizeString2(list, ",", CSLT_STRIPLEADSPACES | CSLT_STRIPENDSPACES);
	s->nsum = CSLCount(names);
	s->sum_name = names;
	if (s->nsum > MAX_SUMS)
		return geo_fail(ctx, GEO_ERR_USAGE, "--sum: more than %d fields", MAX_SUMS);
	s->sum_field = geo_calloc(ctx, (size_t)s->nsum + 1, sizeof *s->sum_field);
	s->sums = geo_calloc(ctx, s->n * (size_t)s->nsum + 1, sizeof *s->sums);
	if (!s->sum_field || !s->sums)
		return GEO_ERR_INTERNAL;
	for (int i = 0; i < s->nsum; i++) {
		int f = OGR_FD_GetFieldIndex(defn, names[i]);
		if (f < 0)
			return geo_fail(ctx, GEO_ERR_USAGE, "--sum: %s has no field '%s'", source,
					names[i]);
		if (!numeric(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f))))
			return geo_fail(ctx, GEO_ERR_USAGE, "--sum: field '%s' of %s is not numeric",
					names[i], source);
		s->sum_field[i] = f;
	}
	return GEO_OK;
}

geo_place_summary *geo_place_summary_new(geo_ctx *ctx, size_t ngrids, OGRFeatureDefnH defn,
					 const char *sum_fields, const char *count_by,
					 const char *source)
{
	geo_place_summary *s = geo_calloc(ctx, 1, sizeof *s);
	if (!s)
		return NULL;
	s->n = ngrids;
	s->by_field = -1;
	s->count = geo_calloc(ctx, ngrids + 1, sizeof *s->count);
	s->length = geo_calloc(ctx, ngrids + 1, sizeof *s->length);
	s->area = geo_calloc(ctx, ngrids + 1, sizeof *s->area);
	geo_err e = s->count && s->length && s->area ? GEO_OK : GEO_ERR_INTERNAL;
	if (!e && sum_fields)
		e = find_sum_fields(ctx, s, defn, sum_fields, source);
	if (!e && count_by && (s->by_field = OGR_FD_GetFieldIndex(defn, count_by)) < 0)
		e = geo_fail(ctx, GEO_ERR_USAGE, "--count-by: %s has no field '%s'", source, count_by);
	if (e) {
		geo_place_summary_free(s);
		return NULL;
	}
	return s;
}

void geo_place_summary_free(geo_place_summary *s)
{
	if (!s)
		return;
	for (size_t v = 0; v < s->nvalues; v++) {
		free(s->values[v]);
		free(s->by[v]);
	}
	free(s->values);
	free(s->by);
	free(s->slots);
	free(s->count);
	free(s->length);
	free(s->area);
	free(s->sum_field);
	CSLDestroy(s->sum_name);
	free(s->sums);
	free(s);
}

/* The fields summary_add reads, so a caller that reads nothing else can
** tell OGR to skip the rest. Returns a CSL list of field names. */
char **geo_place_summary_fields(const geo_place_summary *s, OGRFeatureDefnH defn)
{
	char **names = NULL;
	for (int i = 0; s && i < s->nsum; i++)
		names = CSLAddString(names, s->sum_name[i]);
	if (s && s->by_field >= 0)
		names = CSLAddString(names, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, s->by_field)));
	return names;
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static geo_err grow_slots(geo_ctx *ctx, geo_place_summary *s)
{
	size_t n = s->nslots ? 2 * s->nslots : 64;
	size_t *slots = geo_calloc(ctx, n, sizeof *slots);
	if (!slots)
		return GEO_ERR_INTERNAL;
	for (size_t v = 0; v < s->nvalues; v++) {
		size_t i = hash_str(s->values[v]) & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = v + 1;
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return GEO_OK;
}

/* The column of a --count-by value, added on first sight; -1 on failure. */
static long value_column(geo_ctx *ctx, geo_place_summary *s, const char *value)
{
	if (2 * (s->nvalues + 1) > s->nslots && grow_slots(ctx, s))
		return -1;
	size_t i = hash_str(value) & (s->nslots - 1);
	for (; s->slots[i]; i = (i + 1) & (s->nslots - 1))
		if (!strcmp(s->values[s->slots[i] - 1], value))
			return (long)(s->slots[i] - 1);
	if (s->nvalues == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **v = geo_realloc_array(ctx, s->values, cap, sizeof *v);
		if (v)
			s->values = v;
		int64_t **b = v ? geo_realloc_array(ctx, s->by, cap, sizeof *b) : NULL;
		if (!b)
			return -1;
		s->by = b;
		s->cap = cap;
	}
	char *copy = geo_strdup(ctx, value);
	int64_t *col = geo_calloc(ctx, s->n + 1, sizeof *col);
	if (!copy || !col) {
		free(copy);
		free(col);
		return -1;
	}
	s->values[s->nvalues] = copy;
	s->by[s->nvalues] = col;
	s->slots[i] = ++s->nvalues;
	return (long)(s->nvalues - 1);
}

geo_err geo_place_summary_add_values(geo_ctx *ctx, geo_place_summary *s, long grid, int dim,
				     double measure, double share, const double *sums,
				     const char *by)
{
	if (grid < 0)
		return GEO_OK;
	s->count[grid]++;
	if (dim == 2) {
		s->length[grid] += measure;
		s->has_lines = 1;
	} else if (dim == 1) {
		s->area[grid] += measure;
		s->has_polygons = 1;
	}
	for (int i = 0; i < s->nsum; i++)
		if (!isnan(sums[i]))
			s->sums[(size_t)grid * (size_t)s->nsum + (size_t)i] += share * sums[i];
	if (s->by_field >= 0) {
		long c = value_column(ctx, s, by && *by ? by : "null");
		if (c < 0)
			return GEO_ERR_INTERNAL;
		s->by[c][grid]++;
	}
	return GEO_OK;
}


geo_err geo_place_summary_add(geo_ctx *ctx, geo_place_summary *s, long grid, OGRFeatureH feat,
			      int dim, double measure, double share)
{
	double sums[MAX_SUMS];
	if (grid < 0)
		return GEO_OK;
	for (int i = 0; i < s->nsum && i < MAX_SUMS; i++)
		sums[i] = OGR_F_IsFieldSetAndNotNull(feat, s->sum_field[i])
				  ? OGR_F_GetFieldAsDouble(feat, s->sum_field[i])
				  : NAN;
	const char *by = s->by_field >= 0 && OGR_F_IsFieldSetAndNotNull(feat, s->by_field)
				 ? OGR_F_GetFieldAsString(feat, s->by_field)
				 : NULL;
	return geo_place_summary_add_values(ctx, s, grid, dim, measure, share, sums, by);
}

void geo_place_summary_inputs(const geo_place_summary *s, OGRFeatureDefnH defn, int *nsum,
			      const char *const **sum_names, const char **by_name)
{
	*nsum = s->nsum;
	*sum_names = (const char *const *)s->sum_name;
	*by_name = s->by_field >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, s->by_field)) : NULL;
}

int64_t geo_place_summary_count(const geo_place_summary *s, long grid)
{
	return s->count[grid];
}

/* ---- writing ------------------------------------------------------------- */

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_field(OGRLayerH l, const char *name, OGRFieldType t, int width, int precision)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, t);
	if (width)
		OGR_Fld_SetWidth(fd, width);
	if (precision)
		OGR_Fld_SetPrecision(fd, precision);
	OGR_L_CreateField(l, fd, TRUE);
	OGR_Fld_Destroy(fd);
}

/* Reals are rounded to a fixed number of decimals so that outputs match on
** every CPU. */
static double fixed(double v, int decimals)
{
	double k = pow(10, decimals);
	return round(v * k) / k;
}

static geo_err make_fields(geo_place_summary *s, OGRLayerH l, char **sorted)
{
	add_field(l, "grid_id", OFTString, 0, 0);
	add_field(l, "parent_id", OFTString, 0, 0);
	add_field(l, "count", OFTInteger64, 0, 0);
	if (s->has_lines)
		add_field(l, "length_m", OFTReal, 0, 0);
	if (s->has_polygons)
		add_field(l, "area_m2", OFTReal, 0, 0);
	for (int i = 0; i < s->nsum; i++) {
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "sum_%s", s->sum_name[i]);
		if (b.failed)
			return GEO_ERR_INTERNAL;
		add_field(l, b.s, OFTReal, 0, 0);
		geo_buf_free(&b);
	}
	for (size_t v = 0; v < s->nvalues; v++) {
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "count_%s", sorted[v]);
		if (b.failed)
			return GEO_ERR_INTERNAL;
		add_field(l, b.s, OFTInteger64, 0, 0);
		geo_buf_free(&b);
	}
	return GEO_OK;
}

static long value_index(const geo_place_summary *s, const char *v)
{
	for (size_t i = 0; i < s->nvalues; i++)
		if (s->values[i] == v)
			return (long)i;
	return -1;
}

static void fill_row(const geo_place_summary *s, OGRFeatureH f, size_t g, const char *id,
		     const char *parent, char **sorted)
{
	int k = 0;
	OGR_F_SetFieldString(f, k++, id);
	OGR_F_SetFieldString(f, k++, parent);
	OGR_F_SetFieldInteger64(f, k++, s->count[g]);
	if (s->has_lines)
		OGR_F_SetFieldDouble(f, k++, fixed(s->length[g], 2));
	if (s->has_polygons)
		OGR_F_SetFieldDouble(f, k++, fixed(s->area[g], 2));
	for (int i = 0; i < s->nsum; i++)
		OGR_F_SetFieldDouble(f, k++, fixed(s->sums[g * (size_t)s->nsum + (size_t)i], 6));
	for (size_t v = 0; v < s->nvalues; v++)
		OGR_F_SetFieldInteger64(f, k++, s->by[value_index(s, sorted[v])][g]);
}

/* A graduated style on the count: five equal classes from 0 to the largest
** count, yellow to red, grid codes and counts as labels. */
static char *graduated_qml(geo_ctx *ctx, const geo_place_summary *s)
{
	double *count = geo_calloc(ctx, s->n + 1, sizeof *count);
	if (!count)
		return NULL;
	for (size_t g = 0; g < s->n; g++)
		count[g] = (double)s->count[g];
	geo_qml_graduated_opts o = { "count", GEO_QML_COUNTS, NULL, 0.85,
				     "concat(grid_id, '\\n', count)" };
	char *qml = geo_qml_graduated(count, s->n, &o);
	free(count);
	return qml;
}

static geo_err write_rows(geo_ctx *ctx, geo_place_summary *s, OGRLayerH l,
			  const geo_place_table *t, char **sorted, geo_transform *tr)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
	geo_err e = f ? GEO_OK : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	for (size_t k = 0; !e && k < s->n; k++) {
		size_t g = t->order[k];
		fill_row(s, f, g, t->ids[g], t->parents[g], sorted);
		const GEOSGeometry *geom = NULL;
		GEOSGeometry *multi = NULL;
		if (tr && t->geoms[g]) {
			if (GEOSGeomTypeId_r(geo_ctx_geos(ctx), t->geoms[g]) == GEOS_POLYGON) {
				GEOSGeometry *part = GEOSGeom_clone_r(geo_ctx_geos(ctx), t->geoms[g]);
				multi = part ? GEOSGeom_createCollection_r(geo_ctx_geos(ctx),
									   GEOS_MULTIPOLYGON, &part, 1)
					     : NULL;
			}
			geom = multi ? multi : t->geoms[g];
		}
		if (!tr || !geom)
			OGR_F_SetGeometryDirectly(f, NULL);
		e = geo_write_feature(ctx, l, f, geom, tr);
		OGR_F_SetFID(f, OGRNullFID);
		GEOSGeom_destroy_r(geo_ctx_geos(ctx), multi);
	}
	OGR_F_Destroy(f);
	return e;
}

geo_err geo_place_summary_write(geo_ctx *ctx, geo_place_summary *s, const char *path,
				const geo_output_opts *oo, const geo_place_table *t)
{
	geo_output *out = geo_output_open(ctx, path, oo);
	if (!out)
		return geo_last_code(ctx);
	int csv = !strcmp(geo_output_driver(out), "CSV");
	geo_transform *tr = csv ? NULL : geo_transform_new(ctx, t->work, t->crs);
	char **sorted = geo_calloc(ctx, s->nvalues + 1, sizeof *sorted);
	geo_err e = sorted && (csv || tr) ? GEO_OK : geo_last_code(ctx);
	OGRLayerH l = NULL;
	if (!e) {
		if (s->nvalues)
			memcpy(sorted, s->values, s->nvalues * sizeof *sorted);
		qsort(sorted, s->nvalues, sizeof *sorted, by_text);
		l = geo_output_create_layer(ctx, out, NULL, csv ? NULL : t->crs,
					    csv ? wkbNone : wkbMultiPolygon);
		e = l ? make_fields(s, l, sorted) : geo_last_code(ctx);
	}
	if (!e)
		e = write_rows(ctx, s, l, t, sorted, tr);
	if (!e && !csv) {
		char *qml = graduated_qml(ctx, s);
		e = qml ? geo_output_style(ctx, out, l, qml) : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		free(qml);
	}
	if (!e)
		e = geo_output_commit(ctx, out);
	geo_output_close(out);
	geo_transform_free(tr);
	free(sorted);
	return e;
}
