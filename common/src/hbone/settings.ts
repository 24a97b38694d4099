import type { Settings } from 'node:http2';

/**
 * HTTP/2 tuning for HBONE, after ztunnel's defaults. Node's 64 KiB default windows cut bulk throughput by a
 * third, so streams get 4 MiB and the connection 16 MiB (4x, so one slow stream cannot stall the others).
 */
export const HBONE_STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
export const HBONE_CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;
export const HBONE_MAX_FRAME_BYTES = 1024 * 1024;
export const HBONE_CLIENT_MAX_STREAMS = 100;
export const HBONE_SERVER_MAX_STREAMS = 200;
export const HBONE_KEEPALIVE_INTERVAL_MS = 10_000;
export const HBONE_KEEPALIVE_TIMEOUT_MS = 20_000;
export const HBONE_POOL_IDLE_MS = 5 * 60_000;

export const HBONE_CLIENT_SETTINGS: Settings = {
  enablePush: false,
  initialWindowSize: HBONE_STREAM_WINDOW_BYTES,
  maxFrameSize: HBONE_MAX_FRAME_BYTES,
  maxHeaderListSize: 16 * 1024,
};

export const HBONE_SERVER_SETTINGS: Settings = {
  enablePush: false,
  initialWindowSize: HBONE_STREAM_WINDOW_BYTES,
  maxFrameSize: HBONE_MAX_FRAME_BYTES,
  maxConcurrentStreams: HBONE_SERVER_MAX_STREAMS,
  maxHeaderListSize: 64 * 1024,
};
