// generated from specs/lamb.yaml by templates/cuda/optimizer.cu.j2 — do not edit
/* Lamb on CUDA: one multi-tensor kernel per flag combination, instantiated for float,
 * double, half and bfloat16 parameters, and extern "C" launchers (the API: lamb.h).
 *
 * A launch covers every chunk of OCG_CHUNK elements of every tensor of the list; each block
 * walks chunks with a grid stride, finds the chunk's tensor by binary search, and each thread
 * updates four neighbouring elements at a time, with 4-wide vector accesses when every array
 * of the tensor is aligned and scalar ones at misaligned starts and tails. Per-step scalars
 * come from device memory, so a captured CUDA graph reads the values of each replay. */
#include "ocg_cuda.h"
#include "lamb.h"
#include "ocg_state.h"

/* The kernels of state in fewer bits: a block of OCG_THREADS threads takes a state block per warp. */
#define OCG_STATE_STRIDE (OCG_THREADS / OCG_WARP * OCG_STATE_BLOCK)
static_assert(OCG_THREADS % OCG_WARP == 0 && OCG_STATE_BLOCK % OCG_WARP == 0,
              "whole warps, and lanes that take as many elements as each other");
static_assert(OCG_CHUNK % OCG_STATE_STRIDE == 0,
              "a chunk holds a state block for every warp, a whole number of times");
static_assert(OCG_LANE_ELEMENTS == 8, "a lane's elements are one ocg::vec8 of codes");

/* ---- the defaults ---- */

__device__ __forceinline__ void ocg_lamb_default_element(float p, float m, float v,
                                                         float _c3_inv_one_minus_beta_2_pow_t,
                                                         float _c6_weight_decay_factor,
                                                         float epsilon, float _k1_coefficient,
                                                         float *_new_p)
{
    ocg_lamb_default_element_f32(p, m, v, _c3_inv_one_minus_beta_2_pow_t, _c6_weight_decay_factor,
                                 epsilon, _k1_coefficient, _new_p);
}

__device__ __forceinline__ void ocg_lamb_default_element(double p, double m, double v,
                                                         double _c3_inv_one_minus_beta_2_pow_t,
                                                         double _c6_weight_decay_factor,
                                                         double epsilon, double _k1_coefficient,
                                                         double *_new_p)
{
    ocg_lamb_default_element_f64(p, m, v, _c3_inv_one_minus_beta_2_pow_t, _c6_weight_decay_factor,
                                 epsilon, _k1_coefficient, _new_p);
}

__device__ __forceinline__ void ocg_lamb_default_commit(float g, float m, float v,
                                                        float _c0_one_minus_beta_1,
                                                        float _c1_one_minus_beta_2, float beta_1,
                                                        float beta_2, float *_new_m, float *_new_v)
{
    ocg_lamb_default_commit_f32(g, m, v, _c0_one_minus_beta_1, _c1_one_minus_beta_2, beta_1, beta_2,
                                _new_m, _new_v);
}

__device__ __forceinline__ void ocg_lamb_default_commit(double g, double m, double v,
                                                        double _c0_one_minus_beta_1,
                                                        double _c1_one_minus_beta_2, double beta_1,
                                                        double beta_2, double *_new_m,
                                                        double *_new_v)
{
    ocg_lamb_default_commit_f64(g, m, v, _c0_one_minus_beta_1, _c1_one_minus_beta_2, beta_1, beta_2,
                                _new_m, _new_v);
}

__device__ __forceinline__ void
ocg_lamb_default_terms(float p, float g, float m, float v, float _c0_one_minus_beta_1,
                       float _c1_one_minus_beta_2, float _c3_inv_one_minus_beta_2_pow_t,
                       float _c4__weight_decay_factor_pow_two, float _c5_coefficient, float beta_1,
                       float beta_2, float epsilon, float *_term_w_norm_squared,
                       float *_term_u_norm_squared)
{
    ocg_lamb_default_terms_f32(p, g, m, v, _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                               _c3_inv_one_minus_beta_2_pow_t, _c4__weight_decay_factor_pow_two,
                               _c5_coefficient, beta_1, beta_2, epsilon, _term_w_norm_squared,
                               _term_u_norm_squared);
}

