/*
** test_window.c: the one time-window rule (window.c) at the edges where
** calendars go wrong: ISO weeks across year ends (2020-W53, 2021-W52,
** 2021-01-01 in 2020-W53), quarters and years with leap days, and zoned
** timestamps turned into the town's local time. The expected values are
** not computed here: they were captured from Python's datetime
** (date.isocalendar(), and zoneinfo for the zones), an implementation
** independent of window.c's day arithmetic and of glibc's localtime_r.
*/
#include "check.h"
#include "geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every day from 22 December to 9 January around the year ends 2014/15 to
** 2027/28, with its ISO year and week by Python's date.isocalendar(). */
static const struct { int y, m, d, iso_year, iso_week; } days[] = {
	{ 2014, 12, 22, 2014, 52 },
	{ 2014, 12, 23, 2014, 52 },
	{ 2014, 12, 24, 2014, 52 },
	{ 2014, 12, 25, 2014, 52 },
	{ 2014, 12, 26, 2014, 52 },
	{ 2014, 12, 27, 2014, 52 },
	{ 2014, 12, 28, 2014, 52 },
	{ 2014, 12, 29, 2015, 1 },
	{ 2014, 12, 30, 2015, 1 },
	{ 2014, 12, 31, 2015, 1 },
	{ 2015, 1, 1, 2015, 1 },
	{ 2015, 1, 2, 2015, 1 },
	{ 2015, 1, 3, 2015, 1 },
	{ 2015, 1, 4, 2015, 1 },
	{ 2015, 1, 5, 2015, 2 },
	{ 2015, 1, 6, 2015, 2 },
	{ 2015, 1, 7, 2015, 2 },
	{ 2015, 1, 8, 2015, 2 },
	{ 2015, 1, 9, 2015, 2 },
	{ 2015, 12, 22, 2015, 52 },
	{ 2015, 12, 23, 2015, 52 },
	{ 2015, 12, 24, 2015, 52 },
	{ 2015, 12, 25, 2015, 52 },
	{ 2015, 12, 26, 2015, 52 },
	{ 2015, 12, 27, 2015, 52 },
	{ 2015, 12, 28, 2015, 53 },
	{ 2015, 12, 29, 2015, 53 },
	{ 2015, 12, 30, 2015, 53 },
	{ 2015, 12, 31, 2015, 53 },
	{ 2016, 1, 1, 2015, 53 },
	{ 2016, 1, 2, 2015, 53 },
	{ 2016, 1, 3, 2015, 53 },
	{ 2016, 1, 4, 2016, 1 },
	{ 2016, 1, 5, 2016, 1 },
	{ 2016, 1, 6, 2016, 1 },
	{ 2016, 1, 7, 2016, 1 },
	{ 2016, 1, 8, 2016, 1 },
	{ 2016, 1, 9, 2016, 1 },
	{ 2016, 12, 22, 2016, 51 },
	{ 2016, 12, 23, 2016, 51 },
	{ 2016, 12, 24, 2016, 51 },
	{ 2016, 12, 25, 2016, 51 },
	{ 2016, 12, 26, 2016, 52 },
	{ 2016, 12, 27, 2016, 52 },
	{ 2016, 12, 28, 2016, 52 },
	{ 2016, 12, 29, 2016, 52 },
	{ 2016, 12, 30, 2016, 52 },
	{ 2016, 12, 31, 2016, 52 },
	{ 2017, 1, 1, 2016, 52 },
	{ 2017, 1, 2, 2017, 1 },
	{ 2017, 1, 3, 2017, 1 },
	{ 2017, 1, 4, 2017, 1 },
	{ 2017, 1, 5, 2017, 1 },
	{ 2017, 1, 6, 2017, 1 },
	{ 2017, 1, 7, 2017, 1 },
	{ 2017, 1, 8, 2017, 1 },
	{ 2017, 1, 9, 2017, 2 },
	{ 2017, 12, 22, 2017, 51 },
	{ 2017, 12, 23, 2017, 51 },
	{ 2017, 12, 24, 2017, 51 },
	{ 2017, 12, 25, 2017, 52 },
	{ 2017, 12, 26, 2017, 52 },
	{ 2017, 12, 27, 2017, 52 },
	{ 2017, 12, 28, 2017, 52 },
	{ 2017, 12, 29, 2017, 52 },
	{ 2017, 12, 30, 2017, 52 },
	{ 2017, 12, 31, 2017, 52 },
	{ 2018, 1, 1, 2018, 1 },
	{ 2018, 1, 2, 2018, 1 },
	{ 2018, 1, 3, 2018, 1 },
	{ 2018, 1, 4, 2018, 1 },
	{ 2018, 1, 5, 2018, 1 },
	{ 2018, 1, 6, 2018, 1 },
	{ 2018, 1, 7, 2018, 1 },
	{ 2018, 1, 8, 2018, 2 },
	{ 2018, 1, 9, 2018, 2 },
	{ 2018, 12, 22, 2018, 51 },
	{ 2018, 12, 23, 2018, 51 },
	{ 2018, 12, 24, 2018, 52 },
	{ 2018, 12, 25, 2018, 52 },
	{ 2018, 12, 26, 2018, 52 },
	{ 2018, 12, 27, 2018, 52 },
	{ 2018, 12, 28, 2018, 52 },
	{ 2018, 12, 29, 2018, 52 },
	{ 2018, 12, 30, 2018, 52 },
	{ 2018, 12, 31, 2019, 1 },
	{ 2019, 1, 1, 2019, 1 },
	{ 2019, 1, 2, 2019, 1 },
	{ 2019, 1, 3, 2019, 1 },
	{ 2019, 1, 4, 2019, 1 },
	{ 2019, 1, 5, 2019, 1 },
	{ 2019, 1, 6, 2019, 1 },
	{ 2019, 1, 7, 2019, 2 },
	{ 2019, 1, 8, 2019, 2 },
	{ 2019, 1, 9, 2019, 2 },
	{ 2019, 12, 22, 2019, 51 },
	{ 2019, 12, 23, 2019, 52 },
	{ 2019, 12, 24, 2019, 52 },
	{ 2019, 12, 25, 2019, 52 },
	{ 2019, 12, 26, 2019, 52 },
	{ 2019, 12, 27, 2019, 52 },
	{ 2019, 12, 28, 2019, 52 },
	{ 2019, 12, 29, 2019, 52 },
	{ 2019, 12, 30, 2020, 1 },
	{ 2019, 12, 31, 2020, 1 },
	{ 2020, 1, 1, 2020, 1 },
	{ 2020, 1, 2, 2020, 1 },
	{ 2020, 1, 3, 2020, 1 },
	{ 2020, 1, 4, 2020, 1 },
	{ 2020, 1, 5, 2020, 1 },
	{ 2020, 1, 6, 2020, 2 },
	{ 2020, 1, 7, 2020, 2 },
	{ 2020, 1, 8, 2020, 2 },
	{ 2020, 1, 9, 2020, 2 },
	{ 2020, 12, 22, 2020, 52 },
	{ 2020, 12, 23, 2020, 52 },
	{ 2020, 12, 24, 2020, 52 },
	{ 2020, 12, 25, 2020, 52 },
	{ 2020, 12, 26, 2020, 52 },
	{ 2020, 12, 27, 2020, 52 },
	{ 2020, 12, 28, 2020, 53 },
	{ 2020, 12, 29, 2020, 53 },
	{ 2020, 12, 30, 2020, 53 },
	{ 2020, 12, 31, 2020, 53 },
	{ 2021, 1, 1, 2020, 53 },
	{ 2021, 1, 2, 2020, 53 },
	{ 2021, 1, 3, 2020, 53 },
	{ 2021, 1, 4, 2021, 1 },
	{ 2021, 1, 5, 2021, 1 },
	{ 2021, 1, 6, 2021, 1 },
	{ 2021, 1, 7, 2021, 1 },
	{ 2021, 1, 8, 2021, 1 },
	{ 2021, 1, 9, 2021, 1 },
	{ 2021, 12, 22, 2021, 51 },
	{ 2021, 12, 23, 2021, 51 },
	{ 2021, 12, 24, 2021, 51 },
	{ 2021, 12, 25, 2021, 51 },
	{ 2021, 12, 26, 2021, 51 },
	{ 2021, 12, 27, 2021, 52 },
	{ 2021, 12, 28, 2021, 52 },
	{ 2021, 12, 29, 2021, 52 },
	{ 2021, 12, 30, 2021, 52 },
	{ 2021, 12, 31, 2021, 52 },
	{ 2022, 1, 1, 2021, 52 },
	{ 2022, 1, 2, 2021, 52 },
	{ 2022, 1, 3, 2022, 1 },
	{ 2022, 1, 4, 2022, 1 },
	{ 2022, 1, 5, 2022, 1 },
	{ 2022, 1, 6, 2022, 1 },
	{ 2022, 1, 7, 2022, 1 },
	{ 2022, 1, 8, 2022, 1 },
	{ 2022, 1, 9, 2022, 1 },
	{ 2022, 12, 22, 2022, 51 },
	{ 2022, 12, 23, 2022, 51 },
	{ 2022, 12, 24, 2022, 51 },
	{ 2022, 12, 25, 2022, 51 },
	{ 2022, 12, 26, 2022, 52 },
	{ 2022, 12, 27, 2022, 52 },
	{ 2022, 12, 28, 2022, 52 },
	{ 2022, 12, 29, 2022, 52 },
	{ 2022, 12, 30, 2022, 52 },
	{ 2022, 12, 31, 2022, 52 },
	{ 2023, 1, 1, 2022, 52 },
	{ 2023, 1, 2, 2023, 1 },
	{ 2023, 1, 3, 2023, 1 },
	{ 2023, 1, 4, 2023, 1 },
	{ 2023, 1, 5, 2023, 1 },
	{ 2023, 1, 6, 2023, 1 },
	{ 2023, 1, 7, 2023, 1 },
	{ 2023, 1, 8, 2023, 1 },
	{ 2023, 1, 9, 2023, 2 },
	{ 2023, 12, 22, 2023, 51 },
	{ 2023, 12, 23, 2023, 51 },
	{ 2023, 12, 24, 2023, 51 },
	{ 2023, 12, 25, 2023, 52 },
	{ 2023, 12, 26, 2023, 52 },
	{ 2023, 12, 27, 2023, 52 },
	{ 2023, 12, 28, 2023, 52 },
	{ 2023, 12, 29, 2023, 52 },
	{ 2023, 12, 30, 2023, 52 },
	{ 2023, 12, 31, 2023, 52 },
	{ 2024, 1, 1, 2024, 1 },
	{ 2024, 1, 2, 2024, 1 },
	{ 2024, 1, 3, 2024, 1 },
	{ 2024, 1, 4, 2024, 1 },
	{ 2024, 1, 5, 2024, 1 },
	{ 2024, 1, 6, 2024, 1 },
	{ 2024, 1, 7, 2024, 1 },
	{ 2024, 1, 8, 2024, 2 },
	{ 2024, 1, 9, 2024, 2 },
	{ 2024, 12, 22, 2024, 51 },
	{ 2024, 12, 23, 2024, 52 },
	{ 2024, 12, 24, 2024, 52 },
	{ 2024, 12, 25, 2024, 52 },
	{ 2024, 12, 26, 2024, 52 },
	{ 2024, 12, 27, 2024, 52 },
	{ 2024, 12, 28, 2024, 52 },
	{ 2024, 12, 29, 2024, 52 },
	{ 2024, 12, 30, 2025, 1 },
	{ 2024, 12, 31, 2025, 1 },
	{ 2025, 1, 1, 2025, 1 },
	{ 2025, 1, 2, 2025, 1 },
	{ 2025, 1, 3, 2025, 1 },
	{ 2025, 1, 4, 2025, 1 },
	{ 2025, 1, 5, 2025, 1 },
	{ 2025, 1, 6, 2025, 2 },
	{ 2025, 1, 7, 2025, 2 },
	{ 2025, 1, 8, 2025, 2 },
	{ 2025, 1, 9, 2025, 2 },
	{ 2025, 12, 22, 2025, 52 },
	{ 2025, 12, 23, 2025, 52 },
	{ 2025, 12, 24, 2025, 52 },
	{ 2025, 12, 25, 2025, 52 },
	{ 2025, 12, 26, 2025, 52 },
	{ 2025, 12, 27, 2025, 52 },
	{ 2025, 12, 28, 2025, 52 },
	{ 2025, 12, 29, 2026, 1 },
	{ 2025, 12, 30, 2026, 1 },
	{ 2025, 12, 31, 2026, 1 },
	{ 2026, 1, 1, 2026, 1 },
	{ 2026, 1, 2, 2026, 1 },
	{ 2026, 1, 3, 2026, 1 },
	{ 2026, 1, 4, 2026, 1 },
	{ 2026, 1, 5, 2026, 2 },
	{ 2026, 1, 6, 2026, 2 },
	{ 2026, 1, 7, 2026, 2 },
	{ 2026, 1, 8, 2026, 2 },
	{ 2026, 1, 9, 2026, 2 },
	{ 2026, 12, 22, 2026, 52 },
	{ 2026, 12, 23, 2026, 52 },
	{ 2026, 12, 24, 2026, 52 },
	{ 2026, 12, 25, 2026, 52 },
	{ 2026, 12, 26, 2026, 52 },
	{ 2026, 12, 27, 2026, 52 },
	{ 2026, 12, 28, 2026, 53 },
	{ 2026, 12, 29, 2026, 53 },
	{ 2026, 12, 30, 2026, 53 },
	{ 2026, 12, 31, 2026, 53 },
	{ 2027, 1, 1, 2026, 53 },
	{ 2027, 1, 2, 2026, 53 },
	{ 2027, 1, 3, 2026, 53 },
	{ 2027, 1, 4, 2027, 1 },
	{ 2027, 1, 5, 2027, 1 },
	{ 2027, 1, 6, 2027, 1 },
	{ 2027, 1, 7, 2027, 1 },
	{ 2027, 1, 8, 2027, 1 },
	{ 2027, 1, 9, 2027, 1 },
	{ 2027, 12, 22, 2027, 51 },
	{ 2027, 12, 23, 2027, 51 },
	{ 2027, 12, 24, 2027, 51 },
	{ 2027, 12, 25, 2027, 51 },
	{ 2027, 12, 26, 2027, 51 },
	{ 2027, 12, 27, 2027, 52 },
	{ 2027, 12, 28, 2027, 52 },
	{ 2027, 12, 29, 2027, 52 },
	{ 2027, 12, 30, 2027, 52 },
	{ 2027, 12, 31, 2027, 52 },
	{ 2028, 1, 1, 2027, 52 },
	{ 2028, 1, 2, 2027, 52 },
	{ 2028, 1, 3, 2028, 1 },
	{ 2028, 1, 4, 2028, 1 },
	{ 2028, 1, 5, 2028, 1 },
	{ 2028, 1, 6, 2028, 1 },
	{ 2028, 1, 7, 2028, 1 },
	{ 2028, 1, 8, 2028, 1 },
	{ 2028, 1, 9, 2028, 1 },
};

