#!/usr/bin/env python3
"""Generate tests/fixtures/numpy_corpus.json: numpy's answers for tests/corpus/*.gw.

Run (from the repository root):

    ~/.venvs/bench/bin/python tools/numpy_fixtures.py

It needs only numpy (any Python 3 with numpy will do). The Rust test
tests/corpus.rs reads the committed JSON and needs no Python.

Every corpus program is valid Python with numpy except for gradwork's answer
statement, `show <expr>` or `show name = expr`, on a top-level line. Each such
line is rewritten into Python that records the value (the second form assigns
`name` first, then records it); the program then runs under numpy in a fresh
namespace, with floating-point warnings raised as errors (a program that
divides by zero or makes a NaN is not a fixture). A program that raises names
its file and stops the script.

For each file the JSON holds the shown values in order, each as

    {"expr": the source of the shown expression,
     "shape": [...], "dtype": "bool" | "int" | "float",
     "value": nested lists (a bare number for shape [])}

Plain Python numbers, bools, lists and tuples are converted with np.asarray;
a Python bool, int or float keeps its own kind. Floats are written as JSON
numbers with repr-exact digits (Python's shortest round-trip repr); an
infinity or NaN, should one be shown, is written as the string "inf", "-inf"
or "nan".
"""
import contextlib
import io
import json
import math
import pathlib
import re
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
OUT = ROOT / "tests" / "fixtures" / "numpy_corpus.json"

# `show name = expr` (but not `show name == expr`), then the bare `show expr`.
SHOW_NAMED = re.compile(r"^show\s+([A-Za-z_][A-Za-z_0-9]*)\s*=(?!=)\s*(.+?)\s*$")
SHOW_EXPR = re.compile(r"^show(?=[\s(\[-])\s*(.+?)\s*$")


def rewrite(src):
    """The program as Python, and the source text of each shown expression."""
    lines, shown = [], []
    for line in src.splitlines():
        m = SHOW_NAMED.match(line)
        if m:
            name, expr = m.groups()
            lines.append(f"{name} = {expr}; __record__({name})")
            shown.append(name)
            continue
        m = SHOW_EXPR.match(line)
        if m:
            expr = m.group(1)
            lines.append(f"__record__(({expr}))")
            shown.append(expr)
            continue
        lines.append(line)
    return "\n".join(lines) + "\n", shown


def kind_of(value, arr):
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    k = arr.dtype.kind
    if k == "b":
        return "bool"
    if k in "iu":
        return "int"
    if k == "f":
        return "float"
    raise TypeError(f"a shown value of dtype {arr.dtype} is not a number, bool or array of them")


def json_number(x, kind):
    if kind == "bool":
        return bool(x)
    if kind == "int":
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def nested(arr, kind):
    if arr.ndim == 0:
        return json_number(arr.item(), kind)
    return [nested(a, kind) for a in arr]


def record(value):
    arr = np.asarray(value)
    kind = kind_of(value, arr)
    return {"shape": list(arr.shape), "dtype": kind, "value": nested(arr, kind)}


def run(path):
    src = path.read_text(encoding="utf-8")
    code, shown = rewrite(src)
    values = []
    namespace = {"__name__": "__corpus__", "__record__": lambda v: values.append(record(v))}
    try:
        with np.errstate(all="raise"), contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, str(path), "exec"), namespace)
    except Exception as e:  # noqa: BLE001 - any failure names the file
        raise SystemExit(f"{path.relative_to(ROOT)}: the program fails under numpy: "
                         f"{type(e).__name__}: {e}") from e
    if len(values) != len(shown):
        raise SystemExit(f"{path.relative_to(ROOT)}: {len(shown)} show lines "
                         f"but {len(values)} values recorded")
    for v, expr in zip(values, shown):
        v["expr"] = expr
    return values


def main():
    files = sorted(CORPUS.glob("*.gw"))
    if not files:
        raise SystemExit(f"no programs in {CORPUS}")
    out = {
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "files": {f.name: run(f) for f in files},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    n = sum(len(v) for v in out["files"].values())
    print(f"wrote {OUT.relative_to(ROOT)}: {len(files)} files, {n} answers")


if __name__ == "__main__":
    main()
