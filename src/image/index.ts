/**
 * image/: the main-thread side of image inputs: turn `{ image }` values into sources cheap to hand to the
 * worker, key them by content digest, and split mixed inputs between the text and image towers.
 * May import: the root's `errors`, `page-yield`, `request-plan`, `engine-protocol` and `worker-rpc` (types); `cache/image-key`.
 */

export { computeMixed, inputKeys, resolveImages } from './image-route.js';
export type { ImageInput, RawImageInput } from './image-route.js';
