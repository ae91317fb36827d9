/**
 * The query mix of issue 16: distinct read operations (contact pages at several cursors and
 * sizes, contacts filtered by owner or lifecycle stage, contacts by ID with different
 * selections, deals, companies with their contacts, customers with invoices, chat users and
 * channels), so that in-flight sharing of identical reads cannot flatter an executed
 * figure the way it can flatter a repeated W1. The cursors and IDs come from a short walk
 * of the lists on the server the mix is for (the gateway's cursors are not the baseline's),
 * so the gateway and the plain-Yoga baseline are sent the same operations over the same
 * pages; the order is a fixed shuffle, cycled.
 */
import { seededShuffle } from './workloads.ts';

export interface MixOperation {
  /** e.g. `contacts-page 30 after page 2`: shown when the operation fails. */
  name: string;
  body: string;
}

/** One request to the server the mix is for; an answer with `errors` must throw. */
export type MixPost = (payload: string) => Promise<{ data?: Record<string, unknown> | null }>;

export interface MixFacts {
  ownerIds: string[];
}

const CONTACT_LINKS = /* GraphQL */ `
  id firstName lastName email lifecycleStage
  company { id name domain }
  owner { id email firstName lastName chatUser { id name displayName } }
  billingCustomer { id email name invoices(status: OPEN) { id number status amountDue { amount currency formatted } dueDate } }
`;

/** Selections of a contact read by ID: all of W2's links, the CRM only, owner and billing, deals. */
const CONTACT_SELECTIONS = [
  CONTACT_LINKS,
  'id firstName lastName jobTitle phone lifecycleStage company { id name industry city country }',
  'id email owner { id email chatUser { id name } } billingCustomer { id name invoices { id status total { formatted } } }',
  'id firstName lastName deals(first: 5) { id name stage amount } company { id name }',
];

const CONTACTS_PAGE = `query MixContactsPage($first: Int!, $after: String) {
  contacts(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${CONTACT_LINKS} } }
}`;
const CONTACTS_PAGE_LIGHT = `query MixContactsPageLight($first: Int!, $after: String) {
  contacts(first: $first, after: $after) { pageInfo { endCursor } nodes { id firstName lastName email company { id name } } }
}`;
const CONTACTS_FILTERED = `query MixContactsFiltered($first: Int!, $filter: ContactFilter) {
  contacts(first: $first, filter: $filter) {
    totalCount
    nodes { id firstName lastName email lifecycleStage company { id name } owner { id email } billingCustomer { id email } }
  }
}`;
const CONTACT_BY_ID = (selection: number) =>
  `query MixContact${selection}($id: ID!) { contact(id: $id) { ${CONTACT_SELECTIONS[selection]} } }`;
const DEALS = `query MixDeals($first: Int!, $filter: DealFilter) {
  deals(first: $first, filter: $filter) {
    totalCount
    nodes { id name amount stage closeDate company { id name } owner { id email chatUser { id name } } }
  }
}`;
const COMPANIES = `query MixCompanies($first: Int!, $after: String) {
  companies(first: $first, after: $after) {
    nodes { id name domain industry contacts(first: 5) { id firstName lastName email } }
  }
}`;
const CUSTOMERS = `query MixCustomers($first: Int!, $after: String) {
  customers(first: $first, after: $after) {
    nodes { id email name hubspotContactId invoices(status: OPEN) { id number status amountDue { amount currency formatted } dueDate } }
  }
}`;
const CUSTOMERS_WITH_CONTACT = `query MixCustomersWithContact($first: Int!) {
  customers(first: $first) { nodes { id email hubspotContactId contact { id firstName lastName company { name } } } }
}`;
const CHAT_USERS = `query MixChatUsers($first: Int!, $after: String) {
  chatUsers(first: $first, after: $after) { totalCount nodes { id name displayName realName isBot timeZone } }
}`;
const CHAT_USER = `query MixChatUser($id: ID!) { chatUser(id: $id) { id name displayName realName owner { id email firstName lastName } } }`;
const CHANNELS = `query MixChannels($first: Int!) {
  channels(first: $first) { totalCount nodes { id name topic purpose isPrivate isArchived memberCount } }
}`;

const STAGES = ['LEAD', 'CUSTOMER', 'OPPORTUNITY', 'SUBSCRIBER'];
const DEAL_STAGES = ['APPOINTMENT_SCHEDULED', 'CONTRACT_SENT', 'CLOSED_WON', 'QUALIFIED_TO_BUY', 'CLOSED_LOST'];

const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

interface Walked {
  /** Cursors to each page of a list: `[null, after page 1, after page 2, …]`. */
  cursors: (string | null)[];
  ids: string[];
}

