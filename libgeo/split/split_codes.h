/*
** split_codes.h: the old grids and the codes and names of the new (split_codes.c). Private to
** grid-split.
*/
#ifndef SPLIT_SPLIT_CODES_H
#define SPLIT_SPLIT_CODES_H

#include "split/split_grid.h"

/* Old grids of both levels, in the working CRS (split_codes.c). */
typedef struct split_old {
	geo_gridset *sets[2];   /* as read: the primary and secondary layers, or one layer */
	geo_gridset level[2];   /* views holding only level 1 and level 2 grids */
} split_old;

geo_err split_old_read(geo_ctx *ctx, const char *name, const geo_crs *work, split_old *o);
void split_old_free(split_old *o);

/* A partial redraw (split_redraw.h). */
typedef struct split_redraw split_redraw;

/*
** Codes and names (split_codes.c): primaries g[0..np) numbered across the
** town, secondaries g[np..np+ns) (index: their primary's index) inside their
** primary; village_of[index] names primaries. keep_from: old grids whose
** codes matching grids keep, or NULL.
*/
geo_err split_number(geo_ctx *ctx, split_grid *g, size_t np, size_t ns, const long *village_of,
		     char *const *village_names, size_t nvillages, const char *town_code,
		     const char *keep_from, const geo_crs *work);
/*
** The same for a partial redraw: new grids that match a redrawn one keep its
** code, the others get numbers after the highest old one, and no code of a
** kept grid is given again. In a level 2 redraw village_names are the codes
** of the kept primaries the new secondaries go into; the primaries g[0..np)
** stand for them and are not written.
*/
geo_err split_number_redraw(geo_ctx *ctx, split_grid *g, size_t np, size_t ns,
			    const long *village_of, char *const *village_names, size_t nvillages,
			    const char *town_code, const split_redraw *rd, const geo_crs *work);

#endif
