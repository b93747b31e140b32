/*
** defects.c: `synth tiling --defects`. A copy of the secondaries gets one
** defect of each kind grid-check knows, each in grids no other defect
** touched (a grid apart when the town is big enough), and truth.json says
** where each is and how large. Most defects are wedges: a triangle on the
** middle half of a shared or boundary edge, apex about 0.15 of a grid's
** width away, cut out of a grid or pushed into its neighbour. Coordinates
** are multiples of 1/128 m, so quarter points are exact and so are the areas.
*/
#include "tiling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct picker {
	synth *s;
	rng r;
	tgrid *g;
	size_t n;
	segs sv;                        /* every segment of every grid, sorted */
	char *involved;                 /* grids a defect changed */
	char *near;                     /* grids next to one a defect changed */
	int strict;                     /* keep defects a grid apart */
	const GEOSGeometry *town;
} picker;

/* Marks a grid as changed and its neighbours as near, so that defects stay
** apart and each is found on its own. */
static void mark_used(picker *pk, size_t grid)
{
	const seg *v = pk->sv.v;
	pk->involved[grid] = 1;
	for (size_t i = 0; i < pk->sv.n; i++) {
		if (v[i].owner != grid)
			continue;
		if (i > 0 && seg_same(&v[i - 1], &v[i]))
			pk->near[v[i - 1].owner] = 1;
		if (i + 1 < pk->sv.n && seg_same(&v[i + 1], &v[i]))
			pk->near[v[i + 1].owner] = 1;
	}
}

/* A grid a new defect may use: never one already changed, and while strict
** none next to one. */
static int grid_free(const picker *pk, size_t g)
{
	return !pk->involved[g] && (!pk->strict || !pk->near[g]);
}

/* A candidate edge for a defect: segment a-b of grid ga, shared with gb
** (or on the town boundary when gb is -1). */
typedef struct edge {
	size_t ga;
	long gb;
	double a[2], b[2];
} edge;

static int free_edge(const picker *pk, const edge *e)
{
	return grid_free(pk, e->ga) && (e->gb < 0 || grid_free(pk, (size_t)e->gb));
}

/* Shared edges (shared = 1) or boundary edges, shuffled, long enough. */
static edge *edge_list(picker *pk, int shared, double minlen, size_t *count)
{
	const seg *v = pk->sv.v;
	edge *e = xcalloc(pk->sv.n + 1, sizeof *e);
	size_t k = 0;
	for (size_t i = 0; i < pk->sv.n;) {
		size_t j = i + 1;
		while (j < pk->sv.n && seg_same(&v[i], &v[j]))
			j++;
		const seg *g = &v[i];
		if (hypot(g->bx - g->ax, g->by - g->ay) >= minlen &&
		    ((shared && j - i == 2) || (!shared && j - i == 1)))
			e[k++] = (edge){ g->owner, shared ? (long)v[i + 1].owner : -1, { g->ax, g->ay },
					 { g->bx, g->by } };
		i = j;
	}
	for (size_t i = k; i > 1; i--) {
		size_t j = rng_below(&pk->r, i);
		edge t = e[i - 1];
		e[i - 1] = e[j];
		e[j] = t;
	}
	*count = k;
	return e;
}

/* Points a quarter and three quarters along a-b, the middle, and an offset
** d of length about h square to a-b, towards side `into`; every value is a
** multiple of 1/128 m or its exact half or quarter. */
typedef struct wedge {
	double p[2], q[2], m[2], d[2], c[2];
} wedge;

static void wedge_make(synth *s, const edge *e, double h, wedge *w)
{
	double dx = e->b[0] - e->a[0], dy = e->b[1] - e->a[1], len = hypot(dx, dy);
	h = fmin(h, 0.4 * len);
	w->p[0] = e->a[0] + dx / 4;
	w->p[1] = e->a[1] + dy / 4;
	w->q[0] = e->a[0] + 3 * dx / 4;
	w->q[1] = e->a[1] + 3 * dy / 4;
	w->m[0] = e->a[0] + dx / 2;
	w->m[1] = e->a[1] + dy / 2;
	w->d[0] = snapv(s, -dy / len * h);
	w->d[1] = snapv(s, dx / len * h);
}

