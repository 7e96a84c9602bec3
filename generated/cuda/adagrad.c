// generated from specs/adagrad.yaml by templates/cuda/optimizer.c.j2 — do not edit
/* Adagrad on the CPU: every tensor of a list in one call, OpenMP threads over the elements
 * and the element functions of adagrad.cuh inlined into a loop gcc vectorizes (build with
 * -O3 -march=native -fno-math-errno -fopenmp, and -mprefer-vector-width=512 on x86-64; without
 * -fno-math-errno sqrtf stays scalar).
 * The C API is documented in adagrad.h. */
#include "adagrad.h"
#include "ocg_state.h"

int ocg_adagrad_default_f32_cpu(ocg_tensor_list list, const double *scalars,
                                const double *grad_scale, double grad_factor, double clipvalue)
{
    /* _c0_minus_lr = -lr */
    /* _c1_weight_decay_factor = -lr*weight_decay + 1.0 */
    const float _c0_minus_lr = (float)scalars[0];
    const float _c1_weight_decay_factor = (float)scalars[1];
    const float epsilon = (float)scalars[2];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 3;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (float *)_row[1];
        float *OCG_RESTRICT accumulator = (float *)_row[2];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            float _new_p, _new_accumulator;
            ocg_adagrad_default_element_f32(p[_i], ocg_clip_valuef(g[_i] * _scale, _bound),
                                            accumulator[_i], _c0_minus_lr, _c1_weight_decay_factor,
                                            epsilon, &_new_p, &_new_accumulator);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
        }
    }
    return 0;
}

int ocg_adagrad_default_f64_cpu(ocg_tensor_list list, const double *scalars,
                                const double *grad_scale, double grad_factor, double clipvalue)
{
    /* _c0_minus_lr = -lr */
    /* _c1_weight_decay_factor = -lr*weight_decay + 1.0 */
    const double _c0_minus_lr = (double)scalars[0];
    const double _c1_weight_decay_factor = (double)scalars[1];
    const double epsilon = (double)scalars[2];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 3;
        double *OCG_RESTRICT p = (double *)_row[0];
        const double *OCG_RESTRICT g = (double *)_row[1];
        double *OCG_RESTRICT accumulator = (double *)_row[2];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            double _new_p, _new_accumulator;
            ocg_adagrad_default_element_f64(p[_i], ocg_clip_value(g[_i] * _scale, _bound),
                                            accumulator[_i], _c0_minus_lr, _c1_weight_decay_factor,
                                            epsilon, &_new_p, &_new_accumulator);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
        }
    }
    return 0;
}

/* the defaults, float parameters with state_precision="int8": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_adagrad_default_f32_int8_cpu(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     uint32_t step)
{
    const float _c0_minus_lr = (float)scalars[0];
    const float _c1_weight_decay_factor = (float)scalars[1];
    const float epsilon = (float)scalars[2];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    /* No clipvalue and no scale (the usual step): clipping to an infinite bound and scaling
     * by 1 give the gradient bit for bit (NaN included), and these kernels are bound by their
     * arithmetic on a CPU: full blocks then read g as it is. */
    const int _plain_gradient = (_scale == 1.0F) & (_bound == (float)INFINITY);
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 4;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (const float *)_row[1];
        uint8_t *OCG_RESTRICT accumulator = (uint8_t *)_row[2];
        float *OCG_RESTRICT _scales_accumulator = (float *)_row[3];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        const int64_t _n = list.numel[_tensor];
        const int64_t _blocks = (_n + OCG_STATE_BLOCK - 1) / OCG_STATE_BLOCK;
