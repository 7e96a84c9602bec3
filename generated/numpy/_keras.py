# generated from specs/*.yaml by templates/package/keras_common.py.j2 — do not edit
"""Keras 2.3's base-class formulas, printed from generator/common.py by this backend's
printers, so every backend computes them from one definition (the C kernels' are in
cuda/ocg_config.h)."""

import numpy as np


def clip_scale(clipnorm, grad_norm):
    """clipnorm: the factor every gradient is scaled by, from the L2 norm over all gradients
    of the step (a NaN norm gives 1, as in Keras)."""
    return float(((clipnorm / grad_norm) if (clipnorm <= grad_norm) else (1)))


def clip_value(g, clipvalue, out):
    """clipvalue: every element of g clipped to [-clipvalue, clipvalue], written to out
    (which may be g); returns out."""
    np.clip(g, -clipvalue, clipvalue, out=out)
    return out
