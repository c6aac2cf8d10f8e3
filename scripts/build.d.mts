// Types of scripts/build.mjs for the TypeScript that imports it (test/globalSetup.ts).
export declare const ENGINE_ENTRIES: Record<string, string>;
export declare function buildEngine(outDir?: string): Promise<void>;
export declare function buildRenderer(outDir?: string): Promise<void>;
