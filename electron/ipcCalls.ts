// How the main process answers the renderer's one IPC channel: only the app's
// own window, showing the bundled UI in its top frame, may call; a request
// never chooses where a file is written (savePath is the shell's, from a save
// dialog); native dialogs are answered here; everything else goes to the
// engine, which validates it against the contract's schemas. Plain module:
// Electron's objects are passed in, typed by the few members used.
import { join } from 'node:path';
import { isChannel, SHELL_CHANNELS, type Channel } from '../shared/api/channels.ts';
import { apiError } from '../shared/api/errors.ts';
import type { CallOutcome } from '../shared/api/rpc.ts';
import type { AppInfo } from '../shared/api/types.ts';
import type { CallSender } from './engineConnection.ts';

/** The part of a frame (WebFrameMain) the trust check reads. */
export interface FrameLike {
  parent: unknown;
  frameTreeNodeId: number;
  url: string;
}

/** The part of a window's WebContents the handler uses. */
export interface SenderContents extends CallSender {
  mainFrame: { frameTreeNodeId: number };
}

/** The part of an IpcMainInvokeEvent the handler uses. */
export interface InvokeEventLike {
  sender: SenderContents;
  senderFrame: FrameLike | null;
}

/** True when a call comes from one of the app's windows, from its top frame, showing the bundled UI. */
export function isTrustedSender(event: InvokeEventLike, isAppWindow: (contents: SenderContents) => boolean, rendererUrl: string): boolean {
  if (!isAppWindow(event.sender)) return false;
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && frame.frameTreeNodeId === event.sender.mainFrame.frameTreeNodeId && frame.url.split('#')[0] === rendererUrl;
}

/** A renderer's request without the fields only the shell may set (savePath): a copy, never the caller's object. */
export function sanitizeRequest(request: unknown): Record<string, unknown> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return {};
  const { savePath: _shellOnly, ...rest } = request as Record<string, unknown>;
  return rest;
}

/** The file name a save dialog proposes for an export. */
export function exportFileName(source: { kind?: string; format?: string; view?: { table?: string } }): string {
  if (source.kind === 'dq-report') return `dq-report.${source.format ?? 'html'}`;
  const extension = source.format === 'arrow' ? 'arrows' : 'csv';
  const stem = source.kind === 'table' && source.view?.table ? source.view.table.split('/').slice(-1)[0]! : 'query';
  return `${stem.replace(/[^\p{L}\p{N}._-]+/gu, '_')}.${extension}`;
}

export interface FileFilterLike {
  name: string;
  extensions: string[];
}

export const DIALOG_FILTERS: Record<'snapshot' | 'fleet' | 'pack', FileFilterLike[]> = {
  snapshot: [{ name: 'Snapbench snapshot', extensions: ['snapbench'] }, { name: 'All files', extensions: ['*'] }],
  fleet: [{ name: 'Fleet manifest', extensions: ['yaml', 'yml'] }, { name: 'All files', extensions: ['*'] }],
  pack: [{ name: 'Rule pack', extensions: ['yaml', 'yml'] }, { name: 'All files', extensions: ['*'] }],
};

/** What the handler needs from the app: the engine, native dialogs for the calling window, and the OS. */
export interface ShellDeps {
  engine: {
    call(channel: string, request: unknown, callId: string, sender: CallSender | null): Promise<CallOutcome>;
    cancel(callId: string): boolean;
  };
  isTrusted(event: InvokeEventLike): boolean;
  showOpenDialog(event: InvokeEventLike, options: { properties: ['openFile']; filters: FileFilterLike[] }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(event: InvokeEventLike, options: { defaultPath: string; filters?: FileFilterLike[] }): Promise<{ canceled: boolean; filePath?: string }>;
  /** The user's downloads folder, where export dialogs start. */
  downloadsDir(): string;
  /** A snapshot was opened through the UI: recent documents and the menu. */
  snapshotOpened(path: string): void;
}

const SHELL_HANDLED: readonly Channel[] = [...SHELL_CHANNELS, 'export/start', 'call/cancel', 'app/info', 'snapshot/open'];

/** The ipcMain.handle listener of the API call channel. */
export function createCallHandler(deps: ShellDeps): (event: InvokeEventLike, channel: unknown, call: unknown) => Promise<CallOutcome> {
  async function shellCall(event: InvokeEventLike, channel: Channel, callId: string, r: Record<string, unknown>): Promise<CallOutcome> {
    switch (channel) {
      case 'dialog/open': {
        const purpose = r.purpose === 'fleet' || r.purpose === 'pack' ? r.purpose : 'snapshot';
        const picked = await deps.showOpenDialog(event, { properties: ['openFile'], filters: [...DIALOG_FILTERS[purpose]] });
        return { ok: true, value: { path: picked.canceled ? null : (picked.filePaths[0] ?? null) } };
      }
      case 'dialog/save': {
        const picked = await deps.showSaveDialog(event, { defaultPath: typeof r.defaultName === 'string' ? r.defaultName : 'fleet.snapbench', filters: [...DIALOG_FILTERS.snapshot] });
        return { ok: true, value: { path: picked.canceled ? null : (picked.filePath ?? null) } };
      }
      case 'export/start': {
        // Only the shell chooses where files are written: the path comes from a save dialog.
        const source = (r.source ?? {}) as { kind?: string; format?: string; view?: { table?: string } };
        const picked = await deps.showSaveDialog(event, { defaultPath: join(deps.downloadsDir(), exportFileName(source)) });
        if (picked.canceled || !picked.filePath) return { ok: true, value: { kind: 'cancelled' } };
        return deps.engine.call(channel, { ...r, savePath: picked.filePath }, callId, event.sender);
      }
      case 'call/cancel':
        return { ok: true, value: { cancelled: deps.engine.cancel(String(r.callId ?? '')) } };
      case 'app/info': {
        const outcome = await deps.engine.call(channel, r, callId, event.sender);
        if (outcome.ok) (outcome.value as AppInfo).nativeDialogs = true;
        return outcome;
      }
      case 'snapshot/open': {
        const outcome = await deps.engine.call(channel, r, callId, event.sender);
        if (outcome.ok && typeof r.path === 'string') deps.snapshotOpened(r.path);
        return outcome;
      }
      default:
        return deps.engine.call(channel, r, callId, event.sender);
    }
  }

  return async (event, channel, call) => {
    if (!deps.isTrusted(event)) return { ok: false, error: apiError('unauthorized', 'this window may not call the engine') };
    if (!isChannel(channel)) return { ok: false, error: apiError('bad-request', `unknown channel ${String(channel).slice(0, 80)}`) };
    const { callId, request } = (typeof call === 'object' && call !== null ? call : {}) as { callId?: unknown; request?: unknown };
    if (typeof callId !== 'string' || callId.length === 0 || callId.length > 100) return { ok: false, error: apiError('bad-request', 'a call needs a callId') };
    if (request !== undefined && (typeof request !== 'object' || request === null || Array.isArray(request))) return { ok: false, error: apiError('bad-request', `${channel}: the request must be an object`) };
    const sanitized = sanitizeRequest(request);
    if (SHELL_HANDLED.includes(channel)) return shellCall(event, channel, callId, sanitized);
    // Everything else is validated by the engine's dispatch against the contract schemas.
    return deps.engine.call(channel, sanitized, callId, event.sender);
  };
}
