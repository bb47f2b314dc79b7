#include <math.h>
#include <stdint.h>
#include <string.h>
#include "shim.h"

// Two lazy libvips passes written here, for 8-bit images: a geometric warp
// (with an optional colour matrix after it) and a colour matrix alone. Each
// is a partial image with its own generate function, so libvips computes it
// piece by piece on its worker threads while the encoder consumes it, like its
// own operations, with no extra copy. Last, an estimate of a warp's mean
// colour from a grid of samples, for contrast. Their inner loops have plain
// C versions and, on x86-64, AVX2 ones picked at run time, which give the
// same pixels (a test compares them).

// ---- warp ----

// Warp samples the input, bilinear with 7-bit weights, at m·(x, y, 1) for
// each output pixel centre (x, y); m is row-major 3×3, output → input, in
// continuous coordinates (pixel i spans [i, i + 1)). Outside the input the
// fill decides: black (and transparent), white, edge (clamp) or mirror.
// A colour matrix may follow in the same pass (see Recolour).
typedef struct Tile Tile;
typedef void (*RecolourFn)(const VipsPel *p, ptrdiff_t step, VipsPel *q, int n, int bands, const int32_t *k, int shift);
typedef void (*RunFn)(const Tile *t, int64_t fu, int64_t fv, int64_t du, int64_t dv, VipsPel *q, int n);

typedef struct {
	VipsImage *in; // first: see lazy
	double m[9];
	AugFill fill;
	int projective;
	VipsPel bg[4];
	RunFn run;
	RecolourFn colour;
	int shift; // fractional bits of k, or 0 for no colour matrix
	int32_t k[12];
} Warp;

// warp_init fills in w for sampling in through m with fill.
static void warp_init(Warp *w, VipsImage *in, const double *m, AugFill fill) {
	w->in = in;
	memcpy(w->m, m, sizeof w->m);
	w->projective = m[6] != 0 || m[7] != 0 || m[8] != 1;
	w->fill = fill;
	memset(w->bg, fill == AUG_FILL_WHITE ? 255 : 0, sizeof w->bg);
}

// warp_point maps an output position to the input.
static void warp_point(const Warp *w, double x, double y, double *u, double *v) {
	const double *m = w->m;
	double q = w->projective ? m[6] * x + m[7] * y + m[8] : 1;
	*u = (m[0] * x + m[1] * y + m[2]) / q;
	*v = (m[3] * x + m[4] * y + m[5]) / q;
}

// fold maps an index outside [0, n) into it for edge and mirror fills, and
// returns -1 for the others.
static inline int fold(int i, int n, AugFill fill) {
	if (i >= 0 && i < n) return i;
	if (fill == AUG_FILL_EDGE) return i < 0 ? 0 : n - 1;
	if (fill != AUG_FILL_MIRROR) return -1;
	int period = 2 * n;
	i %= period;
	if (i < 0) i += period;
	return i < n ? i : period - 1 - i;
}

// fold_range gives the indices [*a, *b] that fold() takes [lo, hi] to.
static void fold_range(int lo, int hi, int n, AugFill fill, int *a, int *b) {
	int fl = fold(lo, n, fill), fh = fold(hi, n, fill);
	*a = fl < fh ? fl : fh, *b = fl < fh ? fh : fl;
	if (fill == AUG_FILL_EDGE) return; // clamping is monotone
	if (hi - lo + 1 >= n) {
		*a = 0, *b = n - 1;
		return;
	}
	// shorter than the image, so it crosses at most one mirror line, at k·n,
	// whose pixels fold next to each other and join the two ends
	int k = (lo >= 0 ? lo / n : -((-lo + n - 1) / n)) + 1;
	if (k * n <= hi) {
		int e = fold(k * n, n, fill);
		*a = e < *a ? e : *a, *b = e > *b ? e : *b;
	}
}

// need is the input area the output rectangle r reads: the box of its
// mapped corners, one pixel wider for the bilinear taps, folded into the
// image. It is empty when every tap falls in a black or white fill.
static VipsRect warp_need(const Warp *w, const VipsRect *r) {
	VipsRect all = {0, 0, w->in->Xsize, w->in->Ysize}, need;
	double x0 = r->left, y0 = r->top, x1 = r->left + r->width, y1 = r->top + r->height;
	double cx[4] = {x0, x1, x1, x0}, cy[4] = {y0, y0, y1, y1};
	double lu = INFINITY, lv = INFINITY, hu = -INFINITY, hv = -INFINITY;
	for (int i = 0; i < 4; i++) {
		if (w->projective && !(w->m[6] * cx[i] + w->m[7] * cy[i] + w->m[8] > 0)) return all; // crosses the horizon
		double u, v;
		warp_point(w, cx[i], cy[i], &u, &v);
		lu = fmin(lu, u), hu = fmax(hu, u), lv = fmin(lv, v), hv = fmax(hv, v);
	}
	if (!(hu - lu < 4.0 * all.width && hv - lv < 4.0 * all.height && fabs(lu) < 1e7 && fabs(lv) < 1e7)) return all;
	int l = (int) floor(lu) - 1, t = (int) floor(lv) - 1, rr = (int) ceil(hu) + 1, bb = (int) ceil(hv) + 1;
	if (w->fill == AUG_FILL_EDGE || w->fill == AUG_FILL_MIRROR) {
		fold_range(l, rr, all.width, w->fill, &l, &rr);
		fold_range(t, bb, all.height, w->fill, &t, &bb);
	}
	need.left = l, need.top = t, need.width = rr - l + 1, need.height = bb - t + 1;
	vips_rect_intersectrect(&need, &all, &need);
	return need;
}

