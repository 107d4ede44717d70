import { expect, test } from 'vitest';
import { fitMiddle, middleEllipsis } from './truncate.ts';

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

test('fitMiddle cuts to the most characters that fit the width as measured', () => {
  const measure = (s: string) => s.length * 10;
  expect(fitMiddle('hello:1.0', 90, measure)).toBe('hello:1.0');
  const cut = fitMiddle('127.0.0.1:56067/demo/app-frontend:1.0', 240, measure);
  expect(cut).toBe(middleEllipsis('127.0.0.1:56067/demo/app-frontend:1.0', 24));
  // Wide characters take more room: fewer of them fit.
  const wide = (s: string) => [...s].reduce((n, c) => n + (c === 'W' ? 20 : 10), 0);
  expect(fitMiddle('WWWWWWWWWW/app:1', 120, wide).length).toBeLessThan(12);
  expect(wide(fitMiddle('WWWWWWWWWW/app:1', 120, wide))).toBeLessThanOrEqual(120);
});
