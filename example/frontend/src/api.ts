/** Typed client for the FastAPI backend, reached same-origin under /api (CloudFront behaviour, or the Vite dev proxy). */

export interface Item {
  id: string;
  name: string;
  description: string | null;
}

export interface NewItem {
  name: string;
  description: string | null;
}

export interface Health {
  status: string;
  version?: string;
  time?: string;
}

/** A non-2xx answer (status > 0) or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** FastAPI errors are {"detail": "..."} or, for validation errors (422), {"detail": [{"msg": "..."}, ...]}. */
async function errorMessage(response: Response): Promise<string> {
  const fallback = `${response.status} ${response.statusText}`.trim();
  try {
    const body: unknown = await response.json();
    const detail = (body as { detail?: unknown } | null)?.detail;
    if (typeof detail === 'string') {
      return detail;
    }
    if (Array.isArray(detail)) {
      return detail.map((entry: { msg?: unknown }) => String(entry?.msg ?? entry)).join('; ');
    }
  } catch {
    // Not JSON (for example an HTML error page): use the status line.
  }
  return fallback;
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (init.body !== undefined) {
    headers.set('Content-Type', 'application/json');
  }
  let response: Response;
  try {
    response = await fetch(`/api${path}`, { ...init, headers });
  } catch (error) {
    if (init.signal?.aborted) {
      throw error;
    }
    throw new ApiError(0, 'Could not reach the API (network error).');
  }
  if (!response.ok) {
    throw new ApiError(response.status, await errorMessage(response));
  }
  if (response.status === 204) {
    return undefined as T;
  }
  return (await response.json()) as T;
}

export function getHealth(signal?: AbortSignal): Promise<Health> {
  return request<Health>('/health', { signal });
}

export function listItems(signal?: AbortSignal): Promise<Item[]> {
  return request<Item[]>('/items', { signal });
}

export function getItem(id: string, signal?: AbortSignal): Promise<Item> {
  return request<Item>(`/items/${encodeURIComponent(id)}`, { signal });
}

export function createItem(item: NewItem): Promise<Item> {
  return request<Item>('/items', { method: 'POST', body: JSON.stringify(item) });
}

export function deleteItem(id: string): Promise<void> {
  return request<void>(`/items/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** One event of GET /api/events. */
export interface Tick {
  n: number;
  of: number;
  time: string;
}

/**
 * Opens GET /api/events (Server-Sent Events) with the browser's EventSource, same-origin under /api. The caller
 * closes the returned source; EventSource would otherwise reconnect when the server ends the stream.
 */
export function subscribeEvents(count: number, interval: number,
  handlers: { onEvent: (tick: Tick) => void; onError: () => void }): EventSource {
  const source = new EventSource(`/api/events?count=${count}&interval=${interval}`);
  source.addEventListener('message', (event: MessageEvent<string>) => handlers.onEvent(JSON.parse(event.data) as Tick));
  source.addEventListener('error', () => handlers.onError());
  return source;
}
