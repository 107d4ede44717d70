/**
 * `deckhand outdated [REF...]`: is each stored tag still what its registry's tag names? HEAD
 * requests only (one GET of a moved index when the store holds some of its platforms, unless
 * --head-only); docs/freshness.md. Exits 0 when the checks ran, whatever they found.
 */
import { FRESHNESS_LABELS, type FreshnessResult } from '../../../src-shared/freshness.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { RegistryContext } from '../../engine/config/context.ts';
import { FreshnessChecker } from '../../engine/freshness/checker.ts';
import { freshnessTargets } from '../../engine/freshness/targets.ts';
import { buildStoreGraph } from '../../engine/insight/store-graph.ts';
import { parseArgs } from '../args.ts';
import type { Command, CommandContext } from '../context.ts';
import { COMMAND_HELP } from '../help.ts';
import { json, table } from '../output.ts';
import { noteEmptyStore, openStoreToRead } from '../read-store.ts';
import { wantsJson } from '../usage.ts';

const OPTIONS = {
  'head-only': { type: 'boolean' },
  'tls-verify': { type: 'string' },
  'cert-dir': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  format: { type: 'string' },
} as const;

/** Progress on stderr: one line redrawn on a terminal, else a line per tag checked. */
function progress(ctx: CommandContext): (r: FreshnessResult, done: number, total: number) => void {
  const tty = ctx.stderr.isTTY === true;
  return (r, done, total) => {
    if (tty)
      ctx.stderr.write(`\r\x1b[2KChecked ${done}/${total}: ${r.reference} ${FRESHNESS_LABELS[r.state]}${done === total ? '\n' : ''}`);
    else ctx.stderr.write(`Checked ${done}/${total}: ${r.reference} ${FRESHNESS_LABELS[r.state]}\n`);
  };
}

function note(r: FreshnessResult): string {
  if (r.state === 'current') return '';
  if (r.state === 'rate-limited')
    return [
      r.retryAfterSeconds !== null ? `retry after ${r.retryAfterSeconds} s` : 'retry later',
      ...(r.ratelimitRemaining !== null ? [`remaining ${r.ratelimitRemaining}`] : []),
    ].join(', ');
  if (r.state === 'stale')
    return r.indexFetched
      ? 'platform changed (index fetched)'
      : r.reason.includes('--head-only')
        ? 'platform not compared (--head-only)'
        : 'tag moved';
  if (r.state === 'platform-unchanged') return 'index fetched to compare';
  if (r.state === 'local-only') return 'the registry does not have this tag';
  if (r.state === 'unknown') return 'no Docker-Content-Digest in the answer';
  if (r.state === 'auth-required') return `log in: deckhand login ${r.reference.slice(0, r.reference.indexOf('/'))}`;
  const first = r.reason.split('. ')[0] ?? r.reason;
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

function printTable(ctx: CommandContext, results: FreshnessResult[]): void {
  table(
    [
      ['REFERENCE', 'STATE', 'LOCAL', 'REMOTE', 'NOTE'],
      ...results.map((r) => [
        r.reference,
        FRESHNESS_LABELS[r.state],
        shortDigest(r.localDigest),
        r.remoteDigest ? shortDigest(r.remoteDigest) : '-',
        note(r),
      ]),
    ],
    ctx.stdout,
  );
  const stale = results.filter((r) => r.state === 'stale');
  if (stale.length > 0)
    ctx.stderr.write(
      `${stale.length} stale: \`deckhand pull ${stale.length === 1 ? stale[0]!.reference : 'REF'}\` updates ${stale.length === 1 ? 'it' : 'one'} (the old image stays, dangling, until a prune).\n`,
    );
  const fetched = results.filter((r) => r.indexFetched).length;
  if (fetched > 0)
    ctx.stderr.write(
      `${fetched} moved ${fetched === 1 ? 'index was' : 'indexes were'} fetched (a manifest GET each) to compare the stored platform; --head-only skips that.\n`,
    );
}

export const outdatedCommand: Command = {
  usage: COMMAND_HELP.outdated.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({ args: ctx.args, options: OPTIONS, allowPositionals: true });
    const asJson = wantsJson(values.format, this.usage);
    const store = await openStoreToRead(ctx);
    const graph = await buildStoreGraph(store);
    const targets = freshnessTargets(graph, positionals);
    const tlsVerify = values['tls-verify'] !== undefined ? values['tls-verify'] !== 'false' : undefined;
    const certDir = values['cert-dir'];
    // One run, one answer per tag: the CLI keeps no cache between runs (docs/freshness.md).
    const checker = new FreshnessChecker(() => RegistryContext.load({ env: ctx.env, tlsVerify, certDir }));
    const results = await checker.check(targets, {
      headOnly: values['head-only'] ?? false,
      signal: ctx.signal,
      ...(values.quiet || asJson || targets.length === 0 ? {} : { onResult: progress(ctx) }),
    });
    if (asJson) {
      json(results, ctx.stdout);
      return 0;
    }
    printTable(ctx, results);
    if (graph.images.length === 0) noteEmptyStore(ctx, store);
    else if (targets.length === 0) ctx.stderr.write('No tagged images in the store: nothing to check.\n');
    return 0;
  },
};