// recolour_row maps n pixels, step bytes apart from p on, through the
// fixed-point colour matrix k to q; p may be q.
static inline VipsPel clip8(int32_t v, int shift) {
	v = (v + (1 << (shift - 1))) >> shift;
	v &= ~(v >> 31); // negative to 0, without a branch
	return (VipsPel) (v > 255 ? 255 : v);
}

static void recolour_row(const VipsPel *p, ptrdiff_t step, VipsPel *q, int n, int bands, const int32_t *k, int shift) {
	for (int x = 0; x < n; x++, p += step, q += bands) {
		const int32_t R = p[0], G = p[1], B = p[2];
		const VipsPel A = bands == 4 ? p[3] : 0;
		q[0] = clip8(k[0] * R + k[1] * G + k[2] * B + k[3], shift);
		q[1] = clip8(k[4] * R + k[5] * G + k[6] * B + k[7], shift);
		q[2] = clip8(k[8] * R + k[9] * G + k[10] * B + k[11], shift);
		if (bands == 4) q[3] = A;
	}
}

// Coordinates are fixed point with 32 fractional bits, offset by OFF pixels
// so that a shift is a floor; the 7 bits under the point, rounded, weigh
// the taps: the four weights of a pixel, products of two such fractions, fit
// a 16-bit lane, and a band's weighted sum fits 32 bits with one rounding.
#define OFF (1 << 30)
#define FIX(u) ((int64_t) (((u) - 0.5 + OFF) * 4294967296.0 + 16777216.0))
#define FRAC(f) ((int) ((f) >> 25) & 127)
#define WHOLE(f) ((int) ((f) >> 32) - OFF)

// Tile is what one call of warp_gen reads: the prepared input area.
struct Tile {
	const Warp *w;
	const VipsPel *base;
	size_t stride;
	int lx, ly, hx, hy, have;
	ptrdiff_t ahead; // from a pixel's taps to those two rows further down the output
};

// at is input pixel (x, y), inside the prepared area.
static inline __attribute__((always_inline)) const VipsPel *at(const Tile *t, int bands, int x, int y) {
	return t->base + (size_t) (y - t->ly) * t->stride + (size_t) (x - t->lx) * bands;
}

// taps finds the four input pixels around fixed-point (fu, fv) and their
// weights' fractions.
static inline __attribute__((always_inline)) void taps(const Tile *t, int bands, int64_t fu, int64_t fv, const VipsPel **p, int *ax, int *ay) {
	int ix = WHOLE(fu), iy = WHOLE(fv);
	*ax = FRAC(fu), *ay = FRAC(fv);
	if (ix >= t->lx && ix < t->hx && iy >= t->ly && iy < t->hy) {
		p[0] = at(t, bands, ix, iy);
		p[1] = p[0] + bands, p[2] = p[0] + t->stride, p[3] = p[2] + bands;
		return;
	}
	const Warp *w = t->w;
	int W = w->in->Xsize, H = w->in->Ysize;
	int xs[2] = {fold(ix, W, w->fill), fold(ix + 1, W, w->fill)};
	int ys[2] = {fold(iy, H, w->fill), fold(iy + 1, H, w->fill)};
	for (int k = 0; k < 4; k++) {
		int tx = xs[k & 1], ty = ys[k >> 1];
		if (!t->have || tx < 0 || ty < 0) {
			p[k] = w->bg;
			continue;
		}
		// kept inside what was prepared, whatever the map does
		tx = tx < t->lx ? t->lx : tx > t->hx ? t->hx : tx;
		ty = ty < t->ly ? t->ly : ty > t->hy ? t->hy : ty;
		p[k] = at(t, bands, tx, ty);
	}
}

// blend writes the bilinear blend of the taps to q.
static inline __attribute__((always_inline)) void blend(VipsPel *q, const VipsPel **p, int ax, int ay, int bands) {
	const int w00 = (128 - ax) * (128 - ay), w01 = ax * (128 - ay), w10 = (128 - ax) * ay, w11 = ax * ay;
	for (int c = 0; c < bands; c++)
		q[c] = (VipsPel) ((p[0][c] * w00 + p[1][c] * w01 + p[2][c] * w10 + p[3][c] * w11 + 8192) >> 14);
}

