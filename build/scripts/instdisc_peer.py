#!/usr/bin/env python3
"""PyTorch run of lemniscate's CIFAR recipe (Wu et al. 2018, zhirongw/lemniscate.pytorch cifar.py,
lib/NCEAverage.py, lib/NCECriterion.py) on a Pretext dataset's images and split, to tell whether
Pretext's `instdisc` behaves as the reference does in its first epochs.

The recipe, written from the reference (not from Pretext's TypeScript): one view per image,
RandomResizedCrop(scale 0.2-1) -> ColorJitter(0.4, 0.4, 0.4, 0.4) -> RandomGrayscale(0.2), no flip
(commented out in cifar.py); encoder -> Linear(feat, 128) -> L2 normalisation; a memory bank
[n, 128] uniform in +-1/sqrt(128/3); per image K noise rows drawn uniformly (the AliasMethod over
uniform unigrams) with the positive in column 0; out = exp(v.w / tau) / Z with Z = mean(out) * n set
on the first batch and then constant; NCECriterion; SGD lr 0.03 (constant for the first 80
epochs), momentum 0.9, weight decay 5e-4, batch 128; after the step the batch's bank rows become
normalize(m * w_pos + (1 - m) * v) with w_pos the rows gathered in the forward.
The encoder is Pretext's (src-main/bench/peer/ssl_parts.py Encoder), so that the comparison is
about the method. Options reproduce Pretext's choices one at a time (--tau, --lr, --cosine,
--flip, --shared-noise) to find which, if any, makes the difference.

Input: --workspace WS, a Pretext workspace holding one imported dataset (e.g. `pretext import
--sample fashion-mnist`), read-only: its pixels.u8 and the items' labels and split; channel
stats over the train pixels as Pretext's channelStats. Run with Debian's /usr/bin/python3 (torch,
torchvision); e.g. /usr/bin/python3 build/scripts/instdisc_peer.py --workspace /tmp/X-ws --epochs 2.
Output: one JSON line with kNN top-1 of
the pooled backbone features (k 200, T 0.1, Pretext's monitor) at init and after each epoch, the
loss per epoch (first, mean, last batch), Z, and the std of the backbone features.
"""
import argparse
import json
import sqlite3
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms as T

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src-main", "bench", "peer"))
from ssl_parts import Encoder, knn_top1  # noqa: E402


def nce_criterion(out, n):
    """lib/NCECriterion.py: P(origin=model) for the positive, P(origin=noise) for the K rows."""
    eps = 1e-7
    k = out.shape[1] - 1
    kpn = k / float(n)
    ln_pmt = torch.log(out[:, 0] / (out[:, 0] + kpn + eps))
    ln_pon = torch.log(kpn / (out[:, 1:] + kpn + eps))
    return -(ln_pmt.sum() + ln_pon.sum()) / out.shape[0]


def load_workspace(ws):
    """The dataset of a workspace (the only one): pixels [N, H, W, C] uint8 and its split/labels/stats."""
    db = sqlite3.connect(f"file:{os.path.join(ws, 'pretext.db')}?mode=ro", uri=True)
    rows = db.execute("SELECT id, image_size, channels FROM datasets").fetchall()
    if len(rows) != 1:
        raise SystemExit(f"--workspace {ws}: expected one dataset, found {len(rows)}")
    ds, size, ch = rows[0]
    items = db.execute("SELECT idx, label, split FROM items WHERE dataset_id = ? ORDER BY idx", (ds,)).fetchall()
    classes = db.execute("SELECT COUNT(*) FROM classes WHERE dataset_id = ?", (ds,)).fetchone()[0]
    pixels = np.fromfile(os.path.join(ws, "datasets", ds, "pixels.u8"), dtype=np.uint8).reshape(-1, size, size, ch)
    tr = [i for i, _, s in items if s == "train"]
    te = [i for i, _, s in items if s == "test"]
    labels = np.full(len(items), -1, dtype=np.int64)
    for i, label, _ in items:
        labels[i] = -1 if label is None else label
    t = pixels[tr].astype(np.float64) / 255
    stats = {"mean": t.mean(axis=(0, 1, 2)).tolist(), "std": t.std(axis=(0, 1, 2)).tolist()}
    return pixels, {"size": size, "channels": ch, "trainIdx": tr, "testIdx": te, "labels": labels.tolist(), "numClasses": classes, "stats": stats}


