/**
 * Yields `fn(item)` for each item in order while keeping up to `depth` calls in flight ahead of the consumer.
 * Assembly reads hundreds of small tile-part objects in a fixed order; on S3 each read costs a round trip, so
 * reading ahead hides the latency while memory stays bounded by `depth` results.
 */
export async function* prefetchInOrder<T, R>(items: readonly T[], depth: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const launch = () => {
    const p = fn(items[next++]);
    // Marked handled now; the rejection still reaches the consumer when it awaits this promise in turn.
    p.catch(() => undefined);
    pending.push(p);
  };
  while (next < items.length && pending.length < depth) launch();
  while (pending.length > 0) {
    const result = await pending.shift()!;
    if (next < items.length) launch();
    yield result;
  }
}
