/*
** place.c: the point placer, which grid-place, grid-check and the feature
** placer ask which grid holds a point.
**
** The placer answers "which grid holds this point?" millions of times a
** second without touching GEOS on the fast path. Every grid's rings are
** flattened into edges, each stored from its lower to its upper end so that
** two grids sharing an edge hold exactly the same numbers for it. The grids'
** extent is cut into a uniform lattice of rows and columns. For each row and
** grid, a slice lists the grid's edges that meet the row's band; a cell lists
** the slices whose x-range covers it. A cell that no edge touches lies wholly
** inside one grid (or none), found once at build time, so most points are
** answered by one array read.
**
** The shared-edge rule is the classic half-open crossing number: a point
** belongs to a polygon when a ray from it towards +x crosses the polygon's
** boundary an odd number of times, where an edge counts if it spans the
** point's y half-open (lower end included, upper end excluded) and the point
** lies strictly to the left of it. A point exactly on an edge therefore
** belongs to the polygon on the edge's right (for a vertical edge) or above
** it (for a horizontal one): left and bottom edges are inside, right and top
** edges outside. Because both grids of a shared edge evaluate the identical
** predicate on identical numbers, exactly one of them claims such a point,
** whatever the input order. Points on the town's right or top boundary are
** claimed by no grid under that rule; for them (and for any point no grid
** claims) a closed test follows: the grids whose boundary holds the point,
** and of those the one whose grid_id sorts first. The orientation test is
** filtered in floating point and falls back to GEOS's robust orientation
** index when the filter cannot decide, so "on the edge" means exactly on it.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An edge from its lower end a to its upper end b (ties: a has the smaller x). */
typedef struct pl_edge {
	double ax, ay, bx, by;
} pl_edge;

/* A slice: a grid's edges that meet one row's band, and their x-range in
** the band. Its header is an item followed by its edges, so that testing a
** slice reads one stretch of memory. */
typedef struct pl_slice {
	uint32_t grid, count;
	double xmin, xmax, unused;
} pl_slice;

typedef union pl_item {
	pl_edge e;
	pl_slice s;
} pl_item;

/* A cell's code: the grid holding the whole cell (>= 0), CELL_EMPTY, or
** CELL_MIXED - m for the m-th mixed cell, whose candidates must be tested.
** Four bytes a cell keep the lattice small enough to stay in cache. */
enum { CELL_EMPTY = -1, CELL_MIXED = -2 };

/* A cell's candidate slices (their items): up to three in the record itself,
** more from cand[at[0]]. */
enum { CELL_INLINE = 3 };
typedef struct pl_cell {
	uint32_t count;
	uint32_t at[CELL_INLINE];
} pl_cell;

struct geo_placer {
	GEOSContextHandle_t h;
	const geo_gridset *grids;
	double xmin, ymin, xmax, ymax;
	double inv_w, inv_h, w, h_row;
	long nx, ny;
	pl_edge *edges;         /* while building: edges spread into rows */
	pl_item *items;         /* slices: a header, then its edges */
	uint32_t *slice_at;     /* item of each slice, row by row */
	size_t nslices;
	size_t *row_slice;      /* slices of row r: slice_at[row_slice[r] .. row_slice[r+1]) */
	int32_t *code;          /* per cell, row by row */
	pl_cell *mixed;
	uint32_t *cand;
	size_t *rank;           /* rank[g]: position of grid g in grid_id order */
};

/* ---- the predicates ------------------------------------------------------ */

/* Sign of the orientation of p against the directed line a->b: 1 left, -1
** right, 0 on it. Shewchuk's error bound decides almost every case in
** doubles; the rest go to GEOS's robust orientation index. */
static int orient(GEOSContextHandle_t h, const pl_edge *e, double x, double y)
{
	double l = (e->bx - e->ax) * (y - e->ay), r = (e->by - e->ay) * (x - e->ax);
	double det = l - r, bound = 3.3306690738754716e-16 * (fabs(l) + fabs(r));
	if (det > bound)
		return 1;
	if (-det > bound)
		return -1;
	return GEOSOrientationIndex_r(h, e->ax, e->ay, e->bx, e->by, x, y);
}

