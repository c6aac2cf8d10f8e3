/** See bundle.js: the directory of the bundled entry points, or null without esbuild. */
export function bundleOnDemand(root: string, name: string, entryPoints: Record<string, string>): Promise<string | null>;
