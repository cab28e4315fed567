// Detector names → constructors, and restore from a toJSON snapshot.
import type { StateValue } from './state.js';
import { Cusum } from './cusum.js';
import { Ewma } from './ewma.js';
import { WindowedGaussian } from './gaussian.js';
import { RobustZ } from './robustz.js';
import { Seasonal } from './seasonal.js';
import { Ensemble } from './ensemble.js';
import { IForestUni } from './iforest.js';
import { ParamError, type Detector, type DetectorState, type Params } from './types.js';

type Ctor = (p: Params) => Detector;

const REGISTRY = new Map<string, Ctor>([
  ['gaussian', (p) => new WindowedGaussian(p)],
  ['robust_z', (p) => new RobustZ(p)],
  ['ewma', (p) => new Ewma(p)],
  ['seasonal', (p) => new Seasonal(p)],
  ['cusum', (p) => new Cusum(p)],
]);

export function registerDetector(name: string, ctor: Ctor): void {
  REGISTRY.set(name, ctor);
}

export function detectorNames(): string[] {
  return [...REGISTRY.keys()];
}

/** Creates a detector by name; throws ParamError naming an unknown detector or bad parameter. */
export function createDetector(name: string, params: Params = {}): Detector {
  const c = REGISTRY.get(name);
  if (!c) throw new ParamError(`unknown detector ${JSON.stringify(name)} (known: ${detectorNames().join(', ')})`);
  return c(params);
}

export function restoreDetector(snap: DetectorState): Detector {
  if (!snap || typeof snap.detector !== 'string') throw new Error('detector state: missing detector name');
  const d = createDetector(snap.detector, snap.params ?? {});
  d.load(snap.state as StateValue);
  return d;
}
registerDetector('ensemble', (p) => new Ensemble(p));
registerDetector('iforest', (p) => new IForestUni(p));