/* 1 if the half-open ray from (x, y) towards +x crosses e. */
static int crosses(GEOSContextHandle_t h, const pl_edge *e, double x, double y)
{
	if (!(e->ay <= y && y < e->by))
		return 0;
	if (x < e->ax && x < e->bx)
		return 1;
	if (x > e->ax && x > e->bx)
		return 0;
	return orient(h, e, x, y) > 0;
}

static int on_edge(GEOSContextHandle_t h, const pl_edge *e, double x, double y)
{
	if (y < e->ay || y > e->by || x < fmin(e->ax, e->bx) || x > fmax(e->ax, e->bx))
		return 0;
	return orient(h, e, x, y) == 0;
}

static int slice_claims(const geo_placer *p, const pl_item *it, double x, double y)
{
	if (x < it->s.xmin || x > it->s.xmax)
		return 0;
	int odd = 0;
	for (const pl_item *e = it + 1, *end = e + it->s.count; e < end; e++)
		odd ^= crosses(p->h, &e->e, x, y);
	return odd;
}

static int slice_touches(const geo_placer *p, const pl_item *it, double x, double y)
{
	if (x < it->s.xmin || x > it->s.xmax)
		return 0;
	for (const pl_item *e = it + 1, *end = e + it->s.count; e < end; e++)
		if (on_edge(p->h, &e->e, x, y))
			return 1;
	return 0;
}

/* ---- the lattice ---------------------------------------------------------- */

/* Clamped while still a double: in an extent a few subnormals tall 1 / h_row
** is infinite, and a row beyond what a long holds has no defined cast. */
static long row_of(const geo_placer *p, double y)
{
	double f = (y - p->ymin) * p->inv_h;
	return f > 0 ? f < (double)p->ny ? (long)f : p->ny - 1 : 0;
}

static long col_of(const geo_placer *p, double x)
{
	double f = (x - p->xmin) * p->inv_w;
	return f > 0 ? f < (double)p->nx ? (long)f : p->nx - 1 : 0;
}

/* The x-range of e inside row r's band, widened a little so that rounding
** in the interpolation or in row_of/col_of never leaves a cell out. */
static void edge_xrange(const geo_placer *p, const pl_edge *e, long r, double *x0, double *x1)
{
	double pad = 1e-6 * p->h_row;
	double y0 = fmax(e->ay, p->ymin + r * p->h_row - pad);
	double y1 = fmin(e->by, p->ymin + (r + 1) * p->h_row + pad);
	double xa = e->ax, xb = e->bx;
	if (e->by > e->ay && y0 <= y1) {
		double k = (e->bx - e->ax) / (e->by - e->ay);
		xa = e->ax + k * (y0 - e->ay);
		xb = e->ax + k * (y1 - e->ay);
	}
	double lo = fmax(fmin(xa, xb), fmin(e->ax, e->bx));
	double hi = fmin(fmax(xa, xb), fmax(e->ax, e->bx));
	double xpad = 1e-6 * p->w + 1e-9 * (fabs(lo) + fabs(hi));
	*x0 = lo - xpad;
	*x1 = hi + xpad;
}

/* Edges are gathered per grid, then spread into rows. */
typedef struct pl_build {
	pl_edge *edges;
	uint32_t *grid;
	size_t n, cap;
} pl_build;

