/*
** writer.c: a vector dataset being written, from its first layer to its
** commit: the transaction, the GeoPackage layers whose R-tree index is
** bulk-loaded at commit (gpkg_rtree.c), and the order of the last steps.
**
** A new file is made in a temporary folder (io.c), so nothing else can see
** it until it is renamed into place. An existing GeoPackage or SpatiaLite
** file is written in place instead, through SQLite's own locking: it may be
** open in QGIS (which keeps it in WAL mode, with changes that live only in
** its -wal file) or in another wangge run, and copying it and renaming the
** copy over it would lose those changes, or replay a stale WAL into the
** copy and corrupt it. In place, the run takes SQLite's write lock before
** writing anything, waits for another writer to finish (SQLITE_BUSY_TIMEOUT
** milliseconds, GDAL's option; one minute unless it is set), writes every
** layer, style and index in one transaction, and commits once: readers see
** the file before or after, never between, and a killed run leaves it as it
** was (SQLite rolls the transaction back). A signal interrupts the
** transaction (temps.c) so that the run rolls it back itself. The outputs
** of one run that write into the same file share one writer and one
** transaction, which commits when the last of them commits (they cannot
** each hold the lock).
*/
#include "core/geo_internal.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A wait for another program's lock: SQLite's busy handler, given up after
** the timeout or when a signal asks the run to stop. */
typedef struct waiter {
	int timeout_ms;
	double start;           /* of the current wait */
	const geo_temps *temps;
} waiter;

struct geo_writer {
	geo_writer *next;       /* the context's writers in place */
	char *key;              /* in place: the file's real path */
	char *label;            /* the file as the user named it, for messages */
	char *driver;
	GDALDatasetH ds;
	sqlite3 *db;            /* GDAL's own connection, for SQLite-based formats */
	int in_place, in_transaction, done;
	int committing;         /* the one commit an in-place writer lets through */
	int users;              /* outputs holding this writer */
	int pending;            /* of them, those that have not committed */
	int failed;             /* one of them was closed without committing */
	char **unindexed;       /* GeoPackage layers to index: table, column, fid, ... */
	int pg;                 /* a PostGIS database (key: its connection string) */
	geo_pg_table *tables;   /* PostGIS: the tables written, to finish at commit */
	int serial;             /* PostGIS: tables made so far */
	waiter wait;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int busy_wait(void *data, int n)
{
	static const int steps_ms[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
	waiter *w = data;
	double now = now_ms();
	if (n == 0)
		w->start = now;
	if (geo_temps_stopping(w->temps) || now - w->start >= w->timeout_ms)
		return 0;
	int ms = steps_ms[n < 12 ? n : 11];
	usleep((useconds_t)ms * 1000);
	return 1;
}

static void wait_init(waiter *w, geo_ctx *ctx)
{
	w->timeout_ms = geo_busy_timeout_ms();
	w->start = 0;
	w->temps = geo_ctx_temps(ctx);
}

static int is_busy(int rc)
{
	return (rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED;
}

static geo_err locked(geo_ctx *ctx, const char *label)
{
	return geo_fail(ctx, GEO_ERR_OUTPUT,
			"%s: is open in another program (locked); close it and retry", label);
}

static geo_err stopped(geo_ctx *ctx, geo_writer *w)
{
	return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: interrupted", w->label);
}

/* The SQLite error of the writer's connection, or GDAL's when there is none. */
static geo_err write_failed(geo_ctx *ctx, geo_writer *w, const char *fallback)
{
	int rc = w->db ? sqlite3_extended_errcode(w->db) : SQLITE_OK;
	if (rc == SQLITE_INTERRUPT)
		return stopped(ctx, w);
	if (is_busy(rc))
		return locked(ctx, w->label);
	char why[1024];
	if (w->pg)  /* the server's words, on one line */
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", w->label,
				geo_pg_error(why, sizeof why, fallback));
	return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", w->label,
			geo_cpl_error(fallback));
}

static geo_writer *writer_new(geo_ctx *ctx, const char *label, const char *driver)
{
	geo_writer *w = geo_calloc(ctx, 1, sizeof *w);
	if (w && (!(w->label = geo_strdup(ctx, label)) || !(w->driver = geo_strdup(ctx, driver)))) {
		free(w->label);
		free(w);
		return NULL;
	}
	if (w) {
		w->users = w->pending = 1;
		wait_init(&w->wait, ctx);
	}
	return w;
}

static void writer_free(geo_writer *w)
{
	geo_pg_table_free(w->tables);
	CSLDestroy(w->unindexed);
	free(w->key);
	free(w->label);
	free(w->driver);
	free(w);
}

geo_writer *geo_writer_new(geo_ctx *ctx, GDALDatasetH ds, const char *driver, const char *label)
{
	geo_writer *w = writer_new(ctx, label, driver);
	if (!w) {
		GDALClose(ds);
		return NULL;
	}
	w->ds = ds;
	w->db = GDALGetInternalHandle(ds, "SQLITE_HANDLE");
	return w;
}

/*
** Takes SQLite's write lock at once, inside the transaction GDAL has just
** begun (deferred, so it holds no lock yet). The first statement writes, so
** SQLite waits for another writer through the busy handler; had it read
** first, a writer committing meanwhile would make the later write fail at
** once on its stale snapshot (WAL mode). incremental_vacuum begins a write
** on any SQLite file and changes nothing in one without incremental
** auto-vacuum (GDAL makes none); at most it would free one unused page.
*/
static geo_err take_write_lock(geo_ctx *ctx, geo_writer *w)
{
	int rc = sqlite3_exec(w->db, "PRAGMA main.incremental_vacuum(1)", NULL, NULL, NULL);
	if (rc == SQLITE_OK && sqlite3_txn_state(w->db, "main") == SQLITE_TXN_WRITE)
		return GEO_OK;
	if (is_busy(rc))
		return locked(ctx, w->label);
	return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", w->label,
			rc == SQLITE_OK ? "no write lock" : sqlite3_errmsg(w->db));
}

