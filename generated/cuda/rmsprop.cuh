// generated from specs/rmsprop.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* RMSprop: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state)
 * and the per-step scalars, and writes the new values through the _new_* pointers. The
 * scalars are computed once per step by *_step (or by the host, generated/host/rmsprop.py).
 */
#ifndef OCG_RMSPROP_CUH
#define OCG_RMSPROP_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: h = { learning_rate, rho, epsilon, decay }, s = { unused }
 * (updated in place), t = the step, 1 for the first. Writes k = { _c0, _c1, epsilon, rho }. */
HD void ocg_rmsprop_default_step(const double *h, double *s, double t, double *k)
{
    double decay = h[3];
    double epsilon = h[2];
    double learning_rate = h[0];
    double rho = h[1];
    double lr = learning_rate/(decay*(t - 1.0) + 1.0);
    double _c0 = 1.0 - rho;
    double _c1 = -lr;
    k[0] = _c0;
    k[1] = _c1;
    k[2] = epsilon;
    k[3] = rho;
    (void)h; (void)s; (void)t; /* not every variant reads all three */
}

HD void ocg_rmsprop_default_element_f32(
    float p, float g, float accumulator,
    float _c0, float _c1, float epsilon, float rho,
    float *_new_p, float *_new_accumulator)
{
    const float _e0 = _c0*g*g + accumulator*rho;
    *_new_accumulator = _e0;
    *_new_p = _c1*g/(sqrtf(_e0) + epsilon) + p;
}

HD void ocg_rmsprop_default_element_f64(
    double p, double g, double accumulator,
    double _c0, double _c1, double epsilon, double rho,
    double *_new_p, double *_new_accumulator)
{
    const double _e0 = _c0*g*g + accumulator*rho;
    *_new_accumulator = _e0;
    *_new_p = _c1*g/(sqrt(_e0) + epsilon) + p;
}

#endif /* OCG_RMSPROP_CUH */
