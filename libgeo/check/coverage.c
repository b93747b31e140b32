/*
** coverage.c: grid-check's geometric and code checks on grid sets in memory
** (geo_check_gridset). Each grid is checked on its own (empty, invalid,
** multipart, sliver, its code), secondaries are matched to their primaries,
** and the arrangement of arrange.c gives the faces where the grids do not tile
** the town (or the primaries, or their own outline) exactly. Those faces are
** merged into problems, one per connected region of one kind and one set of
** grids, with the region's real area and a point inside it.
**
** Invalid grids are reported with GEOS's reason and location, then replaced
** by GEOSMakeValid's polygonal result, so one bow-tie does not stop the rest
** of the check. The file-level verb geo_check (inputs, points, outputs, --fix)
** is in check.c.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

static const char *const names[GEO_PROBLEM_TYPES] = {
	"gap", "overlap", "outside", "not_nested", "parent_missing", "invalid", "duplicate_id",
	"bad_id", "multipart", "sliver", "empty", "unplaced_point", "multiply_placed_point",
};

const char *geo_problem_name(geo_problem_type t)
{
	return t < GEO_PROBLEM_TYPES ? names[t] : "unknown";
}

/* GEOS's reasons for an invalid geometry (GEOSisValidDetail), for the
** catalogue: the detail of an invalid grid is one of them. */
static const char *const geos_reasons[] __attribute__((unused)) = {
	N_("Self-intersection"), N_("Ring Self-intersection"), N_("Too few points"),
	N_("Hole lies outside shell"), N_("Interior is disconnected"), N_("Nested holes"),
	N_("Nested shells"), N_("Duplicate Rings"), N_("Invalid Coordinate"),
	N_("Ring is not closed"), N_("Topology Validation Error"),
};

/* The names as a planner reads them: the plain word, then the name. */
static const char *const labels[GEO_PROBLEM_TYPES] = {
	NC_("problem", "gap"), NC_("problem", "overlap"), NC_("problem", "outside"),
	NC_("problem", "not_nested"), NC_("problem", "parent_missing"), NC_("problem", "invalid"),
	NC_("problem", "duplicate_id"), NC_("problem", "bad_id"), NC_("problem", "multipart"),
	NC_("problem", "sliver"), NC_("problem", "empty"), NC_("problem", "unplaced_point"),
	NC_("problem", "multiply_placed_point"),
};

const char *geo_problem_label(geo_problem_type t)
{
	return t < GEO_PROBLEM_TYPES ? geo_pgettext(labels[t], names[t]) : "unknown";
}

void geo_check_opts_init(geo_check_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_common_opts_init(&o->common);
	geo_grid_opts_init(&o->grid);
	o->min_area = 1;
	o->sliver = 0.01;
}

/* Frees what a problem holds, not the problem. */
static void problem_clear(geo_check_result *r, geo_problem *p)
{
	CSLDestroy(p->grids);
	free(p->index);
	free(p->detail);
	if (p->geom)
		GEOSGeom_destroy_r(r->geos, p->geom);
}

void geo_check_result_free(geo_check_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		problem_clear(r, &r->problems[i]);
	free(r->problems);
	CSLDestroy(r->changes);
	CSLDestroy(r->changes_local);
	geo_check_result_free(r->after);
	free(r);
}

/* A place where an invalid grid's rings cross or touch themselves, and the
** box of the grid's segments that pass through it. */
struct knot {
	double x, y;
	double box[4];          /* x0, y0, x1, y1 */
};

struct knots {
	struct knot *v;
	size_t n;
};

/* The state of one geo_check_gridset run. */
struct check {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_check_opts *o;
	geo_gridset *gs;
	const GEOSGeometry *town;
	geo_gridset *parents;
	geo_check_result *r;
	size_t cap;
	GEOSGeometry **valid;           /* per grid: its valid polygonal geometry or NULL */
	GEOSGeometry **pvalid;          /* per primary */
	long *assigned;                 /* per grid: its primary, or -1 */
	struct knots *knots;            /* per grid: where its rings cross themselves, if invalid */
	geo_index *idx, *pidx;
	geo_transform *to_source;
};

/* ---- problems ------------------------------------------------------------ */

geo_err geo_problem_add(geo_ctx *ctx, geo_check_result *r, geo_problem_type type,
			const long *idx, char **codes, double area, double wx, double wy,
			char *detail, GEOSGeometry *geom)
{
	size_t n = (size_t)CSLCount(codes);
	/* Grows at powers of two, so the result needs no capacity field. */
	if (!(r->n & (r->n - 1))) {
		geo_problem *v = geo_realloc_array(ctx, r->problems, r->n ? 2 * r->n : 1, sizeof *v);
		if (!v)
			goto fail;
		r->problems = v;
	}
	if (!detail)
		goto fail;
	geo_problem *p = &r->problems[r->n];
	memset(p, 0, sizeof *p);
	p->index = n ? geo_calloc(ctx, n, sizeof *p->index) : NULL;
	if (n && !p->index)
		goto fail;
	r->n++;
	for (size_t i = 0; i < n; i++)
		p->index[i] = idx ? idx[i] : -1;
	p->type = type;
	p->grids = codes;
	p->ngrids = n;
	p->area_m2 = area;
	p->wx = p->x = wx;
	p->wy = p->y = wy;
	p->detail = detail;
	p->detail_local = detail + strlen(detail) + 1;
	p->geom = geom;
	r->count[type]++;
	return GEO_OK;
fail:
	CSLDestroy(codes);
	free(detail);
	if (geom)
		GEOSGeom_destroy_r(geo_ctx_geos(ctx), geom);
	return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
}

/* The code of grid index i (>= 0 for grids, -2 - p for primary p). */
static const char *code_of(struct check *c, long i, char *buf, size_t size)
{
	const geo_grid *g = i >= 0 ? &c->gs->grids[i] : &c->parents->grids[-2 - i];
	if (*g->id)
		return g->id;
	snprintf(buf, size, "(feature %lld)", g->fid);
	return buf;
}

/* Adds a problem about the grids idx[0..n); takes detail and geom. */
static geo_err add_problem(struct check *c, geo_problem_type type, const long *idx, size_t n,
			   double area, double wx, double wy, char *detail, GEOSGeometry *geom)
{
	char **codes = NULL, buf[64];
	for (size_t i = 0; i < n; i++)
		codes = CSLAddString(codes, code_of(c, idx[i], buf, sizeof buf));
	return geo_problem_add(c->ctx, c->r, type, idx, codes, area, wx, wy, detail, geom);
}

char *geo_detail_pair(geo_ctx *ctx, const char *en, const char *local)
{
	size_t n = strlen(en) + 1, m = strlen(local) + 1;
	char *s = malloc(n + m);
	if (!s) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	memcpy(s, en, n);
	memcpy(s + n, local, m);
	return s;
}

