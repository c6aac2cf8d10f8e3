// Plain-JavaScript entry of the host's data worker when no esbuild bundle can
// be made: the forked worker process does not get the TypeScript loader by itself, so register it.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
