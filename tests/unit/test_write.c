/*
** Unit tests of writing safely (io.c, writer.c, temps.c): temporary folders
** named for their run and removed by the registry a signal handler empties;
** a killed run's folders removed by the next run, a live run's and another
** machine's never; layers written in place into an existing GeoPackage
** under SQLite's lock (a second connection holding it makes the run wait,
** then fail with an output error naming the file); outputs of one run into
** one file sharing one transaction; a file made by another run while this
** one wrote, merged into rather than replaced; a file open elsewhere never
** renamed over; symbolic links written through.
*/
#include "check.h"
#include "geo.h"

#include <cpl_conv.h>
#include <dirent.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static const char *at(const char *name)
{
	static char path[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

/* Opens an output and writes n points into a layer (NULL: the output's). */
static geo_output *start(geo_ctx *ctx, const char *name, const char *layer, int overwrite, int n)
{
	geo_output_opts o;
	geo_output_opts_init(&o);
	o.overwrite = overwrite;
	geo_output *out = geo_output_open(ctx, name, &o);
	if (!out)
		return NULL;
	geo_crs *crs = geo_crs_new(ctx, "EPSG:4548");
	OGRLayerH l = geo_output_create_layer(ctx, out, layer, crs, wkbPoint);
	geo_crs_free(crs);
	GEOSContextHandle_t h = geo_ctx_geos(ctx);
	for (int i = 0; l && i < n; i++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
		GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, 500000 + i, 4361000);
		if (geo_write_feature(ctx, l, f, p, NULL))
			l = NULL;
		GEOSGeom_destroy_r(h, p);
		OGR_F_Destroy(f);
	}
	if (l && geo_output_style(ctx, out, l, "<qgis></qgis>") == GEO_OK)
		return out;
	geo_output_close(out);
	return NULL;
}

static geo_err write_layer(geo_ctx *ctx, const char *name, const char *layer, int overwrite)
{
	geo_output *out = start(ctx, name, layer, overwrite, 3);
	geo_err e = out ? geo_output_commit(ctx, out) : geo_last_code(ctx);
	geo_output_close(out);
	return e;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The layers of a file, sorted, as "a,b,layer_styles". */
static const char *layers(const char *path)
{
	static char list[512];
	char *names[32];
	int n = 0;
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	for (int i = 0; ds && i < GDALDatasetGetLayerCount(ds) && n < 32; i++)
		names[n++] = strdup(OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
	if (ds)
		GDALClose(ds);
	qsort(names, (size_t)n, sizeof *names, by_name);
	list[0] = '\0';
	for (int i = 0; i < n; i++) {
		strcat(list, i ? "," : "");
		strncat(list, names[i], 64);
		free(names[i]);
	}
	return ds ? list : "(cannot open)";
}

static int file_ok(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		 sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
		 sqlite3_step(s) == SQLITE_ROW &&
		 !strcmp((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ok;
}

/* The name of the one entry of dir containing marker, or "" (static). */
static const char *find_entry(const char *marker)
{
	static char name[256];
	name[0] = '\0';
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strstr(e->d_name, marker))
			snprintf(name, sizeof name, "%s", e->d_name);
	if (d)
		closedir(d);
	return name;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void make_folder_with_file(const char *name)
{
	mkdir(at(name), 0755);
	char file[600];
	snprintf(file, sizeof file, "%s/%s/x.gpkg", dir, name);
	FILE *f = fopen(file, "w");
	if (f)
		fclose(f);
}

static void test_temps(geo_ctx *ctx)
{
	geo_temps *t = geo_temps_new();
	geo_ctx_set_temps(ctx, t);
	geo_output *out = start(ctx, at("t.gpkg"), NULL, 0, 3);
	char pid[32];
	snprintf(pid, sizeof pid, ".wangge-tmp.%ld.", (long)getpid());
	char folder[256];
	snprintf(folder, sizeof folder, "%s", find_entry(".t_gpkg.wangge-tmp."));
	CHECK("the temporary folder is named for the output, the run's process and machine",
	      out && !strncmp(folder, ".t_gpkg", 7) && strstr(folder, pid));
	char nested[600];
	snprintf(nested, sizeof nested, "%s/csv", folder);
	make_folder_with_file(nested);
	snprintf(nested, sizeof nested, "%s/csv/deeper", folder);
	make_folder_with_file(nested);
	geo_temps_remove(t);
	CHECK("the registry a signal handler empties removes it with its files and folders",
	      folder[0] && !exists(at(folder)));
	geo_output_close(out);
	CHECK("and the run can still close its output", !exists(at("t.gpkg")));

	/* This machine's name, as the folder carries it. */
	char host[64] = "";
	const char *h = strstr(folder, pid);
	if (h)
		snprintf(host, sizeof host, "%.*s", (int)(strlen(h) - strlen(pid) - 7), h + strlen(pid));
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	char dead[256], alive[256], other[256];
	snprintf(dead, sizeof dead, ".k_gpkg.wangge-tmp.%ld.%s.AAAAAA", (long)gone, host);
	snprintf(alive, sizeof alive, ".k_gpkg.wangge-tmp.%ld.%s.BBBBBB", (long)getppid(), host);
	snprintf(other, sizeof other, ".k_gpkg.wangge-tmp.%ld.%s-elsewhere.CCCCCC", (long)gone, host);
	make_folder_with_file(dead);
	char dead_nested[300];
	snprintf(dead_nested, sizeof dead_nested, "%s/layer", dead);
	make_folder_with_file(dead_nested);
	make_folder_with_file(alive);
	make_folder_with_file(other);
	CHECK("a run writing into the folder succeeds", write_layer(ctx, at("u.gpkg"), NULL, 0) == 0);
	CHECK("and removes a killed run's temporary folder", !exists(at(dead)));
	CHECK("but not a live run's", exists(at(alive)));
	CHECK("nor one made on another machine", exists(at(other)));
	CHECK("and leaves no folder of its own", !find_entry(pid)[0]);
	geo_ctx_set_temps(ctx, NULL);
	geo_temps_free(t);
}

/* A second connection holding the write lock, as an editor saving would. */
static sqlite3 *hold_lock(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void test_in_place(geo_ctx *ctx)
{
	CHECK("a GeoPackage to add to", write_layer(ctx, at("p.gpkg:base"), NULL, 0) == 0);
	geo_output *a = start(ctx, at("p.gpkg:a"), NULL, 0, 3);
	geo_output *b = start(ctx, at("p.gpkg:b"), NULL, 0, 3);
	CHECK("two outputs of one run can write into the same file", a && b);
	CHECK("the first to commit waits for the other", a && geo_output_commit(ctx, a) == 0 &&
							 !strstr(layers(at("p.gpkg")), "a,"));
	CHECK("the last commits both", b && geo_output_commit(ctx, b) == 0 &&
					       !strcmp(layers(at("p.gpkg")), "a,b,base,layer_styles"));
	geo_output_close(a);
	geo_output_close(b);
	a = start(ctx, at("p.gpkg:c"), NULL, 0, 3);
	b = start(ctx, at("p.gpkg:d"), NULL, 0, 3);
	CHECK("when one of them is abandoned", a && b && geo_output_commit(ctx, a) == 0);
	geo_output_close(b);
	CHECK("the other's commit fails", a && geo_output_commit(ctx, a) != 0);
	geo_output_close(a);
	CHECK("and neither layer is written",
	      !strcmp(layers(at("p.gpkg")), "a,b,base,layer_styles") && file_ok(at("p.gpkg")));

	CPLSetConfigOption("SQLITE_BUSY_TIMEOUT", "200");
	sqlite3 *holder = hold_lock(at("p.gpkg"));
	CHECK("another connection holds the lock", holder != NULL);
	CHECK("adding a layer then fails with an output error",
	      write_layer(ctx, at("p.gpkg:e"), NULL, 0) == GEO_ERR_OUTPUT);
	CHECK("that says the file is open elsewhere",
	      strstr(geo_last_error(ctx), "p.gpkg: is open in another program (locked); close it"));
	CHECK("so does replacing the file",
	      write_layer(ctx, at("p.gpkg"), NULL, 1) == GEO_ERR_OUTPUT &&
		      strstr(geo_last_error(ctx), "open in another program"));
	sqlite3_exec(holder, "CREATE TABLE notes (t); INSERT INTO notes VALUES ('kept'); COMMIT",
		     NULL, NULL, NULL);
	CHECK("once it commits, the layer is added",
	      write_layer(ctx, at("p.gpkg:e"), NULL, 0) == 0 &&
		      !strcmp(layers(at("p.gpkg")), "a,b,base,e,layer_styles"));

	/* A connection in WAL mode, as QGIS keeps a GeoPackage it has open. */
	sqlite3_exec(holder, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; "
			     "INSERT INTO notes VALUES ('in the WAL only')",
		     NULL, NULL, NULL);
	CHECK("a file open in WAL mode takes a layer in place",
	      exists(at("p.gpkg-wal")) && write_layer(ctx, at("p.gpkg:f"), NULL, 0) == 0 &&
		      file_ok(at("p.gpkg")));
	CHECK("but is not replaced", write_layer(ctx, at("p.gpkg"), NULL, 1) == GEO_ERR_OUTPUT &&
					     strstr(geo_last_error(ctx), "p.gpkg-wal is in use"));
	sqlite3_stmt *s = NULL;
	sqlite3_prepare_v2(holder, "SELECT count(*) FROM notes", -1, &s, NULL);
	CHECK("and what the other connection committed stays",
	      sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 2);
	sqlite3_finalize(s);
	sqlite3_close(holder);
	CPLSetConfigOption("SQLITE_BUSY_TIMEOUT", NULL);
	CHECK("once it is closed, the file can be replaced",
	      !exists(at("p.gpkg-wal")) && write_layer(ctx, at("p.gpkg"), NULL, 1) == 0 &&
		      !strcmp(layers(at("p.gpkg")), "layer_styles,p"));
}

/* Makes a GeoPackage with one layer behind libgeo's back, as another run would. */
static void make_elsewhere(const char *path, const char *layer)
{
	GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
	OGRLayerH l = ds ? GDALDatasetCreateLayer(ds, layer, NULL, wkbPoint, NULL) : NULL;
	OGRFeatureH f = l ? OGR_F_Create(OGR_L_GetLayerDefn(l)) : NULL;
	if (f && OGR_L_CreateFeature(l, f) != OGRERR_NONE)
		printf("FAIL could not write %s\n", path);
	OGR_F_Destroy(f);
	if (ds)
		GDALClose(ds);
}

static void test_appeared(geo_ctx *ctx)
{
	geo_output *out = start(ctx, at("m.gpkg:mine"), NULL, 0, 3);
	make_elsewhere(at("m.gpkg"), "theirs");
	CHECK("a file made by another run while this one wrote its layer",
	      out && geo_output_commit(ctx, out) == 0);
	geo_output_close(out);
	CHECK("gets the layer added, not replaced",
	      !strcmp(layers(at("m.gpkg")), "layer_styles,mine,theirs") && file_ok(at("m.gpkg")));
	out = start(ctx, at("n.gpkg"), NULL, 0, 3);
	make_elsewhere(at("n.gpkg"), "theirs");
	CHECK("without a layer named, the run fails rather than replace it",
	      out && geo_output_commit(ctx, out) == GEO_ERR_OUTPUT &&
		      strstr(geo_last_error(ctx), "n.gpkg: was made by another program"));
	geo_output_close(out);
	CHECK("and the other run's file stays", !strcmp(layers(at("n.gpkg")), "theirs"));
}

static void test_links(geo_ctx *ctx)
{
	CHECK("a file behind a link", write_layer(ctx, at("real.gpkg:base"), NULL, 0) == 0 &&
					       symlink("real.gpkg", at("link.gpkg")) == 0);
	CHECK("takes a layer through the link",
	      write_layer(ctx, at("link.gpkg:more"), NULL, 0) == 0 &&
		      !strcmp(layers(at("real.gpkg")), "base,layer_styles,more"));
	struct stat st;
	CHECK("is replaced through it, the link staying a link",
	      write_layer(ctx, at("link.gpkg"), NULL, 1) == 0 && lstat(at("link.gpkg"), &st) == 0 &&
		      S_ISLNK(st.st_mode) && !strcmp(layers(at("real.gpkg")), "layer_styles,link"));
	CHECK("a link to nothing is not replaced",
	      symlink("nothing.gpkg", at("dangling.gpkg")) == 0 &&
		      write_layer(ctx, at("dangling.gpkg"), NULL, 1) == GEO_ERR_OUTPUT &&
		      lstat(at("dangling.gpkg"), &st) == 0 && S_ISLNK(st.st_mode));
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/wangge-test-write-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	geo_ctx *ctx = geo_ctx_new();
	test_temps(ctx);
	test_in_place(ctx);
	test_appeared(ctx);
	test_links(ctx);
	geo_ctx_free(ctx);
	check_remove_dir(dir);
	return check_done();
}
