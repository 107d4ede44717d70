/** The shared image selection (names), as the table, the layer tree and the disk-usage map change it. */

/** Toggles `names` as a group: all selected → all off; otherwise all on. Order kept, no duplicates. */
export function toggleNames(selection: readonly string[], names: readonly string[]): string[] {
  const current = new Set(selection);
  if (names.length > 0 && names.every((n) => current.has(n))) {
    const off = new Set(names);
    return selection.filter((n) => !off.has(n));
  }
  return [...selection, ...names.filter((n) => !current.has(n))];
}