/** Follows `list`'s pages of `size` from the start, `pages` of them. */
async function walk(post: MixPost, list: string, size: number, pages: number): Promise<Walked> {
  const query = `query MixWalk($after: String) { ${list}(first: ${size}, after: $after) { pageInfo { endCursor } nodes { id } } }`;
  const cursors: (string | null)[] = [null];
  const ids: string[] = [];
  for (let page = 0; page < pages; page++) {
    const { data } = await post(body(query, { after: cursors[page] }));
    const connection = data?.[list] as { pageInfo: { endCursor: string | null }; nodes: { id: string }[] };
    cursors.push(connection.pageInfo.endCursor);
    ids.push(...connection.nodes.map((n) => n.id));
  }
  return { cursors, ids };
}

/** Every `count`-th of `items`, spread over the whole list. */
const spread = <T>(items: T[], count: number): T[] =>
  Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]);

/** `query` over pages of a walked list: the i-th asks for `firsts[i]` items after page `pages[i]`. */
const paged = (label: string, query: string, list: Walked, firsts: number[], pages: number[]): MixOperation[] =>
  firsts.map((first, i) => ({
    name: `${label} ${first} after page ${pages[i]}`,
    body: body(query, { first, after: list.cursors[pages[i]] }),
  }));

function contactOperations(contacts: Walked, facts: MixFacts): MixOperation[] {
  const owners = spread(facts.ownerIds, 6);
  const filtered = (name: string, first: number, filter: Record<string, string>) => ({
    name: `contacts ${name}`,
    body: body(CONTACTS_FILTERED, { first, filter }),
  });
  return [
    // Pages past W1's, and at other sizes.
    ...paged('contacts page', CONTACTS_PAGE, contacts, [50, 50, 50, 20, 30, 40, 25, 10, 35, 45], [1, 2, 3, 0, 1, 2, 3, 4, 5, 4]),
    ...paged('contacts light', CONTACTS_PAGE_LIGHT, contacts, [100, 60, 15], [1, 3, 5]),
    ...owners.map((ownerId, i) => filtered(`of owner ${ownerId}`, 15 + i * 3, { ownerId })),
    ...STAGES.map((lifecycleStage, i) => filtered(`at ${lifecycleStage}`, 20 + i * 5, { lifecycleStage })),
    ...owners.slice(0, 2).map((ownerId, i) => filtered(`of owner ${ownerId} at ${STAGES[i]}`, 10, { ownerId, lifecycleStage: STAGES[i] })),
    ...spread(contacts.ids, 16).map((id, i) => ({ name: `contact ${id}, selection ${i % 4}`, body: body(CONTACT_BY_ID(i % 4), { id }) })),
  ];
}

function otherOperations(walked: Record<'companies' | 'customers' | 'chatUsers', Walked>): MixOperation[] {
  return [
    ...DEAL_STAGES.map((stage, i) => ({ name: `deals at ${stage}`, body: body(DEALS, { first: 10 + i * 5, filter: { stage } }) })),
    { name: 'deals page 30', body: body(DEALS, { first: 30 }) },
    ...paged('companies', COMPANIES, walked.companies, [10, 20, 15, 10], [0, 1, 2, 3]),
    ...paged('customers', CUSTOMERS, walked.customers, [10, 20, 10, 15], [0, 1, 2, 3]),
    { name: 'customers with contacts', body: body(CUSTOMERS_WITH_CONTACT, { first: 10 }) },
    ...paged('chat users', CHAT_USERS, walked.chatUsers, [50, 40, 30], [0, 1, 2]),
    ...spread(walked.chatUsers.ids, 4).map((id) => ({ name: `chat user ${id}`, body: body(CHAT_USER, { id }) })),
    ...[20, 50].map((first) => ({ name: `channels ${first}`, body: body(CHANNELS, { first }) })),
  ];
}

/**
 * The mix's operations for the server `post` reaches, in their fixed shuffled order; each is
 * sent once here, so an operation the server cannot answer fails now, by name, not as an
 * error count in a load run (and whatever the operations read is in the record caches).
 */
export async function buildMix(post: MixPost, facts: MixFacts): Promise<MixOperation[]> {
  const [contacts, companies, customers, chatUsers] = [
    await walk(post, 'contacts', 50, 6),
    await walk(post, 'companies', 20, 3),
    await walk(post, 'customers', 10, 3),
    await walk(post, 'chatUsers', 50, 2),
  ];
  const ops = seededShuffle([...contactOperations(contacts, facts), ...otherOperations({ companies, customers, chatUsers })]);
  for (const op of ops) {
    try {
      await post(op.body);
    } catch (error) {
      throw new Error(`mix operation "${op.name}" failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return ops;
}

/** The bodies of `items` (operations, or bodies) in rotation, from the first. */
export function rotation(items: (MixOperation | string)[]): () => string {
  let next = 0;
  return () => {
    const item = items[next++ % items.length];
    return typeof item === 'string' ? item : item.body;
  };
}
