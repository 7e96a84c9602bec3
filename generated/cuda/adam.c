// generated from specs/adam.yaml by templates/cuda/optimizer.c.j2 — do not edit
/* Adam on the CPU: every tensor of a list in one call, OpenMP threads over the elements
 * and the element functions of adam.cuh inlined into a loop gcc vectorizes (build with
 * -O3 -march=native -fno-math-errno -fopenmp, and -mprefer-vector-width=512 on x86-64; without
 * -fno-math-errno sqrtf stays scalar).
 * The C API is documented in adam.h. */
#include "adam.h"
#include "ocg_state.h"

int ocg_adam_no_amsgrad_f32_cpu(ocg_tensor_list list, const double *scalars,
                                const double *grad_scale, double grad_factor, double clipvalue)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_lr_scale = -lr*sqrt(1.0 - pow(beta_2, t))/(1.0 - pow(beta_1, t)) */
    /* _c3_weight_decay_factor = -lr*weight_decay + 1.0 */
    const float _c0_one_minus_beta_1 = (float)scalars[0];
    const float _c1_one_minus_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_weight_decay_factor = (float)scalars[3];
    const float beta_1 = (float)scalars[4];
    const float beta_2 = (float)scalars[5];
    const float epsilon = (float)scalars[6];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 4;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (float *)_row[1];
        float *OCG_RESTRICT m = (float *)_row[2];
        float *OCG_RESTRICT v = (float *)_row[3];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            float _new_p, _new_m, _new_v;
            ocg_adam_no_amsgrad_element_f32(p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), m[_i],
                                            v[_i], _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                                            _c2_lr_scale, _c3_weight_decay_factor, beta_1, beta_2,
                                            epsilon, &_new_p, &_new_m, &_new_v);
            p[_i] = _new_p;
            m[_i] = _new_m;
            v[_i] = _new_v;
        }
    }
    return 0;
}

int ocg_adam_no_amsgrad_f64_cpu(ocg_tensor_list list, const double *scalars,
                                const double *grad_scale, double grad_factor, double clipvalue)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_lr_scale = -lr*sqrt(1.0 - pow(beta_2, t))/(1.0 - pow(beta_1, t)) */
    /* _c3_weight_decay_factor = -lr*weight_decay + 1.0 */
    const double _c0_one_minus_beta_1 = (double)scalars[0];
    const double _c1_one_minus_beta_2 = (double)scalars[1];
    const double _c2_lr_scale = (double)scalars[2];
    const double _c3_weight_decay_factor = (double)scalars[3];
    const double beta_1 = (double)scalars[4];
    const double beta_2 = (double)scalars[5];
    const double epsilon = (double)scalars[6];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 4;
        double *OCG_RESTRICT p = (double *)_row[0];
        const double *OCG_RESTRICT g = (double *)_row[1];
        double *OCG_RESTRICT m = (double *)_row[2];
        double *OCG_RESTRICT v = (double *)_row[3];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            double _new_p, _new_m, _new_v;
            ocg_adam_no_amsgrad_element_f64(p[_i], ocg_clip_value(g[_i] * _scale, _bound), m[_i],
                                            v[_i], _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                                            _c2_lr_scale, _c3_weight_decay_factor, beta_1, beta_2,
                                            epsilon, &_new_p, &_new_m, &_new_v);
            p[_i] = _new_p;
            m[_i] = _new_m;
            v[_i] = _new_v;
        }
    }
    return 0;
}

