/*
** base.c: the plumbing every part of the generator uses: stopping with a
** message, allocation that cannot fail quietly, GEOS geometries built from
** rounded coordinates, growable lists, the spatial index of libgeo asked
** "which one holds this", and text files written into place.
*/
#include "synth.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("synth: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(GEO_ERR_INTERNAL);
}

void note(synth *s, const char *fmt, ...)
{
	if (s->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("synth: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n, size_t size)
{
	if (n && size > SIZE_MAX / n)
		fatal("out of memory");
	p = realloc(p, n * size > 0 ? n * size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

GEOSGeometry *need(synth *s, GEOSGeometry *g, const char *what)
{
	if (!g)
		fatal("%s failed: %s", what, geo_last_error(s->ctx));
	return g;
}

GEOSGeometry *copy_geom(synth *s, const GEOSGeometry *g)
{
	return need(s, GEOSGeom_clone_r(s->h, g), "clone");
}

double snapv(const synth *s, double v)
{
	return round(v * s->scale) / s->scale;
}

static int snap_cb(double *x, double *y, void *data)
{
	*x = snapv(data, *x);
	*y = snapv(data, *y);
	return 1;
}

GEOSGeometry *snapped(synth *s, const GEOSGeometry *g)
{
	return need(s, GEOSGeom_transformXY_r(s->h, g, snap_cb, s), "rounding");
}

GEOSGeometry *make_point(synth *s, double x, double y)
{
	return need(s, GEOSGeom_createPointFromXY_r(s->h, x, y), "point");
}

GEOSGeometry *make_line(synth *s, const double *xy, size_t n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(s->h, xy, n, 0, 0);
	if (!cs)
		fatal("coordinates: %s", geo_last_error(s->ctx));
	return need(s, GEOSGeom_createLineString_r(s->h, cs), "line");
}

GEOSGeometry *make_ring(synth *s, const double *xy, size_t n)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(s->h, xy, n, 0, 0);
	GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(s->h, cs) : NULL;
	if (!ring)
		fatal("ring: %s", geo_last_error(s->ctx));
	return ring;
}

GEOSGeometry *make_polygon(synth *s, const double *xy, size_t n)
{
	return need(s, GEOSGeom_createPolygon_r(s->h, make_ring(s, xy, n), NULL, 0), "polygon");
}

double *ring_coords(synth *s, const GEOSGeometry *ring, size_t *n)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->h, ring);
	unsigned m = 0;
	GEOSCoordSeq_getSize_r(s->h, cs, &m);
	double *xy = xcalloc(2 * (size_t)m, sizeof *xy);
	GEOSCoordSeq_copyToBuffer_r(s->h, cs, xy, 0, 0);
	*n = m;
	return xy;
}

void env_of(synth *s, const GEOSGeometry *g, double *env)
{
	GEOSGeom_getExtent_r(s->h, g, &env[0], &env[1], &env[2], &env[3]);
}

void inside_point(synth *s, const GEOSGeometry *g, double *x, double *y)
{
	if (geo_geom_inside_point(s->ctx, g, x, y))
		fatal("interior point: %s", geo_last_error(s->ctx));
}

int prep_contains(synth *s, const GEOSPreparedGeometry *p, double x, double y)
{
	GEOSGeometry *pt = make_point(s, x, y);
	int in = GEOSPreparedContains_r(s->h, p, pt) == 1;
	GEOSGeom_destroy_r(s->h, pt);
	return in;
}

void destroy_all(synth *s, GEOSGeometry **g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		GEOSGeom_destroy_r(s->h, g[i]);
	free(g);
}

void dvec_push(dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->v = xrealloc(d->v, d->cap, sizeof *d->v);
	}
	d->v[d->n++] = x;
}

void glist_push(glist *l, GEOSGeometry *g)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->g = xrealloc(l->g, l->cap, sizeof *l->g);
	}
	l->g[l->n++] = g;
}

GEOSGeometry *glist_collect(synth *s, glist *l, int type)
{
	GEOSGeometry *c = need(s, GEOSGeom_createCollection_r(s->h, type, l->g, (unsigned)l->n),
			       "collection");
	free(l->g);
	memset(l, 0, sizeof *l);
	return c;
}

void glist_free(synth *s, glist *l)
{
	destroy_all(s, l->g, l->n);
	memset(l, 0, sizeof *l);
}

void push_parts(synth *s, const GEOSGeometry *g, glist *out)
{
	int n = GEOSGetNumGeometries_r(s->h, g);
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *part = GEOSGetGeometryN_r(s->h, g, i);
		if (GEOSGeomTypeId_r(s->h, part) == GEOS_LINESTRING && !GEOSisEmpty_r(s->h, part))
			glist_push(out, snapped(s, part));
	}
}

geo_index *index_of(synth *s, GEOSGeometry *const *g, size_t n)
{
	geo_index *ix = geo_index_new(s->ctx, g, n);
	if (!ix)
		fatal("index: %s", geo_last_error(s->ctx));
	return ix;
}

typedef struct first_hit {
	synth *s;
	geo_index *ix;
	const GEOSGeometry *g;
	long best;
} first_hit;

static void test_hit(size_t i, void *data)
{
	first_hit *h = data;
	if ((h->best < 0 || (long)i < h->best) &&
	    GEOSPreparedContains_r(h->s->h, geo_index_prepared(h->ix, i), h->g) == 1)
		h->best = (long)i;
}

/* The lowest index, not the first the tree hands back, so that the answer
** is the one a scan in order would give. */
long index_first(synth *s, geo_index *ix, const GEOSGeometry *g)
{
	first_hit h = { s, ix, g, -1 };
	geo_index_query(ix, g, test_hit, &h);
	return h.best;
}

long index_first_at(synth *s, geo_index *ix, double x, double y)
{
	GEOSGeometry *pt = make_point(s, x, y);
	long i = index_first(s, ix, pt);
	GEOSGeom_destroy_r(s->h, pt);
	return i;
}

char *strf(const char *fmt, ...)
{
	geo_buf b;
	geo_buf_init(&b);
	va_list ap;
	va_start(ap, fmt);
	geo_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *p = geo_buf_take(&b);
	if (!p)
		fatal("out of memory");
	return p;
}

geo_err write_text(synth *s, const char *path, const char *text, int overwrite)
{
	if (!overwrite && geo_file_exists(path))
		return geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: exists; use --overwrite to replace it", path);
	char *tmp = strf("%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	geo_err e = GEO_OK;
	if (!fp) {
		e = geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: %s", tmp, strerror(errno));
	} else {
		int bad = fputs(text, fp) < 0;
		bad |= fclose(fp) != 0;
		if (bad || rename(tmp, path) != 0) {
			e = geo_fail(s->ctx, GEO_ERR_OUTPUT, "%s: %s", path, strerror(errno));
			remove(tmp);
		}
	}
	free(tmp);
	return e;
}
