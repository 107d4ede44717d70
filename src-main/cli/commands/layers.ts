import type { Writable } from 'node:stream';
import { analyzeEngineImage } from '../../engine/daemon/analyze-engine-image.ts';
import { engineNamed } from '../../engine/daemon/copy.ts';
import { parseArgs } from '../args.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { parsePlatform } from '../../../src-shared/oci/platform.ts';
import { analyzeImage, type AnalyzeProgress, type LayersReport } from '../../engine/insight/layers/analyze.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { COMMAND_HELP } from '../help.ts';
import { json, table } from '../output.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';

const OPTIONS = {
  format: { type: 'string' },
  files: { type: 'boolean' },
  platform: { type: 'string' },
  ci: { type: 'boolean' },
  'lowest-efficiency': { type: 'string' },
  'highest-wasted-bytes': { type: 'string' },
  'highest-user-wasted-percent': { type: 'string' },
} as const;

/** dive's CI defaults. */
const DEFAULTS = { 'lowest-efficiency': '0.9', 'highest-wasted-bytes': 'disabled', 'highest-user-wasted-percent': '0.1' } as const;

type RuleName = keyof typeof DEFAULTS;

export interface RuleResult {
  rule: RuleName;
  threshold: string;
  status: 'pass' | 'fail' | 'disabled';
  message: string | null;
}

/** As dive: empty, `disabled`, `off` or `false` turns a rule off. */
function disabled(value: string): boolean {
  return ['', 'disabled', 'off', 'false'].includes(value.trim().toLowerCase());
}

const POWERS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** A size as dive reads one (go-humanize's ParseBytes): `20MB` and `20M` are SI, `20MiB` binary, a plain number bytes. */
export function parseSize(value: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgtpe]?)(i?)(b?)\s*$/i.exec(value);
  if (!m || (m[3] && !m[2])) return null;
  return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** POWERS[m[2]!.toLowerCase()]!);
}

function fraction(usage: string, rule: RuleName, value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw usageError(usage, `--${rule} takes a number from 0 to 1 or "disabled", not ${JSON.stringify(value)}`);
  return n;
}

/** dive's three CI rules, evaluated as dive does (a threshold is crossed only strictly). */
export function evaluateRules(report: LayersReport, values: Partial<Record<RuleName, string>>, usage: string): RuleResult[] {
  const { score, wastedBytes, userWastedPercent } = report.efficiency;
  const results: RuleResult[] = [];
  for (const rule of Object.keys(DEFAULTS) as RuleName[]) {
    const threshold = values[rule] ?? DEFAULTS[rule];
    if (disabled(threshold)) {
      results.push({ rule, threshold, status: 'disabled', message: null });
      continue;
    }
    let failed: string | null = null;
    if (rule === 'lowest-efficiency') {
      const t = fraction(usage, rule, threshold);
      if (t > score) failed = `image efficiency is too low (efficiency=${score.toFixed(2)} < threshold=${t})`;
    } else if (rule === 'highest-wasted-bytes') {
      const t = parseSize(threshold);
      if (t === null) throw usageError(usage, `--${rule} takes a size (20MB, 20MiB, 1000) or "disabled", not ${JSON.stringify(threshold)}`);
      if (wastedBytes > t) failed = `too many bytes wasted (wasted-bytes=${wastedBytes} > threshold=${t})`;
    } else {
      const t = fraction(usage, rule, threshold);
      // No bytes above the first layer but some wasted: dive divides by zero and fails the rule.
      const percent = userWastedPercent ?? Number.POSITIVE_INFINITY;
      if (percent > t)
        failed = `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${percent.toFixed(2)} > threshold=${t})`;
    }
    results.push({ rule, threshold, status: failed ? 'fail' : 'pass', message: failed });
  }
  return results;
}

const percent = (n: number | null) => (n === null ? 'n/a (no bytes above the first layer)' : `${(n * 100).toFixed(2)} %`);
const changeCell = (c: { count: number; bytes: number }) => (c.count === 0 ? '-' : `${c.count} (${formatBytes(c.bytes)})`);

