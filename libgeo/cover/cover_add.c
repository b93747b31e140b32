/*
** cover_add.c: where the next cameras should go (grid-cover --add K).
**
** Demand is weighted cells: every cell inside the grids weighs
** GEO_COVER_W_CELL, plus GEO_COVER_W_ROAD when a road crosses it and
** GEO_COVER_W_HOUSEHOLD when a household stands in it. A new camera is a
** site (a --sites point, or a point every --site-spacing metres along the
** roads) and a heading: one of eight (every 45°) for a camera narrower than
** 360°, one for an all-round camera; each site takes at most one camera.
** The objective, the weight of the demand some camera sees, is monotone and
** submodular, so greedy choice is near-optimal; "lazy" greedy (Minoux 1978)
** keeps each option's last gain as an upper bound in a heap and recomputes
** only the top, which is exact because gains only shrink.
**
** Each site's viewshed is computed once, all round, on every core; what is
** kept per site is only its visible cells that are unseen today, with a byte
** of the headings whose sector holds each.
*/
#include "cover/cover_internal.h"

#include <gdal_alg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct add_run {
	geo_ctx *ctx;
	const cover_surface *s;
	const float *w;
	cover_site *sites;
	const geo_camera *cams;
	int headings;
	double fov;
	int failed;
};

/* Keeps a site's visible unseen demand cells with their headings. */
static void collect(void *data, size_t i, const int win[4], const unsigned char *vis)
{
	struct add_run *a = data;
	const cover_surface *s = a->s;
	cover_site *st = &a->sites[i];
	size_t n = 0;
	for (int r = 0; r < win[3]; r++)
		for (int k = 0; k < win[2]; k++) {
			size_t c = (size_t)(win[1] + r) * s->g.width + win[0] + k;
			n += vis[(size_t)r * win[2] + k] && a->w[c] > 0 && !s->count[c];
		}
	st->cell = n ? malloc(n * sizeof *st->cell) : NULL;
	st->mask = n ? malloc(n) : NULL;
	if (n && (!st->cell || !st->mask)) {
		a->failed = 1;
		return;
	}
	int cx = (int)floor((a->cams[i].x - s->g.x0) / s->g.px);
	int cy = (int)floor((s->g.y0 - a->cams[i].y) / s->g.py);
	geo_camera c = a->cams[i];
	c.fov = a->fov;
	for (int r = 0; r < win[3]; r++)
		for (int k = 0; k < win[2]; k++) {
			size_t cell = (size_t)(win[1] + r) * s->g.width + win[0] + k;
			if (!vis[(size_t)r * win[2] + k] || !(a->w[cell] > 0) || s->count[cell])
				continue;
			uint8_t m = 0;
			double dx = (win[0] + k - cx) * s->g.px, dy = (cy - win[1] - r) * s->g.py;
			for (int h = 0; h < a->headings; h++) {
				c.azimuth = h * 360.0 / COVER_HEADINGS;
				if (geo_camera_in_sector(&c, dx, dy))
					m |= (uint8_t)(1u << h);
			}
			if (m) {
				st->cell[st->n] = (uint32_t)cell;
				st->mask[st->n++] = m;
			}
		}
}

/* ---- demand and sites ------------------------------------------------------- */

/* What the roads add: weight to the cells they cross, and sites along them. */
struct road_marks {
	const cover_surface *s;
	float *w;
	double spacing, along;  /* along: where the next site stands on this segment */
	cover_site **sites;     /* NULL: no sites */
	size_t *n, *cap;
	int oom;
};

static void mark_cell(void *data, size_t c, double metres)
{
	struct road_marks *m = data;
	(void)metres;
	if (m->w[c] > 0 && m->w[c] < GEO_COVER_W_CELL + GEO_COVER_W_ROAD)
		m->w[c] += GEO_COVER_W_ROAD;
}

static int add_site(struct road_marks *m, double x, double y)
{
	if (*m->n == *m->cap) {
		size_t c2 = *m->cap ? 2 * *m->cap : 1024;
		cover_site *s2 = realloc(*m->sites, c2 * sizeof **m->sites);
		if (!s2)
			return 0;
		*m->sites = s2;
		*m->cap = c2;
	}
	cover_site *site = &(*m->sites)[(*m->n)++];
	memset(site, 0, sizeof *site);
	site->x = x;
	site->y = y;
	site->fid = -1;
	return 1;
}

