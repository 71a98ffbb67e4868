/* Mamba's sequence kernels on the CPU: the selective scan (a prompt, or one decode token from a
 * state), the causal convolution with the SiLU after it (a prompt, or one token's window), and the
 * gated SiLU of the MLPs and of Mamba's output.
 *
 * Why: PyTorch runs a prompt's scan as a dozen tensor operations per chunk of 16 tokens, with float32
 * temporaries of 16 x E x N, and its bf16 depthwise convolution goes through a slow path: on the
 * 2-core Xeon with AMX of issue 15's earlier bench runs a 1,024-token prompt spent about 200 ms per Mamba layer
 * outside its matrix products, more than the products (now about 55). Here each value is made once,
 * in registers, in one pass. The readable definitions are model/kernels/reference.py; the tests
 * compare every build with them.
 *
 * The code is plain C over fixed-width blocks of channels (BLOCK floats, one AVX-512 register or two
 * AVX2 ones) that the compiler vectorises for the target it is given (-march=native, or the narrower
 * flags the tests use), with the scan for Mamba's 16 states written out for AVX-512; exp is a
 * polynomial the vector units can run, within 2 ulp of libm's.
 * Layout: float32 arrays, row-major and contiguous unless a stride is passed; E channels is the
 * fastest-moving dimension of the per-token arrays, so a block of channels is one contiguous load.
 */
#include <stdint.h>
#include <string.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#define BLOCK 16
#define MAX_STATE 64
#define SILU_PIECE 2048 /* columns per task of the gated SiLU: a one-row call still uses every thread */
#define INLINE static inline __attribute__((always_inline))
/* exp: x = n ln2 + r (ln2 in two parts, Cody and Waite), e^r = 1 + r + r^2 P(r) (Cephes' expf) */
#define LOG2E 1.44269504088896341f
#define LN2_HIGH 0.693359375f
#define LN2_LOW -2.12194440e-4f
#define EXP_P0 1.9875691500e-4f
#define EXP_P1 1.3981999507e-3f
#define EXP_P2 8.3334519073e-3f
#define EXP_P3 4.1665795894e-2f
#define EXP_P4 1.6666665459e-1f
#define EXP_P5 5.0000001201e-1f

/* e^x for float32 with |r| <= ln2 / 2, 2^n made from exponent bits in two halves so that results
 * down to the denormals and up to infinity are right. NaN stays NaN (the comparisons are false for it). */
INLINE float exp_approx(float x) {
    x = x < -104.0f ? -104.0f : x;
    x = x > 89.0f ? 89.0f : x;
    const float shifter = 12582912.0f; /* 1.5 * 2^23: adding and subtracting it rounds to an integer */
    float n = (x * LOG2E + shifter) - shifter;
    float r = x - n * LN2_HIGH;
    r = r - n * LN2_LOW;
    float p = EXP_P0;
    p = p * r + EXP_P1;
    p = p * r + EXP_P2;
    p = p * r + EXP_P3;
    p = p * r + EXP_P4;
    p = p * r + EXP_P5;
    p = p * (r * r) + r + 1.0f;
    int32_t whole = (int32_t)n, half = whole >> 1;
    uint32_t high = (uint32_t)(half + 127) << 23, low = (uint32_t)(whole - half + 127) << 23;
    float scale_high, scale_low;
    memcpy(&scale_high, &high, sizeof high);
    memcpy(&scale_low, &low, sizeof low);
    return p * scale_high * scale_low;
}

