/* Matrix-vector products for decoding on the CPU: y = x W^T for a few rows x, each weight read once.
 *
 * Why: a decode step reads every weight once, so its speed is the rate at which the weights stream
 * from memory. PyTorch's CPU products reach about half of this machine's bandwidth on SambaY's shapes
 * (bench/cpu_decode.py --layouts), and its int8 weight-only product spends more time converting
 * int8 to float32 than reading. The readable definitions are reference_bf16 / reference_int8 in
 * model/kernels/gemv.py, and the tests compare every build of this file against them.
 *
 * Layout: W is [n, k] row-major (nn.Linear's own layout, nothing repacked); x is [m, k] bfloat16;
 * y is [m, n] bfloat16, rounded to nearest even once, from a float32 (bf16) or exact integer (int8)
 * sum. Each thread splits its share of W's rows into REGIONS parts and reads one row of each at a
 * time: REGIONS long sequential streams that the hardware prefetcher follows. One stream per core
 * leaves the memory system idle between requests on server cores (a 1 GiB read on the 2-core AMX
 * Xeon of issue 15's earlier bench runs: 27 GB/s with one stream per core, 31 with four; four adjacent
 * rows, short streams, gained nothing). x stays in the L1 cache. Threads come from OpenMP, whose runtime is the libgomp.so.1
 * PyTorch has already loaded, so they are PyTorch's own.
 *
 * int8 (weight-only, per-row scales): x is taken to exact 16-bit fixed point per row, x = s * xi with
 * |xi| <= 32767 (finer than bfloat16's own rounding for every element above max|x| / 128), and
 * xi + 32768 is split into two bytes hi, lo. The dot products then run on integer units
 * (AVX-512 VNNI: 64 byte products per instruction) with no per-weight conversion:
 *   sum q xi = 256 sum q hi + sum q lo - 32768 sum q,  with sum q per row computed once at load.
 * Without VNNI the bytes are widened to float32 and multiplied with x itself.
 *
 * The vector paths are chosen by the compiler's target macros (the library is built with
 * -march=native, or a narrower -m flag set by the tests).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#define FIXED_MAX 32767.0f
#define FIXED_OFFSET 32768

static inline float bf16_to_float(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint16_t float_to_bf16(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40); /* quiet NaN */
    bits += 0x7fffu + ((bits >> 16) & 1u);                                          /* nearest even */
    return (uint16_t)(bits >> 16);
}

/* x widened to float32 once per call, for the paths that multiply in float32. */
static inline float *widen(const uint16_t *x, int64_t count) {
    float *out = malloc(sizeof(float) * (size_t)count);
    if (out)
        for (int64_t i = 0; i < count; i++) out[i] = bf16_to_float(x[i]);
    return out;
}

#if defined(__AVX2__) && !defined(__AVX512F__)
static inline float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
#endif

/* Each function below sums one weight row against `count` (1..GROUP) rows of x at once, so a
 * batch of decoding sequences reads the weights once; `count` is a literal at every call (see
 * FOR_GROUP), so after inlining the loops over it unroll and the sums stay in registers. */
#define GROUP 4
#define INLINE static inline __attribute__((always_inline))
#define FOR_GROUP(count, call)                                                                        \
    switch (count) {                                                                                  \
    case 1: call(1); break;                                                                           \
    case 2: call(2); break;                                                                           \
    case 3: call(3); break;                                                                           \
    default: call(4); break;                                                                          \
    }

/* Weight rows read side by side (see the header); `regions` is REGIONS or, for the few rows left
 * over, 1, and a literal at each call. */
#define REGIONS 4
/* Each stream's next lines are asked for this many bytes ahead of the loads: the hardware prefetcher
 * alone left that Xeon at 26 GB/s on SambaY's shapes, this at 30-31 (a plain 1 GiB read: 32). */
#define PREFETCH_AHEAD 1024

