// Finds the built workbench UI for the browser host: dist/renderer/, compiled
// by `npm run build` (and by `npm ci` through `prepare`). Nothing is built
// when serve starts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compiledRendererDir } from '../compiled.ts';

export class RendererBuildError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RendererBuildError';
  }
}

/** The folder with the UI's index.html, or RendererBuildError saying how to build it. */
export function rendererDir(): string {
  const dir = compiledRendererDir();
  if (!existsSync(join(dir, 'index.html'))) throw new RendererBuildError(`the workbench UI is not built (no ${join(dir, 'index.html')})`, 'run "npm run build" in the project folder');
  return dir;
}
