/*
** diff.c: grid-diff's verb. It overlays the old and the new grids of one
** level (match.c), gathers them into groups and classes (see geo.h), measures
** the area each grid gives to the others and what lies outside the other set,
** places every feature layer on both sets with grid-place's placer to find
** the features that change grid, and writes the outputs: the moved pieces,
** the table of moved features, and NEW carrying the surviving codes. The
** report is rendered from the result by diff_report.c.
*/
#include "diff/diff_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_hash_set.h>

/* An intersection larger than this share of a grid holds "most" of it. */
#define MOST 0.5

void geo_diff_opts_init(geo_diff_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_grid_opts_init(&o->grid);
	geo_common_opts_init(&o->common);
	geo_staff_opts_init(&o->staff);
	o->font = "Noto Sans CJK SC";
	o->min_area = 1.0;
	o->keep_threshold = 0.5;
}

/* ---- reading ------------------------------------------------------------ */

static int by_code_then_fid(const void *x, const void *y)
{
	const geo_grid *a = x, *b = y;
	int c = strcmp(a->id, b->id);
	return c ? c : a->fid < b->fid ? -1 : a->fid > b->fid;
}

static geo_gridset *read_set(geo_ctx *ctx, const char *name, const geo_diff_opts *o,
			     const geo_crs *work)
{
	/* --s-srs names the CRS of inputs that state none (io.c); it never
	** overrides a stated one, since OLD and NEW may legitimately differ. */
	geo_input_opts io;
	geo_input_opts_common(&io, &o->common, o->common.where);
	geo_gridset *gs = geo_gridset_read(ctx, name, &io, &o->grid, work);
	if (!gs)
		return NULL;
	if (OGR_FD_GetFieldIndex(gs->defn, o->grid.id_field) < 0) {
		geo_fail(ctx, GEO_ERR_INPUT, "%s: has no '%s' field; name the code field with --id-field",
			 name, o->grid.id_field);
	} else if (!gs->n) {
		geo_fail(ctx, GEO_ERR_INPUT, "%s: no grids%s", name,
			 o->common.where ? " match --where" : "");
	} else {
		/* Code order makes every list of the report, and the pairs, independent
		** of the order the grids come in. */
		qsort(gs->grids, gs->n, sizeof *gs->grids, by_code_then_fid);
		return gs;
	}
	geo_gridset_free(gs);
	return NULL;
}

/* The one level of a set: 1, 2, or 0 when no grid says; mixing is an error. */
static geo_err set_level(geo_ctx *ctx, const geo_gridset *gs, int *level)
{
	size_t n[3] = { 0 };
	for (size_t i = 0; i < gs->n; i++)
		n[gs->grids[i].level == 1 || gs->grids[i].level == 2 ? gs->grids[i].level : 0]++;
	if (n[1] && n[2])
		return geo_fail(ctx, GEO_ERR_INPUT,
				"%s: mixes levels (%zu primary, %zu secondary grids); compare one "
				"level at a time, e.g. with --where \"level = 2\"",
				gs->source, n[1], n[2]);
	*level = n[1] ? 1 : n[2] ? 2 : 0;
	return GEO_OK;
}

static geo_err read_both(struct diff_run *run, const char *old_name, const char *new_name)
{
	geo_ctx *ctx = run->ctx;
	geo_diff_result *r = run->r;
	geo_crs *work = run->o->common.work_srs ? geo_crs_new(ctx, run->o->common.work_srs) : NULL;
	if (run->o->common.work_srs && !work)
		return geo_last_code(ctx);
	if (work && !geo_crs_is_projected(work)) {
		geo_crs_free(work);
		return geo_fail(ctx, GEO_ERR_USAGE, "--work-srs %s is not a projected CRS",
				run->o->common.work_srs);
	}
	r->old_grids = read_set(ctx, old_name, run->o, work);
	geo_crs_free(work);
	if (!r->old_grids)
		return geo_last_code(ctx);
	if (!(r->new_grids = read_set(ctx, new_name, run->o, r->old_grids->crs)))
		return geo_last_code(ctx);
	int lo = 0, ln = 0;
	geo_err e = set_level(ctx, r->old_grids, &lo);
	if (!e)
		e = set_level(ctx, r->new_grids, &ln);
	if (!e && lo && ln && lo != ln)
		e = geo_fail(ctx, GEO_ERR_INPUT,
			     "levels differ: %s has %s grids (level %d), %s has %s grids (level %d)",
			     old_name, lo == 1 ? "primary" : "secondary", lo, new_name,
			     ln == 1 ? "primary" : "secondary", ln);
	r->level = lo ? lo : ln;
	return e;
}

