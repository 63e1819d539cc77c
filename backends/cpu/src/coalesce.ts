/**
 * Coalescing for the CPU arena: merges every free block (size-class free lists and earlier
 * spans) into maximal adjacent spans, and gives a span that ends at the top back to the top.
 * Pure bookkeeping on offsets; it never touches the memory itself.
 */

/**
 * Empty `pools` and merge their blocks with `spans` into sorted, non-adjacent spans.
 * Returns the spans and the new top (lowered when the last span reached the old top).
 */
export function coalesceFree(pools: Map<number, number[]>, spans: readonly (readonly [number, number])[], top: number): { spans: [number, number][]; top: number } {
  const blocks: [number, number][] = spans.map(([o, n]) => [o, n]);
  for (const [cap, list] of pools) for (const o of list) blocks.push([o, cap]);
  pools.clear();
  blocks.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const b of blocks) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last[0] + last[1] === b[0]) last[1] += b[1];
    else merged.push(b);
  }
  const last = merged[merged.length - 1];
  if (last !== undefined && last[0] + last[1] === top) {
    merged.pop();
    return { spans: merged, top: last[0] };
  }
  return { spans: merged, top };
}
