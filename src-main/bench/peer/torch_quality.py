#!/usr/bin/env python3
"""PyTorch peer of `pretext bench quality`: retrains a Pretext run's recipe with solo-learn's
semantics and torchvision/PIL augmentations on the same images and split, and reports kNN top-1
per epoch.

Inputs (files, never the workspace's SQLite):
  --pixels  the dataset's pixels.u8 (uint8 NHWC, numItems x size x size x channels)
  --data    JSON {size, channels, trainIdx, testIdx, labels, numClasses, stats: {mean, std}}
  --config  JSON {config: the run's resolved RunConfig, views: its resolved ViewSpec list}
  --set KEY=VALUE  overrides of the peer's recipe (clipLr=false, tau=0.99, ...), repeatable
Output: progress lines `step S/T loss L` on stderr; one JSON object on the last line of stdout:
  {"torch", "method", "seed", "recipe": {...what the peer used...}, "epochs": [{"epoch", "loss",
  "knn_top1", "seconds"}]}.
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
from PIL import Image, ImageFilter, ImageOps
from torchvision import transforms as T

from ssl_methods import METHODS
from ssl_parts import LARS, Encoder, knn_top1, warmup_cosine


class PILGaussianBlur:
    """solo-learn's GaussianBlur (solo/data/pretrain_dataloader.py), as MoCo v2's: sigma uniform in
    [lo, hi], PIL ImageFilter.GaussianBlur(radius=sigma) (PIL's box-blur approximation)."""

    def __init__(self, sigma):
        self.sigma = sigma

    def __call__(self, img):
        s = float(torch.empty(1).uniform_(self.sigma[0], self.sigma[1]))
        return img.filter(ImageFilter.GaussianBlur(radius=s))


class Solarize:
    """solo-learn's Solarization: ImageOps.solarize (pixels >= threshold inverted; 128 = 0.5)."""

    def __init__(self, threshold):
        self.threshold = int(round(threshold * 255))

    def __call__(self, img):
        return ImageOps.solarize(img, self.threshold)


def view_transform(v, stats):
    """One view as solo-learn's build_transform_pipeline (solo/data/pretrain_dataloader.py):
    RandomResizedCrop -> ColorJitter (p) -> RandomGrayscale -> blur (p) -> solarize (p) ->
    horizontal flip -> ToTensor -> Normalize, with the ViewSpec's parameters."""
    ops = []
    size = v["size"]
    if v.get("crop"):
        c = v["crop"]
        interp = T.InterpolationMode.BICUBIC if c.get("interpolation", "bilinear") == "bicubic" else T.InterpolationMode.BILINEAR
        ops.append(T.RandomResizedCrop(size, scale=tuple(c["scale"]), ratio=tuple(c["ratio"]), interpolation=interp))
    else:
        ops.append(T.Resize((size, size), interpolation=T.InterpolationMode.BICUBIC))
    j = v.get("colorJitter")
    if j:
        ops.append(T.RandomApply([T.ColorJitter(j["brightness"], j["contrast"], j["saturation"], j["hue"])], p=j["prob"]))
    if v.get("grayscaleProb", 0) > 0:
        ops.append(T.RandomGrayscale(p=v["grayscaleProb"]))
    b = v.get("blur")
    if b and b["prob"] > 0:
        if b["kernel"] == "tenth":  # SimCLR / BYOL official code: kernel ~10% of the side
            k = 2 * ((size // 10) // 2) + 1
            blur = T.GaussianBlur(k, sigma=tuple(b["sigma"])) if k > 1 else (lambda img: img)
        else:
            blur = PILGaussianBlur(b["sigma"])
        ops.append(T.RandomApply([blur], p=b["prob"]))
    s = v.get("solarize")
    if s and s["prob"] > 0:
        ops.append(T.RandomApply([Solarize(s["threshold"])], p=s["prob"]))
    if v.get("flipProb", 0) > 0:
        ops.append(T.RandomHorizontalFlip(p=v["flipProb"]))
    ops += [T.ToTensor(), T.Normalize(stats["mean"], stats["std"])]
    return T.Compose(ops)


def he_heads(model):
    """`--set headInit=he`: Pretext's head init (He-uniform weights, zero biases) instead of
    nn.Linear's default, for a diagnosis; momentum copies restart equal to their online heads."""
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.Linear) and not name.startswith("t"):
            torch.nn.init.kaiming_uniform_(m.weight, a=0)
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
    if model.momentum is not None:
        for o, t in zip(model.momentum[0], model.momentum[1]):
            t.load_state_dict(o.state_dict())


def parse_value(s):
    if s in ("true", "false"):
        return s == "true"
    try:
        return float(s)
    except ValueError:
        return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pixels", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    data = json.load(open(a.data))
    run = json.load(open(a.config))
    cfg, views = run["config"], run["views"]
    over = dict(kv.split("=", 1) for kv in a.set)
    params = dict(cfg["params"])
    for k, v in over.items():
        if k in params:
            params[k] = parse_value(v)
    size, ch = data["size"], data["channels"]
    pixels = np.fromfile(a.pixels, dtype=np.uint8).reshape(-1, size, size, ch)
    labels = torch.tensor(data["labels"], dtype=torch.long)
    train_idx, test_idx = data["trainIdx"], data["testIdx"]
    stats = data["stats"]

    seed = int(cfg["seed"])
    torch.manual_seed(seed)
    np.random.seed(seed)
    backbone = Encoder(cfg["backbone"], float(cfg["width"]), ch, size)
    model = METHODS[cfg["method"]](backbone, backbone.features, params)
    head_init = over.get("headInit", "torch")
    if head_init == "he":
        he_heads(model)
    # The config states the optimiser; clip_lr is solo-learn's (every CIFAR yaml: True) unless given.
    clip = parse_value(over.get("clipLr", str(cfg.get("clipLr", True)).lower()))
    batch = int(cfg["batch"])
    lr = float(cfg["scaledLr"])
    groups = [{"params": ps, "static_lr": static, "name": name} for name, ps, static in model.param_groups()]
    if cfg["optimizer"] == "lars":
        opt = LARS(groups, lr=lr, momentum=cfg["momentum"], weight_decay=cfg["weightDecay"], eta=cfg["eta"], clip_lr=bool(clip), exclude_bias_n_norm=cfg["excludeBiasAndNorm"])
    elif cfg["optimizer"] == "sgd":
        opt = torch.optim.SGD(groups, lr=lr, momentum=cfg["momentum"], weight_decay=cfg["weightDecay"])
    else:
        opt = torch.optim.AdamW(groups, lr=lr, weight_decay=cfg["weightDecay"])
    epochs = a.epochs or int(cfg["epochs"])
    spe = len(train_idx) // batch
    total = int(cfg["epochs"]) * spe
    warm = int(cfg["warmupEpochs"]) * spe
    tfs = [view_transform(v, stats) for v in views[:2]]
    to_tensor = T.Compose([T.ToTensor(), T.Normalize(stats["mean"], stats["std"])])
    images = [Image.fromarray(pixels[i] if ch == 3 else pixels[i, :, :, 0]) for i in range(pixels.shape[0])]
    recipe = {
        "clipLr": bool(clip) if cfg["optimizer"] == "lars" else None,
        "warmupStartLr": 3e-5 if warm > 0 else lr,
        "headInit": "He-uniform, zero bias (--set headInit=he)" if head_init == "he" else "nn.Linear default (kaiming_uniform a=sqrt(5))",
        "blur": "PIL GaussianBlur(radius=sigma)",
        "jitter": "torchvision ColorJitter on PIL uint8",
        **model.recipe,
    }
    gen = torch.Generator().manual_seed(seed)
    out = []
    step = 0
    for epoch in range(epochs):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(len(train_idx), generator=gen).tolist()
        losses = []
        for s in range(spe):
            idx = [train_idx[i] for i in order[s * batch : (s + 1) * batch]]
            x1 = torch.stack([tfs[0](images[i]) for i in idx])
            x2 = torch.stack([tfs[1](images[i]) for i in idx])
            cur = warmup_cosine(step, lr, total, warm)
            for g in opt.param_groups:
                g["lr"] = lr if g["static_lr"] else cur
            loss = model.loss(x1, x2, step, total)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            model.after_step(step, total)
            losses.append(float(loss))
            if not np.isfinite(losses[-1]):
                raise SystemExit(f"loss became {losses[-1]} at step {step}")
            step += 1
            print(f"step {step}/{epochs * spe} loss {losses[-1]:.4f}", file=sys.stderr, flush=True)
        model.eval()
        with torch.no_grad():
            feats = []
            for part in (train_idx, test_idx):
                f = [model.backbone(torch.stack([to_tensor(images[i]) for i in part[c : c + 256]])) for c in range(0, len(part), 256)]
                feats.append(torch.cat(f))
        acc = knn_top1(feats[0], labels[train_idx], feats[1], labels[test_idx], int(data["numClasses"]), int(cfg["knnK"]), float(cfg["knnTemperature"]))
        out.append({"epoch": epoch + 1, "loss": float(np.mean(losses)), "knn_top1": acc, "seconds": time.perf_counter() - t0})
        print(f"epoch {epoch + 1} knn_top1 {acc:.4f}", file=sys.stderr, flush=True)
    json.dump({"torch": torch.__version__, "method": cfg["method"], "seed": seed, "recipe": recipe, "epochs": out}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
