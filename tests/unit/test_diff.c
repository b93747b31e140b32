/*
** test_diff.c: grid-diff's verb on grid sets drawn over a tiling of squares
** with known splits, merges, a regrouping, moved boundaries, spill on both
** sides; expected classes are stated by hand and areas come from counting
** cells. Moved features are checked against a brute-force placing with GEOS
** over the drawn grids, independent of the placer and of the gridset reader.
*/
#include "check.h"
#include "diff/diff_internal.h"
#include "tiling.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CELL 137.25

static const char *old_rows[] = {
	"AAABBBCCI",
	"AAABBBCCI",
	"DDDEEFFG.",
	"DDDEEFFG.",
	"PPPPPPQQ.",
	NULL,
};
/* A unchanged; B takes a column of C (both reshaped); D splits into D and H;
** E and F merge into E; G unchanged; I removed (spill of OLD); J new (spill
** of NEW); P and Q regroup into R and S. */
static const char *new_rows[] = {
	"AAABBBBC.",
	"AAABBBBC.",
	"DHHEEEEGJ",
	"DHHEEEEGJ",
	"RRRSSSSS.",
	NULL,
};

static char dir[] = "/tmp/test_diff.XXXXXX";

static const char *path(const char *name)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static char letter_of(const char *code)
{
	return (char)('A' + atoi(code + 9) - 1);
}

static const geo_diff_group *group_of(const geo_diff_result *r, char old_letter, char new_letter)
{
	for (size_t k = 0; k < r->ngroups; k++) {
		const geo_diff_group *g = &r->groups[k];
		for (size_t i = 0; i < g->nold; i++)
			if (letter_of(r->old_grids->grids[g->old_idx[i]].id) == old_letter)
				return g;
		for (size_t j = 0; j < g->nnew; j++)
			if (letter_of(r->new_grids->grids[g->new_idx[j]].id) == new_letter)
				return g;
	}
	return NULL;
}

static int group_is(const geo_diff_result *r, char o, char n, geo_diff_class cls,
		    const char *olds, const char *news)
{
	const geo_diff_group *g = group_of(r, o, n);
	if (!g || g->cls != cls || g->nold != strlen(olds) || g->nnew != strlen(news))
		return 0;
	for (size_t i = 0; i < g->nold; i++)
		if (letter_of(r->old_grids->grids[g->old_idx[i]].id) != olds[i])
			return 0;
	for (size_t j = 0; j < g->nnew; j++)
		if (letter_of(r->new_grids->grids[g->new_idx[j]].id) != news[j])
			return 0;
	return 1;
}

/* Cells whose letter differs between the maps (both drawn), and drawn in one only. */
static void count_cells(int *moved, int *old_only, int *new_only)
{
	*moved = *old_only = *new_only = 0;
	for (int r = 0; old_rows[r]; r++)
		for (int c = 0; old_rows[r][c]; c++) {
			char o = old_rows[r][c], n = new_rows[r][c];
			*moved += o != '.' && n != '.' && o != n;
			*old_only += o != '.' && n == '.';
			*new_only += o == '.' && n != '.';
		}
}