static inline void prefetch_ahead(const void *p) {
    __builtin_prefetch((const char *)p + PREFETCH_AHEAD, 0, 3); /* never faults, past the end included */
}

/* The calling thread's share of n rows (contiguous, as schedule(static) would give) starts at *first
 * and is read in steps: returns how many, with *per rows in each of the REGIONS parts. */
static inline int64_t thread_steps(int64_t n, int64_t *first, int64_t *per) {
    int64_t t = omp_get_thread_num(), threads = omp_get_num_threads();
    int64_t lo = n * t / threads, hi = n * (t + 1) / threads;
    *first = lo;
    *per = (hi - lo) / REGIONS;
    return *per + (hi - lo - REGIONS * *per);
}

/* Step j's rows: one from each of the REGIONS parts, then the rows left over one by one. Returns how many. */
static inline int step_rows(int64_t first, int64_t per, int64_t j, int64_t *rows) {
    if (j < per) {
        for (int s = 0; s < REGIONS; s++) rows[s] = first + s * per + j;
        return REGIONS;
    }
    rows[0] = first + REGIONS * per + (j - per);
    return 1;
}

/* The float32 path (builds without bf16 pairs or VNNI): out[r] = sum_i x[r, i] * widen(w[i]), x already
 * float32; the weight type and its widening are the only differences between bf16 and int8 weights. */
#define WIDEN16_BF16(p) _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(p))), 16))
#define WIDEN8_BF16(p) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p))), 16))
#define WIDEN16_INT8(p) _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p))))
#define WIDEN8_INT8(p) _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p))))
#if defined(__AVX512F__)
#define DOT_WIDE_VECTOR(WIDEN16, WIDEN8)                                                             \
    __m512 a[GROUP];                                                                                       \
    for (int r = 0; r < count; r++) a[r] = _mm512_setzero_ps();                                            \
    for (; i + 16 <= k; i += 16) {                                                                         \
        __m512 wv = WIDEN16(w + i);                                                                        \
        for (int r = 0; r < count; r++) a[r] = _mm512_fmadd_ps(_mm512_loadu_ps(x + r * ldx + i), wv, a[r]); \
    }                                                                                                      \
    for (int r = 0; r < count; r++) out[r] = _mm512_reduce_add_ps(a[r]);
#elif defined(__AVX2__)
#define DOT_WIDE_VECTOR(WIDEN16, WIDEN8)                                                             \
    __m256 a[GROUP];                                                                                       \
    for (int r = 0; r < count; r++) a[r] = _mm256_setzero_ps();                                            \
    for (; i + 8 <= k; i += 8) {                                                                           \
        __m256 wv = WIDEN8(w + i);                                                                         \
        for (int r = 0; r < count; r++) a[r] = _mm256_fmadd_ps(_mm256_loadu_ps(x + r * ldx + i), wv, a[r]); \
    }                                                                                                      \
    for (int r = 0; r < count; r++) out[r] = sum8(a[r]);
#else
#define DOT_WIDE_VECTOR(WIDEN16, WIDEN8)
#endif
#define DOT_WIDE(NAME, TYPE, WIDEN16, WIDEN8, SCALAR)                                                      \
    INLINE void NAME(const float *x, int64_t ldx, int count, const TYPE *w, int64_t k, float *out) {      \
        int64_t i = 0;                                                                                     \
        for (int r = 0; r < count; r++) out[r] = 0.0f;                                                     \
        DOT_WIDE_VECTOR(WIDEN16, WIDEN8)                                                                   \
        for (; i < k; i++)                                                                                 \
            for (int r = 0; r < count; r++) out[r] += x[r * ldx + i] * SCALAR(w[i]);                       \
    }

/* ---- bf16 weights ------------------------------------------------------------------------------ */
#if defined(__AVX512BF16__)
#define BF16_PAIRS 1
#else
DOT_WIDE(dot_bf16_wide, uint16_t, WIDEN16_BF16, WIDEN8_BF16, bf16_to_float)
#endif

