// generated from specs/adamax.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Adamax: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/adamax.py).
 */
#ifndef OCG_ADAMAX_CUH
#define OCG_ADAMAX_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, beta_1, beta_2, epsilon, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta_1, _c1_lr_scale, _c2_weight_decay_factor, beta_1, beta_2, epsilon }. */
HD void ocg_adamax_default_step(const double *hyper, double *scalar_state, double t,
                                double *scalars)
{
    double beta_1 = hyper[1];
    double beta_2 = hyper[2];
    double decay = hyper[4];
    double epsilon = hyper[3];
    double learning_rate = hyper[0];
    double weight_decay = hyper[5];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_beta_1 = 1.0 - beta_1;
    double _c1_lr_scale = -lr / (1.0 - pow(beta_1, t));
    double _c2_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_one_minus_beta_1;
    scalars[1] = _c1_lr_scale;
    scalars[2] = _c2_weight_decay_factor;
    scalars[3] = beta_1;
    scalars[4] = beta_2;
    scalars[5] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_adamax_default_element_f32(float p, float g, float m, float u,
                                       float _c0_one_minus_beta_1, float _c1_lr_scale,
                                       float _c2_weight_decay_factor, float beta_1, float beta_2,
                                       float epsilon, float *_new_p, float *_new_m, float *_new_u)
{
    const float _e0 = ocg_maxf(fabsf(g), beta_2 * u);
    const float _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    *_new_m = _stored_m;
    *_new_u = _e0;
    *_new_p = _c1_lr_scale * _stored_m / (_e0 + epsilon) + _c2_weight_decay_factor * p;
}

HD void ocg_adamax_default_element_f64(double p, double g, double m, double u,
                                       double _c0_one_minus_beta_1, double _c1_lr_scale,
                                       double _c2_weight_decay_factor, double beta_1, double beta_2,
                                       double epsilon, double *_new_p, double *_new_m,
                                       double *_new_u)
{
    const double _e0 = ocg_max(fabs(g), beta_2 * u);
    const double _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    *_new_m = _stored_m;
    *_new_u = _e0;
    *_new_p = _c1_lr_scale * _stored_m / (_e0 + epsilon) + _c2_weight_decay_factor * p;
}

#endif /* OCG_ADAMAX_CUH */
