// generated from specs/adafactor.yaml by templates/cuda/optimizer.cu.j2 — do not edit
/* Adafactor on CUDA: one multi-tensor kernel per flag combination, instantiated for float,
 * double, half and bfloat16 parameters, and extern "C" launchers (the API: adafactor.h).
 *
 * A launch covers every chunk of OCG_CHUNK elements of every tensor of the list; each block
 * walks chunks with a grid stride, finds the chunk's tensor by binary search, and each thread
 * updates four neighbouring elements at a time, with 4-wide vector accesses when every array
 * of the tensor is aligned and scalar ones at misaligned starts and tails. Per-step scalars
 * come from device memory, so a captured CUDA graph reads the values of each replay. */
#include "ocg_cuda.h"
#include "adafactor.h"
#include "ocg_state.h"

/* The kernels of state in fewer bits: a block of OCG_THREADS threads takes a state block per warp. */
#define OCG_STATE_STRIDE (OCG_THREADS / OCG_WARP * OCG_STATE_BLOCK)
static_assert(OCG_THREADS % OCG_WARP == 0 && OCG_STATE_BLOCK % OCG_WARP == 0,
              "whole warps, and lanes that take as many elements as each other");
static_assert(OCG_CHUNK % OCG_STATE_STRIDE == 0,
              "a chunk holds a state block for every warp, a whole number of times");
static_assert(OCG_LANE_ELEMENTS == 8, "a lane's elements are one ocg::vec8 of codes");

/* ---- factored=False ---- */

__device__ __forceinline__ void ocg_adafactor_no_factored_element(float p, float g, float v,
                                                                  float _c4_weight_decay_factor,
                                                                  float _k0_coefficient,
                                                                  float *_new_p)
{
    ocg_adafactor_no_factored_element_f32(p, g, v, _c4_weight_decay_factor, _k0_coefficient,
                                          _new_p);
}

__device__ __forceinline__ void ocg_adafactor_no_factored_element(double p, double g, double v,
                                                                  double _c4_weight_decay_factor,
                                                                  double _k0_coefficient,
                                                                  double *_new_p)
{
    ocg_adafactor_no_factored_element_f64(p, g, v, _c4_weight_decay_factor, _k0_coefficient,
                                          _new_p);
}

__device__ __forceinline__ void ocg_adafactor_no_factored_commit(float g, float v,
                                                                 float _c0_one_minus_beta,
                                                                 float beta, float epsilon_1,
                                                                 float *_new_v)
{
    ocg_adafactor_no_factored_commit_f32(g, v, _c0_one_minus_beta, beta, epsilon_1, _new_v);
}

__device__ __forceinline__ void ocg_adafactor_no_factored_commit(double g, double v,
                                                                 double _c0_one_minus_beta,
                                                                 double beta, double epsilon_1,
                                                                 double *_new_v)
{
    ocg_adafactor_no_factored_commit_f64(g, v, _c0_one_minus_beta, beta, epsilon_1, _new_v);
}

__device__ __forceinline__ void
ocg_adafactor_no_factored_terms(float p, float g, float v, float _c0_one_minus_beta,
                                float _c3__weight_decay_factor_pow_two, float beta, float epsilon_1,
                                float *_term_p_squares, float *_term_u_squares,
                                float *_term_elements)
{
    ocg_adafactor_no_factored_terms_f32(p, g, v, _c0_one_minus_beta,
                                        _c3__weight_decay_factor_pow_two, beta, epsilon_1,
                                        _term_p_squares, _term_u_squares, _term_elements);
}

__device__ __forceinline__ void
ocg_adafactor_no_factored_terms(double p, double g, double v, double _c0_one_minus_beta,
                                double _c3__weight_decay_factor_pow_two, double beta,
                                double epsilon_1, double *_term_p_squares, double *_term_u_squares,
                                double *_term_elements)
{
    ocg_adafactor_no_factored_terms_f64(p, g, v, _c0_one_minus_beta,
                                        _c3__weight_decay_factor_pow_two, beta, epsilon_1,
                                        _term_p_squares, _term_u_squares, _term_elements);
}

/* The first pass: each chunk's partial value of every per-tensor reduction, in double, and the new v. */
template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_no_factored_terms_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                                           const double *__restrict__ grad_scale,
                                           double grad_factor, double clipvalue,
                                           double *__restrict__ partials)
{
    __shared__ double _cache[OCG_THREADS];
    const S _c0_one_minus_beta = (S)scalars[0];
    const S _c3__weight_decay_factor_pow_two = (S)scalars[4];
    const S beta = (S)scalars[5];
    const S epsilon_1 = (S)scalars[6];
    (void)scalars; /* a spec's terms may read no per-step value */
    const S _scale = (S)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const S _bound = clipvalue > 0.0 ? (S)clipvalue : (S)INFINITY;
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 3;
        P *const p = (P *)_row[0];
        const P *const g = (const P *)_row[1];
        S *const v = (S *)_row[2];
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        double _sum_p_squares = 0.0;
        double _sum_u_squares = 0.0;
        double _sum_elements = 0.0;
        for (int64_t _k = _begin + (int64_t)threadIdx.x; _k < _end; _k += (int64_t)blockDim.x) {
            S _term_p_squares, _term_u_squares, _term_elements;
            ocg_adafactor_no_factored_terms(
                ocg::load<S>(p[_k]), ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                ocg::load<S>(v[_k]), _c0_one_minus_beta, _c3__weight_decay_factor_pow_two, beta,
                epsilon_1, &_term_p_squares, &_term_u_squares, &_term_elements);
            S _new_v;
            ocg_adafactor_no_factored_commit(ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                                             ocg::load<S>(v[_k]), _c0_one_minus_beta, beta,
                                             epsilon_1, &_new_v);
            v[_k] = _new_v;
            _sum_p_squares = _sum_p_squares + (double)_term_p_squares;
            _sum_u_squares = _sum_u_squares + (double)_term_u_squares;
            _sum_elements = _sum_elements + (double)_term_elements;
        }
        const double _chunk_p_squares = ocg::block_sum(_cache, _sum_p_squares);
        const double _chunk_u_squares = ocg::block_sum(_cache, _sum_u_squares);
        const double _chunk_elements = ocg::block_sum(_cache, _sum_elements);
        if (threadIdx.x == 0) {
            partials[_chunk * 3 + 0] = _chunk_p_squares;
            partials[_chunk * 3 + 1] = _chunk_u_squares;
            partials[_chunk * 3 + 2] = _chunk_elements;
        }
    }
}

/* Each tensor's totals from its chunks' partial values, in a fixed order (a thread's stride,
 * then the block's tree): the same bits every run. */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_no_factored_totals_kernel(ocg_tensor_list list,
                                            const double *__restrict__ partials,
                                            double *__restrict__ totals)
{
    __shared__ double _cache[OCG_THREADS];
    for (int64_t _tensor = blockIdx.x; _tensor < list.n_tensors; _tensor += gridDim.x) {
        double _sum_p_squares = 0.0;
        double _sum_u_squares = 0.0;
        double _sum_elements = 0.0;
        for (int64_t _c = list.chunk_start[_tensor] + (int64_t)threadIdx.x;
             _c < list.chunk_start[_tensor + 1]; _c += (int64_t)blockDim.x) {
            _sum_p_squares = _sum_p_squares + partials[_c * 3 + 0];
            _sum_u_squares = _sum_u_squares + partials[_c * 3 + 1];
            _sum_elements = _sum_elements + partials[_c * 3 + 2];
        }
        const double _total_p_squares = ocg::block_sum(_cache, _sum_p_squares);
        const double _total_u_squares = ocg::block_sum(_cache, _sum_u_squares);
        const double _total_elements = ocg::block_sum(_cache, _sum_elements);
        if (threadIdx.x == 0) {
            totals[_tensor * 3 + 0] = _total_p_squares;
            totals[_tensor * 3 + 1] = _total_u_squares;
            totals[_tensor * 3 + 2] = _total_elements;
        }
    }
}

