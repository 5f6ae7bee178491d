import { CtlError, ExitCode } from './errors.js';

/**
 * A small client of the management HTTP API (RabbitMQ's, which Warren copies).
 * It owns everything transport-related: URL building, basic auth, timeouts and
 * turning network failures and refused credentials into exit codes. Answers a
 * command expects to handle itself (404, 400) are passed back, anything else
 * unexpected becomes an error.
 */

export interface ApiSettings {
  /** Base URL of the API server, e.g. http://127.0.0.1:15672 (paths are under /api). */
  apiUrl: string;
  username: string;
  password: string;
  /** Per-request time limit in milliseconds. */
  timeoutMs: number;
}

export interface ApiResponse<T = unknown> {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Non-2xx statuses the caller handles itself (e.g. 404 for "no such user"). */
  accept?: number[];
  /** Credentials for this request only (authenticate_user checks someone else's). */
  auth?: { username: string; password: string };
  /** Time limit for this request only, in milliseconds. */
  timeoutMs?: number;
}

/** Encodes each interpolated value as one path segment: vhost "/" becomes %2F, as the API requires. */
export function apiPath(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((path, part, i) => path + part + (i < segments.length ? encodeURIComponent(segments[i]) : ''), '');
}

/** The `reason` (or `error`) of an API error body such as {"error":"bad_request","reason":"..."}. */
export function errorReason(body: unknown): string {
  if (body && typeof body === 'object') {
    const { reason, error } = body as { reason?: unknown; error?: unknown };
    const text = reason ?? error;
    if (text !== undefined) return typeof text === 'string' ? text : JSON.stringify(text);
  }
  return '';
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly settings: ApiSettings) {
    this.baseUrl = settings.apiUrl.replace(/\/+$/, '');
  }

  get username(): string {
    return this.settings.username;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const auth = options.auth ?? this.settings;
    // No Accept header: RabbitMQ answers 406 to "application/json" on DELETE .../contents.
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      ...options.headers,
    };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}/api${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs ?? this.settings.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw this.transportError(error, options.timeoutMs ?? this.settings.timeoutMs);
    }
    const body = parseJson(text) as T;
    const { status } = response;
    if ((status >= 200 && status < 300) || options.accept?.includes(status)) return { status, body };
    if ((status === 401 || status === 403) && !options.auth) throw this.refused(status, body);
    if (status === 503) {
      throw new CtlError(`broker at ${this.baseUrl} is unavailable (503 ${errorReason(body)})`.trim(), ExitCode.UNAVAILABLE);
    }
    const reason = errorReason(body);
    throw new CtlError(
      `unexpected answer from ${method} ${this.baseUrl}/api${path}: ${status}${reason ? ` ${reason}` : ''}`,
      ExitCode.SOFTWARE,
    );
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  put(path: string, body: unknown, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('PUT', path, { ...options, body });
  }

  post(path: string, body: unknown, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('POST', path, { ...options, body });
  }

  delete(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('DELETE', path, options);
  }

  /** GET a collection; a missing parent (vhost) is an empty list, as rabbitmqctl shows it. */
  async list<T>(path: string): Promise<T[]> {
    const { status, body } = await this.get<T[]>(path, { accept: [404] });
    if (status === 404) return [];
    if (!Array.isArray(body)) throw new CtlError(`unexpected answer from GET ${this.baseUrl}/api${path}: not a list`, ExitCode.SOFTWARE);
    return body;
  }

  /** GET one object, or undefined when the API answers 404. */
  async find<T>(path: string): Promise<T | undefined> {
    const { status, body } = await this.get<T>(path, { accept: [404] });
    return status === 404 ? undefined : body;
  }

  private transportError(error: unknown, timeoutMs: number): CtlError {
    const err = error as Error & { cause?: { code?: string; syscall?: string; message?: string } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      return new CtlError(
        `broker at ${this.baseUrl} did not answer within ${timeoutMs / 1000} seconds`,
        ExitCode.TEMPFAIL,
      );
    }
    const cause = err?.cause;
    const detail = cause?.code ? [cause.syscall, cause.code].filter(Boolean).join(' ') : (cause?.message ?? err?.message);
    return new CtlError(`broker not reachable at ${this.baseUrl} (${detail})`, ExitCode.UNAVAILABLE);
  }

  private refused(status: number, body: unknown): CtlError {
    const reason = errorReason(body);
    const what = /login failed/i.test(reason)
      ? `authentication failed for user "${this.settings.username}"`
      : `user "${this.settings.username}" is not allowed to do this`;
    return new CtlError(`${what} at ${this.baseUrl} (${status}${reason ? ` ${reason}` : ''})`, ExitCode.NOPERM);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
