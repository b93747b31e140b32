/*
** map_words.c: the words a printed map shows for what the data holds in
** codes. A category's legend label comes from the layer's own value map (a
** QGIS ValueMap widget on the field, or the labels of a categorized style,
** in the style the layer carries), else from the codes the sample town and
** the other tools write (flood: 防汛); a value already in words is shown as
** it is. Raster units are said as a reader says them (处/平方公里), and the
** time window as the footer's period.
*/
#include "core/geo_internal.h"
#include "map/map_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>

/* ---- the style a layer carries ------------------------------------------ */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	geo_buf b;
	geo_buf_init(&b);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		geo_buf_addn(&b, chunk, n);
	fclose(f);
	return geo_buf_take(&b);
}

/* The default style in a GeoPackage's or SpatiaLite file's layer_styles. */
static char *table_style(const char *path, const char *layer)
{
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	OGRLayerH t = ds ? GDALDatasetGetLayerByName(ds, "layer_styles") : NULL;
	char *qml = NULL;
	OGRFeatureH f;
	while (t && (f = OGR_L_GetNextFeature(t))) {
		int name = OGR_F_GetFieldIndex(f, "f_table_name");
		int def = OGR_F_GetFieldIndex(f, "useAsDefault");
		int text = OGR_F_GetFieldIndex(f, "styleQML");
		if (!strcmp(geo_feat_str(f, name), layer) && text >= 0 &&
		    (!qml || (def >= 0 && OGR_F_GetFieldAsInteger(f, def)))) {
			free(qml);
			qml = strdup(geo_feat_str(f, text));
		}
		OGR_F_Destroy(f);
	}
	if (ds)
		GDALClose(ds);
	return qml;
}

char *map_layer_qml(const char *file, const char *layer)
{
	char *s = layer ? table_style(file, layer) : NULL;
	if (!s)
		s = read_text(CPLResetExtension(file, "qml"));
	if (!s && layer)
		s = read_text(CPLFormFilename(CPLGetPath(file), layer, "qml"));
	return s;
}

/* ---- value maps ------------------------------------------------------------ */

/* The value of attribute name in the tag that starts at tag (up to its '>'),
** XML entities decoded; NULL when absent. */
static char *attr(const char *tag, const char *name)
{
	const char *end = strchr(tag, '>');
	size_t nl = strlen(name);
	for (const char *p = tag; p && end && p < end; p++) {
		p = strstr(p, name);
		if (!p || p >= end)
			return NULL;
		if (p[-1] != ' ' || p[nl] != '=' || p[nl + 1] != '"')
			continue;
		const char *v = p + nl + 2, *q = strchr(v, '"');
		if (!q)
			return NULL;
		char *s = strndup(v, (size_t)(q - v)), *w = s;
		static const char *const ent[][2] = { { "&amp;", "&" },
						      { "&quot;", "\"" },
						      { "&lt;", "<" },
						      { "&gt;", ">" },
						      { "&apos;", "'" } };
		for (const char *r = s; s && *r;) {
			size_t k = 0;
			while (k < 5 && strncmp(r, ent[k][0], strlen(ent[k][0])))
				k++;
			if (k < 5) {
				*w++ = ent[k][1][0];
				r += strlen(ent[k][0]);
			} else {
				*w++ = *r++;
			}
		}
		if (s)
			*w = '\0';
		return s;
	}
	return NULL;
}

static geo_err add_pair(geo_ctx *ctx, char ***pairs, size_t *n, char *code, char *label)
{
	char **np = code && label ? realloc(*pairs, (2 * *n + 2) * sizeof *np) : NULL;
	if (!np) {
		free(code);
		free(label);
		return code && label ? geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory") : GEO_OK;
	}
	np[2 * *n] = code;
	np[2 * *n + 1] = label;
	*pairs = np;
	(*n)++;
	return GEO_OK;
}

/* <field name="F"><editWidget type="ValueMap"> ... <Option name="LABEL"
** value="CODE" type="QString"/> ...: QGIS keeps each entry as a one-item
** map from the label to the code. */
static geo_err widget_map(geo_ctx *ctx, const char *qml, const char *field, char ***pairs,
			  size_t *n)
{
	for (const char *p = qml; (p = strstr(p, "<field ")); p++) {
		char *name = attr(p, "name");
		int hit = name && !strcmp(name, field);
		free(name);
		const char *end = hit ? strstr(p, "</field>") : NULL;
		const char *w = end ? strstr(p, "type=\"ValueMap\"") : NULL;
		if (!w || w > end)
			continue;
		geo_err e = GEO_OK;
		for (const char *o = w; !e && (o = strstr(o, "<Option ")) && o < end; o++) {
			char *type = attr(o, "type"), *label = attr(o, "name");
			if (type && !strcmp(type, "QString") && label)
				e = add_pair(ctx, pairs, n, attr(o, "value"), label);
			else
				free(label);
			free(type);
		}
		return e;
	}
	return GEO_OK;
}

