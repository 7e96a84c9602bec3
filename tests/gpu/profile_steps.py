"""Fused Adam steps on one tensor of 16M float32 elements (W1 of a CPU, several times the L2
of a GPU), with float32 and int8 state, for Nsight Compute (tests/gpu/run.sh): four steps of
each, so that a profile can skip the first."""

from __future__ import annotations

import torch

import generated.torch as gtorch


def main() -> None:
    generator = torch.Generator(device="cuda").manual_seed(0)
    for precision in ("float32", "int8"):
        p = torch.randn(16_000_000, generator=generator, device="cuda").requires_grad_()
        p.grad = torch.randn(p.shape, generator=generator, device="cuda") * 1e-2
        opt = gtorch.Adam([p], fused=True, state_precision=precision)
        for _ in range(4):
            opt.step()
        torch.cuda.synchronize()
        print(precision, "finite:", bool(torch.isfinite(p).all()))


if __name__ == "__main__":
    main()
