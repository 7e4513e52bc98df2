/** The module Worker's entry: serves one Engine to the main thread. */

import { exposeEngine } from '../worker-rpc.js';
import { Engine } from './engine.js';

exposeEngine(new Engine());
