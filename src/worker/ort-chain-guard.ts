/**
 * Keep one failed session from failing every later one.
 *
 * transformers.js 4.3.1 (web build) serializes all session creations and all runs of a realm through two
 * module-level promise chains, `webInitChain = webInitChain.then(load)` and `webInferenceChain =
 * webInferenceChain.then(run)`, and never clears a rejected link. After one rejected creation or run,
 * every later one in the worker rejects with that same error without running (seen here: after a WebGPU
 * run failed on a lost device, a WASM session's run failed with the WebGPU error). A WebGPU failure would
 * take its WASM fallback down with it.
 *
 * So onnxruntime's `create` and each session's `run` are made to resolve even when they fail, and the
 * failure is thrown again just after the chain: a failed run resolves to outputs whose first read
 * (transformers.js reads them at once) throws the original error; a failed creation resolves to a stub
 * session that `throwIfFailed` turns back into the original error once loading is over.
 *
 * `create` is patched on the session class transformers.js itself uses, reached through the first session
 * that loads: importing onnxruntime-web here may give another copy of it (vite's dev prebundling does). So
 * a creation that fails before any session ever loaded in the worker is not covered.
 */

const FAILED = Symbol('inpage-embeddings:failed-session');
const GUARDED = Symbol('inpage-embeddings:guarded');

interface SessionLike {
  run(...args: unknown[]): Promise<unknown>;
  [GUARDED]?: true;
  [FAILED]?: unknown;
}

/** Outputs that resolve the chain, then throw `err` on first read (a thenable check is not a read). */
function failedOutputs(err: unknown): object {
  const fail = () => { throw err; };
  return new Proxy({}, {
    get: (_, prop) => (prop === 'then' ? undefined : fail()),
    has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail,
  });
}

/** A stand-in for a session that failed to load: what transformers.js touches before returning the model. */
function failedSession(err: unknown): object {
  return {
    [FAILED]: err, inputNames: [], outputNames: [], inputMetadata: [], outputMetadata: [],
    run: () => Promise.resolve(failedOutputs(err)), release: () => Promise.resolve(), config: {},
  };
}

type SessionClass = { create: (...args: unknown[]) => Promise<unknown>; [GUARDED]?: true };

/**
 * Make each of `model`'s sessions resolve its runs even when they fail, and their class's `create`
 * resolve even when it fails.
 */
export function guardSessions(model: unknown): void {
  const sessions = (model as { sessions?: Record<string, SessionLike> }).sessions ?? {};
  for (const session of Object.values(sessions)) {
    const cls = Object.getPrototypeOf(session)?.constructor as SessionClass | undefined;
    if (cls && typeof cls.create === 'function' && !cls[GUARDED]) {
      const create = cls.create.bind(cls);
      cls.create = (...args: unknown[]) => create(...args).catch((err: unknown) => failedSession(err));
      cls[GUARDED] = true;
    }
    if (session[GUARDED]) continue;
    const run = session.run.bind(session);
    session.run = (...args: unknown[]) => run(...args).catch((err: unknown) => failedOutputs(err));
    session[GUARDED] = true;
  }
}

/** Throw the original error if one of `model`'s sessions failed to load (after releasing the others). */
export async function throwIfFailed(model: unknown): Promise<void> {
  const sessions = Object.values((model as { sessions?: Record<string, SessionLike> }).sessions ?? {});
  const failed = sessions.find((s) => FAILED in s);
  if (!failed) return;
  await (model as { dispose?: () => Promise<unknown> }).dispose?.().catch(() => undefined);
  throw failed[FAILED];
}
