/*
** split.c: grid-split's verb. It reads the town and its layers (split_io.c),
** cuts the town into atoms (atoms.c), makes the primary grids by cutting each
** village into its share of primaries and then the secondary grids by cutting
** each primary into its share of secondaries (partition.c), dissolves each
** grid's atoms into one polygon with GEOS's coverage union, numbers the grids
** west to east and north to south, writes them and reports their quality.
** The regular methods (square and hexagon cells) skip the atoms and graphs.
**
** Every step is deterministic: atoms and grids are numbered by geometry and
** input order, the random numbers come from --seed, and GeoPackage output
** carries a fixed timestamp, so the same inputs and seed give the same bytes.
*/
#include "split/atoms.h"
#include "split/cells.h"
#include "split/input.h"
#include "split/linework.h"
#include "split/partition.h"
#include "split/split_codes.h"
#include "split/split_grid.h"
#include "split/split_io.h"
#include "split/split_redraw.h"
#include "split/split_straight.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cpl_conv.h>

/* How far a barrier end that stops short of another line is extended. */
#define SNAP_M 25.0
/* A secondary whose heaviest single point (building) exceeds this share of
** its target may stay outside the tolerance; it is reported as such. */
#define BUILDING_SHARE 0.15
/* The timestamp GeoPackage output carries unless OGR_CURRENT_DATE is set. */
#define FIXED_DATE "2000-01-01T00:00:00.000Z"

void geo_split_opts_init(geo_split_opts *o)
{
	memset(o, 0, sizeof *o);
	o->persons_field = "persons";
	o->village_name = "name";
	o->primaries = GEO_SPLIT_AUTO;
	o->secondaries = GEO_SPLIT_AUTO;
	o->max_households = GEO_SPLIT_AUTO;
	o->method = GEO_SPLIT_BALANCED;
	o->tolerance = 0.10;
	o->atom_fraction = 1.0 / 12;
	o->town_code = NULL;
	o->seed = 1;
	geo_output_opts_init(&o->common.out);
}

typedef struct run {
	geo_ctx *ctx;
	GEOSContextHandle_t h;
	const geo_split_opts *o;
	split_input in;
	geo_crs *work, *town_crs;
	int has_persons;
	split_atoms *a;
	long *unit;             /* per atom: village piece ("unit") */
	size_t nunits;
	long *prim, *sec;       /* per atom: primary and secondary */
	int *kunit;             /* primaries per unit */
	int *kprim;             /* secondaries per primary */
	size_t nprim, nsec;
	split_grid *grids;      /* primaries, then secondaries */
	size_t ngrids;
	double total_weight;
	split_redraw *rd;       /* a partial redraw, or NULL */
	double straightened;    /* limit length the straightening removed, m */
	split_grid *all;        /* every grid written, in code order (copies, not owners) */
	size_t nall;
	geo_progress progress;
	void *progress_data;
} run;

static void run_free(run *r)
{
	for (size_t i = 0; i < r->ngrids; i++) {
		if (r->grids[i].geom)
			GEOSGeom_destroy_r(r->h, r->grids[i].geom);
		free(r->grids[i].name);
	}
	free(r->grids);
	split_atoms_free(r->a);
	split_input_free(r->h, &r->in);
	geo_crs_free(r->work);
	geo_crs_free(r->town_crs);
	free(r->unit);
	free(r->prim);
	free(r->sec);
	free(r->kunit);
	free(r->kprim);
	split_redraw_free(r->h, r->rd);
	free(r->all);
}

static int step(run *r, double f, const char *msg)
{
	return geo_progress_step(r->ctx, r->progress, r->progress_data, f, msg);
}

/* ---- regions and their graphs ------------------------------------------------ */

/* The graph of the atoms whose label is `which`: vertex weights are household
** weight (area when the region has none), edge weights cut costs. */
static int region_graph(const run *r, const long *label, long which, size_t *map, long *loc,
			split_graph *g)
{
	const split_atoms *a = r->a;
	size_t n = 0, ne = 0;
	double w = 0;
	for (size_t v = 0; v < a->natoms; v++)
		if (label[v] == which) {
			loc[v] = (long)n;
			map[n++] = v;
			ne += a->xadj[v + 1] - a->xadj[v];
			w += a->weight[v];
		}
	if (!split_graph_alloc(g, n, ne, 1))
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory"), 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t v = map[i];
		g->vw[i] = w > 0 ? a->weight[v] : a->area[v];
		g->out[i] = a->outside[v] > 0;
		g->area[i] = a->area[v];
		g->outlen[i] = a->outside[v];
		for (size_t e = a->xadj[v]; e < a->xadj[v + 1]; e++) {
			size_t u = a->adj[e];
			if (label[u] != which) {
				g->out[i] = 1;
				g->outlen[i] += a->len[e];
				continue;
			}
			g->adj[m] = (size_t)loc[u];
			g->len[m] = a->len[e];
			g->ew[m++] = a->cost[e];
		}
		g->xadj[i + 1] = m;
	}
	for (size_t i = 0; i < n; i++)
		loc[map[i]] = -1;
	return 1;
}

/* Says which village (or primary of which village) a usage error is about. */
static geo_err name_region(run *r, const long *label, long which, size_t atom)
{
	char why[1024];
	snprintf(why, sizeof why, "%s", geo_last_error(r->ctx));
	long v = r->a->village[atom];
	const char *village = v >= 0 ? r->in.village_names[v] : _("the town");
	if (label == r->unit)
		return geo_fail(r->ctx, GEO_ERR_USAGE, "%s%s: %s", v >= 0 ? _("village ") : "", village, why);
	return geo_fail(r->ctx, GEO_ERR_USAGE, "primary %ld (in %s%s): %s", which + 1,
			v >= 0 ? _("village ") : "", village, why);
}

/* Partitions the atoms labelled `which` into k parts numbered from `base`
** into out[]. */
static geo_err cut_region(run *r, const long *label, long which, int k, long base,
			  unsigned long seed, long *out)
{
	size_t n = r->a->natoms;
	size_t *map = malloc(n * sizeof *map);
	long *loc = malloc(n * sizeof *loc);
	int *part = malloc(n * sizeof *part);
	split_graph g = { 0 };
	geo_err e = map && loc && part ? GEO_OK : geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	for (size_t v = 0; !e && v < n; v++)
		loc[v] = -1;
	if (!e && !region_graph(r, label, which, map, loc, &g))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = split_partition(r->ctx, &g, k, r->o->tolerance, seed, part);
	if (e == GEO_ERR_USAGE)
		e = name_region(r, label, which, g.n ? map[0] : 0);
	for (size_t i = 0; !e && i < g.n; i++)
		out[map[i]] = base + part[i];
	split_graph_free(&g);
	free(map);
	free(loc);
	free(part);
	return e;
}

