#!/usr/bin/env python3
"""Generate the hostile-input corpus of tests/hostile (issue 9, "Bounded and unbreakable").

Every case is one small `*.gw` file whose first line is a comment naming what it
probes. The files are committed, so tests/hostile.rs needs no Python; run this
script again after changing it:

    python3 tests/hostile/generate.py

It removes every generated `*.gw` in the folder first, so a renamed case leaves
no stale file behind. Every file stays under 200 KiB on disk.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BYTES = 200 * 1024

CASES = []  # (file stem, probe, body bytes)


def case(stem, probe, body):
    """A file `stem.gw`: `# probe` on the first line, then `body` (str or bytes)."""
    assert re.fullmatch(r"[a-z0-9_]+", stem), stem
    assert "\n" not in probe
    if isinstance(body, str):
        body = body.encode("utf-8")
    CASES.append((stem, probe, b"# " + probe.encode("utf-8") + b"\n" + body))


def raw(stem, probe, data):
    """A file written byte for byte (its first line must still be `# probe`)."""
    assert re.fullmatch(r"[a-z0-9_]+", stem), stem
    CASES.append((stem, probe, data))


# ---------------------------------------------------------------------------
# 1. Every row of the issue's table, as written there.
# ---------------------------------------------------------------------------

case("issue_zeros_0_2p62_4", "issue: zeros with a zero dim and 2**62 (ndarray Shape too large)",
     "x = zeros([0, 2**62, 4])\nshow x.shape\n")
case("issue_full_0_1e18_1e18", "issue: full with a zero dim and two 10**18 dims",
     "x = full([0, 10**18, 10**18], 1)\nshow x.shape\n")
case("issue_concat_0_2p62", "issue: concatenate two [0, 2**62] along axis 1 (expect shapes checked)",
     "x = zeros([0, 2**62])\nshow y = concatenate([x, x], axis=1)\n")
case("issue_sum_axis0_0_2p40", "issue: zeros([0, 2**40]).sum(axis=0) allocates 2**40 outputs",
     "show zeros([0, 2**40]).sum(axis=0)\n")
case("issue_softmax_2p40_0", "issue: softmax of a [2**40, 0] tensor",
     "show softmax(zeros([2**40, 0]))\n")
case("issue_add_2p40_0", "issue: zeros([2**40, 0]) + 1 hangs",
     "show zeros([2**40, 0]) + 1\n")
case("issue_show_2p40_0", "issue: show zeros([2**40, 0]) hangs",
     "show zeros([2**40, 0])\n")
case("issue_transpose_2p40_0", "issue: .T of a [2**40, 0] tensor hangs",
     "show zeros([2**40, 0]).T.shape\n")
case("issue_len_2p40_0", "issue: len of a [2**40, 0] tensor hangs",
     "show len(zeros([2**40, 0]))\n")
case("issue_matmul_2p40_0", "issue: @ of [2**40, 0] tensors hangs",
     "a = zeros([2**40, 0])\nb = zeros([0, 3])\nshow (a @ b).shape\n")
case("issue_if_true_6000_one_line", "issue: 'if True: ' * 6000 + 'x = 1' on one line (stack overflow)",
     "if True: " * 6000 + "x = 1\nshow x\n")
case("issue_nested_def_20000_one_line", "issue: 20,000 nested defs on one line (stack overflow)",
     "def f(): " * 20000 + "return 1\nshow 1\n")
case("issue_dot_t_100000", "issue: .T chained 100,000 times (stack overflow)",
     "x = 1\nshow x" + ".T" * 100000 + "\n")
case("issue_call_100000", "issue: f followed by () 100,000 times (stack overflow)",
     "def f():\n    return f\nshow f" + "()" * 100000 + "\n")
case("issue_conv1d_padding_1e9", "issue: conv1d([1], [1], padding=10**9) allocates 64 GB",
     "show conv1d([1], [1], padding=10**9)\n")
case("issue_linear_1e5", "issue: linear(input=10**5, output=10**5) builds 10**10 default weights",
     "m = linear(input=10**5, output=10**5)\nshow params(m)\n")
case("issue_rnn_cell_1e9", "issue: rnn_cell(input=10**9, hidden=1) builds default weights first",
     "m = rnn_cell(input=10**9, hidden=1)\nshow params(m)\n")
case("issue_params_lstm_100000", "issue: params(lstm(input=2, hidden=100000)) needs no weights",
     "show params(lstm(input=2, hidden=100000))\n")
case("issue_zero_mantissa_exponent", "issue: 0e999999999 hangs (zero mantissa skips the size check)",
     "x = 0e999999999\nshow x\n")
case("issue_tuple_self_nest_30", "issue: t = (t, t) 30 times, formatting a shared tuple never ends",
     "t = 1\nfor i in range(30): t = (t, t)\nshow t\n")
case("issue_20000_lines", "issue: 20,000 lines of x = 1 (quadratic line lookup)",
     "x = 1\n" * 20000 + "show x\n")
case("issue_zeros_33554432", "issue: zeros(33554432) takes 2 GB within the element cap",
     "x = zeros(33554432)\nshow x.shape\n")
case("issue_matmul_1000_work", "issue: ones([1000,1000])/3 @ itself, the cap limits output not work",
     "A = ones([1000, 1000]) / 3\nB = A @ A\nshow B[0, 0]\n")
case("issue_string_doubling_30", "issue: s = s + s 30 times, strings have no cap (1.8 GB)",
     's = "a"\nfor i in range(30): s = s + s\nshow len(s)\n')
case("issue_loop_1e6_steps", "issue: 1,000,000 loop steps of x = x + 1 (4.2 s, 400 MB)",
     "x = 0\nfor i in range(999990):\n    x = x + 1\nshow x\n")
case("issue_literal_190k_digits", "issue: a huge integer literal (190,000 digits; 1,000,000 does not fit 200 KiB)",
     "x = " + "7" * 190000 + "\nshow x\n")
case("issue_kwargs_50000_dup", "issue: 50,000 keyword arguments (the same name)",
     "show sigmoid(1, " + "a=1," * 49990 + ")\n")
case("issue_kwargs_distinct_20000", "issue: 20,000 distinct keyword arguments",
     "show sigmoid(1, " + ",".join(f"k{i}=1" for i in range(20000)) + ")\n")
case("issue_dims_10000", "issue: a 10,000-dimensional shape",
     "x = zeros([1] * 10000)\nshow x.ndim\n")
case("issue_dims_10000_literal", "issue: a 10,000-dimensional shape written out",
     "x = zeros([" + ", ".join(["1"] * 10000) + "])\nshow x.size\n")
raw("issue_byte_ff", "issue: a file containing byte 0xff gets no line or byte offset",
    b"# issue: a file containing byte 0xff gets no line or byte offset\nx = 1\ny = \xff\nshow x\n")
case("issue_grad_of_grad", "issue: grad(grad(L, w)[0], w) is silently [0, 0]",
     "w = [1, 2]\nL = sum(w * w * w)\ng = grad(L, w)\nshow grad(g[0], w)\n")
case("issue_log_1e_minus_400", "issue: log(1e-400) is an error though the value is fine",
     "show log(1e-400)\n")
case("issue_log_10p400", "issue: log(10**400) is an error though the value is fine",
     "show log(10**400)\n")
case("issue_sigmoid_10p400", "issue: sigmoid(10**400) is an error though it is 1 - eps",
     "show sigmoid(10**400)\n")
case("issue_sigmoid_unknown_kw", "issue: sigmoid(1, foo=2) ignores an unknown keyword",
     "show sigmoid(1, foo=2)\n")

# ---------------------------------------------------------------------------
# 2. Huge and zero-size shapes in every constructor and op.
# ---------------------------------------------------------------------------

HUGE = {
    "1e9": "10**9",
    "2p31": "2**31",
    "2p62": "2**62",
    "2p63": "2**63",
    "2p64": "2**64",
    "1e100": "10**100",
}
SHAPES = {
    "1e9": "[10**9]",
    "2p64": "[2**64]",
    "1e5sq": "[10**5, 10**5]",
    "0_2p62": "[0, 2**62]",
    "2p62_0": "[2**62, 0]",
    "0_2p40_2p40": "[0, 2**40, 2**40]",
    "2p32_2p32": "[2**32, 2**32]",
    "neg": "[2, -3]",
    "float": "[2.5, 2]",
}
for name, shape in SHAPES.items():
    case(f"shape_zeros_{name}", f"shape: zeros({shape})", f"x = zeros({shape})\nshow x.shape\n")
    case(f"shape_ones_{name}", f"shape: ones({shape})", f"x = ones({shape})\nshow x.size\n")
    case(f"shape_full_{name}", f"shape: full({shape}, 7)", f"x = full({shape}, 7)\nshow x.ndim\n")
for name, n in HUGE.items():
    case(f"ctor_eye_{name}", f"ctor: eye({n})", f"show eye({n}).shape\n")
    case(f"ctor_eye_nm_{name}", f"ctor: eye(1, {n})", f"show eye(1, {n}).shape\n")
    case(f"ctor_identity_{name}", f"ctor: np.identity({n})", f"import numpy as np\nshow np.identity({n}).shape\n")
    case(f"ctor_arange_{name}", f"ctor: arange({n})", f"show arange({n}).shape\n")
    case(f"ctor_zeros_int_{name}", f"ctor: zeros({n}) with an int shape", f"show zeros({n}).shape\n")
    case(f"list_repeat_{name}", f"list: [0] * {n}", f"xs = [0] * {n}\nshow len(xs)\n")
    case(f"str_repeat_{name}", f"string: 'ab' * {n}", f"s = 'ab' * {n}\nshow len(s)\n")
    case(f"range_len_{name}", f"range: len(range({n}))", f"show len(range({n}))\n")
case("ctor_eye_k_huge", "ctor: eye(3, k=10**18)", "show eye(3, k=10**18)\n")
case("ctor_eye_k_neg_huge", "ctor: eye(3, k=-2**64)", "show eye(3, k=-2**64)\n")
case("ctor_eye_neg", "ctor: eye(-5)", "show eye(-5)\n")
case("ctor_eye_0", "ctor: eye(0)", "show eye(0)\n")
case("ctor_arange_tiny_step", "ctor: arange(0, 1, 10**-12) (10**12 steps)", "show arange(0, 1, 10**-12).shape\n")
case("ctor_arange_step_0", "ctor: arange(0, 1, 0)", "show arange(0, 1, 0)\n")
case("ctor_arange_fraction_step", "ctor: arange(0, 1, 1/3**30)", "show arange(0, 1, 1/3**30).shape\n")
case("ctor_arange_neg_huge", "ctor: arange(-10**18, 10**18, 10**9) (2e9 elements)", "show arange(-10**18, 10**18, 10**9).shape\n")
case("ctor_arange_inf", "ctor: arange(float('inf'))", "show arange(float('inf'))\n")
case("ctor_full_huge_value", "ctor: full([3], 10**5000)", "show full([3], 10**5000)\n")
case("ctor_zeros_like_huge", "ctor: zeros_like(zeros([0, 2**62]))", "show zeros_like(zeros([0, 2**62])).shape\n")
case("ctor_ones_like_2p40_0", "ctor: ones_like of [2**40, 0]", "show ones_like(zeros([2**40, 0])).shape\n")
case("ctor_array_ragged_deep", "ctor: array of a ragged deep list", "show array([[1, [2, [3]]], 4])\n")
case("ctor_zeros_empty_list", "ctor: zeros([]) is a scalar", "show zeros([])\n")
case("ctor_zeros_tuple_shape", "ctor: zeros((2**40, 2**40))", "show zeros((2**40, 2**40)).shape\n")
case("ctor_zeros_string", "ctor: zeros('abc')", "show zeros('abc')\n")
case("ctor_zeros_none", "ctor: zeros(None)", "show zeros(None)\n")
case("ctor_zeros_nested_shape", "ctor: zeros([[2, 3]])", "show zeros([[2, 3]])\n")
case("ctor_bits_huge", "ctor: bits of a 100,000-bit code", 'show bits("' + "01" * 50000 + '").shape\n')
case("ctor_bits_many", "ctor: bits of 20,000 codes", 'show bits("' + ",".join(["10"] * 20000) + '").shape\n')

# reshape
case("reshape_0_to_huge", "reshape: zeros(0) to [0, 2**62]", "show reshape(zeros(0), [0, 2**62]).shape\n")
case("reshape_0_to_neg1_0", "reshape: zeros(0) to [-1, 0] (ambiguous)", "show reshape(zeros(0), [-1, 0]).shape\n")
case("reshape_two_neg1", "reshape: two -1 dims", "show reshape(zeros(6), [-1, -1])\n")
case("reshape_huge_product_overflow", "reshape: dims whose product overflows to 6", "show reshape(zeros(6), [2**63, 2**63, 6])\n")
case("reshape_method_1e4_dims", "reshape: x.reshape with 10,000 args", "x = zeros(1)\nshow x.reshape(" + ", ".join(["1"] * 10000) + ").ndim\n")
case("reshape_neg2", "reshape: a dim of -2", "show reshape(zeros(6), [-2, -3])\n")
# concatenate / stack
case("concat_axis_huge", "concatenate: axis=10**18", "show concatenate([zeros(2), zeros(2)], axis=10**18)\n")
case("concat_axis_neg_huge", "concatenate: axis=-2**64", "show concatenate([zeros(2), zeros(2)], axis=-2**64)\n")
case("concat_empty_list", "concatenate: []", "show concatenate([])\n")
case("concat_10000_items", "concatenate: 10,000 tensors", "x = zeros(1)\nshow concatenate([x] * 10000).shape\n")
case("concat_2p40_0_rows", "concatenate: two [2**40, 0] along axis 0", "x = zeros([2**40, 0])\nshow concatenate([x, x]).shape\n")
case("stack_0_2p62", "stack: two [0, 2**62]", "x = zeros([0, 2**62])\nshow stack([x, x]).shape\n")
case("stack_2p40_0_axis2", "stack: two [2**40, 0] on axis 2", "x = zeros([2**40, 0])\nshow stack([x, x], axis=2).shape\n")
case("stack_axis_huge", "stack: axis=2**62", "show stack([zeros(2), zeros(2)], axis=2**62)\n")
case("vstack_2p62_0", "vstack: [2**62, 0] twice", "x = zeros([2**62, 0])\nshow vstack([x, x]).shape\n")
case("hstack_0_2p62", "hstack: [0, 2**62] twice", "x = zeros([0, 2**62])\nshow hstack([x, x]).shape\n")
# matmul
case("matmul_inner_0_outer_2p40", "matmul: [2**40, 0] @ [0, 2**40] gives 2**80 elements", "a = zeros([2**40, 0])\nb = zeros([0, 2**40])\nshow (a @ b).shape\n")
case("matmul_batched_0", "matmul: batched [0, 2**40, 2] @ [2, 3]", "show (zeros([0, 2**40, 2]) @ zeros([2, 3])).shape\n")
case("matmul_vec_2p40_0", "matmul: [0] @ [0, 2**40]", "show (zeros(0) @ zeros([0, 2**40])).shape\n")
case("matmul_cap_work_3000", "matmul: 300x300 exact thirds, 27 million exact products", "A = ones([300, 300]) / 3\nshow (A @ A @ A)[0, 0]\n")
case("matmul_loop_squaring", "matmul: squaring a 50x50 fraction matrix 30 times (number growth)", "A = ones([50, 50]) / 7 + eye(50) / 3\nfor i in range(30): A = A @ A\nshow A[0, 0]\n")
case("dot_0_2p62", "dot: of two [2**62, 0] with inner 0", "show dot(zeros([2**62, 0]), zeros([0, 1])).shape\n")
case("outer_huge", "outer: of two 10**5 vectors (10**10 elements)", "show outer(ones(10**5), ones(10**5)).shape\n")
case("outer_2p40_0", "outer: of [2**40, 0] and [2]", "show outer(zeros([2**40, 0]), ones(2)).shape\n")
case("broadcast_huge_output", "broadcast: [2**20, 1] + [1, 2**20] gives 2**40 elements", "show (zeros([2**20, 1]) + zeros([1, 2**20])).shape\n")
case("broadcast_1e5_sq", "broadcast: [10**5, 1] * [1, 10**5]", "show (ones([10**5, 1]) * ones([1, 10**5])).shape\n")
case("broadcast_0_huge", "broadcast: [0, 1] + [1, 2**62]", "show (zeros([0, 1]) + zeros([1, 2**62])).shape\n")
case("compare_2p40_0", "compare: [2**40, 0] > 0", "show (zeros([2**40, 0]) > 0).shape\n")
case("neg_2p40_0", "unary: -zeros([2**40, 0])", "show (-zeros([2**40, 0])).shape\n")
# reductions
for red in ["sum", "mean", "max", "min", "argmax", "prod", "cumsum", "var", "std", "all", "any"]:
    case(f"reduce_{red}_0_2p40", f"reduce: {red} over a [0, 2**40] tensor",
         f"show {red}(zeros([0, 2**40]))\n")
case("reduce_sum_axis1_2p40_0", "reduce: sum(axis=1) of [2**40, 0] has 2**40 outputs", "show zeros([2**40, 0]).sum(axis=1).shape\n")
case("reduce_mean_axis0_0_2p40", "reduce: mean(axis=0) of [0, 2**40]", "show zeros([0, 2**40]).mean(axis=0).shape\n")
case("reduce_max_axis0_0_2p40", "reduce: max(axis=0) of [0, 2**40]", "show zeros([0, 2**40]).max(axis=0).shape\n")
case("reduce_argmax_empty", "reduce: argmax of an empty tensor", "show argmax(zeros(0))\n")
case("reduce_axis_huge", "reduce: sum(axis=2**63)", "show ones(3).sum(axis=2**63)\n")
case("reduce_keepdims_2p40_0", "reduce: sum(axis=1, keepdims=True) of [2**40, 0]", "show sum(zeros([2**40, 0]), axis=1, keepdims=True).shape\n")
case("reduce_python_sum_range", "reduce: Python sum(range(10**18))", "show sum(range(10**18))\n")
case("reduce_python_sum_gen", "reduce: sum(i for i in range(10**7))", "show sum(i for i in range(10**7))\n")
# activations over huge / zero
for act in ["softmax", "log_softmax", "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "abs", "leaky_relu", "step"]:
    case(f"act_{act}_2p40_0", f"act: {act} of a [2**40, 0] tensor", f"show {act}(zeros([2**40, 0])).shape\n")
case("softmax_axis0_0_2p40", "act: softmax(axis=0) of [0, 2**40]", "show softmax(zeros([0, 2**40]), axis=0).shape\n")
case("softmax_axis_huge", "act: softmax(axis=10**9)", "show softmax(ones(3), axis=10**9)\n")
# conv / pooling
case("conv1d_stride_0", "conv1d: stride=0", "show conv1d([1, 2, 3], [1], stride=0)\n")
case("conv1d_stride_huge", "conv1d: stride=10**18", "show conv1d([1, 2, 3], [1], stride=10**18)\n")
case("conv1d_dilation_huge", "conv1d: dilation=10**18", "show conv1d([1, 2, 3], [1, 1], dilation=10**18)\n")
case("conv1d_padding_2p62", "conv1d: padding=2**62", "show conv1d([1], [1], padding=2**62)\n")
case("conv1d_padding_neg", "conv1d: padding=-5", "show conv1d([1, 2, 3], [1], padding=-5)\n")
case("conv1d_kernel_empty", "conv1d: an empty kernel", "show conv1d([1, 2, 3], zeros(0))\n")
case("conv1d_input_empty", "conv1d: an empty input", "show conv1d(zeros(0), [1])\n")
case("conv1d_channels_0_huge", "conv1d: [0, 2**40] input channels", "show conv1d(zeros([0, 2**40, 3]), zeros([1, 2**40, 1])).shape\n")
case("conv1d_big_work", "conv1d: 10**5 signal with a 10**3 kernel of thirds (10**8 products)", "show conv1d(ones(10**5) / 3, ones(1000) / 3).shape\n")
case("conv2d_padding_1e9", "conv2d: padding=10**9", "show conv2d([[1]], [[1]], padding=10**9)\n")
case("conv2d_padding_3e4", "conv2d: padding=30000 (output 3.6e9)", "show conv2d([[1]], [[1]], padding=30000).shape\n")
case("conv2d_stride_0", "conv2d: stride=0", "show conv2d([[1, 2], [3, 4]], [[1]], stride=0)\n")
case("conv2d_dilation_huge", "conv2d: dilation=2**62", "show conv2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], dilation=2**62)\n")
case("conv2d_0_channels", "conv2d: zero-size channel dims", "show conv2d(zeros([0, 2**40, 2, 2]), zeros([3, 2**40, 1, 1])).shape\n")
case("conv2d_big_work", "conv2d: 500x500 image, 20x20 kernel (10**8 products)", "show conv2d(ones([500, 500]) / 3, ones([20, 20]) / 7).shape\n")
for pool in ["max_pool1d", "avg_pool1d"]:
    case(f"{pool}_kernel_0", f"pool: {pool} kernel_size=0", f"show {pool}([1, 2, 3], 0)\n")
    case(f"{pool}_kernel_huge", f"pool: {pool} kernel_size=10**18", f"show {pool}([1, 2, 3], 10**18)\n")
    case(f"{pool}_padding_huge", f"pool: {pool} padding=10**9", f"show {pool}([1, 2, 3], 2, padding=10**9)\n")
    case(f"{pool}_stride_0", f"pool: {pool} stride=0", f"show {pool}([1, 2, 3], 2, stride=0)\n")
for pool in ["max_pool2d", "avg_pool2d"]:
    case(f"{pool}_kernel_0", f"pool: {pool} kernel_size=0", f"show {pool}([[1, 2], [3, 4]], 0)\n")
    case(f"{pool}_padding_huge", f"pool: {pool} padding=10**9", f"show {pool}([[1, 2], [3, 4]], 2, padding=10**9)\n")
    case(f"{pool}_stride_1_big", f"pool: {pool} 2000x2000 input stride 1 kernel 30", f"show {pool}(ones([2000, 2000]) / 3, 30, stride=1).shape\n")
case("conv_out_len_huge", "conv_out_len with 10**100 sizes", "show conv_out_len(10**100, 3, stride=1, padding=10**100)\n")
case("conv_out_len_stride_0", "conv_out_len stride=0", "show conv_out_len(10, 3, stride=0)\n")
# layers and params
LAYERS = {
    "linear": "linear(input={n}, output={n})",
    "linear_in": "linear(input={n}, output=1)",
    "rnn_cell": "rnn_cell(input={n}, hidden={n})",
    "rnn_cell_hidden": "rnn_cell(input=1, hidden={n})",
    "lstm": "lstm(input=2, hidden={n})",
    "gru": "gru(input={n}, hidden=2)",
    "lstm_layers": "lstm(input=2, hidden=2, num_layers={n})",
    "gru_bidir_layers": "gru(input=2, hidden=2, num_layers={n}, bidirectional=True)",
    "conv1d_layer": "conv1d_layer({n}, {n}, 3)",
    "conv2d_layer": "conv2d_layer(3, 3, ({n}, {n}))",
    "attention_layer": "attention_layer({n}, {n})",
    "mha_layer": "mha_layer({n}, 1)",
}
for lname, tmpl in LAYERS.items():
    for sname, n in [("1e6", "10**6"), ("2p62", "2**62")]:
        ctor = tmpl.format(n=n)
        case(f"layer_{lname}_{sname}", f"layer: m = {ctor}, then params(m)",
             f"m = {ctor}\nshow params(m)\n")
    ctor = tmpl.format(n="10**5")
    case(f"params_{lname}_1e5", f"params: params({ctor}) needs no weights",
         f"show params({ctor})\n")
case("layer_linear_0", "layer: linear(input=0, output=0)", "m = linear(input=0, output=0)\nshow params(m)\nshow m(zeros([1, 0]))\n")
case("layer_lstm_neg", "layer: lstm(input=-1, hidden=2)", "show params(lstm(input=-1, hidden=2))\n")
case("layer_mha_heads_0", "layer: mha_layer(4, 0)", "show params(mha_layer(4, 0))\n")
case("layer_mha_heads_huge", "layer: mha_layer(4, 10**18)", "show params(mha_layer(4, 10**18))\n")
case("layer_rnn_cell_float", "layer: rnn_cell(input=2.5, hidden=1)", "show params(rnn_cell(input=2.5, hidden=1))\n")
case("layer_call_wrong_shape", "layer: a linear layer called on the wrong shape", "m = linear(input=3, output=2)\nshow m(ones(5))\n")
case("layer_attr_missing", "layer: a missing parameter attribute", "m = linear(input=3, output=2)\nshow m.W_hh\n")
case("params_convention_bad", "params: an unknown convention", "show params(lstm(input=2, hidden=3), convention='keras')\n")
case("rnn_long_sequence", "rnn: 100,000 steps of a 1-unit tanh rnn", "xs = ones([100000, 1])\nshow rnn(xs, [[1/2]], [[1/3]])[-1]\n")
case("lstm_seq_long", "lstm_seq: 20,000 steps", "xs = ones([20000, 1])\nW = ones([4, 1]) / 3\nshow lstm_seq(xs, W, W)[-1]\n")
case("attention_2000", "attention: 2000x2000 scores of exact thirds", "Q = ones([2000, 8]) / 3\nshow attention(Q, Q, Q).shape\n")
case("pairwise_huge", "pairwise: 3000x3000 l2 distances", "E = ones([3000, 4]) / 3\nshow pairwise(E, E).shape\n")
case("retrieve_k_huge", "retrieve: k=10**18", "E = [[0, 1], [1, 0]]\nshow retrieve(E, [0, 1], 10**18)\n")
case("where_2p40_0", "where over [2**40, 0]", "x = zeros([2**40, 0])\nshow where(x > 0, x, x).shape\n")
case("clip_2p40_0", "clip over [2**40, 0]", "show clip(zeros([2**40, 0]), 0, 1).shape\n")
case("triu_huge", "triu of eye(10**5)", "show triu(eye(10**5)).shape\n")
case("diag_huge_vec", "diag of a 10**5 vector (10**10 matrix)", "show diag(ones(10**5)).shape\n")
case("diag_k_huge", "diag with k=2**63", "show diag(ones(3), k=2**63)\n")
case("unique_2p40_0", "unique of [2**40, 0]", "show unique(zeros([2**40, 0]))\n")
case("sort_1e6", "sort of 10**6 fractions", "show sort(arange(10**6) / 7)[0]\n")
case("argsort_2p40_0", "argsort of [2**40, 0]", "show argsort(zeros([2**40, 0]))\n")
case("transpose_axes_10000", "transpose: axes for 10,000 dims", "x = zeros([1] * 10000)\nshow transpose(x).ndim\n")
case("transpose_axes_bad", "transpose: axes out of range", "show transpose(ones([2, 3]), axes=[5, 2**63])\n")
case("index_huge", "index: x[2**63]", "x = [1, 2, 3]\nshow x[2**63]\n")
case("index_neg_huge", "index: x[-2**64]", "x = ones(3)\nshow x[-2**64]\n")
case("slice_step_0", "slice: x[::0]", "x = ones(3)\nshow x[::0]\n")
case("slice_huge_bounds", "slice: x[-10**100:10**100:10**50]", "x = [1, 2, 3]\nshow x[-10**100:10**100:10**50]\n")
case("slice_list_step_neg_huge", "slice: list[::-2**63]", "x = [1, 2, 3]\nshow x[::-2**63]\n")
case("index_too_many", "index: 10,000 indices on a vector", "x = ones(3)\nshow x[" + ", ".join(["0"] * 10000) + "]\n")
case("index_none_10000", "index: x[None, None, ...] 10,000 times", "x = ones(3)\nshow x[" + ", ".join(["None"] * 10000) + "].ndim\n")
case("index_array_huge", "index: a fancy index of 10**6 zeros", "x = ones(3)\nshow x[zeros(10**6, dtype=int)].shape\n")
case("setitem_huge_index", "setitem: x[10**18] = 1", "x = ones(3)\nx[10**18] = 1\nshow x\n")
case("list_insert_huge", "list: insert at 10**100", "xs = [1]\nxs.insert(10**100, 2)\nshow xs\n")
case("list_pop_huge", "list: pop(2**64)", "xs = [1]\nshow xs.pop(2**64)\n")

# ---------------------------------------------------------------------------
# 3. Deep nesting.
# ---------------------------------------------------------------------------

for d in [250, 1000, 10000, 100000]:
    case(f"nest_brackets_{d}", f"nest: {d} nested list brackets", "x = " + "[" * d + "1" + "]" * d + "\nshow 1\n")
    case(f"nest_parens_{d}", f"nest: {d} nested parentheses", "x = " + "(" * d + "1" + ")" * d + "\nshow x\n")
    case(f"nest_unary_minus_{d}", f"nest: {d} unary minus signs", "x = " + "-" * d + "1\nshow x\n")
    case(f"nest_not_{d // 4}", f"nest: {d // 4} chained not", "x = " + "not " * (d // 4) + "True\nshow x\n")
    case(f"nest_unary_tilde_{d}", f"nest: {d} unary ~", "x = " + "~" * d + "1\nshow x\n")
    case(f"nest_unary_plus_minus_{d}", f"nest: {d} alternating + and - signs", "x = " + "+-" * (d // 2) + "1\nshow x\n")
def fit(d, unit):
    """d, or fewer repetitions of `unit` so the file stays under the size cap."""
    return min(d, 190000 // len(unit))


NEST_TEMPLATES = [
    # (stem, probe with {n}, unit, build(n) -> body)
    ("nest_binary_chain", "nest: a + chain of {n} terms", "1 + ",
     lambda n: "x = " + " + ".join(["1"] * n) + "\nshow x\n"),
    ("nest_power_chain", "nest: a right-assoc ** chain of {n} ones", "1 ** ",
     lambda n: "x = " + " ** ".join(["1"] * n) + "\nshow x\n"),
    ("nest_compare_chain", "nest: a comparison chain of {n} terms", "1 <= ",
     lambda n: "x = " + " <= ".join(["1"] * n) + "\nshow x\n"),
    ("nest_and_chain", "nest: an and-chain of {n} terms", " and True",
     lambda n: "x = " + " and ".join(["True"] * n) + "\nshow x\n"),
    ("nest_ternary", "nest: {n} nested conditional expressions", "1 if True else ",
     lambda n: "x = " + "1 if True else " * n + "0\nshow x\n"),
    ("nest_lambda", "nest: {n} nested lambdas", "lambda: ",
     lambda n: "f = " + "lambda: " * n + "1\nshow 1\n"),
    ("nest_index_chain", "nest: x[0] chained {n} times", "[0]",
     lambda n: "x = [0]\nshow x" + "[0]" * n + "\n"),
    ("nest_attr_chain", "nest: .T chained {n} times, then .shape", ".T",
     lambda n: "x = ones(2)\nshow x" + ".T" * (n - 1) + ".shape\n"),
    ("nest_method_chain", "nest: .flatten() chained {n} times", ".flatten()",
     lambda n: "x = ones(2)\nshow x" + ".flatten()" * n + "\n"),
    ("nest_call_in_call", "nest: abs(abs(...)) {n} deep", "abs()",
     lambda n: "show " + "abs(" * n + "1" + ")" * n + "\n"),
    ("nest_subscript_in_subscript", "nest: x[x[x[...]]] {n} deep", "x[]",
     lambda n: "x = [0]\nshow " + "x[" * n + "0" + "]" * n + "\n"),
    ("nest_if_one_line", "nest: {n} nested ifs on one line", "if True: ",
     lambda n: "if True: " * n + "x = 1\nshow x\n"),
    ("nest_for_one_line", "nest: {n} nested for loops on one line", "for i in [1]: ",
     lambda n: "for i in [1]: " * n + "x = 1\nshow x\n"),
    ("nest_while_one_line", "nest: {n} nested while loops on one line", "while False: ",
     lambda n: "while False: " * n + "x = 1\nx = 2\nshow x\n"),
    ("nest_listcomp", "nest: {n} nested list comprehensions", "[ for i in [1]]",
     lambda n: "x = " + "[" * n + "1" + " for i in [1]]" * n + "\nshow 1\n"),
    ("nest_fstring", "nest: an f-string of {n} nested braces", "{}",
     lambda n: 'x = f"' + "{" * n + "1" + "}" * n + '"\nshow x\n'),
    ("nest_dict_braces", "nest: {n} nested braces (no dicts)", "{}",
     lambda n: "x = " + "{" * n + "1" + "}" * n + "\nshow x\n"),
    ("nest_tuple", "nest: {n} nested 1-tuples", "(,)",
     lambda n: "x = " + "(" * n + "1," + ")" * n + "\nshow 1\n"),
]
for stem, probe, unit, build in NEST_TEMPLATES:
    for d in [300, 3000, 30000]:
        n = fit(d, unit)
        if n < d and d != 30000:
            continue
        case(f"{stem}_{n}", probe.format(n=n), build(n))
for d in [100, 300, 590]:
    body = "".join(" " * i + f"def f{i}():\n" for i in range(d)) + " " * d + "return 1\nshow 1\n"
    case(f"nest_def_indented_{d}", f"nest: {d} nested defs with indentation", body)
    body = "".join(" " * i + "if True:\n" for i in range(d)) + " " * d + "x = 1\nshow x\n"
    case(f"nest_if_indented_{d}", f"nest: {d} nested ifs with indentation", body)
    body = "".join("\t" * i + "for i in [1]:\n" for i in range(d)) + "\t" * d + "x = 1\nshow x\n"
    case(f"nest_for_tabs_{d}", f"nest: {d} nested fors indented with tabs", body)
case("nest_def_one_line_5000_call", "nest: 5,000 nested defs on one line, then called", "".join(f"def f{i}(): " for i in range(5000)) + "return 1\nshow f0()\n")
case("nest_list_literal_mixed", "nest: alternating brackets and parens 20,000 deep", "x = " + "[(" * 10000 + "1" + ")]" * 10000 + "\nshow 1\n")
case("nest_array_of_deep_list", "nest: array() of a 5,000-deep list", "x = array(" + "[" * 5000 + "1" + "]" * 5000 + ")\nshow x.ndim\n")
case("nest_unclosed_brackets_100000", "nest: 100,000 unclosed brackets", "x = " + "[" * 100000 + "\n")
case("nest_unopened_brackets_100000", "nest: 100,000 stray closing brackets", "x = 1" + "]" * 100000 + "\n")
case("nest_dedent_jumps", "nest: indentation jumping in and out 5,000 times", "".join("if True:\n    x = 1\n" for _ in range(5000)) + "show x\n")

# ---------------------------------------------------------------------------
# 4. Huge literals.
# ---------------------------------------------------------------------------

case("lit_digits_5000", "literal: a 5,000-digit integer (over the 16384-bit cap)", "show " + "9" * 5000 + "\n")
case("lit_digits_4900", "literal: a 4,900-digit integer (about the cap)", "show x = " + "9" * 4900 + "\n")
case("lit_digits_190k_float", "literal: 0. followed by 190,000 digits", "show 0." + "3" * 190000 + "\n")
case("lit_digits_190k_frac_zeros", "literal: 0.000...1 with 190,000 zeros", "show 0." + "0" * 190000 + "1\n")
case("lit_digits_underscores", "literal: 90,000 digits separated by underscores", "show " + "_".join(["9"] * 90000) + "\n")
case("lit_trailing_underscore", "literal: 1_ (trailing underscore)", "show 1_\n")
case("lit_double_underscore", "literal: 1__0", "show 1__0\n")
for e in ["999999999", "-999999999", "99999999999999999999", "+4294967296", "18446744073709551617", "-9223372036854775809"]:
    stem = e.replace("-", "neg").replace("+", "pos")
    case(f"lit_exp_{stem}", f"literal: 1e{e}", f"show 1e{e}\n")
    case(f"lit_exp_zero_mantissa_{stem}", f"literal: 0.0e{e}", f"show 0.0e{e}\n")
case("lit_exp_190k_digit_exponent", "literal: an exponent of 190,000 digits", "show 1e" + "9" * 190000 + "\n")
case("lit_exp_missing", "literal: 1e with no exponent", "show 1e\n")
case("lit_exp_sign_only", "literal: 1e+ with no digits", "show 1e+\n")
case("lit_exp_zero_digits_mantissa", "literal: 0e0 with 100,000 zeros of mantissa", "show 0" + "0" * 100000 + "e999999999\n")
case("lit_hex", "literal: a hex literal 0xff", "show 0xff\n")
case("lit_complex", "literal: 1j", "show 1j\n")
case("lit_leading_zeros", "literal: 007", "show 007\n")
case("lit_dot_only", "literal: a bare dot", "show .\n")
case("lit_float_dot_e", "literal: 1.e5 and .5e-3", "show 1.e5 + .5e-3\n")
case("pow_tower", "power: 10**10**10", "show 10**10**10\n")
case("pow_2p2p40", "power: 2**2**40", "show 2**2**40\n")
case("pow_neg_huge", "power: 2**-10**9", "show 2**-10**9\n")
case("pow_fraction_huge", "power: (1/3)**100000", "show (1/3)**100000\n")
case("pow_float_exponent_huge", "power: 2**(10**9 + 0.5)", "show 2**(10**9 + 0.5)\n")
case("pow_of_huge_base_frac", "power: (10**4000 + 1/3)**3", "show (10**4000 + 1/3)**3\n")
case("mul_chain_growth", "arithmetic: repeated squaring of 3 in a loop", "x = 3\nfor i in range(40): x = x * x\nshow x\n")
case("frac_growth_loop", "arithmetic: denominators grow in a loop (x = x/3 + 1/7)", "x = 1\nfor i in range(100000): x = x / 3 + 1 / 7\nshow x\n")
case("frac_harmonic_big", "arithmetic: harmonic sum to 20,000 exactly", "s = 0\nfor i in range(1, 20000): s += 1 / i\nshow s\n")
case("floordiv_huge", "arithmetic: 10**4000 // 3 % 7", "show 10**4000 // 3 % 7\n")
case("int_huge_float", "arithmetic: int(1e300) * int(1e300)", "show int(1e300) * int(1e300)\n")
case("round_huge_ndigits", "round: round(1/3, 10**9)", "show round(1/3, 10**9)\n")
case("round_neg_ndigits_huge", "round: round(12345, -10**18)", "show round(12345, -10**18)\n")
case("fstring_huge_precision", "f-string: {x:.1000000f}", 'x = 1/3\nshow f"{x:.1000000f}"\n')
case("fstring_huge_width", "f-string: width 10**9", 'x = 1\nshow f"{x:1000000000}"\n')
case("fstring_huge_g", "f-string: {x:.99999999g}", 'x = 1/7\nshow f"{x:.99999999g}"\n')
case("digits_in_number_literal_list", "literal: a list of 15,000 distinct fractions", "x = [" + ", ".join(f"{i}/{i + 1}" for i in range(1, 15001)) + "]\nshow len(x)\n")

# ---------------------------------------------------------------------------
# 5. Loops, growth, self-nesting, recursion.
# ---------------------------------------------------------------------------

case("loop_while_true", "loop: while True: pass", "while True: pass\n")
case("loop_while_true_counter", "loop: while True with a counter", "i = 0\nwhile True:\n    i += 1\n")
case("loop_for_range_1e18", "loop: for i in range(10**18)", "for i in range(10**18): pass\n")
case("loop_nested_1000_sq", "loop: 1000 x 1000 nested loop (10**6 steps)", "s = 0\nfor i in range(1000):\n    for j in range(1000):\n        s += 1\nshow s\n")
case("loop_nested_one_line", "loop: nested for on one line, 10**9 steps", "for i in range(10**5): for j in range(10**4): pass\n")
case("loop_steps_just_under", "loop: 999,000 cheap steps in a while", "i = 0\nwhile i < 999000: i += 1\nshow i\n")
case("loop_list_comprehension_1e7", "loop: a comprehension over range(10**7)", "xs = [i for i in range(10**7)]\nshow len(xs)\n")
case("loop_gen_nested_comp", "loop: nested comprehension 3000 x 3000", "xs = [i * j for i in range(3000) for j in range(3000)]\nshow len(xs)\n")
case("loop_list_doubling", "growth: xs = xs + xs 40 times", "xs = [0]\nfor i in range(40): xs = xs + xs\nshow len(xs)\n")
case("loop_list_extend_self", "growth: xs.extend(xs) 40 times", "xs = [0]\nfor i in range(40): xs.extend(xs)\nshow len(xs)\n")
case("loop_list_iadd_self", "growth: xs += xs 40 times", "xs = [0]\nfor i in range(40): xs += xs\nshow len(xs)\n")
case("loop_list_mul_growth", "growth: xs = xs * 2 in a loop", "xs = [1]\nfor i in range(64): xs = xs * 2\nshow len(xs)\n")
case("loop_list_append_self", "growth: xs.append(xs) (a list containing itself)", "xs = [1]\nxs.append(xs)\nshow xs\n")
case("loop_list_append_self_compare", "growth: a self-containing list compared with itself", "xs = [1]\nxs.append(xs)\nshow xs == xs\n")
case("loop_list_self_len_sum", "growth: sum of a self-containing list", "xs = [1]\nxs.append(xs)\nshow sum(xs)\n")
case("loop_string_doubling_fstring", "growth: string doubling through f-strings", 's = "ab"\nfor i in range(40): s = f"{s}{s}"\nshow len(s)\n')
case("loop_string_mul", "growth: s = s * 10 in a loop", 's = "a"\nfor i in range(20): s = s * 10\nshow len(s)\n')
case("loop_string_append_1e6", "growth: s += 'x' 900,000 times", 's = ""\nfor i in range(900000): s += "x"\nshow len(s)\n')
case("loop_str_of_huge_int", "growth: str of a number with 4,900 digits in a loop", 'x = 10**4900\nfor i in range(20000): s = f"{x}"\nshow len(s)\n')
case("tuple_self_nest_64", "growth: t = (t, t) 64 times, then show", "t = 1\nfor i in range(64): t = (t, t)\nshow t\n")
case("tuple_self_nest_len", "growth: t = (t, t) 64 times, only len", "t = 1\nfor i in range(64): t = (t, t)\nshow len(t)\n")
case("tuple_self_nest_eq", "growth: t = (t, t) 64 times, compared with itself", "t = 1\nfor i in range(64): t = (t, t)\nshow t == t\n")
case("list_self_nest_64", "growth: t = [t, t] 64 times", "t = 1\nfor i in range(64): t = [t, t]\nshow t\n")
case("list_self_nest_array", "growth: array of [t, t] nested 40 times (2**40 elements)", "t = 1\nfor i in range(40): t = [t, t]\nshow array(t).shape\n")
case("list_self_nest_sum", "growth: sum over [t, t] nested 40 times", "t = 1\nfor i in range(40): t = [t, t]\nshow sum(t)\n")
case("list_nest_deep_10000_loop", "growth: t = [t] 100,000 times (deep, not wide)", "t = 1\nfor i in range(100000): t = [t]\nshow t\n")
case("tuple_nest_deep_loop_show", "growth: t = (t,) 100,000 times then compare", "t = 1\nfor i in range(100000): t = (t,)\nshow t == t\n")
case("list_nest_deep_array", "growth: array of t = [t] 100,000 deep", "t = 1\nfor i in range(100000): t = [t]\nshow array(t).ndim\n")
case("print_self_nest", "growth: print a 2**50 shared tuple", "t = 1\nfor i in range(50): t = (t, t)\nprint(t)\nshow 1\n")
case("fstring_self_nest", "growth: f-string of a 2**50 shared tuple", 't = 1\nfor i in range(50): t = (t, t)\nshow f"{t}"\n')
case("sorted_self_nest", "growth: sorted of a list of shared tuples", "t = 1\nfor i in range(50): t = (t, t)\nshow sorted([t, t])\n")
case("tensor_doubling", "growth: x = concatenate([x, x]) 40 times", "x = ones(1)\nfor i in range(40): x = concatenate([x, x])\nshow x.shape\n")
case("tensor_outer_growth", "growth: x = outer(x, x).flatten() repeatedly", "x = ones(2)\nfor i in range(10): x = outer(x, x).flatten()\nshow x.shape\n")
case("tensor_record_1e5", "growth: 100,000 recorded tensor ops on a watched value", "w = ones(3)\nx = w\nfor i in range(100000): x = x * 1\nshow grad(sum(x), w)\n")
case("grad_long_tape", "growth: grad through 300,000 additions", "w = [1]\nx = w\nfor i in range(300000): x = x + 1\nshow grad(sum(x), w)\n")
case("recursion_plain", "recursion: def f(): return f()", "def f(): return f()\nshow f()\n")
case("recursion_indented", "recursion: an indented recursive def", "def f(n):\n    return f(n + 1)\nshow f(0)\n")
case("recursion_mutual", "recursion: mutual recursion", "def f(n): return g(n)\ndef g(n): return f(n)\nshow f(1)\n")
case("recursion_lambda", "recursion: a lambda calling itself", "f = lambda n: f(n)\nshow f(1)\n")
case("recursion_fib_30", "recursion: naive fib(30) (1.6 million calls)", "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\nshow fib(30)\n")
case("recursion_ackermann", "recursion: ackermann(3, 8)", "def a(m, n):\n    if m == 0:\n        return n + 1\n    if n == 0:\n        return a(m - 1, 1)\n    return a(m - 1, a(m, n - 1))\nshow a(3, 8)\n")
case("recursion_depth_199", "recursion: depth 199, just under the limit", "def f(n):\n    if n == 0:\n        return 0\n    return 1 + f(n - 1)\nshow f(199)\n")
case("recursion_in_default", "recursion: a default argument calling the function", "def f(x=1): return x\ndef g(x=f()): return g()\nshow g()\n")
case("recursion_deep_expr_per_frame", "recursion: each frame nests 190 parens", "def f(n): return " + "(" * 190 + "f(n)" + ")" * 190 + "\nshow f(1)\n")
case("recursion_via_sorted_key", "recursion: sorted with a key that recurses", "def k(x): return sorted([x], key=k)\nshow sorted([1, 2], key=k)\n")
case("recursion_via_comprehension", "recursion: recursion inside a comprehension", "def f(n): return [f(n) for i in [1]]\nshow f(1)\n")
case("recursion_via_layer", "recursion: a function passed as act= that recurses", "def a(x): return rnn([[1]], [[1]], [[1]], act=a)\nshow a(1)\n")

# ---------------------------------------------------------------------------
# 6. Division by zero, inf and nan, edge values.
# ---------------------------------------------------------------------------

ARITH = {
    "div_zero": "1 / 0",
    "floordiv_zero": "1 // 0",
    "mod_zero": "1 % 0",
    "zero_pow_neg": "0 ** -1",
    "zero_pow_zero": "0 ** 0",
    "zero_pow_neg_frac": "0 ** -0.5",
    "neg_pow_frac": "(-8) ** (1/3)",
    "tensor_div_zero": "ones(3) / 0",
    "tensor_div_zero_tensor": "ones(3) / zeros(3)",
    "tensor_mod_zero": "ones(3) % zeros(3)",
    "float_inf": "float('inf')",
    "float_nan": "float('nan')",
    "float_nan_compare": "float('nan') == float('nan')",
    "inf_minus_inf": "float('inf') - float('inf')",
    "float_overflow": "1e308 * 10",
    "float_overflow_exact_ok": "10**308 * 10",
    "exp_1000": "exp(1000)",
    "exp_1e9": "exp(10**9)",
    "exp_neg_1e9": "exp(-10**9)",
    "exp_of_exp": "exp(exp(exp(10)))",
    "log_zero": "log(0)",
    "log_neg": "log(-1)",
    "log_tiny_exact": "log(1/10**4000)",
    "log_huge_exact_frac": "log(10**4000 / 3)",
    "sqrt_neg": "sqrt(-1)",
    "sqrt_huge": "sqrt(10**4000 + 1)",
    "sqrt_tiny": "sqrt(1/10**4000)",
    "sigmoid_neg_10p400": "sigmoid(-10**400)",
    "sigmoid_1e9": "sigmoid(10**9)",
    "tanh_10p400": "tanh(10**400)",
    "tanh_neg_1e300": "tanh(-1e300)",
    "softmax_huge": "softmax([10**400, 0])",
    "softmax_huge_diff": "softmax([10**9, -10**9])",
    "log_softmax_huge": "log_softmax([10**400, 1])",
    "bce_zero_prob": "bce([0], [1])",
    "bce_one_prob": "bce([1], [0])",
    "cross_entropy_huge": "cross_entropy([[10**400, 0]], [1])",
    "bce_with_logits_huge": "bce_with_logits([10**400], [0])",
    "norm_huge": "norm([10**4000, 10**4000])",
    "cosine_zero_vec": "cosine([0, 0], [1, 1])",
    "mean_empty": "mean(zeros(0))",
    "var_ddof_big": "var(ones(3), ddof=5)",
    "std_empty": "std(zeros(0))",
    "allclose_nan": "allclose([float('nan')], [float('nan')])",
    "pi_power": "np.pi ** 10**6",
    "e_power_huge": "np.e ** 10**9",
    "sin_huge": "np.sin(10**400)",
    "cos_huge_float": "np.cos(1e300)",
    "sin_pi_times_huge": "np.sin(np.pi * 10**9)",
    "tanh_chain": "tanh(tanh(tanh(tanh(tanh(10**400)))))",
    "floor_huge": "floor(10**400 / 3)",
    "int_inf": "int(float('inf'))",
    "round_half": "round(10**400 + 1/2)",
    "compare_undecidable": "sqrt(2) ** 2 == 2",
    "compare_interval_chain": "exp(log(3)) > 3",
    "max_of_nan": "max(float('nan'), 1)",
    "sigmoid_ge_half_tiny": "sigmoid(1/10**4000) >= 0.5",
}
for name, expr in ARITH.items():
    case(f"num_{name}", f"numeric: show {expr}", f"import numpy as np\nshow {expr}\n")
case("num_div_zero_in_loop", "numeric: division by zero on the 1000th iteration", "for i in range(1000, -1, -1): x = 1 / i\nshow x\n")
case("num_grad_through_div_zero", "numeric: grad through a division by zero", "w = [0]\nL = sum(1 / w)\nshow grad(L, w)\n")
case("num_grad_sqrt_zero", "numeric: grad of sqrt at 0", "w = [0]\nL = sum(sqrt(w))\nshow grad(L, w)\n")
case("num_grad_log_zero", "numeric: grad of log at 0", "w = [0]\nL = sum(log(w))\nshow grad(L, w)\n")
case("num_grad_norm_huge", "numeric: grad of norm with 10**400 entries", "w = [10**400, 1]\nshow grad(norm(w), w)\n")
case("num_adam_eps_zero", "numeric: adam_step with eps=0 and g = 0", "show adam_step([1], [0], eps=0)\n")
case("num_sgd_huge_lr", "numeric: sgd_step with lr=10**5000", "show sgd_step([1], [1], 10**5000)\n")

# ---------------------------------------------------------------------------
# 7. Gradients.
# ---------------------------------------------------------------------------

case("grad_of_grad_scalar", "grad: grad of grad of x**3", "x = [2]\ny = sum(x ** 3)\ng = grad(y, x)\nshow grad(sum(g), x)\n")
case("grad_of_grad_mlp", "grad: Hessian-vector of an MLP loss", "w = [1, 2]\nL = sum(tanh(w) * w)\ng = grad(L, w)\nshow grad(g[0] + g[1], w)\n")
case("grad_nonscalar", "grad: grad of a vector", "w = [1, 2]\nshow grad(w * 2, w)\n")
case("grad_wrt_constant", "grad: with respect to a literal", "show grad(1, 2)\n")
case("grad_wrt_unrelated", "grad: with respect to an unrelated tensor", "w = [1]\nv = [2]\nshow grad(sum(w), v)\n")
case("grad_wrt_list_of_10000", "grad: with respect to 10,000 tensors", "w = [1]\nL = sum(w)\nshow grad(L, " + ", ".join(["w"] * 10000) + ")\n")
case("grad_no_args", "grad: no arguments", "show grad()\n")
case("grad_of_string", "grad: of a string", "show grad('a', 'b')\n")
case("grad_of_list_self", "grad: of a self-containing list", "xs = [1]\nxs.append(xs)\nshow grad(xs, xs)\n")
case("grad_through_index_assign", "grad: through an assigned element", "w = [1, 2]\nv = w * 1\nv[0] = w[1]\nshow grad(sum(v), w)\n")
case("grad_huge_shape", "grad: of sum over a [0, 2**62] tensor", "w = zeros([0, 2**62])\nshow grad(sum(w), w).shape\n")
case("grad_in_loop_10000", "grad: 10,000 grads of the same loss", "w = [1, 2]\nL = sum(w * w)\nfor i in range(10000): g = grad(L, w)\nshow g\n")
case("grad_deep_chain_1e5", "grad: through 100,000 tanh in a loop", "w = [1]\nx = w\nfor i in range(100000): x = tanh(x)\nshow grad(sum(x), w)\n")
case("grad_explain_huge_tensor", "grad: explain the chain rule for a 1000x1000 matmul", "W = ones([1000, 1000]) / 3\nx = ones(1000)\nL = sum(W @ x)\nshow grad(L, W).shape\n")

# ---------------------------------------------------------------------------
# 8. Bytes, encodings, whitespace.
# ---------------------------------------------------------------------------

def rawcase(stem, probe, body):
    raw(stem, probe, b"# " + probe.encode() + b"\n" + body)


rawcase("bytes_nul_in_code", "bytes: a NUL byte inside a statement", b"x = 1\x002\nshow x\n")
rawcase("bytes_nul_in_string", "bytes: a NUL byte inside a string", b"s = 'a\x00b'\nshow len(s)\n")
rawcase("bytes_nul_in_comment", "bytes: a NUL byte inside a comment", b"x = 1 # \x00\nshow x\n")
rawcase("bytes_nul_only_lines", "bytes: 50,000 NUL bytes", b"\x00" * 50000 + b"\n")
rawcase("bytes_ff_in_string", "bytes: 0xff inside a string", b"s = '\xff'\nshow s\n")
rawcase("bytes_ff_in_comment", "bytes: 0xff inside a comment", b"x = 1 # \xff\xfe\nshow x\n")
rawcase("bytes_ff_line_500", "bytes: 0xff on line 500", b"x = 1\n" * 498 + b"y = \xff\nshow x\n")
rawcase("bytes_lone_surrogate_high", "bytes: a lone high surrogate ED A0 80", b"x = 1\ns = '\xed\xa0\x80'\nshow x\n")
rawcase("bytes_lone_surrogate_low", "bytes: a lone low surrogate ED B0 80 in a name", b"x\xed\xb0\x80 = 1\nshow 1\n")
rawcase("bytes_surrogate_pair_cesu", "bytes: a CESU-8 surrogate pair", b"s = '\xed\xa0\xbd\xed\xb8\x80'\nshow s\n")
rawcase("bytes_overlong_slash", "bytes: an overlong encoding of '/' (C0 AF)", b"x = 1 \xc0\xaf 2\nshow x\n")
rawcase("bytes_overlong_nul", "bytes: an overlong NUL (C0 80)", b"x = 1\xc0\x80\nshow x\n")
rawcase("bytes_truncated_utf8", "bytes: a truncated 3-byte sequence at the end of file", b"x = 1\nshow x\n\xe2\x82")
rawcase("bytes_continuation_only", "bytes: a bare continuation byte 0x80", b"x = \x80\nshow x\n")
rawcase("bytes_5_byte_seq", "bytes: an obsolete 5-byte sequence F8 88 80 80 80", b"x = 1\n\xf8\x88\x80\x80\x80\nshow x\n")
rawcase("bytes_above_10ffff", "bytes: a code point above U+10FFFF (F4 90 80 80)", b"s = '\xf4\x90\x80\x80'\nshow s\n")
rawcase("bytes_random_binary", "bytes: 4 KiB of pseudo-random binary", bytes((i * 7919 + 13) % 256 for i in range(4096)))
rawcase("bytes_ansi_escape_name", "bytes: a terminal escape sequence (ESC ] 0 ; title BEL) where a name goes",
        b"x = \x1b]0;pwned\x07\nshow x\n")
rawcase("bytes_ansi_escape_string", "bytes: an ANSI colour escape inside a shown string",
        b"s = '\x1b[31mred\x1b[0m'\nshow s\n")
rawcase("bytes_elf_header", "bytes: an ELF header", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56)
rawcase("bytes_gzip", "bytes: a gzip header", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
raw("bytes_bom_utf8", "bytes: a UTF-8 byte order mark",
    b"\xef\xbb\xbf# bytes: a UTF-8 byte order mark\nx = 1\nshow x\n")
raw("bytes_bom_mid_file", "bytes: a byte order mark in the middle of a line",
    b"# bytes: a byte order mark in the middle of a line\nx = \xef\xbb\xbf1\nshow x\n")
rawcase("bytes_utf16le_body", "bytes: a UTF-16LE body after an ASCII title",
        "x = 1\nshow x\n".encode("utf-16-le"))
raw("bytes_utf16_bom", "bytes: a whole UTF-16 file with BOM",
    "# bytes: a whole UTF-16 file with BOM\nx = 1\nshow x\n".encode("utf-16"))
raw("ws_crlf", "whitespace: CRLF line endings", b"# whitespace: CRLF line endings\r\nx = 1\r\nif x:\r\n    y = 2\r\nshow y\r\n")
raw("ws_crlf_error", "whitespace: CRLF file with an error on line 3",
    b"# whitespace: CRLF file with an error on line 3\r\nx = 1\r\ny = undefined_name\r\nshow x\r\n")
raw("ws_cr_only", "whitespace: old Mac CR-only line endings", b"# whitespace: old Mac CR-only line endings\rx = 1\rshow x\r")
raw("ws_cr_only_error", "whitespace: CR-only endings with an error",
    b"# whitespace: CR-only endings with an error\rx = 1\ry = (\rshow x\r")
raw("ws_mixed_endings", "whitespace: mixed LF, CRLF and CR",
    b"# whitespace: mixed LF, CRLF and CR\nx = 1\r\ny = 2\rz = 3\nshow x + y\n")
rawcase("ws_tabs_vs_spaces", "whitespace: a block indented with a tab then spaces",
        b"if True:\n\tx = 1\n        y = 2\nshow x\n")
rawcase("ws_tabs_vs_spaces_dedent", "whitespace: dedent to a column only reached by tabs",
        b"if True:\n    if True:\n\t\tx = 1\n\ty = 2\nshow x\n")
rawcase("ws_space_tab_mix", "whitespace: space then tab in one indentation",
        b"if True:\n \tx = 1\n\t y = 2\nshow x\n")
rawcase("ws_formfeed_indent", "whitespace: a form feed in the indentation", b"if True:\n\x0c    x = 1\nshow x\n")
rawcase("ws_vertical_tab", "whitespace: a vertical tab between tokens", b"x = 1\x0b+ 2\nshow x\n")
rawcase("ws_nbsp", "whitespace: a non-breaking space between tokens", "x = 1\u00a0+ 2\nshow x\n".encode())
rawcase("ws_ideographic_space_indent", "whitespace: an ideographic space as indentation", "if True:\n\u3000x = 1\nshow x\n".encode())
rawcase("ws_no_trailing_newline", "whitespace: no newline at the end", b"x = 1\nshow x")
rawcase("ws_only_whitespace", "whitespace: nothing but spaces and tabs", b"   \t  \n\t\t\n     ")
rawcase("ws_only_newlines", "whitespace: 100,000 empty lines", b"\n" * 100000)
rawcase("ws_long_line", "whitespace: a single 190,000-space line before a statement", b" " * 190000 + b"\nshow 1\n")
rawcase("ws_unexpected_indent", "whitespace: an unexpected indent on the first statement", b"    x = 1\nshow x\n")
rawcase("ws_indent_190k", "whitespace: a statement indented by 190,000 spaces", b"if True:\n" + b" " * 190000 + b"x = 1\nshow x\n")
rawcase("ws_backslash_continuation", "whitespace: a backslash line continuation", b"x = 1 + \\\n    2\nshow x\n")
rawcase("ws_backslash_eof", "whitespace: a backslash at the end of file", b"x = 1 + \\")
rawcase("ws_backslash_30000", "whitespace: 30,000 backslash continuations", b"x = 1" + b" \\\n+ 1" * 30000 + b"\nshow x\n")
rawcase("ws_zero_width_space", "unicode: a zero-width space inside a name", "x\u200by = 1\nshow 1\n".encode())
rawcase("ws_rtl_override", "unicode: a right-to-left override in code", "x = 1 \u202e+ 2\nshow x\n".encode())
rawcase("ws_combining_marks", "unicode: 10,000 combining marks on a name", ("x" + "\u0301" * 10000 + " = 1\nshow 1\n").encode())
rawcase("ws_emoji_name", "unicode: an emoji as a name", "\U0001f600 = 1\nshow \U0001f600\n".encode())
rawcase("ws_fullwidth_digits", "unicode: fullwidth digits", "x = \uff11\uff12\nshow x\n".encode())
rawcase("ws_arabic_indic_digit", "unicode: Arabic-Indic digits", "x = \u0661\u0662\nshow x\n".encode())
rawcase("ws_unicode_minus", "unicode: U+2212 minus sign", "x = 3 \u2212 2\nshow x\n".encode())
rawcase("ws_smart_quotes", "unicode: curly quotes around a string", "s = \u201chello\u201d\nshow s\n".encode())
rawcase("ws_nfkc_name", "unicode: a ligature name (NFKC would fold it)", "\ufb01 = 1\nshow fi\n".encode())
rawcase("ws_error_after_wide_chars", "unicode: an error column after wide characters", "s = '\u6f22\u5b57\u6f22\u5b57'; y = undefined_name\nshow s\n".encode())
rawcase("ws_error_after_emoji_zwj", "unicode: an error column after an emoji ZWJ sequence",
        "s = '\U0001f468\u200d\U0001f469\u200d\U0001f467'; y = nope\nshow s\n".encode())

# ---------------------------------------------------------------------------
# 9. Syntax: strings, brackets, statements.
# ---------------------------------------------------------------------------

SYNTAX = {
    "str_unterminated_single": "s = 'abc\nshow s\n",
    "str_unterminated_double": 's = "abc\nshow s\n',
    "str_unterminated_eof": 's = "abc',
    "str_triple_quoted": 's = """abc"""\nshow s\n',
    "str_triple_unterminated": 's = """abc\nshow s\n',
    "str_escape_at_eof": 's = "abc\\',
    "str_bad_escape": 's = "\\q\\x\\u12"\nshow s\n',
    "str_unicode_escape_huge": 's = "\\U0011ffff"\nshow s\n',
    "str_mixed_quotes": 's = "abc\'\nshow s\n',
    "fstr_unterminated": 's = f"{1 + 2\nshow s\n',
    "fstr_unterminated_quote": 's = f"abc\nshow s\n',
    "fstr_unclosed_brace": 's = f"{"\nshow s\n',
    "fstr_stray_close": 's = f"}"\nshow s\n',
    "fstr_empty_expr": 's = f"{}"\nshow s\n',
    "fstr_bad_spec": 's = f"{1:zz}"\nshow s\n',
    "fstr_nested_quote": 's = f"{"a"}"\nshow s\n',
    "fstr_error_inside": 's = f"{undefined_name}"\nshow s\n',
    "fstr_syntax_error_inside": 's = f"{1 +}"\nshow s\n',
    "fstr_format_tensor_spec": 's = f"{ones(3):.3f}"\nshow s\n',
    "fstr_equals_deep": 'x = 1\nshow f"{x=}{x=}{x=}"\n',
    "fstr_conversion": 'x = 1\nshow f"{x!r}"\n',
    "bracket_unclosed_paren": "x = (1 + 2\nshow x\n",
    "bracket_unclosed_at_eof": "x = [1, 2",
    "bracket_mismatch": "x = (1, 2]\nshow x\n",
    "bracket_stray_close": "x = 1)\nshow x\n",
    "bracket_empty_call_comma": "show abs(,)\n",
    "bracket_double_comma": "x = [1,, 2]\nshow x\n",
    "bracket_empty_subscript": "x = [1]\nshow x[]\n",
    "bracket_slice_4_parts": "x = [1, 2]\nshow x[1:2:3:4]\n",
    "op_dangling": "x = 1 +\nshow x\n",
    "op_double": "x = 1 * * 2\nshow x\n",
    "op_walrus": "show (x := 1)\n",
    "op_matmul_assign_list": "x = [1]\nx @= [1]\nshow x\n",
    "op_augassign_to_call": "abs(1) += 1\n",
    "op_assign_to_literal": "1 = x\n",
    "op_assign_to_expr": "x + 1 = 2\n",
    "op_chained_assign_to_literal": "x = 1 = 2\n",
    "op_unpack_too_many": "a, b = 1, 2, 3\nshow a\n",
    "op_unpack_too_few": "a, b, c = 1, 2\nshow a\n",
    "op_unpack_non_iterable": "a, b = 1\nshow a\n",
    "op_unpack_star": "a, *b = [1, 2, 3]\nshow b\n",
    "op_starred_call": "xs = [1, 2]\nshow max(*xs)\n",
    "op_double_star_call": "d = 1\nshow sigmoid(**d)\n",
    "op_ellipsis": "x = ones([2, 2])\nshow x[..., 0]\n",
    "stmt_return_outside": "return 1\n",
    "stmt_break_outside": "break\n",
    "stmt_continue_outside": "continue\n",
    "stmt_def_no_body": "def f():\nshow 1\n",
    "stmt_def_no_body_eof": "def f():",
    "stmt_if_no_body_eof": "if True:",
    "stmt_else_without_if": "else:\n    x = 1\n",
    "stmt_elif_after_else": "if True:\n    x = 1\nelse:\n    x = 2\nelif False:\n    x = 3\n",
    "stmt_class": "class A:\n    pass\n",
    "stmt_with": "with open('x') as f:\n    pass\n",
    "stmt_try": "try:\n    x = 1\nexcept:\n    pass\n",
    "stmt_raise": "raise ValueError('x')\n",
    "stmt_global": "def f():\n    global x\n    x = 1\nf()\nshow x\n",
    "stmt_yield": "def f():\n    yield 1\nshow f()\n",
    "stmt_async": "async def f():\n    return 1\n",
    "stmt_decorator": "@abs\ndef f():\n    return 1\n",
    "stmt_del": "x = 1\ndel x\nshow x\n",
    "stmt_import_os": "import os\nshow os.system('true')\n",
    "stmt_import_star": "from numpy import *\nshow zeros(1)\n",
    "stmt_import_unknown": "import torch\nshow 1\n",
    "stmt_from_os": "from os import system\nshow 1\n",
    "stmt_exec": "exec('x = 1')\n",
    "stmt_eval": "show eval('1 + 1')\n",
    "stmt_open": "show open('/etc/passwd')\n",
    "stmt_dunder_import": "show __import__('os')\n",
    "stmt_dunder_attr": "x = ones(3)\nshow x.__class__\n",
    "stmt_show_nothing": "show\n",
    "stmt_show_def": "show def f(): pass\n",
    "stmt_show_show": "show show x = 1\n",
    "stmt_check_string": "check 'a'\n",
    "stmt_check_tensor_empty": "check zeros(0)\n",
    "stmt_assert_message_huge": "assert False, 'x' * 10**9\n",
    "stmt_assert_message_tensor": "assert False, ones(3)\n",
    "stmt_semicolons_only": ";;;;\n",
    "stmt_semicolons_50000": "x = 1" + "; x = 1" * 25000 + "\nshow x\n",
    "stmt_colon_only": ":\n",
    "stmt_keyword_as_name": "if = 1\n",
    "stmt_builtin_shadow": "zeros = 5\nshow zeros([2])\n",
    "stmt_shadow_show": "show = 1\nshow show\n",
    "stmt_lambda_default_self": "f = lambda x=f: x\nshow 1\n",
    "stmt_lambda_no_body": "f = lambda:\n",
    "stmt_for_no_iter": "for i in :\n    pass\n",
    "stmt_for_over_int": "for i in 5:\n    pass\n",
    "stmt_for_target_call": "for abs(i) in [1]:\n    pass\n",
    "stmt_heading_prose_huge": "## " + "h" * 100000 + "\n#' " + "p" * 90000 + "\nshow 1\n",
    "stmt_many_headings": "## part\nshow 1\n" * 10000,
    "stmt_many_prose_lines": "#' prose line\n" * 10000 + "show 1\n",
    "stmt_many_shows": "show 1\n" * 20000,
    "stmt_many_checks_fail": "check 1 == 2\n" * 10000 + "show 1\n",
    "stmt_many_prints": "for i in range(100000): print(i)\nshow 1\n",
    "stmt_print_huge_tensor": "print(ones(10**6) / 3)\nshow 1\n",
    "stmt_show_huge_tensor": "show ones(10**6) / 3\n",
    "stmt_show_big_fraction_tensor": "show ones([300, 300]) / 3**4000\n",
}
for name, body in SYNTAX.items():
    case(f"syn_{name}", f"syntax: {body.splitlines()[0][:80] if body.strip() else repr(body)}", body)

