export { startApiServer, DEFAULT_PORT } from './api-server.ts';
export type { ApiServer, ApiServerOptions } from './api-server.ts';
export type { ResourceType, ResourceTypeInput } from './registry.ts';
export { ApiError } from './errors.ts';
export { API_AUDIENCE } from './tokens.ts';
