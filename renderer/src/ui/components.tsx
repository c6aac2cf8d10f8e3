// Small building blocks every view uses: error and empty states that say what
// to do, progress with a cancel button, and a hook that runs one API call at a
// time with its progress, cancellation and error.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiFailure } from '../../../shared/api/errors.ts';
import type { JobProgress } from '../../../shared/api/types.ts';
import { isCancelled } from '../api/client.ts';
import { formatCount } from './format.ts';
import { forTheWorkbench } from './wording.ts';

export function ErrorBox({ error, onRetry, onDismiss }: { error: unknown; onRetry?: () => void; onDismiss?: () => void }) {
  const failure = error instanceof ApiFailure ? error : null;
  const original = failure ? failure.message : error instanceof Error ? error.message : String(error);
  const message = forTheWorkbench(original);
  const hint = failure?.hint ? forTheWorkbench(failure.hint) : null;
  const reworded = message !== original || hint !== (failure?.hint ?? null);
  return (
    <div className="error-box" role="alert">
      <div className="error-message">{message}</div>
      {hint && <div className="error-hint">What to do: {hint}</div>}
      {reworded && (
        <details className="small muted">
          <summary>Technical detail</summary>
          <div className="mono">
            {original}
            {failure?.hint ? ` (${failure.hint})` : ''}
          </div>
        </details>
      )}
      {(onRetry || onDismiss) && (
        <div className="row gap">
          {onRetry && (
            <button type="button" onClick={onRetry}>
              Try again
            </button>
          )}
          {onDismiss && (
            <button type="button" className="quiet" onClick={onDismiss}>
              Dismiss
            </button>
          )}
        </div>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function ProgressBar({ progress, label, onCancel }: { progress: JobProgress | null; label?: string; onCancel?: () => void }) {
  const share = progress && progress.total ? Math.min(1, progress.done / progress.total) : null;
  const text = progress
    ? `${progress.phase}${progress.total ? `: ${formatCount(progress.done)} of ${formatCount(progress.total)} ${progress.unit}` : progress.done ? `: ${formatCount(progress.done)} ${progress.unit}` : '…'}`
    : (label ?? 'Working…');
  return (
    <div className="progress" role="status" aria-live="polite">
      <div className="progress-track" aria-hidden="true">
        <div className={share === null ? 'progress-fill indeterminate' : 'progress-fill'} style={share === null ? undefined : { width: `${share * 100}%` }} />
      </div>
      <span className="progress-text">{text}</span>
      {onCancel && (
        <button type="button" className="quiet small" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}

export interface Job<T, P> {
  running: boolean;
  progress: P | null;
  error: unknown;
  result: T | null;
  run(work: (signal: AbortSignal, onProgress: (p: P) => void) => Promise<T>): Promise<T | null>;
  cancel(): void;
  clear(): void;
}

/** One call at a time: starting another cancels the previous; unmounting cancels too. */
export function useJob<T, P = JobProgress>(): Job<T, P> {
  const [state, setState] = useState<{ running: boolean; progress: P | null; error: unknown; result: T | null }>({ running: false, progress: null, error: null, result: null });
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);
  const run = useCallback(async (work: (signal: AbortSignal, onProgress: (p: P) => void) => Promise<T>) => {
    controller.current?.abort();
    const mine = new AbortController();
    controller.current = mine;
    setState((s) => ({ running: true, progress: null, error: null, result: s.result }));
    try {
      const result = await work(mine.signal, (p) => {
        if (controller.current === mine) setState((s) => ({ ...s, progress: p }));
      });
      if (controller.current === mine) setState({ running: false, progress: null, error: null, result });
      return result;
    } catch (error) {
      if (controller.current === mine) setState((s) => ({ running: false, progress: null, error: isCancelled(error) ? null : error, result: s.result }));
      return null;
    }
  }, []);
  const cancel = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
    setState((s) => ({ ...s, running: false, progress: null }));
  }, []);
  const clear = useCallback(() => setState({ running: false, progress: null, error: null, result: null }), []);
  return { ...state, run, cancel, clear };
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="stat" title={hint}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

/** A short confirmation ("Downloaded summary.png") that stays until the next one; read out by screen readers. */
export function useNotice(): { notice: string | null; show(text: string): void; clear(): void } {
  const [notice, setNotice] = useState<string | null>(null);
  const show = useCallback((text: string) => setNotice(text), []);
  const clear = useCallback(() => setNotice(null), []);
  return { notice, show, clear };
}

export function Notice({ text }: { text: string | null }) {
  return (
    <span className="notice small" role="status" aria-live="polite">
      {text}
    </span>
  );
}

/** What the browser does with a file the page hands it, in words. */
export function downloadedText(fileName: string): string {
  return `Downloaded ${fileName} (your browser's downloads folder)`;
}

/** A button that picks one file from the user's disk (the browser's file picker; the page reads it, nothing is uploaded). */
export function FileButton({ label, accept, onFile }: { label: string; accept: string; onFile: (file: File) => void }) {
  return (
    <label className="file-button">
      {label}
      <input
        type="file"
        accept={accept}
        className="visually-hidden"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          e.target.value = '';
        }}
      />
    </label>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'info' | 'muted'; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}
