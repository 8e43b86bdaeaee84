import type { Logger } from '../../src-ts/log/index.js';

/** A logger keeping what it was given, by level. */
export function recordingLogger(): Logger & { lines: Array<[string, Record<string, unknown>, string]> } {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push([level, { ...fields } as Record<string, unknown>, message]);
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
