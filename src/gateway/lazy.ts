/**
 * A record whose values are built on first access and then kept: per-request loaders and
 * connectors cost nothing for a system the request never reads.
 */
export function lazyRecord<K extends string, V>(keys: readonly K[], build: (key: K) => V): Record<K, V> {
  const record = {} as Record<K, V>;
  for (const key of keys) {
    let built: { value: V } | undefined;
    Object.defineProperty(record, key, {
      enumerable: true,
      get: () => (built ??= { value: build(key) }).value,
    });
  }
  return record;
}
