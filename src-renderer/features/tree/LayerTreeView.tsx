/**
 * The layer tree: every stored layer once, base layers on the left and each image as a leaf on the
 * right, as `podman image tree` draws one image. A node's area follows its layer's size; its colour
 * says whether more than one image depends on it, its label its size, and hovering it shows the
 * build step that made it. A small store's drawing is fitted to the view (fitTree); a dangling
 * image reads as the Images view words it. Clicking a layer (or Enter on it) selects the images
 * built on it in the images table.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import { buildStep } from '../../../src-shared/oci/history.ts';
import { useApi } from '../../api/provider.tsx';
import { imagesQuery, useSource, useTree } from '../../data/queries.ts';
import { danglingLabel } from '../../ui/dangling.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { Bytes, groupDigits } from '../../ui/format.tsx';
import {
  clipLabel,
  fitTree,
  LABEL_MAX,
  layoutTree,
  ROW,
  windowOf,
  type LaidImage,
  type LaidLayer,
  type TreeFit,
  type TreeLink,
} from './layout.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { useElementSize } from './useElementSize.ts';
import './tree.css';

const CHAR_WIDTH = 7;
/** The drawn window moves in steps of this many pixels, and reaches this far beyond the viewport on each side. */
const STEP = 20 * ROW;
const OVERSCAN = 20 * ROW;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
/** Columns narrower than this have no room for a layer's size beside its circle. */
const SIZE_LABEL_COLUMN = 52;
const STEP_MAX = 240;

/** The build step that made a layer, as docker history shows it; null when its config records none. */
const stepOf = (l: LaidLayer): string | null => (l.createdBy ? buildStep(l.createdBy) : null);

function linkPath(l: TreeLink): string {
  const mid = (l.x0 + l.x1) / 2;
  return `M${l.x0},${l.y0}C${mid},${l.y0} ${mid},${l.y1} ${l.x1},${l.y1}`;
}

function layerLabel(l: LaidLayer): string {
  const users = l.shared ? `shared by ${plural(l.imageCount, 'image')}` : l.names[0] ? `used by ${l.names[0]}` : 'used by no image';
  const step = stepOf(l);
  return `Layer ${shortDigest(l.digest)}, ${formatBytes(l.bytes)}${step ? `, ${step.length > 80 ? `${step.slice(0, 79)}…` : step}` : ''}, ${users}${l.topOf.length ? `, top layer of ${l.topOf.join(', ')}` : ''}`;
}

/** The layer's details beside it: below it, or above it near the bottom of a tall tree. */
function Tooltip({ layer, images, fit }: { layer: LaidLayer; images: LaidImage[]; fit: TreeFit }) {
  const shown = layer.names.slice(0, 12);
  const step = stepOf(layer);
  // Where the layer is on the canvas: the layout's point through the fit's scale and offset.
  const x = fit.x + layer.x * fit.scale;
  const y = fit.y + layer.y * fit.scale;
  const gap = (ROW / 2) * fit.scale + 4;
  const above = fit.height - y < 220 && y > 220;
  return (
    <div
      className={above ? 'tree-tooltip above' : 'tree-tooltip'}
      role="tooltip"
      id={`tree-tip-${layer.id}`}
      data-testid="tree-tooltip"
      style={{ left: x + layer.radius * fit.scale + 6, top: above ? y - gap : y + gap }}
    >
      <div className="tree-step mono" data-testid="tree-step">
        {step ? (step.length > STEP_MAX ? `${step.slice(0, STEP_MAX - 1)}…` : step) : 'Build step unknown'}
      </div>
      <div className="mono muted">{layer.digest}</div>
      <div>
        <span className="muted">Size </span>
        {formatBytes(layer.bytes)} ({groupDigits(layer.bytes)} bytes) compressed
        {layer.uncompressed !== null ? `, ${formatBytes(layer.uncompressed)} uncompressed` : ''}
      </div>
      <div>
        <span className="muted">With the layers on it </span>
        {formatBytes(layer.subtreeBytes)}
      </div>
      <div>
        <span className="muted">{layer.shared ? 'Shared by ' : 'Used by '}</span>
        {plural(layer.imageCount, 'image')}
        {images.length > 0 ? ` · top layer of ${images.map((i) => i.label).join(', ')}` : ''}
      </div>
      <ul>
        {shown.map((n) => (
          <li key={n}>{n}</li>
        ))}
        {layer.names.length > shown.length ? <li className="muted">and {layer.names.length - shown.length} more</li> : null}
      </ul>
    </div>
  );
}

function ImageLabel({ image, layer, selected }: { image: LaidImage; layer: LaidLayer; selected: boolean }) {
  return (
    <g className={selected ? 'tree-image selected' : 'tree-image'} transform={`translate(${image.x - layer.x},${image.y - layer.y})`}>
      <circle r={2.5} />
      <text x={7} dy="0.32em">
        {image.label.length > LABEL_MAX ? <title>{image.label}</title> : null}
        {clipLabel(image.label)}
      </text>
    </g>
  );
}

