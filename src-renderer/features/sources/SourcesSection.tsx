/**
 * The sidebar's Sources: Deckhand's own store and each Docker or Podman engine found on this
 * machine, with its kind, version and whether it answers. Choosing one points the views (Images,
 * Layer tree, Disk usage) at it. An engine that does not answer (a stopped Podman machine) stays
 * listed with its reason and cannot be chosen; the others are unaffected. Sources take dropped
 * image rows: This store an engine's image (copied in), an engine any image from elsewhere (copied
 * into the engine).
 */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { EngineStatus } from '../../../src-shared/ipc/contract.ts';
import { useApi } from '../../api/provider.tsx';
import { keys, STORE } from '../../data/keys.ts';
import { useEngines, useHostInfo, useSource } from '../../data/queries.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { ENGINE_IMAGE_DRAG_TYPE } from '../../ui/dnd.ts';
import { DockerIcon, PodmanIcon, StoreIcon } from '../../ui/icons.tsx';
import { useImageDrop } from '../registries/useImageDrop.ts';
import { moveImage } from './moves.ts';
import './sources.css';

export const KIND_LABEL: Record<EngineStatus['kind'], string> = { docker: 'Docker', podman: 'Podman' };

export function EngineIcon({ kind }: { kind: EngineStatus['kind'] }) {
  return kind === 'docker' ? <DockerIcon /> : <PodmanIcon />;
}

function StoreSource({ chosen }: { chosen: boolean }) {
  const api = useApi();
  const setSource = useDeckhand((s) => s.setSource);
  const storeDir = useHostInfo()?.storeDir ?? null;
  const drop = useImageDrop(
    (name, from) => void moveImage(api, name, from, STORE),
    (types) => types.includes(ENGINE_IMAGE_DRAG_TYPE),
  );
  return (
    <li data-testid="source" data-source={STORE} data-reachable="true">
      <div
        className={drop.over ? 'src-row drop-over' : 'src-row'}
        {...drop.handlers}
        title="Drop an engine's image here to copy it into the store"
      >
        <button type="button" className="src-open" aria-pressed={chosen} onClick={() => setSource(STORE)}>
          <StoreIcon />
          <span className="src-name">This store</span>
        </button>
        {storeDir ? (
          <span className="src-meta muted" title={storeDir}>
            Deckhand · {storeDir}
          </span>
        ) : null}
      </div>
    </li>
  );
}

function EngineSource({ engine, chosen }: { engine: EngineStatus; chosen: boolean }) {
  const api = useApi();
  const setSource = useDeckhand((s) => s.setSource);
  const { name, kind, reachable } = engine;
  const drop = useImageDrop((image, from) => void moveImage(api, image, from, name));
  const handlers = reachable ? drop.handlers : {};
  const version = engine.version ? `${KIND_LABEL[kind]} ${engine.version}` : KIND_LABEL[kind];
  const where = [engine.uri, engine.rootDir ? `images in ${engine.rootDir}` : null, `found by ${engine.origin}`].filter(Boolean).join('\n');
  return (
    <li data-testid="source" data-source={name} data-reachable={reachable}>
      <div
        className={['src-row', reachable ? '' : 'unreachable', drop.over && reachable ? 'drop-over' : ''].filter(Boolean).join(' ')}
        {...handlers}
        title={reachable ? `${where}\nDrop an image here to copy it into ${name}` : where}
      >
        <button
          type="button"
          className="src-open"
          aria-pressed={chosen}
          disabled={!reachable}
          aria-describedby={reachable ? undefined : `src-reason-${kind}-${name.replace(/\W+/g, '-')}`}
          onClick={() => setSource(name)}
        >
          <EngineIcon kind={kind} />
          <span className="src-name">{name}</span>
          <span className={reachable ? 'src-dot up' : 'src-dot down'} role="img" aria-label={reachable ? 'answers' : 'unreachable'} />
        </button>
        <span className="src-meta muted">
          {version}
          {engine.isDefault ? ' · default' : ''}
        </span>
        {reachable ? null : (
          <p className="src-reason" id={`src-reason-${kind}-${name.replace(/\W+/g, '-')}`} data-testid="source-unreachable">
            Unreachable: {engine.error ?? `${engine.uri} does not answer`}
          </p>
        )}
      </div>
    </li>
  );
}

export function SourcesSection() {
  const api = useApi();
  const client = useQueryClient();
  const engines = useEngines();
  const source = useSource();
  const [refreshing, setRefreshing] = useState(false);
  const list = engines.data ?? null;
  const error = engines.error && !engines.isFetching ? messageOf(engines.error) : null;
  const refresh = () => {
    setRefreshing(true);
    api
      .listEngines({ refresh: true })
      .then((found) => client.setQueryData(keys.engines(), found))
      .catch(() => client.invalidateQueries({ queryKey: keys.engines() }))
      .finally(() => setRefreshing(false));
  };
  return (
    <section className="sources" aria-labelledby="sources-heading" data-testid="sources">
      <div className="src-head">
        <h2 id="sources-heading">Sources</h2>
        <button
          type="button"
          className="icon"
          aria-label="Look for engines again"
          title="Look for Docker and Podman engines again"
          disabled={refreshing || engines.isFetching}
          onClick={refresh}
        >
          ↻
        </button>
      </div>
      <ul className="src-list" aria-label="Sources">
        <StoreSource chosen={source === STORE} />
        {(list ?? []).map((e) => (
          <EngineSource key={e.name} engine={e} chosen={source === e.name} />
        ))}
      </ul>
      {list === null && !error ? <p className="src-note muted">Looking for Docker and Podman…</p> : null}
      {error ? (
        <p className="src-note error" role="alert">
          Could not look for engines: {error}
        </p>
      ) : null}
      {list && list.length === 0 ? (
        <p className="src-note muted">No Docker or Podman engine found (DOCKER_HOST, CONTAINER_HOST, contexts, machines, sockets).</p>
      ) : null}
    </section>
  );
}
