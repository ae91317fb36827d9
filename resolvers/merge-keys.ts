/**
 * The two ways a subschema's `merge` config keys a merged type, shared by the three systems.
 * Each key is what the `_`-prefixed entry point takes; stitching collects the keys of one
 * level and calls the entry point once with all of them.
 */

/** The `{ id, email }` key of a type another system owns and this one extends, linked by email. */
export interface IdEmailKey {
  id: string;
  email: string | null;
}

/** A type this subschema owns: the entry point takes the ids and answers in their order. */
export const byId = (fieldName: string) => ({
  selectionSet: '{ id }',
  fieldName,
  key: ({ id }: { id: string }) => id,
  argsFromKeys: (ids: readonly string[]) => ({ ids }),
});

/** An extended type whose email is the link key: the entry point takes `{ id, email }` keys (email null when unset). */
export const byIdAndEmail = (fieldName: string) => ({
  selectionSet: '{ id email }',
  fieldName,
  key: ({ id, email }: { id: string; email?: string | null }): IdEmailKey => ({ id, email: email ?? null }),
  argsFromKeys: (keys: readonly IdEmailKey[]) => ({ keys }),
});