/* A site every `spacing` metres of the line, the first half-way. */
static int mark_sites(void *data, double x0, double y0, double x1, double y1, double len,
		      int first)
{
	struct road_marks *m = data;
	const cover_surface *s = m->s;
	if (first)
		m->along = m->spacing / 2;
	while (m->sites && m->along <= len) {
		double t = m->along / len, x = x0 + t * (x1 - x0), y = y0 + t * (y1 - y0);
		double cx = (x - s->g.x0) / s->g.px, cy = (s->g.y0 - y) / s->g.py;
		if (cx >= 0 && cy >= 0 && cx < s->g.width && cy < s->g.height &&
		    (!s->has_grids || s->grid[(size_t)cy * s->g.width + (size_t)cx] >= 0) &&
		    !add_site(m, x, y)) {
			m->oom = 1;
			return 0;
		}
		m->along += m->spacing;
	}
	m->along -= len;
	return 1;
}

/* Weights from the roads (and sites along them when want_sites). */
static geo_err read_roads(geo_ctx *ctx, const cover_surface *s, const char *roads,
			  const geo_crs *work, float *w, double spacing, int want_sites,
			  cover_site **sites, size_t *n)
{
	geo_input *in = cover_open_input(ctx, roads, work);
	if (!in)
		return geo_last_code(ctx);
	GEOSContextHandle_t gh = geo_ctx_geos(ctx);
	size_t cap = 0;
	struct road_marks m = { s, w, spacing, 0, want_sites ? sites : NULL, n, &cap, 0 };
	OGRFeatureH f;
	GEOSGeometry *g;
	geo_err e;
	while (!(e = geo_input_next(ctx, in, &f, &g)) && f) {
		if (g) {
			cover_walk_lines(gh, g, s, mark_cell, mark_sites, &m);
			GEOSGeom_destroy_r(gh, g);
		}
		OGR_F_Destroy(f);
		if (m.oom) {
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
			break;
		}
	}
	geo_input_close(in);
	return e;
}

/* Points of a layer: households add weight to their cell; sites are kept. */
struct points {
	const cover_surface *s;
	float *w;
	cover_site **sites;     /* NULL: households, adding weight */
	size_t *n, cap;
};

static geo_err add_point(geo_ctx *ctx, OGRFeatureH f, const GEOSGeometry *g, void *data)
{
	struct points *p = data;
	const cover_surface *s = p->s;
	double x, y;
	if (!cover_point_xy(geo_ctx_geos(ctx), g, &x, &y))
		return GEO_OK;
	double cx = floor((x - s->g.x0) / s->g.px), cy = floor((s->g.y0 - y) / s->g.py);
	if (!(cx >= 0 && cy >= 0 && cx < s->g.width && cy < s->g.height))
		return GEO_OK;
	size_t c = (size_t)cy * s->g.width + (size_t)cx;
	if (!p->sites) {
		if (p->w[c] > 0)
			p->w[c] += GEO_COVER_W_HOUSEHOLD;
		return GEO_OK;
	}
	if (*p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		cover_site *s2 = geo_realloc_array(ctx, *p->sites, p->cap, sizeof **p->sites);
		if (!s2)
			return GEO_ERR_INTERNAL;
		*p->sites = s2;
	}
	(*p->sites)[(*p->n)++] = (cover_site){ .x = x, .y = y, .fid = OGR_F_GetFID(f) };
	return GEO_OK;
}

/* Points of a layer: households add weight to their cell; sites are kept. */
static geo_err read_points(geo_ctx *ctx, const cover_surface *s, const char *name,
			   const geo_crs *work, float *w, cover_site **sites, size_t *n)
{
	return cover_each_geometry(ctx, name, work, add_point, &(struct points){ s, w, sites, n, 0 });
}

