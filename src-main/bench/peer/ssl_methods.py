"""The six recipes of `pretext bench quality` in PyTorch, each written from solo-learn
(https://github.com/vturrisi/solo-learn, solo/methods/*.py and solo/losses/*.py) as the one
reference per method; the file followed is named in each docstring. Hyper-parameters come from
the run's resolved config (`p` = config.params); where the config states nothing, the value is
solo-learn's CIFAR config (scripts/pretrain/cifar/<method>.yaml) and is reported back in
`recipe` so the bench can show it.
"""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from ssl_parts import cosine_tau, ema_update, mlp


class Method(nn.Module):
    """solo-learn's BaseMethod split: networks + loss; the trainer owns the loop."""

    momentum = None  # (online modules, target modules, base tau, final tau) for BYOL / MoCo
    recipe = {}

    def __init__(self, backbone, feat, p):
        super().__init__()
        self.backbone = backbone
        self.feat = feat
        self.p = p

    def param_groups(self):
        """[(name, params, static_lr)]: solo-learn's learnable_params (static_lr: no schedule)."""
        return [("backbone+heads", [q for q in self.parameters() if q.requires_grad and not self._is_target(q)], False)]

    def _is_target(self, q):
        return False

    def after_step(self, step, total):
        """solo-learn BaseMomentumMethod.on_train_batch_end: EMA with the current tau, then the
        tau for the next step (solo/utils/momentum.py)."""
        if self.momentum is None:
            return
        online, target, base, final = self.momentum
        tau = cosine_tau(step, total, base, final)
        for o, t in zip(online, target):
            ema_update(o, t, tau)


def _momentum_copy(*mods):
    out = []
    for m in mods:
        c = copy.deepcopy(m)
        for q in c.parameters():
            q.requires_grad = False
        out.append(c)
    return out


class SimCLR(Method):
    """solo/methods/simclr.py + solo/losses/simclr.py (simclr_loss_func): projector Linear -> ReLU ->
    Linear, loss -mean log(pos / (pos + neg)) over the 2N normalised projections at temperature T."""

    def __init__(self, backbone, feat, p):
        super().__init__(backbone, feat, p)
        self.projector = mlp([feat, int(p["projHidden"]), int(p["projOut"])], bn_hidden=False)

    def loss(self, x1, x2, step, total):
        z = F.normalize(torch.cat([self.projector(self.backbone(x1)), self.projector(self.backbone(x2))]), dim=-1)
        n = x1.shape[0]
        idx = torch.arange(n).repeat(2)
        sim = torch.exp(z @ z.t() / float(self.p["temperature"]))
        same = idx[:, None] == idx[None, :]
        pos_mask = same & ~torch.eye(2 * n, dtype=torch.bool)
        pos = (sim * pos_mask).sum(1)
        neg = (sim * ~same).sum(1)
        return -torch.mean(torch.log(pos / (pos + neg)))


class MoCoV2Plus(Method):
    """solo/methods/mocov2plus.py + solo/losses/mocov2plus.py: momentum backbone + projector
    (Linear -> ReLU -> Linear), one queue per view initialised randn then L2-normalised, symmetric
    loss (q1 against k2 and queue 1, q2 against k1 and queue 0), cross-entropy with the positive
    first; tau cosine base -> final (yaml 0.99 -> 0.999), keys enqueued after the step."""

    def __init__(self, backbone, feat, p):
        super().__init__(backbone, feat, p)
        out = int(p["projOut"])
        self.projector = mlp([feat, int(p["projHidden"]), out], bn_hidden=False)
        self.tbackbone, self.tprojector = _momentum_copy(self.backbone, self.projector)
        base = float(p["tau"])
        final = float(p["finalTau"]) if "finalTau" in p else 0.999
        self.momentum = ([self.backbone, self.projector], [self.tbackbone, self.tprojector], base, final)
        self.queue_size = int(p["queueSize"])
        self.register_buffer("queue", F.normalize(torch.randn(2, out, self.queue_size), dim=1))
        self.ptr = 0
        self.recipe = {"tau": [base, final, "cosine"], "queueSize": self.queue_size}
        self._keys = None

    def _is_target(self, q):
        return any(q is t for m in (self.tbackbone, self.tprojector) for t in m.parameters())

    def loss(self, x1, x2, step, total):
        temp = float(self.p["temperature"])
        q1 = F.normalize(self.projector(self.backbone(x1)), dim=-1)
        q2 = F.normalize(self.projector(self.backbone(x2)), dim=-1)
        with torch.no_grad():
            k1 = F.normalize(self.tprojector(self.tbackbone(x1)), dim=-1)
            k2 = F.normalize(self.tprojector(self.tbackbone(x2)), dim=-1)
        queue = self.queue.clone().detach()

        def nce(q, k, qu):
            pos = torch.einsum("nc,nc->n", q, k).unsqueeze(-1)
            neg = torch.einsum("nc,ck->nk", q, qu)
            logits = torch.cat([pos, neg], dim=1) / temp
            return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))

        self._keys = torch.stack([k1, k2])
        return (nce(q1, k2, queue[1]) + nce(q2, k1, queue[0])) / 2

    def after_step(self, step, total):
        super().after_step(step, total)
        # solo-learn's _dequeue_and_enqueue: a ring buffer written at ptr.
        keys = self._keys
        n = keys.shape[1]
        ptr = self.ptr
        end = min(ptr + n, self.queue_size)
        self.queue[:, :, ptr:end] = keys[:, : end - ptr].permute(0, 2, 1)
        if end - ptr < n:
            self.queue[:, :, : n - (end - ptr)] = keys[:, end - ptr :].permute(0, 2, 1)
        self.ptr = (ptr + n) % self.queue_size


