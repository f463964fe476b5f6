/**
 * Runs `task` for every index in 0..count-1 with at most `limit` in flight, and resolves with the results in index
 * order. The first failure rejects the whole batch (no new tasks start after it): a bench number from a batch that
 * partly failed would mean nothing.
 */
export async function mapBounded<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive whole number, not ${limit}`);
  const results = new Array<T>(count);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        results[index] = await task(index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}
