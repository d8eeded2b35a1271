import { usageError } from './errors';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { fieldsOf, type FieldMeta } from '../api/schema/fields';
import { PretextError } from '../core/errors';
import { didYouMean } from '../core/suggest';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A command's options, strictly parsed; a bad option is a usage error (exit 2) with the usage.
 * Positional arguments are rejected unless `positionals` is set.
 */
export function parseCommandArgs<const O extends Options, const P extends boolean = false>(
  args: string[],
  options: O,
  usage: string,
  positionals?: P,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: (positionals ?? false) as P });
  } catch (err) {
    throw usageError(`${(err as Error).message}\n${usage}`);
  }
}

// ---------------------------------------------------------------- options from a schema

interface Flag {
  name: string;
  flag: string;
  schema: z.ZodType;
  meta: FieldMeta;
  optional: boolean;
}

function flagsOf(schema: z.ZodObject): Flag[] {
  return fieldsOf(schema).flatMap((f) => (f.meta.flag ? [{ ...f, flag: f.meta.flag }] : []));
}

function inner(s: z.ZodType): z.ZodType {
  return s instanceof z.ZodOptional || s instanceof z.ZodNullable ? inner(s.unwrap() as z.ZodType) : s;
}

const isBoolean = (s: z.ZodType) => inner(s) instanceof z.ZodBoolean;
/** A list (`--method a,b` or repeated) or a record (`--set K=V`, repeated): the flag may be given more than once. */
const isList = (s: z.ZodType) => inner(s) instanceof z.ZodArray;
const isRepeated = (s: z.ZodType) => isList(s) || inner(s) instanceof z.ZodRecord;
const isNumeric = (s: z.ZodType) => {
  const i = inner(s);
  return i instanceof z.ZodNumber || (i instanceof z.ZodLiteral && [...i.values].every((v) => typeof v === 'number'));
};

/** `--flag ARG` for a required option, `[--flag ARG]` for an optional one. */
export function synopsis(schema: z.ZodObject, name: string): string {
  const f = flagsOf(schema).find((x) => x.name === name);
  if (!f) throw new Error(`no option ${name}`);
  const text = `--${f.flag}${f.meta.arg ? ` ${f.meta.arg}` : ''}`;
  return f.optional ? `[${text}]` : text;
}

/** The synopsis of every option of a schema, in order. */
export function synopses(schema: z.ZodObject): string {
  return flagsOf(schema)
    .map((f) => synopsis(schema, f.name))
    .join(' ');
}

/** One `  --flag ARG  doc (default D)` line per option, the flags padded to one column. */
export function flagLines(schema: z.ZodObject): string {
  const flags = flagsOf(schema);
  const head = (f: Flag) => `--${f.flag}${f.meta.arg ? ` ${f.meta.arg}` : ''}`;
  const width = Math.max(...flags.map((f) => head(f).length));
  const dflt = (f: Flag) => (f.meta.default !== undefined && typeof f.meta.default !== 'boolean' && !f.meta.doc.includes('default') ? ` (default ${f.meta.default})` : '');
  return flags.map((f) => `  ${head(f).padEnd(width)}  ${f.meta.doc}${dflt(f)}`).join('\n');
}

/** The options of one schema, read and checked (readFlags + checkFlags), and the positionals. */
export function parseOptions<S extends z.ZodObject>(args: string[], schema: S, usage: string, positionals = false) {
  const read = readFlags(args, [schema], usage, positionals);
  return { values: checkFlags(read.flags, schema, usage), positionals: read.positionals };
}

/** What readFlags reads: a string, a boolean, or the strings of a flag given more than once. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/**
 * The flags of the given schemas, read as strings (booleans as booleans, lists and records
 * as every string given), strictly.
 */
