"""numpy reference for exact_conv1d.gw: conv1d (cross-correlation, as
PyTorch) of 100,000 exact samples with a 3-tap kernel and a bias."""
import sys
from fractions import Fraction

import numpy as np

# `--float64`: the same workload in floats (numpy's usual, inexact way).
DT = object
if "--float64" in sys.argv[1:]:
    DT = float
    Fraction = float  # noqa: F811

x = np.array([Fraction(i % 13 - 6) / 10 for i in range(100000)], dtype=DT)
w = [Fraction(2) / 10, Fraction(-5) / 10, Fraction(3) / 10]
b = Fraction(1) / 10
y = x[:-2] * w[0] + x[1:-1] * w[1] + x[2:] * w[2] + b
print("s =", y.sum())
print("top =", y.max())
