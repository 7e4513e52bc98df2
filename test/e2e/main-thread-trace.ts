/**
 * A Chrome trace of one page's main thread, read the way a jank is judged: every task over a threshold with
 * its wall time, its CPU time (a task the OS kept waiting on a loaded machine has wall ≫ CPU) and what ran in
 * it (script URL and function, parse, style, layout, GC), and every gap between animation frames with the
 * main-thread work inside it. Used by `npm run demo:trace` and by the demo's e2e pause test.
 */

import type { Browser, CDPSession } from 'playwright';

/** One Chrome trace event (the fields read here). */
export interface TraceEvent {
  name: string;
  cat?: string;
  ph?: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of a complete event, µs; absent where the platform gives none. */
  tdur?: number;
  pid: number;
  tid: number;
  id?: string;
  args?: Record<string, unknown> & { name?: string; data?: Record<string, unknown> };
}

/** A main-thread task over the threshold. */
export interface LongTask {
  /** Start, ms since the trace's first event of that thread. */
  at: number;
  wallMs: number;
  /** Thread CPU time, ms; `undefined` when the trace has none. */
  cpuMs?: number;
  /** What ran in it, in order: `name detail (ms, CPU ms)`, nested ones indented. */
  parts: string[];
  /** Run by the test's own tooling (playwright's injected scripts, the tracer), not by the page. */
  tooling: boolean;
  /** Start and end on the trace's clock, µs. */
  ts: number;
  end: number;
}

/** A gap between two animation-frame callbacks over the threshold, and the longest task inside it. */
export interface FrameGap {
  at: number;
  gapMs: number;
  /** Summed wall time of main-thread tasks inside the gap. */
  busyMs: number;
  longestTaskMs: number;
  /** Compositor frames begun inside the gap: > 0 means frames were asked for and the main thread missed them. */
  beginFrames: number;
}

const CATEGORIES = [
  'toplevel', 'blink.user_timing', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame',
  'v8', 'v8.execute', 'blink', 'loading', 'disabled-by-default-v8.gc',
];

/** A trace of every process of `browser`, started before a navigation (a page swap of process is followed). */
export async function startTrace(browser: Browser, options: { samples?: boolean } = {}): Promise<() => Promise<TraceEvent[]>> {
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => { events.push(...(e.value as unknown as TraceEvent[])); });
  const categories = options.samples ? [...CATEGORIES, 'disabled-by-default-v8.cpu_profiler'] : CATEGORIES;
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
  return async () => {
    const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await done;
    await cdp.detach();
    return events;
  };
}

/** The main thread of the renderer that loaded `origin` (the page, not a blank tab or an extension). */
export function pageMainThread(events: TraceEvent[], origin: string): { pid: number; tid: number } {
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const loaded = (m: TraceEvent) => events.some((e) => e.pid === m.pid && e.tid === m.tid &&
    (e.name === 'ParseHTML' || e.name === 'EvaluateScript' || e.name === 'v8.compileModule') && JSON.stringify(e.args ?? {}).includes(origin));
  const main = mains.find(loaded);
  if (!main) throw new Error(`no renderer main thread loaded ${origin} in the trace (${mains.length} renderer main threads)`);
  return { pid: main.pid, tid: main.tid };
}

/** The earliest timestamp (a spread of a whole trace overflows the stack). */
const firstTs = (events: TraceEvent[]) => events.reduce((m, e) => Math.min(m, e.ts), Infinity);
const onThread = (events: TraceEvent[], t: { pid: number; tid: number }) => events.filter((e) => e.pid === t.pid && e.tid === t.tid);
const ms = (us: number | undefined) => (us ?? 0) / 1000;

/** A short description of an event: its name and the script, function, event type or file it names. */
function describe(e: TraceEvent): string {
  const d = (e.args?.data ?? e.args?.beginData ?? {}) as Record<string, unknown>;
  const url = String(d.url ?? d.scriptName ?? e.args?.fileName ?? '').replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
  const fn = d.functionName ? `${String(d.functionName)} ` : '';
  const line = d.lineNumber !== undefined ? `:${Number(d.lineNumber) + 1}` : '';
  const type = d.type ? ` ${String(d.type)}` : '';
  return `${e.name}${type}${url || fn ? ` ${fn}${url}${line}` : ''}`.trim();
}

/**
 * An event of the test's tooling: a DevTools protocol message (playwright's evaluations, reading the page's
 * entries), playwright's injected scripts and predicates, which have no URL (every script of the page has
 * one), and the tracer's own start.
 */
function isTooling(e: TraceEvent): boolean {
  if (e.name === 'CpuProfiler::StartProfiling' || /trace_event/.test(String(e.args?.src_file ?? ''))) return true;
  const mojo = e.args?.chrome_mojo_event_info as { mojo_interface_tag?: string } | undefined;
  if (mojo?.mojo_interface_tag === 'blink.mojom.DevToolsSession') return true;
  return (e.name === 'EvaluateScript' || e.name === 'FunctionCall') && !(e.args?.data as { url?: string } | undefined)?.url;
}

/**
 * Every main-thread task (`RunTask`) of at least `minMs` wall time, with the events inside it that took
 * 1 ms or more (outermost first, nested ones indented) and, when the trace has CPU samples, the functions.
 */