/*
** A problem's detail: the English text and, after its NUL, the same in the
** reader's language (geo_problem.detail_local), formatted from f and from
** f's translation with the same arguments. A %s naming another detail takes
** that detail's English in the one and its translation in the other: pass
** the problem as `of` (NULL when no argument is a detail).
*/
static char *fmt_of(geo_ctx *ctx, const geo_problem *of, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

static char *fmt_of(geo_ctx *ctx, const geo_problem *of, const char *f, ...)
{
	geo_buf en, local;
	geo_buf_init(&en);
	geo_buf_init(&local);
	va_list ap;
	va_start(ap, f);
	geo_buf_vprintf(&en, f, ap);
	va_end(ap);
	if (of) {
		/* The detail is the first argument: the rest are formatted after it. */
		const char *tr = _(f), *pos = strstr(tr, "%s");
		if (pos) {
			geo_buf_addn(&local, tr, (size_t)(pos - tr));
			geo_buf_add(&local, of->detail_local);
			va_start(ap, f);
			(void)va_arg(ap, const char *);
			geo_buf_vprintf(&local, pos + 2, ap);
			va_end(ap);
		}
	} else {
		va_start(ap, f);
		geo_buf_vprintf(&local, _(f), ap);
		va_end(ap);
	}
	char *s = NULL;
	if (en.failed || local.failed)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	else
		s = geo_detail_pair(ctx, en.s ? en.s : "", local.s ? local.s : en.s ? en.s : "");
	geo_buf_free(&en);
	geo_buf_free(&local);
	return s;
}
#define fmt(ctx, ...) fmt_of(ctx, NULL, __VA_ARGS__)

/* A point inside g, or NaN when g has none: its centroid when that is well
** inside (near the middle, also for long thin slivers), else a point at
** least 10 eps from g's edges (geo_geom_deep_point). */
static void inside(struct check *c, const GEOSGeometry *g, double *x, double *y)
{
	*x = *y = NAN;
	if (!g || GEOSisEmpty_r(c->h, g))
		return;
	GEOSGeometry *centroid = GEOSGetCentroid_r(c->h, g);
	GEOSGeometry *p = geo_geom_deep_point(c->ctx, g, centroid, 10 * GEO_CHECK_EPS);
	if (!p)
		p = GEOSPointOnSurface_r(c->h, g); /* all of g is a hair: any point of it */
	if (p && !GEOSisEmpty_r(c->h, p)) {
		GEOSGeomGetX_r(c->h, p, x);
		GEOSGeomGetY_r(c->h, p, y);
	}
	GEOSGeom_destroy_r(c->h, centroid);
	GEOSGeom_destroy_r(c->h, p);
}

/* ---- each grid on its own ----------------------------------------------- */

/* The polygons of g (taken), as a Polygon or MultiPolygon; NULL when none. */
static GEOSGeometry *polygons_of(GEOSContextHandle_t h, GEOSGeometry *g)
{
	if (!g)
		return NULL;
	int t = GEOSGeomTypeId_r(h, g);
	if ((t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON) && !GEOSisEmpty_r(h, g))
		return g;
	if (t != GEOS_GEOMETRYCOLLECTION) {
		GEOSGeom_destroy_r(h, g);
		return NULL;
	}
	int n = GEOSGetNumGeometries_r(h, g), k = 0;
	GEOSGeometry **parts = calloc((size_t)n + 1, sizeof *parts);
	for (int i = 0; parts && i < n; i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		int pt = GEOSGeomTypeId_r(h, p);
		if ((pt == GEOS_POLYGON || pt == GEOS_MULTIPOLYGON) && !GEOSisEmpty_r(h, p))
			parts[k++] = GEOSGeom_clone_r(h, p);
	}
	GEOSGeometry *out = NULL;
	if (parts && k) {
		GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
								  (unsigned)k);
		out = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
		GEOSGeom_destroy_r(h, coll);
	}
	free(parts);
	GEOSGeom_destroy_r(h, g);
	return out;
}

geo_err geo_make_valid_polygons(geo_ctx *ctx, const GEOSGeometry *g, GEOSGeometry **out)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	GEOSGeometry *v = GEOSMakeValid_r(h, g);
	if (!v)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "cannot make a geometry valid: %s",
				geo_last_error(ctx));
	*out = polygons_of(h, v);
	return GEO_OK;
}

static double thinness(struct check *c, const GEOSGeometry *g, double area)
{
	double len = geo_geom_length(c->ctx, g);
	return len > 0 ? 4 * M_PI * area / (len * len) : 1;
}

static int by_xy(const void *p, const void *q)
{
	const double *a = p, *b = q;
	return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1];
}

/* Grows box b (x0, y0, x1, y1) to hold every segment of g's rings that
** passes within d of (x, y). */
static void crossing_box(struct check *c, const GEOSGeometry *g, double x, double y, double d,
			 double *b)
{
	int type = GEOSGeomTypeId_r(c->h, g);
	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		for (int i = 0; i < GEOSGetNumGeometries_r(c->h, g); i++)
			crossing_box(c, GEOSGetGeometryN_r(c->h, g, i), x, y, d, b);
		return;
	}
	if (type != GEOS_POLYGON)
		return;
	int holes = GEOSGetNumInteriorRings_r(c->h, g);
	for (int r = -1; r < holes; r++) {
		const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(c->h, g)
						 : GEOSGetInteriorRingN_r(c->h, g, r);
		const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(c->h, ring) : NULL;
		unsigned int n = 0;
		if (!cs || !GEOSCoordSeq_getSize_r(c->h, cs, &n))
			continue;
		double px = 0, py = 0;
		for (unsigned int k = 0; k < n; k++) {
			double qx, qy;
			GEOSCoordSeq_getXY_r(c->h, cs, k, &qx, &qy);
			if (k > 0) {
				double dx = qx - px, dy = qy - py, l2 = dx * dx + dy * dy;
				double t = l2 > 0 ? ((x - px) * dx + (y - py) * dy) / l2 : 0;
				t = t < 0 ? 0 : t > 1 ? 1 : t;
				if (hypot(px + t * dx - x, py + t * dy - y) <= d) {
					b[0] = fmin(b[0], fmin(px, qx) - d);
					b[1] = fmin(b[1], fmin(py, qy) - d);
					b[2] = fmax(b[2], fmax(px, qx) + d);
					b[3] = fmax(b[3], fmax(py, qy) + d);
				}
			}
			px = qx;
			py = qy;
		}
	}
}

