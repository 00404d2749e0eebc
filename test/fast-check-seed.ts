/**
 * Every fast-check property runs from one fixed seed, so `npm test` is deterministic: the same
 * cases every run. `FC_SEED=<n>` replays a seed a failure printed; `FC_SEED=random` explores.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed ? Number(seed) : 20261124 });
