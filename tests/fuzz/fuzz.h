/*
** fuzz.h: what the fuzz targets share. Each target (fuzz_geojson.c, ...) is
** one LLVMFuzzerTestOneInput that hands its bytes to fuzz_input with the file
** extension GDAL recognises them by; replay.c is a main() that feeds files to
** a target, so make check replays the corpus with gcc and no libFuzzer.
*/
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads data as a file with extension ext (s_srs supplies a CRS, or NULL)
** through libgeo: grid-info's report, every layer placed on a fixed grid set
** and, when the layer reads as grids, placed on itself and checked as a
** coverage. Always returns 0: errors are answers, only crashes are findings. */
int fuzz_input(const uint8_t *data, size_t size, const char *ext, const char *s_srs);

#endif