/* ---- groups and classes ------------------------------------------------- */

static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static void uf_join(size_t *parent, size_t a, size_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a != b)
		parent[a > b ? a : b] = a < b ? a : b;
}

/* The overlap of old i and new j, 0 when they are no pair. */
static double pair_area(const geo_overlay *ov, size_t i, size_t j)
{
	size_t lo = 0, hi = ov->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const geo_overlap *p = &ov->pairs[mid];
		if (p->a < i || (p->a == i && p->b < j))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ov->n && ov->pairs[lo].a == i && ov->pairs[lo].b == j ? ov->pairs[lo].area : 0;
}

/* Joins each grid with the grid of the other set that holds most of it. */
static void join_majorities(const geo_overlay *ov, size_t na, size_t *parent)
{
	for (size_t k = 0; k < ov->n; k++) {
		const geo_overlap *p = &ov->pairs[k];
		if (p->area > MOST * ov->area_a[p->a] || p->area > MOST * ov->area_b[p->b])
			uf_join(parent, p->a, na + p->b);
	}
}

static int by_code(const void *x, const void *y, void *data)
{
	const geo_gridset *gs = data;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = strcmp(gs->grids[a].id, gs->grids[b].id);
	return c ? c : a < b ? -1 : a > b;
}

static const char *first_code(const geo_diff_result *r, const geo_diff_group *g)
{
	return g->nold ? r->old_grids->grids[g->old_idx[0]].id : r->new_grids->grids[g->new_idx[0]].id;
}

static int by_first_code(const void *x, const void *y, void *data)
{
	const geo_diff_result *r = data;
	const geo_diff_group *a = x, *b = y;
	int c = strcmp(first_code(r, a), first_code(r, b));
	if (c)
		return c;
	if (!a->nold != !b->nold)
		return a->nold ? -1 : 1;
	size_t ia = a->nold ? a->old_idx[0] : a->new_idx[0], ib = b->nold ? b->old_idx[0] : b->new_idx[0];
	return ia < ib ? -1 : ia > ib;
}

static geo_diff_class classify(const geo_diff_result *r, const geo_diff_group *g, double min_area)
{
	if (!g->nnew)
		return GEO_DIFF_REMOVED;
	if (!g->nold)
		return GEO_DIFF_NEW;
	if (g->nold > 1)
		return g->nnew > 1 ? GEO_DIFF_REGROUPED : GEO_DIFF_MERGED;
	if (g->nnew > 1)
		return GEO_DIFF_SPLIT;
	size_t i = g->old_idx[0], j = g->new_idx[0];
	double ov = pair_area(r->overlay, i, j);
	int same = r->overlay->area_a[i] - ov <= min_area && r->overlay->area_b[j] - ov <= min_area;
	return same ? GEO_DIFF_UNCHANGED : GEO_DIFF_RESHAPED;
}

