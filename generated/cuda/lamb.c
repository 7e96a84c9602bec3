// generated from specs/lamb.yaml by templates/cuda/optimizer.c.j2 — do not edit
/* Lamb on the CPU: every tensor of a list in one call, OpenMP threads over the elements
 * and the element functions of lamb.cuh inlined into a loop gcc vectorizes (build with
 * -O3 -march=native -fno-math-errno -fopenmp, and -mprefer-vector-width=512 on x86-64; without
 * -fno-math-errno sqrtf stays scalar).
 * The C API is documented in lamb.h. */
#include "lamb.h"
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

/* A float kernel sums in float over at most OCG_SUM_CHUNK elements (of a row, for a staged
 * kernel), and a staged kernel's column over at most OCG_SUM_ROWS rows, before adding into
 * double: float keeps the full vector width, and the short runs keep its rounding near a
 * double sum's. */
#define OCG_SUM_CHUNK 256
#define OCG_SUM_ROWS 32

/* the defaults: a tensor at a time, every thread taking the same share of it in both
 * passes: the terms of its reductions (and the new m, v), then (after one barrier) their totals,
 * the threads' partial values combined in thread order so that every run gives the same
 * bits, the tensor's scalars and the update. */
int ocg_lamb_default_f32_cpu(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                             double grad_factor, double clipvalue)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_lr_scale = -lr/(1.0 - pow(beta_1, t)) */
    /* _c3_inv_one_minus_beta_2_pow_t = 1.0/(1.0 - pow(beta_2, t)) */
    /* _c6_weight_decay_factor = -lr*weight_decay + 1.0 */
    /* _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor*_c6_weight_decay_factor */
    /* _c5_coefficient = 1.0/((1.0 - pow(beta_1, t))*(1.0 - pow(beta_1, t))) */
    const float _c0_one_minus_beta_1 = (float)scalars[0];
    const float _c1_one_minus_beta_2 = (float)scalars[1];
    const float _c3_inv_one_minus_beta_2_pow_t = (float)scalars[3];
    const float _c6_weight_decay_factor = (float)scalars[4];
    const float _c4__weight_decay_factor_pow_two = (float)scalars[5];
    const float _c5_coefficient = (float)scalars[6];
    const float beta_1 = (float)scalars[7];
    const float beta_2 = (float)scalars[8];
    const float epsilon = (float)scalars[9];
    const float _scale = (float)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const float _bound = clipvalue > 0.0 ? (float)clipvalue : (float)INFINITY;
    /* two tensors' partial values: a thread may write the next tensor's while another still
     * reads this one's, but not the one after (it waits at that tensor's barrier) */
    double _partials[2][OCG_CPU_TEAM][2];
    const int _team = omp_get_max_threads() < OCG_CPU_TEAM ? omp_get_max_threads() : OCG_CPU_TEAM;
