/*
** minijson.h: just enough JSON for tests that read peer test vectors (the
** GEOS unit-vector files): objects, arrays, strings with the common escapes,
** numbers, true, false, null. A parse builds a tree; mj_free frees it.
*/
#ifndef MINIJSON_H
#define MINIJSON_H

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { MJ_NULL, MJ_BOOL, MJ_NUM, MJ_STR, MJ_ARR, MJ_OBJ } mj_type;

typedef struct mj {
	mj_type type;
	double num;
	char *str;              /* MJ_STR's text */
	char *key;              /* the key of an MJ_OBJ member */
	struct mj **items;      /* MJ_ARR elements, MJ_OBJ members */
	size_t n;
} mj;

static inline void mj_free(mj *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		mj_free(v->items[i]);
	free(v->items);
	free(v->str);
	free(v->key);
	free(v);
}

static inline void mj_ws(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static inline char *mj_string(const char **p)
{
	size_t cap = 64, n = 0;
	char *s = malloc(cap);
	for ((*p)++; s && **p && **p != '"'; (*p)++) {
		char c = **p;
		if (c == '\\') {
			c = *++(*p);
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		if (n + 2 > cap)
			s = realloc(s, cap *= 2);
		if (s)
			s[n++] = c;
	}
	if (**p == '"')
		(*p)++;
	if (s)
		s[n] = '\0';
	return s;
}

static inline mj *mj_value(const char **p);

static inline int mj_push(mj *v, mj *item)
{
	if (!item)
		return 0;
	mj **items = realloc(v->items, (v->n + 1) * sizeof *items);
	if (!items) {
		mj_free(item);
		return 0;
	}
	v->items = items;
	v->items[v->n++] = item;
	return 1;
}

static inline mj *mj_list(const char **p, char close, int keys)
{
	mj *v = calloc(1, sizeof *v);
	v->type = keys ? MJ_OBJ : MJ_ARR;
	(*p)++;
	for (mj_ws(p); **p && **p != close; mj_ws(p)) {
		char *key = NULL;
		if (keys) {
			key = mj_string(p);
			mj_ws(p);
			if (**p == ':')
				(*p)++;
		}
		mj *item = mj_value(p);
		if (item)
			item->key = key;
		else
			free(key);
		if (!mj_push(v, item)) {
			mj_free(v);
			return NULL;
		}
		mj_ws(p);
		if (**p == ',')
			(*p)++;
	}
	if (**p == close)
		(*p)++;
	return v;
}

static inline mj *mj_value(const char **p)
{
	mj_ws(p);
	if (**p == '{')
		return mj_list(p, '}', 1);
	if (**p == '[')
		return mj_list(p, ']', 0);
	mj *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	if (**p == '"') {
		v->type = MJ_STR;
		v->str = mj_string(p);
	} else if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
		v->type = MJ_BOOL;
		v->num = **p == 't';
		*p += **p == 't' ? 4 : 5;
	} else if (!strncmp(*p, "null", 4)) {
		*p += 4;
	} else {
		char *end;
		v->type = MJ_NUM;
		v->num = strtod(*p, &end);
		if (end == *p) {
			free(v);
			return NULL;
		}
		*p = end;
	}
	return v;
}

/* Parses a whole file; NULL when it cannot be read. */
static inline mj *mj_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
	size_t got = text ? fread(text, 1, (size_t)size, f) : 0;
	fclose(f);
	if (!text)
		return NULL;
	text[got] = '\0';
	const char *p = text;
	mj *v = mj_value(&p);
	free(text);
	return v;
}

/* The value text holds (NULL for NULL text or none). */
static inline mj *mj_parse(const char *text)
{
	const char *p = text;
	return text ? mj_value(&p) : NULL;
}

/* A member of an object by key, or NULL. */
static inline mj *mj_get(const mj *o, const char *key)
{
	for (size_t i = 0; o && o->type == MJ_OBJ && i < o->n; i++)
		if (o->items[i]->key && !strcmp(o->items[i]->key, key))
			return o->items[i];
	return NULL;
}

/* The number a member of an object holds, or NAN when it holds none. */
static inline double mj_num(const mj *o, const char *key)
{
	const mj *v = mj_get(o, key);
	return v && v->type == MJ_NUM ? v->num : NAN;
}

#endif
