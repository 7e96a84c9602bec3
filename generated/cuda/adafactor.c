// generated from specs/adafactor.yaml by templates/cuda/optimizer.c.j2 — do not edit
/* Adafactor on the CPU: every tensor of a list in one call, OpenMP threads over the elements
 * and the element functions of adafactor.cuh inlined into a loop gcc vectorizes (build with
 * -O3 -march=native -fno-math-errno -fopenmp, and -mprefer-vector-width=512 on x86-64; without
 * -fno-math-errno sqrtf stays scalar).
 * The C API is documented in adafactor.h. */
#include "adafactor.h"
#include "ocg_state.h"
#include <stdlib.h>

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
            /* the terms combined in the element type over a chunk, the chunks' in double */
            for (int64_t _c = _lo; _c < _hi; _c += OCG_SUM_CHUNK) {
                const int64_t _c_end = _hi - _c < OCG_SUM_CHUNK ? _hi : _c + OCG_SUM_CHUNK;
                float _chunk_p_squares = (float)0.0;
                float _chunk_u_squares = (float)0.0;
                float _chunk_elements = (float)0.0;
#pragma omp simd reduction(+ : _chunk_p_squares, _chunk_u_squares, _chunk_elements)
                for (int64_t _i = _c; _i < _c_end; ++_i) {
                    float _term_p_squares, _term_u_squares, _term_elements;
                    ocg_adafactor_no_factored_terms_f32(
                        p[_i], ocg_clip_valuef(g[_i] * _scale, _bound), v[_i], _c0_one_minus_beta,
                        _c3__weight_decay_factor_pow_two, beta, epsilon_1, &_term_p_squares,
                        &_term_u_squares, &_term_elements);
                    float _new_v;
                    ocg_adafactor_no_factored_commit_f32(ocg_clip_valuef(g[_i] * _scale, _bound),
                                                         v[_i], _c0_one_minus_beta, beta, epsilon_1,
                                                         &_new_v);
                    v[_i] = _new_v;
                    _chunk_p_squares = _chunk_p_squares + _term_p_squares;
                    _chunk_u_squares = _chunk_u_squares + _term_u_squares;
                    _chunk_elements = _chunk_elements + _term_elements;
                }
                _sum_p_squares = _sum_p_squares + (double)_chunk_p_squares;
                _sum_u_squares = _sum_u_squares + (double)_chunk_u_squares;
                _sum_elements = _sum_elements + (double)_chunk_elements;
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
            /* the terms combined in the element type over a chunk, the chunks' in double */
            for (int64_t _c = _lo; _c < _hi; _c += OCG_SUM_CHUNK) {
                const int64_t _c_end = _hi - _c < OCG_SUM_CHUNK ? _hi : _c + OCG_SUM_CHUNK;
                double _chunk_p_squares = (double)0.0;
                double _chunk_u_squares = (double)0.0;
                double _chunk_elements = (double)0.0;
#pragma omp simd reduction(+ : _chunk_p_squares, _chunk_u_squares, _chunk_elements)
                for (int64_t _i = _c; _i < _c_end; ++_i) {
                    double _term_p_squares, _term_u_squares, _term_elements;
                    ocg_adafactor_no_factored_terms_f64(
                        p[_i], ocg_clip_value(g[_i] * _scale, _bound), v[_i], _c0_one_minus_beta,
                        _c3__weight_decay_factor_pow_two, beta, epsilon_1, &_term_p_squares,
                        &_term_u_squares, &_term_elements);
                    double _new_v;
                    ocg_adafactor_no_factored_commit_f64(ocg_clip_value(g[_i] * _scale, _bound),
                                                         v[_i], _c0_one_minus_beta, beta, epsilon_1,
                                                         &_new_v);
                    v[_i] = _new_v;
                    _chunk_p_squares = _chunk_p_squares + _term_p_squares;
                    _chunk_u_squares = _chunk_u_squares + _term_u_squares;
                    _chunk_elements = _chunk_elements + _term_elements;
                }
                _sum_p_squares = _sum_p_squares + (double)_chunk_p_squares;
                _sum_u_squares = _sum_u_squares + (double)_chunk_u_squares;
                _sum_elements = _sum_elements + (double)_chunk_elements;
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

/* factored=True: a rule of row or column means, one tensor of any rank >= 2 (a stack
 * of _matrices matrices of _rows x _columns) in 3 passes over its elements
 * (generator/staging.py), the values of one per row, column or matrix computed between them.
 * OpenMP threads share whole matrices where there are enough, else the rows (or, for a wide
 * matrix, the columns) of one matrix at a time, their partial sums combined in thread order:
 * every run with the same threads gives the same bits. arrays: p, g, then the state
 * (r: rows, c: columns).
 * Returns 0, 1 for arguments it refuses (a null pointer, a size below 0 or past int64), 2 if
 * its work memory cannot be allocated. */
int ocg_adafactor_factored_f32_staged_cpu(void *const *arrays, int64_t _matrices, int64_t _rows,
                                          int64_t _columns, const double *scalars)
{
    if (arrays == NULL || scalars == NULL || _matrices < 0 || _rows < 0 || _columns < 0)
        return 1;
    if (_matrices == 0 || _rows == 0 || _columns == 0)
        return 0; /* nothing to update, and the means would divide by a count of 0 */
    if (_rows > INT64_MAX / _columns || _matrices > INT64_MAX / (_rows * _columns))
        return 1;
    for (int _a = 0; _a < 4; ++_a)
        if (arrays[_a] == NULL)
            return 1;
    float *OCG_RESTRICT _a_p = (float *)arrays[0];
    const float *OCG_RESTRICT _a_g = (float *)arrays[1];
    float *OCG_RESTRICT _a_r = (float *)arrays[2];
    float *OCG_RESTRICT _a_c = (float *)arrays[3];
    const double _c0_one_minus_beta = scalars[0];
    const double _c1_minus_rho = scalars[1];
    const double _c2_inv_clip_threshold = scalars[2];
    const double _c4_weight_decay_factor = scalars[3];
    const double _c3__weight_decay_factor_pow_two = scalars[4];
    const double beta = scalars[5];
    const double epsilon_1 = scalars[6];
    const double epsilon_2 = scalars[7];
    const double _elements = (double)(_matrices * _rows * _columns);
    const double rows = (double)_rows, columns = (double)_columns; /* as a spec reads them */
    (void)_elements;
    (void)rows;
    (void)columns;
    const int _team = omp_get_max_threads() < OCG_CPU_TEAM ? omp_get_max_threads() : OCG_CPU_TEAM;
    /* 0: threads take whole matrices; 1: the rows of one; 2: its columns (a wide matrix) */
    const int _by = _matrices >= _team ? 0 : _rows >= _columns ? 1 : 2;
    const int64_t _partial_length = _by == 1 ? 1 * _columns : _by == 2 ? 1 * _rows : 0;
    int64_t _length = _team * _partial_length;
    const int64_t _lengths[] = { 0,
                                 _matrices * _rows,
                                 _matrices * _columns,
                                 _matrices,
                                 _matrices * _columns,
                                 _matrices * _rows,
                                 _matrices * _rows,
                                 _matrices * _columns,
                                 _matrices,
                                 _matrices * _rows,
                                 _matrices * _columns };
    for (size_t _k = 0; _k < sizeof _lengths / sizeof _lengths[0]; ++_k) {
        if (_lengths[_k] > (INT64_MAX / 8 - _length))
            return 2;
        _length += _lengths[_k];
    }
    /* float memory after the doubles, in one allocation: each thread's partial column sums
     * over a few rows, and the copies of values per column */
    if (_columns > INT64_MAX / 8 / (_team * 3 + 1) / (_matrices + 1))
        return 2; /* (checked before multiplying: an overflowed product is undefined) */
    const int64_t _float_length = _team * 1 * _columns + 2 * _matrices * _columns;
    if (_float_length / 2 + 1 > INT64_MAX / 8 - _length)
        return 2;
    _length += _float_length / 2 + 1; /* in whole doubles */
    double *_work = (double *)malloc((size_t)(_length > 0 ? _length : 1) * sizeof(double));
    if (_work == NULL)
        return 2;
    double *const _partials = _work;
    double *_next = _work + _team * _partial_length;
    double *OCG_RESTRICT _v__stored_r = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__stored_c = _next;
    _next += _matrices * _columns;
    double *OCG_RESTRICT _v__mean2 = _next;
    _next += _matrices;
    double *OCG_RESTRICT _v__per_columns1 = _next;
    _next += _matrices * _columns;
    double *OCG_RESTRICT _v__per_rows0 = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__per_rows3 = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__per_columns4 = _next;
    _next += _matrices * _columns;
    double *OCG_RESTRICT _v__per_matrix2 = _next;
    _next += _matrices;
    double *OCG_RESTRICT _v__mean0 = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__mean1 = _next;
    _next += _matrices * _columns;
    (void)_next;
    float *const _float_partials = (float *)_next;
    (void)_float_partials;
    float *OCG_RESTRICT _f_v__per_columns1 =
        _float_partials + _team * 1 * _columns + 0 * _matrices * _columns;
    float *OCG_RESTRICT _f_v__per_columns4 =
        _float_partials + _team * 1 * _columns + 1 * _matrices * _columns;
    double _k0_coefficient = 0.0;
    double elements = 0.0;
    double p_squares = 0.0;
    double u_squares = 0.0;
    double _tensor_partials[OCG_CPU_TEAM][1];
#pragma omp parallel num_threads(_team)
    {
        const int64_t _threads = omp_get_num_threads(), _me = omp_get_thread_num();
        const int64_t _b0 = _by == 0 ? _me * _matrices / _threads : 0;
        const int64_t _b1 = _by == 0 ? (_me + 1) * _matrices / _threads : _matrices;
        const int64_t _i0 = _by == 1 ? _me * _rows / _threads : 0;
        const int64_t _i1 = _by == 1 ? (_me + 1) * _rows / _threads : _rows;
        const int64_t _j0 = _by == 2 ? _me * _columns / _threads : 0;
        const int64_t _j1 = _by == 2 ? (_me + 1) * _columns / _threads : _columns;
        (void)_i0;
        (void)_i1;
        (void)_j0;
        (void)_j1;
        /* pass 0: the per-tensor values it reads (which read no value per row or
         * column), the values per row, column or matrix, then the pass */
#pragma omp single
        {
            elements = _elements;
        }
        {
            const float _f__c3__weight_decay_factor_pow_two =
                (float)_c3__weight_decay_factor_pow_two;
            const float _f_epsilon_1 = (float)epsilon_1;
            double _tacc0 = 0.0;
            for (int64_t _b = _b0; _b < _b1; ++_b) {
                double *const _rp0 =
                    _by == 2 ? _partials + (_me * 1 + 0) * _rows : _v__mean0 + _b * _rows;
                for (int64_t _i = (_by == 2 ? 0 : _i0); _i < (_by == 2 ? _rows : _i1); ++_i)
                    _rp0[_i] = 0.0;
                double *const _cp0 =
                    _by == 1 ? _partials + (_me * 1 + 0) * _columns : _v__mean1 + _b * _columns;
                for (int64_t _j = (_by == 1 ? 0 : _j0); _j < (_by == 1 ? _columns : _j1); ++_j)
                    _cp0[_j] = 0.0;
                float *OCG_RESTRICT const _cf0 = _float_partials + (_me * 1 + 0) * _columns;
                for (int64_t _j = _j0; _j < _j1; ++_j)
                    _cf0[_j] = 0.0F;
                for (int64_t _i = _i0; _i < _i1; ++_i) {
                    const int64_t _row = _b * _rows + _i;
                    double _racc0 = 0.0;
                    /* sums in the element type over a chunk of the row, added up in double */
                    for (int64_t _jc = _j0; _jc < _j1; _jc += OCG_SUM_CHUNK) {
                        const int64_t _jn = _j1 - _jc < OCG_SUM_CHUNK ? _j1 : _jc + OCG_SUM_CHUNK;
                        float _racc0_chunk = 0;
                        float _tacc0_chunk = 0;
#pragma omp simd reduction(+ : _racc0_chunk, _tacc0_chunk)
                        for (int64_t _j = _jc; _j < _jn; ++_j) {
                            const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                            (void)_e;
                            (void)_col;
                            const float g = (float)_a_g[_e];
                            const float p = (float)_a_p[_e];
                            const float _e0 = _f_epsilon_1 + g * g;
                            _racc0_chunk += _e0;
                            _tacc0_chunk += _f__c3__weight_decay_factor_pow_two * p * p;
                            _cf0[_j] += _e0;
                        }
                        _racc0 += (double)_racc0_chunk;
                        _tacc0 += (double)_tacc0_chunk;
                    }
                    _rp0[_i] += _racc0;
                    if ((_i - _i0) % OCG_SUM_ROWS == OCG_SUM_ROWS - 1 ||
                        _i == _i1 - 1) { /* into double */
#pragma omp simd
                        for (int64_t _j = _j0; _j < _j1; ++_j) {
                            _cp0[_j] += (double)_cf0[_j];
                            _cf0[_j] = 0.0F;
                        }
                    }
                }
                if (_by != 0) { /* every thread reaches these barriers: all take every matrix */
#pragma omp barrier
                    if (_by == 2) {
#pragma omp for
                        for (int64_t _i = 0; _i < _rows; ++_i) {
                            double _total = 0.0;
                            for (int64_t _t = 0; _t < _threads; ++_t)
                                _total += _partials[(_t * 1 + 0) * _rows + _i];
                            _v__mean0[_b * _rows + _i] = _total;
                        }
                    }
                    if (_by == 1) {
#pragma omp for
                        for (int64_t _j = 0; _j < _columns; ++_j) {
                            double _total = 0.0;
                            for (int64_t _t = 0; _t < _threads; ++_t)
                                _total += _partials[(_t * 1 + 0) * _columns + _j];
                            _v__mean1[_b * _columns + _j] = _total;
                        }
                    }
#pragma omp barrier
                }
            }
            _tensor_partials[_me][0] = _tacc0;
        }
#pragma omp barrier
#pragma omp single
        {
            for (int64_t _t = 0; _t < _threads; ++_t)
                p_squares += _tensor_partials[_t][0];
        }
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _rows; ++_x)
            _v__mean0[_x] /= (double)_columns;
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _columns; ++_x)
            _v__mean1[_x] /= (double)_rows;
        /* pass 1: the per-tensor values it reads (which read no value per row or
         * column), the values per row, column or matrix, then the pass */
#pragma omp for
        for (int64_t _row = 0; _row < _matrices * _rows; ++_row) {
            const int64_t _b = _row / _rows;
            (void)_b;
            const double _mean0 = (double)_v__mean0[_row];
            const double r = (double)_a_r[_row];
            _v__stored_r[_row] = _c0_one_minus_beta * _mean0 + beta * r;
        }
#pragma omp for
        for (int64_t _col = 0; _col < _matrices * _columns; ++_col) {
            const int64_t _b = _col / _columns;
            (void)_b;
            const double _mean1 = (double)_v__mean1[_col];
            const double c = (double)_a_c[_col];
            _v__stored_c[_col] = _c0_one_minus_beta * _mean1 + beta * c;
        }
#pragma omp for
        for (int64_t _b = 0; _b < _matrices; ++_b) {
            (void)_b;
            double _sum = 0.0;
            for (int64_t _k = 0; _k < _rows; ++_k) {
                const int64_t _row = _b * _rows + _k;
                const double _mean0 = (double)_v__mean0[_row];
                const double r = (double)_a_r[_row];
                _sum += _c0_one_minus_beta * _mean0 + beta * r;
            }
            _v__mean2[_b] = _sum / (double)_rows;
        }
#pragma omp for
        for (int64_t _col = 0; _col < _matrices * _columns; ++_col) {
            const int64_t _b = _col / _columns;
            (void)_b;
            const double _stored_c = (double)_v__stored_c[_col];
            _v__per_columns1[_col] = 1.0 / (_stored_c);
        }
#pragma omp for
        for (int64_t _row = 0; _row < _matrices * _rows; ++_row) {
            const int64_t _b = _row / _rows;
            (void)_b;
            const double _stored_r = (double)_v__stored_r[_row];
            _v__per_rows0[_row] = 1.0 / (_stored_r);
        }
#pragma omp for
        for (int64_t _row = 0; _row < _matrices * _rows; ++_row) {
            const int64_t _b = _row / _rows;
            (void)_b;
            const double _stored_r = (double)_v__stored_r[_row];
            _v__per_rows3[_row] = 1.0 / sqrt(_stored_r);
        }
#pragma omp for
        for (int64_t _col = 0; _col < _matrices * _columns; ++_col) {
            const int64_t _b = _col / _columns;
            (void)_b;
            const double _stored_c = (double)_v__stored_c[_col];
            _v__per_columns4[_col] = 1.0 / sqrt(_stored_c);
        }
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _columns; ++_x)
            _f_v__per_columns1[_x] = (float)_v__per_columns1[_x];
        {
            double _tacc0 = 0.0;
            for (int64_t _b = _b0; _b < _b1; ++_b) {
                const float _mean2 = (float)_v__mean2[_b];
                for (int64_t _i = _i0; _i < _i1; ++_i) {
                    const int64_t _row = _b * _rows + _i;
                    const float _per_rows0 = (float)_v__per_rows0[_row];
                    /* sums in the element type over a chunk of the row, added up in double */
                    for (int64_t _jc = _j0; _jc < _j1; _jc += OCG_SUM_CHUNK) {
                        const int64_t _jn = _j1 - _jc < OCG_SUM_CHUNK ? _j1 : _jc + OCG_SUM_CHUNK;
                        float _tacc0_chunk = 0;
#pragma omp simd reduction(+ : _tacc0_chunk)
                        for (int64_t _j = _jc; _j < _jn; ++_j) {
                            const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                            (void)_e;
                            (void)_col;
                            const float _per_columns1 = _f_v__per_columns1[_col];
                            const float g = (float)_a_g[_e];
                            _tacc0_chunk += _mean2 * _per_columns1 * _per_rows0 * g * g;
                        }
                        _tacc0 += (double)_tacc0_chunk;
                    }
                }
            }
            _tensor_partials[_me][0] = _tacc0;
        }
#pragma omp barrier
#pragma omp single
        {
            for (int64_t _t = 0; _t < _threads; ++_t)
                u_squares += _tensor_partials[_t][0];
        }
        /* pass 2: the per-tensor values it reads (which read no value per row or
         * column), the values per row, column or matrix, then the pass */
#pragma omp single
        {
            _k0_coefficient = _c1_minus_rho * ocg_max(epsilon_2, sqrt(p_squares / elements)) /
                              ocg_max(1.0, _c2_inv_clip_threshold * sqrt(u_squares / elements));
        }
#pragma omp for
        for (int64_t _b = 0; _b < _matrices; ++_b) {
            (void)_b;
            const double _mean2 = (double)_v__mean2[_b];
            _v__per_matrix2[_b] = _k0_coefficient / sqrt(1.0 / (_mean2));
        }
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _columns; ++_x)
            _f_v__per_columns4[_x] = (float)_v__per_columns4[_x];
        {
            const float _f__c4_weight_decay_factor = (float)_c4_weight_decay_factor;
            for (int64_t _b = _b0; _b < _b1; ++_b) {
                const float _per_matrix2 = (float)_v__per_matrix2[_b];
                for (int64_t _i = _i0; _i < _i1; ++_i) {
                    const int64_t _row = _b * _rows + _i;
                    const float _per_rows3 = (float)_v__per_rows3[_row];
                    /* sums in the element type over a chunk of the row, added up in double */
                    for (int64_t _jc = _j0; _jc < _j1; _jc += OCG_SUM_CHUNK) {
                        const int64_t _jn = _j1 - _jc < OCG_SUM_CHUNK ? _j1 : _jc + OCG_SUM_CHUNK;
#pragma omp simd
                        for (int64_t _j = _jc; _j < _jn; ++_j) {
                            const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                            (void)_e;
                            (void)_col;
                            const float _per_columns4 = _f_v__per_columns4[_col];
                            const float g = (float)_a_g[_e];
                            const float p = (float)_a_p[_e];
                            const float _new_p = _f__c4_weight_decay_factor * p +
                                                 _per_columns4 * _per_matrix2 * _per_rows3 * g;
                            _a_p[_e] = _new_p;
                        }
                    }
                }
            }
        }
