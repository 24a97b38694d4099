// Reads the manifests `apply -f` names: files, directories (recursively, .yaml/.yml/.json), or `-` for stdin;
// multi-document YAML; `*List` kinds expand to their items. Every object or problem carries where it came from
// (`file: document N[, item M]`), so errors can name it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One object to apply, or why a document could not give one. */
export type Manifest =
  | { readonly source: string; readonly object: KubeManifest }
  | { readonly source: string; readonly error: string };

/** What apply needs from an object; everything else is passed through. */
export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The files under `dir` with a manifest extension, sorted, recursing into subdirectories. */
function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...manifestFiles(path));
    else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the fields apply relies on; returns the problem, or undefined. */
function problemOf(v: unknown): string | undefined {
  if (!isRecord(v)) return `expected an object (a mapping), got ${Array.isArray(v) ? 'a list' : typeof v}`;
  if (typeof v['apiVersion'] !== 'string' || v['apiVersion'] === '') return 'apiVersion is missing';
  if (typeof v['kind'] !== 'string' || v['kind'] === '') return 'kind is missing';
  const meta = v['metadata'];
  if (!isRecord(meta)) return `${v['kind']}: metadata is missing`;
  if (typeof meta['name'] !== 'string' || meta['name'] === '') {
    return meta['generateName'] ? `${v['kind']}: generateName cannot be used with apply; set metadata.name` : `${v['kind']}: metadata.name is missing`;
  }
  if (meta['namespace'] !== undefined && typeof meta['namespace'] !== 'string') return `${v['kind']}/${meta['name']}: metadata.namespace must be a string`;
  return undefined;
}

function fromValue(value: unknown, source: string): Manifest[] {
  if (isRecord(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items'])) {
    return value['items'].flatMap((item, j) => fromValue(item, `${source}, item ${j + 1}`));
  }
  const problem = problemOf(value);
  return problem === undefined ? [{ source, object: value as KubeManifest }] : [{ source, error: problem }];
}

/** Parses one YAML/JSON text; `name` is the file name used in messages. */
export function parseManifests(text: string, name: string): Manifest[] {
  const out: Manifest[] = [];
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    const source = `${name}: document ${i + 1}`;
    const first = doc.errors[0];
    if (first) {
      out.push({ source, error: `invalid YAML: ${(first.message.split('\n')[0] ?? '').replace(/:$/, '')}` });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    out.push(...fromValue(value, source));
  });
  return out;
}

/** Reads every manifest from `paths` (`-` = `stdin`'s text). A path that cannot be read is one error entry. */
export function loadManifests(paths: readonly string[], stdin: () => string): Manifest[] {
  const out: Manifest[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push(...parseManifests(stdin(), '<stdin>'));
      continue;
    }
    let files: string[];
    try {
      files = statSync(path).isDirectory() ? manifestFiles(path) : [path];
    } catch (err) {
      out.push({ source: path, error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    if (files.length === 0) out.push({ source: path, error: 'no .yaml, .yml or .json files in this directory' });
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        out.push({ source: file, error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        continue;
      }
      out.push(...parseManifests(text, file));
    }
  }
  return out;
}

/** Kinds other objects may need to exist first. */
const FIRST_KINDS = ['Namespace', 'CustomResourceDefinition'];

/** A stable reordering: Namespaces, then CustomResourceDefinitions, then everything else in the given order. */
export function applyOrder<T extends Manifest>(manifests: readonly T[]): T[] {
  const rank = (m: T): number => {
    if (!('object' in m)) return FIRST_KINDS.length;
    const i = FIRST_KINDS.indexOf(m.object.kind);
    return i < 0 ? FIRST_KINDS.length : i;
  };
  return manifests.map((m, i) => ({ m, i, r: rank(m) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.m);
}