/*
** Where g's rings cross or touch themselves: the ends of its noded boundary's
** pieces that do not join exactly two pieces, and (x, y). Each comes with the
** box of the segments of g that pass through it: what the crossing can leave
** as gaps or overlaps lies in that box (see fold_artifacts).
*/
static geo_err self_crossings(struct check *c, const GEOSGeometry *g, double x, double y,
			      struct knots *out)
{
	GEOSGeometry *b = GEOSBoundary_r(c->h, g);
	GEOSGeometry *noded = b ? GEOSNode_r(c->h, b) : NULL;
	GEOSGeom_destroy_r(c->h, b);
	int n = noded ? GEOSGetNumGeometries_r(c->h, noded) : 0;
	double(*ends)[2] = geo_calloc(c->ctx, 2 * (size_t)n + 1, sizeof *ends);
	out->v = geo_calloc(c->ctx, 2 * (size_t)n + 2, sizeof *out->v);
	out->n = 0;
	size_t m = 0;
	for (int i = 0; ends && i < n; i++) {
		const GEOSGeometry *line = GEOSGetGeometryN_r(c->h, noded, i);
		const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(c->h, line);
		unsigned int size = 0;
		if (!cs || !GEOSCoordSeq_getSize_r(c->h, cs, &size) || size < 2)
			continue;
		GEOSCoordSeq_getXY_r(c->h, cs, 0, &ends[m][0], &ends[m][1]);
		m++;
		GEOSCoordSeq_getXY_r(c->h, cs, size - 1, &ends[m][0], &ends[m][1]);
		m++;
	}
	if (ends)
		qsort(ends, m, sizeof *ends, by_xy);
	for (size_t i = 0; out->v && i < m;) {
		size_t j = i + 1;
		while (j < m && !by_xy(ends[i], ends[j]))
			j++;
		if (j - i != 2) {
			out->v[out->n].x = ends[i][0];
			out->v[out->n++].y = ends[i][1];
		}
		i = j;
	}
	if (out->v && isfinite(x)) {
		out->v[out->n].x = x;
		out->v[out->n++].y = y;
	}
	for (size_t k = 0; out->v && k < out->n; k++) {
		struct knot *kn = &out->v[k];
		double *box = kn->box;
		box[0] = box[2] = kn->x;
		box[1] = box[3] = kn->y;
		crossing_box(c, g, kn->x, kn->y, 10 * GEO_CHECK_EPS, box);
	}
	free(ends);
	GEOSGeom_destroy_r(c->h, noded);
	return out->v ? GEO_OK : GEO_ERR_INTERNAL;
}

static geo_err check_invalid(struct check *c, size_t i)
{
	geo_grid *g = &c->gs->grids[i];
	char why[256];
	double x, y;
	geo_err e = geo_geom_validity(c->ctx, g->geom, why, sizeof why, &x, &y);
	if (e == GEO_OK) {
		c->valid[i] = g->geom;
		return GEO_OK;
	}
	if (e != GEO_PROBLEMS)
		return e;
	long idx = (long)i;
	char *d = geo_detail_pair(c->ctx, why, T_(why));
	if (!d || add_problem(c, GEO_PROBLEM_INVALID, &idx, 1, NAN, x, y, d, NULL))
		return GEO_ERR_INTERNAL;
	if ((e = self_crossings(c, g->geom, x, y, &c->knots[i])))
		return e;
	GEOSGeometry *v = NULL;
	if ((e = geo_make_valid_polygons(c->ctx, g->geom, &v)))
		return e;
	/* The rest of the check, the points and --fix use the valid version. */
	GEOSGeom_destroy_r(c->h, g->geom);
	g->geom = c->valid[i] = v;
	return GEO_OK;
}

static int by_area_desc(const void *p, const void *q)
{
	double a = ((const double *)p)[0], b = ((const double *)q)[0];
	return a > b ? -1 : a < b;
}

/* A grid in pieces: the area of all but its largest part, at a point inside
** the second largest. */
static geo_err check_multipart(struct check *c, size_t i)
{
	const GEOSGeometry *g = c->valid[i];
	int n = GEOSGetNumGeometries_r(c->h, g);
	if (GEOSGeomTypeId_r(c->h, g) != GEOS_MULTIPOLYGON || n < 2)
		return GEO_OK;
	double(*parts)[2] = geo_calloc(c->ctx, (size_t)n, sizeof *parts);
	if (!parts)
		return GEO_ERR_INTERNAL;
	for (int k = 0; k < n; k++) {
		parts[k][0] = geo_geom_area(c->ctx, GEOSGetGeometryN_r(c->h, g, k));
		parts[k][1] = k;
	}
	qsort(parts, (size_t)n, sizeof *parts, by_area_desc);
	double rest = 0, x, y;
	for (int k = 1; k < n; k++)
		rest += parts[k][0];
	const GEOSGeometry *second = GEOSGetGeometryN_r(c->h, g, (int)parts[1][1]);
	inside(c, second, &x, &y);
	free(parts);
	long idx = (long)i;
	char *d = fmt(c->ctx, "%d parts; all but the largest total %.1f m²", n, rest);
	return d ? add_problem(c, GEO_PROBLEM_MULTIPART, &idx, 1, rest, x, y, d, NULL)
		 : GEO_ERR_INTERNAL;
}

static geo_err check_sliver(struct check *c, size_t i)
{
	double area = geo_geom_area(c->ctx, c->valid[i]);
	double t = thinness(c, c->valid[i], area);
	if (t >= c->o->sliver)
		return GEO_OK;
	double x, y;
	inside(c, c->valid[i], &x, &y);
	long idx = (long)i;
	char *d = fmt(c->ctx, "a grid of thinness %.4f (4πA/P²), under %.4f", t, c->o->sliver);
	return d ? add_problem(c, GEO_PROBLEM_SLIVER, &idx, 1, area, x, y, d, NULL)
		 : GEO_ERR_INTERNAL;
}

static geo_err check_grids(struct check *c)
{
	for (size_t i = 0; i < c->gs->n; i++) {
		geo_grid *g = &c->gs->grids[i];
		long idx = (long)i;
		if (g->unreadable) {
			char *d = fmt(c->ctx, "feature %lld: %s", g->fid, g->unreadable);
			if (!d || add_problem(c, GEO_PROBLEM_INVALID, &idx, 1, NAN, NAN, NAN, d, NULL))
				return GEO_ERR_INTERNAL;
			continue;
		}
		if (!g->geom || GEOSisEmpty_r(c->h, g->geom)) {
			char *d = fmt(c->ctx, "feature %lld: has no geometry", g->fid);
			if (!d || add_problem(c, GEO_PROBLEM_EMPTY, &idx, 1, NAN, NAN, NAN, d, NULL))
				return GEO_ERR_INTERNAL;
			continue;
		}
		size_t before = c->r->count[GEO_PROBLEM_INVALID];
		geo_err e = check_invalid(c, i);
		if (e)
			return e;
		if (!c->valid[i])
			continue; /* nothing polygonal left */
		if (c->r->count[GEO_PROBLEM_INVALID] == before && (e = check_multipart(c, i)))
			return e;
		if ((e = check_sliver(c, i)))
			return e;
	}
	return GEO_OK;
}

/* ---- codes ---------------------------------------------------------------- */

static int by_code(const void *p, const void *q, void *data)
{
	const geo_gridset *gs = data;
	size_t a = *(const size_t *)p, b = *(const size_t *)q;
	int d = strcmp(gs->grids[a].id, gs->grids[b].id);
	return d ? d : a < b ? -1 : a > b;
}

