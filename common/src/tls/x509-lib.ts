// The one place that loads @peculiar/x509. Its dependency injection container needs the Reflect metadata
// polyfill loaded first, so the import order below matters. We never install a global crypto provider:
// every call into the library passes `webcrypto` explicitly, so importing this module changes no global
// crypto state.
import 'reflect-metadata';
import { webcrypto as nodeWebcrypto } from 'node:crypto';
import type { webcrypto as WebCryptoTypes } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** Node's WebCrypto implementation, passed to every library call that signs, verifies or hashes. */
export const webcrypto: WebCryptoTypes.Crypto = nodeWebcrypto;

/** WebCrypto types, which Node's type definitions keep under `crypto.webcrypto` rather than as globals. */
export type CryptoKey = WebCryptoTypes.CryptoKey;
export type Algorithm = WebCryptoTypes.Algorithm;

export { x509 };