# ---------------------------------------------------------------------------
# 10. Names, arities, keywords, types.
# ---------------------------------------------------------------------------

BUILTINS_ARITY = [
    "zeros", "ones", "full", "eye", "arange", "reshape", "concatenate", "stack", "matmul", "dot",
    "sum", "softmax", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "linear", "rnn_cell", "lstm",
    "gru", "params", "grad", "sgd_step", "adam_step", "rnn", "lstm_seq", "attention", "mse", "bce",
    "cross_entropy", "triplet", "retrieve", "nearest_centroid", "sigmoid", "log", "len", "range",
    "sorted", "enumerate", "zip", "where", "clip", "bits", "allclose", "norm",
]
for b in BUILTINS_ARITY:
    case(f"arity_{b}_none", f"arity: {b}() with no arguments", f"show {b}()\n")
    case(f"arity_{b}_many", f"arity: {b} with 12 positional arguments", f"show {b}(" + ", ".join(["1"] * 12) + ")\n")
case("arity_user_too_many", "arity: a user function with too many arguments", "def f(a): return a\nshow f(1, 2)\n")
case("arity_user_too_few", "arity: a user function with too few arguments", "def f(a, b): return a\nshow f(1)\n")
case("arity_user_dup_kw", "arity: a keyword that repeats a positional", "def f(a): return a\nshow f(1, a=2)\n")
case("arity_user_unknown_kw", "arity: an unknown keyword to a user function", "def f(a): return a\nshow f(1, b=2)\n")
case("arity_user_10000_params", "arity: a def with 10,000 parameters", "def f(" + ", ".join(f"a{i}" for i in range(10000)) + "): return a0\nshow f(" + ", ".join(["1"] * 10000) + ")\n")
case("arity_positional_50000", "arity: max with 50,000 positional arguments", "show max(" + ", ".join(["1"] * 50000) + ")\n")
case("arity_kw_dup_builtin", "keyword: the same keyword twice", "show softmax([1, 2], axis=0, axis=0)\n")
case("arity_kw_unknown_zeros", "keyword: zeros(3, foo=1)", "show zeros(3, foo=1)\n")
case("arity_kw_unknown_grad", "keyword: grad(L, w, create_graph=True)", "w = [1]\nshow grad(sum(w), w, create_graph=True)\n")
case("arity_kw_positional_after_kw", "keyword: a positional after a keyword", "show softmax(axis=0, [1, 2])\n")
case("arity_kw_50000_distinct_def", "keyword: 15,000 distinct keywords to a user function", "def f(a): return a\nshow f(1, " + ", ".join(f"k{i}=1" for i in range(15000)) + ")\n")
case("arity_kw_dtype_weird", "keyword: zeros(3, dtype=zeros)", "show zeros(3, dtype=zeros)\n")
NAMES = {
    "unknown_simple": "show undefined_name\n",
    "unknown_case": "show ReLU([1])\n",
    "unknown_np_attr": "import numpy as np\nshow np.relu([1])\n",
    "unknown_np_deep": "import numpy as np\nshow np.linalg.foo.bar.baz(1)\n",
    "unknown_without_import": "show np.zeros(2)\n",
    "unknown_long_name": "show " + "a" * 100000 + "\n",
    "unknown_10000_names": "".join(f"x{i} = y{i}\n" for i in range(10000)),
    "unknown_similar_many": "".join(f"sigmoid{i} = 1\n" for i in range(5000)) + "show sigmoud(1)\n",
    "unknown_attr_on_int": "x = 1\nshow x.shape\n",
    "unknown_method": "x = ones(3)\nshow x.frobnicate()\n",
    "unknown_attr_chain_10000": "import numpy as np\nshow np" + ".a" * 10000 + "\n",
    "type_add_str_int": "show 'a' + 1\n",
    "type_str_times_tensor": "show 'a' * ones(3)\n",
    "type_str_times_neg": "show 'a' * -10**18\n",
    "type_list_times_float": "show [1] * 2.5\n",
    "type_call_int": "x = 1\nshow x()\n",
    "type_call_tensor": "show ones(3)(1)\n",
    "type_index_int": "x = 1\nshow x[0]\n",
    "type_index_with_string": "x = ones(3)\nshow x['a']\n",
    "type_index_with_float": "x = [1, 2]\nshow x[0.5]\n",
    "type_index_with_tensor_float": "x = ones(3)\nshow x[ones(2) / 2]\n",
    "type_len_int": "show len(5)\n",
    "type_iterate_function": "for i in abs:\n    pass\n",
    "type_compare_str_tensor": "show 'a' < ones(3)\n",
    "type_bool_tensor_if": "if ones(3):\n    x = 1\n",
    "type_layer_as_number": "m = linear(input=2, output=2)\nshow m + 1\n",
    "type_builtin_as_number": "show sigmoid + 1\n",
    "type_module_as_value": "import numpy as np\nshow np\n",
    "type_none_arith": "show None + 1\n",
    "type_range_huge_index": "show range(10**18)[10**17]\n",
    "type_range_step_0": "show range(1, 10, 0)\n",
    "type_sorted_mixed": "show sorted([1, 'a', ones(2)])\n",
    "type_matmul_scalars": "show 2 @ 3\n",
    "type_matmul_shape_mismatch": "show ones([2, 3]) @ ones([2, 3])\n",
    "type_shape_mismatch_add": "show ones(3) + ones(4)\n",
    "type_reshape_mismatch": "show reshape(ones(6), [4, 2])\n",
    "type_concat_mismatch": "show concatenate([ones([2, 2]), ones([3, 3])])\n",
    "type_mse_mismatch": "show mse(ones(2), ones(3))\n",
    "type_cross_entropy_bad_target": "show cross_entropy([[1, 2]], [5])\n",
    "type_cross_entropy_huge_target": "show cross_entropy([[1, 2]], [10**100])\n",
    "type_precision_unknown_class": "show precision([0], [1], 7)\n",
}
for name, body in NAMES.items():
    case(f"name_{name}", f"names/types: {body.splitlines()[0][:80]}", body)

