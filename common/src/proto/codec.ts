import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import protobuf from 'protobufjs';
import { errorMessage } from '../errors.ts';
import { requireFromCommon } from '../package-dir.ts';
import { ProtoError } from './errors.ts';
import { descriptorSetFor, prebuiltRoot } from './descriptors.ts';
import { PROTO_FILES } from './files.ts';
import { pruneDefaults } from './prune-defaults.ts';
import { protoIncludeDirs } from './paths.ts';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/**
 * How decoded messages look: the same shape as the generated `*__Output` types in common/src/gen
 * (snake_case field names, enums as strings, 64-bit integers as strings, defaults filled, oneof names set).
 */
export const DECODE_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** `google.protobuf.Any` as our messages carry it. */
export interface AnyMessage {
  type_url: string;
  value: Buffer | Uint8Array;
}

export function typeUrlOf(typeName: string): string {
  return TYPE_URL_PREFIX + typeName;
}

/** The fully qualified message name in a type URL (the part after the last '/'). */
export function typeNameOf(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash < 0 ? typeUrl : typeUrl.slice(slash + 1);
}

/**
 * Encodes and decodes every message the mesh speaks, by fully qualified name or type URL.
 * Load it once per process (the composition root) and pass it down: loading parses a few hundred files.
 */
export class ProtoCodec {
  readonly root: protobuf.Root;

  private constructor(root: protobuf.Root) {
    this.root = root;
  }

  /**
   * Loads Istio's and Envoy's protos (common/src/proto/files.ts), or the given files: from a prebuilt descriptor
   * when one covers them (descriptors.ts; the codec then knows that set's other types too), else by parsing.
   */
  static load(files: readonly string[] = PROTO_FILES): ProtoCodec {
    const set = descriptorSetFor(files);
    const root = set === undefined ? undefined : prebuiltRoot(set);
    return root === undefined ? ProtoCodec.parse(files) : new ProtoCodec(root);
  }

  /** Parses the .proto files themselves (what `npm run gen` writes the prebuilt descriptors from). */
  static parse(files: readonly string[]): ProtoCodec {
    // protobufjs ships google/protobuf/descriptor.proto (which validate.proto imports) in its own folder.
    const dirs = [...protoIncludeDirs(), dirname(requireFromCommon().resolve('protobufjs/package.json'))];
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => {
      for (const dir of dirs) {
        const candidate = `${dir}/${target}`;
        if (protobufFileExists(candidate)) return candidate;
      }
      return target;
    };
    root.loadSync([...files], { keepCase: true });
    root.resolveAll();
    return new ProtoCodec(root);
  }

  /** The message type with this fully qualified name (no leading dot). */
  type(typeName: string): protobuf.Type {
    let found: protobuf.ReflectionObject | null = null;
    try {
      found = this.root.lookup(typeName);
    } catch {
      found = null;
    }
    if (!(found instanceof protobuf.Type)) {
      throw new ProtoError('ERR_PROTO_UNKNOWN_TYPE', `unknown message type ${JSON.stringify(typeName)}`);
    }
    return found;
  }

  /**
   * Encodes a plain object (input shape of the generated types) to canonical proto3 wire bytes: fields at their
   * default value are left off, as Go and Rust encoders do.
   */
  encode(typeName: string, value: object): Buffer {
    const type = this.type(typeName);
    try {
      const message = type.fromObject(pruneDefaults(type, value as Record<string, unknown>));
      return Buffer.from(type.encode(message).finish());
    } catch (err) {
      throw new ProtoError('ERR_PROTO_ENCODE', `cannot encode ${typeName}: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** Decodes wire bytes to a plain object shaped like the generated `__Output` type. */
  decode<T = Record<string, unknown>>(typeName: string, bytes: Uint8Array): T {
    const type = this.type(typeName);
    let message: protobuf.Message;
    try {
      message = type.decode(bytes);
    } catch (err) {
      throw new ProtoError('ERR_PROTO_DECODE', `cannot decode ${typeName}: ${errorMessage(err)}`, { cause: err });
    }
    return type.toObject(message, DECODE_OPTIONS) as T;
  }

  /** Wraps a message in an Any. */
  pack(typeName: string, value: object): AnyMessage {
    return { type_url: typeUrlOf(typeName), value: this.encode(typeName, value) };
  }

  /**
   * Unwraps an Any. With `expectedTypeName`, a different type URL is an error that names both
   * (an xDS response of the wrong type, for example).
   */
  unpack<T = Record<string, unknown>>(any: AnyMessage, expectedTypeName?: string): T {
    const typeName = typeNameOf(any.type_url);
    if (expectedTypeName !== undefined && typeName !== expectedTypeName) {
      throw new ProtoError(
        'ERR_PROTO_UNKNOWN_TYPE',
        `expected a ${typeUrlOf(expectedTypeName)}, got ${JSON.stringify(any.type_url)}`,
      );
    }
    return this.decode<T>(typeName, any.value);
  }
}

function protobufFileExists(path: string): boolean {
  // protobufjs resolves imports synchronously; this runs only while loading, at start-up.
  return existsSync(path);
}
