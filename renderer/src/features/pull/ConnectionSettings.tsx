// One instance's TLS, SSH bastion and credential settings: edited here,
// checked field by field before saving, written into the manifest by the host
// (which validates the whole manifest again). And the connection check's
// result for an instance: reachable or why not, TLS, route, latency, whether
// the account can write, and what it cannot read.
import { useState, type ReactNode } from 'react';
import type { PullConnectionSettings } from '../../../../shared/api/types.ts';
import type { ConnectCheck } from '../../../../shared/model/connectCheck.ts';
import { Badge } from '../../ui/components.tsx';

type Tls = NonNullable<PullConnectionSettings['tls']>;
type Ssh = NonNullable<PullConnectionSettings['ssh']>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const emptyTls: Tls = { caFile: null, serverName: null, certFile: null, keyFile: null, insecure: false };
const emptySsh: Ssh = { host: '', port: 22, user: '', keyFile: null, agent: false, passwordEnv: null, passphraseEnv: null, knownHosts: null, hostKey: null };

/** The problems of a settings draft, one line each, naming the field (empty when it can be saved). */
export function settingsProblems(s: PullConnectionSettings): string[] {
  const problems: string[] = [];
  if (s.passwordEnv && s.passwordCommand) problems.push('Password: give an environment variable or a command, not both.');
  if (s.passwordEnv && !ENV_NAME.test(s.passwordEnv)) problems.push('Password variable: must be an environment variable name (letters, digits, _).');
  if (s.tls && (s.tls.certFile === null) !== (s.tls.keyFile === null)) problems.push('TLS client certificate and key go together.');
  if (s.ssh) {
    if (!s.ssh.host.trim()) problems.push('SSH host: required.');
    if (!s.ssh.user.trim()) problems.push('SSH user: required.');
    if (!Number.isInteger(s.ssh.port) || s.ssh.port < 1 || s.ssh.port > 65535) problems.push('SSH port: a whole number from 1 to 65535.');
    if (!s.ssh.keyFile && !s.ssh.agent && !s.ssh.passwordEnv) problems.push('SSH login: give a key file, the agent, or a password variable.');
    for (const [label, value] of [['SSH password variable', s.ssh.passwordEnv], ['SSH passphrase variable', s.ssh.passphraseEnv]] as const) {
      if (value && !ENV_NAME.test(value)) problems.push(`${label}: must be an environment variable name.`);
    }
  }
  return problems;
}

const text = (value: string) => (value.trim() === '' ? null : value);

function Field({ label, value, onChange, placeholder }: { label: string; value: string | null; onChange: (value: string | null) => void; placeholder?: string }) {
  return (
    <label className="row gap">
      <span style={{ minWidth: '11em' }}>{label}</span>
      <input className="grow" value={value ?? ''} onChange={(e) => onChange(text(e.target.value))} placeholder={placeholder} aria-label={label} spellCheck={false} />
    </label>
  );
}

