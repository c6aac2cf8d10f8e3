// The reference fleet's seed and scale: defaults and limits, without the
// generator (fleet.ts re-exports them), so the command line can show and check
// them before loading anything else.

export const DEFAULT_SEED = 1;
/** Small enough to build in a few seconds. */
export const DEFAULT_SCALE = 0.02;
export const MAX_SCALE = 100;
/** The longest demo series: a year of weekly snapshots. */
export const MAX_WEEKS = 52;

export function validateScale(scale: number): string | null {
  if (!Number.isFinite(scale) || scale <= 0) return 'must be a number above 0';
  if (scale > MAX_SCALE) return `must be at most ${MAX_SCALE}`;
  return null;
}

export function validateSeed(seed: number): string | null {
  return Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff ? null : 'must be a whole number from 0 to 4294967295';
}
