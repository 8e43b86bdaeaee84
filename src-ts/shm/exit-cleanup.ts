/**
 * Closes shm resources still open when the process (or worker) exits through process.exit(),
 * which skips Node's environment cleanup: without this a v2 client would leave its /dev/shm files
 * and a server its socket file. Closing is synchronous, so it fits in the 'exit' event.
 */
const open = new Set<() => void>();
let installed = false;

function closeAll(): void {
  for (const close of [...open]) close();
  open.clear();
}

/** Calls `close` if the process exits first; the returned function cancels that. */
export function closeOnExit(close: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', closeAll);
  }
  open.add(close);
  return () => open.delete(close);
}