#if defined(BF16_PAIRS)
/* out[s][r] = x[r] . w_rows[s] for `regions` weight rows and `count` rows of x (both literals after
 * inlining): two sums per pair, for the even and odd halves of each 64 columns. */
INLINE void dot_bf16_regions(const uint16_t *x, int64_t ldx, int count, const uint16_t *const *w_rows, int regions,
                             int64_t k, float (*out)[GROUP]) {
    __m512 even[REGIONS][GROUP], odd[REGIONS][GROUP];
    for (int s = 0; s < regions; s++)
        for (int r = 0; r < count; r++) even[s][r] = odd[s][r] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 64 <= k; i += 64) {
        __m512bh xv[GROUP], xv2[GROUP];
        for (int r = 0; r < count; r++) {
            xv[r] = (__m512bh)_mm512_loadu_si512(x + r * ldx + i);
            xv2[r] = (__m512bh)_mm512_loadu_si512(x + r * ldx + i + 32);
        }
        for (int s = 0; s < regions; s++) {
            prefetch_ahead(w_rows[s] + i);
            prefetch_ahead(w_rows[s] + i + 32);
            __m512bh w0 = (__m512bh)_mm512_loadu_si512(w_rows[s] + i), w1 = (__m512bh)_mm512_loadu_si512(w_rows[s] + i + 32);
            for (int r = 0; r < count; r++) {
                even[s][r] = _mm512_dpbf16_ps(even[s][r], xv[r], w0);
                odd[s][r] = _mm512_dpbf16_ps(odd[s][r], xv2[r], w1);
            }
        }
    }
    for (; i < k; i += 32) {
        __mmask32 mask = k - i >= 32 ? 0xffffffffu : (__mmask32)((1u << (k - i)) - 1);
        __m512bh xv[GROUP];
        for (int r = 0; r < count; r++) xv[r] = (__m512bh)_mm512_maskz_loadu_epi16(mask, x + r * ldx + i);
        for (int s = 0; s < regions; s++) {
            __m512bh wv = (__m512bh)_mm512_maskz_loadu_epi16(mask, w_rows[s] + i);
            for (int r = 0; r < count; r++) even[s][r] = _mm512_dpbf16_ps(even[s][r], xv[r], wv);
        }
    }
    for (int s = 0; s < regions; s++)
        for (int r = 0; r < count; r++) out[s][r] = _mm512_reduce_add_ps(_mm512_add_ps(even[s][r], odd[s][r]));
}
#endif

/* y[m, n] = sum_k x[m, k] w[n, k]. Returns 0, or -1 when scratch memory could not be allocated. */
int gemv_bf16(const uint16_t *x, const uint16_t *w, uint16_t *y, int64_t m, int64_t n, int64_t k, int threads) {
#if defined(BF16_PAIRS)
#pragma omp parallel num_threads(threads)
    {
        int64_t first, per, rows[REGIONS], steps = thread_steps(n, &first, &per);
        for (int64_t r0 = 0; r0 < m; r0 += GROUP) {
            int count = m - r0 < GROUP ? (int)(m - r0) : GROUP;
            for (int64_t j = 0; j < steps; j++) {
                int regions = step_rows(first, per, j, rows);
                const uint16_t *w_rows[REGIONS];
                float out[REGIONS][GROUP];
                for (int s = 0; s < regions; s++) w_rows[s] = w + rows[s] * k;
#define CALL(c)                                                                                       \
    if (regions == REGIONS) dot_bf16_regions(x + r0 * k, k, c, w_rows, REGIONS, k, out);             \
    else dot_bf16_regions(x + r0 * k, k, c, w_rows, 1, k, out);
                FOR_GROUP(count, CALL)
#undef CALL
                for (int s = 0; s < regions; s++)
                    for (int r = 0; r < count; r++) y[(r0 + r) * n + rows[s]] = float_to_bf16(out[s][r]);
            }
        }
    }
    return 0;
#else
    float *xf = widen(x, m * k);
    if (!xf) return -1;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t row = 0; row < n; row++)
        for (int64_t r0 = 0; r0 < m; r0 += GROUP) {
            float out[GROUP];
            int count = m - r0 < GROUP ? (int)(m - r0) : GROUP;
#define CALL(c) dot_bf16_wide(xf + r0 * k, k, c, w + row * k, k, out)
            FOR_GROUP(count, CALL)
#undef CALL
            for (int r = 0; r < count; r++) y[(r0 + r) * n + row] = float_to_bf16(out[r]);
        }
    free(xf);
    return 0;
