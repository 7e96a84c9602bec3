// generated from specs/adamw.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* AdamW: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/adamw.py).
 */
#ifndef OCG_ADAMW_CUH
#define OCG_ADAMW_CUH

#include "ocg.h"

/* ---- amsgrad=False ---- */

/* Per-step scalars: hyper = { learning_rate, weight_decay, beta_1, beta_2, epsilon, decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_minus_lr_times_weight_decay, _c3_lr_scale, beta_1, beta_2, epsilon }. */
HD void ocg_adamw_no_amsgrad_step(const double *hyper, double *scalar_state, double t,
                                  double *scalars)
{
    double beta_1 = hyper[2];
    double beta_2 = hyper[3];
    double decay = hyper[5];
    double epsilon = hyper[4];
    double learning_rate = hyper[0];
    double weight_decay = hyper[1];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_beta_1 = 1.0 - beta_1;
    double _c1_one_minus_beta_2 = 1.0 - beta_2;
    double _c2_minus_lr_times_weight_decay = -lr * weight_decay;
    double _c3_lr_scale = -lr * sqrt(1.0 - pow(beta_2, t)) / (1.0 - pow(beta_1, t));
    scalars[0] = _c0_one_minus_beta_1;
    scalars[1] = _c1_one_minus_beta_2;
    scalars[2] = _c2_minus_lr_times_weight_decay;
    scalars[3] = _c3_lr_scale;
    scalars[4] = beta_1;
    scalars[5] = beta_2;
    scalars[6] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_adamw_no_amsgrad_element_f32(float p, float g, float m, float v,
                                         float _c0_one_minus_beta_1, float _c1_one_minus_beta_2,
                                         float _c2_minus_lr_times_weight_decay, float _c3_lr_scale,
                                         float beta_1, float beta_2, float epsilon, float *_new_p,
                                         float *_new_m, float *_new_v)
{
    const float _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const float _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p = _c2_minus_lr_times_weight_decay * p +
              _c3_lr_scale * _stored_m / (sqrtf(_stored_v) + epsilon) + p;
}

HD void ocg_adamw_no_amsgrad_element_f64(double p, double g, double m, double v,
                                         double _c0_one_minus_beta_1, double _c1_one_minus_beta_2,
                                         double _c2_minus_lr_times_weight_decay,
                                         double _c3_lr_scale, double beta_1, double beta_2,
                                         double epsilon, double *_new_p, double *_new_m,
                                         double *_new_v)
{
    const double _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const double _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p = _c2_minus_lr_times_weight_decay * p +
              _c3_lr_scale * _stored_m / (sqrt(_stored_v) + epsilon) + p;
}

/* ---- amsgrad=True ---- */

/* Per-step scalars: hyper = { learning_rate, weight_decay, beta_1, beta_2, epsilon, decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_minus_lr_times_weight_decay, _c3_lr_scale, beta_1, beta_2, epsilon }. */
HD void ocg_adamw_amsgrad_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double beta_1 = hyper[2];
    double beta_2 = hyper[3];
    double decay = hyper[5];
    double epsilon = hyper[4];
    double learning_rate = hyper[0];
    double weight_decay = hyper[1];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_beta_1 = 1.0 - beta_1;
    double _c1_one_minus_beta_2 = 1.0 - beta_2;
    double _c2_minus_lr_times_weight_decay = -lr * weight_decay;
    double _c3_lr_scale = -lr * sqrt(1.0 - pow(beta_2, t)) / (1.0 - pow(beta_1, t));
    scalars[0] = _c0_one_minus_beta_1;
    scalars[1] = _c1_one_minus_beta_2;
    scalars[2] = _c2_minus_lr_times_weight_decay;
    scalars[3] = _c3_lr_scale;
    scalars[4] = beta_1;
    scalars[5] = beta_2;
    scalars[6] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_adamw_amsgrad_element_f32(float p, float g, float m, float v, float vhat,
                                      float _c0_one_minus_beta_1, float _c1_one_minus_beta_2,
                                      float _c2_minus_lr_times_weight_decay, float _c3_lr_scale,
                                      float beta_1, float beta_2, float epsilon, float *_new_p,
                                      float *_new_m, float *_new_v, float *_new_vhat)
{
    const float _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const float _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    const float _e0 = ocg_maxf(_stored_v, vhat);
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_vhat = _e0;
    *_new_p =
        _c2_minus_lr_times_weight_decay * p + _c3_lr_scale * _stored_m / (sqrtf(_e0) + epsilon) + p;
}

HD void ocg_adamw_amsgrad_element_f64(double p, double g, double m, double v, double vhat,
                                      double _c0_one_minus_beta_1, double _c1_one_minus_beta_2,
                                      double _c2_minus_lr_times_weight_decay, double _c3_lr_scale,
                                      double beta_1, double beta_2, double epsilon, double *_new_p,
                                      double *_new_m, double *_new_v, double *_new_vhat)
{
    const double _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const double _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    const double _e0 = ocg_max(_stored_v, vhat);
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_vhat = _e0;
    *_new_p =
        _c2_minus_lr_times_weight_decay * p + _c3_lr_scale * _stored_m / (sqrt(_e0) + epsilon) + p;
}

#endif /* OCG_ADAMW_CUH */