static void test_classes(geo_ctx *ctx)
{
	geo_diff_opts o;
	geo_diff_opts_init(&o);
	geo_diff_result *r = NULL;
	geo_err e = geo_diff(ctx, path("old.geojson"), path("new.geojson"), &o, &r, NULL, NULL);
	CHECK("a changed set gives GEO_PROBLEMS", e == GEO_PROBLEMS && r && r->changed);
	if (!r)
		return;
	CHECK("2 unchanged", r->classes[GEO_DIFF_UNCHANGED] == 2);
	CHECK("2 reshaped", r->classes[GEO_DIFF_RESHAPED] == 2);
	CHECK("1 split, 1 merged, 1 regrouped", r->classes[GEO_DIFF_SPLIT] == 1 &&
							r->classes[GEO_DIFF_MERGED] == 1 &&
							r->classes[GEO_DIFF_REGROUPED] == 1);
	CHECK("1 new, 1 removed", r->classes[GEO_DIFF_NEW] == 1 && r->classes[GEO_DIFF_REMOVED] == 1);
	CHECK("A unchanged", group_is(r, 'A', 'A', GEO_DIFF_UNCHANGED, "A", "A"));
	CHECK("G unchanged", group_is(r, 'G', 'G', GEO_DIFF_UNCHANGED, "G", "G"));
	CHECK("B reshaped", group_is(r, 'B', 'B', GEO_DIFF_RESHAPED, "B", "B"));
	CHECK("C reshaped", group_is(r, 'C', 'C', GEO_DIFF_RESHAPED, "C", "C"));
	CHECK("D split into D and H", group_is(r, 'D', 'H', GEO_DIFF_SPLIT, "D", "DH"));
	CHECK("E and F merged into E", group_is(r, 'F', 'E', GEO_DIFF_MERGED, "EF", "E"));
	CHECK("P and Q regrouped into R and S", group_is(r, 'P', 'R', GEO_DIFF_REGROUPED, "PQ", "RS"));
	CHECK("I removed", group_is(r, 'I', '?', GEO_DIFF_REMOVED, "I", ""));
	CHECK("J new", group_is(r, '?', 'J', GEO_DIFF_NEW, "", "J"));
	size_t bad = 0;
	for (size_t k = 0; k < r->overlay->n; k++) {
		const geo_overlap *p = &r->overlay->pairs[k];
		double want = tiling_shared(old_rows, letter_of(r->old_grids->grids[p->a].id), new_rows,
					    letter_of(r->new_grids->grids[p->b].id)) * CELL * CELL;
		bad += fabs(p->area - want) > 1e-3 * want;
	}
	CHECK("every pair's area within 0.1% of its cells", bad == 0);
	int moved, old_only, new_only;
	count_cells(&moved, &old_only, &new_only);
	CHECK_NEAR("moved area equals the cells that change letter", r->moved_m2,
		   moved * CELL * CELL, 1e-3 * moved * CELL * CELL);
	CHECK_NEAR("OLD outside NEW equals I's cells", r->outside_new_m2, old_only * CELL * CELL,
		   1e-3 * old_only * CELL * CELL);
	CHECK_NEAR("NEW outside OLD equals J's cells", r->outside_old_m2, new_only * CELL * CELL,
		   1e-3 * new_only * CELL * CELL);
	/* D's 4 cells in H match one to one (66.7% of D, 100% of H); R holds 50%
	** of P and all of R (as S does 50% of P, 60% of S: R wins on the smaller
	** share, 50% both, then on codes); E holds all of E and of F at 50% each:
	** E wins on codes, and keeps its code. */
	CHECK("code changes: D -> H and P -> R", r->code_changes == 2);
	long h = geo_gridset_find(r->new_grids, "120114105008");
	CHECK("H matches D", h >= 0 && r->new_to_old[h] == geo_gridset_find(r->old_grids, "120114105004"));
	geo_diff_result_free(r);
}

/* A boundary moved by a fraction of a cell: two rectangles, the limit
** between them moved 13.7 m east; 13.7 m x 400 m moves from B to A. */
static void test_fractional(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	double x = TILING_X0, y = TILING_Y0;
	for (int side = 0; side < 2; side++) {
		FILE *f = fopen(path(side ? "fnew.geojson" : "fold.geojson"), "w");
		tiling_open(f);
		int first = 1;
		double limit = x + 250 + (side ? 13.7 : 0);
		GEOSGeometry *a = GEOSGeom_createRectangle_r(h, x, y - 400, limit, y);
		GEOSGeometry *b = GEOSGeom_createRectangle_r(h, limit, y - 400, x + 600, y);
		tiling_feature(h, f, &first, "120114105001", a, "");
		tiling_feature(h, f, &first, "120114105002", b, "");
		fputs("]}\n", f);
		fclose(f);
		GEOSGeom_destroy_r(h, a);
		GEOSGeom_destroy_r(h, b);
	}
	geo_diff_opts o;
	geo_diff_opts_init(&o);
	geo_diff_result *r = NULL;
	geo_diff(ctx, path("fold.geojson"), path("fnew.geojson"), &o, &r, NULL, NULL);
	CHECK("fractional move compared", r != NULL);
	if (!r)
		return;
	CHECK("both reshaped", r->classes[GEO_DIFF_RESHAPED] == 2 && r->ngroups == 2);
	CHECK_NEAR("13.7 m x 400 m moved", r->moved_m2, 13.7 * 400, 1e-3 * 13.7 * 400);
	CHECK("no spill", r->outside_new_m2 == 0 && r->outside_old_m2 == 0);
	geo_diff_result_free(r);
	o.min_area = 13.7 * 400 + 1;
	geo_diff(ctx, path("fold.geojson"), path("fnew.geojson"), &o, &r, NULL, NULL);
	CHECK("within --min-area both are unchanged",
	      r && r->classes[GEO_DIFF_UNCHANGED] == 2 && !r->changed);
	geo_diff_result_free(r);
}

