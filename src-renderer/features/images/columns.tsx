/**
 * The image table's features and columns, defined once at module scope so the table never sees new
 * column objects (TanStack's rule: memoize columns). Cells are small components; the ones that need
 * the store (this machine's platform) select it themselves.
 */
import {
  createColumnHelper,
  createExpandedRowModel,
  createSortedRowModel,
  rowExpandingFeature,
  rowSortingFeature,
  tableFeatures,
  type Row,
} from '@tanstack/react-table';
import { useHostPlatform } from './host-platform.ts';
import type { SignatureStatus } from '../../../src-shared/ipc/contract.ts';
import { Bytes, exactTime, RelativeTime } from '../../ui/format.tsx';
import { CopyIcon } from '../../ui/icons.tsx';
import { copyWithNotice } from './actions.ts';
import { FreshnessCell, REGISTRY_TITLE } from './FreshnessCell.tsx';
import { STORE } from '../../data/keys.ts';
import { useDeckhand } from '../../store/index.ts';
import { splitName } from './fit.ts';
import { EFFICIENCY_LABEL, EFFICIENCY_TITLE, efficiencyColumn, type EfficiencyMeta } from './efficiency-column.tsx';
import {
  archOf,
  compareNumber,
  compareText,
  digestReferenceOf,
  emulationWarning,
  isIndex,
  shortDigest,
  sortValue,
  type ColumnId,
  type TableNode,
} from './rows.ts';

export const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  rowExpandingFeature,
  expandedRowModel: createExpandedRowModel(),
  tableMeta: {} as EfficiencyMeta,
});

export type ImageTableRow = Row<typeof features, TableNode>;

const helper = createColumnHelper<typeof features, TableNode>();

const textSort = (a: ImageTableRow, b: ImageTableRow, id: string) =>
  compareText(String(a.getValue(id) ?? ''), String(b.getValue(id) ?? ''));
const numberSort = (a: ImageTableRow, b: ImageTableRow, id: string) => compareNumber(Number(a.getValue(id)), Number(b.getValue(id)));

export const COLUMN_LABELS: Record<ColumnId, string> = {
  repository: 'Repository',
  tag: 'Tag',
  digest: 'Digest',
  platforms: 'Platforms',
  size: 'Stored',
  unique: 'Unique',
  shared: 'Shared',
  efficiency: EFFICIENCY_LABEL,
  containers: 'Containers',
  created: 'Created',
  registry: 'Registry',
};

/** An engine's table: its IDs and its own (unpacked) sizes. */
const ENGINE_LABELS: Partial<Record<ColumnId, string>> = { digest: 'ID', size: 'Size' };

/** What an engine's size counts: the column's and the details' tooltip. */
export const ENGINE_SIZE_TITLE =
  "The engine's own figure: the image's unpacked bytes as docker and podman list them (layers another image also uses count in each).";

const ENGINE_TITLES: Partial<Record<ColumnId, string>> = {
  digest: "The engine's image ID (its config digest)",
  size: ENGINE_SIZE_TITLE,
  unique: "What removing only this image would free in the engine: layers no other image uses (the engine's figure)",
  shared: "Layers this image shares with the engine's other images",
  containers: 'Containers (running or not) created from this image: the engine refuses to remove it while they exist',
};

/** A column's header text in the store's table or an engine's. */
export const columnLabel = (id: ColumnId, engine: boolean): string => (engine ? ENGINE_LABELS[id] : undefined) ?? COLUMN_LABELS[id];

/** What the stored size counts, in the CLI's words (docs/cli.md): the column's and the details' tooltip. */
export const STORED_TITLE =
  'Stored (compressed): every blob the image references as the store holds it, each counted once. Not the unpacked size docker and podman list.';

const HEADER_TITLES: Partial<Record<ColumnId, string>> = {
  size: STORED_TITLE,
  unique: 'What removing only this image would free: blobs no other stored image uses',
  shared: 'Blobs this image shares with other stored images (freed only when all of them go)',
  registry: REGISTRY_TITLE,
  efficiency: EFFICIENCY_TITLE,
};

function Disclosure({ row, label }: { row: ImageTableRow; label: string }) {
  const open = row.getIsExpanded();
  return (
    <button
      type="button"
      className="disclosure"
      aria-expanded={open}
      aria-label={`${open ? 'Collapse' : 'Expand'} ${label}`}
      tabIndex={-1}
      onClick={(e) => {
        e.stopPropagation();
        row.toggleExpanded();
      }}
      onDoubleClick={(e) => e.stopPropagation()}
    >
      {open ? '▾' : '▸'}
    </button>
  );
}