#define SAMPLE(B)                                \
	do {                                         \
		const VipsPel *p[4];                     \
		int ax, ay;                              \
		taps(t, B, fu, fv, p, &ax, &ay);         \
		blend(q, p, ax, ay, B);                  \
	} while (0)

// inner says whether the taps around (fu, fv) are inside the prepared area,
// with one pixel to spare on the right for 3 bands (see run_x86).
static inline __attribute__((always_inline)) int inner(const Tile *t, int bands, int64_t fu, int64_t fv) {
	int ix = WHOLE(fu), iy = WHOLE(fv);
	return ix >= t->lx && ix + (bands == 3) < t->hx && iy >= t->ly && iy < t->hy;
}

// A run is n output pixels along a row, stepping (fu, fv) by (du, dv), whose
// taps are all inner: sampled without checks, the taps two output rows ahead
// fetched into the cache meanwhile (a rotated strip reads a short piece of
// many input rows, which the hardware does not foresee), and coloured when
// the warp has a colour matrix. run_plain is the portable one.
static void run_plain(const Tile *t, int64_t fu, int64_t fv, int64_t du, int64_t dv, VipsPel *q, int n) {
	const int bands = t->w->in->Bands;
	VipsPel *q0 = q;
	for (int x = 0; x < n; x++, q += bands, fu += du, fv += dv) {
		const VipsPel *p = at(t, bands, WHOLE(fu), WHOLE(fv));
		const VipsPel *tp[4] = {p, p + bands, p + t->stride, p + t->stride + bands};
		__builtin_prefetch(p + t->ahead);
		blend(q, tp, FRAC(fu), FRAC(fv), bands);
	}
	if (t->w->shift) recolour_row(q0, bands, q0, n, bands, t->w->k, t->w->shift);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

// The 16-bit weights of a pixel's taps, top left, top right, bottom left,
// bottom right, are the product of (128 - ax, ax, 128 - ax, ax) and
// (128 - ay, 128 - ay, ay, ay): WX and WY hold those factors, twice, as a
// register's half takes them.
#define LANES(a, b, c, d) ((uint64_t) (a) | (uint64_t) (b) << 16 | (uint64_t) (c) << 32 | (uint64_t) (d) << 48)
#define WXF(a) {LANES(128 - (a), a, 128 - (a), a), LANES(128 - (a), a, 128 - (a), a)}
#define WYF(a) {LANES(128 - (a), 128 - (a), a, a), LANES(128 - (a), 128 - (a), a, a)}
#define T4(f, i) f(i), f(i + 1), f(i + 2), f(i + 3)
#define T16(f, i) T4(f, i), T4(f, i + 4), T4(f, i + 8), T4(f, i + 12)
#define T128(f) T16(f, 0), T16(f, 16), T16(f, 32), T16(f, 48), T16(f, 64), T16(f, 80), T16(f, 96), T16(f, 112)
static const uint64_t WX[128][2] __attribute__((aligned(16))) = {T128(WXF)}, WY[128][2] __attribute__((aligned(16))) = {T128(WYF)};

// Matrix is a colour matrix for the x86 loops: its coefficients, which fit
// 16 bits (see fixed), against (r, g, b, 0, r, g, b, 0), rows one and two
// then three, and its offsets with the rounding in 32 bits.
typedef struct {
	__m128i k12, k3, off, shift;
} Matrix;

__attribute__((target("avx2"), always_inline)) static inline Matrix matrix(const int32_t *k, int shift) {
	const int32_t half = 1 << (shift - 1);
	return (Matrix) {_mm_setr_epi16(k[0], k[1], k[2], 0, k[4], k[5], k[6], 0), _mm_setr_epi16(k[8], k[9], k[10], 0, 0, 0, 0, 0),
	                 _mm_setr_epi32(k[3] + half, k[7] + half, k[11] + half, 0), _mm_cvtsi32_si128(shift)};
}

// apply maps the pixel s, a band in each 32-bit lane, through c; alpha is
// kept.
__attribute__((target("avx2"), always_inline)) static inline __m128i apply(__m128i s, const Matrix *c, const int bands) {
	__m128i v = _mm_packs_epi32(s, s);
	if (bands == 4) v = _mm_and_si128(v, _mm_setr_epi16(-1, -1, -1, 0, -1, -1, -1, 0));
	v = _mm_hadd_epi32(_mm_madd_epi16(v, c->k12), _mm_madd_epi16(v, c->k3));
	v = _mm_sra_epi32(_mm_add_epi32(v, c->off), c->shift);
	return bands == 4 ? _mm_blend_epi32(v, s, 8) : v;
}

// apply2 is apply for two pixels, one in each half of s.
__attribute__((target("avx2"), always_inline)) static inline __m256i apply2(__m256i s, const Matrix *c, const int bands) {
	const __m256i k12 = _mm256_broadcastsi128_si256(c->k12), k3 = _mm256_broadcastsi128_si256(c->k3);
	__m256i v = _mm256_packs_epi32(s, s);
	if (bands == 4) v = _mm256_and_si256(v, _mm256_setr_epi16(-1, -1, -1, 0, -1, -1, -1, 0, -1, -1, -1, 0, -1, -1, -1, 0));
	v = _mm256_hadd_epi32(_mm256_madd_epi16(v, k12), _mm256_madd_epi16(v, k3));
	v = _mm256_sra_epi32(_mm256_add_epi32(v, _mm256_broadcastsi128_si256(c->off)), c->shift);
	return bands == 4 ? _mm256_blend_epi32(v, s, 0x88) : v;
}

// put writes the pixel in the low bytes of s; spare writes a fourth byte
// after 3 bands, which the next pixel overwrites.
__attribute__((target("avx2"), always_inline)) static inline void put(VipsPel *q, __m128i s, const int bands, int spare) {
	if (bands == 4 || spare) _mm_storeu_si32(q, s);
	else {
		uint32_t px = (uint32_t) _mm_cvtsi128_si32(s);
		memcpy(q, &px, 3);
	}
}

// store writes the pixel s, a band in each 32-bit lane, clipped to 8 bits.
__attribute__((target("avx2"), always_inline)) static inline void store(VipsPel *q, __m128i s, const int bands, int spare) {
	put(q, _mm_packus_epi16(_mm_packs_epi32(s, s), s), bands, spare);
}

// recolour_x86 is recolour_row a pixel at a time in one register.
__attribute__((target("avx2"), always_inline)) static inline void recolour_x86(const VipsPel *p, ptrdiff_t step, VipsPel *q, int n, const int bands, const int32_t *k, int shift) {
	const Matrix c = matrix(k, shift);
	const int top = step > 0 ? n - 1 : 0; // the pixel with nothing after it
	for (int x = 0; x < n; x++, p += step, q += bands) {
		uint32_t px = 0;
		if (bands == 4 || x != top) memcpy(&px, p, 4); // a fourth byte after 3 bands is not used
		else memcpy(&px, p, 3);
		store(q, apply(_mm_cvtepu8_epi32(_mm_cvtsi32_si128((int) px)), &c, bands), bands, 0); // q may be p
	}
}

// Pair holds what run_x86 samples with: the taps' shuffles (a pixel's bytes:
// top left at 0, top right at bands, bottom left at 8, bottom right at
// 8 + bands; lo takes r and g, hi b and alpha, each band's four taps in order
// as 16-bit lanes, in each half), the rounding, the colour matrix, and where
// the taps are.
typedef struct {
	__m256i lo, hi, half;
	Matrix c;
	const VipsPel *base; // the taps of fixed-point (u, v) are at base + (u >> 32) · bands + (v >> 32) · stride
	size_t stride;
	ptrdiff_t ahead;
} Pair;

// pair samples (fu, fv) and (gu, gv), a pixel in each half of the result,
// packed to 8 bits in its low bytes.
__attribute__((target("avx2"), always_inline)) static inline __m256i pair(const Pair *r, const int bands, const int colour, int64_t fu, int64_t fv, int64_t gu, int64_t gv) {
	const VipsPel *pa = r->base + (size_t) (fu >> 32) * bands + (size_t) (fv >> 32) * r->stride;
	const VipsPel *pb = r->base + (size_t) (gu >> 32) * bands + (size_t) (gv >> 32) * r->stride;
	_mm_prefetch((const char *) (pa + r->ahead), _MM_HINT_T0);
	_mm_prefetch((const char *) (pb + r->ahead), _MM_HINT_T0);
	const __m256i wx = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_load_si128((const __m128i *) WX[(uint32_t) fu >> 25])),
	                                           _mm_load_si128((const __m128i *) WX[(uint32_t) gu >> 25]), 1);
	const __m256i wy = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_load_si128((const __m128i *) WY[(uint32_t) fv >> 25])),
	                                           _mm_load_si128((const __m128i *) WY[(uint32_t) gv >> 25]), 1);
	const __m256i w = _mm256_mullo_epi16(wx, wy);