/* Grid indices ordered by code (then by index). */
static size_t *code_order(geo_ctx *ctx, const geo_gridset *gs)
{
	size_t *order = geo_calloc(ctx, gs->n + 1, sizeof *order);
	if (!order)
		return NULL;
	for (size_t i = 0; i < gs->n; i++)
		order[i] = i;
	qsort_r(order, gs->n, sizeof *order, by_code, (void *)gs);
	return order;
}

/* The prefix siblings share: a secondary's primary code, a primary's town. */
static size_t sibling_prefix(const char *code)
{
	int level = geo_grid_code_level(code);
	return level == 2 ? GEO_PRIMARY_CODE_LEN : level == 1 ? GEO_TOWN_CODE_LEN : 0;
}

/*
** How far grid `dup` sits from where its code puts it. Codes number siblings
** west to east, north to south from 01, so the copy of a code is usually the
** grid whose place in that order (geo_grid_order over the grids sharing its
** prefix) differs most from its code's sequence number. order is the grids
** sorted by code.
*/
static geo_err misplacement(struct check *c, const size_t *order, size_t dup, double *out)
{
	const geo_gridset *gs = c->gs;
	const char *code = gs->grids[dup].id;
	size_t len = sibling_prefix(code), n = 0;
	*out = 0;
	if (!len)
		return GEO_OK;
	size_t *sib = geo_calloc(c->ctx, gs->n, sizeof *sib), *pos = geo_calloc(c->ctx, gs->n, sizeof *pos);
	GEOSGeometry **geoms = geo_calloc(c->ctx, gs->n, sizeof *geoms);
	geo_err e = sib && pos && geoms ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t k = 0; !e && k < gs->n; k++) {
		const geo_grid *g = &gs->grids[order[k]];
		if (strncmp(g->id, code, len) || strlen(g->id) != strlen(code))
			continue;
		geoms[n] = c->valid[order[k]];
		sib[n++] = order[k];
	}
	if (!e)
		e = geo_grid_order(c->ctx, geoms, n, pos);
	double seq = atof(code + len);
	for (size_t k = 0; !e && k < n; k++)
		if (sib[pos[k]] == dup)
			*out = fabs((double)(k + 1) - seq);
	free(sib);
	free(pos);
	free(geoms);
	return e;
}

/* One problem per copy of a code: every grid sharing it but the one that
** sits best in the code order (ties: the first feature). */
static geo_err check_duplicates(struct check *c, const size_t *order)
{
	const geo_gridset *gs = c->gs;
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < gs->n;) {
		size_t j = i + 1;
		while (j < gs->n && !strcmp(gs->grids[order[i]].id, gs->grids[order[j]].id))
			j++;
		size_t keep = i;
		double best = INFINITY, off;
		for (size_t k = i; j - i > 1 && !e && k < j; k++) {
			e = misplacement(c, order, order[k], &off);
			if (off < best || (off == best && gs->grids[order[k]].fid < gs->grids[order[keep]].fid)) {
				best = off;
				keep = k;
			}
		}
		for (size_t k = i; j - i > 1 && !e && *gs->grids[order[i]].id && k < j; k++) {
			if (k == keep)
				continue;
			geo_buf b;
			geo_buf_init(&b);
			for (size_t m = i; m < j; m++)
				geo_buf_printf(&b, "%s %lld", m > i ? "," : "", gs->grids[order[m]].fid);
			char *d = b.failed ? NULL
					   : fmt(c->ctx, "%zu grids have this code (features%s); this is "
							 "feature %lld", j - i, b.s ? b.s : "",
						 gs->grids[order[k]].fid);
			geo_buf_free(&b);
			double x, y, area = c->valid[order[k]] ? geo_geom_area(c->ctx, c->valid[order[k]]) : NAN;
			inside(c, c->valid[order[k]], &x, &y);
			long idx = (long)order[k];
			if (!d || add_problem(c, GEO_PROBLEM_DUPLICATE_ID, &idx, 1, area, x, y, d, NULL))
				e = GEO_ERR_INTERNAL;
		}
		i = j;
	}
	return e;
}

static geo_err check_codes(struct check *c)
{
	size_t *order = code_order(c->ctx, c->gs);
	if (!order)
		return GEO_ERR_INTERNAL;
	geo_err e = check_duplicates(c, order);
	free(order);
	for (size_t i = 0; !e && i < c->gs->n; i++) {
		const geo_grid *g = &c->gs->grids[i];
		int level = geo_grid_code_level(g->id);
		char *d = NULL;
		if (!*g->id)
			d = fmt(c->ctx, "no code in field %s", c->o->grid.id_field);
		else if (c->o->codes != GEO_CODES_WANGGE)
			continue;
		else if (!level)
			d = fmt(c->ctx, "'%s' is not a grid code (12 or 14 digits)", g->id);
		else if (g->level && level != g->level)
			d = fmt(c->ctx, "'%s' is a level-%d code but the grid is level %d", g->id,
				level, g->level);
		else
			continue;
		double x, y;
		inside(c, c->valid[i], &x, &y);
		long idx = (long)i;
		if (!d || add_problem(c, GEO_PROBLEM_BAD_ID, &idx, 1, NAN, x, y, d, NULL))
			e = GEO_ERR_INTERNAL;
	}
	return e;
}

/* ---- nesting --------------------------------------------------------------- */

struct best {
	struct check *c;
	const GEOSGeometry *g;
	double area[2];
	long p[2];
	int failed;
};

static void weigh_primary(size_t p, void *data)
{
	struct best *b = data;
	GEOSGeometry *x = GEOSIntersection_r(b->c->h, b->g, b->c->pvalid[p]);
	if (!x) {
		b->failed = 1;
		return;
	}
	double a = geo_geom_area(b->c->ctx, x);
	GEOSGeom_destroy_r(b->c->h, x);
	if (a > b->area[0] || (a == b->area[0] && b->p[0] >= 0 && (long)p < b->p[0])) {
		b->area[1] = b->area[0];
		b->p[1] = b->p[0];
		b->area[0] = a;
		b->p[0] = (long)p;
	} else if (a > b->area[1]) {
		b->area[1] = a;
		b->p[1] = (long)p;
	}
}

/* The primary holding most of grid i (-1 when none), and that area. */
static geo_err main_parent(struct check *c, size_t i, long *p, double *area)
{
	struct best b = { c, c->valid[i], { 0, 0 }, { -1, -1 }, 0 };
	if (b.g)
		geo_index_query(c->pidx, b.g, weigh_primary, &b);
	*p = b.area[0] > 0 ? b.p[0] : -1;
	*area = b.area[0];
	return b.failed ? geo_fail(c->ctx, GEO_ERR_INTERNAL, "cannot intersect with primaries: %s",
				   geo_last_error(c->ctx))
			: GEO_OK;
}

