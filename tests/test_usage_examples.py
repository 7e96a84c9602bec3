"""The usage section of the Markdown docs (generated/docs/md/index.md, the same examples as
the PDF's) runs as written: each Python block is executed with the names it assumes (a model,
its loss, params and grads) bound to small real objects, and each optimizer steps."""

from __future__ import annotations

import re

import numpy as np
import pytest

from generator.paths import GENERATED

BLOCKS = re.findall(r"```python\n(.*?)```", (GENERATED / "docs/md/index.md").read_text(), re.S)


def block(first_import: str) -> str:
    found = [b for b in BLOCKS if first_import in b]
    assert len(found) == 1, f"one usage block imports {first_import}"
    return found[0]


def test_numpy_example_runs():
    params = [np.ones(3), np.ones((2, 2))]
    grads = [np.full(3, 0.5), np.full((2, 2), 0.5)]
    namespace = {"params": params, "grads": grads}
    exec(block("generated.numpy import SGD"), namespace)
    assert all((p < 1).all() for p in params)


def test_torch_example_runs():
    torch = pytest.importorskip("torch")
    model = torch.nn.Linear(3, 1)
    before = model.weight.detach().clone()
    loss = model(torch.ones(4, 3)).pow(2).sum()
    exec(block("generated.torch import"), {"model": model, "loss": loss})
    assert not torch.equal(model.weight, before)


def test_keras_example_runs():
    pytest.importorskip("generator.verify.testing_keras")  # keras on the torch backend
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    before = keras.ops.convert_to_numpy(model.weights[0]).copy()
    exec(block("generated.keras import"), {"model": model, "x": x, "y": y})
    assert type(model.optimizer).__module__.startswith("generated.keras")
    assert not np.array_equal(keras.ops.convert_to_numpy(model.weights[0]), before)


def test_optax_example_runs():
    pytest.importorskip("generator.verify.testing_optax")
    from jax import numpy as jnp

    namespace = {"params": {"w": jnp.ones(3)}, "grads": {"w": jnp.full(3, 0.5)}}
    exec(block("generated.optax import"), namespace)
    assert float(namespace["params"]["w"][0]) < 1.0
