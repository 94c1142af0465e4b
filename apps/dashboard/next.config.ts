import path from 'node:path';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The shared workspace ships TypeScript sources.
  transpilePackages: ['@cove/shared'],
  // Node-only libraries load with require at run time instead of being bundled.
  serverExternalPackages: ['pg', 'ioredis', 'bullmq', 'pino', 'tar'],
  turbopack: { root: path.join(import.meta.dirname, '../..') },
  poweredByHeader: false,
  // No other page may frame the dashboard (clickjacking its buttons from an app's page: security
  // review M2). X-Frame-Options is for browsers that do not read frame-ancestors.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
