/**
 * Prune with a preview: the options make a plan on the main side (nothing removed yet), the dialog
 * lists everything that plan removes and why, and the exact bytes; "Prune" runs that very plan and
 * then shows what was actually freed and anything skipped because it came to be needed since.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import type { CallInput, PlannedPrune, PruneResult } from '../../../src-shared/ipc/contract.ts';
import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/provider.tsx';
import { isStore } from '../../data/keys.ts';
import { sourceChanged, usePrunePlan, useSource } from '../../data/queries.ts';
import { messageOf } from '../../store/slice.ts';
import { useDeckhand } from '../../store/index.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { Bytes } from '../../ui/format.tsx';
import './prune.css';

type PlanInput = CallInput<'planPrune'>;

export interface PruneOptionsForm {
  all: boolean;
  olderThan: string;
  olderUnit: 'hours' | 'days';
  keepLast: string;
  labels: string;
}

const UNIT_MS = { hours: 3_600_000, days: 86_400_000 } as const;
/** Items a section shows before "Show all": enough to scroll through, few enough to render at once. */
export const LIST_STEP = 200;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** The planPrune input for the form, or what is wrong with it. */
export function planInput(form: PruneOptionsForm): { input: PlanInput } | { problem: string } {
  const input: PlanInput = { all: form.all };
  if (form.olderThan.trim() !== '') {
    const n = Number(form.olderThan);
    if (!Number.isFinite(n) || n < 0) return { problem: '"Older than" takes a number of hours or days, 0 or more.' };
    input.olderThanMs = Math.round(n * UNIT_MS[form.olderUnit]);
  }
  if (form.keepLast.trim() !== '') {
    const n = Number(form.keepLast);
    if (!Number.isInteger(n) || n < 0) return { problem: '"Keep the newest" takes a whole number, 0 or more.' };
    input.keepLast = n;
  }
  const labels: NonNullable<PlanInput['labels']> = [];
  for (const part of form.labels.split(/[,\n]/)) {
    const text = part.trim();
    if (!text) continue;
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).trim();
    if (!key || /\s/.test(key)) return { problem: `"${text}" is not a label filter: write key or key=value.` };
    labels.push(eq < 0 ? { key } : { key, value: text.slice(eq + 1).trim() });
  }
  if (labels.length > 64) return { problem: 'At most 64 label filters.' };
  if (labels.length > 0) input.labels = labels;
  return { input };
}

function Section<T>({
  title,
  items,
  testId,
  render,
  note,
}: {
  title: string;
  items: T[];
  testId: string;
  render: (item: T) => ReactNode;
  note?: ReactNode;
}) {
  const [shown, setShown] = useState(LIST_STEP);
  if (items.length === 0) return null;
  return (
    <section className="prune-section" aria-label={title}>
      <h3>
        {title} <span className="muted">({items.length})</span> {note}
      </h3>
      <ul className="prune-list" data-testid={testId}>
        {items.slice(0, shown).map(render)}
      </ul>
      {items.length > shown ? (
        <button type="button" className="prune-more" onClick={() => setShown((n) => n + LIST_STEP * 5)}>
          Show {Math.min(items.length - shown, LIST_STEP * 5)} more of {items.length - shown}
        </button>
      ) : null}
    </section>
  );
}