static long find_code(const geo_gridset *ps, const size_t *order, const char *code)
{
	size_t lo = 0, hi = ps->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(ps->grids[order[mid]].id, code);
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->n && !strcmp(ps->grids[order[lo]].id, code) ? (long)order[lo] : -1;
}

/* Assigns each grid its primary: the one its parent_id names, else the one
** holding most of it (then parent_missing is reported). */
static geo_err assign_parents(struct check *c)
{
	size_t *order = code_order(c->ctx, c->parents);
	if (!order)
		return GEO_ERR_INTERNAL;
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < c->gs->n; i++) {
		const geo_grid *g = &c->gs->grids[i];
		c->assigned[i] = *g->parent_id ? find_code(c->parents, order, g->parent_id) : -1;
		if (c->assigned[i] >= 0 || !c->valid[i])
			continue;
		double area, x, y;
		if ((e = main_parent(c, i, &c->assigned[i], &area)))
			break;
		char *d = *g->parent_id ? fmt(c->ctx, "parent_id '%s' is not a primary", g->parent_id)
					: fmt(c->ctx, "no parent_id");
		inside(c, c->valid[i], &x, &y);
		long idx[2] = { (long)i, -2 - c->assigned[i] };
		if (!d || add_problem(c, GEO_PROBLEM_PARENT_MISSING, idx, c->assigned[i] >= 0 ? 2 : 1,
				      NAN, x, y, d, NULL))
			e = GEO_ERR_INTERNAL;
	}
	free(order);
	return e;
}

static geo_err valid_parents(struct check *c)
{
	for (size_t p = 0; p < c->parents->n; p++) {
		const GEOSGeometry *g = c->parents->grids[p].geom;
		if (!g || GEOSisEmpty_r(c->h, g))
			continue;
		char v = GEOSisValid_r(c->h, g);
		if (v == 1) {
			c->pvalid[p] = (GEOSGeometry *)g;
			continue;
		}
		geo_log(c->ctx, GEO_LOG_WARN, "%s: primary %s is invalid; checked as GEOS makes it valid",
			c->parents->source ? c->parents->source : "primaries", c->parents->grids[p].id);
		geo_err e = geo_make_valid_polygons(c->ctx, g, &c->pvalid[p]);
		if (e)
			return e;
	}
	return GEO_OK;
}

/* ---- faces into problems --------------------------------------------------- */

/* One face's contribution to a problem: its kind, the grids, and for
** not_nested the one secondary (faces of one secondary merge wherever they
** are; the others only with adjacent faces of the same cluster). */
struct item {
	geo_problem_type type;
	size_t face, cluster;
	long grid;              /* not_nested: the secondary */
};

struct items {
	struct item *v;
	size_t n, cap;
	const geo_arr_out *arr;
};

static int push_item(geo_ctx *ctx, struct items *it, struct item x)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? 2 * it->cap : 64;
		struct item *v = geo_realloc_array(ctx, it->v, cap, sizeof *v);
		if (!v)
			return 0;
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n++] = x;
	return 1;
}

static int same_grids(const geo_face *a, const geo_face *b)
{
	if (a->ngrids != b->ngrids)
		return 0;
	for (size_t i = 0; i < a->ngrids; i++)
		if (a->grids[i] != b->grids[i])
			return 0;
	return 1;
}

static int cmp_grids(const geo_face *a, const geo_face *b)
{
	for (size_t i = 0; i < a->ngrids && i < b->ngrids; i++)
		if (a->grids[i] != b->grids[i])
			return a->grids[i] < b->grids[i] ? -1 : 1;
	return a->ngrids < b->ngrids ? -1 : a->ngrids > b->ngrids;
}

static int by_key(const void *p, const void *q, void *data)
{
	const struct item *a = p, *b = q;
	const geo_arr_out *arr = data;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == GEO_PROBLEM_NOT_NESTED) {
		if (a->grid != b->grid)
			return a->grid < b->grid ? -1 : 1;
	} else {
		if (a->cluster != b->cluster)
			return a->cluster < b->cluster ? -1 : 1;
		int d = a->type == GEO_PROBLEM_GAP ? 0
						   : cmp_grids(&arr->faces[a->face], &arr->faces[b->face]);
		if (d)
			return d;
	}
	return a->face < b->face ? -1 : a->face > b->face;
}

static int same_key(const struct item *a, const struct item *b, const geo_arr_out *arr)
{
	if (a->type != b->type)
		return 0;
	if (a->type == GEO_PROBLEM_NOT_NESTED)
		return a->grid == b->grid;
	return a->cluster == b->cluster &&
	       (a->type == GEO_PROBLEM_GAP || same_grids(&arr->faces[a->face], &arr->faces[b->face]));
}

static geo_err face_items(struct check *c, const geo_arr_out *arr, struct items *it)
{
	for (size_t i = 0; i < arr->n; i++) {
		const geo_face *f = &arr->faces[i];
		int ok = 1;
		if (f->in_ref && f->ngrids == 0)
			ok &= push_item(c->ctx, it, (struct item){ GEO_PROBLEM_GAP, i, f->cluster, -1 });
		if (f->ngrids >= 2 && (f->in_ref || !c->town))
			ok &= push_item(c->ctx, it, (struct item){ GEO_PROBLEM_OVERLAP, i, f->cluster, -1 });
		if (c->town && !f->in_ref && f->ngrids)
			ok &= push_item(c->ctx, it, (struct item){ GEO_PROBLEM_OUTSIDE, i, f->cluster, -1 });
		/* A secondary reaching into another primary is not nested there,
		** whether or not the piece is also an overlap with a grid of that
		** primary: the two are different faults with different fixes. */
		for (size_t k = 0; c->parents && k < f->ngrids && (f->in_ref || !c->town); k++)
			if (c->assigned[f->grids[k]] != f->primary)
				ok &= push_item(c->ctx, it,
						(struct item){ GEO_PROBLEM_NOT_NESTED, i, f->cluster,
							       (long)f->grids[k] });
		if (!ok)
			return GEO_ERR_INTERNAL;
	}
	if (it->n)
		qsort_r(it->v, it->n, sizeof *it->v, by_key, (void *)arr);
	return GEO_OK;
}

struct near {
	struct check *c;
	const GEOSGeometry *g;
	long *v;
	size_t n, cap;
	int failed;
};

static void near_one(size_t i, void *data)
{
	struct near *n = data;
	const GEOSPreparedGeometry *p = geo_index_prepared(n->c->idx, i);
	if (!p || GEOSPreparedDistanceWithin_r(n->c->h, p, n->g, 10 * GEO_CHECK_EPS) != 1)
		return;
	if (n->n == n->cap) {
		size_t cap = n->cap ? 2 * n->cap : 8;
		long *v = geo_realloc_array(n->c->ctx, n->v, cap, sizeof *v);
		if (!v) {
			n->failed = 1;
			return;
		}
		n->v = v;
		n->cap = cap;
	}
	n->v[n->n++] = (long)i;
}

static int by_long(const void *p, const void *q)
{
	long a = *(const long *)p, b = *(const long *)q;
	return a < b ? -1 : a > b;
}