/* <renderer-v2 type="categorizedSymbol" attr="F"> <category value="CODE"
** label="LABEL"/> ... */
static geo_err renderer_map(geo_ctx *ctx, const char *qml, const char *field, char ***pairs,
			    size_t *n)
{
	const char *r = strstr(qml, "<renderer-v2 ");
	char *a = r ? attr(r, "attr") : NULL;
	int hit = a && !strcmp(a, field);
	free(a);
	const char *end = hit ? strstr(r, "</categories>") : NULL;
	geo_err e = GEO_OK;
	for (const char *c = r; !e && end && (c = strstr(c, "<category ")) && c < end; c++) {
		char *code = attr(c, "value"), *label = attr(c, "label");
		if (code && label && *label && strcmp(code, label))
			e = add_pair(ctx, pairs, n, code, label);
		else
			free(code), free(label);
	}
	return e;
}

geo_err map_qml_value_map(geo_ctx *ctx, const char *qml, const char *field, char ***pairs,
			  size_t *n)
{
	*pairs = NULL;
	*n = 0;
	if (!qml || !field)
		return GEO_OK;
	geo_err e = widget_map(ctx, qml, field, pairs, n);
	if (!e && !*n)
		e = renderer_map(ctx, qml, field, pairs, n);
	return e;
}

/* ---- known codes ------------------------------------------------------------ */

/* The categories the sample town's ledgers and the camera register used in
** English codes, in the words a town's ledgers write. */
static const char *const known_values[][2] = {
	{ "flood", "防汛" },
	{ "dispute", "矛盾纠纷" },
	{ "fire", "消防" },
	{ "electrical", "用电" },
	{ "electricity", "用电" },
	{ "gas", "燃气" },
	{ "building", "房屋安全" },
	{ "housing", "房屋安全" },
	{ "environment", "环境卫生" },
	{ "sanitation", "环境卫生" },
	{ "land", "违法用地" },
	{ "illegal_land", "违法用地" },
	{ "traffic", "交通" },
	{ "petition", "信访" },
	{ "service_request", "便民服务" },
	{ "service", "便民服务" },
	{ "security", "治安" },
	{ "safety", "安全生产" },
	{ "other", "其他" },
	{ "high_point", "高点监控" },
	{ "village", "村级监控" },
	{ "road", "道路监控" },
	{ "pond", "坑塘" },
	{ "ditch", "沟渠" },
	{ "fishpond", "鱼塘" },
	{ "reservoir", "蓄水池" },
};

const char *map_known_value(const char *code)
{
	for (size_t i = 0; code && i < sizeof known_values / sizeof known_values[0]; i++)
		if (!strcasecmp(code, known_values[i][0]))
			return known_values[i][1];
	return NULL;
}

/* ---- units and period ----------------------------------------------------------- */

const char *map_units_words(const char *units)
{
	static const char *const per_km2[] = { "points per km²", "1/km2", "1/km²", "per km²",
					       "points/km2" };
	for (size_t i = 0; units && i < sizeof per_km2 / sizeof per_km2[0]; i++)
		if (!strcasecmp(units, per_km2[i]))
			return _("per km²");
	if (units && !strcasecmp(units, "weight per km²"))
		return _("weight per km²");
	return units;
}

void map_period_text(const geo_window *w, char *buf, size_t size)
{
	char a[32], b[32];
	if (w->kind == GEO_WINDOW_ALL) {
		snprintf(buf, size, "%s", _("all dates"));
		return;
	}
	if (w->start == GEO_TIME_MIN || w->end == GEO_TIME_MAX || w->kind == GEO_WINDOW_RANGE) {
		if (w->start != GEO_TIME_MIN)
			geo_time_format(w->start, a, sizeof a);
		if (w->end != GEO_TIME_MAX)
			geo_time_format(w->end - (w->end % 86400 ? 1 : 86400), b, sizeof b);
		snprintf(buf, size, "%s – %s", w->start == GEO_TIME_MIN ? "…" : a,
			 w->end == GEO_TIME_MAX ? "…" : b);
		return;
	}
	geo_time_format(w->start, a, sizeof a);
	geo_time_format(w->end - 86400, b, sizeof b);
	snprintf(buf, size, "%s (%s – %s)", w->label, a, b);
}
