"""Fused steps of every spec over odd shapes, for compute-sanitizer's memcheck on a GPU
(tests/gpu/run.sh): each variant in float32 and float64, int8 and bfloat16 state where a spec
takes them, vectors with tails and a misaligned view, and matrices and stacks for the rules of
row and column means (their kernels run in passes). The sanitizer reports any out-of-bounds or
misaligned access; this prints one line per spec and variant.

    python tests/gpu/memcheck_steps.py [cuda|cpu]
"""

from __future__ import annotations

import sys

import torch

import generated.torch as gtorch
from generator.build import load_specs
from generator.verify import testing

VECTORS = (1, 3, 4097, 65537)
MATRICES = ((3, 5), (33, 129), (129, 33), (2, 3, 4), (1, 1))


def _params(device, dtype, generator):
    out = [torch.randn(n, generator=generator).to(device, dtype) for n in VECTORS]
    base = torch.randn(4098, generator=generator).to(device, dtype)
    out.append(base[1:])  # a view that starts one element in: not 16-byte aligned
    out += [torch.randn(s, generator=generator).to(device, dtype) for s in MATRICES]
    return [p.requires_grad_() for p in out]


def _steps(cls, kwargs, device, dtype, steps=2):
    generator = torch.Generator().manual_seed(0)
    params = _params(device, dtype, generator)
    opt = cls(params, **kwargs, fused=True, clipnorm=1.0)
    for _ in range(steps):
        for p in params:
            p.grad = torch.randn(p.shape, generator=generator).to(device, dtype)
        opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return all(bool(torch.isfinite(p).all()) for p in params)


def main(device_name: str = "cuda") -> int:
    device = torch.device(device_name)
    failures = 0
    for spec in load_specs():
        cls = getattr(gtorch, spec.name)
        if cls.native_module is None:
            continue
        for variant in spec.variants():
            kwargs = testing.variant_kwargs(spec, dict(variant.flags))
            runs = [({}, torch.float32), ({}, torch.float64)]
            if not spec.reductions:
                runs += [({"state_precision": p}, torch.float32) for p in ("int8", "bfloat16")]
            for extra, dtype in runs:
                what = f"{spec.module}-{variant.suffix} {str(dtype)[6:]} {extra or ''}"
                try:
                    finite = _steps(cls, {**kwargs, **extra}, device, dtype)
                except (ValueError, TypeError, NotImplementedError) as err:  # a refusal
                    print(f"refused  {what}: {str(err).splitlines()[0][:100]}")
                    continue
                except Exception as err:  # noqa: BLE001 - reported, counted, the run goes on
                    failures += 1
                    print(f"FAILED   {what}: {type(err).__name__}: {err}"[:300])
                    continue
                print(f"{'ok' if finite else 'nonfinite'}       {what}")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
