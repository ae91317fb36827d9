/**
 * The shape of a system's facts (src/systems/<system>/facts.ts): the plain data the lower
 * layers (errors, upstream, observability, config) need of a vendor. Its values reach them
 * through ./catalog.ts, read off the registry; its types through `FactsByName` below.
 */

/** A vendor quota: calls allowed per window. */
export interface BudgetLimit {
  /** Calls allowed per window. */
  limit: number;
  windowMs: number;
}

/** A setting naming the vendor plan or app kind, which picks the documented quotas (and TTLs that follow from them). */
export interface PlanSetting {
  name: string;
  values: readonly [string, ...string[]];
  default: string;
  hint: string;
  /** Per plan value, the default cache TTLs (seconds, by resource) that plan changes; CACHE_TTL_<RESOURCE> still wins. */
  ttlSeconds?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface SystemFacts {
  /** The system's name: the key of its settings, metrics labels, traces and `extensions.service`. */
  name: string;
  /** The vendor's name as it reads in a client-facing message ('HubSpot CRM'). */
  label: string;
  /** The system as configuration problems name it ('CRM': "the embedded CRM sandbox"). */
  configLabel: string;
  /** Where the vendor's API lives when only a credential is configured. */
  vendorBaseUrl: string;
  /** The embedded sandbox serves this system under this path prefix (Slack's Web API lives under `/api`). */
  sandboxPath: string;
  /** The environment variables of its settings, and the hint shown when each is wrong. */
  env: {
    baseUrl: { name: string; hint: string };
    credential: { name: string; hint: string };
    webhookSecret: { name: string; hint: string };
    /** UPSTREAM_BUDGET_<SYSTEM>: overrides the documented quota. */
    budget: string;
    /** The vendor plan or app kind its quotas depend on (HUBSPOT_PLAN), when they depend on one. */
    plan?: PlanSetting;
  };
  /** The field of `config.<name>` that holds the credential (`config.crm.token`). */
  credentialField: string;
  webhook: {
    /** The path segment of `POST /webhooks/<vendor>`. */
    vendor: string;
    /** The field of `config.webhooks` that holds its signing secret. */
    secretField: string;
  };
  /** Default TTLs in seconds by cache resource; CACHE_TTL_<RESOURCE> overrides each. */
  ttlSeconds: Readonly<Record<string, number>>;
  /** The vendor's documented quota, before any override. */
  quota: {
    /** The bucket a call to `route` draws from (per method for Slack, per credential for the others). */
    bucket(route: string): string;
    /** `plan`: the value of the system's plan setting (`env.plan`; its default when unset). */
    limit(bucket: string, credential: string, plan?: string): BudgetLimit;
    /**
     * The wider bucket a call of `bucket` also counts in, if any: HubSpot's search has a limit
     * of its own and still counts in the account's 10-second limit, so a search takes a slot in both.
     */
    within?(bucket: string): string | undefined;
  };
  /** A response header that says how many calls the vendor's window still allows. */
  rateLimitRemainingHeader?: string;
}

/**
 * Every system's facts by name, filled by each facts file (`declare module '../facts.ts'`).
 * The types of the layers below the system modules (errors, upstream, the modules' own
 * contract) are keyed by SystemName; deriving it from the registry would make every one of
 * them depend on every system, so each system adds itself here instead, and the registry's
 * compile check (EVERY_SYSTEM_REGISTERED) holds the two to the same list.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an augmentation target is empty by design
export interface FactsByName {}

export type SystemName = keyof FactsByName;
/** One system's facts, as its facts file typed them (literal names, env variables, fields). */
export type CatalogEntry = FactsByName[SystemName];
