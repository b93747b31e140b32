/*
** assess.c: grid-assess's verb, the periodic assessment of grids and their
** workers from the town's ledgers (台账). It reads the grids and every
** ledger once: households, hazards, cases, ponds and ditches are placed in
** the grids by grid-place's rules (geo_feature_placer), the visits and the
** pond inspections are tied to them by their ids. The figures of a period
** are then counts over arrays of days, done twice (the period and the one
** before); a year of a 13,000-household town's weekly visits is about half
** a million rows, read in well under the five seconds the year-end ranking
** may take. The rules of each figure are in geo.h and the man page.
*/
#include "assess/assess_internal.h"
#include "core/geo_internal.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { DAY = 86400 };

void geo_assess_opts_init(geo_assess_opts *o)
{
	memset(o, 0, sizeof *o);
	o->worker_field = "worker";
	o->flood_start = "06-01";
	geo_common_opts_init(&o->common);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int32_t day_of(int64_t t)
{
	return (int32_t)(t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY));
}

/* ---- reading ------------------------------------------------------------- */

/* TOWN:LAYER unless the user named the input. */
static char *layer_name(assess *a, const char *given, const char *town, const char *layer)
{
	if (given)
		return geo_strdup(a->ctx, given);
	size_t n = strlen(town) + strlen(layer) + 2;
	char *s = geo_calloc(a->ctx, n, 1);
	if (s)
		snprintf(s, n, "%s:%s", town, layer);
	return s;
}

typedef struct reader {
	assess *a;
	geo_input *in;
	const char *name;
	int spatial;
	geo_feature_placer *fp;
} reader;

static geo_err reader_open(assess *a, reader *r, const char *name, int spatial)
{
	memset(r, 0, sizeof *r);
	r->a = a;
	r->name = name;
	r->spatial = spatial;
	geo_input_opts io;
	geo_input_opts_common(&io, &a->o->common, NULL);
	if (!(r->in = geo_input_open(a->ctx, name, &io)))
		return geo_last_code(a->ctx);
	geo_err e = GEO_OK;
	if (spatial) {
		e = geo_input_require_crs(a->ctx, r->in);
		if (!e)
			e = geo_input_set_target(a->ctx, r->in, a->gs->crs);
		if (!e && !(r->fp = geo_feature_placer_new(a->ctx, a->gs, NULL)))
			e = geo_last_code(a->ctx);
	}
	return e;
}

static void reader_close(reader *r)
{
	geo_feature_placer_free(r->fp);
	geo_input_close(r->in);
}

static geo_err need_field(reader *r, const char *field, int *idx)
{
	*idx = OGR_FD_GetFieldIndex(geo_input_defn(r->in), field);
	if (*idx < 0)
		return geo_fail(r->a->ctx, GEO_ERR_INPUT, "%s: no field '%s' (see grid-assess(1))",
				r->name, field);
	return GEO_OK;
}

/* The next feature and, for a spatial layer, the grid it goes to (-1: none). */
static geo_err reader_next(reader *r, OGRFeatureH *f, long *grid)
{
	GEOSGeometry *g = NULL;
	*grid = -1;
	geo_err e = geo_input_next(r->a->ctx, r->in, f, r->spatial ? &g : NULL);
	if (!e && *f && g)
		e = geo_feature_place(r->fp, g, grid);
	GEOSGeom_destroy_r(geo_ctx_geos(r->a->ctx), g);
	return e;
}

/* A day field: 1 with *day, 0 when empty, or an input error. */
static int day_field(reader *r, OGRFeatureH f, int idx, int32_t *day)
{
	int64_t t;
	int k = geo_feature_time(r->a->ctx, f, idx, r->name, &t);
	if (k == 1)
		*day = day_of(t);
	return k;
}

static int grow(assess *a, void **p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return 1;
	size_t nc = *cap ? 2 * *cap : 1024;
	void *q = geo_realloc_array(a->ctx, *p, nc, size);
	if (!q)
		return 0;
	*p = q;
	*cap = nc;
	return 1;
}

typedef struct keyed {
	const char *key;
	size_t i;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
	return strcmp(((const keyed *)x)->key, ((const keyed *)y)->key);
}

