#!/usr/bin/env python3
"""Generates tests/fixtures/contrastive-reference.json: float64 PyTorch values and autograd
gradients of the contrastive-loss family (issue 12), written from each paper's official code:

- dclLoss(z1, z2, temperature, tauPlus): Chuang et al. 2020, chingyaoc/DCL main.py `criterion`
  (debiased estimator, Ng clamped at N·e^(-1/t)).
- hclLoss(z1, z2, temperature, tauPlus, beta): Robinson et al. 2021, joshr17/HCL image/main.py
  `criterion`, estimator 'hard' (importance weights neg^beta, clamp as DCL).
- flatNceLoss(z1, z2, temperature): Chen et al. 2021 (FlatNCE), the official training step:
  v = logsumexp((s_neg - s_pos)/t); loss = mean(exp(v - v.detach())) - 1
  + cross_entropy([0, logits], 0).detach(): the InfoNCE value with FlatNCE's gradient.
- alignUniformLoss(z1, z2, alignWeight, uniformWeight, alpha, t): Wang & Isola 2020,
  SsnL/align_uniform examples: align_loss·w_a + (uniform_loss(x) + uniform_loss(y))/2·w_u.
- invaSpreadLoss(z1, z2, temperature): Ye et al. 2019, mangye16/Unsupervised_Embedding_Learning
  BatchCriterion with negM = 1 (x = [z1; z2], the `.data` operands detached).
- nnclrLoss(nn, p, temperature): Dwibedi et al. 2021, solo-learn solo/losses/nnclr.py
  `nnclr_loss_func` (one process).
- nceLoss(out, numData): Wu et al. 2018, zhirongw/lemniscate.pytorch lib/NCECriterion.py.

Every loss L2-normalises its inputs first (the official encoders end in F.normalize), so the
inputs here are raw. Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 build/scripts/contrastive_reference.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'contrastive-reference.json')


def negative_mask(b):
    mask = torch.ones((b, 2 * b), dtype=torch.bool)
    for i in range(b):
        mask[i, i] = 0
        mask[i, i + b] = 0
    return torch.cat((mask, mask), 0)


def dcl_hcl(z1, z2, temperature, tau_plus, beta, estimator):
    out_1, out_2 = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    b = out_1.shape[0]
    out = torch.cat([out_1, out_2], dim=0)
    neg = torch.exp(torch.mm(out, out.t().contiguous()) / temperature)
    neg = neg.masked_select(negative_mask(b)).view(2 * b, -1)
    pos = torch.exp(torch.sum(out_1 * out_2, dim=-1) / temperature)
    pos = torch.cat([pos, pos], dim=0)
    n = b * 2 - 2
    if estimator == 'hard':
        imp = (beta * neg.log()).exp()
        reweight_neg = (imp * neg).sum(dim=-1) / imp.mean(dim=-1)
        ng = (-tau_plus * n * pos + reweight_neg) / (1 - tau_plus)
    else:
        ng = (-tau_plus * n * pos + neg.sum(dim=-1)) / (1 - tau_plus)
    ng = torch.clamp(ng, min=n * math.e ** (-1 / temperature))
    return (-torch.log(pos / (pos + ng))).mean()


def dcl(z1, z2, temperature, tauPlus):
    return dcl_hcl(z1, z2, temperature, tauPlus, 0.0, 'easy')


def hcl(z1, z2, temperature, tauPlus, beta):
    return dcl_hcl(z1, z2, temperature, tauPlus, beta, 'hard')


def flatnce(z1, z2, temperature):
    b = z1.shape[0]
    features = F.normalize(torch.cat([z1, z2], 0), dim=1)
    labels = torch.cat([torch.arange(b) for _ in range(2)], dim=0)
    labels = (labels.unsqueeze(0) == labels.unsqueeze(1)).float()
    mask = torch.eye(labels.shape[0], dtype=torch.bool)
    labels = labels[~mask].view(labels.shape[0], -1)
    sim = (features @ features.T)[~mask].view(2 * b, -1)
    positives = sim[labels.bool()].view(labels.shape[0], -1)
    negatives = sim[~labels.bool()].view(sim.shape[0], -1)
    logits = (negatives - positives) / temperature
    v = torch.logsumexp(logits, dim=1, keepdim=True)
    loss_vec = torch.exp(v - v.detach())
    dummy = torch.cat([torch.zeros(logits.size(0), 1), logits], 1)
    target = torch.zeros(logits.size(0), dtype=torch.long)
    return loss_vec.mean() - 1 + F.cross_entropy(dummy, target).detach()


def align_uniform(z1, z2, alignWeight, uniformWeight, alpha, t):
    x, y = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    align = (x - y).norm(p=2, dim=1).pow(alpha).mean()
    unif = lambda u: torch.pdist(u, p=2).pow(2).mul(-t).exp().mean().log()
    return align * alignWeight + (unif(x) + unif(y)) / 2 * uniformWeight


def inva_spread(z1, z2, temperature):
    x = F.normalize(torch.cat([z1, z2], 0), dim=1)
    n = x.size(0)
    diag_mat = 1 - torch.eye(n)
    reordered_x = torch.cat((x.narrow(0, n // 2, n // 2), x.narrow(0, 0, n // 2)), 0)
    pos = (x * reordered_x.data).sum(1).div(temperature).exp()
    all_prob = torch.mm(x, x.t().data).div(temperature).exp() * diag_mat
    all_div = all_prob.sum(1)
    lnPmt = torch.div(pos, all_div)
    lnPon = torch.div(all_prob, all_div.repeat(n, 1).t())
    lnPon = -lnPon.add(-1)
    lnPon = lnPon.log()
    lnPon = lnPon.sum(1) - (-lnPmt.add(-1)).log()
    lnPmt = lnPmt.log()
    return -(lnPmt.sum(0) + lnPon.sum(0)) / n


def nnclr(nn, p, temperature):
    nn = F.normalize(nn, dim=-1)
    p = F.normalize(p, dim=-1)
    logits = nn @ p.T / temperature
    return F.cross_entropy(logits, torch.arange(p.size(0)))


def nce(x, numData):
    eps = 1e-7
    batch = x.size(0)
    k = x.size(1) - 1
    pnt = 1 / float(numData)
    pns = 1 / float(numData)
    pmt = x.select(1, 0)
    ln_pmt = torch.div(pmt, pmt.add(k * pnt + eps)).log()
    pon_div = x.narrow(1, 1, k).add(k * pns + eps)
    pon = pon_div.clone().fill_(k * pns)
    ln_pon = torch.div(pon, pon_div).log()
    return -(ln_pmt.sum(0) + ln_pon.view(-1, 1).sum(0)) / batch


FNS = {'dclLoss': dcl, 'hclLoss': hcl, 'flatNceLoss': flatnce, 'alignUniformLoss': align_uniform, 'invaSpreadLoss': inva_spread, 'nnclrLoss': nnclr}

# Papers' defaults first, then a second setting per loss.
CASES = [
    ('dclLoss', (4, 8), {'temperature': 0.5, 'tauPlus': 0.1}),
    ('dclLoss', (6, 5), {'temperature': 0.2, 'tauPlus': 0.05}),
    ('hclLoss', (4, 8), {'temperature': 0.5, 'tauPlus': 0.1, 'beta': 1.0}),
    ('hclLoss', (6, 5), {'temperature': 0.2, 'tauPlus': 0.05, 'beta': 0.5}),
    ('flatNceLoss', (4, 8), {'temperature': 0.1}),
    ('flatNceLoss', (6, 5), {'temperature': 0.5}),
    ('alignUniformLoss', (4, 8), {'alignWeight': 1.0, 'uniformWeight': 1.0, 'alpha': 2.0, 't': 2.0}),
    ('alignUniformLoss', (6, 5), {'alignWeight': 0.5, 'uniformWeight': 2.0, 'alpha': 1.5, 't': 3.0}),
    ('invaSpreadLoss', (4, 8), {'temperature': 0.1}),
    ('invaSpreadLoss', (6, 5), {'temperature': 0.5}),
    ('nnclrLoss', (4, 8), {'temperature': 0.2}),
    ('nnclrLoss', (6, 5), {'temperature': 0.5}),
]
# nceLoss takes probabilities [B, K + 1]: exp(s/t)/Z with s a cosine, as the memory bank gives.
NCE_CASES = [((4, 9), 0.07, 100), ((3, 17), 0.1, 1000)]


def main():
    gen = torch.Generator().manual_seed(12)
    cases = []
    for fn, (n, d), hyper in CASES:
        # float32-representable inputs, so the TypeScript side sees exactly these values.
        z1 = torch.randn(n, d, generator=gen).float().double().requires_grad_(True)
        z2 = torch.randn(n, d, generator=gen).float().double().requires_grad_(True)
        loss = FNS[fn](z1, z2, *hyper.values())
        g1, g2 = torch.autograd.grad(loss, [z1, z2])
        cases.append({
            'fn': fn,
            'args': {'z1': z1.tolist(), 'z2': z2.tolist(), **hyper},
            'expected': loss.item(),
            'grads': {'z1': g1.tolist(), 'z2': g2.tolist()},
        })
    for (b, cols), t, num_data in NCE_CASES:
        s = torch.rand(b, cols, generator=gen) * 2 - 1
        out = torch.exp(s / t)
        out = (out / (out.mean() * num_data)).float().double().requires_grad_(True)
        loss = nce(out, num_data)
        (g,) = torch.autograd.grad(loss, [out])
        cases.append({'fn': 'nceLoss', 'args': {'out': out.tolist(), 'numData': num_data}, 'expected': loss.item(), 'grads': {'out': g.tolist()}})
    out = {'generator': f'PyTorch {torch.__version__}, float64, build/scripts/contrastive_reference.py', 'cases': cases}
    with open(OUT, 'w') as f:
        json.dump(out, f)
        f.write('\n')
    print(f'{len(cases)} cases -> {os.path.relpath(OUT)}')
    for c in cases:
        print(c['fn'], c['expected'])


if __name__ == '__main__':
    main()