/* Fills the groups' members from the union-find roots. */
static geo_err fill_groups(struct diff_run *run, size_t *parent, size_t *slot)
{
	geo_diff_result *r = run->r;
	size_t na = r->old_grids->n, nb = r->new_grids->n;
	for (size_t x = 0; x < na + nb; x++) {
		size_t root = uf_find(parent, x);
		if (root == x)
			slot[x] = r->ngroups++;
	}
	if (!(r->groups = geo_calloc(run->ctx, r->ngroups, sizeof *r->groups)))
		return GEO_ERR_INTERNAL;
	for (size_t x = 0; x < na + nb; x++) {
		geo_diff_group *g = &r->groups[slot[uf_find(parent, x)]];
		x < na ? g->nold++ : g->nnew++;
	}
	for (size_t k = 0; k < r->ngroups; k++) {
		geo_diff_group *g = &r->groups[k];
		g->old_idx = geo_calloc(run->ctx, g->nold ? g->nold : 1, sizeof *g->old_idx);
		g->new_idx = geo_calloc(run->ctx, g->nnew ? g->nnew : 1, sizeof *g->new_idx);
		if (!g->old_idx || !g->new_idx)
			return GEO_ERR_INTERNAL;
		g->nold = g->nnew = 0;
	}
	for (size_t x = 0; x < na + nb; x++) {
		geo_diff_group *g = &r->groups[slot[uf_find(parent, x)]];
		if (x < na)
			g->old_idx[g->nold++] = x;
		else
			g->new_idx[g->nnew++] = x - na;
	}
	return GEO_OK;
}

static geo_err make_groups(struct diff_run *run)
{
	geo_diff_result *r = run->r;
	size_t na = r->old_grids->n, nb = r->new_grids->n;
	size_t *parent = geo_calloc(run->ctx, na + nb, sizeof *parent);
	size_t *slot = geo_calloc(run->ctx, na + nb, sizeof *slot);
	geo_err e = parent && slot ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t x = 0; !e && x < na + nb; x++)
		parent[x] = x;
	if (!e) {
		join_majorities(r->overlay, na, parent);
		e = fill_groups(run, parent, slot);
	}
	for (size_t k = 0; !e && k < r->ngroups; k++) {
		geo_diff_group *g = &r->groups[k];
		qsort_r(g->old_idx, g->nold, sizeof *g->old_idx, by_code, r->old_grids);
		qsort_r(g->new_idx, g->nnew, sizeof *g->new_idx, by_code, r->new_grids);
		g->cls = classify(r, g, run->o->min_area);
		r->classes[g->cls]++;
	}
	if (!e)
		qsort_r(r->groups, r->ngroups, sizeof *r->groups, by_first_code, r);
	free(parent);
	free(slot);
	return e;
}

/* ---- areas ---------------------------------------------------------------- */

static geo_err match(struct diff_run *run)
{
	geo_diff_result *r = run->r;
	size_t na = r->old_grids->n, nb = r->new_grids->n;
	r->new_to_old = geo_calloc(run->ctx, nb, sizeof *r->new_to_old);
	r->old_to_new = geo_calloc(run->ctx, na, sizeof *r->old_to_new);
	if (!r->new_to_old || !r->old_to_new)
		return GEO_ERR_INTERNAL;
	geo_err e = geo_overlay_match(run->ctx, r->overlay, r->old_grids, r->new_grids,
				      run->o->keep_threshold, r->new_to_old);
	for (size_t i = 0; i < na; i++)
		r->old_to_new[i] = -1;
	for (size_t j = 0; !e && j < nb; j++)
		if (r->new_to_old[j] >= 0)
			r->old_to_new[r->new_to_old[j]] = (long)j;
	return e;
}

struct hits {
	GEOSGeometry **geoms;
	const GEOSGeometry *g;
	const GEOSPreparedGeometry *pg;
	GEOSContextHandle_t h;
	GEOSGeometry **out;
	size_t n, cap;
	int failed;
};

static void add_hit(size_t i, void *data)
{
	struct hits *c = data;
	if (c->failed || GEOSPreparedIntersects_r(c->h, c->pg, c->geoms[i]) != 1)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		GEOSGeometry **out = realloc(c->out, cap * sizeof *out);
		if (!out) {
			c->failed = 1;
			return;
		}
		c->out = out;
		c->cap = cap;
	}
	c->out[c->n++] = GEOSGeom_clone_r(c->h, c->geoms[i]);
}

