/**
 * lodash's camelCase for ASCII method names, which proto-loader applies to give `originalName`:
 * the name split into words (a capital run before a capitalised word is a word of its own, digits
 * are words), the first lower-cased, the others capitalised. `GetHTTPThing` → `getHttpThing`.
 */
const WORDS = /[A-Z]?[a-z]+(?=[A-Z]|[^A-Za-z]|$)|[A-Z]+(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+/g;

export function methodOriginalName(name: string): string {
  const words = name.match(WORDS) ?? [];
  return words
    .map((word, i) => (i === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1).toLowerCase()))
    .join('');
}