/* A deterministic point sample over the maps and around them. */
static void write_points(GEOSContextHandle_t h, size_t n, double **px, double **py)
{
	FILE *f = fopen(path("points.geojson"), "w");
	*px = calloc(n, sizeof **px);
	*py = calloc(n, sizeof **py);
	unsigned long long s = 20210901;
	tiling_open(f);
	for (size_t k = 0; k < n; k++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		double u = (double)(s >> 11) / 9007199254740992.0;
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		double v = (double)(s >> 11) / 9007199254740992.0;
		(*px)[k] = TILING_X0 - 50 + u * (9 * CELL + 100);
		(*py)[k] = TILING_Y0 + 50 - v * (5 * CELL + 100);
		fprintf(f, "%s{\"type\": \"Feature\", \"id\": %zu, \"properties\": {\"n\": %zu}, "
			   "\"geometry\": {\"type\": \"Point\", \"coordinates\": [%.6f, %.6f]}}\n",
			k ? "," : "", k, k, (*px)[k], (*py)[k]);
	}
	fputs("]}\n", f);
	fclose(f);
	(void)h;
}

/* The letter of the drawn grid strictly containing (x, y), '.' for none. */
static char brute_letter(GEOSContextHandle_t h, const char *const *rows, double x, double y)
{
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
	char found = '.';
	for (char l = 'A'; l <= 'Z' && found == '.'; l++) {
		GEOSGeometry *g = tiling_grid(h, rows, l, CELL);
		if (g && GEOSContains_r(h, g, pt) == 1)
			found = l;
		if (g)
			GEOSGeom_destroy_r(h, g);
	}
	GEOSGeom_destroy_r(h, pt);
	return found;
}

static void test_features(geo_ctx *ctx)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	enum { N = 400 };
	double *x, *y;
	write_points(h, N, &x, &y);
	const char *features[] = { path("points.geojson"), NULL };
	geo_diff_opts o;
	geo_diff_opts_init(&o);
	o.features = features;
	geo_diff_result *r = NULL;
	geo_diff(ctx, path("old.geojson"), path("new.geojson"), &o, &r, NULL, NULL);
	CHECK("features placed", r && r->nlayers == 1 && r->layers[0].features == N);
	char *moved_to = calloc(N, 2);
	size_t want = 0, bad = 0, outside_old = 0, outside_new = 0;
	for (size_t k = 0; r && k < r->nmoves; k++) {
		const geo_diff_move *m = &r->moves[k];
		moved_to[2 * (m->fid - 1)] = m->old_grid < 0 ? '.' : letter_of(r->old_grids->grids[m->old_grid].id);
		moved_to[2 * (m->fid - 1) + 1] = m->new_grid < 0 ? '.' : letter_of(r->new_grids->grids[m->new_grid].id);
	}
	for (size_t k = 0; r && k < N; k++) {
		char lo = brute_letter(h, old_rows, x[k], y[k]), ln = brute_letter(h, new_rows, x[k], y[k]);
		outside_old += lo == '.';
		outside_new += ln == '.';
		int moves = lo != ln;
		want += moves;
		if (moves ? moved_to[2 * k] != lo || moved_to[2 * k + 1] != ln : moved_to[2 * k] != 0)
			bad++;
	}
	CHECK("moved features equal brute-force GEOS placing", r && r->nmoves == want && bad == 0);
	CHECK("some features move, some stay", want > 20 && want < N - 20);
	CHECK("outside counts equal brute force",
	      r && r->layers[0].outside_old == outside_old && r->layers[0].outside_new == outside_new);
	free(moved_to);
	free(x);
	free(y);
	geo_diff_result_free(r);
}

