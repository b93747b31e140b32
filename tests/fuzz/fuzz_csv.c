/*
** CSV points in x/y, lon/lat or 经度/纬度 columns. A CSV carries no CRS, so it
** is given one as a user would with --s-srs: geographic CGCS2000 when the
** header names longitudes (the path through the working-CRS choice from
** longitude and latitude), otherwise the projected zone the fixed grids are in.
*/
#include <string.h>

#include "fuzz.h"

static int names_degrees(const uint8_t *data, size_t size)
{
	const char *words[] = { "lon", "经度", "lng" };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	for (size_t w = 0; w < sizeof words / sizeof *words; w++)
		if (memmem(data, n, words[w], strlen(words[w])))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_input(data, size, "csv", names_degrees(data, size) ? "EPSG:4490" : "EPSG:4548");
}
