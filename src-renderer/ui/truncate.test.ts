import { expect, test } from 'vitest';
import { middleEllipsis } from './truncate.ts';

test('a name that fits is unchanged', () => {
  expect(middleEllipsis('hello:1.0', 9)).toBe('hello:1.0');
});

test('a long name keeps its end: the last path segment and the tag', () => {
  const a = middleEllipsis('127.0.0.1:56067/demo/app-frontend:1.0', 24);
  const b = middleEllipsis('127.0.0.1:56067/demo/app-backend:1.0', 24);
  expect(a).toBe('127.0.…/app-frontend:1.0');
  expect(a).toHaveLength(24);
  expect(a).not.toBe(b);
  expect(b.endsWith('/app-backend:1.0')).toBe(true);
});

test('with little room the end still wins, cut in the middle', () => {
  const s = middleEllipsis('127.0.0.1:56067/demo/a-very-long-repository-name:2024.11.30', 20);
  expect(s).toHaveLength(20);
  expect(s.endsWith(':2024.11.30')).toBe(true);
  expect(s.startsWith('127')).toBe(true);
  expect(middleEllipsis('abcdef', 1)).toBe('…');
});
