// generated from specs/*.yaml by templates/cuda/ocg_state.h.j2 — do not edit
/* Optimizer state stored in fewer bits (state_precision="bfloat16" or "int8"), for the CPU
 * kernels (<module>.c) and the CUDA ones (<module>.cu, with ocg_warp_absmax). Printed by the build from generator/runtime/_state_codes.py, the
 * definition the PyTorch runtime (generated/torch/_state_precision.py) encodes with too: the
 * same float and key give the same code in C and in torch, and a test compares them bit for bit.
 *
 * int8: a block of OCG_STATE_BLOCK elements has a float32 scale (its largest magnitude, NaN
 * if it holds a NaN) and one code per element: a small float (3 bits of mantissa) of
 * the element times 1/scale (1 when the scale is not positive). Unsigned codes (states never
 * negative) have 5 bits of exponent, code c >= 1 being the float32 with bits
 * (c + OCG_UNSIGNED_OFFSET) << OCG_CODE_SHIFT; signed codes a sign and 4 bits of exponent.
 * Both round stochastically, as bfloat16 does: the random bits of element i of a state are
 * ocg_noise(key, i, bits), key = ocg_rounding_key(step, tensor, state), tensor counting the
 * tensors of the call (those whose state is stored in fewer bits). */
#ifndef OCG_STATE_H
#define OCG_STATE_H

#include "ocg.h"

#define OCG_STATE_BLOCK 256
#define OCG_CODE_SHIFT 20
#define OCG_CODE_NOISE_BITS 20
#define OCG_GOLDEN 0x9E3779B9u
#define OCG_UNSIGNED_OFFSET 768
#define OCG_UNSIGNED_TOP 248
#define OCG_SIGNED_OFFSET 896
#define OCG_SIGNED_TOP 120

HD uint32_t ocg_float_bits(float x)
{
    union {
        float f;
        uint32_t u;
    } v;
    v.f = x;
    return v.u;
}

HD float ocg_bits_float(uint32_t u)
{
    union {
        float f;
        uint32_t u;
    } v;
    v.u = u;
    return v.f;
}

/* The code of a value of [0, 1] given by its bits, with noise random bits below the kept
 * mantissa: the bits rounded stochastically, less the offset, clamped to the codes. */
HD int32_t ocg_code_of(uint32_t bits, uint32_t noise, int32_t offset, int32_t top)
{
    const int32_t code = (int32_t)((bits + noise) >> OCG_CODE_SHIFT) - offset;
    return code < 0 ? 0 : (code > top ? top : code);
}

HD uint8_t ocg_code_unsigned(float y, uint32_t noise)
{
    const uint32_t bits = ocg_float_bits(y) & 0x7FFFFFFFu;
    const int32_t code = ocg_code_of(bits, noise, OCG_UNSIGNED_OFFSET, OCG_UNSIGNED_TOP);
    return (uint8_t)((code == 0) & (bits != 0) ? 1 : code); /* a positive value stays positive */
}

HD int8_t ocg_code_signed(float y, uint32_t noise)
{
    const uint32_t bits = ocg_float_bits(y) & 0x7FFFFFFFu;
    const int32_t magnitude = ocg_code_of(bits, noise, OCG_SIGNED_OFFSET, OCG_SIGNED_TOP);
    return (int8_t)(y < 0.0F ? -magnitude : magnitude);
}

HD float ocg_unsigned_value(uint8_t code)
{
    const float value = ocg_bits_float(((uint32_t)code + OCG_UNSIGNED_OFFSET) << OCG_CODE_SHIFT);
    return code == 0 ? 0.0F : value;
}

HD float ocg_signed_value(int8_t code)
{
    const int32_t magnitude = code < 0 ? -(int32_t)code : code;
    const float value = ocg_bits_float((uint32_t)(magnitude + OCG_SIGNED_OFFSET) << OCG_CODE_SHIFT);
    return magnitude == 0 ? 0.0F : (code < 0 ? -value : value);
}

/* The largest magnitude of n values, NaN if any is NaN (as torch.amax): the largest of their
 * bits with the sign cleared, which order as the magnitudes do, NaN above infinity. */
HD float ocg_block_absmax(const float *values, int64_t n)
{
    uint32_t largest = 0;
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t a = ocg_float_bits(values[i]) & 0x7FFFFFFFu;
        largest = a > largest ? a : largest;
    }
    return ocg_bits_float(largest);
}

