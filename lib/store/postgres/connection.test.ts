import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { databaseSettings, DEFAULT_POOL_SIZE } from "./connection";

describe("database settings from the environment", () => {
  it("unset: no PostgreSQL (the SQLite default)", () => {
    expect(databaseSettings({})).toBeNull();
    expect(databaseSettings({ CAPSTAN_DATABASE_URL: "  " })).toBeNull();
  });

  it("names where it connects without the password, and takes the pool size", () => {
    const s = databaseSettings({
      CAPSTAN_DATABASE_URL: "postgres://capstan:p%40ss-w0rd@db.internal:6432/capstan?sslmode=verify-full",
      CAPSTAN_DATABASE_POOL_SIZE: "20",
    });
    expect(s).toMatchObject({ poolSize: 20, where: "capstan@db.internal:6432/capstan" });
    expect(s!.where).not.toContain("w0rd");
    expect(databaseSettings({ CAPSTAN_DATABASE_URL: "postgresql://db/x" })).toMatchObject({
      poolSize: DEFAULT_POOL_SIZE,
      where: "db:5432/x",
    });
  });

  it("refuses malformed values naming the variable, never echoing the URL", () => {
    expect(() => databaseSettings({ CAPSTAN_DATABASE_URL: "mysql://root:topsecret@db/x" })).toThrow(
      /^CAPSTAN_DATABASE_URL: expected a postgres:\/\/ URL/,
    );
    expect(() => databaseSettings({ CAPSTAN_DATABASE_URL: "not a url topsecret" })).toThrow(
      /^CAPSTAN_DATABASE_URL: not a URL/,
    );
    expect(() => databaseSettings({ CAPSTAN_DATABASE_URL: "not a url topsecret" })).not.toThrow(/topsecret/);
    expect(() =>
      databaseSettings({ CAPSTAN_DATABASE_URL: "postgres://db/x", CAPSTAN_DATABASE_POOL_SIZE: "lots" }),
    ).toThrow(/^CAPSTAN_DATABASE_POOL_SIZE: expected a whole number/);
    expect(() =>
      databaseSettings({ CAPSTAN_DATABASE_URL: "postgres://db/x", CAPSTAN_DATABASE_POOL_SIZE: "1" }),
    ).toThrow(/CAPSTAN_DATABASE_POOL_SIZE/);
  });

  it("sslmode in the URL turns TLS on in the driver (RDS: sslmode=verify-full with sslrootcert)", () => {
    const params = (url: string) =>
      (new Client({ connectionString: url }) as unknown as { connectionParameters: { ssl: unknown } })
        .connectionParameters.ssl;
    expect(params("postgres://db/x?sslmode=require")).toBeTruthy();
    expect(params("postgres://db/x?sslmode=disable")).toBeFalsy();
    expect(params("postgres://db/x")).toBeFalsy();
  });
});
