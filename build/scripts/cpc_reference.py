#!/usr/bin/env python3
"""Generates tests/fixtures/cpc-reference.json: float64 PyTorch values and autograd gradients of
the CPC v2 InfoNCE loss (Henaff et al., ICML 2020, Appendix A's CPC pseudocode; v2's code was not
released), written from the pseudocode:

  for each step k: preds_k = preds[:, :-k] (rows with a row k below), flattened;
  logits = preds_k @ targets_flat.T over every target of the batch (all positions, all images);
  label of (b, i, j) = b*G*W + (i + k)*W + j; loss += cross_entropy(logits, label) (mean).

Gradients with respect to the targets and to each step's prediction map. Cases: one step on a
small grid, three steps (2..4) on a 5x5 grid, steps 1 and 3 on a non-square 4x3 grid, and a
scale where the positives dominate (low loss).

Run from the repository root: /usr/bin/python3 build/scripts/cpc_reference.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'cpc-reference.json')
g = torch.Generator().manual_seed(13)


def cpc(targets, preds, steps):
    n, rows, cols, d = targets.shape
    flat = targets.reshape(-1, d)
    losses, accs = [], []
    for p, k in zip(preds, steps):
        pk = p[:, : rows - k].reshape(-1, d)
        logits = pk @ flat.T
        m = torch.arange(pk.shape[0])
        per = (rows - k) * cols
        labels = (m // per) * rows * cols + k * cols + m % per
        losses.append(F.cross_entropy(logits, labels))
        accs.append((logits.argmax(1) == labels).double().mean())
    return sum(losses), losses, accs


cases = []
for n, rows, cols, d, steps, scale, tie in [(2, 3, 3, 4, [1], 1.0, 0.0), (3, 5, 5, 6, [2, 3, 4], 0.7, 0.0), (2, 4, 3, 5, [1, 3], 1.5, 0.0), (2, 4, 4, 8, [2], 1.0, 3.0)]:
    targets = (torch.randn(n, rows, cols, d, generator=g) * scale).requires_grad_()
    preds = []
    for k in steps:
        p = torch.randn(n, rows, cols, d, generator=g) * scale
        if tie:  # predictions near their positives: a low loss
            below = torch.zeros_like(p)
            below[:, : rows - k] = targets.detach()[:, k:]
            p = p * 0.2 + tie * below
        preds.append(p.requires_grad_())
    loss, per_step, accs = cpc(targets, preds, steps)
    grads = torch.autograd.grad(loss, [targets, *preds])
    cases.append({
        'args': {'targets': targets.tolist(), 'preds': [p.tolist() for p in preds], 'steps': steps},
        'expected': loss.item(),
        'perStep': [v.item() for v in per_step],
        'accs': [v.item() for v in accs],
        'grads': {'targets': grads[0].tolist(), 'preds': [t.tolist() for t in grads[1:]]},
    })

with open(OUT, 'w') as f:
    json.dump({'generator': f'PyTorch {torch.__version__} float64, build/scripts/cpc_reference.py', 'cases': cases}, f, indent=1)
print(OUT, [(round(c['expected'], 4), c['accs']) for c in cases])
