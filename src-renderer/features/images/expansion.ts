/**
 * Which rows of the image table are open: repository groups start open, indexes closed, and only
 * the exceptions are kept (so a new group opens by default), as TanStack Table's expanded state.
 */
import { functionalUpdate, type ExpandedState } from '@tanstack/react-table';
import { useCallback, useMemo, useState } from 'react';
import type { TableNode } from './rows.ts';

export function useExpansion(nodes: TableNode[]) {
  const [collapsedGroups, setCollapsedGroups] = useState<ReadonlySet<string>>(() => new Set());
  const [openImages, setOpenImages] = useState<ReadonlySet<string>>(() => new Set());
  const expanded = useMemo(() => {
    const e: Record<string, boolean> = {};
    for (const n of nodes) {
      if (n.kind === 'group') {
        if (!collapsedGroups.has(n.id)) e[n.id] = true;
        for (const c of n.children) if (openImages.has(c.id)) e[c.id] = true;
      } else if (n.kind === 'image' && openImages.has(n.id)) e[n.id] = true;
    }
    return e;
  }, [nodes, collapsedGroups, openImages]);
  const onExpandedChange = useCallback(
    (updater: ExpandedState | ((old: ExpandedState) => ExpandedState)) => {
      const next = functionalUpdate(updater, expanded);
      const isOpen = (id: string) => next === true || next[id] === true;
      const collapsed = new Set<string>();
      const open = new Set<string>();
      for (const n of nodes) {
        const images = n.kind === 'group' ? n.children : n.kind === 'image' ? [n] : [];
        if (n.kind === 'group' && !isOpen(n.id)) collapsed.add(n.id);
        for (const c of images) if (c.children.length > 0 && isOpen(c.id)) open.add(c.id);
      }
      setCollapsedGroups(collapsed);
      setOpenImages(open);
    },
    [expanded, nodes],
  );
  return { expanded, onExpandedChange };
}