__device__ __forceinline__ void
ocg_lamb_default_terms(double p, double g, double m, double v, double _c0_one_minus_beta_1,
                       double _c1_one_minus_beta_2, double _c3_inv_one_minus_beta_2_pow_t,
                       double _c4__weight_decay_factor_pow_two, double _c5_coefficient,
                       double beta_1, double beta_2, double epsilon, double *_term_w_norm_squared,
                       double *_term_u_norm_squared)
{
    ocg_lamb_default_terms_f64(p, g, m, v, _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                               _c3_inv_one_minus_beta_2_pow_t, _c4__weight_decay_factor_pow_two,
                               _c5_coefficient, beta_1, beta_2, epsilon, _term_w_norm_squared,
                               _term_u_norm_squared);
}

/* The first pass: each chunk's partial value of every per-tensor reduction, in double, and the new m, v. */
template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_lamb_default_terms_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                                  const double *__restrict__ grad_scale, double grad_factor,
                                  double clipvalue, double *__restrict__ partials)
{
    __shared__ double _cache[OCG_THREADS];
    const S _c0_one_minus_beta_1 = (S)scalars[0];
    const S _c1_one_minus_beta_2 = (S)scalars[1];
    const S _c3_inv_one_minus_beta_2_pow_t = (S)scalars[3];
    const S _c4__weight_decay_factor_pow_two = (S)scalars[5];
    const S _c5_coefficient = (S)scalars[6];
    const S beta_1 = (S)scalars[7];
    const S beta_2 = (S)scalars[8];
    const S epsilon = (S)scalars[9];
    (void)scalars; /* a spec's terms may read no per-step value */
    const S _scale = (S)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const S _bound = clipvalue > 0.0 ? (S)clipvalue : (S)INFINITY;
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 4;
        P *const p = (P *)_row[0];
        const P *const g = (const P *)_row[1];
        S *const m = (S *)_row[2];
        S *const v = (S *)_row[3];
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        double _sum_w_norm_squared = 0.0;
        double _sum_u_norm_squared = 0.0;
        for (int64_t _k = _begin + (int64_t)threadIdx.x; _k < _end; _k += (int64_t)blockDim.x) {
            S _term_w_norm_squared, _term_u_norm_squared;
            ocg_lamb_default_terms(ocg::load<S>(p[_k]),
                                   ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                                   ocg::load<S>(m[_k]), ocg::load<S>(v[_k]), _c0_one_minus_beta_1,
                                   _c1_one_minus_beta_2, _c3_inv_one_minus_beta_2_pow_t,
                                   _c4__weight_decay_factor_pow_two, _c5_coefficient, beta_1,
                                   beta_2, epsilon, &_term_w_norm_squared, &_term_u_norm_squared);
            S _new_m, _new_v;
            ocg_lamb_default_commit(ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                                    ocg::load<S>(m[_k]), ocg::load<S>(v[_k]), _c0_one_minus_beta_1,
                                    _c1_one_minus_beta_2, beta_1, beta_2, &_new_m, &_new_v);
            m[_k] = _new_m;
            v[_k] = _new_v;
            _sum_w_norm_squared = _sum_w_norm_squared + (double)_term_w_norm_squared;
            _sum_u_norm_squared = _sum_u_norm_squared + (double)_term_u_norm_squared;
        }
        const double _chunk_w_norm_squared = ocg::block_sum(_cache, _sum_w_norm_squared);
        const double _chunk_u_norm_squared = ocg::block_sum(_cache, _sum_u_norm_squared);
        if (threadIdx.x == 0) {
            partials[_chunk * 2 + 0] = _chunk_w_norm_squared;
            partials[_chunk * 2 + 1] = _chunk_u_norm_squared;
        }
    }
}

