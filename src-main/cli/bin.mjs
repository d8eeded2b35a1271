#!/usr/bin/env node
// Entry point of the `pretext` command: TypeScript sources are loaded through tsx, so a clone
// needs no build step for the CLI and `pretext serve`.
import { register } from 'tsx/esm/api';

register();
// `pretext … | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