INLINE float bf16_to_float(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

INLINE uint16_t float_to_bf16(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16; /* nearest even */
    return (uint16_t)((bits & 0x7fffffffu) > 0x7f800000u ? (bits >> 16) | 0x40 : rounded); /* NaN stays quiet */
}

/* ---- selective scan ----------------------------------------------------------------------------- */
/* Channels [first, first + width) of row b, all positions: the N state values of each channel live in
 * s[n][...] (L1 cache), each token updates them as s = exp(delta A) s + delta u B and reads y = C s + D u.
 * `width` is BLOCK at every call but the last, so the inner loops have a constant trip count. */
INLINE void scan_block(const float *u, const float *delta, const float *A_t, const float *B, const float *C,
                       const float *D, const float *initial, int64_t capture, float *y, float *last,
                       int64_t length, int64_t channels, int64_t nstate, int64_t first, int width) {
    float s[MAX_STATE][BLOCK], a[MAX_STATE][BLOCK], skip[BLOCK];
    for (int64_t n = 0; n < nstate; n++)
        for (int i = 0; i < width; i++) {
            a[n][i] = A_t[n * channels + first + i];
            s[n][i] = initial ? initial[(first + i) * nstate + n] : 0.0f;
        }
    for (int i = 0; i < width; i++) skip[i] = D[first + i];
    for (int64_t t = 0; t < length; t++) {
        const float *ut = u + t * channels + first, *dt = delta + t * channels + first;
        const float *bt = B + t * nstate, *ct = C + t * nstate;
        float out[BLOCK], du[BLOCK];
        for (int i = 0; i < width; i++) {
            out[i] = 0.0f;
            du[i] = dt[i] * ut[i];
        }
        for (int64_t n = 0; n < nstate; n++) {
            const float bn = bt[n], cn = ct[n];
#pragma omp simd
            for (int i = 0; i < width; i++) {
                s[n][i] = s[n][i] * exp_approx(dt[i] * a[n][i]) + du[i] * bn;
                out[i] += s[n][i] * cn;
            }
        }
        for (int i = 0; i < width; i++) y[t * channels + first + i] = out[i] + skip[i] * ut[i];
        if (t == capture)
            for (int64_t n = 0; n < nstate; n++)
                for (int i = 0; i < width; i++) last[(first + i) * nstate + n] = s[n][i];
    }
    if (capture < 0) /* an empty row: its state is where it started */
        for (int64_t n = 0; n < nstate; n++)
            for (int i = 0; i < width; i++) last[(first + i) * nstate + n] = initial ? initial[(first + i) * nstate + n] : 0.0f;
}


#if defined(__AVX512F__)
/* exp_approx on 16 lanes, for x <= 0 (a decay: delta >= 0, A < 0); 2^n applied by vscalefps. */
INLINE __m512 decay16(__m512 x) {
    x = _mm512_max_ps(_mm512_set1_ps(-104.0f), x); /* NaN is the second operand: it passes through */
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_HIGH), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_LOW), r);
    __m512 p = _mm512_set1_ps(EXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P5));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

/* scan_block for N = 16 (Mamba's) and a full block, written out so that the 16 state vectors stay in
 * registers; two sums for y halve its dependency chain. About 3x the speed of the generic loop. */
INLINE void scan_block16(const float *u, const float *delta, const float *A_t, const float *B, const float *C,
                         const float *D, const float *initial, int64_t capture, float *y, float *last,
                         int64_t length, int64_t channels, int64_t first) {
    __m512 s[16], a[16];
    float staged[16][BLOCK]; /* the state transposed: lanes are channels here, rows in `initial` and `last` */
    for (int n = 0; n < 16; n++)
        for (int i = 0; i < BLOCK; i++) staged[n][i] = initial ? initial[(first + i) * 16 + n] : 0.0f;
    for (int n = 0; n < 16; n++) {
        a[n] = _mm512_loadu_ps(A_t + n * channels + first);
        s[n] = _mm512_loadu_ps(staged[n]);
    }
    const __m512 skip = _mm512_loadu_ps(D + first);
    for (int64_t t = 0; t < length; t++) {
        const __m512 dt = _mm512_loadu_ps(delta + t * channels + first), ut = _mm512_loadu_ps(u + t * channels + first);
        const __m512 du = _mm512_mul_ps(dt, ut);
        __m512 even = _mm512_mul_ps(skip, ut), odd = _mm512_setzero_ps();
        for (int n = 0; n < 16; n += 2) {
            s[n] = _mm512_fmadd_ps(s[n], decay16(_mm512_mul_ps(dt, a[n])), _mm512_mul_ps(du, _mm512_set1_ps(B[t * 16 + n])));
            even = _mm512_fmadd_ps(s[n], _mm512_set1_ps(C[t * 16 + n]), even);
            s[n + 1] = _mm512_fmadd_ps(s[n + 1], decay16(_mm512_mul_ps(dt, a[n + 1])),
                                       _mm512_mul_ps(du, _mm512_set1_ps(B[t * 16 + n + 1])));
            odd = _mm512_fmadd_ps(s[n + 1], _mm512_set1_ps(C[t * 16 + n + 1]), odd);
        }
        _mm512_storeu_ps(y + t * channels + first, _mm512_add_ps(even, odd));
        if (t == capture) {
            for (int n = 0; n < 16; n++) _mm512_storeu_ps(staged[n], s[n]);
            for (int n = 0; n < 16; n++)
                for (int i = 0; i < BLOCK; i++) last[(first + i) * 16 + n] = staged[n][i];
        }
    }
    if (capture < 0) /* an empty row: its state is where it started */
        for (int n = 0; n < 16; n++)
            for (int i = 0; i < BLOCK; i++) last[(first + i) * 16 + n] = staged[n][i];
}
#endif

