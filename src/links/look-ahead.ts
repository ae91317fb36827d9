/**
 * Look-ahead across systems (its Yoga hook: src/plugins/use-look-ahead.ts). Stitching
 * delegates level by level: the billing customers of a contact page are asked of Stripe only once the CRM subschema has answered the whole
 * page — its companies and owners included, one HubSpot round trip after the contacts
 * themselves were known. When an operation selects `billingCustomer` (or `invoices`,
 * `subscriptions`, which go through it) on contacts and the caller may read billing data,
 * the request's billing loaders are started early:
 * - for the contacts of a root `contacts` list, as soon as the CRM loaders have them;
 * - for a root `contact(id:)`, at once: the customer search by `hubspot_contact_id` needs
 *   only the id, so it runs beside the HubSpot read instead of after it;
 * - in both cases, the invoices or subscriptions the operation selects of the customers
 *   that search names, as soon as it has answered (for a page: for all its contacts, so
 *   one invoice search still serves ten customers) — not once stitching, after the CRM
 *   subschema's companies and owners, reaches the billing fields. A link that rests on
 *   the email fallback, which needs the contact's email, waits for the contact as before.
 * The billing subschema then finds them in flight in the same per-request DataLoader:
 * nothing is read twice, and nothing is read that the operation does not ask for or may
 * not see. (A `contact(id:)` naming no contact costs that one search.)
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getOperationAST,
  Kind,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { hasScopes, type Principal } from '../auth/scopes.ts';
import type { BillingLoaders, CustomerList } from '../systems/billing/index.ts';
import type { CrmContact, CrmHooks } from '../systems/crm/index.ts';

/** What the running operation will ask of other systems, set before execution. */
export interface LookAhead {
  /** Set when a root `contacts` list selects a customer-linked field: the customer lists it selects too. */
  contactPages?: readonly CustomerList[];
}

/** The field whose scope requirement (the schema's `@requiresScopes`) gates the look-ahead. */
export const LOOK_AHEAD_COORDINATE = 'Contact.billingCustomer';

/** What the look-ahead reads and starts of one request. */
export interface LookAheadRequest {
  principal?: Principal;
  lookAhead: LookAhead;
  /** Read only when there is something to start: a request that needs no billing builds no billing loaders. */
  readonly loaders: { readonly billing: BillingLoaders };
}

/**
 * Plans the operation and starts what it will ask of billing. `requiredScopes`: the
 * alternative scope sets the schema requires of LOOK_AHEAD_COORDINATE — a caller without
 * them gets FORBIDDEN there, and must not cause a Stripe call here either.
 */
export function startLookAhead(
  request: LookAheadRequest,
  operation: { document: DocumentNode; operationName?: string | null; variableValues?: Readonly<Record<string, unknown>> | null },
  requiredScopes: readonly (readonly string[])[],
): void {
  if (!requiredScopes.some((scopes) => hasScopes(request.principal, scopes))) return;
  const plan = planOf(operation.document, operation.operationName ?? undefined);
  if (plan.pages) request.lookAhead.contactPages = plan.pages.lists;
  const ids = plan.contacts.ids.map((node) =>
    node.kind === Kind.VARIABLE
      ? operation.variableValues?.[node.name.value]
      : node.kind === Kind.STRING || node.kind === Kind.INT
        ? node.value
        : undefined,
  );
  // HubSpot record IDs are numeric; anything else is an error the CRM read reports.
  const valid = ids
    .filter((id): id is string | number => (typeof id === 'string' || typeof id === 'number') && /^\d+$/.test(String(id)))
    .map(String);
  if (valid.length > 0) request.loaders.billing.startCustomerLinks(valid, plan.contacts.lists);
}

/**
 * The CRM loaders' hooks: starts the billing-customer lookups of a contact page, when the
 * operation will need them. `billing` is asked for only then.
 */
