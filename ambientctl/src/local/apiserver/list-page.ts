import { ApiError, badRequest } from './errors.ts';
import type { KubeObject } from './store.ts';

/** One page of a list and where the next one starts. */
export interface ListPage {
  readonly items: KubeObject[];
  /** The version the whole paged list reports: that of its first page, so a watch from it misses nothing. */
  readonly resourceVersion: number;
  readonly continueToken: string | undefined;
  readonly remaining: number;
}

interface ContinueToken {
  readonly rv: number;
  /** The `namespace/name` of the last item sent. */
  readonly after: string;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function decodeToken(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof t.rv === 'number' && typeof t.after === 'string') return t;
  } catch {
    // handled below
  }
  throw badRequest(`invalid continue token "${token}": it was not issued by this server`);
}

/**
 * Applies `limit` and `continue` to a sorted list. Pages after the first come from the current objects, not a
 * snapshot; this differs from a real server only when objects change between pages.
 */
export function listPage(all: KubeObject[], query: URLSearchParams, currentRv: number): ListPage {
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit "${limitText ?? ''}": must be a non-negative integer`);
  const cont = query.get('continue');
  let rv = currentRv;
  let items = all;
  if (cont) {
    const t = decodeToken(cont);
    if (t.rv > currentRv) throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    rv = t.rv;
    items = all.filter((o) => keyOf(o) > t.after);
  }
  if (limit === 0 || items.length <= limit) return { items, resourceVersion: rv, continueToken: undefined, remaining: 0 };
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  const token = Buffer.from(JSON.stringify({ rv, after: last ? keyOf(last) : '' })).toString('base64url');
  return { items: page, resourceVersion: rv, continueToken: token, remaining: items.length - limit };
}
