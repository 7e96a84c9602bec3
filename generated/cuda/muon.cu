// generated from specs/muon.yaml by templates/cuda/optimizer.cu.j2 — do not edit
/* Muon on CUDA: one multi-tensor kernel per flag combination, instantiated for float,
 * double, half and bfloat16 parameters, and extern "C" launchers (the API: muon.h).
 *
 * A launch covers every chunk of OCG_CHUNK elements of every tensor of the list; each block
 * walks chunks with a grid stride, finds the chunk's tensor by binary search, and each thread
 * updates four neighbouring elements at a time, with 4-wide vector accesses when every array
 * of the tensor is aligned and scalar ones at misaligned starts and tails. Per-step scalars
 * come from device memory, so a captured CUDA graph reads the values of each replay. */
#include "ocg_cuda.h"
#include "muon.h"
#include "ocg_state.h"

/* The kernels of state in fewer bits: a block of OCG_THREADS threads takes a state block per warp. */
#define OCG_STATE_STRIDE (OCG_THREADS / OCG_WARP * OCG_STATE_BLOCK)
static_assert(OCG_THREADS % OCG_WARP == 0 && OCG_STATE_BLOCK % OCG_WARP == 0,
              "whole warps, and lanes that take as many elements as each other");
static_assert(OCG_CHUNK % OCG_STATE_STRIDE == 0,
              "a chunk holds a state block for every warp, a whole number of times");
static_assert(OCG_LANE_ELEMENTS == 8, "a lane's elements are one ocg::vec8 of codes");

/* ---- muon=False, nesterov=False (and muon=False, nesterov=True: the same rule) ---- */

__device__ __forceinline__ void ocg_muon_no_muon__no_nesterov_element(
    float p, float g, float m, float v, float _c0_one_minus_adam_beta_1,
    float _c1_one_minus_adam_beta_2, float _c2_lr_scale, float _c3_lr_scale, float epsilon,
    float *_new_p, float *_new_m, float *_new_v)
{
    ocg_muon_no_muon__no_nesterov_element_f32(p, g, m, v, _c0_one_minus_adam_beta_1,
                                              _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale,
                                              epsilon, _new_p, _new_m, _new_v);
}

__device__ __forceinline__ void ocg_muon_no_muon__no_nesterov_element(
    double p, double g, double m, double v, double _c0_one_minus_adam_beta_1,
    double _c1_one_minus_adam_beta_2, double _c2_lr_scale, double _c3_lr_scale, double epsilon,
    double *_new_p, double *_new_m, double *_new_v)
{
    ocg_muon_no_muon__no_nesterov_element_f64(p, g, m, v, _c0_one_minus_adam_beta_1,
                                              _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale,
                                              epsilon, _new_p, _new_m, _new_v);
}

template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_muon_no_muon__no_nesterov_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                                         const double *__restrict__ grad_scale, double grad_factor,
                                         double clipvalue)
{
    /* _c0_one_minus_adam_beta_1 = 1.0 - adam_beta_1 */
    /* _c1_one_minus_adam_beta_2 = 1.0 - adam_beta_2 */
    /* _c2_lr_scale = -adam_weight_decay*lr */
    /* _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1.0 - pow(adam_beta_2, t))/(1.0 - pow(adam_beta_1, t)) */
    const S _c0_one_minus_adam_beta_1 = (S)scalars[0];
    const S _c1_one_minus_adam_beta_2 = (S)scalars[1];
    const S _c2_lr_scale = (S)scalars[2];
    const S _c3_lr_scale = (S)scalars[3];
    const S epsilon = (S)scalars[4];
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
                    ocg_muon_no_muon__no_nesterov_element(
                        ocg::load<S>(_v_p.v[_j]),
                        ocg::clip_value(ocg::load<S>(_v_g.v[_j]) * _scale, _bound),
                        ocg::load<S>(_v_m.v[_j]), ocg::load<S>(_v_v.v[_j]),
                        _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale,
                        _c3_lr_scale, epsilon, &_new_p, &_new_m, &_new_v);
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
                    ocg_muon_no_muon__no_nesterov_element(
                        ocg::load<S>(p[_k]), ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                        ocg::load<S>(m[_k]), ocg::load<S>(v[_k]), _c0_one_minus_adam_beta_1,
                        _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon, &_new_p,
                        &_new_m, &_new_v);
                    p[_k] = ocg::store<P>(_new_p);
                    m[_k] = _new_m;
                    v[_k] = _new_v;
                }
            }
        }
    }
}