/* A --demand feature's weight: its field, or GEO_COVER_W_PUBLIC when the
** layer has no such field or the value is null. */
static geo_err demand_weight(geo_ctx *ctx, geo_input *in, OGRFeatureH f, int field, double *v)
{
	*v = GEO_COVER_W_PUBLIC;
	if (field < 0 || !OGR_F_IsFieldSetAndNotNull(f, field))
		return GEO_OK;
	*v = OGR_F_GetFieldAsDouble(f, field);
	if (!(isfinite(*v) && *v >= 0 && *v <= 1e6))
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: feature %lld: demand weight %g is not a number "
				"from 0 to 1000000", geo_input_name(in), (long long)OGR_F_GetFID(f), *v);
	return GEO_OK;
}

/*
** Adds --demand's features to the cells inside the grids: a polygon to the
** cells whose centre it holds, a line to the cells it crosses, a point to
** its cell, each its weight (GDAL's rasteriser, weights summed).
*/
static geo_err read_demand(geo_ctx *ctx, const cover_surface *s, const geo_cover_opts *o,
			   const geo_crs *work, float *w, cover_add_result *res)
{
	geo_input *in = cover_open_input(ctx, o->demand, work);
	if (!in)
		return geo_last_code(ctx);
	const char *fname = o->weight_field ? o->weight_field : "weight";
	int field = OGR_FD_GetFieldIndex(geo_input_defn(in), fname);
	geo_err e = GEO_OK;
	if (field < 0 && o->weight_field)
		e = geo_fail(ctx, GEO_ERR_USAGE, "--weight-field: %s has no field '%s'", geo_input_name(in),
			     fname);
	cover_valued d = { 0 };
	OGRFeatureH f;
	GEOSGeometry *g;
	while (!e && !(e = geo_input_next(ctx, in, &f, &g)) && f) {
		double wt = 0;
		e = demand_weight(ctx, in, f, field, &wt);
		if (!e && g)
			e = cover_valued_add(ctx, &d, g, wt);
		if (g)
			GEOSGeom_destroy_r(geo_ctx_geos(ctx), g);
		OGR_F_Destroy(f);
	}
	geo_input_close(in);
	size_t cells = (size_t)s->g.width * s->g.height;
	float *extra = e ? NULL : geo_calloc(ctx, cells, sizeof *extra);
	if (!e && !extra)
		e = GEO_ERR_INTERNAL;
	GDALDatasetH ds = e ? NULL : cover_mem_over(&s->g, extra, GDT_Float32, work);
	if (!e && !ds)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "cannot make a MEM raster: %s",
			     geo_cpl_error("out of memory"));
	int band = 1;
	char *opts[] = { "MERGE_ALG=ADD", NULL };
	if (!e && d.n && GDALRasterizeGeometries(ds, 1, &band, (int)d.n, d.geoms, NULL, NULL, d.v, opts,
						 NULL, NULL) != CE_None)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "rasterising --demand failed: %s",
			     geo_cpl_error("GDALRasterizeGeometries refused"));
	if (ds)
		GDALClose(ds);
	for (size_t i = 0; !e && i < cells; i++)
		if (w[i] > 0 && extra[i] > 0) {
			w[i] += extra[i];
			res->demand_added += extra[i];
		}
	res->demand_features = d.n;
	cover_valued_free(&d);
	free(extra);
	return e;
}

/* ---- lazy greedy ---------------------------------------------------------------- */

static double gain(const cover_site *st, int h, const float *w, const uint8_t *seen)
{
	double g = 0;
	for (size_t k = 0; k < st->n; k++)
		if ((st->mask[k] >> h & 1) && !seen[st->cell[k]])
			g += w[st->cell[k]];
	return g;
}

static int by_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

