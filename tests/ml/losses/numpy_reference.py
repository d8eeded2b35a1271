#!/usr/bin/env python3
"""Generates numpy-reference.json: float64 gradients (and a few extra cases) for the loss tests.

Dev-only (numpy; never a runtime dependency). Re-implements each loss in numpy from the
official formulas (the same ones DESIGN.md's "Loss API" names), first checks every forward
value against ../shared/fixtures/ssl-reference.json (PyTorch float64) to 1e-10, then:
- `cases`: central finite differences (h = 1e-6, float64: error about 1e-9) with respect to
  every differentiable argument of the fixture's small cases;
- `extraCases`: seeded inputs the fixture lacks, with their value and gradients: Barlow Twins
  and VICReg with more rows than features (N > D), which the TypeScript code computes through
  the D×D matrices instead of the N×N Gram matrices it uses for the fixture's N < D.
Stop-gradients follow the official code: DINO's teacher and center and SwAV's Sinkhorn codes
are constants (their zero gradients are checked by the TypeScript test itself, not stored here).

Run from the repository root:  python3 tests/ml/losses/numpy_reference.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, '..', '..', '..', '..', 'shared', 'fixtures', 'ssl-reference.json')
OUT = os.path.join(HERE, 'numpy-reference.json')


def nrm(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def log_softmax(x):
    m = x.max(1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))


def off_sq(c):
    return (c ** 2).sum() - (np.diag(c) ** 2).sum()


def nt_xent(z1, z2, t):
    n = len(z1)
    z = nrm(np.concatenate([z1, z2]))
    s = z @ z.T / t
    np.fill_diagonal(s, -np.inf)
    pos = np.r_[np.arange(n, 2 * n), np.arange(n)]
    return -log_softmax(s)[np.arange(2 * n), pos].mean()


def info_nce(q, k, queue, t):
    q, k, queue = nrm(q), nrm(k), nrm(queue)
    logits = np.concatenate([(q * k).sum(1, keepdims=True), q @ queue.T], 1) / t
    return -log_softmax(logits)[:, 0].mean()


def byol(p, z):
    return (2 - 2 * (nrm(p) * nrm(z)).sum(1)).mean()


def simsiam(p, z):
    return -(nrm(p) * nrm(z)).sum(1).mean()


def barlow(z1, z2, lam):
    bn = lambda x: (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    c = bn(z1).T @ bn(z2) / len(z1)
    return ((np.diag(c) - 1) ** 2).sum() + lam * off_sq(c)


def vicreg(x, y, sw, vw, cw):
    n, d = x.shape
    repr_loss = ((x - y) ** 2).mean()
    x, y = x - x.mean(0), y - y.mean(0)
    std = lambda a: np.sqrt(a.var(0, ddof=1) + 1e-4)
    std_loss = np.maximum(0, 1 - std(x)).mean() / 2 + np.maximum(0, 1 - std(y)).mean() / 2
    cov_loss = off_sq(x.T @ x / (n - 1)) / d + off_sq(y.T @ y / (n - 1)) / d
    return sw * repr_loss + vw * std_loss + cw * cov_loss


def teacher_probs(t, c, tt):
    return np.exp(log_softmax((t - c) / tt))


def dino(s, t, c, st, tt, q=None):
    q = teacher_probs(t, c, tt) if q is None else q
    return (-(q * log_softmax(s / st)).sum(1)).mean()


def sinkhorn(scores, eps, iters):
    q = np.exp(scores / eps).T
    k, b = q.shape
    q = q / q.sum()
    for _ in range(iters):
        q = q / q.sum(1, keepdims=True) / k
        q = q / q.sum(0, keepdims=True) / b
    return (q * b).T


def swav(s1, s2, t, eps, iters, codes=None):
    q1, q2 = codes if codes is not None else (sinkhorn(s1, eps, iters), sinkhorn(s2, eps, iters))
    ce = lambda q, s: -(q * log_softmax(s / t)).sum(1).mean()
    return 0.5 * (ce(q1, s2) + ce(q2, s1))


def alignment(z1, z2, alpha):
    return (np.linalg.norm(nrm(z1) - nrm(z2), axis=1) ** alpha).mean()


def uniformity(z, t):
    z = nrm(z)
    iu = np.triu_indices(len(z), 1)
    d2 = ((z[:, None] - z[None]) ** 2).sum(-1)[iu]
    return np.log(np.exp(-t * d2).mean())


FORWARD = {'ntXentLoss': nt_xent, 'infoNceLoss': info_nce, 'byolLoss': byol, 'simSiamLoss': simsiam,
           'barlowTwinsLoss': barlow, 'vicregLoss': vicreg, 'dinoLoss': dino, 'swavLoss': swav,
           'alignment': alignment, 'uniformity': uniformity, 'sinkhorn': sinkhorn}
# Differentiable arguments; DINO's teacher side and SwAV's codes are stop-gradients.
DIFF = {'ntXentLoss': ['z1', 'z2'], 'infoNceLoss': ['q', 'k', 'queue'], 'byolLoss': ['p', 'z'],
        'simSiamLoss': ['p', 'z'], 'barlowTwinsLoss': ['z1', 'z2'], 'vicregLoss': ['z1', 'z2'],
        'dinoLoss': ['studentLogits'], 'swavLoss': ['scores1', 'scores2'], 'alignment': ['z1', 'z2'],
        'uniformity': ['z']}


def frozen(fn, args):
    """The loss with its stop-gradient parts computed once from the given arguments."""
    if fn == 'dinoLoss':
        q = teacher_probs(args['teacherLogits'], args['center'], args['teacherTemp'])
        return lambda a: dino(*a.values(), q=q)
    if fn == 'swavLoss':
        codes = (sinkhorn(args['scores1'], args['epsilon'], args['iterations']),
                 sinkhorn(args['scores2'], args['epsilon'], args['iterations']))
        return lambda a: swav(*a.values(), codes=codes)
    return lambda a: FORWARD[fn](*a.values())


def central_difference(f, args, name, h=1e-6):
    x = args[name]
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f(args)
        x[idx] = old - h
        down = f(args)
        x[idx] = old
        g[idx] = (up - down) / (2 * h)
    return g


def main():
    ref = json.load(open(FIXTURE))
    out = {'generator': 'tests/ml/losses/numpy_reference.py: numpy float64 central differences, h = 1e-6, '
                        'forward checked against ssl-reference.json to 1e-10', 'cases': [], 'extraCases': []}
    for i, case in enumerate(ref['cases']):
        fn = case['fn']
        if fn == 'knnPredict':
            continue
        args = {k: (np.array(v, dtype=np.float64) if isinstance(v, list) else v) for k, v in case['args'].items()}
        value = FORWARD[fn](*args.values())
        err = np.abs(np.asarray(value) - np.asarray(case['expected'])).max()
        assert err < 1e-10, f'case {i} {fn}: numpy forward differs from the fixture by {err}'
        first = np.array(next(iter(case['args'].values())))
        if fn == 'sinkhorn' or first.size > 700:
            continue  # sinkhorn has no gradient; keep the JSON small: the two smaller case sets
        f = frozen(fn, args)
        grads = {name: np.round(central_difference(f, args, name), 12).tolist() for name in DIFF[fn]}
        out['cases'].append({'fn': fn, 'caseIndex': i, 'grads': grads})
    rng = np.random.default_rng(20261122)
    for fn, n, d, extra in [('barlowTwinsLoss', 24, 6, [0.005]), ('vicregLoss', 24, 6, [25, 25, 1]),
                            ('barlowTwinsLoss', 12, 12, [0.02]), ('vicregLoss', 12, 12, [10, 20, 2])]:
        args = {'z1': rng.normal(size=(n, d)) * 2 + 0.5, 'z2': None}
        args['z2'] = 0.6 * args['z1'] + 0.8 * rng.normal(size=(n, d))
        names = ['lambda'] if fn == 'barlowTwinsLoss' else ['simWeight', 'varWeight', 'covWeight']
        args.update(dict(zip(names, extra)))
        f = frozen(fn, args)
        grads = {name: np.round(central_difference(f, args, name), 12).tolist() for name in DIFF[fn]}
        out['extraCases'].append({'fn': fn, 'args': {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                                                     for k, v in args.items()},
                                  'expected': float(f(args)), 'grads': grads})
    with open(OUT, 'w') as fh:
        json.dump(out, fh, separators=(',', ':'))
    print(f'wrote {len(out["cases"])} gradient cases and {len(out["extraCases"])} extra cases to {OUT}')


if __name__ == '__main__':
    main()