/* Indices of ids in the order of their text, for lookup. */
static size_t *sorted_ids(assess *a, char **ids, size_t n)
{
	size_t *ix = geo_calloc(a->ctx, n ? n : 1, sizeof *ix);
	keyed *k = geo_calloc(a->ctx, n ? n : 1, sizeof *k);
	if (!ix || !k) {
		free(ix);
		free(k);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (keyed){ ids[i], i };
	qsort(k, n, sizeof *k, cmp_keyed);
	for (size_t i = 0; i < n; i++)
		ix[i] = k[i].i;
	free(k);
	return ix;
}

static long find_id(char **ids, const size_t *sorted, size_t n, const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(ids[sorted[mid]], id);
		if (!c)
			return (long)sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
** One row of a ledger: its feature, its grid (-1: none, or a ledger that is
** not placed), the indices of the fields read_ledger was asked for, and the
** reader's own counters.
*/
typedef geo_err (*ledger_row)(assess *a, reader *r, OGRFeatureH f, long grid, const int *field,
			      size_t *cap, long *unknown);

enum { LEDGER_FIELDS = 3 };

/* Reads a ledger: requires each named field (NULL-ended), then hands every
** row to fn; cap and unknown carry fn's array capacities and its count of
** rows naming nothing known. */
static geo_err read_ledger(assess *a, const char *name, int spatial, const char *const *fields,
			   ledger_row fn, size_t *cap, long *unknown)
{
	reader r;
	int field[LEDGER_FIELDS] = { -1, -1, -1 };
	geo_err e = reader_open(a, &r, name, spatial);
	for (int i = 0; !e && i < LEDGER_FIELDS && fields[i]; i++)
		e = need_field(&r, fields[i], &field[i]);
	while (!e) {
		OGRFeatureH f;
		long g;
		if ((e = reader_next(&r, &f, &g)) || !f)
			break;
		e = fn(a, &r, f, g, field, cap, unknown);
		OGR_F_Destroy(f);
	}
	reader_close(&r);
	return e;
}

static geo_err household_row(assess *a, reader *r, OGRFeatureH f, long g, const int *field,
			     size_t *cap, long *unknown)
{
	(void)r, (void)unknown;
	if (!grow(a, (void **)&a->hh_id, a->nh, &cap[0], sizeof *a->hh_id) ||
	    !grow(a, (void **)&a->hh_grid, a->nh, &cap[1], sizeof *a->hh_grid) ||
	    !(a->hh_id[a->nh] = geo_strdup(a->ctx, geo_feat_str(f, field[0]))))
		return GEO_ERR_INTERNAL;
	a->hh_grid[a->nh++] = g;
	return GEO_OK;
}

static geo_err read_households(assess *a, const char *name)
{
	static const char *const fields[] = { "hh_id", NULL };
	size_t cap[2] = { 0 };
	geo_err e = read_ledger(a, name, 1, fields, household_row, cap, NULL);
	if (!e && !(a->hh_sorted = sorted_ids(a, a->hh_id, a->nh)))
		e = GEO_ERR_INTERNAL;
	return e;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(((const assess_row *)x)->worker, ((const assess_row *)y)->worker);
}

static long find_worker(const assess *a, const char *name)
{
	size_t lo = 0, hi = a->nworkers;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(a->worker_rows[mid].worker, name);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The grid rows, and one worker row per name in the worker field (grids
** without a worker have none). */
static geo_err make_rows(assess *a)
{
	geo_gridset *gs = a->gs;
	int wf = OGR_FD_GetFieldIndex(gs->defn, a->o->worker_field);
	if (wf < 0)
		return geo_fail(a->ctx, GEO_ERR_INPUT,
				"%s: no field '%s' naming each grid's worker", gs->source,
				a->o->worker_field);
	a->grid_rows = geo_calloc(a->ctx, gs->n + 1, sizeof *a->grid_rows);
	a->worker_rows = geo_calloc(a->ctx, gs->n + 1, sizeof *a->worker_rows);
	a->worker_of_grid = geo_calloc(a->ctx, gs->n + 1, sizeof *a->worker_of_grid);
	if (!a->grid_rows || !a->worker_rows || !a->worker_of_grid)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < gs->n; i++) {
		assess_row *row = &a->grid_rows[i];
		row->id = gs->grids[i].id;
		row->name = gs->grids[i].name;
		row->parent = gs->grids[i].parent_id;
		row->worker = geo_feat_str(gs->grids[i].feat, wf);
		row->grids = 1;
		if (*row->worker)
			a->worker_rows[a->nworkers++] = (assess_row){ .worker = row->worker };
	}
	qsort(a->worker_rows, a->nworkers, sizeof *a->worker_rows, cmp_str);
	size_t k = 0;
	for (size_t i = 0; i < a->nworkers; i++)
		if (!k || strcmp(a->worker_rows[k - 1].worker, a->worker_rows[i].worker))
			a->worker_rows[k++] = a->worker_rows[i];
	a->nworkers = k;
	for (size_t i = 0; i < gs->n; i++) {
		long w = *a->grid_rows[i].worker ? find_worker(a, a->grid_rows[i].worker) : -1;
		a->worker_of_grid[i] = w;
		if (w >= 0) {
			assess_row *wr = &a->worker_rows[w];
			wr->grids++;
			/* A worker of one grid is named by it; of several, by the first. */
			if (!wr->id) {
				wr->id = a->grid_rows[i].id;
				wr->name = a->grid_rows[i].name;
				wr->parent = a->grid_rows[i].parent;
			}
		}
	}
	return GEO_OK;
}

static geo_err visit_row(assess *a, reader *r, OGRFeatureH f, long g, const int *field,
			 size_t *cap, long *unknown)
{
	(void)g;
	int32_t day = ASSESS_NONE;
	int k = day_field(r, f, field[2], &day);
	if (k <= 0)
		return k < 0 ? geo_last_code(a->ctx) : GEO_OK;
	long h = find_id(a->hh_id, a->hh_sorted, a->nh, geo_feat_str(f, field[0]));
	if (!grow(a, (void **)&a->v_hh, a->nv, &cap[0], sizeof *a->v_hh) ||
	    !grow(a, (void **)&a->v_day, a->nv, &cap[1], sizeof *a->v_day) ||
	    !grow(a, (void **)&a->v_worker, a->nv, &cap[2], sizeof *a->v_worker))
		return GEO_ERR_INTERNAL;
	*unknown += h < 0;
	a->v_hh[a->nv] = (int32_t)h;
	a->v_day[a->nv] = day;
	a->v_worker[a->nv++] = (int32_t)find_worker(a, geo_feat_str(f, field[1]));
	return GEO_OK;
}

static geo_err read_visits(assess *a, const char *name)
{
	static const char *const fields[] = { "hh_id", "worker", "date" };
	size_t cap[3] = { 0 };
	long unknown = 0;
	geo_err e = read_ledger(a, name, 0, fields, visit_row, cap, &unknown);
	if (!e && unknown)
		geo_log(a->ctx, GEO_LOG_WARN,
			"%s: %ld visits name a household that the households layer does not hold",
			name, unknown);
	return e;
}

static int level_of(const char *s)
{
	if (!*s)
		return 3;
	static const char *names[3][2] = { { "grid", "网格" },
					   { "area", "片区" },
					   { "town", "镇" } };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i][0]) || !strcmp(s, names[i][1]))
			return i;
	return -1;
}

