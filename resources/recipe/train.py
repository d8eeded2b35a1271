#!/usr/bin/env python3
"""A Pretext run's recipe as a PyTorch DistributedDataParallel program (`pretext export recipe`).

    python train.py                              one process (CPU or one GPU)
    torchrun --nproc_per_node=N train.py         N processes on one node (gloo on CPU, nccl on GPU)

The method (networks, loss, optimiser, schedule, EMA, queues) is ssl_methods.py / ssl_parts.py,
the same modules `pretext bench quality` runs as its PyTorch peer, written from solo-learn
(https://github.com/vturrisi/solo-learn). What this file adds for several processes follows
solo-learn too:
- SimCLR's negatives gathered from every process with gradient (solo/utils/misc.py GatherLayer:
  all_gather forward, all_reduce of the gradient and the local slice backward; the loss over the
  local rows against all rows, solo/losses/simclr.py);
- MoCo's keys gathered before they are enqueued (solo/methods/mocov2plus.py dequeue_and_enqueue);
- batch norm over the global batch (solo-learn's `sync_batchnorm: True`): GlobalBatchNorm below
  reduces the per-channel sums across processes with gradient; torch's SyncBatchNorm would do the
  same on GPU only (torch 1.13 refuses CPU tensors), so one implementation serves gloo and nccl.
  Deliberate difference: solo-learn's Barlow Twins loss standardises each process's rows with a
  local BatchNorm1d and averages the per-process correlation matrices without gradient; here the
  standardisation and the correlation are over the global batch, so N processes compute the
  one-process loss of the same global batch (the exported recipe's check).
- A DistributedSampler (seeded, drop_last) splits each epoch's permutation; the global batch is
  the recipe's batch (each process batch / N). Each image's views are drawn from a generator
  seeded by (seed, epoch, image index), so the views do not depend on the number of processes.
Rank 0 writes metrics.jsonl (per step loss and lr, per epoch kNN top-1 with the recipe's k and T),
checkpoint.pt each epoch (resume with --resume) and backbone.safetensors (torchvision names).
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ddp_parts import Step, build_method  # noqa: E402
from ssl_methods import MoCoV2Plus  # noqa: E402
from ssl_parts import LARS, knn_top1, warmup_cosine  # noqa: E402
from torch_quality import view_transform  # noqa: E402
from torch_engine import ARCHS  # noqa: E402
from torchvision import transforms as T  # noqa: E402


def torchvision_names(backbone, arch):
    """The backbone's state as torchvision's ResNet names it (conv1, bn1, layerS.I.{conv1,bn1,conv2,
    bn2,downsample.0,downsample.1}); `small` has three stages, layer1..layer3. Conv weights stay
    PyTorch's (out, in, kh, kw); num_batches_tracked is left out."""
    blocks = ARCHS[arch][0]
    where = [(s + 1, i) for s, count in enumerate(blocks) for i in range(count)]
    out = {}
    for name, t in backbone.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        parts = name.split(".")
        if parts[0] == "stem":
            out[{"0": "conv1", "1": "bn1"}[parts[1]] + "." + parts[2]] = t
        else:
            s, i = where[int(parts[1])]
            rest = ".".join(parts[2:]).replace("shortcut.", "downsample.")
            out[f"layer{s}.{i}.{rest}"] = t
    return out


def load_torchvision(backbone, arch, tensors):
    """The inverse of torchvision_names: loads such tensors into the backbone (all must be there)."""
    mine = torchvision_names(backbone, arch)
    missing = [k for k in mine if k not in tensors]
    if missing:
        raise SystemExit(f"init weights lack {missing[:3]} ({len(missing)} tensors)")
    back = {}
    names = [n for n in backbone.state_dict() if not n.endswith("num_batches_tracked")]
    for (tv, cur), name in zip(mine.items(), names):
        if tuple(tensors[tv].shape) != tuple(cur.shape):
            raise SystemExit(f"init weight {tv} has shape {tuple(tensors[tv].shape)}, the backbone {tuple(cur.shape)}")
        back[name] = tensors[tv]
    backbone.load_state_dict(back, strict=False)


def write_safetensors(path, tensors, meta):
    """safetensors: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, data."""
    header, blobs, off = {"__metadata__": {k: str(v) for k, v in meta.items()}}, [], 0
    for name, t in tensors.items():
        b = t.detach().cpu().float().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").copy()).reshape(e["shape"])
    return out


