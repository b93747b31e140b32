/*
** buf.c: a growable string and the small amount of JSON and XML escaping the
** reports and styles need. A failed allocation marks the buffer instead of aborting, so the
** caller can report out-of-memory once, at the end.
*/
#include "core/geo_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void geo_buf_init(geo_buf *b)
{
	memset(b, 0, sizeof *b);
}

void geo_buf_free(geo_buf *b)
{
	free(b->s);
	geo_buf_init(b);
}

static int reserve(geo_buf *b, size_t more)
{
	if (b->failed)
		return 0;
	if (b->len + more + 1 <= b->cap)
		return 1;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->failed = 1;
		return 0;
	}
	b->s = s;
	b->cap = cap;
	return 1;
}

void geo_buf_addn(geo_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void geo_buf_add(geo_buf *b, const char *s)
{
	geo_buf_addn(b, s, strlen(s));
}

void geo_buf_vprintf(geo_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void geo_buf_printf(geo_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	geo_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *geo_buf_take(geo_buf *b)
{
	char *s = b->failed ? NULL : b->s;
	if (b->failed)
		free(b->s);
	else if (!s)
		s = calloc(1, 1);
	geo_buf_init(b);
	return s;
}

void geo_json_str(geo_buf *b, const char *s)
{
	geo_buf_add(b, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': geo_buf_add(b, "\\\""); break;
		case '\\': geo_buf_add(b, "\\\\"); break;
		case '\n': geo_buf_add(b, "\\n"); break;
		case '\r': geo_buf_add(b, "\\r"); break;
		case '\t': geo_buf_add(b, "\\t"); break;
		default:
			if (*p < 0x20)
				geo_buf_printf(b, "\\u%04x", *p);
			else
				geo_buf_addn(b, (const char *)p, 1);
		}
	}
	geo_buf_add(b, "\"");
}

/* An object's member key: ", " before all but the first (i 0), then "key": . */
static void json_key(geo_buf *b, int i, const char *key)
{
	geo_buf_add(b, i ? ", " : "");
	geo_json_str(b, key);
	geo_buf_add(b, ": ");
}

void geo_json_strings(geo_buf *b, const char *open, ...)
{
	va_list ap;
	va_start(ap, open);
	geo_buf_add(b, open);
	const char *key;
	for (int i = 0; (key = va_arg(ap, const char *)); i++) {
		json_key(b, i, key);
		geo_json_str(b, va_arg(ap, const char *));
	}
	va_end(ap);
}

void geo_buf_add_file(geo_buf *b, FILE *f)
{
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		geo_buf_addn(b, chunk, n);
}

void geo_json_nums(geo_buf *b, const char *open, int decimals, ...)
{
	va_list ap;
	va_start(ap, decimals);
	geo_buf_add(b, open);
	const char *key;
	for (int i = 0; (key = va_arg(ap, const char *)); i++) {
		json_key(b, i, key);
		geo_json_num(b, va_arg(ap, double), decimals);
	}
	va_end(ap);
}

void geo_json_num(geo_buf *b, double v, int decimals)
{
	if (!isfinite(v)) {
		geo_buf_add(b, "null");
		return;
	}
	if (v == 0)
		v = 0; /* no "-0.0" */
	geo_buf_printf(b, "%.*f", decimals, v);
}

void geo_xml_text(geo_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': geo_buf_add(b, "&amp;"); break;
		case '<': geo_buf_add(b, "&lt;"); break;
		case '>': geo_buf_add(b, "&gt;"); break;
		case '"': geo_buf_add(b, "&quot;"); break;
		default: geo_buf_addn(b, s, 1); break;
		}
	}
}

/* Columns s takes on a terminal: a Chinese character takes two. Its bytes
** when the locale cannot say (the C locale, text not in its character set). */
static size_t columns(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0);
	if (n == (size_t)-1)
		return strlen(s);
	wchar_t *w = malloc((n + 1) * sizeof *w);
	int cols = w && mbstowcs(w, s, n + 1) == n ? wcswidth(w, n) : -1;
	free(w);
	return cols < 0 ? strlen(s) : (size_t)cols;
}

void geo_buf_pad(geo_buf *b, const char *s, size_t width)
{
	geo_buf_add(b, s);
	for (size_t n = columns(s); n < width; n++)
		geo_buf_add(b, " ");
}

geo_err geo_buf_write(geo_buf *b, FILE *f)
{
	char *text = geo_buf_take(b);
	geo_err e = !text ? GEO_ERR_INTERNAL : fputs(text, f) == EOF ? GEO_ERR_OUTPUT : GEO_OK;
	free(text);
	return e;
}
