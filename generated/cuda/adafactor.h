// generated from specs/adafactor.yaml by templates/cuda/optimizer.h.j2 — do not edit
/* Adafactor: the C API of the generated kernels, adafactor.c (CPU) and adafactor.cu (CUDA).
 *
 * Each call updates every tensor of an ocg_tensor_list (ocg.h) in place, as one step:
 *   scalars     the per-step scalars of the flag combination, in the order listed below, as
 *               the step function computes them (adafactor.cuh, or generated/host/adafactor.py);
 *   grad_scale  NULL, or one double: clipnorm's factor (ocg_clip_scale in ocg_clip.cu);
 *   grad_factor multiplies the gradient too: 1, or -1 to maximize;
 *   clipvalue   > 0 clips the scaled gradient to [-clipvalue, clipvalue]; 0 disables it.
 * The gradient the update sees is ocg_clip_value(g * grad_factor * grad_scale, clipvalue).
 * CPU functions (*_cpu) take host memory and return 0. CUDA launchers take device memory
 * (the list's tables, scalars and grad_scale too) and a stream, and return the CUDA error
 * of the launch (0: cudaSuccess); they do not synchronize. CUDA kernels exist for float,
 * double, half (f16) and bfloat16 (bf16) parameters; for f16 and bf16 the state arrays are
 * float and so is the arithmetic.
 *
 * For a CUDA graph, *_step_cuda computes the scalars on the device: it adds 1 to *t, then
 * runs the step program with hyper, scalar_state (updated in place) and scalars, all in device
 * memory. */
#ifndef OCG_ADAFACTOR_H
#define OCG_ADAFACTOR_H

#include "ocg.h"
#include "adafactor.cuh"

#ifdef __cplusplus
extern "C" {
#endif

/* factored=False: rows of p, g, v; scalars _c0_one_minus_beta, _c1_minus_rho, _c2_inv_clip_threshold, _c4_weight_decay_factor, _c3__weight_decay_factor_pow_two, beta, epsilon_1, epsilon_2; two passes over each tensor (its reductions first) */
int ocg_adafactor_no_factored_f32_cpu(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue);
int ocg_adafactor_no_factored_f64_cpu(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue);
#if defined(__CUDACC__) || defined(OCG_CPU_SHIM)
/* work: device memory for (n_chunks + n_tensors) * 3 doubles, the per-tensor reductions'
 * partial values and totals (three launches: terms, totals, update) */
int ocg_adafactor_no_factored_f32(ocg_tensor_list list, const double *scalars,
                                  const double *grad_scale, double grad_factor, double clipvalue,
                                  double *work, cudaStream_t stream);
int ocg_adafactor_no_factored_f64(ocg_tensor_list list, const double *scalars,
                                  const double *grad_scale, double grad_factor, double clipvalue,
                                  double *work, cudaStream_t stream);
int ocg_adafactor_no_factored_f16(ocg_tensor_list list, const double *scalars,
                                  const double *grad_scale, double grad_factor, double clipvalue,
                                  double *work, cudaStream_t stream);
int ocg_adafactor_no_factored_bf16(ocg_tensor_list list, const double *scalars,
                                   const double *grad_scale, double grad_factor, double clipvalue,
                                   double *work, cudaStream_t stream);
int ocg_adafactor_no_factored_step_cuda(const double *hyper, double *scalar_state, double *t,
                                        double *scalars, cudaStream_t stream);
#endif

/* factored=True: a rule of row or column means, one tensor at a time (arrays: p, g,
 * then the state; see adafactor.c); returns 0, 1 for refused arguments, 2 without memory */
int ocg_adafactor_factored_f32_staged_cpu(void *const *arrays, int64_t matrices, int64_t rows,
                                          int64_t columns, const double *scalars);
#if defined(__CUDACC__) || defined(OCG_CPU_SHIM)
/* ... on CUDA: device pointers in arrays, scalars and work (work_length >= the doubles
 * *_staged_work returns, -1 past int64); returns 0 or a CUDA error */
int64_t ocg_adafactor_factored_f32_staged_work(int64_t matrices, int64_t rows, int64_t columns);
int ocg_adafactor_factored_f32_staged(void *const *arrays, int64_t matrices, int64_t rows,
                                      int64_t columns, const double *scalars, double *work,
                                      int64_t work_length, cudaStream_t stream);
#endif

/* factored=True: a rule of row or column means, one tensor at a time (arrays: p, g,
 * then the state; see adafactor.c); returns 0, 1 for refused arguments, 2 without memory */
int ocg_adafactor_factored_f64_staged_cpu(void *const *arrays, int64_t matrices, int64_t rows,
                                          int64_t columns, const double *scalars);
#if defined(__CUDACC__) || defined(OCG_CPU_SHIM)
/* ... on CUDA: device pointers in arrays, scalars and work (work_length >= the doubles
 * *_staged_work returns, -1 past int64); returns 0 or a CUDA error */
int64_t ocg_adafactor_factored_f64_staged_work(int64_t matrices, int64_t rows, int64_t columns);
int ocg_adafactor_factored_f64_staged(void *const *arrays, int64_t matrices, int64_t rows,
                                      int64_t columns, const double *scalars, double *work,
                                      int64_t work_length, cudaStream_t stream);
#endif

#ifdef __cplusplus
}
#endif

#endif /* OCG_ADAFACTOR_H */