/* amsgrad=False, float parameters with state_precision="int8": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_adam_no_amsgrad_f32_int8_cpu(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     uint32_t step)
{
    const float _c0_one_minus_beta_1 = (float)scalars[0];
    const float _c1_one_minus_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_weight_decay_factor = (float)scalars[3];
    const float beta_1 = (float)scalars[4];
    const float beta_2 = (float)scalars[5];
    const float epsilon = (float)scalars[6];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    /* No clipvalue and no scale (the usual step): clipping to an infinite bound and scaling
     * by 1 give the gradient bit for bit (NaN included), and these kernels are bound by their
     * arithmetic on a CPU: full blocks then read g as it is. */
    const int _plain_gradient = (_scale == 1.0F) & (_bound == (float)INFINITY);
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 6;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (const float *)_row[1];
        int8_t *OCG_RESTRICT m = (int8_t *)_row[2];
        float *OCG_RESTRICT _scales_m = (float *)_row[3];
        const uint32_t _key_m = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint8_t *OCG_RESTRICT v = (uint8_t *)_row[4];
        float *OCG_RESTRICT _scales_v = (float *)_row[5];
        const uint32_t _key_v = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
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
                    ocg_prefetch(m + _ahead, OCG_STATE_BLOCK * sizeof(*m));
                    ocg_prefetch(v + _ahead, OCG_STATE_BLOCK * sizeof(*v));
                }
                float _block_m[OCG_STATE_BLOCK];
                const float _scale_m = _scales_m[_b];
                float _block_v[OCG_STATE_BLOCK];
                const float _scale_v = _scales_v[_b];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_no_amsgrad_element_f32(
                            p[_k], g[_k], ocg_signed_value(m[_k]) * _scale_m,
                            ocg_unsigned_value(v[_k]) * _scale_v, _c0_one_minus_beta_1,
                            _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor, beta_1,
                            beta_2, epsilon, &_new_p, &_block_m[_i], &_block_v[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_no_amsgrad_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_signed_value(m[_k]) * _scale_m,
                            ocg_unsigned_value(v[_k]) * _scale_v, _c0_one_minus_beta_1,
                            _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor, beta_1,
                            beta_2, epsilon, &_new_p, &_block_m[_i], &_block_v[_i]);
                        p[_k] = _new_p;
                    }
                }
                const float _absmax_m = ocg_block_absmax(_block_m, OCG_STATE_BLOCK);
                const float _inverse_m = 1.0F / (_absmax_m > 0.0F ? _absmax_m : 1.0F);
                _scales_m[_b] = _absmax_m;
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    m[_start + _i] = ocg_code_signed(_block_m[_i] * _inverse_m,
                                                     ocg_noise(_base_m, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_v = ocg_block_absmax(_block_v, OCG_STATE_BLOCK);
                const float _inverse_v = 1.0F / (_absmax_v > 0.0F ? _absmax_v : 1.0F);
                _scales_v[_b] = _absmax_v;
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    v[_start + _i] = ocg_code_unsigned(_block_v[_i] * _inverse_v,
                                                       ocg_noise(_base_v, _i, OCG_CODE_NOISE_BITS));
            } else {
                float _block_m[OCG_STATE_BLOCK];
                const float _scale_m = _scales_m[_b];
                float _block_v[OCG_STATE_BLOCK];
                const float _scale_v = _scales_v[_b];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_adam_no_amsgrad_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_signed_value(m[_k]) * _scale_m, ocg_unsigned_value(v[_k]) * _scale_v,
                        _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_lr_scale,
                        _c3_weight_decay_factor, beta_1, beta_2, epsilon, &_new_p, &_block_m[_i],
                        &_block_v[_i]);
                    p[_k] = _new_p;
                }
                const float _absmax_m = ocg_block_absmax(_block_m, _left);
                const float _inverse_m = 1.0F / (_absmax_m > 0.0F ? _absmax_m : 1.0F);
                _scales_m[_b] = _absmax_m;
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    m[_start + _i] = ocg_code_signed(_block_m[_i] * _inverse_m,
                                                     ocg_noise(_base_m, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_v = ocg_block_absmax(_block_v, _left);
                const float _inverse_v = 1.0F / (_absmax_v > 0.0F ? _absmax_v : 1.0F);
                _scales_v[_b] = _absmax_v;
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    v[_start + _i] = ocg_code_unsigned(_block_v[_i] * _inverse_v,
                                                       ocg_noise(_base_v, _i, OCG_CODE_NOISE_BITS));
            }
        }
    }
    return 0;
}