#pragma omp for schedule(static) nowait
        for (int64_t _b = 0; _b < _blocks; ++_b) {
            const int64_t _start = _b * OCG_STATE_BLOCK;
            const int64_t _left = _n - _start;
            /* A full block's loops have a constant length, which gcc unrolls without a remainder. */
            if (_left >= OCG_STATE_BLOCK) {
                if (_left >=
                    (OCG_PREFETCH_BLOCKS + 1) * OCG_STATE_BLOCK) { /* a whole block ahead */
                    const int64_t _ahead = _start + OCG_PREFETCH_BLOCKS * OCG_STATE_BLOCK;
                    ocg_prefetch(p + _ahead, OCG_STATE_BLOCK * sizeof(*p));
                    ocg_prefetch(g + _ahead, OCG_STATE_BLOCK * sizeof(*g));
                    ocg_prefetch(accumulator + _ahead, OCG_STATE_BLOCK * sizeof(*accumulator));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adagrad_default_element_f32(
                            p[_k], g[_k], ocg_unsigned_value(accumulator[_k]) * _scale_accumulator,
                            _c0_minus_lr, _c1_weight_decay_factor, epsilon, &_new_p,
                            &_block_accumulator[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adagrad_default_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_unsigned_value(accumulator[_k]) * _scale_accumulator, _c0_minus_lr,
                            _c1_weight_decay_factor, epsilon, &_new_p, &_block_accumulator[_i]);
                        p[_k] = _new_p;
                    }
                }
                const float _absmax_accumulator =
                    ocg_block_absmax(_block_accumulator, OCG_STATE_BLOCK);
                const float _inverse_accumulator =
                    1.0F / (_absmax_accumulator > 0.0F ? _absmax_accumulator : 1.0F);
                _scales_accumulator[_b] = _absmax_accumulator;
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    accumulator[_start + _i] =
                        ocg_code_unsigned(_block_accumulator[_i] * _inverse_accumulator,
                                          ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_adagrad_default_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_unsigned_value(accumulator[_k]) * _scale_accumulator, _c0_minus_lr,
                        _c1_weight_decay_factor, epsilon, &_new_p, &_block_accumulator[_i]);
                    p[_k] = _new_p;
                }
                const float _absmax_accumulator = ocg_block_absmax(_block_accumulator, _left);
                const float _inverse_accumulator =
                    1.0F / (_absmax_accumulator > 0.0F ? _absmax_accumulator : 1.0F);
                _scales_accumulator[_b] = _absmax_accumulator;
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    accumulator[_start + _i] =
                        ocg_code_unsigned(_block_accumulator[_i] * _inverse_accumulator,
                                          ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
            }
        }
    }
    return 0;
}

/* the defaults, float parameters with state_precision="bfloat16": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_adagrad_default_f32_bf16_cpu(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     uint32_t step)
{
    const float _c0_minus_lr = (float)scalars[0];
    const float _c1_weight_decay_factor = (float)scalars[1];
    const float epsilon = (float)scalars[2];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    /* No clipvalue and no scale (the usual step): clipping to an infinite bound and scaling
     * by 1 give the gradient bit for bit (NaN included), and these kernels are bound by their
     * arithmetic on a CPU: full blocks then read g as it is. */
    const int _plain_gradient = (_scale == 1.0F) & (_bound == (float)INFINITY);
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 3;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (const float *)_row[1];
        uint16_t *OCG_RESTRICT accumulator = (uint16_t *)_row[2];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        const int64_t _n = list.numel[_tensor];
        const int64_t _blocks = (_n + OCG_STATE_BLOCK - 1) / OCG_STATE_BLOCK;
#pragma omp for schedule(static) nowait
        for (int64_t _b = 0; _b < _blocks; ++_b) {
            const int64_t _start = _b * OCG_STATE_BLOCK;
            const int64_t _left = _n - _start;
            /* A full block's loops have a constant length, which gcc unrolls without a remainder. */
            if (_left >= OCG_STATE_BLOCK) {
                if (_left >=
                    (OCG_PREFETCH_BLOCKS + 1) * OCG_STATE_BLOCK) { /* a whole block ahead */
                    const int64_t _ahead = _start + OCG_PREFETCH_BLOCKS * OCG_STATE_BLOCK;
                    ocg_prefetch(p + _ahead, OCG_STATE_BLOCK * sizeof(*p));
                    ocg_prefetch(g + _ahead, OCG_STATE_BLOCK * sizeof(*g));
                    ocg_prefetch(accumulator + _ahead, OCG_STATE_BLOCK * sizeof(*accumulator));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adagrad_default_element_f32(
                            p[_k], g[_k], ocg_bf16_float(accumulator[_k]), _c0_minus_lr,
                            _c1_weight_decay_factor, epsilon, &_new_p, &_block_accumulator[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adagrad_default_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_bf16_float(accumulator[_k]), _c0_minus_lr, _c1_weight_decay_factor,
                            epsilon, &_new_p, &_block_accumulator[_i]);
                        p[_k] = _new_p;
                    }
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_adagrad_default_element_f32(p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                                                    ocg_bf16_float(accumulator[_k]), _c0_minus_lr,
                                                    _c1_weight_decay_factor, epsilon, &_new_p,
                                                    &_block_accumulator[_i]);
                    p[_k] = _new_p;
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
            }
        }
    }
    return 0;
}
