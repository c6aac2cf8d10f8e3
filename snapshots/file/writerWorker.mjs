// Plain-JavaScript entry of the writer's worker thread: worker threads do not
// inherit the main thread's TypeScript loader, so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./writerWorker.ts');