#endif
}

/* ---- int8 weights ------------------------------------------------------------------------------ */
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#define INT8_FIXED_POINT 1
static inline __m512 load_bf16(const uint16_t *p, __mmask16 mask) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, p)), 16));
}

/* Exact sums of q[i] * (256 hi[i] + lo[i]) for `regions` weight rows and `count` rows of x: 64 byte
 * products per instruction (vpdpbusd). A lane gains at most 4 * 255 * 128 per 64 columns: no int32
 * overflow for k < 1,000,000 (the caller checks). Two sums (high and low bytes) per pair: the caller
 * keeps regions * count * 2 within 16 registers (see gemv_int8). */
INLINE void dot_int8_regions(const uint8_t *hi, const uint8_t *lo, int64_t ldx, int count, const int8_t *const *q_rows,
                             int regions, int64_t k, int64_t (*out)[GROUP]) {
    __m512i high[REGIONS][GROUP], low[REGIONS][GROUP];
    for (int s = 0; s < regions; s++)
        for (int r = 0; r < count; r++) high[s][r] = low[s][r] = _mm512_setzero_si512();
    for (int64_t i = 0; i < k; i += 64) {
        __mmask64 mask = k - i >= 64 ? ~0ull : (__mmask64)((1ull << (k - i)) - 1);
        __m512i xh[GROUP], xl[GROUP];
        for (int r = 0; r < count; r++) {
            xh[r] = _mm512_maskz_loadu_epi8(mask, hi + r * ldx + i);
            xl[r] = _mm512_maskz_loadu_epi8(mask, lo + r * ldx + i);
        }
        for (int s = 0; s < regions; s++) {
            prefetch_ahead(q_rows[s] + i);
            __m512i w = _mm512_maskz_loadu_epi8(mask, q_rows[s] + i);
            for (int r = 0; r < count; r++) {
                high[s][r] = _mm512_dpbusd_epi32(high[s][r], xh[r], w);
                low[s][r] = _mm512_dpbusd_epi32(low[s][r], xl[r], w);
            }
        }
    }
    for (int s = 0; s < regions; s++)
        for (int r = 0; r < count; r++)
            out[s][r] = 256 * (int64_t)_mm512_reduce_add_epi32(high[s][r]) + _mm512_reduce_add_epi32(low[s][r]);
}

/* x's rows as offset 16-bit fixed point split into bytes; step[r] is row r's unit. Returns 0, or -3
 * when a value is not finite. Vectorised: done once per call on one thread, it would otherwise cost
 * as much as streaming a small weight (about 100 us for a row of 10,240). */
