"""DistributedDataParallel pieces of the exported recipe (train.py): gathering with gradient,
batch norm over the global batch, and the methods of ssl_methods.py whose loss or queue needs
every process's rows. What each follows and the deliberate difference: train.py's header.
"""
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from ssl_methods import METHODS, MoCoV2Plus, SimCLR
from ssl_parts import Encoder


def world():
    return dist.get_world_size() if dist.is_initialized() else 1


class AllReduce(torch.autograd.Function):
    """Sum over processes; the gradient is the sum of every process's gradient."""

    @staticmethod
    def forward(ctx, x):
        x = x.clone()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, g):
        g = g.clone()
        dist.all_reduce(g)
        return g


class Gather(torch.autograd.Function):
    """solo-learn's GatherLayer: all rows of every process; backward sums and keeps the local slice."""

    @staticmethod
    def forward(ctx, x):
        out = [torch.zeros_like(x) for _ in range(world())]
        dist.all_gather(out, x.contiguous())
        return torch.cat(out)

    @staticmethod
    def backward(ctx, g):
        g = g.clone()
        dist.all_reduce(g)
        n = g.shape[0] // world()
        r = dist.get_rank()
        return g[r * n : (r + 1) * n]


def all_sum(x):
    return AllReduce.apply(x) if world() > 1 else x


def gather(x):
    return Gather.apply(x) if world() > 1 else x


class GlobalBatchNorm(nn.modules.batchnorm._BatchNorm):
    """BatchNorm over the global batch: per-channel sum, sum of squares and count reduced across
    processes (with gradient); the running statistics take the unbiased global variance."""

    def _check_input_dim(self, x):
        pass

    def forward(self, x):
        if not self.training or world() == 1:
            return super().forward(x)
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        count = torch.tensor([x.numel() / x.shape[1]], dtype=x.dtype, device=x.device)
        stats = all_sum(torch.cat([x.sum(dims), (x * x).sum(dims), count]))
        c = x.shape[1]
        n = stats[2 * c]
        mean = stats[:c] / n
        var = stats[c : 2 * c] / n - mean * mean
        if self.track_running_stats:
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(mean.detach(), alpha=m)
                self.running_var.mul_(1 - m).add_(var.detach() * n / (n - 1), alpha=m)
                self.num_batches_tracked += 1
        y = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return y * self.weight.reshape(shape) + self.bias.reshape(shape) if self.affine else y


def global_batchnorm(module):
    """Every BatchNorm1d/2d of `module` as a GlobalBatchNorm with the same parameters and state."""
    for name, child in module.named_children():
        if isinstance(child, (nn.BatchNorm1d, nn.BatchNorm2d)):
            g = GlobalBatchNorm(child.num_features, child.eps, child.momentum, child.affine, child.track_running_stats)
            g.load_state_dict(child.state_dict())
            for mine, theirs in zip(g.parameters(), child.parameters()):
                mine.requires_grad = theirs.requires_grad  # momentum copies stay frozen
            setattr(module, name, g)
        else:
            global_batchnorm(child)
    return module


def simclr_loss(self, x1, x2, step, total):
    """solo/losses/simclr.py with its gather: local rows against the gathered rows of all processes."""
    n = x1.shape[0]
    z = F.normalize(torch.cat([self.projector(self.backbone(x1)), self.projector(self.backbone(x2))]), dim=-1)
    rank = dist.get_rank() if world() > 1 else 0
    idx = torch.arange(n, device=z.device).repeat(2) + rank * n
    all_z, all_idx = gather(z), gather(idx)
    sim = torch.exp(z @ all_z.t() / float(self.p["temperature"]))
    same = idx[:, None] == all_idx[None, :]
    self_mask = torch.zeros_like(same)
    self_mask[torch.arange(2 * n), torch.arange(2 * n) + rank * 2 * n] = True
    pos = (sim * (same & ~self_mask)).sum(1)
    neg = (sim * ~same).sum(1)
    return -torch.mean(torch.log(pos / (pos + neg)))


def moco_after_step(self, step, total):
    """The keys of every process enqueued (solo-learn gathers them before dequeue_and_enqueue)."""
    if world() > 1:
        k = self._keys
        out = [torch.zeros_like(k) for _ in range(world())]
        dist.all_gather(out, k.contiguous())
        self._keys = torch.cat(out, dim=1)
    MoCoV2Plus.after_step(self, step, total)


def barlow_loss(self, x1, x2, step, total):
    """solo/losses/barlow.py over the global batch (see the header's deliberate difference)."""
    z1 = self.bn(self.projector(self.backbone(x1)))
    z2 = self.bn(self.projector(self.backbone(x2)))
    n = all_sum(torch.tensor([float(z1.shape[0])], device=z1.device))
    c = all_sum(z1.T @ z2) / n
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = (c - torch.diag(torch.diagonal(c))).pow(2).sum()
    return (on + float(self.p["lambda"]) * off) * float(self.p["scaleLoss"])


def off_diagonal_sq(m):
    """Sum of the squared off-diagonal entries of a square matrix."""
    return m.pow(2).sum() - torch.diagonal(m).pow(2).sum()


def vicreg_loss(self, x1, x2, step, total):
    """solo/losses/vicreg.py with the variance and covariance of the gathered projections (solo-learn
    gathers z1, z2 before its variance and covariance terms); invariance over the global batch."""
    z1 = self.projector(self.backbone(x1))
    z2 = self.projector(self.backbone(x2))
    sim = all_sum(F.mse_loss(z1, z2, reduction="sum")) / all_sum(torch.tensor([float(z1.numel())], device=z1.device))
    z1, z2 = gather(z1), gather(z2)
    var = sum(torch.mean(F.relu(1 - torch.sqrt(z.var(dim=0) + 1e-4))) for z in (z1, z2))
    cov = sum(off_diagonal_sq(torch.cov(z.T)) / z.shape[1] for z in (z1, z2))
    # Every process holds the global loss; AllReduce/Gather sum the N copies of its gradient and
    # DDP's average divides them again, so the update is the one-process one.
    return float(self.p["simWeight"]) * sim[0] + float(self.p["varWeight"]) * var + float(self.p["covWeight"]) * cov


def build_method(cfg, ch, size):
    backbone = Encoder(cfg["backbone"], float(cfg["width"]), ch, size)
    model = METHODS[cfg["method"]](backbone, backbone.features, dict(cfg["params"]))
    kind = type(model)
    if kind is SimCLR:
        model.loss = simclr_loss.__get__(model)
    elif kind is MoCoV2Plus:
        model.after_step = moco_after_step.__get__(model)
    elif cfg["method"] == "barlow":
        model.loss = barlow_loss.__get__(model)
    elif cfg["method"] == "vicreg":
        model.loss = vicreg_loss.__get__(model)
    return global_batchnorm(model)


class Step(nn.Module):
    """The method's loss as a module's forward, so DistributedDataParallel syncs its gradients."""

    def __init__(self, method):
        super().__init__()
        self.method = method

    def forward(self, x1, x2, step, total):
        return self.method.loss(x1, x2, step, total)
