/*
** window.c: the one time-window rule of every tool that reads dated
** features: ISO weeks, months, quarters, years and inclusive from/to spans.
** A window is a half-open span [start, end) of seconds on the town's local
** clock. Dates and times written without a zone are local already, since a
** town keeps its records in local time; a timestamp with a zone (Z, +08:00,
** or an OGR date-time with a zone flag) is an instant, turned into local
** time by the C library (localtime_r in the process's TZ, which the tools
** set from --tz), so zone rules are never written here. Weeks are ISO 8601
** weeks (Monday first; week 1 holds the year's first Thursday), so 2020-W53
** runs from 2020-12-28 to 2021-01-03 and 2021-W01 starts on 2021-01-04.
*/
#include "core/geo_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { DAY = 86400 };

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian), by
** the usual era arithmetic, valid for any year an int holds. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : n[m - 1];
}

int64_t geo_time_from_civil(int y, int mo, int d, int h, int mi, int s)
{
	return days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s;
}

void geo_time_format(int64_t t, char *buf, size_t size)
{
	int64_t days = t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
	int64_t sec = t - days * DAY;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	if (sec)
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(sec / 3600),
			 (int)(sec / 60 % 60), (int)(sec % 60));
	else
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return 0;
		*v = *v * 10 + (**p - '0');
	}
	return 1;
}

int64_t geo_time_utc_to_local(int64_t utc)
{
	time_t tt = (time_t)utc;
	struct tm tm;
	if ((int64_t)tt != utc || !localtime_r(&tt, &tm))
		return utc;
	return geo_time_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
				   tm.tm_sec > 59 ? 59 : tm.tm_sec);
}

/* A zone suffix: Z, +hh, +hhmm or +hh:mm (or -); *offset in seconds east. */
static int zone_suffix(const char **p, int *offset)
{
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*offset = 0;
		return 1;
	}
	if ((**p != '+' && **p != '-') || !isdigit((unsigned char)(*p)[1]))
		return 0;
	int sign = **p == '-' ? -1 : 1, h, m = 0;
	(*p)++;
	if (!digits(p, 2, &h))
		return -1;
	if (**p == ':')
		(*p)++;
	if (isdigit((unsigned char)**p) && !digits(p, 2, &m))
		return -1;
	if (h > 14 || m > 59)
		return -1;
	*offset = sign * (h * 3600 + m * 60);
	return 1;
}

/* Parses s; *zoned says a zone was given, with *offset its seconds east. */
static int parse_time(const char *s, int64_t *t, int *has_time, int *zoned, int *offset)
{
	const char *p = s + strspn(s, " ");
	int y, mo, d, h = 0, mi = 0, sec = 0, timed = 0;
	*zoned = 0;
	if (!digits(&p, 4, &y) || (*p != '-' && *p != '/'))
		return 0;
	char sep = *p++;
	if (!digits(&p, 2, &mo) || *p++ != sep || !digits(&p, 2, &d))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return 0;
	if ((*p == 'T' || *p == ' ') && isdigit((unsigned char)p[1])) {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return 0;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return 0;
			if (*p == '.' || *p == ',') /* fractions of a second are dropped */
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return 0;
		timed = 1;
		int z = zone_suffix(&p, offset);
		if (z < 0)
			return 0;
		*zoned = z;
	}
	p += strspn(p, " ");
	if (*p)
		return 0;
	*t = geo_time_from_civil(y, mo, d, h, mi, sec > 59 ? 59 : sec);
	if (has_time)
		*has_time = timed;
	return 1;
}

int geo_time_parse(const char *s, int64_t *t, int *has_time)
{
	int zoned, offset;
	return parse_time(s, t, has_time, &zoned, &offset);
}

int geo_time_parse_zoned(const char *s, int64_t *t, int *has_time)
{
	int zoned, offset;
	if (!parse_time(s, t, has_time, &zoned, &offset))
		return 0;
	if (zoned)
		*t = geo_time_utc_to_local(*t - offset);
	return 1;
}

int geo_feature_time(geo_ctx *ctx, OGRFeatureH f, int field, const char *source, int64_t *t)
{
	if (field < 0 || !OGR_F_IsFieldSetAndNotNull(f, field))
		return 0;
	OGRFieldType type = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, field));
	if (type != OFTDate && type != OFTDateTime) {
		const char *s = OGR_F_GetFieldAsString(f, field);
		if (!*s)
			return 0;
		if (geo_time_parse_zoned(s, t, NULL))
			return 1;
		geo_fail(ctx, GEO_ERR_INPUT,
			 "%s: feature %lld: '%s' in field '%s' is not a date (YYYY-MM-DD[ HH:MM[:SS]])",
			 source, (long long)OGR_F_GetFID(f), s,
			 OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, field)));
		return -1;
	}
	int y, mo, d, h, mi, tz;
	float sec;
	if (!OGR_F_GetFieldAsDateTimeEx(f, field, &y, &mo, &d, &h, &mi, &sec, &tz))
		return 0;
	*t = geo_time_from_civil(y, mo, d, h, mi, (int)floorf(sec));
	/* OGR's zone flag: 0 unknown, 1 local time, 100 UTC, 100 + n quarter hours east. */
	if (type == OFTDateTime && tz > 1)
		*t = geo_time_utc_to_local(*t - (int64_t)(tz - 100) * 900);
	return 1;
}

