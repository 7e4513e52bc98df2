/**
 * Which main-thread tasks the library caused. A Chrome trace gives the page's main-thread tasks, and the
 * page's own sampling profiler (main thread only) gives the stacks inside them, on the same clock. A
 * sample is the library's when any frame of its stack is the library's code (`isLibrary(url)`): its own
 * functions, what they call, and its continuations after an await. A task's library time is the sampled
 * time of its library samples; its library CPU time is the task's thread CPU time in that share. On a
 * machine shared with other work a task's wall time stretches with the load; its CPU time does not.
 */

import type { CDPSession } from 'playwright';

interface TraceEvent { name: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; args?: { name?: string } }
interface ProfileNode { id: number; parent?: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; samples?: number[]; timeDeltas?: number[] }

/** One main-thread task over the threshold, with the library's share and its heaviest library frames. */
export interface AttributedTask {
  /** Wall time. */
  ms: number;
  /** The main thread's CPU time in the task (the trace's thread clock): what other processes' load does not stretch. */
  cpuMs: number;
  /** Wall time of the samples inside the task whose stack holds library code, and of all its samples. */
  libraryMs: number;
  sampledMs: number;
  /** The task's CPU time in the library's share of its samples. */
  libraryCpuMs: number;
  topLibraryFrames: string[];
}

/** A trace and a main-thread profile, started together on `cdp` (a page session); `stop` returns what they saw. */
export async function startMainThreadTrace(cdp: CDPSession): Promise<{ stop(): Promise<{ events: TraceEvent[]; profile: CpuProfile }> }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => { events.push(...(e.value as unknown as TraceEvent[])); });
  await cdp.send('Profiler.enable');
  // 1 ms: fine enough for a 50 ms threshold, light enough not to stretch the run much.
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel'] } });
  await cdp.send('Profiler.start');
  return {
    async stop() {
      const { profile } = await cdp.send('Profiler.stop');
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await done;
      return { events, profile: profile as unknown as CpuProfile };
    },
  };
}

/** Every renderer main-thread task of at least `minMs`, with the library's sampled time inside it. */
export function attributeTasks(events: TraceEvent[], profile: CpuProfile, minMs: number, isLibrary: (url: string) => boolean): AttributedTask[] {
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = events.filter((e) => /(^|::)RunTask$/.test(e.name) && mains.has(`${e.pid}:${e.tid}`) && (e.dur ?? 0) >= minMs * 1000);
  const samples = stackSamples(profile, isLibrary);
  return tasks.map((t) => {
    const end = t.ts + (t.dur ?? 0);
    let libraryMs = 0, sampledMs = 0;
    const frames = new Map<string, number>();
    for (const s of samples) {
      // A sample stands for the time until the next one: only the part inside the task counts.
      const ms = (Math.min(s.ts + s.ms * 1000, end) - Math.max(s.ts, t.ts)) / 1000;
      if (ms <= 0) continue;
      sampledMs += ms;
      if (!s.library) continue;
      libraryMs += ms;
      frames.set(s.frame, (frames.get(s.frame) ?? 0) + ms);
    }
    const topLibraryFrames = [...frames].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([f, ms]) => `${ms.toFixed(1)} ms ${f}`);
    const cpuMs = (t.tdur ?? t.dur ?? 0) / 1000;
    const libraryCpuMs = sampledMs > 0 ? cpuMs * (libraryMs / sampledMs) : 0;
    return { ms: (t.dur ?? 0) / 1000, cpuMs, libraryMs, sampledMs, libraryCpuMs, topLibraryFrames };
  }).sort((a, b) => b.libraryCpuMs - a.libraryCpuMs);
}

/** The profile's samples: time, ms until the next sample, its self frame, and whether its stack holds library code. */
function stackSamples(profile: CpuProfile, isLibrary: (url: string) => boolean) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const libraryStack = new Map<number, boolean>();
  const inLibrary = (id: number): boolean => {
    const known = libraryStack.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    const result = !!node && (isLibrary(node.callFrame.url) || (up !== undefined && inLibrary(up)));
    libraryStack.set(id, result);
    return result;
  };
  const frameOf = (id: number) => {
    const f = byId.get(id)?.callFrame;
    return f ? `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : `node ${id}`;
  };
  const deltas = profile.timeDeltas ?? [];
  let ts = profile.startTime;
  return (profile.samples ?? []).map((id, i) => {
    ts += deltas[i] ?? 0;
    return { ts, ms: (deltas[i + 1] ?? 0) / 1000, frame: frameOf(id), library: inLibrary(id) };
  });
}
