/**
 * Loaded into the host process with `node --import` by bench:ui-lag: measures that process's
 * event-loop delay (perf_hooks.monitorEventLoopDelay) and answers over the IPC channel, so the
 * product code carries no benchmark hooks. Messages: 'reset' starts a window, 'report' ends it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 1;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
let started = performance.now();

process.on('message', (m: unknown) => {
  if (m === 'reset') {
    histogram.reset();
    started = performance.now();
  } else if (m === 'report') {
    const ms = (ns: number) => ns / 1e6;
    process.send?.({
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
      samples: histogram.count,
      windowMs: performance.now() - started,
      resolutionMs: RESOLUTION_MS,
    });
  }
});
// The IPC channel must not keep the host alive once it is told to stop.
process.channel?.unref();