static geo_err write_proposals(geo_ctx *ctx, geo_output *out, const geo_crs *work,
			       const cover_surface *s, const geo_gridset *gs, const geo_cover_opts *o,
			       const cover_site *sites, const cover_add_result *res)
{
	OGRLayerH l = geo_output_create_layer(ctx, out, NULL, work, wkbPoint);
	if (!l)
		return geo_last_code(ctx);
	static const struct { const char *name; OGRFieldType t; } fl[] = {
		{ "rank", OFTInteger }, { "type", OFTString }, { "height_m", OFTReal },
		{ "azimuth_deg", OFTReal }, { "fov_deg", OFTReal }, { "range_m", OFTReal },
		{ "gain", OFTReal }, { "demand_pct", OFTReal }, { "site_fid", OFTInteger64 },
		{ "grid_id", OFTString },
	};
	for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(fl[i].name, fl[i].t);
		OGRErr err = OGR_L_CreateField(l, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE)
			return geo_fail(ctx, GEO_ERR_OUTPUT, "cannot create field '%s': %s", fl[i].name,
					geo_cpl_error("driver refused"));
	}
	GEOSContextHandle_t gh = geo_ctx_geos(ctx);
	geo_err e = GEO_OK;
	for (size_t k = 0; !e && k < res->n; k++) {
		const cover_site *st = &sites[res->site[k]];
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		OGR_F_SetFieldInteger(f, 0, (int)k + 1);
		OGR_F_SetFieldString(f, 1, "proposed");
		OGR_F_SetFieldDouble(f, 2, o->add_height);
		OGR_F_SetFieldDouble(f, 3, o->add_fov >= 360 ? 0 : res->heading[k] * 360.0 / COVER_HEADINGS);
		OGR_F_SetFieldDouble(f, 4, o->add_fov);
		OGR_F_SetFieldDouble(f, 5, o->add_range);
		OGR_F_SetFieldDouble(f, 6, round(res->gain[k] * 10) / 10);
		OGR_F_SetFieldDouble(f, 7, round(res->pct[k] * 100) / 100);
		if (st->fid >= 0)
			OGR_F_SetFieldInteger64(f, 8, st->fid);
		long c = (long)floor((s->g.y0 - st->y) / s->g.py) * s->g.width +
			 (long)floor((st->x - s->g.x0) / s->g.px);
		int32_t gi = s->grid[c];
		if (gs && gi >= 0)
			OGR_F_SetFieldString(f, 9, gs->grids[gi].id);
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(gh, st->x, st->y);
		e = pt ? geo_write_feature(ctx, l, f, pt, NULL) : geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		if (pt)
			GEOSGeom_destroy_r(gh, pt);
		OGR_F_Destroy(f);
	}
	geo_qml_category c = { "", "proposed camera", "31,120,180", "star" };
	geo_qml_categorized_opts qo = { "type", GEO_QML_MARKER, 1, 4, "0,0,0", "rank" };
	return e ? e : geo_qml_attach(ctx, out, l, geo_qml_categorized(&c, 1, &qo));
}

/*
** A lower bound on the cameras any placement needs to see `want`: each site
** holds one camera, which adds at most its best gain before any other is
** added (coverage is submodular), so fewer than the m sites of largest gains
** cannot get there. best is sorted in place; SIZE_MAX when no number can.
*/
static size_t fewest_cameras(double *best, size_t n, double before, double want)
{
	qsort(best, n, sizeof *best, by_desc);
	double sum = before;
	for (size_t m = 0; m < n; m++) {
		if (sum >= want)
			return m;
		sum += best[m];
	}
	return sum >= want ? n : SIZE_MAX;
}

