# generated from specs/*.yaml by templates/optax/common.py.j2 — do not edit
"""Keras 2.3's base-class formulas in ``jax.numpy``, printed from generator/common.py, so
every backend computes them from one definition."""

from jax import numpy as jnp


def clip_scale(clipnorm, grad_norm):
    """clipnorm: the factor every gradient is scaled by, from the L2 norm over all gradients
    of the step (a NaN norm gives 1, as in Keras 2.3)."""
    return jnp.where(jnp.less_equal(clipnorm, grad_norm), clipnorm / grad_norm, 1)


def clip_value(g, clipvalue):
    """clipvalue: every element of g clipped to [-clipvalue, clipvalue]."""
    return jnp.minimum(clipvalue, jnp.maximum(g, -clipvalue))
