export { AdminServer, ADMIN_SCOPE } from './admin-server.ts';
export type { AdminServerInputs, RegisterOptions } from './admin-server.ts';
export { textResponse, jsonResponse } from './admin-handler.ts';
export type { AdminHandler, AdminRequest, AdminResponse } from './admin-handler.ts';
export { ConfigDump } from './config-dump.ts';
export type { ConfigDumpProvider } from './config-dump.ts';
export { readinessHandler, metricsHandler, configDumpHandler, loggingHandler, quitHandler } from './builtin-handlers.ts';
export { AdminError } from './admin-error.ts';