HD uint32_t ocg_hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    return x ^ (x >> 16);
}

HD uint32_t ocg_rounding_key(uint32_t step, uint32_t tensor, uint32_t state)
{
    return ocg_hash32(step * 0x9E3779B1u + tensor * 0x85EBCA77u + state * 0xC2B2AE3Du);
}

/* The top bits of key + i * OCG_GOLDEN: a low-discrepancy sequence within a step, the key
 * (a hash) changing it from step to step. */
HD uint32_t ocg_noise(uint32_t key, int64_t i, int32_t bits)
{
    return (key + (uint32_t)i * OCG_GOLDEN) >> (32 - bits);
}

/* The key of a block starting at element start: ocg_noise(ocg_noise_base(key, start), i, bits)
 * is ocg_noise(key, start + i, bits), and a loop over i < OCG_STATE_BLOCK then needs only
 * 32-bit lanes (an int64_t index halves the vector width of the encoding loops). */
HD uint32_t ocg_noise_base(uint32_t key, int64_t start)
{
    return key + (uint32_t)start * OCG_GOLDEN;
}

#if !defined(__CUDACC__)
/* The CPU kernels' blocks are loops over a few hundred elements each (decode and update, the
 * largest magnitude, encode), and between one block's loads the memory sits idle: loading the
 * block OCG_PREFETCH_BLOCKS ahead while this one computes, with 512-bit vectors, took int8
 * Adam from 13.18 to 10.41 ms per 16M elements on 2 Intel cores
 * (tests/benchmarks/results-cpu-issue17-before.json and results-cpu-issue17.json). */
#ifndef OCG_PREFETCH_BLOCKS
#define OCG_PREFETCH_BLOCKS 4
#endif

/* The cache lines of bytes from start: hints, no loads (a prefetch never faults, so
 * AddressSanitizer does not see one: under it, the range's first and last bytes are read, and
 * a range outside the arrays is reported as any read would be). */
static inline void ocg_prefetch(const void *start, int64_t bytes)
{
    for (int64_t offset = 0; offset < bytes; offset += 64)
        __builtin_prefetch((const char *)start + offset);
#ifdef __SANITIZE_ADDRESS__
    (void)*(const volatile char *)start;
    (void)*((const volatile char *)start + bytes - 1);
#endif
}
#endif

HD float ocg_bf16_float(uint16_t b) { return ocg_bits_float((uint32_t)b << 16); }

/* x rounded to bfloat16, up in magnitude with probability the fraction truncation drops. */
HD uint16_t ocg_bf16_stochastic(float x, uint32_t key, int64_t i)
{
    const uint32_t bits = ocg_float_bits(x);
    const uint32_t rounded = (bits + ocg_noise(key, i, 16)) >> 16;
    const int32_t finite = (bits & 0x7F800000u) != 0x7F800000u;
    const int32_t nan = x != x;
    return (uint16_t)(finite ? rounded : (nan ? 0x7FC0u : bits >> 16));
}

#if defined(__CUDACC__) || defined(OCG_CPU_SHIM)
/* A CUDA kernel gives each warp of a block one state block at a time, each lane
 * OCG_LANE_ELEMENTS neighbouring elements of it. */
#define OCG_WARP 32
#define OCG_LANE_ELEMENTS (OCG_STATE_BLOCK / OCG_WARP)

/* ocg_block_absmax over a warp, each lane holding OCG_LANE_ELEMENTS of the values: every lane
 * calls it and gets the result. The lane's largest bits, then the warp's by shuffles (the
 * maximum of integers: the same whatever the order), with no shared memory and no barrier; the
 * CPU shim runs the same shuffles (ocg_shim.h). */
__device__ __forceinline__ float ocg_warp_absmax(const float *x)
{
    uint32_t largest = 0;
    OCG_UNROLL
    for (int u = 0; u < OCG_LANE_ELEMENTS; ++u) {
        const uint32_t a = ocg_float_bits(x[u]) & 0x7FFFFFFFu;
        largest = a > largest ? a : largest;
    }
    for (int lanes = OCG_WARP / 2; lanes > 0; lanes /= 2) {
        const uint32_t other = __shfl_xor_sync(0xFFFFFFFFu, largest, lanes);
        largest = other > largest ? other : largest;
    }
    return ocg_bits_float(largest);
}
#endif

#endif /* OCG_STATE_H */
