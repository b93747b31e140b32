/* GeoJSON (a FeatureCollection, a Feature or a bare geometry). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_input(data, size, "geojson", NULL);
}
