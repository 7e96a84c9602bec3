// generated from specs/muon.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Muon: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/muon.py).
 */
#ifndef OCG_MUON_CUH
#define OCG_MUON_CUH

#include "ocg.h"

/* ---- muon=False, nesterov=False (and muon=False, nesterov=True: the same rule) ---- */

/* Per-step scalars: hyper = { learning_rate, adam_beta_1, adam_beta_2, epsilon, adam_weight_decay, weight_decay, momentum, ns_steps, rms_rate, muon_a, muon_b, muon_c, adam_lr_ratio, decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon }. */
HD void ocg_muon_no_muon__no_nesterov_step(const double *hyper, double *scalar_state, double t,
                                           double *scalars)
{
    double adam_beta_1 = hyper[1];
    double adam_beta_2 = hyper[2];
    double adam_lr_ratio = hyper[12];
    double adam_weight_decay = hyper[4];
    double decay = hyper[13];
    double epsilon = hyper[3];
    double learning_rate = hyper[0];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_adam_beta_1 = 1.0 - adam_beta_1;
    double _c1_one_minus_adam_beta_2 = 1.0 - adam_beta_2;
    double _c2_lr_scale = -adam_weight_decay * lr;
    double _c3_lr_scale =
        -adam_lr_ratio * lr * sqrt(1.0 - pow(adam_beta_2, t)) / (1.0 - pow(adam_beta_1, t));
    scalars[0] = _c0_one_minus_adam_beta_1;
    scalars[1] = _c1_one_minus_adam_beta_2;
    scalars[2] = _c2_lr_scale;
    scalars[3] = _c3_lr_scale;
    scalars[4] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_muon_no_muon__no_nesterov_element_f32(float p, float g, float m, float v,
                                                  float _c0_one_minus_adam_beta_1,
                                                  float _c1_one_minus_adam_beta_2,
                                                  float _c2_lr_scale, float _c3_lr_scale,
                                                  float epsilon, float *_new_p, float *_new_m,
                                                  float *_new_v)
{
    const float _stored_m = _c0_one_minus_adam_beta_1 * (g - m) + m;
    const float _stored_v = _c1_one_minus_adam_beta_2 * (g * g - v) + v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p = _c2_lr_scale * p + _c3_lr_scale * _stored_m / (sqrtf(_stored_v) + epsilon) + p;
}

HD void ocg_muon_no_muon__no_nesterov_element_f64(double p, double g, double m, double v,
                                                  double _c0_one_minus_adam_beta_1,
                                                  double _c1_one_minus_adam_beta_2,
                                                  double _c2_lr_scale, double _c3_lr_scale,
                                                  double epsilon, double *_new_p, double *_new_m,
                                                  double *_new_v)
{
    const double _stored_m = _c0_one_minus_adam_beta_1 * (g - m) + m;
    const double _stored_v = _c1_one_minus_adam_beta_2 * (g * g - v) + v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p = _c2_lr_scale * p + _c3_lr_scale * _stored_m / (sqrt(_stored_v) + epsilon) + p;
}

#endif /* OCG_MUON_CUH */
