/*
** ctx.c: the context every libgeo call takes first. It owns the GEOS
** reentrant handle, keeps the last error message for the caller, and routes
** log messages to a callback, so the library itself never prints.
*/
#include "core/geo_internal.h"

#include <errno.h>
#include <cpl_conv.h>
#include <gdal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct geo_ctx {
	GEOSContextHandle_t geos;
	char error[2048];
	geo_err code;           /* of the last failure */
	geo_log_fn log;
	void *log_data;
	geo_temps *temps;       /* borrowed: where temporaries are registered, or NULL */
	geo_writer *writers;    /* files being written in place (writer.c) */
	int empty_selections;   /* inputs a filter or window left empty (select.c) */
	geo_town *town;         /* --town (town.c), or NULL */
};

/* GEOS reports errors through this handler; we keep the text so that a
** later failure can say why. */
static void geos_message(const char *msg, void *data)
{
	geo_ctx *ctx = data;
	snprintf(ctx->error, sizeof ctx->error, "GEOS: %s", msg);
}

static void geos_notice(const char *msg, void *data)
{
	geo_log(data, GEO_LOG_DEBUG, "GEOS: %s", msg);
}

geo_ctx *geo_ctx_new(void)
{
	geo_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	ctx->geos = GEOS_init_r();
	if (!ctx->geos) {
		free(ctx);
		return NULL;
	}
	GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_message, ctx);
	GEOSContext_setNoticeMessageHandler_r(ctx->geos, geos_notice, ctx);
	GDALAllRegister();
	/* Quiet GDAL's own printing: libgeo reports errors through the context. */
	CPLSetErrorHandler(CPLQuietErrorHandler);
	return ctx;
}

void geo_ctx_free(geo_ctx *ctx)
{
	if (!ctx)
		return;
	GEOS_finish_r(ctx->geos);
	free(ctx->town);
	free(ctx);
}

void geo_ctx_set_log(geo_ctx *ctx, geo_log_fn fn, void *data)
{
	ctx->log = fn;
	ctx->log_data = data;
}

geo_town *geo_ctx_town_sel(const geo_ctx *ctx)
{
	return ctx->town;
}

void geo_ctx_set_town_sel(geo_ctx *ctx, geo_town *t)
{
	free(ctx->town);
	ctx->town = t;
}

void geo_ctx_set_temps(geo_ctx *ctx, geo_temps *temps)
{
	ctx->temps = temps;
}

void geo_ctx_note_empty_selection(geo_ctx *ctx)
{
	ctx->empty_selections++;
}

int geo_ctx_empty_selections(const geo_ctx *ctx)
{
	return ctx->empty_selections;
}

geo_temps *geo_ctx_temps(const geo_ctx *ctx)
{
	return ctx->temps;
}

geo_writer **geo_ctx_writers(geo_ctx *ctx)
{
	return &ctx->writers;
}

GEOSContextHandle_t geo_ctx_geos(geo_ctx *ctx)
{
	return ctx->geos;
}

const char *geo_last_error(const geo_ctx *ctx)
{
	return ctx->error;
}

geo_err geo_last_code(const geo_ctx *ctx)
{
	return ctx->code ? ctx->code : GEO_ERR_INTERNAL;
}

geo_err geo_fail(geo_ctx *ctx, geo_err code, const char *fmt, ...)
{
	/* Formatted aside first: callers often quote geo_last_error(ctx) itself. */
	char msg[sizeof ctx->error];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, T_(fmt), ap);
	va_end(ap);
	memcpy(ctx->error, msg, sizeof msg);
	ctx->code = code;
	return code;
}

void geo_log(geo_ctx *ctx, geo_log_level level, const char *fmt, ...)
{
	if (!ctx->log)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, T_(fmt), ap);
	va_end(ap);
	ctx->log(level, msg, ctx->log_data);
}

/* How long to wait for another program's lock, unless the user says: here,
** not in writer.c, since pg.c waits for PostgreSQL's locks as long. */
enum { GEO_BUSY_TIMEOUT_MS = 60000 };

int geo_busy_timeout_ms(void)
{
	const char *v = CPLGetConfigOption("SQLITE_BUSY_TIMEOUT", NULL);
	return v ? atoi(v) : GEO_BUSY_TIMEOUT_MS;
}

char *geo_strdup(geo_ctx *ctx, const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return d;
}

void *geo_calloc(geo_ctx *ctx, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return p;
}

void *geo_realloc_array(geo_ctx *ctx, void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	size_t bytes = n * size;
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q)
		geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	return q;
}

int geo_resize(geo_ctx *ctx, void *pp, size_t n, size_t size)
{
	/* Copied as bytes: pp points to a T *, which may not be read as a void *. */
	void *p;
	memcpy(&p, pp, sizeof p);
	if (!(p = geo_realloc_array(ctx, p, n, size)))
		return 0;
	memcpy(pp, &p, sizeof p);
	return 1;
}

const char *geo_cpl_error(const char *fallback)
{
	const char *m = CPLGetLastErrorMsg();
	return m && *m ? m : T_(fallback);
}

long long geo_file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int geo_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int geo_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

const char *geo_feat_str(OGRFeatureH feat, int field)
{
	if (field < 0 || !OGR_F_IsFieldSetAndNotNull(feat, field))
		return "";
	return OGR_F_GetFieldAsString(feat, field);
}

void geo_feat_label(OGRFeatureH feat, int id_field, char *buf, size_t size)
{
	long long fid = (long long)OGR_F_GetFID(feat);
	const char *id = geo_feat_str(feat, id_field);
	if (*id) {
		OGRFieldDefnH fd = OGR_F_GetFieldDefnRef(feat, id_field);
		snprintf(buf, size, "feature %lld (%s %s)", fid, OGR_Fld_GetNameRef(fd), id);
	} else {
		snprintf(buf, size, "feature %lld", fid);
	}
}