#define TAPS(p) _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *) (p)), _mm_loadl_epi64((const __m128i *) ((p) + r->stride)))
	const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(TAPS(pa)), TAPS(pb), 1);
#undef TAPS
	__m256i s = _mm256_hadd_epi32(_mm256_madd_epi16(_mm256_shuffle_epi8(v, r->lo), w), _mm256_madd_epi16(_mm256_shuffle_epi8(v, r->hi), w));
	s = _mm256_srli_epi32(_mm256_add_epi32(s, r->half), 14);
	if (colour) s = apply2(s, &r->c, bands);
	return _mm256_packus_epi16(_mm256_packs_epi32(s, s), s);
}

// run_x86 is run_plain with each pixel's bands in the lanes of one half of
// a register, two pixels at a time: the four taps' bytes, two 8-byte loads,
// are arranged by band and weighed by 16-bit multiply-adds, giving the same
// sums.
__attribute__((target("avx2"), always_inline)) static inline void run_x86(const Tile *t, const int bands, int64_t fu, int64_t fv, int64_t du, int64_t dv, VipsPel *q, int n, const int colour) {
	const __m128i lo = bands == 3 ? _mm_setr_epi8(0, -1, 3, -1, 8, -1, 11, -1, 1, -1, 4, -1, 9, -1, 12, -1)
	                              : _mm_setr_epi8(0, -1, 4, -1, 8, -1, 12, -1, 1, -1, 5, -1, 9, -1, 13, -1);
	const __m128i hi = bands == 3 ? _mm_setr_epi8(2, -1, 5, -1, 10, -1, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1)
	                              : _mm_setr_epi8(2, -1, 6, -1, 10, -1, 14, -1, 3, -1, 7, -1, 11, -1, 15, -1);
	const Pair r = {_mm256_broadcastsi128_si256(lo), _mm256_broadcastsi128_si256(hi), _mm256_set1_epi32(8192),
	                matrix(t->w->k, colour ? t->w->shift : 1),
	                t->base - ((size_t) OFF + t->lx) * bands - ((size_t) OFF + t->ly) * t->stride, t->stride, t->ahead};
	// pixel a at (fu, fv), b at (gu, gv), a step on
	int64_t gu = fu + du, gv = fv + dv;
	const int64_t du2 = 2 * du, dv2 = 2 * dv;
	int x = 0;
	for (; x + 1 < n; x += 2, q += 2 * bands, fu += du2, fv += dv2, gu += du2, gv += dv2) {
		const __m256i s = pair(&r, bands, colour, fu, fv, gu, gv);
		put(q, _mm256_castsi256_si128(s), bands, 1); // its fourth byte after 3 bands is b's, written next
		put(q + bands, _mm256_extracti128_si256(s, 1), bands, x + 2 < n);
	}
	if (x < n) put(q, _mm256_castsi256_si128(pair(&r, bands, colour, fu, fv, fu, fv)), bands, 0); // the last of an odd run
}

