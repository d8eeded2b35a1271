#!/usr/bin/env node
// Entry point of the `pretext` command: TypeScript sources are loaded through tsx, so a clone
// needs no build step for the CLI and `pretext serve`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
