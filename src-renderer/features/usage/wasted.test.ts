import { expect, test } from 'vitest';
import { wastedBand, wastedTitle } from './wasted.ts';

test("the band's share of the cell's area is the wasted share, at the bottom, full width", () => {
  const cell = { x0: 10, y0: 20, x1: 210, y1: 120 };
  const band = wastedBand(cell, 0.75, 25_000_000)!;
  expect(band).toMatchObject({ x: 10, width: 200, height: 25, y: 95, label: '25 MB wasted', labelled: true });
  expect((band.width * band.height) / (200 * 100)).toBeCloseTo(0.25);
});

test('a thin band keeps its title but not its label; nothing wasted draws nothing', () => {
  const cell = { x0: 0, y0: 0, x1: 40, y1: 100 };
  const thin = wastedBand(cell, 0.95, 1_000)!;
  expect(thin.height).toBeCloseTo(5);
  expect(thin.labelled).toBe(false);
  expect(wastedBand(cell, 1, 0)).toBeNull();
  expect(wastedBand(cell, 0.999999, 1)).toBeNull();
  // A score outside 0..1 is clamped: the band never leaves its cell.
  expect(wastedBand(cell, -1, 10)).toMatchObject({ y: 0, height: 100 });
});

test('the title says the bytes and the share in words', () => {
  expect(wastedTitle('example.com/a:1', 0.9, 1_500_000)).toMatch(/^example\.com\/a:1: 1\.5 MB wasted \(10\.0 % of what its layers hold/);
});
