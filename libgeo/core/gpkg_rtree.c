/*
** gpkg_rtree.c: bulk-loads the R-tree spatial index of a GeoPackage layer
** (the gpkg_rtree_index extension) once the layer's features are written.
**
** GDAL 3.6 (Debian 12) fills the index one entry at a time through SQLite's
** R*-tree insertion: about 16 s per million points, most of a large write.
** GDAL 3.9 has its own bulk loader; until Debian ships it, outputs are
** created with SPATIAL_INDEX=NO and this module packs the index instead:
** it reads every feature's bounding box back, sorts the boxes along a
** Hilbert curve (in runs spilled to a temporary file, so memory stays
** bounded whatever the number of features), and writes full nodes bottom up
** straight into the R-tree's shadow tables, in SQLite's documented node
** format (www.sqlite.org/rtree.html, "Implementation Details"). The
** triggers and the gpkg_extensions row are those of the GeoPackage
** specification (annex F.3), as GDAL writes them, so GDAL, QGIS and SQLite
** keep the index up to date on later edits; `SELECT rtreecheck(...)`
** verifies the structure. It writes through the connection that wrote the
** layer, inside that connection's transaction, so the index commits with
** the layer under the same lock (io.c) and never on its own.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <ogr_api.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* SQLite caps an R-tree node at 51 cells whatever the page size; its node
** blob is then 4 header bytes and 24 bytes a cell. */
#define NODE_CELLS 51
#define NODE_BYTES (4 + 24 * NODE_CELLS)
/* Boxes sorted in memory at once (32 bytes each): the memory bound. */
#define RUN_ENTRIES (1u << 18)
/* Boxes read at a time from each spilled run while merging. */
#define MERGE_CHUNK 4096u

typedef struct entry {
	int64_t id;             /* the feature's fid, or a child node's number */
	float box[4];           /* minx, maxx, miny, maxy, rounded outwards */
	uint32_t key;           /* Hilbert index of the box's centre; later its leaf */
} entry;

/* One spilled run being merged: its place in the temp file and a window. */
typedef struct run {
	long pos, left;         /* next entry's offset; entries not yet read */
	entry buf[MERGE_CHUNK];
	unsigned at, have;
} run;

typedef struct loader {
	geo_ctx *ctx;
	sqlite3 *db;
	sqlite3_stmt *node, *rowid, *parent;
	double frame[4];        /* minx, miny, maxx, maxy the keys are scaled to */
	entry *mem;             /* the run being filled, then features' leaves */
	size_t n_mem, total, n_leaf_of;
	FILE *spill;            /* sorted runs, RUN_ENTRIES each but the last */
	size_t n_runs;
	entry *up;              /* the level above the one being written */
	size_t n_up, cap_up;
	int64_t next_node;      /* node 1 is the root */
	entry cells[NODE_CELLS];
	int n_cells;
} loader;

static geo_err sql_fail(loader *ld, const char *what)
{
	return geo_fail(ld->ctx, GEO_ERR_OUTPUT, "spatial index: %s: %s", what, sqlite3_errmsg(ld->db));
}

static geo_err exec(loader *ld, const char *sql)
{
	return sqlite3_exec(ld->db, sql, NULL, NULL, NULL) == SQLITE_OK ? GEO_OK : sql_fail(ld, sql);
}

/* ---- bounding boxes out of GeoPackage geometry blobs ---- */

static double read_f64(const unsigned char *p, int little)
{
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)p[little ? i : 7 - i] << (8 * i);
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

static uint32_t read_u32(const unsigned char *p, int little)
{
	uint32_t u = 0;
	for (int i = 0; i < 4; i++)
		u |= (uint32_t)p[little ? i : 3 - i] << (8 * i);
	return u;
}

