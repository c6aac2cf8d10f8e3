// The key walk's heap policy. A walk allocates ~2 KB per key that dies young,
// and V8 lets the main thread's old generation grow up to 4x its live size
// (~14 MB) between full GCs when it thinks the machine can afford it: a 1M-key
// pull's peak RSS was 169-202 MiB, higher the less loaded the machine.
// Growing by at most 50% kept it at 156-166 MiB for ~0.1 s more CPU
// (bench/README.md, "Redis 1M-key pull: memory and CPU"). V8 reads this flag at
// every full GC, so it applies from here on, to the whole process.
import { setFlagsFromString } from 'node:v8';

const HEAP_GROWING_PERCENT = 50;
let bounded = false;

export function boundHeapGrowth(): void {
  if (bounded) return;
  bounded = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
