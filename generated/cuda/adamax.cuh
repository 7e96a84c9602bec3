// generated from specs/adamax.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Adamax: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state)
 * and the per-step scalars, and writes the new values through the _new_* pointers. The
 * scalars are computed once per step by *_step (or by the host, generated/host/adamax.py).
 */
#ifndef OCG_ADAMAX_CUH
#define OCG_ADAMAX_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: h = { learning_rate, beta_1, beta_2, epsilon, decay }, s = { unused }
 * (updated in place), t = the step, 1 for the first. Writes k = { _c0, _c1, beta_1, beta_2, epsilon }. */
HD void ocg_adamax_default_step(const double *h, double *s, double t, double *k)
{
    double beta_1 = h[1];
    double beta_2 = h[2];
    double decay = h[4];
    double epsilon = h[3];
    double learning_rate = h[0];
    double lr = learning_rate/(decay*(t - 1.0) + 1.0);
    double _c0 = 1.0 - beta_1;
    double _c1 = -lr/(1.0 - pow(beta_1, t));
    k[0] = _c0;
    k[1] = _c1;
    k[2] = beta_1;
    k[3] = beta_2;
    k[4] = epsilon;
    (void)h; (void)s; (void)t; /* not every variant reads all three */
}

HD void ocg_adamax_default_element_f32(
    float p, float g, float m, float u,
    float _c0, float _c1, float beta_1, float beta_2, float epsilon,
    float *_new_p, float *_new_m, float *_new_u)
{
    const float _e0 = _c0*g + beta_1*m;
    const float _e1 = ocg_maxf(fabsf(g), beta_2*u);
    *_new_m = _e0;
    *_new_u = _e1;
    *_new_p = _c1*_e0/(_e1 + epsilon) + p;
}

HD void ocg_adamax_default_element_f64(
    double p, double g, double m, double u,
    double _c0, double _c1, double beta_1, double beta_2, double epsilon,
    double *_new_p, double *_new_m, double *_new_u)
{
    const double _e0 = _c0*g + beta_1*m;
    const double _e1 = ocg_max(fabs(g), beta_2*u);
    *_new_m = _e0;
    *_new_u = _e1;
    *_new_p = _c1*_e0/(_e1 + epsilon) + p;
}

#endif /* OCG_ADAMAX_CUH */
