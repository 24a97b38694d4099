// CNI error objects (CNI spec "Error"): well-known codes 1-99, ours from 100.
import { MeshError } from '@mesh/common/errors';

/** Well-known CNI error codes the plugin uses. */
export const CniCode = Object.freeze({
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  InvalidEnv: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidConfig: 7,
  TryAgainLater: 11,
  /** Ours: the node agent refused the pod. */
  AgentRefused: 100,
});

/** An error the plugin reports as a CNI error object. */
export class CniError extends MeshError<'ERR_CNI'> {
  readonly cniCode: number;
  readonly details: string;

  constructor(cniCode: number, msg: string, details = '') {
    super('ERR_CNI', msg);
    this.cniCode = cniCode;
    this.details = details;
  }

  /** The JSON object printed on stdout. */
  toCni(cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
    return { cniVersion, code: this.cniCode, msg: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}
