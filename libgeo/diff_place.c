/* placeholder until the placer lands */
#include "diff_internal.h"
geo_err diff_place_features(struct diff_run *run)
{
	(void)run;
	return GEO_OK;
}
