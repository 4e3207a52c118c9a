import * as fs from 'fs';
import * as path from 'path';
import { ExpectedResult, FetchOptions, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';

/** A committed, real Vite build (hashed names under assets/), so snapshots do not depend on a frontend build. */
export const VITE_BUILD = path.join(__dirname, 'fixtures', 'vite-build');
/** The example FastAPI backend. */
export const EXAMPLE_BACKEND = path.join(__dirname, '..', 'example', 'backend');

/** The path of the hashed JS entry chunk that the fixture's index.html loads, e.g. `/assets/index-DESi9q8R.js`. */
export function hashedEntryChunk(siteDir: string = VITE_BUILD): string {
  const html = fs.readFileSync(path.join(siteDir, 'index.html'), 'utf8');
  const match = /src="(\/assets\/[^"]+\.js)"/.exec(html);
  if (!match) {
    throw new Error(`no hashed entry chunk referenced by ${siteDir}/index.html`);
  }
  return match[1];
}

/** CloudFront and a cold Lambda can take a moment after the deploy: retry each assertion for a while. */
const WAIT = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) };

/**
 * Assertions that run after a real deploy (HTTP calls to the deployed site). In snapshot mode they only
 * add an assertion stack; with credentials, `integ-runner` deploys and runs them.
 */
export class SiteAssertions {
  constructor(private readonly integ: IntegTest, private readonly siteUrl: string) {}

  /**
   * `path` answers 200 with the SPA shell (the example's index.html, which mounts the app in `<main>`), revalidated on every use
   * (`no-cache`) unless `checkCacheControl` is false (CloudFront error responses).
   */
  public servesSpaShell(urlPath: string, checkCacheControl: boolean = true): void {
    const headers: Record<string, unknown> = { 'content-type': [Match.stringLikeRegexp('text/html')] };
    if (checkCacheControl) {
      headers['cache-control'] = ['no-cache'];
    }
    this.integ.assertions.httpApiCall(`${this.siteUrl}${urlPath}`).expect(ExpectedResult.objectLike({
      status: 200,
      headers: Match.objectLike(headers),
      body: Match.stringLikeRegexp('<main id="main"'),
    })).waitForAssertions(WAIT);
  }

  /** A content-hashed asset answers 200, cached for a year and immutable. */
  public servesImmutableAsset(urlPath: string): void {
    this.integ.assertions.httpApiCall(`${this.siteUrl}${urlPath}`).expect(ExpectedResult.objectLike({
      status: 200,
      headers: Match.objectLike({
        'content-type': [Match.stringLikeRegexp('javascript')],
        'cache-control': ['public, max-age=31536000, immutable'],
      }),
    })).waitForAssertions(WAIT);
  }

  /** `path` is refused with 403 (for example the release manifests the bucket policy hides from CloudFront). */
  public refuses(urlPath: string): void {
    this.integ.assertions.httpApiCall(`${this.siteUrl}${urlPath}`).expect(ExpectedResult.objectLike({ status: 403 }))
      .waitForAssertions(WAIT);
  }

  /**
   * `path` answers a redirect (not followed) whose `Location` is exactly `location`: for example FastAPI's
   * redirect_slashes, which must send the browser to the site's own host, never to the execute-api host.
   */
  public redirects(urlPath: string, status: number, location: string): void {
    // the handler passes fetchOptions to node-fetch unchanged, which honours `redirect: 'manual'` (the type does not list it)
    const fetchOptions = { redirect: 'manual' } as FetchOptions;
    this.integ.assertions.httpApiCall(`${this.siteUrl}${urlPath}`, fetchOptions).expect(ExpectedResult.objectLike({
      status,
      headers: Match.objectLike({ location: [location] }),
    })).waitForAssertions(WAIT);
  }

  /** An API path answers with the given status and a JSON body that contains `body`. */
  public apiAnswers(urlPath: string, status: number, body: Record<string, unknown>, baseUrl: string = this.siteUrl): void {
    this.integ.assertions.httpApiCall(`${baseUrl}${urlPath}`).expect(ExpectedResult.objectLike({
      status,
      headers: Match.objectLike({ 'content-type': [Match.stringLikeRegexp('application/json')] }),
      body: Match.objectLike(body),
    })).waitForAssertions(WAIT);
  }

  /**
   * A Server-Sent Events path answers 200 with `text/event-stream` and every one of `count` events (the example's
   * `GET <prefix>/events`), each as a `data:` line: the stream went through CloudFront and the Function URL whole.
   */
  public streamsEvents(urlPath: string, count: number): void {
    const events = Array.from({ length: count }, (_, i) => `data: \\{"n":${i + 1},"of":${count},`).join('[\\s\\S]*');
    const call = this.integ.assertions.httpApiCall(`${this.siteUrl}${urlPath}`, { headers: { Accept: 'text/event-stream' } });
    call.expect(ExpectedResult.objectLike({
      status: 200,
      headers: Match.objectLike({ 'content-type': [Match.stringLikeRegexp('text/event-stream')] }),
      body: Match.stringLikeRegexp(events),
    })).waitForAssertions(WAIT);
  }

  /** A call to `url` (for example the Function URL, around CloudFront) is refused with 403 by the origin check. */
  public refusesDirectCall(url: string): void {
    this.integ.assertions.httpApiCall(url).expect(ExpectedResult.objectLike({ status: 403 })).waitForAssertions(WAIT);
  }
}
