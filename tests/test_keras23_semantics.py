"""The specs say what Keras 2.3 does: an independent NumPy transcription of Keras 2.3's
``keras/optimizers.py`` (get_gradients with clipnorm/clipvalue, the decay schedule, and each
get_updates) against the generated optimizers, float64, many steps."""

from __future__ import annotations

import numpy as np
import pytest

import generated.numpy as G


def keras_gradients(grads, clipnorm, clipvalue):
    if clipnorm:
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        grads = [g * clipnorm / norm if norm >= clipnorm else g for g in grads]
    if clipvalue:
        grads = [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def keras_lr(lr, decay, iterations):
    return lr * (1.0 / (1.0 + decay * iterations)) if decay > 0 else lr


class Keras23:
    """Keras 2.3's update rules, one class per optimizer, state per parameter."""

    def __init__(self, name, **kw):
        self.name, self.kw, self.iterations = name, kw, 0
        self.decay = kw.pop("decay", 0.0)
        self.clipnorm = kw.pop("clipnorm", None)
        self.clipvalue = kw.pop("clipvalue", None)
        self.state = None
        self.m_schedule = 1.0

    def step(self, grads, params):
        grads = keras_gradients(grads, self.clipnorm, self.clipvalue)
        if self.state is None:
            self.state = [dict(a=np.zeros_like(p), b=np.zeros_like(p), c=np.zeros_like(p)) for p in params]
        k, it = self.kw, self.iterations
        t = it + 1.0
        lr = keras_lr(k["learning_rate"], self.decay, it)
        if self.name == "nadam":
            mu_t = k["beta_1"] * (1.0 - 0.5 * 0.96 ** (t * 0.004))
            mu_t1 = k["beta_1"] * (1.0 - 0.5 * 0.96 ** ((t + 1) * 0.004))
            m_schedule_new = self.m_schedule * mu_t
            m_schedule_next = self.m_schedule * mu_t * mu_t1
            self.m_schedule = m_schedule_new
        for p, g, s in zip(params, grads, self.state):
            if self.name == "sgd":
                v = k["momentum"] * s["a"] - lr * g
                s["a"] = v
                if k["nesterov"]:
                    p += k["momentum"] * v - lr * g
                else:
                    p += v
            elif self.name == "rmsprop":
                s["a"] = k["rho"] * s["a"] + (1.0 - k["rho"]) * g**2
                p -= lr * g / (np.sqrt(s["a"]) + 1e-7)
            elif self.name == "adagrad":
                s["a"] = s["a"] + g**2
                p -= lr * g / (np.sqrt(s["a"]) + 1e-7)
            elif self.name == "adadelta":
                s["a"] = k["rho"] * s["a"] + (1.0 - k["rho"]) * g**2
                update = g * np.sqrt(s["b"] + 1e-7) / np.sqrt(s["a"] + 1e-7)
                p -= lr * update
                s["b"] = k["rho"] * s["b"] + (1 - k["rho"]) * update**2
            elif self.name == "adam":
                lr_t = lr * (np.sqrt(1.0 - k["beta_2"] ** t) / (1.0 - k["beta_1"] ** t))
                s["a"] = k["beta_1"] * s["a"] + (1.0 - k["beta_1"]) * g
                s["b"] = k["beta_2"] * s["b"] + (1.0 - k["beta_2"]) * g**2
                if k["amsgrad"]:
                    s["c"] = np.maximum(s["c"], s["b"])
                    p -= lr_t * s["a"] / (np.sqrt(s["c"]) + 1e-7)
                else:
                    p -= lr_t * s["a"] / (np.sqrt(s["b"]) + 1e-7)
            elif self.name == "adamax":
                lr_t = lr / (1.0 - k["beta_1"] ** t)
                s["a"] = k["beta_1"] * s["a"] + (1.0 - k["beta_1"]) * g
                s["b"] = np.maximum(k["beta_2"] * s["b"], np.abs(g))
                p -= lr_t * s["a"] / (s["b"] + 1e-7)
            elif self.name == "nadam":
                g_prime = g / (1.0 - m_schedule_new)
                s["a"] = k["beta_1"] * s["a"] + (1.0 - k["beta_1"]) * g
                m_t_prime = s["a"] / (1.0 - m_schedule_next)
                s["b"] = k["beta_2"] * s["b"] + (1.0 - k["beta_2"]) * g**2
                v_t_prime = s["b"] / (1.0 - k["beta_2"] ** t)
                m_t_bar = (1.0 - mu_t) * g_prime + mu_t1 * m_t_prime
                p -= k["learning_rate"] * m_t_bar / (np.sqrt(v_t_prime) + 1e-7)
        self.iterations += 1


CASES = [
    ("sgd", dict(learning_rate=0.01, momentum=0.9, nesterov=False)),
    ("sgd", dict(learning_rate=0.01, momentum=0.9, nesterov=True)),
    ("sgd", dict(learning_rate=0.01, momentum=0.0, nesterov=False)),
    ("rmsprop", dict(learning_rate=0.001, rho=0.9)),
    ("adagrad", dict(learning_rate=0.01)),
    ("adadelta", dict(learning_rate=1.0, rho=0.95)),
    ("adam", dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, amsgrad=False)),
    ("adam", dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, amsgrad=True)),
    ("adamax", dict(learning_rate=0.002, beta_1=0.9, beta_2=0.999)),
    ("nadam", dict(learning_rate=0.002, beta_1=0.9, beta_2=0.999)),
]
COMMON = [{}, {"clipnorm": 1.0}, {"clipvalue": 0.5}, {"decay": 0.01}, {"clipnorm": 2.0, "clipvalue": 0.3, "decay": 0.05}]


@pytest.mark.parametrize("common", COMMON, ids=lambda c: "+".join(c) or "plain")
@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_generated_optimizer_is_keras_2_3(name, kw, common):
    if name == "nadam" and "decay" in common:
        pytest.skip("Keras 2.3's Nadam has no decay")
    rng = np.random.default_rng(7)
    shapes = [(4,), (3, 3), (2, 1, 5)]
    params = [rng.standard_normal(s) for s in shapes]
    keras_params = [p.copy() for p in params]
    ours = G.get(name)(**kw, **common)
    keras = Keras23(name, **kw, **common)
    for _ in range(60):
        grads = [rng.standard_normal(s) * 3.0 for s in shapes]
        ours.apply_gradients(zip(grads, params))
        keras.step(grads, keras_params)
    for p, q in zip(params, keras_params):
        np.testing.assert_allclose(p, q, rtol=1e-11, atol=1e-13)
    assert ours.iterations == keras.iterations == 60


def test_defaults_are_those_of_the_seed_page():
    expected = {
        "sgd": dict(learning_rate=0.01, momentum=0.0, nesterov=False),
        "rmsprop": dict(learning_rate=0.001, rho=0.9),
        "adagrad": dict(learning_rate=0.01),
        "adadelta": dict(learning_rate=1.0, rho=0.95),
        "adam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, amsgrad=False),
        "adamax": dict(learning_rate=0.002, beta_1=0.9, beta_2=0.999),
        "nadam": dict(learning_rate=0.002, beta_1=0.9, beta_2=0.999),
    }
    for name, defaults in expected.items():
        config = G.get(name)().get_config()
        for key, value in defaults.items():
            assert config[key] == value, (name, key)
        if "epsilon" in config:
            assert config["epsilon"] == 1e-7, name  # K.epsilon()
        assert ("decay" in config) == (name != "nadam")
