/*
** ledgers.c: the sample town's ledgers (台账) for 2021, which the
** assessment (grid-assess) reads: a worker (网格员) and a phone for every
** secondary grid and a head (网格长) for every primary; a deadline and a
** closing day for every hazard; the level that solved every case; the
** weekly household visits (每周入户排查); and the inspections of ponds and
** ditches. Everything is drawn from streams of its own (S_WORKERS ..
** S_INSPECTIONS), after every other layer, so the layers the town had
** before its ledgers are byte for byte what they were.
**
** How good a grid is shows in all its ledgers at once: each secondary's
** worker gets a diligence in 0..1 (most near 1, a tail of poor ones), and
** it sets how often the worker misses a week of visits, how often hazards
** are closed within their deadline and how often the grid solves its own
** cases ("矛盾纠纷不出网，复杂问题不出片"). None of these figures is real.
*/
#include "town.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2021-01-01 was a Friday: ISO week 1 begins on day 3 (Monday 4 January). */
enum { WEEK1_MONDAY = 3, WEEKS = 52, LAST_DAY = 364, FLOOD_START = 151, FLOOD_END = 272 };

static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
				  "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
				  "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
				  "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡" };
static const char *given[] = { "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
			       "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
			       "刚", "桂", "英", "华", "玉", "兰", "红", "建", "国", "志",
			       "春", "海", "文", "辉", "力", "云", "凤", "洁", "梅", "琳",
			       "淑", "珍", "宏", "亮", "斌", "鹏", "飞", "宇", "浩", "晨",
			       "欣", "颖", "博", "瑞", "鑫", "蕾", "婷", "雪", "倩", "立" };
static const char *prefixes[] = { "139", "138", "137", "136", "135", "158", "159", "188",
				  "187", "131", "132", "155", "156", "186", "185", "189" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A made-up name of two or three characters, not yet taken. */
static void person(rng *r, char names[][32], size_t taken, char *out)
{
	for (;;) {
		const char *s = surnames[rng_below(r, COUNT(surnames))];
		const char *g1 = given[rng_below(r, COUNT(given))];
		const char *g2 = rng_unif(r) < 0.7 ? given[rng_below(r, COUNT(given))] : "";
		snprintf(out, 32, "%s%s%s", s, g1, g2);
		int dup = 0;
		for (size_t i = 0; i < taken && !dup; i++)
			dup = !strcmp(names[i], out);
		if (!dup)
			return;
	}
}

static void phone(rng *r, char *out)
{
	snprintf(out, 16, "%s%08zu", prefixes[rng_below(r, COUNT(prefixes))],
		 rng_below(r, 100000000));
}

static void make_workers(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_WORKERS);
	char taken[N_SECONDARY + N_PRIMARY][32];
	size_t n = 0;
	for (int g = 0; g < N_SECONDARY; g++) {
		person(&r, taken, n, t->sec_worker[g]);
		strcpy(taken[n++], t->sec_worker[g]);
		phone(&r, t->sec_phone[g]);
		t->diligence[g] = 1 - 0.6 * pow(rng_unif(&r), 2.5);
	}
	for (int p = 0; p < N_PRIMARY; p++) {
		person(&r, taken, n, t->prim_worker[p]);
		strcpy(taken[n++], t->prim_worker[p]);
		phone(&r, t->prim_phone[p]);
	}
}

static int grid_at(synth *s, const town *t, double x, double y)
{
	return (int)index_first_at(s, t->sec_ix, x, y);
}

static double diligence_at(const town *t, int g)
{
	return g >= 0 ? t->diligence[g] : 0.8;
}

/* Deadlines by severity (low, medium, high): 15, 7 and 3 days to rectify.
** A resolved hazard was closed within its deadline more often in a grid
** with a diligent worker; the ledger ends on 31 December. */
static void hazard_ledger(synth *s, town *t)
{
	static const int days[3] = { 15, 7, 3 };
	rng r;
	rng_init(&r, s->seed, S_HAZARD_LEDGER);
	for (size_t i = 0; i < t->nhazards; i++) {
		event *e = &t->hazards[i];
		e->grid = grid_at(s, t, e->x, e->y);
		e->deadline = e->doy + days[e->severity];
		e->closed = -1;
		double u = rng_unif(&r), v = rng_unif(&r), q = diligence_at(t, e->grid);
		if (e->status != 0)
			continue;
		int delay = u < 0.55 + 0.4 * q ? (int)(v * (days[e->severity] + 1))
					       : days[e->severity] + 1 + (int)(-log(1 - v) * 12);
		e->closed = e->doy + delay < LAST_DAY ? e->doy + delay : LAST_DAY;
	}
}

/* Solved in the grid, else the area, else the town: most disputes and
** nearly every service request in the grid, petitions mostly above it. */
static void case_levels(synth *s, town *t)
{
	static const double grid_p[3][2] = { { 0.55, 0.35 }, { 0.85, 0.12 }, { 0.15, 0.25 } };
	static const double area_p[3] = { 0.75, 0.8, 0.55 };
	rng r;
	rng_init(&r, s->seed, S_CASE_LEVELS);
	for (size_t i = 0; i < t->ncases; i++) {
		event *e = &t->cases[i];
		e->grid = grid_at(s, t, e->x, e->y);
		double u = rng_unif(&r), v = rng_unif(&r), q = diligence_at(t, e->grid);
		const double *gp = grid_p[e->category];
		e->level = e->status != 0            ? -1
			   : u < gp[0] + gp[1] * q   ? 0
			   : v < area_p[e->category] ? 1
						     : 2;
	}
}

