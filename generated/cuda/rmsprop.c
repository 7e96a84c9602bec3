// generated from specs/rmsprop.yaml by templates/cuda/optimizer.c.j2 — do not edit
/* RMSprop on the CPU: every tensor of a list in one call, OpenMP threads over the elements
 * and the element functions of rmsprop.cuh inlined into a loop gcc vectorizes (build with
 * -O3 -march=native -fno-math-errno -fopenmp, and -mprefer-vector-width=512 on x86-64; without
 * -fno-math-errno sqrtf stays scalar).
 * The C API is documented in rmsprop.h. */
#include "rmsprop.h"
#include "ocg_state.h"

int ocg_rmsprop_no_centered__no_momentum_on_f32_cpu(ocg_tensor_list list, const double *scalars,
                                                    const double *grad_scale, double grad_factor,
                                                    double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float rho = (float)scalars[4];
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
            ocg_rmsprop_no_centered__no_momentum_on_element_f32(
                p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), accumulator[_i], _c0_one_minus_rho,
                _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho, &_new_p, &_new_accumulator);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
        }
    }
    return 0;
}

int ocg_rmsprop_no_centered__no_momentum_on_f64_cpu(ocg_tensor_list list, const double *scalars,
                                                    const double *grad_scale, double grad_factor,
                                                    double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const double _c0_one_minus_rho = (double)scalars[0];
    const double _c1_minus_lr = (double)scalars[1];
    const double _c2_weight_decay_factor = (double)scalars[2];
    const double epsilon = (double)scalars[3];
    const double rho = (double)scalars[4];
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
            ocg_rmsprop_no_centered__no_momentum_on_element_f64(
                p[_i], ocg_clip_value(g[_i] * _scale, _bound), accumulator[_i], _c0_one_minus_rho,
                _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho, &_new_p, &_new_accumulator);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
        }
    }
    return 0;
}

