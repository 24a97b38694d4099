import { IstiodCaError, IstiodCaErrorCode } from './ca-errors.ts';

/** A service account allowed to ask for certificates of pods on its node (ztunnel's). */
export interface NodeAccount {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Parses CA_TRUSTED_NODE_ACCOUNTS entries (`istio-system/ztunnel`). */
export function parseTrustedNodeAccounts(entries: readonly string[]): NodeAccount[] {
  return entries.map((entry) => {
    const [namespace, serviceAccount, ...rest] = entry.trim().split('/');
    if (!namespace || !serviceAccount || rest.length > 0) {
      throw new IstiodCaError(
        IstiodCaErrorCode.BAD_TRUSTED_ACCOUNT,
        `trusted node account "${entry}" is not of the form <namespace>/<service account>`,
      );
    }
    return { namespace, serviceAccount };
  });
}
