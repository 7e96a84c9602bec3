// generated from specs/nadam.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Nadam: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/nadam.py).
 */
#ifndef OCG_NADAM_CUH
#define OCG_NADAM_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, beta_1, beta_2, epsilon, schedule_decay, weight_decay },
 * scalar_state = { m_schedule } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_minus_lr, _c3_inv_one_minus_beta_2_pow_t, _c4_coefficient, _c5_coefficient, _c6_weight_decay_factor, beta_1, beta_2, epsilon }. */
HD void ocg_nadam_default_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double beta_1 = hyper[1];
    double beta_2 = hyper[2];
    double epsilon = hyper[3];
    double learning_rate = hyper[0];
    double m_schedule = scalar_state[0];
    double schedule_decay = hyper[4];
    double weight_decay = hyper[5];
    double lr = learning_rate;
    double mu_t = beta_1 * (1.0 - 1.0 / 2.0 * pow(24.0 / 25.0, schedule_decay * t));
    double mu_next = beta_1 * (1.0 - 1.0 / 2.0 * pow(24.0 / 25.0, schedule_decay * (t + 1.0)));
    m_schedule = m_schedule * mu_t;
    double m_schedule_next = m_schedule * mu_next;
    double _c0_one_minus_beta_1 = 1.0 - beta_1;
    double _c1_one_minus_beta_2 = 1.0 - beta_2;
    double _c2_minus_lr = -lr;
    double _c3_inv_one_minus_beta_2_pow_t = 1.0 / (1.0 - pow(beta_2, t));
    double _c4_coefficient = mu_next / (1.0 - m_schedule_next);
    double _c5_coefficient = (1.0 - mu_t) / (1.0 - m_schedule);
    double _c6_weight_decay_factor = -lr * weight_decay + 1.0;
    scalar_state[0] = m_schedule;
    scalars[0] = _c0_one_minus_beta_1;
    scalars[1] = _c1_one_minus_beta_2;
    scalars[2] = _c2_minus_lr;
    scalars[3] = _c3_inv_one_minus_beta_2_pow_t;
    scalars[4] = _c4_coefficient;
    scalars[5] = _c5_coefficient;
    scalars[6] = _c6_weight_decay_factor;
    scalars[7] = beta_1;
    scalars[8] = beta_2;
    scalars[9] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_nadam_default_element_f32(float p, float g, float m, float v,
                                      float _c0_one_minus_beta_1, float _c1_one_minus_beta_2,
                                      float _c2_minus_lr, float _c3_inv_one_minus_beta_2_pow_t,
                                      float _c4_coefficient, float _c5_coefficient,
                                      float _c6_weight_decay_factor, float beta_1, float beta_2,
                                      float epsilon, float *_new_p, float *_new_m, float *_new_v)
{
    const float _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const float _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p = _c2_minus_lr * (_c4_coefficient * _stored_m + _c5_coefficient * g) /
                  (epsilon + sqrtf(_c3_inv_one_minus_beta_2_pow_t * _stored_v)) +
              _c6_weight_decay_factor * p;
}

HD void ocg_nadam_default_element_f64(double p, double g, double m, double v,
                                      double _c0_one_minus_beta_1, double _c1_one_minus_beta_2,
                                      double _c2_minus_lr, double _c3_inv_one_minus_beta_2_pow_t,
                                      double _c4_coefficient, double _c5_coefficient,
                                      double _c6_weight_decay_factor, double beta_1, double beta_2,
                                      double epsilon, double *_new_p, double *_new_m,
                                      double *_new_v)
{
    const double _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const double _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
    *_new_p = _c2_minus_lr * (_c4_coefficient * _stored_m + _c5_coefficient * g) /
                  (epsilon + sqrt(_c3_inv_one_minus_beta_2_pow_t * _stored_v)) +
              _c6_weight_decay_factor * p;
}

#endif /* OCG_NADAM_CUH */
