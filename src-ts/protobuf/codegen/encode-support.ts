import { CodecFault } from './codec-fault.js';
import { badValue, describe } from './wire-write.js';

/** Less frequent encoding checks called by generated encoders. */

/** The fault for a closed (proto2) enum field given a number its enum does not define. */
export function badEnum(value: unknown, enumName: string): CodecFault {
  return badValue(`${describe(value)} is not a value of enum ${enumName}`);
}

/** The fault for a oneof with more than one member set. */
export function oneofConflict(oneof: string): CodecFault {
  return badValue(`more than one member of oneof "${oneof}" is set`);
}

/** The fault for a proto2 required field that is not set; the encoder adds the field path. */
export function missingRequiredOnEncode(): CodecFault {
  return new CodecFault('ERR_REQUIRED_FIELD', 'required field not set');
}

/** Arrays and TypedArrays are accepted for repeated fields. */
export function isList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}
