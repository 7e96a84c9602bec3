// generated from specs/adafactor.yaml by templates/cuda/optimizer.c.j2 — do not edit
/* Adafactor on the CPU: every tensor of a list in one call, OpenMP threads over the elements
 * and the element functions of adafactor.cuh inlined into a loop gcc vectorizes (build with
 * -O3 -march=native -fno-math-errno -fopenmp; without -fno-math-errno sqrtf stays scalar).
 * The C API is documented in adafactor.h. */
#include "adafactor.h"
#include "ocg_state.h"

#ifdef _OPENMP
#include <omp.h>
#else
static int omp_get_max_threads(void) { return 1; }
static int omp_get_num_threads(void) { return 1; }
static int omp_get_thread_num(void) { return 0; }
#endif

/* The most threads a call with per-tensor reductions uses: their partial values live on
 * the stack, OCG_CPU_TEAM per reduction and tensor. */
#define OCG_CPU_TEAM 256

/* factored=False: a tensor at a time, every thread taking the same share of it in both
 * passes: the terms of its reductions (and the new v), then (after one barrier) their totals,
 * the threads' partial values combined in thread order so that every run gives the same
 * bits, the tensor's scalars and the update. */
int ocg_adafactor_no_factored_f32_cpu(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue)
{
    /* _c0_one_minus_beta = 1.0 - beta */
    /* _c1_minus_rho = -rho */
    /* _c2_inv_clip_threshold = 1.0/(clip_threshold) */
    /* _c4_weight_decay_factor = -lr*weight_decay + 1.0 */
    /* _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor*_c4_weight_decay_factor */
    const float _c0_one_minus_beta = (float)scalars[0];
    const float _c4_weight_decay_factor = (float)scalars[3];
    const float _c3__weight_decay_factor_pow_two = (float)scalars[4];
    const float beta = (float)scalars[5];
    const float epsilon_1 = (float)scalars[6];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    /* two tensors' partial values: a thread may write the next tensor's while another still
     * reads this one's, but not the one after (it waits at that tensor's barrier) */
    double _partials[2][OCG_CPU_TEAM][3];
    const int _team = omp_get_max_threads() < OCG_CPU_TEAM ? omp_get_max_threads() : OCG_CPU_TEAM;
#pragma omp parallel num_threads(_team)
    {
        const int64_t _threads = omp_get_num_threads(), _me = omp_get_thread_num();
        int64_t _round = 0; /* the tensors with elements so far: the same in every thread */
        for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
            void *const *_row = list.pointers + _tensor * 3;
            float *OCG_RESTRICT p = (float *)_row[0];
            const float *OCG_RESTRICT g = (float *)_row[1];
            float *OCG_RESTRICT v = (float *)_row[2];
            const int64_t _n = list.numel[_tensor];
            if (_n == 0) {
                continue; /* nothing to update, and its scalars would divide by a count of 0 */
            }
            const int64_t _share = (_n + _threads - 1) / _threads;
            const int64_t _lo = _me * _share < _n ? _me * _share : _n;
            const int64_t _hi = _n - _lo < _share ? _n : _lo + _share;
            double _sum_p_squares = 0.0;
            double _sum_u_squares = 0.0;
            double _sum_elements = 0.0;
#pragma omp simd reduction(+ : _sum_p_squares, _sum_u_squares, _sum_elements)
            for (int64_t _i = _lo; _i < _hi; ++_i) {
                float _term_p_squares, _term_u_squares, _term_elements;
                ocg_adafactor_no_factored_terms_f32(
                    p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), v[_i], _c0_one_minus_beta,
                    _c3__weight_decay_factor_pow_two, beta, epsilon_1, &_term_p_squares,
                    &_term_u_squares, &_term_elements);
                float _new_v;
                ocg_adafactor_no_factored_commit_f32(ocg_clip_valuef(g[_i] * _scale, _bound), v[_i],
                                                     _c0_one_minus_beta, beta, epsilon_1, &_new_v);
                v[_i] = _new_v;
                _sum_p_squares = _sum_p_squares + (double)_term_p_squares;
                _sum_u_squares = _sum_u_squares + (double)_term_u_squares;
                _sum_elements = _sum_elements + (double)_term_elements;
            }
            double(*const _round_partials)[3] = _partials[_round & 1];
            _round_partials[_me][0] = _sum_p_squares;
            _round_partials[_me][1] = _sum_u_squares;
            _round_partials[_me][2] = _sum_elements;
#pragma omp barrier
            double _totals[3] = { 0.0, 0.0, 0.0 };
            for (int64_t _j = 0; _j < _threads; ++_j) {
                _totals[0] = _totals[0] + _round_partials[_j][0];
                _totals[1] = _totals[1] + _round_partials[_j][1];
                _totals[2] = _totals[2] + _round_partials[_j][2];
            }
            double _tensor_values[1];
            ocg_adafactor_no_factored_tensor(scalars, _totals, _tensor_values);
            const float _k0_coefficient = (float)_tensor_values[0];
            ++_round;
#pragma omp simd
            for (int64_t _i = _lo; _i < _hi; ++_i) {
                float _new_p;
                ocg_adafactor_no_factored_element_f32(
                    p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), v[_i], _c4_weight_decay_factor,
                    _k0_coefficient, &_new_p);
                p[_i] = _new_p;
            }
        }
    }
    return 0;
}

