/**
 * Above an engine's view: which engine it is (kind, version, address), where it keeps its images
 * and their total where the engine reports them, and that its sizes are the engine's own figures.
 */
import type { EngineStatus } from '../../../src-shared/ipc/contract.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { isStore } from '../../data/keys.ts';
import { useEngines, useSource } from '../../data/queries.ts';
import { groupDigits } from '../../ui/format.tsx';
import { EngineIcon, KIND_LABEL } from './SourcesSection.tsx';

/** The status of the chosen engine (null for the store, or while engines are being looked for). */
export function useChosenEngine(): EngineStatus | null {
  const source = useSource();
  const engines = useEngines().data ?? null;
  if (isStore(source)) return null;
  return engines?.find((e) => e.name === source) ?? null;
}

export function SourceBar({ totalBytes }: { totalBytes: number | null }) {
  const source = useSource();
  const engine = useChosenEngine();
  if (isStore(source)) return null;
  return (
    <div className="images-source muted" data-testid="source-bar" data-source={source}>
      <span className="src-kind">
        {engine ? <EngineIcon kind={engine.kind} /> : null}
        {source}
      </span>
      {engine?.version ? (
        <span>
          {KIND_LABEL[engine.kind]} {engine.version}
          {engine.apiVersion ? ` (API ${engine.apiVersion})` : ''}
        </span>
      ) : null}
      {engine ? <span className="mono">{engine.uri}</span> : null}
      {engine?.rootDir ? <span title="Where the engine keeps its images">images in {engine.rootDir}</span> : null}
      {totalBytes !== null ? (
        <span data-testid="source-total" title={`${groupDigits(totalBytes)} bytes, as the engine reports them`}>
          {formatBytes(totalBytes)} in all
        </span>
      ) : null}
      <span>Sizes are the engine&apos;s own (unpacked) figures.</span>
    </div>
  );
}
