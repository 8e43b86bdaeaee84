/**
 * protoc's ToJsonName: drop each underscore and upper-case the character after it
 * (`foo_bar` → `fooBar`, `_x` → `X`). Also the JavaScript property name of a field unless
 * `keepCase` is set.
 */
export function jsonName(fieldName: string): string {
  let result = '';
  let capitalizeNext = false;
  for (const ch of fieldName) {
    if (ch === '_') capitalizeNext = true;
    else if (capitalizeNext) {
      result += ch.toUpperCase();
      capitalizeNext = false;
    } else result += ch;
  }
  return result;
}
