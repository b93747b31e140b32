/* GeoJSONSeq: one feature per line, or RS-separated (RFC 8142). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_input(data, size, "geojsonl", NULL);
}
