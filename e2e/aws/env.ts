// Shared by playwright.config.ts, the "aws" project's server wrapper (./moto-server.ts) and its
// spec. The token is a test-only secret: the server's configuration holds only its SHA-256.

/** CAPSTAN_E2E_PORT_BASE + 2 (default 3102): see playwright.config.ts. */
export const AWS_E2E_PORT = Number(process.env.CAPSTAN_E2E_PORT_BASE || 3100) + 2;
export const AWS_E2E_DATA_DIR = ".e2e-data/aws";
/** Written by the wrapper once moto is up and seeded: `{ "url": "http://127.0.0.1:<port>" }`. */
export const AWS_E2E_STATE_FILE = `${AWS_E2E_DATA_DIR}/moto.json`;
export const AWS_E2E_TOKEN_NAME = "e2e-aws-operator";
export const AWS_E2E_TOKEN = "cap_e2e-aws-operator-not-a-secret-0123456789";
