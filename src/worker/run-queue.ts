/** A FIFO queue that runs one task at a time. */

/**
 * Serialize work on one ONNX session: onnxruntime-web rejects overlapping `run` calls on a
 * session ("Session already started"), and FIFO order keeps concurrent callers fair.
 */
export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `task` after every task queued before it; its result or error goes to the caller alone. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