static void wedge_flip(wedge *w)
{
	w->d[0] = -w->d[0];
	w->d[1] = -w->d[1];
}

static void wedge_apex(wedge *w)
{
	w->c[0] = w->m[0] + w->d[0];
	w->c[1] = w->m[1] + w->d[1];
}

static GEOSGeometry *tri_geom(synth *s, const double *p, const double *q, const double *c)
{
	double xy[8] = { p[0], p[1], c[0], c[1], q[0], q[1], p[0], p[1] };
	return make_polygon(s, xy, 4);
}

/* 1 if polygon t lies in grid g, or outside the town for g < 0. */
static int lies_in(picker *pk, GEOSGeometry *t, long g)
{
	synth *s = pk->s;
	int ok;
	if (g >= 0) {
		GEOSGeometry *gg = grid_to_geos(s, &pk->g[g], 0);
		ok = GEOSContains_r(s->h, gg, t) == 1;
		GEOSGeom_destroy_r(s->h, gg);
	} else {
		ok = GEOSRelatePattern_r(s->h, t, pk->town, "T********") == 0;
	}
	GEOSGeom_destroy_r(s->h, t);
	return ok;
}

/* Orients the wedge to point into grid g (or out of the town for g < 0);
** 0 when neither side fits. */
static int wedge_fit(picker *pk, wedge *w, long g)
{
	for (int flip = 0; flip < 2; flip++) {
		wedge_apex(w);
		if (lies_in(pk, tri_geom(pk->s, w->p, w->q, w->c), g))
			return 1;
		wedge_flip(w);
	}
	return 0;
}

/* Grid `grid` follows the wedge's two sides instead of its edge. */
static void wedge_cut(picker *pk, size_t grid, const edge *e, const wedge *w)
{
	double path[6] = { w->p[0], w->p[1], w->c[0], w->c[1], w->q[0], w->q[1] };
	grid_splice(&pk->g[grid], e->a, e->b, path, 3);
}

/* The wedge's triangle as the truth: its exact area and its centroid. */
static void defect_tri(defect *d, const wedge *w)
{
	d->area = fabs((w->q[0] - w->p[0]) * (w->c[1] - w->p[1]) -
		       (w->q[1] - w->p[1]) * (w->c[0] - w->p[0])) / 2;
	d->x = (w->p[0] + w->q[0] + w->c[0]) / 3;
	d->y = (w->p[1] + w->q[1] + w->c[1]) / 3;
}

static void defect_grids(defect *d, const char *a, const char *b)
{
	snprintf(d->grids[0], sizeof d->grids[0], "%s", a);
	d->ngrids = 1;
	if (b) {
		snprintf(d->grids[1], sizeof d->grids[1], "%s", b);
		d->ngrids = 2;
	}
}

/* A kind of defect and how to draw it along an edge. */
typedef struct kind kind;
typedef int (*try_fn)(picker *pk, const edge *e, wedge *w, const kind *k, defect *d);
struct kind {
	const char *defect, *type;
	int boundary;           /* along the town boundary, else along shared edges */
	try_fn fn;              /* NULL: not along an edge (duplicate_code) */
	int into_other;         /* try_wedge: into the neighbour, or out of the town */
	double width;           /* how far the wedge reaches; 0: the usual */
};

