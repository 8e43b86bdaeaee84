/**
 * Doc comments (`/** ... *\/`) are cleaned the way the Apache Thrift compiler cleans them
 * (`clean_up_doctext`), so a doc string in heddle's model equals the one `thrift --gen json`
 * prints, without the compiler's final newline.
 */

/** The cleaned text of a doc comment body (the text between `/**` and `*\/`), or undefined when
 * it is blank: a blank doc comment clears the pending doc, as it does in the compiler. */
export function cleanDocText(body: string): string | undefined {
  // The compiler keeps one trailing space where the closing `*/` was.
  const text = (body + ' ').replace(/\r/g, '');
  const lines = text.split('\n');
  // A last line of only whitespace is dropped.
  if (/^[ \t]*$/.test(lines[lines.length - 1]!)) lines.pop();
  if (lines.length === 0) return undefined;

  lines[0] = lines[0]!.replace(/^[ \t]+/, '');

  // When every non-blank line after the first starts with the same indentation and a star, the
  // star and what precedes it go.
  let havePrefix = true;
  let prefixLen = -1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const pos = firstNonBlank(line);
    if (prefixLen < 0) {
      if (pos < 0) lines[i] = '';
      else if (line[pos] === '*') prefixLen = pos;
      else {
        havePrefix = false;
        break;
      }
    } else if (pos === prefixLen && line[pos] === '*') {
      // Same prefix as the lines before.
    } else if (pos < 0) {
      lines[i] = '';
    } else {
      havePrefix = false;
      break;
    }
  }
  if (havePrefix) {
    const cut = prefixLen + 1;
    for (let i = 1; i < lines.length; i++) lines[i] = lines[i]!.slice(cut);
  }

  // Then the smallest indentation shared by the non-blank lines after the first.
  let indent = -1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const pos = firstNonBlank(line);
    if (pos >= 0 && (indent < 0 || pos < indent)) indent = pos;
  }
  if (indent > 0) for (let i = 1; i < lines.length; i++) lines[i] = lines[i]!.slice(indent);

  for (let i = 0; i < lines.length; i++) lines[i] = trimEndKeepingBlank(lines[i]!);
  if (lines[0] === '') lines.shift();
  // The compiler ends every line with '\n'; the model keeps the text without the final one.
  return lines.join('\n');
}

function firstNonBlank(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return i;
  }
  return -1;
}

/** The compiler strips trailing blanks only from lines that have something else on them. */
function trimEndKeepingBlank(line: string): string {
  return firstNonBlank(line) < 0 ? line : line.replace(/[ \t]+$/, '');
}