template <typename P, typename S>
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_no_factored_kernel(ocg_tensor_list list, const double *__restrict__ scalars,
                                     const double *__restrict__ grad_scale, double grad_factor,
                                     double clipvalue, const double *__restrict__ totals)
{
    /* _c0_one_minus_beta = 1.0 - beta */
    /* _c1_minus_rho = -rho */
    /* _c2_inv_clip_threshold = 1.0/(clip_threshold) */
    /* _c4_weight_decay_factor = -lr*weight_decay + 1.0 */
    /* _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor*_c4_weight_decay_factor */
    const S _c4_weight_decay_factor = (S)scalars[3];
    const S _scale = (S)(grad_factor * (grad_scale ? *grad_scale : 1.0));
    const S _bound = clipvalue > 0.0 ? (S)clipvalue : (S)INFINITY;
    for (int64_t _chunk = blockIdx.x; _chunk < list.n_chunks; _chunk += gridDim.x) {
        const int64_t _tensor = ocg::find_tensor(list.chunk_start, list.n_tensors, _chunk);
        void *const *_row = list.pointers + _tensor * 3;
        P *const p = (P *)_row[0];
        const P *const g = (const P *)_row[1];
        S *const v = (S *)_row[2];
        double _tensor_values[1];
        ocg_adafactor_no_factored_tensor(scalars, totals + _tensor * 3, _tensor_values);
        const S _k0_coefficient = (S)_tensor_values[0];
        const int64_t _begin = (_chunk - list.chunk_start[_tensor]) * OCG_CHUNK;
        const int64_t _numel = list.numel[_tensor];
        const int64_t _end = _begin + OCG_CHUNK < _numel ? _begin + OCG_CHUNK : _numel;
        const bool _vector = ocg::aligned4(p) && ocg::aligned4(g) && ocg::aligned4(v);
        for (int64_t _i = _begin + 4 * (int64_t)threadIdx.x; _i < _end;
             _i += 4 * (int64_t)blockDim.x) {
            if (_vector && _i + 4 <= _end) {
                ocg::vec4<P> _v_p = *reinterpret_cast<const ocg::vec4<P> *>(p + _i);
                const ocg::vec4<P> _v_g = *reinterpret_cast<const ocg::vec4<P> *>(g + _i);
                ocg::vec4<S> _v_v = *reinterpret_cast<const ocg::vec4<S> *>(v + _i);
                OCG_UNROLL
                for (int _j = 0; _j < 4; ++_j) {
                    S _new_p;
                    ocg_adafactor_no_factored_element(
                        ocg::load<S>(_v_p.v[_j]),
                        ocg::clip_value(ocg::load<S>(_v_g.v[_j]) * _scale, _bound),
                        ocg::load<S>(_v_v.v[_j]), _c4_weight_decay_factor, _k0_coefficient,
                        &_new_p);
                    _v_p.v[_j] = ocg::store<P>(_new_p);
                }
                *reinterpret_cast<ocg::vec4<P> *>(p + _i) = _v_p;
            } else {
                for (int64_t _k = _i; _k < _end && _k < _i + 4; ++_k) {
                    S _new_p;
                    ocg_adafactor_no_factored_element(
                        ocg::load<S>(p[_k]), ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound),
                        ocg::load<S>(v[_k]), _c4_weight_decay_factor, _k0_coefficient, &_new_p);
                    p[_k] = ocg::store<P>(_new_p);
                }
            }
        }
    }
}

__global__ void ocg_adafactor_no_factored_step_kernel(const double *hyper, double *scalar_state,
                                                      double *t, double *scalars)
{
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        *t += 1.0;
        ocg_adafactor_no_factored_step(hyper, scalar_state, *t, scalars);
    }
}

template <typename P, typename S>
static int ocg_adafactor_no_factored_launch(ocg_tensor_list list, const double *scalars,
                                            const double *grad_scale, double grad_factor,
                                            double clipvalue, double *work, cudaStream_t stream)
{
    if (list.n_chunks <= 0) {
        return (int)cudaSuccess;
    }
    if (work == NULL) {
        return (int)cudaErrorInvalidValue;
    }
    double *const partials = work;
    double *const totals = work + list.n_chunks * 3;
    void (*const terms)(ocg_tensor_list, const double *, const double *, double, double, double *) =
        ocg_adafactor_no_factored_terms_kernel<P, S>;
    OCG_LAUNCH_SYNC(terms, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
                    grad_scale, grad_factor, clipvalue, partials);
    int code = (int)cudaGetLastError();
    if (code != (int)cudaSuccess) {
        return code;
    }
    OCG_LAUNCH_SYNC(ocg_adafactor_no_factored_totals_kernel, ocg::blocks_for(list.n_tensors),
                    OCG_THREADS, stream, list, (const double *)partials, totals);
    code = (int)cudaGetLastError();
    if (code != (int)cudaSuccess) {
        return code;
    }
    void (*const kernel)(ocg_tensor_list, const double *, const double *, double, double,
                         const double *) = ocg_adafactor_no_factored_kernel<P, S>;
    OCG_LAUNCH(kernel, ocg::blocks_for(list.n_chunks), OCG_THREADS, stream, list, scalars,
               grad_scale, grad_factor, clipvalue, (const double *)totals);
    return (int)cudaGetLastError();
}

