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

/**
 * `{"preset": NAME, "kind"?: KIND, ...overrides}` → a deep copy of the preset with the overrides
 * laid over it (validation is the caller's). The preset defaults to `defaultPreset`.
 */
export function presetWithOverrides<C>(json: unknown, o: { kind: string; presets: Readonly<Record<string, C>>; defaultPreset: string; makeError: (message: string) => Error }): C {
  if (!isRecord(json)) throw o.makeError('config must be a JSON object');
  const presetName = json.preset ?? o.defaultPreset;
  if (typeof presetName !== 'string' || !Object.hasOwn(o.presets, presetName)) throw o.makeError(`unknown preset ${JSON.stringify(presetName)} (${Object.keys(o.presets).join(' | ')})`);
  const cfg = structuredClone(o.presets[presetName]!);
  const { preset: _preset, kind, ...rest } = json;
  if (kind !== undefined && kind !== o.kind) throw o.makeError(`config kind is ${JSON.stringify(kind)}, expected "${o.kind}"`);
  overlayConfig(cfg as unknown as Record<string, unknown>, rest, o.makeError);
  return cfg;
}
