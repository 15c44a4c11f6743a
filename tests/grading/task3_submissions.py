#!/usr/bin/env python3
"""Writes the task 3 submissions of tests/grading from plain Python (math
only, no gradwork, no numpy), so the values they hold are independent of
the engine that marks them.

    python3 tests/grading/task3_submissions.py

X, W_Q = W_K (the first two dimensions) and W_V (the last two) are the seed's
(exercises/seed/task3.gw); self_attn is softmax(Q Kᵀ / √2) V with the softmax
over each row (axis=1), or over each column (axis=0) for the mistake.
"""
import json
import math
import os

X = [[1, 0, 2, 3], [0, 1, -1, 1], [1, 1, 0, 0]]
Q = [row[:2] for row in X]
K = [row[:2] for row in X]
V = [row[2:] for row in X]


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
            for i in range(len(a))]


def transpose(a):
    return [list(r) for r in zip(*a)]


def softmax_rows(s):
    out = []
    for row in s:
        e = [math.exp(x - max(row)) for x in row]
        out.append([x / sum(e) for x in e])
    return out


def self_attn(q, k, v, axis=1):
    s = [[x / math.sqrt(len(q[0])) for x in row] for row in matmul(q, transpose(k))]
    a = softmax_rows(s) if axis == 1 else transpose(softmax_rows(transpose(s)))
    return matmul(a, v)


def rounded(m):
    return [[float(f"{x:.10g}") for x in row] for row in m]


here = os.path.dirname(os.path.abspath(__file__))
params = 3 * 4 * 2  # three 4×2 projection matrices
# the projections: keys and queries the first two dimensions, values the last two
W = {"W_Q": [[1, 0], [0, 1], [0, 0], [0, 0]], "W_K": [[1, 0], [0, 1], [0, 0], [0, 0]],
     "W_V": [[0, 0], [0, 0], [1, 0], [0, 1]]}
subs = {
    # every answer right
    "task3_correct.json": {"params(W_Q, W_K, W_V)": params, "Q": Q, "K": K, "V": V,
                           "X_att": rounded(self_attn(Q, K, V))},
    # V read from the wrong columns' signs: −1 written as 1; X_att from that V
    "task3_slip.json": {"params(W_Q, W_K, W_V)": params, "Q": Q, "K": K,
                        "V": [[2, 3], [1, 1], [0, 0]],
                        "X_att": rounded(self_attn(Q, K, [[2, 3], [1, 1], [0, 0]]))},
    # softmax over the columns (axis=0) instead of the rows
    "task3_axis.json": {"params(W_Q, W_K, W_V)": params, "Q": Q, "K": K, "V": V,
                        "X_att": rounded(self_attn(Q, K, V, axis=0))},
}
for name, sub in subs.items():
    sub = {**W, **sub}
    with open(os.path.join(here, name), "w") as f:
        # one answer a line
        f.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in sub.items()) + "\n}\n")
