/**
 * The window: a header with the views, Pull and the prune button; the sidebar (sources, then
 * registries); the current view of the chosen source; the transfers panel docked at the bottom;
 * dialogs and notices over everything; and a drop zone for archives over the whole window.
 */
import { useDeckhand } from './store/index.ts';
import { useHostInfo } from './data/queries.ts';
import type { View } from './store/ui.ts';
import { ImagesView } from './features/images/ImagesView.tsx';
import { LayerTreeView } from './features/tree/LayerTreeView.tsx';
import { UsageView } from './features/usage/UsageView.tsx';
import { PruneButton } from './features/prune/PruneButton.tsx';
import { TransfersPanel } from './features/transfers/TransfersPanel.tsx';
import { RegistriesSidebar } from './features/registries/RegistriesSidebar.tsx';
import { SourcesSection } from './features/sources/SourcesSection.tsx';
import { ArchiveDrop } from './features/registries/ArchiveDrop.tsx';
import { Dialogs } from './Dialogs.tsx';
import { Notices } from './ui/Notices.tsx';

const VIEWS: Array<[View, string]> = [
  ['images', 'Images'],
  ['tree', 'Layer tree'],
  ['usage', 'Disk usage'],
];

function ViewTabs() {
  const view = useDeckhand((s) => s.view);
  const setView = useDeckhand((s) => s.setView);
  return (
    <nav className="tabs" role="tablist" aria-label="Views">
      {VIEWS.map(([id, label]) => (
        <button key={id} type="button" role="tab" aria-selected={view === id} data-testid={`tab-${id}`} onClick={() => setView(id)}>
          {label}
        </button>
      ))}
    </nav>
  );
}

function CurrentView() {
  const view = useDeckhand((s) => s.view);
  if (view === 'tree') return <LayerTreeView />;
  if (view === 'usage') return <UsageView />;
  return <ImagesView />;
}

export function App() {
  const storeDir = useHostInfo()?.storeDir ?? '';
  const openDialog = useDeckhand((s) => s.openDialog);
  return (
    <div className="app">
      <header className="app-head">
        <h1>Deckhand</h1>
        <ViewTabs />
        <span className="store muted" data-testid="store-dir" title="The local image store">
          {storeDir}
        </span>
        <span className="spacer" />
        <PruneButton />
        <button type="button" className="primary" data-testid="open-pull" onClick={() => openDialog({ kind: 'pull' })}>
          Pull…
        </button>
      </header>
      <div className="sidebar">
        <SourcesSection />
        <RegistriesSidebar />
      </div>
      <main className="app-main">
        <CurrentView />
      </main>
      <TransfersPanel />
      <Dialogs />
      <Notices />
      <ArchiveDrop />
    </div>
  );
}
