// generated from specs/sgd.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* SGD: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/sgd.py).
 */
#ifndef OCG_SGD_CUH
#define OCG_SGD_CUH

#include "ocg.h"

/* ---- nesterov=False ---- */

/* Per-step scalars: hyper = { learning_rate, momentum, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_minus_lr, _c1_weight_decay_factor, momentum }. */
HD void ocg_sgd_no_nesterov_step(const double *hyper, double *scalar_state, double t,
                                 double *scalars)
{
    double decay = hyper[2];
    double learning_rate = hyper[0];
    double momentum = hyper[1];
    double weight_decay = hyper[3];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_minus_lr = -lr;
    double _c1_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_minus_lr;
    scalars[1] = _c1_weight_decay_factor;
    scalars[2] = momentum;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_sgd_no_nesterov_element_f32(float p, float g, float velocity, float _c0_minus_lr,
                                        float _c1_weight_decay_factor, float momentum,
                                        float *_new_p, float *_new_velocity)
{
    const float _stored_velocity = _c0_minus_lr * g + momentum * velocity;
    *_new_velocity = _stored_velocity;
    *_new_p = _c1_weight_decay_factor * p + _stored_velocity;
}

HD void ocg_sgd_no_nesterov_element_f64(double p, double g, double velocity, double _c0_minus_lr,
                                        double _c1_weight_decay_factor, double momentum,
                                        double *_new_p, double *_new_velocity)
{
    const double _stored_velocity = _c0_minus_lr * g + momentum * velocity;
    *_new_velocity = _stored_velocity;
    *_new_p = _c1_weight_decay_factor * p + _stored_velocity;
}

/* ---- nesterov=True ---- */

/* Per-step scalars: hyper = { learning_rate, momentum, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_minus_lr, _c1_weight_decay_factor, momentum }. */
HD void ocg_sgd_nesterov_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double decay = hyper[2];
    double learning_rate = hyper[0];
    double momentum = hyper[1];
    double weight_decay = hyper[3];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_minus_lr = -lr;
    double _c1_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_minus_lr;
    scalars[1] = _c1_weight_decay_factor;
    scalars[2] = momentum;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_sgd_nesterov_element_f32(float p, float g, float velocity, float _c0_minus_lr,
                                     float _c1_weight_decay_factor, float momentum, float *_new_p,
                                     float *_new_velocity)
{
    const float _e0 = _c0_minus_lr * g;
    const float _stored_velocity = _e0 + momentum * velocity;
    *_new_velocity = _stored_velocity;
    *_new_p = _c1_weight_decay_factor * p + _e0 + _stored_velocity * momentum;
}

HD void ocg_sgd_nesterov_element_f64(double p, double g, double velocity, double _c0_minus_lr,
                                     double _c1_weight_decay_factor, double momentum,
                                     double *_new_p, double *_new_velocity)
{
    const double _e0 = _c0_minus_lr * g;
    const double _stored_velocity = _e0 + momentum * velocity;
    *_new_velocity = _stored_velocity;
    *_new_p = _c1_weight_decay_factor * p + _e0 + _stored_velocity * momentum;
}

#endif /* OCG_SGD_CUH */