/* Each tensor's totals from its chunks' partial values, in a fixed order (a thread's stride,
 * then the block's tree): the same bits every run. */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_lamb_default_totals_kernel(ocg_tensor_list list, const double *__restrict__ partials,
                                   double *__restrict__ totals)
{
    __shared__ double _cache[OCG_THREADS];
    for (int64_t _tensor = blockIdx.x; _tensor < list.n_tensors; _tensor += gridDim.x) {
        double _sum_w_norm_squared = 0.0;
        double _sum_u_norm_squared = 0.0;
        for (int64_t _c = list.chunk_start[_tensor] + (int64_t)threadIdx.x;
             _c < list.chunk_start[_tensor + 1]; _c += (int64_t)blockDim.x) {
            _sum_w_norm_squared = _sum_w_norm_squared + partials[_c * 2 + 0];
            _sum_u_norm_squared = _sum_u_norm_squared + partials[_c * 2 + 1];
        }
        const double _total_w_norm_squared = ocg::block_sum(_cache, _sum_w_norm_squared);
        const double _total_u_norm_squared = ocg::block_sum(_cache, _sum_u_norm_squared);
        if (threadIdx.x == 0) {
            totals[_tensor * 2 + 0] = _total_w_norm_squared;
            totals[_tensor * 2 + 1] = _total_u_norm_squared;
        }
    }
}

template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_lamb_default_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                            const double *__restrict__ grad_scale, double grad_factor,
                            double clipvalue, const double *__restrict__ totals)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_lr_scale = -lr/(1.0 - pow(beta_1, t)) */
    /* _c3_inv_one_minus_beta_2_pow_t = 1.0/(1.0 - pow(beta_2, t)) */
    /* _c6_weight_decay_factor = -lr*weight_decay + 1.0 */
    /* _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor*_c6_weight_decay_factor */
    /* _c5_coefficient = 1.0/((1.0 - pow(beta_1, t))*(1.0 - pow(beta_1, t))) */
    const S _c3_inv_one_minus_beta_2_pow_t = (S)scalars[3];
    const S _c6_weight_decay_factor = (S)scalars[4];
    const S epsilon = (S)scalars[9];
    (void)grad_scale;
    (void)grad_factor;
    (void)clipvalue; /* the first pass read the gradient */
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 4;
        P *const p = (P *)_row[0];
        S *const m = (S *)_row[2];
        S *const v = (S *)_row[3];
        double _tensor_values[1];
        ocg_lamb_default_tensor(scalars, totals + _tensor * 2, _tensor_values);
        const S _k1_coefficient = (S)_tensor_values[0];
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        const bool _vector = ocg::aligned4(p) && ocg::aligned4(m) && ocg::aligned4(v);
        for (int64_t _i = _begin + 4 * (int64_t)threadIdx.x; _i < _end;
             _i += 4 * (int64_t)blockDim.x) {
            if (_vector && _i + 4 <= _end) {
                ocg::vec4<P> _v_p = *reinterpret_cast<const ocg::vec4<P> *>(p + _i);
                ocg::vec4<S> _v_m = *reinterpret_cast<const ocg::vec4<S> *>(m + _i);
                ocg::vec4<S> _v_v = *reinterpret_cast<const ocg::vec4<S> *>(v + _i);
                OCG_UNROLL
                for (int _j = 0; _j < 4; ++_j) {
                    S _new_p;
                    ocg_lamb_default_element(
                        ocg::load<S>(_v_p.v[_j]), ocg::load<S>(_v_m.v[_j]),
                        ocg::load<S>(_v_v.v[_j]), _c3_inv_one_minus_beta_2_pow_t,
                        _c6_weight_decay_factor, epsilon, _k1_coefficient, &_new_p);
                    _v_p.v[_j] = ocg::store<P>(_new_p);
                }
                *reinterpret_cast<ocg::vec4<P> *>(p + _i) = _v_p;
            } else {
                for (int64_t _k = _i; _k < _end && _k < _i + 4; ++_k) {
                    S _new_p;
                    ocg_lamb_default_element(ocg::load<S>(p[_k]), ocg::load<S>(m[_k]),
                                             ocg::load<S>(v[_k]), _c3_inv_one_minus_beta_2_pow_t,
                                             _c6_weight_decay_factor, epsilon, _k1_coefficient,
                                             &_new_p);
                    p[_k] = ocg::store<P>(_new_p);
                }
            }
        }
    }
}

