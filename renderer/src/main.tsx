// The workbench UI's entry. The views (explorer, DQ, fleet, scenarios) arrive
// with the UI issue; until then the window says how to use the CLI.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Snapbench</h1>
      <p>
        The workbench views are not built yet. Snapshots are made and read with the command line:{' '}
        <code>npx snapbench pull --fleet fleet.yaml --out fleet.snapbench</code>, then <code>npx snapbench tables</code>,{' '}
        <code>query</code> and <code>verify</code>.
      </p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
