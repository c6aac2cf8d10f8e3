// The workbench UI's entry: the same bundle runs in the desktop shell (IPC)
// and in a browser against `snapbench serve` (HTTP).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { WorkbenchProvider } from './app/workbench.tsx';
import { TrustProvider } from './features/trust/TrustProvider.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WorkbenchProvider>
      <TrustProvider>
        <App />
      </TrustProvider>
    </WorkbenchProvider>
  </StrictMode>,
);