#define RUN_X86(B, C)                                                                                            \
	__attribute__((target("avx2"))) static void run_x86_##B##C(const Tile *t, int64_t fu, int64_t fv, int64_t du, \
	                                                           int64_t dv, VipsPel *q, int n) {                     \
		run_x86(t, B, fu, fv, du, dv, q, n, C);                                                                \
	}
RUN_X86(3, 0)
RUN_X86(3, 1)
RUN_X86(4, 0)
RUN_X86(4, 1)

#define RECOLOUR_X86(B)                                                                                       \
	__attribute__((target("avx2"))) static void recolour_x86_##B(const VipsPel *p, ptrdiff_t step, VipsPel *q, int n, \
	                                                             int bands, const int32_t *k, int shift) {       \
		recolour_x86(p, step, q, n, B, k, shift);                                                             \
	}
RECOLOUR_X86(3)
RECOLOUR_X86(4)
#endif

// simd allows the x86 runs where the CPU has AVX2 (see aug_simd).
static int simd = 1;

// aug_simd allows the x86 runs, or not, for the warps made from now on, and
// says whether the CPU has them: a test compares their pixels to the plain
// ones.
int aug_simd(int on) {
	simd = on;
#if defined(__x86_64__) && defined(__GNUC__)
	return __builtin_cpu_supports("avx2");
#else
	return 0;
#endif
}

// recolourer picks the colour function for bands once the CPU is known.
static RecolourFn recolourer(int bands) {
#if defined(__x86_64__) && defined(__GNUC__)
	if (simd && __builtin_cpu_supports("avx2")) {
		if (bands == 3) return recolour_x86_3;
		if (bands == 4) return recolour_x86_4;
	}
#endif
	return recolour_row;
}

// runner picks the run function for bands, with the colour matrix in it or
// not, once the CPU is known.
static RunFn runner(int bands, int colour) {
#if defined(__x86_64__) && defined(__GNUC__)
	if (simd && __builtin_cpu_supports("avx2")) {
		if (bands == 3) return colour ? run_x86_31 : run_x86_30;
		if (bands == 4) return colour ? run_x86_41 : run_x86_40;
	}
#endif
	return run_plain;
}

// copy_run is a run whose taps fall on whole pixels along an input row,
// forwards or backwards (flips, whole-pixel shifts): the blend of such taps
// is the first one, so the pixels are copied, or coloured.
#define ONE ((int64_t) 1 << 32)

static void copy_run(const Tile *t, int bands, int64_t fu, int64_t fv, int forwards, VipsPel *q, int n) {
	const VipsPel *p = at(t, bands, WHOLE(fu), WHOLE(fv));
	const size_t len = (size_t) n * bands;
	const VipsPel *ahead = (forwards ? p : p - len + bands) + t->ahead;
	for (size_t i = 0; i < len; i += 64) __builtin_prefetch(ahead + i);
	if (t->w->shift) {
		t->w->colour(p, forwards ? bands : -bands, q, n, bands, t->w->k, t->w->shift);
		return;
	}
	if (forwards) {
		memcpy(q, p, len);
		return;
	}
	if (bands == 3)
		for (int x = 0; x < n; x++, q += 3, p -= 3) memcpy(q, p, 3);
	else if (bands == 4)
		for (int x = 0; x < n; x++, q += 4, p -= 4) memcpy(q, p, 4);
	else
		for (int x = 0; x < n; x++, q += bands, p -= bands) memcpy(q, p, (size_t) bands);
}

