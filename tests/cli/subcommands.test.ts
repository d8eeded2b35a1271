import { describe, expect, it } from 'vitest';
import { exitCode } from '../../src-main/cli/errors';
import { subcommandArgs, subcommandsCommand } from '../../src-main/cli/subcommands';
import type { CommandContext } from '../../src-main/cli/command';

const ctx = {} as CommandContext;

describe('subcommands', () => {
  const cmd = subcommandsCommand('things', 'list | show ID', 'Usage: pretext things list', [
    ['list', async () => 'listed'],
    ['show', async (ref) => `shown ${ref}`],
  ]);

  it('runs the first subcommand when none is named, and the named one with its reference', async () => {
    expect(await cmd.run([], ctx)).toBe('listed');
    expect(await cmd.run(['show', 'x'], ctx)).toBe('shown x');
  });

  it('refuses unknown subcommands (prototype names included) and extra arguments as usage errors', async () => {
    for (const sub of ['nope', 'constructor', '__proto__']) {
      const err = await cmd.run([sub], ctx).catch((e: unknown) => e);
      expect(String(err)).toMatch(new RegExp(`unknown subcommand 'things ${sub}'`));
      expect(exitCode(err)).toBe(2);
    }
    expect(() => subcommandArgs(['show', 'a', 'b'], 'u')).toThrow(/unexpected arguments: b/);
  });
});
