// A small, self-contained HTML page (no external assets) for what the proxy answers itself.

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);
}

/** Tagged template that escapes every interpolated value unless it is already SafeHtml. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: Array<string | number | SafeHtml>): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += value instanceof SafeHtml ? value.value : escapeHtml(String(value));
    out += strings[index + 1] ?? '';
  });
  return new SafeHtml(out);
}

export interface PageContent {
  title: string;
  heading: string;
  body: SafeHtml;
  /** Seconds after which the browser reloads the page by itself. */
  refreshAfterSeconds?: number;
}

const styles = `
  :root { color-scheme: light dark; }
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
         display: grid; place-items: center; min-height: 100vh; background: #f6f7f9; color: #1f2328; }
  main { max-width: 34rem; padding: 2rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
  p { margin: .5rem 0; }
  a { color: #0b63ce; }
  code { font-size: .95em; }
  @media (prefers-color-scheme: dark) { body { background: #16181d; color: #e6e8eb; } a { color: #6cb4ff; } }
`;

export function renderPage(page: PageContent): string {
  const refresh =
    page.refreshAfterSeconds === undefined
      ? ''
      : html`<meta http-equiv="refresh" content="${page.refreshAfterSeconds}">`.value;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${new SafeHtml(refresh)}
<title>${page.title}</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body>
<main>
<h1>${page.heading}</h1>
${page.body}
</main>
</body>
</html>
`.value;
}
