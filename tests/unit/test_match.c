/*
** test_match.c: the overlay and the one-to-one match of match.c, on grid sets
** drawn over a tiling of squares; expected areas come from counting cells.
*/
#include "check.h"
#include "core/geo_internal.h"
#include "tiling.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static geo_gridset *read_set(geo_ctx *ctx, const char *path, const geo_crs *work)
{
	geo_input_opts io;
	geo_input_opts_init(&io);
	return geo_gridset_read(ctx, path, &io, NULL, work);
}

static long index_of(const geo_gridset *gs, char letter)
{
	char code[32];
	tiling_code(letter, code, sizeof code);
	return geo_gridset_find(gs, code);
}

/* Every pair's area against the cell count, and no pair missing or extra. */
static void check_overlay(geo_ctx *ctx, const geo_gridset *a, const geo_gridset *b,
			  const char *const *ra, const char *const *rb, double cell)
{
	geo_overlay *ov = geo_overlay_new(ctx, a, b, 0, 1, NULL, NULL);
	CHECK("overlay built", ov != NULL);
	if (!ov)
		return;
	size_t want = 0, bad = 0;
	for (char la = 'A'; la <= 'Z'; la++)
		for (char lb = 'A'; lb <= 'Z'; lb++)
			want += tiling_shared(ra, la, rb, lb) > 0;
	CHECK("one pair per pair of grids sharing cells", ov->n == want);
	for (size_t k = 0; k < ov->n; k++) {
		const geo_overlap *p = &ov->pairs[k];
		char la = 'A' + (char)atoi(a->grids[p->a].id + 9) - 1;
		char lb = 'A' + (char)atoi(b->grids[p->b].id + 9) - 1;
		double cells = tiling_shared(ra, la, rb, lb) * cell * cell, g = 0;
		GEOSArea_r(geo_ctx_geos(ctx), p->geom, &g);
		if (fabs(p->area - cells) > 1e-3 * cells || fabs(g - p->area) > 1e-6 * cells)
			bad++;
		if (k && (p->a < ov->pairs[k - 1].a ||
			  (p->a == ov->pairs[k - 1].a && p->b <= ov->pairs[k - 1].b)))
			bad++;
	}
	CHECK("pair areas equal the shared cells (0.1%), pieces measured the same, in order",
	      bad == 0);
	geo_overlay_free(ov);
}

static void test_moved_boundary(geo_ctx *ctx, const char *dir)
{
	/* A and B trade a column; C is split into C and E; D is unchanged. */
	const char *old_rows[] = { "AAABBB", "AAABBB", "CCCDDD", "CCCDDD", NULL };
	const char *new_rows[] = { "AAAABB", "AAAABB", "CEEDDD", "CEEDDD", NULL };
	double cell = 137.25;
	char po[512], pn[512];
	snprintf(po, sizeof po, "%s/old.geojson", dir);
	snprintf(pn, sizeof pn, "%s/new.geojson", dir);
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	CHECK("write tilings", !tiling_write(h, po, old_rows, cell, 0) &&
				       !tiling_write(h, pn, new_rows, cell, 0));
	geo_gridset *a = read_set(ctx, po, NULL);
	geo_gridset *b = a ? read_set(ctx, pn, a->crs) : NULL;
	CHECK("read both", a && b);
	if (!a || !b)
		goto done;
	check_overlay(ctx, a, b, old_rows, new_rows, cell);
	long m[8];
	CHECK("match at 50%", geo_match_grids(ctx, a, b, 0.5, m) == GEO_OK);
	CHECK("A stays A (6 of 6 old cells, 6 of 8 new)", m[index_of(b, 'A')] == index_of(a, 'A'));
	CHECK("B stays B (4 of 6 old, 4 of 4 new)", m[index_of(b, 'B')] == index_of(a, 'B'));
	CHECK("D stays D", m[index_of(b, 'D')] == index_of(a, 'D'));
	CHECK("E (4 of C's 6 cells) keeps C's code", m[index_of(b, 'E')] == index_of(a, 'C'));
	CHECK("C (2 of C's 6 cells) is new", m[index_of(b, 'C')] == -1);
	CHECK("match at 80%", geo_match_grids(ctx, a, b, 0.8, m) == GEO_OK);
	CHECK("at 80% A (75% of new A) no longer matches",
	      m[index_of(b, 'A')] == -1 && m[index_of(b, 'D')] == index_of(a, 'D'));
	CHECK("threshold 0 refused", geo_match_grids(ctx, a, b, 0, m) == GEO_ERR_USAGE);
	CHECK("threshold above 1 refused", geo_match_grids(ctx, a, b, 1.5, m) == GEO_ERR_USAGE);
done:
	geo_gridset_free(a);
	geo_gridset_free(b);
}

static void test_equal_split(geo_ctx *ctx, const char *dir)
{
	/* One grid split in two equal halves: both halves hold exactly 50% of
	** the old grid; the tie goes to the pair of lower codes, one to one. */
	const char *old_rows[] = { "AA", NULL };
	const char *new_rows[] = { "BA", NULL };
	char po[512], pn[512];
	snprintf(po, sizeof po, "%s/old2.geojson", dir);
	snprintf(pn, sizeof pn, "%s/new2.geojson", dir);
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	tiling_write(h, po, old_rows, 100, 0);
	tiling_write(h, pn, new_rows, 100, 0);
	geo_gridset *a = read_set(ctx, po, NULL);
	geo_gridset *b = a ? read_set(ctx, pn, a->crs) : NULL;
	long m[2] = { 7, 7 };
	CHECK("equal split matched", a && b && geo_match_grids(ctx, a, b, 0.5, m) == GEO_OK);
	if (a && b) {
		long na = index_of(b, 'A'), nb = index_of(b, 'B');
		CHECK("exactly one half keeps the code", (m[na] == 0) + (m[nb] == 0) == 1);
		CHECK("the pair of lower codes (new A) wins", m[na] == 0 && m[nb] == -1);
	}
	geo_gridset_free(a);
	geo_gridset_free(b);
}

static void test_other_crs(geo_ctx *ctx, const char *dir)
{
	char po[512];
	snprintf(po, sizeof po, "%s/old2.geojson", dir);
	geo_crs *utm = geo_crs_new(ctx, "EPSG:32650");
	geo_gridset *a = read_set(ctx, po, NULL);
	geo_gridset *b = utm ? read_set(ctx, po, utm) : NULL;
	long m[2];
	CHECK("sets in different working CRS refused",
	      a && b && geo_match_grids(ctx, a, b, 0.5, m) == GEO_ERR_INPUT);
	geo_gridset_free(a);
	geo_gridset_free(b);
	geo_crs_free(utm);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	char dir[] = "/tmp/test_match.XXXXXX";
	if (!ctx || !mkdtemp(dir))
		return 1;
	test_moved_boundary(ctx, dir);
	test_equal_split(ctx, dir);
	test_other_crs(ctx, dir);
	geo_ctx_free(ctx);
	const char *files[] = { "old.geojson", "new.geojson", "old2.geojson", "new2.geojson" };
	for (size_t i = 0; i < 4; i++) {
		char p[512];
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	return check_done();
}
