// `using` (explicit resource management): compiled under lib esnext by
// tests/node/types.test.mjs, as the README's memory section shows it.
import { WeightedSelector } from 'replica-router';

export function firstPicks(): number[] {
  using selector = new WeightedSelector([3, 2], 42);
  return Array.from(selector.pickMany(4)); // freed when the block ends
}
