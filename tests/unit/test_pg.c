/*
** Unit tests of pg.c's text handling, which needs no server: where
** PG:CONNINFO:TABLE splits, libpq's and the server's messages on one line,
** passwords hidden in names. The server itself is tested end to end in
** tests/cases/postgis (a private PostGIS per case).
*/
#include "check.h"
#include "core/geo_internal.h"

#include <string.h>

static int splits(const char *name, const char *conninfo, const char *table)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", name);
	char *t = geo_pg_split_layer(buf);
	return table ? t && !strcmp(t, table) && !strcmp(buf, conninfo)
		     : !t && !strcmp(buf, name);
}

int main(void)
{
	CHECK("PG:dbname=x:grids is table grids", splits("PG:dbname=x:grids", "PG:dbname=x", "grids"));
	CHECK("a schema-qualified table",
	      splits("PG:dbname=x host=/tmp/s:town_1.grids", "PG:dbname=x host=/tmp/s", "town_1.grids"));
	CHECK("a Chinese table name", splits("PG:dbname=x:网格", "PG:dbname=x", "网格"));
	CHECK("pg: in lower case", splits("pg:dbname=x:grids", "pg:dbname=x", "grids"));
	CHECK("no table", splits("PG:dbname=x host=h", NULL, NULL));
	CHECK("a port in a URI is no table", splits("PG:postgresql://h:5432/x", NULL, NULL));
	CHECK("a port after host is no table", splits("PG:host=h:5432", NULL, NULL));
	CHECK("a path after a colon is no table", splits("PG:host=/a:b/c", NULL, NULL));
	CHECK("a.b.c is no table", splits("PG:dbname=x:a.b.c", NULL, NULL));
	CHECK("an empty table is none", splits("PG:dbname=x:", NULL, NULL));
	CHECK("a file name is not PG", splits("town.gpkg:grids", NULL, NULL));
	CHECK("PG:grids alone: the part after PG: is a connection string", splits("PG:grids", NULL, NULL));

	char buf[256];
	geo_pg_explain("PQconnectdb failed.\nconnection to server on socket \"/s/.s.PGSQL.5432\" "
		       "failed: FATAL:  role \"x\" does not exist\n", buf, sizeof buf);
	CHECK("libpq's message on one line, without GDAL's prefix",
	      !strcmp(buf, "connection to server on socket \"/s/.s.PGSQL.5432\" failed: FATAL: role "
			   "\"x\" does not exist"));
	geo_pg_explain("CREATE TABLE \"s\".\"t\" (fid SERIAL)\nERROR:  schema \"s\" does not exist\n"
		       "LINE 1: CREATE TABLE \"s\"...\n                     ^\nHINT:  create it\n",
		       buf, sizeof buf);
	CHECK("the server's ERROR and HINT, not the statement or LINE",
	      !strcmp(buf, "ERROR: schema \"s\" does not exist HINT: create it"));
	geo_pg_explain("ERROR:  a very long message", buf, 12);
	CHECK("a message cut to the buffer", strlen(buf) < 12);

	geo_ctx *ctx = geo_ctx_new();
	char *l = geo_pg_label(ctx, "PG:dbname=x password=secret user=u:grids");
	CHECK("password=*** in a label", l && !strcmp(l, "PG:dbname=x password=*** user=u:grids"));
	free(l);
	l = geo_pg_label(ctx, "PG:password = 'a b\\' c' dbname=x");
	CHECK("a quoted password", l && !strcmp(l, "PG:password = *** dbname=x"));
	free(l);
	l = geo_pg_label(ctx, "PG:dbname=mypassword=1");
	CHECK("a word that only ends in password is kept", l && !strcmp(l, "PG:dbname=mypassword=1"));
	free(l);
	geo_ctx_free(ctx);
	return check_done();
}
