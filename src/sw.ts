/** `inpage-embeddings/sw`, the service-worker entry: the route lives in `serve/sw-route.ts` (it imports only types). */
export * from './serve/sw-route.js';