// inner_run narrows [*a, *b] to the pixels of a row, stepping (fu, fv) by
// (du, dv), whose taps are all inner. Inner points along a line are one run:
// the estimate from the bounds is rounded inwards, then checked at its ends.
static void inner_run(const Tile *t, int bands, int64_t fu, int64_t fv, int64_t du, int64_t dv, int *a, int *b) {
	const double S = 4294967296.0;
	double lo = *a, hi = *b;
	double c[2] = {(double) fu / S - OFF, (double) fv / S - OFF}, d[2] = {(double) du / S, (double) dv / S};
	double low[2] = {t->lx, t->ly}, high[2] = {t->hx - (bands == 3), t->hy}; // a run's first taps lie in [low, high)
	for (int k = 0; k < 2; k++) {
		if (d[k] == 0) {
			if (c[k] < low[k] + 1e-6 || c[k] >= high[k] - 1e-6) hi = lo - 1;
			continue;
		}
		double x0 = (low[k] - c[k]) / d[k], x1 = (high[k] - c[k]) / d[k];
		if (x0 > x1) {
			double tmp = x0;
			x0 = x1, x1 = tmp;
		}
		lo = fmax(lo, ceil(x0) + 1), hi = fmin(hi, floor(x1) - 1);
	}
	int ia = 1, ib = 0;
	if (lo <= hi) ia = (int) lo, ib = (int) hi;
	while (ia <= ib && !inner(t, bands, fu + ia * du, fv + ia * dv)) ia++;
	while (ib >= ia && !inner(t, bands, fu + ib * du, fv + ib * dv)) ib--;
	*a = ia, *b = ib;
}

// edge samples n pixels with every check, then colours them. A pixel
// whose four taps all fall in a black or white fill is that fill (their
// weights add up to one), written without sampling: the corners a rotation
// uncovers are most of what edge sees.
static void edge(const Tile *t, int bands, int64_t fu, int64_t fv, int64_t du, int64_t dv, VipsPel *q, int n) {
	VipsPel *q0 = q;
	const Warp *w = t->w;
	const int constant = w->fill != AUG_FILL_EDGE && w->fill != AUG_FILL_MIRROR, W = w->in->Xsize, H = w->in->Ysize;
	for (int x = 0; x < n;) {
		int k = 0; // pixels from x on wholly in the fill, written at once
		for (; constant && x + k < n; k++) {
			int ix = WHOLE(fu + k * du), iy = WHOLE(fv + k * dv);
			if (!(ix < -1 || ix >= W || iy < -1 || iy >= H)) break;
		}
		if (k > 0) {
			memset(q, w->bg[0], (size_t) k * bands); // black or white: every byte alike
			x += k, q += (size_t) k * bands, fu += k * du, fv += k * dv;
			continue;
		}
		SAMPLE(bands);
		x++, q += bands, fu += du, fv += dv;
	}
	if (t->w->shift && n > 0) t->w->colour(q0, bands, q0, n, bands, t->w->k, t->w->shift);
}

// warp_row fills n output pixels starting at output centre (ox, oy).
static void warp_row(const Tile *t, int bands, VipsPel *q, int n, double ox, double oy) {
	const Warp *w = t->w;
	const double *m = w->m;
	double u0 = m[0] * ox + m[1] * oy + m[2], v0 = m[3] * ox + m[4] * oy + m[5];
	double u1 = u0 + m[0] * (n - 1), v1 = v0 + m[3] * (n - 1);
	const double lim = 0.25 * OFF;
	if (!w->projective && fabs(u0) < lim && fabs(v0) < lim && fabs(u1) < lim && fabs(v1) < lim) {
		// affine: step in fixed point along the row, the inner run without
		// checks
		int64_t fu = FIX(u0), fv = FIX(v0), du = (int64_t) (m[0] * 4294967296.0), dv = (int64_t) (m[3] * 4294967296.0);
		int a = 0, b = n - 1;
		inner_run(t, bands, fu, fv, du, dv, &a, &b);
		if (a > b) a = n, b = n - 1;
		edge(t, bands, fu, fv, du, dv, q, a);
		fu += a * du, fv += a * dv, q += (size_t) a * bands;
		if (a <= b && dv == 0 && (du == ONE || du == -ONE) && FRAC(fu) == 0 && FRAC(fv) == 0)
			copy_run(t, bands, fu, fv, du > 0, q, b - a + 1);
		else if (a <= b)
			w->run(t, fu, fv, du, dv, q, b - a + 1);
		fu += (b - a + 1) * du, fv += (b - a + 1) * dv, q += (size_t) (b - a + 1) * bands;
		edge(t, bands, fu, fv, du, dv, q, n - 1 - b);
		return;
	}
	for (int x = 0; x < n; x++, q += bands) {
		double X = ox + x, qq = w->projective ? m[6] * X + m[7] * oy + m[8] : 1;
		double u = (m[0] * X + m[1] * oy + m[2]) / qq, v = (m[3] * X + m[4] * oy + m[5]) / qq;
		if (!(fabs(u) < lim && fabs(v) < lim)) u = v = -2; // far off, and NaN
		int64_t fu = FIX(u), fv = FIX(v);
		if (inner(t, bands, fu, fv)) w->run(t, fu, fv, 0, 0, q, 1);
		else edge(t, bands, fu, fv, 0, 0, q, 1);
	}
}