/* The grids touching region g, ascending. */
static geo_err neighbours(struct check *c, const GEOSGeometry *g, long **v, size_t *n)
{
	struct near nr = { c, g, NULL, 0, 0, 0 };
	GEOSGeometry *env = GEOSEnvelope_r(c->h, g);
	GEOSGeometry *big = env ? GEOSBuffer_r(c->h, env, 10 * GEO_CHECK_EPS, 1) : NULL;
	if (big)
		geo_index_query(c->idx, big, near_one, &nr);
	GEOSGeom_destroy_r(c->h, env);
	GEOSGeom_destroy_r(c->h, big);
	if (nr.n)
		qsort(nr.v, nr.n, sizeof *nr.v, by_long);
	*v = nr.v;
	*n = nr.n;
	return nr.failed || !big ? GEO_ERR_INTERNAL : GEO_OK;
}

/* Whether region g reaches the reference's boundary (a gap open to the edge). */
static int on_boundary(struct check *c, const GEOSGeometry *g, const GEOSGeometry *ref)
{
	if (!ref)
		return 0;
	GEOSGeometry *b = GEOSBoundary_r(c->h, ref);
	int near = b ? GEOSDistanceWithin_r(c->h, b, g, 10 * GEO_CHECK_EPS) == 1 : 0;
	GEOSGeom_destroy_r(c->h, b);
	return near;
}

/* The grids and words of the not_nested problem of secondary s, whose parts
** outside its primary total area m². */
static geo_err nesting_detail(struct check *c, long s, double area, long **idx, size_t *n,
			      char **d)
{
	long declared = c->assigned[s], mostly;
	double in_mostly;
	geo_err e = main_parent(c, (size_t)s, &mostly, &in_mostly);
	if (e)
		return e;
	double total = geo_geom_area(c->ctx, c->valid[s]);
	*n = 0;
	*idx = geo_calloc(c->ctx, 3, sizeof **idx);
	if (!*idx)
		return GEO_ERR_INTERNAL;
	(*idx)[(*n)++] = s;
	if (declared >= 0)
		(*idx)[(*n)++] = -2 - declared;
	if (mostly >= 0 && mostly != declared)
		(*idx)[(*n)++] = -2 - mostly;
	char buf[64];
	if (declared < 0)
		*d = fmt(c->ctx, "outside every primary");
	else if (mostly != declared && mostly >= 0)
		*d = fmt(c->ctx, "parent_id %s, but %.1f%% of it lies in %s",
			 code_of(c, -2 - declared, buf, sizeof buf), 100 * in_mostly / total,
			 c->parents->grids[mostly].id);
	else
		*d = fmt(c->ctx, "%.1f%% of it outside its primary %s", 100 * area / total,
			 code_of(c, -2 - declared, buf, sizeof buf));
	return GEO_OK;
}

/* Whether a thin gap under --min-area is still a sliver to report: at least
** GEO_CHECK_SLIVER_WIDTH wide on average (2A/P), so a hair-line gap a few
** centimetres wide is found while the nanometre slivers of edges that are
** not vertex-matched stay tolerated. */
static int real_sliver(struct check *c, geo_problem_type type, const GEOSGeometry *g, double area)
{
	if (type != GEO_PROBLEM_GAP || !(area > 0))
		return 0;
	double len = geo_geom_length(c->ctx, g);
	return len > 0 && 2 * area / len >= GEO_CHECK_SLIVER_WIDTH &&
	       thinness(c, g, area) < c->o->sliver;
}

struct holder {
	struct check *c;
	const GEOSGeometry *pt;
	long found;
};

static void hold_primary(size_t i, void *data)
{
	struct holder *h = data;
	const GEOSPreparedGeometry *p = geo_index_prepared(h->c->pidx, i);
	if (p && (h->found < 0 || (long)i < h->found) && GEOSPreparedIntersects_r(h->c->h, p, h->pt) == 1)
		h->found = (long)i;
}

/* The primary holding (x, y), or -1. */
static long primary_at(struct check *c, double x, double y)
{
	struct holder h = { c, GEOSGeom_createPointFromXY_r(c->h, x, y), -1 };
	if (h.pt && c->pidx)
		geo_index_query(c->pidx, h.pt, hold_primary, &h);
	GEOSGeom_destroy_r(c->h, (GEOSGeometry *)h.pt);
	return h.found;
}

/* The tolerated count, or the problem for one merged region. */
static geo_err region_problem(struct check *c, geo_problem_type type, const geo_face *f,
			      long grid, GEOSGeometry *g, const geo_arr_out *arr)
{
	double area = geo_geom_area(c->ctx, g), x, y;
	if (!(area >= c->o->min_area) && !real_sliver(c, type, g, area)) {
		c->r->tolerated++;
		c->r->tolerated_m2 += isfinite(area) ? area : 0;
		GEOSGeom_destroy_r(c->h, g);
		return GEO_OK;
	}
	inside(c, g, &x, &y);
	long *idx = NULL, p;
	size_t n = 0;
	char *d = NULL;
	geo_err e = GEO_OK;
	if (type == GEO_PROBLEM_GAP) {
		if ((e = neighbours(c, g, &idx, &n))) {
			GEOSGeom_destroy_r(c->h, g);
			return e;
		}
		double t = thinness(c, g, area);
		const GEOSGeometry *ref = c->town ? c->town : arr->hull;
		int open = on_boundary(c, g, ref);
		if (t < c->o->sliver) {
			type = GEO_PROBLEM_SLIVER;
			/* Whole sentences, each translated as one. */
			d = open ? fmt(c->ctx, "a gap of thinness %.4f (4πA/P²), under %.4f, open to the "
					       "town boundary", t, c->o->sliver)
				 : fmt(c->ctx, "a gap of thinness %.4f (4πA/P²), under %.4f", t,
				       c->o->sliver);
		} else if (c->parents && (p = primary_at(c, x, y)) >= 0) {
			d = open ? fmt(c->ctx, "in primary %s, covered by none of its secondaries; open "
					       "to its boundary", c->parents->grids[p].id)
				 : fmt(c->ctx, "in primary %s, covered by none of its secondaries",
				       c->parents->grids[p].id);
		} else {
			d = open ? fmt(c->ctx, "covered by no grid, open to the town boundary")
				 : fmt(c->ctx, "covered by no grid");
		}
	} else if (type == GEO_PROBLEM_OVERLAP || type == GEO_PROBLEM_OUTSIDE) {
		n = f->ngrids;
		idx = geo_calloc(c->ctx, n, sizeof *idx);
		for (size_t k = 0; idx && k < n; k++)
			idx[k] = (long)f->grids[k];
		d = type == GEO_PROBLEM_OVERLAP ? fmt(c->ctx, "covered by %zu grids", n)
						: fmt(c->ctx, "outside the town");
	} else {
		e = nesting_detail(c, grid, area, &idx, &n, &d);
	}
	if (!e && (!d || (n && !idx)))
		e = GEO_ERR_INTERNAL;
	if (!e) {
		e = add_problem(c, type, idx, n, area, x, y, d, g);
		free(idx);
		return e;
	}
	free(idx);
	free(d);
	GEOSGeom_destroy_r(c->h, g);
	return e;
}

