/*
** verb.c: what every verb shares by the contract of geo.h: the common
** options' defaults and how they open inputs, and the result of the verbs
** that still hand back their report rendered (geo_rendered) rather than as
** data.
*/
#include "core/geo_internal.h"

#include <stdlib.h>
#include <string.h>

void geo_common_opts_init(geo_common_opts *o)
{
	memset(o, 0, sizeof *o);
	geo_window_opts_init(&o->window);
	geo_output_opts_init(&o->out);
}

void geo_input_opts_common(geo_input_opts *io, const geo_common_opts *common, const char *where)
{
	geo_input_opts_init(io);
	io->s_srs = common->s_srs;
	io->where = where;
}

geo_err geo_rendered_give(geo_ctx *ctx, geo_err e, char *text, int json, geo_rendered **result)
{
	*result = NULL;
	if (!text)
		return e;
	if (!(*result = malloc(sizeof **result))) {
		free(text);
		return geo_fail(ctx, GEO_ERR_INTERNAL, "out of memory");
	}
	(*result)->text = text;
	(*result)->json = json;
	return e;
}

static geo_err rendered_report(const geo_rendered *r, int json, FILE *f)
{
	if (!r || !r->text || !json != !r->json)
		return GEO_ERR_USAGE;
	return fputs(r->text, f) == EOF ? GEO_ERR_OUTPUT : GEO_OK;
}

static void rendered_free(geo_rendered *r)
{
	if (r)
		free(r->text);
	free(r);
}

/* The report and free functions of each such verb, named as the contract
** names them. */
#define RENDERED_VERB(X)                                                                  \
	geo_err geo_##X##_report(const geo_##X##_result *r, int json, FILE *f)            \
	{                                                                                 \
		return rendered_report(r, json, f);                                       \
	}                                                                                 \
	void geo_##X##_result_free(geo_##X##_result *r) { rendered_free(r); }

RENDERED_VERB(map)
