#!/usr/bin/env python3
"""PyTorch peer of `pretext bench engine`: the same encoder, head, loss and step in PyTorch.

The ResNet mirrors src-main/ml/backbones/resnet.ts (torchvision's BasicBlock layout, CIFAR stem:
3x3 conv stride 1, no max-pool; `small` = one block per stage, widths 32/64/128), the head is
Linear(feat, 512) -> ReLU -> Linear(512, 128), the loss is NT-Xent (temperature 0.5) over the two
halves of the batch, and a step is forward + backward + SGD update, batch norm in training mode.

Prints one JSON object: {"torch": version, "threads": n, "arch": ..., "views": ..., "step_s": [...]}.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ARCHS = {
    "resnet18": ([2, 2, 2, 2], [64, 128, 256, 512], 64),
    "resnet34": ([3, 4, 6, 3], [64, 128, 256, 512], 64),
    "small": ([1, 1, 1], [32, 64, 128], 32),
}


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (x if self.shortcut is None else self.shortcut(x)))


class ResNet(nn.Module):
    def __init__(self, arch, channels=3):
        super().__init__()
        blocks, widths, stem = ARCHS[arch]
        self.stem = nn.Sequential(nn.Conv2d(channels, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU())
        layers, cin = [], stem
        for stage, (count, width) in enumerate(zip(blocks, widths)):
            for i in range(count):
                layers.append(BasicBlock(cin, width, 2 if i == 0 and stage > 0 else 1))
                cin = width
        self.layers = nn.Sequential(*layers)
        self.features = cin
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1), 1)


def nt_xent(z1, z2, temperature):
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = z @ z.t() / temperature
    logits = logits - 1e9 * torch.eye(2 * n)
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, targets)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="resnet18", choices=sorted(ARCHS))
    p.add_argument("--views", type=int, default=256)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    encoder = ResNet(a.arch)
    head = nn.Sequential(nn.Linear(encoder.features, 512), nn.ReLU(), nn.Linear(512, 128))
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    x = torch.rand(a.views, 3, a.size, a.size)
    encoder.train()
    times = []
    for i in range(a.warmup + a.steps):
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        z = head(encoder(x))
        loss = nt_xent(z[: a.views // 2], z[a.views // 2 :], 0.5)
        loss.backward()
        opt.step()
        float(loss)
        if i >= a.warmup:
            times.append(time.perf_counter() - t)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "arch": a.arch, "views": a.views, "step_s": times}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
