// The channel names alone, without schemas, so the Electron preload can check
// a channel without bundling the validators.

export const CHANNELS = [
  'app/info',
  'call/cancel',
  'recent/list',
  'recent/forget',
  'snapshot/open',
  'snapshot/close',
  'snapshot/demo',
  'snapshot/verify',
  'snapshot/trust',
  'trust/keys',
  'trust/add',
  'trust/remove',
  'catalog/tree',
  'catalog/columns',
  'table/describe',
  'table/page',
  'table/count',
  'table/facet',
  'column/profile',
  'sql/run',
  'result/page',
  'result/close',
  'export/start',
  'dq/packs',
  'dq/run',
  'dq/history',
  'dq/results',
  'dq/evidence',
  'dq/rows',
  'fleet/overview',
  'scenario/options',
  'scenario/compute',
  'scenario/compare',
  'scenario/summary',
  'series/build',
  'pull/inspect',
  'pull/start',
  'pull/check',
  'pull/configure',
  'pull/validate',
  'pull/save-manifest',
  'dialog/open',
  'dialog/save',
] as const;

export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** Channels only the desktop shell answers itself (native dialogs). */
export const SHELL_CHANNELS: readonly Channel[] = ['dialog/open', 'dialog/save'];