static int to_fixed_bytes(const uint16_t *x, int64_t m, int64_t k, uint8_t *hi, uint8_t *lo, float *step) {
    const __m512 infinity = _mm512_set1_ps(INFINITY);
    for (int64_t r = 0; r < m; r++) {
        const uint16_t *row = x + r * k;
        __m512 largest = _mm512_setzero_ps();
        __mmask16 bad = 0;
        for (int64_t i = 0; i < k; i += 16) {
            __mmask16 mask = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
            __m512 size = _mm512_abs_ps(load_bf16(row + i, mask));
            bad |= _mm512_mask_cmp_ps_mask(mask, size, infinity, _CMP_NLT_UQ); /* NaN or infinite */
            largest = _mm512_max_ps(largest, size);
        }
        if (bad) return -3;
        float top = _mm512_reduce_max_ps(largest);
        step[r] = top > 0.0f ? top / FIXED_MAX : 1.0f;
        const __m512 inverse = _mm512_set1_ps(1.0f / step[r]);
        const __m512i offset = _mm512_set1_epi32(FIXED_OFFSET);
        for (int64_t i = 0; i < k; i += 16) {
            __mmask16 mask = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
            /* rounded to nearest even; |x| / step <= 32767 (+ one rounding), so it stays below 32767.5 */
            __m512 scaled = _mm512_mul_ps(load_bf16(row + i, mask), inverse);
            __m512i fixed = _mm512_add_epi32(_mm512_cvtps_epi32(scaled), offset);
            _mm_mask_storeu_epi8(hi + r * k + i, mask, _mm512_cvtepi32_epi8(_mm512_srli_epi32(fixed, 8)));
            _mm_mask_storeu_epi8(lo + r * k + i, mask, _mm512_cvtepi32_epi8(fixed));
        }
    }
    return 0;
}
#else
DOT_WIDE(dot_int8_wide, int8_t, WIDEN16_INT8, WIDEN8_INT8, (float))
#endif

/* y[m, n] = scale[n] * sum_k x[m, k] q[n, k], with row_sums[n] = sum_k q[n, k]. Returns 0, -1 (no
 * memory), -2 (k too long for exact int32 sums) or -3 (x is not finite: the caller's float path then
 * spreads the NaN or infinity as PyTorch would). */
int gemv_int8(const uint16_t *x, const int8_t *q, const float *scale, const int32_t *row_sums, uint16_t *y,
              int64_t m, int64_t n, int64_t k, int threads) {
#if defined(INT8_FIXED_POINT)
    if (k >= 1000000) return -2;
    uint8_t *bytes = malloc((size_t)(2 * m * k));
    float *step = malloc(sizeof(float) * (size_t)m);
    int status = bytes && step ? to_fixed_bytes(x, m, k, bytes, bytes + m * k, step) : -1;
    if (status == 0) {
#pragma omp parallel num_threads(threads)
        {
            int64_t first, per, rows[REGIONS], steps = thread_steps(n, &first, &per);
            for (int64_t r0 = 0; r0 < m; r0 += GROUP) {
                int count = m - r0 < GROUP ? (int)(m - r0) : GROUP;
                const uint8_t *high = bytes + r0 * k, *low = bytes + m * k + r0 * k;
                for (int64_t j = 0; j < steps; j++) {
                    int regions = step_rows(first, per, j, rows);
                    const int8_t *q_rows[REGIONS];
                    int64_t sums[REGIONS][GROUP];
                    for (int s = 0; s < regions; s++) q_rows[s] = q + rows[s] * k;
                    /* at most 16 sums in registers: four regions for up to two x rows, else two side by side */
#define CALL(c)                                                                                       \
    if (regions == REGIONS && c <= 2) dot_int8_regions(high, low, k, c, q_rows, REGIONS, k, sums);   \
    else if (regions == REGIONS) {                                                                    \
        dot_int8_regions(high, low, k, c, q_rows, 2, k, sums);                                        \
        dot_int8_regions(high, low, k, c, q_rows + 2, 2, k, sums + 2);                                \
    } else dot_int8_regions(high, low, k, c, q_rows, 1, k, sums);
                    FOR_GROUP(count, CALL)
#undef CALL
                    for (int s = 0; s < regions; s++)
                        for (int r = 0; r < count; r++) {
                            int64_t exact = sums[s][r] - (int64_t)FIXED_OFFSET * row_sums[rows[s]];
                            y[(r0 + r) * n + rows[s]] = float_to_bf16((float)((double)exact * step[r0 + r] * scale[rows[s]]));
                        }
                }
            }
        }
    }
    free(bytes);
    free(step);
    return status;
#else
    (void)row_sums;
    float *xf = widen(x, m * k);
    if (!xf) return -1;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t row = 0; row < n; row++)
        for (int64_t r0 = 0; r0 < m; r0 += GROUP) {
            float out[GROUP];
            int count = m - r0 < GROUP ? (int)(m - r0) : GROUP;
#define CALL(c) dot_int8_wide(xf + r0 * k, k, c, q + row * k, k, out)
            FOR_GROUP(count, CALL)
#undef CALL
            for (int r = 0; r < count; r++) y[(r0 + r) * n + row] = float_to_bf16(out[r] * scale[row]);
        }
    free(xf);
    return 0;
