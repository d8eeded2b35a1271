/**
 * What methods and evaluation need of a ViT built by vit.ts beyond its pooled output:
 *
 * - `freezePatchProjection`: MoCo v3's `stop_grad_conv1` (facebookresearch/moco-v3 vits.py,
 *   VisionTransformerMoCo: `self.patch_embed.proj.weight.requires_grad = False` and its bias):
 *   the patch projection keeps its random initialisation. Here its two variables join the
 *   frozen set of heads/mlp.ts (trainableVariables leaves them out), so the trainer's
 *   tf.variableGrads computes no gradient for them, no optimiser and no EMA sees them; the
 *   class token and position embeddings still train. The layer's weight order (checkpoints,
 *   exports) is unchanged.
 * - `vitPooled`: the pooled features with another pooling than the model's ('cls': the class
 *   token after the final norm; 'mean': the mean of the patch tokens, then the final norm, as
 *   MAE's models_vit.py global_pool with fc_norm), on the model's own weights.
 * - `vitPatchTokens`: the patch tokens after the last block (backbones/spatial.ts' ViT grid).
 * - `repooledHead`: a ViTHead of the other pooling with the model's final-norm weights, for
 *   building a tf.layers graph (ml/methods/evaluation.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { freezeVariables } from '../heads/mlp';
import { PatchEmbed, ViTBlock, ViTHead, type ViTPool } from './vitLayers';

/** True when `model` was built by vit.ts (it has a patch embedding and a ViT head). */
export function isViTModel(model: tfl.LayersModel): boolean {
  return model.layers.some((l) => l instanceof PatchEmbed) && model.layers.some((l) => l instanceof ViTHead);
}

function embedOf(model: tfl.LayersModel): PatchEmbed {
  const embed = model.layers.find((l): l is PatchEmbed => l instanceof PatchEmbed);
  if (!embed) throw new Error(`model '${model.name}' is not a ViT built by vit() (no patch embedding)`);
  return embed;
}

/** The final-norm ViTHead of a ViT built by vit(). */
export function vitHeadOf(model: tfl.LayersModel): ViTHead {
  const head = model.layers.find((l): l is ViTHead => l instanceof ViTHead);
  if (!head) throw new Error(`model '${model.name}' is not a ViT built by vit() (no ViT head)`);
  return head;
}

/** The patch projection's kernel and bias (the p×p stride-p convolution of PatchEmbed). */
export function patchProjection(model: tfl.LayersModel): LayerVariable[] {
  const ws = embedOf(model).weights.filter((w) => /(^|\/)(kernel|bias)(_\d+)?$/.test(w.originalName));
  if (ws.length !== 2) throw new Error(`model '${model.name}': expected the patch projection's kernel and bias, found ${ws.map((w) => w.originalName).join(', ')}`);
  return ws;
}

/** Stops the patch projection's gradient for good (MoCo v3's stop_grad_conv1); returns its variables. */
export function freezePatchProjection(model: tfl.LayersModel): tf.Variable[] {
  const vars = patchProjection(model).map((w) => w.read() as tf.Variable);
  freezeVariables(vars);
  return vars;
}

/** Pooled features [B, D] of `images` pooled by `pool`, whatever the model's own pooling. */
export function vitPooled(model: tfl.LayersModel, images: tf.Tensor, pool: ViTPool, training = false): tf.Tensor2D {
  const embed = embedOf(model);
  const head = vitHeadOf(model);
  const blocks = model.layers.filter((l): l is ViTBlock => l instanceof ViTBlock);
  return tf.tidy(() => {
    let x = embed.tokens(images);
    for (const b of blocks) x = b.apply(x, { training }) as tf.Tensor;
    const [n, t, d] = x.shape as [number, number, number];
    const pooled = pool === 'cls' ? tf.reshape(tf.slice(x, [0, 0, 0], [n, 1, d]), [n, d]) : tf.mean(tf.slice(x, [0, 1, 0], [n, t - 1, d]), 1);
    return head.norm(pooled) as tf.Tensor2D;
  });
}

/** The patch tokens [B, T, D] after the last block (class token dropped, no final norm). */
export function vitPatchTokens(model: tfl.LayersModel, images: tf.Tensor, training = false): tf.Tensor3D {
  const embed = embedOf(model);
  const blocks = model.layers.filter((l): l is ViTBlock => l instanceof ViTBlock);
  return tf.tidy(() => {
    let x = embed.tokens(images);
    for (const b of blocks) x = b.apply(x, { training }) as tf.Tensor;
    const [n, t, d] = x.shape as [number, number, number];
    return tf.slice(x, [0, 1, 0], [n, t - 1, d]) as tf.Tensor3D;
  });
}

/** A new ViTHead pooling by `pool`, built on `input` (the tokens), with `like`'s norm weights. */
export function repooledHead(like: ViTHead, pool: ViTPool, input: tfl.SymbolicTensor): { head: ViTHead; output: tfl.SymbolicTensor } {
  const head = new ViTHead({ pool, epsilon: like.epsilon, name: `${like.name}_${pool}` });
  const output = head.apply(input) as tfl.SymbolicTensor;
  head.setWeights(like.getWeights());
  return { head, output };
}