/*
** SQLite itself rolls a transaction back on some errors (a full disk, for
** one), and GDAL then goes on writing with each statement committing on its
** own: a half-replaced layer would reach the file. Every commit on an
** in-place connection but the writer's own one is therefore turned into a
** rollback.
*/
static int veto_commit(void *data)
{
	return !((geo_writer *)data)->committing;
}

/* The file's schema version (SQLite's schema cookie), or -1. */
static long long schema_version(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA main.schema_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static long long schema_version_of(const char *path, waiter *wait)
{
	sqlite3 *db = NULL;
	long long v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_handler(db, busy_wait, wait);
		v = schema_version(db);
	}
	sqlite3_close(db);
	return v;
}

/* Opens the file for update with GDAL, whose own busy timeout covers the
** reads of opening, set from ours for this thread only. */
static GDALDatasetH open_update(const char *path, const char *driver, int busy_ms)
{
	char *saved = CPLGetThreadLocalConfigOption("SQLITE_BUSY_TIMEOUT", NULL)
			      ? CPLStrdup(CPLGetThreadLocalConfigOption("SQLITE_BUSY_TIMEOUT", NULL))
			      : NULL;
	char ms[32];
	snprintf(ms, sizeof ms, "%d", busy_ms);
	CPLSetThreadLocalConfigOption("SQLITE_BUSY_TIMEOUT", ms);
	const char *drivers[] = { driver, NULL };
	CPLErrorReset();
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
	CPLSetThreadLocalConfigOption("SQLITE_BUSY_TIMEOUT", saved);
	CPLFree(saved);
	return ds;
}

/* Rolls back what is not committed and closes the dataset; whatever GDAL
** still writes as it closes is dropped (the veto), not waited for. */
static void close_dataset(geo_ctx *ctx, geo_writer *w)
{
	if (!w->ds)
		return;
	if (w->db && w->in_place)
		sqlite3_busy_timeout(w->db, 0);
	if (w->in_transaction)
		GDALDatasetRollbackTransaction(w->ds);
	geo_temps_forget_db(ctx, w->db);
	GDALClose(w->ds);
	w->ds = NULL;
	w->db = NULL;
	w->in_transaction = 0;
}

