# generated from specs/*.yaml by templates/keras/common.py.j2 — do not edit
"""Keras 2.3's base-class formulas in ``keras.ops``, printed from generator/common.py, so
every backend computes them from one definition."""

from keras import ops


def clip_scale(clipnorm, grad_norm):
    """clipnorm: the factor every gradient is scaled by, from the L2 norm over all gradients
    of the step (a NaN norm gives 1, as in Keras 2.3)."""
    return ops.where(
        ops.less_equal(clipnorm, grad_norm),
        ops.convert_to_tensor(clipnorm / grad_norm, dtype=grad_norm.dtype),
        ops.convert_to_tensor(1, dtype=grad_norm.dtype),
    )


def clip_value(g, clipvalue):
    """clipvalue: every element of g clipped to [-clipvalue, clipvalue]."""
    return ops.where(
        ops.logical_or(
            ops.isnan(clipvalue),
            ops.less_equal(
                clipvalue,
                ops.where(
                    ops.logical_or(ops.isnan(g), ops.greater_equal(g, -clipvalue)), g, -clipvalue
                ),
            ),
        ),
        clipvalue,
        ops.where(ops.logical_or(ops.isnan(g), ops.greater_equal(g, -clipvalue)), g, -clipvalue),
    )
