// generated from specs/lamb.yaml by templates/cuda/optimizer.h.j2 — do not edit
/* Lamb: the C API of the generated kernels, lamb.c (CPU) and lamb.cu (CUDA).
 *
 * Each call updates every tensor of an ocg_tensor_list (ocg.h) in place, as one step:
 *   scalars     the per-step scalars of the flag combination, in the order listed below, as
 *               the step function computes them (lamb.cuh, or generated/host/lamb.py);
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
#ifndef OCG_LAMB_H
#define OCG_LAMB_H

#include "ocg.h"
#include "lamb.cuh"

#ifdef __cplusplus
extern "C" {
#endif

/* the defaults: rows of p, g, m, v; scalars _c0_one_minus_beta_1, _c1_one_minus_beta_2, _c2_lr_scale, _c3_inv_one_minus_beta_2_pow_t, _c6_weight_decay_factor, _c4__weight_decay_factor_pow_two, _c5_coefficient, beta_1, beta_2, epsilon; two passes over each tensor (its reductions first) */
int ocg_lamb_default_f32_cpu(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                             double grad_factor, double clipvalue);
int ocg_lamb_default_f64_cpu(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                             double grad_factor, double clipvalue);
#if defined(__CUDACC__) || defined(OCG_CPU_SHIM)
/* work: device memory for (n_chunks + n_tensors) * 2 doubles, the per-tensor reductions'
 * partial values and totals (three launches: terms, totals, update) */
int ocg_lamb_default_f32(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                         double grad_factor, double clipvalue, double *work, cudaStream_t stream);
int ocg_lamb_default_f64(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                         double grad_factor, double clipvalue, double *work, cudaStream_t stream);
int ocg_lamb_default_f16(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                         double grad_factor, double clipvalue, double *work, cudaStream_t stream);
int ocg_lamb_default_bf16(ocg_tensor_list list, const double *scalars, const double *grad_scale,
                          double grad_factor, double clipvalue, double *work, cudaStream_t stream);
int ocg_lamb_default_step_cuda(const double *hyper, double *scalar_state, double *t,
                               double *scalars, cudaStream_t stream);
#endif

#ifdef __cplusplus
}
#endif

#endif /* OCG_LAMB_H */
