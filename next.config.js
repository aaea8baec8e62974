/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // A self-contained server in .next/standalone (server.js and the traced node_modules): what the
  // container image ships and what `npm run serve`, the end-to-end tests and the bench start.
  // scripts/standalone.mjs (run by `npm run build`) adds the static assets and checks the result.
  output: "standalone",
  // Native and driver packages stay as Node requires on the server rather than being bundled.
  serverExternalPackages: ["better-sqlite3", "pg"],
};

module.exports = nextConfig;