export function lookAheadHooks(lookAhead: LookAhead, billing: () => BillingLoaders): CrmHooks {
  return {
    onContactPage(contacts: readonly CrmContact[]) {
      const lists = lookAhead.contactPages;
      if (!lists) return;
      const loaders = billing();
      // Failures surface where the billing subschema awaits the same lookups.
      for (const contact of contacts)
        loaders.customerForContact({ id: contact.id, email: contact.properties.email }).catch(() => undefined);
      if (lists.length > 0)
        loaders.startCustomerLinks(
          contacts.map((contact) => contact.id),
          lists,
        );
    },
  };
}

/** The Contact fields billing resolves through the contact's customer link. */
const CUSTOMER_FIELDS = new Set(['billingCustomer', 'invoices', 'subscriptions']);

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/** The customer-linked selections on contacts: where they are, and the customer lists among them. */
interface Selected {
  lists: CustomerList[];
}

/** What an operation will ask of billing through contacts: decided once per document and operation. */
interface Plan {
  /** Root `contacts` lists that select a customer-linked field on their contacts. */
  pages?: Selected;
  /** Root `contact` fields that select one: their `id` arguments. */
  contacts: Selected & { ids: ValueNode[] };
}

const plans = new WeakMap<DocumentNode, Map<string | undefined, Plan>>();

function planOf(document: DocumentNode, operationName: string | undefined): Plan {
  let byOperation = plans.get(document);
  if (!byOperation) plans.set(document, (byOperation = new Map()));
  let plan = byOperation.get(operationName);
  if (plan) return plan;
  const operation = getOperationAST(document, operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const pageLists = new Set<CustomerList>();
  const contactLists = new Set<CustomerList>();
  let pages = false;
  const ids: ValueNode[] = [];
  // Whether one contact selection asks for its customer, adding the customer lists it selects.
  const select = (contact: SelectionSetNode, lists: Set<CustomerList>) => {
    const fields = fieldsOf(contact, fragments).filter((field) => CUSTOMER_FIELDS.has(field.name.value));
    for (const field of fields) {
      const onCustomer = field.name.value === 'billingCustomer' && field.selectionSet ? fieldsOf(field.selectionSet, fragments) : [];
      for (const list of [field, ...onCustomer])
        if (list.name.value === 'invoices' || list.name.value === 'subscriptions') lists.add(list.name.value);
    }
    return fields.length > 0;
  };
  for (const root of operation?.operation === 'query' ? fieldsOf(operation.selectionSet, fragments) : []) {
    if (root.name.value === 'contacts') {
      for (const contact of contactSets(root, fragments)) if (select(contact, pageLists)) pages = true;
    }
    const id = root.name.value === 'contact' ? root.arguments?.find((argument) => argument.name.value === 'id') : undefined;
    if (id && root.selectionSet && select(root.selectionSet, contactLists)) ids.push(id.value);
  }
  plan = { ...(pages ? { pages: { lists: [...pageLists] } } : {}), contacts: { ids, lists: [...contactLists] } };
  byOperation.set(operationName, plan);
  return plan;
}

/** The selection sets applied to each contact of a connection: `nodes { … }` and `edges { node { … } }`. */
function contactSets(connection: FieldNode, fragments: Fragments): SelectionSetNode[] {
  const sub = (field: FieldNode, name: string) =>
    field.selectionSet ? fieldsOf(field.selectionSet, fragments).filter((f) => f.name.value === name && f.selectionSet) : [];
  return [...sub(connection, 'nodes'), ...sub(connection, 'edges').flatMap((edges) => sub(edges, 'node'))].map(
    (field) => field.selectionSet!,
  );
}

/** The fields of one level of a selection set that every request selects, through inline fragments and fragment spreads. */
function fieldsOf(set: SelectionSetNode, fragments: Fragments, seen = new Set<string>()): FieldNode[] {
  return set.selections.flatMap((selection): FieldNode[] => {
    // A selection under @skip or @include may not be wanted by this request: never read ahead for it.
    if (selection.directives?.some((directive) => directive.name.value === 'skip' || directive.name.value === 'include')) return [];
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return [];
    seen.add(fragment.name.value);
    return fieldsOf(fragment.selectionSet, fragments, seen);
  });
}
