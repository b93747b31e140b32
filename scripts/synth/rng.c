/*
** rng.c: the generator's random numbers: xoshiro256** seeded through
** splitmix64. Our own generator, not the C library's, so that the same seed
** gives the same numbers on every machine; one stream per layer (rng_init's
** stream), so that a layer's size does not shift another layer's numbers.
*/
#include "synth.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_init(rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double rng_unif(rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double rng_range(rng *r, double a, double b)
{
	return a + (b - a) * rng_unif(r);
}

size_t rng_below(rng *r, size_t n)
{
	return (size_t)(rng_unif(r) * (double)n);
}

/* Box-Muller with one of its two values; 1 - u keeps the log finite. */
double rng_normal(rng *r)
{
	double u = rng_unif(r), v = rng_unif(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* An index drawn with probability proportional to w. */
size_t rng_weighted(rng *r, const double *w, size_t n)
{
	double total = 0, x;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	x = rng_unif(r) * total;
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}
