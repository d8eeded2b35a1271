/**
 * The Augment view's state: a preset (or a method's own views: a pretext task's pieces, masked
 * image modelling's masks), its per-view pipelines as
 * edited in the form, a seed that re-roll changes, and the last preview (rows of an original
 * and its views with what fired on each, the millis the engine took). It lives as long as the
 * app, so the form, its invalid entries and the open panels are as left when the user comes back.
 */
import type { AugmentPreview, ViewSpecJson } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';
import { withValue } from '../../lib/logic/specForm';
import { previewKey } from '../../lib/logic/augmentForm';
import { formBounds } from '../../../../src-main/api/schema/fields';
import { augmentPreviewRequest } from '../../../../src-main/api/schema/requests';

/** The images-per-preview input's range and default, from the request's schema. */
export const COUNT_BOUNDS = formBounds(augmentPreviewRequest, 'count');

/** The preset select's value for a method's own views (rotation, jigsaw, mae…): `method:NAME`. */
export const METHOD_PREFIX = 'method:';

export class AugmentState {
  /** A preset's name, or METHOD_PREFIX + a method whose views are its own (MethodInfo.preset 'method'). */
  preset = $state<string>('');
  /** The edited pipelines; null while the preset's own are used. */
  views = $state.raw<ViewSpecJson[] | null>(null);
  count = $state(COUNT_BOUNDS.default ?? 8);
  seed = $state(1);
  loading = $state(false);
  result = $state.raw<AugmentPreview | null>(null);
  /** Round trip as the UI saw it (request to answer), next to the engine's own millis. */
  roundTripMs = $state<number | null>(null);

  /** Typed values that are not valid for their field (key: lib/logic/augmentForm draftKey), with why. */
  drafts = $state.raw<Record<string, { text: string[]; reason: string }>>({});
  /** Which view panels of the form are open. */
  open = $state.raw<boolean[]>([true]);
  /** What the shown preview was made from (previewKey). */
  private shownKey = $state<string | null>(null);

  /** Set by the first preview, so a failing one is not retried in a loop. */
  tried = false;

  constructor(readonly wb: Workbench) {}

  /** The method whose own views are chosen, if one is. */
  get method(): string | null {
    return this.preset.startsWith(METHOD_PREFIX) ? this.preset.slice(METHOD_PREFIX.length) : null;
  }

  /** The methods with views of their own (pretext tasks, masked image modelling), for the select. */
  get methodViews(): string[] {
    return this.wb.methods.filter((m) => m.preset === 'method').map((m) => m.name);
  }

  /** The pipelines shown in the form: the edited ones, else the last preview's, else the preset's. */
  get shownViews(): ViewSpecJson[] {
    const method = this.method;
    if (method) return this.views ?? (this.result?.preset === method ? this.result.views : []);
    return this.views ?? this.result?.views ?? this.wb.presets.find((p) => p.name === this.preset)?.views ?? [];
  }

  /** The preview no longer shows the form: a value is invalid, or edits are not applied yet. */
  get stale(): { invalid: string[]; pending: boolean } | null {
    const invalid = Object.entries(this.drafts).map(([k, d]) => `${this.fieldName(k)} (${d.reason})`);
    const pending = this.result !== null && this.shownKey !== this.key();
    return invalid.length || pending ? { invalid, pending } : null;
  }

  private fieldName(key: string): string {
    const [view, path] = [Number(key.slice(0, key.indexOf(':'))), key.slice(key.indexOf(':') + 1)];
    return `${String(this.shownViews[view]?.['name'] ?? `view ${view + 1}`)} ${path}`;
  }

  private key(): string {
    return previewKey({ datasetId: this.wb.datasetId, preset: this.preset, views: this.views, count: this.count });
  }

  /** Keeps (or with null, clears) a field's typed text that is not valid. */
  setDraft(key: string, draft: { text: string[]; reason: string } | null): void {
    const { [key]: _old, ...rest } = this.drafts;
    this.drafts = draft ? { ...rest, [key]: draft } : rest;
  }

  setOpen(view: number, open: boolean): void {
    const next = this.open.slice();
    next[view] = open;
    this.open = next;
  }

  choosePreset(name: string): void {
    this.preset = name;
    this.views = null;
    this.drafts = {};
    void this.preview();
  }

  edit(viewIndex: number, path: string[], value: unknown): void {
    const all = this.shownViews.slice();
    all[viewIndex] = withValue(all[viewIndex]!, path, value);
    this.views = all;
  }

  reroll(): Promise<void> {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483647 || 1;
    return this.preview();
  }

  async preview(): Promise<void> {
    const datasetId = this.wb.datasetId;
    if (!datasetId) return;
    this.tried = true;
    if (!this.preset) this.preset = this.wb.presets[0]?.name ?? this.wb.methods[0]?.preset ?? '';
    this.loading = true;
    const t0 = performance.now();
    const key = this.key();
    await this.wb.guard(async () => {
      this.result = await this.wb.client.request('augment.preview', {
        datasetId,
        ...(this.method ? { method: this.method } : this.preset ? { preset: this.preset } : {}),
        ...(this.views ? { views: this.views } : {}),
        count: this.count,
        seed: this.seed,
      });
      this.roundTripMs = performance.now() - t0;
      this.shownKey = key;
    });
    this.loading = false;
  }
}
