/** Helpers for configs that are plain JSON data: presets overlaid with user overrides. */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Recursively overlays `patch` on `base` in place. Unknown keys and type mismatches are errors
 * (typos must not pass silently); `makeError` builds the caller's own error type.
 */
export function overlayConfig(base: Record<string, unknown>, patch: Record<string, unknown>, makeError: (message: string) => Error, path = ''): void {
  for (const [k, v] of Object.entries(patch)) {
    const here = path ? `${path}.${k}` : k;
    if (!(k in base)) throw makeError(`unknown config field "${here}"`);
    const cur = base[k];
    if (isRecord(cur)) {
      if (!isRecord(v)) throw makeError(`config field "${here}" must be an object`);
      overlayConfig(cur, v, makeError, here);
    } else {
      if (typeof v !== typeof cur || Array.isArray(v) !== Array.isArray(cur)) throw makeError(`config field "${here}" must be ${Array.isArray(cur) ? 'an array' : `a ${typeof cur}`}, got ${JSON.stringify(v)}`);
      base[k] = v;
    }
  }
}
