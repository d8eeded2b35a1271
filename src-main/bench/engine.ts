import type { CommandContext } from '../cli/command';
import { PretextError } from '../cli/errors';

export async function run(_args: string[], _ctx: CommandContext): Promise<unknown> {
  throw new PretextError('bench engine is not implemented yet');
}