#pragma omp barrier
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _rows; ++_x)
            _a_r[_x] = (float)_v__stored_r[_x];
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _columns; ++_x)
            _a_c[_x] = (float)_v__stored_c[_x];
    }
    free(_work);
    return 0;
}

/* factored=True: a rule of row or column means, one tensor of any rank >= 2 (a stack
 * of _matrices matrices of _rows x _columns) in 3 passes over its elements
 * (generator/staging.py), the values of one per row, column or matrix computed between them.
 * OpenMP threads share whole matrices where there are enough, else the rows (or, for a wide
 * matrix, the columns) of one matrix at a time, their partial sums combined in thread order:
 * every run with the same threads gives the same bits. arrays: p, g, then the state
 * (r: rows, c: columns).
 * Returns 0, 1 for arguments it refuses (a null pointer, a size below 0 or past int64), 2 if
 * its work memory cannot be allocated. */
int ocg_adafactor_factored_f64_staged_cpu(void *const *arrays, int64_t _matrices, int64_t _rows,
                                          int64_t _columns, const double *scalars)
{
    if (arrays == NULL || scalars == NULL || _matrices < 0 || _rows < 0 || _columns < 0)
        return 1;
    if (_matrices == 0 || _rows == 0 || _columns == 0)
        return 0; /* nothing to update, and the means would divide by a count of 0 */
    if (_rows > INT64_MAX / _columns || _matrices > INT64_MAX / (_rows * _columns))
        return 1;
    for (int _a = 0; _a < 4; ++_a)
        if (arrays[_a] == NULL)
            return 1;
    double *OCG_RESTRICT _a_p = (double *)arrays[0];
    const double *OCG_RESTRICT _a_g = (double *)arrays[1];
    double *OCG_RESTRICT _a_r = (double *)arrays[2];
    double *OCG_RESTRICT _a_c = (double *)arrays[3];
    const double _c0_one_minus_beta = scalars[0];
    const double _c1_minus_rho = scalars[1];
    const double _c2_inv_clip_threshold = scalars[2];
    const double _c4_weight_decay_factor = scalars[3];
    const double _c3__weight_decay_factor_pow_two = scalars[4];
    const double beta = scalars[5];
    const double epsilon_1 = scalars[6];
    const double epsilon_2 = scalars[7];
    const double _elements = (double)(_matrices * _rows * _columns);
    const double rows = (double)_rows, columns = (double)_columns; /* as a spec reads them */
    (void)_elements;
    (void)rows;
    (void)columns;
    const int _team = omp_get_max_threads() < OCG_CPU_TEAM ? omp_get_max_threads() : OCG_CPU_TEAM;
    /* 0: threads take whole matrices; 1: the rows of one; 2: its columns (a wide matrix) */
    const int _by = _matrices >= _team ? 0 : _rows >= _columns ? 1 : 2;
    const int64_t _partial_length = _by == 1 ? 1 * _columns : _by == 2 ? 1 * _rows : 0;
    int64_t _length = _team * _partial_length;
    const int64_t _lengths[] = { 0,
                                 _matrices * _rows,
                                 _matrices * _columns,
                                 _matrices,
                                 _matrices * _columns,
                                 _matrices * _rows,
                                 _matrices * _rows,
                                 _matrices * _columns,
                                 _matrices,
                                 _matrices * _rows,
                                 _matrices * _columns };
    for (size_t _k = 0; _k < sizeof _lengths / sizeof _lengths[0]; ++_k) {
        if (_lengths[_k] > (INT64_MAX / 8 - _length))
            return 2;
        _length += _lengths[_k];
    }
    double *_work = (double *)malloc((size_t)(_length > 0 ? _length : 1) * sizeof(double));
    if (_work == NULL)
        return 2;
    double *const _partials = _work;
    double *_next = _work + _team * _partial_length;
    double *OCG_RESTRICT _v__stored_r = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__stored_c = _next;
    _next += _matrices * _columns;
    double *OCG_RESTRICT _v__mean2 = _next;
    _next += _matrices;
    double *OCG_RESTRICT _v__per_columns1 = _next;
    _next += _matrices * _columns;
    double *OCG_RESTRICT _v__per_rows0 = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__per_rows3 = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__per_columns4 = _next;
    _next += _matrices * _columns;
    double *OCG_RESTRICT _v__per_matrix2 = _next;
    _next += _matrices;
    double *OCG_RESTRICT _v__mean0 = _next;
    _next += _matrices * _rows;
    double *OCG_RESTRICT _v__mean1 = _next;
    _next += _matrices * _columns;
    (void)_next;
    double _k0_coefficient = 0.0;
    double elements = 0.0;
    double p_squares = 0.0;
    double u_squares = 0.0;
    double _tensor_partials[OCG_CPU_TEAM][1];
#pragma omp parallel num_threads(_team)
    {
        const int64_t _threads = omp_get_num_threads(), _me = omp_get_thread_num();
        const int64_t _b0 = _by == 0 ? _me * _matrices / _threads : 0;
        const int64_t _b1 = _by == 0 ? (_me + 1) * _matrices / _threads : _matrices;
        const int64_t _i0 = _by == 1 ? _me * _rows / _threads : 0;
        const int64_t _i1 = _by == 1 ? (_me + 1) * _rows / _threads : _rows;
        const int64_t _j0 = _by == 2 ? _me * _columns / _threads : 0;
        const int64_t _j1 = _by == 2 ? (_me + 1) * _columns / _threads : _columns;
        (void)_i0;
        (void)_i1;
        (void)_j0;
        (void)_j1;
        /* pass 0: the per-tensor values it reads (which read no value per row or
         * column), the values per row, column or matrix, then the pass */
#pragma omp single
        {
            elements = _elements;
        }
        {
            double _tacc0 = 0.0;
            for (int64_t _b = _b0; _b < _b1; ++_b) {
                double *const _rp0 =
                    _by == 2 ? _partials + (_me * 1 + 0) * _rows : _v__mean0 + _b * _rows;
                for (int64_t _i = (_by == 2 ? 0 : _i0); _i < (_by == 2 ? _rows : _i1); ++_i)
                    _rp0[_i] = 0.0;
                double *const _cp0 =
                    _by == 1 ? _partials + (_me * 1 + 0) * _columns : _v__mean1 + _b * _columns;
                for (int64_t _j = (_by == 1 ? 0 : _j0); _j < (_by == 1 ? _columns : _j1); ++_j)
                    _cp0[_j] = 0.0;
                for (int64_t _i = _i0; _i < _i1; ++_i) {
                    const int64_t _row = _b * _rows + _i;
                    double _racc0 = 0.0;
                    /* sums in the element type over a chunk of the row, added up in double */
                    for (int64_t _jc = _j0; _jc < _j1; _jc += OCG_SUM_CHUNK) {
                        const int64_t _jn = _j1 - _jc < OCG_SUM_CHUNK ? _j1 : _jc + OCG_SUM_CHUNK;
                        double _racc0_chunk = 0;
                        double _tacc0_chunk = 0;
#pragma omp simd reduction(+ : _racc0_chunk, _tacc0_chunk)
                        for (int64_t _j = _jc; _j < _jn; ++_j) {
                            const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                            (void)_e;
                            (void)_col;
                            const double g = (double)_a_g[_e];
                            const double p = (double)_a_p[_e];
                            const double _e0 = epsilon_1 + g * g;
                            _racc0_chunk += _e0;
                            _tacc0_chunk += _c3__weight_decay_factor_pow_two * p * p;
                            _cp0[_j] += _e0;
                        }
                        _racc0 += (double)_racc0_chunk;
                        _tacc0 += (double)_tacc0_chunk;
                    }
                    _rp0[_i] += _racc0;
                }
                if (_by != 0) { /* every thread reaches these barriers: all take every matrix */
#pragma omp barrier
                    if (_by == 2) {
#pragma omp for
                        for (int64_t _i = 0; _i < _rows; ++_i) {
                            double _total = 0.0;
                            for (int64_t _t = 0; _t < _threads; ++_t)
                                _total += _partials[(_t * 1 + 0) * _rows + _i];
                            _v__mean0[_b * _rows + _i] = _total;
                        }
                    }
                    if (_by == 1) {
#pragma omp for
                        for (int64_t _j = 0; _j < _columns; ++_j) {
                            double _total = 0.0;
                            for (int64_t _t = 0; _t < _threads; ++_t)
                                _total += _partials[(_t * 1 + 0) * _columns + _j];
                            _v__mean1[_b * _columns + _j] = _total;
                        }
                    }
#pragma omp barrier
                }
            }
            _tensor_partials[_me][0] = _tacc0;
        }
#pragma omp barrier
#pragma omp single
        {
            for (int64_t _t = 0; _t < _threads; ++_t)
                p_squares += _tensor_partials[_t][0];
        }
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _rows; ++_x)
            _v__mean0[_x] /= (double)_columns;
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _columns; ++_x)
            _v__mean1[_x] /= (double)_rows;
        /* pass 1: the per-tensor values it reads (which read no value per row or
         * column), the values per row, column or matrix, then the pass */