/* Atoms outside every village (slivers of a village layer that almost tiles
** the town) join the neighbouring village they share most boundary with. */
static void close_village_gaps(split_atoms *a)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t v = 0; v < a->natoms; v++) {
			if (a->village[v] >= 0)
				continue;
			double best = 0;
			for (size_t e = a->xadj[v]; e < a->xadj[v + 1]; e++)
				if (a->village[a->adj[e]] >= 0 && a->len[e] > best) {
					best = a->len[e];
					a->village[v] = a->village[a->adj[e]];
					changed = 1;
				}
		}
	}
}

/* Units: the connected pieces of each village in the atom graph (a village
** with an exclave makes two). Primaries never cross them. */
static geo_err find_units(run *r)
{
	split_atoms *a = r->a;
	size_t *queue = malloc((a->natoms + 1) * sizeof *queue);
	r->unit = malloc((a->natoms + 1) * sizeof *r->unit);
	if (!queue || !r->unit) {
		free(queue);
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	for (size_t v = 0; v < a->natoms; v++)
		r->unit[v] = -1;
	r->nunits = 0;
	for (size_t v = 0; v < a->natoms; v++) {
		if (r->unit[v] >= 0)
			continue;
		size_t head = 0, tail = 0;
		r->unit[v] = (long)r->nunits;
		queue[tail++] = v;
		while (head < tail) {
			size_t x = queue[head++];
			for (size_t e = a->xadj[x]; e < a->xadj[x + 1]; e++) {
				size_t u = a->adj[e];
				if (r->unit[u] < 0 && a->village[u] == a->village[x]) {
					r->unit[u] = (long)r->nunits;
					queue[tail++] = u;
				}
			}
		}
		r->nunits++;
	}
	free(queue);
	return GEO_OK;
}

/* Shares k among n holders: one each, then one at a time to the holder
** whose share per part is largest (D'Hondt), which keeps the largest part as
** small as it can be. */
static void dhondt(const double *w, size_t n, long k, int *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = 1;
	for (long left = k - (long)n; left > 0; left--) {
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (w[i] / out[i] > w[best] / out[best])
				best = i;
		out[best]++;
	}
}

static double *sum_by(const run *r, const long *label, size_t n, const double *what)
{
	double *s = calloc(n ? n : 1, sizeof *s);
	for (size_t v = 0; s && v < r->a->natoms; v++)
		s[label[v]] += what[v];
	return s;
}

static double max_households(const geo_split_opts *o)
{
	return o->max_households > 0 ? o->max_households : GEO_SPLIT_MAX_HOUSEHOLDS;
}

/* ---- the two levels ---------------------------------------------------------------- */

static geo_err make_primaries(run *r)
{
	const geo_split_opts *o = r->o;
	long n = o->primaries;
	if (o->primary_by_villages || n == GEO_SPLIT_AUTO)
		n = (long)r->nunits;
	if (r->rd && n < (long)r->nunits) /* as many as it had, and one per village piece */
		n = (long)r->nunits;
	if (n < (long)r->nunits)
		return geo_fail(r->ctx, GEO_ERR_USAGE,
				"--primary %ld: the villages make %zu separate areas and a primary "
				"never crosses a village limit; ask for at least %zu", n, r->nunits,
				r->nunits);
	if (n > 999)
		return geo_fail(r->ctx, GEO_ERR_USAGE, "--primary %ld: at most 999 primaries fit "
				"a grid code", n);
	double *w = sum_by(r, r->unit, r->nunits, r->a->weight);
	r->kunit = calloc(r->nunits, sizeof *r->kunit);
	r->prim = malloc(r->a->natoms * sizeof *r->prim);
	if (!w || !r->kunit || !r->prim) {
		free(w);
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	dhondt(w, r->nunits, n, r->kunit);
	free(w);
	geo_err e = GEO_OK;
	long base = 0;
	for (size_t u = 0; !e && u < r->nunits; u++) {
		e = cut_region(r, r->unit, (long)u, r->kunit[u], base,
			       r->o->seed * 1000003UL + u, r->prim);
		base += r->kunit[u];
		if (!step(r, 0.4 + 0.2 * (double)u / (double)r->nunits, N_("primaries")))
			e = GEO_ERR_INTERNAL;
	}
	r->nprim = (size_t)n;
	return e;
}

static geo_err make_secondaries(run *r)
{
	const geo_split_opts *o = r->o;
	double *w = sum_by(r, r->prim, r->nprim, r->a->weight);
	r->kprim = calloc(r->nprim, sizeof *r->kprim);
	r->sec = malloc(r->a->natoms * sizeof *r->sec);
	if (!w || !r->kprim || !r->sec) {
		free(w);
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	geo_err e = GEO_OK;
	if (o->secondaries != GEO_SPLIT_AUTO) {
		if ((size_t)o->secondaries < r->nprim)
			e = geo_fail(r->ctx, GEO_ERR_USAGE, "--secondary %d: fewer than the %zu "
				     "primaries; every primary holds at least one", o->secondaries,
				     r->nprim);
		else
			dhondt(w, r->nprim, o->secondaries, r->kprim);
	} else {
		for (size_t p = 0; p < r->nprim; p++)
			r->kprim[p] = (int)fmax(1, ceil(w[p] / max_households(o) - 1e-9));
	}
	for (size_t p = 0; !e && p < r->nprim; p++)
		if (r->kprim[p] > 99)
			e = geo_fail(r->ctx, GEO_ERR_USAGE, "a primary would hold %d secondaries; at most "
				     "99 fit a grid code (ask for more primaries)", r->kprim[p]);
	free(w);
	long base = 0;
	for (size_t p = 0; !e && p < r->nprim; p++) {
		e = cut_region(r, r->prim, (long)p, r->kprim[p], base,
			       r->o->seed * 7919UL + 1000003UL * p, r->sec);
		base += r->kprim[p];
		if (!step(r, 0.6 + 0.2 * (double)p / (double)r->nprim, N_("secondaries")))
			e = GEO_ERR_INTERNAL;
	}
	r->nsec = (size_t)base;
	return e;
}

/* ---- dissolving ------------------------------------------------------------------------ */

/* The union of the faces of every atom labelled `which` (GEOS coverage union:
** the faces share edges exactly), which must be one polygon. */
static GEOSGeometry *dissolve(run *r, const long *label, long which, const size_t *faces,
			      size_t nf)
{
	GEOSGeometry **c = malloc((nf ? nf : 1) * sizeof *c);
	if (!c)
		return NULL;
	for (size_t i = 0; i < nf; i++)
		c[i] = r->a->faces[faces[i]];
	GEOSGeometry *u = split_union_one(r->h, c, nf);
	free(c);
	if (!u)
		geo_fail(r->ctx, GEO_ERR_INTERNAL, "grid %ld of level %d is not one polygon", which + 1,
			 label == r->prim ? 1 : 2);
	return u;
}

/* Fills grids [first, first + n) with the dissolved parts of `label`. */
static geo_err dissolve_level(run *r, const long *label, size_t n, size_t first, int level)
{
	const split_atoms *a = r->a;
	size_t *count = calloc(n + 1, sizeof *count), *faces = malloc((a->nfaces + 1) * sizeof *faces);
	if (!count || !faces) {
		free(count);
		free(faces);
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	for (size_t f = 0; f < a->nfaces; f++)
		count[label[a->face_atom[f]] + 1]++;
	for (size_t i = 0; i < n; i++)
		count[i + 1] += count[i];
	size_t *fill = malloc((n + 1) * sizeof *fill);
	geo_err e = fill ? GEO_OK : geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; !e && i <= n; i++)
		fill[i] = count[i];
	for (size_t f = 0; !e && f < a->nfaces; f++)
		faces[fill[label[a->face_atom[f]]]++] = f;
	for (size_t i = 0; !e && i < n; i++) {
		split_grid *g = &r->grids[first + i];
		g->level = level;
		g->geom = dissolve(r, label, (long)i, faces + count[i], count[i + 1] - count[i]);
		if (!g->geom)
			e = geo_last_code(r->ctx);
	}
	free(count);
	free(faces);
	free(fill);
	return e;
}

/* Totals per grid: weight, households, persons, area, compactness. */
static void measure(run *r)
{
	const split_atoms *a = r->a;
	for (size_t v = 0; v < a->natoms; v++) {
		split_grid *p = &r->grids[r->prim[v]], *s = &r->grids[r->nprim + (size_t)r->sec[v]];
		p->weight += a->weight[v];
		s->weight += a->weight[v];
		p->households += a->households[v];
		s->households += a->households[v];
		p->persons += a->persons[v];
		s->persons += a->persons[v];
		p->heaviest = fmax(p->heaviest, a->heaviest[v]);
		s->heaviest = fmax(s->heaviest, a->heaviest[v]);
		s->index = r->prim[v];
		/* Its limits: edges to other grids, and the town boundary. */
		split_grid *both[2] = { p, s };
		const long *lab[2] = { r->prim, r->sec };
		for (int k = 0; k < 2; k++) {
			both[k]->perimeter += a->outside[v];
			both[k]->on_town += a->outside[v];
			for (size_t e = a->xadj[v]; e < a->xadj[v + 1]; e++) {
				if (lab[k][a->adj[e]] == lab[k][v])
					continue;
				both[k]->perimeter += a->len[e];
				both[k]->on_road += a->road[e];
				both[k]->on_water += a->water[e];
				both[k]->on_village += a->vlimit[e];
			}
		}
	}
	for (size_t i = 0; i < r->ngrids; i++) {
		split_grid *g = &r->grids[i];
		g->area = geo_geom_area(r->ctx, g->geom);
		double len = geo_geom_length(r->ctx, g->geom);
		g->compactness = len > 0 ? 4 * M_PI * g->area / (len * len) : 0;
	}
}

/* Targets: a primary's is its unit's weight over the unit's primaries; a
** secondary's its primary's weight over the primary's secondaries. */
static void targets(run *r)
{
	double *uw = sum_by(r, r->unit, r->nunits, r->a->weight);
	long *unit_of = malloc((r->nprim + 1) * sizeof *unit_of);
	for (size_t v = 0; uw && unit_of && v < r->a->natoms; v++)
		unit_of[r->prim[v]] = r->unit[v];
	for (size_t p = 0; uw && unit_of && p < r->nprim; p++) {
		r->grids[p].index = (long)p;
		r->grids[p].target = uw[unit_of[p]] / r->kunit[unit_of[p]];
	}
	for (size_t s = 0; s < r->nsec; s++) {
		split_grid *g = &r->grids[r->nprim + s];
		g->target = r->grids[g->index].weight / r->kprim[g->index];
	}
	free(uw);
	free(unit_of);
}

/* ---- straightening ------------------------------------------------------------------ */

static int by_pair(const void *x, const void *y)
{
	const size_t *a = x, *b = y;
	return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) : (a[1] < b[1] ? -1 : a[1] > b[1]);
}

/* Pairs of secondaries that share limit off every line, each once. */
static size_t *free_pairs(const run *r, size_t *n)
{
	const split_atoms *a = r->a;
	size_t *p = malloc((a->xadj[a->natoms] + 1) * 2 * sizeof *p), k = 0;
	for (size_t v = 0; p && v < a->natoms; v++)
		for (size_t e = a->xadj[v]; e < a->xadj[v + 1]; e++)
			if (r->sec[a->adj[e]] > r->sec[v] && a->len[e] - a->along[e] > 0.5) {
				p[2 * k] = (size_t)r->sec[v];
				p[2 * k + 1] = (size_t)r->sec[a->adj[e]];
				k++;
			}
	if (p)
		qsort(p, k, 2 * sizeof *p, by_pair);
	*n = 0;
	for (size_t i = 0; p && i < k; i++)
		if (!*n || by_pair(p + 2 * i, p + 2 * (*n - 1))) {
			p[2 * *n] = p[2 * i];
			p[2 * *n + 1] = p[2 * i + 1];
			++*n;
		}
	return p;
}

/* Appends the LineString parts of g (cloned) to *v. */
static int add_parts(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***v, size_t *n,
		     size_t *cap)
{
	int np = g ? GEOSGetNumGeometries_r(h, g) : 0;
	for (int i = 0; i < np; i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		if (GEOSGeomTypeId_r(h, p) != GEOS_LINESTRING)
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 256;
			GEOSGeometry **w = realloc(*v, *cap * sizeof *w);
			if (!w)
				return 0;
			*v = w;
		}
		(*v)[(*n)++] = GEOSGeom_clone_r(h, p);
	}
	return 1;
}

/* Lines as one MultiLineString (prepared, its distance queries use an
** index): the town's boundary when kind is SPLIT_TOWN or -1, and the lines
** of that kind (-1: every line). */
static GEOSGeometry *lines_of(const run *r, int kind)
{
	GEOSGeometry **g = NULL;
	size_t n = 0, cap = 0;
	int ok = 1;
	for (size_t i = 0; ok && i < r->in.nlines; i++)
		if (kind < 0 || r->in.lines[i].kind == kind)
			ok = add_parts(r->h, r->in.lines[i].geom, &g, &n, &cap);
	if (ok && (kind < 0 || kind == SPLIT_TOWN)) {
		GEOSGeometry *b = GEOSBoundary_r(r->h, r->in.town);
		ok = b && add_parts(r->h, b, &g, &n, &cap);
		if (b)
			GEOSGeom_destroy_r(r->h, b);
	}
	GEOSGeometry *c = ok ? GEOSGeom_createCollection_r(r->h, GEOS_MULTILINESTRING, g, (unsigned)n)
			     : NULL;
	if (!c)
		for (size_t i = 0; i < n; i++)
			GEOSGeom_destroy_r(r->h, g[i]);
	free(g);
	return c;
}

/* Straightens the secondaries' free limits (split_straight.c). */
static geo_err straighten(run *r)
{
	split_straight s = { .prim = r->grids, .sec = r->grids + r->nprim, .nprim = r->nprim,
			     .nsec = r->nsec, .kprim = r->kprim, .points = r->in.points,
			     .npoints = r->in.npoints, .tol = 0.98 * r->o->tolerance };
	static const int kinds[5] = { -1, SPLIT_TOWN, SPLIT_VILLAGE, SPLIT_WATER, SPLIT_BARRIER };
	GEOSGeometry *lines[5];
	const GEOSPreparedGeometry *prep[5];
	int ok = 1;
	for (int k = 0; k < 5; k++) {
		lines[k] = lines_of(r, kinds[k]);
		prep[k] = lines[k] ? GEOSPrepare_r(r->h, lines[k]) : NULL;
		ok = ok && prep[k];
	}
	long *ps = malloc((r->in.npoints + 1) * sizeof *ps);
	for (size_t i = 0; ps && i < r->in.npoints; i++)
		ps[i] = r->a->point_atom[i] < 0 ? -1 : r->sec[r->a->point_atom[i]];
	size_t *pairs = free_pairs(r, &s.npairs);
	geo_err e = ps && pairs && ok ? GEO_OK : geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	s.point_sec = ps;
	s.pairs = pairs;
	s.lines = prep[0];
	for (int k = 0; k < 4; k++)
		s.kinds[k] = prep[k + 1];
	if (!e)
		e = split_straighten(r->ctx, &s);
	r->straightened = s.saved;
	for (int k = 0; k < 5; k++) {
		if (prep[k])
			GEOSPreparedGeom_destroy_r(r->h, prep[k]);
		if (lines[k])
			GEOSGeom_destroy_r(r->h, lines[k]);
	}
	free(pairs);
	free(ps);
	return e;
}

/* ---- numbering ------------------------------------------------------------------------ */

static geo_err number(run *r)
{
	long *village_of = malloc((r->nprim + 1) * sizeof *village_of);
	if (!village_of)
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	for (size_t v = 0; v < r->a->natoms; v++)
		village_of[r->prim[v]] = r->a->village[v];
	geo_err e = r->rd ? split_number_redraw(r->ctx, r->grids, r->nprim, r->nsec, village_of,
						r->in.village_names, r->in.nvillages,
						r->o->town_code, r->rd, r->work)
			  : split_number(r->ctx, r->grids, r->nprim, r->nsec, village_of,
					 r->in.village_names, r->in.nvillages, r->o->town_code,
					 r->o->keep_codes_from, r->work);
	free(village_of);
	return e;
}

/* Grids in code order: primaries, then secondaries, each by code. */
static int by_level_code(const void *x, const void *y)
{
	const split_grid *a = x, *b = y;
	if (a->level != b->level)
		return a->level - b->level;
	return strcmp(a->id, b->id);
}

/* ---- the report ----------------------------------------------------------------------------- */

typedef struct level_stats {
	size_t n;
	double wmin, wmax, maxdev, cmin, cmed;
	size_t out_of_tol, holes;
} level_stats;

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static level_stats stats(const run *r, int level)
{
	level_stats s = { 0, INFINITY, -INFINITY, 0, INFINITY, 0, 0, 0 };
	double *c = malloc((r->ngrids + 1) * sizeof *c);
	for (size_t i = 0; i < r->ngrids; i++) {
		const split_grid *g = &r->grids[i];
		if (g->level != level)
			continue;
		s.wmin = fmin(s.wmin, g->weight);
		s.wmax = fmax(s.wmax, g->weight);
		double dev = g->target > 0 ? fabs(g->weight - g->target) / g->target : 0;
		s.maxdev = fmax(s.maxdev, dev);
		s.out_of_tol += dev > r->o->tolerance + 1e-9;
		s.cmin = fmin(s.cmin, g->compactness);
		s.holes += (size_t)GEOSGetNumInteriorRings_r(r->h, g->geom);
		if (c)
			c[s.n] = g->compactness;
		s.n++;
	}
	if (c && s.n) {
		qsort(c, s.n, sizeof *c, by_double);
		s.cmed = s.n % 2 ? c[s.n / 2] : (c[s.n / 2 - 1] + c[s.n / 2]) / 2;
	}
	free(c);
	if (!s.n)
		s.wmin = s.wmax = s.cmin = 0;
	return s;
}

/* Internal limits of the secondaries (the town boundary excluded) and how
** much of them runs on barriers or village limits. */
static void limits(const run *r, double *internal, double *along)
{
	*internal = *along = 0;
	const split_atoms *a = r->a;
	if (!a || !r->sec)
		return;
	for (size_t v = 0; v < a->natoms; v++)
		for (size_t e = a->xadj[v]; e < a->xadj[v + 1]; e++)
			if (r->sec[a->adj[e]] != r->sec[v]) {
				*internal += a->len[e] / 2;
				*along += a->along[e] / 2;
			}
	*internal -= r->straightened;
}

static void json_level(geo_buf *b, const char *name, const level_stats *s)
{
	geo_buf_printf(b, ", \"%s\": {\"count\": %zu, \"weight\": {\"min\": ", name, s->n);
	geo_json_num(b, s->wmin, 1);
	geo_buf_add(b, ", \"max\": ");
	geo_json_num(b, s->wmax, 1);
	geo_buf_add(b, ", \"max_deviation_pct\": ");
	geo_json_num(b, s->maxdev * 100, 2);
	geo_buf_printf(b, ", \"outside_tolerance\": %zu}, \"compactness\": {\"min\": ", s->out_of_tol);
	geo_json_num(b, s->cmin, 4);
	geo_buf_add(b, ", \"median\": ");
	geo_json_num(b, s->cmed, 4);
	geo_buf_printf(b, "}, \"holes\": %zu}", s->holes);
}

/* Secondaries outside the tolerance, each saying whether one building
** (point) holds more than BUILDING_SHARE of its target. */
static void json_exceptions(geo_buf *b, const run *r)
{
	geo_buf_add(b, ", \"exceptions\": [");
	int first = 1;
	for (size_t i = 0; i < r->ngrids; i++) {
		const split_grid *g = &r->grids[i];
		double dev = g->target > 0 ? (g->weight - g->target) / g->target : 0;
		if (g->level != 2 || fabs(dev) <= r->o->tolerance + 1e-9)
			continue;
		geo_buf_add(b, first ? "{\"grid_id\": " : ", {\"grid_id\": ");
		geo_json_str(b, g->id);
		geo_buf_add(b, ", \"weight\": ");
		geo_json_num(b, g->weight, 1);
		geo_buf_add(b, ", \"target\": ");
		geo_json_num(b, g->target, 1);
		geo_buf_add(b, ", \"deviation_pct\": ");
		geo_json_num(b, dev * 100, 2);
		geo_buf_printf(b, ", \"single_building\": %s}",
			       g->heaviest > BUILDING_SHARE * g->target ? "true" : "false");
		first = 0;
	}
	geo_buf_add(b, "]");
}

typedef struct outside {
	size_t n;
	long long fid[10];
	double x, y;
} outside;

static outside households_outside(const run *r, const long *where)
{
	outside o = { 0 };
	for (size_t i = 0; i < r->in.npoints; i++) {
		if (where[i] >= 0)
			continue;
		if (o.n < sizeof o.fid / sizeof o.fid[0])
			o.fid[o.n] = r->in.points[i].fid;
		if (!o.n) {
			o.x = r->in.points[i].x;
			o.y = r->in.points[i].y;
		}
		o.n++;
	}
	return o;
}

/* ---- per grid: the planner's table ----------------------------------------------- */

/* Whether grid i of r->grids is written: in a level 2 redraw the new
** primaries stand for kept ones and are not. */
static int written(const run *r, size_t i)
{
	return !(r->rd && r->rd->level == 2 && r->grids[i].level == 1);
}

static double deviation(const split_grid *g)
{
	return g->target > 0 ? (g->weight - g->target) / g->target : 0;
}

static double free_share(const split_grid *g)
{
	if (!(g->perimeter > 0))
		return 0;
	double on = g->on_road + g->on_water + g->on_village + g->on_town;
	return fmax(0, 1 - on / g->perimeter);
}

/*
** How far a secondary is from what a planner accepts: its deviation over
** the tolerance, plus 0.20 over its Polsby-Popper, plus the share of its
** limit that follows nothing over one half. Each term is 1 at the floor the
** grids are held to (the tolerance, Polsby-Popper 0.20, half the limit free).
*/
static double badness(const run *r, const split_grid *g, int *why)
{
	double t[3] = { fabs(deviation(g)) / r->o->tolerance,
			g->compactness > 0 ? 0.20 / g->compactness : 10, free_share(g) / 0.5 };
	*why = t[1] > t[0] ? 1 : 0;
	*why = t[2] > t[*why] ? 2 : *why;
	return t[0] + t[1] + t[2];
}

enum { WORST = 5 };

/* The WORST secondaries, worst first; returns how many. */
static size_t worst(const run *r, size_t *out)
{
	size_t n = 0;
	double score[WORST];
	for (size_t i = 0; i < r->ngrids; i++) {
		if (r->grids[i].level != 2)
			continue;
		int why;
		double s = badness(r, &r->grids[i], &why);
		size_t k = n < WORST ? n++ : WORST;
		if (k == WORST && !(s > score[WORST - 1]))
			continue;
		if (k == WORST)
			k = WORST - 1;
		while (k > 0 && s > score[k - 1]) {
			score[k] = score[k - 1];
			out[k] = out[k - 1];
			k--;
		}
		score[k] = s;
		out[k] = i;
	}
	return n;
}

static const char *why_name[] = { N_("households"), N_("shape"), N_("free limit") };

static void json_grids(geo_buf *b, const run *r)
{
	geo_buf_add(b, ", \"grids\": [");
	for (size_t i = 0; i < r->nall; i++) {
		const split_grid *g = &r->all[i];
		geo_buf_add(b, i ? ", {\"grid_id\": " : "{\"grid_id\": ");
		geo_json_str(b, g->id);
		geo_buf_printf(b, ", \"level\": %d, \"name\": ", g->level);
		geo_json_str(b, g->name ? g->name : "");
		geo_buf_add(b, ", \"households\": ");
		geo_json_num(b, g->households, 0);
		geo_buf_add(b, ", \"persons\": ");
		if (r->has_persons && g->households >= 0)
			geo_json_num(b, g->persons, 0);
		else
			geo_buf_add(b, "null");
		geo_buf_add(b, ", \"area_m2\": ");
		geo_json_num(b, g->area, 1);
		geo_buf_add(b, ", \"compactness\": ");
		geo_json_num(b, g->compactness, 4);
		if (g->kept) {
			geo_buf_add(b, ", \"kept\": true}");
			continue;
		}
		geo_buf_add(b, ", \"deviation_pct\": ");
		geo_json_num(b, deviation(g) * 100, 2);
		geo_buf_add(b, ", \"limit_m\": ");
		geo_json_num(b, g->perimeter, 1);
		double p = g->perimeter > 0 ? g->perimeter : 1;
		geo_buf_add(b, ", \"on_roads\": ");
		geo_json_num(b, g->on_road / p, 4);
		geo_buf_add(b, ", \"on_rivers\": ");
		geo_json_num(b, g->on_water / p, 4);
		geo_buf_add(b, ", \"on_village_limits\": ");
		geo_json_num(b, g->on_village / p, 4);
		geo_buf_add(b, ", \"on_town_boundary\": ");
		geo_json_num(b, g->on_town / p, 4);
		geo_buf_add(b, ", \"free\": ");
		geo_json_num(b, free_share(g), 4);
		geo_buf_add(b, "}");
	}
	geo_buf_add(b, "]");
	size_t w[WORST], n = worst(r, w);
	geo_buf_add(b, ", \"worst\": [");
	for (size_t k = 0; k < n; k++) {
		int why;
		double s = badness(r, &r->grids[w[k]], &why);
		geo_buf_add(b, k ? ", {\"grid_id\": " : "{\"grid_id\": ");
		geo_json_str(b, r->grids[w[k]].id);
		geo_buf_add(b, ", \"score\": ");
		geo_json_num(b, s, 3);
		geo_buf_printf(b, ", \"mostly\": \"%s\"}", why_name[why]);
	}
	geo_buf_add(b, "]");
}

/* Secondaries' limits by what they follow, as shares of their total length. */
static void text_limits(geo_buf *b, const run *r)
{
	double len = 0, road = 0, water = 0, vil = 0, town = 0;
	for (size_t i = 0; i < r->ngrids; i++) {
		const split_grid *g = &r->grids[i];
		if (g->level != 2)
			continue;
		len += g->perimeter;
		road += g->on_road;
		water += g->on_water;
		vil += g->on_village;
		town += g->on_town;
	}
	if (!(len > 0))
		return;
	geo_buf_printf(b, _("  secondaries' limits: %.0f%% on roads, %.0f%% on rivers, %.0f%% on village "
		       "limits, %.0f%% on the %s, %.0f%% free\n"), 100 * road / len,
		       100 * water / len, 100 * vil / len, 100 * town / len,
		       r->rd ? _("kept grids' limits") : _("town boundary"),
		       fmax(0, 100 * (1 - (road + water + vil + town) / len)));
	size_t w[WORST], n = worst(r, w);
	if (n)
		geo_buf_printf(b, _("  the %zu secondaries furthest from the floors:\n"), n);
	for (size_t k = 0; k < n; k++) {
		const split_grid *g = &r->grids[w[k]];
		int why;
		badness(r, g, &why);
		geo_buf_printf(b, _("    %s %s: %.0f households (%+.1f%%), Polsby-Popper %.2f, %.0f%% "
			       "of its limit free (mostly %s)\n"), g->id, g->name ? g->name : "",
			       g->households, 100 * deviation(g), g->compactness, 100 * free_share(g),
			       _(why_name[why]));
	}
}

static void render_json(geo_buf *b, const run *r, const outside *out, double seconds)
{
	const geo_split_opts *o = r->o;
	level_stats p = stats(r, 1), s = stats(r, 2);
	double internal, along;
	limits(r, &internal, &along);
	double households = 0, persons = 0;
	for (size_t i = 0; i < r->ngrids; i++)
		if (r->grids[i].level == 1 && r->grids[i].households > 0) {
			households += r->grids[i].households;
			persons += r->grids[i].persons;
		}
	static const char *methods[] = { "balanced", "square", "hex" };
	geo_buf_printf(b, "{\"method\": \"%s\", \"counts\": {\"primary\": %zu, \"secondary\": %zu, "
		       "\"atoms\": %zu, \"blocks_split\": %zu, \"villages\": %zu}",
		       methods[o->method], p.n, s.n, r->a ? r->a->natoms : 0,
		       r->a ? r->a->nsplit : 0, r->in.nvillages);
	if (r->rd) {
		const split_redraw *rd = r->rd;
		geo_buf_printf(b, ", \"redraw\": {\"level\": %d, \"redrawn\": {\"primary\": %zu, "
			       "\"secondary\": %zu}, \"kept\": {\"primary\": %zu, \"secondary\": %zu}}",
			       rd->level, rd->redrawn[0].n, rd->redrawn[1].n, rd->keptv[0].n,
			       rd->keptv[1].n);
	}
	geo_buf_add(b, ", \"households\": {\"inside\": ");
	geo_json_num(b, households, 0);
	geo_buf_add(b, ", \"persons\": ");
	if (r->has_persons)
		geo_json_num(b, persons, 0);
	else
		geo_buf_add(b, "null");
	geo_buf_add(b, ", \"weight_field\": ");
	if (o->weight_field)
		geo_json_str(b, o->weight_field);
	else
		geo_buf_add(b, "null");
	geo_buf_add(b, ", \"weight\": ");
	geo_json_num(b, r->total_weight, 1);
	geo_buf_printf(b, ", \"outside\": %zu, \"outside_features\": [", out->n);
	for (size_t i = 0; i < out->n && i < sizeof out->fid / sizeof out->fid[0]; i++)
		geo_buf_printf(b, "%s%lld", i ? ", " : "", out->fid[i]);
	geo_buf_add(b, "]}, \"tolerance_pct\": ");
	geo_json_num(b, o->tolerance * 100, 1);
	json_level(b, "primary", &p);
	if (o->method == GEO_SPLIT_BALANCED) {
		json_level(b, "secondary", &s);
		json_exceptions(b, r);
		geo_buf_add(b, ", \"limits\": {\"internal_m\": ");
		geo_json_num(b, internal, 1);
		geo_buf_add(b, ", \"along_barriers_m\": ");
		geo_json_num(b, along, 1);
		geo_buf_add(b, ", \"along_share\": ");
		geo_json_num(b, internal > 0 ? along / internal : 0, 4);
		geo_buf_add(b, "}");
		json_grids(b, r);
	}
	geo_buf_add(b, ", \"time_s\": ");
	geo_json_num(b, seconds, 3);
	geo_buf_add(b, "}\n");
}

static void render_text(geo_buf *b, const run *r, const outside *out)
{
	const geo_split_opts *o = r->o;
	level_stats p = stats(r, 1), s = stats(r, 2);
	if (o->method != GEO_SPLIT_BALANCED) {
		geo_buf_printf(b, _("%zu %s cells of %g m\n"), p.n,
			       o->method == GEO_SPLIT_SQUARE ? _("square") : _("hexagon"), o->cell_size);
		geo_buf_printf(b, _("  compactness (Polsby-Popper): min %.2f, median %.2f\n"), p.cmin,
			       p.cmed);
		return;
	}
	double internal, along;
	limits(r, &internal, &along);
	const split_redraw *rd = r->rd;
	if (rd && rd->level == 2)
		geo_buf_printf(b, _("%zu secondary grids redrawn from %zu atoms in the place of %zu, "
			       "in %zu kept primaries\n"), s.n, r->a->natoms, rd->redrawn[1].n, p.n);
	else if (rd)
		geo_buf_printf(b, _("%zu primary and %zu secondary grids redrawn from %zu atoms in the "
			       "place of %zu and %zu\n"), p.n, s.n, r->a->natoms, rd->redrawn[0].n,
			       rd->redrawn[1].n);
	else
		geo_buf_printf(b, _("%zu primary and %zu secondary grids from %zu atoms\n"), p.n, s.n,
			       r->a->natoms);
	if (rd)
		geo_buf_printf(b, _("  kept as they were: %zu primary and %zu secondary grids\n"),
			       rd->keptv[0].n, rd->keptv[1].n);
	geo_buf_printf(b, _("  households: %.0f in the %s, %zu outside\n"),
		       r->total_weight >= 0 ? (double)(r->in.npoints - out->n) : 0,
		       rd ? _("redrawn area") : _("town"), out->n);
	geo_buf_printf(b, _("  secondary %s: %.0f to %.0f, largest deviation %.1f%% of its primary's "
		       "target (tolerance %.0f%%), %zu outside it\n"),
		       o->weight_field ? o->weight_field : _("households"), s.wmin, s.wmax,
		       s.maxdev * 100, o->tolerance * 100, s.out_of_tol);
	if (rd && rd->level == 2)
		geo_buf_printf(b, _("  compactness (Polsby-Popper): secondary min %.2f, median %.2f\n"),
			       s.cmin, s.cmed);
	else
		geo_buf_printf(b, _("  compactness (Polsby-Popper): primary min %.2f, median %.2f; "
			       "secondary min %.2f, median %.2f\n"), p.cmin, p.cmed, s.cmin, s.cmed);
	geo_buf_printf(b, _("  internal limits along roads, rivers and village limits: %.1f%% of "
		       "%.1f km\n"), internal > 0 ? 100 * along / internal : 0, internal / 1000);
	if (p.holes || s.holes)
		geo_buf_printf(b, _("  grids with holes: %zu primary, %zu secondary\n"), p.holes, s.holes);
	text_limits(b, r);
}

/* ---- the verb -------------------------------------------------------------------------------- */

static geo_err check_opts(geo_ctx *ctx, const geo_split_opts *o)
{
	if (!(o->tolerance > 0 && o->tolerance < 1))
		return geo_fail(ctx, GEO_ERR_USAGE, "--tolerance %g: must be above 0 and below 100",
				o->tolerance * 100);
	if (o->town_code && !geo_grid_town_code_ok(o->town_code))
		return geo_fail(ctx, GEO_ERR_USAGE, "--town-code %s: not 9 digits", o->town_code);
	if (o->method == GEO_SPLIT_BALANCED && !o->households)
		return geo_fail(ctx, GEO_ERR_USAGE, "the balanced method needs --households LAYER "
				"(or use --method square:SIZE or hex:SIZE)");
	if (o->method != GEO_SPLIT_BALANCED && !(o->cell_size > 0))
		return geo_fail(ctx, GEO_ERR_USAGE, "--method: the cell size must be above 0");
	if (o->primary_by_villages && !o->villages)
		return geo_fail(ctx, GEO_ERR_USAGE, "--primary-by villages needs --villages LAYER");
	if (o->primary_by_villages && o->primaries != GEO_SPLIT_AUTO)
		return geo_fail(ctx, GEO_ERR_USAGE, "--primary and --primary-by villages: give one");
	if (o->method == GEO_SPLIT_BALANCED && !o->villages && o->primaries == GEO_SPLIT_AUTO &&
	    !o->keep_from)
		return geo_fail(ctx, GEO_ERR_USAGE, "say how many primaries with --primary N, or give "
				"--villages LAYER for one per village");
	if (o->primaries < 0 || o->secondaries < 0 || o->max_households < 0)
		return geo_fail(ctx, GEO_ERR_USAGE, "grid counts must be above 0");
	if (o->secondaries != GEO_SPLIT_AUTO && o->max_households != GEO_SPLIT_AUTO)
		return geo_fail(ctx, GEO_ERR_USAGE, "--secondary and --max-households: give one");
	if ((o->redraw || o->redraw_grids) && !o->keep_from)
		return geo_fail(ctx, GEO_ERR_USAGE, "--redraw and --redraw-grids need --keep-from OLD "
				"(the grids to keep)");
	if (o->keep_from && !o->redraw && !o->redraw_grids)
		return geo_fail(ctx, GEO_ERR_USAGE, "--keep-from: say what to redraw with --redraw "
				"VILLAGE,... or --redraw-grids CODE,...");
	if (o->keep_from && o->keep_codes_from)
		return geo_fail(ctx, GEO_ERR_USAGE, "--keep-from and --keep-codes-from: give one "
				"(--keep-from keeps codes too)");
	if (o->keep_from && o->method != GEO_SPLIT_BALANCED)
		return geo_fail(ctx, GEO_ERR_USAGE, "--keep-from works with the balanced method only");
	if (o->redraw && !o->villages)
		return geo_fail(ctx, GEO_ERR_USAGE, "--redraw names villages: give --villages LAYER");
	if (!(o->atom_fraction > 0 && o->atom_fraction <= 1))
		return geo_fail(ctx, GEO_ERR_USAGE, "atom fraction must be in (0, 1]");
	return GEO_OK;
}

static geo_err balanced(run *r, outside *out)
{
	const geo_split_opts *o = r->o;
	double w = 0;
	for (size_t i = 0; i < r->in.npoints; i++)
		w += r->in.points[i].weight;
	double m = o->secondaries != GEO_SPLIT_AUTO ? o->secondaries : ceil(w / max_households(o));
	r->a = split_atoms_build(r->ctx, &r->in, w > 0 ? o->atom_fraction * w / fmax(1, m) : 0,
				 SNAP_M, o->seed);
	if (!r->a)
		return geo_last_code(r->ctx);
	*out = households_outside(r, r->a->point_atom);
	r->total_weight = 0;
	for (size_t v = 0; v < r->a->natoms; v++)
		r->total_weight += r->a->weight[v];
	if (!(r->total_weight > 0))
		return geo_fail(r->ctx, GEO_ERR_INPUT, "%s: no household inside the town",
				o->households);
	if (!step(r, 0.4, N_("atoms")))
		return GEO_ERR_INTERNAL;
	if (r->in.nvillages)
		close_village_gaps(r->a);
	geo_err e = find_units(r);
	if (!e)
		e = make_primaries(r);
	if (!e)
		e = make_secondaries(r);
	if (e)
		return e;
	r->ngrids = r->nprim + r->nsec;
	r->grids = calloc(r->ngrids, sizeof *r->grids);
	if (!r->grids)
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	e = dissolve_level(r, r->prim, r->nprim, 0, 1);
	if (!e)
		e = dissolve_level(r, r->sec, r->nsec, r->nprim, 2);
	if (e)
		return e;
	measure(r);
	targets(r);
	e = straighten(r);
	return e ? e : number(r);
}

/* Counts the households of each regular cell. */
static geo_err count_cells(run *r, outside *out)
{
	GEOSGeometry **g = malloc((r->ngrids + 1) * sizeof *g);
	long *where = malloc((r->in.npoints + 1) * sizeof *where);
	if (!g || !where) {
		free(g);
		free(where);
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < r->ngrids; i++)
		g[i] = r->grids[i].geom;
	geo_index *idx = geo_index_new(r->ctx, g, r->ngrids);
	size_t cand[64];
	for (size_t i = 0; idx && i < r->in.npoints; i++) {
		const split_point *p = &r->in.points[i];
		size_t n = geo_index_query_box(idx, p->x, p->y, p->x, p->y, cand, 64);
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(r->h, p->x, p->y);
		where[i] = -1;
		for (size_t k = 0; k < n && k < 64; k++)
			if (GEOSPreparedIntersects_r(r->h, geo_index_prepared(idx, cand[k]), pt) == 1 &&
			    (where[i] < 0 || (long)cand[k] < where[i]))
				where[i] = (long)cand[k];
		GEOSGeom_destroy_r(r->h, pt);
		if (where[i] >= 0) {
			r->grids[where[i]].households += 1;
			r->grids[where[i]].persons += p->persons;
			r->grids[where[i]].weight += p->weight;
			r->total_weight += p->weight;
		}
	}
	*out = households_outside(r, where);
	geo_index_free(idx);
	free(g);
	free(where);
	return GEO_OK;
}

static geo_err regular(run *r, outside *out)
{
	const geo_split_opts *o = r->o;
	geo_err e = split_cells(r->ctx, r->in.town, o->method == GEO_SPLIT_HEX, o->cell_size,
				o->origin_x, o->origin_y, o->allow_large, &r->grids, &r->ngrids);
	if (e)
		return e;
	if (r->ngrids > 999)
		return geo_fail(r->ctx, GEO_ERR_USAGE, "--method: %zu cells of %g m; at most 999 fit a "
				"grid code (use a bigger size)", r->ngrids, o->cell_size);
	for (size_t i = 0; o->households && i < r->ngrids; i++)
		r->grids[i].households = 0;
	if (o->households && (e = count_cells(r, out)))
		return e;
	for (size_t i = 0; !e && i < r->ngrids; i++) {
		split_grid *g = &r->grids[i];
		g->area = geo_geom_area(r->ctx, g->geom);
		double len = geo_geom_length(r->ctx, g->geom);
		g->compactness = len > 0 ? 4 * M_PI * g->area / (len * len) : 0;
		e = geo_grid_code_primary(g->id, sizeof g->id, o->town_code, (int)i + 1);
		geo_buf b;
		geo_buf_init(&b);
		geo_buf_printf(&b, "col %ld row %ld", g->col, g->row);
		if (!e && !(g->name = geo_buf_take(&b)))
			e = geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	return e;
}

/* Writes the grids in code order. */
static geo_err write_grids(run *r, const char *output)
{
	const geo_split_opts *o = r->o;
	geo_crs *out_crs = o->common.t_srs ? geo_crs_new(r->ctx, o->common.t_srs) : geo_crs_clone(r->town_crs);
	geo_err e = out_crs ? GEO_OK : geo_last_code(r->ctx);
	if (!e)
		e = split_write(r->ctx, output, o, r->work, out_crs, r->all, r->nall, r->has_persons,
				o->method != GEO_SPLIT_BALANCED);
	if (!e && o->report_table)
		e = split_write_table(r->ctx, o->report_table, o, r->all, r->nall, r->has_persons);
	geo_crs_free(out_crs);
	return e;
}

/* r->all: every grid written, kept ones included, in code order, with its
** deviation and free share. */
static geo_err collect(run *r)
{
	size_t nkept = r->rd ? r->rd->nkept : 0;
	r->all = malloc((r->ngrids + nkept + 1) * sizeof *r->all);
	if (!r->all)
		return geo_fail(r->ctx, GEO_ERR_INTERNAL, "out of memory");
	r->nall = 0;
	for (size_t i = 0; i < r->ngrids; i++)
		if (written(r, i)) {
			split_grid *g = &r->grids[i];
			g->deviation = deviation(g);
			g->free = free_share(g);
			r->all[r->nall++] = *g;
		}
	if (nkept)
		memcpy(r->all + r->nall, r->rd->kept, nkept * sizeof *r->all);
	r->nall += nkept;
	qsort(r->all, r->nall, sizeof *r->all, by_level_code);
	return GEO_OK;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Without --town-code, grid codes begin with the town feature's own code
** (DESIGN.md: two towns' grids must never share codes), else 000000000. */
static const char *town_code_of(geo_ctx *ctx, const split_input *in)
{
	if (in->town_code[0]) {
		geo_log(ctx, GEO_LOG_INFO, "grid codes begin with the town's code %s (field %s)",
			in->town_code, geo_ctx_town_field(ctx));
		return in->town_code;
	}
	geo_log(ctx, GEO_LOG_INFO, "the town has no 9-digit code in field %s: grid codes begin with %s",
		geo_ctx_town_field(ctx), GEO_TOWN_CODE_DEFAULT);
	return GEO_TOWN_CODE_DEFAULT;
}

static geo_err split(geo_ctx *ctx, const char *town, const char *output, const geo_split_opts *o,
		     char **report, geo_progress progress, void *progress_data)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	geo_err e = check_opts(ctx, o);
	if (e)
		return e;
	/* A partial redraw sets the counts of the area it redraws. */
	geo_split_opts local = *o;
	split_redraw rd;
	memset(&rd, 0, sizeof rd);
	run r = { .ctx = ctx, .h = geo_ctx_geos(ctx), .o = &local, .progress = progress,
		  .progress_data = progress_data };
	outside out = { 0 };
	/* A fixed timestamp in GeoPackage metadata, so output bytes repeat. */
	const char *had = CPLGetConfigOption("OGR_CURRENT_DATE", NULL);
	char *saved = had ? CPLStrdup(had) : NULL;
	if (!had)
		CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", FIXED_DATE);
	e = split_read(ctx, town, o, &r.in, &r.work, &r.town_crs, &r.has_persons);
	if (!e && !local.town_code)
		local.town_code = town_code_of(ctx, &r.in);
	if (!e && o->keep_from) {
		r.rd = &rd;
		e = split_redraw_prepare(ctx, &local, r.work, &r.in, &rd);
	}
	if (!e && !step(&r, 0.1, N_("read")))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = o->method == GEO_SPLIT_BALANCED ? balanced(&r, &out) : regular(&r, &out);
	if (!e && out.n)
		geo_log(ctx, GEO_LOG_WARN, "%s: %zu household%s outside the town, not counted "
			"(the first: feature %lld at (%.1f, %.1f))", o->households, out.n,
			out.n == 1 ? " lies" : "s lie", out.fid[0], out.x, out.y);
	if (!e && !step(&r, 0.9, N_("writing")))
		e = GEO_ERR_INTERNAL;
	if (!e)
		e = collect(&r);
	if (!e)
		e = write_grids(&r, output);
	if (!e) {
		geo_buf b;
		geo_buf_init(&b);
		if (o->common.json)
			render_json(&b, &r, &out, elapsed(&t0));
		else
			render_text(&b, &r, &out);
		if (!(*report = geo_buf_take(&b)))
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	if (!e)
		step(&r, 1, N_("done"));
	if (!had)
		CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
	CPLFree(saved);
	run_free(&r);
	return e;
}

geo_err geo_split(geo_ctx *ctx, const char *town, const geo_split_opts *o, geo_split_result **result,
		  geo_progress progress, void *progress_data)
{
	char *report = NULL;
	geo_err e = split(ctx, town, o->common.output, o, &report, progress, progress_data);
	return geo_rendered_give(ctx, e, report, o->common.json, result);
}