static geo_err add_ring(geo_ctx *ctx, pl_build *b, uint32_t g, const GEOSGeometry *ring)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned int n = 0;
	if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n))
		return geo_fail(ctx, GEO_ERR_INTERNAL, "placer: cannot read a ring");
	double px = 0, py = 0;
	for (unsigned int i = 0; i < n; i++) {
		double x, y;
		GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
		if (i > 0 && (x != px || y != py)) {
			if (b->n == b->cap) {
				size_t cap = b->cap ? 2 * b->cap : 1024;
				pl_edge *e = geo_realloc_array(ctx, b->edges, cap, sizeof *e);
				if (e)
					b->edges = e;
				uint32_t *gr = e ? geo_realloc_array(ctx, b->grid, cap, sizeof *gr) : NULL;
				if (!gr)
					return GEO_ERR_INTERNAL;
				b->grid = gr;
				b->cap = cap;
			}
			int lower_first = py < y || (py == y && px <= x);
			pl_edge e = lower_first ? (pl_edge){ px, py, x, y } : (pl_edge){ x, y, px, py };
			b->edges[b->n] = e;
			b->grid[b->n++] = g;
		}
		px = x;
		py = y;
	}
	return GEO_OK;
}

static geo_err add_polygon(geo_ctx *ctx, pl_build *b, uint32_t g, const GEOSGeometry *poly)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	int type = GEOSGeomTypeId_r(h, poly);
	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		int n = GEOSGetNumGeometries_r(h, poly);
		for (int i = 0; i < n; i++) {
			geo_err e = add_polygon(ctx, b, g, GEOSGetGeometryN_r(h, poly, i));
			if (e)
				return e;
		}
		return GEO_OK;
	}
	if (type != GEOS_POLYGON || GEOSisEmpty_r(h, poly))
		return GEO_OK;
	geo_err e = add_ring(ctx, b, g, GEOSGetExteriorRing_r(h, poly));
	int holes = GEOSGetNumInteriorRings_r(h, poly);
	for (int i = 0; !e && i < holes; i++)
		e = add_ring(ctx, b, g, GEOSGetInteriorRingN_r(h, poly, i));
	return e;
}

/* Sizes the lattice in the shape of the extent. Small cells mean most cells
** hold no edge and answer at once; the cap bounds memory (4 bytes a cell). */
enum { CELLS_PER_EDGE = 16, MAX_CELLS = 1 << 22 };

static void size_lattice(geo_placer *p, size_t nedges)
{
	double W = p->xmax - p->xmin, H = p->ymax - p->ymin;
	if (!(W > 0))
		W = 1;
	if (!(H > 0))
		H = 1;
	double cells = fmin(fmax(CELLS_PER_EDGE * (double)nedges, 64), MAX_CELLS);
	double side = sqrt(W * H / cells);
	p->nx = (long)fmin(fmax(ceil(W / side), 1), 1 << 16);
	p->ny = (long)fmin(fmax(ceil(H / side), 1), 1 << 16);
	/* W * H underflows to 0 in an extent of subnormals: side is 0 and both
	** counts reach their cap, 2^32 cells, unless the cap holds here too. */
	if ((double)p->nx * (double)p->ny > MAX_CELLS)
		p->nx = MAX_CELLS / p->ny;
	p->w = W / (double)p->nx;
	p->h_row = H / (double)p->ny;
	p->inv_w = 1 / p->w;
	p->inv_h = 1 / p->h_row;
}

/* Spreads each edge into every row its y-range meets, grouped by row and
** then by grid (the edges arrive in grid order). Returns the row of each
** spread edge's grid in *grid_of. */
static geo_err spread_rows(geo_ctx *ctx, geo_placer *p, const pl_build *b, size_t **row_start,
			   uint32_t **grid_of)
{
	size_t *start = geo_calloc(ctx, (size_t)p->ny + 1, sizeof *start);
	if (!start)
		return GEO_ERR_INTERNAL;
	for (size_t i = 0; i < b->n; i++)
		for (long r = row_of(p, b->edges[i].ay); r <= row_of(p, b->edges[i].by); r++)
			start[r + 1]++;
	for (long r = 0; r < p->ny; r++)
		start[r + 1] += start[r];
	size_t total = start[p->ny];
	size_t *fill = geo_calloc(ctx, (size_t)p->ny, sizeof *fill);
	uint32_t *grid = geo_calloc(ctx, total + 1, sizeof *grid);
	p->edges = geo_calloc(ctx, total + 1, sizeof *p->edges);
	if (!fill || !grid || !p->edges) {
		free(fill);
		free(grid);
		free(start);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < b->n; i++)
		for (long r = row_of(p, b->edges[i].ay); r <= row_of(p, b->edges[i].by); r++) {
			size_t at = start[r] + fill[r]++;
			p->edges[at] = b->edges[i];
			grid[at] = b->grid[i];
		}
	free(fill);
	*row_start = start;
	*grid_of = grid;
	return GEO_OK;
}

