export { ConfigError } from './config-error.ts';
export {
  envString,
  envInt,
  envBool,
  envDuration,
  envAddress,
  envList,
  parseDuration,
  parseAddress,
  formatAddress,
} from './env.ts';
export type { Env, Address, IntBounds } from './env.ts';
export { buildConfig, setting } from './build-config.ts';
export type { Setting, ConfigSpec, ConfigEntry, BuiltConfig } from './build-config.ts';
