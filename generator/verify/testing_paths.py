"""Steps an optimizer of a user package (``testing.user_package``) on any backend path, as
the tests of toy specs compare each path with the 50-digit reference: NumPy (loop or fused
C), torch (``PATHS``: loop, foreach, fused C, fused CUDA through the CPU shim, the graph
step) and optax (float64 under ``jax_enable_x64``)."""

from __future__ import annotations

import importlib
import warnings

import numpy as np

PATHS = {  # the torch paths: their options
    "loop": {},
    "foreach": {"foreach": True},
    "fused": {"fused": True},
    "fused-shim": {"fused": True},
    "capturable": {"capturable": True},
}


def stepped(package, name, path, hyper, params0, grads, warn=False):
    """The parameters after the steps of ``grads`` by the optimizer ``name`` of ``package``
    on ``path`` ("numpy", "numpy-fused", "optax" or one of PATHS), as float64 arrays;
    NumPy's warnings are errors unless ``warn``."""
    if path.startswith("numpy"):
        params = [p.copy() for p in params0]
        cls = getattr(importlib.import_module(f"{package}.numpy"), name)
        opt = cls(**hyper, fused=path == "numpy-fused")
        with warnings.catch_warnings():
            warnings.simplefilter("default" if warn else "error")
            for step in grads:
                opt.apply_gradients(zip(step, params))
        return params
    if path == "optax":
        from . import testing_optax  # noqa: F401  (jax_enable_x64)

        import jax.numpy as jnp
        import optax

        tx = getattr(importlib.import_module(f"{package}.optax"), name.lower())(**hyper)
        params = [jnp.asarray(p) for p in params0]
        state = tx.init(params)
        for step in grads:
            updates, state = tx.update([jnp.asarray(g) for g in step], state, params)
            params = optax.apply_updates(params, updates)
        return [np.asarray(p) for p in params]
    import torch

    tensors = [torch.tensor(p, requires_grad=True) for p in params0]
    torch_hyper = {("lr" if k == "learning_rate" else k): v for k, v in hyper.items()}
    cls = getattr(importlib.import_module(f"{package}.torch"), name)
    opt = cls(tensors, **torch_hyper, **PATHS[path])
    opt._native_target_for_cpu = "shim" if path == "fused-shim" else "cpu"
    for step in grads:
        for t, g in zip(tensors, step):
            t.grad = torch.tensor(g)
        opt.step()
    return [t.detach().numpy() for t in tensors]
