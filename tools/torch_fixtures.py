#!/usr/bin/env python3
"""Generate tests/fixtures/torch.json: PyTorch's numbers for gradwork's blocks.

Run:  python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch
      /tmp/torchenv/bin/python tools/torch_fixtures.py
The Rust tests (tests/torch.rs) read the committed JSON and need no PyTorch.

Every input and weight is a multiple of 1/8 in [-1, 1], so it is exact in
float64, in JSON and as a gradwork fraction. Each case records inputs,
weights, the output, and the gradients of loss = sum(output**2) / 2 (or of
the loss itself for losses) with respect to every tensor marked "grad".
"""
import json
import random

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = random.Random(20261126)


def vals(*shape):
    n = 1
    for d in shape:
        n *= d
    t = torch.tensor([rng.randint(-8, 8) / 8 for _ in range(n)]).reshape(shape)
    return t.requires_grad_(True)


def lst(t):
    return t.detach().tolist()


cases = []


def case(name, kind, tensors, out, grads_of, **extra):
    """tensors: dict name -> tensor; grads_of: names whose gradient is recorded."""
    loss = out if out.dim() == 0 else (out ** 2).sum() / 2
    gs = torch.autograd.grad(loss, [tensors[n] for n in grads_of])
    cases.append({
        "name": name,
        "kind": kind,
        "inputs": {k: lst(v) for k, v in tensors.items()},
        "output": lst(out),
        "grads": {n: lst(g) for n, g in zip(grads_of, gs)},
        **extra,
    })


# ---- convolution and pooling --------------------------------------------
for stride, padding, dilation in [(1, 0, 1), (2, 1, 1), (1, 2, 2)]:
    x, w, b = vals(2, 2, 7), vals(3, 2, 3), vals(3)
    out = F.conv1d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    case(f"conv1d s{stride} p{padding} d{dilation}", "conv1d", {"x": x, "w": w, "b": b}, out,
         ["x", "w", "b"], stride=stride, padding=padding, dilation=dilation)
for stride, padding in [(1, 0), (2, 1)]:
    x, w, b = vals(1, 2, 5, 5), vals(2, 2, 3, 3), vals(2)
    out = F.conv2d(x, w, b, stride=stride, padding=padding)
    case(f"conv2d s{stride} p{padding}", "conv2d", {"x": x, "w": w, "b": b}, out,
         ["x", "w", "b"], stride=stride, padding=padding, dilation=1)

x = vals(2, 2, 6)
case("max_pool1d k2 s2", "max_pool1d", {"x": x}, F.max_pool1d(x, 2, 2), ["x"], k=2, stride=2, padding=0)
x = vals(2, 2, 6)
case("avg_pool1d k3 s1 p1", "avg_pool1d", {"x": x}, F.avg_pool1d(x, 3, 1, 1), ["x"], k=3, stride=1, padding=1)
x = vals(1, 2, 4, 4)
case("max_pool2d k2 s2", "max_pool2d", {"x": x}, F.max_pool2d(x, 2, 2), ["x"], k=2, stride=2, padding=0)
x = vals(1, 2, 4, 4)
case("avg_pool2d k2 s1", "avg_pool2d", {"x": x}, F.avg_pool2d(x, 2, 1), ["x"], k=2, stride=1, padding=0)

# ---- recurrent ------------------------------------------------------------
for kind, cls, gates in [("rnn", torch.nn.RNN, 1), ("lstm", torch.nn.LSTM, 4), ("gru", torch.nn.GRU, 3)]:
    I, H, T = 2, 3, 4
    m = cls(I, H)
    ws = {"W_ih": vals(gates * H, I), "W_hh": vals(gates * H, H),
          "b_ih": vals(gates * H), "b_hh": vals(gates * H)}
    with torch.no_grad():
        m.weight_ih_l0.copy_(ws["W_ih"]); m.weight_hh_l0.copy_(ws["W_hh"])
        m.bias_ih_l0.copy_(ws["b_ih"]); m.bias_hh_l0.copy_(ws["b_hh"])
    xs = vals(T, I)
    out = m(xs.unsqueeze(1))[0].squeeze(1)
    # The module holds copies of ws; gradients are taken on the module's own.
    loss = (out ** 2).sum() / 2
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    gs = torch.autograd.grad(loss, [xs] + [getattr(m, n) for n in names])
    cases.append({
        "name": f"{kind}(2, 3)", "kind": kind,
        "inputs": {"xs": lst(xs), **{k: lst(v) for k, v in ws.items()}},
        "output": lst(out),
        "grads": {"xs": lst(gs[0]), **{k: lst(g) for k, g in zip(["W_ih", "W_hh", "b_ih", "b_hh"], gs[1:])}},
        "params": sum(p.numel() for p in m.parameters()),
    })