def load_data(args, recipe):
    """(PIL images, labels, train indices, test indices): data.npz as `pretext export recipe
    --with-data` writes it, or an ImageFolder tree DIR/train/<class>/*, DIR/test/<class>/* (the
    test split optional) resized to the recipe's size."""
    d = recipe["data"]
    size, ch = d["size"], d["channels"]
    if args.data is None or args.data.endswith(".npz"):
        z = np.load(args.data or os.path.join(HERE, "data.npz"))
        px = z["pixels"]
        images = [Image.fromarray(px[i] if ch == 3 else px[i, :, :, 0]) for i in range(px.shape[0])]
        return images, torch.from_numpy(z["labels"].astype(np.int64)), z["train_idx"].tolist(), z["test_idx"].tolist()
    classes = d.get("classNames") or sorted(os.listdir(os.path.join(args.data, "train")))
    images, labels, splits = [], [], {"train": [], "test": []}
    for split in ("train", "test"):
        root = os.path.join(args.data, split)
        if not os.path.isdir(root):
            continue
        for c, name in enumerate(classes):
            folder = os.path.join(root, name)
            for f in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
                img = Image.open(os.path.join(folder, f)).convert("RGB" if ch == 3 else "L")
                splits[split].append(len(images))
                images.append(img.resize((size, size), Image.BICUBIC))
                labels.append(c)
    if not splits["train"]:
        raise SystemExit(f"{args.data}: no images under train/<class>/ for the classes {classes}")
    return images, torch.tensor(labels), splits["train"], splits["test"]


class Views(torch.utils.data.Dataset):
    """Two views of each train image; each image's draw is seeded by (seed, epoch, index)."""

    def __init__(self, images, idx, tfs, seed):
        self.images, self.idx, self.tfs, self.seed, self.epoch = images, idx, tfs, seed, 0

    def __len__(self):
        return len(self.idx)

    def __getitem__(self, i):
        j = self.idx[i]
        state = torch.get_rng_state()
        torch.manual_seed((self.seed * 1000003 + self.epoch * 7919 + j) % (2**63))
        v = (self.tfs[0](self.images[j]), self.tfs[1](self.images[j]))
        torch.set_rng_state(state)
        return v


