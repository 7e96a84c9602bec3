// generated from specs/adafactor.yaml by templates/cuda/optimizer.cu.j2 — do not edit
/* Adafactor on CUDA: one multi-tensor kernel per flag combination, instantiated for float,
 * double, half and bfloat16 parameters, and extern "C" launchers (the API: adafactor.h).
 *
 * A launch covers every chunk of OCG_CHUNK elements of every tensor of the list; each block
 * walks chunks with a grid stride, finds the chunk's tensor by binary search, and each thread
 * updates four neighbouring elements at a time, with 4-wide vector accesses when every array
 * of the tensor is aligned and scalar ones at misaligned starts and tails. Per-step scalars
 * come from device memory, so a captured CUDA graph reads the values of each replay. */
#include "ocg_cuda.h"
#include "adafactor.h"
#include "ocg_state.h"

static_assert(OCG_CHUNK % OCG_STATE_BLOCK == 0, "a chunk holds whole blocks of stored state");
static_assert(OCG_STATE_BLOCK == OCG_THREADS, "one thread per element of a state block");

/* ---- factored=False ---- */

__device__ __forceinline__ void ocg_adafactor_no_factored_element(float p, float g, float v,
                                                                  float _c4_weight_decay_factor,
                                                                  float _k0_coefficient,
                                                                  float *_new_p)
{
    ocg_adafactor_no_factored_element_f32(p, g, v, _c4_weight_decay_factor, _k0_coefficient,
                                          _new_p);
}

__device__ __forceinline__ void ocg_adafactor_no_factored_element(double p, double g, double v,
                                                                  double _c4_weight_decay_factor,
                                                                  double _k0_coefficient,
                                                                  double *_new_p)
{
    ocg_adafactor_no_factored_element_f64(p, g, v, _c4_weight_decay_factor, _k0_coefficient,
                                          _new_p);
}

__device__ __forceinline__ void ocg_adafactor_no_factored_commit(float g, float v,
                                                                 float _c0_one_minus_beta,
                                                                 float beta, float epsilon_1,
                                                                 float *_new_v)
{
    ocg_adafactor_no_factored_commit_f32(g, v, _c0_one_minus_beta, beta, epsilon_1, _new_v);
}

__device__ __forceinline__ void ocg_adafactor_no_factored_commit(double g, double v,
                                                                 double _c0_one_minus_beta,
                                                                 double beta, double epsilon_1,
                                                                 double *_new_v)
{
    ocg_adafactor_no_factored_commit_f64(g, v, _c0_one_minus_beta, beta, epsilon_1, _new_v);
}

__device__ __forceinline__ void
ocg_adafactor_no_factored_terms(float p, float g, float v, float _c0_one_minus_beta,
                                float _c3__weight_decay_factor_pow_two, float beta, float epsilon_1,
                                float *_term_p_squares, float *_term_u_squares,
                                float *_term_elements)
{
    ocg_adafactor_no_factored_terms_f32(p, g, v, _c0_one_minus_beta,
                                        _c3__weight_decay_factor_pow_two, beta, epsilon_1,
                                        _term_p_squares, _term_u_squares, _term_elements);
}

__device__ __forceinline__ void
ocg_adafactor_no_factored_terms(double p, double g, double v, double _c0_one_minus_beta,
                                double _c3__weight_decay_factor_pow_two, double beta,
                                double epsilon_1, double *_term_p_squares, double *_term_u_squares,
                                double *_term_elements)
{
    ocg_adafactor_no_factored_terms_f64(p, g, v, _c0_one_minus_beta,
                                        _c3__weight_decay_factor_pow_two, beta, epsilon_1,
                                        _term_p_squares, _term_u_squares, _term_elements);
}

