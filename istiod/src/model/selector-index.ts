import { selects } from './labels.ts';

/**
 * Items with label selectors (Services, ServiceEntries), found by the labels of a workload without testing
 * every item: each selector is filed under one of its `key=value` pairs, and a lookup only tests the items
 * filed under the workload's own pairs. Empty selectors select nothing (as for Services).
 */
export class SelectorIndex<T> {
  private readonly byPair = new Map<string, { selector: Readonly<Record<string, string>>; item: T }[]>();

  add(selector: Readonly<Record<string, string>>, item: T): void {
    const keys = Object.keys(selector);
    if (keys.length === 0) return;
    const first = keys[0] as string;
    const pair = `${first}=${selector[first]}`;
    let list = this.byPair.get(pair);
    if (!list) this.byPair.set(pair, (list = []));
    list.push({ selector, item });
  }

  /** Every item whose selector matches `labels`, each once, in insertion order per pair. */
  matching(labels: Readonly<Record<string, string>> | undefined): T[] {
    if (!labels) return [];
    const out: T[] = [];
    for (const key in labels) {
      const list = this.byPair.get(`${key}=${labels[key]}`);
      if (!list) continue;
      for (const entry of list) if (selects(entry.selector, labels)) out.push(entry.item);
    }
    return out;
  }
}
