/**
 * How the distribution serves the SPA shell (`/index.html`) for client-side routes such as `/items/42`.
 *
 * Choose one with the static factory methods.
 */
export class SpaRouting {
  /**
   * A viewer-request CloudFront Function on the default (S3) behaviour only. Recommended and the default.
   *
   * Browser navigations (the `Accept` header includes `text/html`) to anything that is not a known
   * static file, and every path whose last segment has no file extension, are answered with
   * `/index.html` and status 200, so deep links such as `/users/john.doe` work. Asset requests pass
   * through: a missing asset is S3's 404. The API behaviour is untouched, so an API 404 or 403 reaches
   * the client exactly as the API sent it.
   */
  public static viewerRequestFunction(): SpaRouting {
    return new SpaRouting('viewer-request-function');
  }

  /**
   * Distribution-wide custom error responses: 403 and 404 are answered with `/index.html` and status 200.
   *
   * This is how many SPA stacks do it, and it is kept for compatibility. It applies to every behaviour,
   * including the API: an API 404 or 403 reaches the client as the SPA's HTML with status 200. The
   * construct adds a warning when this mode is chosen. Error responses are cached for 0 seconds so that a
   * deep link is never served from a stale error cache.
   */
  public static errorResponses(): SpaRouting {
    return new SpaRouting('error-responses');
  }

  /**
   * No SPA routing: every path is served as-is from the bucket (a missing file is 404).
   *
   * For multi-page static sites and pre-rendered apps.
   */
  public static none(): SpaRouting {
    return new SpaRouting('none');
  }

  /**
   * The mode's name: `viewer-request-function`, `error-responses` or `none`.
   */
  public readonly mode: string;

  private constructor(mode: string) {
    this.mode = mode;
  }
}
