"""numpy reference for exact_matmul.gw: the 64×64 product of exact fractions
(numpy object arrays of fractions.Fraction, the exact way in numpy)."""
import sys
from fractions import Fraction

import numpy as np

# `--float64`: the same workload in floats (numpy's usual, inexact way).
DT = object
if "--float64" in sys.argv[1:]:
    DT = float
    Fraction = float  # noqa: F811

A = np.array([Fraction(int(i) % 23 - 11) / 7 for i in range(4096)], dtype=DT).reshape(64, 64)
B = np.array([Fraction(int(i) % 19 - 9) / 5 for i in range(4096)], dtype=DT).reshape(64, 64)
print("s =", (A @ B).sum())
