// electron-builder.yml as a release engineer would check it, in CI, without
// downloading Electron: electron-builder's own loader and schema validation
// (app-builder-lib, the code `electron-builder` runs before packaging), then
// the choices that matter: targets, contents, native rebuild, file
// association, no auto-update, signing only from the environment.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('electron-builder configuration', () => {
  it('passes electron-builder\'s own schema check (and that check rejects a broken config)', async () => {
    const config = await getConfig(ROOT, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, targets: ['AppImage'] } as never }, new DebugLogger(false))).rejects.toThrow(/configuration\.linux/);
  });

  it('builds AppImage and deb, dmg for arm64 and x64, and an nsis installer, from the compiled output only', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.linux?.target).toEqual([
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ]);
    expect(config.mac?.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    // Only package.json and dist/ (no sources, no maps); production dependencies are added by electron-builder.
    expect(config.files).toEqual([{ filter: ['package.json', 'dist/**', '!dist/**/*.map'] }]);
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { main: string; bin: Record<string, string> };
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(pkg.bin.snapbench).toBe('dist/cli/snapbench.js');
  });

  it('rebuilds native modules for Electron, opens .snapbench files, never auto-updates, and keeps secrets out of the file', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.npmRebuild).toBe(true);
    expect(config.nativeRebuilder).toBe('sequential');
    expect(config.fileAssociations).toEqual([expect.objectContaining({ ext: 'snapbench', role: 'Viewer', mimeType: 'application/x-snapbench' })]);
    expect(config.publish).toBeNull();
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false });
    expect(config.mac).toMatchObject({ hardenedRuntime: true });
    const text = JSON.stringify(config);
    for (const secret of ['cscLink', 'cscKeyPassword', 'password', 'appleId', 'APPLE_', 'CSC_']) expect(text).not.toContain(secret);
  });
});
