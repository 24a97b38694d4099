// Checks on options before they reach the addon, so a mistake names the option and the function.
import { NetError, NetErrorCode } from './errors.ts';

function bad(fn: string, message: string): NetError {
  return new NetError(NetErrorCode.BadOption, `${fn}: ${message}`);
}

/** An integer in [min, max]. */
export function checkInt(fn: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(fn, `${name} must be an integer between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

/** An optional integer in [min, max]. */
export function checkOptInt(fn: string, name: string, value: unknown, min: number, max: number): number | undefined {
  return value === undefined ? undefined : checkInt(fn, name, value, min, max);
}

/** A file descriptor number. */
export function checkFd(fn: string, name: string, value: unknown): number {
  return checkInt(fn, name, value, 0, 0x7fffffff);
}

/** A TCP port; `allowZero` for listeners (0 = pick one). */
export function checkPort(fn: string, name: string, value: unknown, allowZero: boolean): number {
  return checkInt(fn, name, value, allowZero ? 0 : 1, 65535);
}

/** A non-empty string. */
export function checkString(fn: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw bad(fn, `${name} must be a non-empty string`);
  return value;
}

/** A 32-bit fwmark. */
export function checkMark(fn: string, value: unknown): number {
  return checkInt(fn, 'mark', value, 0, 0xffffffff);
}