#pragma omp parallel num_threads(_team)
    {
        const int64_t _threads = omp_get_num_threads(), _me = omp_get_thread_num();
        int64_t _round = 0; /* the tensors with elements so far: the same in every thread */
        for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
            void *const *_row = list.pointers + _tensor * 4;
            float *OCG_RESTRICT p = (float *)_row[0];
            const float *OCG_RESTRICT g = (float *)_row[1];
            float *OCG_RESTRICT m = (float *)_row[2];
            float *OCG_RESTRICT v = (float *)_row[3];
            const int64_t _n = list.numel[_tensor];
            if (_n == 0) {
                continue; /* nothing to update, and its scalars would divide by a count of 0 */
            }
            const int64_t _share = (_n + _threads - 1) / _threads;
            const int64_t _lo = _me * _share < _n ? _me * _share : _n;
            const int64_t _hi = _n - _lo < _share ? _n : _lo + _share;
            double _sum_w_norm_squared = 0.0;
            double _sum_u_norm_squared = 0.0;
            /* the terms combined in the element type over a chunk, the chunks' in double */
            for (int64_t _c = _lo; _c < _hi; _c += OCG_SUM_CHUNK) {
                const int64_t _c_end = _hi - _c < OCG_SUM_CHUNK ? _hi : _c + OCG_SUM_CHUNK;
                float _chunk_w_norm_squared = (float)0.0;
                float _chunk_u_norm_squared = (float)0.0;
#pragma omp simd reduction(+ : _chunk_w_norm_squared, _chunk_u_norm_squared)
                for (int64_t _i = _c; _i < _c_end; ++_i) {
                    float _term_w_norm_squared, _term_u_norm_squared;
                    ocg_lamb_default_terms_f32(
                        p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), m[_i], v[_i],
                        _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c3_inv_one_minus_beta_2_pow_t,
                        _c4__weight_decay_factor_pow_two, _c5_coefficient, beta_1, beta_2, epsilon,
                        &_term_w_norm_squared, &_term_u_norm_squared);
                    float _new_m, _new_v;
                    ocg_lamb_default_commit_f32(ocg_clip_valuef(g[_i] * _scale, _bound), m[_i],
                                                v[_i], _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                                                beta_1, beta_2, &_new_m, &_new_v);
                    m[_i] = _new_m;
                    v[_i] = _new_v;
                    _chunk_w_norm_squared = _chunk_w_norm_squared + _term_w_norm_squared;
                    _chunk_u_norm_squared = _chunk_u_norm_squared + _term_u_norm_squared;
                }
                _sum_w_norm_squared = _sum_w_norm_squared + (double)_chunk_w_norm_squared;
                _sum_u_norm_squared = _sum_u_norm_squared + (double)_chunk_u_norm_squared;
            }
            double(*const _round_partials)[2] = _partials[_round & 1];
            _round_partials[_me][0] = _sum_w_norm_squared;
            _round_partials[_me][1] = _sum_u_norm_squared;
#pragma omp barrier
            double _totals[2] = { 0.0, 0.0 };
            for (int64_t _j = 0; _j < _threads; ++_j) {
                _totals[0] = _totals[0] + _round_partials[_j][0];
                _totals[1] = _totals[1] + _round_partials[_j][1];
            }
            double _tensor_values[1];
            ocg_lamb_default_tensor(scalars, _totals, _tensor_values);
            const float _k1_coefficient = (float)_tensor_values[0];
            ++_round;
#pragma omp simd
            for (int64_t _i = _lo; _i < _hi; ++_i) {
                float _new_p;
                ocg_lamb_default_element_f32(p[_i], m[_i], v[_i], _c3_inv_one_minus_beta_2_pow_t,
                                             _c6_weight_decay_factor, epsilon, _k1_coefficient,
                                             &_new_p);
                p[_i] = _new_p;
            }
        }
    }
    return 0;
}

/* the defaults: a tensor at a time, every thread taking the same share of it in both
 * passes: the terms of its reductions (and the new m, v), then (after one barrier) their totals,
 * the threads' partial values combined in thread order so that every run gives the same
 * bits, the tensor's scalars and the update. */