#endif
}

/* ---- one decode step of attention over a bf16 key/value cache ----------------------------------- */
/* The cache is the streamed matrix: scores are K q for each query head (16 key rows at a time, whose
 * 16 sums are added across lanes together), the output is P V (each value row added into the query
 * heads that read it). Each key and value row comes from memory once per step, in bf16, where
 * PyTorch's path read a float32 cache and the values once per differential branch. The softmax in
 * between is PyTorch's. A row b of the batch sees the first counts[b] positions of its slot's cache
 * (a window ring's live positions are always a prefix of it; their order does not matter).
 * On the 2-core Xeon of bench/results/cpu_decode.md a 4,096-position layer took 3.2 ms with one
 * sum reduced per key and no prefetching, and takes 1.6 ms this way (1.0 ms of it the P V sums). */

/* The query heads that read cache head `head` (map[h] == head), at most `limit` of them from `first` on;
 * returns how many were written to `readers`, and where the search stopped in `*next`. */
static int64_t readers_of(const int64_t *map, int64_t heads, int64_t head, int64_t first, int64_t limit,
                          int64_t *readers, int64_t *next) {
    int64_t count = 0, h = first;
    for (; h < heads && count < limit; h++)
        if (map[h] == head) readers[count++] = h;
    *next = h;
    return count;
}

/* Asks for the cache lines of [p, p + bytes) ahead of their use (never faults, past the end included). */
static inline void prefetch_span(const void *p, int64_t bytes) {
    for (int64_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch((const char *)p + offset, 0, 3);
}

/* Cache rows ahead of the one being read: one step reads the whole cache after the weights have pushed it
 * out of the CPU's caches, a few rows per head at a time, too short a stream for the hardware alone. */
#define ATTEND_AHEAD 32
#if defined(BF16_PAIRS)
/* Lane j of the result is the sum of v[j]'s 16 lanes: a transpose-and-add tree of 15 additions, where
 * 16 separate reductions take four times the operations (they were most of a step's attention). */
INLINE __m512 sum16(const __m512 *v) {
    __m512 pairs[8], quads[4], halves[2];
    for (int p = 0; p < 8; p++) /* 128-bit lane: v[2p] at 0 and 2, v[2p+1] at 1 and 3 */
        pairs[p] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * p], v[2 * p + 1]), _mm512_unpackhi_ps(v[2 * p], v[2 * p + 1]));
    for (int p = 0; p < 4; p++) { /* 128-bit lane: v[4p .. 4p+3] in order */
        __m512d x = _mm512_castps_pd(pairs[2 * p]), y = _mm512_castps_pd(pairs[2 * p + 1]);
        quads[p] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    for (int p = 0; p < 2; p++) /* the four 128-bit lanes of quads[2p], quads[2p+1] folded to two each */
        halves[p] = _mm512_add_ps(_mm512_shuffle_f32x4(quads[2 * p], quads[2 * p + 1], 0x44),
                                  _mm512_shuffle_f32x4(quads[2 * p], quads[2 * p + 1], 0xee));
    return _mm512_add_ps(_mm512_shuffle_f32x4(halves[0], halves[1], 0x88), _mm512_shuffle_f32x4(halves[0], halves[1], 0xdd));
}