static geo_err hazard_row(assess *a, reader *r, OGRFeatureH f, long g, const int *field,
			  size_t *cap, long *unknown)
{
	(void)unknown;
	int32_t day = ASSESS_NONE, dl = ASSESS_NONE, cl = ASSESS_NONE;
	if (day_field(r, f, field[0], &day) < 0 || day_field(r, f, field[1], &dl) < 0 ||
	    day_field(r, f, field[2], &cl) < 0)
		return geo_last_code(a->ctx);
	if (!grow(a, (void **)&a->z_grid, a->nz, &cap[0], sizeof *a->z_grid) ||
	    !grow(a, (void **)&a->z_day, a->nz, &cap[1], sizeof *a->z_day) ||
	    !grow(a, (void **)&a->z_deadline, a->nz, &cap[2], sizeof *a->z_deadline) ||
	    !grow(a, (void **)&a->z_closed, a->nz, &cap[3], sizeof *a->z_closed))
		return GEO_ERR_INTERNAL;
	a->z_grid[a->nz] = g;
	a->z_day[a->nz] = day;
	a->z_deadline[a->nz] = dl;
	a->z_closed[a->nz++] = cl;
	return GEO_OK;
}

static geo_err read_hazards(assess *a, const char *name)
{
	static const char *const fields[] = { "date", "deadline", "closed" };
	size_t cap[4] = { 0 };
	return read_ledger(a, name, 1, fields, hazard_row, cap, NULL);
}