__global__ void ocg_muon_no_muon__no_nesterov_step_kernel(const double *hyper, double *scalar_state,
                                                          double *t, double *scalars)
{
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        *t += 1.0;
        ocg_muon_no_muon__no_nesterov_step(hyper, scalar_state, *t, scalars);
    }
}

template <typename P, typename S>
static int ocg_muon_no_muon__no_nesterov_launch(ocg_tensor_list list, const double *scalars,
                                                const double *grad_scale, double grad_factor,
                                                double clipvalue, cudaStream_t stream)
{
    if (list.n_chunks <= 0) {
        return (int)cudaSuccess;
    }
    void (*const kernel)(ocg_tensor_list, const double *, const double *, double, double) =
        ocg_muon_no_muon__no_nesterov_kernel<P, S>;
    OCG_LAUNCH(kernel, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
               grad_scale, grad_factor, clipvalue);
    return (int)cudaGetLastError();
}

extern "C" int ocg_muon_no_muon__no_nesterov_f32(ocg_tensor_list list, const double *scalars,
                                                 const double *grad_scale, double grad_factor,
                                                 double clipvalue, cudaStream_t stream)
{
    return ocg_muon_no_muon__no_nesterov_launch<float, float>(list, scalars, grad_scale,
                                                              grad_factor, clipvalue, stream);
}

extern "C" int ocg_muon_no_muon__no_nesterov_f64(ocg_tensor_list list, const double *scalars,
                                                 const double *grad_scale, double grad_factor,
                                                 double clipvalue, cudaStream_t stream)
{
    return ocg_muon_no_muon__no_nesterov_launch<double, double>(list, scalars, grad_scale,
                                                                grad_factor, clipvalue, stream);
}

extern "C" int ocg_muon_no_muon__no_nesterov_f16(ocg_tensor_list list, const double *scalars,
                                                 const double *grad_scale, double grad_factor,
                                                 double clipvalue, cudaStream_t stream)
{
    return ocg_muon_no_muon__no_nesterov_launch<__half, float>(list, scalars, grad_scale,
                                                               grad_factor, clipvalue, stream);
}

extern "C" int ocg_muon_no_muon__no_nesterov_bf16(ocg_tensor_list list, const double *scalars,
                                                  const double *grad_scale, double grad_factor,
                                                  double clipvalue, cudaStream_t stream)
{
    return ocg_muon_no_muon__no_nesterov_launch<__nv_bfloat16, float>(
        list, scalars, grad_scale, grad_factor, clipvalue, stream);
}

extern "C" int ocg_muon_no_muon__no_nesterov_step_cuda(const double *hyper, double *scalar_state,
                                                       double *t, double *scalars,
                                                       cudaStream_t stream)
{
    OCG_LAUNCH(ocg_muon_no_muon__no_nesterov_step_kernel, 1, 1, stream, hyper, scalar_state, t,
               scalars);
    return (int)cudaGetLastError();
}

/* muon=False, nesterov=False (and muon=False, nesterov=True: the same rule), float parameters with state_precision="int8": each warp of a
 * block takes one state block of its chunk at a time, each lane OCG_LANE_ELEMENTS neighbouring
 * elements of it (all loaded before any is computed, all stored after); int8's largest
 * magnitudes come from warp shuffles, with no barrier. The codes are those of the CPU kernel (ocg_muon_no_muon__no_nesterov_f32_int8_cpu, ocg_state.h). */
