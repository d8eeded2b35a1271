/**
 * A backbone's last feature map before its pooling, for methods whose loss is dense or per
 * region (colorization's per-pixel colour distribution, Jigsaw Clustering's montage split back
 * into tiles): `spatialFeatures(backbone, images, training)` → [B, h, w, C], on the backbone's
 * own weights, so gradients reach the same variables as its pooled output.
 *
 * - ResNet (resnet.ts): the input of its `pool` layer (global average pooling), through a
 *   tf.layers model that shares the backbone's layers up to there (cached per backbone; it owns
 *   no weights, so it is never disposed: disposing it would free the backbone's).
 * - ViT (vit.ts): the patch tokens after the last block, without the class token and the final
 *   norm, laid back on the patch grid.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isViTModel, vitPatchTokens } from './vitParts';

const trunks = new WeakMap<tfl.LayersModel, tfl.LayersModel>();

function resnetTrunk(backbone: tfl.LayersModel): tfl.LayersModel {
  let trunk = trunks.get(backbone);
  if (!trunk) {
    const pool = backbone.layers.find((l) => l.name === 'pool' && l instanceof tfl.layers.Layer);
    if (!pool) throw new Error(`backbone '${backbone.name}' has no 'pool' layer: its feature map cannot be taken (a ResNet or a ViT of the registry expected)`);
    trunk = tfl.model({ inputs: backbone.inputs, outputs: pool.input as tfl.SymbolicTensor, name: `${backbone.name}_trunk` });
    trunks.set(backbone, trunk);
  }
  return trunk;
}

/** The backbone's feature map [B, h, w, C] of `images` [B, H, W, c] (see the file's header). */
export function spatialFeatures(backbone: tfl.LayersModel, images: tf.Tensor, training = false): tf.Tensor4D {
  if (isViTModel(backbone)) {
    return tf.tidy(() => {
      const tokens = vitPatchTokens(backbone, images, training);
      const [n, t, d] = tokens.shape;
      const g = Math.round(Math.sqrt(t));
      if (g * g !== t) throw new Error(`backbone '${backbone.name}': ${t} patch tokens do not form a square grid`);
      return tf.reshape(tokens, [n, g, g, d]) as tf.Tensor4D;
    });
  }
  return resnetTrunk(backbone).apply(images, { training }) as tf.Tensor4D;
}

/** The shape [h, w, C] of the backbone's feature map for its input size. */
export function spatialShape(backbone: tfl.LayersModel): [number, number, number] {
  if (isViTModel(backbone)) {
    const [size, , channels] = backbone.inputs[0]!.shape.slice(1) as number[];
    const probe = tf.tidy(() => spatialFeatures(backbone, tf.zeros([1, size!, size!, channels!])).shape);
    return [probe[1], probe[2], probe[3]];
  }
  const shape = resnetTrunk(backbone).outputs[0]!.shape;
  return [shape[1]!, shape[2]!, shape[3]!];
}
