/** The slice of a pino logger the xDS plumbing uses; pass a child logger with scope `xds`. */
export interface XdsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Logs nothing: the default when no logger is given (tests, small tools). */
export const SILENT_LOGGER: XdsLogger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
});
