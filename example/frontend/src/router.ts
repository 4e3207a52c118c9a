/**
 * Path matching for the SPA's History API router.
 *
 * Pure functions only: no DOM, window or history access, so this module can be
 * imported by unit tests in Node. The DOM wiring (link interception, popstate)
 * lives in main.ts.
 */

export type RouteName = 'home' | 'items' | 'item' | 'notFound';

export interface RouteMatch {
  readonly name: RouteName;
  readonly params: Readonly<Record<string, string>>;
}

interface RouteDefinition {
  readonly name: Exclude<RouteName, 'notFound'>;
  readonly pattern: string;
}

/** Patterns are '/'-separated; a ':name' segment captures one non-empty segment. */
export const ROUTES: readonly RouteDefinition[] = [
  { name: 'home', pattern: '/' },
  { name: 'items', pattern: '/items' },
  { name: 'item', pattern: '/items/:id' },
];

const NOT_FOUND: RouteMatch = { name: 'notFound', params: {} };

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = splitPath(pattern);
  if (parts.length !== segments.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      params[part.slice(1)] = decodeURIComponent(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/**
 * Matches a URL path (a query string or fragment, if present, is ignored) to a route.
 * A trailing slash is tolerated (`/items/` is `items`); matching is case-sensitive;
 * parameters are percent-decoded, and a malformed escape such as `/items/%E0` is `notFound`.
 */
export function matchRoute(pathname: string): RouteMatch {
  const path = pathname.split(/[?#]/, 1)[0]!;
  if (!path.startsWith('/')) {
    return NOT_FOUND;
  }
  const segments = splitPath(path);
  for (const route of ROUTES) {
    let params: Record<string, string> | undefined;
    try {
      params = matchPattern(route.pattern, segments);
    } catch {
      return NOT_FOUND; // URIError from decodeURIComponent
    }
    if (params !== undefined) {
      return { name: route.name, params };
    }
  }
  return NOT_FOUND;
}

/** The SPA path of one item, e.g. itemPath('a b') === '/items/a%20b'. */
export function itemPath(id: string): string {
  return `/items/${encodeURIComponent(id)}`;
}