class BYOL(Method):
    """solo/methods/byol.py + solo/losses/byol.py: projector and predictor Linear -> BN -> ReLU ->
    Linear, momentum backbone + projector (tau cosine base -> final, yaml 0.99 -> 1.0), loss
    2 - 2 cos(p, z_target) summed over both directions."""

    def __init__(self, backbone, feat, p):
        super().__init__(backbone, feat, p)
        out = int(p["projOut"])
        self.projector = mlp([feat, int(p["projHidden"]), out])
        self.predictor = mlp([out, int(p["predHidden"]), out])
        self.tbackbone, self.tprojector = _momentum_copy(self.backbone, self.projector)
        base, final = float(p["baseTau"]), float(p["finalTau"])
        self.momentum = ([self.backbone, self.projector], [self.tbackbone, self.tprojector], base, final)
        self.recipe = {"tau": [base, final, "cosine"]}

    def _is_target(self, q):
        return any(q is t for m in (self.tbackbone, self.tprojector) for t in m.parameters())

    def loss(self, x1, x2, step, total):
        p1 = self.predictor(self.projector(self.backbone(x1)))
        p2 = self.predictor(self.projector(self.backbone(x2)))
        with torch.no_grad():
            z1 = self.tprojector(self.tbackbone(x1))
            z2 = self.tprojector(self.tbackbone(x2))

        def byol_loss(p, z):
            return 2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1).mean()

        return byol_loss(p1, z2) + byol_loss(p2, z1)


class SimSiam(Method):
    """solo/methods/simsiam.py + solo/losses/simsiam.py: projector 3 x (Linear(bias=False) -> BN),
    ReLU between, last BN without affine; predictor Linear(bias=False) -> BN -> ReLU -> Linear;
    loss -cos(p, stopgrad z) averaged over both directions; the predictor's lr is static (solo-learn
    `static_lr: True`, the official code's --fix-pred-lr)."""

    def __init__(self, backbone, feat, p):
        super().__init__(backbone, feat, p)
        h, out = int(p["projHidden"]), int(p["projOut"])
        self.projector = mlp([feat, h, h, out], bias_hidden=False, last_bn="plain")
        self.predictor = mlp([out, int(p["predHidden"]), out], bias_hidden=False)
        self.recipe = {"predictorStaticLr": True}

    def param_groups(self):
        rest = [q for n, q in self.named_parameters() if not n.startswith("predictor.")]
        return [("backbone+projector", rest, False), ("predictor", list(self.predictor.parameters()), True)]

    def loss(self, x1, x2, step, total):
        z1 = self.projector(self.backbone(x1))
        z2 = self.projector(self.backbone(x2))
        p1, p2 = self.predictor(z1), self.predictor(z2)
        return -(F.cosine_similarity(p1, z2.detach(), dim=-1).mean() + F.cosine_similarity(p2, z1.detach(), dim=-1).mean()) / 2


class BarlowTwins(Method):
    """solo/methods/barlow_twins.py + solo/losses/barlow.py: projector 3 linear layers (BN + ReLU
    between), each view standardised by BatchNorm1d(affine=False), cross-correlation / N, loss
    (sum (1 - c_ii)^2 + lambda * sum_{i!=j} c_ij^2) * scale_loss."""

    def __init__(self, backbone, feat, p):
        super().__init__(backbone, feat, p)
        h, out = int(p["projHidden"]), int(p["projOut"])
        self.projector = mlp([feat, h, h, out])
        self.bn = nn.BatchNorm1d(out, affine=False)

    def loss(self, x1, x2, step, total):
        z1 = self.projector(self.backbone(x1))
        z2 = self.projector(self.backbone(x2))
        n, d = z1.shape
        c = self.bn(z1).T @ self.bn(z2) / n
        on = (torch.diagonal(c) - 1).pow(2).sum()
        off = (c - torch.diag(torch.diagonal(c))).pow(2).sum()
        return (on + float(self.p["lambda"]) * off) * float(self.p["scaleLoss"])


class VICReg(Method):
    """solo/methods/vicreg.py + solo/losses/vicreg.py: projector 3 linear layers; invariance
    F.mse_loss; variance mean(relu(1 - sqrt(var + 1e-4))) for each view, halved as in the official
    facebookresearch/vicreg main_vicreg.py (VICReg.forward), the reference Pretext's vicreg.ts
    follows (solo-learn sums the two views: twice the variance weight); covariance sum of squared
    off-diagonal covariances / D for each view."""

    def __init__(self, backbone, feat, p):
        super().__init__(backbone, feat, p)
        h, out = int(p["projHidden"]), int(p["projOut"])
        self.projector = mlp([feat, h, h, out])
        self.recipe = {"varianceTerm": "official (halved)"}

    def loss(self, x1, x2, step, total):
        z1 = self.projector(self.backbone(x1))
        z2 = self.projector(self.backbone(x2))
        sim = F.mse_loss(z1, z2)
        var = sum(torch.mean(F.relu(1 - torch.sqrt(z.var(dim=0) + 1e-4))) for z in (z1, z2)) / 2
        n, d = z1.shape
        cov = 0
        for z in (z1, z2):
            zc = z - z.mean(dim=0)
            c = zc.T @ zc / (n - 1)
            cov = cov + (c - torch.diag(torch.diagonal(c))).pow(2).sum() / d
        return float(self.p["simWeight"]) * sim + float(self.p["varWeight"]) * var + float(self.p["covWeight"]) * cov


METHODS = {"simclr": SimCLR, "moco": MoCoV2Plus, "byol": BYOL, "simsiam": SimSiam, "barlow": BarlowTwins, "vicreg": VICReg}