/* out[j] = scale * q . row j for the first `count` (1..16) of 16 rows `dim` apart; the missing rows'
 * loads are masked off, so nothing past row count - 1 is touched. */
INLINE void score_block(const uint16_t *q, const uint16_t *rows, int64_t dim, int count, float scale, float *out) {
    __m512 sums[16];
    for (int j = 0; j < 16; j++) sums[j] = _mm512_setzero_ps();
    for (int64_t i = 0; i < dim; i += 32) {
        __mmask32 mask = dim - i >= 32 ? 0xffffffffu : (__mmask32)((1u << (dim - i)) - 1);
        __m512bh qv = (__m512bh)_mm512_maskz_loadu_epi16(mask, q + i);
        for (int j = 0; j < 16; j++)
            sums[j] = _mm512_dpbf16_ps(sums[j], qv, (__m512bh)_mm512_maskz_loadu_epi16(j < count ? mask : 0, rows + j * dim + i));
    }
    _mm512_mask_storeu_ps(out, (__mmask16)((1u << count) - 1), _mm512_mul_ps(sum16(sums), _mm512_set1_ps(scale)));
}
#endif

/* scores[b, h, t] = scale * q[b, h] . keys[slots[b], kv_of[h], t] for t < counts[b], -inf up to
 * width. q [B, Hq, dim] bf16; a cache row is dim apart, heads head_stride and slots slot_stride. */
int attend_scores(const uint16_t *q, const uint16_t *keys, const int64_t *slots, const int64_t *counts,
                  const int64_t *kv_of, float *scores, int64_t batch, int64_t q_heads, int64_t kv_heads, int64_t dim,
                  int64_t width, int64_t slot_stride, int64_t head_stride, float scale, int threads) {
    int status = 0;
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2)
    for (int64_t b = 0; b < batch; b++)
        for (int64_t head = 0; head < kv_heads; head++) {
            const uint16_t *rows = keys + slots[b] * slot_stride + head * head_stride;
            int64_t readers[GROUP], next = 0, count;
            while ((count = readers_of(kv_of, q_heads, head, next, GROUP, readers, &next)) > 0) {
#if defined(BF16_PAIRS)
                /* 16 key rows at a time, scored for every reader while they are in the L1 cache */
                for (int64_t t = 0; t < counts[b]; t += 16) {
                    int block = counts[b] - t < 16 ? (int)(counts[b] - t) : 16;
                    prefetch_span(rows + (t + ATTEND_AHEAD) * dim, 16 * 2 * dim);
                    for (int64_t r = 0; r < count; r++)
                        score_block(q + (b * q_heads + readers[r]) * dim, rows + t * dim, dim, block, scale,
                                    scores + (b * q_heads + readers[r]) * width + t);
                }
#else
                /* the readers' query rows side by side, so each key row is read once for all of them */
                float *rows_q = malloc(sizeof(float) * (size_t)(GROUP * dim));
                if (!rows_q) { status = -1; break; }
                for (int64_t r = 0; r < count; r++)
                    for (int64_t d = 0; d < dim; d++)
                        rows_q[r * dim + d] = bf16_to_float(q[(b * q_heads + readers[r]) * dim + d]);
#define CALL(c) dot_bf16_wide(rows_q, dim, c, rows + t * dim, dim, out)
                for (int64_t t = 0; t < counts[b]; t++) {
                    float out[GROUP];
                    FOR_GROUP(count, CALL)
                    for (int64_t r = 0; r < count; r++) scores[(b * q_heads + readers[r]) * width + t] = scale * out[r];
                }
#undef CALL
                free(rows_q);
#endif
                for (int64_t r = 0; r < count; r++)
                    for (int64_t t = counts[b]; t < width; t++) scores[(b * q_heads + readers[r]) * width + t] = -INFINITY;
            }
        }
    return status;
}

