/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native and SDK packages stay as Node requires on the server rather than being bundled.
  serverExternalPackages: ["better-sqlite3"],
};

module.exports = nextConfig;
