# generated from specs/*.yaml by templates/package/keras_common.py.j2 — do not edit
"""Keras 2.3's base-class formulas, printed from generator/common.py, so that the NumPy and
torch runtimes and the C kernels (cuda/ocg_config.h) compute them from one definition."""


def clip_scale(clipnorm, grad_norm):
    """clipnorm: the factor every gradient is scaled by, from the L2 norm over all gradients
    of the step (a NaN norm gives 1, as in Keras)."""
    return float(((clipnorm / grad_norm) if (clipnorm <= grad_norm) else (1)))
