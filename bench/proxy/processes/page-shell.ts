// What a Streamlit app answers for its page: an HTML shell of a few KB that loads the frontend
// bundle, with the headers Tornado sends. The bench serves it so every path carries the same bytes.

const bundleChunks = Array.from(
  { length: 24 },
  (_, index) => `static/js/chunk.${(index * 7919).toString(16).padStart(8, '0')}.js`,
);

export const pageShellHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no" />
    <link rel="shortcut icon" href="./favicon.png" />
    <link rel="preload" href="./static/media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2" as="font" type="font/woff2" crossorigin />
    <title>Streamlit</title>
    <script>window.prerenderReady = false</script>
    <script type="module" crossorigin src="./static/js/index.C1z8KpLA.js"></script>
${bundleChunks.map((chunk) => `    <link rel="modulepreload" crossorigin href="./${chunk}" />`).join('\n')}
    <link rel="stylesheet" crossorigin href="./static/css/index.CJVRHjQZ.css" />
  </head>
  <body>
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
  </body>
</html>
`;

export const pageShellHeaders = {
  server: 'TornadoServer/6.4.2',
  'content-type': 'text/html',
  'cache-control': 'no-cache',
  etag: '"5d41402abc4b2a76b9719d911017c592"',
  'content-length': String(Buffer.byteLength(pageShellHtml)),
};
