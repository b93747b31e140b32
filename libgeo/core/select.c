/*
** select.c: which features of an input a run reads, and saying so. An input
** may carry an OGR attribute filter (--where) and a time window (--week,
** --month, --quarter, --year, --from/--to on --date-field, window.c); the
** window is applied here, feature by feature, because a date with a zone
** must be converted to local time first and no SQL dialect GDAL speaks
** does that the same way. When an input read to its end kept nothing, the
** run says so on standard error ("2021-W37: 0 of 1,240 hazards") and the
** context counts it, so that --strict can fail: an empty selection is never
** silent. io.c calls in from geo_input_open and geo_input_next; grid-heat,
** which keeps the points of two windows, reports through geo_select_report.
*/
#include "core/geo_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct geo_select {
	char *source;           /* the input's name, for messages */
	char *where;            /* the attribute filter, or NULL */
	OGRLayerH layer;
	geo_window win;
	int windowed, field;    /* the window applies; the date field's index */
	int64_t total;          /* features before any filter, -1 if not known yet */
	int64_t seen, kept, undated;
	int ended;              /* reported once */
};

void geo_select_free(geo_select *s)
{
	if (!s)
		return;
	free(s->source);
	free(s->where);
	free(s);
}

geo_select *geo_select_new(geo_ctx *ctx, OGRLayerH layer, const char *source, const char *where,
			   const geo_window_opts *window)
{
	geo_select *s = geo_calloc(ctx, 1, sizeof *s);
	if (!s || !(s->source = geo_strdup(ctx, source)) ||
	    (where && !(s->where = geo_strdup(ctx, where))))
		goto fail;
	s->layer = layer;
	s->field = -1;
	/* The count before any filter, taken now (the caller sets the filter
	** after), since touching the filter at the end would restart reading.
	** A driver that cannot count cheaply counts only when --where hides
	** features from us; a window alone sees them all. */
	OGR_L_SetAttributeFilter(layer, NULL);
	s->total = (int64_t)OGR_L_GetFeatureCount(layer, FALSE);
	if (s->total < 0 && where)
		s->total = (int64_t)OGR_L_GetFeatureCount(layer, TRUE);
	if (geo_window_parse(ctx, window, &s->win))
		goto fail;
	s->windowed = s->win.kind != GEO_WINDOW_ALL;
	if (s->windowed) {
		OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
		s->field = OGR_FD_GetFieldIndex(defn, window->date_field);
		if (s->field < 0) {
			geo_fail(ctx, GEO_ERR_INPUT,
				 "%s: no field '%s' to take dates from for %s; name it with --date-field",
				 source, window->date_field, s->win.label);
			goto fail;
		}
		OGRFieldType t = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, s->field));
		if (t != OFTDate && t != OFTDateTime && t != OFTString) {
			geo_fail(ctx, GEO_ERR_INPUT, "%s: field '%s' is %s, not a date or text", source,
				 window->date_field, OGR_GetFieldTypeName(t));
			goto fail;
		}
	}
	return s;
fail:
	geo_select_free(s);
	return NULL;
}

int geo_select_keep(geo_ctx *ctx, geo_select *s, OGRFeatureH f)
{
	s->seen++;
	if (s->windowed) {
		int64_t t;
		int r = geo_feature_time(ctx, f, s->field, s->source, &t);
		if (r < 0)
			return -1;
		if (!r) {
			s->undated++;
			return 0;
		}
		if (!geo_window_holds(&s->win, t))
			return 0;
	}
	s->kept++;
	return 1;
}

/* 1240 as "1,240": counts read at a glance in a report line. */
static void thousands(int64_t n, char *buf, size_t size)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? -n : n));
	size_t k = 0;
	if (n < 0 && k + 1 < size)
		buf[k++] = '-';
	for (int i = 0; i < len && k + 1 < size; i++) {
		buf[k++] = digits[i];
		if ((len - i - 1) % 3 == 0 && i < len - 1 && k + 1 < size)
			buf[k++] = ',';
	}
	buf[k] = '\0';
}

void geo_select_report(geo_ctx *ctx, const char *what, const char *source, const char *layer,
		       int64_t kept, int64_t total, int64_t undated)
{
	char k[32], n[32], u[64] = "";
	thousands(kept, k, sizeof k);
	thousands(total, n, sizeof n);
	if (undated > 0) {
		char d[32];
		thousands(undated, d, sizeof d);
		snprintf(u, sizeof u, _("; %s without a date"), d);
	}
	if (kept)
		geo_log(ctx, GEO_LOG_INFO, "%s: %s of %s %s in %s%s", what, k, n, layer, source, u);
	else {
		geo_log(ctx, GEO_LOG_WARN, "%s: %s of %s %s in %s%s", what, k, n, layer, source, u);
		geo_ctx_note_empty_selection(ctx);
	}
}

int geo_select_windowed(const geo_select *s)
{
	return s && s->windowed;
}

void geo_select_end_kept(geo_ctx *ctx, geo_select *s, int64_t kept)
{
	if (!s)
		return;
	s->kept = kept;
	geo_select_end(ctx, s);
}

void geo_select_end(geo_ctx *ctx, geo_select *s)
{
	if (!s || s->ended)
		return;
	s->ended = 1;
	int64_t total = s->total >= 0 ? s->total : s->seen;
	char what[1024];
	if (s->windowed && s->where)
		snprintf(what, sizeof what, _("%s and --where \"%s\""), s->win.label, s->where);
	else if (s->windowed)
		snprintf(what, sizeof what, "%s", s->win.label);
	else
		snprintf(what, sizeof what, "--where \"%s\"", s->where ? s->where : "");
	geo_select_report(ctx, what, s->source, OGR_L_GetName(s->layer), s->kept, total, s->undated);
}
