// generated from specs/adagrad.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Adagrad: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/adagrad.py).
 */
#ifndef OCG_ADAGRAD_CUH
#define OCG_ADAGRAD_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, epsilon, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_minus_lr, _c1_weight_decay_factor, epsilon }. */
HD void ocg_adagrad_default_step(const double *hyper, double *scalar_state, double t,
                                 double *scalars)
{
    double decay = hyper[2];
    double epsilon = hyper[1];
    double learning_rate = hyper[0];
    double weight_decay = hyper[3];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_minus_lr = -lr;
    double _c1_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_minus_lr;
    scalars[1] = _c1_weight_decay_factor;
    scalars[2] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_adagrad_default_element_f32(float p, float g, float accumulator, float _c0_minus_lr,
                                        float _c1_weight_decay_factor, float epsilon, float *_new_p,
                                        float *_new_accumulator)
{
    const float _stored_accumulator = accumulator + g * g;
    *_new_accumulator = _stored_accumulator;
    *_new_p =
        _c0_minus_lr * g / (sqrtf(_stored_accumulator) + epsilon) + _c1_weight_decay_factor * p;
}

HD void ocg_adagrad_default_element_f64(double p, double g, double accumulator, double _c0_minus_lr,
                                        double _c1_weight_decay_factor, double epsilon,
                                        double *_new_p, double *_new_accumulator)
{
    const double _stored_accumulator = accumulator + g * g;
    *_new_accumulator = _stored_accumulator;
    *_new_p =
        _c0_minus_lr * g / (sqrt(_stored_accumulator) + epsilon) + _c1_weight_decay_factor * p;
}

#endif /* OCG_ADAGRAD_CUH */