extern "C" int ocg_adafactor_no_factored_f32(ocg_tensor_list list, const double *scalars,
                                             const double *grad_scale, double grad_factor,
                                             double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<float, float>(list, scalars, grad_scale, grad_factor,
                                                          clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_f64(ocg_tensor_list list, const double *scalars,
                                             const double *grad_scale, double grad_factor,
                                             double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<double, double>(list, scalars, grad_scale, grad_factor,
                                                            clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_f16(ocg_tensor_list list, const double *scalars,
                                             const double *grad_scale, double grad_factor,
                                             double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<__half, float>(list, scalars, grad_scale, grad_factor,
                                                           clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_bf16(ocg_tensor_list list, const double *scalars,
                                              const double *grad_scale, double grad_factor,
                                              double clipvalue, double *work, cudaStream_t stream)
{
    return ocg_adafactor_no_factored_launch<__nv_bfloat16, float>(
        list, scalars, grad_scale, grad_factor, clipvalue, work, stream);
}

extern "C" int ocg_adafactor_no_factored_step_cuda(const double *hyper, double *scalar_state,
                                                   double *t, double *scalars, cudaStream_t stream)
{
    OCG_LAUNCH(ocg_adafactor_no_factored_step_kernel, 1, 1, stream, hyper, scalar_state, t,
               scalars);
    return (int)cudaGetLastError();
}

/* The kernels in passes of a rule of row or column means: a pass's block takes this many
 * rows of one matrix and columns of them; matrices of at most OCG_STAGED_WHOLE elements (a
 * stack of ResNet's 3x3 or 1x1 kernels: most of a block's threads would idle) are taken whole,
 * a thread per matrix. */
#define OCG_STAGED_ROWS 32
#define OCG_STAGED_COLUMNS 8192
#define OCG_STAGED_WHOLE 256

/* The sum of one value per thread of the block, by a fixed tree (every thread gets it). */
__device__ __forceinline__ double ocg_staged_block_sum(double _value, double *_cache)
{
    _cache[threadIdx.x] = _value;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half)
            _cache[threadIdx.x] += _cache[threadIdx.x + half];
        __syncthreads();
    }
    const double _total = _cache[0];
    __syncthreads();
    return _total;
}

/* ---- factored=True, float: a rule of row or column means in 3 passes (see the
 * CPU function in adafactor.c). A pass's block takes OCG_STAGED_ROWS rows of one matrix and
 * OCG_STAGED_COLUMNS of its columns; its row sums and the tensor's sum are reduced in the
 * block (a fixed tree), its column sums kept per block of rows, and a second kernel adds the
 * blocks' parts in order: no atomics, the same bits every run. ---- */
struct ocg_adafactor_factored_f32_staged_args {
    float *p;
    const float *g;
    float *r;
    float *c;
    const double *scalars;
    double *_tensor_values;
    double *_v__stored_r;
    double *_v__stored_c;
    double *_v__mean2;
    double *_v__per_columns1;
    double *_v__per_rows0;
    double *_v__per_rows3;
    double *_v__per_columns4;
    double *_v__per_matrix2;
    double *_v__mean0;
    double *_v__mean1;
    double *_row_partials, *_column_partials, *_tensor_partials;
    int64_t matrices, rows, columns, _tiles, _chunks; /* tiles and chunks: per matrix */
};

__global__ void
ocg_adafactor_factored_f32_staged_tensor0(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _elements = (double)(_matrices * _rows * _columns);

    double elements;
    elements = _elements;
    _tv[1] = elements;
}

__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f32_staged_pass0(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];
    const double _c3__weight_decay_factor_pow_two = scalars[4];
    const double epsilon_1 = scalars[6];

    const float _f__c3__weight_decay_factor_pow_two = (float)_c3__weight_decay_factor_pow_two;
    const float _f_epsilon_1 = (float)epsilon_1;
    const int64_t _tile = blockIdx.x / _args._chunks, _chunk = blockIdx.x % _args._chunks;
    const int64_t _b = _tile / _args._tiles;
    const int64_t _i0 = (_tile % _args._tiles) * OCG_STAGED_ROWS;
    const int64_t _i1 = _i0 + OCG_STAGED_ROWS < _rows ? _i0 + OCG_STAGED_ROWS : _rows;
    const int64_t _j0 = _chunk * OCG_STAGED_COLUMNS, _first = threadIdx.x, _step = blockDim.x;
    const int64_t _j1 = _j0 + OCG_STAGED_COLUMNS < _columns ? _j0 + OCG_STAGED_COLUMNS : _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            double _racc0 = 0.0;
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const float g = (float)_a_g[_e];
                const float p = (float)_a_p[_e];
                const float _e0 = _f_epsilon_1 + g * g;
                _racc0 += (double)(_e0);
                _tacc0 += (double)(_f__c3__weight_decay_factor_pow_two * p * p);
                { /* this block's rows' part of the column: the block alone writes it */
                    double *const _part =
                        _args._column_partials +
                        ((int64_t)0 * _matrices * _args._tiles + _tile) * _columns + _j;
                    *_part = (_i == _i0 ? 0.0 : *_part) + (double)(_e0);
                }
            }
            {
                double *const _part = _args._row_partials +
                                      ((int64_t)0 * _matrices * _rows + _row) * _args._chunks +
                                      _chunk;
                const double _total = ocg_staged_block_sum(_racc0, _cache);
                if (threadIdx.x == 0)
                    *_part = _total;
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* pass 0 over matrices taken whole: a thread per matrix, its rows and columns in
 * order (a matrix is one tile of rows and one chunk of columns) */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f32_staged_whole0(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];
    const double _c3__weight_decay_factor_pow_two = scalars[4];
    const double epsilon_1 = scalars[6];

    const float _f__c3__weight_decay_factor_pow_two = (float)_c3__weight_decay_factor_pow_two;
    const float _f_epsilon_1 = (float)epsilon_1;
    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t _tile = _b, _chunk = 0, _i0 = 0, _j0 = 0, _first = 0, _step = 1;
    const int64_t _i1 = _b < _matrices ? _rows : 0, _j1 = _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            double _racc0 = 0.0;
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const float g = (float)_a_g[_e];
                const float p = (float)_a_p[_e];
                const float _e0 = _f_epsilon_1 + g * g;
                _racc0 += (double)(_e0);
                _tacc0 += (double)(_f__c3__weight_decay_factor_pow_two * p * p);
                { /* this block's rows' part of the column: the block alone writes it */
                    double *const _part =
                        _args._column_partials +
                        ((int64_t)0 * _matrices * _args._tiles + _tile) * _columns + _j;
                    *_part = (_i == _i0 ? 0.0 : *_part) + (double)(_e0);
                }
            }
            {
                double *const _part = _args._row_partials +
                                      ((int64_t)0 * _matrices * _rows + _row) * _args._chunks +
                                      _chunk;
                *_part = _racc0;
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* the pass's sums: each row's chunks, each column's blocks of rows and the tensor's blocks,
 * added in order; row and column sums made means */
__global__ void
ocg_adafactor_factored_f32_staged_finish0(const ocg_adafactor_factored_f32_staged_args _args,
                                          int64_t _blocks)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_x < _matrices * _rows) {
        double _total = 0.0;
        for (int64_t _c = 0; _c < _args._chunks; ++_c)
            _total +=
                _args._row_partials[((int64_t)0 * _matrices * _rows + _x) * _args._chunks + _c];
        _v__mean0[_x] = _total / (double)_columns;
    }
    if (_x < _matrices * _columns) {
        const int64_t _b = _x / _columns, _j = _x % _columns;
        double _total = 0.0;
        for (int64_t _t = 0; _t < _args._tiles; ++_t)
            _total += _args._column_partials[((int64_t)0 * _matrices * _args._tiles +
                                              _b * _args._tiles + _t) *
                                                 _columns +
                                             _j];
        _v__mean1[_x] = _total / (double)_rows;
    }
    if (_x == 0) {
        double _total = 0.0;
        for (int64_t _k = 0; _k < _blocks; ++_k)
            _total += _args._tensor_partials[(int64_t)0 * _blocks + _k];
        _tv[2] = _total;
    }
    (void)_blocks;
}

__global__ void
ocg_adafactor_factored_f32_staged_small1_0(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_row >= _matrices * _rows)
        return;
    const int64_t _b = _row / _rows;
    (void)_b;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    const double _mean0 = (double)_v__mean0[_row];
    const double r = (double)_a_r[_row];
    _v__stored_r[_row] = _c0_one_minus_beta * _mean0 + beta * r;
}

__global__ void
ocg_adafactor_factored_f32_staged_small1_1(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_col >= _matrices * _columns)
        return;
    const int64_t _b = _col / _columns;
    (void)_b;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    const double _mean1 = (double)_v__mean1[_col];
    const double c = (double)_a_c[_col];
    _v__stored_c[_col] = _c0_one_minus_beta * _mean1 + beta * c;
}

/* one block per matrix: its threads take every blockDim.x-th row (column), their sums added
 * by the block's fixed tree */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f32_staged_small1_2(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];
    const int64_t _b = blockIdx.x;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    double _sum = 0.0;
    for (int64_t _k = threadIdx.x; _k < _rows; _k += blockDim.x) {
        const int64_t _row = _b * _rows + _k;
        const double _mean0 = (double)_v__mean0[_row];
        const double r = (double)_a_r[_row];
        _sum += _c0_one_minus_beta * _mean0 + beta * r;
    }

    const double _total = ocg_staged_block_sum(_sum, _cache);
    if (threadIdx.x == 0)
        _v__mean2[_b] = _total / (double)_rows;
}

/* the same mean for matrices taken whole: a thread per matrix adds its rows in order */
__global__ void
ocg_adafactor_factored_f32_staged_small1_2_whole(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_b >= _matrices)
        return;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    double _sum = 0.0;
    for (int64_t _k = 0; _k < _rows; _k += 1) {
        const int64_t _row = _b * _rows + _k;
        const double _mean0 = (double)_v__mean0[_row];
        const double r = (double)_a_r[_row];
        _sum += _c0_one_minus_beta * _mean0 + beta * r;
    }

    _v__mean2[_b] = _sum / (double)_rows;
}