static int warp_gen(VipsRegion *out, void *seq, void *a, void *b, gboolean *stop) {
	VipsRegion *ir = (VipsRegion *) seq;
	const Warp *w = (const Warp *) b;
	const VipsRect *r = &out->valid;
	const int bands = out->im->Bands;
	VipsRect need = warp_need(w, r);
	Tile t = {w, NULL, 0, need.left, need.top, need.left + need.width - 1, need.top + need.height - 1, !vips_rect_isempty(&need), 0};
	if (t.have) {
		if (vips_region_prepare(ir, &need)) return -1;
		t.base = VIPS_REGION_ADDR(ir, need.left, need.top);
		t.stride = VIPS_REGION_LSKIP(ir);
		t.ahead = (ptrdiff_t) lround(2 * w->m[4]) * (ptrdiff_t) t.stride + (ptrdiff_t) lround(2 * w->m[1]) * bands;
	}
	const size_t ostride = VIPS_REGION_LSKIP(out);
	VipsPel *row = VIPS_REGION_ADDR(out, r->left, r->top);
	for (int y = 0; y < r->height; y++, row += ostride) warp_row(&t, bands, row, r->width, r->left + 0.5, r->top + y + 0.5);
	return 0;
}

// fixed turns a colour matrix (three rows of r, g, b, offset) into fixed
// point with as many fractional bits, up to 14, as keep the coefficients
// inside 16 bits (run_x86 multiplies them so) and the offsets far inside 32,
// and returns how many, or -1.
static int fixed(const double *m, int32_t *k) {
	double coef = 0, offset = 0;
	for (int i = 0; i < 12; i++) {
		if (!isfinite(m[i])) goto range;
		if (i % 4 == 3) offset = fmax(offset, fabs(m[i]));
		else coef = fmax(coef, fabs(m[i]));
	}
	for (int shift = 14; shift >= 4; shift--) {
		if (coef * (1 << shift) > 32767 || offset * (1 << shift) >= (double) (1 << 28)) continue;
		for (int i = 0; i < 12; i++) k[i] = (int32_t) lround(m[i] * (1 << shift));
		return shift;
	}
range:
	vips_error("augment", "colour matrix out of range");
	return -1;
}

// state_free drops a pass's state, whose first member is its reference to
// the input, when the image it computes closes.
static void state_free(VipsImage *out, void *state) {
	g_object_unref(*(VipsImage **) state);
	g_free(state);
}

// lazy makes *out an ow×oh partial image over in whose pixels gen computes
// from state, which must start with a VipsImage * to in; it takes a
// reference to in and owns state from here on, freeing both with *out.
static int lazy(VipsImage *in, VipsImage **out, VipsDemandStyle demand, int ow, int oh, VipsGenerateFn gen, void *state) {
	*(VipsImage **) state = in;
	g_object_ref(in);
	*out = vips_image_new();
	g_signal_connect(*out, "close", G_CALLBACK(state_free), state);
	if (vips_image_pipelinev(*out, demand, in, NULL)) goto fail;
	(*out)->Xsize = ow;
	(*out)->Ysize = oh;
	if (vips_image_generate(*out, vips_start_one, gen, vips_stop_one, in, state)) goto fail;
	return 0;
fail:
	g_object_unref(*out);
	return -1;
}

// aug_warp makes the lazy ow×oh warp of in through m (see Warp), followed by
// the colour matrix colour unless it is NULL.
int aug_warp(VipsImage *in, VipsImage **out, const AugMap *m, int ow, int oh, AugFill fill, const AugColour *colour) {
	if (in->BandFmt != VIPS_FORMAT_UCHAR || in->Bands > 4 || in->Coding != VIPS_CODING_NONE ||
		(colour && in->Bands < 3)) {
		vips_error("augment", "warp needs an uncoded 8-bit image of at most 4 bands");
		return -1;
	}
	Warp *w = g_new0(Warp, 1);
	if (colour && (w->shift = fixed(colour->k, w->k)) < 0) {
		g_free(w);
		return -1;
	}
	warp_init(w, in, m->m, fill);
	w->run = runner(in->Bands, w->shift != 0);
	w->colour = recolourer(in->Bands);
	// strips across the image make fewer, longer rows, but a rotated strip
	// needs a tall input area: only an image in memory has that for free
	VipsDemandStyle demand = in->data ? VIPS_DEMAND_STYLE_FATSTRIP : VIPS_DEMAND_STYLE_SMALLTILE;
	return lazy(in, out, demand, ow, oh, warp_gen, w);
}

