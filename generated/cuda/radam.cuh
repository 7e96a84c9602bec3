// generated from specs/radam.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* RAdam: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/radam.py).
 */
#ifndef OCG_RADAM_CUH
#define OCG_RADAM_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, beta_1, beta_2, epsilon, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_lr_scale, _c3_condition, _c4_coefficient, _c5_weight_decay_factor, beta_1, beta_2, epsilon }. */
HD void ocg_radam_default_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double beta_1 = hyper[1];
    double beta_2 = hyper[2];
    double decay = hyper[4];
    double epsilon = hyper[3];
    double learning_rate = hyper[0];
    double weight_decay = hyper[5];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double rho_inf = -1.0 + 2.0 / (1.0 - beta_2);
    double rho_t = -2.0 * pow(beta_2, t) * t / (1.0 - pow(beta_2, t)) + rho_inf;
    double _c0_one_minus_beta_1 = 1.0 - beta_1;
    double _c1_one_minus_beta_2 = 1.0 - beta_2;
    double _c2_lr_scale = -lr / (1.0 - pow(beta_1, t));
    double _c3_condition = ((rho_t > 5.0) ? (1.0) : (0.0));
    double _c4_coefficient =
        ((_c3_condition != 0.0) ? (sqrt(rho_inf * (rho_t - 4.0) * (rho_t - 2.0) /
                                        (rho_t * (rho_inf - 4.0) * (rho_inf - 2.0))) *
                                   sqrt(1.0 - pow(beta_2, t)))
                                : (0.0));
    double _c5_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_one_minus_beta_1;
    scalars[1] = _c1_one_minus_beta_2;
    scalars[2] = _c2_lr_scale;
    scalars[3] = _c3_condition;
    scalars[4] = _c4_coefficient;
    scalars[5] = _c5_weight_decay_factor;
    scalars[6] = beta_1;
    scalars[7] = beta_2;
    scalars[8] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_radam_default_element_f32(float p, float g, float m, float v,
                                      float _c0_one_minus_beta_1, float _c1_one_minus_beta_2,
                                      float _c2_lr_scale, float _c3_condition,
                                      float _c4_coefficient, float _c5_weight_decay_factor,
                                      float beta_1, float beta_2, float epsilon, float *_new_p,
                                      float *_new_m, float *_new_v)
{
    const float _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const float _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p =
        _c2_lr_scale * _stored_m *
            ((_c3_condition != 0.0F) ? (_c4_coefficient / (sqrtf(_stored_v) + epsilon)) : (1.0F)) +
        _c5_weight_decay_factor * p;
}

HD void ocg_radam_default_element_f64(double p, double g, double m, double v,
                                      double _c0_one_minus_beta_1, double _c1_one_minus_beta_2,
                                      double _c2_lr_scale, double _c3_condition,
                                      double _c4_coefficient, double _c5_weight_decay_factor,
                                      double beta_1, double beta_2, double epsilon, double *_new_p,
                                      double *_new_m, double *_new_v)
{
    const double _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const double _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p =
        _c2_lr_scale * _stored_m *
            ((_c3_condition != 0.0) ? (_c4_coefficient / (sqrt(_stored_v) + epsilon)) : (1.0)) +
        _c5_weight_decay_factor * p;
}

#endif /* OCG_RADAM_CUH */
