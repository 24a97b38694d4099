// Request controls of the HTTP port, in the spirit of Istio's echo app: the answer's status and a delay.

/** What a request asks the echo app to do besides echoing. */
export interface Controls {
  readonly status: number;
  readonly delayMs: number;
}

/** Longest delay a request may ask for, so a typo cannot park a connection for hours. */
export const MAX_DELAY_MS = 60_000;

/** A result or the reason the request's controls are invalid (answered with 400). */
export type ControlsResult = { readonly ok: true; readonly controls: Controls } | { readonly ok: false; readonly error: string };

function parseDelay(text: string): number | undefined {
  const m = /^(\d+)(ms|s)?$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  return ms <= MAX_DELAY_MS ? ms : undefined;
}

/**
 * Reads `?status=<100-599>`, `?delay=<ms>|<n>ms|<n>s` and the path form `/delay/<ms>` from a request URL
 * (path and query, as in the request line).
 */
export function parseControls(url: string): ControlsResult {
  const parsed = new URL(url, 'http://echo.invalid');
  let status = 200;
  let delayMs = 0;
  const statusText = parsed.searchParams.get('status');
  if (statusText !== null) {
    status = Number(statusText);
    if (!/^\d{3}$/.test(statusText) || status < 100 || status > 599) {
      return { ok: false, error: `status=${statusText}: expected an HTTP status code 100-599` };
    }
  }
  const pathDelay = /^\/delay\/([^/]+)\/?$/.exec(parsed.pathname)?.[1];
  const delayText = parsed.searchParams.get('delay') ?? pathDelay;
  if (delayText !== undefined && delayText !== null) {
    const ms = parseDelay(delayText);
    if (ms === undefined) return { ok: false, error: `delay ${delayText}: expected milliseconds (or <n>ms, <n>s) up to ${MAX_DELAY_MS}` };
    delayMs = ms;
  }
  return { ok: true, controls: { status, delayMs } };
}
