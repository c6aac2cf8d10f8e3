// The public keys this workbench trusts: a signature made with one of them
// names a trusted signer. Add a key from its .pub file (a path on the machine
// running the engine) or by pasting it; remove one. Kept in the config directory.
import { useCallback, useEffect, useState } from 'react';
import type { TrustedKey } from '../../../../shared/api/types.ts';
import { api } from '../../api/client.ts';
import { ErrorBox, useJob } from '../../ui/components.tsx';
import { formatDate } from '../../ui/format.ts';
import { useTrust } from './TrustProvider.tsx';

export function TrustedKeysPanel() {
  const trust = useTrust();
  const [keys, setKeys] = useState<TrustedKey[] | null>(null);
  const [label, setLabel] = useState('');
  const [path, setPath] = useState('');
  const [pem, setPem] = useState('');
  const change = useJob<TrustedKey[]>();

  useEffect(() => {
    api.invoke('trust/keys', {}).then(setKeys, () => setKeys([]));
  }, []);

  const apply = useCallback(
    async (work: () => Promise<TrustedKey[]>) => {
      const updated = await change.run(() => work());
      if (updated) {
        setKeys(updated);
        await trust.refresh();
      }
      return updated;
    },
    [change, trust],
  );

  const add = async () => {
    const request = pem.trim() ? { publicKey: pem.trim(), label: label.trim() || undefined } : { path: path.trim(), label: label.trim() || undefined };
    if (await apply(() => api.invoke('trust/add', request))) {
      setLabel('');
      setPath('');
      setPem('');
    }
  };

  return (
    <section className="panel" aria-labelledby="trusted-keys-heading" data-testid="trusted-keys">
      <h2 id="trusted-keys-heading">Trusted keys</h2>
      <p className="small muted">A snapshot signed with one of these keys shows its signer as trusted. Check a key’s fingerprint with its owner before you add it.</p>
      {keys === null ? (
        <p className="muted">Loading…</p>
      ) : keys.length === 0 ? (
        <p className="small">No trusted key yet: every signature shows as “key not trusted”.</p>
      ) : (
        <ul className="trusted-keys">
          {keys.map((k) => (
            <li key={k.fingerprint}>
              <strong>{k.label}</strong> <span className="mono fingerprint">{k.fingerprint}</span> <span className="small muted">added {formatDate(k.addedAt)}</span>{' '}
              <button type="button" className="quiet small" aria-label={`Stop trusting ${k.label}`} onClick={() => void apply(() => api.invoke('trust/remove', { fingerprint: k.fingerprint }))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="trusted-key-form"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label>
          <span>Name</span>
          <input type="text" value={label} onChange={(e) => setLabel(e.target.value)} placeholder="Alice Example" maxLength={200} />
        </label>
        <label>
          <span>Public key file (.pub)</span>
          <input type="text" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/alice.pub" spellCheck={false} />
        </label>
        <label>
          <span>or paste the public key</span>
          <textarea value={pem} onChange={(e) => setPem(e.target.value)} rows={3} placeholder="-----BEGIN PUBLIC KEY-----" spellCheck={false} />
        </label>
        <div>
          <button type="submit" disabled={change.running || (!path.trim() && !pem.trim())}>
            Trust this key
          </button>
        </div>
      </form>
      {change.error ? <ErrorBox error={change.error} onDismiss={change.clear} /> : null}
    </section>
  );
}
