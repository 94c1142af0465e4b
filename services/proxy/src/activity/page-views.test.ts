import { type IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { expect, test } from 'vitest';
import { isPageLoad, readVisitorId, stripVisitorCookie } from './page-views';

function request(method: string, url: string, headers: IncomingHttpHeaders): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.method = method;
  message.url = url;
  message.headers = headers;
  return message;
}

const html = 'text/html,application/xhtml+xml,*/*;q=0.8';

test.each([
  ['GET', '/', { accept: html }, true],
  ['GET', '/another_page?x=1', { accept: html, 'sec-fetch-dest': 'document' }, true],
  ['GET', '/?embed=true', { accept: html, 'sec-fetch-dest': 'iframe' }, true],
  ['GET', '/', { accept: '*/*', 'sec-fetch-dest': 'script' }, false],
  ['GET', '/', { accept: '*/*' }, false],
  ['POST', '/', { accept: html }, false],
  ['GET', '/static/js/main.js', { accept: html }, false],
  ['GET', '/_stcore/health', { accept: html }, false],
  ['GET', '/component/my.component/index.html', { accept: html, 'sec-fetch-dest': 'iframe' }, false],
  ['GET', '/favicon.ico', { accept: html }, false],
] as const)('%s %s %o is a page load: %s', (method, url, headers, expected) => {
  expect(isPageLoad(request(method, url, { ...headers }))).toBe(expected);
});

test('reads a well-formed visitor id only, and takes the cookie out of the request', () => {
  const headers: IncomingHttpHeaders = { cookie: 'a=1; cove_visitor=abcdefghijklmnopqrstuv; b=2' };
  expect(readVisitorId(headers)).toBe('abcdefghijklmnopqrstuv');
  stripVisitorCookie(headers);
  expect(headers.cookie).toBe('a=1; b=2');
  expect(readVisitorId({ cookie: 'cove_visitor=short' })).toBeNull();
  expect(readVisitorId({ cookie: 'cove_visitor=has spaces and more than enough' })).toBeNull();
  const only: IncomingHttpHeaders = { cookie: 'cove_visitor=abcdefghijklmnopqrstuv' };
  stripVisitorCookie(only);
  expect(only.cookie).toBeUndefined();
});