/*
** One attempt at opening the file in place: GDAL opens it (reading its
** layers, fields and metadata into its caches), begins the transaction and
** takes the write lock. Returns 1 when it holds the lock and nothing in the
** schema changed since before GDAL read it, 0 when GDAL's reading may be
** stale (another program changed the file in between), -1 on failure.
*/
static int open_attempt(geo_ctx *ctx, geo_writer *w, const char *path, int busy_ms)
{
	long long before = schema_version_of(path, &w->wait);
	if (!(w->ds = open_update(path, w->driver, busy_ms))) {
		const char *why = geo_cpl_error("GDAL cannot open it");
		if (strstr(why, "locked") || strstr(why, "busy"))
			locked(ctx, w->label);
		else
			geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot open it to add a layer: %s",
				 w->label, why);
		return -1;
	}
	if (!(w->db = GDALGetInternalHandle(w->ds, "SQLITE_HANDLE"))) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "%s: GDAL gives no SQLite connection to write it with",
			 w->label);
		return -1;
	}
	sqlite3_busy_handler(w->db, busy_wait, &w->wait);
	/* Known to the signal handler before the transaction makes a journal: a
	** signal from here on stops the run's writes (geo_write_feature), which
	** then rolls back, instead of ending the process with a hot journal. */
	geo_temps_add_db(ctx, w->db);
	if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
		write_failed(ctx, w, "cannot begin a transaction");
		return -1;
	}
	w->in_transaction = 1;
	if (take_write_lock(ctx, w))
		return -1;
	sqlite3_commit_hook(w->db, veto_commit, w);
	return before >= 0 && schema_version(w->db) == before;
}

geo_writer *geo_writer_open_in_place(geo_ctx *ctx, const char *path, const char *driver,
				     const char *label)
{
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot open: %s", label, strerror(errno));
		return NULL;
	}
	for (geo_writer *w = *geo_ctx_writers(ctx); w; w = w->next) {
		if (w->pg || strcmp(w->key, real) || w->done)
			continue;
		w->users++;
		w->pending++;
		return w;
	}
	geo_writer *w = writer_new(ctx, label, driver);
	if (!w || !(w->key = geo_strdup(ctx, real))) {
		if (w)
			writer_free(w);
		return NULL;
	}
	w->in_place = 1;
	/* Another writer that commits while GDAL reads the file leaves GDAL's
	** picture of it stale: then read it again, within the busy timeout. */
	double deadline = now_ms() + w->wait.timeout_ms;
	int got;
	while ((got = open_attempt(ctx, w, path, (int)fmax(deadline - now_ms(), 0))) == 0) {
		close_dataset(ctx, w);
		if (now_ms() >= deadline || geo_temps_stopping(w->wait.temps)) {
			locked(ctx, label);
			got = -1;
			break;
		}
		geo_log(ctx, GEO_LOG_DEBUG, "%s: changed while being opened; opening it again", label);
	}
	if (got < 0) {
		close_dataset(ctx, w);
		writer_free(w);
		return NULL;
	}
	w->next = *geo_ctx_writers(ctx);
	*geo_ctx_writers(ctx) = w;
	return w;
}

