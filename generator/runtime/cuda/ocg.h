/* What every generated element header and CPU library shares. Valid C99 and CUDA C++.
 *
 * HD marks the element functions: __host__ __device__ under nvcc, static inline otherwise.
 * The max/min/sign helpers propagate NaN like numpy.maximum, torch.maximum and the
 * reference do (fmaxf/fminf return the other operand), so every backend agrees on bad input.
 */
#ifndef OCG_H
#define OCG_H

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define HD static __host__ __device__ __forceinline__
#define OCG_RESTRICT __restrict__
#elif defined(__cplusplus)
#define HD static inline
#define OCG_RESTRICT __restrict
#else
#define HD static inline
#define OCG_RESTRICT restrict
#endif

/* A list of tensors updated by one call. The arrays it points to are in the memory the
 * kernels run in (device memory for CUDA, host memory for the CPU library and the shim).
 *   pointers:    n_tensors rows of n_arrays pointers: p, g, then the spec's state arrays in
 *                the order its header lists them;
 *   numel:       the number of elements of each tensor (all its arrays are dense);
 *   chunk_start: n_tensors + 1 entries, tensor i owns chunks [chunk_start[i], chunk_start[i+1])
 *                of OCG_CHUNK elements; n_chunks == chunk_start[n_tensors]. The CPU library
 *                ignores chunk_start and n_chunks. */
typedef struct ocg_tensor_list {
    int64_t n_tensors;
    int64_t n_chunks;
    void *const *pointers;
    const int64_t *numel;
    const int64_t *chunk_start;
} ocg_tensor_list;

/* "|", not "||": no short-circuit branch, so gcc if-converts and vectorizes the loops. */
HD float ocg_maxf(float a, float b) { return ((a != a) | (a > b)) ? a : b; }
HD float ocg_minf(float a, float b) { return ((a != a) | (a < b)) ? a : b; }
HD float ocg_signf(float x) { return x > 0.0F ? 1.0F : (x < 0.0F ? -1.0F : x); }
HD double ocg_max(double a, double b) { return ((a != a) | (a > b)) ? a : b; }
HD double ocg_min(double a, double b) { return ((a != a) | (a < b)) ? a : b; }
HD double ocg_sign(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x); }

/* The kernel layout (OCG_THREADS, OCG_CHUNK, OCG_MAX_BLOCKS), the dtypes and Keras 2.3's
 * clip formulas (which use the helpers above), printed by the build from the generator's
 * single definitions. */
#include "ocg_config.h"

#endif /* OCG_H */
