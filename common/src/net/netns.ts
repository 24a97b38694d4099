// Network namespace handles: fds opened on /proc/<pid>/ns/net or /var/run/netns/<name>, or received over ZDS.
import { native } from './native.ts';
import { checkFd, checkString } from './validate.ts';

/** Opens a netns file read-only (O_CLOEXEC) and returns its fd. Throws ENOENT/EACCES... naming the path. */
export function openNetns(path: string): number {
  return native().openNetns(checkString('openNetns', 'path', path));
}

/** True when `fd` refers to a network namespace (ioctl NS_GET_NSTYPE == CLONE_NEWNET). */
export function isNetns(fd: number): boolean {
  return native().isNetns(checkFd('isNetns', 'fd', fd));
}

/** Closes an fd owned by the caller (netns handles, received fds that were not adopted). */
export function closeFd(fd: number): void {
  native().closeFd(checkFd('closeFd', 'fd', fd));
}