/*
** A PostGIS database. GDAL's PostgreSQL driver commits an open transaction
** when the dataset is closed, so a run that failed would publish what it had
** written: the transaction is begun here, before the first table, and
** close_dataset rolls it back unless the commit went through. A run killed
** outright loses its connection, and the server rolls back for it.
*/
geo_writer *geo_writer_open_pg(geo_ctx *ctx, const char *conninfo, const char *label)
{
	for (geo_writer *w = *geo_ctx_writers(ctx); w; w = w->next) {
		if (!w->pg || strcmp(w->key, conninfo) || w->done)
			continue;
		w->users++;
		w->pending++;
		return w;
	}
	geo_writer *w = writer_new(ctx, label, "PostgreSQL");
	if (!w || !(w->key = geo_strdup(ctx, conninfo))) {
		if (w)
			writer_free(w);
		return NULL;
	}
	w->pg = 1;
	const char *drivers[] = { "PostgreSQL", NULL };
	char why[1024];
	CPLErrorReset();
	w->ds = GDALOpenEx(conninfo, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
	if (!w->ds) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot connect: %s", label,
			 geo_pg_error(why, sizeof why, "GDAL cannot open it"));
		writer_free(w);
		return NULL;
	}
	CPLErrorReset();
	if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot begin a transaction: %s", label,
			 geo_pg_error(why, sizeof why, "the server refused"));
		close_dataset(ctx, w);
		writer_free(w);
		return NULL;
	}
	w->in_transaction = 1;
	w->next = *geo_ctx_writers(ctx);
	*geo_ctx_writers(ctx) = w;
	return w;
}

geo_pg_table *geo_writer_pg_table(geo_ctx *ctx, geo_writer *w, const char *layer, int overwrite)
{
	geo_pg_table *t = geo_pg_table_new(ctx, w->ds, w->label, layer, overwrite, ++w->serial);
	if (t) {
		geo_pg_table_link(t, w->tables);
		w->tables = t;
	}
	return t;
}

int geo_writer_is_pg_layer(geo_ctx *ctx, OGRLayerH l)
{
	for (geo_writer *w = *geo_ctx_writers(ctx); w; w = w->next)
		for (geo_pg_table *t = w->pg ? w->tables : NULL; t; t = geo_pg_table_next(t))
			if (geo_pg_table_layer(t) == l)
				return 1;
	return 0;
}

geo_pg_table *geo_writer_pg_find(geo_writer *w, const char *created)
{
	/* GDAL names a table of the current schema without it, others with it. */
	for (geo_pg_table *t = w ? w->tables : NULL; t; t = geo_pg_table_next(t)) {
		const char *name = geo_pg_table_create_name(t), *dot = strchr(name, '.');
		if (!strcmp(name, created) || (dot && !strcmp(dot + 1, created)))
			return t;
	}
	return NULL;
}

GDALDatasetH geo_writer_dataset(geo_writer *w)
{
	return w->ds;
}

void geo_writer_layer_created(geo_writer *w, OGRLayerH l)
{
	if (!strcmp(w->driver, "GPKG") && OGR_L_GetGeomType(l) != wkbNone) {
		w->unindexed = CSLAddString(w->unindexed, OGR_L_GetName(l));
		w->unindexed = CSLAddString(w->unindexed, OGR_L_GetGeometryColumn(l));
		w->unindexed = CSLAddString(w->unindexed, OGR_L_GetFIDColumn(l));
	}
	/* A new file's transaction begins with its first layer, as some drivers
	** create layers only outside one. */
	if (!w->in_transaction && GDALDatasetTestCapability(w->ds, ODsCTransactions))
		w->in_transaction = GDALDatasetStartTransaction(w->ds, FALSE) == OGRERR_NONE;
}

