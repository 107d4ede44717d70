/**
 * How a dangling image reads where it is named in a line of text: as the Images view shows it, a
 * "dangling" image that "was" its last name (the name after the last `/`, as the table shows it).
 */
export function danglingLabel(previousRef: string | null): string {
  return previousRef ? `dangling (was ${previousRef.slice(previousRef.lastIndexOf('/') + 1)})` : 'dangling';
}