__global__ void
ocg_adafactor_factored_f32_staged_small1_3(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_col >= _matrices * _columns)
        return;
    const int64_t _b = _col / _columns;
    (void)_b;

    const double _stored_c = (double)_v__stored_c[_col];
    _v__per_columns1[_col] = 1.0 / (_stored_c);
}

__global__ void
ocg_adafactor_factored_f32_staged_small1_4(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_row >= _matrices * _rows)
        return;
    const int64_t _b = _row / _rows;
    (void)_b;

    const double _stored_r = (double)_v__stored_r[_row];
    _v__per_rows0[_row] = 1.0 / (_stored_r);
}

__global__ void
ocg_adafactor_factored_f32_staged_small1_5(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_row >= _matrices * _rows)
        return;
    const int64_t _b = _row / _rows;
    (void)_b;

    const double _stored_r = (double)_v__stored_r[_row];
    _v__per_rows3[_row] = 1.0 / sqrt(_stored_r);
}

__global__ void
ocg_adafactor_factored_f32_staged_small1_6(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_col >= _matrices * _columns)
        return;
    const int64_t _b = _col / _columns;
    (void)_b;

    const double _stored_c = (double)_v__stored_c[_col];
    _v__per_columns4[_col] = 1.0 / sqrt(_stored_c);
}

__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f32_staged_pass1(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];

    const int64_t _tile = blockIdx.x / _args._chunks, _chunk = blockIdx.x % _args._chunks;
    const int64_t _b = _tile / _args._tiles;
    const int64_t _i0 = (_tile % _args._tiles) * OCG_STAGED_ROWS;
    const int64_t _i1 = _i0 + OCG_STAGED_ROWS < _rows ? _i0 + OCG_STAGED_ROWS : _rows;
    const int64_t _j0 = _chunk * OCG_STAGED_COLUMNS, _first = threadIdx.x, _step = blockDim.x;
    const int64_t _j1 = _j0 + OCG_STAGED_COLUMNS < _columns ? _j0 + OCG_STAGED_COLUMNS : _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const float _mean2 = (float)_v__mean2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const float _per_rows0 = (float)_v__per_rows0[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const float _per_columns1 = (float)_v__per_columns1[_col];
                const float g = (float)_a_g[_e];
                _tacc0 += (double)(_mean2 * _per_columns1 * _per_rows0 * g * g);
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* pass 1 over matrices taken whole: a thread per matrix, its rows and columns in
 * order (a matrix is one tile of rows and one chunk of columns) */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f32_staged_whole1(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t _tile = _b, _chunk = 0, _i0 = 0, _j0 = 0, _first = 0, _step = 1;
    const int64_t _i1 = _b < _matrices ? _rows : 0, _j1 = _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const float _mean2 = (float)_v__mean2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const float _per_rows0 = (float)_v__per_rows0[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const float _per_columns1 = (float)_v__per_columns1[_col];
                const float g = (float)_a_g[_e];
                _tacc0 += (double)(_mean2 * _per_columns1 * _per_rows0 * g * g);
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* the pass's sums: each row's chunks, each column's blocks of rows and the tensor's blocks,
 * added in order; row and column sums made means */
__global__ void
ocg_adafactor_factored_f32_staged_finish1(const ocg_adafactor_factored_f32_staged_args _args,
                                          int64_t _blocks)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_x == 0) {
        double _total = 0.0;
        for (int64_t _k = 0; _k < _blocks; ++_k)
            _total += _args._tensor_partials[(int64_t)0 * _blocks + _k];
        _tv[3] = _total;
    }
    (void)_blocks;
}

__global__ void
ocg_adafactor_factored_f32_staged_tensor2(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _c1_minus_rho = scalars[1];
    const double _c2_inv_clip_threshold = scalars[2];
    const double elements = _tv[1];
    const double epsilon_2 = scalars[7];
    const double p_squares = _tv[2];
    const double u_squares = _tv[3];

    double _k0_coefficient;
    _k0_coefficient = _c1_minus_rho * ocg_max(epsilon_2, sqrt(p_squares / elements)) /
                      ocg_max(1.0, _c2_inv_clip_threshold * sqrt(u_squares / elements));
    _tv[0] = _k0_coefficient;
}

__global__ void
ocg_adafactor_factored_f32_staged_small2_0(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_b >= _matrices)
        return;
    (void)_b;
    const double _k0_coefficient = _tv[0];

    const double _mean2 = (double)_v__mean2[_b];
    _v__per_matrix2[_b] = _k0_coefficient / sqrt(1.0 / (_mean2));
}

__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f32_staged_pass2(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _c4_weight_decay_factor = scalars[3];

    const float _f__c4_weight_decay_factor = (float)_c4_weight_decay_factor;
    const int64_t _tile = blockIdx.x / _args._chunks, _chunk = blockIdx.x % _args._chunks;
    const int64_t _b = _tile / _args._tiles;
    const int64_t _i0 = (_tile % _args._tiles) * OCG_STAGED_ROWS;
    const int64_t _i1 = _i0 + OCG_STAGED_ROWS < _rows ? _i0 + OCG_STAGED_ROWS : _rows;
    const int64_t _j0 = _chunk * OCG_STAGED_COLUMNS, _first = threadIdx.x, _step = blockDim.x;
    const int64_t _j1 = _j0 + OCG_STAGED_COLUMNS < _columns ? _j0 + OCG_STAGED_COLUMNS : _columns;
    (void)_tile;
    (void)_chunk;    /* read by column and row sums, where the pass has them */
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const float _per_matrix2 = (float)_v__per_matrix2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const float _per_rows3 = (float)_v__per_rows3[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const float _per_columns4 = (float)_v__per_columns4[_col];
                const float g = (float)_a_g[_e];
                const float p = (float)_a_p[_e];
                const float _new_p =
                    _f__c4_weight_decay_factor * p + _per_columns4 * _per_matrix2 * _per_rows3 * g;
                _a_p[_e] = _new_p;
            }
        }
    }
}

/* pass 2 over matrices taken whole: a thread per matrix, its rows and columns in
 * order (a matrix is one tile of rows and one chunk of columns) */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f32_staged_whole2(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _c4_weight_decay_factor = scalars[3];

    const float _f__c4_weight_decay_factor = (float)_c4_weight_decay_factor;
    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t _tile = _b, _chunk = 0, _i0 = 0, _j0 = 0, _first = 0, _step = 1;
    const int64_t _i1 = _b < _matrices ? _rows : 0, _j1 = _columns;
    (void)_tile;
    (void)_chunk;    /* read by column and row sums, where the pass has them */
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const float _per_matrix2 = (float)_v__per_matrix2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const float _per_rows3 = (float)_v__per_rows3[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const float _per_columns4 = (float)_v__per_columns4[_col];
                const float g = (float)_a_g[_e];
                const float p = (float)_a_p[_e];
                const float _new_p =
                    _f__c4_weight_decay_factor * p + _per_columns4 * _per_matrix2 * _per_rows3 * g;
                _a_p[_e] = _new_p;
            }
        }
    }
}

__global__ void
ocg_adafactor_factored_f32_staged_write(const ocg_adafactor_factored_f32_staged_args _args)
{
    float *const _a_p = _args.p;
    (void)_a_p;
    const float *const _a_g = _args.g;
    (void)_a_g;
    float *const _a_r = _args.r;
    (void)_a_r;
    float *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_x < _matrices * _rows)
        _a_r[_x] = (float)_v__stored_r[_x];
    if (_x < _matrices * _columns)
        _a_c[_x] = (float)_v__stored_c[_x];
    (void)_x;
}

/* How a pass shares a tensor of these (valid, nonzero) sizes among blocks: whole matrices
 * (a thread each) or tiles of OCG_STAGED_ROWS rows and chunks of OCG_STAGED_COLUMNS columns;
 * the number of blocks (each leaves its part of a tensor sum). */