export function readFlags(args: string[], schemas: z.ZodObject[], usage: string, positionals = false) {
  const options: Options = {};
  for (const s of schemas) {
    for (const f of flagsOf(s)) options[f.flag] = isBoolean(f.schema) ? { type: 'boolean' } : { type: 'string', multiple: isRepeated(f.schema) };
  }
  const parsed = parseCommandArgs(withNegatives(args, options), options, usage, positionals);
  return { flags: parsed.values as FlagValues, positionals: parsed.positionals };
}

/** `--flag -1` as `--flag=-1`: a negative number after a flag that takes a value is its value (parseArgs takes it for an option). */
function withNegatives(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a === '--') return [...out, ...args.slice(i)];
    const name = a.slice(2);
    if (a.startsWith('--') && Object.hasOwn(options, name) && options[name]!.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A value as a message quotes it: at most 60 characters. */
export const quoted = (v: string) => `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'`;

/** The value of a flag as the schema takes it: a number for a numeric field, a list's items split at commas. */
function converted(f: Flag, raw: unknown): unknown {
  if (typeof raw === 'string' && isNumeric(f.schema)) {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw usageError(`--${f.flag} must be a number, got ${quoted(raw)}`, `--${f.flag}`);
    return value;
  }
  if (Array.isArray(raw) && isList(f.schema)) {
    return raw.flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
  }
  return raw;
}

/** `--flag must be ..., got V` for the first issue of a refused value (the item of a list, the key of a record). */
function refusal(f: Flag, value: unknown, error: z.ZodError): PretextError {
  const issue = error.issues[0]!;
  const at = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
  const where = Array.isArray(value) || issue.path.length === 0 ? '' : ` ${issue.path.map(String).join('.')}`;
  // The value as typed, quoted, as the CLI has always printed it: "got '0'", "got 'mds'".
  const got = typeof at === 'number' || typeof at === 'boolean' || typeof at === 'string' ? `, got ${quoted(String(at))}` : '';
  const values = f.meta.values?.map(String);
  const hint = typeof at === 'string' && values ? didYouMean(at, values) : '';
  return usageError(`--${f.flag}${where} ${issue.message}${got}${hint}`, `--${f.flag}`);
}

/**
 * The options of `schema` from flags read by readFlags, converted and checked against the
 * schema's ranges: a bad value is a usage error (exit 2) naming the flag. A flag given that
 * the schema does not have is refused with `misplaced(flag)`.
 */
export function checkFlags<S extends z.ZodObject>(
  flags: Record<string, unknown>,
  schema: S,
  usage: string,
  misplaced: (flag: string) => string = (flag) => `--${flag} does not apply here`,
): Partial<z.output<S>> {
  const own = flagsOf(schema);
  for (const [flag, v] of Object.entries(flags)) {
    if (v !== undefined && !own.some((f) => f.flag === flag)) throw usageError(`${misplaced(flag)}\n${usage}`, `--${flag}`);
  }
  const out: Record<string, unknown> = {};
  for (const f of own) {
    const raw = flags[f.flag];
    if (raw === undefined) {
      if (!f.optional) throw usageError(`--${f.flag} is required\n${usage}`, `--${f.flag}`);
      continue;
    }
    const value = converted(f, raw);
    const r = f.schema.safeParse(value);
    if (!r.success) throw refusal(f, value, r.error);
    out[f.name] = r.data;
  }
  return out as Partial<z.output<S>>;
}

/**
 * Runs `f`, the engine's own checks of a request built from the flags of `schema` (names in
 * registries, a batch larger than the data): a 'bad-request' PretextError naming a field
 * becomes a usage error (exit 2) that names the field's flag.
 */
export function flagErrors<T>(schema: z.ZodObject, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof PretextError) || err.code !== 'bad-request') throw err;
    const top = err.field?.split('.')[0];
    const flag = flagsOf(schema).find((x) => x.name === top || x.flag === top)?.flag;
    if (!flag) throw usageError(err.message, err.field ?? 'usage');
    throw usageError(err.message.includes(`--${flag}`) ? err.message : `--${flag}: ${err.message}`, `--${flag}`);
  }
}
