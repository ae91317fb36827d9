/**
 * Turns the shared world into HubSpot records. Cross-system facts (people, companies,
 * owners, ids, timestamps) come from the world; what only the CRM has — owner teams, former
 * (archived) owners, lead statuses, a few blank fields — is drawn from `prng.fork('crm')`,
 * so changing it never reshuffles the other vendors' data. Linear in the world's size.
 */
import type { World } from '../world.ts';
import { DEAL_CURRENCIES, LAST_MODIFIED_PROPERTY, LEAD_STATUSES, LINK_PRIMARY, LINK_UNLABELED } from './schema.ts';
import { type CrmRecord, type CrmStore, iso } from './store.ts';

export interface CrmTeam {
  id: string;
  name: string;
}

export interface CrmOwner {
  id: string;
  email: string;
  type: 'PERSON' | 'QUEUE';
  firstName: string;
  lastName: string;
  userId: number | null;
  userIdIncludingInactive: number;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  teams: Array<CrmTeam & { primary: boolean }>;
}

const TEAMS = ['Sales EMEA', 'Sales Americas', 'Sales APAC', 'Customer Success', 'Partnerships'];
const FORMER_OWNERS: ReadonlyArray<[string, string]> = [
  ['Ada', 'Former'],
  ['Ivan', 'Departed'],
];

export interface CrmSeed {
  owners: CrmOwner[];
}

export function seedCrm(world: World, store: CrmStore): CrmSeed {
  const rnd = world.prng.fork('crm');
  store.reset();

  const teams: CrmTeam[] = TEAMS.map((name, i) => ({ id: String(5_100_001 + i), name }));
  const owners: CrmOwner[] = world.owners.map((o) => {
    const team = rnd.pick(teams);
    return {
      id: o.id,
      email: o.email,
      type: 'PERSON',
      firstName: o.firstName,
      lastName: o.lastName,
      userId: o.userId,
      userIdIncludingInactive: o.userId,
      createdAt: o.createdAt,
      updatedAt: Math.min(world.now, o.createdAt + rnd.int(0, 90) * 86_400_000),
      archived: false,
      teams: [{ ...team, primary: true }],
    };
  });
  // People who left: still resolvable with archived=true, owning nothing. Deactivated
  // users keep userIdIncludingInactive while userId becomes null, as in HubSpot.
  FORMER_OWNERS.forEach(([firstName, lastName], i) => {
    const createdAt = world.now - rnd.int(400, 700) * 86_400_000;
    owners.push({
      id: String(49_000_001 + i),
      email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@switchboard-demo.example`,
      type: 'PERSON',
      firstName,
      lastName,
      userId: null,
      userIdIncludingInactive: 9_900_001 + i,
      createdAt,
      updatedAt: createdAt + rnd.int(100, 300) * 86_400_000,
      archived: true,
      teams: [],
    });
  });

  const companies = new Map<string, CrmRecord>();
  for (const c of world.companies) {
    const record = newRecord('companies', c, {
      name: c.name,
      domain: c.domain,
      website: `https://www.${c.domain}`,
      industry: c.industry,
      city: c.city,
      country: c.country,
      numberofemployees: String(c.numberOfEmployees),
      annualrevenue: String(c.annualRevenue),
      hubspot_owner_id: c.ownerId,
    });
    companies.set(c.id, record);
    store.seed(record);
  }

  const contacts = new Map<string, CrmRecord>();
  for (const c of world.contacts) {
    const company = c.companyId ? companies.get(c.companyId) : undefined;
    const properties: Record<string, string> = {
      firstname: c.firstName,
      lastname: c.lastName,
      // HubSpot lowercases emails on write; the world's are lowercase already.
      email: c.email.toLowerCase(),
      lifecyclestage: c.lifecycleStage,
      hubspot_owner_id: c.ownerId,
    };
    // Real CRMs are patchy: some contacts never got a phone number or a job title.
    if (rnd.chance(0.9)) properties.phone = c.phone;
    if (rnd.chance(0.9)) properties.jobtitle = c.jobTitle;
    if (rnd.chance(0.6)) properties.hs_lead_status = rnd.pick(LEAD_STATUSES);
    if (company) {
      properties.company = company.properties.name;
      properties.city = company.properties.city;
      properties.country = company.properties.country;
    }
    const record = newRecord('contacts', c, properties);
    contacts.set(c.id, record);
    store.seed(record);
    if (company) store.seedLink(record, company, LINK_PRIMARY | LINK_UNLABELED);
  }

  world.deals.forEach((d, i) => {
    const record = newRecord('deals', d, {
      dealname: d.name,
      amount: String(d.amount),
      ...dealCurrency(i),
      dealstage: d.stage,
      pipeline: d.pipeline,
      closedate: iso(d.closeDate),
      hubspot_owner_id: d.ownerId,
    });
    store.seed(record);
    const company = d.companyId ? companies.get(d.companyId) : undefined;
    if (company) store.seedLink(record, company, LINK_PRIMARY | LINK_UNLABELED);
    for (const contactId of d.contactIds) {
      const contact = contacts.get(contactId);
      if (contact) store.seedLink(record, contact, LINK_UNLABELED);
    }
  });

  return { owners };
}

/**
 * A portal with multiple currencies: half the deals carry no `deal_currency_code` (in the
 * company currency, as deals from before multi-currency are), a quarter say USD, and a
 * quarter another currency in turn — the 4th deal EUR, the 8th GBP, the 12th JPY (no minor
 * unit), the 16th KWD (three decimals). By position, not drawn, so the rest of the seed is
 * unchanged and tests can name a deal of each kind.
 */
function dealCurrency(index: number): { deal_currency_code?: string } {
  if (index % 4 === 1) return { deal_currency_code: 'USD' };
  if (index % 4 === 3) return { deal_currency_code: DEAL_CURRENCIES[1 + ((index >> 2) % (DEAL_CURRENCIES.length - 1))] };
  return {};
}

/** A seeded record: the properties every record has (its id and timestamps), then its own. */
function newRecord(
  type: CrmRecord['type'],
  { id, createdAt, updatedAt }: { id: string; createdAt: number; updatedAt: number },
  own: Record<string, string>,
): CrmRecord {
  const properties: Record<string, string> = {
    hs_object_id: id,
    createdate: iso(createdAt),
    [LAST_MODIFIED_PROPERTY[type]]: iso(updatedAt),
    ...own,
  };
  return {
    type,
    id,
    num: Number(id),
    properties,
    createdAt,
    updatedAt,
    archived: false,
    archivedAt: null,
    links: {},
    history: null,
    indexed: null,
  };
}
