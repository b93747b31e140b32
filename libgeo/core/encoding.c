/*
** encoding.c: input text as UTF-8. GDAL hands over a CSV's bytes as they
** are, and Excel on Chinese Windows saves CSV in GBK (code page 936), which
** is not UTF-8 wherever it holds Chinese. A CSV file that is not UTF-8 is
** read as GB18030 (GBK's superset, China's national standard) through a
** UTF-8 copy in memory, so that its field names, values and --where all
** speak UTF-8; the run says so. The whole file is judged at once: one short
** field in GBK ("女", C5 AE) can look like UTF-8 by chance, a file cannot.
** A Shapefile that names no encoding (no .cpg, code page byte 0), whose
** table is not UTF-8 but GB18030, is opened with GDAL's ENCODING=GB18030.
** Other formats are checked feature by feature. Text that is neither is an
** input error naming where it is: written on, it would be unreadable in
** every output.
*/
#include "core/geo_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

/* The length of s's first run of GB18030: one byte up to 0x7F; two, a lead
** 0x81-0xFE and a trail 0x40-0xFE but 0x7F; four, lead, 0x30-0x39, lead,
** 0x30-0x39. (GDAL's iconv recoding warns of a bad byte once a process, so
** it cannot tell.) */
static size_t gb18030_span(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c == 0x80 || c == 0xFF || i + 1 >= n)
			break;
		unsigned t = s[i + 1];
		if (t >= 0x40 && t <= 0xFE && t != 0x7F) {
			i += 2;
			continue;
		}
		if (!(t >= 0x30 && t <= 0x39) || i + 3 >= n || s[i + 2] < 0x81 || s[i + 2] == 0xFF ||
		    s[i + 3] < 0x30 || s[i + 3] > 0x39)
			break;
		i += 4;
	}
	return i;
}

/* s (n bytes) as GB18030 in UTF-8 (CPLFree it), or NULL where it is not. */
static char *from_gb18030(const char *s, size_t n)
{
	if (gb18030_span((const unsigned char *)s, n) < n)
		return NULL;
	CPLErrorHandler old = CPLSetErrorHandler(CPLQuietErrorHandler);
	char *u = CPLRecode(s, "GB18030", CPL_ENC_UTF8);
	CPLSetErrorHandler(old);
	return u;
}

/* The line (from 1) of text's byte at. */
static long line_of(const char *text, size_t at)
{
	long line = 1;
	for (size_t i = 0; i < at; i++)
		line += text[i] == '\n';
	return line;
}

/* Gives text (a CPL allocation) to path in /vsimem; 0 when it cannot. */
static int hold(const char *path, char *text)
{
	VSIUnlink(path);
	VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)text, strlen(text), TRUE);
	if (!f) {
		CPLFree(text);
		return 0;
	}
	VSIFCloseL(f);
	return 1;
}

/* path's sidecar with extension ext (.csvt: the columns' types, .prj: the
** CRS), copied beside copy. */
static void copy_sidecar(const char *path, const char *copy, const char *ext)
{
	char *from = CPLStrdup(CPLResetExtension(path, ext));
	GByte *text = NULL;
	VSIStatBufL st;
	if (!VSIStatL(from, &st) && VSIIngestFile(NULL, from, &text, NULL, 1 << 20))
		hold(CPLResetExtension(copy, ext), (char *)text);
	CPLFree(from);
}

