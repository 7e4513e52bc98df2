/** What an answer to a bad request must look like: its status, and OpenAI's `{ error: { message, type, param, code } }`. */

/** The expectation a fuzz case carries. */
export interface ExpectedError {
  status: number;
  param: string | null;
}

/** Return what is wrong with (`status`, `body`) as the answer to `expected`, or undefined when it is right. */
export function errorShapeProblem(status: number, body: unknown, expected: ExpectedError): string | undefined {
  if (status !== expected.status) return `status ${status}, expected ${expected.status}`;
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return `no error object: ${JSON.stringify(body)?.slice(0, 100)}`;
  const keys = Object.keys(error).sort().join(',');
  if (keys !== 'code,message,param,type') return `error keys ${keys}`;
  if (typeof error.message !== 'string' || error.message.length < 10) return `message ${JSON.stringify(error.message)}`;
  if (typeof error.type !== 'string' || !error.type) return `type ${JSON.stringify(error.type)}`;
  if (error.code !== null && typeof error.code !== 'string') return `code ${JSON.stringify(error.code)}`;
  if (error.param !== expected.param) return `param ${JSON.stringify(error.param)}, expected ${JSON.stringify(expected.param)} (${error.message.slice(0, 120)})`;
  return undefined;
}
