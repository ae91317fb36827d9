/**
 * How connectors name the failing field of a drifted vendor response in errors and logs:
 * `data.3.lines.data.0.id` → `data[3].lines.data[0].id`. Only the path, never a value.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out || '(root)';
}