__global__ void __launch_bounds__(OCG_THREADS) ocg_muon_no_muon__no_nesterov_int8_state_kernel(
    ocg_tensor_list list, const double *__restrict__ scalars, const double *__restrict__ grad_scale,
    double grad_factor, double clipvalue, uint32_t step)
{
    const float _c0_one_minus_adam_beta_1 = (float)scalars[0];
    const float _c1_one_minus_adam_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_lr_scale = (float)scalars[3];
    const float epsilon = (float)scalars[4];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    const int64_t _lane = threadIdx.x % OCG_WARP, _warp = threadIdx.x / OCG_WARP;
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 6;
        float *const p = (float *)_row[0];
        const float *const g = (const float *)_row[1];
        int8_t *const m = (int8_t *)_row[2];
        float *const _scales_m = (float *)_row[3];
        const uint32_t _key_m = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        int8_t *const v = (int8_t *)_row[4];
        float *const _scales_v = (float *)_row[5];
        const uint32_t _key_v = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        /* a lane's elements in one or two 16-byte accesses per array where every array of the
         * tensor is aligned and they are all in range; one by one elsewhere */
        const bool _vector =
            ocg::aligned4(p) && ocg::aligned4(g) && ocg::aligned8(m) && ocg::aligned8(v);
        /* every warp goes round as often as the others (the shim's shuffles need the whole
         * block), those past the end with nothing to load */
        for (int64_t _start = _begin; _start < _end; _start += OCG_STATE_STRIDE) {
            const int64_t _first = _start + _warp * OCG_STATE_BLOCK;
            const int64_t _k0 = _first + _lane * OCG_LANE_ELEMENTS;
            const bool _whole = _vector && _k0 + OCG_LANE_ELEMENTS <= _end;
            float _p_u[OCG_LANE_ELEMENTS], _g_u[OCG_LANE_ELEMENTS];
            ocg::vec8<int8_t> _code_m_u;
            float _new_m_u[OCG_LANE_ELEMENTS];
            const float _scale_m = _first < _end ? _scales_m[_first / OCG_STATE_BLOCK] : 0.0F;
            ocg::vec8<int8_t> _code_v_u;
            float _new_v_u[OCG_LANE_ELEMENTS];
            const float _scale_v = _first < _end ? _scales_v[_first / OCG_STATE_BLOCK] : 0.0F;
            if (_whole) {
                ocg::load8(p + _k0, _p_u);
                ocg::load8(g + _k0, _g_u);
                _code_m_u = *reinterpret_cast<const ocg::vec8<int8_t> *>(m + _k0);
                _code_v_u = *reinterpret_cast<const ocg::vec8<int8_t> *>(v + _k0);
            } else {
                OCG_UNROLL
                for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                    const int64_t _k = _k0 + _u;
                    const bool _here = _k < _end;
                    _p_u[_u] = _here ? p[_k] : 0.0F;
                    _g_u[_u] = _here ? g[_k] : 0.0F;
                    _code_m_u.v[_u] = _here ? m[_k] : 0;
                    _code_v_u.v[_u] = _here ? v[_k] : 0;
                }
            }
            OCG_UNROLL
            for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                const int64_t _k = _k0 + _u;
                const float _old_p = _p_u[_u], _old_g = _g_u[_u];
                const int8_t _code_m = _code_m_u.v[_u];
                const int8_t _code_v = _code_v_u.v[_u];
                float _new_p = 0.0F, _new_m = 0.0F, _new_v = 0.0F;
                if (_k < _end) {
                    ocg_muon_no_muon__no_nesterov_element_f32(
                        _old_p, ocg_clip_valuef(_old_g * _scale, _bound),
                        ocg_signed_value(_code_m) * _scale_m, ocg_signed_value(_code_v) * _scale_v,
                        _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale,
                        _c3_lr_scale, epsilon, &_new_p, &_new_m, &_new_v);
                }
                _p_u[_u] = _new_p;
                _new_m_u[_u] = _new_m;
                _new_v_u[_u] = _new_v;
            }
            {
                const float _absmax = ocg_warp_absmax(_new_m_u);
                const float _inverse = 1.0F / (_absmax > 0.0F ? _absmax : 1.0F);
                OCG_UNROLL
                for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                    _code_m_u.v[_u] = ocg_code_signed(
                        _new_m_u[_u] * _inverse, ocg_noise(_key_m, _k0 + _u, OCG_CODE_NOISE_BITS));
                }
                if (_lane == 0 && _first < _end) {
                    _scales_m[_first / OCG_STATE_BLOCK] = _absmax;
                }
            }
            {
                const float _absmax = ocg_warp_absmax(_new_v_u);
                const float _inverse = 1.0F / (_absmax > 0.0F ? _absmax : 1.0F);
                OCG_UNROLL
                for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                    _code_v_u.v[_u] = ocg_code_signed(
                        _new_v_u[_u] * _inverse, ocg_noise(_key_v, _k0 + _u, OCG_CODE_NOISE_BITS));
                }
                if (_lane == 0 && _first < _end) {
                    _scales_v[_first / OCG_STATE_BLOCK] = _absmax;
                }
            }
            if (_whole) {
                ocg::store8(p + _k0, _p_u);
                *reinterpret_cast<ocg::vec8<int8_t> *>(m + _k0) = _code_m_u;
                *reinterpret_cast<ocg::vec8<int8_t> *>(v + _k0) = _code_v_u;
            } else {
                OCG_UNROLL
                for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                    if (_k0 + _u < _end) {
                        p[_k0 + _u] = _p_u[_u];
                        m[_k0 + _u] = _code_m_u.v[_u];
                        v[_k0 + _u] = _code_v_u.v[_u];
                    }
                }
            }
        }
    }
}

