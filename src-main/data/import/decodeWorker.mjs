// Worker-thread entry: loads the TypeScript worker through tsx, as bin.mjs does for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./decodeWorker.ts');
