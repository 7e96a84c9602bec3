// generated from specs/adafactor.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Adafactor: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/adafactor.py).
 */
#ifndef OCG_ADAFACTOR_CUH
#define OCG_ADAFACTOR_CUH

#include "ocg.h"

/* ---- factored=False ---- */

/* Per-step scalars: hyper = { learning_rate, beta_2_decay, epsilon_1, epsilon_2, clip_threshold, decay, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta, _c1_minus_rho, _c2_inv_clip_threshold, _c4_weight_decay_factor, _c3__weight_decay_factor_pow_two, beta, epsilon_1, epsilon_2 }. */
HD void ocg_adafactor_no_factored_step(const double *hyper, double *scalar_state, double t,
                                       double *scalars)
{
    double beta_2_decay = hyper[1];
    double clip_threshold = hyper[4];
    double decay = hyper[5];
    double epsilon_1 = hyper[2];
    double epsilon_2 = hyper[3];
    double learning_rate = hyper[0];
    double weight_decay = hyper[6];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double rho = ocg_min(lr, 1.0 / sqrt(t));
    double beta = 1.0 - pow(t, beta_2_decay);
    double _c0_one_minus_beta = 1.0 - beta;
    double _c1_minus_rho = -rho;
    double _c2_inv_clip_threshold = 1.0 / (clip_threshold);
    double _c4_weight_decay_factor = -lr * weight_decay + 1.0;
    double _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor * _c4_weight_decay_factor;
    scalars[0] = _c0_one_minus_beta;
    scalars[1] = _c1_minus_rho;
    scalars[2] = _c2_inv_clip_threshold;
    scalars[3] = _c4_weight_decay_factor;
    scalars[4] = _c3__weight_decay_factor_pow_two;
    scalars[5] = beta;
    scalars[6] = epsilon_1;
    scalars[7] = epsilon_2;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_adafactor_no_factored_element_f32(float p, float g, float v,
                                              float _c4_weight_decay_factor, float _k0_coefficient,
                                              float *_new_p)
{
    *_new_p = _c4_weight_decay_factor * p + _k0_coefficient * g / sqrtf(v);
}

HD void ocg_adafactor_no_factored_element_f64(double p, double g, double v,
                                              double _c4_weight_decay_factor,
                                              double _k0_coefficient, double *_new_p)
{
    *_new_p = _c4_weight_decay_factor * p + _k0_coefficient * g / sqrt(v);
}

/* The first of the two passes writes v: their new values need no per-tensor
 * value, and the update above reads them from memory. */

HD void ocg_adafactor_no_factored_commit_f32(float g, float v, float _c0_one_minus_beta, float beta,
                                             float epsilon_1, float *_new_v)
{
    const float _stored_v = _c0_one_minus_beta * (epsilon_1 + g * g) + beta * v;
    *_new_v = _stored_v;
}

HD void ocg_adafactor_no_factored_commit_f64(double g, double v, double _c0_one_minus_beta,
                                             double beta, double epsilon_1, double *_new_v)
{
    const double _stored_v = _c0_one_minus_beta * (epsilon_1 + g * g) + beta * v;
    *_new_v = _stored_v;
}

/* One element's term of each per-tensor reduction (p_squares, u_squares, elements),
 * from the values before the step and the step's scalars. */
HD void ocg_adafactor_no_factored_terms_f32(float p, float g, float v, float _c0_one_minus_beta,
                                            float _c3__weight_decay_factor_pow_two, float beta,
                                            float epsilon_1, float *_term_p_squares,
                                            float *_term_u_squares, float *_term_elements)
{
    *_term_p_squares = _c3__weight_decay_factor_pow_two * p * p;
    *_term_u_squares = g * g / (_c0_one_minus_beta * (epsilon_1 + g * g) + beta * v);
    *_term_elements = 1.0F;
}

/* One element's term of each per-tensor reduction (p_squares, u_squares, elements),
 * from the values before the step and the step's scalars. */
HD void ocg_adafactor_no_factored_terms_f64(double p, double g, double v, double _c0_one_minus_beta,
                                            double _c3__weight_decay_factor_pow_two, double beta,
                                            double epsilon_1, double *_term_p_squares,
                                            double *_term_u_squares, double *_term_elements)
{
    *_term_p_squares = _c3__weight_decay_factor_pow_two * p * p;
    *_term_u_squares = g * g / (_c0_one_minus_beta * (epsilon_1 + g * g) + beta * v);
    *_term_elements = 1.0;
}

/* A tensor's scalars: totals = { p_squares, u_squares, elements } over its elements,
 * scalars as *_step writes them; writes out = { _k0_coefficient }. */
HD void ocg_adafactor_no_factored_tensor(const double *scalars, const double *totals, double *out)
{
    const double _c1_minus_rho = scalars[1];
    const double _c2_inv_clip_threshold = scalars[2];
    const double elements = totals[2];
    const double epsilon_2 = scalars[7];
    const double p_squares = totals[0];
    const double u_squares = totals[1];
    const double _k0_coefficient =
        _c1_minus_rho * ocg_max(epsilon_2, sqrt(p_squares / elements)) /
        ocg_max(1.0, _c2_inv_clip_threshold * sqrt(u_squares / elements));
    out[0] = _k0_coefficient;
    (void)scalars;
    (void)totals;
    (void)out; /* a variant may read none of them */
}

#endif /* OCG_ADAFACTOR_CUH */
