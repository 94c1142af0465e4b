import path from 'node:path';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The shared workspace ships TypeScript sources.
  transpilePackages: ['@cove/shared'],
  // Node-only libraries load with require at run time instead of being bundled.
  serverExternalPackages: ['pg', 'ioredis', 'bullmq', 'pino'],
  turbopack: { root: path.join(import.meta.dirname, '../..') },
  poweredByHeader: false,
};

export default nextConfig;