static geo_err case_row(assess *a, reader *r, OGRFeatureH f, long g, const int *field,
			size_t *cap, long *unknown)
{
	(void)unknown;
	int32_t day = ASSESS_NONE;
	int level = level_of(geo_feat_str(f, field[1]));
	if (day_field(r, f, field[0], &day) < 0)
		return geo_last_code(a->ctx);
	if (level < 0)
		return geo_fail(a->ctx, GEO_ERR_INPUT,
				"%s: feature %lld: level '%s' is not grid, area or town (or empty)",
				r->name, (long long)OGR_F_GetFID(f), geo_feat_str(f, field[1]));
	if (!grow(a, (void **)&a->c_grid, a->nc, &cap[0], sizeof *a->c_grid) ||
	    !grow(a, (void **)&a->c_day, a->nc, &cap[1], sizeof *a->c_day) ||
	    !grow(a, (void **)&a->c_level, a->nc, &cap[2], sizeof *a->c_level))
		return GEO_ERR_INTERNAL;
	a->c_grid[a->nc] = g;
	a->c_day[a->nc] = day;
	a->c_level[a->nc++] = level;
	return GEO_OK;
}

static geo_err read_cases(assess *a, const char *name)
{
	static const char *const fields[] = { "date", "level", NULL };
	size_t cap[3] = { 0 };
	return read_ledger(a, name, 1, fields, case_row, cap, NULL);
}

/* Ponds (pond_id) and ditches (ditch_id) alike: waters with an id and a grid. */
static geo_err water_row(assess *a, reader *r, OGRFeatureH f, long g, const int *field,
			 size_t *cap, long *unknown)
{
	(void)r, (void)unknown;
	if (!grow(a, (void **)&a->w_id, a->nw, &cap[0], sizeof *a->w_id) ||
	    !grow(a, (void **)&a->w_grid, a->nw, &cap[1], sizeof *a->w_grid) ||
	    !(a->w_id[a->nw] = geo_strdup(a->ctx, geo_feat_str(f, field[0]))))
		return GEO_ERR_INTERNAL;
	a->w_grid[a->nw++] = g;
	return GEO_OK;
}

static geo_err inspection_row(assess *a, reader *r, OGRFeatureH f, long g, const int *field,
			      size_t *cap, long *unknown)
{
	(void)g;
	int32_t day = ASSESS_NONE;
	int k = day_field(r, f, field[1], &day);
	if (k <= 0)
		return k < 0 ? geo_last_code(a->ctx) : GEO_OK;
	long w = find_id(a->w_id, a->w_sorted, a->nw, geo_feat_str(f, field[0]));
	if (w < 0) {
		++*unknown;
		return GEO_OK;
	}
	if (!grow(a, (void **)&a->i_water, a->ni, &cap[0], sizeof *a->i_water) ||
	    !grow(a, (void **)&a->i_day, a->ni, &cap[1], sizeof *a->i_day))
		return GEO_ERR_INTERNAL;
	a->i_water[a->ni] = (int32_t)w;
	a->i_day[a->ni++] = day;
	return GEO_OK;
}

static geo_err read_inspections(assess *a, const char *name)
{
	static const char *const fields[] = { "pond_id", "date", NULL };
	size_t cap[2] = { 0 };
	long unknown = 0;
	geo_err e = read_ledger(a, name, 0, fields, inspection_row, cap, &unknown);
	if (!e && unknown)
		geo_log(a->ctx, GEO_LOG_WARN, "%s: %ld inspections name no pond or ditch", name,
			unknown);
	return e;
}