/* The union of the faces of items [i, j); faces of one polygonization share
** their edges exactly, so a coverage union merges them. */
static GEOSGeometry *union_faces(struct check *c, const geo_arr_out *arr, const struct item *v,
				 size_t n)
{
	GEOSGeometry **parts = geo_calloc(c->ctx, n, sizeof *parts);
	if (!parts)
		return NULL;
	size_t k = 0;
	for (; k < n; k++)
		if (!(parts[k] = GEOSGeom_clone_r(c->h, arr->faces[v[k].face].geom)))
			break;
	GEOSGeometry *coll = k == n ? GEOSGeom_createCollection_r(c->h, GEOS_MULTIPOLYGON, parts,
								   (unsigned)n)
				    : NULL;
	if (!coll)
		for (size_t i = 0; i < k; i++)
			GEOSGeom_destroy_r(c->h, parts[i]);
	free(parts);
	if (!coll)
		return NULL;
	GEOSGeometry *u = n == 1 ? NULL : GEOSCoverageUnion_r(c->h, coll);
	if (n > 1 && !u)
		u = GEOSUnaryUnion_r(c->h, coll);
	if (n == 1) {
		u = GEOSGeom_clone_r(c->h, GEOSGetGeometryN_r(c->h, coll, 0));
	}
	GEOSGeom_destroy_r(c->h, coll);
	return u;
}

static geo_err merge_items(struct check *c, const geo_arr_out *arr, const struct items *it)
{
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < it->n;) {
		size_t j = i + 1;
		while (j < it->n && same_key(&it->v[i], &it->v[j], arr))
			j++;
		const struct item *first = &it->v[i];
		const geo_face *f = &arr->faces[first->face];
		GEOSGeometry *u = union_faces(c, arr, first, j - i);
		if (!u)
			return geo_fail(c->ctx, GEO_ERR_INTERNAL, "cannot merge faces: %s",
					geo_last_error(c->ctx));
		if (first->type == GEO_PROBLEM_NOT_NESTED || GEOSGeomTypeId_r(c->h, u) == GEOS_POLYGON) {
			e = region_problem(c, first->type, f, first->grid, u, arr);
		} else {
			int parts = GEOSGetNumGeometries_r(c->h, u);
			for (int k = 0; !e && k < parts; k++) {
				GEOSGeometry *g = GEOSGeom_clone_r(c->h, GEOSGetGeometryN_r(c->h, u, k));
				e = g ? region_problem(c, first->type, f, first->grid, g, arr)
				      : GEO_ERR_INTERNAL;
			}
			GEOSGeom_destroy_r(c->h, u);
		}
		i = j;
	}
	return e;
}

static void drop_problem(geo_check_result *r, size_t i)
{
	geo_problem *p = &r->problems[i];
	problem_clear(r, p);
	r->count[p->type]--;
	memmove(p, p + 1, (r->n - i - 1) * sizeof *p);
	r->n--;
}

/*
** Whether problem q comes from the crossing of invalid grid `grid`: it is a
** gap, overlap or spill that touches the grid and one of its crossings, and
** lies in the box of the segments through that crossing. A bow-tie's
** triangles are such; a defect that only meets the crossing (a gap beyond the
** grid's edge that the crossing happens to touch) reaches out of the box and
** is a problem of its own.
*/
static int artifact_of(struct check *c, const geo_problem *q, size_t grid)
{
	int kind = q->type == GEO_PROBLEM_GAP || q->type == GEO_PROBLEM_OVERLAP ||
		   q->type == GEO_PROBLEM_OUTSIDE || q->type == GEO_PROBLEM_SLIVER;
	if (!kind || !q->geom || !c->valid[grid] ||
	    GEOSDistanceWithin_r(c->h, q->geom, c->valid[grid], 10 * GEO_CHECK_EPS) != 1)
		return 0;
	double x0, y0, x1, y1;
	if (!GEOSGeom_getExtent_r(c->h, q->geom, &x0, &y0, &x1, &y1))
		return 0;
	const struct knots *ks = &c->knots[grid];
	for (size_t k = 0; k < ks->n; k++) {
		const double *b = ks->v[k].box;
		if (x0 < b[0] || y0 < b[1] || x1 > b[2] || y1 > b[3])
			continue;
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(c->h, ks->v[k].x, ks->v[k].y);
		int near = pt && GEOSDistanceWithin_r(c->h, q->geom, pt, 10 * GEO_CHECK_EPS) == 1;
		GEOSGeom_destroy_r(c->h, pt);
		if (near)
			return 1;
	}
	return 0;
}

/* Gaps, overlaps and spill that come from the place where an invalid grid's
** rings cross themselves (artifact_of) become part of its invalid problem,
** whose area is theirs, instead of problems of their own. */
static geo_err fold_artifacts(struct check *c)
{
	geo_check_result *r = c->r;
	for (size_t p = 0; p < r->n; p++) {
		geo_problem *inv = &r->problems[p];
		if (inv->type != GEO_PROBLEM_INVALID || !c->knots[inv->index[0]].n)
			continue;
		size_t grid = (size_t)inv->index[0], folded = 0;
		double area = 0;
		for (size_t q = 0; q < r->n;) {
			if (q == p || !artifact_of(c, &r->problems[q], grid)) {
				q++;
				continue;
			}
			area += r->problems[q].area_m2;
			folded++;
			drop_problem(r, q);
			if (q < p)
				p--;
			inv = &r->problems[p];
		}
		if (!folded)
			continue;
		char *d = fmt_of(c->ctx, inv, "%s; made valid, the grid leaves %zu gap%s or overlap%s at the "
				      "crossing, counted here", inv->detail, folded, folded == 1 ? "" : "s",
			      folded == 1 ? "" : "s");
		if (!d)
			return GEO_ERR_INTERNAL;
		free(inv->detail);
		inv->detail = d;
		inv->detail_local = d + strlen(d) + 1;
		inv->area_m2 = area;
	}
	return GEO_OK;
}

/* Grid g's parts but its largest (NULL when it has one part). */
static GEOSGeometry *smaller_parts(struct check *c, const GEOSGeometry *g)
{
	int n = g ? GEOSGetNumGeometries_r(c->h, g) : 0, big = 0;
	if (n < 2 || GEOSGeomTypeId_r(c->h, g) != GEOS_MULTIPOLYGON)
		return NULL;
	double best = -1;
	for (int k = 0; k < n; k++) {
		double a = geo_geom_area(c->ctx, GEOSGetGeometryN_r(c->h, g, k));
		if (a > best) {
			best = a;
			big = k;
		}
	}
	GEOSGeometry **parts = geo_calloc(c->ctx, (size_t)n, sizeof *parts);
	int m = 0;
	for (int k = 0; parts && k < n; k++)
		if (k != big)
			parts[m++] = GEOSGeom_clone_r(c->h, GEOSGetGeometryN_r(c->h, g, k));
	GEOSGeometry *out = parts ? GEOSGeom_createCollection_r(c->h, GEOS_MULTIPOLYGON, parts,
								(unsigned)m)
				  : NULL;
	free(parts);
	return out;
}