export function longTasks(events: TraceEvent[], thread: { pid: number; tid: number }, minMs: number): LongTask[] {
  const mine = onThread(events, thread).filter((e) => e.ph === 'X' && e.dur !== undefined);
  const t0 = firstTs(mine);
  const samples = cpuSamples(events, thread);
  return mine.filter((e) => e.name === 'RunTask' && ms(e.dur) >= minMs).map((task) => {
    const end = task.ts + (task.dur ?? 0);
    const inside = mine.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end && ms(e.dur) >= 1);
    const depth = (e: TraceEvent) => inside.filter((o) => o !== e && o.ts <= e.ts && o.ts + (o.dur ?? 0) >= e.ts + (e.dur ?? 0)).length;
    const parts = inside.filter((e) => depth(e) <= 5 && ms(e.dur) >= 2).sort((a, b) => a.ts - b.ts)
      .map((e) => `${'  '.repeat(depth(e))}${describe(e)} (${ms(e.dur).toFixed(1)} ms${e.tdur === undefined ? '' : `, CPU ${ms(e.tdur).toFixed(1)}`})`);
    const self = new Map<string, number>();
    for (const s of samples) if (s.ts >= task.ts && s.ts <= end) self.set(s.frame, (self.get(s.frame) ?? 0) + s.ms);
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([f, m]) => `self ${m.toFixed(1)} ms ${f}`);
    return {
      at: ms(task.ts - t0), wallMs: ms(task.dur), cpuMs: task.tdur === undefined ? undefined : ms(task.tdur),
      parts: [...parts, ...top], tooling: inside.some(isTooling), ts: task.ts, end,
    };
  });
}

/** The trace clock (µs) at the page's `performance.now()` 0, from a `performance.mark(name)` the page made. */
export function clockOrigin(events: TraceEvent[], name: string, markStartMs: number): number {
  const mark = events.find((e) => e.name === name && (e.cat ?? '').includes('user_timing'));
  if (!mark) throw new Error(`performance.mark('${name}') is not in the trace`);
  return mark.ts - markStartMs * 1000;
}

/** Gaps over `minMs` between animation-frame callbacks on the main thread, with what kept the thread busy. */
export function frameGaps(events: TraceEvent[], thread: { pid: number; tid: number }, minMs: number): FrameGap[] {
  const mine = onThread(events, thread).filter((e) => e.ph !== 'M');
  const t0 = firstTs(mine);
  const frames = mine.filter((e) => e.name === 'FireAnimationFrame').map((e) => e.ts).sort((a, b) => a - b);
  const tasks = mine.filter((e) => e.name === 'RunTask' && e.dur !== undefined);
  const begins = events.filter((e) => e.pid === thread.pid && e.name === 'BeginFrame').map((e) => e.ts);
  const gaps: FrameGap[] = [];
  for (let i = 1; i < frames.length; i++) {
    const [from, to] = [frames[i - 1], frames[i]];
    if (ms(to - from) < minMs) continue;
    const within = tasks.filter((t) => t.ts < to && t.ts + (t.dur ?? 0) > from);
    const clipped = within.map((t) => Math.min(to, t.ts + (t.dur ?? 0)) - Math.max(from, t.ts));
    gaps.push({
      at: ms(from - t0), gapMs: ms(to - from), busyMs: ms(clipped.reduce((a, b) => a + b, 0)),
      longestTaskMs: ms(within.reduce((m, t) => Math.max(m, t.dur ?? 0), 0)),
      beginFrames: begins.filter((b) => b > from && b < to).length,
    });
  }
  return gaps;
}

/** The main thread's CPU samples (trace category `disabled-by-default-v8.cpu_profiler`) as (time, frame, ms). */
function cpuSamples(events: TraceEvent[], thread: { pid: number; tid: number }): Array<{ ts: number; frame: string; ms: number }> {
  const profile = events.find((e) => e.name === 'Profile' && e.pid === thread.pid && e.tid === thread.tid);
  if (!profile) return [];
  const chunks = events.filter((e) => e.name === 'ProfileChunk' && e.id === profile.id && e.pid === thread.pid);
  const frames = new Map<number, string>();
  const out: Array<{ ts: number; frame: string; ms: number }> = [];
  let ts = Number((profile.args?.data as { startTime?: number } | undefined)?.startTime ?? 0);
  for (const chunk of chunks) {
    const data = chunk.args?.data as { cpuProfile?: { nodes?: Array<{ id: number; callFrame: { functionName: string; url?: string; lineNumber?: number } }>; samples?: number[] }; timeDeltas?: number[] };
    for (const n of data.cpuProfile?.nodes ?? []) {
      const f = n.callFrame;
      frames.set(n.id, `${f.functionName || '(anonymous)'} ${(f.url ?? '').split('/').slice(-2).join('/').replace(/\?.*$/, '')}:${(f.lineNumber ?? 0) + 1}`);
    }
    (data.cpuProfile?.samples ?? []).forEach((node, i) => {
      ts += data.timeDeltas?.[i] ?? 0;
      out.push({ ts, frame: frames.get(node) ?? `node ${node}`, ms: 0 });
    });
  }
  for (let i = 0; i < out.length - 1; i++) out[i].ms = ms(out[i + 1].ts - out[i].ts);
  return out;
}

/** One line per task: `wall (cpu) at t: parts`. */
export function formatTasks(tasks: LongTask[]): string {
  if (!tasks.length) return '  (none)';
  return tasks.map((t) => `  ${t.tooling ? '[tooling] ' : ''}${t.wallMs.toFixed(1)} ms wall${t.cpuMs === undefined ? '' : `, ${t.cpuMs.toFixed(1)} ms CPU`} at ${(t.at / 1000).toFixed(2)} s\n` +
    t.parts.slice(0, 24).map((p) => `      ${p}`).join('\n')).join('\n');
}
