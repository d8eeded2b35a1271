/**
 * VICReg (Bardes et al. 2022, facebookresearch/vicreg; solo-learn methods/vicreg.py):
 * invariance (MSE), variance (hinge on the std) and covariance terms. The loss follows the
 * official code (facebookresearch/vicreg main_vicreg.py VICReg.forward: the variance term is
 * the mean of the two views' hinges); solo-learn's solo/losses/vicreg.py sums them, which
 * doubles the variance weight for the same 25/25/1 (both codes' defaults). CIFAR defaults
 * from solo-learn's scripts/pretrain/cifar/vicreg.yaml: projector 2048 → 2048 (3 layers),
 * weights 25/25/1, LARS lr 0.3, weight decay 1e-4, η 0.02. The bench's peer halves the
 * variance term too (bench/peer/ssl_methods.py).
 * LARS's clip_lr is off (solo-learn's yaml: on; `--clip-lr` turns it on): see barlow.ts.
 */
import { mlpHead, threeLayer } from '../heads/mlp';
import { vicregTerms, weightVicregTerms } from '../losses';
import { forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';

export const vicreg: MethodDefinition = {
  name: 'vicreg',
  summary: 'variance–invariance–covariance regularisation of the two views',
  reference: 'Bardes, Ponce & LeCun, VICReg (ICLR 2022)',
  preset: 'vicreg',
  params: { projHidden: 2048, projOut: 2048, simWeight: 25, varWeight: 25, covWeight: 1 },
  train: larsDefaults(0.3, 1e-4),
  build(makeBackbone, featureDim, p) {
    const backbone = makeBackbone();
    const projector = mlpHead('vicreg-projector', featureDim, threeLayer(positiveInt(p, 'projHidden'), positiveInt(p, 'projOut')));
    return defineModel(
      { backbone, heads: { projector } },
      {
        loss: ({ views }) => {
          const terms = vicregTerms(forward(views[0]!, backbone, projector), forward(views[1]!, backbone, projector));
          // The unweighted terms are logged per step (as solo-learn's vicreg.py logs them).
          const loss = weightVicregTerms(terms, num(p, 'simWeight'), num(p, 'varWeight'), num(p, 'covWeight'));
          return { loss, metrics: { invariance: terms.invariance, variance: terms.variance, covariance: terms.covariance } };
        },
      },
    );
  },
};
