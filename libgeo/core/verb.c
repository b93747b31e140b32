/*
** verb.c: what every verb shares by the contract of geo.h: the common
** options' defaults and how they open inputs.
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
