#!/usr/bin/env python3
"""Generates tests/fixtures/moco-cluster-reference.json: float64 PyTorch values and autograd
gradients of the losses of issue 12's MoCo v3 and DeepCluster v2, and k-means runs on the
hypersphere, written from the official code:

- mocoV3Loss(q, k, temperature): Chen, Xie, He 2021, facebookresearch/moco-v3 moco/builder.py
  `contrastive_loss` on one process: CE(normalize(q)·normalize(k)ᵀ/τ, arange(N))·2τ.
- deepClusterLoss(scores, assignments, temperature): Caron et al. 2020, solo-learn
  solo/losses/deepclusterv2.py (one prototype set): CE(scores/τ, assignments, ignore_index=-1).
- sphericalKMeans(x, init, iters): solo-learn solo/utils/kmeans.py `cluster_memory` (swav
  main_deepclusterv2.py) with the initial centroids given by their row indices: iters rounds of
  E step (argmax of x·cᵀ) and M step (mean of the members, empty clusters kept, L2-normalised),
  then a last E step; returns the assignments and the centroids.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 build/scripts/moco_cluster_reference.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'moco-cluster-reference.json')


def mocov3(q, k, temperature):
    q = F.normalize(q, dim=1)
    k = F.normalize(k, dim=1)
    logits = torch.einsum('nc,mc->nm', [q, k]) / temperature
    labels = torch.arange(logits.shape[0], dtype=torch.long)
    return F.cross_entropy(logits, labels) * (2 * temperature)


def deepcluster(scores, assignments, temperature):
    return F.cross_entropy(scores / temperature, assignments, ignore_index=-1)


def kmeans(x, init, iters):
    centroids = x[init].clone()
    k = centroids.shape[0]
    for n_iter in range(iters + 1):
        assign = torch.mm(x, centroids.t()).max(dim=1)[1]
        if n_iter == iters:
            break
        counts = torch.zeros(k)
        sums = torch.zeros(k, x.shape[1])
        sums.index_add_(0, assign, x)
        counts.index_add_(0, assign, torch.ones(x.shape[0]))
        mask = counts > 0
        centroids[mask] = sums[mask] / counts[mask].unsqueeze(1)
        centroids = F.normalize(centroids, dim=1, p=2)
    return assign, centroids


def f32(t):
    return t.float().double()


def main():
    gen = torch.Generator().manual_seed(21)
    cases = []
    for (n, d), t in [((4, 8), 0.2), ((6, 5), 1.0), ((5, 16), 0.07)]:
        q = f32(torch.randn(n, d, generator=gen)).requires_grad_(True)
        k = f32(torch.randn(n, d, generator=gen)).requires_grad_(True)
        loss = mocov3(q, k, t)
        gq, gk = torch.autograd.grad(loss, [q, k])
        cases.append({'fn': 'mocoV3Loss', 'args': {'q': q.tolist(), 'k': k.tolist(), 'temperature': t},
                      'expected': loss.item(), 'grads': {'q': gq.tolist(), 'k': gk.tolist()}})
    for (n, kk), t, assignments in [((6, 5), 0.1, [0, 4, 2, 2, -1, 1]), ((4, 7), 0.5, [6, -1, 0, 3])]:
        # Scores of unit vectors against unit prototypes: cosines in [-1, 1].
        s = f32(torch.rand(n, kk, generator=gen) * 2 - 1).requires_grad_(True)
        loss = deepcluster(s, torch.tensor(assignments), t)
        (g,) = torch.autograd.grad(loss, [s])
        cases.append({'fn': 'deepClusterLoss', 'args': {'scores': s.tolist(), 'assignments': assignments, 'temperature': t},
                      'expected': loss.item(), 'grads': {'scores': g.tolist()}})
    kmeans_cases = []
    for (n, d), init, iters in [((40, 6), [3, 17, 25, 8], 10), ((30, 4), [0, 1, 2], 3)]:
        x = f32(F.normalize(torch.randn(n, d, generator=gen), dim=1))
        assign, centroids = kmeans(x, torch.tensor(init), iters)
        kmeans_cases.append({'x': x.tolist(), 'init': init, 'iters': iters, 'assignments': assign.tolist(), 'centroids': centroids.tolist()})
    payload = {'generator': f'PyTorch {torch.__version__}, float64, build/scripts/moco_cluster_reference.py', 'cases': cases, 'kmeans': kmeans_cases}
    with open(OUT, 'w') as f:
        f.write(json.dumps(payload) + '\n')
    summary = [f"{c['fn']} {c['expected']}" for c in cases]
    print('\n'.join([f'{len(cases)} loss cases, {len(kmeans_cases)} k-means cases -> {os.path.relpath(OUT)}', *summary]))

if __name__ == '__main__':
    main()