export function ConnectionSettingsForm({
  instance,
  initial,
  saving,
  onSave,
  onCancel,
}: {
  instance: string;
  initial: PullConnectionSettings;
  saving: boolean;
  onSave: (settings: PullConnectionSettings) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<PullConnectionSettings>(initial);
  const [credential, setCredential] = useState<'env' | 'command'>(initial.passwordCommand ? 'command' : 'env');
  const problems = settingsProblems(draft);
  const setTls = (patch: Partial<Tls>) => setDraft((d) => ({ ...d, tls: { ...(d.tls ?? emptyTls), ...patch } }));
  const setSsh = (patch: Partial<Ssh>) => setDraft((d) => ({ ...d, ssh: { ...(d.ssh ?? emptySsh), ...patch } }));
  return (
    <form
      className="panel"
      aria-label={`Connection settings of ${instance}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (problems.length === 0) onSave(draft);
      }}
    >
      <h3>Connection settings of {instance}</h3>
      <fieldset>
        <legend>Password</legend>
        <div className="row gap">
          <label>
            <input type="radio" name="credential" checked={credential === 'env'} onChange={() => { setCredential('env'); setDraft((d) => ({ ...d, passwordCommand: null })); }} /> from an environment variable
          </label>
          <label>
            <input type="radio" name="credential" checked={credential === 'command'} onChange={() => { setCredential('command'); setDraft((d) => ({ ...d, passwordEnv: null })); }} /> from a command (short-lived token)
          </label>
        </div>
        {credential === 'env' ? (
          <Field label="Password variable" value={draft.passwordEnv} onChange={(v) => setDraft((d) => ({ ...d, passwordEnv: v }))} placeholder="SALESORDER_PW" />
        ) : (
          <Field label="Password command" value={draft.passwordCommand} onChange={(v) => setDraft((d) => ({ ...d, passwordCommand: v }))} placeholder="aws rds generate-db-auth-token --hostname … --port 3306 --username reader" />
        )}
      </fieldset>
      <fieldset>
        <legend>
          <label>
            <input type="checkbox" checked={draft.tls !== null} onChange={(e) => setDraft((d) => ({ ...d, tls: e.target.checked ? (initial.tls ?? emptyTls) : null }))} /> TLS
          </label>
        </legend>
        {draft.tls && (
          <>
            <Field label="CA bundle file" value={draft.tls.caFile} onChange={(v) => setTls({ caFile: v })} placeholder="system CAs" />
            <Field label="Server name" value={draft.tls.serverName} onChange={(v) => setTls({ serverName: v })} placeholder="the host" />
            <Field label="Client certificate" value={draft.tls.certFile} onChange={(v) => setTls({ certFile: v })} />
            <Field label="Client key" value={draft.tls.keyFile} onChange={(v) => setTls({ keyFile: v })} />
            <label>
              <input type="checkbox" checked={draft.tls.insecure} onChange={(e) => setTls({ insecure: e.target.checked })} /> Do not check the certificate (insecure; recorded in the snapshot)
            </label>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>
          <label>
            <input type="checkbox" checked={draft.ssh !== null} onChange={(e) => setDraft((d) => ({ ...d, ssh: e.target.checked ? (initial.ssh ?? emptySsh) : null }))} /> Through an SSH bastion
          </label>
        </legend>
        {draft.ssh && (
          <>
            <Field label="SSH host" value={draft.ssh.host} onChange={(v) => setSsh({ host: v ?? '' })} placeholder="bastion.example.internal" />
            <label className="row gap">
              <span style={{ minWidth: '11em' }}>SSH port</span>
              <input type="number" min={1} max={65535} value={draft.ssh.port} onChange={(e) => setSsh({ port: Number(e.target.value) })} aria-label="SSH port" style={{ width: '7em' }} />
            </label>
            <Field label="SSH user" value={draft.ssh.user} onChange={(v) => setSsh({ user: v ?? '' })} />
            <Field label="SSH key file" value={draft.ssh.keyFile} onChange={(v) => setSsh({ keyFile: v })} placeholder="~/.ssh/id_ed25519" />
            <label>
              <input type="checkbox" checked={draft.ssh.agent} onChange={(e) => setSsh({ agent: e.target.checked })} /> Use the SSH agent
            </label>
            <Field label="SSH password variable" value={draft.ssh.passwordEnv} onChange={(v) => setSsh({ passwordEnv: v })} />
            <Field label="Key passphrase variable" value={draft.ssh.passphraseEnv} onChange={(v) => setSsh({ passphraseEnv: v })} />
            <Field label="known_hosts file" value={draft.ssh.knownHosts} onChange={(v) => setSsh({ knownHosts: v })} placeholder="~/.ssh/known_hosts" />
            <Field label="Pinned host key" value={draft.ssh.hostKey} onChange={(v) => setSsh({ hostKey: v })} placeholder="SHA256:… or ssh-ed25519 AAAA…" />
          </>
        )}
      </fieldset>
      {problems.length > 0 && (
        <ul className="bad small" role="alert" aria-label="Problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="row gap">
        <button type="submit" disabled={saving || problems.length > 0}>
          Save to manifest
        </button>
        <button type="button" className="quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The connection check's verdict for one instance, in one cell. */
export function CheckResult({ check }: { check: ConnectCheck }): ReactNode {
  if (!check.ok) {
    return (
      <div className="small">
        <Badge tone="bad">unreachable</Badge> <span className="bad">{check.error}</span>
        {check.hint && <div className="muted">What to do: {check.hint}</div>}
      </div>
    );
  }
  return (
    <div className="small">
      <Badge tone="ok">reachable</Badge> {check.version} · {check.ssh ? `via ${check.ssh}` : 'direct'} ·{' '}
      {check.tls ? `${check.tls.protocol}${check.tls.verified ? ', certificate verified' : ', certificate NOT verified'}` : 'no TLS'} · {check.latencyMs} ms
      <div>
        {check.canWrite === true ? (
          <span className="bad">
            <Badge tone="warn">can write</Badge> {check.writePrivileges.join('; ')}
          </span>
        ) : check.canWrite === false ? (
          <Badge tone="ok">read-only account</Badge>
        ) : (
          <span className="muted">
            <Badge tone="muted">write access unknown</Badge> {check.auditNote}
          </span>
        )}
      </div>
      <ReadAudit check={check} />
    </div>
  );
}

/** At most this many lines of each list before "and N more". */
const READ_AUDIT_LINES = 10;

function capped(items: ReactNode[]): ReactNode[] {
  if (items.length <= READ_AUDIT_LINES) return items;
  return [...items.slice(0, READ_AUDIT_LINES - 1), <li key="more">… and {items.length - READ_AUDIT_LINES + 1} more</li>];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * What the account cannot read: tables without the privilege (a pull leaves
 * them out), and where it sees only part of a database. A named group, so a
 * screen reader finds it under the instance's name.
 */
function ReadAudit({ check }: { check: ConnectCheck }): ReactNode {
  const unreadable = check.notReadable.length;
  const warnings = check.readWarnings.length;
  if (check.engine === 'redis') return null;
  return (
    <div role="group" aria-label={`Read audit of ${check.instance}`}>
      {unreadable === 0 && warnings === 0 ? (
        check.canWrite !== null && <Badge tone="ok">reads every table</Badge>
      ) : (
        <>
          {unreadable > 0 && (
            <>
              <Badge tone="warn">cannot read {plural(unreadable, 'table')}</Badge> <span className="muted">a pull leaves {unreadable === 1 ? 'it' : 'them'} out</span>
              <ul className="plain-list" aria-label={`Tables ${check.instance} cannot read`}>
                {capped(
                  check.notReadable.map((t) => (
                    <li key={`${t.database}/${t.table}`}>
                      <span className="mono">
                        {t.database}: {t.table}
                      </span>{' '}
                      — {t.reason}
                    </li>
                  )),
                )}
              </ul>
            </>
          )}
          {warnings > 0 && (
            <>
              <Badge tone="warn">{plural(warnings, 'read warning')}</Badge>
              <ul className="plain-list" aria-label={`Read warnings of ${check.instance}`}>
                {capped(check.readWarnings.map((w, i) => <li key={i}>{w}</li>))}
              </ul>
            </>
          )}
        </>
      )}
    </div>
  );
}
