// A panel beside the grid (a column's profile, a facet): it takes the focus
// when it opens, Escape or ✕ closes it, and the focus then goes back to the
// button that opened it.
import { useEffect, useRef, type ReactNode } from 'react';

export function SidePanel({ title, label, testId, onClose, children }: { title: ReactNode; label: string; testId: string; onClose: () => void; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      closeRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <aside className="profile-panel" aria-label={label} data-testid={testId}>
      <div className="row space-between">
        <h3 ref={heading} tabIndex={-1}>
          {title}
        </h3>
        <button type="button" className="quiet small" onClick={onClose} aria-label={`Close the ${label.toLowerCase()} (Escape)`} title="Close (Escape)">
          ✕
        </button>
      </div>
      {children}
    </aside>
  );
}
