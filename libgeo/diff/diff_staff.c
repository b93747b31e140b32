/*
** diff_staff.c: who keeps each grid, for grid-diff's hand-over: the grid
** layers' fields and the rosters of OLD and NEW (staff.c reads them). The
** module also says, once, when the hand-over names grids whose worker
** nobody has given.
*/
#include "diff/diff_internal.h"

#include <stdlib.h>
#include <string.h>

geo_err diff_staff(struct diff_run *run)
{
	geo_diff_result *r = run->r;
	r->old_staff = geo_calloc(run->ctx, r->old_grids->n ? r->old_grids->n : 1,
				  sizeof *r->old_staff);
	r->new_staff = geo_calloc(run->ctx, r->new_grids->n ? r->new_grids->n : 1,
				  sizeof *r->new_staff);
	if (!r->old_staff || !r->new_staff)
		return GEO_ERR_INTERNAL;
	const geo_diff_opts *o = run->o;
	geo_staff_fields f = { o->staff.worker_field, o->staff.phone_field, o->grid.id_field,
			       o->grid.name_field };
	geo_err e = geo_staff_read(run->ctx, r->old_grids, &f, o->old_roster, "OLD", r->old_staff);
	if (!e)
		e = geo_staff_read(run->ctx, r->new_grids, &f, o->staff.roster, "NEW", r->new_staff);
	for (int side = 0; !e && side < 2; side++) {
		const geo_gridset *gs = side ? r->new_grids : r->old_grids;
		const geo_diff_staff *st = side ? r->new_staff : r->old_staff;
		for (size_t i = 0; i < gs->n; i++) {
			r->has_workers |= *st[i].worker != '\0';
			r->has_phones |= *st[i].phone != '\0';
		}
	}
	return e;
}

/* Adds the codes of the grids of one side in the hand-over that have no
** worker; returns how many. */
static size_t unstaffed(const geo_diff_result *r, int new_side, geo_buf *b, int *listed)
{
	const geo_gridset *gs = new_side ? r->new_grids : r->old_grids;
	const geo_diff_staff *st = new_side ? r->new_staff : r->old_staff;
	char *hit = calloc(gs->n ? gs->n : 1, 1);
	size_t n = 0;
	for (size_t k = 0; hit && k < r->nmoves; k++) {
		long i = new_side ? r->moves[k].new_grid : r->moves[k].old_grid;
		if (i >= 0 && !*st[i].worker && !hit[i])
			hit[i] = 1, n++;
	}
	for (size_t i = 0; hit && i < gs->n; i++)
		if (hit[i] && (*listed)++ < 6)
			geo_buf_printf(b, new_side ? _("%snew %s") : _("%sold %s"),
				       *listed > 1 ? ", " : "", gs->grids[i].id);
	free(hit);
	return n;
}

void diff_warn_unstaffed(struct diff_run *run)
{
	const geo_diff_result *r = run->r;
	if (!r->nmoves)
		return;
	if (!r->has_workers) {
		geo_log(run->ctx, GEO_LOG_WARN,
			"no grid worker is known: the grids have no '%s' field and no --roster "
			"names them; the hand-over's worker columns are empty",
			run->o->staff.worker_field);
		return;
	}
	geo_buf b;
	geo_buf_init(&b);
	int listed = 0;
	size_t n = unstaffed(r, 1, &b, &listed);
	n += unstaffed(r, 0, &b, &listed);
	if (n)
		geo_log(run->ctx, GEO_LOG_WARN,
			P_("%zu grid in the hand-over has no worker (%s%s): give it one in the '%s' "
			   "field or a --roster",
			   "%zu grids in the hand-over have no worker (%s%s): give them one in the '%s' "
			   "field or a --roster",
			   n),
			n, b.s ? b.s : "", listed > 6 ? ", ..." : "", run->o->staff.worker_field);
	geo_buf_free(&b);
}
