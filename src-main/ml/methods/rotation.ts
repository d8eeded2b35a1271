/**
 * RotNet (Gidaris et al. 2018; official code github.com/gidariss/FeatureLearningRotNet,
 * architectures/NetworkInNetwork.py and dataloader.py): every image of the batch in all four
 * rotations (0°, 90°, 180°, 270°; the task view 'rotate', augment/tasks.ts), the four kept
 * together as in the official loader, and a 4-way classifier on the backbone's pooled
 * features, trained with cross-entropy.
 * Recipe of config/CIFAR10_RotNet_NIN4blocks.py: SGD lr 0.1, momentum 0.9, weight decay 5e-4,
 * batch 128 (512 rotated rows). Differences: no Nesterov (the trainer's SGD has no flag for it
 * in a method's defaults) and the trainer's cosine schedule instead of the step LUT (0.1 → 0.02
 * → 0.004 → 0.0008 at epochs 60/120/160 of 200). Views: the whole image, flipped at random.
 */
import { forward } from './common';
import { defineModel } from './model';
import { classification, classifierHead, targetsOf } from './taskCommon';
import type { MethodDefinition } from './types';

export const rotation: MethodDefinition = {
  name: 'rotation',
  summary: 'pretext task: 4-way classification of the rotation (0/90/180/270°) of each image',
  reference: 'Gidaris et al., Unsupervised Representation Learning by Predicting Image Rotations (ICLR 2018); code: github.com/gidariss/FeatureLearningRotNet',
  preset: (size) => [
    { name: 'rotations', size, crop: null, flipProb: 0.5, colorJitter: null, grayscaleProb: 0, blur: null, solarize: null, task: { kind: 'rotate' } },
  ],
  params: {},
  train: { optimizer: 'sgd', lr: 0.1, weightDecay: 5e-4, momentum: 0.9, batch: 128, warmupEpochs: 0, eta: 0.02, excludeBiasAndNorm: false },
  build(makeBackbone, featureDim) {
    const backbone = makeBackbone();
    const classifier = classifierHead('rotation-classifier', featureDim, 0, 4);
    return defineModel(
      { backbone, heads: { classifier } },
      { loss: (input) => classification(forward(input.views[0]!, backbone, classifier), targetsOf(input, 'rotation')) },
    );
  },
};