function PlanView({ plan }: { plan: PlannedPrune }) {
  const blobBytes = useMemo(() => plan.blobs.reduce((s, b) => s + b.size, 0), [plan]);
  const ingestBytes = useMemo(() => plan.ingests.reduce((s, b) => s + b.size, 0), [plan]);
  const empty = plan.images.length + plan.blobs.length + plan.ingests.length === 0;
  return (
    <div className="prune-plan">
      <p className="prune-total">
        {empty
          ? 'Nothing to remove with these options'
          : `Removes ${plural(plan.images.length, 'image')}, ${plural(plan.blobs.length, 'blob')} and ${plural(plan.ingests.length, 'interrupted download')}`}
        {' · frees exactly '}
        <Bytes value={plan.reclaimedBytes} testId="prune-planned" />
      </p>
      {plan.leasedBlobs > 0 ? (
        <p className="prune-note" role="note">
          {plural(plan.leasedBlobs, 'blob is', 'blobs are')} held by transfers still running (pulls, pushes, loads) and will be kept.
        </p>
      ) : null}
      <Section
        title="Images"
        testId="prune-images"
        items={plan.images}
        render={(i) => (
          <li key={`${i.name}@${i.digest}`} data-testid="prune-item">
            <span className="prune-what" data-truncates title={`${i.name}\n${i.digest}`}>
              {i.name}
            </span>
            <span className="prune-why" data-truncates title={i.reason}>
              {i.reason}
            </span>
          </li>
        )}
      />
      <Section
        title="Blobs"
        testId="prune-blobs"
        items={plan.blobs}
        note={<Bytes value={blobBytes} />}
        render={(b) => (
          <li key={b.digest} data-testid="prune-item">
            <span className="prune-what mono" data-truncates title={b.digest}>
              {short(b.digest)}
            </span>
            <Bytes value={b.size} />
            <span className="prune-why" data-truncates title={b.reason}>
              {b.reason}
            </span>
          </li>
        )}
      />
      <Section
        title="Interrupted downloads"
        testId="prune-ingests"
        items={plan.ingests}
        note={<Bytes value={ingestBytes} />}
        render={(g) => (
          <li key={g.name} data-testid="prune-item">
            <span className="prune-what mono" data-truncates title={g.name}>
              {g.name}
            </span>
            <Bytes value={g.size} />
            <span className="prune-why" data-truncates title={g.reason}>
              {g.reason}
            </span>
          </li>
        )}
      />
    </div>
  );
}

function ResultView({ result, planned }: { result: PruneResult; planned: number | null }) {
  return (
    <div className="prune-result" role="status">
      <p className="prune-total">
        Freed <Bytes value={result.freedBytes} testId="prune-freed" />
        {planned !== null && planned !== result.freedBytes ? <span className="muted"> (planned {formatBytes(planned)})</span> : null}
      </p>
      <p>
        Removed {plural(result.removedImages.length, 'image')}, {plural(result.deletedBlobs, 'blob')} and{' '}
        {plural(result.deletedIngests, 'interrupted download')}.
      </p>
      {result.removedImages.length > 0 ? (
        <Section title="Removed images" testId="prune-removed" items={result.removedImages} render={(name) => <li key={name}>{name}</li>} />
      ) : null}
      {result.skipped.length > 0 ? (
        <Section
          title="Kept after all"
          testId="prune-skipped"
          items={result.skipped}
          render={(s) => (
            <li key={s.item} data-testid="prune-skip">
              <span className="prune-what mono" data-truncates title={s.item}>
                {s.item}
              </span>
              <span className="prune-why" data-truncates title={s.reason}>
                {s.reason}
              </span>
            </li>
          )}
        />
      ) : null}
    </div>
  );
}

