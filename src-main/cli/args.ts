import { usageError } from './errors';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { fieldsOf, type FieldMeta } from '../api/schema/fields';

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

/** One `  --flag  doc` line per option, the flags padded to one column. */
export function flagLines(schema: z.ZodObject): string {
  const flags = flagsOf(schema);
  const width = Math.max(...flags.map((f) => f.flag.length + 2));
  return flags.map((f) => `  ${`--${f.flag}`.padEnd(width)}  ${f.meta.doc}`).join('\n');
}

/** The options of one schema, read and checked (readFlags + checkFlags), and the positionals. */
export function parseOptions<S extends z.ZodObject>(args: string[], schema: S, usage: string, positionals = false) {
  const read = readFlags(args, [schema], usage, positionals);
  return { values: checkFlags(read.flags, schema, usage), positionals: read.positionals };
}

/** The flags of the given schemas, read as strings (booleans as booleans), strictly. */
export function readFlags(args: string[], schemas: z.ZodObject[], usage: string, positionals = false) {
  const options: Options = {};
  for (const s of schemas) for (const f of flagsOf(s)) options[f.flag] = { type: isBoolean(f.schema) ? 'boolean' : 'string' };
  const parsed = parseCommandArgs(args, options, usage, positionals);
  return { flags: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

const quoted = (v: string) => `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'`;

/**
 * The options of `schema` from flags read by readFlags, converted and checked against the
 * schema's ranges: a bad value is a usage error (exit 2) naming the flag. A flag given that
 * the schema does not have is refused with `misplaced(flag)`.
 */
export function checkFlags<S extends z.ZodObject>(
  flags: Record<string, string | boolean | undefined>,
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
    let value: unknown = raw;
    if (typeof raw === 'string' && isNumeric(f.schema)) {
      value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) throw usageError(`--${f.flag} must be a number, got ${quoted(raw)}`, `--${f.flag}`);
    }
    const r = f.schema.safeParse(value);
    if (!r.success) {
      const got = typeof value === 'number' ? String(value) : typeof value === 'string' ? quoted(value) : String(value);
      throw usageError(`--${f.flag} ${r.error.issues[0]!.message}, got ${got}`, `--${f.flag}`);
    }
    out[f.name] = r.data;
  }
  return out as Partial<z.output<S>>;
}