/* Days in each quarter (Python: date(y, 3q+1, 1) - date(y, 3q-2, 1)). */
static const struct { int y, q, days; } quarters[] = {
	{ 2020, 1, 91 },
	{ 2020, 2, 91 },
	{ 2020, 3, 92 },
	{ 2020, 4, 92 },
	{ 2021, 1, 90 },
	{ 2021, 2, 91 },
	{ 2021, 3, 92 },
	{ 2021, 4, 92 },
	{ 2024, 1, 91 },
	{ 2024, 2, 91 },
	{ 2024, 3, 92 },
	{ 2024, 4, 92 },
	{ 2100, 1, 90 },
	{ 2100, 2, 91 },
	{ 2100, 3, 92 },
	{ 2100, 4, 92 },
	{ 2000, 1, 91 },
	{ 2000, 2, 91 },
	{ 2000, 3, 92 },
	{ 2000, 4, 92 },
};

static const struct { int y, days; } years[] = {
	{ 1900, 365 },
	{ 2000, 366 },
	{ 2020, 366 },
	{ 2021, 365 },
	{ 2024, 366 },
	{ 2100, 365 },
};

/* Zoned timestamps and their local time in a zone, by Python's zoneinfo. */
static const struct { const char *zone, *stamp, *local; } zones[] = {
	{ "Asia/Shanghai", "2021-09-12T17:00:00Z", "2021-09-13T01:00:00" },
	{ "Asia/Shanghai", "2021-09-12T15:59:59Z", "2021-09-12T23:59:59" },
	{ "Asia/Shanghai", "2020-12-31T16:00:00Z", "2021-01-01T00:00:00" },
	{ "Asia/Shanghai", "2021-09-19T23:30:00+08:00", "2021-09-19T23:30:00" },
	{ "UTC", "2021-09-19T23:30:00+08:00", "2021-09-19T15:30:00" },
	{ "America/New_York", "2021-03-14T07:30:00Z", "2021-03-14T03:30:00" },
	{ "America/New_York", "2021-11-07T05:30:00Z", "2021-11-07T01:30:00" },
	{ "Asia/Kolkata", "2021-01-03T20:00:00-02:30", "2021-01-04T04:00:00" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static geo_err parse(geo_ctx *ctx, const char *kind, const char *value, geo_window *w)
{
	geo_window_opts o;
	geo_window_opts_init(&o);
	if (!strcmp(kind, "week"))
		o.week = value;
	else if (!strcmp(kind, "month"))
		o.month = value;
	else if (!strcmp(kind, "quarter"))
		o.quarter = value;
	else if (!strcmp(kind, "year"))
		o.year = value;
	else if (!strcmp(kind, "from"))
		o.from = value;
	else
		o.to = value;
	return geo_window_parse(ctx, &o, w);
}

static int64_t day(int y, int m, int d)
{
	return geo_time_from_civil(y, m, d, 0, 0, 0);
}

static void test_weeks(geo_ctx *ctx)
{
	size_t bad = 0;
	for (size_t i = 0; i < N(days); i++) {
		char label[16];
		geo_window w;
		snprintf(label, sizeof label, "%04d-W%02d", days[i].iso_year, days[i].iso_week);
		int64_t t = day(days[i].y, days[i].m, days[i].d);
		/* The day's own week holds it, from its first to its last second;
		** the week before and after do not. */
		int ok = parse(ctx, "week", label, &w) == GEO_OK && geo_window_holds(&w, t) &&
			 geo_window_holds(&w, t + 86399) && w.end - w.start == 7 * 86400 &&
			 !strcmp(w.label, label);
		geo_window p;
		ok = ok && geo_window_previous(ctx, &w, &p) == GEO_OK && !geo_window_holds(&p, t) &&
		     p.end == w.start && geo_window_holds(&p, t - 7 * 86400);
		if (!ok && bad++ < 5)
			printf("     %04d-%02d-%02d is not in %s\n", days[i].y, days[i].m, days[i].d,
			       label);
	}
	CHECK("every day around 14 year ends lies in its ISO week (Python isocalendar), "
	      "and the previous week is the 7 days before", bad == 0);

	geo_window w, p;
	CHECK("2021-01-01 lies in 2020-W53",
	      parse(ctx, "week", "2020-W53", &w) == GEO_OK && geo_window_holds(&w, day(2021, 1, 1)) &&
		      w.start == day(2020, 12, 28) && w.end == day(2021, 1, 4));
	CHECK("2021-W52 is 2021-12-27 to 2022-01-02",
	      parse(ctx, "week", "2021-W52", &w) == GEO_OK && w.start == day(2021, 12, 27) &&
		      w.end == day(2022, 1, 3));
	CHECK("2021 has no W53", parse(ctx, "week", "2021-W53", &w) == GEO_ERR_USAGE);
	CHECK("a week is also written 2021w37 or 2021-w37; 2021-W3, 2021-Q3W37 and 2021-37 are not",
	      parse(ctx, "week", "2021w37", &w) == GEO_OK && !strcmp(w.label, "2021-W37") &&
		      parse(ctx, "week", "2021-w37", &p) == GEO_OK && p.start == w.start &&
		      parse(ctx, "week", "2021-W3", &p) == GEO_ERR_USAGE &&
		      parse(ctx, "week", "2021-Q3W37", &p) == GEO_ERR_USAGE &&
		      parse(ctx, "week", "2021-37", &p) == GEO_ERR_USAGE);
	CHECK("a quarter is also written 2021q3 or 2021-q3; 2021-Q, 2021-W3 and 2021-Q34 are not",
	      parse(ctx, "quarter", "2021q3", &w) == GEO_OK && !strcmp(w.label, "2021-Q3") &&
		      parse(ctx, "quarter", "2021-q3", &p) == GEO_OK && p.start == w.start &&
		      parse(ctx, "quarter", "2021-Q", &p) == GEO_ERR_USAGE &&
		      parse(ctx, "quarter", "2021-W3", &p) == GEO_ERR_USAGE &&
		      parse(ctx, "quarter", "2021-Q34", &p) == GEO_ERR_USAGE);
	CHECK("the week before 2021-W01 is 2020-W53",
	      parse(ctx, "week", "2021-W01", &w) == GEO_OK &&
		      geo_window_previous(ctx, &w, &p) == GEO_OK && !strcmp(p.label, "2020-W53"));
}

static void test_quarters_years(geo_ctx *ctx)
{
	size_t bad = 0;
	for (size_t i = 0; i < N(quarters); i++) {
		char label[16];
		geo_window w;
		snprintf(label, sizeof label, "%04d-Q%d", quarters[i].y, quarters[i].q);
		int m = 3 * quarters[i].q - 2;
		int ok = parse(ctx, "quarter", label, &w) == GEO_OK && w.start == day(quarters[i].y, m, 1) &&
			 w.end - w.start == (int64_t)quarters[i].days * 86400 && !strcmp(w.label, label);
		if (!ok && bad++ < 5)
			printf("     %s is wrong\n", label);
	}
	CHECK("quarters have Python's lengths (Q1 2024 91 days, Q1 2100 90, Q1 2000 91)", bad == 0);
	bad = 0;
	for (size_t i = 0; i < N(years); i++) {
		char label[8];
		geo_window w;
		snprintf(label, sizeof label, "%04d", years[i].y);
		if (parse(ctx, "year", label, &w) != GEO_OK || w.start != day(years[i].y, 1, 1) ||
		    w.end - w.start != (int64_t)years[i].days * 86400)
			bad++;
	}
	CHECK("years have Python's lengths (1900 and 2100 365 days, 2000 and 2024 366)", bad == 0);
	geo_window w, p;
	parse(ctx, "quarter", "2021-Q1", &w);
	CHECK("the quarter before 2021-Q1 is 2020-Q4 (2020-10-01 to 2021-01-01)",
	      geo_window_previous(ctx, &w, &p) == GEO_OK && !strcmp(p.label, "2020-Q4") &&
		      p.start == day(2020, 10, 1) && p.end == w.start);
	parse(ctx, "quarter", "2021-Q3", &w);
	CHECK("the quarter before 2021-Q3 is 2021-Q2",
	      geo_window_previous(ctx, &w, &p) == GEO_OK && !strcmp(p.label, "2021-Q2"));
	parse(ctx, "year", "2021", &w);
	CHECK("the year before 2021 is 2020, 366 days",
	      geo_window_previous(ctx, &w, &p) == GEO_OK && !strcmp(p.label, "2020") &&
		      p.end - p.start == 366 * 86400);
	CHECK("2024-02-29 lies in 2024-02 and 2024-Q1",
	      parse(ctx, "month", "2024-02", &w) == GEO_OK && geo_window_holds(&w, day(2024, 2, 29)) &&
		      parse(ctx, "quarter", "2024-Q1", &p) == GEO_OK &&
		      geo_window_holds(&p, day(2024, 2, 29)));
	CHECK("2021-Q5, 2021-Q0, 2021-3 and 21 are refused",
	      parse(ctx, "quarter", "2021-Q5", &w) == GEO_ERR_USAGE &&
		      parse(ctx, "quarter", "2021-Q0", &w) == GEO_ERR_USAGE &&
		      parse(ctx, "quarter", "2021-3", &w) == GEO_ERR_USAGE &&
		      parse(ctx, "year", "21", &w) == GEO_ERR_USAGE);
	geo_window_opts o;
	geo_window_opts_init(&o);
	o.year = "2021", o.quarter = "2021-Q3";
	CHECK("a year and a quarter together are refused", geo_window_parse(ctx, &o, &w) == GEO_ERR_USAGE);
	geo_window_opts_init(&o);
	CHECK("no window: everything", geo_window_parse(ctx, &o, &w) == GEO_OK &&
					       w.kind == GEO_WINDOW_ALL && !geo_window_opts_given(&o));
}

static void test_zones(void)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	size_t bad = 0;
	for (size_t i = 0; i < N(zones); i++) {
		setenv("TZ", zones[i].zone, 1);
		tzset();
		int64_t t;
		char got[32] = "";
		if (geo_time_parse_zoned(zones[i].stamp, &t, NULL))
			geo_time_format(t, got, sizeof got);
		/* geo_time_format drops a midnight's time. */
		if (strncmp(got, zones[i].local, strlen(got)) || strlen(got) < 10) {
			if (bad++ < 5)
				printf("     %s in %s: got %s, want %s\n", zones[i].stamp, zones[i].zone,
				       got, zones[i].local);
		}
	}
	CHECK("zoned timestamps become local time as Python's zoneinfo has it "
	      "(Shanghai, UTC, New York across DST, Kolkata)", bad == 0);
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	int64_t t;
	CHECK("a date without a zone is local, whatever TZ says",
	      geo_time_parse_zoned("2021-09-13", &t, NULL) && t == day(2021, 9, 13));
	CHECK("2021-09-12T16:00:00Z is the first second of 2021-W37 in Asia/Shanghai",
	      geo_time_parse_zoned("2021-09-12T16:00:00Z", &t, NULL) && t == day(2021, 9, 13));
	CHECK("zone suffixes +0800 and +08 read as +08:00",
	      geo_time_parse_zoned("2021-09-13T08:00:00+0800", &t, NULL) &&
		      t == day(2021, 9, 13) + 8 * 3600 &&
		      geo_time_parse_zoned("2021-09-13T08:00:00+08", &t, NULL) &&
		      t == day(2021, 9, 13) + 8 * 3600);
	CHECK("a malformed zone is not a date", !geo_time_parse_zoned("2021-09-13T08:00:00+8", &t, NULL) &&
							!geo_time_parse_zoned("2021-09-13T08:00:00+25:00", &t, NULL));
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	test_weeks(ctx);
	test_quarters_years(ctx);
	test_zones();
	geo_ctx_free(ctx);
	return check_done();
}
