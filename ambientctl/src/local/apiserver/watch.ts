import { ApiError, badRequest, statusBody } from './errors.ts';
import type { HttpResponse } from './http-types.ts';
import { apiVersionOf, typeKeyOf } from './registry.ts';
import { present } from './resource-handler.ts';
import type { ResourceRequest } from './resource-handler.ts';
import { selectorMatcher } from './selectors.ts';
import type { KubeObject, ObjectStore, StoreEvent } from './store.ts';
import { TooOldError } from './store.ts';

/** Timing of a watch stream. */
export interface WatchTiming {
  /** A bare newline this often keeps idle watches open (client-node aborts after 30 s without bytes). */
  readonly keepaliveMs: number;
  /** How often a BOOKMARK is sent to watches that asked for them. */
  readonly bookmarkMs: number;
}

/** Which event (if any) a watcher sees for a store event, given whether the old and new states match its filter. */
function translate(e: StoreEvent, matches: (o: KubeObject) => boolean): 'ADDED' | 'MODIFIED' | 'DELETED' | undefined {
  const now = e.type !== 'DELETED' && matches(e.object);
  const before = e.prev !== undefined && matches(e.prev);
  if (e.type === 'DELETED') return before ? 'DELETED' : undefined;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  return before ? 'DELETED' : undefined;
}

/**
 * Serves one watch: replays what the client missed since its resourceVersion (or the current objects as ADDED
 * when it gave none or "0"), then streams live changes as JSON lines. A version older than the kept history
 * gets an ERROR event carrying a 410 `Status`, then the stream ends. `format` turns objects into what the client
 * asked for (a Table for kubectl). Returns a function that ends the watch.
 */
export function serveWatch(
  req: ResourceRequest,
  res: HttpResponse,
  store: ObjectStore,
  timing: WatchTiming,
  format: (obj: KubeObject) => unknown = (obj) => obj,
): () => void {
  const match = selectorMatcher(req.query.get('labelSelector'), req.query.get('fieldSelector'));
  const inScope = (o: KubeObject): boolean => (req.namespace === undefined || o.metadata.namespace === req.namespace) && match(o);
  const rvText = req.query.get('resourceVersion') ?? '';
  if (rvText !== '' && !/^\d+$/.test(rvText)) throw badRequest(`invalid resourceVersion "${rvText}": must be a decimal number`);
  const timeoutText = req.query.get('timeoutSeconds');
  const timeoutSeconds = timeoutText ? Number(timeoutText) : 0;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw badRequest(`invalid timeoutSeconds "${timeoutText ?? ''}"`);
  const typeKey = typeKeyOf(req.type);

  // Decide what to replay before any byte is written, so a bad request still gets a plain error status.
  let backlog: { type: string; object: KubeObject }[] = [];
  let gone: ApiError | undefined;
  if (rvText === '' || rvText === '0') {
    backlog = store.list(typeKey, req.namespace).filter(inScope).map((object) => ({ type: 'ADDED', object }));
  } else {
    try {
      for (const e of store.eventsSince(typeKey, Number(rvText))) {
        const t = translate(e, inScope);
        if (t) backlog.push({ type: t, object: e.object });
      }
    } catch (err) {
      if (!(err instanceof TooOldError)) throw err;
      gone = new ApiError(410, 'Expired', `too old resource version: ${rvText} (${err.oldest})`);
    }
  }

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  // Headers go out now: client-node's informer start() waits for them.
  res.flushHeaders?.();
  const send = (type: string, object: unknown): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  if (gone) {
    send('ERROR', statusBody(gone).body);
    res.end();
    return () => undefined;
  }
  for (const b of backlog) send(b.type, format(present(req.type, b.object)));

  const unsubscribe = store.subscribe((e) => {
    if (e.typeKey !== typeKey) return;
    const t = translate(e, inScope);
    if (t) send(t, format(present(req.type, e.object)));
  });
  const timers: NodeJS.Timeout[] = [setInterval(() => res.write('\n'), timing.keepaliveMs)];
  if (req.query.get('allowWatchBookmarks') === 'true') {
    const bookmark = { kind: req.type.kind, apiVersion: apiVersionOf(req.type.group, req.type.version) };
    timers.push(setInterval(() => send('BOOKMARK', { ...bookmark, metadata: { resourceVersion: String(store.resourceVersion) } }), timing.bookmarkMs));
  }
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    for (const t of timers) clearInterval(t);
    if (!res.writableEnded) res.end();
  };
  if (timeoutSeconds > 0) timers.push(setTimeout(end, timeoutSeconds * 1000));
  res.on('close', end);
  res.on('error', end);
  return end;
}