#define MIX_ROWS 64 /* value rows per block: a block (16 KB at 256 bytes a row) stays in the L1 cache while
                       each 64-column chunk of it is summed */

/* sums[r, d] (+)= sum over t in [t0, t1) of p[r][t] * row_t[d] for d in [first, first + 64), `readers` (a
 * literal) probability rows, starting from zero at t0 = 0: a chunk of 64 values (four AVX-512 registers)
 * stays in registers per reader while the block's rows go by. */
INLINE void mix_chunk(const float *const *p, const uint16_t *rows, int64_t dim, int64_t t0, int64_t t1, int64_t first,
                      int readers, float *const *sums) {
#if defined(__AVX512F__)
    __m512 acc[GROUP][4];
    __mmask16 masks[4];
    for (int c = 0; c < 4; c++) {
        int64_t left = dim - first - 16 * c;
        masks[c] = left >= 16 ? 0xffff : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
        for (int r = 0; r < readers; r++)
            acc[r][c] = t0 == 0 ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(masks[c], sums[r] + first + 16 * c);
    }
    for (int64_t t = t0; t < t1; t++) {
        const uint16_t *row = rows + t * dim + first;
        if (first == 0) prefetch_span(rows + (t + ATTEND_AHEAD) * dim, 2 * dim);
        __m512 weight[GROUP];
        for (int r = 0; r < readers; r++) weight[r] = _mm512_set1_ps(p[r][t]);
        for (int c = 0; c < 4; c++) {
            __m512i wide = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(masks[c], row + 16 * c));
            __m512 v = _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
            for (int r = 0; r < readers; r++) acc[r][c] = _mm512_fmadd_ps(weight[r], v, acc[r][c]);
        }
    }
    for (int r = 0; r < readers; r++)
        for (int c = 0; c < 4; c++) _mm512_mask_storeu_ps(sums[r] + first + 16 * c, masks[c], acc[r][c]);
#else
    int64_t stop = first + 64 < dim ? first + 64 : dim;
    for (int r = 0; r < readers && t0 == 0; r++)
        for (int64_t d = first; d < stop; d++) sums[r][d] = 0.0f;
    for (int64_t t = t0; t < t1; t++)
        for (int r = 0; r < readers; r++)
            for (int64_t d = first; d < stop; d++) sums[r][d] += p[r][t] * bf16_to_float(rows[t * dim + d]);
#endif
}

/* out[b, h, :] = sum over t < counts[b] of probs[b, h, t] * values[slots[b], v_of[h], t, :] (float32). */
int attend_mix(const float *probs, const uint16_t *values, const int64_t *slots, const int64_t *counts,
               const int64_t *v_of, float *out, int64_t batch, int64_t q_heads, int64_t v_heads, int64_t dim,
               int64_t width, int64_t slot_stride, int64_t head_stride, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2)
    for (int64_t b = 0; b < batch; b++)
        for (int64_t head = 0; head < v_heads; head++) {
            const uint16_t *rows = values + slots[b] * slot_stride + head * head_stride;
            int64_t readers[GROUP], next = 0, count;
            while ((count = readers_of(v_of, q_heads, head, next, GROUP, readers, &next)) > 0) {
                const float *p[GROUP];
                float *sums[GROUP];
                for (int64_t r = 0; r < count; r++) {
                    p[r] = probs + (b * q_heads + readers[r]) * width;
                    sums[r] = out + (b * q_heads + readers[r]) * dim;
                }
                for (int64_t t0 = 0; t0 < counts[b]; t0 += MIX_ROWS) {
                    int64_t t1 = counts[b] - t0 < MIX_ROWS ? counts[b] : t0 + MIX_ROWS;
                    for (int64_t first = 0; first < dim; first += 64) {
#define CALL(c) mix_chunk(p, rows, dim, t0, t1, first, c, sums)
                        FOR_GROUP(count, CALL)
#undef CALL
                    }
                }
            }
        }
    return 0;
}