@torch.no_grad()
def features(backbone, images, idx, to_tensor, device):
    backbone.eval()
    out = [backbone(torch.stack([to_tensor(images[i]) for i in idx[c : c + 256]]).to(device)).cpu() for c in range(0, len(idx), 256)]
    backbone.train()
    return torch.cat(out) if out else torch.zeros(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recipe", default=os.path.join(HERE, "recipe.json"))
    ap.add_argument("--data", default=None, help="data.npz (default: beside train.py) or an ImageFolder tree")
    ap.add_argument("--out", default=".", help="folder for metrics.jsonl, checkpoint.pt, backbone.safetensors")
    ap.add_argument("--epochs", type=int, default=None, help="stop after this many epochs (the schedule stays the recipe's)")
    ap.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    ap.add_argument("--init", default=None, help="backbone weights (torchvision names, .safetensors) to start from")
    ap.add_argument("--features", default=None, help="write the backbone's features of the first 32 test images as .npy, then exit")
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank, size_w = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    recipe = json.load(open(a.recipe))
    cfg, views, d = recipe["config"], recipe["views"], recipe["data"]
    seed = int(cfg["seed"])
    torch.manual_seed(seed)
    np.random.seed(seed)
    images, labels, train_idx, test_idx = load_data(a, recipe)
    stats = d["stats"]
    to_tensor = T.Compose([T.ToTensor(), T.Normalize(stats["mean"], stats["std"])])
    model = build_method(cfg, d["channels"], d["size"]).to(device)
    if a.init or (a.init is None and os.path.exists(os.path.join(HERE, "init.safetensors"))):
        load_torchvision(model.backbone, cfg["backbone"], read_safetensors(a.init or os.path.join(HERE, "init.safetensors")))
        if model.momentum is not None:  # the momentum copies start equal to the online networks
            for o, t in zip(model.momentum[0], model.momentum[1]):
                t.load_state_dict(o.state_dict())
    if a.features:
        if rank == 0:
            np.save(a.features, features(model.backbone, images, test_idx[:32], to_tensor, device).numpy().astype(np.float32))
        return
    batch = int(cfg["batch"])
    if batch % size_w:
        raise SystemExit(f"the recipe's batch {batch} does not split over {size_w} processes")
    lr = float(cfg["scaledLr"])
    groups = [{"params": ps, "static_lr": static, "name": name} for name, ps, static in model.param_groups()]
    if cfg["optimizer"] == "lars":
        opt = LARS(groups, lr=lr, momentum=cfg["momentum"], weight_decay=cfg["weightDecay"], eta=cfg["eta"], clip_lr=bool(cfg.get("clipLr", True)), exclude_bias_n_norm=cfg["excludeBiasAndNorm"])
    elif cfg["optimizer"] == "sgd":
        opt = torch.optim.SGD(groups, lr=lr, momentum=cfg["momentum"], weight_decay=cfg["weightDecay"])
    else:
        opt = torch.optim.AdamW(groups, lr=lr, weight_decay=cfg["weightDecay"])
    step_net = Step(model)
    if distributed:
        step_net = nn.parallel.DistributedDataParallel(step_net, device_ids=[local] if cuda else None, broadcast_buffers=False)
    spe = len(train_idx) // batch
    total = int(cfg["epochs"]) * spe
    warm = int(cfg["warmupEpochs"]) * spe
    data = Views(images, train_idx, [view_transform(v, stats) for v in views[:2]], seed)
    sampler = torch.utils.data.distributed.DistributedSampler(data, num_replicas=size_w, rank=rank, shuffle=True, seed=seed, drop_last=True)
    loader = torch.utils.data.DataLoader(data, batch_size=batch // size_w, sampler=sampler, drop_last=True, num_workers=0)
    os.makedirs(a.out, exist_ok=True)
    if rank == 0 and os.path.abspath(a.recipe) != os.path.abspath(os.path.join(a.out, "recipe.json")):
        json.dump(recipe, open(os.path.join(a.out, "recipe.json"), "w"), indent=2)
    ckpt_path, metrics_path = os.path.join(a.out, "checkpoint.pt"), os.path.join(a.out, "metrics.jsonl")
    start, step, spent = 0, 0, 0.0
    if a.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        start, step, spent = ck["epoch"], ck["step"], ck["seconds"]
        if isinstance(model, MoCoV2Plus):
            model.ptr = ck["ptr"]
        if rank == 0 and os.path.exists(metrics_path):  # drop lines written after the checkpoint
            kept = [ln for ln in open(metrics_path) if json.loads(ln)["step"] < step]
            open(metrics_path, "w").writelines(kept)
    elif rank == 0 and os.path.exists(metrics_path):
        os.remove(metrics_path)
    log = open(metrics_path, "a") if rank == 0 else None
    epochs = min(int(cfg["epochs"]), a.epochs or int(cfg["epochs"]))
    for epoch in range(start, epochs):
        t0 = time.perf_counter()
        sampler.set_epoch(epoch)
        data.epoch = epoch
        model.train()
        for x1, x2 in loader:
            cur = warmup_cosine(step, lr, total, warm)
            for g in opt.param_groups:
                g["lr"] = lr if g["static_lr"] else cur
            loss = step_net(x1.to(device), x2.to(device), step, total)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            model.after_step(step, total)
            shown = loss.detach().clone()
            if distributed:
                dist.all_reduce(shown)
                shown /= size_w
            if not torch.isfinite(shown):
                raise SystemExit(f"loss became {float(shown)} at step {step}")
            if log:  # steps counted from 0, as Pretext's metrics
                log.write(json.dumps({"step": step, "epoch": epoch, "loss": float(shown), "lr": cur}) + "\n")
                log.flush()
                print(f"step {step + 1}/{epochs * spe} loss {float(shown):.4f}", file=sys.stderr, flush=True)
            step += 1
        spent += time.perf_counter() - t0
        if rank == 0:
            f = [features(model.backbone, images, part, to_tensor, device) for part in (train_idx, test_idx)]
            acc = knn_top1(f[0], labels[train_idx], f[1], labels[test_idx], int(d["numClasses"]), int(cfg["knnK"]), float(cfg["knnTemperature"])) if test_idx else None
            log.write(json.dumps({"step": step - 1, "epoch": epoch, "knn_top1": acc, "seconds": spent, "processes": size_w, "device": device.type}) + "\n")
            log.flush()
            print(f"epoch {epoch + 1} knn_top1 {acc}", file=sys.stderr, flush=True)
            meta = {"method": cfg["method"], "arch": cfg["backbone"], "epoch": epoch + 1, "step": step, "seconds": spent, "processes": size_w, "device": device.type, "host": os.uname().nodename}
            write_safetensors(os.path.join(a.out, "backbone.safetensors"), torchvision_names(model.backbone, cfg["backbone"]), meta)
            state = {"model": model.state_dict(), "opt": opt.state_dict(), "epoch": epoch + 1, "step": step, "seconds": spent, "ptr": getattr(model, "ptr", 0)}
            torch.save(state, ckpt_path + ".tmp")
            os.replace(ckpt_path + ".tmp", ckpt_path)
        if distributed:
            dist.barrier()
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