geo_err geo_csv_utf8(geo_ctx *ctx, const char *name, const char *path, void *owner, char **copy)
{
	*copy = NULL;
	GByte *raw = NULL;
	vsi_l_offset size = 0;
	/* One that cannot be read is GDAL's to say; 2 GiB is CPLIsUTF8's limit. */
	if (!VSIIngestFile(NULL, path, &raw, &size, INT_MAX) ||
	    CPLIsUTF8((const char *)raw, (int)size)) {
		CPLFree(raw);
		return GEO_OK;
	}
	char *u = from_gb18030((const char *)raw, size);
	if (!u) {
		long line = line_of((const char *)raw, gb18030_span(raw, size));
		CPLFree(raw);
		return geo_fail(ctx, GEO_ERR_INPUT, "%s: line %ld is neither UTF-8 nor GB18030 (GBK) text",
				name, line);
	}
	CPLFree(raw);
	*copy = CPLStrdup(CPLSPrintf("/vsimem/wangge-%p/%s", owner, CPLGetFilename(path)));
	if (!hold(*copy, u)) {
		CPLFree(*copy);
		*copy = NULL;
		return geo_fail(ctx, GEO_ERR_INTERNAL, "%s: cannot hold its UTF-8 copy in memory", name);
	}
	copy_sidecar(path, *copy, "csvt");
	copy_sidecar(path, *copy, "prj");
	geo_log(ctx, GEO_LOG_WARN,
		"%s: not UTF-8: read as GB18030 (GBK), as Excel on Chinese Windows saves CSV", name);
	return GEO_OK;
}

/* The bytes of a Shapefile's table judged: its header's field names and
** its first records, enough to hold Chinese if any is there. */
#define DBF_SAMPLE (4 << 20)

int geo_dbf_is_gb18030(const char *shp)
{
	char *cpg = CPLStrdup(CPLResetExtension(shp, "cpg"));
	char *dbf = CPLStrdup(CPLResetExtension(shp, "dbf"));
	VSIStatBufL st;
	int named = !VSIStatL(cpg, &st);
	VSILFILE *f = named ? NULL : VSIFOpenL(dbf, "rb");
	unsigned char *b = f ? CPLMalloc(DBF_SAMPLE) : NULL;
	size_t n = f ? VSIFReadL(b, 1, DBF_SAMPLE, f) : 0;
	if (f)
		VSIFCloseL(f);
	CPLFree(cpg);
	CPLFree(dbf);
	int gb = 0;
	/* Byte 29 names a code page; 8-9 are the header's length. */
	if (n >= 32 && b[29] == 0) {
		size_t head = b[8] | (size_t)b[9] << 8, end = n;
		while (end > head && b[end - 1] >= 0x80) /* a character cut at the sample's end */
			end--;
		int names_utf8 = 1;
		/* Field descriptors of 32 bytes from byte 32, a name in the first 11,
		** up to the 0x0D that ends them. */
		for (size_t d = 32; d + 32 <= head && d + 32 <= n && b[d] != 0x0D; d += 32)
			names_utf8 &= CPLIsUTF8((const char *)b + d, (int)strnlen((char *)b + d, 11));
		int text_utf8 = head > end || CPLIsUTF8((const char *)b + head, (int)(end - head));
		gb = head <= end && !(names_utf8 && text_utf8) &&
		     gb18030_span(b + head, end - head) == end - head;
	}
	CPLFree(b);
	return gb;
}

geo_err geo_text_utf8(geo_ctx *ctx, const char *name, OGRFeatureH f, int *recoded)
{
	OGRFeatureDefnH d = OGR_F_GetDefnRef(f);
	for (int i = 0, n = OGR_FD_GetFieldCount(d); i < n; i++) {
		if (OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, i)) != OFTString ||
		    !OGR_F_IsFieldSetAndNotNull(f, i))
			continue;
		const char *s = OGR_F_GetFieldAsString(f, i);
		if (CPLIsUTF8(s, -1))
			continue;
		char *u = from_gb18030(s, strlen(s));
		if (!u) {
			char label[128];
			geo_feat_label(f, -1, label, sizeof label);
			return geo_fail(ctx, GEO_ERR_INPUT,
					"%s: %s: field '%s' is neither UTF-8 nor GB18030 (GBK) text",
					name, label, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)));
		}
		if (!*recoded)
			geo_log(ctx, GEO_LOG_WARN,
				"%s: text is not UTF-8: read as GB18030 (GBK), as Chinese Windows "
				"writes it", name);
		*recoded = 1;
		OGR_F_SetFieldString(f, i, u);
		CPLFree(u);
	}
	return GEO_OK;
}
