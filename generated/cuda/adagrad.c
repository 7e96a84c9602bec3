// generated from specs/adagrad.yaml by templates/cuda/optimizer.c.j2 — do not edit
/* Adagrad on the CPU: every tensor of a list in one call, OpenMP threads over the elements
 * and the element functions of adagrad.cuh inlined into a loop gcc vectorizes (build with
 * -O3 -march=native -fno-math-errno -fopenmp; without -fno-math-errno sqrtf stays scalar).
 * The C API is documented in adagrad.h. */
#include "adagrad.h"

int ocg_adagrad_default_f32_cpu(ocg_tensor_list list, const double *scalars,
                                const double *grad_scale, double grad_factor, double clipvalue)
{
    /* _c0_minus_lr = -lr */
    const float _c0_minus_lr = (float)scalars[0];
    const float epsilon = (float)scalars[1];
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
                                            accumulator[_i], _c0_minus_lr, epsilon, &_new_p,
                                            &_new_accumulator);
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
    const double _c0_minus_lr = (double)scalars[0];
    const double epsilon = (double)scalars[1];
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
                                            accumulator[_i], _c0_minus_lr, epsilon, &_new_p,
                                            &_new_accumulator);
            p[_i] = _new_p;
            accumulator[_i] = _new_accumulator;
        }
    }
    return 0;
}
