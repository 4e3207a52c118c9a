/** The SPA's views: each builds its DOM synchronously and fills it in when the API answers. */
import { ApiError, createItem, deleteItem, getHealth, getItem, listItems, subscribeEvents, type Item } from './api';
import { itemPath, type RouteMatch } from './router';

export interface ViewContext {
  /** Aborted when the user navigates away: pending requests are cancelled and their results dropped. */
  readonly signal: AbortSignal;
  readonly setTitle: (title: string) => void;
}

type Child = Node | string | null | undefined | false;

/** Creates an element; text children become text nodes, so API data is never parsed as HTML. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child);
    }
  }
  return element;
}

function heading(text: string): HTMLHeadingElement {
  // tabindex=-1: main.ts moves focus here after a client-side navigation.
  return h('h1', { tabindex: '-1' }, text);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorBox(prefix: string, error: unknown): HTMLParagraphElement {
  return h('p', { class: 'error', role: 'alert' }, `${prefix}: ${messageOf(error)}`);
}

/** Runs an async task; once the view is left, its failures are ignored. */
function load(task: () => Promise<void>, onError: (error: unknown) => void, signal: AbortSignal): void {
  task().catch((error: unknown) => {
    if (!signal.aborted) {
      onError(error);
    }
  });
}

function homeView({ signal }: ViewContext): HTMLElement {
  const result = h('div', { 'class': 'health', 'aria-live': 'polite' }, h('p', {}, 'Checking the API…'));
  load(async () => {
    const health = await getHealth(signal);
    const ok = health.status === 'ok';
    result.replaceChildren(
      h('dl', {},
        h('dt', {}, 'Status'), h('dd', { class: ok ? 'badge ok' : 'badge bad' }, health.status),
        health.version !== undefined && h('dt', {}, 'Version'), health.version !== undefined && h('dd', {}, health.version),
        health.time !== undefined && h('dt', {}, 'Server time'), health.time !== undefined && h('dd', {}, health.time),
      ),
    );
  }, (error) => {
    result.replaceChildren(
      h('dl', {}, h('dt', {}, 'Status'), h('dd', { class: 'badge bad' }, 'unavailable')),
      errorBox('The health check failed', error),
    );
  }, signal);
  return h('div', {},
    heading('Home'),
    h('p', {}, 'This page is served from S3 through CloudFront; its data comes from a FastAPI app on AWS Lambda, under the same origin at /api.'),
    h('section', { 'aria-labelledby': 'health-title' }, h('h2', { id: 'health-title' }, 'API health'), result),
    eventsSection(signal),
  );
}

/**
 * Server-Sent Events from GET /api/events, shown as they arrive with the time since the stream was opened: in
 * streaming mode (api.streaming) they arrive half a second apart; a buffered API delivers them all at the end.
 */
function eventsSection(signal: AbortSignal): HTMLElement {
  const start = h('button', { type: 'button' }, 'Stream 5 events');
  const status = h('p', { 'class': 'form-status', 'role': 'status', 'aria-live': 'polite' });
  const list = h('ol', { class: 'event-list' });
  let source: EventSource | undefined;
  const stop = (message: string): void => {
    source?.close();
    source = undefined;
    start.disabled = false;
    status.textContent = message;
  };
  signal.addEventListener('abort', () => source?.close());
  start.addEventListener('click', () => {
    list.replaceChildren();
    start.disabled = true;
    status.textContent = 'Streaming…';
    const opened = performance.now();
    source = subscribeEvents(5, 0.5, {
      onEvent: (tick) => {
        const after = ((performance.now() - opened) / 1000).toFixed(2);
        list.append(h('li', {}, `Event ${tick.n} of ${tick.of}, sent ${tick.time}, received after ${after} s`));
        if (tick.n === tick.of) {
          stop(`All ${tick.of} events received.`);
        }
      },
      onError: () => stop('The stream failed or was closed by the server.'),
    });
  });
  return h('section', { 'aria-labelledby': 'events-title' },
    h('h2', { id: 'events-title' }, 'Server-Sent Events'),
    h('p', {}, 'Events from ', h('code', {}, 'GET /api/events'), ' appear as they arrive.'),
    start, status, list,
  );
}

