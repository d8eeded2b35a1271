"""Reference jigsaw permutation sets: the greedy maximal-Hamming algorithm of
bbrattoli/JigsawPuzzlePytorch select_permutations.py (selection 'max'), with the first
permutation given by index instead of np.random.randint (the TS side draws it from its own
seeded stream; src-main/ml/augment/permutations.ts). Writes tests/fixtures/jigsaw-permutations.json.

Usage: python3 build/scripts/jigsaw_permutations.py
"""
import itertools
import json
import os

import numpy as np

CASES = [(100, 0), (100, 123456), (30, 362879)]


def select(classes, first):
    P_hat = np.array(list(itertools.permutations(list(range(9)), 9)))
    j = first
    P = None
    D_prev = None
    for i in range(classes):
        if i == 0:
            P = np.array(P_hat[j]).reshape([1, -1])
        else:
            P = np.concatenate([P, P_hat[j].reshape([1, -1])], axis=0)
        P_hat = np.delete(P_hat, j, axis=0)
        # cdist(P, P_hat, 'hamming').mean(axis=0) in exact arithmetic: the summed number of
        # differing positions (float rounding of the mean of fractions could break ties otherwise).
        D = D_prev[np.arange(len(D_prev)) != j] if i > 0 else None
        new = (P_hat != P[-1][None, :]).sum(axis=1)
        D = new if D is None else D + new
        D_prev = D
        j = int(D.argmax())
    return P


def main():
    out = []
    for classes, first in CASES:
        P = select(classes, first)
        d = (P[:, None, :] != P[None, :, :]).sum(axis=2)
        off = d[~np.eye(len(P), dtype=bool)]
        out.append({'size': classes, 'first': first, 'permutations': P.tolist(),
                    'meanHamming': float(off.mean()), 'minHamming': int(off.min())})
    path = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'fixtures', 'jigsaw-permutations.json')
    with open(path, 'w') as f:
        json.dump(out, f)
    print('wrote', path)


if __name__ == '__main__':
    main()