/* Cuts each row's edges into slices, one per grid, each a header item
** followed by its edges. */
static geo_err make_slices(geo_ctx *ctx, geo_placer *p, const size_t *start, const uint32_t *grid)
{
	size_t n = 0, total = start[p->ny];
	for (long r = 0; r < p->ny; r++)
		for (size_t i = start[r]; i < start[r + 1]; i++)
			n += i == start[r] || grid[i] != grid[i - 1];
	if (n + total > UINT32_MAX)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "placer: too many grid edges to index");
	p->items = geo_calloc(ctx, n + total + 1, sizeof *p->items);
	p->slice_at = geo_calloc(ctx, n + 1, sizeof *p->slice_at);
	p->row_slice = geo_calloc(ctx, (size_t)p->ny + 1, sizeof *p->row_slice);
	if (!p->items || !p->slice_at || !p->row_slice)
		return GEO_ERR_INTERNAL;
	size_t k = 0, at = 0;
	for (long r = 0; r < p->ny; r++) {
		p->row_slice[r] = k;
		for (size_t i = start[r]; i < start[r + 1]; i++) {
			if (i == start[r] || grid[i] != grid[i - 1]) {
				p->slice_at[k++] = (uint32_t)at;
				p->items[at++].s = (pl_slice){ grid[i], 0, INFINITY, -INFINITY, 0 };
			}
			pl_slice *s = &p->items[p->slice_at[k - 1]].s;
			double x0, x1;
			edge_xrange(p, &p->edges[i], r, &x0, &x1);
			s->count++;
			s->xmin = fmin(s->xmin, x0);
			s->xmax = fmax(s->xmax, x1);
			p->items[at++].e = p->edges[i];
		}
	}
	p->row_slice[p->ny] = k;
	p->nslices = k;
	free(p->edges);
	p->edges = NULL;
	return GEO_OK;
}

/* While building: a cell's candidate slices, list[first .. first + count). */
typedef struct pl_list {
	uint32_t first, count;
} pl_list;

/* Lists in each cell the slices whose x-range covers it (in cells[] and
** *list, as item positions), and marks the cells some edge passes through. */
static geo_err list_candidates(geo_ctx *ctx, geo_placer *p, pl_list *cells, uint32_t **list,
			       unsigned char *touched)
{
	size_t ncells = (size_t)p->nx * (size_t)p->ny, total = 0;
	for (long r = 0; r < p->ny; r++)
		for (size_t k = p->row_slice[r]; k < p->row_slice[r + 1]; k++) {
			const pl_item *it = &p->items[p->slice_at[k]];
			for (long c = col_of(p, it->s.xmin); c <= col_of(p, it->s.xmax); c++)
				cells[r * p->nx + c].count++;
			for (uint32_t i = 1; i <= it->s.count; i++) {
				double x0, x1;
				edge_xrange(p, &it[i].e, r, &x0, &x1);
				for (long c = col_of(p, x0); c <= col_of(p, x1); c++)
					touched[r * p->nx + c] = 1;
			}
		}
	for (size_t i = 0; i < ncells; i++) {
		cells[i].first = (uint32_t)total;
		total += cells[i].count;
		cells[i].count = 0;
	}
	if (total > UINT32_MAX / 2)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "placer: too many grid edges to index");
	if (!(*list = geo_calloc(ctx, total + 1, sizeof **list)))
		return GEO_ERR_INTERNAL;
	for (long r = 0; r < p->ny; r++)
		for (size_t k = p->row_slice[r]; k < p->row_slice[r + 1]; k++) {
			const pl_item *it = &p->items[p->slice_at[k]];
			for (long c = col_of(p, it->s.xmin); c <= col_of(p, it->s.xmax); c++) {
				pl_list *cell = &cells[r * p->nx + c];
				(*list)[cell->first + cell->count++] = p->slice_at[k];
			}
		}
	return GEO_OK;
}

