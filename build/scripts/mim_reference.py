#!/usr/bin/env python3
"""Generates tests/fixtures/mim-reference.json: float64 PyTorch values (and autograd gradients
for the losses) of the masked-image-modelling formulas (issue 13), written from the official code:

- patchify(images, p): facebookresearch/mae models_mae.py `patchify` (NCHW there,
  einsum 'nchpwq->nhwpqc'); the fixture's images are NHWC, as Pretext's.
- maeLoss(pred, images, mask, p, normPix): models_mae.py `forward_loss` (norm_pix_loss:
  mean and torch's unbiased var per patch, (var + 1e-6) ** .5; (pred - target)**2 mean over the
  patch; (loss * mask).sum() / mask.sum()).
- data2vecTarget(layers, k): fairseq examples/data2vec/models/data2vec_vision.py: the top-k
  layer outputs, each F.instance_norm over the tokens (BTC -> BCT), then the mean of them.
- data2vecLoss(pred, target, mask, beta): data2vec's regression loss on the masked tokens:
  F.smooth_l1_loss(reduction='none', beta) (F.mse_loss when beta is 0) summed over the
  feature dim, scaled by 1/sqrt(D), summed over masked tokens and divided by their number.

Run from the repository root: /usr/bin/python3 build/scripts/mim_reference.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'mim-reference.json')
g = torch.Generator().manual_seed(13)


def randn(*shape):
    return torch.randn(*shape, generator=g)


def patchify_nchw(imgs, p):
    n, c, hh, ww = imgs.shape
    h, w = hh // p, ww // p
    x = imgs.reshape(n, c, h, p, w, p)
    x = torch.einsum('nchpwq->nhwpqc', x)
    return x.reshape(n, h * w, p * p * c)


def mae_loss(pred, imgs_nhwc, mask, p, norm_pix):
    target = patchify_nchw(imgs_nhwc.permute(0, 3, 1, 2), p)
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
    loss = (pred - target) ** 2
    loss = loss.mean(dim=-1)
    return (loss * mask).sum() / mask.sum()


def d2v_target(layers, k):
    y = layers[-k:]
    y = [tl.permute(0, 2, 1) for tl in y]
    y = [F.instance_norm(tl) for tl in y]
    y = [tl.transpose(1, 2) for tl in y]
    return sum(y) / len(y)


def d2v_loss(x, y, mask, beta):
    m = mask.bool()
    xs, ys = x[m], y[m]
    if beta == 0:
        loss = F.mse_loss(xs, ys, reduction='none').sum(dim=-1)
    else:
        loss = F.smooth_l1_loss(xs, ys, reduction='none', beta=beta).sum(dim=-1)
    scale = 1 / math.sqrt(xs.size(-1))
    return loss.sum() * scale / loss.numel()


def random_mask(b, n, keep):
    noise = torch.rand(b, n, generator=g)
    ids = torch.argsort(noise, dim=1)
    mask = torch.ones(b, n)
    mask[:, :keep] = 0
    return torch.gather(mask, 1, torch.argsort(ids, dim=1))


cases = []
for (b, size, c, p) in [(2, 8, 1, 4), (3, 12, 3, 4), (2, 8, 3, 2)]:
    imgs = torch.rand(b, size, size, c, generator=g)
    cases.append({'fn': 'patchify', 'args': {'images': imgs.tolist(), 'p': p},
                  'expected': patchify_nchw(imgs.permute(0, 3, 1, 2), p).tolist()})
    n = (size // p) ** 2
    mask = random_mask(b, n, max(1, n // 4))
    for norm_pix in (1, 0):
        pred = randn(b, n, p * p * c).requires_grad_(True)
        loss = mae_loss(pred, imgs, mask, p, norm_pix == 1)
        (gp,) = torch.autograd.grad(loss, pred)
        cases.append({'fn': 'maeLoss', 'args': {'pred': pred.tolist(), 'images': imgs.tolist(), 'mask': mask.tolist(), 'p': p, 'normPix': norm_pix},
                      'expected': loss.item(), 'grads': {'pred': gp.tolist()}})

for (layers, k, b, n, d) in [(6, 3, 2, 5, 4), (4, 4, 3, 9, 8), (12, 6, 2, 4, 3)]:
    ys = randn(layers, b, n, d) * 2 + 0.5
    cases.append({'fn': 'data2vecTarget', 'args': {'layers': ys.tolist(), 'k': k}, 'expected': d2v_target(list(ys), k).tolist()})

for (b, n, d, beta) in [(2, 6, 4, 2.0), (3, 9, 8, 0.0), (2, 5, 3, 0.5)]:
    x = (randn(b, n, d) * 2).requires_grad_(True)
    y = randn(b, n, d)
    mask = (torch.rand(b, n, generator=g) < 0.6).double()
    mask[:, 0] = 1
    loss = d2v_loss(x, y, mask, beta)
    (gx,) = torch.autograd.grad(loss, x)
    cases.append({'fn': 'data2vecLoss', 'args': {'pred': x.tolist(), 'target': y.tolist(), 'mask': mask.tolist(), 'beta': beta},
                  'expected': loss.item(), 'grads': {'pred': gx.tolist()}})

with open(OUT, 'w') as f:
    json.dump({'generator': f'build/scripts/mim_reference.py, PyTorch {torch.__version__}, float64', 'cases': cases}, f)
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')