static geo_err read_all(assess *a, const char *town, geo_progress progress, void *pdata)
{
	const geo_assess_opts *o = a->o;
	const char *given[7] = { o->households, o->visits,  o->hazards,    o->cases,
				 o->ponds,      o->ditches, o->inspections };
	static const char *layers[7] = { "households", "visits",  "hazards",         "cases",
					 "ponds",      "ditches", "pond_inspections" };
	char *names[7] = { 0 };
	geo_err e = GEO_OK;
	for (int i = 0; i < 7 && !e; i++)
		if (!(names[i] = layer_name(a, given[i], town, layers[i])))
			e = GEO_ERR_INTERNAL;
	static const char *const pond[] = { "pond_id", NULL }, *const ditch[] = { "ditch_id", NULL };
	size_t wcap[2] = { 0 };
	if (!e)
		e = read_households(a, names[0]);
	if (!e && !geo_progress_step(a->ctx, progress, pdata, 0.15, "households"))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = read_visits(a, names[1]);
	if (!e && !geo_progress_step(a->ctx, progress, pdata, 0.6, "visits"))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = read_hazards(a, names[2]);
	if (!e)
		e = read_cases(a, names[3]);
	if (!e)
		e = read_ledger(a, names[4], 1, pond, water_row, wcap, NULL);
	if (!e)
		e = read_ledger(a, names[5], 1, ditch, water_row, wcap, NULL);
	if (!e && !(a->w_sorted = sorted_ids(a, a->w_id, a->nw)))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = read_inspections(a, names[6]);
	for (int i = 0; i < 7; i++)
		free(names[i]);
	return e;
}

/* ---- the figures ----------------------------------------------------------- */

/* 40 + 30 + 20 + 10 points; a part with nothing to count gets its full
** points. The visits part is the share of household-weeks with a visit,
** not the share of households visited in every week: over a year hardly a
** household is visited in all 52 weeks (the Spring Festival week alone
** breaks most), and a figure everyone scores 0 on ranks no one. */
double assess_score(const assess_fig *f)
{
	double solved = (double)(f->cases[0] + f->cases[1] + f->cases[2]);
	double hw = (double)f->households * (double)f->weeks, s = 0;
	s += hw > 0 ? 40.0 * (double)f->hh_weeks / hw : 40;
	s += f->closed + f->overdue ? 30.0 * (double)f->on_time / (double)(f->closed + f->overdue)
				    : 30;
	s += solved > 0 ? 20.0 * (double)f->cases[0] / solved : 20;
	s += f->waters ? 10.0 * (double)f->inspected / (double)f->waters : 10;
	return round(s * 10) / 10;
}

typedef struct period {
	int32_t first, last; /* days, inclusive */
	int32_t monday0;     /* the first week's Monday */
	long weeks;
	int32_t pre_from, pre_to; /* pre-flood inspections: days, inclusive */
} period;

static void period_of(const assess *a, const geo_window *w, period *p)
{
	p->first = day_of(w->start);
	p->last = day_of(w->end - 1);
	/* 1970-01-01 was a Thursday: a day d is a Thursday when (d - 0) % 7 == 0. */
	int32_t thu = p->first + (int32_t)((7 - ((p->first % 7) + 7) % 7) % 7);
	p->monday0 = thu - 3;
	p->weeks = thu <= p->last ? (p->last - thu) / 7 + 1 : 0;
	char buf[32];
	geo_time_format((int64_t)p->last * DAY, buf, sizeof buf);
	int y = atoi(buf); /* the year of the last day */
	p->pre_from = day_of(geo_time_from_civil(y, 1, 1, 0, 0, 0));
	int32_t flood = day_of(geo_time_from_civil(y, a->flood_month, a->flood_day, 0, 0, 0));
	p->pre_to = flood - 1 < p->last ? flood - 1 : p->last;
}

typedef struct ranked {
	double score;
	const char *id;
	assess_fig *f;
} ranked;

static int cmp_rank(const void *x, const void *y)
{
	const ranked *p = x, *q = y;
	if (p->score != q->score)
		return p->score > q->score ? -1 : 1;
	return strcmp(p->id, q->id);
}

