import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { ImageRow } from '../src-shared/ipc/contract.ts';
import { api } from './api/client.ts';
import { ImagesTable } from './features/images/ImagesTable.tsx';

function App() {
  const [rows, setRows] = useState<ImageRow[] | null>(null);
  const [where, setWhere] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api().listImages(), api().storeLocation()])
      .then(([images, dir]) => {
        setRows(images);
        setWhere(dir);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <>
      <header>
        <h1>Deckhand</h1>
        <span className="store">{where}</span>
      </header>
      <main>{error ? <p className="error" role="alert">{error}</p> : rows === null ? <p className="muted">Loading images…</p> : <ImagesTable rows={rows} />}</main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
