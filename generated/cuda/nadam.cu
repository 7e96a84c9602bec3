// generated from specs/nadam.yaml by templates/cuda/optimizer.cu.j2 — do not edit
/* Nadam on CUDA: one multi-tensor kernel per flag combination, instantiated for float,
 * double, half and bfloat16 parameters, and extern "C" launchers (the API: nadam.h).
 *
 * A launch covers every chunk of OCG_CHUNK elements of every tensor of the list; each block
 * walks chunks with a grid stride, finds the chunk's tensor by binary search, and each thread
 * updates four neighbouring elements at a time, with 4-wide vector accesses when every array
 * of the tensor is aligned and scalar ones at misaligned starts and tails. Per-step scalars
 * come from device memory, so a captured CUDA graph reads the values of each replay. */
#include "ocg_cuda.h"
#include "nadam.h"

/* ---- the defaults ---- */

__device__ __forceinline__ void
ocg_nadam_default_element(float p, float g, float m, float v, float _c0_one_minus_beta_1,
                          float _c1_one_minus_beta_2, float _c2_minus_lr,
                          float _c3_inv_one_minus_beta_2_pow_t, float _c4_coefficient,
                          float _c5_coefficient, float beta_1, float beta_2, float epsilon,
                          float *_new_p, float *_new_m, float *_new_v)
{
    ocg_nadam_default_element_f32(p, g, m, v, _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                                  _c2_minus_lr, _c3_inv_one_minus_beta_2_pow_t, _c4_coefficient,
                                  _c5_coefficient, beta_1, beta_2, epsilon, _new_p, _new_m, _new_v);
}

__device__ __forceinline__ void
ocg_nadam_default_element(double p, double g, double m, double v, double _c0_one_minus_beta_1,
                          double _c1_one_minus_beta_2, double _c2_minus_lr,
                          double _c3_inv_one_minus_beta_2_pow_t, double _c4_coefficient,
                          double _c5_coefficient, double beta_1, double beta_2, double epsilon,
                          double *_new_p, double *_new_m, double *_new_v)
{
    ocg_nadam_default_element_f64(p, g, m, v, _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                                  _c2_minus_lr, _c3_inv_one_minus_beta_2_pow_t, _c4_coefficient,
                                  _c5_coefficient, beta_1, beta_2, epsilon, _new_p, _new_m, _new_v);
}