/*
** Lazy greedy over the sites' options (site, heading): picks, up to limit
** times (add; 0: as many as there are sites) or until target % of
** res->demand is seen, the option that adds the most unseen weight, marking
** what it sees in seen. Fills res's proposals, seen_after, upper and, for
** a target, fewest; res->demand and res->seen_before are the caller's.
*/
geo_err cover_greedy(geo_ctx *ctx, cover_site *sites, size_t ns, int headings, const float *w,
		     uint8_t *seen, size_t ncells, int add, double target, cover_add_result *res)
{
	size_t nopt = ns * (size_t)headings, nh = 0;
	/* --target: one camera a site at most, so as many as there are sites. */
	size_t limit = add ? (size_t)add : ns ? ns : 1;
	cover_opt *heap = geo_calloc(ctx, nopt ? nopt : 1, sizeof *heap);
	double *top = geo_calloc(ctx, nopt ? nopt : 1, sizeof *top);
	res->site = geo_calloc(ctx, limit, sizeof *res->site);
	res->heading = geo_calloc(ctx, limit, sizeof *res->heading);
	res->gain = geo_calloc(ctx, limit, sizeof *res->gain);
	res->pct = geo_calloc(ctx, limit, sizeof *res->pct);
	if (!heap || !top || !res->site || !res->heading || !res->gain || !res->pct) {
		free(heap);
		free(top);
		return GEO_ERR_INTERNAL;
	}
	for (size_t i = 0; i < ns; i++) {
		top[i] = 0;
		for (int h = 0; h < headings; h++) {
			cover_opt op = { gain(&sites[i], h, w, seen), (uint32_t)i, (uint8_t)h };
			if (op.bound > 0)
				cover_heap_push(heap, &nh, op);
			top[i] = fmax(top[i], op.bound);
		}
	}
	double want = target * res->demand / 100;
	if (target > 0)
		res->fewest = fewest_cameras(top, ns, res->seen_before, want);
	double got = res->seen_before;
	while (res->n < limit && nh && !(target > 0 && got >= want)) {
		cover_opt op = cover_heap_pop(heap, &nh);
		if (sites[op.site].used)
			continue;
		res->evaluations++;
		double g = gain(&sites[op.site], op.heading, w, seen);
		if (nh && g < heap[0].bound) {
			op.bound = g;
			if (g > 0)
				cover_heap_push(heap, &nh, op);
			continue;
		}
		if (!(g > 0))
			break;
		cover_site *st = &sites[op.site];
		for (size_t k = 0; k < st->n; k++)
			if (st->mask[k] >> op.heading & 1)
				seen[st->cell[k]] = 1;
		st->used = 1;
		got += g;
		res->site[res->n] = op.site;
		res->heading[res->n] = op.heading;
		res->gain[res->n] = g;
		res->pct[res->n] = res->demand > 0 ? 100 * got / res->demand : 0;
		res->n++;
	}
	res->seen_after = got;
	if (cover_swap(ctx, sites, ns, headings, w, seen, ncells, target > 0 ? want : 0, res)) {
		free(heap);
		free(top);
		return GEO_ERR_INTERNAL;
	}
	got = res->seen_after;
	/* The online bound (Leskovec et al. 2007): for monotone submodular
	** coverage, no K options add more than the K largest gains given the
	** greedy's choice, the one-camera-per-site rule relaxed. */
	size_t m = 0;
	for (size_t i = 0; i < ns; i++)
		for (int h = 0; h < headings; h++)
			top[m++] = gain(&sites[i], h, w, seen);
	qsort(top, m, sizeof *top, by_desc);
	double ub = got;
	for (size_t k = 0; k < m && k < (add ? (size_t)add : res->n); k++)
		ub += top[k];
	res->upper = ub;
	free(heap);
	free(top);
	return GEO_OK;
}

void cover_add_result_free(cover_add_result *r)
{
	free(r->site);
	free(r->heading);
	free(r->gain);
	free(r->pct);
	memset(r, 0, sizeof *r);
}

/* The heuristic, then --exact's MIP from its answer; res->seconds is their time. */
static geo_err choose(geo_ctx *ctx, const geo_cover_opts *o, cover_site *sites, size_t ns,
		      int headings, const float *w, uint8_t *seen, size_t cells, cover_add_result *res)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	geo_err e = cover_greedy(ctx, sites, ns, headings, w, seen, cells, o->add, o->target, res);
	double want = o->target * res->demand / 100 - res->seen_before;
	/* --target: nothing to prove when it is reached already or out of reach. */
	if (!e && o->exact && (o->add || (want > 0 && res->seen_after >= want + res->seen_before)))
		e = cover_exact(ctx, sites, ns, headings, w, seen, cells, o->add, want, o->time_limit,
				res, &res->exact);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
	return e;
}

