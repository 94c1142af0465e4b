// nginx set up the way one would put it in front of a Streamlit app: keep-alive to the upstream,
// WebSocket upgrade headers, forwarded-for headers, long read timeouts for WebSockets. All paths
// live under the benchmark's temporary prefix, so it never touches /etc/nginx or /var/log/nginx.

export interface NginxConfigOptions {
  /** A count, or 'auto' for one worker per core. */
  workerProcesses: number | 'auto';
  listenPort: number;
  upstreamPort: number;
  /** Absolute directory for the pid file, logs and temp files. */
  prefix: string;
}

export function nginxConfig(options: NginxConfigOptions): string {
  const { prefix } = options;
  return `# Written by Cove's proxy benchmark; runs in the foreground and is removed afterwards.
daemon off;
worker_processes ${options.workerProcesses};
worker_rlimit_nofile 32768;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;

events {
  worker_connections 16384;
}

http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  # Cove keeps client and upstream connections open for any number of requests; so does this.
  keepalive_requests 1000000;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' '';
  }

  upstream app {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }

  server {
    listen 127.0.0.1:${options.listenPort} backlog=4096;
    server_name _;

    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_read_timeout 86400s;
      proxy_send_timeout 86400s;
    }
  }
}
`;
}
