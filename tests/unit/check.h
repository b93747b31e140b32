/*
** check.h: the unit tests' whole framework. CHECK prints "ok N desc" or
** "FAIL N desc" (tests/run counts them); check_done() is main's return value.
*/
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_count, check_failures;

#define CHECK(desc, expr)                                                              \
	do {                                                                           \
		check_count++;                                                         \
		if (expr) {                                                            \
			printf("ok %d %s\n", check_count, desc);                       \
		} else {                                                               \
			check_failures++;                                              \
			printf("FAIL %d %s (%s:%d: %s)\n", check_count, desc, __FILE__, \
			       __LINE__, #expr);                                       \
		}                                                                      \
	} while (0)

#define CHECK_NEAR(desc, got, want, tol)                                                 \
	do {                                                                             \
		double check_got_ = (got), check_want_ = (want);                         \
		CHECK(desc, fabs(check_got_ - check_want_) <= (tol));                    \
		if (!(fabs(check_got_ - check_want_) <= (tol)))                          \
			printf("     got %.12g, want %.12g, tolerance %g\n", check_got_,   \
			       check_want_, (double)(tol));                              \
	} while (0)

/* A check that cannot run here (missing optional data): named, not failed. */
#define CHECK_SKIP(desc, why) printf("skip %s: %s\n", desc, why)

/* Removes a test's scratch folder; failing to is a failure, since the
** tests must leave nothing behind. */
static inline void check_remove_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("FAIL could not remove %s\n", dir);
}

static inline int check_done(void)
{
	return check_failures ? 1 : 0;
}

#endif
