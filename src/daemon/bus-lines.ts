// Frames read from a bus connection, one per line, each bounded: a line over the bound is
// skipped up to its newline (the sender hears `tooLarge`) and the connection goes on, so a
// connection holds at most `maxBytes` of what it read, whatever it sends.
import type { Socket } from 'node:net';

export interface BusLineEvents {
  readonly line: (text: string) => void;
  readonly tooLarge: () => void;
}

export const readBusLines = (socket: Socket, maxBytes: number, on: BusLineEvents): void => {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (skipping || size + piece.length > maxBytes) {
        if (!skipping) on.tooLarge();
        skipping = false;
        parts = [];
        size = 0;
        continue;
      }
      const whole = parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
      parts = [];
      size = 0;
      if (whole.length > 0) on.line(whole.toString('utf8'));
      if (socket.destroyed) return;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0 || skipping) return;
    if (size + rest.length > maxBytes) {
      on.tooLarge();
      skipping = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(rest);
    size += rest.length;
  });
};