/** An image whose top layer has more layers built on it: its own leaf, selecting just that image. */
function InnerImage({
  image,
  selected,
  onSelect,
}: {
  image: LaidImage;
  selected: boolean;
  onSelect: (names: string[], text: string) => void;
}) {
  const act = () => onSelect([image.name], `Selected ${image.name}`);
  return (
    <g
      className={selected ? 'tree-image inner selected' : 'tree-image inner'}
      data-testid="tree-image"
      transform={`translate(${image.x},${image.y})`}
      role="button"
      tabIndex={0}
      aria-label={`Image ${image.label}, ${formatBytes(image.chainBytes)} in ${plural(image.layers, 'layer')}`}
      onClick={act}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          act();
        }
      }}
    >
      <rect className="tree-hit" x={-6} y={-ROW / 2} width={image.label.length * CHAR_WIDTH + 20} height={ROW} />
      <circle r={2.5} />
      <text x={7} dy="0.32em">
        {image.label.length > LABEL_MAX ? <title>{image.label}</title> : null}
        {clipLabel(image.label)}
      </text>
    </g>
  );
}

function LayerNodeView({
  layer,
  images,
  sized,
  selection,
  hovered,
  onHover,
  onSelect,
}: {
  layer: LaidLayer;
  images: LaidImage[];
  /** Whether the columns leave room for the size beside the circle. */
  sized: boolean;
  selection: Set<string>;
  hovered: boolean;
  onHover: (id: string | null) => void;
  onSelect: (names: string[], text: string) => void;
}) {
  // A leaf layer carries its images' labels, and a hit area over them.
  const own = layer.leaf ? images : [];
  const labelEnd = own.reduce((m, i) => Math.max(m, i.x - layer.x + 10 + clipLabel(i.label).length * CHAR_WIDTH), layer.radius + 2);
  const top = Math.min(-layer.radius - 2, ...own.map((i) => i.y - layer.y - ROW / 2));
  const bottom = Math.max(layer.radius + 2, ...own.map((i) => i.y - layer.y + ROW / 2));
  const act = () => onSelect(layer.names, `Selected ${plural(layer.names.length, 'image')} built on this layer`);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      act();
    }
  };
  const selected = layer.names.length > 0 && layer.names.every((n) => selection.has(n));
  return (
    <g
      className={`tree-node ${layer.tone}${selected ? ' selected' : ''}`}
      data-testid="tree-node"
      data-id={layer.id}
      data-shared={layer.shared}
      data-bytes={layer.bytes}
      transform={`translate(${layer.x},${layer.y})`}
      role="button"
      tabIndex={0}
      aria-label={layerLabel(layer)}
      aria-describedby={hovered ? `tree-tip-${layer.id}` : undefined}
      onClick={act}
      onKeyDown={onKeyDown}
      onMouseEnter={() => onHover(layer.id)}
      onMouseLeave={() => onHover(null)}
      onFocus={() => onHover(layer.id)}
      onBlur={() => onHover(null)}
    >
      <rect className="tree-hit" x={-layer.radius - 3} y={top} width={labelEnd + layer.radius + 3} height={bottom - top} />
      <circle className="tree-dot" r={layer.radius} />
      {sized ? (
        <text className="tree-size" data-testid="tree-size" x={layer.radius + 3} y={-4}>
          {formatBytes(layer.bytes)}
        </text>
      ) : null}
      {own.map((i) => (
        <ImageLabel key={i.key} image={i} layer={layer} selected={selection.has(i.name)} />
      ))}
    </g>
  );
}

function Legend() {
  return (
    <ul className="tree-legend" aria-label="Legend">
      <li>
        <svg width="12" height="12" aria-hidden="true">
          <circle cx="6" cy="6" r="5" className="legend-dot shared" />
        </svg>
        Shared by several images
      </li>
      <li>
        <svg width="12" height="12" aria-hidden="true">
          <circle cx="6" cy="6" r="5" className="legend-dot unique" />
        </svg>
        Used by one image
      </li>
      <li className="muted">Circle area follows the layer's size</li>
    </ul>
  );
}