#pragma omp for
        for (int64_t _row = 0; _row < _matrices * _rows; ++_row) {
            const int64_t _b = _row / _rows;
            (void)_b;
            const double _mean0 = (double)_v__mean0[_row];
            const double r = (double)_a_r[_row];
            _v__stored_r[_row] = _c0_one_minus_beta * _mean0 + beta * r;
        }
#pragma omp for
        for (int64_t _col = 0; _col < _matrices * _columns; ++_col) {
            const int64_t _b = _col / _columns;
            (void)_b;
            const double _mean1 = (double)_v__mean1[_col];
            const double c = (double)_a_c[_col];
            _v__stored_c[_col] = _c0_one_minus_beta * _mean1 + beta * c;
        }
#pragma omp for
        for (int64_t _b = 0; _b < _matrices; ++_b) {
            (void)_b;
            double _sum = 0.0;
            for (int64_t _k = 0; _k < _rows; ++_k) {
                const int64_t _row = _b * _rows + _k;
                const double _mean0 = (double)_v__mean0[_row];
                const double r = (double)_a_r[_row];
                _sum += _c0_one_minus_beta * _mean0 + beta * r;
            }
            _v__mean2[_b] = _sum / (double)_rows;
        }
#pragma omp for
        for (int64_t _col = 0; _col < _matrices * _columns; ++_col) {
            const int64_t _b = _col / _columns;
            (void)_b;
            const double _stored_c = (double)_v__stored_c[_col];
            _v__per_columns1[_col] = 1.0 / (_stored_c);
        }
