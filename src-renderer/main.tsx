import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './app.css';
import { createApi } from './api/client.ts';
import { App } from './App.tsx';
import { wireEvents } from './data/events.ts';
import { DataProvider } from './data/provider.tsx';
import { createQueryClient, hostInfoQuery, imagesQuery, registriesQuery } from './data/queries.ts';

const api = createApi();
const client = createQueryClient();
wireEvents(api, client);
// Ask for the rows (and the small answers) before React's first render, as the views will.
void client.prefetchQuery(imagesQuery(api));
void client.prefetchQuery(hostInfoQuery(api));
void client.prefetchQuery(registriesQuery(api));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DataProvider api={api} client={client}>
      <App />
    </DataProvider>
  </StrictMode>,
);