/* The first pass: each chunk's partial value of every per-tensor reduction, in double, and the new v. */
template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_no_factored_terms_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                                           const double *__restrict__ grad_scale,
                                           double grad_factor, double clipvalue,
                                           double *__restrict__ partials)
{
    __shared__ double _cache[OCG_THREADS];
    const S _c0_one_minus_beta = (S)scalars[0];
    const S _c3__weight_decay_factor_pow_two = (S)scalars[4];
    const S beta = (S)scalars[5];
    const S epsilon_1 = (S)scalars[6];
    (void)scalars; /* a spec's terms may read no per-step value */
    const S _scale = (S)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const S _bound = clipvalue > 0.0 ? (S)clipvalue : (S)INFINITY;
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 3;
        P *const p = (P *)_row[0];
        const P *const g = (const P *)_row[1];
        S *const v = (S *)_row[2];
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        double _sum_p_squares = 0.0;
        double _sum_u_squares = 0.0;
        double _sum_elements = 0.0;
        for (int64_t _k = _begin + (int64_t)threadIdx.x; _k < _end; _k += (int64_t)blockDim.x) {
            S _term_p_squares, _term_u_squares, _term_elements;
            ocg_adafactor_no_factored_terms(
                ocg::load<S>(p[_k]), ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                ocg::load<S>(v[_k]), _c0_one_minus_beta, _c3__weight_decay_factor_pow_two, beta,
                epsilon_1, &_term_p_squares, &_term_u_squares, &_term_elements);
            S _new_v;
            ocg_adafactor_no_factored_commit(ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                                             ocg::load<S>(v[_k]), _c0_one_minus_beta, beta,
                                             epsilon_1, &_new_v);
            v[_k] = _new_v;
            _sum_p_squares = _sum_p_squares + (double)_term_p_squares;
            _sum_u_squares = _sum_u_squares + (double)_term_u_squares;
            _sum_elements = _sum_elements + (double)_term_elements;
        }
        const double _chunk_p_squares = ocg::block_sum(_cache, _sum_p_squares);
        const double _chunk_u_squares = ocg::block_sum(_cache, _sum_u_squares);
        const double _chunk_elements = ocg::block_sum(_cache, _sum_elements);
        if (threadIdx.x == 0) {
            partials[_chunk * 3 + 0] = _chunk_p_squares;
            partials[_chunk * 3 + 1] = _chunk_u_squares;
            partials[_chunk * 3 + 2] = _chunk_elements;
        }
    }
}

/* Each tensor's totals from its chunks' partial values, in a fixed order (a thread's stride,
 * then the block's tree): the same bits every run. */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_no_factored_totals_kernel(ocg_tensor_list list,
                                            const double *__restrict__ partials,
                                            double *__restrict__ totals)
{
    __shared__ double _cache[OCG_THREADS];
    for (int64_t _tensor = blockIdx.x; _tensor < list.n_tensors; _tensor += gridDim.x) {
        double _sum_p_squares = 0.0;
        double _sum_u_squares = 0.0;
        double _sum_elements = 0.0;
        for (int64_t _c = list.chunk_start[_tensor] + (int64_t)threadIdx.x;
             _c < list.chunk_start[_tensor + 1]; _c += (int64_t)blockDim.x) {
            _sum_p_squares = _sum_p_squares + partials[_c * 3 + 0];
            _sum_u_squares = _sum_u_squares + partials[_c * 3 + 1];
            _sum_elements = _sum_elements + partials[_c * 3 + 2];
        }
        const double _total_p_squares = ocg::block_sum(_cache, _sum_p_squares);
        const double _total_u_squares = ocg::block_sum(_cache, _sum_u_squares);
        const double _total_elements = ocg::block_sum(_cache, _sum_elements);
        if (threadIdx.x == 0) {
            totals[_tensor * 3 + 0] = _total_p_squares;
            totals[_tensor * 3 + 1] = _total_u_squares;
            totals[_tensor * 3 + 2] = _total_elements;
        }
    }
}