/* A wedge cut out of grid ga along edge e (a gap or a sliver), or pushed
** out of it into its neighbour (an overlap) or out of the town. */
static int try_wedge(picker *pk, const edge *e, wedge *w, const kind *k, defect *d)
{
	/* An overlap into another primary's secondary is also not nested (a
	** second problem): the overlap kind stays within one primary. */
	if (k->into_other && e->gb >= 0 && pk->g[e->ga].prim != pk->g[e->gb].prim)
		return 0;
	if (!wedge_fit(pk, w, k->into_other ? e->gb : (long)e->ga))
		return 0;
	wedge_cut(pk, e->ga, e, w);
	*d = (defect){ .defect = k->defect, .type = k->type };
	defect_tri(d, w);
	defect_grids(d, pk->g[e->ga].code, e->gb >= 0 ? pk->g[e->gb].code : NULL);
	mark_used(pk, e->ga);
	if (e->gb >= 0)
		mark_used(pk, (size_t)e->gb);
	return 1;
}

/* A secondary that takes a wedge of its neighbour in another primary: both
** layers still tile the town, but the secondary reaches out of its primary. */
static int try_not_nested(picker *pk, const edge *e, wedge *w, const kind *k, defect *d)
{
	if (pk->g[e->ga].prim == pk->g[e->gb].prim || !wedge_fit(pk, w, e->gb))
		return 0;
	wedge_cut(pk, e->ga, e, w);
	wedge_cut(pk, (size_t)e->gb, e, w);
	*d = (defect){ .defect = k->defect, .type = k->type };
	defect_tri(d, w);
	defect_grids(d, pk->g[e->ga].code, pk->g[e->ga].parent);
	mark_used(pk, e->ga);
	mark_used(pk, (size_t)e->gb);
	return 1;
}

/*
** A bow-tie: along edge a-b the ring runs p, q+d, p+d, q, so the two
** diagonals of the parallelogram p, q, q+d, p+d cross at its centre. The
** two triangles on either side of the crossing (centre-p-q and
** centre-q+d-p+d) are what the ring encloses wrongly: made valid, the grid
** loses both. Their area is the truth, the far one's centroid its point,
** the crossing its location.
*/
static int try_bowtie(picker *pk, const edge *e, wedge *w, const kind *k, defect *d)
{
	for (int flip = 0; flip < 2; flip++) {
		double r1[2] = { w->q[0] + w->d[0], w->q[1] + w->d[1] };
		double r2[2] = { w->p[0] + w->d[0], w->p[1] + w->d[1] };
		double xy[10] = { w->p[0], w->p[1], w->q[0], w->q[1], r1[0], r1[1], r2[0], r2[1],
				  w->p[0], w->p[1] };
		if (!lies_in(pk, make_polygon(pk->s, xy, 5), (long)e->ga)) {
			wedge_flip(w);
			continue;
		}
		double path[8] = { w->p[0], w->p[1], r1[0], r1[1], r2[0], r2[1], w->q[0], w->q[1] };
		grid_splice(&pk->g[e->ga], e->a, e->b, path, 4);
		double cx = (w->p[0] + w->q[0] + w->d[0]) / 2, cy = (w->p[1] + w->q[1] + w->d[1]) / 2;
		*d = (defect){ .defect = k->defect, .type = k->type, .has_loc = 1, .lx = cx, .ly = cy };
		d->area = fabs((w->q[0] - w->p[0]) * w->d[1] - (w->q[1] - w->p[1]) * w->d[0]) / 2;
		d->x = (cx + r1[0] + r2[0]) / 3;
		d->y = (cy + r1[1] + r2[1]) / 3;
		defect_grids(d, pk->g[e->ga].code, NULL);
		mark_used(pk, e->ga);
		return 1;
	}
	return 0;
}

/* A free grid next to ga (not gb) that keeps more than a metre from t, or -1. */
static long far_neighbour(picker *pk, const edge *e, const GEOSGeometry *t)
{
	synth *s = pk->s;
	const seg *v = pk->sv.v;
	for (size_t k = 0; k < pk->sv.n; k++) {
		if (v[k].owner != e->ga)
			continue;
		for (size_t j = k ? k - 1 : 0; j <= k + 1 && j < pk->sv.n; j++) {
			size_t g = v[j].owner;
			if (j == k || g == e->ga || (long)g == e->gb || !grid_free(pk, g) ||
			    !seg_same(&v[j], &v[k]))
				continue;
			GEOSGeometry *gg = grid_to_geos(s, &pk->g[g], 0);
			double dist = 0;
			GEOSDistance_r(s->h, gg, t, &dist);
			GEOSGeom_destroy_r(s->h, gg);
			if (dist > 1)
				return (long)g;
		}
	}
	return -1;
}

