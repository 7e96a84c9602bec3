#!/usr/bin/env bash
# The checks that need a CUDA GPU, in one run sized for a lent machine's few minutes:
#   1. every spec's CUDA library built for this GPU, in parallel (tests/gpu/prepare.py);
#   2. the tests that skip without a GPU (fused, stored int8/bfloat16 state, CUDA graphs,
#      capturable steps, the staged kernels of row and column means, CPU against CUDA);
#   3. Adam's steps back to back, as a training loop runs them (tests/gpu/steady_steps.py);
#   4. the benchmark of Adam (W1-W4, int8 and bfloat16 state, torch.compile) and Adafactor
#      (its factored rule on a matrix and on ResNet-50's shapes): results-gpu.json, its plot;
#   5. compute-sanitizer's memcheck over every spec's fused steps (tests/gpu/memcheck_steps.py);
#   6. Nsight Compute's view of the fused Adam kernels, float32 and int8 state
#      (tests/gpu/profile_steps.py): bandwidth, occupancy, registers.
# Logs and results go to $OUT (default gpu-out/); summary.txt has each stage's exit code and
# seconds. Each stage has a time limit (seconds: BUILD_S, TESTS_S, STEADY_S, BENCH_S, MEMCHECK_S,
# PROFILE_S), and one that fails does not stop the next. BENCH_ONLY and BENCH_ARGS (e.g.
# --no-sweep) choose what the benchmark runs, STEADY_ARGS (--profile) what the steady stage
# prints, GPU_TESTS which GPU tests run; STAGES (default all) which stages run.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export XLA_PYTHON_CLIENT_PREALLOCATE=false # JAX (the optax case) shares the GPU with torch
export OCG_CACHE_DIR=${OCG_CACHE_DIR:-/tmp/ocg-gpu-cache}
mkdir -p -m 700 "$OCG_CACHE_DIR"
[ -d /usr/local/cuda/bin ] && export PATH=$PATH:/usr/local/cuda/bin
if [ -d .whl ]; then # black and clang-format (the toy spec's build), carried as wheels
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/ocg-site .whl/*.whl && export PYTHONPATH=$PYTHONPATH:/tmp/ocg-site
fi

STAGES=${STAGES:-build,tests,steady,bench,memcheck,profile} # a fresh machine needs build first
stage() { # name, seconds, command...
    local name=$1 limit=$2 start=$SECONDS
    shift 2
    [[ ",$STAGES," == *",$name,"* ]] || return 0
    timeout -k 5 "$limit" "$@"
    echo "$name: exit $?, $((SECONDS - start)) s" | tee -a "$OUT/summary.txt"
}

{
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv
    nvcc --version | tail -2
    python3 -c "import torch, sys; print(sys.version.split()[0], torch.__version__, torch.cuda.get_device_name())"
} >"$OUT/summary.txt" 2>&1
cat "$OUT/summary.txt"

stage build "${BUILD_S:-40}" python3 tests/gpu/prepare.py >"$OUT/build.txt" 2>&1
ALL_GPU_TESTS="test_cuda_fused_matches or test_cuda_stored_state or captured_in_a_cuda_graph"
ALL_GPU_TESTS+=" or test_cuda_matches_cpu or replays_in_a_cuda_graph or on_a_gpu"
ALL_GPU_TESTS+=" or export_state_of_a_gpu"
GPU_TESTS=${GPU_TESTS:-$ALL_GPU_TESTS} # a -k expression: which of them run
stage tests "${TESTS_S:-80}" python3 -m pytest -p no:cacheprovider -p no:benchmark -n 8 --dist load -rfEs \
    --durations=8 -k "$GPU_TESTS" tests/test_cuda.py tests/test_torch_devices.py \
    tests/test_torch_compile.py tests/test_staged_kernels.py >"$OUT/tests.txt" 2>&1
stage steady "${STEADY_S:-60}" python3 tests/gpu/steady_steps.py ${STEADY_ARGS:-} >"$OUT/steady.txt" 2>&1
stage bench "${BENCH_S:-180}" python3 -m generator bench --only "${BENCH_ONLY:-adam,adafactor}" \
    ${BENCH_ARGS:-} --out "$OUT/results-gpu.json" >"$OUT/bench.txt" 2>&1
stage memcheck "${MEMCHECK_S:-40}" compute-sanitizer --tool memcheck --kernel-name kns=ocg_ \
    --error-exitcode 99 --print-limit 20 python3 tests/gpu/memcheck_steps.py cuda \
    >"$OUT/memcheck.txt" 2>&1
stage profile "${PROFILE_S:-45}" ncu --clock-control none --kernel-name regex:ocg_adam_no_amsgrad \
    --launch-skip 2 --launch-count 4 --section SpeedOfLight --section Occupancy \
    --section LaunchStats python3 tests/gpu/profile_steps.py >"$OUT/profile.txt" 2>&1
tail -n 5 "$OUT/build.txt" "$OUT/tests.txt" "$OUT/memcheck.txt"
grep -E "Duration|DRAM Throughput|Memory Throughput|Achieved Occupancy|Registers Per|ocg_adam" "$OUT/profile.txt" | head -40
grep -E "^W[0-9] (isolated|steady):" "$OUT/steady.txt"
tail -n 40 "$OUT/bench.txt"
cat "$OUT/summary.txt"