/* g less every geometry of the index that meets it. */
static GEOSGeometry *uncovered(GEOSContextHandle_t h, const GEOSGeometry *g, geo_index *idx,
			       GEOSGeometry **geoms)
{
	struct hits c = { .geoms = geoms, .g = g, .h = h };
	c.pg = GEOSPrepare_r(h, g);
	if (!c.pg)
		return NULL;
	geo_index_query(idx, g, add_hit, &c);
	GEOSPreparedGeom_destroy_r(h, c.pg);
	GEOSGeometry *rest = NULL;
	if (!c.failed && !c.n) {
		free(c.out);
		return GEOSGeom_clone_r(h, g);
	}
	GEOSGeometry *coll = c.failed ? NULL
				      : GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, c.out,
								    (unsigned)c.n);
	if (!coll)
		for (size_t k = 0; k < c.n; k++)
			GEOSGeom_destroy_r(h, c.out[k]);
	GEOSGeometry *cover = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
	if (cover)
		rest = GEOSDifference_r(h, g, cover);
	if (!rest && cover) {
		GEOSGeometry *vg = GEOSMakeValid_r(h, g), *vc = GEOSMakeValid_r(h, cover);
		rest = vg && vc ? GEOSDifference_r(h, vg, vc) : NULL;
		GEOSGeom_destroy_r(h, vg);
		GEOSGeom_destroy_r(h, vc);
	}
	GEOSGeom_destroy_r(h, cover);
	GEOSGeom_destroy_r(h, coll);
	free(c.out);
	return rest;
}

/*
** The area of each grid of a that no grid of b covers. Counting the overlaps
** already known gives an upper bound, so the exact difference is computed
** only for grids that may spill by more than min_area.
*/
static geo_err spill(struct diff_run *run, const geo_gridset *a, const geo_gridset *b, int a_is_old,
		     double *outside, GEOSGeometry **pieces)
{
	const geo_overlay *ov = run->r->overlay;
	const double *area = a_is_old ? ov->area_a : ov->area_b;
	double *covered = geo_calloc(run->ctx, a->n ? a->n : 1, sizeof *covered);
	GEOSGeometry **geoms = geo_calloc(run->ctx, b->n ? b->n : 1, sizeof *geoms);
	geo_index *idx = NULL;
	geo_err e = covered && geoms ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t k = 0; !e && k < ov->n; k++)
		covered[a_is_old ? ov->pairs[k].a : ov->pairs[k].b] += ov->pairs[k].area;
	for (size_t j = 0; !e && j < b->n; j++)
		geoms[j] = b->grids[j].geom;
	if (!e && !(idx = geo_index_new(run->ctx, geoms, b->n)))
		e = GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < a->n; i++) {
		outside[i] = 0;
		if (!a->grids[i].geom || area[i] - covered[i] <= run->o->min_area)
			continue;
		GEOSGeometry *rest = uncovered(run->h, a->grids[i].geom, idx, geoms);
		if (!rest) {
			e = geo_fail(run->ctx, GEO_ERR_INPUT,
				     "%s: grid %s: cannot subtract %s from it (unusable geometry; "
				     "run grid-check)",
				     a->source, a->grids[i].id, b->source);
			break;
		}
		GEOSArea_r(run->h, rest, &outside[i]);
		if (outside[i] <= run->o->min_area)
			outside[i] = 0;
		if (outside[i] > 0 && pieces)
			pieces[i] = rest;
		else
			GEOSGeom_destroy_r(run->h, rest);
	}
	geo_index_free(idx);
	free(geoms);
	free(covered);
	return e;
}