geo_err cover_add(geo_ctx *ctx, const cover_surface *s, const geo_cover_opts *o,
		  const geo_crs *work, const geo_gridset *gs, geo_output *out,
		  geo_progress progress, void *pdata, cover_add_result *res)
{
	memset(res, 0, sizeof *res);
	size_t cells = (size_t)s->g.width * s->g.height;
	float *w = geo_calloc(ctx, cells, sizeof *w);
	uint8_t *seen = geo_calloc(ctx, cells, 1);
	cover_site *sites = NULL;
	size_t ns = 0;
	geo_err e = w && seen ? GEO_OK : GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < cells; i++)
		w[i] = !s->has_grids || s->grid[i] >= 0 ? GEO_COVER_W_CELL : 0;
	if (!e && o->roads)
		e = read_roads(ctx, s, o->roads, work, w, o->site_spacing, !o->sites, &sites, &ns);
	if (!e && o->households)
		e = read_points(ctx, s, o->households, work, w, NULL, NULL);
	if (!e && o->demand)
		e = read_demand(ctx, s, o, work, w, res);
	if (!e && o->sites)
		e = read_points(ctx, s, o->sites, work, w, &sites, &ns);
	if (!e && !ns)
		e = s->has_grids
			    ? (o->sites ? geo_fail(ctx, GEO_ERR_INPUT,
						   "--add: no candidate site inside the grids")
					: geo_fail(ctx, GEO_ERR_INPUT,
						   "--add: no candidate site inside the grids (sites "
						   "are made along --roads)"))
			    : (o->sites ? geo_fail(ctx, GEO_ERR_INPUT,
						   "--add: no candidate site inside the surface")
					: geo_fail(ctx, GEO_ERR_INPUT,
						   "--add: no candidate site inside the surface (sites "
						   "are made along --roads)"));
	for (size_t i = 0; i < cells && w; i++) {
		res->demand += w[i];
		if (s->count[i])
			res->seen_before += w[i];
	}
	/* Sites that cannot see any unseen demand (most of those in open fields
	** the towers cover) are dropped before their viewshed: blocks of
	** BLOCK x BLOCK cells say where unseen demand is. */
	enum { BLOCK = 16 };
	int bw = (s->g.width + BLOCK - 1) / BLOCK, bh = (s->g.height + BLOCK - 1) / BLOCK;
	uint8_t *blk = e ? NULL : geo_calloc(ctx, (size_t)bw * bh, 1);
	if (!e && !blk)
		e = GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < cells; i++)
		if (w[i] > 0 && !s->count[i])
			blk[(i / s->g.width / BLOCK) * bw + (i % s->g.width) / BLOCK] = 1;
	size_t kept = 0;
	for (size_t i = 0; !e && i < ns; i++) {
		double r = o->add_range;
		int x0 = (int)floor((sites[i].x - r - s->g.x0) / s->g.px) / BLOCK;
		int x1 = (int)floor((sites[i].x + r - s->g.x0) / s->g.px) / BLOCK;
		int y0 = (int)floor((s->g.y0 - sites[i].y - r) / s->g.py) / BLOCK;
		int y1 = (int)floor((s->g.y0 - sites[i].y + r) / s->g.py) / BLOCK;
		int any = 0;
		for (int by = y0 < 0 ? 0 : y0; !any && by <= y1 && by < bh; by++)
			for (int bx = x0 < 0 ? 0 : x0; !any && bx <= x1 && bx < bw; bx++)
				any = blk[(size_t)by * bw + bx];
		if (any)
			sites[kept++] = sites[i];
	}
	free(blk);
	res->sites = ns;
	ns = kept;
	geo_camera *cams = e ? NULL : geo_calloc(ctx, ns ? ns : 1, sizeof *cams);
	if (!e && !cams)
		e = GEO_ERR_INTERNAL;
	for (size_t i = 0; !e && i < ns; i++) {
		cams[i].x = sites[i].x;
		cams[i].y = sites[i].y;
		cams[i].height = o->add_height;
		cams[i].fov = 360;
		cams[i].range = o->add_range;
	}
	struct add_run a = { ctx, s, w, sites, cams, o->add_fov >= 360 ? 1 : COVER_HEADINGS, o->add_fov, 0 };
	if (!e)
		e = cover_run_sink(ctx, (cover_surface *)s, cams, ns, o->target_height, o->threads,
				   collect, &a, progress, pdata);
	if (!e && a.failed)
		e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	res->viewsheds = ns;
	if (!e)
		e = choose(ctx, o, sites, ns, a.headings, w, seen, cells, res);
	if (!e && out)
		e = write_proposals(ctx, out, work, s, gs, o, sites, res);
	for (size_t i = 0; sites && i < ns; i++) {
		free(sites[i].cell);
		free(sites[i].mask);
	}
	free(sites);
	free(cams);
	free(w);
	free(seen);
	return e;
}