// ---- colour matrix ----

// Recolour maps (r, g, b) to M·(r, g, b) + offset in 16.16 fixed point,
// clipped to 8 bits; any alpha band is copied.
typedef struct {
	VipsImage *in; // first: see lazy
	RecolourFn fn;
	int shift;
	int32_t k[12];
} Recolour;

static int recolour_gen(VipsRegion *out, void *seq, void *a, void *b, gboolean *stop) {
	VipsRegion *ir = (VipsRegion *) seq;
	const Recolour *rc = (const Recolour *) b;
	const VipsRect *r = &out->valid;
	const int bands = out->im->Bands;
	if (vips_region_prepare(ir, r)) return -1;
	const size_t istride = VIPS_REGION_LSKIP(ir), ostride = VIPS_REGION_LSKIP(out);
	const VipsPel *p = VIPS_REGION_ADDR(ir, r->left, r->top);
	VipsPel *q = VIPS_REGION_ADDR(out, r->left, r->top);
	for (int y = 0; y < r->height; y++, p += istride, q += ostride)
		rc->fn(p, bands, q, r->width, bands, rc->k, rc->shift);
	return 0;
}

// aug_recolour makes the lazy colour map of in by m: three rows of four
// (r, g, b, offset).
int aug_recolour(VipsImage *in, VipsImage **out, const AugColour *m) {
	if (in->BandFmt != VIPS_FORMAT_UCHAR || in->Bands < 3 || in->Bands > 4 || in->Coding != VIPS_CODING_NONE) {
		vips_error("augment", "recolour needs an uncoded 8-bit colour image");
		return -1;
	}
	Recolour *rc = g_new0(Recolour, 1);
	rc->fn = recolourer(in->Bands);
	if ((rc->shift = fixed(m->k, rc->k)) < 0) {
		g_free(rc);
		return -1;
	}
	if (lazy(in, out, VIPS_DEMAND_STYLE_THINSTRIP, in->Xsize, in->Ysize, recolour_gen, rc)) return -1;
	(*out)->Type = VIPS_INTERPRETATION_sRGB;
	return 0;
}

// aug_grid_means estimates the mean of each colour band of the ow×oh warp of
// in (an image in memory) through m from n×n samples on an even grid (n up
// to 256): a
// fraction of a millisecond where computing even a few rows of the warp
// takes several.
int aug_grid_means(VipsImage *in, const AugMap *m, int ow, int oh, AugFill fill, int n, double *means) {
	if (in->BandFmt != VIPS_FORMAT_UCHAR || in->Bands < 3 || in->Bands > 4 || in->Coding != VIPS_CODING_NONE) {
		vips_error("augment", "means need an uncoded 8-bit colour image");
		return -1;
	}
	if (vips_image_wio_input(in)) return -1; // in memory already: nothing to do
	Warp w = {0};
	warp_init(&w, in, m->m, fill);
	const Tile tile = {&w, VIPS_IMAGE_ADDR(in, 0, 0), VIPS_IMAGE_SIZEOF_LINE(in), 0, 0, in->Xsize - 1, in->Ysize - 1, 1, 0};
	const Tile *t = &tile; // for SAMPLE
	const double lim = 0.25 * OFF;
	double sum[3] = {0, 0, 0};
	int64_t us[256], vs[256];
	if (n < 1 || n > 256) {
		vips_error("augment", "a grid of means is 1 to 256 samples a side");
		return -1;
	}
	for (int gy = 0; gy < n; gy++) {
		// a row of the grid: each sample is a cache miss, so all its taps
		// are asked for before the first is read
		for (int gx = 0; gx < n; gx++) {
			double u, v;
			warp_point(&w, (gx + 0.5) * ow / n, (gy + 0.5) * oh / n, &u, &v);
			if (!(fabs(u) < lim && fabs(v) < lim)) u = v = -2;
			us[gx] = FIX(u), vs[gx] = FIX(v);
			if (inner(t, in->Bands, us[gx], vs[gx])) {
				const VipsPel *p = at(t, in->Bands, WHOLE(us[gx]), WHOLE(vs[gx]));
				__builtin_prefetch(p);
				__builtin_prefetch(p + t->stride);
			}
		}
		for (int gx = 0; gx < n; gx++) {
			int64_t fu = us[gx], fv = vs[gx];
			VipsPel px[4];
			VipsPel *q = px;
			SAMPLE(in->Bands);
			for (int c = 0; c < 3; c++) sum[c] += px[c];
		}
	}
	for (int c = 0; c < 3; c++) means[c] = sum[c] / ((double) n * n);
	return 0;
}
