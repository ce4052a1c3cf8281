/**
 * Splits a whole number into whole parts proportional to weights (Hamilton's largest-remainder
 * method): each part gets floor(total·wᵢ/Σw), then the leftover units go one each to the largest
 * fractional remainders, ties to the lower index. Parts always sum to `total`, and each part is
 * within 1 of its exact quota.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError('total must be a non-negative integer');
  const sum = weights.reduce((s, w) => {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError('weights must be finite and non-negative');
    return s + w;
  }, 0);
  if (total > 0 && !(sum > 0)) throw new RangeError('at least one weight must be positive');
  if (total === 0) return weights.map(() => 0);
  const quotas = weights.map((w) => (total * w) / sum);
  const parts = quotas.map(Math.floor);
  let leftover = total - parts.reduce((s, p) => s + p, 0);
  const byRemainder = quotas
    .map((q, i) => ({ i, remainder: q - Math.floor(q) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder) {
    if (leftover <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    leftover--;
  }
  return parts;
}
