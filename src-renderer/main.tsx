import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './app.css';
import { api } from './api/client.ts';
import { App } from './App.tsx';
import { deckhand } from './store/index.ts';
import { wireEvents } from './store/wire.ts';

wireEvents(api());
const s = deckhand.getState();
void s.loadHostInfo();
void s.loadImages();
void s.loadRegistries();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
