/*
** replay.c: a main() for a fuzz target, so that make check replays its inputs
** with the ordinary toolchain (gcc, and ASan under make check-asan) and no
** libFuzzer. Without arguments it replays tests/fuzz/corpus/TARGET/ and
** tests/fuzz/crashes/TARGET/ (run from the repository's root, as tests/run
** does) and prints one "ok" line per folder; with arguments, the files named.
** A crash ends the process; the file being replayed is named just before.
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET names the target (geojson, csv, ...)"
#endif

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("FAIL fuzz %s: cannot open %s\n", FUZZ_TARGET, path);
		return -1;
	}
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			uint8_t *more = realloc(data, cap);
			if (!more) {
				free(data);
				fclose(f);
				printf("FAIL fuzz %s: out of memory reading %s\n", FUZZ_TARGET, path);
				return -1;
			}
			data = more;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(data);
		printf("FAIL fuzz %s: cannot read %s\n", FUZZ_TARGET, path);
		return -1;
	}
	printf("replaying %s\n", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every file of dir in name order; a missing folder holds nothing,
** which is a failure when the folder is required. */
static void replay_dir(const char *dir, int required)
{
	DIR *d = opendir(dir);
	size_t n = 0, cap = 0, done = 0;
	char **names = NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **more = realloc(names, cap * sizeof *names);
			if (!more)
				break;
			names = more;
		}
		size_t size = strlen(dir) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(size)))
			break;
		snprintf(names[n++], size, "%s/%s", dir, e->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		failed |= replay_file(names[i]) != 0;
		done++;
		free(names[i]);
	}
	free(names);
	if (required && !n)
		printf("FAIL fuzz %s: no inputs in %s\n", FUZZ_TARGET, dir);
	else if (!failed)
		printf("ok fuzz %s: %zu inputs of %s replayed\n", FUZZ_TARGET, done, dir);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_file(argv[i]))
				return 1;
		return 0;
	}
	replay_dir("tests/fuzz/corpus/" FUZZ_TARGET, 1);
	replay_dir("tests/fuzz/crashes/" FUZZ_TARGET, 0);
	return 0;
}