/* centered=False, momentum_on=False, float parameters with state_precision="int8": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_no_centered__no_momentum_on_f32_int8_cpu(ocg_tensor_list list,
                                                         const double *scalars,
                                                         const double *grad_scale,
                                                         double grad_factor, double clipvalue,
                                                         uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float rho = (float)scalars[4];
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
        int8_t *OCG_RESTRICT accumulator = (int8_t *)_row[2];
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
                        ocg_rmsprop_no_centered__no_momentum_on_element_f32(
                            p[_k], g[_k], ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho,
                            &_new_p, &_block_accumulator[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_no_centered__no_momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho,
                            &_new_p, &_block_accumulator[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_rmsprop_no_centered__no_momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_signed_value(accumulator[_k]) * _scale_accumulator, _c0_one_minus_rho,
                        _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho, &_new_p,
                        &_block_accumulator[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
            }
        }
    }
    return 0;
}

/* centered=False, momentum_on=False, float parameters with state_precision="bfloat16": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_no_centered__no_momentum_on_f32_bf16_cpu(ocg_tensor_list list,
                                                         const double *scalars,
                                                         const double *grad_scale,
                                                         double grad_factor, double clipvalue,
                                                         uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float rho = (float)scalars[4];
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
                        ocg_rmsprop_no_centered__no_momentum_on_element_f32(
                            p[_k], g[_k], ocg_bf16_float(accumulator[_k]), _c0_one_minus_rho,
                            _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho, &_new_p,
                            &_block_accumulator[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_no_centered__no_momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_bf16_float(accumulator[_k]), _c0_one_minus_rho, _c1_minus_lr,
                            _c2_weight_decay_factor, epsilon, rho, &_new_p,
                            &_block_accumulator[_i]);
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
                    ocg_rmsprop_no_centered__no_momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_bf16_float(accumulator[_k]), _c0_one_minus_rho, _c1_minus_lr,
                        _c2_weight_decay_factor, epsilon, rho, &_new_p, &_block_accumulator[_i]);
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

int ocg_rmsprop_no_centered__momentum_on_f32_cpu(ocg_tensor_list list, const double *scalars,
                                                 const double *grad_scale, double grad_factor,
                                                 double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float momentum = (float)scalars[4];
    const float rho = (float)scalars[5];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 4;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (float *)_row[1];
        float *OCG_RESTRICT accumulator = (float *)_row[2];
        float *OCG_RESTRICT momentum_buffer = (float *)_row[3];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            float _new_p, _new_accumulator, _new_momentum_buffer;
            ocg_rmsprop_no_centered__momentum_on_element_f32(
                p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), accumulator[_i],
                momentum_buffer[_i], _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor,
                epsilon, momentum, rho, &_new_p, &_new_accumulator, &_new_momentum_buffer);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
            momentum_buffer[_i] = _new_momentum_buffer;
        }
    }
    return 0;
}

int ocg_rmsprop_no_centered__momentum_on_f64_cpu(ocg_tensor_list list, const double *scalars,
                                                 const double *grad_scale, double grad_factor,
                                                 double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const double _c0_one_minus_rho = (double)scalars[0];
    const double _c1_minus_lr = (double)scalars[1];
    const double _c2_weight_decay_factor = (double)scalars[2];
    const double epsilon = (double)scalars[3];
    const double momentum = (double)scalars[4];
    const double rho = (double)scalars[5];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 4;
        double *OCG_RESTRICT p = (double *)_row[0];
        const double *OCG_RESTRICT g = (double *)_row[1];
        double *OCG_RESTRICT accumulator = (double *)_row[2];
        double *OCG_RESTRICT momentum_buffer = (double *)_row[3];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            double _new_p, _new_accumulator, _new_momentum_buffer;
            ocg_rmsprop_no_centered__momentum_on_element_f64(
                p[_i], ocg_clip_value(g[_i] * _scale, _bound), accumulator[_i], momentum_buffer[_i],
                _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho,
                &_new_p, &_new_accumulator, &_new_momentum_buffer);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
            momentum_buffer[_i] = _new_momentum_buffer;
        }
    }
    return 0;
}

/* centered=False, momentum_on=True, float parameters with state_precision="int8": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_no_centered__momentum_on_f32_int8_cpu(ocg_tensor_list list, const double *scalars,
                                                      const double *grad_scale, double grad_factor,
                                                      double clipvalue, uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float momentum = (float)scalars[4];
    const float rho = (float)scalars[5];
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
        int8_t *OCG_RESTRICT accumulator = (int8_t *)_row[2];
        float *OCG_RESTRICT _scales_accumulator = (float *)_row[3];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        int8_t *OCG_RESTRICT momentum_buffer = (int8_t *)_row[4];
        float *OCG_RESTRICT _scales_momentum_buffer = (float *)_row[5];
        const uint32_t _key_momentum_buffer =
            ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
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
                    ocg_prefetch(momentum_buffer + _ahead,
                                 OCG_STATE_BLOCK * sizeof(*momentum_buffer));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
                const float _scale_momentum_buffer = _scales_momentum_buffer[_b];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_no_centered__momentum_on_element_f32(
                            p[_k], g[_k], ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            ocg_signed_value(momentum_buffer[_k]) * _scale_momentum_buffer,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon,
                            momentum, rho, &_new_p, &_block_accumulator[_i],
                            &_block_momentum_buffer[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_no_centered__momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            ocg_signed_value(momentum_buffer[_k]) * _scale_momentum_buffer,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon,
                            momentum, rho, &_new_p, &_block_accumulator[_i],
                            &_block_momentum_buffer[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_momentum_buffer =
                    ocg_block_absmax(_block_momentum_buffer, OCG_STATE_BLOCK);
                const float _inverse_momentum_buffer =
                    1.0F / (_absmax_momentum_buffer > 0.0F ? _absmax_momentum_buffer : 1.0F);
                _scales_momentum_buffer[_b] = _absmax_momentum_buffer;
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_code_signed(_block_momentum_buffer[_i] * _inverse_momentum_buffer,
                                        ocg_noise(_base_momentum_buffer, _i, OCG_CODE_NOISE_BITS));
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
                const float _scale_momentum_buffer = _scales_momentum_buffer[_b];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_rmsprop_no_centered__momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                        ocg_signed_value(momentum_buffer[_k]) * _scale_momentum_buffer,
                        _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum,
                        rho, &_new_p, &_block_accumulator[_i], &_block_momentum_buffer[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_momentum_buffer =
                    ocg_block_absmax(_block_momentum_buffer, _left);
                const float _inverse_momentum_buffer =
                    1.0F / (_absmax_momentum_buffer > 0.0F ? _absmax_momentum_buffer : 1.0F);
                _scales_momentum_buffer[_b] = _absmax_momentum_buffer;
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_code_signed(_block_momentum_buffer[_i] * _inverse_momentum_buffer,
                                        ocg_noise(_base_momentum_buffer, _i, OCG_CODE_NOISE_BITS));
            }
        }
    }
    return 0;
}

/* centered=False, momentum_on=True, float parameters with state_precision="bfloat16": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_no_centered__momentum_on_f32_bf16_cpu(ocg_tensor_list list, const double *scalars,
                                                      const double *grad_scale, double grad_factor,
                                                      double clipvalue, uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float momentum = (float)scalars[4];
    const float rho = (float)scalars[5];
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
        uint16_t *OCG_RESTRICT accumulator = (uint16_t *)_row[2];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint16_t *OCG_RESTRICT momentum_buffer = (uint16_t *)_row[3];
        const uint32_t _key_momentum_buffer =
            ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
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
                    ocg_prefetch(momentum_buffer + _ahead,
                                 OCG_STATE_BLOCK * sizeof(*momentum_buffer));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_no_centered__momentum_on_element_f32(
                            p[_k], g[_k], ocg_bf16_float(accumulator[_k]),
                            ocg_bf16_float(momentum_buffer[_k]), _c0_one_minus_rho, _c1_minus_lr,
                            _c2_weight_decay_factor, epsilon, momentum, rho, &_new_p,
                            &_block_accumulator[_i], &_block_momentum_buffer[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_no_centered__momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_bf16_float(accumulator[_k]), ocg_bf16_float(momentum_buffer[_k]),
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon,
                            momentum, rho, &_new_p, &_block_accumulator[_i],
                            &_block_momentum_buffer[_i]);
                        p[_k] = _new_p;
                    }
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_bf16_stochastic(_block_momentum_buffer[_i], _base_momentum_buffer, _i);
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_rmsprop_no_centered__momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_bf16_float(accumulator[_k]), ocg_bf16_float(momentum_buffer[_k]),
                        _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum,
                        rho, &_new_p, &_block_accumulator[_i], &_block_momentum_buffer[_i]);
                    p[_k] = _new_p;
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_bf16_stochastic(_block_momentum_buffer[_i], _base_momentum_buffer, _i);
            }
        }
    }
    return 0;
}

int ocg_rmsprop_centered__no_momentum_on_f32_cpu(ocg_tensor_list list, const double *scalars,
                                                 const double *grad_scale, double grad_factor,
                                                 double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float rho = (float)scalars[4];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 4;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (float *)_row[1];
        float *OCG_RESTRICT accumulator = (float *)_row[2];
        float *OCG_RESTRICT mean_gradient = (float *)_row[3];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            float _new_p, _new_accumulator, _new_mean_gradient;
            ocg_rmsprop_centered__no_momentum_on_element_f32(
                p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), accumulator[_i], mean_gradient[_i],
                _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho, &_new_p,
                &_new_accumulator, &_new_mean_gradient);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
            mean_gradient[_i] = _new_mean_gradient;
        }
    }
    return 0;
}

int ocg_rmsprop_centered__no_momentum_on_f64_cpu(ocg_tensor_list list, const double *scalars,
                                                 const double *grad_scale, double grad_factor,
                                                 double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const double _c0_one_minus_rho = (double)scalars[0];
    const double _c1_minus_lr = (double)scalars[1];
    const double _c2_weight_decay_factor = (double)scalars[2];
    const double epsilon = (double)scalars[3];
    const double rho = (double)scalars[4];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 4;
        double *OCG_RESTRICT p = (double *)_row[0];
        const double *OCG_RESTRICT g = (double *)_row[1];
        double *OCG_RESTRICT accumulator = (double *)_row[2];
        double *OCG_RESTRICT mean_gradient = (double *)_row[3];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            double _new_p, _new_accumulator, _new_mean_gradient;
            ocg_rmsprop_centered__no_momentum_on_element_f64(
                p[_i], ocg_clip_value(g[_i] * _scale, _bound), accumulator[_i], mean_gradient[_i],
                _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho, &_new_p,
                &_new_accumulator, &_new_mean_gradient);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
            mean_gradient[_i] = _new_mean_gradient;
        }
    }
    return 0;
}

/* centered=True, momentum_on=False, float parameters with state_precision="int8": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_centered__no_momentum_on_f32_int8_cpu(ocg_tensor_list list, const double *scalars,
                                                      const double *grad_scale, double grad_factor,
                                                      double clipvalue, uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float rho = (float)scalars[4];
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
        int8_t *OCG_RESTRICT accumulator = (int8_t *)_row[2];
        float *OCG_RESTRICT _scales_accumulator = (float *)_row[3];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        int8_t *OCG_RESTRICT mean_gradient = (int8_t *)_row[4];
        float *OCG_RESTRICT _scales_mean_gradient = (float *)_row[5];
        const uint32_t _key_mean_gradient = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
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
                    ocg_prefetch(mean_gradient + _ahead, OCG_STATE_BLOCK * sizeof(*mean_gradient));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
                float _block_mean_gradient[OCG_STATE_BLOCK];
                const float _scale_mean_gradient = _scales_mean_gradient[_b];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__no_momentum_on_element_f32(
                            p[_k], g[_k], ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            ocg_signed_value(mean_gradient[_k]) * _scale_mean_gradient,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho,
                            &_new_p, &_block_accumulator[_i], &_block_mean_gradient[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__no_momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            ocg_signed_value(mean_gradient[_k]) * _scale_mean_gradient,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho,
                            &_new_p, &_block_accumulator[_i], &_block_mean_gradient[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_mean_gradient =
                    ocg_block_absmax(_block_mean_gradient, OCG_STATE_BLOCK);
                const float _inverse_mean_gradient =
                    1.0F / (_absmax_mean_gradient > 0.0F ? _absmax_mean_gradient : 1.0F);
                _scales_mean_gradient[_b] = _absmax_mean_gradient;
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_code_signed(_block_mean_gradient[_i] * _inverse_mean_gradient,
                                        ocg_noise(_base_mean_gradient, _i, OCG_CODE_NOISE_BITS));
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
                float _block_mean_gradient[OCG_STATE_BLOCK];
                const float _scale_mean_gradient = _scales_mean_gradient[_b];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_rmsprop_centered__no_momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                        ocg_signed_value(mean_gradient[_k]) * _scale_mean_gradient,
                        _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho,
                        &_new_p, &_block_accumulator[_i], &_block_mean_gradient[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_mean_gradient = ocg_block_absmax(_block_mean_gradient, _left);
                const float _inverse_mean_gradient =
                    1.0F / (_absmax_mean_gradient > 0.0F ? _absmax_mean_gradient : 1.0F);
                _scales_mean_gradient[_b] = _absmax_mean_gradient;
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_code_signed(_block_mean_gradient[_i] * _inverse_mean_gradient,
                                        ocg_noise(_base_mean_gradient, _i, OCG_CODE_NOISE_BITS));
            }
        }
    }
    return 0;
}

/* centered=True, momentum_on=False, float parameters with state_precision="bfloat16": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_centered__no_momentum_on_f32_bf16_cpu(ocg_tensor_list list, const double *scalars,
                                                      const double *grad_scale, double grad_factor,
                                                      double clipvalue, uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float rho = (float)scalars[4];
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
        uint16_t *OCG_RESTRICT accumulator = (uint16_t *)_row[2];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint16_t *OCG_RESTRICT mean_gradient = (uint16_t *)_row[3];
        const uint32_t _key_mean_gradient = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
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
                    ocg_prefetch(mean_gradient + _ahead, OCG_STATE_BLOCK * sizeof(*mean_gradient));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                float _block_mean_gradient[OCG_STATE_BLOCK];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__no_momentum_on_element_f32(
                            p[_k], g[_k], ocg_bf16_float(accumulator[_k]),
                            ocg_bf16_float(mean_gradient[_k]), _c0_one_minus_rho, _c1_minus_lr,
                            _c2_weight_decay_factor, epsilon, rho, &_new_p, &_block_accumulator[_i],
                            &_block_mean_gradient[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__no_momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_bf16_float(accumulator[_k]), ocg_bf16_float(mean_gradient[_k]),
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho,
                            &_new_p, &_block_accumulator[_i], &_block_mean_gradient[_i]);
                        p[_k] = _new_p;
                    }
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_bf16_stochastic(_block_mean_gradient[_i], _base_mean_gradient, _i);
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                float _block_mean_gradient[OCG_STATE_BLOCK];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_rmsprop_centered__no_momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_bf16_float(accumulator[_k]), ocg_bf16_float(mean_gradient[_k]),
                        _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho,
                        &_new_p, &_block_accumulator[_i], &_block_mean_gradient[_i]);
                    p[_k] = _new_p;
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_bf16_stochastic(_block_mean_gradient[_i], _base_mean_gradient, _i);
            }
        }
    }
    return 0;
}

int ocg_rmsprop_centered__momentum_on_f32_cpu(ocg_tensor_list list, const double *scalars,
                                              const double *grad_scale, double grad_factor,
                                              double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float momentum = (float)scalars[4];
    const float rho = (float)scalars[5];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 5;
        float *OCG_RESTRICT p = (float *)_row[0];
        const float *OCG_RESTRICT g = (float *)_row[1];
        float *OCG_RESTRICT accumulator = (float *)_row[2];
        float *OCG_RESTRICT mean_gradient = (float *)_row[3];
        float *OCG_RESTRICT momentum_buffer = (float *)_row[4];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            float _new_p, _new_accumulator, _new_mean_gradient, _new_momentum_buffer;
            ocg_rmsprop_centered__momentum_on_element_f32(
                p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), accumulator[_i], mean_gradient[_i],
                momentum_buffer[_i], _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor,
                epsilon, momentum, rho, &_new_p, &_new_accumulator, &_new_mean_gradient,
                &_new_momentum_buffer);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
            mean_gradient[_i] = _new_mean_gradient;
            momentum_buffer[_i] = _new_momentum_buffer;
        }
    }
    return 0;
}

int ocg_rmsprop_centered__momentum_on_f64_cpu(ocg_tensor_list list, const double *scalars,
                                              const double *grad_scale, double grad_factor,
                                              double clipvalue)
{
    /* _c0_one_minus_rho = 1.0 - rho */
    /* _c1_minus_lr = -lr */
    /* _c2_weight_decay_factor = -lr*weight_decay + 1.0 */
    const double _c0_one_minus_rho = (double)scalars[0];
    const double _c1_minus_lr = (double)scalars[1];
    const double _c2_weight_decay_factor = (double)scalars[2];
    const double epsilon = (double)scalars[3];
    const double momentum = (double)scalars[4];
    const double rho = (double)scalars[5];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
