import { register } from 'tsx/esm/api';
register();
await import('./seal-worker.ts');
