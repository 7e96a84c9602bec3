// generated from specs/adadelta.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Adadelta: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/adadelta.py).
 */
#ifndef OCG_ADADELTA_CUH
#define OCG_ADADELTA_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, rho, epsilon, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho }. */
HD void ocg_adadelta_default_step(const double *hyper, double *scalar_state, double t,
                                  double *scalars)
{
    double decay = hyper[3];
    double epsilon = hyper[2];
    double learning_rate = hyper[0];
    double rho = hyper[1];
    double weight_decay = hyper[4];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_rho = 1.0 - rho;
    double _c1_minus_lr = -lr;
    double _c2_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_one_minus_rho;
    scalars[1] = _c1_minus_lr;
    scalars[2] = _c2_weight_decay_factor;
    scalars[3] = epsilon;
    scalars[4] = rho;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_adadelta_default_element_f32(float p, float g, float accumulator,
                                         float delta_accumulator, float _c0_one_minus_rho,
                                         float _c1_minus_lr, float _c2_weight_decay_factor,
                                         float epsilon, float rho, float *_new_p,
                                         float *_new_accumulator, float *_new_delta_accumulator)
{
    const float _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const float delta =
        g * sqrtf(delta_accumulator + epsilon) / sqrtf(_stored_accumulator + epsilon);
    *_new_accumulator = _stored_accumulator;
    *_new_delta_accumulator = _c0_one_minus_rho * delta * delta + delta_accumulator * rho;
    *_new_p = _c1_minus_lr * delta + _c2_weight_decay_factor * p;
}

HD void ocg_adadelta_default_element_f64(double p, double g, double accumulator,
                                         double delta_accumulator, double _c0_one_minus_rho,
                                         double _c1_minus_lr, double _c2_weight_decay_factor,
                                         double epsilon, double rho, double *_new_p,
                                         double *_new_accumulator, double *_new_delta_accumulator)
{
    const double _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const double delta =
        g * sqrt(delta_accumulator + epsilon) / sqrt(_stored_accumulator + epsilon);
    *_new_accumulator = _stored_accumulator;
    *_new_delta_accumulator = _c0_one_minus_rho * delta * delta + delta_accumulator * rho;
    *_new_p = _c1_minus_lr * delta + _c2_weight_decay_factor * p;
}

#endif /* OCG_ADADELTA_CUH */