extern "C" int ocg_muon_no_muon__no_nesterov_f32_int8_cuda(ocg_tensor_list list,
                                                           const double *scalars,
                                                           const double *grad_scale,
                                                           double grad_factor, double clipvalue,
                                                           uint32_t step, cudaStream_t stream)
{
    if (list.n_chunks <= 0) {
        return (int)cudaSuccess;
    }
    /* int8's warps exchange values (ocg_warp_absmax), which the shim runs as a team */
    OCG_LAUNCH_SYNC(ocg_muon_no_muon__no_nesterov_int8_state_kernel, ocg::blocks_for(list.n_chunks),
                    OCG_THREADS, stream, list, scalars, grad_scale, grad_factor, clipvalue, step);
    return (int)cudaGetLastError();
}

/* muon=False, nesterov=False (and muon=False, nesterov=True: the same rule), float parameters with state_precision="bfloat16": each warp of a
 * block takes one state block of its chunk at a time, each lane OCG_LANE_ELEMENTS neighbouring
 * elements of it (all loaded before any is computed, all stored after); int8's largest
 * magnitudes come from warp shuffles, with no barrier. The codes are those of the CPU kernel (ocg_muon_no_muon__no_nesterov_f32_bf16_cpu, ocg_state.h). */
__global__ void __launch_bounds__(OCG_THREADS) ocg_muon_no_muon__no_nesterov_bf16_state_kernel(
    ocg_tensor_list list, const double *__restrict__ scalars, const double *__restrict__ grad_scale,
    double grad_factor, double clipvalue, uint32_t step)
{
    const float _c0_one_minus_adam_beta_1 = (float)scalars[0];
    const float _c1_one_minus_adam_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_lr_scale = (float)scalars[3];
    const float epsilon = (float)scalars[4];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    const int64_t _lane = threadIdx.x % OCG_WARP, _warp = threadIdx.x / OCG_WARP;
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 4;
        float *const p = (float *)_row[0];
        const float *const g = (const float *)_row[1];
        uint16_t *const m = (uint16_t *)_row[2];
        const uint32_t _key_m = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint16_t *const v = (uint16_t *)_row[3];
        const uint32_t _key_v = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        /* a lane's elements in one or two 16-byte accesses per array where every array of the
         * tensor is aligned and they are all in range; one by one elsewhere */
        const bool _vector =
            ocg::aligned4(p) && ocg::aligned4(g) && ocg::aligned8(m) && ocg::aligned8(v);
        /* every warp goes round as often as the others (the shim's shuffles need the whole
         * block), those past the end with nothing to load */
        for (int64_t _start = _begin; _start < _end; _start += OCG_STATE_STRIDE) {
            const int64_t _first = _start + _warp * OCG_STATE_BLOCK;
            const int64_t _k0 = _first + _lane * OCG_LANE_ELEMENTS;
            const bool _whole = _vector && _k0 + OCG_LANE_ELEMENTS <= _end;
            float _p_u[OCG_LANE_ELEMENTS], _g_u[OCG_LANE_ELEMENTS];
            ocg::vec8<uint16_t> _code_m_u;
            ocg::vec8<uint16_t> _code_v_u;
            if (_whole) {
                ocg::load8(p + _k0, _p_u);
                ocg::load8(g + _k0, _g_u);
                _code_m_u = *reinterpret_cast<const ocg::vec8<uint16_t> *>(m + _k0);
                _code_v_u = *reinterpret_cast<const ocg::vec8<uint16_t> *>(v + _k0);
            } else {
                OCG_UNROLL
                for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                    const int64_t _k = _k0 + _u;
                    const bool _here = _k < _end;
                    _p_u[_u] = _here ? p[_k] : 0.0F;
                    _g_u[_u] = _here ? g[_k] : 0.0F;
                    _code_m_u.v[_u] = _here ? m[_k] : 0;
                    _code_v_u.v[_u] = _here ? v[_k] : 0;
                }
            }
            OCG_UNROLL
            for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                const int64_t _k = _k0 + _u;
                const float _old_p = _p_u[_u], _old_g = _g_u[_u];
                const uint16_t _code_m = _code_m_u.v[_u];
                const uint16_t _code_v = _code_v_u.v[_u];
                float _new_p = 0.0F, _new_m = 0.0F, _new_v = 0.0F;
                if (_k < _end) {
                    ocg_muon_no_muon__no_nesterov_element_f32(
                        _old_p, ocg_clip_valuef(_old_g * _scale, _bound), ocg_bf16_float(_code_m),
                        ocg_bf16_float(_code_v), _c0_one_minus_adam_beta_1,
                        _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon, &_new_p,
                        &_new_m, &_new_v);
                }
                _p_u[_u] = _new_p;
                _code_m_u.v[_u] = ocg_bf16_stochastic(_new_m, _key_m, _k);
                _code_v_u.v[_u] = ocg_bf16_stochastic(_new_v, _key_v, _k);
            }
            if (_whole) {
                ocg::store8(p + _k0, _p_u);
                *reinterpret_cast<ocg::vec8<uint16_t> *>(m + _k0) = _code_m_u;
                *reinterpret_cast<ocg::vec8<uint16_t> *>(v + _k0) = _code_v_u;
            } else {
                OCG_UNROLL
                for (int _u = 0; _u < OCG_LANE_ELEMENTS; ++_u) {
                    if (_k0 + _u < _end) {
                        p[_k0 + _u] = _p_u[_u];
                        m[_k0 + _u] = _code_m_u.v[_u];
                        v[_k0 + _u] = _code_v_u.v[_u];
                    }
                }
            }
        }
    }
}

extern "C" int ocg_muon_no_muon__no_nesterov_f32_bf16_cuda(ocg_tensor_list list,
                                                           const double *scalars,
                                                           const double *grad_scale,
                                                           double grad_factor, double clipvalue,
                                                           uint32_t step, cudaStream_t stream)
{
    if (list.n_chunks <= 0) {
        return (int)cudaSuccess;
    }
    /* int8's warps exchange values (ocg_warp_absmax), which the shim runs as a team */
    OCG_LAUNCH(ocg_muon_no_muon__no_nesterov_bf16_state_kernel, ocg::blocks_for(list.n_chunks),
               OCG_THREADS, stream, list, scalars, grad_scale, grad_factor, clipvalue, step);
    return (int)cudaGetLastError();
}
