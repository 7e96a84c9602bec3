// generated from specs/rprop.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Rprop: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/rprop.py).
 */
#ifndef OCG_RPROP_CUH
#define OCG_RPROP_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, eta_minus, eta_plus, step_size_min, step_size_max, weight_decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min }. */
HD void ocg_rprop_default_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double eta_minus = hyper[1];
    double eta_plus = hyper[2];
    double learning_rate = hyper[0];
    double step_size_max = hyper[4];
    double step_size_min = hyper[3];
    double weight_decay = hyper[5];
    double lr = learning_rate;
    double _c0_weight_decay_factor = -lr * weight_decay + 1.0;
    scalars[0] = _c0_weight_decay_factor;
    scalars[1] = eta_minus;
    scalars[2] = eta_plus;
    scalars[3] = step_size_max;
    scalars[4] = step_size_min;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_rprop_default_element_f32(float p, float g, float prev, float step_size,
                                      float _c0_weight_decay_factor, float eta_minus,
                                      float eta_plus, float step_size_max, float step_size_min,
                                      float *_new_p, float *_new_prev, float *_new_step_size)
{
    const int _m0 = g * prev > 0.0F;
    const int _m1 = g * prev < 0.0F;
    const float _e0 = ((_m1) ? (0.0F) : (g));
    const float _e1 =
        ocg_minf(step_size_max,
                 ocg_maxf(step_size_min,
                          step_size * ((_m0) ? (eta_plus) : (((_m1) ? (eta_minus) : (1.0F))))));
    *_new_prev = _e0;
    *_new_step_size = _e1;
    *_new_p = _c0_weight_decay_factor * p - _e1 * ocg_signf(_e0);
}

HD void ocg_rprop_default_element_f64(double p, double g, double prev, double step_size,
                                      double _c0_weight_decay_factor, double eta_minus,
                                      double eta_plus, double step_size_max, double step_size_min,
                                      double *_new_p, double *_new_prev, double *_new_step_size)
{
    const int _m0 = g * prev > 0.0;
    const int _m1 = g * prev < 0.0;
    const double _e0 = ((_m1) ? (0.0) : (g));
    const double _e1 = ocg_min(
        step_size_max,
        ocg_max(step_size_min, step_size * ((_m0) ? (eta_plus) : (((_m1) ? (eta_minus) : (1.0))))));
    *_new_prev = _e0;
    *_new_step_size = _e1;
    *_new_p = _c0_weight_decay_factor * p - _e1 * ocg_sign(_e0);
}

#endif /* OCG_RPROP_CUH */
