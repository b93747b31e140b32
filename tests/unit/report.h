/*
** report.h: a verb's report as a string, for the unit tests that render one
** result both as text and as JSON:
**
**   report_buf rb;
**   char *s = report_take(&rb, geo_X_report(r, json, report_open(&rb)));
**
** s is the report (the caller frees it), or NULL when it failed.
*/
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>
#include <stdlib.h>

typedef struct report_buf {
	char *text;
	size_t size;
	FILE *f;
} report_buf;

static inline FILE *report_open(report_buf *rb)
{
	rb->text = NULL;
	rb->size = 0;
	if (!(rb->f = open_memstream(&rb->text, &rb->size)))
		abort(); /* out of memory in a test */
	return rb->f;
}

static inline char *report_take(report_buf *rb, int err)
{
	if (fclose(rb->f) || err) {
		free(rb->text);
		return NULL;
	}
	return rb->text;
}

#endif
