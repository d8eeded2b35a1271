#!/usr/bin/env python3
"""Generates tests/fixtures/vit-reference.json: float64 PyTorch outputs of a small Vision
Transformer written in the layout of timm's timm/models/vision_transformer.py (PatchEmbed,
Attention with qkv bias, Mlp with nn.GELU (erf), pre-norm Block, LayerNorm eps 1e-6, class
token, learned position embeddings, the final norm; pooling 'token' and MAE's global_pool
(models_vit.py: mean of the patch tokens, then fc_norm)). Random weights (not the init), so
every parameter matters. Another input size resamples the patch position embeddings with
F.interpolate(mode='bilinear', align_corners=False) (timm: bicubic; Pretext: bilinear, see
src-main/ml/backbones/vitLayers.ts), the class token's embedding kept.

Weights are written in tfjs layout (conv kernel HWIO, Linear weights [in, out]) and images
NHWC, in the order of vit()'s model.weights. Run from the repository root with Debian's
python3-torch:
    /usr/bin/python3 build/scripts/vit_reference.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'vit-reference.json')

PATCH, SIZE, CHANNELS, DIM, HEADS, DEPTH, MLP = 4, 8, 3, 8, 2, 2, 4
OTHER = 12  # a 3×3 grid from the 2×2 the model is built for


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, dim * MLP)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(dim * MLP, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(self.act(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(CHANNELS, DIM, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, DIM))
        g = SIZE // PATCH
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + g * g, DIM))
        self.blocks = nn.ModuleList([Block(DIM, HEADS) for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM, eps=1e-6)

    def pos(self, rows):
        g = SIZE // PATCH
        if rows == g:
            return self.pos_embed
        grid = self.pos_embed[:, 1:].reshape(1, g, g, DIM).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(rows, rows), mode='bilinear', align_corners=False)
        return torch.cat((self.pos_embed[:, :1], grid.permute(0, 2, 3, 1).reshape(1, rows * rows, DIM)), 1)

    def forward(self, x, pool):
        x = self.proj(x)
        rows = x.shape[2]
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), 1) + self.pos(rows)
        for blk in self.blocks:
            x = blk(x)
        if pool == 'token':
            return self.norm(x)[:, 0]
        return self.norm(x[:, 1:].mean(dim=1))  # MAE: fc_norm after the mean (same affine here)


def tfjs_weights(m):
    """vit()'s model.weights order: patch kernel, bias, cls token, pos embed; per block norm1
    γ β, qkv W b, proj W b, norm2 γ β, fc1 W b, fc2 W b; final norm γ β."""
    out = [m.proj.weight.permute(2, 3, 1, 0), m.proj.bias, m.cls_token, m.pos_embed]
    for b in m.blocks:
        out += [b.norm1.weight, b.norm1.bias, b.attn.qkv.weight.t(), b.attn.qkv.bias, b.attn.proj.weight.t(), b.attn.proj.bias,
                b.norm2.weight, b.norm2.bias, b.fc1.weight.t(), b.fc1.bias, b.fc2.weight.t(), b.fc2.bias]
    out += [m.norm.weight, m.norm.bias]
    return [{'shape': list(w.shape), 'values': w.detach().contiguous().reshape(-1).tolist()} for w in out]


def main():
    torch.manual_seed(12)
    m = ViT()
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name == 'norm.weight' else 0.0))
    cases = []
    for size in (SIZE, OTHER):
        x = torch.randn(3, CHANNELS, size, size)
        with torch.no_grad():
            cases.append({
                'size': size,
                'images': x.permute(0, 2, 3, 1).reshape(-1).tolist(),
                'cls': m(x, 'token').reshape(-1).tolist(),
                'mean': m(x, 'mean').reshape(-1).tolist(),
            })
    spec = {'patch': PATCH, 'size': SIZE, 'channels': CHANNELS, 'dim': DIM, 'heads': HEADS, 'depth': DEPTH, 'mlpRatio': MLP}
    with open(OUT, 'w') as f:
        json.dump({'generatedBy': 'build/scripts/vit_reference.py', 'torch': torch.__version__, 'spec': spec,
                   'weights': tfjs_weights(m), 'cases': cases}, f)
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