#pragma omp parallel
    for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
        void *const *_row = list.pointers + _tensor * 5;
        double *OCG_RESTRICT p = (double *)_row[0];
        const double *OCG_RESTRICT g = (double *)_row[1];
        double *OCG_RESTRICT accumulator = (double *)_row[2];
        double *OCG_RESTRICT mean_gradient = (double *)_row[3];
        double *OCG_RESTRICT momentum_buffer = (double *)_row[4];
        const int64_t _n = list.numel[_tensor];
#pragma omp for simd schedule(static) nowait
        for (int64_t _i = 0; _i < _n; ++_i) {
            double _new_p, _new_accumulator, _new_mean_gradient, _new_momentum_buffer;
            ocg_rmsprop_centered__momentum_on_element_f64(
                p[_i], ocg_clip_value(g[_i] * _scale, _bound), accumulator[_i], mean_gradient[_i],
                momentum_buffer[_i], _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor,
                epsilon, momentum, rho, &_new_p, &_new_accumulator, &_new_mean_gradient,
                &_new_momentum_buffer);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
            mean_gradient[_i] = _new_mean_gradient;
            momentum_buffer[_i] = _new_momentum_buffer;
        }
    }
    return 0;
}

/* centered=True, momentum_on=True, float parameters with state_precision="int8": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_centered__momentum_on_f32_int8_cpu(ocg_tensor_list list, const double *scalars,
                                                   const double *grad_scale, double grad_factor,
                                                   double clipvalue, uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float momentum = (float)scalars[4];
    const float rho = (float)scalars[5];
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
        int8_t *OCG_RESTRICT accumulator = (int8_t *)_row[2];
        float *OCG_RESTRICT _scales_accumulator = (float *)_row[3];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        int8_t *OCG_RESTRICT mean_gradient = (int8_t *)_row[4];
        float *OCG_RESTRICT _scales_mean_gradient = (float *)_row[5];
        const uint32_t _key_mean_gradient = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
        int8_t *OCG_RESTRICT momentum_buffer = (int8_t *)_row[6];
        float *OCG_RESTRICT _scales_momentum_buffer = (float *)_row[7];
        const uint32_t _key_momentum_buffer =
            ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)2);
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
                    ocg_prefetch(mean_gradient + _ahead, OCG_STATE_BLOCK * sizeof(*mean_gradient));
                    ocg_prefetch(momentum_buffer + _ahead,
                                 OCG_STATE_BLOCK * sizeof(*momentum_buffer));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
                float _block_mean_gradient[OCG_STATE_BLOCK];
                const float _scale_mean_gradient = _scales_mean_gradient[_b];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
                const float _scale_momentum_buffer = _scales_momentum_buffer[_b];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__momentum_on_element_f32(
                            p[_k], g[_k], ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            ocg_signed_value(mean_gradient[_k]) * _scale_mean_gradient,
                            ocg_signed_value(momentum_buffer[_k]) * _scale_momentum_buffer,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon,
                            momentum, rho, &_new_p, &_block_accumulator[_i],
                            &_block_mean_gradient[_i], &_block_momentum_buffer[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                            ocg_signed_value(mean_gradient[_k]) * _scale_mean_gradient,
                            ocg_signed_value(momentum_buffer[_k]) * _scale_momentum_buffer,
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon,
                            momentum, rho, &_new_p, &_block_accumulator[_i],
                            &_block_mean_gradient[_i], &_block_momentum_buffer[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_mean_gradient =
                    ocg_block_absmax(_block_mean_gradient, OCG_STATE_BLOCK);
                const float _inverse_mean_gradient =
                    1.0F / (_absmax_mean_gradient > 0.0F ? _absmax_mean_gradient : 1.0F);
                _scales_mean_gradient[_b] = _absmax_mean_gradient;
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_code_signed(_block_mean_gradient[_i] * _inverse_mean_gradient,
                                        ocg_noise(_base_mean_gradient, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_momentum_buffer =
                    ocg_block_absmax(_block_momentum_buffer, OCG_STATE_BLOCK);
                const float _inverse_momentum_buffer =
                    1.0F / (_absmax_momentum_buffer > 0.0F ? _absmax_momentum_buffer : 1.0F);
                _scales_momentum_buffer[_b] = _absmax_momentum_buffer;
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_code_signed(_block_momentum_buffer[_i] * _inverse_momentum_buffer,
                                        ocg_noise(_base_momentum_buffer, _i, OCG_CODE_NOISE_BITS));
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                const float _scale_accumulator = _scales_accumulator[_b];
                float _block_mean_gradient[OCG_STATE_BLOCK];
                const float _scale_mean_gradient = _scales_mean_gradient[_b];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
                const float _scale_momentum_buffer = _scales_momentum_buffer[_b];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_rmsprop_centered__momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_signed_value(accumulator[_k]) * _scale_accumulator,
                        ocg_signed_value(mean_gradient[_k]) * _scale_mean_gradient,
                        ocg_signed_value(momentum_buffer[_k]) * _scale_momentum_buffer,
                        _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum,
                        rho, &_new_p, &_block_accumulator[_i], &_block_mean_gradient[_i],
                        &_block_momentum_buffer[_i]);
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
                        ocg_code_signed(_block_accumulator[_i] * _inverse_accumulator,
                                        ocg_noise(_base_accumulator, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_mean_gradient = ocg_block_absmax(_block_mean_gradient, _left);
                const float _inverse_mean_gradient =
                    1.0F / (_absmax_mean_gradient > 0.0F ? _absmax_mean_gradient : 1.0F);
                _scales_mean_gradient[_b] = _absmax_mean_gradient;
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_code_signed(_block_mean_gradient[_i] * _inverse_mean_gradient,
                                        ocg_noise(_base_mean_gradient, _i, OCG_CODE_NOISE_BITS));
                const float _absmax_momentum_buffer =
                    ocg_block_absmax(_block_momentum_buffer, _left);
                const float _inverse_momentum_buffer =
                    1.0F / (_absmax_momentum_buffer > 0.0F ? _absmax_momentum_buffer : 1.0F);
                _scales_momentum_buffer[_b] = _absmax_momentum_buffer;
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_code_signed(_block_momentum_buffer[_i] * _inverse_momentum_buffer,
                                        ocg_noise(_base_momentum_buffer, _i, OCG_CODE_NOISE_BITS));
            }
        }
    }
    return 0;
}

/* centered=True, momentum_on=True, float parameters with state_precision="bfloat16": blocks of
 * OCG_STATE_BLOCK elements, their state decoded, updated in float and encoded (ocg_state.h). */