@torch.no_grad()
def features(encoder, images, idx, to_tensor):
    encoder.eval()
    f = [encoder(torch.stack([to_tensor(images[i]) for i in idx[c : c + 256]])) for c in range(0, len(idx), 256)]
    encoder.train()
    return torch.cat(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--arch", default="small")
    ap.add_argument("--width", type=float, default=0.5)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.03)
    ap.add_argument("--tau", type=float, default=0.1)
    ap.add_argument("--k", type=int, default=4096)
    ap.add_argument("--m", type=float, default=0.5)
    ap.add_argument("--cosine", action="store_true", help="cosine decay of the lr to 0 over the run (Pretext's schedule)")
    ap.add_argument("--flip", action="store_true", help="random horizontal flip (Pretext's view; cifar.py has it commented out)")
    ap.add_argument("--shared-noise", action="store_true", help="one draw of K noise rows for the whole batch (Pretext's)")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    pixels, data = load_workspace(a.workspace)
    size, ch = data["size"], data["channels"]
    labels = torch.tensor(data["labels"], dtype=torch.long)
    tr, te = data["trainIdx"], data["testIdx"]
    n = len(tr)
    row_of = {idx: r for r, idx in enumerate(tr)}
    stats = data["stats"]
    norm = T.Normalize(stats["mean"], stats["std"])
    ops = [T.RandomResizedCrop(size, scale=(0.2, 1.0)), T.ColorJitter(0.4, 0.4, 0.4, 0.4), T.RandomGrayscale(p=0.2)]
    if a.flip:
        ops.append(T.RandomHorizontalFlip())
    view = T.Compose(ops + [T.ToTensor(), norm])
    to_tensor = T.Compose([T.ToTensor(), norm])
    images = [Image.fromarray(pixels[i] if ch == 3 else pixels[i, :, :, 0]) for i in range(pixels.shape[0])]

    encoder = Encoder(a.arch, a.width, ch, size)
    head = nn.Linear(encoder.features, 128)
    opt = torch.optim.SGD(list(encoder.parameters()) + list(head.parameters()), lr=a.lr, momentum=0.9, weight_decay=5e-4)
    stdv = 1.0 / math.sqrt(128 / 3)
    bank = torch.rand(n, 128).mul_(2 * stdv).add_(-stdv)
    z = -1.0

    def knn():
        f_tr, f_te = features(encoder, images, tr, to_tensor), features(encoder, images, te, to_tensor)
        acc = knn_top1(f_tr, labels[tr], f_te, labels[te], int(data["numClasses"]), 200, 0.1)
        return acc, float(f_te.std(0).mean())

    acc0, std0 = knn()
    print(f"init knn {acc0:.4f} feature std {std0:.4f}", file=sys.stderr, flush=True)
    gen = torch.Generator().manual_seed(a.seed)
    spe = n // a.batch
    total = a.epochs * spe
    step = 0
    epochs = []
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=gen).tolist()
        losses = []
        for s in range(spe):
            idx = [tr[i] for i in order[s * a.batch : (s + 1) * a.batch]]
            rows = torch.tensor([row_of[i] for i in idx])
            b = len(idx)
            x = torch.stack([view(images[i]) for i in idx])
            lr = a.lr * 0.5 * (1 + math.cos(math.pi * step / total)) if a.cosine else a.lr
            for g in opt.param_groups:
                g["lr"] = lr
            v = F.normalize(head(encoder(x)), dim=1)
            noise = torch.randint(0, n, (1, a.k) if a.shared_noise else (b, a.k), generator=gen).expand(b, a.k)
            w = bank[torch.cat([rows[:, None], noise], 1)]  # [b, K+1, 128], a constant (a buffer there)
            out = torch.exp(torch.bmm(w, v[:, :, None]).squeeze(2) / a.tau)
            if z < 0:
                z = float(out.detach().mean()) * n
                print(f"Z set to {z:.1f}", file=sys.stderr, flush=True)
            loss = nce_criterion(out / z, n)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                bank[rows] = F.normalize(w[:, 0] * a.m + v.detach() * (1 - a.m), dim=1)
            losses.append(float(loss))
            step += 1
            if step % 10 == 0:
                print(f"step {step}/{total} loss {losses[-1]:.3f}", file=sys.stderr, flush=True)
        acc, std = knn()
        epochs.append({"epoch": epoch + 1, "knn_top1": acc, "feature_std": std, "loss_first": losses[0], "loss_mean": float(np.mean(losses)), "loss_last": losses[-1], "seconds": time.perf_counter() - t0})
        print(json.dumps(epochs[-1]), file=sys.stderr, flush=True)
    opts = {k: getattr(a, k) for k in ("arch", "width", "seed", "batch", "lr", "tau", "k", "m", "cosine", "flip", "shared_noise")}
    json.dump({"torch": torch.__version__, "options": opts, "z": z, "init": {"knn_top1": acc0, "feature_std": std0}, "epochs": epochs}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
