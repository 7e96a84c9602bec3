// generated from specs/lion.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Lion: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state;
 * in the second of two passes, the new values of the states the first wrote) and the per-step
 * scalars, and writes the new values through the _new_* pointers. The scalars are computed
 * once per step by *_step (or by the host, generated/host/lion.py).
 */
#ifndef OCG_LION_CUH
#define OCG_LION_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: hyper = { learning_rate, beta_1, beta_2, weight_decay, decay },
 * scalar_state = { unused } (updated in place), t = the step, 1 for the first.
 * Writes scalars = { _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay }. */
HD void ocg_lion_default_step(const double *hyper, double *scalar_state, double t, double *scalars)
{
    double beta_1 = hyper[1];
    double beta_2 = hyper[2];
    double decay = hyper[4];
    double learning_rate = hyper[0];
    double weight_decay = hyper[3];
    double lr = learning_rate / (decay * (t - 1.0) + 1.0);
    double _c0_one_minus_beta_2 = 1.0 - beta_2;
    double _c1_minus_lr = -lr;
    double _c2_one_minus_beta_1 = 1.0 - beta_1;
    scalars[0] = _c0_one_minus_beta_2;
    scalars[1] = _c1_minus_lr;
    scalars[2] = _c2_one_minus_beta_1;
    scalars[3] = beta_1;
    scalars[4] = beta_2;
    scalars[5] = weight_decay;
    (void)hyper;
    (void)scalar_state;
    (void)t; /* not every variant reads all three */
}

HD void ocg_lion_default_element_f32(float p, float g, float m, float _c0_one_minus_beta_2,
                                     float _c1_minus_lr, float _c2_one_minus_beta_1, float beta_1,
                                     float beta_2, float weight_decay, float *_new_p, float *_new_m)
{
    *_new_m = _c0_one_minus_beta_2 * g + beta_2 * m;
    *_new_p =
        _c1_minus_lr * (p * weight_decay + ocg_signf(_c2_one_minus_beta_1 * g + beta_1 * m)) + p;
}

HD void ocg_lion_default_element_f64(double p, double g, double m, double _c0_one_minus_beta_2,
                                     double _c1_minus_lr, double _c2_one_minus_beta_1,
                                     double beta_1, double beta_2, double weight_decay,
                                     double *_new_p, double *_new_m)
{
    *_new_m = _c0_one_minus_beta_2 * g + beta_2 * m;
    *_new_p =
        _c1_minus_lr * (p * weight_decay + ocg_sign(_c2_one_minus_beta_1 * g + beta_1 * m)) + p;
}

#endif /* OCG_LION_CUH */