/* Ranks by score, highest first; equal scores share a rank (1, 2, 2, 4). */
static geo_err rank(assess *a, assess_row *rows, size_t n, int now)
{
	ranked *r = geo_calloc(a->ctx, n ? n : 1, sizeof *r);
	if (!r)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		assess_fig *f = now ? &rows[i].now : &rows[i].prev;
		r[i] = (ranked){ f->score, rows[i].id ? rows[i].id : rows[i].worker, f };
	}
	qsort(r, n, sizeof *r, cmp_rank);
	for (size_t k = 0; k < n; k++)
		r[k].f->rank = k && r[k - 1].score == r[k].score ? r[k - 1].f->rank : (int)k + 1;
	free(r);
	return GEO_OK;
}

static void add_fig(assess_fig *to, const assess_fig *f)
{
	to->households += f->households;
	to->weekly += f->weekly;
	to->hh_weeks += f->hh_weeks;
	to->visits += f->visits;
	to->found += f->found;
	to->closed += f->closed;
	to->on_time += f->on_time;
	to->overdue += f->overdue;
	for (int k = 0; k < 4; k++)
		to->cases[k] += f->cases[k];
	to->waters += f->waters;
	to->inspected += f->inspected;
}

/* Every figure of one period into rows' now (now = 1) or prev. */
static geo_err figures(assess *a, const geo_window *w, int now)
{
	period p;
	period_of(a, w, &p);
	size_t ng = a->gs->n;
	assess_fig *g = geo_calloc(a->ctx, ng + 1, sizeof *g);
	size_t words = (size_t)(p.weeks + 63) / 64;
	uint64_t *seen = words ? geo_calloc(a->ctx, a->nh * words + 1, sizeof *seen) : NULL;
	long *made = geo_calloc(a->ctx, a->nworkers + 1, sizeof *made);
	char *pre = geo_calloc(a->ctx, a->nw + 1, 1);
	if (!g || (words && !seen) || !made || !pre) {
		free(g), free(seen), free(made), free(pre);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < ng; i++)
		g[i].weeks = p.weeks;
	for (size_t h = 0; h < a->nh; h++)
		if (a->hh_grid[h] >= 0)
			g[a->hh_grid[h]].households++;
	for (size_t v = 0; v < a->nv; v++) {
		int32_t d = a->v_day[v], h = a->v_hh[v];
		if (d >= p.first && d <= p.last) {
			if (a->v_worker[v] >= 0)
				made[a->v_worker[v]]++;
			if (h >= 0 && a->hh_grid[h] >= 0)
				g[a->hh_grid[h]].visits++;
		}
		if (h >= 0 && words && d >= p.monday0 && d < p.monday0 + 7 * p.weeks) {
			size_t k = (size_t)(d - p.monday0) / 7;
			seen[(size_t)h * words + k / 64] |= (uint64_t)1 << (k % 64);
		}
	}
	for (size_t h = 0; h < a->nh && words; h++) {
		long all = 0;
		for (size_t k = 0; k < words; k++)
			all += __builtin_popcountll(seen[h * words + k]);
		if (a->hh_grid[h] >= 0) {
			g[a->hh_grid[h]].weekly += all == p.weeks;
			g[a->hh_grid[h]].hh_weeks += all;
		}
	}
	for (size_t i = 0; i < a->nz; i++) {
		long gi = a->z_grid[i];
		int32_t d = a->z_day[i], dl = a->z_deadline[i], cl = a->z_closed[i];
		if (gi < 0)
			continue;
		if (d != ASSESS_NONE && d >= p.first && d <= p.last)
			g[gi].found++;
		if (cl != ASSESS_NONE && cl >= p.first && cl <= p.last) {
			g[gi].closed++;
			g[gi].on_time += dl != ASSESS_NONE && cl <= dl;
		}
		if (d != ASSESS_NONE && d <= p.last && dl != ASSESS_NONE && dl <= p.last &&
		    (cl == ASSESS_NONE || cl > p.last))
			g[gi].overdue++;
	}
	for (size_t i = 0; i < a->nc; i++)
		if (a->c_grid[i] >= 0 && a->c_day[i] >= p.first && a->c_day[i] <= p.last)
			g[a->c_grid[i]].cases[a->c_level[i]]++;
	for (size_t i = 0; i < a->ni; i++)
		if (a->i_day[i] >= p.pre_from && a->i_day[i] <= p.pre_to)
			pre[a->i_water[i]] = 1;
	for (size_t i = 0; i < a->nw; i++)
		if (a->w_grid[i] >= 0) {
			g[a->w_grid[i]].waters++;
			g[a->w_grid[i]].inspected += pre[i];
		}
	assess_fig town = { .weeks = p.weeks };
	for (size_t k = 0; k < a->nworkers; k++) {
		assess_fig *wf = now ? &a->worker_rows[k].now : &a->worker_rows[k].prev;
		*wf = (assess_fig){ .weeks = p.weeks, .visits_made = made[k] };
	}
	for (size_t i = 0; i < ng; i++) {
		g[i].score = assess_score(&g[i]);
		*(now ? &a->grid_rows[i].now : &a->grid_rows[i].prev) = g[i];
		add_fig(&town, &g[i]);
		if (a->worker_of_grid[i] >= 0) {
			assess_row *wr = &a->worker_rows[a->worker_of_grid[i]];
			add_fig(now ? &wr->now : &wr->prev, &g[i]);
		}
	}
	for (size_t k = 0; k < a->nworkers; k++) {
		assess_fig *wf = now ? &a->worker_rows[k].now : &a->worker_rows[k].prev;
		wf->score = assess_score(wf);
		town.visits_made += wf->visits_made;
	}
	town.score = assess_score(&town);
	*(now ? &a->town_row.now : &a->town_row.prev) = town;
	free(g), free(seen), free(made), free(pre);
	geo_err e = rank(a, a->grid_rows, ng, now);
	if (!e)
		e = rank(a, a->worker_rows, a->nworkers, now);
	return e;
}