export function PruneDialog() {
  const api = useApi();
  const client = useQueryClient();
  const source = useSource();
  const engine = !isStore(source);
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const [form, setForm] = useState<PruneOptionsForm>({ all: false, olderThan: '', olderUnit: 'hours', keepLast: '', labels: '' });
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<string | null>(null);
  const [result, setResult] = useState<PruneResult | null>(null);
  const [round, setRound] = useState(0);
  /** Set once a plan has come back: later option changes wait for a pause in typing. */
  const answered = useRef(false);

  // Keeping the newest per repository is the store's rule; an engine prunes by its own filters.
  const parsed = useMemo(() => planInput(engine ? { ...form, keepLast: '' } : form), [form, engine]);
  const key = 'input' in parsed ? JSON.stringify(parsed.input) : null;
  /** The input being planned: the first at once, later ones after a pause in typing. */
  const [planned, setPlanned] = useState(key);
  useEffect(() => {
    if (key === planned || key === null) return;
    const timer = setTimeout(() => setPlanned(key), answered.current ? 300 : 0);
    return () => clearTimeout(timer);
  }, [key, planned]);
  const query = usePrunePlan(planned === null ? null : (JSON.parse(planned) as PlanInput), round, result === null, {
    placeholderData: keepPreviousData,
  });
  useEffect(() => {
    if (query.isFetched) answered.current = true;
  }, [query.isFetched]);
  const plan: PlannedPrune | null = query.data ?? null;
  const planError = query.error ? messageOf(query.error) : null;

  const update = (change: Partial<PruneOptionsForm>) => setForm((f) => ({ ...f, ...change }));
  const problem = 'problem' in parsed ? parsed.problem : null;
  const empty = plan ? plan.images.length + plan.blobs.length + plan.ingests.length === 0 : true;
  const planning = key !== null && (planned !== key || query.isFetching || query.isPlaceholderData);
  const canRun = !!plan && !planning && !running && !problem && !empty && !result;

  const run = async () => {
    if (!plan) return;
    setRunning(true);
    setRunError(null);
    try {
      setResult(await api.runPrune({ planId: plan.planId }));
    } catch (e) {
      setRunError(messageOf(e));
    } finally {
      setRunning(false);
    }
  };

  // The figures elsewhere (the prune button, disk usage, the rows) are out of date once a prune
  // has run. Said after the result is shown, when the plan's query is off: invalidated before
  // that, the plan would be asked for again and the result compared with a plan made after it.
  useEffect(() => {
    if (result) void sourceChanged(client, source);
  }, [result, client, source]);

  const planAgain = () => {
    setResult(null);
    setRunError(null);
    setRound((r) => r + 1);
  };

  return (
    <Dialog title={engine ? `Prune ${source}` : 'Prune'} onClose={closeDialog} testId="prune-dialog" wide>
      <div className="prune-dialog">
        <fieldset className="prune-options" disabled={running || result !== null}>
          <legend>What to remove</legend>
          <div className="prune-mode" role="radiogroup" aria-label="Images to remove">
            <label>
              <input type="radio" name="prune-mode" checked={!form.all} onChange={() => update({ all: false })} /> Dangling images only
              (untagged)
            </label>
            <label>
              <input type="radio" name="prune-mode" checked={form.all} onChange={() => update({ all: true })} /> All images that match the
              filters, tagged ones too
            </label>
          </div>
          <div className="prune-filters">
            <label>
              Older than
              <span className="prune-inline">
                <input
                  type="number"
                  min={0}
                  step="any"
                  inputMode="decimal"
                  placeholder="any age"
                  value={form.olderThan}
                  onChange={(e) => update({ olderThan: e.target.value })}
                  aria-label="Older than"
                />
                <select
                  value={form.olderUnit}
                  onChange={(e) => update({ olderUnit: e.target.value === 'days' ? 'days' : 'hours' })}
                  aria-label="Unit of age"
                >
                  <option value="hours">hours</option>
                  <option value="days">days</option>
                </select>
              </span>
            </label>
            {engine ? null : (
              <label>
                Keep the newest per repository
                <input
                  type="number"
                  min={0}
                  step={1}
                  placeholder="none kept"
                  value={form.keepLast}
                  onChange={(e) => update({ keepLast: e.target.value })}
                />
              </label>
            )}
            <label className="prune-labels">
              With labels
              <input
                type="text"
                placeholder="key or key=value, comma separated"
                value={form.labels}
                onChange={(e) => update({ labels: e.target.value })}
                spellCheck={false}
              />
            </label>
          </div>
          {engine ? (
            <p className="muted" data-testid="prune-engine-note">
              The preview is what {source} would remove: images no container uses, as its own prune decides. The result is what the engine
              reports; nothing is forced.
            </p>
          ) : null}
          {form.all ? (
            <p className="prune-warn">
              Tagged images that match the filters are removed too. Their layers go unless another image still needs them.
            </p>
          ) : null}
        </fieldset>

        {problem ? (
          <p className="error" role="alert">
            {problem}
          </p>
        ) : null}
        {planError ? (
          <p className="error" role="alert">
            Could not plan the prune: {planError}
          </p>
        ) : null}
        {runError ? (
          <p className="error" role="alert">
            The prune failed: {runError}
          </p>
        ) : null}

        <div className="prune-preview" aria-busy={planning}>
          {result ? (
            <ResultView result={result} planned={plan?.reclaimedBytes ?? null} />
          ) : plan ? (
            <PlanView plan={plan} />
          ) : planning ? (
            <p className="muted">Planning…</p>
          ) : null}
          {planning && plan && !result ? (
            <p className="muted prune-planning" role="status">
              Planning…
            </p>
          ) : null}
        </div>

        <div className="dialog-actions">
          {result ? (
            <button type="button" onClick={planAgain}>
              Plan again
            </button>
          ) : null}
          <button type="button" onClick={closeDialog}>
            {result ? 'Close' : 'Cancel'}
          </button>
          {result ? null : (
            <button type="button" className="danger" disabled={!canRun} onClick={() => void run()}>
              {running ? 'Pruning…' : plan && !empty ? `Prune · free ${formatBytes(plan.reclaimedBytes)}` : 'Prune'}
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
