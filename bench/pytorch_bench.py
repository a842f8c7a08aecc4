#!/usr/bin/python3
"""PyTorch peer for bench/run.sh: the same model, batch and thread count as `trm bench`, one workload per process.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_bench.py --workload train-default-b64 [--seconds 3] [--threads 2]
        [--precision fp32|bf16]

Prints one JSON array of {"workload", "impl": "pytorch" (or "pytorch-bf16"), "metric", "value"} rows (peak RSS from
getrusage, so run one workload per process, as bench/run.sh does). --precision bf16 runs the forward pass and the
loss under torch.autocast("cpu", dtype=torch.bfloat16) (PyTorch's own mixed precision: matrix products in bf16,
float32 weights and optimizer), backward and AdamW as usual. The model is tests/golden/make_fixture.py's independent
PyTorch implementation (imported, not copied). A training step is what `trm train` does: forward, cell-wise
cross-entropy, backward, global-norm clipping at 1, AdamW. Inference runs under torch.inference_mode().
OpenBLAS: OPENBLAS_CORETYPE=SkylakeX was the fastest core type on the AMD EPYC (Zen 4) dev machine; bench/run.sh
sets it, see bench/README.md for the check.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "golden"))

def _from_argv(flag, default):
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default


# OpenBLAS and OpenMP size their pools when torch loads, so set them first. PyTorch's fastest setting here for fp32
# gives the threads to OpenBLAS (every GEMM on all of them) and runs torch's own intra-op pool on one thread:
# measured on the quiet 2-core machine, train-default-b64 ran 101.8 samples/s that way, 82.3 with torch's pool on 2
# threads and OpenBLAS on 1, and 34.2 with both on 2 (the two pools oversubscribe the cores); 77.7 on one thread in
# all. Under bf16 autocast the matrix products run in oneDNN on torch's own pool instead, so that pool gets the
# threads and OpenBLAS one.
THREADS = _from_argv("--threads", "2")
BF16 = _from_argv("--precision", "fp32") == "bf16"
os.environ["OPENBLAS_NUM_THREADS"] = "1" if BF16 else THREADS
os.environ["OMP_NUM_THREADS"] = THREADS if BF16 else "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402

import make_fixture as ref  # noqa: E402

BASE = dict(ref.FLAT_CONFIG, weight_decay=0.01, lr=1e-4, gate_init=1.0)
MODELS = {
    "default": dict(BASE, hidden_dim=512, L_layers=3, L_cycles=8, H_cycles=4, O_layers=2, dropout=0.1),
    "small": dict(BASE, hidden_dim=128, L_layers=2, L_cycles=4, H_cycles=2, O_layers=2, dropout=0.0),
    "cells": dict(BASE, arch="cells", hidden_dim=64, L_layers=2, L_cycles=4, H_cycles=4, O_layers=2, dropout=0.0),
}
# name -> (model, train?, batch)
WORKLOADS = {
    "train-default-b64": ("default", True, 64),
    "train-small-b256": ("small", True, 256),
    "infer-default-b1": ("default", False, 1),
    "infer-small-b1": ("small", False, 1),
    "infer-default-b256": ("default", False, 256),
    "infer-small-b256": ("small", False, 256),
    "train-cells-b32": ("cells", True, 32),
    "infer-cells-b1": ("cells", False, 1),
}  # bench/run.sh's pytorch_runs lists the same names


CLOCK = time.perf_counter


def time_median(body, seconds, min_runs=3):
    body()  # warm-up
    times, start = [], time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < seconds:
        t0 = CLOCK()
        body()
        times.append(CLOCK() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--cpu-time", action="store_true", help="time by process CPU time (single-threaded A/B runs)")
    a = ap.parse_args()
    if a.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    torch.set_num_threads(a.threads if BF16 else 1)  # torch's own pool (see above)
    torch.manual_seed(0)
    model_name, train, batch = WORKLOADS[a.workload]
    cfg = MODELS[model_name]
    cls = ref.CellsTRM if cfg["arch"] == "cells" else ref.FlatTRM
    model = cls(cfg)
    rng = np.random.default_rng(1)
    puzzles = rng.integers(0, 10, size=(batch, 81))
    x = cls.input_of(puzzles)
    tgt = torch.as_tensor(rng.integers(0, 9, size=(batch, 81)), dtype=torch.long)
    rows = []
    impl = "pytorch" if a.precision == "fp32" else "pytorch-" + a.precision
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16")

    def row(metric, value):
        rows.append({"workload": a.workload, "impl": impl, "metric": metric, "value": value})

    if train:
        model.train()
        opt = ref.make_optimizer(model, cfg)
        params = list(model.parameters())
        deep = cls.DEEP_SUPERVISION

        def step():
            opt.zero_grad(set_to_none=True)
            with autocast:
                logits, cycle_logits, _ = model(x)
                loss = ref.deep_supervision_loss(cycle_logits, tgt) if deep else ref.loss_fn(logits, tgt)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()

        row("samples_per_s", batch / time_median(step, a.seconds))
    else:
        model.eval()

        def infer():
            with torch.inference_mode(), autocast:
                model(x)

        t = time_median(infer, a.seconds, 20 if batch == 1 else 3)
        if batch == 1:
            row("latency_ms", t * 1e3)
        else:
            row("samples_per_s", batch / t)
    row("peak_rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
