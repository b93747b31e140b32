/* GeoPackage bytes: SQLite pages, the gpkg_ tables, the geometry blobs. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_input(data, size, "gpkg", NULL);
}
