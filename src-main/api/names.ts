import type { EventName, RequestName } from './contract';

// Runtime lists of the contract's names. A Record keyed by the union makes the compiler
// reject a list that misses a name or has one too many.
const requests: Record<RequestName, true> = {
  'app.info': true,
  'backends.list': true,
  'datasets.list': true,
  'datasets.get': true,
  'datasets.items': true,
  'datasets.import': true,
  'datasets.importSample': true,
  'datasets.stage': true,
  'datasets.delete': true,
  'augment.presets': true,
  'augment.preview': true,
  'methods.list': true,
  'runs.create': true,
  'runs.preview': true,
  'runs.list': true,
  'runs.get': true,
  'runs.metrics': true,
  'runs.cancel': true,
  'runs.resume': true,
  'runs.delete': true,
  'runs.label': true,
  'runs.import': true,
  'eval.knn': true,
  'eval.probe': true,
  'eval.list': true,
  'eval.diagnostics': true,
  'projections.create': true,
  'projections.get': true,
  'export.encoder': true,
  'export.embeddings': true,
  'export.recipe': true,
  'report.create': true,
  'neighbours.query': true,
  'runs.reconstruct': true,
  'jobs.list': true,
  'jobs.cancel': true,
};

const events: Record<EventName, true> = {
  'job.progress': true,
  'job.finished': true,
  'run.status': true,
  'run.metrics': true,
  'datasets.changed': true,
  'engine.status': true,
};

export const REQUEST_NAMES = Object.keys(requests) as RequestName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requests, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
