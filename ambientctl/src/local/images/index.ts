export { resolveImage, isEchoImage, imageRepository, echoPortsSpec, ECHO_IMAGE, ECHO_MAIN } from './catalogue.ts';
export type { ResolvedImage } from './catalogue.ts';
export { ImageError } from './image-error.ts';
export type { ImageErrorCode } from './image-error.ts';