function itemsView({ signal }: ViewContext): HTMLElement {
  const list = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading items…'));
  const formStatus = h('p', { 'class': 'form-status', 'role': 'status', 'aria-live': 'polite' });
  const nameInput = h('input', { id: 'item-name', name: 'name', required: '', maxlength: '100', autocomplete: 'off' });
  const descriptionInput = h('textarea', { id: 'item-description', name: 'description', maxlength: '1000', rows: '3' });
  const submit = h('button', { type: 'submit' }, 'Add item');

  const refresh = (): void => load(async () => {
    const items = await listItems(signal);
    list.replaceChildren(items.length === 0
      ? h('p', {}, 'No items yet: add one with the form above.')
      : h('ul', { class: 'item-list' }, ...items.map(itemRow)));
  }, (error) => list.replaceChildren(errorBox('Could not load the items', error)), signal);

  const itemRow = (item: Item): HTMLLIElement => {
    const remove = h('button', { 'type': 'button', 'class': 'danger', 'aria-label': `Delete ${item.name}` }, 'Delete');
    remove.addEventListener('click', () => {
      remove.disabled = true;
      load(async () => {
        try {
          await deleteItem(item.id);
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 404)) throw error; // already gone: fine
        }
        formStatus.textContent = `Deleted “${item.name}”.`;
        refresh();
      }, (error) => {
        remove.disabled = false;
        formStatus.replaceChildren(errorBox('Could not delete the item', error));
      }, signal);
    });
    return h('li', {},
      h('a', { href: itemPath(item.id) }, item.name),
      item.description !== null && item.description !== '' && h('span', { class: 'description' }, item.description),
      remove,
    );
  };

  const form = h('form', { 'aria-labelledby': 'new-item-title' },
    h('label', { for: 'item-name' }, 'Name'), nameInput,
    h('label', { for: 'item-description' }, 'Description ', h('span', { class: 'hint' }, '(optional)')), descriptionInput,
    submit, formStatus,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (name === '') {
      formStatus.replaceChildren(errorBox('Could not add the item', 'the name must not be blank'));
      nameInput.focus();
      return;
    }
    const description = descriptionInput.value.trim();
    submit.disabled = true;
    formStatus.textContent = 'Saving…';
    load(async () => {
      const item = await createItem({ name, description: description === '' ? null : description });
      form.reset();
      submit.disabled = false;
      formStatus.textContent = `Added “${item.name}”.`;
      nameInput.focus();
      refresh();
    }, (error) => {
      submit.disabled = false;
      formStatus.replaceChildren(errorBox('Could not add the item', error));
    }, signal);
  });

  refresh();
  return h('div', {},
    heading('Items'),
    h('section', {}, h('h2', { id: 'new-item-title' }, 'Add an item'), form),
    h('section', { 'aria-labelledby': 'item-list-title' }, h('h2', { id: 'item-list-title' }, 'All items'), list),
  );
}

function itemView(id: string, { signal, setTitle }: ViewContext): HTMLElement {
  const title = heading('Item');
  const body = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading item…'));
  load(async () => {
    const item = await getItem(id, signal);
    title.textContent = item.name;
    setTitle(item.name);
    body.replaceChildren(h('dl', {},
      h('dt', {}, 'ID'), h('dd', {}, h('code', {}, item.id)),
      h('dt', {}, 'Description'), h('dd', {}, item.description ?? '(none)'),
    ));
  }, (error) => {
    if (error instanceof ApiError && error.status === 404) {
      title.textContent = 'Item not found';
      setTitle('Item not found');
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, `There is no item with the id “${id}”. It may have been deleted.`));
    } else {
      body.replaceChildren(errorBox('Could not load the item', error));
    }
  }, signal);
  return h('div', {}, title, body, h('p', {}, h('a', { href: '/items' }, '← Back to all items')));
}

function notFoundView(pathname: string): HTMLElement {
  return h('div', {},
    heading('Page not found'),
    h('p', {}, 'Nothing lives at ', h('code', {}, pathname), ' in this app.'),
    h('p', {}, h('a', { href: '/' }, 'Go to the home page')),
  );
}

const TITLES: Record<RouteMatch['name'], string> = {
  home: 'Home',
  items: 'Items',
  item: 'Item',
  notFound: 'Page not found',
};

/** The view for a matched route, and its initial page title. */
export function renderRoute(match: RouteMatch, pathname: string, context: ViewContext): HTMLElement {
  context.setTitle(TITLES[match.name]);
  switch (match.name) {
    case 'home':
      return homeView(context);
    case 'items':
      return itemsView(context);
    case 'item':
      return itemView(match.params.id ?? '', context);
    case 'notFound':
      return notFoundView(pathname);
  }
}
