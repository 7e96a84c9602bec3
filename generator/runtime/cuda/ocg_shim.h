/* A CPU shim that runs the generated .cu files with a C++ compiler, for tests on machines
 * without a GPU: build with g++ -x c++ -std=c++17 -fopenmp -DOCG_CPU_SHIM.
 *
 * CUDA qualifiers are empty and memory functions work on host memory. Two launches:
 * - OCG_LAUNCH, for kernels whose threads never wait for each other (the updates): blocks
 *   are spread over OpenMP threads, and each block runs its threads one after another;
 * - OCG_LAUNCH_SYNC, for kernels with __shared__ memory and __syncthreads() (the norm): the
 *   blocks run in order; the threads of a block are fibers (ucontext) on one OS thread, each
 *   running until its next __syncthreads(), so a barrier is passed only when every thread of
 *   the block has reached it, and __shared__ (static) memory is shared by the block. (Fibers,
 *   not OpenMP teams: 256 OS threads meeting at barriers on a small CPU took 13 ms a launch.)
 * Warp shuffles (__shfl_xor_sync) run in such teams too.
 * __syncthreads() outside a team is an error (cudaGetLastError reports it), so a kernel
 * launched the wrong way fails its tests instead of racing. Only what the generated kernels
 * and the example use is provided. */
#ifndef OCG_SHIM_H
#define OCG_SHIM_H

#include <omp.h>
#include <ucontext.h>

#include <functional>
#include <vector>
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
enum cudaMemcpyKind {
    cudaMemcpyHostToHost,
    cudaMemcpyHostToDevice,
    cudaMemcpyDeviceToHost,
    cudaMemcpyDeviceToDevice,
    cudaMemcpyDefault
};
inline cudaError_t ocg_shim_error = cudaSuccess;
inline thread_local bool ocg_in_team = false;

inline cudaError_t cudaGetLastError(void)
{
    const cudaError_t error = ocg_shim_error;
    ocg_shim_error = cudaSuccess;
    return error;
}
inline const char *cudaGetErrorString(cudaError_t error)
{
    return error ? "launch failed (CPU shim)" : "no error";
}
inline cudaError_t cudaMalloc(void **pointer, size_t bytes)
{
    *pointer = malloc(bytes ? bytes : 1);
    return *pointer ? cudaSuccess : 2;
}
inline cudaError_t cudaFree(void *pointer)
{
    free(pointer);
    return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void *to, const void *from, size_t bytes, cudaMemcpyKind)
{
    memcpy(to, from, bytes);
    return cudaSuccess;
}
inline cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }

/* The fibers of the block that OCG_LAUNCH_SYNC runs now. */
struct ocg_fibers {
    static constexpr size_t stack_bytes = 256 * 1024;
    ucontext_t scheduler;
    std::vector<ucontext_t> threads;
    std::vector<char> finished;
    std::vector<char> stacks;
    std::vector<uint32_t> exchange; /* a value per thread, for __shfl_xor_sync */
    const std::function<void()> *body = nullptr;
    unsigned current = 0;
};
inline ocg_fibers ocg_team;

inline void __syncthreads(void)
{
    if (!ocg_in_team) {
        ocg_shim_error = cudaErrorLaunchFailure; /* launched with OCG_LAUNCH: no barrier */
        return;
    }
    swapcontext(&ocg_team.threads[ocg_team.current], &ocg_team.scheduler); /* wait for the others */
}

/* A warp shuffle, run as the block's threads exchanging through ocg_team.exchange between two
 * barriers: right when every thread of the block calls it, as the kernels' full-warp shuffles
 * do (a warp-divergent one would pair the wrong calls). Only the full mask. */
