/**
 * The image table's context menu (right-click, the Menu key or Shift+F10): a WAI-ARIA menu with a
 * submenu of registries for Push to…. Single-image actions apply to the row under the pointer;
 * Save and Remove apply to the selection when the row is part of it.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DeckhandApi, ImageRow } from '../../../src-shared/ipc/contract.ts';
import { useApi } from '../../api/provider.tsx';
import { useImages, useRegistries } from '../../data/queries.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { copyWithNotice, untag } from './actions.ts';
import { digestReferenceOf, referenceOf, type TableNode } from './rows.ts';

export interface MenuTarget {
  node: TableNode;
  /** The image names Save and Remove act on. */
  names: string[];
  x: number;
  y: number;
}

interface Item {
  label: string;
  disabled?: boolean;
  title?: string;
  submenu?: boolean;
  run?: () => void;
}

function items(target: MenuTarget, api: DeckhandApi, rows: readonly ImageRow[]): Item[] {
  const { node, names } = target;
  const s = useDeckhand.getState();
  const image = node.kind === 'image' ? node.image : node.kind === 'platform' ? node.parent : null;
  const digest = node.kind === 'platform' ? node.manifest.digest : image?.digest;
  const many = names.length > 1 ? ` (${names.length} images)` : '';
  const noImage = image ? undefined : 'Choose one image';
  return [
    { label: 'Copy reference', disabled: !image, title: noImage, run: () => image && void copyWithNotice(referenceOf(image)) },
    {
      label: 'Copy digest reference',
      disabled: !image,
      title: noImage,
      run: () => image && void copyWithNotice(digestReferenceOf(image, digest)),
    },
    { label: 'Tag…', disabled: !image, title: noImage, run: () => image && s.openDialog({ kind: 'tag', source: image.name }) },
    {
      label: 'Untag',
      disabled: !image || image.dangling || !image.tag,
      title: image && (image.dangling || !image.tag) ? 'This image has no tag' : noImage,
      run: () => image && void untag(api, rows, image),
    },
    { label: 'Push to…', disabled: !image, title: noImage, submenu: true },
    { label: `Save to file…${many}`, disabled: names.length === 0, run: () => s.openDialog({ kind: 'save', refs: names }) },
    { label: `Remove…${many}`, disabled: names.length === 0, run: () => s.openDialog({ kind: 'remove', refs: names }) },
  ];
}

function focusable(menu: HTMLElement | null): HTMLElement[] {
  return menu ? [...menu.querySelectorAll<HTMLElement>(':scope > [role="menuitem"]:not([aria-disabled="true"])')] : [];
}

/** Arrow keys, Home and End move between a menu's enabled items. */
function moveFocus(menu: HTMLElement | null, key: string): boolean {
  const list = focusable(menu);
  if (list.length === 0) return false;
  const i = list.indexOf(document.activeElement as HTMLElement);
  const next =
    key === 'ArrowDown'
      ? (i + 1) % list.length
      : key === 'ArrowUp'
        ? (i - 1 + list.length) % list.length
        : key === 'Home'
          ? 0
          : key === 'End'
            ? list.length - 1
            : -1;
  if (next < 0) return false;
  list[next]!.focus();
  return true;
}