template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_no_factored_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                                     const double *__restrict__ grad_scale, double grad_factor,
                                     double clipvalue, const double *__restrict__ totals)
{
    /* _c0_one_minus_beta = 1.0 - beta */
    /* _c1_minus_rho = -rho */
    /* _c2_inv_clip_threshold = 1.0/(clip_threshold) */
    /* _c4_weight_decay_factor = -lr*weight_decay + 1.0 */
    /* _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor*_c4_weight_decay_factor */
    const S _c4_weight_decay_factor = (S)scalars[3];
    const S _scale = (S)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const S _bound = clipvalue > 0.0 ? (S)clipvalue : (S)INFINITY;
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 3;
        P *const p = (P *)_row[0];
        const P *const g = (const P *)_row[1];
        S *const v = (S *)_row[2];
        double _tensor_values[1];
        ocg_adafactor_no_factored_tensor(scalars, totals + _tensor * 3, _tensor_values);
        const S _k0_coefficient = (S)_tensor_values[0];
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        const bool _vector = ocg::aligned4(p) && ocg::aligned4(g) && ocg::aligned4(v);
        for (int64_t _i = _begin + 4 * (int64_t)threadIdx.x; _i < _end;
             _i += 4 * (int64_t)blockDim.x) {
            if (_vector && _i + 4 <= _end) {
                ocg::vec4<P> _v_p = *reinterpret_cast<const ocg::vec4<P> *>(p + _i);
                const ocg::vec4<P> _v_g = *reinterpret_cast<const ocg::vec4<P> *>(g + _i);
                ocg::vec4<S> _v_v = *reinterpret_cast<const ocg::vec4<S> *>(v + _i);
                OCG_UNROLL
                for (int _j = 0; _j < 4; ++_j) {
                    S _new_p;
                    ocg_adafactor_no_factored_element(
                        ocg::load<S>(_v_p.v[_j]),
                        ocg::clip_value(ocg::load<S>(_v_g.v[_j]) * _scale, _bound),
                        ocg::load<S>(_v_v.v[_j]), _c4_weight_decay_factor, _k0_coefficient,
                        &_new_p);
                    _v_p.v[_j] = ocg::store<P>(_new_p);
                }
                *reinterpret_cast<ocg::vec4<P> *>(p + _i) = _v_p;
            } else {
                for (int64_t _k = _i; _k < _end && _k < _i + 4; ++_k) {
                    S _new_p;
                    ocg_adafactor_no_factored_element(
                        ocg::load<S>(p[_k]), ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                        ocg::load<S>(v[_k]), _c4_weight_decay_factor, _k0_coefficient, &_new_p);
                    p[_k] = ocg::store<P>(_new_p);
                }
            }
        }
    }
}

__global__ void ocg_adafactor_no_factored_step_kernel(const double *hyper, double *scalar_state,
                                                      double *t, double *scalars)
{
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        *t += 1.0;
        ocg_adafactor_no_factored_step(hyper, scalar_state, *t, scalars);
    }
}

template <typename P, typename S>
static int ocg_adafactor_no_factored_launch(ocg_tensor_list list, const double *scalars,
                                            const double *grad_scale, double grad_factor,
                                            double clipvalue, double *work, cudaStream_t stream)
{
    if (list.n_chunks <= 0) {
        return (int)cudaSuccess;
    }
    if (work == NULL) {
        return (int)cudaErrorInvalidValue;
    }
    double *const partials = work;
    double *const totals = work + list.n_chunks * 3;
    void (*const terms)(ocg_tensor_list, const double *, const double *, double, double, double *) =
        ocg_adafactor_no_factored_terms_kernel<P, S>;
    OCG_LAUNCH_SYNC(terms, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
                    grad_scale, grad_factor, clipvalue, partials);
    int code = (int)cudaGetLastError();
    if (code != (int)cudaSuccess) {
        return code;
    }
    OCG_LAUNCH_SYNC(ocg_adafactor_no_factored_totals_kernel, ocg::blocks_for(list.n_tensors),
                    OCG_THREADS, stream, list, (const double *)partials, totals);
    code = (int)cudaGetLastError();
    if (code != (int)cudaSuccess) {
        return code;
    }
    void (*const kernel)(ocg_tensor_list, const double *, const double *, double, double,
                         const double *) = ocg_adafactor_no_factored_kernel<P, S>;
    OCG_LAUNCH(kernel, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
               grad_scale, grad_factor, clipvalue, (const double *)totals);
    return (int)cudaGetLastError();
}

extern "C" int ocg_adafactor_no_factored_f32(ocg_tensor_list list, const double *scalars,
                                             const double *grad_scale, double grad_factor,
                                             double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<float, float>(list, scalars, grad_scale, grad_factor,
                                                          clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_f64(ocg_tensor_list list, const double *scalars,
                                             const double *grad_scale, double grad_factor,
                                             double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<double, double>(list, scalars, grad_scale, grad_factor,
                                                            clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_f16(ocg_tensor_list list, const double *scalars,
                                             const double *grad_scale, double grad_factor,
                                             double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<__half, float>(list, scalars, grad_scale, grad_factor,
                                                           clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_bf16(ocg_tensor_list list, const double *scalars,
                                              const double *grad_scale, double grad_factor,
                                              double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<__nv_bfloat16, float>(
        list, scalars, grad_scale, grad_factor, clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_step_cuda(const double *hyper, double *scalar_state,
                                                   double *t, double *scalars, cudaStream_t stream)
{
    OCG_LAUNCH(ocg_adafactor_no_factored_step_kernel, 1, 1, stream, hyper, scalar_state, t,
               scalars);
    return (int)cudaGetLastError();
}
