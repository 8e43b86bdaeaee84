import type * as OtelApi from '@opentelemetry/api';

/** The OpenTelemetry API module, as heddle uses it. */
export type Api = typeof OtelApi;

let loaded: Api | null | undefined;

/**
 * `@opentelemetry/api` when the application installed it (an optional peer dependency), loaded
 * once, on the first client or server made; undefined otherwise, and heddle then traces nothing.
 */
export function otelApi(): Api | undefined {
  if (loaded === undefined) {
    try {
      loaded = require('@opentelemetry/api') as Api;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/**
 * The API's process-wide registry, shared by every copy of API major version 1 (the contract
 * between copies, see the API's global-utils): `trace` and `metrics` are present once an SDK
 * registered a provider. Reading it is how a call learns, for the cost of two property reads,
 * that nothing is listening.
 */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

/** Which global providers an SDK registered. */
export function registeredProviders(): { trace?: unknown; metrics?: unknown } | undefined {
  return (globalThis as Record<symbol, { trace?: unknown; metrics?: unknown } | undefined>)[GLOBAL_KEY];
}
