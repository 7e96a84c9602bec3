// generated from specs/ftrl.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Ftrl: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/ftrl.py).
 */
#ifndef OCG_FTRL_CUH
#define OCG_FTRL_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, learning_rate_power, initial_accumulator_value, l1_regularization_strength, l2_regularization_strength, l2_shrinkage_regularization_strength, beta, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_coefficient, _c1_lr_scale, _c2_minus_learning_rate_power, _c3_lr_scale, _c4_inv_lr, _c5_coefficient, l1_regularization_strength }. */
HD void ocg_ftrl_default_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double beta = hyper[6];
    double decay = hyper[7];
    double l1_regularization_strength = hyper[3];
    double l2_regularization_strength = hyper[4];
    double l2_shrinkage_regularization_strength = hyper[5];
    double learning_rate = hyper[0];
    double learning_rate_power = hyper[1];
    double weight_decay = hyper[8];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c6_weight_decay_factor = -lr * weight_decay + 1.0;
    double _c0_coefficient = 2.0 * _c6_weight_decay_factor * l2_shrinkage_regularization_strength;
    double _c1_lr_scale = -_c6_weight_decay_factor / lr;
    double _c2_minus_learning_rate_power = -learning_rate_power;
    double _c3_lr_scale = beta / lr + 2.0 * l2_regularization_strength;
    double _c4_inv_lr = 1.0 / (lr);
    double _c5_coefficient = -l1_regularization_strength;
    scalars[0] = _c0_coefficient;
    scalars[1] = _c1_lr_scale;
    scalars[2] = _c2_minus_learning_rate_power;
    scalars[3] = _c3_lr_scale;
    scalars[4] = _c4_inv_lr;
    scalars[5] = _c5_coefficient;
    scalars[6] = l1_regularization_strength;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_ftrl_default_element_f32(float p, float g, float accumulator, float linear,
                                     float _c0_coefficient, float _c1_lr_scale,
                                     float _c2_minus_learning_rate_power, float _c3_lr_scale,
                                     float _c4_inv_lr, float _c5_coefficient,
                                     float l1_regularization_strength, float *_new_p,
                                     float *_new_accumulator, float *_new_linear)
{
    const float new_accumulator = accumulator + g * g;
    const float _e0 = powf(new_accumulator, _c2_minus_learning_rate_power);
    const float _stored_linear =
        _c0_coefficient * p +
        _c1_lr_scale * p * (_e0 - powf(accumulator, _c2_minus_learning_rate_power)) + g + linear;
    *_new_accumulator = new_accumulator;
    *_new_linear = _stored_linear;
    *_new_p = (-_stored_linear +
               ocg_minf(l1_regularization_strength, ocg_maxf(_c5_coefficient, _stored_linear))) /
              (_c3_lr_scale + _c4_inv_lr * _e0);
}

HD void ocg_ftrl_default_element_f64(double p, double g, double accumulator, double linear,
                                     double _c0_coefficient, double _c1_lr_scale,
                                     double _c2_minus_learning_rate_power, double _c3_lr_scale,
                                     double _c4_inv_lr, double _c5_coefficient,
                                     double l1_regularization_strength, double *_new_p,
                                     double *_new_accumulator, double *_new_linear)
{
    const double new_accumulator = accumulator + g * g;
    const double _e0 = pow(new_accumulator, _c2_minus_learning_rate_power);
    const double _stored_linear =
        _c0_coefficient * p +
        _c1_lr_scale * p * (_e0 - pow(accumulator, _c2_minus_learning_rate_power)) + g + linear;
    *_new_accumulator = new_accumulator;
    *_new_linear = _stored_linear;
    *_new_p = (-_stored_linear +
               ocg_min(l1_regularization_strength, ocg_max(_c5_coefficient, _stored_linear))) /
              (_c3_lr_scale + _c4_inv_lr * _e0);
}

#endif /* OCG_FTRL_CUH */
