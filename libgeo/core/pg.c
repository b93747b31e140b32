/*
** pg.c: PostGIS as a source and a target. Names are PG:CONNINFO[:TABLE],
** the table being a plain or schema-qualified name after the last ':'.
** A PostGIS output is written through GDAL's PostgreSQL driver in one
** transaction begun before its first table (writer.c), so that a failure,
** a signal or a kill -9 leaves the database as it was: the server rolls
** back what a lost connection had not committed. A table that replaces
** another (--overwrite) is written under a temporary name and swapped in at
** commit, in that same transaction: DROP of the old table, RENAME of the
** new one and of its index, sequence and key. Readers see the old table
** until the commit and the new one after; they wait only for the swap.
** Runs writing one table take turns (lock_table), so that what a run sees
** in the table before replacing it is what it replaces.
** Styles go into QGIS's own layer_styles table, in the same transaction.
**
** GDAL runs the statements here on its own connection (ExecuteSQL), the one
** holding the transaction; it binds no parameters, so the few names and
** values in them are quoted here (quote_ident, quote_literal), and the
** style's text goes through OGR's feature API.
*/
#include "core/geo_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

/* PostgreSQL's identifiers hold at most 63 bytes (NAMEDATALEN - 1). */
#define PG_NAME_MAX 63

struct geo_pg_table {
	geo_pg_table *next;
	char *schema;           /* as given, or NULL: the connection's current schema */
	char *name;             /* the table's final name */
	char *create;           /* the name GDAL creates it under (schema-qualified) */
	char *tmp;              /* the temporary table name, when replacing; else NULL */
	char *geom;             /* the geometry column, or NULL */
	char *qml;              /* the style, or NULL */
	OGRLayerH layer;        /* GDAL's layer writing it */
};

int geo_pg_is(const char *name)
{
	return name && !strncasecmp(name, "PG:", 3);
}