/* A cell no edge passes through lies wholly inside the grids holding its
** centre; when that is one grid or none, points there need no test. */
static int32_t cell_owner(const geo_placer *p, long r, long c, const pl_list *cell,
			  const uint32_t *list)
{
	double x = p->xmin + ((double)c + 0.5) * p->w, y = p->ymin + ((double)r + 0.5) * p->h_row;
	int claims = 0;
	int32_t owner = CELL_EMPTY;
	for (uint32_t i = 0; i < cell->count; i++) {
		const pl_item *it = &p->items[list[cell->first + i]];
		if (slice_claims(p, it, x, y)) {
			claims++;
			owner = (int32_t)it->s.grid;
		}
	}
	return claims <= 1 ? owner : CELL_MIXED;
}

/* Gives every cell its code and keeps the candidates of mixed cells only. */
static geo_err code_cells(geo_ctx *ctx, geo_placer *p, const pl_list *cells, const uint32_t *list,
			  const unsigned char *touched)
{
	size_t ncells = (size_t)p->nx * (size_t)p->ny, nmixed = 0, ncand = 0;
	p->code = geo_calloc(ctx, ncells, sizeof *p->code);
	if (!p->code)
		return GEO_ERR_INTERNAL;
	for (long r = 0; r < p->ny; r++)
		for (long c = 0; c < p->nx; c++) {
			size_t i = (size_t)(r * p->nx + c);
			p->code[i] = touched[i] ? CELL_MIXED : cell_owner(p, r, c, &cells[i], list);
			if (p->code[i] == CELL_MIXED) {
				nmixed++;
				ncand += cells[i].count > CELL_INLINE ? cells[i].count : 0;
			}
		}
	if (nmixed > INT32_MAX / 2)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "placer: too many cells");
	p->mixed = geo_calloc(ctx, nmixed + 1, sizeof *p->mixed);
	p->cand = geo_calloc(ctx, ncand + 1, sizeof *p->cand);
	if (!p->mixed || !p->cand)
		return GEO_ERR_INTERNAL;
	nmixed = ncand = 0;
	for (size_t i = 0; i < ncells; i++) {
		if (p->code[i] != CELL_MIXED)
			continue;
		pl_cell *m = &p->mixed[nmixed];
		const uint32_t *from = list + cells[i].first;
		m->count = cells[i].count;
		if (m->count <= CELL_INLINE) {
			memcpy(m->at, from, m->count * sizeof *from);
		} else {
			m->at[0] = (uint32_t)ncand;
			memcpy(p->cand + ncand, from, m->count * sizeof *from);
			ncand += m->count;
		}
		p->code[i] = CELL_MIXED - (int32_t)nmixed++;
	}
	return GEO_OK;
}

static geo_err make_cells(geo_ctx *ctx, geo_placer *p)
{
	size_t ncells = (size_t)p->nx * (size_t)p->ny;
	pl_list *cells = geo_calloc(ctx, ncells, sizeof *cells);
	unsigned char *touched = geo_calloc(ctx, ncells, 1);
	uint32_t *list = NULL;
	geo_err e = cells && touched ? list_candidates(ctx, p, cells, &list, touched)
				     : GEO_ERR_INTERNAL;
	if (!e)
		e = code_cells(ctx, p, cells, list, touched);
	free(cells);
	free(touched);
	free(list);
	return e;
}

