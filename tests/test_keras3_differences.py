"""The Keras 3 differences written in the specs, shown: a NumPy transcription of Keras 3's
update rules (keras/src/optimizers/*.py) against the generated Keras 2.3 optimizers."""

from __future__ import annotations

import numpy as np
import pytest

import generated.numpy as G


def keras3_rmsprop(p, grads, lr=0.001, rho=0.9, eps=1e-7):
    v = np.zeros_like(p)
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        p = p - lr * g / np.sqrt(v + eps)  # epsilon inside the square root
    return p


def keras3_adagrad(p, grads, lr=0.01, eps=1e-7, initial=0.1):
    a = np.full_like(p, initial)  # initial_accumulator_value
    for g in grads:
        a = a + g * g
        p = p - lr * g / np.sqrt(a + eps)
    return p


def keras3_nadam(p, grads, lr=0.002, beta_1=0.9, beta_2=0.999, eps=1e-7):
    m, v, u_product = np.zeros_like(p), np.zeros_like(p), 1.0
    for step, g in enumerate(grads, start=1):
        u_t = beta_1 * (1 - 0.5 * 0.96**step)  # no schedule decay
        u_t1 = beta_1 * (1 - 0.5 * 0.96 ** (step + 1))
        u_product *= u_t
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        p = p - lr * m_hat / (np.sqrt(v / (1 - beta_2**step)) + eps)
    return p


def keras3_adam(p, grads, lr=0.001, beta_1=0.9, beta_2=0.999, eps=1e-7):
    m, v = np.zeros_like(p), np.zeros_like(p)
    for step, g in enumerate(grads, start=1):
        alpha = lr * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        p = p - alpha * m / (np.sqrt(v) + eps)
    return p


def run_ours(name, p, grads, **kw):
    p = p.copy()
    opt = G.get(name)(**kw)
    for g in grads:
        opt.apply_gradients([(g, p)])
    return p


def problem(scale):
    rng = np.random.default_rng(3)
    return rng.standard_normal(50), [rng.standard_normal(50) * scale for _ in range(30)]


@pytest.mark.parametrize(
    "name,keras3",
    [("rmsprop", keras3_rmsprop), ("adagrad", keras3_adagrad), ("nadam", keras3_nadam)],
)
def test_keras3_differs_where_the_spec_says(name, keras3):
    p, grads = problem(scale=1e-3)  # small gradients: where epsilon and initial values matter
    ours, theirs = run_ours(name, p, grads), keras3(p, grads)
    assert np.max(np.abs(ours - theirs) / np.abs(theirs)) > 1e-6


def test_keras3_adam_is_the_same_update():
    p, grads = problem(scale=1.0)
    np.testing.assert_allclose(run_ours("adam", p, grads), keras3_adam(p, grads), rtol=1e-12)


def test_without_its_differences_keras3_rmsprop_is_ours():
    """The transcription is right: with epsilon 0 the placement no longer matters."""
    p, grads = problem(scale=1.0)
    np.testing.assert_allclose(run_ours("rmsprop", p, grads, epsilon=0.0), keras3_rmsprop(p, grads, eps=0.0), rtol=1e-12)


def keras3_sgd_with_clipnorm(params, grads_per_step, lr=0.01, clipnorm=1.0):
    """Keras 3 clips each gradient by its own norm (global_clipnorm is Keras 2.3's clipnorm)."""
    params = [p.copy() for p in params]
    for grads in grads_per_step:
        for p, g in zip(params, grads):
            norm = np.sqrt(np.sum(g * g))
            p -= lr * (g * clipnorm / norm if norm > clipnorm else g)
    return params


def test_keras3_clipnorm_is_per_gradient_keras_2_3_is_global():
    rng = np.random.default_rng(4)
    params = [rng.standard_normal(20), rng.standard_normal(5)]
    grads = [[rng.standard_normal(20) * 3, rng.standard_normal(5) * 0.1] for _ in range(10)]
    ours = [p.copy() for p in params]
    opt = G.SGD(learning_rate=0.01, clipnorm=1.0)
    for step in grads:
        opt.apply_gradients(zip(step, ours))
    theirs = keras3_sgd_with_clipnorm(params, grads)
    assert np.max(np.abs(ours[1] - theirs[1])) > 1e-4  # the small gradient is not clipped by Keras 3