/* amsgrad=False, float parameters with state_precision="bfloat16": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_adam_no_amsgrad_f32_bf16_cpu(ocg_tensor_list list, const double *scalars,
                                     const double *grad_scale, double grad_factor, double clipvalue,
                                     uint32_t step)
{
    const float _c0_one_minus_beta_1 = (float)scalars[0];
    const float _c1_one_minus_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_weight_decay_factor = (float)scalars[3];
    const float beta_1 = (float)scalars[4];
    const float beta_2 = (float)scalars[5];
    const float epsilon = (float)scalars[6];
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
        uint16_t *OCG_RESTRICT m = (uint16_t *)_row[2];
        const uint32_t _key_m = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint16_t *OCG_RESTRICT v = (uint16_t *)_row[3];
        const uint32_t _key_v = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
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
                    ocg_prefetch(m + _ahead, OCG_STATE_BLOCK * sizeof(*m));
                    ocg_prefetch(v + _ahead, OCG_STATE_BLOCK * sizeof(*v));
                }
                float _block_m[OCG_STATE_BLOCK];
                float _block_v[OCG_STATE_BLOCK];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_no_amsgrad_element_f32(
                            p[_k], g[_k], ocg_bf16_float(m[_k]), ocg_bf16_float(v[_k]),
                            _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_lr_scale,
                            _c3_weight_decay_factor, beta_1, beta_2, epsilon, &_new_p,
                            &_block_m[_i], &_block_v[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_no_amsgrad_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound), ocg_bf16_float(m[_k]),
                            ocg_bf16_float(v[_k]), _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                            _c2_lr_scale, _c3_weight_decay_factor, beta_1, beta_2, epsilon, &_new_p,
                            &_block_m[_i], &_block_v[_i]);
                        p[_k] = _new_p;
                    }
                }
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    m[_start + _i] = ocg_bf16_stochastic(_block_m[_i], _base_m, _i);
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    v[_start + _i] = ocg_bf16_stochastic(_block_v[_i], _base_v, _i);
            } else {
                float _block_m[OCG_STATE_BLOCK];
                float _block_v[OCG_STATE_BLOCK];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_adam_no_amsgrad_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound), ocg_bf16_float(m[_k]),
                        ocg_bf16_float(v[_k]), _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                        _c2_lr_scale, _c3_weight_decay_factor, beta_1, beta_2, epsilon, &_new_p,
                        &_block_m[_i], &_block_v[_i]);
                    p[_k] = _new_p;
                }
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    m[_start + _i] = ocg_bf16_stochastic(_block_m[_i], _base_m, _i);
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    v[_start + _i] = ocg_bf16_stochastic(_block_v[_i], _base_v, _i);
            }
        }
    }
    return 0;
}

int ocg_adam_amsgrad_f32_cpu(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                             double grad_factor, double clipvalue)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_lr_scale = -lr*sqrt(1.0 - pow(beta_2, t))/(1.0 - pow(beta_1, t)) */
    /* _c3_weight_decay_factor = -lr*weight_decay + 1.0 */
    const float _c0_one_minus_beta_1 = (float)scalars[0];
    const float _c1_one_minus_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_weight_decay_factor = (float)scalars[3];
    const float beta_1 = (float)scalars[4];
    const float beta_2 = (float)scalars[5];
    const float epsilon = (float)scalars[6];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 5;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (float *)_row[1];
        float *OCG_RESTRICT m = (float *)_row[2];
        float *OCG_RESTRICT v = (float *)_row[3];
        float *OCG_RESTRICT vhat = (float *)_row[4];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            float _new_p, _new_m, _new_v, _new_vhat;
            ocg_adam_amsgrad_element_f32(
                p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), m[_i], v[_i], vhat[_i],
                _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor,
                beta_1, beta_2, epsilon, &_new_p, &_new_m, &_new_v, &_new_vhat);
            p[_i] = _new_p;
            m[_i] = _new_m;
            v[_i] = _new_v;
            vhat[_i] = _new_vhat;
        }
    }
    return 0;
}