#pragma omp for
        for (int64_t _row = 0; _row < _matrices * _rows; ++_row) {
            const int64_t _b = _row / _rows;
            (void)_b;
            const double _stored_r = (double)_v__stored_r[_row];
            _v__per_rows0[_row] = 1.0 / (_stored_r);
        }
#pragma omp for
        for (int64_t _row = 0; _row < _matrices * _rows; ++_row) {
            const int64_t _b = _row / _rows;
            (void)_b;
            const double _stored_r = (double)_v__stored_r[_row];
            _v__per_rows3[_row] = 1.0 / sqrt(_stored_r);
        }
#pragma omp for
        for (int64_t _col = 0; _col < _matrices * _columns; ++_col) {
            const int64_t _b = _col / _columns;
            (void)_b;
            const double _stored_c = (double)_v__stored_c[_col];
            _v__per_columns4[_col] = 1.0 / sqrt(_stored_c);
        }
        {
            double _tacc0 = 0.0;
            for (int64_t _b = _b0; _b < _b1; ++_b) {
                const double _mean2 = (double)_v__mean2[_b];
                for (int64_t _i = _i0; _i < _i1; ++_i) {
                    const int64_t _row = _b * _rows + _i;
                    const double _per_rows0 = (double)_v__per_rows0[_row];
                    /* sums in the element type over a chunk of the row, added up in double */
                    for (int64_t _jc = _j0; _jc < _j1; _jc += OCG_SUM_CHUNK) {
                        const int64_t _jn = _j1 - _jc < OCG_SUM_CHUNK ? _j1 : _jc + OCG_SUM_CHUNK;
                        double _tacc0_chunk = 0;
#pragma omp simd reduction(+ : _tacc0_chunk)
                        for (int64_t _j = _jc; _j < _jn; ++_j) {
                            const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                            (void)_e;
                            (void)_col;
                            const double _per_columns1 = (double)_v__per_columns1[_col];
                            const double g = (double)_a_g[_e];
                            _tacc0_chunk += _mean2 * _per_columns1 * _per_rows0 * g * g;
                        }
                        _tacc0 += (double)_tacc0_chunk;
                    }
                }
            }
            _tensor_partials[_me][0] = _tacc0;
        }
