/** What the isolated load page exposes to the Node-side test as `window.load`. */

/** One round's outcome: wall time, per-call latencies, and what was wrong (empty when all is right). */
export interface RoundResult {
  seconds: number;
  latencies: number[];
  problems: string[];
  /** Long tasks the page's own observer saw during the calls (ms). */
  longTasks: number[];
}

/** `performance.measureUserAgentSpecificMemory()` split by where the bytes live. */
export interface MemorySplit {
  /** The page's window. */
  page: number;
  /** The library's model worker. */
  worker: number;
  /** onnxruntime's WASM thread workers (`em-pthread`). */
  threads: number;
  /** Bytes attributed to no one context (shared). */
  other: number;
  total: number;
}

export interface LoadApi {
  crossOriginIsolated: boolean;
  /** Make `count` texts from the demo corpus's passages in turn, each made unique by its number. */
  setup(count: number): Promise<void>;
  /** `callers` concurrent callers each take the next `perCall` texts until none are left; round 1 is the reference for the rest. */
  round(callers: number, perCall: number): Promise<RoundResult>;
  /** Flush the cache, then measure memory (after a page GC; the measurement collects every context). */
  memory(raw?: boolean): Promise<MemorySplit>;
  /** Recompute `indices` apart, on a client without a cache, in one call; return the largest difference from round 1. */
  checkApart(indices: number[]): Promise<number>;
}

declare global {
  interface Window {
    load: LoadApi;
  }
}
