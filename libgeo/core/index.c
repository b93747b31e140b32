/*
** index.c: GEOS's STRtree over a borrowed array of geometries, with each
** geometry's prepared form made on first use. This is the one spatial index
** of libgeo; verbs ask it which geometries may meet a query, then test the
** candidates with the prepared predicates.
*/
#include "core/geo_internal.h"

#include <stdlib.h>

struct geo_index {
	GEOSContextHandle_t h;
	GEOSSTRtree *tree;
	GEOSGeometry *const *geoms;
	const GEOSPreparedGeometry **prepared;
	size_t *items;          /* items[i] == i; the tree stores pointers to them */
	size_t n;
};

geo_index *geo_index_new(geo_ctx *ctx, GEOSGeometry *const *geoms, size_t n)
{
	geo_index *idx = geo_calloc(ctx, 1, sizeof *idx);
	if (!idx)
		return NULL;
	idx->h = geo_ctx_geos(ctx);
	idx->geoms = geoms;
	idx->n = n;
	idx->items = geo_calloc(ctx, n, sizeof *idx->items);
	idx->prepared = geo_calloc(ctx, n, sizeof *idx->prepared);
	idx->tree = GEOSSTRtree_create_r(idx->h, 10);
	if (!idx->items || !idx->prepared || !idx->tree) {
		geo_index_free(idx);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		idx->items[i] = i;
		if (geoms[i] && !GEOSisEmpty_r(idx->h, geoms[i]))
			GEOSSTRtree_insert_r(idx->h, idx->tree, geoms[i], &idx->items[i]);
	}
	return idx;
}

void geo_index_free(geo_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; idx->prepared && i < idx->n; i++)
		if (idx->prepared[i])
			GEOSPreparedGeom_destroy_r(idx->h, idx->prepared[i]);
	if (idx->tree)
		GEOSSTRtree_destroy_r(idx->h, idx->tree);
	free(idx->prepared);
	free(idx->items);
	free(idx);
}

struct query {
	void (*fn)(size_t, void *);
	void *data;
};

static void visit(void *item, void *data)
{
	struct query *q = data;
	q->fn(*(size_t *)item, q->data);
}

void geo_index_query(geo_index *idx, const GEOSGeometry *g, void (*fn)(size_t i, void *data),
		     void *data)
{
	struct query q = { fn, data };
	GEOSSTRtree_query_r(idx->h, idx->tree, g, visit, &q);
}

struct collect {
	size_t *out, cap, n;
};

static void collect(size_t i, void *data)
{
	struct collect *c = data;
	if (c->n < c->cap)
		c->out[c->n] = i;
	c->n++;
}

size_t geo_index_query_box(geo_index *idx, double xmin, double ymin, double xmax, double ymax,
			   size_t *out, size_t cap)
{
	GEOSGeometry *box = GEOSGeom_createRectangle_r(idx->h, xmin, ymin, xmax, ymax);
	struct collect c = { out, cap, 0 };
	if (box)
		geo_index_query(idx, box, collect, &c);
	GEOSGeom_destroy_r(idx->h, box);
	return c.n;
}

const GEOSPreparedGeometry *geo_index_prepared(geo_index *idx, size_t i)
{
	if (!idx->prepared[i] && idx->geoms[i])
		idx->prepared[i] = GEOSPrepare_r(idx->h, idx->geoms[i]);
	return idx->prepared[i];
}

size_t geo_index_size(const geo_index *idx)
{
	return idx->n;
}