/* Workers from a roster with Chinese, padded headers win over the layer's;
** the hand-over's order goes by receiving worker, then new grid. */
static void test_staff(geo_ctx *ctx)
{
	const char *features[] = { path("points.geojson"), NULL };
	geo_diff_opts o;
	geo_diff_opts_init(&o);
	o.features = features;
	geo_diff_result *r = NULL;
	geo_diff(ctx, path("old.geojson"), path("new.geojson"), &o, &r, NULL, NULL);
	FILE *f = fopen(path("roster.csv"), "w");
	CHECK("write a roster", r && f);
	if (!r || !f) {
		if (f)
			fclose(f);
		geo_diff_result_free(r);
		return;
	}
	/* Every other new grid, in reverse letters, so that workers sort
	** otherwise than codes. */
	fputs(" 网格编码 ,网格员,联系电话\n", f);
	for (size_t j = 0; j < r->new_grids->n; j += 2)
		fprintf(f, "%s,%c 网格员,0%zu\n", r->new_grids->grids[j].id,
			'Z' - letter_of(r->new_grids->grids[j].id) + 'A', j);
	fclose(f);
	geo_diff_result_free(r);
	r = NULL;
	o.staff.roster = path("roster.csv");
	geo_diff(ctx, path("old.geojson"), path("new.geojson"), &o, &r, NULL, NULL);
	size_t bad = 0;
	for (size_t j = 0; r && j < r->new_grids->n; j++) {
		const geo_diff_staff *st = geo_diff_staff_of(r, r->new_grids, j);
		char want[64], phone[32];
		snprintf(want, sizeof want, j % 2 ? "worker %c" : "%c 网格员",
			 j % 2 ? letter_of(r->new_grids->grids[j].id)
			       : 'Z' - letter_of(r->new_grids->grids[j].id) + 'A');
		snprintf(phone, sizeof phone, j % 2 ? "" : "0%zu", j);
		bad += strcmp(st->worker, want) != 0 || strcmp(st->phone, phone) != 0;
	}
	CHECK("the roster's workers and phones win, the layer's stay elsewhere", r && bad == 0);
	for (size_t i = 0; r && i < r->old_grids->n; i++)
		bad += *geo_diff_worker(r, r->old_grids, i) == 0;
	CHECK("OLD keeps its layer's workers", r && bad == 0);
	size_t *order = r ? diff_handover_order(r) : NULL;
	for (size_t k = 1; order && k < r->nmoves; k++) {
		const geo_diff_move *a = &r->moves[order[k - 1]], *b = &r->moves[order[k]];
		int c = diff_receiver_cmp(r, a, b);
		bad += c > 0 || (c == 0 && a->new_grid >= 0 && b->new_grid >= 0 &&
				 strcmp(r->new_grids->grids[a->new_grid].id,
					r->new_grids->grids[b->new_grid].id) > 0);
	}
	for (size_t k = 0; r && k < r->nmoves; k++)
		bad += !r->moves[k].label || r->moves[k].label[0] != '#';
	CHECK("the hand-over goes by receiver, then new grid; features without fields are #FID",
	      order && bad == 0);
	free(order);
	geo_diff_result_free(r);
}

/* The JSON report as a string (geo_diff_report writes to a FILE). */
static char *json_report(const geo_diff_result *r)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	geo_err e = geo_diff_report(r, 1, f);
	fclose(f);
	if (e) {
		free(text);
		return NULL;
	}
	return text;
}