/* A grid in two parts: a wedge of grid ga (cut along its edge with gb) is
** handed to a neighbour of ga it does not touch. */
static int try_multipart(picker *pk, const edge *e, wedge *w, const kind *k, defect *d)
{
	if (!wedge_fit(pk, w, (long)e->ga))
		return 0;
	GEOSGeometry *t = tri_geom(pk->s, w->p, w->q, w->c);
	long owner = far_neighbour(pk, e, t);
	GEOSGeom_destroy_r(pk->s->h, t);
	if (owner < 0)
		return 0;
	wedge_cut(pk, e->ga, e, w);
	double ring[8] = { w->p[0], w->p[1], w->q[0], w->q[1], w->c[0], w->c[1], w->p[0], w->p[1] };
	grid_add_part(&pk->g[owner], ring, 4);
	*d = (defect){ .defect = k->defect, .type = k->type };
	defect_tri(d, w);
	defect_grids(d, pk->g[owner].code, NULL);
	mark_used(pk, e->ga);
	mark_used(pk, (size_t)e->gb);
	mark_used(pk, (size_t)owner);
	return 1;
}

/* The first free edge of es along which the kind's defect fits. */
static int inject_along(picker *pk, const edge *es, size_t ne, double h, const kind *k,
			defect *d)
{
	for (size_t i = 0; i < ne; i++) {
		if (!free_edge(pk, &es[i]))
			continue;
		wedge w;
		wedge_make(pk->s, &es[i], h, &w);
		if (k->fn(pk, &es[i], &w, k, d))
			return 1;
	}
	return 0;
}

/* A grid that carries the code of a sibling in the same primary. */
static int inject_duplicate(picker *pk, const kind *k, defect *d)
{
	synth *s = pk->s;
	size_t start = rng_below(&pk->r, pk->n);
	for (size_t i = 0; i < pk->n; i++) {
		size_t a = (start + i) % pk->n;
		long b = -1;
		for (size_t j = 0; j < pk->n && b < 0; j++)
			if (j != a && !pk->involved[j] && pk->g[j].prim == pk->g[a].prim)
				b = (long)j;
		if (pk->involved[a] || b < 0)
			continue;
		GEOSGeometry *gg = grid_to_geos(s, &pk->g[a], 0);
		*d = (defect){ .defect = k->defect, .type = k->type };
		d->area = geo_geom_area(s->ctx, gg);
		inside_point(s, gg, &d->x, &d->y);
		GEOSGeom_destroy_r(s->h, gg);
		memcpy(pk->g[a].code, pk->g[b].code, sizeof pk->g[a].code);
		defect_grids(d, pk->g[b].code, NULL);
		mark_used(pk, a);
		mark_used(pk, (size_t)b);
		return 1;
	}
	return 0;
}

/* The nine kinds, in the order they are placed and listed. A sliver is a
** gap 6/128 m (4.7 cm) wide at most. */
static const kind kinds[N_DEFECTS] = {
	{ "gap", "gap", 0, try_wedge, 0, 0 },
	{ "gap_at_boundary", "gap", 1, try_wedge, 0, 0 },
	{ "overlap", "overlap", 0, try_wedge, 1, 0 },
	{ "outside", "outside", 1, try_wedge, 1, 0 },
	{ "not_nested", "not_nested", 0, try_not_nested, 0, 0 },
	{ "bowtie", "invalid", 0, try_bowtie, 0, 0 },
	{ "duplicate_code", "duplicate_id", 0, NULL, 0, 0 },
	{ "sliver", "sliver", 0, try_wedge, 0, 6.0 / 128 },
	{ "multipart", "multipart", 0, try_multipart, 0, 0 },
};

