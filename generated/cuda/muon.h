// generated from specs/muon.yaml by templates/cuda/optimizer.h.j2 — do not edit
/* Muon: the C API of the generated kernels, muon.c (CPU) and muon.cu (CUDA).
 *
 * Each call updates every tensor of an ocg_tensor_list (ocg.h) in place, as one step:
 *   scalars     the per-step scalars of the flag combination, in the order listed below, as
 *               the step function computes them (muon.cuh, or generated/host/muon.py);
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
#ifndef OCG_MUON_H
#define OCG_MUON_H

#include "ocg.h"
#include "muon.cuh"

#ifdef __cplusplus
extern "C" {
#endif

/* muon=False, nesterov=False (and muon=False, nesterov=True: the same rule): rows of p, g, m, v; scalars _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon */
int ocg_muon_no_muon__no_nesterov_f32_cpu(ocg_tensor_list list, const double *scalars,
                                          const double *grad_scale, double grad_factor,
                                          double clipvalue);
int ocg_muon_no_muon__no_nesterov_f64_cpu(ocg_tensor_list list, const double *scalars,
                                          const double *grad_scale, double grad_factor,
                                          double clipvalue);
/* float parameters, state stored as int8 codes (rows: p, g, then codes and block scales of
 * each state) or bfloat16 (rows: p, g, state); step seeds bfloat16's rounding (ocg_state.h) */
int ocg_muon_no_muon__no_nesterov_f32_int8_cpu(ocg_tensor_list list, const double *scalars,
                                               const double *grad_scale, double grad_factor,
                                               double clipvalue, uint32_t step);
int ocg_muon_no_muon__no_nesterov_f32_bf16_cpu(ocg_tensor_list list, const double *scalars,
                                               const double *grad_scale, double grad_factor,
                                               double clipvalue, uint32_t step);
#if defined(__CUDACC__) || defined(OCG_CPU_SHIM)
int ocg_muon_no_muon__no_nesterov_f32(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue, cudaStream_t stream);
int ocg_muon_no_muon__no_nesterov_f64(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue, cudaStream_t stream);
int ocg_muon_no_muon__no_nesterov_f16(ocg_tensor_list list, const double *scalars,
                                      const double *grad_scale, double grad_factor,
                                      double clipvalue, cudaStream_t stream);
int ocg_muon_no_muon__no_nesterov_bf16(ocg_tensor_list list, const double *scalars,
                                       const double *grad_scale, double grad_factor,
                                       double clipvalue, cudaStream_t stream);
int ocg_muon_no_muon__no_nesterov_step_cuda(const double *hyper, double *scalar_state, double *t,
                                            double *scalars, cudaStream_t stream);
/* float parameters with state stored as int8 or bfloat16, as the *_cpu functions above */
int ocg_muon_no_muon__no_nesterov_f32_int8_cuda(ocg_tensor_list list, const double *scalars,
                                                const double *grad_scale, double grad_factor,
                                                double clipvalue, uint32_t step,
                                                cudaStream_t stream);
int ocg_muon_no_muon__no_nesterov_f32_bf16_cuda(ocg_tensor_list list, const double *scalars,
                                                const double *grad_scale, double grad_factor,
                                                double clipvalue, uint32_t step,
                                                cudaStream_t stream);
#endif

#ifdef __cplusplus
}
#endif

#endif /* OCG_MUON_H */