/* The box of WKB without a header envelope: a point is read directly (GDAL
** writes no envelope for points), anything else is parsed by OGR. */
static int wkb_box(const unsigned char *w, int n, double b[4])
{
	if (n >= 21 && w[0] <= 1 && read_u32(w + 1, w[0]) % 1000 == 1 &&
	    read_u32(w + 1, w[0]) < 4000) {
		b[0] = b[1] = read_f64(w + 5, w[0]);
		b[2] = b[3] = read_f64(w + 13, w[0]);
		return !isnan(b[0]) && !isnan(b[2]);
	}
	OGRGeometryH g = NULL;
	if (OGR_G_CreateFromWkb(w, NULL, &g, n) != OGRERR_NONE || !g || OGR_G_IsEmpty(g)) {
		OGR_G_DestroyGeometry(g);
		return 0;
	}
	OGREnvelope e;
	OGR_G_GetEnvelope(g, &e);
	OGR_G_DestroyGeometry(g);
	b[0] = e.MinX, b[1] = e.MaxX, b[2] = e.MinY, b[3] = e.MaxY;
	return 1;
}

/* The box (minx, maxx, miny, maxy) of a GeoPackage geometry blob; 0 for an
** empty or unreadable one, which the index leaves out as GDAL does. */
static int blob_box(const unsigned char *p, int n, double b[4])
{
	static const int envelope_bytes[] = { 0, 32, 48, 48, 64 };
	if (n < 8 || p[0] != 'G' || p[1] != 'P' || (p[3] & 0x10))
		return 0;
	int little = p[3] & 1, kind = (p[3] >> 1) & 7;
	if (kind > 4 || n < 8 + envelope_bytes[kind])
		return 0;
	if (kind) {
		for (int i = 0; i < 4; i++)
			b[i] = read_f64(p + 8 + 8 * i, little);
		return !isnan(b[0]);
	}
	return wkb_box(p + 8, n - 8, b);
}

/* ---- the Hilbert order ---- */

/* Position of (x, y) on a Hilbert curve filling a 2^16 x 2^16 lattice. */
static uint32_t hilbert(uint32_t x, uint32_t y)
{
	uint32_t d = 0;
	for (uint32_t s = 1u << 15; s; s >>= 1) {
		uint32_t rx = (x & s) != 0, ry = (y & s) != 0;
		d += s * s * ((3 * rx) ^ ry);
		if (!ry) {
			if (rx) {
				x = s - 1 - x;
				y = s - 1 - y;
			}
			uint32_t t = x;
			x = y;
			y = t;
		}
	}
	return d;
}

static uint32_t lattice(double v, double lo, double hi)
{
	double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
	return t <= 0 ? 0 : t >= 1 ? 65535 : (uint32_t)(t * 65535);
}

