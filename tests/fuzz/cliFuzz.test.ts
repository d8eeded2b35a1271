/**
 * Issue 11's fuzz suite, CLI half: generated bad values for the flags of `import`, `train`,
 * `eval`, `project` and `export` (in-process main() on a temp workspace). Each value is outside
 * what the option's schema allows (api/schema: type, range both below and above, choices,
 * length), or a name the engine does not know, so every run must be a usage error: exit 2, a
 * message naming the flag (`--flag`), no stack, no raw JavaScript text; and `train` stores no
 * run.
 *
 * Names are fuzzed by what the engine knows: --method, --backbone, --preset and --optimizer
 * get random strings that are not a method, backbone, preset or optimizer ("unknown ..." when
 * the schema lets them through), --set gets KEY=VALUE with a key no method of the request has,
 * or a value of the wrong type, and text flags (--dataset, --name) get empty, overlong and
 * control-character values. Booleans (--grayscale, --full) take no value and are left out,
 * and so are valid ids of nothing (a dataset that does not exist is exit 1, "no dataset").
 * Bounded: PRETEXT_FUZZ_RUNS (default 12) values per flag.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { evalKnnOptions, evalProbeOptions, exportEmbeddingsOptions, exportEncoderOptions, projectOptions } from '../../src-main/api/schema/commands';
import { fieldsOf, type FieldMeta } from '../../src-main/api/schema/fields';
import { importRequest, importSampleRequest, OPTIMIZERS, trainRequest } from '../../src-main/api/schema/requests';
import { PRESET_NAMES } from '../../src-main/ml/augment';
import { BACKBONE_NAMES } from '../../src-main/ml/backbones/registry';
import { METHOD_NAMES } from '../../src-main/ml/methods';
import { listRuns } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let wsDir: string;
let datasetId: string;

beforeAll(() => {
  tmp = makeTempDir('pretext-clifuzz-');
  wsDir = join(tmp.dir, 'ws');
  const ws = Workspace.open(wsDir);
  datasetId = makeToyDataset(ws);
  ws.close();
});

afterAll(() => tmp.cleanup());

const RUNS = Number(process.env['PRETEXT_FUZZ_RUNS'] ?? 12);

const notANumber = fc.string({ maxLength: 12 }).filter((s) => s.trim() === '' || !Number.isFinite(Number(s)));
const show = (n: number) => String(n);

/** Values the field's schema refuses. */
function badValues(meta: FieldMeta, schema: z.ZodType): fc.Arbitrary<string> {
  const refused = (s: string) => {
    const v = meta.min !== undefined || typeof meta.values?.[0] === 'number' ? Number(s) : s;
    return !schema.safeParse(v).success;
  };
  const arbs: fc.Arbitrary<string>[] = [];
  if (meta.min !== undefined && meta.max !== undefined) {
    arbs.push(notANumber, fc.double({ max: meta.min, noNaN: true, noDefaultInfinity: true }).map(show));
    arbs.push(fc.double({ min: meta.max, noNaN: true, noDefaultInfinity: true, minExcluded: true }).map(show), fc.constant('1e400'));
    if (meta.integer) arbs.push(fc.double({ min: meta.min, max: Math.min(meta.max, 1e6), noNaN: true }).filter((n) => !Number.isInteger(n)).map(show));
  } else if (meta.values) {
    arbs.push(fc.string({ maxLength: 16 }), fc.double({ noNaN: true }).map(show), fc.constantFrom('constructor', '__proto__', 'toString', ''));
  } else {
    // A text or a path: empty, too long in all or in one name, with control characters.
    arbs.push(
      fc.constantFrom('', 'p'.repeat(5000), `d/${'n'.repeat(300)}/f`, 'x'.repeat(201), 'a\u0000b'),
      fc.string({ maxLength: 12 }).map((s) => `${s}\u0007`),
    );
  }
  return fc.oneof(...arbs).filter(refused);
}

const known = (names: readonly string[]) => (s: string) => names.some((n) => n.toLowerCase() === s.trim().toLowerCase());
const prototypeNames = fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'nope');

/** Names the engine does not know: random strings (some the schema refuses) and prototype keys. */
function unknownNames(names: readonly string[], list = false): fc.Arbitrary<string> {
  const isKnown = known(names);
  // A list (--method a,b) is refused when one of its names is: an empty or all-known list is not bad.
  const bad = (s: string) => (list ? s.split(',').some((p) => p.trim() !== '' && !isKnown(p)) : !isKnown(s));
  return fc.oneof(fc.string({ maxLength: 16 }), fc.stringMatching(/^[a-z_][\w-]{0,11}$/), prototypeNames).filter(bad);
}