template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_nadam_default_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                             const double *__restrict__ grad_scale, double grad_factor,
                             double clipvalue)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_minus_lr = -lr */
    /* _c3_inv_one_minus_beta_2_pow_t = 1.0/(1.0 - pow(beta_2, t)) */
    /* _c4_coefficient = (1.0 - mu_t)/(1.0 - m_schedule) */
    /* _c5_coefficient = mu_next/(1.0 - m_schedule_next) */
    const S _c0_one_minus_beta_1 = (S)scalars[0];
    const S _c1_one_minus_beta_2 = (S)scalars[1];
    const S _c2_minus_lr = (S)scalars[2];
    const S _c3_inv_one_minus_beta_2_pow_t = (S)scalars[3];
    const S _c4_coefficient = (S)scalars[4];
    const S _c5_coefficient = (S)scalars[5];
    const S beta_1 = (S)scalars[6];
    const S beta_2 = (S)scalars[7];
    const S epsilon = (S)scalars[8];
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
        const bool _vector =
            ocg::aligned4(p) && ocg::aligned4(g) && ocg::aligned4(m) && ocg::aligned4(v);
        for (int64_t _i = _begin + 4 * (int64_t)threadIdx.x; _i < _end;
             _i += 4 * (int64_t)blockDim.x) {
            if (_vector && _i + 4 <= _end) {
                ocg::vec4<P> _v_p = *reinterpret_cast<const ocg::vec4<P> *>(p + _i);
                const ocg::vec4<P> _v_g = *reinterpret_cast<const ocg::vec4<P> *>(g + _i);
                ocg::vec4<S> _v_m = *reinterpret_cast<const ocg::vec4<S> *>(m + _i);
                ocg::vec4<S> _v_v = *reinterpret_cast<const ocg::vec4<S> *>(v + _i);
                OCG_UNROLL
                for (int _j = 0; _j < 4; ++_j) {
                    S _new_p, _new_m, _new_v;
                    ocg_nadam_default_element(
                        ocg::load<S>(_v_p.v[_j]),
                        ocg::clip_value(ocg::load<S>(_v_g.v[_j]) * _scale, _bound),
                        ocg::load<S>(_v_m.v[_j]), ocg::load<S>(_v_v.v[_j]), _c0_one_minus_beta_1,
                        _c1_one_minus_beta_2, _c2_minus_lr, _c3_inv_one_minus_beta_2_pow_t,
                        _c4_coefficient, _c5_coefficient, beta_1, beta_2, epsilon, &_new_p, &_new_m,
                        &_new_v);
                    _v_p.v[_j] = ocg::store<P>(_new_p);
                    _v_m.v[_j] = _new_m;
                    _v_v.v[_j] = _new_v;
                }
                *reinterpret_cast<ocg::vec4<P> *>(p + _i) = _v_p;
                *reinterpret_cast<ocg::vec4<S> *>(m + _i) = _v_m;
                *reinterpret_cast<ocg::vec4<S> *>(v + _i) = _v_v;
            } else {
                for (int64_t _k = _i; _k < _end && _k < _i + 4; ++_k) {
                    S _new_p, _new_m, _new_v;
                    ocg_nadam_default_element(
                        ocg::load<S>(p[_k]), ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                        ocg::load<S>(m[_k]), ocg::load<S>(v[_k]), _c0_one_minus_beta_1,
                        _c1_one_minus_beta_2, _c2_minus_lr, _c3_inv_one_minus_beta_2_pow_t,
                        _c4_coefficient, _c5_coefficient, beta_1, beta_2, epsilon, &_new_p, &_new_m,
                        &_new_v);
                    p[_k] = ocg::store<P>(_new_p);
                    m[_k] = _new_m;
                    v[_k] = _new_v;
                }
            }
        }
    }
}

__global__ void ocg_nadam_default_step_kernel(const double *hyper, double *scalar_state, double *t,
                                              double *scalars)
{
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        *t += 1.0;
        ocg_nadam_default_step(hyper, scalar_state, *t, scalars);
    }
}

template <typename P, typename S>
static int ocg_nadam_default_launch(ocg_tensor_list list, const double *scalars,
                                    const double *grad_scale, double grad_factor, double clipvalue,
                                    cudaStream_t stream)
{
    if (list.n_chunks <= 0) {
        return (int)cudaSuccess;
    }
    void (*const kernel)(ocg_tensor_list, const double *, const double *, double, double) =
        ocg_nadam_default_kernel<P, S>;
    OCG_LAUNCH(kernel, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
               grad_scale, grad_factor, clipvalue);
    return (int)cudaGetLastError();
}

extern "C" int ocg_nadam_default_f32(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     cudaStream_t stream)
{
    return ocg_nadam_default_launch<float, float>(list, scalars, grad_scale, grad_factor, clipvalue,
                                                  stream);
}

extern "C" int ocg_nadam_default_f64(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     cudaStream_t stream)
{
    return ocg_nadam_default_launch<double, double>(list, scalars, grad_scale, grad_factor,
                                                    clipvalue, stream);
}

extern "C" int ocg_nadam_default_f16(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     cudaStream_t stream)
{
    return ocg_nadam_default_launch<__half, float>(list, scalars, grad_scale, grad_factor,
                                                   clipvalue, stream);
}

extern "C" int ocg_nadam_default_bf16(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue, cudaStream_t stream)
{
    return ocg_nadam_default_launch<__nv_bfloat16, float>(list, scalars, grad_scale, grad_factor,
                                                          clipvalue, stream);
}

extern "C" int ocg_nadam_default_step_cuda(const double *hyper, double *scalar_state, double *t,
                                           double *scalars, cudaStream_t stream)
{
    OCG_LAUNCH(ocg_nadam_default_step_kernel, 1, 1, stream, hyper, scalar_state, t, scalars);
    return (int)cudaGetLastError();
}
