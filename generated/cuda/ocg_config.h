// generated from specs/*.yaml by templates/cuda/ocg_config.h.j2 — do not edit
/* Printed by the build from generator/runtime/_kernel_layout.py (the kernel layout) and
 * generator/common.py (Keras 2.3's clip formulas), so C and Python share one definition.
 * Included by ocg.h after its helpers. */
#ifndef OCG_CONFIG_H
#define OCG_CONFIG_H

/* A block of OCG_THREADS threads updates chunks of OCG_CHUNK elements of one tensor, each
 * thread four neighbouring elements at a time; grid-stride launches use at most
 * OCG_MAX_BLOCKS blocks. */
#define OCG_THREADS 256
#define OCG_CHUNK 8192
#define OCG_MAX_BLOCKS 4096

/* X(suffix, parameter type, arithmetic and state type) for every dtype of the CUDA kernels. */
#define OCG_FOR_EACH_DTYPE(X) \
    X(f32, float, float) X(f64, double, double) X(f16, __half, float) X(bf16, __nv_bfloat16, float)

/* clipnorm: the factor every gradient is scaled by, from the norm over all gradients. */
HD double ocg_clip_scale_of(double clipnorm, double grad_norm)
{
    return ((clipnorm <= grad_norm) ? (clipnorm / grad_norm) : (1.0));
}

/* clipvalue: each element clipped to [-clipvalue, clipvalue] (an infinite bound disables it). */
HD float ocg_clip_valuef(float g, float clipvalue)
{
    return ocg_minf(clipvalue, ocg_maxf(g, -clipvalue));
}
HD double ocg_clip_value(double g, double clipvalue)
{
    return ocg_min(clipvalue, ocg_max(g, -clipvalue));
}

#endif /* OCG_CONFIG_H */