/* The Monday that starts ISO week 1 of year y, in days from 1970. */
static int64_t iso_week1_monday(int y)
{
	int64_t jan4 = days_from_civil(y, 1, 4);
	int64_t wd = ((jan4 % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: Monday = 0 */
	return jan4 - wd;
}

static int iso_weeks_in_year(int y)
{
	return (int)((iso_week1_monday(y + 1) - iso_week1_monday(y)) / 7);
}

/* "YYYY-X" or "YYYYX", X the letter in either case: the year, and *p
** moved past the letter; 0 when s is not so. */
static int year_then(const char **p, int *y, char letter)
{
	if (!digits(p, 4, y))
		return 0;
	if (**p == '-')
		(*p)++;
	if (toupper((unsigned char)**p) != letter)
		return 0;
	(*p)++;
	return 1;
}

static geo_err parse_week(geo_ctx *ctx, const char *s, geo_window *w)
{
	const char *p = s;
	int y, wk;
	if (!year_then(&p, &y, 'W') || !digits(&p, 2, &wk) || *p)
		return geo_fail(ctx, GEO_ERR_USAGE, "--week: '%s' is not an ISO week such as 2021-W37", s);
	if (wk < 1 || wk > iso_weeks_in_year(y))
		return geo_fail(ctx, GEO_ERR_USAGE, "--week: %04d has no ISO week %d (it has %d)", y, wk,
				iso_weeks_in_year(y));
	int64_t monday = iso_week1_monday(y) + 7 * (int64_t)(wk - 1);
	w->kind = GEO_WINDOW_WEEK;
	w->start = monday * DAY;
	w->end = (monday + 7) * DAY;
	snprintf(w->label, sizeof w->label, "%04d-W%02d", y, wk);
	return GEO_OK;
}

static void month_window(int y, int m, geo_window *w)
{
	w->kind = GEO_WINDOW_MONTH;
	w->start = days_from_civil(y, m, 1) * DAY;
	w->end = w->start + (int64_t)days_in_month(y, m) * DAY;
	snprintf(w->label, sizeof w->label, "%04d-%02d", y, m);
}

static geo_err parse_month(geo_ctx *ctx, const char *s, geo_window *w)
{
	const char *p = s;
	int y, m;
	if (!digits(&p, 4, &y) || (*p != '-' && *p != '/') || (p++, !digits(&p, 2, &m)) || *p ||
	    m < 1 || m > 12)
		return geo_fail(ctx, GEO_ERR_USAGE, "--month: '%s' is not a month such as 2021-09", s);
	month_window(y, m, w);
	return GEO_OK;
}

/* The label of a range: its first and last day (or instants when timed). */
static void range_label(geo_window *w)
{
	char a[24] = "", b[24] = "";
	if (w->start != GEO_TIME_MIN)
		geo_time_format(w->start, a, sizeof a);
	if (w->end != GEO_TIME_MAX)
		geo_time_format(w->end % DAY ? w->end - 1 : w->end - DAY, b, sizeof b);
	snprintf(w->label, sizeof w->label, "%s..%s", a, b);
}

static geo_err parse_quarter(geo_ctx *ctx, const char *s, geo_window *w)
{
	const char *p = s;
	int y, q;
	if (!year_then(&p, &y, 'Q') || !digits(&p, 1, &q) || *p || q < 1 || q > 4)
		return geo_fail(ctx, GEO_ERR_USAGE, "--quarter: '%s' is not a quarter such as 2021-Q3",
				s);
	w->kind = GEO_WINDOW_QUARTER;
	w->start = days_from_civil(y, 3 * q - 2, 1) * DAY;
	w->end = (q == 4 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, 3 * q + 1, 1)) * DAY;
	snprintf(w->label, sizeof w->label, "%04d-Q%d", y, q);
	return GEO_OK;
}

static void year_window(int y, geo_window *w)
{
	w->kind = GEO_WINDOW_YEAR;
	w->start = days_from_civil(y, 1, 1) * DAY;
	w->end = days_from_civil(y + 1, 1, 1) * DAY;
	snprintf(w->label, sizeof w->label, "%04d", y);
}

static geo_err parse_year(geo_ctx *ctx, const char *s, geo_window *w)
{
	const char *p = s;
	int y;
	if (!digits(&p, 4, &y) || *p)
		return geo_fail(ctx, GEO_ERR_USAGE, "--year: '%s' is not a year such as 2021", s);
	year_window(y, w);
	return GEO_OK;
}

static geo_err parse_range(geo_ctx *ctx, const char *from, const char *to, geo_window *w)
{
	int64_t t;
	int timed;
	w->kind = GEO_WINDOW_RANGE;
	w->start = GEO_TIME_MIN;
	w->end = GEO_TIME_MAX;
	if (from) {
		if (!geo_time_parse_zoned(from, &t, &timed))
			return geo_fail(ctx, GEO_ERR_USAGE,
					"--from: '%s' is not a date (YYYY-MM-DD[ HH:MM[:SS]])", from);
		w->start = t;
	}
	if (to) {
		if (!geo_time_parse_zoned(to, &t, &timed))
			return geo_fail(ctx, GEO_ERR_USAGE,
					"--to: '%s' is not a date (YYYY-MM-DD[ HH:MM[:SS]])", to);
		/* --to is inclusive: a date means to the end of that day, a time
		** means up to and including that second. */
		w->end = timed ? t + 1 : t + DAY;
	}
	if (w->end <= w->start)
		return geo_fail(ctx, GEO_ERR_USAGE, "--to %s is before --from %s", to, from);
	range_label(w);
	return GEO_OK;
}

void geo_window_opts_init(geo_window_opts *o)
{
	memset(o, 0, sizeof *o);
	o->date_field = "date";
}

int geo_window_opts_given(const geo_window_opts *o)
{
	return o && (o->week || o->month || o->quarter || o->year || o->from || o->to);
}

geo_err geo_window_parse(geo_ctx *ctx, const geo_window_opts *o, geo_window *w)
{
	w->kind = GEO_WINDOW_ALL;
	w->start = GEO_TIME_MIN;
	w->end = GEO_TIME_MAX;
	snprintf(w->label, sizeof w->label, "all");
	if (!geo_window_opts_given(o))
		return GEO_OK;
	int given = !!o->week + !!o->month + !!o->quarter + !!o->year + !!(o->from || o->to);
	if (given > 1)
		return geo_fail(ctx, GEO_ERR_USAGE,
				"give one of --week, --month, --quarter, --year or --from/--to");
	if (!o->date_field || !*o->date_field)
		return geo_fail(ctx, GEO_ERR_USAGE, "--date-field: give a field name");
	if (o->week)
		return parse_week(ctx, o->week, w);
	if (o->month)
		return parse_month(ctx, o->month, w);
	if (o->quarter)
		return parse_quarter(ctx, o->quarter, w);
	if (o->year)
		return parse_year(ctx, o->year, w);
	return parse_range(ctx, o->from, o->to, w);
}

geo_err geo_window_previous(geo_ctx *ctx, const geo_window *w, geo_window *prev)
{
	*prev = *w;
	int y, m, d;
	if (w->kind == GEO_WINDOW_WEEK) {
		int64_t monday = w->start / DAY - 7;
		civil_from_days(monday + 3, &y, &m, &d); /* the Thursday names the ISO year */
		prev->start = monday * DAY;
		prev->end = w->start;
		snprintf(prev->label, sizeof prev->label, "%04d-W%02d", y,
			 (int)((monday - iso_week1_monday(y)) / 7 + 1));
		return GEO_OK;
	}
	if (w->kind == GEO_WINDOW_MONTH) {
		civil_from_days(w->start / DAY, &y, &m, &d);
		month_window(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, prev);
		return GEO_OK;
	}
	if (w->kind == GEO_WINDOW_QUARTER) {
		civil_from_days(w->start / DAY, &y, &m, &d);
		char q[40];
		snprintf(q, sizeof q, "%04d-Q%d", m == 1 ? y - 1 : y, m == 1 ? 4 : (m - 1) / 3);
		return parse_quarter(ctx, q, prev);
	}
	if (w->kind == GEO_WINDOW_YEAR) {
		civil_from_days(w->start / DAY, &y, &m, &d);
		year_window(y - 1, prev);
		return GEO_OK;
	}
	if (w->kind == GEO_WINDOW_RANGE && w->start != GEO_TIME_MIN && w->end != GEO_TIME_MAX) {
		prev->end = w->start;
		prev->start = w->start - (w->end - w->start);
		range_label(prev);
		return GEO_OK;
	}
	return geo_fail(ctx, GEO_ERR_USAGE,
			"--compare-previous needs a bounded window: --week, --month, --quarter, --year "
			"or --from with --to");
}

int geo_window_holds(const geo_window *w, int64_t t)
{
	return t >= w->start && t < w->end;
}
