// generated from specs/lion.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Lion: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state)
 * and the per-step scalars, and writes the new values through the _new_* pointers. The
 * scalars are computed once per step by *_step (or by the host, generated/host/lion.py).
 */
#ifndef OCG_LION_CUH
#define OCG_LION_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: h = { learning_rate, beta_1, beta_2, weight_decay, decay }, s = { unused }
 * (updated in place), t = the step, 1 for the first. Writes k = { _c0, _c1, _c2, beta_1, beta_2, weight_decay }. */
HD void ocg_lion_default_step(const double *h, double *s, double t, double *k)
{
    double beta_1 = h[1];
    double beta_2 = h[2];
    double decay = h[4];
    double learning_rate = h[0];
    double weight_decay = h[3];
    double lr = learning_rate/(decay*(t - 1.0) + 1.0);
    double _c0 = 1.0 - beta_2;
    double _c1 = -lr;
    double _c2 = 1.0 - beta_1;
    k[0] = _c0;
    k[1] = _c1;
    k[2] = _c2;
    k[3] = beta_1;
    k[4] = beta_2;
    k[5] = weight_decay;
    (void)h; (void)s; (void)t; /* not every variant reads all three */
}

HD void ocg_lion_default_element_f32(
    float p, float g, float m,
    float _c0, float _c1, float _c2, float beta_1, float beta_2, float weight_decay,
    float *_new_p, float *_new_m)
{
    *_new_m = _c0*g + beta_2*m;
    *_new_p = _c1*(p*weight_decay + ocg_signf(_c2*g + beta_1*m)) + p;
}

HD void ocg_lion_default_element_f64(
    double p, double g, double m,
    double _c0, double _c1, double _c2, double beta_1, double beta_2, double weight_decay,
    double *_new_p, double *_new_m)
{
    *_new_m = _c0*g + beta_2*m;
    *_new_p = _c1*(p*weight_decay + ocg_sign(_c2*g + beta_1*m)) + p;
}

#endif /* OCG_LION_CUH */