/**
 * A name that gives way in the middle: the registry and the last component stay and the path
 * between shrinks to an ellipsis first (`127.0.0.1:5000/…/hello`), as Finder and VS Code shorten
 * paths. CSS does the fitting (three boxes with different shrink factors), so it follows the
 * column's width without measuring text; the whole name is on hover.
 */
export function MiddleName({ name }: { name: string }) {
  const { head, middle, tail } = splitName(name);
  return (
    <span className="repo-name mid-name" title={name} data-truncates>
      {head ? <span className="mid-head">{head}</span> : null}
      {middle ? <span className="mid-middle">{middle}</span> : null}
      <span className="mid-tail">{tail}</span>
    </span>
  );
}

function RepositoryCell({ row }: { row: ImageTableRow }) {
  const node = row.original;
  const indent = { paddingLeft: `${row.depth * 16}px` };
  if (node.kind === 'group') {
    return (
      <span className="repo" style={indent}>
        <Disclosure row={row} label={node.repository || 'images without a repository'} />
        {node.repository ? <MiddleName name={node.repository} /> : <span className="repo-name muted">&lt;none&gt;</span>}
        <span className="badge count">{node.children.length}</span>
      </span>
    );
  }
  if (node.kind === 'platform') return <span style={indent} />;
  return (
    <span className="repo" style={indent}>
      {isIndex(node.image) && node.children.length > 0 ? (
        <Disclosure row={row} label={`platforms of ${node.image.name}`} />
      ) : (
        <span className="disclosure-space" />
      )}
      {row.depth === 0 ? (
        node.repository ? (
          <MiddleName name={node.repository} />
        ) : (
          <span className="repo-name muted">&lt;none&gt;</span>
        )
      ) : node.repository ? (
        // Shown once on the group row; still read out (and found) on each of its images.
        <span className="visually-hidden">{node.repository}</span>
      ) : null}
    </span>
  );
}

/** "Signature verified by KEY under POLICY at TIME": the badge's title. */
export const signatureTitle = (s: SignatureStatus): string =>
  `Signature verified by ${s.verifiedBy} under ${s.policy} at ${exactTime(s.at)}`;

/** Shown on an image whose pull verified its sigstore signature under the policy. */
export function SignedBadge({ signature }: { signature: SignatureStatus }) {
  return (
    <span className="badge signed" data-testid="signed-badge" title={signatureTitle(signature)}>
      signed
    </span>
  );
}

/** The last component of a name, `hello:1` of `registry.example/team/hello:1`. */
const shortName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

function TagCell({ node }: { node: TableNode }) {
  if (node.kind === 'group') return <span className="muted">{node.children.length} images</span>;
  if (node.kind === 'platform') return <span className="muted">{node.manifest.platform}</span>;
  const image = node.image;
  if (image.dangling) {
    return (
      <span className="tag dangling-tag">
        <span
          className="badge dangling"
          title={`No name points to this image any more${image.previousRef ? `; it was ${image.previousRef} before the tag moved` : ''}`}
        >
          dangling
        </span>
        {image.previousRef ? (
          <span
            className="muted was"
            title={`was ${shortName(image.previousRef)}: this image was ${image.previousRef} before the tag moved`}
          >
            was {shortName(image.previousRef)}
          </span>
        ) : null}
      </span>
    );
  }
  return (
    <span className="tag" title={image.name}>
      <span className="tag-name">{image.tag ?? <span className="muted">&lt;none&gt;</span>}</span>
      {image.signature ? <SignedBadge signature={image.signature} /> : null}
    </span>
  );
}

/**
 * The short digest as text (a click on it is a click on the row: it selects) and a small copy
 * icon beside it that copies `repo@sha256:…`, once, however many clicks a double-click sends.
 */
function DigestCell({ node }: { node: TableNode }) {
  const engine = useDeckhand((s) => s.source !== STORE);
  if (node.kind === 'group') return null;
  const image = node.kind === 'image' ? node.image : node.parent;
  const digest = node.kind === 'image' ? (engine && node.image.id ? node.image.id : node.image.digest) : node.manifest.digest;
  const ref = digestReferenceOf(image, digest);
  return (
    <span className="digest">
      <span className="mono" title={digest}>
        {shortDigest(digest)}
      </span>
      <button
        type="button"
        className="icon copy"
        aria-label={`Copy ${ref}`}
        title={`Copy ${ref}`}
        tabIndex={-1}
        data-testid="copy-digest"
        onClick={(e) => {
          e.stopPropagation();
          if (e.detail > 1) return; // the second click of a double-click: copied already
          void copyWithNotice(ref);
        }}
        onDoubleClick={(e) => e.stopPropagation()}
      >
        <CopyIcon />
      </button>
    </span>
  );
}

export function PlatformBadge({ platform }: { platform: string }) {
  return (
    <span className={`badge platform ${archOf(platform)}`} data-platform={platform}>
      {platform}
    </span>
  );
}