__global__ void ocg_lamb_default_step_kernel(const double *hyper, double *scalar_state, double *t,
                                             double *scalars)
{
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        *t += 1.0;
        ocg_lamb_default_step(hyper, scalar_state, *t, scalars);
    }
}

template <typename P, typename S>
static int ocg_lamb_default_launch(ocg_tensor_list list, const double *scalars,
                                   const double *grad_scale, double grad_factor, double clipvalue,
                                   double *work, cudaStream_t stream)
{
    if (list.n_chunks <= 0) {
        return (int)cudaSuccess;
    }
    if (work == NULL) {
        return (int)cudaErrorInvalidValue;
    }
    double *const partials = work;
    double *const totals = work + list.n_chunks * 2;
    void (*const terms)(ocg_tensor_list, const double *, const double *, double, double, double *) =
        ocg_lamb_default_terms_kernel<P, S>;
    OCG_LAUNCH_SYNC(terms, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
                    grad_scale, grad_factor, clipvalue, partials);
    int code = (int)cudaGetLastError();
    if (code != (int)cudaSuccess) {
        return code;
    }
    OCG_LAUNCH_SYNC(ocg_lamb_default_totals_kernel, ocg::blocks_for(list.n_tensors), OCG_THREADS,
                    stream, list, (const double *)partials, totals);
    code = (int)cudaGetLastError();
    if (code != (int)cudaSuccess) {
        return code;
    }
    void (*const kernel)(ocg_tensor_list, const double *, const double *, double, double,
                         const double *) = ocg_lamb_default_kernel<P, S>;
    OCG_LAUNCH(kernel, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
               grad_scale, grad_factor, clipvalue, (const double *)totals);
    return (int)cudaGetLastError();
}

extern "C" int ocg_lamb_default_f32(ocg_tensor_list list, const double *scalars,
                                    const double *grad_scale, double grad_factor, double clipvalue,
                                    double *work, cudaStream_t stream)
{
    return ocg_lamb_default_launch<float, float>(list, scalars, grad_scale, grad_factor, clipvalue,
                                                 work, stream);
}

extern "C" int ocg_lamb_default_f64(ocg_tensor_list list, const double *scalars,
                                    const double *grad_scale, double grad_factor, double clipvalue,
                                    double *work, cudaStream_t stream)
{
    return ocg_lamb_default_launch<double, double>(list, scalars, grad_scale, grad_factor,
                                                   clipvalue, work, stream);
}

extern "C" int ocg_lamb_default_f16(ocg_tensor_list list, const double *scalars,
                                    const double *grad_scale, double grad_factor, double clipvalue,
                                    double *work, cudaStream_t stream)
{
    return ocg_lamb_default_launch<__half, float>(list, scalars, grad_scale, grad_factor, clipvalue,
                                                  work, stream);
}

extern "C" int ocg_lamb_default_bf16(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     double *work, cudaStream_t stream)
{
    return ocg_lamb_default_launch<__nv_bfloat16, float>(list, scalars, grad_scale, grad_factor,
                                                         clipvalue, work, stream);
}

extern "C" int ocg_lamb_default_step_cuda(const double *hyper, double *scalar_state, double *t,
                                          double *scalars, cudaStream_t stream)
{
    OCG_LAUNCH(ocg_lamb_default_step_kernel, 1, 1, stream, hyper, scalar_state, t, scalars);
    return (int)cudaGetLastError();
}
