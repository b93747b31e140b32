/*
** window.c: time windows for weekly, monthly and arbitrary reports. A window
** is a half-open span [start, end) of seconds on the data's own clock: dates
** and times are taken as they are written, with no time zone applied, since
** a town's records are all kept in local time. Weeks are ISO 8601 weeks
** (Monday first; week 1 holds the year's first Thursday), so 2020-W53 runs
** from 2020-12-28 to 2021-01-03 and 2021-W01 starts on 2021-01-04.
*/
#include "geo_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int geo_time_parse(const char *s, int64_t *t, int *has_time)
{
	const char *p = s + strspn(s, " ");
	int y, mo, d, h = 0, mi = 0, sec = 0, timed = 0;
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
		/* A zone suffix is accepted and ignored: times are on the data's clock. */
		if (*p == 'Z')
			p++;
		else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]))
			for (p++; isdigit((unsigned char)*p) || *p == ':'; p++)
				;
	}
	p += strspn(p, " ");
	if (*p)
		return 0;
	*t = geo_time_from_civil(y, mo, d, h, mi, sec > 59 ? 59 : sec);
	if (has_time)
		*has_time = timed;
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

static geo_err parse_week(geo_ctx *ctx, const char *s, geo_window *w)
{
	const char *p = s;
	int y, wk;
	int ok = digits(&p, 4, &y);
	if (ok && *p == '-')
		p++;
	ok = ok && (*p == 'W' || *p == 'w');
	if (ok)
		p++;
	ok = ok && digits(&p, 2, &wk) && !*p;
	if (!ok)
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

static geo_err parse_range(geo_ctx *ctx, const char *from, const char *to, geo_window *w)
{
	int64_t t;
	int timed;
	w->kind = GEO_WINDOW_RANGE;
	w->start = GEO_TIME_MIN;
	w->end = GEO_TIME_MAX;
	if (from) {
		if (!geo_time_parse(from, &t, &timed))
			return geo_fail(ctx, GEO_ERR_USAGE,
					"--from: '%s' is not a date (YYYY-MM-DD[ HH:MM[:SS]])", from);
		w->start = t;
	}
	if (to) {
		if (!geo_time_parse(to, &t, &timed))
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

geo_err geo_window_parse(geo_ctx *ctx, const char *week, const char *month, const char *from,
			 const char *to, geo_window *w)
{
	int given = !!week + !!month + !!(from || to);
	w->kind = GEO_WINDOW_ALL;
	w->start = GEO_TIME_MIN;
	w->end = GEO_TIME_MAX;
	snprintf(w->label, sizeof w->label, "all");
	if (given > 1)
		return geo_fail(ctx, GEO_ERR_USAGE, "give one of --week, --month or --from/--to");
	if (week)
		return parse_week(ctx, week, w);
	if (month)
		return parse_month(ctx, month, w);
	if (from || to)
		return parse_range(ctx, from, to, w);
	return GEO_OK;
}

geo_err geo_window_previous(geo_ctx *ctx, const geo_window *w, geo_window *prev)
{
	*prev = *w;
	if (w->kind == GEO_WINDOW_WEEK) {
		int64_t monday = w->start / DAY - 7;
		int y, m, d;
		civil_from_days(monday + 3, &y, &m, &d); /* the Thursday names the ISO year */
		prev->start = monday * DAY;
		prev->end = w->start;
		snprintf(prev->label, sizeof prev->label, "%04d-W%02d", y,
			 (int)((monday - iso_week1_monday(y)) / 7 + 1));
		return GEO_OK;
	}
	if (w->kind == GEO_WINDOW_MONTH) {
		int y, m, d;
		civil_from_days(w->start / DAY, &y, &m, &d);
		month_window(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, prev);
		return GEO_OK;
	}
	if (w->kind == GEO_WINDOW_RANGE && w->start != GEO_TIME_MIN && w->end != GEO_TIME_MAX) {
		prev->end = w->start;
		prev->start = w->start - (w->end - w->start);
		range_label(prev);
		return GEO_OK;
	}
	return geo_fail(ctx, GEO_ERR_USAGE,
			"--compare-previous needs a bounded window: --week, --month or --from with --to");
}

int geo_window_holds(const geo_window *w, int64_t t)
{
	return t >= w->start && t < w->end;
}