/* s_t = exp(delta_t A) s_{t-1} + delta_t B_t u_t; y_t = C_t s_t + D u_t, from `initial` (or zero).
 * u, delta, y [batch, length, E]; A_t [N, E] (A transposed); B, C [batch, length, N]; D [E];
 * initial, last [batch, E, N]; `last` gets row b's state after position lengths[b] - 1 (the last
 * position when lengths is NULL). Returns 0, or -2 when N is over MAX_STATE. */
int selective_scan(const float *u, const float *delta, const float *A_t, const float *B, const float *C,
                   const float *D, const float *initial, const int64_t *lengths, float *y, float *last,
                   int64_t batch, int64_t length, int64_t channels, int64_t nstate, int threads) {
    if (nstate > MAX_STATE) return -2;
    int64_t blocks = (channels + BLOCK - 1) / BLOCK;
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2)
    for (int64_t b = 0; b < batch; b++)
        for (int64_t block = 0; block < blocks; block++) {
            int64_t first = block * BLOCK, row = b * length * channels;
            int64_t capture = (lengths ? lengths[b] : length) - 1;
            const float *start = initial ? initial + b * channels * nstate : NULL;
            const float *bs = B + b * length * nstate, *cs = C + b * length * nstate;
            float *ends = last + b * channels * nstate;
#if defined(__AVX512F__)
            if (channels - first >= BLOCK && nstate == 16) {
                scan_block16(u + row, delta + row, A_t, bs, cs, D, start, capture, y + row, ends, length, channels,
                             first);
                continue;
            }
#endif
            if (channels - first >= BLOCK)
                scan_block(u + row, delta + row, A_t, bs, cs, D, start, capture, y + row, ends, length, channels,
                           nstate, first, BLOCK);
            else
                scan_block(u + row, delta + row, A_t, bs, cs, D, start, capture, y + row, ends, length, channels,
                           nstate, first, (int)(channels - first));
        }
    return 0;
}

/* ---- causal depthwise convolution, then SiLU -------------------------------------------------------- */
#define CONV_CHANNELS 256 /* channels summed at a time: the float32 sums stay in the L1 cache */

/* y[b, t, e] = bf16(silu(sum_j w_t[j, e] x[b, t - K + 1 + j, e] + bias[e])), zero inputs before the
 * start; x bf16 [batch, length, E] with rows x_stride apart, y bf16 contiguous, w_t [K, E] float32 (the
 * filter transposed). */
