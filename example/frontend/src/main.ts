/** Entry point: History API navigation (link interception, back/forward) around the pure matcher in router.ts. */
import './style.css';
import { matchRoute } from './router';
import { renderRoute } from './views';

const APP_NAME = 'SPA with Lambda API';

const outlet = document.getElementById('main');
if (outlet === null) {
  throw new Error('index.html has no #main element');
}
const main: HTMLElement = outlet;
let current: AbortController | undefined;

function render(moveFocus: boolean): void {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { pathname } = window.location;
  const view = renderRoute(matchRoute(pathname), pathname, {
    signal: controller.signal,
    setTitle: (title) => {
      if (!controller.signal.aborted) {
        document.title = `${title} · ${APP_NAME}`;
      }
    },
  });
  main.replaceChildren(view);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
    if (link.pathname === pathname) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  if (moveFocus) {
    // Tell screen-reader users that the page changed, as a full page load would.
    main.querySelector<HTMLElement>('h1')?.focus();
  }
}

function navigate(url: URL): void {
  const target = url.pathname + url.search + url.hash;
  const here = window.location.pathname + window.location.search + window.location.hash;
  if (target === here) {
    window.history.replaceState(null, '', target);
  } else {
    window.history.pushState(null, '', target);
  }
  window.scrollTo(0, 0);
  render(true);
}

/** Same-origin links to app pages are handled here instead of by a full page load. */
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const link = event.target instanceof Element ? event.target.closest('a') : null;
  if (!(link instanceof HTMLAnchorElement) || link.href === '' || link.hasAttribute('download')) {
    return;
  }
  if ((link.target !== '' && link.target !== '_self') || link.relList.contains('external')) {
    return;
  }
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    return; // another site, or the API itself (e.g. /api/docs): let the browser load it
  }
  if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash !== '') {
    return; // in-page anchor such as the skip link
  }
  event.preventDefault();
  navigate(url);
});

window.addEventListener('popstate', () => render(true));

render(false);