static void test_order(geo_ctx *ctx)
{
	/* The same NEW with its grids written in reverse order: the same report. */
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	FILE *f = fopen(path("rev.geojson"), "w");
	tiling_open(f);
	int first = 1;
	for (char l = 'Z'; l >= 'A'; l--) {
		GEOSGeometry *g = tiling_grid(h, new_rows, l, CELL);
		char code[32];
		tiling_code(l, code, sizeof code);
		if (g)
			tiling_feature(h, f, &first, code, g, "");
		if (g)
			GEOSGeom_destroy_r(h, g);
	}
	fputs("]}\n", f);
	fclose(f);
	geo_diff_opts o;
	geo_diff_opts_init(&o);
	geo_diff_result *a = NULL, *b = NULL;
	geo_diff(ctx, path("old.geojson"), path("new.geojson"), &o, &a, NULL, NULL);
	geo_diff(ctx, path("old.geojson"), path("rev.geojson"), &o, &b, NULL, NULL);
	char *ra = a ? json_report(a) : NULL, *rb = b ? json_report(b) : NULL;
	char *sa = ra ? strstr(ra, "\"level\"") : NULL, *sb = rb ? strstr(rb, "\"level\"") : NULL;
	CHECK("input order does not change the report", sa && sb && !strcmp(sa, sb));
	free(ra);
	free(rb);
	geo_diff_result_free(a);
	geo_diff_result_free(b);
}

static void test_levels(geo_ctx *ctx)
{
	FILE *f = fopen(path("mixed.geojson"), "w");
	fputs("{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": "
	      "{\"name\": \"urn:ogc:def:crs:EPSG::4548\"}}, \"features\": [\n"
	      "{\"type\": \"Feature\", \"properties\": {\"grid_id\": \"120114105001\", \"level\": 1}, "
	      "\"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[500000, 4361000], [500100, 4361000], "
	      "[500100, 4361100], [500000, 4361000]]]}},\n"
	      "{\"type\": \"Feature\", \"properties\": {\"grid_id\": \"12011410500101\", \"level\": 2}, "
	      "\"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[500000, 4361000], [500100, 4361100], "
	      "[500000, 4361100], [500000, 4361000]]]}}]}\n",
	      f);
	fclose(f);
	geo_diff_opts o;
	geo_diff_opts_init(&o);
	geo_diff_result *r = NULL;
	CHECK("a set mixing levels is an input error",
	      geo_diff(ctx, path("old.geojson"), path("mixed.geojson"), &o, &r, NULL, NULL) ==
			      GEO_ERR_INPUT &&
		      !r && strstr(geo_last_error(ctx), "mixes levels"));
	o.common.where = "grid_id <> '120114105001'";
	CHECK("primary OLD against secondary NEW is an input error",
	      geo_diff(ctx, path("new.geojson"), path("mixed.geojson"), &o, &r, NULL, NULL) ==
			      GEO_ERR_INPUT &&
		      strstr(geo_last_error(ctx), "levels differ"));
	geo_diff_opts_init(&o);
	CHECK("the same set against itself: no change",
	      geo_diff(ctx, path("old.geojson"), path("old.geojson"), &o, &r, NULL, NULL) == GEO_OK &&
		      r && !r->changed && r->classes[GEO_DIFF_UNCHANGED] == r->ngroups);
	geo_diff_result_free(r);
}

int main(void)
{
	geo_ctx *ctx = geo_ctx_new();
	if (!ctx || !mkdtemp(dir))
		return 1;
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	CHECK("write the drawn sets", !tiling_write(h, path("old.geojson"), old_rows, CELL, 1) &&
					      !tiling_write(h, path("new.geojson"), new_rows, CELL, 1));
	test_classes(ctx);
	test_fractional(ctx);
	test_features(ctx);
	test_staff(ctx);
	test_order(ctx);
	test_levels(ctx);
	geo_ctx_free(ctx);
	const char *files[] = { "old.geojson", "new.geojson", "fold.geojson", "fnew.geojson",
				"points.geojson", "rev.geojson", "mixed.geojson", "roster.csv" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(path(files[i]));
	rmdir(dir);
	return check_done();
}