# ---- attention --------------------------------------------------------------
for causal in [False, True]:
    E, heads, N = 4, 2, 3
    m = torch.nn.MultiheadAttention(E, heads, bias=True, batch_first=True)
    ipw, ipb, ow, ob = vals(3 * E, E), vals(3 * E), vals(E, E), vals(E)
    with torch.no_grad():
        m.in_proj_weight.copy_(ipw); m.in_proj_bias.copy_(ipb)
        m.out_proj.weight.copy_(ow); m.out_proj.bias.copy_(ob)
    x = vals(N, E)
    mask = torch.triu(torch.ones(N, N, dtype=torch.bool), diagonal=1) if causal else None
    out = m(x.unsqueeze(0), x.unsqueeze(0), x.unsqueeze(0), attn_mask=mask, need_weights=False)[0].squeeze(0)
    loss = (out ** 2).sum() / 2
    gs = torch.autograd.grad(loss, [x, m.in_proj_weight, m.out_proj.weight])
    cases.append({
        "name": f"multihead(4, 2) causal={causal}", "kind": "mha", "causal": causal, "heads": heads,
        "inputs": {"x": lst(x), "in_proj_weight": lst(ipw), "in_proj_bias": lst(ipb),
                   "out_proj_weight": lst(ow), "out_proj_bias": lst(ob)},
        "output": lst(out),
        "grads": {"x": lst(gs[0]), "in_proj_weight": lst(gs[1]), "out_proj_weight": lst(gs[2])},
        "params": sum(p.numel() for p in m.parameters()),
    })

# ---- losses -------------------------------------------------------------------
p = torch.tensor([0.125, 0.5, 0.875, 0.25]).requires_grad_(True)
y = torch.tensor([0.0, 1.0, 1.0, 0.0])
s, t = vals(4), vals(4)
case("mse", "mse", {"a": s, "b": t}, F.mse_loss(s, t), ["a", "b"])
case("bce", "bce", {"a": p, "b": y}, F.binary_cross_entropy(p, y), ["a"])
s2 = vals(4)
case("bce_with_logits", "bce_with_logits", {"a": s2, "b": y}, F.binary_cross_entropy_with_logits(s2, y), ["a"])
logits = vals(3, 4)
target = torch.tensor([2, 0, 3])
case("cross_entropy", "cross_entropy", {"a": logits, "b": target.double()}, F.cross_entropy(logits, target), ["a"])
s3, yy = vals(4), torch.tensor([1.0, -1.0, -1.0, 1.0])
case("hinge", "hinge", {"a": s3, "b": yy}, torch.clamp(1 - yy * s3, min=0).mean(), ["a"])
f1, f2 = vals(4), vals(4)
case("contrastive positive", "contrastive_pos", {"a": f1, "b": f2}, ((f1 - f2) ** 2).sum(), ["a", "b"])
f1, f2 = vals(4), vals(4)
m_ = torch.tensor(3.0)
case("contrastive negative", "contrastive_neg", {"a": f1, "b": f2},
     torch.clamp(m_ - (f1 - f2).norm(), min=0) ** 2, ["a", "b"], margin=3.0)
a, pp, n = vals(2, 3), vals(2, 3), vals(2, 3)
dist = lambda u, v: (u - v).norm(dim=-1)
case("triplet", "triplet", {"a": a, "p": pp, "n": n},
     F.triplet_margin_with_distance_loss(a, pp, n, distance_function=dist, margin=1.0), ["a", "p", "n"], margin=1.0)
sq = lambda u, v: ((u - v) ** 2).sum(dim=-1)
case("triplet squared", "triplet_sq", {"a": a, "p": pp, "n": n},
     F.triplet_margin_with_distance_loss(a, pp, n, distance_function=sq, margin=1.0), ["a", "p", "n"], margin=1.0)
x1, x2 = vals(3, 4), vals(3, 4)
yc = torch.tensor([1.0, -1.0, -1.0])
case("cosine_embedding", "cosine_embedding", {"a": x1, "b": x2, "y": yc},
     F.cosine_embedding_loss(x1, x2, yc, margin=0.25), ["a", "b"], margin=0.25)

# ---- parameter counts -------------------------------------------------------
counts = {
    "rnn(2,3)": sum(p.numel() for p in torch.nn.RNN(2, 3).parameters()),
    "lstm(2,3)": sum(p.numel() for p in torch.nn.LSTM(2, 3).parameters()),
    "gru(2,3)": sum(p.numel() for p in torch.nn.GRU(2, 3).parameters()),
    "linear(4,3)": sum(p.numel() for p in torch.nn.Linear(4, 3).parameters()),
    "linear(4,3,bias=False)": sum(p.numel() for p in torch.nn.Linear(4, 3, bias=False).parameters()),
    "conv1d(2,3,3)": sum(p.numel() for p in torch.nn.Conv1d(2, 3, 3).parameters()),
    "mha(4,2)": sum(p.numel() for p in torch.nn.MultiheadAttention(4, 2).parameters()),
    "mha(4,2,bias=False)": sum(p.numel() for p in torch.nn.MultiheadAttention(4, 2, bias=False).parameters()),
    "conv2d(1,2,3)": sum(p.numel() for p in torch.nn.Conv2d(1, 2, 3).parameters()),
    "conv2d(3,8,(3,5),bias=False)": sum(p.numel() for p in torch.nn.Conv2d(3, 8, (3, 5), bias=False).parameters()),
    # stacked and bidirectional (tests/torch.rs reads these when present)
    "rnn(2,3,num_layers=2)": sum(p.numel() for p in torch.nn.RNN(2, 3, num_layers=2).parameters()),
    "lstm(2,3,num_layers=2)": sum(p.numel() for p in torch.nn.LSTM(2, 3, num_layers=2).parameters()),
    "lstm(2,3,bidirectional=True)": sum(p.numel() for p in torch.nn.LSTM(2, 3, bidirectional=True).parameters()),
    "gru(2,3,num_layers=2,bidirectional=True)": sum(
        p.numel() for p in torch.nn.GRU(2, 3, num_layers=2, bidirectional=True).parameters()),
}

with open("tests/fixtures/torch.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "counts": counts}, f, indent=1)
print(f"wrote {len(cases)} cases and {len(counts)} counts")
