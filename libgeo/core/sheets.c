/*
** sheets.c: names of the sheets in the workbooks (XLSX) the tools write,
** as Excel accepts them.
*/
#include "core/geo_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *geo_sheet_name(GDALDatasetH ds, const char *want)
{
	char base[128];
	size_t n = 0, chars = 0;
	for (const unsigned char *p = (const unsigned char *)want; *p && chars < 27;) {
		size_t len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
		if (n + len >= sizeof base - 8)
			break;
		if (len == 1 && strchr("[]:*?/\\", *p))
			base[n++] = '_', p++;
		else
			for (size_t k = 0; k < len && *p; k++)
				base[n++] = (char)*p++;
		chars++;
	}
	base[n] = '\0';
	if (!n)
		snprintf(base, sizeof base, "_");
	char name[160];
	snprintf(name, sizeof name, "%s", base);
	for (int k = 2; GDALDatasetGetLayerByName(ds, name); k++)
		snprintf(name, sizeof name, "%s(%d)", base, k);
	return strdup(name);
}
