#!/usr/bin/env python3
"""Generates tests/fixtures/clustering-reference.json: float64 PyTorch values and autograd
gradients of the multi-crop SwAV and DINO losses (issue 12), written from the official code:

- swavMultiCrop(scores, queueScores, temperature, epsilon, iterations): Caron et al. 2020,
  facebookresearch/swav main_swav.py, the loss loop of `train` for one process:
  for each assigned crop i (the first len(queueScores) crops) the codes are
  distributed_sinkhorn(cat((queue_i @ C^T, out_i)))[-bs:] under no_grad (no queue when
  queueScores is empty), predicted from every other crop v by -mean(sum(q * log_softmax(s_v/T)));
  subloss / (ncrops - 1), averaged over the assigned crops. scores: [V, B, K], queueScores:
  [G, Q, K] (G assigned crops, Q queued rows each), or [] for no queue with G = 2.
- dinoMultiCrop(student, teacher, center, studentTemp, teacherTemp): Caron et al. 2021,
  facebookresearch/dino main_dino.py DINOLoss.forward (softmax((t - center)/temp).detach(),
  every teacher chunk iq against every student chunk v != iq, mean over the pairs).
- dinoCenter(center, teacher, momentum): DINOLoss.update_center for one process:
  center * m + sum(teacher, dim=0) / len(teacher) * (1 - m), teacher the global chunks stacked.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 build/scripts/clustering_reference.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'clustering-reference.json')


@torch.no_grad()
def distributed_sinkhorn(out, epsilon, iterations):
    # main_swav.py with world_size 1, as written there (no max subtraction: float64 holds
    # exp(1/0.05); our float32 code subtracts the max, which the first normalisation cancels).
    Q = torch.exp(out / epsilon).t()
    B = Q.shape[1]
    K = Q.shape[0]
    Q /= torch.sum(Q)
    for _ in range(iterations):
        Q /= torch.sum(Q, dim=1, keepdim=True)
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()


def swav_multi_crop(scores, queue_scores, temperature, epsilon, iterations):
    ncrops = scores.shape[0]
    assigned = queue_scores.shape[0] if queue_scores is not None else 2
    loss = 0
    for i in range(assigned):
        with torch.no_grad():
            out = scores[i].detach()
            if queue_scores is not None:
                out = torch.cat((queue_scores[i], out))
            q = distributed_sinkhorn(out, epsilon, iterations)[-scores.shape[1]:]
        subloss = 0
        for v in [v for v in range(ncrops) if v != i]:
            x = scores[v] / temperature
            subloss -= torch.mean(torch.sum(q * F.log_softmax(x, dim=1), dim=1))
        loss += subloss / (ncrops - 1)
    return loss / assigned


def dino_multi_crop(student, teacher, center, student_temp, teacher_temp):
    student_out = [s / student_temp for s in student]
    teacher_out = [F.softmax((t - center) / teacher_temp, dim=-1).detach() for t in teacher]
    total, n = 0, 0
    for iq, q in enumerate(teacher_out):
        for v in range(len(student_out)):
            if v == iq:
                continue
            total += torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1).mean()
            n += 1
    return total / n


def dino_center(center, teacher, momentum):
    t = torch.cat(list(teacher))
    return center * momentum + torch.sum(t, dim=0, keepdim=True)[0] / len(t) * (1 - momentum)


def main():
    g = torch.Generator().manual_seed(12)
    cases = []
    # Prototype scores are dot products of unit vectors: in [-1, 1].
    for v, b, k, q, temp, eps, iters in [(4, 5, 7, 0, 0.1, 0.05, 3), (8, 6, 10, 12, 0.1, 0.05, 3), (3, 4, 6, 8, 0.2, 0.1, 5)]:
        scores = (torch.rand(v, b, k, generator=g) * 2 - 1).requires_grad_(True)
        queue = (torch.rand(2, q, k, generator=g) * 2 - 1) if q > 0 else None
        loss = swav_multi_crop(scores, queue, temp, eps, iters)
        (grad,) = torch.autograd.grad(loss, scores)
        cases.append({
            'fn': 'swavMultiCrop',
            'args': {'scores': scores.tolist(), 'queueScores': queue.tolist() if queue is not None else [],
                     'temperature': temp, 'epsilon': eps, 'iterations': iters},
            'expected': loss.item(), 'grads': {'scores': grad.tolist()},
        })
    for v, n, k, st, tt, scale in [(4, 5, 6, 0.1, 0.04, 3.0), (10, 3, 8, 0.1, 0.07, 5.0), (3, 6, 5, 0.2, 0.05, 1.0)]:
        student = (torch.randn(v, n, k, generator=g) * scale).requires_grad_(True)
        teacher = torch.randn(2, n, k, generator=g) * scale
        center = torch.randn(k, generator=g)
        loss = dino_multi_crop(list(student), list(teacher), center, st, tt)
        (grad,) = torch.autograd.grad(loss, student)
        cases.append({
            'fn': 'dinoMultiCrop',
            'args': {'student': student.tolist(), 'teacher': teacher.tolist(), 'center': center.tolist(), 'studentTemp': st, 'teacherTemp': tt},
            'expected': loss.item(), 'grads': {'student': grad.tolist()},
        })
        for m in (0.9, 0.5):
            cases.append({
                'fn': 'dinoCenter',
                'args': {'center': center.tolist(), 'teacher': teacher.tolist(), 'momentum': m},
                'expected': dino_center(center, teacher, m).tolist(),
            })
    out = {'generator': f'PyTorch {torch.__version__}, float64, build/scripts/clustering_reference.py', 'cases': cases}
    with open(OUT, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