static int by_id(const void *a, const void *b, void *data)
{
	const geo_gridset *gs = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(gs->grids[i].id, gs->grids[j].id);
	return c ? c : (i > j) - (i < j);
}

static geo_err rank_ids(geo_ctx *ctx, geo_placer *p)
{
	size_t n = p->grids->n;
	size_t *order = geo_calloc(ctx, n + 1, sizeof *order);
	p->rank = geo_calloc(ctx, n + 1, sizeof *p->rank);
	if (!order || !p->rank) {
		free(order);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, by_id, (void *)p->grids);
	for (size_t i = 0; i < n; i++)
		p->rank[order[i]] = i;
	free(order);
	return GEO_OK;
}

static geo_err gather_edges(geo_ctx *ctx, geo_placer *p, pl_build *b)
{
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	const geo_gridset *gs = p->grids;
	if (gs->n > UINT32_MAX / 2)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "placer: too many grids");
	p->xmin = p->ymin = INFINITY;
	p->xmax = p->ymax = -INFINITY;
	for (size_t g = 0; g < gs->n; g++) {
		const GEOSGeometry *geom = gs->grids[g].geom;
		if (!geom || GEOSisEmpty_r(h, geom))
			continue;
		double x0, y0, x1, y1;
		GEOSGeom_getExtent_r(h, geom, &x0, &y0, &x1, &y1);
		p->xmin = fmin(p->xmin, x0);
		p->ymin = fmin(p->ymin, y0);
		p->xmax = fmax(p->xmax, x1);
		p->ymax = fmax(p->ymax, y1);
		geo_err e = add_polygon(ctx, b, (uint32_t)g, geom);
		if (e)
			return e;
	}
	return GEO_OK;
}

geo_placer *geo_placer_new(geo_ctx *ctx, const geo_gridset *grids)
{
	geo_placer *p = geo_calloc(ctx, 1, sizeof *p);
	if (!p)
		return NULL;
	p->h = geo_ctx_geos(ctx);
	p->grids = grids;
	pl_build b = { 0 };
	size_t *start = NULL;
	uint32_t *grid = NULL;
	geo_err e = rank_ids(ctx, p);
	if (!e)
		e = gather_edges(ctx, p, &b);
	if (!e && b.n > 0) {
		size_lattice(p, b.n);
		e = spread_rows(ctx, p, &b, &start, &grid);
		if (!e)
			e = make_slices(ctx, p, start, grid);
		if (!e)
			e = make_cells(ctx, p);
	}
	free(b.edges);
	free(b.grid);
	free(start);
	free(grid);
	if (e) {
		geo_placer_free(p);
		return NULL;
	}
	return p;
}

void geo_placer_free(geo_placer *p)
{
	if (!p)
		return;
	free(p->edges);
	free(p->items);
	free(p->slice_at);
	free(p->row_slice);
	free(p->code);
	free(p->mixed);
	free(p->cand);
	free(p->rank);
	free(p);
}

/* The code of the cell holding (x, y); CELL_EMPTY outside the grids' extent. */
static int32_t code_at(const geo_placer *p, double x, double y)
{
	if (!(x >= p->xmin && x <= p->xmax && y >= p->ymin && y <= p->ymax) || !p->nx)
		return CELL_EMPTY;
	return p->code[row_of(p, y) * p->nx + col_of(p, x)];
}

/* The item of a mixed cell's i-th candidate slice. */
static const pl_item *candidate(const geo_placer *p, const pl_cell *cell, uint32_t i)
{
	return &p->items[cell->count <= CELL_INLINE ? cell->at[i] : p->cand[cell->at[0] + i]];
}