int ocg_adam_amsgrad_f64_cpu(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                             double grad_factor, double clipvalue)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_lr_scale = -lr*sqrt(1.0 - pow(beta_2, t))/(1.0 - pow(beta_1, t)) */
    /* _c3_weight_decay_factor = -lr*weight_decay + 1.0 */
    const double _c0_one_minus_beta_1 = (double)scalars[0];
    const double _c1_one_minus_beta_2 = (double)scalars[1];
    const double _c2_lr_scale = (double)scalars[2];
    const double _c3_weight_decay_factor = (double)scalars[3];
    const double beta_1 = (double)scalars[4];
    const double beta_2 = (double)scalars[5];
    const double epsilon = (double)scalars[6];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 5;
        double *OCG_RESTRICT p = (double *)_row[0];
        const double *OCG_RESTRICT g = (double *)_row[1];
        double *OCG_RESTRICT m = (double *)_row[2];
        double *OCG_RESTRICT v = (double *)_row[3];
        double *OCG_RESTRICT vhat = (double *)_row[4];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            double _new_p, _new_m, _new_v, _new_vhat;
            ocg_adam_amsgrad_element_f64(
                p[_i], ocg_clip_value(g[_i] * _scale, _bound), m[_i], v[_i], vhat[_i],
                _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor,
                beta_1, beta_2, epsilon, &_new_p, &_new_m, &_new_v, &_new_vhat);
            p[_i] = _new_p;
            m[_i] = _new_m;
            v[_i] = _new_v;
            vhat[_i] = _new_vhat;
        }
    }
    return 0;
}