static bool ocg_adafactor_factored_f32_staged_layout(int64_t _matrices, int64_t _rows,
                                                     int64_t _columns, int64_t *_tiles,
                                                     int64_t *_chunks, int64_t *_blocks)
{
    const bool _whole = _rows * _columns <= OCG_STAGED_WHOLE;
    *_tiles = _whole ? 1 : (_rows + OCG_STAGED_ROWS - 1) / OCG_STAGED_ROWS;
    *_chunks = _whole ? 1 : (_columns + OCG_STAGED_COLUMNS - 1) / OCG_STAGED_COLUMNS;
    *_blocks =
        _whole ? (_matrices + OCG_THREADS - 1) / OCG_THREADS : _matrices * *_tiles * *_chunks;
    return _whole;
}

/* How many doubles of device memory the launcher's work takes for a tensor of these sizes,
 * or -1 past int64. */
extern "C" int64_t ocg_adafactor_factored_f32_staged_work(int64_t _matrices, int64_t _rows,
                                                          int64_t _columns)
{
    if (_matrices < 0 || _rows < 0 || _columns < 0)
        return -1;
    if (_matrices == 0 || _rows == 0 || _columns == 0)
        return 0;
    if (_rows > INT64_MAX / _columns || _matrices > INT64_MAX / (_rows * _columns))
        return -1;
    int64_t _tiles, _chunks, _blocks;
    ocg_adafactor_factored_f32_staged_layout(_matrices, _rows, _columns, &_tiles, &_chunks,
                                             &_blocks);
    const int64_t _lengths[] = {
        4,                                 /* the per-tensor values */
        1 * _blocks,                       /* the blocks' tensor sums */
        1 * _matrices * _rows * _chunks,   /* the chunks' row sums */
        1 * _matrices * _tiles * _columns, /* the row blocks' column sums */
        _matrices * _rows,
        _matrices * _columns,
        _matrices,
        _matrices * _columns,
        _matrices * _rows,
        _matrices * _rows,
        _matrices * _columns,
        _matrices,
        _matrices * _rows,
        _matrices * _columns,
    };
    int64_t _total = 0;
    for (size_t _k = 0; _k < sizeof _lengths / sizeof _lengths[0]; ++_k) {
        if (_lengths[_k] < 0 || _lengths[_k] > INT64_MAX / 8 - _total)
            return -1;
        _total += _lengths[_k];
    }
    return _total;
}

/* One tensor (a stack of matrices x rows x columns): arrays holds device pointers to p, g
 * and the state; scalars and work are device memory (work: ocg_adafactor_factored_f32_staged_work doubles). Returns
 * 0, a CUDA error, or cudaErrorInvalidValue for refused arguments. */