/* A table name as a user writes one after PG:...: letters (any script),
** digits, '_' and '$', not beginning with a digit. */
static int plain_name(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9') || s[0] == '$')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c >= 0x80 || c == '_' || c == '$' || (c >= '0' && c <= '9') ||
		      (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

static int table_name(const char *s)
{
	const char *dot = strchr(s, '.');
	if (!dot)
		return plain_name(s, strlen(s));
	return !strchr(dot + 1, '.') && plain_name(s, (size_t)(dot - s)) &&
	       plain_name(dot + 1, strlen(dot + 1));
}

char *geo_pg_split_layer(char *name)
{
	if (!geo_pg_is(name))
		return NULL;
	char *colon = strrchr(name, ':');
	if (!colon || colon < name + 3 || !table_name(colon + 1))
		return NULL;
	*colon = '\0';
	return colon + 1;
}

/* A server's error within GDAL's message (which repeats the statement
** first): its ERROR, DETAIL and HINT lines, not the statement, LINE or
** CONTEXT, which would fill the screen with a COPY's data. */
static int server_error(const char *cpl, char *buf, size_t size)
{
	const char *at = strstr(cpl, "ERROR:");
	if (!at || (at != cpl && at[-1] != '\n'))
		return 0;
	size_t n = 0;
	buf[0] = '\0';
	while (*at) {
		const char *end = strchr(at, '\n');
		size_t len = end ? (size_t)(end - at) : strlen(at);
		if (!strncmp(at, "ERROR:", 6) || !strncmp(at, "DETAIL:", 7) || !strncmp(at, "HINT:", 5)) {
			for (size_t i = 0; i < len && n + 2 < size; i++) {
				char c = at[i] == '\t' ? ' ' : at[i];
				if (c == ' ' && (n == 0 || buf[n - 1] == ' '))
					continue;
				buf[n++] = c;
			}
			if (n + 2 < size)
				buf[n++] = ' ';
		}
		at += len + (end != NULL);
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return 1;
}

void geo_pg_explain(const char *cpl, char *buf, size_t size)
{
	if (server_error(cpl, buf, size))
		return;
	/* GDAL prefixes libpq's message with its own words and a newline. */
	static const char *const prefixes[] = { "PQconnectdb failed.", "PQconnectdb failed:" };
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (!strncmp(cpl, prefixes[i], strlen(prefixes[i])))
			cpl += strlen(prefixes[i]);
	cpl += strspn(cpl, " \n");
	size_t n = 0;
	for (; *cpl && n + 1 < size; cpl++) {
		char c = *cpl == '\n' || *cpl == '\t' ? ' ' : *cpl;
		if (c == ' ' && (n == 0 || buf[n - 1] == ' '))
			continue;
		buf[n++] = c;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

const char *geo_pg_error(char *buf, size_t size, const char *fallback)
{
	geo_pg_explain(geo_cpl_error(fallback), buf, size);
	return buf;
}

char *geo_pg_label(geo_ctx *ctx, const char *name)
{
	geo_buf b;
	geo_buf_init(&b);
	const char *p = name;
	for (const char *at; (at = strstr(p, "password"));) {
		const char *v = at + 8;
		v += strspn(v, " ");
		int word = at == name || at[-1] == ' ' || at[-1] == ':';
		if (!word || *v != '=') {
			geo_buf_addn(&b, p, (size_t)(v - p));
			p = v;
			continue;
		}
		v++;
		v += strspn(v, " ");
		geo_buf_addn(&b, p, (size_t)(v - p));
		geo_buf_add(&b, "***");
		if (*v == '\'') {  /* a quoted value, \' inside it */
			for (v++; *v && *v != '\''; v++)
				if (*v == '\\' && v[1])
					v++;
			v += *v == '\'';
		} else {
			v += strcspn(v, " ");
		}
		p = v;
	}
	geo_buf_add(&b, p);
	char *s = geo_buf_take(&b);
	if (!s)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return s;
}

/* "name" with embedded quotes doubled: an identifier exactly as given. */
static void quote_ident(geo_buf *b, const char *s)
{
	geo_buf_add(b, "\"");
	for (; *s; s++)
		geo_buf_add(b, *s == '"' ? "\"\"" : (char[]){ *s, 0 });
	geo_buf_add(b, "\"");
}

/* E'text' with quotes and backslashes escaped: right whatever
** standard_conforming_strings says. */
static void quote_literal(geo_buf *b, const char *s)
{
	geo_buf_add(b, "E'");
	for (; *s; s++)
		geo_buf_add(b, *s == '\'' ? "''" : *s == '\\' ? "\\\\" : (char[]){ *s, 0 });
	geo_buf_add(b, "'");
}

/* "schema"."name", or "name" for the current schema. */
static void quote_table(geo_buf *b, const char *schema, const char *name)
{
	if (schema) {
		quote_ident(b, schema);
		geo_buf_add(b, ".");
	}
	quote_ident(b, name);
}

/* Runs one statement that returns no rows on GDAL's connection. */
static geo_err exec(geo_ctx *ctx, GDALDatasetH ds, const char *label, geo_buf *sql)
{
	if (sql->failed)
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	CPLErrorReset();
	OGRLayerH r = GDALDatasetExecuteSQL(ds, sql->s, NULL, NULL);
	if (r)
		GDALDatasetReleaseResultSet(ds, r);
	if (CPLGetLastErrorType() >= CE_Failure) {
		char why[1024];
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: %s", label,
				geo_pg_error(why, sizeof why, "the server refused"));
	}
	return GEO_OK;
}

/* Makes the transaction's lock waits as long as a GeoPackage's
** (SQLITE_BUSY_TIMEOUT): then the server says "lock timeout". */
static geo_err wait_like_sqlite(geo_ctx *ctx, GDALDatasetH ds, const char *label)
{
	geo_buf sql;
	geo_buf_init(&sql);
	geo_buf_printf(&sql, "SET LOCAL lock_timeout = %d", geo_busy_timeout_ms());
	geo_err e = exec(ctx, ds, label, &sql);
	geo_buf_free(&sql);
	return e;
}

/* The first column of each row a query returns, as a CSL list (NULL when
** none); *e says whether it failed. */
static char **query(geo_ctx *ctx, GDALDatasetH ds, const char *label, geo_buf *sql, geo_err *e)
{
	*e = GEO_OK;
	if (sql->failed) {
		*e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	CPLErrorReset();
	OGRLayerH r = GDALDatasetExecuteSQL(ds, sql->s, NULL, NULL);
	char **rows = NULL;
	OGRFeatureH f;
	while (r && (f = OGR_L_GetNextFeature(r))) {
		rows = CSLAddString(rows, OGR_F_IsFieldSetAndNotNull(f, 0) ? OGR_F_GetFieldAsString(f, 0)
									  : "");
		OGR_F_Destroy(f);
	}
	if (r)
		GDALDatasetReleaseResultSet(ds, r);
	if (CPLGetLastErrorType() >= CE_Failure) {
		char why[1024];
		*e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: %s", label,
			      geo_pg_error(why, sizeof why, "the server refused"));
		CSLDestroy(rows);
		return NULL;
	}
	return rows;
}

/* The schema a table goes in: its own, or the connection's current one. */
static char *schema_of(geo_ctx *ctx, GDALDatasetH ds, const char *label, const char *schema)
{
	if (schema)
		return geo_strdup(ctx, schema);
	geo_buf sql;
	geo_buf_init(&sql);
	geo_buf_add(&sql, "SELECT current_schema()");
	geo_err e;
	char **rows = query(ctx, ds, label, &sql, &e);
	geo_buf_free(&sql);
	char *s = rows && rows[0] && *rows[0] ? geo_strdup(ctx, rows[0]) : NULL;
	if (!e && !s)
		geo_fail(ctx, GEO_ERR_OUTPUT, "%s: the connection has no current schema (search_path)",
			 label);
	CSLDestroy(rows);
	return s;
}

/* 1 when the table exists, 0 when not, -1 on failure. */
static int table_exists(geo_ctx *ctx, GDALDatasetH ds, const char *label, const char *schema,
			const char *name)
{
	geo_buf sql;
	geo_buf_init(&sql);
	geo_buf_add(&sql, "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = "
			  "c.relnamespace WHERE n.nspname = ");
	quote_literal(&sql, schema);
	geo_buf_add(&sql, " AND c.relname = ");
	quote_literal(&sql, name);
	geo_err e;
	char **rows = query(ctx, ds, label, &sql, &e);
	geo_buf_free(&sql);
	int n = CSLCount(rows);
	CSLDestroy(rows);
	return e ? -1 : n > 0;
}

/*
** Takes the table for the run: runs writing one table take turns (an
** advisory lock on its name, to the end of the transaction), so that the
** second sees the table the first committed: it then exists (refused
** without --overwrite), and what a run checks in it before replacing it
** (grid-split's other towns) is what it replaces. An existing table is also
** locked against other writers (ogr2ogr -append), not readers: rows added
** meanwhile would be dropped with it. Each waits as long as a GeoPackage's
** lock (SQLITE_BUSY_TIMEOUT), then the run fails with the server's "lock
** timeout" and rolls back. Returns 1 when the table exists, 0 when not, -1
** on failure.
*/
static int lock_table(geo_ctx *ctx, GDALDatasetH ds, const char *label, const char *schema,
		      const char *name)
{
	geo_err e = wait_like_sqlite(ctx, ds, label);
	geo_buf sql;
	geo_buf_init(&sql);
	geo_buf_add(&sql, "SELECT pg_advisory_xact_lock(hashtext(");
	quote_literal(&sql, "wangge table ");
	geo_buf_add(&sql, " || ");
	quote_literal(&sql, schema);
	geo_buf_add(&sql, " || '.' || ");
	quote_literal(&sql, name);
	geo_buf_add(&sql, "))");
	if (!e)
		CSLDestroy(query(ctx, ds, label, &sql, &e));
	geo_buf_free(&sql);
	int exists = e ? -1 : table_exists(ctx, ds, label, schema, name);
	if (exists > 0) {
		geo_buf_add(&sql, "LOCK TABLE ");
		quote_table(&sql, schema, name);
		geo_buf_add(&sql, " IN SHARE ROW EXCLUSIVE MODE");
		if (exec(ctx, ds, label, &sql))
			exists = -1;
		geo_buf_free(&sql);
	}
	return exists;
}

geo_pg_table *geo_pg_table_new(geo_ctx *ctx, GDALDatasetH ds, const char *label,
			       const char *layer, int overwrite, int serial)
{
	geo_pg_table *t = geo_calloc(ctx, 1, sizeof *t);
	if (!t)
		return NULL;
	const char *dot = strchr(layer, '.');
	char *given = dot ? geo_strdup(ctx, layer) : NULL;
	if (given)
		given[dot - layer] = '\0';
	t->name = geo_strdup(ctx, dot ? dot + 1 : layer);
	t->schema = t->name && (!dot || given) ? schema_of(ctx, ds, label, given) : NULL;
	free(given);
	if (!t->name || !t->schema) {
		geo_pg_table_free(t);
		return NULL;
	}
	int exists = lock_table(ctx, ds, label, t->schema, t->name);
	if (exists < 0 || (exists && !overwrite)) {
		if (exists > 0)
			geo_fail(ctx, GEO_ERR_OUTPUT, "%s: table '%s.%s' exists; use --overwrite to "
				 "replace it", label, t->schema, t->name);
		geo_pg_table_free(t);
		return NULL;
	}
	geo_buf b;
	geo_buf_init(&b);
	if (exists) {
		geo_buf_printf(&b, "wangge_tmp_%ld_%d", (long)getpid(), serial);
		t->tmp = geo_buf_take(&b);
		geo_buf_init(&b);
	}
	geo_buf_printf(&b, "%s.%s", t->schema, t->tmp ? t->tmp : t->name);
	t->create = geo_buf_take(&b);
	if ((exists && !t->tmp) || !t->create) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		geo_pg_table_free(t);
		return NULL;
	}
	return t;
}

const char *geo_pg_table_create_name(const geo_pg_table *t) { return t->create; }
void geo_pg_table_set_layer(geo_pg_table *t, OGRLayerH l) { t->layer = l; }
OGRLayerH geo_pg_table_layer(const geo_pg_table *t) { return t->layer; }
const char *geo_pg_table_name(const geo_pg_table *t) { return t->name; }
geo_pg_table *geo_pg_table_next(geo_pg_table *t) { return t->next; }
void geo_pg_table_link(geo_pg_table *t, geo_pg_table *next) { t->next = next; }

geo_err geo_pg_table_style(geo_ctx *ctx, geo_pg_table *t, const char *geom, const char *qml)
{
	free(t->geom);
	free(t->qml);
	t->geom = geom && *geom ? geo_strdup(ctx, geom) : NULL;
	t->qml = geo_strdup(ctx, qml);
	return t->qml && (t->geom || !geom || !*geom) ? GEO_OK : GEO_ERR_INTERNAL;
}

void geo_pg_table_free(geo_pg_table *t)
{
	while (t) {
		geo_pg_table *next = t->next;
		free(t->schema);
		free(t->name);
		free(t->create);
		free(t->tmp);
		free(t->geom);
		free(t->qml);
		free(t);
		t = next;
	}
}

/* NAME with the temporary table's name at its start replaced by the final
** one (the index tmp_geom_geom_idx becomes grids_geom_geom_idx), cut to
** PostgreSQL's 63 bytes at a character boundary. */
static char *renamed(const geo_pg_table *t, const char *old)
{
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, "%s%s", t->name, old + strlen(t->tmp));
	char *s = geo_buf_take(&b);
	if (s && strlen(s) > PG_NAME_MAX) {
		size_t n = PG_NAME_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		s[n] = '\0';
	}
	return s;
}

/* Swaps the table written under a temporary name in for the old one. */
static geo_err swap_in(geo_ctx *ctx, GDALDatasetH ds, const char *label, const geo_pg_table *t)
{
	/* The DROP waits for readers of the old table to finish their query (a
	** long transaction holds it longer): as long as wangge waits for a
	** GeoPackage's lock (SQLITE_BUSY_TIMEOUT), then the run fails with the
	** server's "lock timeout" and rolls back, rather than hang. */
	geo_err e = wait_like_sqlite(ctx, ds, label);
	geo_buf sql;
	geo_buf_init(&sql);
	/* Another run may have dropped it meanwhile; without CASCADE, a view on
	** it stops the swap with PostgreSQL's message rather than vanish. */
	geo_buf_add(&sql, "DROP TABLE IF EXISTS ");
	quote_table(&sql, t->schema, t->name);
	if (!e)
		e = exec(ctx, ds, label, &sql);
	geo_buf_free(&sql);
	if (!e) {
		geo_buf_add(&sql, "ALTER TABLE ");
		quote_table(&sql, t->schema, t->tmp);
		geo_buf_add(&sql, " RENAME TO ");
		quote_ident(&sql, t->name);
		e = exec(ctx, ds, label, &sql);
		geo_buf_free(&sql);
	}
	/* Its index, key and sequence were named after the temporary table. */
	geo_buf_add(&sql, "SELECT c.relkind::text || c.relname::text FROM pg_class c "
			  "JOIN pg_namespace n ON n.oid = c.relnamespace "
			  "WHERE c.relkind IN ('i', 'S') AND n.nspname = ");
	quote_literal(&sql, t->schema);
	geo_buf_add(&sql, " AND left(c.relname, length(");
	quote_literal(&sql, t->tmp);
	geo_buf_add(&sql, ")) = ");
	quote_literal(&sql, t->tmp);
	char **rows = e ? NULL : query(ctx, ds, label, &sql, &e);
	geo_buf_free(&sql);
	for (char **r = rows; !e && r && *r; r++) {
		char *to = renamed(t, *r + 1);
		if (!to) {
			e = geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
			break;
		}
		geo_buf_add(&sql, **r == 'i' ? "ALTER INDEX " : "ALTER SEQUENCE ");
		quote_table(&sql, t->schema, *r + 1);
		geo_buf_add(&sql, " RENAME TO ");
		quote_ident(&sql, to);
		free(to);
		e = exec(ctx, ds, label, &sql);
		geo_buf_free(&sql);
	}
	CSLDestroy(rows);
	return e;
}

/* QGIS's own layer_styles table (QgsPostgresProvider's DDL, with the
** `type` column QGIS 3.22 added), made when the database has none. */
static geo_err styles_table(geo_ctx *ctx, GDALDatasetH ds, const char *label)
{
	geo_buf sql;
	geo_buf_init(&sql);
	/* Runs that make the table at once would collide on its name in the
	** catalogue; they take turns, to the end of their transactions, which
	** follows in a moment (the styles are the last thing written). */
	geo_buf_add(&sql, "SELECT pg_advisory_xact_lock(hashtext('wangge layer_styles'))");
	geo_err e;
	CSLDestroy(query(ctx, ds, label, &sql, &e));
	geo_buf_free(&sql);
	if (e)
		return e;
	geo_buf_add(&sql, "CREATE TABLE IF NOT EXISTS public.layer_styles ("
			  "id SERIAL PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, "
			  "f_table_name varchar, f_geometry_column varchar, styleName text, "
			  "styleQML xml, styleSLD xml, useAsDefault boolean, description text, "
			  "owner varchar(63) DEFAULT CURRENT_USER, ui xml, "
			  "update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)");
	e = exec(ctx, ds, label, &sql);
	geo_buf_free(&sql);
	return e;
}

#define OURS "wangge default style"

/*
** Writes the table's style as QGIS writes one: a row of layer_styles naming
** the database, schema, table and geometry column. Earlier wangge styles of
** the table go; styles the office saved itself stay, and when one of them is
** the default, it remains the default.
*/
static geo_err write_style(geo_ctx *ctx, GDALDatasetH ds, const char *label, const char *db,
			   const geo_pg_table *t)
{
	geo_err e = styles_table(ctx, ds, label);
	OGRLayerH s = e ? NULL : GDALDatasetGetLayerByName(ds, "public.layer_styles");
	if (!e && !s)
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot open layer_styles: %s", label,
				geo_cpl_error("GDAL does not see it"));
	OGRFeatureDefnH d = s ? OGR_L_GetLayerDefn(s) : NULL;
	int fcat = d ? OGR_FD_GetFieldIndex(d, "f_table_catalog") : -1,
	    fsch = d ? OGR_FD_GetFieldIndex(d, "f_table_schema") : -1,
	    ftab = d ? OGR_FD_GetFieldIndex(d, "f_table_name") : -1,
	    fdef = d ? OGR_FD_GetFieldIndex(d, "useasdefault") : -1,
	    fdesc = d ? OGR_FD_GetFieldIndex(d, "description") : -1;
	if (!e && (fcat < 0 || fsch < 0 || ftab < 0 || fdef < 0 || fdesc < 0))
		return geo_fail(ctx, GEO_ERR_OUTPUT, "%s: layer_styles lacks QGIS's columns", label);
	GIntBig *ours = NULL;
	size_t n = 0;
	int theirs_default = 0;
	OGRFeatureH f;
	if (s)
		OGR_L_ResetReading(s);
	while (!e && (f = OGR_L_GetNextFeature(s))) {
		if (!strcmp(geo_feat_str(f, fcat), db) && !strcmp(geo_feat_str(f, fsch), t->schema) &&
		    !strcmp(geo_feat_str(f, ftab), t->name)) {
			if (!strcmp(geo_feat_str(f, fdesc), OURS)) {
				GIntBig *p = geo_realloc_array(ctx, ours, n + 1, sizeof *ours);
				if (p)
					(ours = p)[n++] = OGR_F_GetFID(f);
				else
					e = GEO_ERR_INTERNAL;
			} else if (OGR_F_GetFieldAsInteger(f, fdef)) {
				theirs_default = 1;
			}
		}
		OGR_F_Destroy(f);
	}
	for (size_t i = 0; !e && i < n; i++)
		if (OGR_L_DeleteFeature(s, ours[i]) != OGRERR_NONE)
			e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot replace the style of %s: %s",
				     label, t->name, geo_cpl_error("the server refused"));
	free(ours);
	if (e)
		return e;
	f = OGR_F_Create(d);
	OGR_F_SetFieldString(f, fcat, db);
	OGR_F_SetFieldString(f, fsch, t->schema);
	OGR_F_SetFieldString(f, ftab, t->name);
	if (t->geom)
		OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(d, "f_geometry_column"), t->geom);
	OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(d, "stylename"), t->name);
	OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(d, "styleqml"), t->qml);
	OGR_F_SetFieldInteger(f, fdef, !theirs_default);
	OGR_F_SetFieldString(f, fdesc, OURS);
	if (OGR_FD_GetFieldIndex(d, "type") >= 0)
		OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(d, "type"), "vector");
	CPLErrorReset();
	if (OGR_L_CreateFeature(s, f) != OGRERR_NONE) {
		char why[1024];
		e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write the style of %s: %s", label,
			     t->name, geo_pg_error(why, sizeof why, "the server refused"));
	}
	OGR_F_Destroy(f);
	return e;
}

geo_err geo_pg_finish(geo_ctx *ctx, GDALDatasetH ds, const char *label, geo_pg_table *list)
{
	geo_err e = GEO_OK;
	for (geo_pg_table *t = list; !e && t; t = t->next)
		if (t->tmp)
			e = swap_in(ctx, ds, label, t);
	char **db = NULL;
	for (geo_pg_table *t = list; !e && t; t = t->next) {
		if (!t->qml)
			continue;
		if (!db) {
			geo_buf sql;
			geo_buf_init(&sql);
			geo_buf_add(&sql, "SELECT current_database()");
			db = query(ctx, ds, label, &sql, &e);
			geo_buf_free(&sql);
			if (!e && !db)
				e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: no current database", label);
		}
		if (!e)
			e = write_style(ctx, ds, label, db[0], t);
	}
	CSLDestroy(db);
	return e;
}
