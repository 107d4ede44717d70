import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { HostInfo } from '../src-shared/ipc/contract.ts';
import { api } from './api/client.ts';
import { ImagesTable } from './features/images/ImagesTable.tsx';
import { useImages } from './features/images/useImages.ts';
import { PullForm } from './features/transfers/PullForm.tsx';
import { TransferList } from './features/transfers/TransferList.tsx';
import { useTransfers } from './features/transfers/useTransfers.ts';

function App() {
  const { rows, error } = useImages();
  const transfers = useTransfers();
  const [info, setInfo] = useState<HostInfo | null>(null);
  useEffect(() => {
    api().hostInfo().then(setInfo, () => undefined);
  }, []);
  return (
    <>
      <header>
        <h1>Deckhand</h1>
        <span className="store" data-testid="store-dir" title={info ? `${info.host} host, ${info.platform}` : ''}>
          {info?.storeDir ?? ''}
        </span>
        <PullForm />
      </header>
      <main>
        <TransferList transfers={transfers} />
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : rows === null ? (
          <p className="muted">Loading images…</p>
        ) : (
          <ImagesTable rows={rows} />
        )}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