/* factored=False: a tensor at a time, every thread taking the same share of it in both
 * passes: the terms of its reductions (and the new v), then (after one barrier) their totals,
 * the threads' partial values combined in thread order so that every run gives the same
 * bits, the tensor's scalars and the update. */
int ocg_adafactor_no_factored_f64_cpu(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue)
{
    /* _c0_one_minus_beta = 1.0 - beta */
    /* _c1_minus_rho = -rho */
    /* _c2_inv_clip_threshold = 1.0/(clip_threshold) */
    /* _c4_weight_decay_factor = -lr*weight_decay + 1.0 */
    /* _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor*_c4_weight_decay_factor */
    const double _c0_one_minus_beta = (double)scalars[0];
    const double _c4_weight_decay_factor = (double)scalars[3];
    const double _c3__weight_decay_factor_pow_two = (double)scalars[4];
    const double beta = (double)scalars[5];
    const double epsilon_1 = (double)scalars[6];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
    /* two tensors' partial values: a thread may write the next tensor's while another still
     * reads this one's, but not the one after (it waits at that tensor's barrier) */
    double _partials[2][OCG_CPU_TEAM][3];
    const int _team = omp_get_max_threads() < OCG_CPU_TEAM ? omp_get_max_threads() : OCG_CPU_TEAM;
#pragma omp parallel num_threads(_team)
    {
        const int64_t _threads = omp_get_num_threads(), _me = omp_get_thread_num();
        int64_t _round = 0; /* the tensors with elements so far: the same in every thread */
        for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
            void *const *_row = list.pointers + _tensor * 3;
            double *OCG_RESTRICT p = (double *)_row[0];
            const double *OCG_RESTRICT g = (double *)_row[1];
            double *OCG_RESTRICT v = (double *)_row[2];
            const int64_t _n = list.numel[_tensor];
            if (_n == 0) {
                continue; /* nothing to update, and its scalars would divide by a count of 0 */
            }
            const int64_t _share = (_n + _threads - 1) / _threads;
            const int64_t _lo = _me * _share < _n ? _me * _share : _n;
            const int64_t _hi = _n - _lo < _share ? _n : _lo + _share;
            double _sum_p_squares = 0.0;
            double _sum_u_squares = 0.0;
            double _sum_elements = 0.0;
#pragma omp simd reduction(+ : _sum_p_squares, _sum_u_squares, _sum_elements)
            for (int64_t _i = _lo; _i < _hi; ++_i) {
                double _term_p_squares, _term_u_squares, _term_elements;
                ocg_adafactor_no_factored_terms_f64(
                    p[_i], ocg_clip_value(g[_i] * _scale, _bound), v[_i], _c0_one_minus_beta,
                    _c3__weight_decay_factor_pow_two, beta, epsilon_1, &_term_p_squares,
                    &_term_u_squares, &_term_elements);
                double _new_v;
                ocg_adafactor_no_factored_commit_f64(ocg_clip_value(g[_i] * _scale, _bound), v[_i],
                                                     _c0_one_minus_beta, beta, epsilon_1, &_new_v);
                v[_i] = _new_v;
                _sum_p_squares = _sum_p_squares + (double)_term_p_squares;
                _sum_u_squares = _sum_u_squares + (double)_term_u_squares;
                _sum_elements = _sum_elements + (double)_term_elements;
            }
            double(*const _round_partials)[3] = _partials[_round & 1];
            _round_partials[_me][0] = _sum_p_squares;
            _round_partials[_me][1] = _sum_u_squares;
            _round_partials[_me][2] = _sum_elements;
#pragma omp barrier
            double _totals[3] = { 0.0, 0.0, 0.0 };
            for (int64_t _j = 0; _j < _threads; ++_j) {
                _totals[0] = _totals[0] + _round_partials[_j][0];
                _totals[1] = _totals[1] + _round_partials[_j][1];
                _totals[2] = _totals[2] + _round_partials[_j][2];
            }
            double _tensor_values[1];
            ocg_adafactor_no_factored_tensor(scalars, _totals, _tensor_values);
            const double _k0_coefficient = (double)_tensor_values[0];
            ++_round;
#pragma omp simd
            for (int64_t _i = _lo; _i < _hi; ++_i) {
                double _new_p;
                ocg_adafactor_no_factored_element_f64(p[_i], ocg_clip_value(g[_i] * _scale, _bound),
                                                      v[_i], _c4_weight_decay_factor,
                                                      _k0_coefficient, &_new_p);
                p[_i] = _new_p;
            }
        }
    }
    return 0;
}
