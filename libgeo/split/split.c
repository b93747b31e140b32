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

/* ---- the result ----------------------------------------------------------------------------- */

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static geo_split_level stats(const run *r, int level)
{
	geo_split_level s = { .weight_min = INFINITY, .weight_max = -INFINITY,
			      .compactness_min = INFINITY };
	double *c = malloc((r->ngrids + 1) * sizeof *c);
	for (size_t i = 0; i < r->ngrids; i++) {
		const split_grid *g = &r->grids[i];
		if (g->level != level)
			continue;
		s.weight_min = fmin(s.weight_min, g->weight);
		s.weight_max = fmax(s.weight_max, g->weight);
		double dev = g->target > 0 ? fabs(g->weight - g->target) / g->target : 0;
		s.max_deviation = fmax(s.max_deviation, dev);
		s.outside_tolerance += dev > r->o->tolerance + 1e-9;
		s.compactness_min = fmin(s.compactness_min, g->compactness);
		s.holes += (size_t)GEOSGetNumInteriorRings_r(r->h, g->geom);
		if (c)
			c[s.count] = g->compactness;
		s.count++;
	}
	if (c && s.count) {
		qsort(c, s.count, sizeof *c, by_double);
		s.compactness_median = s.count % 2 ? c[s.count / 2]
						   : (c[s.count / 2 - 1] + c[s.count / 2]) / 2;
	}
	free(c);
	if (!s.count)
		s.weight_min = s.weight_max = s.compactness_min = 0;
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

typedef struct outside {
	size_t n;
	long long fid[GEO_SPLIT_LISTED];
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

/* The GEO_SPLIT_WORST secondaries, worst first; returns how many. */
static size_t worst(const run *r, size_t *out)
{
	size_t n = 0;
	double score[GEO_SPLIT_WORST];
	for (size_t i = 0; i < r->ngrids; i++) {
		if (r->grids[i].level != 2)
			continue;
		int why;
		double s = badness(r, &r->grids[i], &why);
		size_t k = n < GEO_SPLIT_WORST ? n++ : GEO_SPLIT_WORST;
		if (k == GEO_SPLIT_WORST && !(s > score[GEO_SPLIT_WORST - 1]))
			continue;
		if (k == GEO_SPLIT_WORST)
			k = GEO_SPLIT_WORST - 1;
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

void geo_split_result_free(geo_split_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ngrids; i++) {
		free(r->grids[i].grid_id);
		free(r->grids[i].name);
	}
	for (size_t i = 0; i < r->nexceptions; i++)
		free(r->exceptions[i].grid_id);
	free(r->grids);
	free(r->exceptions);
	free(r->weight_field);
	free(r->output);
	free(r->table);
	free(r);
}

/* Secondaries outside the tolerance, each saying whether one building
** (point) holds more than BUILDING_SHARE of its target. */
static int take_exceptions(const run *r, geo_split_result *res)
{
	if (!(res->exceptions = geo_calloc(r->ctx, r->ngrids, sizeof *res->exceptions)))
		return 0;
	for (size_t i = 0; i < r->ngrids; i++) {
		const split_grid *g = &r->grids[i];
		double dev = deviation(g);
		if (g->level != 2 || fabs(dev) <= r->o->tolerance + 1e-9)
			continue;
		geo_split_exception *x = &res->exceptions[res->nexceptions];
		*x = (geo_split_exception){
			.weight = g->weight, .target = g->target, .deviation = dev,
			.single_building = g->heaviest > BUILDING_SHARE * g->target
		};
		if (!(x->grid_id = geo_strdup(r->ctx, g->id)))
			return 0;
		res->nexceptions++;
	}
	return 1;
}

/* Every grid written (r->all), kept ones included. */
static int take_grids(const run *r, geo_split_result *res)
{
	if (!(res->grids = geo_calloc(r->ctx, r->nall, sizeof *res->grids)))
		return 0;
	for (size_t i = 0; i < r->nall; i++, res->ngrids++) {
		const split_grid *g = &r->all[i];
		geo_split_grid *out = &res->grids[i];
		*out = (geo_split_grid){ .level = g->level, .kept = g->kept,
					 .households = g->households, .persons = g->persons,
					 .area_m2 = g->area, .compactness = g->compactness,
					 .deviation = deviation(g), .limit_m = g->perimeter,
					 .on_roads_m = g->on_road, .on_rivers_m = g->on_water,
					 .on_village_m = g->on_village, .on_town_m = g->on_town,
					 .free = free_share(g) };
		if (!(out->grid_id = geo_strdup(r->ctx, g->id)) ||
		    !(out->name = geo_strdup(r->ctx, g->name ? g->name : "")))
			return 0;
	}
	return 1;
}

/* The worst secondaries, as indices into res->grids: the written grids,
** which hold every secondary the split made (written()). */
static void take_worst(const run *r, geo_split_result *res)
{
	size_t w[GEO_SPLIT_WORST], n = worst(r, w);
	for (size_t k = 0; k < n; k++) {
		const split_grid *g = &r->grids[w[k]];
		size_t j = 0;
		while (j < res->ngrids && strcmp(res->grids[j].grid_id, g->id))
			j++;
		if (j == res->ngrids)
			continue;
		geo_split_worst *out = &res->worst[res->nworst++];
		out->grid = j;
		out->score = badness(r, g, &out->mostly);
	}
}

/* The figures of the secondaries' limits: their length and how much of it
** follows what. */
static void take_limits(const run *r, geo_split_result *res)
{
	limits(r, &res->internal_m, &res->along_m);
	for (size_t i = 0; i < r->ngrids; i++) {
		const split_grid *g = &r->grids[i];
		if (g->level != 2)
			continue;
		res->sec_limit_m += g->perimeter;
		res->sec_on_roads_m += g->on_road;
		res->sec_on_rivers_m += g->on_water;
		res->sec_on_village_m += g->on_village;
		res->sec_on_town_m += g->on_town;
	}
}

/* The run's figures, copied: the result outlives the run. */
static geo_split_result *take_result(const run *r, const outside *out, double seconds)
{
	const geo_split_opts *o = r->o;
	geo_split_result *res = geo_calloc(r->ctx, 1, sizeof *res);
	if (!res)
		return NULL;
	*res = (geo_split_result){ .method = o->method, .cell_size = o->cell_size,
				   .atoms = r->a ? r->a->natoms : 0,
				   .blocks_split = r->a ? r->a->nsplit : 0,
				   .villages = r->in.nvillages, .primary = stats(r, 1),
				   .secondary = stats(r, 2), .points = r->in.npoints,
				   .outside = out->n, .has_persons = r->has_persons,
				   .weight = r->total_weight, .tolerance = o->tolerance,
				   .seconds = seconds };
	memcpy(res->outside_fid, out->fid, sizeof res->outside_fid);
	if (o->method == GEO_SPLIT_BALANCED && o->secondaries == GEO_SPLIT_AUTO) {
		res->max_households = max_households(o);
		for (size_t i = 0; i < r->ngrids; i++)
			res->over_max += r->grids[i].level == 2 &&
					 r->grids[i].weight > res->max_households + 1e-9;
	}
	if (r->rd) {
		res->redraw_level = r->rd->level;
		for (int k = 0; k < 2; k++) {
			res->redrawn[k] = r->rd->redrawn[k].n;
			res->kept[k] = r->rd->keptv[k].n;
		}
	}
	for (size_t i = 0; i < r->ngrids; i++)
		if (r->grids[i].level == 1 && r->grids[i].households > 0) {
			res->households += r->grids[i].households;
			res->persons += r->grids[i].persons;
		}
	take_limits(r, res);
	int ok = (!o->weight_field || (res->weight_field = geo_strdup(r->ctx, o->weight_field))) &&
		 (!o->common.output || (res->output = geo_strdup(r->ctx, o->common.output))) &&
		 (!o->report_table || (res->table = geo_strdup(r->ctx, o->report_table))) &&
		 take_exceptions(r, res) && take_grids(r, res);
	if (!ok) {
		geo_split_result_free(res);
		return NULL;
	}
	take_worst(r, res);
	return res;
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
		     geo_split_result **result, geo_progress progress, void *progress_data)
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
	if (!e && !(*result = take_result(&r, &out, elapsed(&t0))))
		e = geo_last_code(ctx);
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
	*result = NULL;
	return split(ctx, town, o->common.output, o, result, progress, progress_data);
}
