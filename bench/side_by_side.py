#!/usr/bin/env python3
"""Every workload of the issue "Fast paths", gradwork and its reference, run
in one session (the machine is shared and noisy: only ratios from one run
mean anything). Prints one Markdown table per workload, ready for
docs/benchmarks.md, and the commands that made each figure.

Run from the project root, with the benchmark environment's Python (numpy,
torch; ../shared/bench/README.md says how to make it):

    cargo build --release --examples
    ~/.venvs/bench/bin/python bench/side_by_side.py [--quick] [--only NAME ...]

Workloads (NAME):
  op_overhead  tiny forward+backward, per iteration (f64, f32, exact)
  exact        whole-process exact workloads: 64x64 matmul, conv1d over
               100,000 samples, grad through a width-256 ReLU MLP
  seed         the five seed answers, whole process
  train        training steps/s, RNN and LSTM at hidden 8, 32, 128
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")
PY = sys.executable
GW = os.path.join(ROOT, "target", "release", "gradwork")
EX = os.path.join(ROOT, "target", "release", "examples")


def run(cmd):
    """The command's stdout; fails loudly when the command fails."""
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stdout}\n{out.stderr}")
    return out.stdout


def last_figure(text, key):
    """The value of the last `key=<number>` line."""
    found = re.findall(rf"^{key}=([0-9.eE+-]+)\s*$", text, re.M)
    if not found:
        sys.exit(f"no `{key}=` line in:\n{text}")
    return float(found[-1])


def proc_time(cmd, n, warmup):
    """(median wall seconds, median peak MiB) of a whole process."""
    text = run([PY, os.path.join(SHARED, "proc_time.py"), "-n", str(n), "--warmup", str(warmup), "--", *cmd])
    wall = float(re.search(r"^wall\s*:\s*([0-9.]+) s", text, re.M).group(1))
    peak = float(re.search(r"^peak\s*:\s*([0-9.]+) MiB", text, re.M).group(1))
    return wall, peak


def short(cmd):
    """The command as a reader types it from the project root."""
    def word(c):
        if c == PY:
            return "$PY"
        return os.path.relpath(c, ROOT) if os.path.isabs(c) else c
    return " ".join(word(c) for c in cmd)


def table(title, header, rows, commands):
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print("\nCommands:\n")
    for c in commands:
        print(f"    {c}")
    sys.stdout.flush()


def op_overhead(quick):
    iters = "2000" if quick else "10000"
    cmds = {
        "gradwork f64": [os.path.join(EX, "op_overhead"), "--dtype", "f64", "--iters", iters],
        "gradwork f32": [os.path.join(EX, "op_overhead"), "--dtype", "f32", "--iters", iters],
        "gradwork exact": [os.path.join(EX, "op_overhead"), "--dtype", "exact", "--iters", "2000"],
        "numpy (hand-written backward)": [PY, os.path.join(SHARED, "op_overhead.py"), "--variant", "numpy"],
        "torch (autograd)": [PY, os.path.join(SHARED, "op_overhead.py"), "--variant", "fwd_bwd", "--threads", "1"],
    }
    us = {name: last_figure(run(c), "us_per_iter") for name, c in cmds.items()}
    np_us, torch_us = us["numpy (hand-written backward)"], us["torch (autograd)"]
    rows = [
        [name, f"{v:.2f} µs", f"{np_us / v:.2f}×", f"{torch_us / v:.1f}×"]
        for name, v in us.items()
    ]
    table(
        "Tiny forward+backward (`op_overhead`): per iteration",
        ["", "time", "speed against numpy", "speed against torch"],
        rows,
        [short(c) for c in cmds.values()],
    )


def exact(quick):
    n, w = (3, 1) if quick else (10, 2)
    budget = ["--max-work", "1000000000"]
    rows, commands = [], []
    for name, what in [
        ("exact_matmul", "64×64 exact matmul"),
        ("exact_conv1d", "exact conv1d, 100,000 samples"),
        ("exact_mlp_grad", "grad through a width-256 ReLU MLP, exact"),
    ]:
        gw = [GW, "solve", os.path.join(ROOT, "bench", name + ".gw"), *budget]
        frac = [PY, os.path.join(ROOT, "bench", name + ".py")]
        flt = frac + ["--float64"]
        (tg, mg), (tf, mf), (t64, m64) = (proc_time(c, n, w) for c in (gw, frac, flt))
        rows.append([
            what,
            f"{tg:.3f} s, {mg:.1f} MiB",
            f"{tf:.3f} s, {mf:.1f} MiB",
            f"{t64:.3f} s, {m64:.1f} MiB",
            f"{tf / tg:.2f}×",
            f"{t64 / tg:.2f}×",
        ])
        commands += [f"$PY ../shared/bench/proc_time.py -n {n} --warmup {w} -- {short(c)}" for c in (gw, frac, flt)]
    table(
        "Exact workloads, whole process (median wall, peak memory)",
        ["workload", "gradwork exact", "numpy, Fraction objects", "numpy float64 (inexact)",
         "speed against numpy Fraction", "speed against numpy float64"],
        rows,
        commands,
    )


def seed(quick):
    n, w = (5, 1) if quick else (20, 3)
    gw = [GW, "solve", os.path.join(ROOT, "exercises", "seed")]
    ref = [PY, os.path.join(SHARED, "startup_solve_numpy.py")]
    (tg, mg), (tr, mr) = proc_time(gw, n, w), proc_time(ref, n, w)
    table(
        "The five seed answers, whole process",
        ["gradwork", "numpy", "speed against numpy"],
        [[f"{tg * 1e3:.1f} ms, {mg:.1f} MiB", f"{tr * 1e3:.1f} ms, {mr:.1f} MiB", f"{tr / tg:.1f}×"]],
        [f"$PY ../shared/bench/proc_time.py -n {n} --warmup {w} -- {short(c)}" for c in (gw, ref)],
    )


def train(quick):
    steps, repeats = ("40", "3") if quick else ("200", "5")
    rows, commands = [], []
    for model in ("rnn", "lstm"):
        for hidden in ("8", "32", "128"):
            common = ["--model", model, "--hidden", hidden, "--batch", "64", "--steps", steps,
                      "--repeats", repeats, "--threads", "1", "--seq", "fixed", "--mode", "speed"]
            gw = [os.path.join(EX, "train_oddeven"), "--len", "20", *common]
            ref = [PY, os.path.join(SHARED, "train_rnn.py"), *common]
            g, r = last_figure(run(gw), "steps_per_s"), last_figure(run(ref), "steps_per_s")
            rows.append([f"{model.upper()}-{hidden}", f"{g:.0f}", f"{r:.0f}", f"{g / r:.2f}×"])
            commands += [short(gw), short(ref)]
    table(
        "Training steps/s (batch 64, length 20, Adam, 1 thread, f32)",
        ["model", "gradwork", "torch", "ratio"],
        rows,
        commands,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    ap.add_argument("--only", nargs="*", default=None, choices=["op_overhead", "exact", "seed", "train"])
    a = ap.parse_args()
    for name, f in [("op_overhead", op_overhead), ("exact", exact), ("seed", seed), ("train", train)]:
        if a.only is None or name in a.only:
            f(a.quick)


if __name__ == "__main__":
    main()
