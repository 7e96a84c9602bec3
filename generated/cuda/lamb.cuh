// generated from specs/lamb.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Lamb: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/lamb.py).
 */
#ifndef OCG_LAMB_CUH
#define OCG_LAMB_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, beta_1, beta_2, epsilon, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_lr_scale, _c3_inv_one_minus_beta_2_pow_t, _c6_weight_decay_factor, _c4__weight_decay_factor_pow_two, _c5_coefficient, beta_1, beta_2, epsilon }. */
HD void ocg_lamb_default_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double beta_1 = hyper[1];
    double beta_2 = hyper[2];
    double decay = hyper[4];
    double epsilon = hyper[3];
    double learning_rate = hyper[0];
    double weight_decay = hyper[5];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_beta_1 = 1.0 - beta_1;
    double _c1_one_minus_beta_2 = 1.0 - beta_2;
    double _c2_lr_scale = -lr / (1.0 - pow(beta_1, t));
    double _c3_inv_one_minus_beta_2_pow_t = 1.0 / (1.0 - pow(beta_2, t));
    double _c6_weight_decay_factor = -lr * weight_decay + 1.0;
    double _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor * _c6_weight_decay_factor;
    double _c5_coefficient = 1.0 / ((1.0 - pow(beta_1, t)) * (1.0 - pow(beta_1, t)));
    scalars[0] = _c0_one_minus_beta_1;
    scalars[1] = _c1_one_minus_beta_2;
    scalars[2] = _c2_lr_scale;
    scalars[3] = _c3_inv_one_minus_beta_2_pow_t;
    scalars[4] = _c6_weight_decay_factor;
    scalars[5] = _c4__weight_decay_factor_pow_two;
    scalars[6] = _c5_coefficient;
    scalars[7] = beta_1;
    scalars[8] = beta_2;
    scalars[9] = epsilon;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_lamb_default_element_f32(float p, float m, float v,
                                     float _c3_inv_one_minus_beta_2_pow_t,
                                     float _c6_weight_decay_factor, float epsilon,
                                     float _k1_coefficient, float *_new_p)
{
    *_new_p = _c6_weight_decay_factor * p +
              _k1_coefficient * m / (epsilon + sqrtf(_c3_inv_one_minus_beta_2_pow_t * v));
}

HD void ocg_lamb_default_element_f64(double p, double m, double v,
                                     double _c3_inv_one_minus_beta_2_pow_t,
                                     double _c6_weight_decay_factor, double epsilon,
                                     double _k1_coefficient, double *_new_p)
{
    *_new_p = _c6_weight_decay_factor * p +
              _k1_coefficient * m / (epsilon + sqrt(_c3_inv_one_minus_beta_2_pow_t * v));
}

/* The first of the two passes writes m, v: their new values need no per-tensor
 * value, and the update above reads them from memory. */

HD void ocg_lamb_default_commit_f32(float g, float m, float v, float _c0_one_minus_beta_1,
                                    float _c1_one_minus_beta_2, float beta_1, float beta_2,
                                    float *_new_m, float *_new_v)
{
    const float _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const float _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
}

HD void ocg_lamb_default_commit_f64(double g, double m, double v, double _c0_one_minus_beta_1,
                                    double _c1_one_minus_beta_2, double beta_1, double beta_2,
                                    double *_new_m, double *_new_v)
{
    const double _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m;
    const double _stored_v = _c1_one_minus_beta_2 * g * g + beta_2 * v;
    *_new_m = _stored_m;
    *_new_v = _stored_v;
}

/* One element's term of each per-tensor reduction (w_norm_squared, u_norm_squared),
 * from the values before the step and the step's scalars. */
HD void ocg_lamb_default_terms_f32(float p, float g, float m, float v, float _c0_one_minus_beta_1,
                                   float _c1_one_minus_beta_2, float _c3_inv_one_minus_beta_2_pow_t,
                                   float _c4__weight_decay_factor_pow_two, float _c5_coefficient,
                                   float beta_1, float beta_2, float epsilon,
                                   float *_term_w_norm_squared, float *_term_u_norm_squared)
{
    *_term_w_norm_squared = _c4__weight_decay_factor_pow_two * p * p;
    *_term_u_norm_squared =
        _c5_coefficient * (_c0_one_minus_beta_1 * g + beta_1 * m) *
        (_c0_one_minus_beta_1 * g + beta_1 * m) /
        ((epsilon +
          sqrtf(_c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * g * g + beta_2 * v))) *
         (epsilon +
          sqrtf(_c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * g * g + beta_2 * v))));
}

/* One element's term of each per-tensor reduction (w_norm_squared, u_norm_squared),
 * from the values before the step and the step's scalars. */
HD void ocg_lamb_default_terms_f64(double p, double g, double m, double v,
                                   double _c0_one_minus_beta_1, double _c1_one_minus_beta_2,
                                   double _c3_inv_one_minus_beta_2_pow_t,
                                   double _c4__weight_decay_factor_pow_two, double _c5_coefficient,
                                   double beta_1, double beta_2, double epsilon,
                                   double *_term_w_norm_squared, double *_term_u_norm_squared)
{
    *_term_w_norm_squared = _c4__weight_decay_factor_pow_two * p * p;
    *_term_u_norm_squared =
        _c5_coefficient * (_c0_one_minus_beta_1 * g + beta_1 * m) *
        (_c0_one_minus_beta_1 * g + beta_1 * m) /
        ((epsilon +
          sqrt(_c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * g * g + beta_2 * v))) *
         (epsilon +
          sqrt(_c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * g * g + beta_2 * v))));
}

/* A tensor's scalars: totals = { w_norm_squared, u_norm_squared } over its elements,
 * scalars as *_step writes them; writes out = { _k1_coefficient }. */
HD void ocg_lamb_default_tensor(const double *scalars, const double *totals, double *out)
{
    const double _c2_lr_scale = scalars[2];
    const double u_norm_squared = totals[1];
    const double w_norm_squared = totals[0];
    const double _k0_condition = ((u_norm_squared > 0.0 && w_norm_squared > 0.0) ? (1.0) : (0.0));
    const double _k1_coefficient =
        _c2_lr_scale *
        ((_k0_condition != 0.0) ? (sqrt(w_norm_squared) / sqrt(u_norm_squared)) : (1.0));
    out[0] = _k1_coefficient;
    (void)scalars;
    (void)totals;
    (void)out; /* a variant may read none of them */
}

#endif /* OCG_LAMB_CUH */