static void push_visit(visit **v, size_t *n, size_t *cap, visit x)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4096;
		*v = xrealloc(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = x;
}

/* How likely a worker is to miss week k (1..52) altogether: often at the
** Spring Festival (W06, W07) and the National Day holiday (W39, W40),
** more in the flood season (W26-W35, on duty at the dikes), and more for
** a worker who is less diligent. */
static double week_missed(int k, double q)
{
	double p = 0.02 + 0.25 * (1 - q);
	if (k == 6)
		p = 0.7;
	else if (k == 7 || k == 39 || k == 40)
		p = fmax(p, 0.35);
	else if (k >= 26 && k <= 35)
		p += 0.08;
	return p;
}

static int cmp_visit(const void *a, const void *b)
{
	const visit *p = a, *q = b;
	if (p->doy != q->doy)
		return p->doy < q->doy ? -1 : 1;
	return (p->what > q->what) - (p->what < q->what);
}

/* Every week of 2021 (ISO weeks 1-52, days up to 31 December) each worker
** goes round the grid's households, Monday to Saturday. Some households are
** rarely home (about 8%: working in the city); a worker who misses a week
** is sometimes covered by the primary's head, who reaches fewer of them. */
static void make_visits(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_VISITS);
	char *away = xcalloc(t->nh, 1);
	for (size_t h = 0; h < t->nh; h++)
		away[h] = rng_unif(&r) < 0.08;
	size_t **members = xcalloc(N_SECONDARY, sizeof *members), nm[N_SECONDARY] = { 0 };
	for (size_t h = 0; h < t->nh; h++) {
		int g = t->hs[h];
		members[g] = xrealloc(members[g], nm[g] + 1, sizeof **members);
		members[g][nm[g]++] = h;
	}
	size_t cap = 0;
	for (int k = 1; k <= WEEKS; k++) {
		int monday = WEEK1_MONDAY + 7 * (k - 1);
		for (int g = 0; g < N_SECONDARY; g++) {
			double q = t->diligence[g];
			int missed = rng_unif(&r) < week_missed(k, q);
			int covered = missed && rng_unif(&r) < 0.35;
			int worker = covered ? -1 - t->ss.parent[g] : g;
			for (size_t j = 0; j < nm[g]; j++) {
				size_t h = members[g][j];
				double p = missed    ? (covered ? 0.6 : 0)
					   : away[h] ? 0.35
						     : 0.8 + 0.19 * q;
				double u = rng_unif(&r);
				int day = monday + (int)rng_below(&r, 6);
				if (u < p && day <= LAST_DAY)
					push_visit(&t->visits, &t->nvisits, &cap,
						   (visit){ .doy = day,
							    .what = t->hh_num[h],
							    .worker = worker });
			}
		}
	}
	qsort(t->visits, t->nvisits, sizeof *t->visits, cmp_visit);
	for (int g = 0; g < N_SECONDARY; g++)
		free(members[g]);
	free(members);
	free(away);
}

void inspected_id(const visit *v, char *buf, size_t size)
{
	if (v->what >= 1000)
		snprintf(buf, size, "GQ%03d", v->what - 1000 + 1);
	else
		snprintf(buf, size, "KT%03d", v->what + 1);
}

/* The 40 ponds cleared before the flood season (the ponds layer's
** `inspected`) were inspected once or twice in March to May, the last time
** when cleared; in the flood season (June to September) about a quarter of
** the ponds and ditches had a patrol inspection too. */
static void make_inspections(synth *s, town *t)
{
	rng r;
	rng_init(&r, s->seed, S_INSPECTIONS);
	size_t cap = 0;
	for (size_t i = 0; i < t->nponds; i++) {
		const pond *p = &t->pond[i];
		int g = grid_at(s, t, p->x, p->y);
		int n = p->inspected ? 1 + (rng_unif(&r) < 0.5) : 0;
		for (int k = 0; k < n; k++)
			push_visit(&t->inspections, &t->ninspections, &cap,
				   (visit){ .doy = 59 + (int)rng_below(&r, FLOOD_START - 59),
					    .what = (int)i,
					    .worker = g });
		if (rng_unif(&r) < 0.25)
			push_visit(&t->inspections, &t->ninspections, &cap,
				   (visit){ .doy = FLOOD_START +
						   (int)rng_below(&r, FLOOD_END - FLOOD_START + 1),
					    .what = (int)i,
					    .worker = g });
	}
	for (size_t i = 0; i < t->ditches.n; i++) {
		double x, y;
		inside_point(s, t->ditches.g[i], &x, &y);
		int g = grid_at(s, t, x, y);
		if (rng_unif(&r) < 0.25)
			push_visit(&t->inspections, &t->ninspections, &cap,
				   (visit){ .doy = FLOOD_START +
						   (int)rng_below(&r, FLOOD_END - FLOOD_START + 1),
					    .what = 1000 + (int)i,
					    .worker = g });
	}
	qsort(t->inspections, t->ninspections, sizeof *t->inspections, cmp_visit);
}

/* Households are numbered as town_write.c writes them: village by village
** in the town's order. */
static void number_households(town *t)
{
	t->hh_num = xcalloc(t->nh ? t->nh : 1, sizeof *t->hh_num);
	int id = 0;
	for (int k = 0; k < N_VILLAGES; k++)
		for (size_t h = 0; h < t->nh; h++)
			if (t->vrank[t->hv[h]] == k)
				t->hh_num[h] = ++id;
}

void make_ledgers(synth *s, town *t)
{
	number_households(t);
	make_workers(s, t);
	hazard_ledger(s, t);
	case_levels(s, t);
	make_visits(s, t);
	make_inspections(s, t);
}
