#!/usr/bin/env python3
"""PyTorch CPU baseline for `npm run bench`: the same model, data and optimizer as the project's
engines, written the way the paper's notebook does it (all K models in one [K, m, n] parameter, einsum,
torch.optim.AdamW, a fresh batch from torch.rand every step), float32 on the CPU.

  python3 scripts/bench/torch_cpu.py --models 64 --steps 200 --density 0.1 --threads 2 --json

Prints model-steps per second (one model-step = one AdamW step of one model on one batch), timed after
a short warm-up. Exit status: 0 done, 2 bad arguments (argparse), 3 torch not importable (so that
scripts/bench/torch-baseline.ts can tell a Python without torch from a failed run), 1 anything else.
"""

import argparse
import json
import math
import sys
import time

N_FEATURES, N_NEURONS = 10, 5  # n, m: the paper's privileged-basis model
WARMUP_STEPS = 10  # first steps allocate buffers and start the thread pool; not timed


def positive_int(s):
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def density(s):
    v = float(s)
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {s}")
    return v


parser = argparse.ArgumentParser(description="Train K toy models x N AdamW steps with PyTorch on the CPU and time it.")
parser.add_argument("--models", type=positive_int, default=64, help="K models trained side by side (default 64)")
parser.add_argument("--steps", type=positive_int, default=200, help="timed AdamW steps (default 200)")
parser.add_argument("--density", type=density, default=0.1, help="feature density 1 - S (default 0.1)")
parser.add_argument("--threads", type=positive_int, default=2, help="torch.set_num_threads (default 2)")
parser.add_argument("--batch", type=positive_int, default=1024, help="batch size (default 1024)")
parser.add_argument("--json", action="store_true", help="print one line of JSON")
args = parser.parse_args()  # before importing torch: bad arguments fail fast, with or without torch

try:
    import torch
except ImportError as e:
    print(f"torch_cpu.py: cannot import torch: {e}", file=sys.stderr)
    sys.exit(3)

torch.set_num_threads(args.threads)
torch.manual_seed(0)
K, m, n, B = args.models, N_NEURONS, N_FEATURES, args.batch

# Xavier-normal per model: std = sqrt(2 / (m + n)) for an m x n matrix. (nn.init.xavier_normal_ on the
# whole [K, m, n] tensor would take fan-in n*m and fan-out K*n, and so the wrong scale.)
W = torch.nn.Parameter(torch.randn(K, m, n) * math.sqrt(2 / (m + n)))
b = torch.nn.Parameter(torch.zeros(K, n))
importance = 0.75 ** torch.arange(n, dtype=torch.float32)  # I_i
opt = torch.optim.AdamW([W, b], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


def step():
    # x: [B, K, n]; each feature present with probability `density`, then U[0, 1).
    x = torch.where(torch.rand(B, K, n) < args.density, torch.rand(B, K, n), torch.zeros(()))
    h = torch.relu(torch.einsum("kmn,bkn->bkm", W, x))
    out = torch.relu(torch.einsum("kmn,bkm->bkn", W, h) + b)
    # Each model's loss is the mean over batch and features; summing over models keeps the K gradients
    # independent (each model's gradient is that of its own loss).
    loss = (importance * (x - out) ** 2).mean(dim=(0, 2)).sum()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


for _ in range(WARMUP_STEPS):
    step()
t0 = time.perf_counter()
for _ in range(args.steps):
    loss = step()
seconds = time.perf_counter() - t0

mean_loss = loss.item() / K
if not math.isfinite(mean_loss):
    print(f"torch_cpu.py: the loss is {mean_loss}", file=sys.stderr)
    sys.exit(1)
result = {
    "modelStepsPerSecond": round(K * args.steps / seconds),
    "seconds": round(seconds, 3),
    "models": K,
    "steps": args.steps,
    "density": args.density,
    "threads": args.threads,
    "batch": B,
    "torch": torch.__version__,
    "python": sys.version.split()[0],
}
if args.json:
    print(json.dumps(result))
else:
    print(f"torch {result['torch']} (python {result['python']}), {args.threads} thread(s): {K} models x {args.steps} steps"
          f" at density {args.density} in {seconds:.2f} s = {result['modelStepsPerSecond']:,} model-steps/s (mean loss {mean_loss:.4g})")