extern "C" int ocg_adafactor_factored_f32_staged(void *const *arrays, int64_t _matrices,
                                                 int64_t _rows, int64_t _columns,
                                                 const double *scalars, double *work,
                                                 int64_t work_length, cudaStream_t stream)
{
    const int64_t _needed = ocg_adafactor_factored_f32_staged_work(_matrices, _rows, _columns);
    if (arrays == NULL || scalars == NULL || _needed < 0 || work_length < _needed ||
        (_needed > 0 && work == NULL))
        return (int)cudaErrorInvalidValue;
    if (_needed == 0)
        return (int)cudaSuccess;
    for (int _k = 0; _k < 4; ++_k)
        if (arrays[_k] == NULL)
            return (int)cudaErrorInvalidValue;
    int64_t _tiles, _chunks, _blocks;
    const bool _whole = ocg_adafactor_factored_f32_staged_layout(_matrices, _rows, _columns,
                                                                 &_tiles, &_chunks, &_blocks);
    const int64_t _widest = _matrices * (_rows > _columns ? _rows : _columns);
    if (_blocks > 2147483647 || (_widest + OCG_THREADS - 1) / OCG_THREADS > 2147483647)
        return (int)cudaErrorInvalidValue; /* past a grid's blocks */
    ocg_adafactor_factored_f32_staged_args _args;
    _args.p = (float *)arrays[0];
    _args.g = (const float *)arrays[1];
    _args.r = (float *)arrays[2];
    _args.c = (float *)arrays[3];
    _args.scalars = scalars;
    double *_next = work;
    _args._tensor_values = _next;
    _next += 4;
    _args._tensor_partials = _next;
    _next += 1 * _blocks;
    _args._row_partials = _next;
    _next += 1 * _matrices * _rows * _chunks;
    _args._column_partials = _next;
    _next += 1 * _matrices * _tiles * _columns;
    _args._v__stored_r = _next;
    _next += _matrices * _rows;
    _args._v__stored_c = _next;
    _next += _matrices * _columns;
    _args._v__mean2 = _next;
    _next += _matrices;
    _args._v__per_columns1 = _next;
    _next += _matrices * _columns;
    _args._v__per_rows0 = _next;
    _next += _matrices * _rows;
    _args._v__per_rows3 = _next;
    _next += _matrices * _rows;
    _args._v__per_columns4 = _next;
    _next += _matrices * _columns;
    _args._v__per_matrix2 = _next;
    _next += _matrices;
    _args._v__mean0 = _next;
    _next += _matrices * _rows;
    _args._v__mean1 = _next;
    _next += _matrices * _columns;
    _args.matrices = _matrices;
    _args.rows = _rows;
    _args.columns = _columns;
    _args._tiles = _tiles;
    _args._chunks = _chunks;
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_tensor0, 1, 1, stream, _args);
    if (_whole)
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f32_staged_whole0, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f32_staged_pass0, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_finish0,
               (unsigned)((_widest + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args,
               _blocks);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small1_0,
               (unsigned)((_matrices * _rows + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
               _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small1_1,
               (unsigned)((_matrices * _columns + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS,
               stream, _args);
    if (_whole)
        OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small1_2_whole,
                   (unsigned)((_matrices + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
                   _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f32_staged_small1_2, (unsigned)_matrices,
                        OCG_THREADS, stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small1_3,
               (unsigned)((_matrices * _columns + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS,
               stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small1_4,
               (unsigned)((_matrices * _rows + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
               _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small1_5,
               (unsigned)((_matrices * _rows + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
               _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small1_6,
               (unsigned)((_matrices * _columns + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS,
               stream, _args);
    if (_whole)
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f32_staged_whole1, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f32_staged_pass1, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_finish1,
               (unsigned)((_widest + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args,
               _blocks);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_tensor2, 1, 1, stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_small2_0,
               (unsigned)((_matrices + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args);
    if (_whole)
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f32_staged_whole2, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f32_staged_pass2, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f32_staged_write,
               (unsigned)((_widest + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args);
    return (int)cudaGetLastError();
}

/* ---- factored=True, double: a rule of row or column means in 3 passes (see the
 * CPU function in adafactor.c). A pass's block takes OCG_STAGED_ROWS rows of one matrix and
 * OCG_STAGED_COLUMNS of its columns; its row sums and the tensor's sum are reduced in the
 * block (a fixed tree), its column sums kept per block of rows, and a second kernel adds the
 * blocks' parts in order: no atomics, the same bits every run. ---- */
struct ocg_adafactor_factored_f64_staged_args {
    double *p;
    const double *g;
    double *r;
    double *c;
    const double *scalars;
    double *_tensor_values;
    double *_v__stored_r;
    double *_v__stored_c;
    double *_v__mean2;
    double *_v__per_columns1;
    double *_v__per_rows0;
    double *_v__per_rows3;
    double *_v__per_columns4;
    double *_v__per_matrix2;
    double *_v__mean0;
    double *_v__mean1;
    double *_row_partials, *_column_partials, *_tensor_partials;
    int64_t matrices, rows, columns, _tiles, _chunks; /* tiles and chunks: per matrix */
};

__global__ void
ocg_adafactor_factored_f64_staged_tensor0(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _elements = (double)(_matrices * _rows * _columns);

    double elements;
    elements = _elements;
    _tv[1] = elements;
}

__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f64_staged_pass0(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];
    const double _c3__weight_decay_factor_pow_two = scalars[4];
    const double epsilon_1 = scalars[6];

    const int64_t _tile = blockIdx.x / _args._chunks, _chunk = blockIdx.x % _args._chunks;
    const int64_t _b = _tile / _args._tiles;
    const int64_t _i0 = (_tile % _args._tiles) * OCG_STAGED_ROWS;
    const int64_t _i1 = _i0 + OCG_STAGED_ROWS < _rows ? _i0 + OCG_STAGED_ROWS : _rows;
    const int64_t _j0 = _chunk * OCG_STAGED_COLUMNS, _first = threadIdx.x, _step = blockDim.x;
    const int64_t _j1 = _j0 + OCG_STAGED_COLUMNS < _columns ? _j0 + OCG_STAGED_COLUMNS : _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            double _racc0 = 0.0;
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const double g = (double)_a_g[_e];
                const double p = (double)_a_p[_e];
                const double _e0 = epsilon_1 + g * g;
                _racc0 += (double)(_e0);
                _tacc0 += (double)(_c3__weight_decay_factor_pow_two * p * p);
                { /* this block's rows' part of the column: the block alone writes it */
                    double *const _part =
                        _args._column_partials +
                        ((int64_t)0 * _matrices * _args._tiles + _tile) * _columns + _j;
                    *_part = (_i == _i0 ? 0.0 : *_part) + (double)(_e0);
                }
            }
            {
                double *const _part = _args._row_partials +
                                      ((int64_t)0 * _matrices * _rows + _row) * _args._chunks +
                                      _chunk;
                const double _total = ocg_staged_block_sum(_racc0, _cache);
                if (threadIdx.x == 0)
                    *_part = _total;
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* pass 0 over matrices taken whole: a thread per matrix, its rows and columns in
 * order (a matrix is one tile of rows and one chunk of columns) */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f64_staged_whole0(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];
    const double _c3__weight_decay_factor_pow_two = scalars[4];
    const double epsilon_1 = scalars[6];

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t _tile = _b, _chunk = 0, _i0 = 0, _j0 = 0, _first = 0, _step = 1;
    const int64_t _i1 = _b < _matrices ? _rows : 0, _j1 = _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            double _racc0 = 0.0;
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const double g = (double)_a_g[_e];
                const double p = (double)_a_p[_e];
                const double _e0 = epsilon_1 + g * g;
                _racc0 += (double)(_e0);
                _tacc0 += (double)(_c3__weight_decay_factor_pow_two * p * p);
                { /* this block's rows' part of the column: the block alone writes it */
                    double *const _part =
                        _args._column_partials +
                        ((int64_t)0 * _matrices * _args._tiles + _tile) * _columns + _j;
                    *_part = (_i == _i0 ? 0.0 : *_part) + (double)(_e0);
                }
            }
            {
                double *const _part = _args._row_partials +
                                      ((int64_t)0 * _matrices * _rows + _row) * _args._chunks +
                                      _chunk;
                *_part = _racc0;
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* the pass's sums: each row's chunks, each column's blocks of rows and the tensor's blocks,
 * added in order; row and column sums made means */
__global__ void
ocg_adafactor_factored_f64_staged_finish0(const ocg_adafactor_factored_f64_staged_args _args,
                                          int64_t _blocks)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_x < _matrices * _rows) {
        double _total = 0.0;
        for (int64_t _c = 0; _c < _args._chunks; ++_c)
            _total +=
                _args._row_partials[((int64_t)0 * _matrices * _rows + _x) * _args._chunks + _c];
        _v__mean0[_x] = _total / (double)_columns;
    }
    if (_x < _matrices * _columns) {
        const int64_t _b = _x / _columns, _j = _x % _columns;
        double _total = 0.0;
        for (int64_t _t = 0; _t < _args._tiles; ++_t)
            _total += _args._column_partials[((int64_t)0 * _matrices * _args._tiles +
                                              _b * _args._tiles + _t) *
                                                 _columns +
                                             _j];
        _v__mean1[_x] = _total / (double)_rows;
    }
    if (_x == 0) {
        double _total = 0.0;
        for (int64_t _k = 0; _k < _blocks; ++_k)
            _total += _args._tensor_partials[(int64_t)0 * _blocks + _k];
        _tv[2] = _total;
    }
    (void)_blocks;
}

__global__ void
ocg_adafactor_factored_f64_staged_small1_0(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_row >= _matrices * _rows)
        return;
    const int64_t _b = _row / _rows;
    (void)_b;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    const double _mean0 = (double)_v__mean0[_row];
    const double r = (double)_a_r[_row];
    _v__stored_r[_row] = _c0_one_minus_beta * _mean0 + beta * r;
}

__global__ void
ocg_adafactor_factored_f64_staged_small1_1(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_col >= _matrices * _columns)
        return;
    const int64_t _b = _col / _columns;
    (void)_b;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    const double _mean1 = (double)_v__mean1[_col];
    const double c = (double)_a_c[_col];
    _v__stored_c[_col] = _c0_one_minus_beta * _mean1 + beta * c;
}

/* one block per matrix: its threads take every blockDim.x-th row (column), their sums added
 * by the block's fixed tree */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f64_staged_small1_2(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];
    const int64_t _b = blockIdx.x;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    double _sum = 0.0;
    for (int64_t _k = threadIdx.x; _k < _rows; _k += blockDim.x) {
        const int64_t _row = _b * _rows + _k;
        const double _mean0 = (double)_v__mean0[_row];
        const double r = (double)_a_r[_row];
        _sum += _c0_one_minus_beta * _mean0 + beta * r;
    }

    const double _total = ocg_staged_block_sum(_sum, _cache);
    if (threadIdx.x == 0)
        _v__mean2[_b] = _total / (double)_rows;
}

/* the same mean for matrices taken whole: a thread per matrix adds its rows in order */
__global__ void
ocg_adafactor_factored_f64_staged_small1_2_whole(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_b >= _matrices)
        return;
    const double _c0_one_minus_beta = scalars[0];
    const double beta = scalars[5];

    double _sum = 0.0;
    for (int64_t _k = 0; _k < _rows; _k += 1) {
        const int64_t _row = _b * _rows + _k;
        const double _mean0 = (double)_v__mean0[_row];
        const double r = (double)_a_r[_row];
        _sum += _c0_one_minus_beta * _mean0 + beta * r;
    }

    _v__mean2[_b] = _sum / (double)_rows;
}

__global__ void
ocg_adafactor_factored_f64_staged_small1_3(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_col >= _matrices * _columns)
        return;
    const int64_t _b = _col / _columns;
    (void)_b;

    const double _stored_c = (double)_v__stored_c[_col];
    _v__per_columns1[_col] = 1.0 / (_stored_c);
}

__global__ void
ocg_adafactor_factored_f64_staged_small1_4(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_row >= _matrices * _rows)
        return;
    const int64_t _b = _row / _rows;
    (void)_b;

    const double _stored_r = (double)_v__stored_r[_row];
    _v__per_rows0[_row] = 1.0 / (_stored_r);
}

__global__ void
ocg_adafactor_factored_f64_staged_small1_5(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_row >= _matrices * _rows)
        return;
    const int64_t _b = _row / _rows;
    (void)_b;

    const double _stored_r = (double)_v__stored_r[_row];
    _v__per_rows3[_row] = 1.0 / sqrt(_stored_r);
}

__global__ void
ocg_adafactor_factored_f64_staged_small1_6(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_col >= _matrices * _columns)
        return;
    const int64_t _b = _col / _columns;
    (void)_b;

    const double _stored_c = (double)_v__stored_c[_col];
    _v__per_columns4[_col] = 1.0 / sqrt(_stored_c);
}

__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f64_staged_pass1(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];

    const int64_t _tile = blockIdx.x / _args._chunks, _chunk = blockIdx.x % _args._chunks;
    const int64_t _b = _tile / _args._tiles;
    const int64_t _i0 = (_tile % _args._tiles) * OCG_STAGED_ROWS;
    const int64_t _i1 = _i0 + OCG_STAGED_ROWS < _rows ? _i0 + OCG_STAGED_ROWS : _rows;
    const int64_t _j0 = _chunk * OCG_STAGED_COLUMNS, _first = threadIdx.x, _step = blockDim.x;
    const int64_t _j1 = _j0 + OCG_STAGED_COLUMNS < _columns ? _j0 + OCG_STAGED_COLUMNS : _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const double _mean2 = (double)_v__mean2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const double _per_rows0 = (double)_v__per_rows0[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const double _per_columns1 = (double)_v__per_columns1[_col];
                const double g = (double)_a_g[_e];
                _tacc0 += (double)(_mean2 * _per_columns1 * _per_rows0 * g * g);
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* pass 1 over matrices taken whole: a thread per matrix, its rows and columns in
 * order (a matrix is one tile of rows and one chunk of columns) */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f64_staged_whole1(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    __shared__ double _cache[OCG_THREADS];

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t _tile = _b, _chunk = 0, _i0 = 0, _j0 = 0, _first = 0, _step = 1;
    const int64_t _i1 = _b < _matrices ? _rows : 0, _j1 = _columns;
    (void)_tile;
    (void)_chunk; /* read by column and row sums, where the pass has them */
    double _tacc0 = 0.0;
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const double _mean2 = (double)_v__mean2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const double _per_rows0 = (double)_v__per_rows0[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const double _per_columns1 = (double)_v__per_columns1[_col];
                const double g = (double)_a_g[_e];
                _tacc0 += (double)(_mean2 * _per_columns1 * _per_rows0 * g * g);
            }
        }
    }
    {
        const double _total = ocg_staged_block_sum(_tacc0, _cache);
        if (threadIdx.x == 0)
            _args._tensor_partials[(int64_t)0 * gridDim.x + blockIdx.x] = _total;
    }
}

/* the pass's sums: each row's chunks, each column's blocks of rows and the tensor's blocks,
 * added in order; row and column sums made means */
__global__ void
ocg_adafactor_factored_f64_staged_finish1(const ocg_adafactor_factored_f64_staged_args _args,
                                          int64_t _blocks)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_x == 0) {
        double _total = 0.0;
        for (int64_t _k = 0; _k < _blocks; ++_k)
            _total += _args._tensor_partials[(int64_t)0 * _blocks + _k];
        _tv[3] = _total;
    }
    (void)_blocks;
}

__global__ void
ocg_adafactor_factored_f64_staged_tensor2(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _c1_minus_rho = scalars[1];
    const double _c2_inv_clip_threshold = scalars[2];
    const double elements = _tv[1];
    const double epsilon_2 = scalars[7];
    const double p_squares = _tv[2];
    const double u_squares = _tv[3];

    double _k0_coefficient;
    _k0_coefficient = _c1_minus_rho * ocg_max(epsilon_2, sqrt(p_squares / elements)) /
                      ocg_max(1.0, _c2_inv_clip_threshold * sqrt(u_squares / elements));
    _tv[0] = _k0_coefficient;
}

__global__ void
ocg_adafactor_factored_f64_staged_small2_0(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_b >= _matrices)
        return;
    (void)_b;
    const double _k0_coefficient = _tv[0];

    const double _mean2 = (double)_v__mean2[_b];
    _v__per_matrix2[_b] = _k0_coefficient / sqrt(1.0 / (_mean2));
}

__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f64_staged_pass2(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _c4_weight_decay_factor = scalars[3];

    const int64_t _tile = blockIdx.x / _args._chunks, _chunk = blockIdx.x % _args._chunks;
    const int64_t _b = _tile / _args._tiles;
    const int64_t _i0 = (_tile % _args._tiles) * OCG_STAGED_ROWS;
    const int64_t _i1 = _i0 + OCG_STAGED_ROWS < _rows ? _i0 + OCG_STAGED_ROWS : _rows;
    const int64_t _j0 = _chunk * OCG_STAGED_COLUMNS, _first = threadIdx.x, _step = blockDim.x;
    const int64_t _j1 = _j0 + OCG_STAGED_COLUMNS < _columns ? _j0 + OCG_STAGED_COLUMNS : _columns;
    (void)_tile;
    (void)_chunk;    /* read by column and row sums, where the pass has them */
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const double _per_matrix2 = (double)_v__per_matrix2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const double _per_rows3 = (double)_v__per_rows3[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const double _per_columns4 = (double)_v__per_columns4[_col];
                const double g = (double)_a_g[_e];
                const double p = (double)_a_p[_e];
                const double _new_p =
                    _c4_weight_decay_factor * p + _per_columns4 * _per_matrix2 * _per_rows3 * g;
                _a_p[_e] = _new_p;
            }
        }
    }
}