# ---------------------------------------------------------------------------
# 10b. Training, rationalizing, domains, verification and search (issues 10, 11).
# ---------------------------------------------------------------------------

CODES = 'codes = bits("00,01,10,11")\n'
LEARN = {
    "train_huge_epochs": "model = (rnn_cell(2, 8), linear(input=8, output=1))\nm = train(model, [[[0, 1]]], [1], epochs=10**9)\n",
    "train_huge_batch": "model = (rnn_cell(2, 8), linear(input=8, output=1))\nm = train(model, [[[0, 1]]], [1], batch=10**18)\n",
    "train_zero_batch": "model = (rnn_cell(2, 1), linear(input=1, output=1))\nm = train(model, [[[0, 1]]], [1], batch=0)\n",
    "train_empty_data": "model = (rnn_cell(2, 1), linear(input=1, output=1))\nm = train(model, [], [])\n",
    "train_wrong_head": "model = (rnn_cell(2, 3), linear(input=2, output=1))\nm = train(model, [[[0, 1]]], [1])\n",
    "train_ragged_features": "model = (rnn_cell(2, 1), linear(input=1, output=1))\nm = train(model, [[[0, 1]], [[0, 1, 1]]], [1, 0])\n",
    "train_float_targets": "model = (rnn_cell(1, 1), linear(input=1, output=1))\nm = train(model, [[[1]]], [0.5])\n",
    "train_huge_lr": "model = (rnn_cell(1, 1), linear(input=1, output=1))\nm = train(model, [[[1]], [[-1]]], [1, 0], optimizer=sgd(lr=10**400))\n",
    "train_diverges": "model = (rnn_cell(1, 1, act=identity), linear(input=1, output=1))\nm = train(model, [[[1000]] * 50], [0], optimizer=sgd(lr=10**30), epochs=50)\nshow m[0].W_hh\n",
    "adam_negative_lr": "o = adam(lr=-1)\n",
    "adam_beta_one": "o = adam(betas=(1, 0.999))\n",
    "rationalize_huge_max_den": "show rationalize([0.3], max_den=10**12)\n",
    "rationalize_huge_value": "show rationalize([10**4000 / 3], max_den=7)\n",
    "rationalize_inf": "show rationalize([float('inf')])\n",
    "sequences_empty_alphabet": "d = sequences([], max_len=3)\n",
    "sequences_mixed_shapes": "d = sequences([[0], [0, 1]], max_len=3)\n",
    "sequences_huge_len": CODES + "show len(sequences(codes, max_len=10**6))\n",
    "sequences_verify_forever": CODES + "show all(len(xs) > 0 for xs in sequences(codes, max_len=40))\n",
    "sequences_loop_forever": CODES + "n = 0\nfor xs in sequences(codes, max_len=40):\n    n += 1\n",
    "sequences_list_all": CODES + "show list(sequences(codes, max_len=30))\n",
    "grid_huge_values": "show len(grid(0, 10**9, 1))\n",
    "grid_zero_step": "show len(grid(0, 1, 0))\n",
    "grid_huge_shape": "show len(grid(0, 1, 1, shape=[10**6, 10**6]))\n",
    "grid_verify_forever": "show all(x == x for x in grid(0, 1, 1/64, shape=[8]))\n",
    "product_many_factors": "show len(product(*([[0, 1]] * 200)))\n",
    "product_mixed_shapes": "d = product([1, 2], [[1, 2]])\n",
    "find_huge_space": "find a in grid(-9, 9, 1/8, shape=[4]), b in grid(-9, 9, 1/8, shape=[4]):\n    True\n",
    "find_slow_condition": CODES + "find w in grid(-2, 2, 1/4):\n    all(len(xs) * w >= -100 for xs in sequences(codes, max_len=30))\n",
    "find_not_a_domain": "find a in [1, 2, 3]:\n    a > 1\n",
    "find_two_statements": "find a in grid(0, 1, 1):\n    a > 0\n    a < 2\n",
    "find_nested_find": "find a in grid(0, 1, 1):\n    find b in grid(0, 1, 1):\n        b > a\n",
}
for name, body in LEARN.items():
    case(name, f"learn/verify: {body.splitlines()[-1][:80]}", body)

# ---------------------------------------------------------------------------
# 11. Write everything.
# ---------------------------------------------------------------------------


def main():
    # fuzz_*.gw are reproducers found by the fuzzer (examples/fuzz.rs),
    # not generated here: they stay.
    for f in os.listdir(HERE):
        if f.endswith(".gw") and not f.startswith("fuzz_"):
            os.remove(os.path.join(HERE, f))
    seen = set()
    for stem, probe, data in CASES:
        assert stem not in seen, f"duplicate case {stem}"
        seen.add(stem)
        assert len(data) < MAX_BYTES, f"{stem}: {len(data)} bytes"
        with open(os.path.join(HERE, stem + ".gw"), "wb") as fh:
            fh.write(data)
    print(f"{len(CASES)} files in {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
