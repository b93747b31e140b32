/*
** diff_result.c: what grid-diff's result says, for the verb and for every
** module that writes it (the report, the outputs, the hand-over lists): the
** classes' names, whether two grids keep one code, each grid's staff, the
** order of the hand-over's receivers, and freeing the result.
*/
#include "diff/diff_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const class_names[GEO_DIFF_NCLASSES] = {
	"unchanged", "reshaped", "split", "merged", "regrouped", "new", "removed",
};

const char *geo_diff_class_name(geo_diff_class c)
{
	return c >= 0 && c < GEO_DIFF_NCLASSES ? class_names[c] : "?";
}

int geo_diff_same_code(const geo_diff_result *r, long old_i, long new_j)
{
	return old_i >= 0 && new_j >= 0 &&
	       !strcmp(r->old_grids->grids[old_i].id, r->new_grids->grids[new_j].id);
}

const geo_diff_staff *geo_diff_staff_of(const geo_diff_result *r, const geo_gridset *gs, size_t i)
{
	return gs == r->old_grids ? &r->old_staff[i] : &r->new_staff[i];
}

const char *geo_diff_worker(const geo_diff_result *r, const geo_gridset *gs, size_t i)
{
	return geo_diff_staff_of(r, gs, i)->worker;
}

void geo_diff_result_free(geo_diff_result *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->ngroups; k++) {
		free(r->groups[k].old_idx);
		free(r->groups[k].new_idx);
	}
	free(r->groups);
	for (size_t l = 0; l < r->nlayers; l++) {
		free(r->layers[l].name);
		free(r->layers[l].source);
		free(r->layers[l].count_old);
		free(r->layers[l].count_new);
	}
	free(r->layers);
	for (size_t k = 0; k < r->nmoves; k++)
		free(r->moves[k].label);
	free(r->moves);
	geo_staff_free(r->old_staff, r->old_grids ? r->old_grids->n : 0);
	geo_staff_free(r->new_staff, r->new_grids ? r->new_grids->n : 0);
	free(r->new_to_old);
	free(r->old_to_new);
	free(r->outside_new);
	free(r->outside_old);
	free(r->worker_field);
	geo_overlay_free(r->overlay);
	geo_gridset_free(r->old_grids);
	geo_gridset_free(r->new_grids);
	free(r);
}

/* Receivers: a named worker (by name, then phone), then each grid nobody
** was named for (its list waits for whoever gets it), then the features
** that leave every grid. */
int diff_receiver_rank(const geo_diff_result *r, const geo_diff_move *m)
{
	return m->new_grid < 0 ? 2 : *r->new_staff[m->new_grid].worker ? 0 : 1;
}

int diff_receiver_cmp(const geo_diff_result *r, const geo_diff_move *a, const geo_diff_move *b)
{
	int ra = diff_receiver_rank(r, a), rb = diff_receiver_rank(r, b);
	if (ra != rb || ra == 2)
		return ra - rb;
	if (ra == 1) {
		int c = strcmp(r->new_grids->grids[a->new_grid].id,
			       r->new_grids->grids[b->new_grid].id);
		return c ? c : (a->new_grid > b->new_grid) - (a->new_grid < b->new_grid);
	}
	const geo_diff_staff *sa = &r->new_staff[a->new_grid], *sb = &r->new_staff[b->new_grid];
	int c = strcmp(sa->worker, sb->worker);
	return c ? c : strcmp(sa->phone, sb->phone);
}
