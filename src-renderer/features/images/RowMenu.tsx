/**
 * The image table's context menu (right-click, the Menu key or Shift+F10) on Radix's context menu:
 * a WAI-ARIA menu with roving focus, typeahead, Escape, and a submenu of registries for Push to….
 * Single-image actions apply to the row the menu opened on; Save and Remove apply to the selection
 * when that row is part of it (navigation.ts decides, as the menu opens).
 */
import * as ContextMenu from '@radix-ui/react-context-menu';
import type { ReactNode } from 'react';
import type { DeckhandApi, ImageRow } from '../../../src-shared/ipc/contract.ts';
import { useApi } from '../../api/provider.tsx';
import { isStore, STORE, type Source } from '../../data/keys.ts';
import { useImages, useRegistries, useSource } from '../../data/queries.ts';
import { moveImage } from '../sources/moves.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { useQueryClient } from '@tanstack/react-query';
import { recheckFreshness, useFreshness } from '../../data/freshness.ts';
import { copyWithNotice, untag } from './actions.ts';
import { hasRegistryTag, updateImage } from './FreshnessCell.tsx';
import { digestReferenceOf, referenceOf, type TableNode } from './rows.ts';

export interface MenuTarget {
  node: TableNode;
  /** The image names Save and Remove act on. */
  names: string[];
}

interface Item {
  label: string;
  disabled?: boolean;
  /** Why the item is disabled (undefined when it is not). */
  title?: string | undefined;
  run: () => void;
}

const imageOf = (node: TableNode): ImageRow | null => (node.kind === 'image' ? node.image : node.kind === 'platform' ? node.parent : null);

/** The menu's actions (Push to… is the submenu between Untag and Save). */
function items({ node, names }: MenuTarget, api: DeckhandApi, rows: readonly ImageRow[], source: Source): [Item[], Item[]] {
  const s = useDeckhand.getState();
  const image = imageOf(node);
  const digest = node.kind === 'platform' ? node.manifest.digest : image?.digest;
  const many = names.length > 1 ? ` (${names.length} images)` : '';
  const noImage = image ? undefined : 'Choose one image';
  const onImage = (label: string, run: (image: ImageRow) => void, title = noImage): Item => ({
    label,
    disabled: !image,
    title,
    run: () => image && run(image),
  });
  const untagged = !!image && (image.dangling || !image.tag);
  if (!isStore(source)) {
    // An engine's image: tags and files are the engine's own business; copy it to the store, push it, remove it.
    return [
      [
        onImage('Copy reference', (i) => void copyWithNotice(referenceOf(i))),
        onImage('Copy image ID', (i) => void copyWithNotice(i.id ?? i.digest)),
        onImage('Copy to This store', (i) => void moveImage(api, i.name, source, STORE)),
      ],
      [{ label: `Remove…${many}`, disabled: names.length === 0, run: () => s.openDialog({ kind: 'remove', refs: names }) }],
    ];
  }
  return [
    [
      onImage('Copy reference', (i) => void copyWithNotice(referenceOf(i))),
      onImage('Copy digest reference', (i) => void copyWithNotice(digestReferenceOf(i, digest))),
      onImage('Tag…', (i) => s.openDialog({ kind: 'tag', source: i.name })),
      { ...onImage('Untag', (i) => void untag(api, rows, i), untagged ? 'This image has no tag' : noImage), disabled: !image || untagged },
    ],
    [
      { label: `Save to file…${many}`, disabled: names.length === 0, run: () => s.openDialog({ kind: 'save', refs: names }) },
      { label: `Remove…${many}`, disabled: names.length === 0, run: () => s.openDialog({ kind: 'remove', refs: names }) },
    ],
  ];
}

const MenuItems = ({ list }: { list: Item[] }) =>
  list.map((item) => (
    <ContextMenu.Item key={item.label} disabled={item.disabled} title={item.title} onSelect={item.run}>
      {item.label}
    </ContextMenu.Item>
  ));