export function LayerTreeView() {
  const tree = useTree();
  const forest = { data: tree.data ?? null, error: tree.error ? messageOf(tree.error) : null };
  const selectionList = useDeckhand((s) => s.selection);
  const select = useDeckhand((s) => s.select);
  const setView = useDeckhand((s) => s.setView);
  const notify = useDeckhand((s) => s.notify);
  const scrollRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(scrollRef, { width: 900, height: 600 });
  // The image list, where it is loaded (the Images view loads it), words dangling images as that view does; not fetched here.
  const images = useQuery({ ...imagesQuery(useApi(), useSource()), enabled: false }).data;
  const labels = useMemo(
    () => new Map((images ?? []).filter((i) => i.dangling).map((i) => [i.name, danglingLabel(i.previousRef)] as const)),
    [images],
  );
  const [hovered, setHovered] = useState<string | null>(null);
  // Only the rows near the viewport are drawn; the window follows the scroll in steps.
  const [scrollStep, setScrollStep] = useState(0);

  const layout = useMemo(
    () => (forest.data ? layoutTree(forest.data, { width: Math.max(320, width - 2), labels }) : null),
    [forest.data, width, labels],
  );
  const fit = useMemo(
    () =>
      layout
        ? fitTree({ width: layout.contentWidth, height: layout.height }, { width: Math.max(320, width - 2), height: height - 2 })
        : null,
    [layout, width, height],
  );
  // The window in the layout's own coordinates (a fitted drawing is all in sight anyway).
  const shown = useMemo(
    () =>
      layout && fit
        ? windowOf(
            layout,
            (scrollStep * STEP - OVERSCAN - fit.y) / fit.scale,
            ((scrollStep + 1) * STEP + height + OVERSCAN - fit.y) / fit.scale,
          )
        : null,
    [layout, fit, scrollStep, height],
  );
  const imagesByLayer = useMemo(() => {
    const m = new Map<string, LaidImage[]>();
    for (const i of layout?.images ?? []) {
      const list = m.get(i.layerId);
      if (list) list.push(i);
      else m.set(i.layerId, [i]);
    }
    return m;
  }, [layout]);
  const leafLayers = useMemo(() => new Set(layout?.layers.filter((l) => l.leaf).map((l) => l.id)), [layout]);
  const selection = useMemo(() => new Set(selectionList), [selectionList]);
  const totalBytes = useMemo(() => layout?.layers.reduce((s, l) => s + l.bytes, 0) ?? 0, [layout]);
  const imageCount = useMemo(() => new Set(layout?.images.map((i) => i.name)).size, [layout]);

  const onSelect = (names: string[], text: string) => {
    select(names);
    setView('images');
    notify('info', text);
  };

  const hoveredLayer = hovered ? layout?.layers.find((l) => l.id === hovered) : undefined;

  let body;
  if (forest.error && !forest.data) {
    body = (
      <div className="tree-empty" role="alert">
        <p>Could not read the layers: {forest.error}</p>
        <button type="button" onClick={() => void tree.refetch()}>
          Try again
        </button>
      </div>
    );
  } else if (!layout || !shown || !fit) {
    body = (
      <p className="tree-empty muted" role="status">
        Reading the layers…
      </p>
    );
  } else if (layout.layers.length === 0) {
    body = (
      <div className="tree-empty" data-testid="tree-empty">
        <p>
          <strong>No layers yet.</strong>
        </p>
        <p className="muted">
          The tree shows every layer in the store once, with the images built on it. Pull or load an image and its layers appear here;
          images that share a base share its branch.
        </p>
      </div>
    );
  } else {
    body = (
      <div className="tree-canvas" style={{ width: fit.width, height: fit.height }}>
        <svg
          className="tree-svg"
          width={fit.width}
          height={fit.height}
          role="group"
          aria-label={`${plural(layout.layers.length, 'layer')} of ${plural(imageCount, 'image')}`}
        >
          <g
            className="tree-fit"
            data-testid="tree-fit"
            data-scale={fit.scale}
            transform={`translate(${fit.x},${fit.y}) scale(${fit.scale})`}
          >
            <g className="tree-links" aria-hidden="true">
              {shown.links.map((l) => (
                <path key={l.key} className={`tree-link ${l.kind}`} d={linkPath(l)} />
              ))}
            </g>
            <g className="tree-nodes">
              {shown.layers.map((l) => (
                <LayerNodeView
                  key={l.id}
                  layer={l}
                  images={imagesByLayer.get(l.id) ?? []}
                  sized={layout.column >= SIZE_LABEL_COLUMN}
                  selection={selection}
                  hovered={hovered === l.id}
                  onHover={setHovered}
                  onSelect={onSelect}
                />
              ))}
              {shown.images
                .filter((i) => !leafLayers.has(i.layerId))
                .map((i) => (
                  <InnerImage key={i.key} image={i} selected={selection.has(i.name)} onSelect={onSelect} />
                ))}
            </g>
          </g>
        </svg>
        {hoveredLayer ? <Tooltip layer={hoveredLayer} images={imagesByLayer.get(hoveredLayer.id) ?? []} fit={fit} /> : null}
      </div>
    );
  }

  return (
    <section className="tree-view" data-testid="layer-tree" aria-label="Layer tree">
      <div className="tree-toolbar">
        {layout && layout.layers.length > 0 ? (
          <span data-testid="tree-summary">
            {plural(layout.layers.length, 'layer')} · {plural(imageCount, 'image')} · <Bytes value={totalBytes} />
          </span>
        ) : (
          <span />
        )}
        <Legend />
        {forest.error && forest.data ? (
          <span className="error" role="alert">
            Could not refresh: {forest.error}
          </span>
        ) : null}
        <span className="tree-spacer" />
        <button type="button" onClick={() => void tree.refetch()} aria-label="Reload the layer tree">
          Reload
        </button>
      </div>
      <div className="tree-scroll" ref={scrollRef} onScroll={(e) => setScrollStep(Math.floor(e.currentTarget.scrollTop / STEP))}>
        {body}
      </div>
    </section>
  );
}
