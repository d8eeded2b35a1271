// Engine process entry from the sources (pretext serve, tests): loads the TypeScript through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./entry.ts');
