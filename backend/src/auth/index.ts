/**
 * The platform's own principals: operator API keys (`apiKeys.ts`), Sign-In with Ethereum nonces and sessions
 * (`sessions.ts`), and the token format they share (`secrets.ts`). The owner of `api_keys`, `siwe_nonces` and
 * `api_sessions`; the API's auth guard and routes and the `carbon api-key` command call it.
 */
export * from "./apiKeys";
export * from "./secrets";
export * from "./sessions";