/* Of the candidate grids that pass test, the one first in grid_id order. */
static long first_by_id(const geo_placer *p, const pl_cell *cell, double x, double y,
			int (*test)(const geo_placer *, const pl_item *, double, double))
{
	long best = -1;
	for (uint32_t i = 0; i < cell->count; i++) {
		const pl_item *it = candidate(p, cell, i);
		if (test(p, it, x, y) && (best < 0 || p->rank[it->s.grid] < p->rank[best]))
			best = (long)it->s.grid;
	}
	return best;
}

long geo_placer_locate(geo_placer *p, double x, double y)
{
	int32_t code = code_at(p, x, y);
	if (code > CELL_MIXED)
		return code;
	const pl_cell *cell = &p->mixed[CELL_MIXED - code];
	long g = first_by_id(p, cell, x, y, slice_claims);
	return g >= 0 ? g : first_by_id(p, cell, x, y, slice_touches);
}

size_t geo_placer_all(geo_placer *p, double x, double y, long *out, size_t cap)
{
	int32_t code = code_at(p, x, y);
	if (code > CELL_MIXED) {
		if (code == CELL_EMPTY)
			return 0;
		if (cap)
			out[0] = code;
		return 1;
	}
	const pl_cell *cell = &p->mixed[CELL_MIXED - code];
	size_t n = 0;
	for (uint32_t i = 0; i < cell->count; i++) {
		const pl_item *it = candidate(p, cell, i);
		if (slice_claims(p, it, x, y) && !slice_touches(p, it, x, y)) {
			if (n < cap)
				out[n] = (long)it->s.grid;
			n++;
		}
	}
	if (n)
		return n;
	long g = geo_placer_locate(p, x, y);
	if (g < 0)
		return 0;
	if (cap)
		out[0] = g;
	return 1;
}

/*
** Locating many points at once hides memory latency: a lattice bigger than
** the cache costs a cache miss per point, and one point's misses cannot
** overlap while its lookups depend on each other. So each group of points is
** taken in passes, each pass fetching ahead what the next one reads: the
** cells' codes, then the mixed cells' records, then their first slices.
*/
enum { GROUP = 32 };

/* Below this many cells the lattice stays in cache and passes only cost. */
enum { SMALL_LATTICE = 1 << 16 };

void geo_placer_locate_many(geo_placer *p, size_t n, const double *x, const double *y, long *out)
{
	int32_t code[GROUP];
	if ((size_t)p->nx * (size_t)p->ny < SMALL_LATTICE) {
		for (size_t i = 0; i < n; i++)
			out[i] = geo_placer_locate(p, x[i], y[i]);
		return;
	}
	for (size_t i0 = 0; i0 < n; i0 += GROUP) {
		size_t m = n - i0 < GROUP ? n - i0 : GROUP;
		const double *gx = x + i0, *gy = y + i0;
		for (size_t k = 0; k < m; k++)
			if (gx[k] >= p->xmin && gx[k] <= p->xmax && gy[k] >= p->ymin && gy[k] <= p->ymax &&
			    p->nx)
				__builtin_prefetch(&p->code[row_of(p, gy[k]) * p->nx + col_of(p, gx[k])]);
		for (size_t k = 0; k < m; k++) {
			code[k] = code_at(p, gx[k], gy[k]);
			if (code[k] <= CELL_MIXED)
				__builtin_prefetch(&p->mixed[CELL_MIXED - code[k]]);
		}
		for (size_t k = 0; k < m; k++)
			if (code[k] <= CELL_MIXED) {
				const pl_cell *cell = &p->mixed[CELL_MIXED - code[k]];
				for (uint32_t i = 0; i < cell->count && i < CELL_INLINE; i++)
					__builtin_prefetch(candidate(p, cell, i));
			}
		for (size_t k = 0; k < m; k++)
			out[i0 + k] = code[k] > CELL_MIXED ? code[k] : geo_placer_locate(p, gx[k], gy[k]);
	}
}
