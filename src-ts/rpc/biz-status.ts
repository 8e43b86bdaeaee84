import { ErrorCode, HeddleError } from '../errors.js';

/**
 * Kitex's business status errors (kerrors.BizStatusError): a handler answers with a code, a
 * message and optional string pairs; the server puts them in the reply's TTHeader as `biz-status`
 * (decimal), `biz-message` and `biz-extra` (a JSON object of strings) over an empty reply body,
 * and the client turns them back into an error (cloudwego/kitex pkg/transmeta/ttheader.go).
 */
export const BizStatusKey = {
  STATUS: 'biz-status',
  MESSAGE: 'biz-message',
  EXTRA: 'biz-extra',
} as const;

/** A business status: what a handler throws with {@link bizStatusError} and a client receives. */
export interface BizStatus {
  /** Non-zero int32. */
  code: number;
  message: string;
  extra?: Record<string, string>;
}

/** A HeddleError with code ERR_BIZ_STATUS and the status in `bizStatus`. */
export type BizStatusError = HeddleError & { readonly bizStatus: BizStatus };

/**
 * The error a handler throws to answer with a business status, and that a client call rejects
 * with when the server answered with one. `code` must be a non-zero int32 (zero means "no status"
 * on the wire).
 */
export function bizStatusError(code: number, message: string, extra?: Record<string, string>): BizStatusError {
  if (!Number.isInteger(code) || code === 0 || (code | 0) !== code) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `biz status code must be a non-zero int32, got ${code}`);
  }
  if (typeof message !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'biz status message must be a string');
  if (extra !== undefined) {
    for (const [key, value] of Object.entries(extra)) {
      if (typeof value !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `biz status extra '${key}' must be a string`);
    }
  }
  const status: BizStatus = extra === undefined || Object.keys(extra).length === 0 ? { code, message } : { code, message, extra: { ...extra } };
  const error = new HeddleError(ErrorCode.ERR_BIZ_STATUS, `biz status ${code}${message === '' ? '' : `: ${message}`}`);
  Object.defineProperty(error, 'bizStatus', { value: status, enumerable: true });
  return error as BizStatusError;
}

/** True for an error made by {@link bizStatusError}. */
export function isBizStatusError(error: unknown): error is BizStatusError {
  return error instanceof HeddleError && error.code === ErrorCode.ERR_BIZ_STATUS && (error as Partial<BizStatusError>).bizStatus !== undefined;
}

/** Writes `status` into a reply header's string info, as a Kitex server does. */
export function writeBizStatus(strInfo: Map<string, string>, status: BizStatus): void {
  strInfo.set(BizStatusKey.STATUS, String(status.code));
  strInfo.set(BizStatusKey.MESSAGE, status.message);
  if (status.extra !== undefined) strInfo.set(BizStatusKey.EXTRA, JSON.stringify(status.extra));
}

/**
 * The business status a reply header carries, or undefined when it has none (absent, not an
 * int32, or zero, as Kitex reads it). A `biz-extra` that is not a JSON object of strings is
 * ERR_BAD_VALUE, as Kitex refuses it ("malformed header info").
 */
export function readBizStatus(strInfo: ReadonlyMap<string, string>): BizStatus | undefined {
  const text = strInfo.get(BizStatusKey.STATUS);
  if (text === undefined || !/^[+-]?\d{1,10}$/.test(text)) return undefined;
  const code = Number(text);
  if (code === 0 || (code | 0) !== code) return undefined;
  const message = strInfo.get(BizStatusKey.MESSAGE) ?? '';
  const extraText = strInfo.get(BizStatusKey.EXTRA);
  if (extraText === undefined || extraText === '') return { code, message };
  let extra: unknown;
  try {
    extra = JSON.parse(extraText);
  } catch (cause) {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `malformed biz-extra in the reply header: ${extraText.slice(0, 64)}`, { cause });
  }
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra) || Object.values(extra).some((v) => typeof v !== 'string')) {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `biz-extra in the reply header is not a JSON object of strings: ${extraText.slice(0, 64)}`);
  }
  return { code, message, extra: extra as Record<string, string> };
}
