import { describe, expect, it } from 'vitest';
import { viewSpecSchema } from '../../src-main/api/schema/requests';
import { defaultViews } from '../../src-main/ml/methods';

describe('view schema: task views', () => {
  it('keeps a method\'s task when the UI sends its views back, and names a bad task field', () => {
    for (const method of ['rotation', 'jigsaw', 'context']) {
      const view = defaultViews(method, 32).views[0]!;
      const parsed = viewSpecSchema.parse(JSON.parse(JSON.stringify(view)));
      expect(parsed.task, method).toEqual(view.task);
    }
    const jig = JSON.parse(JSON.stringify(defaultViews('jigsaw', 32).views[0]!)) as { task: Record<string, unknown> };
    const r = viewSpecSchema.safeParse({ ...jig, task: { ...jig.task, grid: 5 } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues[0]?.path)).toBe('["task","grid"]');
    expect(viewSpecSchema.safeParse({ ...jig, task: { kind: 'spin' } }).success).toBe(false);
  });
});
