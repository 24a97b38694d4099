import { ApiError, badRequest, invalid, notFound } from './errors.ts';
import type { Reply } from './resource-handler.ts';
import type { KubeObject, ObjectStore } from './store.ts';
import { API_AUDIENCE } from './tokens.ts';
import type { BoundObject, TokenIssuer } from './tokens.ts';

const DEFAULT_EXPIRATION_S = 3600;
const MIN_EXPIRATION_S = 600;
const MAX_EXPIRATION_S = 2 ** 32;

/** Kinds a token can be bound to, and where they are stored. */
const BINDABLE: Record<string, { typeKey: string; namespaced: boolean }> = {
  Pod: { typeKey: '/pods', namespaced: true },
  Secret: { typeKey: '/secrets', namespaced: true },
  Node: { typeKey: '/nodes', namespaced: false },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The authenticated user a valid token stands for, as TokenReview reports it. */
export interface TokenUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: string[];
  readonly extra: Record<string, string[]>;
  readonly audiences: string[];
}

/**
 * `serviceaccounts/<name>/token` (TokenRequest) and `tokenreviews` (TokenReview): service-account JWTs bound to a
 * service account and optionally a pod, checked against what is stored now (a deleted pod's token stops working).
 */
export class TokenEndpoints {
  readonly #store: ObjectStore;
  readonly #issuer: TokenIssuer;

  constructor(store: ObjectStore, issuer: TokenIssuer) {
    this.#store = store;
    this.#issuer = issuer;
  }

  tokenRequest(namespace: string, saName: string, body: unknown): Reply {
    const sa = this.#store.get('/serviceaccounts', namespace, saName);
    if (!sa) throw notFound({ group: '', resource: 'serviceaccounts', name: saName });
    if (!isObject(body)) throw badRequest('the TokenRequest body must be a JSON object');
    const spec = body['spec'] ?? {};
    if (!isObject(spec)) throw badRequest('TokenRequest spec must be a JSON object');
    const audiences = spec['audiences'] ?? [];
    if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string')) {
      throw badRequest('TokenRequest spec.audiences must be a list of strings');
    }
    const exp = spec['expirationSeconds'] ?? DEFAULT_EXPIRATION_S;
    const subject = { group: 'authentication.k8s.io', resource: 'tokenrequests', name: saName, kind: 'TokenRequest' };
    if (typeof exp !== 'number' || !Number.isInteger(exp)) {
      throw invalid(subject, [{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${JSON.stringify(exp)}: must be an integer` }]);
    }
    if (exp < MIN_EXPIRATION_S || exp > MAX_EXPIRATION_S) {
      throw invalid(subject, [{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes or larger than 2^32 seconds` }]);
    }
    const bound = this.#bound(namespace, spec['boundObjectRef']);
    const auds = audiences.length > 0 ? (audiences as string[]) : [API_AUDIENCE];
    const { token, expiration } = this.#issuer.issue({
      namespace,
      serviceAccount: { name: saName, uid: sa.metadata.uid ?? '' },
      audiences: auds,
      expirationSeconds: exp,
      ...(bound ? { bound } : {}),
    });
    return {
      status: 201,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name: saName, namespace, creationTimestamp: null },
        spec: { ...spec, audiences: auds, expirationSeconds: exp, boundObjectRef: spec['boundObjectRef'] ?? null },
        status: { token, expirationTimestamp: expiration.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      },
    };
  }

  tokenReview(body: unknown): Reply {
    if (!isObject(body) || !isObject(body['spec'])) throw badRequest('the TokenReview body must be a JSON object with a spec');
    const spec = body['spec'];
    if (typeof spec['token'] !== 'string' || spec['token'] === '') throw badRequest('TokenReview spec.token must be a non-empty string');
    const wanted = Array.isArray(spec['audiences']) && spec['audiences'].length > 0 ? spec['audiences'].map(String) : [API_AUDIENCE];
    const result = this.authenticate(spec['token'], wanted);
    const status = typeof result === 'string'
      ? { user: {}, error: `[invalid bearer token, ${result}]` }
      : { authenticated: true, user: { username: result.username, uid: result.uid, groups: result.groups, extra: result.extra }, audiences: result.audiences };
    return { status: 201, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec, status } };
  }

  /** The user a token stands for when it is valid for one of `audiences`, else why it is not. */
  authenticate(token: string, audiences: readonly string[]): TokenUser | string {
    const v = this.#issuer.verify(token);
    if (!v.ok) return v.error;
    const c = v.claims;
    const common = c.aud.filter((a) => audiences.includes(a));
    if (common.length === 0) return `token audiences ${JSON.stringify(c.aud)} is invalid for the target audiences ${JSON.stringify(audiences)}`;
    const k = c['kubernetes.io'];
    const sa = this.#store.get('/serviceaccounts', k.namespace, k.serviceaccount.name);
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid) return `service account ${k.namespace}/${k.serviceaccount.name} has been deleted`;
    const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${c.jti}`] };
    for (const [kind, info] of Object.entries(BINDABLE)) {
      const ref = (k as unknown as Record<string, { name: string; uid: string } | undefined>)[kind.toLowerCase()];
      if (!ref) continue;
      const obj = this.#store.get(info.typeKey, info.namespaced ? k.namespace : undefined, ref.name);
      if (!obj || obj.metadata.uid !== ref.uid) return `${kind.toLowerCase()} ${ref.name} the token is bound to has been deleted`;
      const key = kind.toLowerCase();
      extra[`authentication.kubernetes.io/${key}-name`] = [ref.name];
      extra[`authentication.kubernetes.io/${key}-uid`] = [ref.uid];
    }
    return {
      username: c.sub,
      uid: k.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
      extra,
      audiences: common,
    };
  }

  #bound(namespace: string, ref: unknown): BoundObject | undefined {
    if (ref === undefined || ref === null) return undefined;
    if (!isObject(ref) || typeof ref['kind'] !== 'string' || typeof ref['name'] !== 'string') {
      throw badRequest('TokenRequest spec.boundObjectRef needs string kind and name');
    }
    const info = BINDABLE[ref['kind']];
    if (!info) throw badRequest(`TokenRequest spec.boundObjectRef.kind "${ref['kind']}" is not one of Pod, Secret, Node`);
    const obj: KubeObject | undefined = this.#store.get(info.typeKey, info.namespaced ? namespace : undefined, ref['name']);
    if (!obj) throw notFound({ group: '', resource: info.typeKey.slice(1), name: ref['name'] });
    const uid = obj.metadata.uid ?? '';
    if (typeof ref['uid'] === 'string' && ref['uid'] !== '' && ref['uid'] !== uid) {
      throw new ApiError(409, 'Conflict', `the UID in the bound object reference (${ref['uid']}) does not match the UID in record (${uid}); the object might have been deleted and then recreated`);
    }
    return { kind: ref['kind'], name: ref['name'], uid };
  }
}
