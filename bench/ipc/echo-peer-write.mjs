// Writing to a shm stream from the ping-pong benchmark and its echo peer. With many large payloads
// in flight the pool runs out and chunks go as FallbackData; once the FallbackData waiting for the
// peer reaches its bound, write() throws ERR_SIZE_LIMIT and leaves the stream usable: try again
// shortly, in order (what an application does; the RPC layer does the same for its frames).
const waiting = new WeakMap();  // stream -> bytes refused so far, oldest first

export function writeWhenAccepted(stream, bytes) {
  const queue = waiting.get(stream);
  // A copy when it has to wait: the caller may reuse `bytes` (a chunk's views are released).
  if (queue !== undefined) queue.push(Buffer.from(bytes));
  else if (!tryWrite(stream, bytes)) {
    waiting.set(stream, [Buffer.from(bytes)]);
    setTimeout(() => retry(stream), 1);
  }
}

function tryWrite(stream, bytes) {
  try {
    stream.write(bytes);
    return true;
  } catch (error) {
    if (error?.code !== 'ERR_SIZE_LIMIT') throw error;
    return false;
  }
}

function retry(stream) {
  const queue = waiting.get(stream);
  while (queue.length > 0 && !stream.closed) {
    if (!tryWrite(stream, queue[0])) {
      setTimeout(() => retry(stream), 1);
      return;
    }
    queue.shift();
  }
  waiting.delete(stream);
}

/** Echoes a received chunk with one copy into fresh slices (the views gathered by allocate()),
 * waiting like writeWhenAccepted when refused. The caller releases the chunk afterwards. */
export function writeChunk(stream, chunk) {
  if (chunk.views.length === 1 || waiting.has(stream)) {
    writeWhenAccepted(stream, chunk.views.length === 1 ? chunk.views[0] : chunk.toBuffer());
    return;
  }
  try {
    const out = stream.allocate(chunk.byteLength);
    let at = 0;
    for (const view of chunk.views) {
      out.set(view, at);
      at += view.length;
    }
    out.send();
  } catch (error) {
    if (error?.code !== 'ERR_SIZE_LIMIT') throw error;
    writeWhenAccepted(stream, chunk.toBuffer());
  }
}
