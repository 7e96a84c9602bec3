// generated from specs/nadam.yaml by templates/cuda/optimizer.cuh.j2 — do not edit
/* Nadam: the update of one element, valid C99 and CUDA C++ (see ocg.h for HD).
 *
 * Each *_element_* function takes the values before the step (p, g after clipping, the state)
 * and the per-step scalars, and writes the new values through the _new_* pointers. The
 * scalars are computed once per step by *_step (or by the host, generated/host/nadam.py).
 */
#ifndef OCG_NADAM_CUH
#define OCG_NADAM_CUH

#include "ocg.h"

/* ---- the defaults ---- */

/* Per-step scalars: h = { learning_rate, beta_1, beta_2, epsilon, schedule_decay }, s = { m_schedule }
 * (updated in place), t = the step, 1 for the first. Writes k = { _c0, _c1, _c2, _c3, _c4, _c5, beta_1, beta_2, epsilon }. */
HD void ocg_nadam_default_step(const double *h, double *s, double t, double *k)
{
    double beta_1 = h[1];
    double beta_2 = h[2];
    double epsilon = h[3];
    double learning_rate = h[0];
    double m_schedule = s[0];
    double schedule_decay = h[4];
    double lr = learning_rate;
    double mu_t = beta_1*(1.0 - 1.0/2.0*pow(24.0/25.0, schedule_decay*t));
    double mu_next = beta_1*(1.0 - 1.0/2.0*pow(24.0/25.0, schedule_decay*(t + 1.0)));
    m_schedule = m_schedule*mu_t;
    double m_schedule_next = m_schedule*mu_next;
    double _c0 = 1.0 - beta_1;
    double _c1 = 1.0 - beta_2;
    double _c2 = -lr;
    double _c3 = 1.0/(1.0 - pow(beta_2, t));
    double _c4 = (1.0 - mu_t)/(1.0 - m_schedule);
    double _c5 = mu_next/(1.0 - m_schedule_next);
    s[0] = m_schedule;
    k[0] = _c0;
    k[1] = _c1;
    k[2] = _c2;
    k[3] = _c3;
    k[4] = _c4;
    k[5] = _c5;
    k[6] = beta_1;
    k[7] = beta_2;
    k[8] = epsilon;
    (void)h; (void)s; (void)t; /* not every variant reads all three */
}

HD void ocg_nadam_default_element_f32(
    float p, float g, float m, float v,
    float _c0, float _c1, float _c2, float _c3, float _c4, float _c5, float beta_1, float beta_2, float epsilon,
    float *_new_p, float *_new_m, float *_new_v)
{
    const float _e0 = _c0*g + beta_1*m;
    const float _e1 = _c1*g*g + beta_2*v;
    *_new_m = _e0;
    *_new_v = _e1;
    *_new_p = _c2*(_c4*g + _c5*_e0)/(epsilon + sqrtf(_c3*_e1)) + p;
}

HD void ocg_nadam_default_element_f64(
    double p, double g, double m, double v,
    double _c0, double _c1, double _c2, double _c3, double _c4, double _c5, double beta_1, double beta_2, double epsilon,
    double *_new_p, double *_new_m, double *_new_v)
{
    const double _e0 = _c0*g + beta_1*m;
    const double _e1 = _c1*g*g + beta_2*v;
    *_new_m = _e0;
    *_new_v = _e1;
    *_new_p = _c2*(_c4*g + _c5*_e0)/(epsilon + sqrt(_c3*_e1)) + p;
}

#endif /* OCG_NADAM_CUH */