/** `--set` values: no KEY=VALUE, a key simclr does not have, or a value of the wrong type. */
const SIMCLR_OPTIONS = ['projHidden', 'projOut', 'temperature'];
const badSets = fc
  .oneof(
    fc.string({ maxLength: 16 }),
    fc.tuple(fc.oneof(fc.stringMatching(/^[a-zA-Z_]\w{0,11}$/), prototypeNames), fc.string({ maxLength: 8 })).map(([k, v]) => `${k}=${v}`),
    fc.constantFrom('temperature=abc', 'projOut=x', 'projHidden=1e400x', '=1'),
  )
  .filter((s) => !SIMCLR_OPTIONS.includes(s.slice(0, Math.max(0, s.indexOf('=')))) || /^(temperature=abc|projOut=x|projHidden=1e400x)$/.test(s));

interface Case {
  command: string;
  /** The argv before the flag under test. */
  argv: () => string[];
  schema: z.ZodObject;
  skip?: string[];
  /** Flags whose bad values are made here rather than from the schema. */
  custom?: Record<string, fc.Arbitrary<string>>;
}

const train = () => ['train', '--backend', 'cpu', '--dataset', datasetId, '--method', 'simclr', '--epochs', '1'];

const CASES: Case[] = [
  { command: 'import', argv: () => ['import', join(tmp.dir, 'nothing-here')], schema: importRequest, skip: ['grayscale'] },
  { command: 'import --sample', argv: () => ['import'], schema: importSampleRequest, skip: ['full'] },
  {
    command: 'train',
    argv: train,
    schema: trainRequest,
    custom: {
      method: unknownNames(METHOD_NAMES, true),
      backbone: unknownNames(BACKBONE_NAMES),
      preset: unknownNames(PRESET_NAMES),
      optimizer: unknownNames(OPTIMIZERS),
      set: badSets,
    },
  },
  { command: 'eval knn', argv: () => ['eval', 'knn', 'run-nope'], schema: evalKnnOptions },
  { command: 'eval probe', argv: () => ['eval', 'probe', 'run-nope'], schema: evalProbeOptions },
  { command: 'project', argv: () => ['project', 'run-nope', '--algo', 'pca'], schema: projectOptions },
  { command: 'export encoder', argv: () => ['export', 'encoder', 'run-nope', '--format', 'onnx'], schema: exportEncoderOptions },
  { command: 'export embeddings', argv: () => ['export', 'embeddings', 'run-nope', '--format', 'csv'], schema: exportEmbeddingsOptions },
];

const RAW_JS = [/\n\s+at /, /Cannot read properties/, /Cannot destructure/, /is not a function/];

describe('fuzz: bad flag values through the CLI', () => {
  for (const c of CASES) {
    const flags = fieldsOf(c.schema).filter((f) => f.meta.flag && !(c.skip ?? []).includes(f.meta.flag) && f.meta.arg !== undefined);
    it.each(flags.map((f) => [f.meta.flag!, f] as const))(`${c.command} --%s: exit 2 naming the flag`, async (flag, f) => {
      const values = c.custom?.[flag] ?? badValues(f.meta, f.schema);
      await fc.assert(
        fc.asyncProperty(values, async (value) => {
          const r = await runCli(['--workspace', wsDir, ...c.argv(), `--${flag}=${value}`]);
          const what = `${c.command} --${flag}=${value.slice(0, 80)}: ${r.stderr.slice(0, 300)}`;
          expect(r.code, what).toBe(2);
          expect(r.stderr, what).toContain(`--${flag}`);
          for (const bad of RAW_JS) expect(r.stderr, what).not.toMatch(bad);
          // A name the schema lets through is refused by the engine as unknown.
          const asGiven = flag === 'method' ? value.split(',').map((m) => m.trim()).filter(Boolean) : value;
          if (c.custom?.[flag] && flag !== 'set' && f.schema.safeParse(asGiven).success) expect(r.stderr, what).toMatch(/unknown|must be one of/);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('train: none of the bad values stored a run', () => {
    const ws = Workspace.open(wsDir);
    try {
      expect(listRuns(ws)).toEqual([]);
      expect(existsSync(ws.runsDir) ? readdirSync(ws.runsDir) : []).toEqual([]);
    } finally {
      ws.close();
    }
  });
});