export function RowMenu({ target, onClose }: { target: MenuTarget; onClose: () => void }) {
  const menuRef = useRef<HTMLDivElement>(null);
  const subRef = useRef<HTMLDivElement>(null);
  const pushRef = useRef<HTMLButtonElement>(null);
  const [pos, setPos] = useState({ left: target.x, top: target.y });
  /** The push submenu: whether it takes focus, and where it opens (beside the Push item). */
  const [sub, setSub] = useState<{ focus: boolean; left: number; top: number } | null>(null);
  const api = useApi();
  const rows = useImages().data ?? [];
  const listing = useRegistries();
  const registries = listing.data ?? null;
  const registriesError = listing.error ? messageOf(listing.error) : null;
  const openDialog = useDeckhand((s) => s.openDialog);
  const image = target.node.kind === 'image' ? target.node.image : target.node.kind === 'platform' ? target.node.parent : null;

  // Keep the menu inside the window, then focus its first item.
  useLayoutEffect(() => {
    const m = menuRef.current;
    if (!m) return;
    const box = m.getBoundingClientRect();
    const left = Math.max(4, Math.min(target.x, window.innerWidth - box.width - 4));
    const top = Math.max(4, Math.min(target.y, window.innerHeight - box.height - 4));
    setPos((p) => (p.left === left && p.top === top ? p : { left, top }));
    focusable(m)[0]?.focus();
  }, [target]);

  useEffect(() => {
    if (sub?.focus) focusable(subRef.current)[0]?.focus();
  }, [sub, registries]);

  useEffect(() => {
    const away = (e: Event) => {
      const t = e.target as Node;
      if (!menuRef.current?.contains(t) && !subRef.current?.contains(t)) onClose();
    };
    document.addEventListener('mousedown', away, true);
    window.addEventListener('blur', onClose);
    window.addEventListener('resize', onClose);
    return () => {
      document.removeEventListener('mousedown', away, true);
      window.removeEventListener('blur', onClose);
      window.removeEventListener('resize', onClose);
    };
  }, [onClose]);

  const openSub = (focus: boolean) => {
    const box = pushRef.current?.getBoundingClientRect();
    setSub({ focus, left: box ? box.right + 2 : pos.left + 200, top: box ? box.top - 4 : pos.top });
  };

  const run = (item: Item) => {
    if (item.disabled) return;
    if (item.submenu) {
      openSub(true);
      return;
    }
    onClose();
    item.run?.();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (moveFocus(menuRef.current, e.key)) e.preventDefault();
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'ArrowRight' && document.activeElement === pushRef.current && image) {
      e.preventDefault();
      openSub(true);
    }
    e.stopPropagation();
  };

  const onSubKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (moveFocus(subRef.current, e.key)) e.preventDefault();
    else if (e.key === 'ArrowLeft' || e.key === 'Escape') {
      e.preventDefault();
      setSub(null);
      pushRef.current?.focus();
    } else if (e.key === 'Tab') {
      e.preventDefault();
      onClose();
    }
    e.stopPropagation();
  };

  const list = items(target, api, rows);
  return (
    <>
      <div
        ref={menuRef}
        className="context-menu"
        role="menu"
        aria-label={image ? `Actions for ${image.name}` : `Actions for ${target.names.length} images`}
        style={{ left: pos.left, top: pos.top }}
        onKeyDown={onKeyDown}
        onContextMenu={(e) => e.preventDefault()}
        data-testid="image-menu"
      >
        {list.map((item) => (
          <button
            key={item.label}
            ref={item.submenu ? pushRef : undefined}
            type="button"
            role="menuitem"
            tabIndex={-1}
            aria-disabled={item.disabled || undefined}
            aria-haspopup={item.submenu ? 'menu' : undefined}
            aria-expanded={item.submenu ? sub !== null : undefined}
            title={item.title}
            onClick={() => run(item)}
            onMouseEnter={() => {
              if (item.submenu && !item.disabled) openSub(false);
              else if (!item.submenu) setSub(null);
            }}
          >
            <span>{item.label}</span>
            {item.submenu ? <span aria-hidden="true">▸</span> : null}
          </button>
        ))}
      </div>
      {sub && image ? (
        <div
          ref={subRef}
          className="context-menu submenu"
          role="menu"
          aria-label="Push to registry"
          style={{ left: sub.left, top: sub.top }}
          onKeyDown={onSubKeyDown}
          data-testid="push-menu"
        >
          {registries === null && !registriesError ? (
            <div role="menuitem" aria-disabled="true" className="menu-note">
              Loading registries…
            </div>
          ) : registriesError ? (
            <div role="menuitem" aria-disabled="true" className="menu-note error">
              {registriesError}
            </div>
          ) : registries && registries.length === 0 ? (
            <div role="menuitem" aria-disabled="true" className="menu-note">
              No registries yet: add one in the sidebar
            </div>
          ) : (
            registries?.map((r) => (
              <button
                key={r.host}
                type="button"
                role="menuitem"
                tabIndex={-1}
                onClick={() => {
                  onClose();
                  openDialog({ kind: 'push', source: image.name, registry: r.host });
                }}
              >
                {r.host}
                {r.insecure ? <span className="muted"> (insecure)</span> : null}
              </button>
            ))
          )}
        </div>
      ) : null}
    </>
  );
}
