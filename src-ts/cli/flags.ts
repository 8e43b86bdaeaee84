/**
 * Command-line flags for heddle's subcommands: `--name value`, `--name=value`, short aliases, and
 * flags that may repeat. Unknown flags and missing values are usage errors (exit status 2).
 */

/** One flag a command accepts. */
export interface FlagSpec {
  /** Long name without dashes (`idl`). */
  name: string;
  /** One-letter alias without the dash (`I`). */
  short?: string;
  /** Takes no value. */
  boolean?: boolean;
  /** May be given more than once; values collect in order. */
  repeat?: boolean;
}

/** What {@link parseFlags} found: positional arguments and flag values by long name. */
export interface ParsedFlags {
  positional: string[];
  values: Map<string, string[]>;
}

/** A usage error: the command prints it with its usage line and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Splits `args` into positional arguments and flags of `specs`. `--` ends the flags; a lone `-` is positional. */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = arg.slice(long ? 2 : 1);
    const eq = long ? body.indexOf('=') : -1;
    const key = eq >= 0 ? body.slice(0, eq) : long ? body : body[0]!;
    const spec = specs.find((s) => (long ? s.name === key : s.short === key));
    if (spec === undefined) throw new UsageError(`unknown flag ${long ? `--${key}` : `-${key}`}`);
    let value: string;
    if (spec.boolean) {
      if (eq >= 0 || (!long && body.length > 1)) throw new UsageError(`flag --${spec.name} takes no value`);
      value = 'true';
    } else if (eq >= 0) {
      value = body.slice(eq + 1);
    } else if (!long && body.length > 1) {
      value = body.slice(1); // -Idir, as protoc and gcc take it
    } else {
      if (i + 1 >= args.length) throw new UsageError(`flag --${spec.name} needs a value`);
      value = args[++i]!;
    }
    const list = values.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeat) throw new UsageError(`flag --${spec.name} given twice`);
    list.push(value);
    values.set(spec.name, list);
  }
  return { positional, values };
}

/** The one value of flag `name`, or undefined. */
export function flagValue(flags: ParsedFlags, name: string): string | undefined {
  return flags.values.get(name)?.[0];
}

/** `k=v` (or `k: v` with `separator` ':') pairs of a repeatable flag as a record. */
export function flagPairs(flags: ParsedFlags, name: string, separator: '=' | ':'): Record<string, string> | undefined {
  const list = flags.values.get(name);
  if (list === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf(separator);
    if (at <= 0) throw new UsageError(`--${name} expects ${separator === '=' ? 'key=value' : "'key: value'"}, got '${item}'`);
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return out;
}

/** One of `allowed`, or a usage error naming them. */
export function flagChoice<T extends string>(flags: ParsedFlags, name: string, allowed: readonly T[], fallback: T): T {
  const value = flagValue(flags, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}
