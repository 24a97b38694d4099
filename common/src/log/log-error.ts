import { MeshError } from '../errors.ts';

/** A log level or a `scope:level` list could not be parsed (`ERR_LOG_INVALID_LEVEL`). */
export class LogError extends MeshError {
  constructor(message: string) {
    super('ERR_LOG_INVALID_LEVEL', message);
  }
}
