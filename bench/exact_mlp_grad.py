"""numpy reference for exact_mlp_grad.gw: ∂L/∂W1 through two ReLU layers of
width 256 (exact fractions, backward written by hand)."""
import sys
from fractions import Fraction

import numpy as np

# `--float64`: the same workload in floats (numpy's usual, inexact way).
DT = object
if "--float64" in sys.argv[1:]:
    DT = float
    Fraction = float  # noqa: F811


def frac(n, mod, off, den, shape):
    return np.array([Fraction(i % mod - off) / den for i in range(n)], dtype=DT).reshape(shape)


X = frac(256, 5, 2, 4, (8, 32))
W1 = frac(8192, 11, 5, 10, (256, 32))
b1 = frac(256, 7, 3, 10, (256,))
W2 = frac(65536, 13, 6, 20, (256, 256))
b2 = frac(256, 3, 1, 10, (256,))
W3 = frac(256, 9, 4, 10, (1, 256))
t = np.array([Fraction(i % 2) for i in range(8)], dtype=DT).reshape(8, 1)

Z1 = X @ W1.T + b1
H1 = np.where(Z1 > 0, Z1, Fraction(0))
Z2 = H1 @ W2.T + b2
H2 = np.where(Z2 > 0, Z2, Fraction(0))
Y = H2 @ W3.T
L = ((Y - t) ** 2).sum() / Y.size
dY = 2 * (Y - t) / Y.size
dH2 = dY @ W3
dZ2 = np.where(Z2 > 0, dH2, Fraction(0))
dH1 = dZ2 @ W2
dZ1 = np.where(Z1 > 0, dH1, Fraction(0))
G = dZ1.T @ X
print("g =", G.sum())
print("g00 =", G[0, 0])
