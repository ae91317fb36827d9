/** Reading a GraphQL answer in parts (`multipart/mixed`, `@defer`) the way a client does. */

export type Json = Record<string, any>;

/** The parts of a `multipart/mixed` answer, one at a time as they arrive. */
export function multipartParts(response: Response): { next(): Promise<Json | undefined> } {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const complete = /\r\n\r\n(\{.*?\})\r\n---/s.exec(buffer);
        if (complete) {
          buffer = buffer.slice(complete.index + complete[0].length);
          return JSON.parse(complete[1]) as Json;
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

function deepMerge(target: Json, source: Json): void {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object')
      deepMerge(target[key], value);
    else target[key] = value;
  }
}

/**
 * Every part of the answer (a `multipart/mixed` one, or the one JSON answer), and the result
 * a client ends up with: each incremental part's data merged at its path, its errors added.
 */
export async function mergedAnswer(response: Response): Promise<{ parts: Json[]; result: Json }> {
  const parts: Json[] = [];
  if (response.headers.get('content-type')?.startsWith('multipart/mixed')) {
    const reader = multipartParts(response);
    for (let part = await reader.next(); part; part = await reader.next()) parts.push(part);
  } else parts.push((await response.json()) as Json);
  const result: Json = structuredClone(parts[0]);
  for (const part of parts.slice(1)) {
    for (const item of part.incremental ?? []) {
      let target = result.data;
      for (const key of item.path) target = target?.[key];
      if (target && item.data) deepMerge(target, item.data);
      if (item.errors) result.errors = [...(result.errors ?? []), ...item.errors];
    }
  }
  delete result.hasNext;
  return { parts, result };
}
