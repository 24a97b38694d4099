// The mesh root, kept in Secret `istio-ca-secret` in istiod's namespace with Istio's self-signed CA layout
// (`ca-cert.pem`, `ca-key.pem`), so every istiod replica and every restart signs with the same root.
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { errorMessage } from '@mesh/common/errors';
import { CertificateAuthority, type CaPolicy } from '@mesh/common/ca';
import { IstiodCaError, IstiodCaErrorCode } from './ca-errors.ts';

export const CA_SECRET_NAME = 'istio-ca-secret';
export const CA_CERT_KEY = 'ca-cert.pem';
export const CA_KEY_KEY = 'ca-key.pem';
const CERT_CHAIN_KEY = 'cert-chain.pem';
const ROOT_CERT_KEY = 'root-cert.pem';
/** Istio's type for this Secret. */
const SECRET_TYPE = 'istio.io/ca-root';

export interface RootSecretOptions extends CaPolicy {
  readonly namespace: string;
  readonly trustDomain: string;
}

/** Where the root came from, for the startup log. */
export type RootOrigin = 'loaded' | 'created' | 'loaded-after-conflict';

/**
 * Loads the CA from the Secret, or generates a root and stores it when there is none. When another replica
 * creates it first (409 Conflict), the stored one wins and is loaded.
 */
export async function loadOrCreateRoot(
  core: CoreV1Api,
  options: RootSecretOptions,
): Promise<{ ca: CertificateAuthority; origin: RootOrigin }> {
  const { namespace } = options;
  const policy = caPolicy(options);
  const existing = await readSecret(core, namespace);
  if (existing) return { ca: await caFromSecret(existing, policy), origin: 'loaded' };
  const ca = await CertificateAuthority.generate({ ...policy, trustDomain: options.trustDomain });
  try {
    await core.createNamespacedSecret({ namespace, body: secretFor(ca, namespace) });
    return { ca, origin: 'created' };
  } catch (err) {
    if (statusOf(err) !== 409) throw secretError(`cannot create Secret ${namespace}/${CA_SECRET_NAME}`, err);
  }
  const stored = await readSecret(core, namespace);
  if (!stored) throw secretError(`Secret ${namespace}/${CA_SECRET_NAME} conflicted on create but cannot be read`);
  return { ca: await caFromSecret(stored, policy), origin: 'loaded-after-conflict' };
}

/** The Secret that stores `ca`. */
export function secretFor(ca: CertificateAuthority, namespace: string): V1Secret {
  const m = ca.material;
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: SECRET_TYPE,
    metadata: { name: CA_SECRET_NAME, namespace },
    data: {
      [CA_CERT_KEY]: b64(m.certPem),
      [CA_KEY_KEY]: b64(m.keyPem),
      [CERT_CHAIN_KEY]: b64(m.chainPem),
      [ROOT_CERT_KEY]: b64(m.chainPem === '' ? '' : ca.rootCertPem),
    },
  };
}

/** The CA stored in `secret`; a clear error when keys are missing or the material does not fit together. */
export async function caFromSecret(secret: V1Secret, policy: CaPolicy): Promise<CertificateAuthority> {
  const where = `Secret ${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? CA_SECRET_NAME}`;
  const read = (key: string): string => {
    const value = secret.data?.[key];
    if (!value) throw secretError(`${where} has no "${key}"`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  const chain = secret.data?.[CERT_CHAIN_KEY];
  try {
    return await CertificateAuthority.load({
      ...policy,
      certPem: read(CA_CERT_KEY),
      keyPem: read(CA_KEY_KEY),
      ...(chain ? { chainPem: Buffer.from(chain, 'base64').toString('utf8') } : {}),
    });
  } catch (err) {
    if (err instanceof IstiodCaError) throw err;
    throw secretError(`${where} holds unusable CA material: ${errorMessage(err)}`, err);
  }
}

async function readSecret(core: CoreV1Api, namespace: string): Promise<V1Secret | undefined> {
  try {
    return await core.readNamespacedSecret({ namespace, name: CA_SECRET_NAME });
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw secretError(`cannot read Secret ${namespace}/${CA_SECRET_NAME}`, err);
  }
}

function caPolicy(options: CaPolicy): CaPolicy {
  const { defaultTtlSeconds, maxTtlSeconds, backdateSeconds, now } = options;
  return {
    ...(defaultTtlSeconds !== undefined ? { defaultTtlSeconds } : {}),
    ...(maxTtlSeconds !== undefined ? { maxTtlSeconds } : {}),
    ...(backdateSeconds !== undefined ? { backdateSeconds } : {}),
    ...(now !== undefined ? { now } : {}),
  };
}

export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function secretError(message: string, cause?: unknown): IstiodCaError {
  const detail = cause === undefined ? '' : `: ${errorMessage(cause)}`;
  return new IstiodCaError(IstiodCaErrorCode.ROOT_SECRET, message + detail, cause === undefined ? undefined : { cause });
}
