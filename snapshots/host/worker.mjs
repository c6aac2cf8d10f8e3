// Plain-JavaScript entry of the host's data worker when no esbuild bundle can
// be made: worker threads do not inherit the TypeScript loader, so register it.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