#pragma omp barrier
#pragma omp single
        {
            for (int64_t _t = 0; _t < _threads; ++_t)
                u_squares += _tensor_partials[_t][0];
        }
        /* pass 2: the per-tensor values it reads (which read no value per row or
         * column), the values per row, column or matrix, then the pass */
#pragma omp single
        {
            _k0_coefficient = _c1_minus_rho * ocg_max(epsilon_2, sqrt(p_squares / elements)) /
                              ocg_max(1.0, _c2_inv_clip_threshold * sqrt(u_squares / elements));
        }
#pragma omp for
        for (int64_t _b = 0; _b < _matrices; ++_b) {
            (void)_b;
            const double _mean2 = (double)_v__mean2[_b];
            _v__per_matrix2[_b] = _k0_coefficient / sqrt(1.0 / (_mean2));
        }
        {
            for (int64_t _b = _b0; _b < _b1; ++_b) {
                const double _per_matrix2 = (double)_v__per_matrix2[_b];
                for (int64_t _i = _i0; _i < _i1; ++_i) {
                    const int64_t _row = _b * _rows + _i;
                    const double _per_rows3 = (double)_v__per_rows3[_row];
                    /* sums in the element type over a chunk of the row, added up in double */
                    for (int64_t _jc = _j0; _jc < _j1; _jc += OCG_SUM_CHUNK) {
                        const int64_t _jn = _j1 - _jc < OCG_SUM_CHUNK ? _j1 : _jc + OCG_SUM_CHUNK;
#pragma omp simd
                        for (int64_t _j = _jc; _j < _jn; ++_j) {
                            const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                            (void)_e;
                            (void)_col;
                            const double _per_columns4 = (double)_v__per_columns4[_col];
                            const double g = (double)_a_g[_e];
                            const double p = (double)_a_p[_e];
                            const double _new_p = _c4_weight_decay_factor * p +
                                                  _per_columns4 * _per_matrix2 * _per_rows3 * g;
                            _a_p[_e] = _new_p;
                        }
                    }
                }
            }
        }
#pragma omp barrier
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _rows; ++_x)
            _a_r[_x] = (double)_v__stored_r[_x];
#pragma omp for
        for (int64_t _x = 0; _x < _matrices * _columns; ++_x)
            _a_c[_x] = (double)_v__stored_c[_x];
    }
    free(_work);
    return 0;
}
