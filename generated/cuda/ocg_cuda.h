// copied from generator/runtime/cuda/ocg_cuda.h by python -m generator build — do not edit
/* What the generated .cu files share: the CUDA runtime (or, with -DOCG_CPU_SHIM, the CPU shim
 * of ocg_shim.h), the launch macro, 4-element vector loads, conversions from the parameter
 * type to the arithmetic type, and the chunk-to-tensor lookup of the multi-tensor kernels. */
#ifndef OCG_CUDA_H
#define OCG_CUDA_H

#ifdef OCG_CPU_SHIM
#include "ocg_shim.h"
#else
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
/* Every launch goes through this macro, so the same source also builds for the shim. */
#define OCG_LAUNCH(kernel, grid, block, stream, ...) \
    kernel<<<(grid), (block), 0, (stream)>>>(__VA_ARGS__)
/* The same on a GPU; the shim runs such kernels (with __syncthreads) as real thread teams. */
#define OCG_LAUNCH_SYNC OCG_LAUNCH
#define OCG_UNROLL _Pragma("unroll")
#endif

#include "ocg.h"

namespace ocg
{

/* Four neighbouring elements, loaded and stored as one aligned access (16 bytes for float). */
template <typename T> struct alignas(4 * sizeof(T)) vec4 {
    T v[4];
};

template <typename T> __host__ __device__ __forceinline__ bool aligned4(const T *pointer)
{
    return reinterpret_cast<uintptr_t>(pointer) % (4 * sizeof(T)) == 0;
}

/* Eight neighbouring codes of state stored in fewer bits: one 8- or 16-byte access. */
template <typename T> struct alignas(8 * sizeof(T)) vec8 {
    T v[8];
};

template <typename T> __host__ __device__ __forceinline__ bool aligned8(const T *pointer)
{
    return reinterpret_cast<uintptr_t>(pointer) % (8 * sizeof(T)) == 0;
}

/* Eight neighbouring floats as two 16-byte accesses (pointer 16-byte aligned). */
__device__ __forceinline__ void load8(const float *from, float *to)
{
    OCG_UNROLL
    for (int half = 0; half < 2; ++half) {
        const vec4<float> v = *reinterpret_cast<const vec4<float> *>(from + 4 * half);
        OCG_UNROLL
        for (int j = 0; j < 4; ++j) {
            to[4 * half + j] = v.v[j];
        }
    }
}

__device__ __forceinline__ void store8(float *to, const float *from)
{
    OCG_UNROLL
    for (int half = 0; half < 2; ++half) {
        vec4<float> v;
        OCG_UNROLL
        for (int j = 0; j < 4; ++j) {
            v.v[j] = from[4 * half + j];
        }
        *reinterpret_cast<vec4<float> *>(to + 4 * half) = v;
    }
}

/* Parameter type -> arithmetic type, and back with round-to-nearest-even. */
template <typename S> __device__ __forceinline__ S load(float x) { return (S)x; }
template <typename S> __device__ __forceinline__ S load(double x) { return (S)x; }
template <typename S> __device__ __forceinline__ S load(__half x) { return (S)__half2float(x); }
template <typename S> __device__ __forceinline__ S load(__nv_bfloat16 x)
{
    return (S)__bfloat162float(x);
}
template <typename P> __device__ __forceinline__ P store(float x);
template <typename P> __device__ __forceinline__ P store(double x);
template <> __device__ __forceinline__ float store<float>(float x) { return x; }
template <> __device__ __forceinline__ double store<double>(double x) { return x; }
template <> __device__ __forceinline__ __half store<__half>(float x) { return __float2half_rn(x); }
template <> __device__ __forceinline__ __nv_bfloat16 store<__nv_bfloat16>(float x)
{
    return __float2bfloat16_rn(x);
}

__device__ __forceinline__ float clip_value(float x, float bound)
{
    return ocg_clip_valuef(x, bound);
}
__device__ __forceinline__ double clip_value(double x, double bound)
{
    return ocg_clip_value(x, bound);
}

/* The tensor that owns a chunk: the last i with chunk_start[i] <= chunk (empty tensors own
 * no chunk and are skipped). */
__device__ __forceinline__ int64_t find_tensor(const int64_t *chunk_start, int64_t n_tensors,
                                               int64_t chunk)
{
    int64_t low = 0, high = n_tensors; /* chunk_start[low] <= chunk < chunk_start[high] */
    while (high - low > 1) {
        const int64_t mid = low + (high - low) / 2;
        if (chunk_start[mid] <= chunk) {
            low = mid;
        } else {
            high = mid;
        }
    }
    return low;
}

/* One value per thread combined over the block (a power-of-two number of threads, cache one
 * double per thread) in a fixed order: every thread gets the block's value, and the cache is
 * free again when it returns. Sum, or the NaN-propagating maximum of ocg.h. */
template <typename Combine>
__device__ __forceinline__ double block_reduce(double *cache, double value, Combine combine)
{
    cache[threadIdx.x] = value;
    __syncthreads();
    for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) {
            cache[threadIdx.x] = combine(cache[threadIdx.x], cache[threadIdx.x + stride]);
        }
        __syncthreads();
    }
    const double total = cache[0];
    __syncthreads();
    return total;
}

struct add {
    __device__ double operator()(double a, double b) const { return a + b; }
};
struct maximum {
    __device__ double operator()(double a, double b) const { return ocg_max(a, b); }
};

__device__ __forceinline__ double block_sum(double *cache, double value)
{
    return block_reduce(cache, value, add());
}

__device__ __forceinline__ double block_max(double *cache, double value)
{
    return block_reduce(cache, value, maximum());
}

inline unsigned blocks_for(int64_t n_chunks)
{
    return (unsigned)(n_chunks < OCG_MAX_BLOCKS ? n_chunks : OCG_MAX_BLOCKS);
}

} // namespace ocg

#endif /* OCG_CUDA_H */
