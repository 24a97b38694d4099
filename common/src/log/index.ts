export { createLogger, LogRoot } from './logger.ts';
export type { Logger, LogFormat, LoggerOptions, LevelSnapshot } from './logger.ts';
export { LOG_LEVELS, DEFAULT_SCOPE, parseLogLevel, parseLevelSpec, formatLevelSpec } from './log-level.ts';
export type { LogLevel, LevelSpec } from './log-level.ts';
export { LogError } from './log-error.ts';
export { formatTextLine, textDestination } from './text-format.ts';
export { AccessLog, createAccessLog, accessFields, ACCESS_SCOPE } from './access-log.ts';
export type { AccessPeer, AccessDestination, ConnectionOpened, ConnectionComplete } from './access-log.ts';
