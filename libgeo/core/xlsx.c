/*
** xlsx.c: column widths for the workbooks (XLSX) the tools write. GDAL's
** XLSX driver gives every column the width 15, which cuts a 14-digit grid
** code or a pond's name and wastes room on a number; before an XLSX output
** is moved into place, each sheet's columns are set to fit their widest
** cell, counting a Chinese character as the two columns it takes.
*/
#include "core/geo_internal.h"

#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

enum { MIN_WIDTH = 6, MAX_WIDTH = 60 };

/* The display width of UTF-8 text: 2 for a wide (CJK) character. */
static int text_width(const char *s, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (c == '&') { /* an entity (&amp; ...) is one character */
			const char *semi = memchr(s + i, ';', n - i);
			len = semi && semi - (s + i) < 8 ? (size_t)(semi - (s + i)) + 1 : 1;
		}
		w += len >= 3 ? 2 : 1;
		i += len;
	}
	return w;
}

/* A member of the archive, whole, NUL-terminated (caller frees); NULL if absent. */
static char *member(const char *zip, const char *name, size_t *size)
{
	char *path = CPLStrdup(CPLSPrintf("/vsizip/{%s}/%s", zip, name));
	GByte *data = NULL;
	vsi_l_offset n = 0;
	int ok = VSIIngestFile(NULL, path, &data, &n, 1 << 28);
	CPLFree(path);
	if (!ok)
		return NULL;
	if (size)
		*size = (size_t)n;
	return (char *)data;
}

/* The widths of the shared strings, in their order. */
static int *shared_widths(const char *zip, size_t *count)
{
	*count = 0;
	char *x = member(zip, "xl/sharedStrings.xml", NULL);
	if (!x)
		return NULL;
	size_t cap = 256;
	int *w = malloc(cap * sizeof *w);
	for (const char *p = x; w && (p = strstr(p, "<si>"));) {
		const char *end = strstr(p, "</si>");
		if (!end)
			break;
		int width = 0;
		for (const char *t = p; (t = strstr(t, "<t")) && t < end;) {
			const char *open = strchr(t, '>'), *close = strstr(t, "</t>");
			if (!open || !close || close > end)
				break;
			width += text_width(open + 1, (size_t)(close - open - 1));
			t = close + 4;
		}
		if (*count == cap) {
			int *more = realloc(w, (cap *= 2) * sizeof *w);
			if (!more) {
				free(w);
				w = NULL;
				break;
			}
			w = more;
		}
		w[(*count)++] = width;
		p = end + 5;
	}
	VSIFree(x);
	return w;
}

/* Column index (0 for A) of a cell reference such as "AB12". */
static int column_of(const char *ref)
{
	int c = 0;
	while (*ref >= 'A' && *ref <= 'Z')
		c = c * 26 + (*ref++ - 'A' + 1);
	return c - 1;
}

/* The sheet with its <cols> set to fit the cells; NULL when it has none. */
static char *fitted(const char *sheet, const int *shared, size_t nshared)
{
	const char *cols = strstr(sheet, "<cols>"), *cols_end = strstr(sheet, "</cols>");
	if (!cols || !cols_end)
		return NULL;
	int width[256] = { 0 }, ncols = 0;
	for (const char *c = cols_end; (c = strstr(c, "<c r=\""));) {
		const char *start = c;
		int col = column_of(c + 6);
		const char *tag_end = strchr(c, '>'), *v = strstr(c, "<v>"), *next = strstr(c + 1, "<c ");
		if (!tag_end || col < 0 || col >= 256)
			break;
		c = tag_end;
		if (!v || (next && v > next) || tag_end[-1] == '/')
			continue;
		const char *v_end = strstr(v, "</v>");
		if (!v_end)
			break;
		int w;
		if (memmem(start, (size_t)(tag_end - start), " t=\"s\"", 6)) {
			size_t k = (size_t)strtoul(v + 3, NULL, 10);
			w = k < nshared ? shared[k] : 0;
		} else {
			w = text_width(v + 3, (size_t)(v_end - v - 3));
		}
		if (w > width[col])
			width[col] = w;
		if (col + 1 > ncols)
			ncols = col + 1;
	}
	geo_buf b;
	geo_buf_init(&b);
	geo_buf_addn(&b, sheet, (size_t)(cols - sheet));
	geo_buf_add(&b, "<cols>\n");
	for (int k = 0; k < ncols; k++) {
		int w = width[k] + 2;
		w = w < MIN_WIDTH ? MIN_WIDTH : w > MAX_WIDTH ? MAX_WIDTH : w;
		geo_buf_printf(&b, "<col min=\"%d\" max=\"%d\" width=\"%d\" customWidth=\"1\"/>\n",
			       k + 1, k + 1, w);
	}
	geo_buf_add(&b, cols_end);
	return geo_buf_take(&b);
}

static int add_member(void *zip, const char *name, const char *data, size_t n)
{
	return CPLCreateFileInZip(zip, name, NULL) == CE_None &&
	       CPLWriteFileInZip(zip, data, (int)n) == CE_None &&
	       CPLCloseFileInZip(zip) == CE_None;
}

/* Copies every member of src into zip, the sheets fitted. */
static int copy_members(const char *src, void *zip, const int *shared, size_t nshared)
{
	char **names = VSIReadDirRecursive(CPLSPrintf("/vsizip/{%s}", src));
	int ok = names != NULL;
	/* [Content_Types].xml first, as Office writes it. */
	for (int pass = 0; ok && pass < 2; pass++) {
		for (int k = 0; ok && names[k]; k++) {
			const char *name = names[k];
			size_t len = strlen(name);
			if (!len || name[len - 1] == '/' ||
			    (pass == 0) != !strcmp(name, "[Content_Types].xml"))
				continue;
			size_t n = 0;
			char *data = member(src, name, &n);
			if (!data)
				continue; /* a folder */
			char *fit = !strncmp(name, "xl/worksheets/sheet", 19) ? fitted(data, shared, nshared)
									      : NULL;
			ok = fit ? add_member(zip, name, fit, strlen(fit)) : add_member(zip, name, data, n);
			free(fit);
			VSIFree(data);
		}
	}
	CSLDestroy(names);
	return ok;
}

geo_err geo_xlsx_fit_columns(geo_ctx *ctx, const char *path, const char *label)
{
	size_t nshared = 0;
	int *shared = shared_widths(path, &nshared);
	char *tmp = CPLStrdup(CPLSPrintf("%s.fit", path));
	void *zip = CPLCreateZip(tmp, NULL);
	int ok = zip && copy_members(path, zip, shared, nshared);
	if (zip && CPLCloseZip(zip) != CE_None)
		ok = 0;
	free(shared);
	/* GDAL keeps what it read of the old archive; it is not read again. */
	geo_err e = GEO_OK;
	if (!ok || VSIRename(tmp, path) != 0) {
		VSIUnlink(tmp);
		e = geo_fail(ctx, GEO_ERR_OUTPUT, "%s: cannot write: %s", label,
			     geo_cpl_error("setting the column widths failed"));
	}
	CPLFree(tmp);
	return e;
}