/* pass 2 over matrices taken whole: a thread per matrix, its rows and columns in
 * order (a matrix is one tile of rows and one chunk of columns) */
__global__ void __launch_bounds__(OCG_THREADS)
    ocg_adafactor_factored_f64_staged_whole2(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const double _c4_weight_decay_factor = scalars[3];

    const int64_t _b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t _tile = _b, _chunk = 0, _i0 = 0, _j0 = 0, _first = 0, _step = 1;
    const int64_t _i1 = _b < _matrices ? _rows : 0, _j1 = _columns;
    (void)_tile;
    (void)_chunk;    /* read by column and row sums, where the pass has them */
    if (_i0 < _i1) { /* a thread past the last matrix has none */
        const double _per_matrix2 = (double)_v__per_matrix2[_b];
        for (int64_t _i = _i0; _i < _i1; ++_i) {
            const int64_t _row = _b * _rows + _i;
            const double _per_rows3 = (double)_v__per_rows3[_row];
            for (int64_t _j = _j0 + _first; _j < _j1; _j += _step) {
                const int64_t _e = _row * _columns + _j, _col = _b * _columns + _j;
                (void)_e;
                (void)_col;
                const double _per_columns4 = (double)_v__per_columns4[_col];
                const double g = (double)_a_g[_e];
                const double p = (double)_a_p[_e];
                const double _new_p =
                    _c4_weight_decay_factor * p + _per_columns4 * _per_matrix2 * _per_rows3 * g;
                _a_p[_e] = _new_p;
            }
        }
    }
}

__global__ void
ocg_adafactor_factored_f64_staged_write(const ocg_adafactor_factored_f64_staged_args _args)
{
    double *const _a_p = _args.p;
    (void)_a_p;
    const double *const _a_g = _args.g;
    (void)_a_g;
    double *const _a_r = _args.r;
    (void)_a_r;
    double *const _a_c = _args.c;
    (void)_a_c;
    double *const _v__stored_r = _args._v__stored_r;
    (void)_v__stored_r;
    double *const _v__stored_c = _args._v__stored_c;
    (void)_v__stored_c;
    double *const _v__mean2 = _args._v__mean2;
    (void)_v__mean2;
    double *const _v__per_columns1 = _args._v__per_columns1;
    (void)_v__per_columns1;
    double *const _v__per_rows0 = _args._v__per_rows0;
    (void)_v__per_rows0;
    double *const _v__per_rows3 = _args._v__per_rows3;
    (void)_v__per_rows3;
    double *const _v__per_columns4 = _args._v__per_columns4;
    (void)_v__per_columns4;
    double *const _v__per_matrix2 = _args._v__per_matrix2;
    (void)_v__per_matrix2;
    double *const _v__mean0 = _args._v__mean0;
    (void)_v__mean0;
    double *const _v__mean1 = _args._v__mean1;
    (void)_v__mean1;
    const double *const scalars = _args.scalars;
    double *const _tv = _args._tensor_values;
    const int64_t _matrices = _args.matrices, _rows = _args.rows, _columns = _args.columns;
    (void)scalars;
    (void)_tv;
    (void)_matrices;
    (void)_rows;
    (void)_columns;

    const int64_t _x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (_x < _matrices * _rows)
        _a_r[_x] = (double)_v__stored_r[_x];
    if (_x < _matrices * _columns)
        _a_c[_x] = (double)_v__stored_c[_x];
    (void)_x;
}

