// The consumer's own worker module: a bare import of the engine, which must survive tree-shaking.
import 'inpage-embeddings/worker';
