// generated from specs/sgd.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* SGD: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state)
 * and the per-step scalars, and writes the new values through the _new_* pointers. The
 * scalars are computed once per step by *_step (or by the host, generated/host/sgd.py).
 */
#ifndef OCG_SGD_CUH
#define OCG_SGD_CUH

#include "ocg.h"

/* ---- nesterov=False ---- */

/* Per-step scalars: h = { learning_rate, momentum, decay }, s = { unused }
 * (updated in place), t = the step, 1 for the first. Writes k = { _c0, momentum }. */
HD void ocg_sgd_no_nesterov_step(const double *h, double *s, double t, double *k)
{
    double decay = h[2];
    double learning_rate = h[0];
    double momentum = h[1];
    double lr = learning_rate/(decay*(t - 1.0) + 1.0);
    double _c0 = -lr;
    k[0] = _c0;
    k[1] = momentum;
    (void)h; (void)s; (void)t; /* not every variant reads all three */
}

HD void ocg_sgd_no_nesterov_element_f32(
    float p, float g, float velocity,
    float _c0, float momentum,
    float *_new_p, float *_new_velocity)
{
    const float _e0 = _c0*g + momentum*velocity;
    *_new_velocity = _e0;
    *_new_p = _e0 + p;
}

HD void ocg_sgd_no_nesterov_element_f64(
    double p, double g, double velocity,
    double _c0, double momentum,
    double *_new_p, double *_new_velocity)
{
    const double _e0 = _c0*g + momentum*velocity;
    *_new_velocity = _e0;
    *_new_p = _e0 + p;
}

/* ---- nesterov=True ---- */

/* Per-step scalars: h = { learning_rate, momentum, decay }, s = { unused }
 * (updated in place), t = the step, 1 for the first. Writes k = { _c0, momentum }. */
HD void ocg_sgd_nesterov_step(const double *h, double *s, double t, double *k)
{
    double decay = h[2];
    double learning_rate = h[0];
    double momentum = h[1];
    double lr = learning_rate/(decay*(t - 1.0) + 1.0);
    double _c0 = -lr;
    k[0] = _c0;
    k[1] = momentum;
    (void)h; (void)s; (void)t; /* not every variant reads all three */
}

HD void ocg_sgd_nesterov_element_f32(
    float p, float g, float velocity,
    float _c0, float momentum,
    float *_new_p, float *_new_velocity)
{
    const float _e0 = _c0*g;
    const float _e1 = _e0 + momentum*velocity;
    *_new_velocity = _e1;
    *_new_p = _e0 + _e1*momentum + p;
}

HD void ocg_sgd_nesterov_element_f64(
    double p, double g, double velocity,
    double _c0, double momentum,
    double *_new_p, double *_new_velocity)
{
    const double _e0 = _c0*g;
    const double _e1 = _e0 + momentum*velocity;
    *_new_velocity = _e1;
    *_new_p = _e0 + _e1*momentum + p;
}

#endif /* OCG_SGD_CUH */
