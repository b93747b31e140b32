/*
** checked_fs.c: a GDAL virtual file system, /vsiwangge/PATH, that writes
** PATH like any file but remembers a failed write. GDAL's text drivers
** (GeoJSON, GeoJSONSeq, GML, KML) ignore what their writes return, so on a
** full disk they close a truncated file without a word; through this file
** system the close reports the first failure as a GDAL error, which the
** writer (writer.c) turns into an output error. The handler is installed in
** GDAL once per process, on first use; it keeps no state of its own.
*/
#include "core/geo_internal.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "/vsiwangge/"

typedef struct checked {
	FILE *f;
	int err;                /* errno of the first failed write, or 0 */
} checked;

static const char *real(const char *name)
{
	return strncmp(name, PREFIX, strlen(PREFIX)) ? name : name + strlen(PREFIX);
}

static int fs_stat(void *data, const char *name, VSIStatBufL *st, int flags)
{
	(void)data, (void)flags;
	return stat64(real(name), st);
}

static int fs_unlink(void *data, const char *name)
{
	(void)data;
	return unlink(real(name));
}

static int fs_rename(void *data, const char *from, const char *to)
{
	(void)data;
	return rename(real(from), real(to));
}

static int fs_mkdir(void *data, const char *name, long mode)
{
	(void)data;
	return mkdir(real(name), (mode_t)mode);
}

static int fs_rmdir(void *data, const char *name)
{
	(void)data;
	return rmdir(real(name));
}

static char **fs_read_dir(void *data, const char *name, int max)
{
	(void)data;
	DIR *d = opendir(real(name));
	char **list = NULL;
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)) && (max <= 0 || n < max))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			list = CSLAddString(list, e->d_name), n++;
	if (d)
		closedir(d);
	return list;
}

static void *fs_open(void *data, const char *name, const char *access)
{
	(void)data;
	FILE *f = fopen(real(name), access);
	checked *c = f ? calloc(1, sizeof *c) : NULL;
	if (c)
		c->f = f;
	else if (f)
		fclose(f);
	return c;
}

static vsi_l_offset fs_tell(void *h)
{
	off_t at = ftello(((checked *)h)->f);
	return at < 0 ? 0 : (vsi_l_offset)at;
}

static int fs_seek(void *h, vsi_l_offset at, int whence)
{
	return fseeko(((checked *)h)->f, (off_t)at, whence);
}

static size_t fs_read(void *h, void *buf, size_t size, size_t count)
{
	return fread(buf, size, count, ((checked *)h)->f);
}

static int fs_eof(void *h)
{
	return feof(((checked *)h)->f);
}

static void note(checked *c)
{
	if (!c->err)
		c->err = errno ? errno : EIO;
}

static size_t fs_write(void *h, const void *buf, size_t size, size_t count)
{
	checked *c = h;
	errno = 0;
	size_t n = fwrite(buf, size, count, c->f);
	if (n != count)
		note(c);
	return n;
}

static int fs_flush(void *h)
{
	checked *c = h;
	errno = 0;
	if (fflush(c->f) == 0)
		return 0;
	note(c);
	return -1;
}

static int fs_truncate(void *h, vsi_l_offset size)
{
	checked *c = h;
	if (fflush(c->f) == 0 && ftruncate(fileno(c->f), (off_t)size) == 0)
		return 0;
	note(c);
	return -1;
}

static int fs_close(void *h)
{
	checked *c = h;
	errno = 0;
	if (fclose(c->f) != 0)
		note(c);
	int err = c->err;
	free(c);
	if (!err)
		return 0;
	CPLError(CE_Failure, CPLE_FileIO, "%s", strerror(err));
	return -1;
}

/* Installs the handler unless GDAL has it already. */
static int install(void)
{
	char **have = VSIGetFileSystemsPrefixes();
	int found = CSLFindString(have, PREFIX) >= 0;
	CSLDestroy(have);
	if (found)
		return 1;
	VSIFilesystemPluginCallbacksStruct *cb = VSIAllocFilesystemPluginCallbacksStruct();
	if (!cb)
		return 0;
	cb->stat = fs_stat;
	cb->unlink = fs_unlink;
	cb->rename = fs_rename;
	cb->mkdir = fs_mkdir;
	cb->rmdir = fs_rmdir;
	cb->read_dir = fs_read_dir;
	cb->open = fs_open;
	cb->tell = fs_tell;
	cb->seek = fs_seek;
	cb->read = fs_read;
	cb->eof = fs_eof;
	cb->write = fs_write;
	cb->flush = fs_flush;
	cb->truncate = fs_truncate;
	cb->close = fs_close;
	int ok = VSIInstallPluginHandler(PREFIX, cb) == 0;
	VSIFreeFilesystemPluginCallbacksStruct(cb);
	return ok;
}

char *geo_checked_path(geo_ctx *ctx, const char *path)
{
	if (!install()) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "cannot install GDAL's file system %s", PREFIX);
		return NULL;
	}
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_printf(&b, PREFIX "%s", path);
	char *s = geo_buf_take(&b);
	if (!s)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return s;
}