inline uint32_t __shfl_xor_sync(unsigned mask, uint32_t value, int lane_mask)
{
    if (!ocg_in_team || mask != 0xFFFFFFFFu || lane_mask < 0 || lane_mask >= 32) {
        ocg_shim_error = cudaErrorLaunchFailure;
        return value;
    }
    const unsigned t = ocg_team.current;
    ocg_team.exchange[t] = value;
    __syncthreads();                               /* every thread has written its value */
    const unsigned from = t ^ (unsigned)lane_mask; /* past the block: not a whole warp */
    const uint32_t other = from < ocg_team.exchange.size() ? ocg_team.exchange[from] : value;
    ocg_shim_error = from < ocg_team.exchange.size() ? ocg_shim_error : cudaErrorLaunchFailure;
    __syncthreads(); /* every thread has read before the next exchange writes */
    return other;
}

inline void ocg_fiber_main(void)
{
    (*ocg_team.body)();
    ocg_team.finished[ocg_team.current] = 1;
} /* returns to uc_link: the scheduler */

/* Runs body as blockDim.x threads of block blockIdx, round after round: each round resumes
 * every unfinished thread until its next barrier or its end. */
inline void ocg_run_block(const std::function<void()> &body)
{
    const unsigned n = blockDim.x;
    ocg_team.threads.resize(n);
    ocg_team.finished.assign(n, 0);
    ocg_team.exchange.assign(n, 0);
    ocg_team.stacks.resize(n * ocg_fibers::stack_bytes);
    ocg_team.body = &body;
    for (unsigned t = 0; t < n; ++t) {
        ucontext_t &context = ocg_team.threads[t];
        getcontext(&context);
        context.uc_stack.ss_sp = &ocg_team.stacks[t * ocg_fibers::stack_bytes];
        context.uc_stack.ss_size = ocg_fibers::stack_bytes;
        context.uc_link = &ocg_team.scheduler;
        makecontext(&context, ocg_fiber_main, 0);
    }
    ocg_in_team = true;
    for (bool running = true; running;) {
        running = false;
        for (unsigned t = 0; t < n; ++t) {
            if (ocg_team.finished[t]) {
                continue;
            }
            ocg_team.current = t;
            threadIdx = dim3(t);
            swapcontext(&ocg_team.scheduler, &ocg_team.threads[t]);
            running = running || !ocg_team.finished[t];
        }
    }
    ocg_in_team = false;
}

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
        out.bits = (uint16_t)((bits >> 16) | 0x0040u); /* NaN stays a (quiet) NaN */
    } else {
        out.bits = (uint16_t)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16); /* to nearest even */
    }
    return out;
}

/* Independent threads: blocks in parallel, the threads of a block in order. */
#define OCG_LAUNCH(kernel, grid, block, stream, ...)                                           \
    do {                                                                                       \
        (void)(stream);                                                                        \
        gridDim = dim3(grid);                                                                  \
        blockDim = dim3(block);                                                                \
        const long ocg_blocks = (long)gridDim.x;                                               \
        _Pragma("omp parallel for schedule(static)") for (long ocg_block = 0;                  \
                                                          ocg_block < ocg_blocks; ++ocg_block) \
        {                                                                                      \
            blockIdx = dim3((unsigned)ocg_block);                                              \
            for (unsigned ocg_thread = 0; ocg_thread < blockDim.x; ++ocg_thread) {             \
                threadIdx = dim3(ocg_thread);                                                  \
                kernel(__VA_ARGS__);                                                           \
            }                                                                                  \
        }                                                                                      \
    } while (0)

/* Threads that meet at barriers: blocks in order, each block's threads as fibers. */
#define OCG_LAUNCH_SYNC(kernel, grid, block, stream, ...)                      \
    do {                                                                       \
        (void)(stream);                                                        \
        gridDim = dim3(grid);                                                  \
        blockDim = dim3(block);                                                \
        const std::function<void()> ocg_body = [&]() { kernel(__VA_ARGS__); }; \
        for (unsigned ocg_block = 0; ocg_block < gridDim.x; ++ocg_block) {     \
            blockIdx = dim3(ocg_block);                                        \
            ocg_run_block(ocg_body);                                           \
        }                                                                      \
    } while (0)

#endif /* OCG_SHIM_H */
