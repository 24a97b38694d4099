import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** The audience and issuer of tokens for the API server itself (what a pod's default projected token carries). */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

/** The object a token is bound to (a pod, for workload tokens). */
export interface BoundObject {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** What a service-account token says, in Kubernetes' claim layout. */
export interface ServiceAccountClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string[];
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number;
  readonly jti: string;
  readonly 'kubernetes.io': {
    readonly namespace: string;
    readonly serviceaccount: { readonly name: string; readonly uid: string };
    readonly pod?: { readonly name: string; readonly uid: string };
    readonly secret?: { readonly name: string; readonly uid: string };
    readonly node?: { readonly name: string; readonly uid: string };
  };
}

export interface IssueInput {
  readonly namespace: string;
  readonly serviceAccount: { readonly name: string; readonly uid: string };
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  readonly bound?: BoundObject;
  readonly now?: Date;
}

/** A verification result: the claims, or why the token was refused. */
export type VerifyResult = { readonly ok: true; readonly claims: ServiceAccountClaims } | { readonly ok: false; readonly error: string };

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Issues and checks service-account JWTs (ES256, signed with node:crypto). The key is passed in as PEM so a
 * restarted server (same data directory) keeps accepting the tokens it issued.
 */
export class TokenIssuer {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #kid: string;
  readonly #issuer: string;

  constructor(privateKeyPem: string, issuer: string = API_AUDIENCE) {
    this.#privateKey = createPrivateKey(privateKeyPem);
    this.#publicKey = createPublicKey(this.#privateKey);
    const spki = this.#publicKey.export({ type: 'spki', format: 'der' });
    this.#kid = createHash('sha256').update(spki).digest('base64url');
    this.#issuer = issuer;
  }

  /** A new P-256 key in PKCS#8 PEM, for a server that has none yet. */
  static generateKeyPem(): string {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** The public key as a JWK set, as served at /openid/v1/jwks. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [{ ...this.#publicKey.export({ format: 'jwk' }), kid: this.#kid, alg: 'ES256', use: 'sig' }] };
  }

  get issuer(): string {
    return this.#issuer;
  }

  issue(input: IssueInput): { token: string; expiration: Date; claims: ServiceAccountClaims } {
    const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
    const exp = iat + input.expirationSeconds;
    const k8s: ServiceAccountClaims['kubernetes.io'] = {
      namespace: input.namespace,
      serviceaccount: { ...input.serviceAccount },
      ...(input.bound ? { [input.bound.kind.toLowerCase()]: { name: input.bound.name, uid: input.bound.uid } } : {}),
    };
    const claims: ServiceAccountClaims = {
      iss: this.#issuer,
      sub: `system:serviceaccount:${input.namespace}:${input.serviceAccount.name}`,
      aud: [...input.audiences],
      exp,
      iat,
      nbf: iat,
      jti: randomUUID(),
      'kubernetes.io': k8s,
    };
    const signingInput = `${b64url(JSON.stringify({ alg: 'ES256', kid: this.#kid }))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(signingInput), { key: this.#privateKey, dsaEncoding: 'ieee-p1363' });
    return { token: `${signingInput}.${b64url(sig)}`, expiration: new Date(exp * 1000), claims };
  }

  /** Checks format, algorithm, signature, issuer and validity period. Audiences are the caller's business. */
  verify(token: string, now: Date = new Date()): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, error: 'token is not a JWT (expected three dot-separated parts)' };
    const [h = '', p = '', s = ''] = parts;
    let header: { alg?: unknown; kid?: unknown };
    let claims: ServiceAccountClaims;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as ServiceAccountClaims;
    } catch {
      return { ok: false, error: 'token header or payload is not base64url JSON' };
    }
    if (header.alg !== 'ES256') return { ok: false, error: `unexpected signing algorithm ${JSON.stringify(header.alg)}` };
    const good = verify('sha256', Buffer.from(`${h}.${p}`), { key: this.#publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    if (!good) return { ok: false, error: 'token signature is invalid' };
    if (claims.iss !== this.#issuer) return { ok: false, error: `token issuer ${JSON.stringify(claims.iss)} is not ${this.#issuer}` };
    const t = Math.floor(now.getTime() / 1000);
    if (typeof claims.exp !== 'number' || t >= claims.exp) return { ok: false, error: 'token has expired' };
    if (typeof claims.nbf === 'number' && t < claims.nbf) return { ok: false, error: 'token is not valid yet' };
    if (!Array.isArray(claims.aud) || typeof claims['kubernetes.io']?.serviceaccount?.name !== 'string') {
      return { ok: false, error: 'token lacks the service account claims' };
    }
    return { ok: true, claims };
  }
}
