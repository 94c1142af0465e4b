import { describe, expect, it } from 'vitest';
import { problemResponse } from './problems';

const dashboardUrl = 'http://localhost:4100/';
const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('problemResponse', () => {
  it('answers an unknown app with a 404 page linking to the dashboard', () => {
    const response = problemResponse(
      { kind: 'app_not_found', appName: 'sales' },
      { dashboardUrl, acceptHeader: browser },
    );
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('There is no app called sales here');
    expect(response.body).toContain('href="http://localhost:4100/"');
    expect(response.body).not.toMatch(/<(script|link|img)\b/);
  });

  it('tells a deploying app turns into the app by itself', () => {
    const response = problemResponse(
      { kind: 'app_unavailable', appName: 'sales', status: 'building' },
      { dashboardUrl, acceptHeader: browser },
    );
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain(
      'sales is being deployed. This page turns into the app as soon as it is live.',
    );
    expect(response.body).toContain('<meta http-equiv="refresh" content="5">');
    expect(response.headers['retry-after']).toBe('5');
  });

  it('tells the visitors of a failed app why, in one line, escaped', () => {
    const response = problemResponse(
      {
        kind: 'app_unavailable',
        appName: 'sales',
        status: 'failed',
        reason: 'The main file <app.py> is missing.',
      },
      { dashboardUrl, acceptHeader: browser },
    );
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('sales is not running: The main file &lt;app.py&gt; is missing.');
    expect(response.body).toContain('If you came to use it, let its developers know.');
  });

  it.each(['failed', 'crashed', 'stopped'] as const)(
    'says a %s app is not running and links to it',
    (status) => {
      const response = problemResponse(
        { kind: 'app_unavailable', appName: 'sales', status },
        { dashboardUrl, acceptHeader: browser },
      );
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain(`sales is not running (it is ${status})`);
      expect(response.body).toContain('href="http://localhost:4100/apps/sales"');
      expect(response.body).not.toContain('http-equiv="refresh"');
    },
  );

  it('says an app that refuses connections is not answering', () => {
    const response = problemResponse(
      { kind: 'upstream_unreachable', appName: 'sales' },
      { dashboardUrl, acceptHeader: browser },
    );
    expect(response.statusCode).toBe(502);
    expect(response.body).toContain('sales is not answering');
    expect(response.body).toContain('/apps/sales');
  });

  it('escapes every interpolated value', () => {
    const response = problemResponse(
      { kind: 'app_not_found', appName: '<script>alert("x")</script>' },
      { dashboardUrl: 'http://localhost/"><b>', acceptHeader: browser },
    );
    expect(response.body).not.toContain('<script>');
    expect(response.body).not.toContain('"><b>');
    expect(response.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('answers non-browser clients with JSON and the same status', () => {
    for (const acceptHeader of [undefined, 'application/json', '*/*']) {
      const response = problemResponse(
        { kind: 'app_unavailable', appName: 'sales', status: 'crashed' },
        { dashboardUrl, acceptHeader },
      );
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toContain('application/json');
      expect(JSON.parse(response.body)).toEqual({
        error: { code: 'app_not_running', message: 'sales is not running (it is crashed).' },
      });
    }
  });
});
