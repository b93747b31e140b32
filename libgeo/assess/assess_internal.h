/*
** assess_internal.h: what grid-assess's modules share: assess.c (reading the
** ledgers and computing the figures) and assess_out.c (the tables, the
** printable report and the summary). Private to them.
*/
#ifndef ASSESS_INTERNAL_H
#define ASSESS_INTERNAL_H

#include "geo.h"

#include <stdint.h>

/* One row's figures for one period (geo.h lists their rules). */
typedef geo_assess_figures assess_fig;

/* A row of a table: a grid or a worker, now and in the period before. */
typedef struct assess_row {
	const char *id, *name, *parent, *worker;
	long grids; /* workers: how many grids they hold */
	assess_fig now, prev;
} assess_row;

typedef struct assess {
	geo_ctx *ctx;
	const geo_assess_opts *o;
	geo_gridset *gs;
	geo_window w, prev;
	const char *town_name; /* for the report's title */
	/* households: id (sorted order in hh_sorted), grid */
	size_t nh;
	char **hh_id;
	long *hh_grid;
	size_t *hh_sorted;
	/* visits: household index (-1 unknown), day, worker row (-1 none) */
	size_t nv;
	int32_t *v_hh, *v_day, *v_worker;
	/* hazards: grid, day found, deadline, day closed (INT32_MIN: none) */
	size_t nz;
	long *z_grid;
	int32_t *z_day, *z_deadline, *z_closed;
	/* cases: grid, day, level 0 grid 1 area 2 town 3 open */
	size_t nc;
	long *c_grid;
	int32_t *c_day, *c_level;
	/* ponds and ditches: id, grid; inspections: water index, day */
	size_t nw;
	char **w_id;
	long *w_grid;
	size_t *w_sorted;
	size_t ni;
	int32_t *i_water, *i_day;
	int flood_month, flood_day;
	/* the tables */
	assess_row *grid_rows, *worker_rows;
	size_t nworkers;
	long *worker_of_grid; /* the worker row of each grid, or -1 */
	assess_row town_row;
	double seconds_read, seconds_figures;
	geo_output *tables, *report; /* opened first, so a refused output costs no reading */
} assess;

#define ASSESS_NONE INT32_MIN

/* assess.c: the score of a row's figures; 1 when a period has no ledger
** entry at all (the town's ledgers do not reach back to it). */
double assess_score(const assess_fig *f);
int assess_fig_empty(const assess_fig *f);

/* assess_out.c. The figures as the tables' columns (geo.h's order):
** column k's name, its value in f (NAN for a percentage of nothing), and
** whether it is a real number. */
enum { ASSESS_NFIG = 18 };
extern const char *const assess_fig_cols[ASSESS_NFIG];
double assess_fig_value(const assess_fig *f, int k);
int assess_fig_real(int k);
/* part / whole in %, to one decimal; NAN when whole is 0. */
double assess_pct(long part, long whole);
geo_err assess_open_outputs(assess *a);
geo_err assess_write_tables(assess *a);
geo_err assess_write_report(assess *a);

#endif