int ocg_lamb_default_f64_cpu(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                             double grad_factor, double clipvalue)
{
    /* _c0_one_minus_beta_1 = 1.0 - beta_1 */
    /* _c1_one_minus_beta_2 = 1.0 - beta_2 */
    /* _c2_lr_scale = -lr/(1.0 - pow(beta_1, t)) */
    /* _c3_inv_one_minus_beta_2_pow_t = 1.0/(1.0 - pow(beta_2, t)) */
    /* _c6_weight_decay_factor = -lr*weight_decay + 1.0 */
    /* _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor*_c6_weight_decay_factor */
    /* _c5_coefficient = 1.0/((1.0 - pow(beta_1, t))*(1.0 - pow(beta_1, t))) */
    const double _c0_one_minus_beta_1 = (double)scalars[0];
    const double _c1_one_minus_beta_2 = (double)scalars[1];
    const double _c3_inv_one_minus_beta_2_pow_t = (double)scalars[3];
    const double _c6_weight_decay_factor = (double)scalars[4];
    const double _c4__weight_decay_factor_pow_two = (double)scalars[5];
    const double _c5_coefficient = (double)scalars[6];
    const double beta_1 = (double)scalars[7];
    const double beta_2 = (double)scalars[8];
    const double epsilon = (double)scalars[9];
    const double _scale = (double)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const double _bound = clipvalue > 0.0 ? (double)clipvalue : (double)INFINITY;
    /* two tensors' partial values: a thread may write the next tensor's while another still
     * reads this one's, but not the one after (it waits at that tensor's barrier) */
    double _partials[2][OCG_CPU_TEAM][2];
    const int _team = omp_get_max_threads() < OCG_CPU_TEAM ? omp_get_max_threads() : OCG_CPU_TEAM;
#pragma omp parallel num_threads(_team)
    {
        const int64_t _threads = omp_get_num_threads(), _me = omp_get_thread_num();
        int64_t _round = 0; /* the tensors with elements so far: the same in every thread */
        for (int64_t _tensor = 0; _tensor < list.n_tensors; ++_tensor) {
            void *const *_row = list.pointers + _tensor * 4;
            double *OCG_RESTRICT p = (double *)_row[0];
            const double *OCG_RESTRICT g = (double *)_row[1];
            double *OCG_RESTRICT m = (double *)_row[2];
            double *OCG_RESTRICT v = (double *)_row[3];
            const int64_t _n = list.numel[_tensor];
            if (_n == 0) {
                continue; /* nothing to update, and its scalars would divide by a count of 0 */
            }
            const int64_t _share = (_n + _threads - 1) / _threads;
            const int64_t _lo = _me * _share < _n ? _me * _share : _n;
            const int64_t _hi = _n - _lo < _share ? _n : _lo + _share;
            double _sum_w_norm_squared = 0.0;
            double _sum_u_norm_squared = 0.0;
            /* the terms combined in the element type over a chunk, the chunks' in double */
            for (int64_t _c = _lo; _c < _hi; _c += OCG_SUM_CHUNK) {
                const int64_t _c_end = _hi - _c < OCG_SUM_CHUNK ? _hi : _c + OCG_SUM_CHUNK;
                double _chunk_w_norm_squared = (double)0.0;
                double _chunk_u_norm_squared = (double)0.0;
#pragma omp simd reduction(+ : _chunk_w_norm_squared, _chunk_u_norm_squared)
                for (int64_t _i = _c; _i < _c_end; ++_i) {
                    double _term_w_norm_squared, _term_u_norm_squared;
                    ocg_lamb_default_terms_f64(
                        p[_i], ocg_clip_value(g[_i] * _scale, _bound), m[_i], v[_i],
                        _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c3_inv_one_minus_beta_2_pow_t,
                        _c4__weight_decay_factor_pow_two, _c5_coefficient, beta_1, beta_2, epsilon,
                        &_term_w_norm_squared, &_term_u_norm_squared);
                    double _new_m, _new_v;
                    ocg_lamb_default_commit_f64(ocg_clip_value(g[_i] * _scale, _bound), m[_i],
                                                v[_i], _c0_one_minus_beta_1, _c1_one_minus_beta_2,
                                                beta_1, beta_2, &_new_m, &_new_v);
                    m[_i] = _new_m;
                    v[_i] = _new_v;
                    _chunk_w_norm_squared = _chunk_w_norm_squared + _term_w_norm_squared;
                    _chunk_u_norm_squared = _chunk_u_norm_squared + _term_u_norm_squared;
                }
                _sum_w_norm_squared = _sum_w_norm_squared + (double)_chunk_w_norm_squared;
                _sum_u_norm_squared = _sum_u_norm_squared + (double)_chunk_u_norm_squared;
            }
            double(*const _round_partials)[2] = _partials[_round & 1];
            _round_partials[_me][0] = _sum_w_norm_squared;
            _round_partials[_me][1] = _sum_u_norm_squared;
#pragma omp barrier
            double _totals[2] = { 0.0, 0.0 };
            for (int64_t _j = 0; _j < _threads; ++_j) {
                _totals[0] = _totals[0] + _round_partials[_j][0];
                _totals[1] = _totals[1] + _round_partials[_j][1];
            }
            double _tensor_values[1];
            ocg_lamb_default_tensor(scalars, _totals, _tensor_values);
            const double _k1_coefficient = (double)_tensor_values[0];
            ++_round;
#pragma omp simd
            for (int64_t _i = _lo; _i < _hi; ++_i) {
                double _new_p;
                ocg_lamb_default_element_f64(p[_i], m[_i], v[_i], _c3_inv_one_minus_beta_2_pow_t,
                                             _c6_weight_decay_factor, epsilon, _k1_coefficient,
                                             &_new_p);
                p[_i] = _new_p;
            }
        }
    }
    return 0;
}