size_t inject_defects(synth *s, tgrid *g, size_t n, const GEOSGeometry *town, double cell,
		      defect *out)
{
	picker pk = { .s = s, .g = g, .n = n, .town = town };
	rng_init(&pk.r, s->seed, S_DEFECTS);
	pk.involved = xcalloc(n, 1);
	pk.near = xcalloc(n, 1);
	grid_segments(g, n, &pk.sv);
	size_t nsh, nbd;
	double minlen = 0.25 * cell, h = 0.15 * cell;
	/* The town's own boundary has short segments: take any of 30 m. */
	edge *sh = edge_list(&pk, 1, minlen, &nsh), *bd = edge_list(&pk, 0, fmin(minlen, 30), &nbd);
	/* Each defect looks for a place a grid away from the others first, and
	** only in a small town settles for one next to them. */
	for (size_t k = 0; k < N_DEFECTS; k++) {
		const kind *kd = &kinds[k];
		int ok = 0;
		for (pk.strict = 1; !ok && pk.strict >= 0; pk.strict--)
			ok = !kd->fn ? inject_duplicate(&pk, kd, &out[k])
			     : inject_along(&pk, kd->boundary ? bd : sh, kd->boundary ? nbd : nsh,
					    kd->width > 0 ? kd->width : h, kd, &out[k]);
		if (!ok)
			fatal("could not place the %s defect; use more --grids or another --seed",
			      kd->defect);
	}
	free(sh);
	free(bd);
	free(pk.sv.v);
	free(pk.involved);
	free(pk.near);
	return N_DEFECTS;
}

static void truth_entry(geo_buf *b, const defect *d)
{
	geo_buf_add(b, "{\"defect\": ");
	geo_json_str(b, d->defect);
	geo_buf_add(b, ", \"type\": ");
	geo_json_str(b, d->type);
	geo_buf_add(b, ", \"grids\": [");
	for (int g = 0; g < d->ngrids; g++) {
		if (g)
			geo_buf_add(b, ", ");
		geo_json_str(b, d->grids[g]);
	}
	geo_buf_add(b, "], \"area_m2\": ");
	geo_json_num(b, d->area, 6);
	geo_buf_add(b, ", \"x\": ");
	geo_json_num(b, d->x, 4);
	geo_buf_add(b, ", \"y\": ");
	geo_json_num(b, d->y, 4);
	if (d->has_loc) {
		geo_buf_add(b, ", \"location\": [");
		geo_json_num(b, d->lx, 4);
		geo_buf_add(b, ", ");
		geo_json_num(b, d->ly, 4);
		geo_buf_add(b, "]");
	}
	geo_buf_add(b, "}");
}

/* truth.json: the run and one line per defect. */
geo_err write_truth(synth *s, const char *path, const tiling *t, const tiling_opts *o,
		    const defect *d, size_t nd, int overwrite)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "{\"seed\": %llu, \"grids\": %zu, \"primaries\": %zu, \"unmatched\": %s, ",
		       (unsigned long long)s->seed, o->grids, t->np, o->unmatched ? "true" : "false");
	geo_buf_add(&b, "\"crs\": \"EPSG:4548\", \"file\": \"defects.gpkg\", \"layer\": \"secondary\", "
			"\"primary_layer\": \"primary\", \"town_layer\": \"town\",\n \"defects\": [");
	for (size_t i = 0; i < nd; i++) {
		geo_buf_add(&b, i ? ",\n  " : "\n  ");
		truth_entry(&b, &d[i]);
	}
	geo_buf_add(&b, "\n ]}\n");
	char *text = geo_buf_take(&b);
	if (!text)
		fatal("out of memory");
	geo_err e = write_text(s, path, text, overwrite);
	free(text);
	return e;
}
