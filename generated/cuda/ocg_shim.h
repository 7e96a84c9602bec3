// generated from specs/*.yaml by templates/cuda/ocg_shim.h.j2 — do not edit
/* A CPU shim that runs the generated .cu files with a C++ compiler, for tests on machines
 * without a GPU: build with g++ -x c++ -std=c++17 -fopenmp -DOCG_CPU_SHIM.
 *
 * CUDA qualifiers are empty; a launch runs the blocks one after another, each as an OpenMP
 * team of blockDim.x threads, so threadIdx is per thread, __shared__ memory is shared by the
 * team and __syncthreads() is a real barrier. Memory functions work on host memory. Only
 * what the generated kernels and the example use is provided. */
#ifndef OCG_SHIM_H
#define OCG_SHIM_H

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static
#define __launch_bounds__(threads)
#define OCG_UNROLL _Pragma("GCC unroll 4")

struct ocg_dim3 {
    unsigned x, y, z;
    ocg_dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
typedef ocg_dim3 dim3;
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

typedef int cudaError_t;
typedef void *cudaStream_t;
enum { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorLaunchFailure = 719 };
enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
inline cudaError_t ocg_shim_error = cudaSuccess;

inline cudaError_t cudaGetLastError(void)
{
    const cudaError_t error = ocg_shim_error;
    ocg_shim_error = cudaSuccess;
    return error;
}
inline const char *cudaGetErrorString(cudaError_t error) { return error ? "launch failed (CPU shim)" : "no error"; }
inline cudaError_t cudaMalloc(void **pointer, size_t bytes) { *pointer = malloc(bytes ? bytes : 1); return *pointer ? cudaSuccess : 2; }
inline cudaError_t cudaFree(void *pointer) { free(pointer); return cudaSuccess; }
inline cudaError_t cudaMemcpy(void *to, const void *from, size_t bytes, cudaMemcpyKind) { memcpy(to, from, bytes); return cudaSuccess; }
inline cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }

inline void __syncthreads(void) { _Pragma("omp barrier") }

/* float16 is the compiler's _Float16; bfloat16 is stored bits with explicit rounding. */
typedef _Float16 __half;
inline float __half2float(__half x) { return (float)x; }
inline __half __float2half_rn(float x) { return (__half)x; }
struct __nv_bfloat16 {
    uint16_t bits;
};
inline float __bfloat162float(__nv_bfloat16 x)
{
    const uint32_t bits = (uint32_t)x.bits << 16;
    float out;
    memcpy(&out, &bits, sizeof out);
    return out;
}
inline __nv_bfloat16 __float2bfloat16_rn(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    __nv_bfloat16 out;
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        out.bits = (uint16_t)((bits >> 16) | 0x0040u);  /* NaN stays a (quiet) NaN */
    } else {
        out.bits = (uint16_t)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);  /* to nearest even */
    }
    return out;
}

/* Blocks in order; the threads of a block as one OpenMP team of exactly blockDim.x threads. */
#define OCG_LAUNCH(kernel, grid, block, stream, ...)                                   \
    do {                                                                               \
        (void)(stream);                                                                \
        gridDim = dim3(grid);                                                          \
        blockDim = dim3(block);                                                        \
        const int ocg_team = (int)blockDim.x;                                          \
        omp_set_dynamic(0);                                                            \
        for (unsigned ocg_block = 0; ocg_block < gridDim.x; ++ocg_block) {             \
            _Pragma("omp parallel num_threads(ocg_team)")                              \
            {                                                                          \
                if (omp_get_num_threads() != ocg_team) {                               \
                    ocg_shim_error = cudaErrorLaunchFailure;                           \
                } else {                                                               \
                    blockIdx = dim3(ocg_block);                                        \
                    threadIdx = dim3((unsigned)omp_get_thread_num());                  \
                    kernel(__VA_ARGS__);                                               \
                }                                                                      \
            }                                                                          \
        }                                                                              \
    } while (0)

#endif /* OCG_SHIM_H */