/* Floats that contain the double: SQLite stores boxes in single precision. */
static float round_down(double v)
{
	float f = (float)v;
	return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

static float round_up(double v)
{
	float f = (float)v;
	return (double)f < v ? nextafterf(f, INFINITY) : f;
}

static entry make_entry(const loader *ld, int64_t id, const double b[4])
{
	entry e = { id, { round_down(b[0]), round_up(b[1]), round_down(b[2]), round_up(b[3]) }, 0 };
	e.key = hilbert(lattice((b[0] + b[1]) / 2, ld->frame[0], ld->frame[2]),
			lattice((b[2] + b[3]) / 2, ld->frame[1], ld->frame[3]));
	return e;
}

static int by_id(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int by_key(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->id > y->id) - (x->id < y->id);
}

/* ---- reading and sorting the boxes ---- */

/* Sorts the boxes in memory; when more are to come, spills them as a run. */
static geo_err end_run(loader *ld, int last)
{
	qsort(ld->mem, ld->n_mem, sizeof *ld->mem, by_key);
	if (last && !ld->spill)
		return GEO_OK;
	if (!ld->spill && !(ld->spill = tmpfile()))
		return geo_fail(ld->ctx, GEO_ERR_OUTPUT, "spatial index: cannot make a temporary file");
	if (fwrite(ld->mem, sizeof *ld->mem, ld->n_mem, ld->spill) != ld->n_mem)
		return geo_fail(ld->ctx, GEO_ERR_OUTPUT, "spatial index: temporary file: write failed");
	ld->n_runs++;
	ld->n_mem = 0;
	return GEO_OK;
}

/* The layer's extent as GDAL recorded it, to scale the Hilbert keys. */
static void read_frame(loader *ld, const char *table)
{
	sqlite3_stmt *s = NULL;
	ld->frame[0] = ld->frame[1] = 0;
	ld->frame[2] = ld->frame[3] = 1;
	if (sqlite3_prepare_v2(ld->db,
			       "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
			       "WHERE lower(table_name) = lower(?)",
			       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		for (int i = 0; i < 4; i++)
			ld->frame[i] = sqlite3_column_double(s, i);
	sqlite3_finalize(s);
}

static geo_err read_boxes(loader *ld, const char *table, const char *column, const char *fid)
{
	char *sql = sqlite3_mprintf("SELECT \"%w\", \"%w\" FROM \"%w\"", fid, column, table);
	sqlite3_stmt *s = NULL;
	int rc = sql ? sqlite3_prepare_v2(ld->db, sql, -1, &s, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return sql_fail(ld, "cannot read the features");
	geo_err e = GEO_OK;
	while (!e && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		double b[4];
		if (!blob_box(sqlite3_column_blob(s, 1), sqlite3_column_bytes(s, 1), b))
			continue;
		ld->mem[ld->n_mem++] = make_entry(ld, sqlite3_column_int64(s, 0), b);
		ld->total++;
		if (ld->n_mem == RUN_ENTRIES)
			e = end_run(ld, 0);
	}
	sqlite3_finalize(s);
	if (!e && rc != SQLITE_DONE)
		return sql_fail(ld, "cannot read the features");
	return e ? e : end_run(ld, 1);
}

/* ---- merging the runs ---- */

static int run_peek(loader *ld, run *r, entry *out)
{
	if (r->at == r->have) {
		if (!r->left)
			return 0;
		size_t want = r->left < MERGE_CHUNK ? (size_t)r->left : MERGE_CHUNK;
		if (fseek(ld->spill, r->pos, SEEK_SET) != 0 ||
		    fread(r->buf, sizeof *r->buf, want, ld->spill) != want)
			return -1;
		r->pos += (long)(want * sizeof *r->buf);
		r->left -= (long)want;
		r->at = 0;
		r->have = (unsigned)want;
	}
	*out = r->buf[r->at];
	return 1;
}

/* ---- writing the nodes ---- */

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static geo_err step(loader *ld, sqlite3_stmt *s, int64_t a, int64_t b)
{
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? GEO_OK : sql_fail(ld, "cannot write a node");
}

/* Writes the features' leaves noted so far, in fid order: in the leaves'
** order, a large index would touch a random page of the table every row. */
static geo_err flush_leaf_of(loader *ld)
{
	qsort(ld->mem, ld->n_leaf_of, sizeof *ld->mem, by_id);
	geo_err e = GEO_OK;
	for (size_t i = 0; !e && i < ld->n_leaf_of; i++)
		e = step(ld, ld->rowid, ld->mem[i].id, ld->mem[i].key);
	ld->n_leaf_of = 0;
	return e;
}

/* Notes the leaf of a feature, in mem: read in order when the boxes are
** all in memory, mem[i] is never needed again once its leaf is known. */
static geo_err note_leaf(loader *ld, int64_t id, int64_t node)
{
	ld->mem[ld->n_leaf_of++] = (entry){ .id = id, .key = (uint32_t)node };
	return ld->n_leaf_of == RUN_ENTRIES ? flush_leaf_of(ld) : GEO_OK;
}

/* Writes the gathered cells as node number no (depth only matters for the
** root) and remembers the node's box in the level above. */
static geo_err write_node(loader *ld, int64_t no, int depth, int is_leaf)
{
	unsigned char blob[NODE_BYTES] = { 0 };
	entry up = { no, { INFINITY, -INFINITY, INFINITY, -INFINITY }, 0 };
	blob[0] = (unsigned char)(depth >> 8), blob[1] = (unsigned char)depth;
	blob[2] = (unsigned char)(ld->n_cells >> 8), blob[3] = (unsigned char)ld->n_cells;
	for (int i = 0; i < ld->n_cells; i++) {
		const entry *c = &ld->cells[i];
		unsigned char *p = blob + 4 + 24 * i;
		put_be64(p, (uint64_t)c->id);
		for (int k = 0; k < 4; k++) {
			uint32_t u;
			memcpy(&u, &c->box[k], sizeof u);
			put_be32(p + 8 + 4 * k, u);
		}
		up.box[0] = fminf(up.box[0], c->box[0]), up.box[1] = fmaxf(up.box[1], c->box[1]);
		up.box[2] = fminf(up.box[2], c->box[2]), up.box[3] = fmaxf(up.box[3], c->box[3]);
		geo_err e = is_leaf ? note_leaf(ld, c->id, no) : step(ld, ld->parent, c->id, no);
		if (e)
			return e;
	}
	sqlite3_bind_int64(ld->node, 1, no);
	sqlite3_bind_blob(ld->node, 2, blob, sizeof blob, SQLITE_TRANSIENT);
	int rc = sqlite3_step(ld->node);
	sqlite3_reset(ld->node);
	if (rc != SQLITE_DONE)
		return sql_fail(ld, "cannot write a node");
	ld->n_cells = 0;
	if (ld->n_up == ld->cap_up) {
		size_t cap = ld->cap_up ? 2 * ld->cap_up : 1024;
		entry *p = geo_realloc_array(ld->ctx, ld->up, cap, sizeof *p);
		if (!p)
			return GEO_ERR_INTERNAL;
		ld->up = p, ld->cap_up = cap;
	}
	ld->up[ld->n_up++] = up;
	return GEO_OK;
}

/* Adds one cell to the level being written; a full node is written out. */
static geo_err add_cell(loader *ld, const entry *c, int is_leaf)
{
	ld->cells[ld->n_cells++] = *c;
	return ld->n_cells == NODE_CELLS ? write_node(ld, ld->next_node++, 0, is_leaf) : GEO_OK;
}

/* The leaves, in Hilbert order: straight from memory or merged from runs. */
static geo_err write_leaves(loader *ld)
{
	geo_err e = GEO_OK;
	if (!ld->spill) {
		for (size_t i = 0; !e && i < ld->n_mem; i++)
			e = add_cell(ld, &ld->mem[i], 1);
	} else {
		run *runs = geo_calloc(ld->ctx, ld->n_runs, sizeof *runs);
		if (!runs)
			return GEO_ERR_INTERNAL;
		for (size_t i = 0; i < ld->n_runs; i++) {
			runs[i].pos = (long)(i * RUN_ENTRIES * sizeof(entry));
			runs[i].left = (long)(i + 1 < ld->n_runs ? RUN_ENTRIES
								  : ld->total - i * RUN_ENTRIES);
		}
		for (;;) {
			entry best, c;
			size_t from = ld->n_runs;
			for (size_t i = 0; i < ld->n_runs; i++) {
				int got = run_peek(ld, &runs[i], &c);
				if (got < 0)
					e = geo_fail(ld->ctx, GEO_ERR_OUTPUT,
						     "spatial index: temporary file: read failed");
				if (got > 0 && (from == ld->n_runs || by_key(&c, &best) < 0))
					best = c, from = i;
			}
			if (e || from == ld->n_runs)
				break;
			runs[from].at++;
			if ((e = add_cell(ld, &best, 1)))
				break;
		}
		free(runs);
	}
	if (!e && ld->n_cells)
		e = write_node(ld, ld->next_node++, 0, 1);
	return e ? e : flush_leaf_of(ld);
}

/* Groups each level's nodes into parents until one root holds them all. */
static geo_err write_upper_levels(loader *ld)
{
	int depth = 0;
	geo_err e = GEO_OK;
	while (!e && ld->n_up > NODE_CELLS) {
		entry *level = ld->up;
		size_t n = ld->n_up;
		ld->up = NULL, ld->n_up = ld->cap_up = 0;
		for (size_t i = 0; !e && i < n; i++)
			e = add_cell(ld, &level[i], 0);
		if (!e && ld->n_cells)
			e = write_node(ld, ld->next_node++, 0, 0);
		free(level);
		depth++;
	}
	if (e)
		return e;
	memcpy(ld->cells, ld->up, ld->n_up * sizeof *ld->up);
	ld->n_cells = (int)ld->n_up;
	ld->n_up = 0;
	return write_node(ld, 1, depth + 1, 0);
}

static geo_err write_tree(loader *ld)
{
	if (ld->total <= NODE_CELLS) {          /* the root is the only leaf */
		memcpy(ld->cells, ld->mem, ld->total * sizeof *ld->mem);
		ld->n_cells = (int)ld->total;
		geo_err e = write_node(ld, 1, 0, 1);
		return e ? e : flush_leaf_of(ld);
	}
	geo_err e = write_leaves(ld);
	return e ? e : write_upper_levels(ld);
}

/* ---- the index's tables, triggers and registration ---- */

static geo_err prepare(loader *ld, sqlite3_stmt **s, const char *fmt, const char *rtree)
{
	char *sql = sqlite3_mprintf(fmt, rtree);
	int rc = sql ? sqlite3_prepare_v2(ld->db, sql, -1, s, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	return rc == SQLITE_OK ? GEO_OK : sql_fail(ld, "cannot prepare the index tables");
}

static geo_err create_rtree(loader *ld, const char *rtree)
{
	char *sql = sqlite3_mprintf("CREATE VIRTUAL TABLE \"%w\" USING rtree(id, minx, maxx, miny, maxy)",
				    rtree);
	geo_err e = sql ? exec(ld, sql) : GEO_ERR_INTERNAL;
	sqlite3_free(sql);
	if (!e)
		e = prepare(ld, &ld->node, "INSERT OR REPLACE INTO \"%w_node\" VALUES (?, ?)", rtree);
	if (!e)
		e = prepare(ld, &ld->rowid, "INSERT INTO \"%w_rowid\" VALUES (?, ?)", rtree);
	if (!e)
		e = prepare(ld, &ld->parent, "INSERT INTO \"%w_parent\" VALUES (?, ?)", rtree);
	return e;
}

/* The GeoPackage specification's triggers (annex F.3, GeoPackage 1.2): they
** keep the index right when a program edits the layer later. Arguments:
** the index, table, geometry and fid names escaped for "..." (%w), then the
** table and geometry names escaped for '...' (%q). */
static const char trigger_sql[] =
	"CREATE TRIGGER \"%1$s_insert\" AFTER INSERT ON \"%2$s\" "
	"WHEN (new.\"%3$s\" NOT NULL AND NOT ST_IsEmpty(NEW.\"%3$s\")) BEGIN "
	"INSERT OR REPLACE INTO \"%1$s\" VALUES (NEW.\"%4$s\", ST_MinX(NEW.\"%3$s\"), "
	"ST_MaxX(NEW.\"%3$s\"), ST_MinY(NEW.\"%3$s\"), ST_MaxY(NEW.\"%3$s\")); END;"
	"CREATE TRIGGER \"%1$s_update1\" AFTER UPDATE OF \"%3$s\" ON \"%2$s\" "
	"WHEN OLD.\"%4$s\" = NEW.\"%4$s\" AND (NEW.\"%3$s\" NOTNULL AND NOT ST_IsEmpty(NEW.\"%3$s\")) "
	"BEGIN INSERT OR REPLACE INTO \"%1$s\" VALUES (NEW.\"%4$s\", ST_MinX(NEW.\"%3$s\"), "
	"ST_MaxX(NEW.\"%3$s\"), ST_MinY(NEW.\"%3$s\"), ST_MaxY(NEW.\"%3$s\")); END;"
	"CREATE TRIGGER \"%1$s_update2\" AFTER UPDATE OF \"%3$s\" ON \"%2$s\" "
	"WHEN OLD.\"%4$s\" = NEW.\"%4$s\" AND (NEW.\"%3$s\" ISNULL OR ST_IsEmpty(NEW.\"%3$s\")) "
	"BEGIN DELETE FROM \"%1$s\" WHERE id = OLD.\"%4$s\"; END;"
	"CREATE TRIGGER \"%1$s_update3\" AFTER UPDATE ON \"%2$s\" "
	"WHEN OLD.\"%4$s\" != NEW.\"%4$s\" AND (NEW.\"%3$s\" NOTNULL AND NOT ST_IsEmpty(NEW.\"%3$s\")) "
	"BEGIN DELETE FROM \"%1$s\" WHERE id = OLD.\"%4$s\"; "
	"INSERT OR REPLACE INTO \"%1$s\" VALUES (NEW.\"%4$s\", ST_MinX(NEW.\"%3$s\"), "
	"ST_MaxX(NEW.\"%3$s\"), ST_MinY(NEW.\"%3$s\"), ST_MaxY(NEW.\"%3$s\")); END;"
	"CREATE TRIGGER \"%1$s_update4\" AFTER UPDATE ON \"%2$s\" "
	"WHEN OLD.\"%4$s\" != NEW.\"%4$s\" AND (NEW.\"%3$s\" ISNULL OR ST_IsEmpty(NEW.\"%3$s\")) "
	"BEGIN DELETE FROM \"%1$s\" WHERE id IN (OLD.\"%4$s\", NEW.\"%4$s\"); END;"
	"CREATE TRIGGER \"%1$s_delete\" AFTER DELETE ON \"%2$s\" WHEN old.\"%3$s\" NOT NULL "
	"BEGIN DELETE FROM \"%1$s\" WHERE id = OLD.\"%4$s\"; END;"
	"CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
	"extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
	"CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));"
	"INSERT INTO gpkg_extensions VALUES ('%5$s', '%6$s', 'gpkg_rtree_index', "
	"'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');";

static geo_err create_triggers(loader *ld, const char *rtree, const char *t, const char *c,
			       const char *i)
{
	char *w[6] = { sqlite3_mprintf("%w", rtree), sqlite3_mprintf("%w", t),
		       sqlite3_mprintf("%w", c), sqlite3_mprintf("%w", i),
		       sqlite3_mprintf("%q", t), sqlite3_mprintf("%q", c) };
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, trigger_sql, w[0], w[1], w[2], w[3], w[4], w[5]);
	geo_err e = b.failed || !w[0] || !w[1] || !w[2] || !w[3] || !w[4] || !w[5]
			    ? geo_fail(ld->ctx, GEO_ERR_INTERNAL, "out of memory")
			    : exec(ld, b.s);
	geo_buf_free(&b);
	for (int k = 0; k < 6; k++)
		sqlite3_free(w[k]);
	return e;
}

/* The connection's page cache, in SQLite's units (negative: KiB). */
static long long cache_size(loader *ld)
{
	sqlite3_stmt *s = NULL;
	long long n = -2000;
	if (sqlite3_prepare_v2(ld->db, "PRAGMA cache_size", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static geo_err set_cache_size(loader *ld, long long n)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", n);
	return exec(ld, sql);
}

static geo_err build(loader *ld, const char *table, const char *column, const char *fid)
{
	char *rtree = sqlite3_mprintf("rtree_%s_%s", table, column);
	if (!rtree)
		return GEO_ERR_INTERNAL;
	/* A larger cache while the index is written, then the writer's own. */
	long long cache = cache_size(ld);
	geo_err e = set_cache_size(ld, -16384);
	if (!e)
		e = create_rtree(ld, rtree);
	if (!e)
		read_frame(ld, table), e = read_boxes(ld, table, column, fid);
	if (!e)
		e = write_tree(ld);
	if (!e)
		e = create_triggers(ld, rtree, table, column, fid);
	geo_err r = set_cache_size(ld, cache);
	sqlite3_free(rtree);
	return e ? e : r;
}

geo_err geo_gpkg_index(geo_ctx *ctx, sqlite3 *db, const char *table, const char *column,
		       const char *fid)
{
	loader ld = { .ctx = ctx, .db = db, .next_node = 2 };
	if (!(ld.mem = geo_calloc(ctx, RUN_ENTRIES, sizeof *ld.mem)))
		return GEO_ERR_INTERNAL;
	geo_err e = build(&ld, table, column, fid);
	sqlite3_finalize(ld.node);
	sqlite3_finalize(ld.rowid);
	sqlite3_finalize(ld.parent);
	if (ld.spill)
		fclose(ld.spill);
	free(ld.mem);
	free(ld.up);
	return e;
}
