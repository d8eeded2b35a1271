// Child-process entry for training from the sources: loads the TypeScript through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./trainChild.ts');