int causal_conv1d_silu(const uint16_t *x, int64_t x_stride, const float *w_t, const float *bias, uint16_t *y,
                       int64_t batch, int64_t length, int64_t channels, int64_t width, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2)
    for (int64_t b = 0; b < batch; b++)
        for (int64_t t = 0; t < length; t++)
            for (int64_t first = 0; first < channels; first += CONV_CHANNELS) {
                int64_t count = channels - first < CONV_CHANNELS ? channels - first : CONV_CHANNELS;
                float sum[CONV_CHANNELS];
                for (int64_t e = 0; e < count; e++) sum[e] = 0.0f;
                for (int64_t j = 0; j < width; j++) {
                    int64_t source = t - width + 1 + j;
                    if (source < 0) continue;
                    const uint16_t *in = x + (b * length + source) * x_stride + first;
                    const float *w = w_t + j * channels + first;
                    for (int64_t e = 0; e < count; e++) sum[e] += w[e] * bf16_to_float(in[e]);
                }
                uint16_t *out = y + (b * length + t) * channels + first;
                for (int64_t e = 0; e < count; e++) {
                    float v = bias ? sum[e] + bias[first + e] : sum[e];
                    out[e] = float_to_bf16(v / (1.0f + exp_approx(-v)));
                }
            }
    return 0;
}

/* One decode step of the same: window = (state[b, e, 0 .. K-2], x[b, e]); u[b, e] = bf16(silu(bias[e] +
 * sum_j w_t[j, e] window[j])); the state moves on by one token in place. x bf16 [B, E] (rows x_stride
 * apart), state float32 [B, E, K-1], u bf16 [B, E]. */
int conv_step_silu(const uint16_t *x, int64_t x_stride, float *state, const float *w_t, const float *bias,
                   uint16_t *u, int64_t batch, int64_t channels, int64_t width, int threads) {
    const int64_t kept = width - 1;
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2) if (batch * channels > 4 * SILU_PIECE)
    for (int64_t b = 0; b < batch; b++)
        for (int64_t e = 0; e < channels; e++) {
            float *past = state + (b * channels + e) * kept, newest = bf16_to_float(x[b * x_stride + e]);
            float sum = 0.0f; /* the products first, then the bias, as the reference adds them */
            for (int64_t j = 0; j < kept; j++) sum += w_t[j * channels + e] * past[j];
            sum += w_t[kept * channels + e] * newest;
            if (bias) sum += bias[e];
            for (int64_t j = 0; j + 1 < kept; j++) past[j] = past[j + 1];
            if (kept > 0) past[kept - 1] = newest;
            u[b * channels + e] = float_to_bf16(sum / (1.0f + exp_approx(-sum)));
        }
    return 0;
}

/* ---- gated SiLU ------------------------------------------------------------------------------------- */
/* out = bf16(g x / (1 + exp(-g))) with g and x widened to float32; gate is bf16, x bf16 (x_is_float 0)
 * or float32; rows of gate and x are gate_stride and x_stride elements apart, out is contiguous. */
int gated_silu(const uint16_t *gate, int64_t gate_stride, const void *x, int x_is_float, int64_t x_stride,
               uint16_t *out, int64_t rows, int64_t cols, int threads) {
    int64_t pieces = (cols + SILU_PIECE - 1) / SILU_PIECE;
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2) if (rows * cols > 4 * SILU_PIECE)
    for (int64_t r = 0; r < rows; r++)
        for (int64_t piece = 0; piece < pieces; piece++) {
            int64_t first = piece * SILU_PIECE, stop = first + SILU_PIECE < cols ? first + SILU_PIECE : cols;
            const uint16_t *g = gate + r * gate_stride;
            uint16_t *o = out + r * cols;
            if (x_is_float) {
                const float *v = (const float *)x + r * x_stride;
                for (int64_t c = first; c < stop; c++) {
                    float gc = bf16_to_float(g[c]);
                    o[c] = float_to_bf16(gc * v[c] / (1.0f + exp_approx(-gc)));
                }
            } else {
                const uint16_t *v = (const uint16_t *)x + r * x_stride;
                for (int64_t c = first; c < stop; c++) {
                    float gc = bf16_to_float(g[c]);
                    o[c] = float_to_bf16(gc * bf16_to_float(v[c]) / (1.0f + exp_approx(-gc)));
                }
            }
        }
    return 0;
}
