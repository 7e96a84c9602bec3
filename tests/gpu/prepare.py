"""Every spec's CUDA library built for the GPU at hand, and the torch extension, in parallel
(nvcc takes seconds per library: built one by one as tests first need them, they would take
most of a lent GPU's minutes). Prints each library's build time; exits 1 if one fails."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import torch

from generated import _native


def main() -> int:
    major, minor = torch.cuda.get_device_capability()
    arch = f"{major}{minor}"
    modules = sorted(p.stem for p in _native.CUDA_DIR.glob("*.c"))
    jobs = {f"{m} (sm_{arch})": (_native.library, m, "cuda", arch) for m in modules}
    jobs["torch extension"] = (_native.torch_extension,)
    failed = 0
    with ThreadPoolExecutor(max_workers=16) as pool:
        start = time.perf_counter()
        futures = {pool.submit(*job): name for name, job in jobs.items()}
        for future in as_completed(futures):
            try:
                future.result()
                print(f"built {futures[future]} at {time.perf_counter() - start:.1f} s")
            except Exception as err:  # noqa: BLE001 - every failure printed
                failed += 1
                print(f"FAILED {futures[future]}: {err}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
