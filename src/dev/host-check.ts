import * as net from 'net';

/**
 * The DNS-rebinding guard of the dev server, as Vite's `server.allowedHosts`: a web page whose DNS name is made to
 * resolve to 127.0.0.1 reaches the dev server with its own name in `Host`, so only requests whose `Host` names this
 * machine are answered. Allowed: `localhost` and `*.localhost`, IP literals (a rebinding attack needs a DNS name,
 * and the address the browser connected to is the one that answers), the address the server is bound to, and the
 * names of `--allowed-host` (a leading dot allows the name and every subdomain, as in Vite). A request without a
 * `Host` header (HTTP/1.0, never a browser) is allowed.
 */
export class HostCheck {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(boundAddress: string, allowedHosts: readonly string[]) {
    for (const name of [boundAddress, ...allowedHosts]) {
      const canonical = canonicalHostName(name);
      if (canonical.startsWith('.')) {
        this.suffixes.push(canonical);
        this.exact.add(canonical.substring(1));
      } else {
        this.exact.add(canonical);
      }
    }
  }

  /** Whether a request with this `Host` header may be answered. */
  public allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return true;
    const name = hostNameOf(hostHeader);
    if (name === undefined) return false;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    if (net.isIP(name) !== 0) return true;
    return this.exact.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }
}

/** The host name of a `Host` header (lower case, without port, brackets or trailing dot), undefined when malformed. */
export function hostNameOf(hostHeader: string): string | undefined {
  const value = hostHeader.trim();
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return bracketed[1].toLowerCase();
  const m = /^([^:\s/@,]+)(?::\d{1,5})?$/.exec(value);
  return m ? canonicalHostName(m[1]) : undefined;
}

function canonicalHostName(name: string): string {
  return name.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/(?<=.)\.+$/, '');
}

/** The 403 body of a blocked request: what was refused and how to allow it. */
export function blockedHostMessage(hostHeader: string): string {
  const name = hostNameOf(hostHeader) ?? hostHeader;
  return `Blocked request. This host (${JSON.stringify(name)}) is not allowed: the dev server answers only localhost names, `
    + 'IP addresses and the address it listens on, so that a web page cannot reach the local API through DNS rebinding. '
    + `To allow this host, pass --allowed-host ${name} to \`cdk-spa-with-lambda-api dev\`.\n`;
}
