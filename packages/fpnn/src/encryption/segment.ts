/**
 * Package mode seals a batch, and opens the packages of a read, a segment at a time: one ECB update() per round
 * (sealing) or per segment (opening) amortises the native call long before these limits, and they bound the scratch
 * every sealer and opener keeps for its connection.
 */
export const maxSegmentFrames = 4096;
/** Ciphertext blocks one opening segment gathers for its keystream. */
export const maxSegmentFeedbackBytes = 64 * 1024;

/** The size scratch grows to when it must hold `needed`: doubling from `minimum`, so batches settle on one size. */
export function grownCapacity(current: number, needed: number, minimum: number): number {
  let capacity = Math.max(current, minimum);
  while (capacity < needed) capacity *= 2;
  return capacity;
}
