/** Every view's state, made once for the app's lifetime so a view keeps its work across switches. */
import { AugmentState } from '../../views/augment/augment.svelte';
import { CompareState } from '../../views/compare/compare.svelte';
import { DatasetsState } from '../../views/datasets/datasets.svelte';
import { EmbeddingsState } from '../../views/embeddings/embeddings.svelte';
import { EvaluateState } from '../../views/evaluate/evaluate.svelte';
import { TrainState } from '../../views/train/train.svelte';
import type { Workbench } from './workbench.svelte';

export interface ViewStates {
  ds: DatasetsState;
  aug: AugmentState;
  tr: TrainState;
  cmp: CompareState;
  emb: EmbeddingsState;
  ev: EvaluateState;
}

export function createViews(wb: Workbench): ViewStates {
  return {
    ds: new DatasetsState(wb),
    aug: new AugmentState(wb),
    tr: new TrainState(wb),
    cmp: new CompareState(wb),
    emb: new EmbeddingsState(wb),
    ev: new EvaluateState(wb),
  };
}
