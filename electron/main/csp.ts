/**
 * The Content-Security-Policy of the desktop window, sent as a response header (a <meta> tag can
 * be removed by the page and cannot set frame-ancestors). The policy itself is the console's one
 * policy in pipeline/core/console-csp.ts with frames refused altogether; index.html carries the
 * console policy as a <meta> tag (both apply: the stricter wins).
 * https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */
import { DESKTOP_CSP } from '../../pipeline/core/console-csp.js';

export const CONTENT_SECURITY_POLICY = DESKTOP_CSP;

/** Headers every app:// response carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

type ResponseHeaders = Record<string, string[] | string>;

/**
 * Adds the CSP to responses that do not come from our protocol handler (belt and braces: the
 * window only loads app://, but a response from anywhere else must not run unrestricted).
 */
export function withContentSecurityPolicy(headers: ResponseHeaders | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    result[name] = Array.isArray(value) ? value : [value];
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}

export interface HeadersReceivedSession {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

export function installContentSecurityPolicy(session: HeadersReceivedSession): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}