static geo_err measure(struct diff_run *run)
{
	geo_diff_result *r = run->r;
	const geo_overlay *ov = r->overlay;
	size_t na = r->old_grids->n, nb = r->new_grids->n;
	for (size_t i = 0; i < na; i++)
		r->area_old += ov->area_a[i];
	for (size_t j = 0; j < nb; j++)
		r->area_new += ov->area_b[j];
	for (size_t k = 0; k < ov->n; k++)
		if (!geo_diff_same_code(r, (long)ov->pairs[k].a, (long)ov->pairs[k].b))
			r->moved_m2 += ov->pairs[k].area;
	for (size_t j = 0; j < nb; j++) {
		long i = r->new_to_old[j];
		if (i >= 0 && strcmp(r->old_grids->grids[i].id, r->new_grids->grids[j].id))
			r->code_changes++;
	}
	r->outside_new = geo_calloc(run->ctx, na, sizeof *r->outside_new);
	r->outside_old = geo_calloc(run->ctx, nb, sizeof *r->outside_old);
	if (!r->outside_new || !r->outside_old)
		return GEO_ERR_INTERNAL;
	if (run->o->common.output) {
		run->old_out = geo_calloc(run->ctx, na, sizeof *run->old_out);
		run->new_out = geo_calloc(run->ctx, nb, sizeof *run->new_out);
		if (!run->old_out || !run->new_out)
			return GEO_ERR_INTERNAL;
	}
	geo_err e = spill(run, r->old_grids, r->new_grids, 1, r->outside_new, run->old_out);
	if (!e)
		e = spill(run, r->new_grids, r->old_grids, 0, r->outside_old, run->new_out);
	for (size_t i = 0; i < na; i++)
		r->outside_new_m2 += r->outside_new[i];
	for (size_t j = 0; j < nb; j++)
		r->outside_old_m2 += r->outside_old[j];
	return e;
}

/* ---- the verb ------------------------------------------------------------- */

static void free_pieces(GEOSContextHandle_t h, GEOSGeometry **p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		if (p[i])
			GEOSGeom_destroy_r(h, p[i]);
	free(p);
}

geo_err geo_diff(geo_ctx *ctx, const char *old_name, const char *new_name,
		 const geo_diff_opts *o, geo_diff_result **result, geo_progress progress,
		 void *progress_data)
{
	*result = NULL;
	if (!(o->min_area >= 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--min-area %g is negative", o->min_area);
	size_t nf = 0, nr = 0;
	while (o->features && o->features[nf])
		nf++;
	if (o->moves && o->moves[0] && !nf)
		return geo_fail(ctx, GEO_ERR_USAGE, "--moves needs at least one --features layer");
	const char **inputs = geo_calloc(ctx, nf + 5, sizeof *inputs);
	geo_diff_result *r = geo_calloc(ctx, 1, sizeof *r);
	if (!inputs || !r || !(r->worker_field = geo_strdup(ctx, o->staff.worker_field))) {
		free(inputs);
		geo_diff_result_free(r);
		return GEO_ERR_INTERNAL;
	}
	r->verbose = o->common.verbose;
	inputs[0] = old_name;
	inputs[1] = new_name;
	for (size_t k = 0; k < nf; k++)
		inputs[k + 2] = o->features[k];
	if (o->staff.roster)
		inputs[nf + 2 + nr++] = o->staff.roster;
	if (o->old_roster)
		inputs[nf + 2 + nr++] = o->old_roster;
	struct diff_run run = { .ctx = ctx, .h = geo_ctx_geos(ctx), .o = o, .r = r,
				.inputs = inputs, .progress = progress,
				.progress_data = progress_data };
	geo_err e = read_both(&run, old_name, new_name);
	if (!e && !(r->overlay = geo_overlay_new(ctx, r->old_grids, r->new_grids, o->min_area,
						 o->common.output != NULL, progress, progress_data)))
		e = geo_last_code(ctx);
	if (!e)
		e = match(&run);
	if (!e)
		e = make_groups(&run);
	if (!e)
		e = measure(&run);
	if (!e)
		e = diff_staff(&run);
	if (!e)
		e = diff_handover_open(&run);
	if (!e)
		e = diff_place_features(&run);
	if (!e)
		diff_warn_unstaffed(&run);
	if (!e)
		e = diff_handover_write(&run);
	if (!e)
		e = diff_write_outputs(&run);
	free_pieces(run.h, run.old_out, r->old_grids ? r->old_grids->n : 0);
	free_pieces(run.h, run.new_out, r->new_grids ? r->new_grids->n : 0);
	diff_handover_close(&run);
	free(inputs);
	if (e) {
		geo_diff_result_free(r);
		return e;
	}
	r->changed = r->classes[GEO_DIFF_UNCHANGED] != r->ngroups || r->code_changes || r->nmoves;
	*result = r;
	return r->changed ? GEO_PROBLEMS : GEO_OK;
}
