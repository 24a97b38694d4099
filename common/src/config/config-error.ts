import { MeshError } from '../errors.ts';

/**
 * A setting could not be parsed or is out of range. The message names the variable and the bad value, so a
 * process that refuses to start tells the operator exactly what to fix.
 */
export class ConfigError extends MeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG_INVALID', message, options);
  }
}
