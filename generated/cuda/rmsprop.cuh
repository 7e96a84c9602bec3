// generated from specs/rmsprop.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* RMSprop: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/rmsprop.py).
 */
#ifndef OCG_RMSPROP_CUH
#define OCG_RMSPROP_CUH

#include "ocg.h"

/* ---- centered=False, momentum_on=False ---- */

/* Per-step scalars: hyper = { learning_rate, rho, epsilon, momentum, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho }. */
HD void ocg_rmsprop_no_centered__no_momentum_on_step(const double *hyper, double *scalar_state,
                                                     double t, double *scalars)
{
    double decay = hyper[4];
    double epsilon = hyper[2];
    double learning_rate = hyper[0];
    double rho = hyper[1];
    double weight_decay = hyper[5];
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

HD void ocg_rmsprop_no_centered__no_momentum_on_element_f32(
    float p, float g, float accumulator, float _c0_one_minus_rho, float _c1_minus_lr,
    float _c2_weight_decay_factor, float epsilon, float rho, float *_new_p, float *_new_accumulator)
{
    const float _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    *_new_accumulator = _stored_accumulator;
    *_new_p =
        _c1_minus_lr * g / (sqrtf(_stored_accumulator) + epsilon) + _c2_weight_decay_factor * p;
}

HD void ocg_rmsprop_no_centered__no_momentum_on_element_f64(
    double p, double g, double accumulator, double _c0_one_minus_rho, double _c1_minus_lr,
    double _c2_weight_decay_factor, double epsilon, double rho, double *_new_p,
    double *_new_accumulator)
{
    const double _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    *_new_accumulator = _stored_accumulator;
    *_new_p =
        _c1_minus_lr * g / (sqrt(_stored_accumulator) + epsilon) + _c2_weight_decay_factor * p;
}

/* ---- centered=False, momentum_on=True ---- */

/* Per-step scalars: hyper = { learning_rate, rho, epsilon, momentum, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho }. */
HD void ocg_rmsprop_no_centered__momentum_on_step(const double *hyper, double *scalar_state,
                                                  double t, double *scalars)
{
    double decay = hyper[4];
    double epsilon = hyper[2];
    double learning_rate = hyper[0];
    double momentum = hyper[3];
    double rho = hyper[1];
    double weight_decay = hyper[5];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_rho = 1.0 - rho;
    double _c1_minus_lr = -lr;
    double _c2_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_one_minus_rho;
    scalars[1] = _c1_minus_lr;
    scalars[2] = _c2_weight_decay_factor;
    scalars[3] = epsilon;
    scalars[4] = momentum;
    scalars[5] = rho;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_rmsprop_no_centered__momentum_on_element_f32(
    float p, float g, float accumulator, float momentum_buffer, float _c0_one_minus_rho,
    float _c1_minus_lr, float _c2_weight_decay_factor, float epsilon, float momentum, float rho,
    float *_new_p, float *_new_accumulator, float *_new_momentum_buffer)
{
    const float _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const float _stored_momentum_buffer =
        g / (sqrtf(_stored_accumulator) + epsilon) + momentum * momentum_buffer;
    *_new_accumulator = _stored_accumulator;
    *_new_momentum_buffer = _stored_momentum_buffer;
    *_new_p = _c1_minus_lr * _stored_momentum_buffer + _c2_weight_decay_factor * p;
}

HD void ocg_rmsprop_no_centered__momentum_on_element_f64(
    double p, double g, double accumulator, double momentum_buffer, double _c0_one_minus_rho,
    double _c1_minus_lr, double _c2_weight_decay_factor, double epsilon, double momentum,
    double rho, double *_new_p, double *_new_accumulator, double *_new_momentum_buffer)
{
    const double _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const double _stored_momentum_buffer =
        g / (sqrt(_stored_accumulator) + epsilon) + momentum * momentum_buffer;
    *_new_accumulator = _stored_accumulator;
    *_new_momentum_buffer = _stored_momentum_buffer;
    *_new_p = _c1_minus_lr * _stored_momentum_buffer + _c2_weight_decay_factor * p;
}

/* ---- centered=True, momentum_on=False ---- */

/* Per-step scalars: hyper = { learning_rate, rho, epsilon, momentum, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho }. */
HD void ocg_rmsprop_centered__no_momentum_on_step(const double *hyper, double *scalar_state,
                                                  double t, double *scalars)
{
    double decay = hyper[4];
    double epsilon = hyper[2];
    double learning_rate = hyper[0];
    double rho = hyper[1];
    double weight_decay = hyper[5];
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

HD void ocg_rmsprop_centered__no_momentum_on_element_f32(
    float p, float g, float accumulator, float mean_gradient, float _c0_one_minus_rho,
    float _c1_minus_lr, float _c2_weight_decay_factor, float epsilon, float rho, float *_new_p,
    float *_new_accumulator, float *_new_mean_gradient)
{
    const float _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const float _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho;
    *_new_accumulator = _stored_accumulator;
    *_new_mean_gradient = _stored_mean_gradient;
    *_new_p =
        _c1_minus_lr * g /
            (epsilon + sqrtf(_stored_accumulator - _stored_mean_gradient * _stored_mean_gradient)) +
        _c2_weight_decay_factor * p;
}

HD void ocg_rmsprop_centered__no_momentum_on_element_f64(
    double p, double g, double accumulator, double mean_gradient, double _c0_one_minus_rho,
    double _c1_minus_lr, double _c2_weight_decay_factor, double epsilon, double rho, double *_new_p,
    double *_new_accumulator, double *_new_mean_gradient)
{
    const double _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const double _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho;
    *_new_accumulator = _stored_accumulator;
    *_new_mean_gradient = _stored_mean_gradient;
    *_new_p =
        _c1_minus_lr * g /
            (epsilon + sqrt(_stored_accumulator - _stored_mean_gradient * _stored_mean_gradient)) +
        _c2_weight_decay_factor * p;
}

/* ---- centered=True, momentum_on=True ---- */

/* Per-step scalars: hyper = { learning_rate, rho, epsilon, momentum, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho }. */
HD void ocg_rmsprop_centered__momentum_on_step(const double *hyper, double *scalar_state, double t,
                                               double *scalars)
{
    double decay = hyper[4];
    double epsilon = hyper[2];
    double learning_rate = hyper[0];
    double momentum = hyper[3];
    double rho = hyper[1];
    double weight_decay = hyper[5];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_rho = 1.0 - rho;
    double _c1_minus_lr = -lr;
    double _c2_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_one_minus_rho;
    scalars[1] = _c1_minus_lr;
    scalars[2] = _c2_weight_decay_factor;
    scalars[3] = epsilon;
    scalars[4] = momentum;
    scalars[5] = rho;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_rmsprop_centered__momentum_on_element_f32(
    float p, float g, float accumulator, float mean_gradient, float momentum_buffer,
    float _c0_one_minus_rho, float _c1_minus_lr, float _c2_weight_decay_factor, float epsilon,
    float momentum, float rho, float *_new_p, float *_new_accumulator, float *_new_mean_gradient,
    float *_new_momentum_buffer)
{
    const float _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const float _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho;
    const float _stored_momentum_buffer =
        g / (epsilon + sqrtf(_stored_accumulator - _stored_mean_gradient * _stored_mean_gradient)) +
        momentum * momentum_buffer;
    *_new_accumulator = _stored_accumulator;
    *_new_mean_gradient = _stored_mean_gradient;
    *_new_momentum_buffer = _stored_momentum_buffer;
    *_new_p = _c1_minus_lr * _stored_momentum_buffer + _c2_weight_decay_factor * p;
}

HD void ocg_rmsprop_centered__momentum_on_element_f64(
    double p, double g, double accumulator, double mean_gradient, double momentum_buffer,
    double _c0_one_minus_rho, double _c1_minus_lr, double _c2_weight_decay_factor, double epsilon,
    double momentum, double rho, double *_new_p, double *_new_accumulator,
    double *_new_mean_gradient, double *_new_momentum_buffer)
{
    const double _stored_accumulator = _c0_one_minus_rho * g * g + accumulator * rho;
    const double _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho;
    const double _stored_momentum_buffer =
        g / (epsilon + sqrt(_stored_accumulator - _stored_mean_gradient * _stored_mean_gradient)) +
        momentum * momentum_buffer;
    *_new_accumulator = _stored_accumulator;
    *_new_mean_gradient = _stored_mean_gradient;
    *_new_momentum_buffer = _stored_momentum_buffer;
    *_new_p = _c1_minus_lr * _stored_momentum_buffer + _c2_weight_decay_factor * p;
}

#endif /* OCG_RMSPROP_CUH */
