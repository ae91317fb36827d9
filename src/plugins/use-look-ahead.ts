/**
 * Look-ahead across systems. Stitching delegates level by level: the billing customers of
 * a contact page are asked of Stripe only once the CRM subschema has answered the whole
 * page — its companies and owners included, one HubSpot round trip after the contacts
 * themselves were known. When an operation selects `billingCustomer` (or `invoices`,
 * `subscriptions`, which go through it) on the contacts of a root `contacts` list and the
 * caller may read billing data, the page's customer links are requested from the
 * request's billing loaders as soon as the CRM loaders have the contacts. The billing
 * subschema then finds them in flight in the same per-request DataLoader: nothing is read
 * twice, and nothing is read that the operation does not ask for or may not see.
 */
import { type DocumentNode, type FieldNode, type FragmentDefinitionNode, getOperationAST, Kind, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { hasScopes } from '../auth/scopes.ts';
import type { BillingLoaders } from '../connectors/billing/loaders.ts';
import type { CrmContact } from '../connectors/crm/schemas.ts';
import type { GatewayContext } from '../context.ts';

/** What the running operation will ask of other systems, set before execution. */
export interface LookAhead {
  contactCustomers: boolean;
}

export function useLookAhead(): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      // The scope schemas/billing.graphql requires of Contact's billing fields: a caller
      // without it gets FORBIDDEN there, and must not cause a Stripe call here either.
      if (hasScopes(context.principal, ['billing:read']) && selectsContactCustomers(args.document, args.operationName ?? undefined)) {
        context.lookAhead.contactCustomers = true;
      }
    },
  };
}

/** Starts the billing-customer lookups of a contact page, when the operation will need them. */
export function lookAheadFromContacts(lookAhead: LookAhead, billing: BillingLoaders): (contacts: readonly CrmContact[]) => void {
  return (contacts) => {
    if (!lookAhead.contactCustomers) return;
    // Failures surface where the billing subschema awaits the same lookups.
    for (const contact of contacts) billing.customerForContact({ id: contact.id, email: contact.properties.email }).catch(() => undefined);
  };
}

/** The Contact fields billing resolves through the contact's customer link. */
const CUSTOMER_FIELDS = new Set(['billingCustomer', 'invoices', 'subscriptions']);

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

const answers = new WeakMap<DocumentNode, Map<string | undefined, boolean>>();

/** Whether a root `contacts` list of the operation selects a customer-linked field on its contacts. */
function selectsContactCustomers(document: DocumentNode, operationName: string | undefined): boolean {
  let byOperation = answers.get(document);
  if (!byOperation) answers.set(document, (byOperation = new Map()));
  let answer = byOperation.get(operationName);
  if (answer === undefined) {
    const operation = getOperationAST(document, operationName);
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    answer =
      operation?.operation === 'query' &&
      fieldsOf(operation.selectionSet, fragments).some(
        (root) =>
          root.name.value === 'contacts' &&
          contactSets(root, fragments).some((contact) => fieldsOf(contact, fragments).some((field) => CUSTOMER_FIELDS.has(field.name.value))),
      );
    byOperation.set(operationName, answer);
  }
  return answer;
}

/** The selection sets applied to each contact of a connection: `nodes { … }` and `edges { node { … } }`. */
function contactSets(connection: FieldNode, fragments: Fragments): SelectionSetNode[] {
  const sub = (field: FieldNode, name: string) =>
    field.selectionSet ? fieldsOf(field.selectionSet, fragments).filter((f) => f.name.value === name && f.selectionSet) : [];
  return [...sub(connection, 'nodes'), ...sub(connection, 'edges').flatMap((edges) => sub(edges, 'node'))].map((field) => field.selectionSet!);
}

/** The fields of one level of a selection set, through inline fragments and fragment spreads. */
function fieldsOf(set: SelectionSetNode, fragments: Fragments, seen = new Set<string>()): FieldNode[] {
  return set.selections.flatMap((selection): FieldNode[] => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return [];
    seen.add(fragment.name.value);
    return fieldsOf(fragment.selectionSet, fragments, seen);
  });
}
