import type { Command } from '../command';
import { benchCommand } from './bench';
import { datasetsCommand } from './datasets';

/** Every CLI command, in the order `pretext --help` lists them. */
export const commands: Command[] = [
  datasetsCommand,
  benchCommand,
];