/*
** The last steps, in an order that keeps them in the one transaction: GDAL
** flushes what it defers (tables created on the first feature, extents,
** feature counts, and for a GeoPackage the removal of its placeholder
** table), the indexes are built through GDAL's own connection, and only
** then does the transaction commit. Closing then writes nothing more.
*/
static geo_err finish(geo_ctx *ctx, geo_writer *w)
{
	/* A signal that came between SQLite calls interrupted nothing. */
	if (geo_temps_stopping(w->wait.temps))
		return stopped(ctx, w);
	CPLErrorReset();
	GDALFlushCache(w->ds);
	if (CPLGetLastErrorType() >= CE_Failure)
		return write_failed(ctx, w, "write failed");
	if (w->pg) {
		geo_err e = geo_pg_finish(ctx, w->ds, w->label, w->tables);
		if (e)
			return e;
	}
	for (char **u = w->unindexed; u && u[0] && u[1] && u[2]; u += 3) {
		if (!w->db)
			return geo_fail(ctx, GEO_ERR_INTERNAL,
					"%s: GDAL gives no SQLite connection to index it with", w->label);
		geo_err e = geo_gpkg_index(ctx, w->db, u[0], u[1], u[2]);
		if (e)
			return is_busy(sqlite3_extended_errcode(w->db)) ||
					       sqlite3_extended_errcode(w->db) == SQLITE_INTERRUPT
				       ? write_failed(ctx, w, "")
				       : e;
	}
	if (geo_temps_stopping(w->wait.temps))
		return stopped(ctx, w);
	/* A transaction SQLite rolled back by itself cannot be committed. */
	if (w->in_transaction && w->db && sqlite3_get_autocommit(w->db))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", w->label,
				sqlite3_errmsg(w->db));
	CPLErrorReset();
	w->committing = 1;
	int ok = !w->in_transaction || GDALDatasetCommitTransaction(w->ds) == OGRERR_NONE;
	w->committing = 0;
	if (!ok)
		return write_failed(ctx, w, "commit failed");
	w->in_transaction = 0;
	w->done = 1;
	close_dataset(ctx, w);
	/* Closing an in-place file writes nothing once its transaction has
	** committed (the veto would stop it); a new file's driver may still
	** flush, and fail, as it closes. */
	if (!w->in_place && CPLGetLastErrorType() >= CE_Failure)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", w->label,
				geo_cpl_error("write failed"));
	return GEO_OK;
}

geo_err geo_writer_commit(geo_ctx *ctx, geo_writer *w)
{
	w->pending--;
	if (w->failed)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: not written: another output into it failed",
				w->label);
	return w->pending > 0 ? GEO_OK : finish(ctx, w);
}

void geo_writer_release(geo_ctx *ctx, geo_writer *w, int committed)
{
	if (!w)
		return;
	if (!committed && !w->done) {
		w->failed = 1;
		w->pending--;
	}
	if (--w->users > 0)
		return;
	close_dataset(ctx, w);
	for (geo_writer **p = geo_ctx_writers(ctx); *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	writer_free(w);
}

/* 1 when the file starts as an SQLite database does. */
static int is_sqlite_file(const char *path)
{
	char head[16];
	FILE *f = fopen(path, "rb");
	int yes = f && fread(head, 1, sizeof head, f) == sizeof head &&
		  !memcmp(head, "SQLite format 3", sizeof head);
	if (f)
		fclose(f);
	return yes;
}

static int sidecar_exists(const char *path, const char *suffix)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "%s%s", path, suffix);
	struct stat st;
	int yes = b.s && lstat(b.s, &st) == 0;
	geo_buf_free(&b);
	return yes;
}

geo_err geo_writer_check_idle(geo_ctx *ctx, const char *path, const char *label)
{
	if (!is_sqlite_file(path))
		return GEO_OK;
	waiter wait;
	wait_init(&wait, ctx);
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_handler(db, busy_wait, &wait);
		/* In rollback-journal mode this waits for every reader and writer;
		** in WAL mode for the writer, and it recovers a crashed writer's WAL. */
		rc = sqlite3_exec(db, "BEGIN EXCLUSIVE; ROLLBACK", NULL, NULL, NULL);
	}
	int busy = is_busy(rc);
	/* As the last connection closes, SQLite checkpoints the WAL into the
	** file and removes it; when it stays, another program has the file open
	** and would replay it into whatever is renamed over the file. */
	sqlite3_close(db);
	if (busy)
		return locked(ctx, label);
	static const char *const sidecars[] = { "-wal", "-journal" };
	for (size_t i = 0; i < sizeof sidecars / sizeof sidecars[0]; i++)
		if (sidecar_exists(path, sidecars[i]))
			return geo_fail(ctx, GEO_ERR_OUTPUT,
					"%s: is open in another program (%s%s is in use); "
					"close it and retry",
					label, label, sidecars[i]);
	return GEO_OK;
}
