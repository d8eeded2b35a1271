// Child-process entry for evaluation/export work from the sources: loads the TypeScript through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./workChild.ts');
