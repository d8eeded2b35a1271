"""Building blocks of the PyTorch recipes of `pretext bench quality`, written from the references
(solo-learn, https://github.com/vturrisi/solo-learn, and the papers' official code), not from
Pretext's TypeScript: the encoder, projection heads, LARS, the warm-up + cosine schedule, the
momentum (EMA) updater and the weighted kNN monitor.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_engine import ARCHS, BasicBlock, ResNet


class Encoder(ResNet):
    """torchvision's ResNet layout (BasicBlock, CIFAR stem for images <= 64 px: 3x3 conv stride 1,
    no max-pool, as solo-learn's `backbones/resnet` patches torchvision's resnet18 for CIFAR), with
    a width multiplier on every stage (channels round(c * width), at least 1), Kaiming-normal
    fan-out init of the convolutions (torchvision.models.resnet.ResNet.__init__). `small` is
    Pretext's 3-stage CPU network (a config value: the peer builds what the run names).
    """

    def __init__(self, arch, width=1.0, channels=3, size=32):
        nn.Module.__init__(self)  # ResNet's forward (stem, layers, pooled features), not its __init__
        blocks, widths, stem = ARCHS[arch]

        def scaled(c):
            return max(1, int(math.floor(c * width + 0.5)))

        if size <= 64:
            self.stem = nn.Sequential(nn.Conv2d(channels, scaled(stem), 3, 1, 1, bias=False), nn.BatchNorm2d(scaled(stem)), nn.ReLU())
        else:
            self.stem = nn.Sequential(
                nn.Conv2d(channels, scaled(stem), 7, 2, 3, bias=False), nn.BatchNorm2d(scaled(stem)), nn.ReLU(), nn.MaxPool2d(3, 2, 1)
            )
        layers, cin = [], scaled(stem)
        for stage, (count, w) in enumerate(zip(blocks, widths)):
            for i in range(count):
                layers.append(BasicBlock(cin, scaled(w), 2 if i == 0 and stage > 0 else 1))
                cin = scaled(w)
        self.layers, self.features = nn.Sequential(*layers), cin
        convs = [m for m in self.modules() if isinstance(m, nn.Conv2d)]
        for conv in convs:
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")


def mlp(dims, bn_hidden=True, bias_hidden=True, last_bn=None):
    """Linear layers with BatchNorm1d + ReLU between them (solo-learn's projector/predictor
    Sequentials in solo/methods/{byol,barlow_twins,vicreg,simsiam}.py); nn.Linear keeps PyTorch's
    default init (kaiming_uniform a=sqrt(5), uniform bias). `last_bn`: 'affine' or 'plain'
    (SimSiam's final BatchNorm1d(affine=False)). Without bn_hidden: Linear -> ReLU -> Linear
    (solo/methods/simclr.py, mocov2plus.py).
    """
    mods = []
    for i in range(len(dims) - 2):
        mods.append(nn.Linear(dims[i], dims[i + 1], bias=bias_hidden))
        if bn_hidden:
            mods.append(nn.BatchNorm1d(dims[i + 1]))
        mods.append(nn.ReLU())
    mods.append(nn.Linear(dims[-2], dims[-1], bias=last_bn is None))
    if last_bn is not None:
        mods.append(nn.BatchNorm1d(dims[-1], affine=last_bn == "affine"))
    return nn.Sequential(*mods)


class LARS(torch.optim.Optimizer):
    """LARS as solo-learn's solo/utils/lars.py: trust ratio eta*|p|/(|g| + wd*|p| + eps) (only when
    both norms are non-zero), optional clipping of the layer lr (min(ratio/lr, 1)), weight decay
    added inside the scaled branch, parameters with ndim 1 excluded from both when
    exclude_bias_n_norm, then torch.optim.SGD's momentum.
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, eta=1e-3, eps=1e-8, clip_lr=False, exclude_bias_n_norm=False):
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta, eps=eps, clip_lr=clip_lr, exclude_bias_n_norm=exclude_bias_n_norm)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            wd, mom = group["weight_decay"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d_p = p.grad
                if p.ndim != 1 or not group["exclude_bias_n_norm"]:
                    p_norm, g_norm = torch.norm(p), torch.norm(p.grad)
                    if p_norm != 0 and g_norm != 0:
                        lars_lr = p_norm / (g_norm + p_norm * wd + group["eps"]) * group["eta"]
                        if group["clip_lr"]:
                            lars_lr = torch.clamp(lars_lr / group["lr"], max=1)
                        d_p = d_p.add(p, alpha=wd) * lars_lr
                if mom != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        buf = state["momentum_buffer"] = torch.clone(d_p).detach()
                    else:
                        buf = state["momentum_buffer"]
                        buf.mul_(mom).add_(d_p)
                    d_p = buf
                p.add_(d_p, alpha=-group["lr"])


def warmup_cosine(step, base_lr, total_steps, warmup_steps, warmup_start_lr=3e-5, eta_min=0.0):
    """pl_bolts LinearWarmupCosineAnnealingLR's closed form, per step (solo-learn's
    `scheduler: warmup_cosine`, interval step; warmup_start_lr 3e-5 and min_lr 0 are solo-learn's
    defaults in solo/methods/base.py, and without warm-up it starts at the base lr).
    """
    if warmup_steps > 0 and step < warmup_steps:
        return warmup_start_lr + step * (base_lr - warmup_start_lr) / max(1, warmup_steps - 1)
    span = max(1, total_steps - warmup_steps)
    return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * min(1.0, (step - warmup_steps) / span)))


def cosine_tau(step, total_steps, base, final):
    """solo-learn's MomentumUpdater.update_tau (solo/utils/momentum.py): cosine from base to final."""
    if total_steps <= 0:
        return final
    return final - (final - base) * (math.cos(math.pi * step / total_steps) + 1) / 2


@torch.no_grad()
def ema_update(online, target, tau):
    """solo-learn's MomentumUpdater.update: target = tau * target + (1 - tau) * online, parameters only."""
    for po, pt in zip(online.parameters(), target.parameters()):
        pt.data.mul_(tau).add_(po.data, alpha=1 - tau)


@torch.no_grad()
def knn_top1(train_f, train_y, test_f, test_y, num_classes, k, t, chunk=512):
    """Weighted kNN (Wu et al. 2018) as solo-learn's WeightedKNNClassifier (solo/utils/knn.py,
    distance_fx cosine): L2-normalised features, the k most similar train rows vote with exp(s/T)."""
    train_f = F.normalize(train_f, dim=1)
    test_f = F.normalize(test_f, dim=1)
    k = min(k, train_f.shape[0])
    correct = 0
    for s in range(0, test_f.shape[0], chunk):
        sim = test_f[s : s + chunk] @ train_f.t()
        vals, idx = sim.topk(k, dim=1)
        votes = torch.zeros(sim.shape[0], num_classes)
        votes.scatter_add_(1, train_y[idx], (vals / t).exp())
        correct += int((votes.argmax(1) == test_y[s : s + chunk]).sum())
    return correct / test_f.shape[0]
