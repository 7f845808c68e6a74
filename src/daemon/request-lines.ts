// Newline-delimited requests read from a control connection with a bound on each line. readline
// would buffer a line with no end without limit (100 MB sent: +200 MB of daemon RSS, still held
// after the client left); here one connection holds at most `maxBytes` of the chunks it read, and
// drops them the moment the bound is passed.
import type { Socket } from 'node:net';

export interface LineEvents {
  readonly line: (text: string) => void;
  /** The line under way passed `maxBytes`: nothing more is read from the socket. */
  readonly tooLarge: () => void;
}

export const readRequestLines = (socket: Socket, maxBytes: number, on: LineEvents): void => {
  let parts: Buffer[] = [];
  let size = 0;
  const overflow = () => {
    parts = [];
    size = 0;
    socket.off('data', onData);
    socket.pause();
    on.tooLarge();
  };
  const onData = (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (size + piece.length > maxBytes) return overflow();
      const whole = parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
      parts = [];
      size = 0;
      start = nl + 1;
      const text = whole.toString('utf8');
      on.line(text.endsWith('\r') ? text.slice(0, -1) : text);
      // A handler may have closed the connection.
      if (socket.destroyed) return;
    }
    const rest = chunk.length - start;
    if (rest === 0) return;
    if (size + rest > maxBytes) return overflow();
    // No copy: a chunk is sized to what was read, so holding it costs what it carries.
    parts.push(chunk.subarray(start));
    size += rest;
  };
  socket.on('data', onData);
};