function printReport(report: LayersReport, files: boolean, out: Writable): void {
  table(
    [
      ['LAYER', 'SIZE', 'ADDED', 'MODIFIED', 'REMOVED', 'CREATED BY'],
      ...report.layers.map((l) => [
        shortDigest(l.digest),
        formatBytes(l.size),
        changeCell(l.added),
        changeCell(l.modified),
        changeCell(l.removed),
        (l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 60),
      ]),
    ],
    out,
  );
  if (files) {
    for (const l of report.layers) {
      out.write(`\n${shortDigest(l.digest)}:\n`);
      for (const f of l.files ?? []) {
        if (f.status === 'unchanged') continue;
        const what = f.entry ? `${f.entry.type}${f.entry.linkTarget !== null ? ` -> ${f.entry.linkTarget}` : ''}` : 'removed';
        out.write(`  ${f.status.padEnd(8)} ${formatBytes(f.size).padStart(8)}  ${f.path}  (${what})\n`);
      }
    }
  }
  const e = report.efficiency;
  out.write(`\nEfficiency: ${percent(e.score)}   Wasted: ${formatBytes(e.wastedBytes)}   User wasted: ${percent(e.userWastedPercent)}\n`);
  if (e.inefficiencies.length > 0) {
    out.write('\n');
    table(
      [
        ['COUNT', 'TOTAL', 'PATH', 'LAYERS'],
        ...e.inefficiencies.map((d) => [
          String(d.count),
          formatBytes(d.cumulativeSize),
          d.path,
          d.layers.map((l) => String(l.index)).join(','),
        ]),
      ],
      out,
    );
  }
}

export const layersCommand: Command = {
  usage: COMMAND_HELP.layers.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: OPTIONS });
    if (positionals.length !== 1) throw usageError(this.usage, 'layers takes one image');
    const asJson = wantsJson(values.format, this.usage);
    const thresholds: Partial<Record<RuleName, string>> = {};
    for (const rule of Object.keys(DEFAULTS) as RuleName[]) {
      const v = values[rule];
      if (v === undefined) continue;
      if (!values.ci) throw usageError(this.usage, `--${rule} is a CI rule; add --ci`);
      thresholds[rule] = v;
    }
    const platform =
      values.platform === undefined ? undefined : await checkingArguments(ctx.args, async () => parsePlatform(values.platform!));
    // Thresholds are checked before the work, so a typo costs no analysis.
    if (values.ci) evaluateRules(EMPTY_REPORT, thresholds, this.usage);
    const engine = ctx.engineFlag;
    // On a terminal, how far the reading is (a large image takes a while the first time).
    const progress = ctx.stderr.isTTY === true;
    const onProgress = ({ bytesDone, bytesTotal, layersDone, layers }: AnalyzeProgress) => {
      if (layersDone < layers)
        ctx.stderr.write(`\r\x1b[KReading layers: ${layersDone}/${layers} done, ${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`);
    };
    const name = positionals[0]!;
    let report: LayersReport;
    try {
      report = await checkingArguments(ctx.args, async () =>
        engine === undefined
          ? analyzeImage(await openStoreToRead(ctx), name, {
              files: values.files === true,
              signal: ctx.signal,
              ...(platform ? { platform } : {}),
              ...(progress ? { onProgress } : {}),
            })
          : // An engine's image: exported into a temporary store of its own, analysed, removed.
            analyzeEngineImage(await engineNamed(engine, ctx.env), name, {
              files: values.files === true,
              signal: ctx.signal,
              env: ctx.env,
              ...(platform ? { platform } : {}),
              ...(progress ? { onProgress } : {}),
            }),
      );
    } finally {
      if (progress) ctx.stderr.write('\r\x1b[K');
    }
    const rules = values.ci ? evaluateRules(report, thresholds, this.usage) : null;
    const failed = rules?.filter((r) => r.status === 'fail') ?? [];
    if (asJson) {
      json(rules ? { ...report, ci: { passed: failed.length === 0, rules } } : report, ctx.stdout);
    } else {
      printReport(report, values.files === true, ctx.stdout);
      if (rules) {
        ctx.stdout.write('\nCI rules:\n');
        for (const r of rules) {
          const word = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'SKIP';
          ctx.stdout.write(`  ${word}: ${r.rule} (${r.threshold})${r.message ? `: ${r.message}` : ''}\n`);
        }
        ctx.stdout.write(failed.length === 0 ? 'Result: PASS\n' : `Result: FAIL (${failed.map((r) => r.rule).join(', ')})\n`);
      }
    }
    if (failed.length > 0) {
      ctx.stderr.write(`deckhand: ${failed.map((r) => `CI rule ${r.rule} failed: ${r.message}`).join('; ')}\n`);
      return 1;
    }
    return 0;
  },
};

const EMPTY_REPORT: LayersReport = {
  image: '',
  manifest: '',
  platform: '',
  layers: [],
  efficiency: { score: 1, wastedBytes: 0, userWastedPercent: 0, userBytes: 0, inefficiencies: [] },
};
