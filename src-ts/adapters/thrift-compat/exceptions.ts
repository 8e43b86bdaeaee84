/**
 * The `thrift` package's exception classes as its generated code and its callers see them:
 * `Thrift.TException` (the base of every IDL exception) and `Thrift.TApplicationException` (what a
 * server answers for a failure its IDL does not declare), with the same type numbers.
 */
import { ApplicationExceptionType } from '../../thrift/application-exception.js';

/** The base of IDL exceptions, as `thrift`'s `Thrift.TException`: an Error with `name` and `message`. */
export class TException extends Error {
  constructor(message?: string) {
    super(message ?? '');
    this.name = 'TException';
  }

  /** The message, as the package's TException reports it. */
  getMessage(): string {
    return this.message;
  }
}

/** `Thrift.TApplicationExceptionType`: UNKNOWN 0 … UNSUPPORTED_CLIENT_TYPE 10. */
export const TApplicationExceptionType = Object.freeze({
  UNKNOWN: ApplicationExceptionType.UNKNOWN,
  UNKNOWN_METHOD: ApplicationExceptionType.UNKNOWN_METHOD,
  INVALID_MESSAGE_TYPE: ApplicationExceptionType.INVALID_MESSAGE_TYPE,
  WRONG_METHOD_NAME: ApplicationExceptionType.WRONG_METHOD_NAME,
  BAD_SEQUENCE_ID: ApplicationExceptionType.BAD_SEQUENCE_ID,
  MISSING_RESULT: ApplicationExceptionType.MISSING_RESULT,
  INTERNAL_ERROR: ApplicationExceptionType.INTERNAL_ERROR,
  PROTOCOL_ERROR: ApplicationExceptionType.PROTOCOL_ERROR,
  INVALID_TRANSFORM: ApplicationExceptionType.INVALID_TRANSFORM,
  INVALID_PROTOCOL: ApplicationExceptionType.INVALID_PROTOCOL,
  UNSUPPORTED_CLIENT_TYPE: ApplicationExceptionType.UNSUPPORTED_CLIENT_TYPE,
});

/** `Thrift.TApplicationException`: `type` (a TApplicationExceptionType) and `message`. */
export class TApplicationException extends TException {
  readonly type: number;

  constructor(type: number = TApplicationExceptionType.UNKNOWN, message?: string) {
    super(message);
    this.name = 'TApplicationException';
    this.type = type;
  }
}
