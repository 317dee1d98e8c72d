import { readFileSync } from 'node:fs';
/** One `clip-tts` sub-command. Each lives in its own file under src/cli/commands/. */
export interface Command {
  /** Name typed after `clip-tts`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text: usage line, arguments, options, an example. */
  help: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A user error (bad flag, missing file): printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * Minimal flag parser: `--name value`, `--name=value`, `-o value`, boolean `--flag`.
 * `booleans` lists flags that never take a value.
 */
export function parseArgs(argv: string[], booleans: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-') && a !== '-') {
      const body = a.replace(/^--?/, '');
      const eq = body.indexOf('=');
      if (eq >= 0) { flags.set(body.slice(0, eq), body.slice(eq + 1)); continue; }
      if (booleans.includes(body)) { flags.set(body, true); continue; }
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && isNaN(Number(next)))) flags.set(body, true);
      else { flags.set(body, next); i++; }
    } else positional.push(a);
  }
  return { positional, flags };
}

/** Reads a string flag (first of several aliases), or undefined. */
export function flagString(args: ParsedArgs, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = args.flags.get(n);
    if (v === true) throw new UsageError(`--${n} needs a value`);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Reads a numeric flag, with a clear error when it is not a number. */
export function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return x;
}

/** A numeric flag that must be a whole number >= 1 when given (steps, threads, sizes), or undefined. */
export function flagPositiveInt(args: ParsedArgs, name: string): number | undefined {
  const v = flagNumber(args, name);
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--${name} must be a positive integer, got ${v}`);
  return v;
}

/** Throws a UsageError naming every flag not in `known` (typos must not be ignored silently). */
export function rejectUnknownFlags(args: ParsedArgs, known: readonly string[]): void {
  const unknown = [...args.flags.keys()].filter((k) => !known.includes(k));
  if (unknown.length) throw new UsageError(`unknown option ${unknown.map((k) => (k.length === 1 ? `-${k}` : `--${k}`)).join(', ')}`);
}

/**
 * Resolves a `--config` value: a preset name, else a JSON file parsed by `parse`. A missing file,
 * bad JSON or a config error (thrown as `errorType`) becomes a UsageError naming the file.
 */
export function loadConfigArg<C>(spec: string, presets: { is(name: string): boolean; get(name: string): C; names: string }, parse: (json: unknown) => C, errorType: new (...a: never[]) => Error): C {
  if (presets.is(spec)) return presets.get(spec);
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch {
    throw new UsageError(`--config ${spec}: neither a preset (${presets.names}) nor a readable file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${spec} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parse(json);
  } catch (e) {
    if (e instanceof errorType) throw new UsageError(`--config ${spec}: ${e.message}`);
    throw e;
  }
}

/** A string flag that must be given: its value, or a UsageError "missing --NAME HINT". */
export function requireFlag(args: ParsedArgs, hint: string, ...names: string[]): string {
  const value = flagString(args, ...names);
  if (!value) throw new UsageError(`missing --${names[0]} ${hint}`);
  return value;
}