/* How a pass shares a tensor of these (valid, nonzero) sizes among blocks: whole matrices
 * (a thread each) or tiles of OCG_STAGED_ROWS rows and chunks of OCG_STAGED_COLUMNS columns;
 * the number of blocks (each leaves its part of a tensor sum). */
static bool ocg_adafactor_factored_f64_staged_layout(int64_t _matrices, int64_t _rows,
                                                     int64_t _columns, int64_t *_tiles,
                                                     int64_t *_chunks, int64_t *_blocks)
{
    const bool _whole = _rows * _columns <= OCG_STAGED_WHOLE;
    *_tiles = _whole ? 1 : (_rows + OCG_STAGED_ROWS - 1) / OCG_STAGED_ROWS;
    *_chunks = _whole ? 1 : (_columns + OCG_STAGED_COLUMNS - 1) / OCG_STAGED_COLUMNS;
    *_blocks =
        _whole ? (_matrices + OCG_THREADS - 1) / OCG_THREADS : _matrices * *_tiles * *_chunks;
    return _whole;
}

/* How many doubles of device memory the launcher's work takes for a tensor of these sizes,
 * or -1 past int64. */
extern "C" int64_t ocg_adafactor_factored_f64_staged_work(int64_t _matrices, int64_t _rows,
                                                          int64_t _columns)
{
    if (_matrices < 0 || _rows < 0 || _columns < 0)
        return -1;
    if (_matrices == 0 || _rows == 0 || _columns == 0)
        return 0;
    if (_rows > INT64_MAX / _columns || _matrices > INT64_MAX / (_rows * _columns))
        return -1;
    int64_t _tiles, _chunks, _blocks;
    ocg_adafactor_factored_f64_staged_layout(_matrices, _rows, _columns, &_tiles, &_chunks,
                                             &_blocks);
    const int64_t _lengths[] = {
        4,                                 /* the per-tensor values */
        1 * _blocks,                       /* the blocks' tensor sums */
        1 * _matrices * _rows * _chunks,   /* the chunks' row sums */
        1 * _matrices * _tiles * _columns, /* the row blocks' column sums */
        _matrices * _rows,
        _matrices * _columns,
        _matrices,
        _matrices * _columns,
        _matrices * _rows,
        _matrices * _rows,
        _matrices * _columns,
        _matrices,
        _matrices * _rows,
        _matrices * _columns,
    };
    int64_t _total = 0;
    for (size_t _k = 0; _k < sizeof _lengths / sizeof _lengths[0]; ++_k) {
        if (_lengths[_k] < 0 || _lengths[_k] > INT64_MAX / 8 - _total)
            return -1;
        _total += _lengths[_k];
    }
    return _total;
}

/* One tensor (a stack of matrices x rows x columns): arrays holds device pointers to p, g
 * and the state; scalars and work are device memory (work: ocg_adafactor_factored_f64_staged_work doubles). Returns
 * 0, a CUDA error, or cudaErrorInvalidValue for refused arguments. */
extern "C" int ocg_adafactor_factored_f64_staged(void *const *arrays, int64_t _matrices,
                                                 int64_t _rows, int64_t _columns,
                                                 const double *scalars, double *work,
                                                 int64_t work_length, cudaStream_t stream)
{
    const int64_t _needed = ocg_adafactor_factored_f64_staged_work(_matrices, _rows, _columns);
    if (arrays == NULL || scalars == NULL || _needed < 0 || work_length < _needed ||
        (_needed > 0 && work == NULL))
        return (int)cudaErrorInvalidValue;
    if (_needed == 0)
        return (int)cudaSuccess;
    for (int _k = 0; _k < 4; ++_k)
        if (arrays[_k] == NULL)
            return (int)cudaErrorInvalidValue;
    int64_t _tiles, _chunks, _blocks;
    const bool _whole = ocg_adafactor_factored_f64_staged_layout(_matrices, _rows, _columns,
                                                                 &_tiles, &_chunks, &_blocks);
    const int64_t _widest = _matrices * (_rows > _columns ? _rows : _columns);
    if (_blocks > 2147483647 || (_widest + OCG_THREADS - 1) / OCG_THREADS > 2147483647)
        return (int)cudaErrorInvalidValue; /* past a grid's blocks */
    ocg_adafactor_factored_f64_staged_args _args;
    _args.p = (double *)arrays[0];
    _args.g = (const double *)arrays[1];
    _args.r = (double *)arrays[2];
    _args.c = (double *)arrays[3];
    _args.scalars = scalars;
    double *_next = work;
    _args._tensor_values = _next;
    _next += 4;
    _args._tensor_partials = _next;
    _next += 1 * _blocks;
    _args._row_partials = _next;
    _next += 1 * _matrices * _rows * _chunks;
    _args._column_partials = _next;
    _next += 1 * _matrices * _tiles * _columns;
    _args._v__stored_r = _next;
    _next += _matrices * _rows;
    _args._v__stored_c = _next;
    _next += _matrices * _columns;
    _args._v__mean2 = _next;
    _next += _matrices;
    _args._v__per_columns1 = _next;
    _next += _matrices * _columns;
    _args._v__per_rows0 = _next;
    _next += _matrices * _rows;
    _args._v__per_rows3 = _next;
    _next += _matrices * _rows;
    _args._v__per_columns4 = _next;
    _next += _matrices * _columns;
    _args._v__per_matrix2 = _next;
    _next += _matrices;
    _args._v__mean0 = _next;
    _next += _matrices * _rows;
    _args._v__mean1 = _next;
    _next += _matrices * _columns;
    _args.matrices = _matrices;
    _args.rows = _rows;
    _args.columns = _columns;
    _args._tiles = _tiles;
    _args._chunks = _chunks;
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_tensor0, 1, 1, stream, _args);
    if (_whole)
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f64_staged_whole0, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f64_staged_pass0, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_finish0,
               (unsigned)((_widest + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args,
               _blocks);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small1_0,
               (unsigned)((_matrices * _rows + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
               _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small1_1,
               (unsigned)((_matrices * _columns + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS,
               stream, _args);
    if (_whole)
        OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small1_2_whole,
                   (unsigned)((_matrices + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
                   _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f64_staged_small1_2, (unsigned)_matrices,
                        OCG_THREADS, stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small1_3,
               (unsigned)((_matrices * _columns + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS,
               stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small1_4,
               (unsigned)((_matrices * _rows + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
               _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small1_5,
               (unsigned)((_matrices * _rows + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream,
               _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small1_6,
               (unsigned)((_matrices * _columns + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS,
               stream, _args);
    if (_whole)
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f64_staged_whole1, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f64_staged_pass1, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_finish1,
               (unsigned)((_widest + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args,
               _blocks);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_tensor2, 1, 1, stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_small2_0,
               (unsigned)((_matrices + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args);
    if (_whole)
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f64_staged_whole2, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    else
        OCG_LAUNCH_SYNC(ocg_adafactor_factored_f64_staged_pass2, (unsigned)_blocks, OCG_THREADS,
                        stream, _args);
    OCG_LAUNCH(ocg_adafactor_factored_f64_staged_write,
               (unsigned)((_widest + OCG_THREADS - 1) / OCG_THREADS), OCG_THREADS, stream, _args);
    return (int)cudaGetLastError();
}
