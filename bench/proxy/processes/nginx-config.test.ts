import { describe, expect, it } from 'vitest';
import { nginxConfig } from './nginx-config';

describe('nginxConfig', () => {
  const config = nginxConfig({
    workerProcesses: 'auto',
    listenPort: 8081,
    upstreamPort: 9000,
    prefix: '/tmp/b',
  });

  it('proxies to the upstream with keep-alive and the WebSocket upgrade headers', () => {
    expect(config).toContain('worker_processes auto;');
    expect(config).toContain('listen 127.0.0.1:8081');
    expect(config).toContain('server 127.0.0.1:9000;');
    expect(config).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(config).toContain('proxy_set_header Connection $connection_upgrade;');
  });

  it('keeps every file under its own prefix', () => {
    const paths = config.match(/\s(\/\S+);/g) ?? [];
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths) expect(path.trim().startsWith('/tmp/b/')).toBe(true);
  });
});
