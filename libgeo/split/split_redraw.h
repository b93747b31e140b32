/*
** split_redraw.h: a partial redraw (split_redraw.c), for split.c and the numbering. Private to
** grid-split.
*/
#ifndef SPLIT_SPLIT_REDRAW_H
#define SPLIT_SPLIT_REDRAW_H

#include "split/input.h"
#include "split/split_codes.h"

/*
** A partial redraw (split_redraw.c): the old grids, which of them are
** redrawn, and the ones kept as they are. level 1: primaries are redrawn
** with their secondaries; level 2: secondaries of kept primaries only.
*/
typedef struct split_redraw {
	split_old old;
	int level;
	geo_gridset redrawn[2]; /* views: the old grids of each level being redrawn */
	geo_gridset keptv[2];   /* views: the old grids of each level kept */
	split_grid *kept;       /* the old grids kept, as they are written */
	size_t nkept;
	size_t nnamed;          /* villages or grids named */
} split_redraw;

/*
** Reads OLD and narrows in (read from the whole town) to the area the
** redrawn grids covered: in->town becomes that area, the villages are
** clipped to it (for a level 2 redraw they are the kept primaries), and
** households outside it are dropped. *o gets the grid counts of the
** redrawn area unless the caller gave them.
*/
geo_err split_redraw_prepare(geo_ctx *ctx, geo_split_opts *o, const geo_crs *work,
			     split_input *in, split_redraw *rd);
void split_redraw_free(GEOSContextHandle_t h, split_redraw *rd);

#endif