/* amsgrad=True, float parameters with state_precision="int8": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_adam_amsgrad_f32_int8_cpu(ocg_tensor_list list, const double *scalars,
                                  const double *grad_scale, double grad_factor, double clipvalue,
                                  uint32_t step)
{
    const float _c0_one_minus_beta_1 = (float)scalars[0];
    const float _c1_one_minus_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_weight_decay_factor = (float)scalars[3];
    const float beta_1 = (float)scalars[4];
    const float beta_2 = (float)scalars[5];
    const float epsilon = (float)scalars[6];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    /* No clipvalue and no scale (the usual step): clipping to an infinite bound and scaling
     * by 1 give the gradient bit for bit (NaN included), and these kernels are bound by their
     * arithmetic on a CPU: full blocks then read g as it is. */
    const int _plain_gradient = (_scale == 1.0F) & (_bound == (float)INFINITY);
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 8;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (const float *)_row[1];
        int8_t *OCG_RESTRICT m = (int8_t *)_row[2];
        float *OCG_RESTRICT _scales_m = (float *)_row[3];
        const uint32_t _key_m = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint8_t *OCG_RESTRICT v = (uint8_t *)_row[4];
        float *OCG_RESTRICT _scales_v = (float *)_row[5];
        const uint32_t _key_v = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
        uint8_t *OCG_RESTRICT vhat = (uint8_t *)_row[6];
        float *OCG_RESTRICT _scales_vhat = (float *)_row[7];
        const uint32_t _key_vhat = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)2);
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
                    ocg_prefetch(m + _ahead, OCG_STATE_BLOCK * sizeof(*m));
                    ocg_prefetch(v + _ahead, OCG_STATE_BLOCK * sizeof(*v));
                    ocg_prefetch(vhat + _ahead, OCG_STATE_BLOCK * sizeof(*vhat));
                }
                float _block_m[OCG_STATE_BLOCK];
                const float _scale_m = _scales_m[_b];
                float _block_v[OCG_STATE_BLOCK];
                const float _scale_v = _scales_v[_b];
                float _block_vhat[OCG_STATE_BLOCK];
                const float _scale_vhat = _scales_vhat[_b];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_amsgrad_element_f32(
                            p[_k], g[_k], ocg_signed_value(m[_k]) * _scale_m,
                            ocg_unsigned_value(v[_k]) * _scale_v,
                            ocg_unsigned_value(vhat[_k]) * _scale_vhat, _c0_one_minus_beta_1,
                            _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor, beta_1,
                            beta_2, epsilon, &_new_p, &_block_m[_i], &_block_v[_i],
                            &_block_vhat[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_amsgrad_element_f32(p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                                                     ocg_signed_value(m[_k]) * _scale_m,
                                                     ocg_unsigned_value(v[_k]) * _scale_v,
                                                     ocg_unsigned_value(vhat[_k]) * _scale_vhat,
                                                     _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                                                     _c2_lr_scale, _c3_weight_decay_factor, beta_1,
                                                     beta_2, epsilon, &_new_p, &_block_m[_i],
                                                     &_block_v[_i], &_block_vhat[_i]);
                        p[_k] = _new_p;
                    }
                }
                const float _absmax_m = ocg_block_absmax(_block_m, OCG_STATE_BLOCK);
                const float _inverse_m = 1.0F / (_absmax_m > 0.0F ? _absmax_m : 1.0F);
                _scales_m[_b] = _absmax_m;
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    m[_start + _i] = ocg_code_signed(_block_m[_i] * _inverse_m,
                                                     ocg_noise(_base_m, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_v = ocg_block_absmax(_block_v, OCG_STATE_BLOCK);
                const float _inverse_v = 1.0F / (_absmax_v > 0.0F ? _absmax_v : 1.0F);
                _scales_v[_b] = _absmax_v;
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    v[_start + _i] = ocg_code_unsigned(_block_v[_i] * _inverse_v,
                                                       ocg_noise(_base_v, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_vhat = ocg_block_absmax(_block_vhat, OCG_STATE_BLOCK);
                const float _inverse_vhat = 1.0F / (_absmax_vhat > 0.0F ? _absmax_vhat : 1.0F);
                _scales_vhat[_b] = _absmax_vhat;
                const uint32_t _base_vhat = ocg_noise_base(_key_vhat, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    vhat[_start + _i] =
                        ocg_code_unsigned(_block_vhat[_i] * _inverse_vhat,
                                          ocg_noise(_base_vhat, _i, OCG_CODE_NOISE_BITS));
            } else {
                float _block_m[OCG_STATE_BLOCK];
                const float _scale_m = _scales_m[_b];
                float _block_v[OCG_STATE_BLOCK];
                const float _scale_v = _scales_v[_b];
                float _block_vhat[OCG_STATE_BLOCK];
                const float _scale_vhat = _scales_vhat[_b];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_adam_amsgrad_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_signed_value(m[_k]) * _scale_m, ocg_unsigned_value(v[_k]) * _scale_v,
                        ocg_unsigned_value(vhat[_k]) * _scale_vhat, _c0_one_minus_beta_1,
                        _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor, beta_1, beta_2,
                        epsilon, &_new_p, &_block_m[_i], &_block_v[_i], &_block_vhat[_i]);
                    p[_k] = _new_p;
                }
                const float _absmax_m = ocg_block_absmax(_block_m, _left);
                const float _inverse_m = 1.0F / (_absmax_m > 0.0F ? _absmax_m : 1.0F);
                _scales_m[_b] = _absmax_m;
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    m[_start + _i] = ocg_code_signed(_block_m[_i] * _inverse_m,
                                                     ocg_noise(_base_m, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_v = ocg_block_absmax(_block_v, _left);
                const float _inverse_v = 1.0F / (_absmax_v > 0.0F ? _absmax_v : 1.0F);
                _scales_v[_b] = _absmax_v;
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    v[_start + _i] = ocg_code_unsigned(_block_v[_i] * _inverse_v,
                                                       ocg_noise(_base_v, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_vhat = ocg_block_absmax(_block_vhat, _left);
                const float _inverse_vhat = 1.0F / (_absmax_vhat > 0.0F ? _absmax_vhat : 1.0F);
                _scales_vhat[_b] = _absmax_vhat;
                const uint32_t _base_vhat = ocg_noise_base(_key_vhat, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    vhat[_start + _i] =
                        ocg_code_unsigned(_block_vhat[_i] * _inverse_vhat,
                                          ocg_noise(_base_vhat, _i, OCG_CODE_NOISE_BITS));
            }
        }
    }
    return 0;
}

/* amsgrad=True, float parameters with state_precision="bfloat16": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_adam_amsgrad_f32_bf16_cpu(ocg_tensor_list list, const double *scalars,
                                  const double *grad_scale, double grad_factor, double clipvalue,
                                  uint32_t step)
{
    const float _c0_one_minus_beta_1 = (float)scalars[0];
    const float _c1_one_minus_beta_2 = (float)scalars[1];
    const float _c2_lr_scale = (float)scalars[2];
    const float _c3_weight_decay_factor = (float)scalars[3];
    const float beta_1 = (float)scalars[4];
    const float beta_2 = (float)scalars[5];
    const float epsilon = (float)scalars[6];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    /* No clipvalue and no scale (the usual step): clipping to an infinite bound and scaling
     * by 1 give the gradient bit for bit (NaN included), and these kernels are bound by their
     * arithmetic on a CPU: full blocks then read g as it is. */
    const int _plain_gradient = (_scale == 1.0F) & (_bound == (float)INFINITY);
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 5;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (const float *)_row[1];
        uint16_t *OCG_RESTRICT m = (uint16_t *)_row[2];
        const uint32_t _key_m = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint16_t *OCG_RESTRICT v = (uint16_t *)_row[3];
        const uint32_t _key_v = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
        uint16_t *OCG_RESTRICT vhat = (uint16_t *)_row[4];
        const uint32_t _key_vhat = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)2);
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
                    ocg_prefetch(m + _ahead, OCG_STATE_BLOCK * sizeof(*m));
                    ocg_prefetch(v + _ahead, OCG_STATE_BLOCK * sizeof(*v));
                    ocg_prefetch(vhat + _ahead, OCG_STATE_BLOCK * sizeof(*vhat));
                }
                float _block_m[OCG_STATE_BLOCK];
                float _block_v[OCG_STATE_BLOCK];
                float _block_vhat[OCG_STATE_BLOCK];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_amsgrad_element_f32(
                            p[_k], g[_k], ocg_bf16_float(m[_k]), ocg_bf16_float(v[_k]),
                            ocg_bf16_float(vhat[_k]), _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                            _c2_lr_scale, _c3_weight_decay_factor, beta_1, beta_2, epsilon, &_new_p,
                            &_block_m[_i], &_block_v[_i], &_block_vhat[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_adam_amsgrad_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound), ocg_bf16_float(m[_k]),
                            ocg_bf16_float(v[_k]), ocg_bf16_float(vhat[_k]), _c0_one_minus_beta_1,
                            _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor, beta_1,
                            beta_2, epsilon, &_new_p, &_block_m[_i], &_block_v[_i],
                            &_block_vhat[_i]);
                        p[_k] = _new_p;
                    }
                }
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    m[_start + _i] = ocg_bf16_stochastic(_block_m[_i], _base_m, _i);
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    v[_start + _i] = ocg_bf16_stochastic(_block_v[_i], _base_v, _i);
                const uint32_t _base_vhat = ocg_noise_base(_key_vhat, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    vhat[_start + _i] = ocg_bf16_stochastic(_block_vhat[_i], _base_vhat, _i);
            } else {
                float _block_m[OCG_STATE_BLOCK];
                float _block_v[OCG_STATE_BLOCK];
                float _block_vhat[OCG_STATE_BLOCK];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_adam_amsgrad_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound), ocg_bf16_float(m[_k]),
                        ocg_bf16_float(v[_k]), ocg_bf16_float(vhat[_k]), _c0_one_minus_beta_1,
                        _c1_one_minus_beta_2, _c2_lr_scale, _c3_weight_decay_factor, beta_1, beta_2,
                        epsilon, &_new_p, &_block_m[_i], &_block_v[_i], &_block_vhat[_i]);
                    p[_k] = _new_p;
                }
                const uint32_t _base_m = ocg_noise_base(_key_m, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    m[_start + _i] = ocg_bf16_stochastic(_block_m[_i], _base_m, _i);
                const uint32_t _base_v = ocg_noise_base(_key_v, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    v[_start + _i] = ocg_bf16_stochastic(_block_v[_i], _base_v, _i);
                const uint32_t _base_vhat = ocg_noise_base(_key_vhat, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    vhat[_start + _i] = ocg_bf16_stochastic(_block_vhat[_i], _base_vhat, _i);
            }
        }
    }
    return 0;
}
