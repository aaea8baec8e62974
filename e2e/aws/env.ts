// Shared by playwright.config.ts, the "aws" project's server wrapper (./moto-server.ts) and its
// spec. The token is a test-only secret: the server's configuration holds only its SHA-256.

/** The e2e servers listen on BASE (sim), BASE+1 (faults), BASE+2 (aws), BASE+3 (loop); CAPSTAN_E2E_BASE_PORT moves them all. */
export const E2E_BASE_PORT = Number(process.env.CAPSTAN_E2E_BASE_PORT || 3100);
export const AWS_E2E_PORT = E2E_BASE_PORT + 2;
export const AWS_E2E_DATA_DIR = ".e2e-data/aws";
/** Written by the wrapper once moto is up and seeded: `{ "url": "http://127.0.0.1:<port>" }`. */
export const AWS_E2E_STATE_FILE = `${AWS_E2E_DATA_DIR}/moto.json`;
export const AWS_E2E_TOKEN_NAME = "e2e-aws-operator";
export const AWS_E2E_TOKEN = "cap_e2e-aws-operator-not-a-secret-0123456789";
