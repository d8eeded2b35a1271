/**
 * The CLI commands' option schemas: the request's schema (same fields, ranges and docs) minus
 * what the command takes as a positional argument, plus the command's own options. The CLI
 * derives its flags, their checks and the flag lines of `--help` from these.
 */
import { z } from 'zod';
import { field, int, opt, path } from './fields';
import { augmentPreviewRequest, exportEmbeddingsRequest, exportEncoderRequest, exportRecipeRequest, importRequest, importSampleRequest, knnRequest, probeRequest, projectRequest, reportRequest, runsImportRequest } from './requests';

/**
 * `pretext import PATH` and `pretext import --sample NAME`: datasets.import's options (PATH is
 * the positional) and datasets.importSample's, the sample's name under --sample. The sample
 * takes --name, --size and --grayscale too.
 */
export const importOptions = importRequest.omit({ path: true }).extend({
  sample: importSampleRequest.shape.name.optional(),
  full: importSampleRequest.shape.full,
});

export const evalKnnOptions = knnRequest.omit({ runId: true });
export const evalProbeOptions = probeRequest.omit({ runId: true });

/** Larger splits are mapped on a subsample of at most this many points (at least 20). */
export const projectOptions = projectRequest.omit({ runId: true }).extend({
  maxPoints: opt(int(20, 1_000_000), { doc: 'larger splits are mapped on a seeded subsample (default 20000)', flag: 'max-points', arg: 'N', default: 20000 }),
});

export const exportEncoderOptions = exportEncoderRequest.omit({ runId: true });
export const exportEmbeddingsOptions = exportEmbeddingsRequest.omit({ runId: true });
export const exportRecipeOptions = exportRecipeRequest.omit({ runId: true });
export const runsImportOptions = runsImportRequest.omit({ dir: true });
export const reportOptions = reportRequest.omit({ runIds: true });

/** `pretext augment` writes a PNG file: more images than the preview's 64 fit in one. */
export const augmentOptions = augmentPreviewRequest.pick({ datasetId: true, preset: true, method: true }).extend({
  out: field(path(), { doc: 'the folder of the PNG', flag: 'out', arg: 'DIR' }),
  count: opt(int(1, 256), { doc: 'images spread over the dataset', flag: 'count', arg: 'N', default: 8 }),
  seed: augmentPreviewRequest.shape.seed,
});

export type OptionsOf<S extends z.ZodObject> = z.output<S>;
