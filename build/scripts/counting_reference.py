#!/usr/bin/env python3
"""Generates tests/fixtures/counting-reference.json: float64 PyTorch values and autograd
gradients of the counting loss (Noroozi, Pirsiavash & Favaro, ICCV 2017, eq. 3-6; the authors'
code is a Caffe release, this is written from the paper's equations):

  l = |phi(D x) - sum_j phi(T_j x)|^2 + max(0, M - |phi(D y) - sum_j phi(T_j x)|^2)

averaged over the batch. Gradients with respect to each of the three inputs.
Cases: margin 10 (the paper) with the contrastive term active on some rows and not others,
and a small margin where it is inactive everywhere.

Run from the repository root: /usr/bin/python3 build/scripts/counting_reference.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'counting-reference.json')
g = torch.Generator().manual_seed(17)


def counting(down, tile_sum, other, margin):
    equal = ((down - tile_sum) ** 2).sum(1).mean()
    far = ((other - tile_sum) ** 2).sum(1)
    contrast = torch.clamp(margin - far, min=0).mean()
    return equal + contrast, equal, contrast


cases = []
for n, k, scale, margin in [(6, 5, 1.0, 10.0), (8, 8, 2.6, 10.0), (5, 3, 3.0, 0.5)]:
    down = (torch.rand(n, k, generator=g) * scale).requires_grad_()
    tile_sum = (torch.rand(n, k, generator=g) * scale * 1.2).requires_grad_()
    other = (torch.rand(n, k, generator=g) * scale).requires_grad_()
    loss, equal, contrast = counting(down, tile_sum, other, margin)
    gd, gt, go = torch.autograd.grad(loss, [down, tile_sum, other])
    far = ((other - tile_sum) ** 2).sum(1)
    cases.append({
        'args': {'down': down.tolist(), 'tileSum': tile_sum.tolist(), 'other': other.tolist(), 'margin': margin},
        'expected': loss.item(),
        'terms': {'equal': equal.item(), 'contrast': contrast.item()},
        'activeRows': int((far < margin).sum().item()),
        'grads': {'down': gd.tolist(), 'tileSum': gt.tolist(), 'other': go.tolist()},
    })

with open(OUT, 'w') as f:
    json.dump({'generator': f'PyTorch {torch.__version__} float64, build/scripts/counting_reference.py', 'cases': cases}, f, indent=1)
print(OUT, [(c['activeRows'], len(c['args']['down'])) for c in cases])
