import { badFrame, type ResolvedLimits } from './limits.js';

/**
 * Checks a declared length prefix the moment it is readable, before anything is buffered for it:
 * zero (unless `allowZero`), negative as an i32, over `max`, or over the reader's frame limit all
 * throw `ERR_BAD_FRAME` at `offset`.
 */
export function checkDeclaredLength(
  length: number,
  offset: number,
  limits: ResolvedLimits,
  what: string,
  options: { allowZero?: boolean; max?: number } = {},
): void {
  if (length === 0 && options.allowZero !== true) throw badFrame(`${what} is zero`, offset);
  if (length >= 0x80000000) throw badFrame(`${what} is negative (${length | 0})`, offset);
  if (options.max !== undefined && length > options.max) throw badFrame(`${what} ${length} exceeds the protocol maximum ${options.max}`, offset);
  if (length > limits.maxFrameSize) throw badFrame(`${what} ${length} exceeds the ${limits.maxFrameSize}-byte frame limit`, offset);
}