/** Push to…: the registries Deckhand knows of, loaded when the menu first opens. */
function PushMenu({ image, source }: { image: ImageRow | null; source: Source }) {
  const listing = useRegistries();
  const openDialog = useDeckhand((s) => s.openDialog);
  const registries = listing.data ?? null;
  const note = (text: string, error = false) => (
    <ContextMenu.Item disabled className={error ? 'menu-note error' : 'menu-note'}>
      {text}
    </ContextMenu.Item>
  );
  return (
    <ContextMenu.Sub>
      <ContextMenu.SubTrigger disabled={!image} title={image ? undefined : 'Choose one image'}>
        <span>Push to…</span>
        <span aria-hidden="true">▸</span>
      </ContextMenu.SubTrigger>
      <ContextMenu.Portal>
        <ContextMenu.SubContent className="context-menu submenu" aria-label="Push to registry" data-testid="push-menu">
          {listing.error
            ? note(messageOf(listing.error), true)
            : registries === null
              ? note('Loading registries…')
              : registries.length === 0
                ? note('No registries yet: add one in the sidebar')
                : registries.map((r) => (
                    <ContextMenu.Item
                      key={r.host}
                      onSelect={() =>
                        image &&
                        openDialog({
                          kind: 'push',
                          source: image.name,
                          registry: r.host,
                          ...(isStore(source) ? {} : { sourceEngine: source }),
                        })
                      }
                    >
                      {r.host}
                      {r.insecure ? <span className="muted"> (insecure)</span> : null}
                    </ContextMenu.Item>
                  ))}
        </ContextMenu.SubContent>
      </ContextMenu.Portal>
    </ContextMenu.Sub>
  );
}

function MenuContent({ target, onClosed }: { target: MenuTarget; onClosed: () => void }) {
  const api = useApi();
  const rows = useImages().data ?? [];
  const source = useSource();
  const image = imageOf(target.node);
  const [before, after] = items(target, api, rows, source);
  const freshness = useFreshness(isStore(source));
  const client = useQueryClient();
  const tagged = image && isStore(source) && hasRegistryTag(image) ? image : null;
  const known = tagged ? freshness.results.get(tagged.name) : undefined;
  const stale = !!tagged && known?.state === 'stale' && known.localDigest === tagged.digest;
  const registry: Item[] = tagged
    ? [
        {
          label: 'Update from registry',
          disabled: !stale,
          title: stale ? undefined : 'The registry’s tag names the stored image, or it was not checked yet',
          run: () => void updateImage(api, tagged),
        },
        {
          label: 'Check registry again',
          run: () =>
            void recheckFreshness(api, client, [tagged.name]).catch((e: unknown) => useDeckhand.getState().notify('error', messageOf(e))),
        },
      ]
    : [];
  return (
    <ContextMenu.Content
      className="context-menu"
      aria-label={image ? `Actions for ${image.name}` : `Actions for ${target.names.length} images`}
      data-testid="image-menu"
      collisionPadding={4}
      onCloseAutoFocus={(e) => {
        e.preventDefault();
        onClosed();
      }}
    >
      <MenuItems list={before} />
      <PushMenu image={image} source={source} />
      <MenuItems list={registry} />
      <MenuItems list={after} />
    </ContextMenu.Content>
  );
}

/**
 * The menu around the table: `children` holds a RowMenuTrigger (the rows), whose contextmenu
 * events open it at the pointer; `target` is set by the row's own handler, which runs first.
 * `onClosed` runs once it has closed (the table takes the focus back). Not modal: a modal Radix
 * menu locks scrolling with an injected <style> element, which the app's CSP (style-src 'self')
 * refuses; it still closes on a click or focus outside and on Escape.
 */
export function RowMenu({ target, onClosed, children }: { target: MenuTarget | null; onClosed: () => void; children: ReactNode }) {
  return (
    <ContextMenu.Root modal={false}>
      {children}
      <ContextMenu.Portal>{target ? <MenuContent target={target} onClosed={onClosed} /> : null}</ContextMenu.Portal>
    </ContextMenu.Root>
  );
}

export const RowMenuTrigger = ContextMenu.Trigger;
