// The page's side of the dashboard API: every request carries the token (from the URL fragment,
// which the browser never sends), streams are server-sent events read over fetch, because
// EventSource cannot send an Authorization header.
import type { ApiError } from '../daemon/dashboard/wire.js';

export const tokenFromLocation = (hash: string): string | undefined => new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? undefined;

export class Api {
  constructor(private readonly token: string) {}

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async get<T>(path: string): Promise<T> {
    return this.answer<T>(await fetch(path, { headers: this.headers(), cache: 'no-store' }));
  }

  async post<T>(path: string): Promise<T> {
    return this.answer<T>(await fetch(path, { method: 'POST', headers: this.headers() }));
  }

  /** Reads `path` as server-sent events until it ends or `signal` aborts; resolves when it ends. */
  async stream(path: string, onMessage: (event: string, data: unknown) => void, signal: AbortSignal): Promise<void> {
    const res = await fetch(path, { headers: this.headers(), signal, cache: 'no-store' });
    if (!res.ok || res.body === null) throw new Error(await errorText(res));
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) onMessage(event, JSON.parse(data.join('\n')));
      }
    }
  }

  private async answer<T>(res: Response): Promise<T> {
    if (!res.ok) throw new Error(await errorText(res));
    return (await res.json()) as T;
  }
}

const errorText = async (res: Response): Promise<string> => {
  try {
    const body = (await res.json()) as ApiError;
    return `${res.status}: ${body.message}`;
  } catch {
    return `${res.status} ${res.statusText}`;
  }
};