/* A grid's stray part that lies in another primary is one defect, not two:
** its not_nested problem becomes part of its multipart problem. */
static geo_err fold_stray_parts(struct check *c)
{
	geo_check_result *r = c->r;
	for (size_t p = 0; p < r->n; p++) {
		if (r->problems[p].type != GEO_PROBLEM_MULTIPART)
			continue;
		size_t grid = (size_t)r->problems[p].index[0];
		GEOSGeometry *stray = smaller_parts(c, c->valid[grid]);
		for (size_t q = 0; stray && q < r->n; q++) {
			geo_problem *nn = &r->problems[q];
			if (nn->type != GEO_PROBLEM_NOT_NESTED || nn->index[0] != (long)grid || !nn->geom)
				continue;
			GEOSGeometry *x = GEOSIntersection_r(c->h, nn->geom, stray);
			double a = x ? geo_geom_area(c->ctx, x) : 0;
			GEOSGeom_destroy_r(c->h, x);
			if (!(a >= nn->area_m2 * (1 - 1e-6)))
				continue;
			char *d = fmt_of(c->ctx, &r->problems[p], "%s; they lie outside its primary",
					 r->problems[p].detail);
			if (!d) {
				GEOSGeom_destroy_r(c->h, stray);
				return GEO_ERR_INTERNAL;
			}
			free(r->problems[p].detail);
			r->problems[p].detail = d;
			r->problems[p].detail_local = d + strlen(d) + 1;
			drop_problem(r, q);
			if (q < p)
				p--;
			break;
		}
		if (stray)
			GEOSGeom_destroy_r(c->h, stray);
	}
	return GEO_OK;
}

static geo_err check_arrangement(struct check *c)
{
	geo_arr_in in = { c->gs->n, c->valid, c->town, c->parents ? c->parents->n : 0,
			  c->pvalid, c->assigned, GEO_CHECK_EPS };
	geo_arr_out arr;
	geo_err e = geo_arrange(c->ctx, &in, &arr);
	if (e)
		return e;
	struct items it = { NULL, 0, 0, &arr };
	e = face_items(c, &arr, &it);
	if (!e)
		e = merge_items(c, &arr, &it);
	if (!e)
		e = fold_artifacts(c);
	if (!e)
		e = fold_stray_parts(c);
	free(it.v);
	geo_arr_out_free(c->ctx, &arr);
	return e;
}

static int by_place(const void *p, const void *q)
{
	const geo_problem *a = p, *b = q;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	/* NaN (no place) sorts first */
	int an = isnan(a->wx), bn = isnan(b->wx);
	if (an != bn)
		return an ? -1 : 1;
	if (!an && a->wy != b->wy)
		return a->wy > b->wy ? -1 : 1; /* north first */
	if (!an && a->wx != b->wx)
		return a->wx < b->wx ? -1 : 1;
	const char *ca = a->grids ? a->grids[0] : "", *cb = b->grids ? b->grids[0] : "";
	int d = strcmp(ca ? ca : "", cb ? cb : "");
	return d ? d : a->detail && b->detail ? strcmp(a->detail, b->detail) : 0;
}

geo_err geo_check_finish(geo_ctx *ctx, geo_check_result *r, const geo_gridset *gs)
{
	geo_transform *t = NULL;
	if (gs->source_crs && gs->crs && !geo_crs_equal(gs->crs, gs->source_crs) &&
	    !(t = geo_transform_new(ctx, gs->crs, gs->source_crs)))
		return geo_last_code(ctx);
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < r->n; i++) {
		geo_problem *p = &r->problems[i];
		p->x = p->wx;
		p->y = p->wy;
		if (t && isfinite(p->x) && isfinite(p->y))
			e = geo_transform_points(ctx, t, 1, &p->x, &p->y);
	}
	geo_transform_free(t);
	if (r->n)
		qsort(r->problems, r->n, sizeof *r->problems, by_place);
	return e;
}

static void check_free(struct check *c)
{
	for (size_t p = 0; c->pvalid && p < c->parents->n; p++)
		if (c->pvalid[p] && c->pvalid[p] != c->parents->grids[p].geom) {
			GEOSGeom_destroy_r(c->h, c->parents->grids[p].geom);
			c->parents->grids[p].geom = c->pvalid[p];
		}
	for (size_t i = 0; c->knots && i < c->gs->n; i++)
		free(c->knots[i].v);
	free(c->knots);
	free(c->valid);
	free(c->pvalid);
	free(c->assigned);
	geo_index_free(c->idx);
	geo_index_free(c->pidx);
}

geo_err geo_check_gridset(geo_ctx *ctx, geo_gridset *grids, const GEOSGeometry *town,
			  geo_gridset *parents, const geo_check_opts *o,
			  geo_check_result **result)
{
	struct check c = { .ctx = ctx, .h = geo_ctx_geos(ctx), .o = o, .gs = grids,
			   .town = town, .parents = parents };
	*result = c.r = geo_calloc(ctx, 1, sizeof *c.r);
	if (!c.r)
		return GEO_ERR_INTERNAL;
	c.r->geos = c.h;
	c.r->grids = grids->n;
	c.valid = geo_calloc(ctx, grids->n + 1, sizeof *c.valid);
	c.knots = geo_calloc(ctx, grids->n + 1, sizeof *c.knots);
	geo_err e = c.valid && c.knots ? GEO_OK : GEO_ERR_INTERNAL;
	if (!e)
		e = check_grids(&c);
	if (!e)
		e = check_codes(&c);
	if (!e && !(c.idx = geo_index_new(ctx, c.valid, grids->n)))
		e = GEO_ERR_INTERNAL;
	if (!e && parents) {
		c.pvalid = geo_calloc(ctx, parents->n + 1, sizeof *c.pvalid);
		c.assigned = geo_calloc(ctx, grids->n + 1, sizeof *c.assigned);
		e = c.pvalid && c.assigned ? valid_parents(&c) : GEO_ERR_INTERNAL;
		if (!e && !(c.pidx = geo_index_new(ctx, c.pvalid, parents->n)))
			e = GEO_ERR_INTERNAL;
		if (!e)
			e = assign_parents(&c);
	}
	if (!e)
		e = check_arrangement(&c);
	check_free(&c);
	if (!e)
		e = geo_check_finish(ctx, c.r, grids);
	if (e) {
		geo_check_result_free(c.r);
		*result = NULL;
		return e;
	}
	return c.r->n ? GEO_PROBLEMS : GEO_OK;
}
