// Prebuilt descriptors: the file sets of DESCRIPTOR_SETS as protobufjs JSON, written by `npm run gen` from the
// .proto files. Reading one instead of parsing the .proto text (Envoy's core types, validate, descriptor.proto)
// keeps the parser out of a process and its garbage out of the heap: measured in a ztunnel, 3.2 instead of
// 8.4 MB of RSS to load Istio's protos and ADS. descriptors.test.ts fails when a file is out of date.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { commonPackageDir } from '../package-dir.ts';
import { DESCRIPTOR_SETS } from './files.ts';

/** Where the prebuilt descriptor of a set lives. */
export function descriptorPath(setName: string): string {
  return join(commonPackageDir(), 'src', 'gen', 'descriptors', `${setName}.json`);
}

/** The smallest prebuilt set with every one of these files, or undefined when none has them all. */
export function descriptorSetFor(files: readonly string[]): string | undefined {
  return DESCRIPTOR_SETS.find((set) => files.every((f) => set.files.includes(f)))?.name;
}

const roots = new Map<string, protobuf.Root>();

/**
 * The resolved root of a prebuilt set, read once per process (roots are only read after loading), or
 * undefined when its file is missing.
 */
export function prebuiltRoot(setName: string): protobuf.Root | undefined {
  const cached = roots.get(setName);
  if (cached !== undefined) return cached;
  let json: protobuf.INamespace;
  try {
    json = JSON.parse(readFileSync(descriptorPath(setName), 'utf8')) as protobuf.INamespace;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const root = protobuf.Root.fromJSON(json);
  root.resolveAll();
  roots.set(setName, root);
  return root;
}