int ocg_rmsprop_centered__momentum_on_f32_bf16_cpu(ocg_tensor_list list, const double *scalars,
                                                   const double *grad_scale, double grad_factor,
                                                   double clipvalue, uint32_t step)
{
    const float _c0_one_minus_rho = (float)scalars[0];
    const float _c1_minus_lr = (float)scalars[1];
    const float _c2_weight_decay_factor = (float)scalars[2];
    const float epsilon = (float)scalars[3];
    const float momentum = (float)scalars[4];
    const float rho = (float)scalars[5];
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
        uint16_t *OCG_RESTRICT accumulator = (uint16_t *)_row[2];
        const uint32_t _key_accumulator = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)0);
        uint16_t *OCG_RESTRICT mean_gradient = (uint16_t *)_row[3];
        const uint32_t _key_mean_gradient = ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)1);
        uint16_t *OCG_RESTRICT momentum_buffer = (uint16_t *)_row[4];
        const uint32_t _key_momentum_buffer =
            ocg_rounding_key(step, (uint32_t)_tensor, (uint32_t)2);
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
                    ocg_prefetch(mean_gradient + _ahead, OCG_STATE_BLOCK * sizeof(*mean_gradient));
                    ocg_prefetch(momentum_buffer + _ahead,
                                 OCG_STATE_BLOCK * sizeof(*momentum_buffer));
                }
                float _block_accumulator[OCG_STATE_BLOCK];
                float _block_mean_gradient[OCG_STATE_BLOCK];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
                if (_plain_gradient) {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__momentum_on_element_f32(
                            p[_k], g[_k], ocg_bf16_float(accumulator[_k]),
                            ocg_bf16_float(mean_gradient[_k]), ocg_bf16_float(momentum_buffer[_k]),
                            _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon,
                            momentum, rho, &_new_p, &_block_accumulator[_i],
                            &_block_mean_gradient[_i], &_block_momentum_buffer[_i]);
                        p[_k] = _new_p;
                    }
                } else {
#pragma omp simd
                    for (int64_t _i = 0; _i < OCG_STATE_BLOCK; ++_i) {
                        const int64_t _k = _start + _i;
                        float _new_p;
                        ocg_rmsprop_centered__momentum_on_element_f32(
                            p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                            ocg_bf16_float(accumulator[_k]), ocg_bf16_float(mean_gradient[_k]),
                            ocg_bf16_float(momentum_buffer[_k]), _c0_one_minus_rho, _c1_minus_lr,
                            _c2_weight_decay_factor, epsilon, momentum, rho, &_new_p,
                            &_block_accumulator[_i], &_block_mean_gradient[_i],
                            &_block_momentum_buffer[_i]);
                        p[_k] = _new_p;
                    }
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_bf16_stochastic(_block_mean_gradient[_i], _base_mean_gradient, _i);
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)OCG_STATE_BLOCK; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_bf16_stochastic(_block_momentum_buffer[_i], _base_momentum_buffer, _i);
            } else {
                float _block_accumulator[OCG_STATE_BLOCK];
                float _block_mean_gradient[OCG_STATE_BLOCK];
                float _block_momentum_buffer[OCG_STATE_BLOCK];
#pragma omp simd
                for (int64_t _i = 0; _i < _left; ++_i) {
                    const int64_t _k = _start + _i;
                    float _new_p;
                    ocg_rmsprop_centered__momentum_on_element_f32(
                        p[_k], ocg_clip_valuef(g[_k] * _scale, _bound),
                        ocg_bf16_float(accumulator[_k]), ocg_bf16_float(mean_gradient[_k]),
                        ocg_bf16_float(momentum_buffer[_k]), _c0_one_minus_rho, _c1_minus_lr,
                        _c2_weight_decay_factor, epsilon, momentum, rho, &_new_p,
                        &_block_accumulator[_i], &_block_mean_gradient[_i],
                        &_block_momentum_buffer[_i]);
                    p[_k] = _new_p;
                }
                const uint32_t _base_accumulator = ocg_noise_base(_key_accumulator, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    accumulator[_start + _i] =
                        ocg_bf16_stochastic(_block_accumulator[_i], _base_accumulator, _i);
                const uint32_t _base_mean_gradient = ocg_noise_base(_key_mean_gradient, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    mean_gradient[_start + _i] =
                        ocg_bf16_stochastic(_block_mean_gradient[_i], _base_mean_gradient, _i);
                const uint32_t _base_momentum_buffer = ocg_noise_base(_key_momentum_buffer, _start);
#pragma omp simd
                for (int32_t _i = 0; _i < (int32_t)_left; ++_i)
                    momentum_buffer[_start + _i] =
                        ocg_bf16_stochastic(_block_momentum_buffer[_i], _base_momentum_buffer, _i);
            }
        }
    }
    return 0;
}