/* ---- the verb ------------------------------------------------------------ */

static geo_err check_opts(assess *a)
{
	const geo_assess_opts *o = a->o;
	if (!geo_window_opts_given(&o->common.window))
		return geo_fail(a->ctx, GEO_ERR_USAGE,
				"give the period: --week, --month, --quarter, --year or "
				"--from/--to");
	geo_err e = geo_window_parse(a->ctx, &o->common.window, &a->w);
	if (!e && (a->w.start == GEO_TIME_MIN || a->w.end == GEO_TIME_MAX))
		e = geo_fail(a->ctx, GEO_ERR_USAGE,
			     "the period must be bounded: give --from with --to, or --week, "
			     "--month, "
			     "--quarter, --year");
	if (!e)
		e = geo_window_previous(a->ctx, &a->w, &a->prev);
	int m = 0, d = 0;
	char tail;
	if (!e && (sscanf(o->flood_start, "%2d-%2d%c", &m, &d, &tail) != 2 || m < 1 || m > 12 ||
		   d < 1 || d > 31))
		e = geo_fail(a->ctx, GEO_ERR_USAGE,
			     "--flood-start: '%s' is not a day such as 06-01", o->flood_start);
	a->flood_month = m;
	a->flood_day = d;
	if (!e && !o->common.output && !o->report && !o->common.json)
		geo_log(a->ctx, GEO_LOG_INFO, "no -o or --report: the summary only");
	return e;
}

static void assess_free(assess *a)
{
	for (size_t i = 0; i < a->nh; i++)
		free(a->hh_id[i]);
	for (size_t i = 0; i < a->nw; i++)
		free(a->w_id[i]);
	void *p[] = { a->hh_id,         a->hh_grid, a->hh_sorted, a->v_hh,       a->v_day,
		      a->v_worker,      a->z_grid,  a->z_day,     a->z_deadline, a->z_closed,
		      a->c_grid,        a->c_day,   a->c_level,   a->w_id,       a->w_grid,
		      a->w_sorted,      a->i_water, a->i_day,     a->grid_rows,  a->worker_rows,
		      a->worker_of_grid };
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		free(p[i]);
	geo_gridset_free(a->gs);
	geo_output_close(a->tables);
	geo_output_close(a->report);
}

