/** Readers for the settings that are more than one variable each: cache TTLs, a system's URL and credential, auth. */
import type { SystemName } from '../errors.ts';
import { DEFAULT_DIRECTORY_REFRESH_SECONDS, factsOf } from '../systems/catalog.ts';
import { DEFAULT_CACHE_TTL_SECONDS } from './defaults.ts';
import type { FieldName } from './fields.ts';
import type { Reader } from './reader.ts';
import type { SystemSettings } from './systems.ts';
import { MAX_TTL_SECONDS, TTL_PREFIX, whole } from './schemas.ts';
import type { AuthConfig, Mode } from './types.ts';

/** CACHE_TTL_CUSTOMER_BY_CONTACT → customerByContact */
function resourceFromTtlName(name: string): string {
  const [first = '', ...rest] = name.slice(TTL_PREFIX.length).toLowerCase().split('_');
  return first + rest.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

/**
 * SLACK_DIRECTORY_REFRESH_SECONDS: how long a process serves its Slack user directory before
 * re-reading it, which is also the TTL of the copy replicas share — kept as
 * `ttlSeconds.userDirectory` (so CACHE_TTL_USER_DIRECTORY says the same; the named variable
 * wins). It is not in DEFAULT_CACHE_TTL_SECONDS on purpose: turning every record TTL off
 * (CACHE_TTL_DEFAULT=0 …) does not turn the directory off.
 */
export function withDirectoryRefresh(ttlSeconds: Record<string, number>, refreshSeconds: number | undefined): Record<string, number> {
  return { ...ttlSeconds, userDirectory: refreshSeconds ?? ttlSeconds.userDirectory ?? DEFAULT_DIRECTORY_REFRESH_SECONDS };
}

/** `defaults`: the TTLs before CACHE_TTL_* (the vendors' defaults, as the configured plans change them). */
export function readTtls(reader: Reader, defaults: Readonly<Record<string, number>> = DEFAULT_CACHE_TTL_SECONDS): Record<string, number> {
  const ttlSeconds: Record<string, number> = { ...defaults };
  const schema = whole(0, MAX_TTL_SECONDS);
  for (const name of reader.ttlNames()) {
    if (!/^CACHE_TTL_[A-Z0-9]+(_[A-Z0-9]+)*$/.test(name)) {
      reader.problem(name, 'is not a valid resource TTL name', 'use CACHE_TTL_<RESOURCE> in upper snake case, e.g. CACHE_TTL_CONTACT');
      continue;
    }
    const raw = reader.raw(name);
    if (!raw) continue;
    const seconds = reader.parse(name, raw, {
      schema,
      hint: `set the TTL in seconds (0 disables caching for it, at most ${MAX_TTL_SECONDS})`,
    });
    if (seconds !== undefined) ttlSeconds[resourceFromTtlName(name)] = seconds;
  }
  return ttlSeconds;
}

export function readSystem(reader: Reader, system: SystemName, mode: Mode | undefined): SystemSettings {
  const facts = factsOf(system);
  const vars = { url: facts.env.baseUrl.name as FieldName, credential: facts.env.credential.name as FieldName, label: facts.configLabel };
  const urlSet = reader.raw(vars.url) !== undefined;
  const credentialSet = reader.raw(vars.credential) !== undefined;
  const baseUrl = reader.get(vars.url) as string | undefined;
  const secret = reader.get(vars.credential) as string | undefined;
  if (urlSet && !credentialSet) {
    reader.problem(
      vars.credential,
      `is missing while ${vars.url} is set`,
      `set ${vars.credential} too, or unset ${vars.url} to use the embedded ${vars.label} sandbox`,
    );
  }
  if (!urlSet && !credentialSet && mode === 'production') {
    reader.problem(
      vars.credential,
      `is missing, and production mode does not serve ${vars.label} from the sandbox`,
      `set ${vars.credential} (and ${vars.url} for a non-vendor endpoint), or run with SWITCHBOARD_MODE=demo`,
    );
  }
  if (!credentialSet) return {};
  return { baseUrl: urlSet ? baseUrl : facts.vendorBaseUrl, credential: secret };
}

export function readAuth(reader: Reader, mode: Mode | undefined): AuthConfig {
  const apiKeys = reader.get('SWITCHBOARD_API_KEYS') ?? [];
  const jwksUrl = reader.get('JWT_JWKS_URL');
  const publicKey = reader.get('JWT_PUBLIC_KEY');
  const issuer = reader.get('JWT_ISSUER');
  const audience = reader.get('JWT_AUDIENCE');
  const jwtSet = reader.raw('JWT_JWKS_URL') !== undefined || reader.raw('JWT_PUBLIC_KEY') !== undefined;
  if (reader.raw('JWT_JWKS_URL') && reader.raw('JWT_PUBLIC_KEY')) {
    reader.problem('JWT_PUBLIC_KEY', 'is set together with JWT_JWKS_URL', 'set only one way to find the signing key');
  }
  // A production verifier that accepts any issuer or audience would accept tokens minted for other apps.
  if (jwtSet && mode === 'production') {
    if (!reader.raw('JWT_ISSUER'))
      reader.problem('JWT_ISSUER', 'is missing while JWT verification is on in production', 'set the issuer tokens must come from');
    if (!reader.raw('JWT_AUDIENCE'))
      reader.problem('JWT_AUDIENCE', 'is missing while JWT verification is on in production', "set this gateway's audience");
  }
  const devApiKey = reader.get('SWITCHBOARD_DEV_KEY');
  if (devApiKey && mode === 'production') {
    reader.problem('SWITCHBOARD_DEV_KEY', 'is set in production mode', 'unset it: production clients use keys from SWITCHBOARD_API_KEYS');
  }
  if (!jwtSet) return { apiKeys, devApiKey };
  return {
    apiKeys,
    devApiKey,
    jwt: {
      jwksUrl,
      publicKey,
      algorithm: reader.get('JWT_ALGORITHM') ?? 'RS256',
      issuer,
      audience,
      scopesClaim: reader.get('JWT_SCOPES_CLAIM') ?? 'scope',
      clockSkewSeconds: reader.get('JWT_CLOCK_SKEW_SECONDS') ?? 30,
    },
  };
}
