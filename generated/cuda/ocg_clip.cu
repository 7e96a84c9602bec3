// copied from generator/runtime/cuda/ocg_clip.cu by python -m generator build — do not edit
/* Keras 2.3's clipnorm on the device: one L2 norm over every gradient of the step.
 *
 *   ocg_sumsq_<dtype>(list, partials, n_partials, stream): list rows hold one pointer (a
 *       gradient); writes n_partials (1..OCG_MAX_BLOCKS) partial sums of squares, in double;
 *   ocg_clip_scale(partials, n, clipnorm, scale, stream): norm = sqrt(sum of the n partials);
 *       *scale = clipnorm / norm when norm >= clipnorm, else 1 (a NaN norm gives 1, as in
 *       Keras). Pass scale to the update launchers as grad_scale.
 * Both only launch (no host synchronization), so a step that clips can be graph-captured. */
#include "ocg_cuda.h"

extern "C" {
#define OCG_SUMSQ_DECLARE(suffix, param_type, math_type)                               \
    int ocg_sumsq_##suffix(ocg_tensor_list list, double *partials, int64_t n_partials, \
                           cudaStream_t stream);
OCG_FOR_EACH_DTYPE(OCG_SUMSQ_DECLARE)
int ocg_clip_scale(const double *partials, int64_t n, double clipnorm, double *scale,
                   cudaStream_t stream);
}

template <typename T>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_sumsq_kernel(ocg_tensor_list list, double *partials)
{
    __shared__ double cache[OCG_THREADS];
    double sum = 0.0;
    for (int64_t chunk = blockIdx.x; chunk < list.n_chunks; chunk += gridDim.x) {
        const int64_t tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, chunk);
        const T *const x = (const T *)list.pointers[tensor];
        const int64_t begin = (chunk - list.chunk_start[tensor]) * OCG_CHUNK;
        const int64_t numel = list.numel[tensor];
        const int64_t end = begin + OCG_CHUNK < numel ? begin + OCG_CHUNK : numel;
        for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const double value = ocg::load<double>(x[i]); /* exact for every dtype */
            sum += value * value;
        }
    }
    const double total = ocg::block_sum(cache, sum);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

__global__ void __launch_bounds__(OCG_THREADS)
    ocg_clip_scale_kernel(const double *partials, int64_t n, double clipnorm, double *scale)
{
    __shared__ double cache[OCG_THREADS];
    double sum = 0.0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        sum += partials[i];
    }
    const double total = ocg::block_sum(cache, sum);
    if (threadIdx.x == 0) {
        const double norm = sqrt(total);
        *scale = ocg_clip_scale_of(clipnorm, norm);
    }
}

template <typename T>
static int ocg_sumsq(ocg_tensor_list list, double *partials, int64_t n_partials,
                     cudaStream_t stream)
{
    if (n_partials < 1 || n_partials > OCG_MAX_BLOCKS) {
        return (int)cudaErrorInvalidValue;
    }
    void (*const kernel)(ocg_tensor_list, double *) = ocg_sumsq_kernel<T>;
    OCG_LAUNCH_SYNC(kernel, (unsigned)n_partials, OCG_THREADS, stream, list, partials);
    return (int)cudaGetLastError();
}

#define OCG_SUMSQ_DEFINE(suffix, param_type, math_type)                                \
    int ocg_sumsq_##suffix(ocg_tensor_list list, double *partials, int64_t n_partials, \
                           cudaStream_t stream)                                        \
    {                                                                                  \
        return ocg_sumsq<param_type>(list, partials, n_partials, stream);              \
    }
OCG_FOR_EACH_DTYPE(OCG_SUMSQ_DEFINE)

int ocg_clip_scale(const double *partials, int64_t n, double clipnorm, double *scale,
                   cudaStream_t stream)
{
    OCG_LAUNCH_SYNC(ocg_clip_scale_kernel, 1, OCG_THREADS, stream, partials, n, clipnorm, scale);
    return (int)cudaGetLastError();
}