void geo_assess_result_free(geo_assess_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrows; i++) {
		free(r->rows[i].grid_id);
		free(r->rows[i].name);
		free(r->rows[i].worker);
	}
	free(r->rows);
	free(r->period);
	free(r->previous);
	free(r->output);
	free(r->report);
	free(r);
}

/* The run's figures, copied: the result outlives the grids they name. */
static geo_assess_result *take_result(const assess *a)
{
	geo_ctx *ctx = a->ctx;
	geo_assess_result *r = geo_calloc(ctx, 1, sizeof *r);
	if (!r)
		return NULL;
	*r = (geo_assess_result){ .workers = a->nworkers, .visits = a->nv,
				  .town = a->town_row.now, .town_previous = a->town_row.prev,
				  .seconds_read = a->seconds_read,
				  .seconds_figures = a->seconds_figures,
				  .verbose = a->o->common.verbose };
	int ok = (r->period = geo_strdup(ctx, a->w.label)) &&
		 (r->previous = geo_strdup(ctx, a->prev.label)) &&
		 (!a->o->common.output || (r->output = geo_strdup(ctx, a->o->common.output))) &&
		 (!a->o->report || (r->report = geo_strdup(ctx, a->o->report))) &&
		 (r->rows = geo_calloc(ctx, a->gs->n, sizeof *r->rows));
	for (size_t i = 0; ok && i < a->gs->n; i++, r->nrows++) {
		const assess_row *row = &a->grid_rows[i];
		geo_assess_row *out = &r->rows[i];
		out->now = row->now;
		out->previous = row->prev;
		ok = (out->grid_id = geo_strdup(ctx, row->id)) &&
		     (out->name = geo_strdup(ctx, row->name)) &&
		     (out->worker = geo_strdup(ctx, row->worker));
	}
	if (!ok) {
		geo_assess_result_free(r);
		return NULL;
	}
	return r;
}

static geo_err assess_run(geo_ctx *ctx, const char *town, const geo_assess_opts *o,
			  geo_assess_result **result, geo_progress progress, void *pdata)
{
	assess a;
	memset(&a, 0, sizeof a);
	a.ctx = ctx;
	a.o = o;
	double t0 = now_s();
	a.town_name = town;
	geo_err e = check_opts(&a);
	if (!e)
		e = assess_open_outputs(&a);
	char *grids = e ? NULL : layer_name(&a, o->grids, town, "secondary");
	if (!e && !grids)
		e = GEO_ERR_INTERNAL;
	geo_crs *work = NULL;
	if (!e && o->common.work_srs && !(work = geo_crs_new(ctx, o->common.work_srs)))
		e = geo_last_code(ctx);
	if (!e) {
		geo_input_opts io;
		geo_input_opts_common(&io, &o->common, NULL);
		geo_grid_opts go;
		geo_grid_opts_init(&go);
		if (!(a.gs = geo_gridset_read(ctx, grids, &io, &go, work)))
			e = geo_last_code(ctx);
	}
	geo_crs_free(work);
	free(grids);
	if (!e)
		e = make_rows(&a);
	if (!e)
		e = read_all(&a, town, progress, pdata);
	a.seconds_read = now_s() - t0;
	double t1 = now_s();
	if (!e)
		e = figures(&a, &a.w, 1);
	if (!e)
		e = figures(&a, &a.prev, 0);
	a.seconds_figures = now_s() - t1;
	if (!e && !geo_progress_step(ctx, progress, pdata, 0.8, "figures"))
		e = GEO_ERR_INTERNAL;
	if (!e && o->common.output)
		e = assess_write_tables(&a);
	if (!e && o->report)
		e = assess_write_report(&a);
	if (!e && !(*result = take_result(&a)))
		e = GEO_ERR_INTERNAL;
	assess_free(&a);
	if (!e)
		geo_progress_step(ctx, progress, pdata, 1, "done");
	return e;
}

geo_err geo_assess(geo_ctx *ctx, const char *town, const geo_assess_opts *o,
		   geo_assess_result **result, geo_progress progress, void *progress_data)
{
	*result = NULL;
	return assess_run(ctx, town, o, result, progress, progress_data);
}
