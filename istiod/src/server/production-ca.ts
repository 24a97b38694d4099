// The CA istiod runs with in production. Until istiod/src/ca is wired here this is a throwaway root (not
// persisted, no CreateCertificate service).
import type { KubeConfig } from '@kubernetes/client-node';
import type { LogRoot } from '@mesh/common/log';
import type { ProtoCodec } from '@mesh/common/proto';
import type { IstiodConfig } from '../config.ts';
import { ephemeralCa } from './ca-setup.ts';
import type { IstiodCa } from './ca-setup.ts';

export function productionCa(config: IstiodConfig, _kc: KubeConfig, log: LogRoot): (codec: ProtoCodec) => Promise<IstiodCa> {
  return async () => {
    log.scope('ca').warn('no CA component wired: using a throwaway root without the CreateCertificate service');
    return ephemeralCa(config.trustDomain);
  };
}
