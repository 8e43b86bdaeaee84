/** Whether text has no lone surrogate: encodeURIComponent refuses one (URIError), an oracle apart from heddle's. */
export function hasUtf8Form(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