function PlatformsCell({ node }: { node: TableNode }) {
  const host = useHostPlatform();
  if (node.kind === 'group') return null;
  if (node.kind === 'platform') return <PlatformBadge platform={node.manifest.platform} />;
  const image = node.image;
  if (image.error) {
    return (
      <span className="error row-error" data-testid="row-error" title={image.error}>
        ⚠ {image.error}
      </span>
    );
  }
  const warning = emulationWarning(image.platforms, host);
  return (
    <span className="platforms">
      {warning ? (
        <span className="emulated" role="img" aria-label={warning} title={warning} data-testid="emulation-warning">
          ⚠
        </span>
      ) : null}
      {image.platforms.map((p) => (
        <PlatformBadge key={p} platform={p} />
      ))}
      {image.sparse ? (
        <span className="badge sparse" title="An index stored with only some of its platforms">
          partial
        </span>
      ) : null}
    </span>
  );
}

/** How many containers use an engine's image, and their names. */
function ContainersCell({ node }: { node: TableNode }) {
  if (node.kind !== 'image') return null;
  const n = node.image.containers;
  if (n === undefined) return null;
  if (n < 0) return <span className="muted containers">unknown</span>;
  if (n === 0) return <span className="muted containers">none</span>;
  const names = node.image.containerNames ?? [];
  return (
    <span className="containers" title={names.length ? `Used by ${names.join(', ')}` : `Used by ${n} containers`} data-testid="containers">
      <span className="badge count">{n}</span> {names.join(', ')}
    </span>
  );
}

function BytesCell({ value, testId }: { value: unknown; testId: string }) {
  return typeof value === 'number' ? <Bytes value={value} testId={testId} /> : null;
}

const value = (id: ColumnId) => (node: TableNode) => sortValue(node, id);

export const columns = helper.columns([
  helper.accessor(value('repository'), {
    id: 'repository',
    header: COLUMN_LABELS.repository,
    sortFn: textSort,
    cell: (c) => <RepositoryCell row={c.row} />,
  }),
  helper.accessor(value('tag'), { id: 'tag', header: COLUMN_LABELS.tag, sortFn: textSort, cell: (c) => <TagCell node={c.row.original} /> }),
  helper.accessor(value('digest'), {
    id: 'digest',
    header: COLUMN_LABELS.digest,
    sortFn: textSort,
    cell: (c) => <DigestCell node={c.row.original} />,
  }),
  helper.accessor(value('platforms'), {
    id: 'platforms',
    header: COLUMN_LABELS.platforms,
    sortFn: textSort,
    cell: (c) => <PlatformsCell node={c.row.original} />,
  }),
  helper.accessor(value('size'), {
    id: 'size',
    header: COLUMN_LABELS.size,
    sortFn: numberSort,
    sortDescFirst: true,
    sortUndefined: 'last',
    cell: (c) => (c.row.original.kind === 'group' ? null : <BytesCell value={c.getValue()} testId="size" />),
  }),
  helper.accessor(value('unique'), {
    id: 'unique',
    header: COLUMN_LABELS.unique,
    sortFn: numberSort,
    sortDescFirst: true,
    sortUndefined: 'last',
    cell: (c) => (c.row.original.kind === 'group' ? null : <BytesCell value={c.getValue()} testId="unique" />),
  }),
  helper.accessor(value('shared'), {
    id: 'shared',
    header: COLUMN_LABELS.shared,
    sortFn: numberSort,
    sortDescFirst: true,
    sortUndefined: 'last',
    cell: (c) => (c.row.original.kind === 'group' ? null : <BytesCell value={c.getValue()} testId="shared" />),
  }),
  efficiencyColumn(helper),
  helper.accessor(value('containers'), {
    id: 'containers',
    header: COLUMN_LABELS.containers,
    sortFn: numberSort,
    sortDescFirst: true,
    sortUndefined: 'last',
    cell: (c) => <ContainersCell node={c.row.original} />,
  }),
  helper.accessor(value('created'), {
    id: 'created',
    header: COLUMN_LABELS.created,
    sortFn: numberSort,
    sortDescFirst: true,
    sortUndefined: 'last',
    cell: (c) => {
      const n = c.row.original;
      return <RelativeTime iso={n.kind === 'group' ? n.created : n.kind === 'image' ? n.image.created : n.parent.created} />;
    },
  }),
  helper.accessor(value('registry'), {
    id: 'registry',
    header: COLUMN_LABELS.registry,
    enableSorting: false,
    cell: (c) => <FreshnessCell node={c.row.original} />,
  }),
]);

export const headerTitle = (id: string, engine = false): string | undefined =>
  (engine ? ENGINE_TITLES[id as ColumnId] : undefined) ?? HEADER_TITLES[id as ColumnId];
