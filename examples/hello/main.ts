/**
 * Hello, Switchboard: a first integration through @switchboard/client.
 *
 *   npm start          # terminal 1: the gateway and its sandbox vendors, on http://localhost:4000/graphql
 *   npm run hello      # terminal 2: this script
 *
 * 1. reads contacts with the open invoices of their billing customers (CRM + Stripe, one request);
 * 2. subscribes to one contact's changes, changes its job title, and prints the event that arrives;
 * 3. wins a deal (CRM + Stripe + Slack) with an idempotency key, then sends it again with the same
 *    key: the gateway answers with the stored result (`replayed: true`) and writes nothing.
 *
 * SWITCHBOARD_URL and SWITCHBOARD_API_KEY point it elsewhere; by default it uses the development
 * key `npm start` keeps in .data/dev-api-key.
 */
import { createClient, type SwitchboardClient, type SwitchboardError } from '@switchboard/client';
import { resolveConnection } from './connection.ts';
import {
  ContactChangedDocument,
  ContactsWithOpenInvoicesDocument,
  OpenDealsDocument,
  UpdateJobTitleDocument,
  WinDealDocument,
} from './generated/graphql.ts';

async function listContacts(sb: SwitchboardClient) {
  const { data, errors } = await sb.request(ContactsWithOpenInvoicesDocument, { first: 10 });
  const contacts = data?.contacts?.nodes;
  if (!contacts?.length) fail('listing contacts', errors);
  console.log('1. Contacts and their open invoices (CRM + billing, one request)');
  for (const contact of contacts) {
    const invoices = contact.billingCustomer?.invoices ?? [];
    const open = invoices.map((i) => `${i.number} ${i.amountDue.formatted}`).join(', ') || 'none';
    console.log(`   ${contact.firstName} ${contact.lastName} <${contact.email}>: open invoices: ${open}`);
  }
  // Partial failure is normal: a failing system nulls only its own fields, and says so here.
  for (const error of errors ?? []) console.log(`   (${error.code} from ${error.service ?? 'the gateway'} at ${error.path?.join('.')})`);
  return contacts;
}

async function watchContact(sb: SwitchboardClient, contact: { id: string; firstName: string | null; lastName: string | null }) {
  console.log(`2. Live: subscribed to changes of contact ${contact.id} (${contact.firstName} ${contact.lastName})`);
  // Bounded: if no event came, the example fails with a timeout instead of waiting forever.
  const events = sb.subscribe(ContactChangedDocument, { id: contact.id }, { signal: AbortSignal.timeout(15_000) });
  // Once the gateway has answered the subscription, a change is delivered to it.
  await events.ready();
  const jobTitle = `Hello Example ${new Date().toISOString().slice(11, 19)}`;
  console.log(`   changing the job title to "${jobTitle}"`);
  const update = await sb.request(UpdateJobTitleDocument, { id: contact.id, jobTitle });
  if (update.errors) fail('updating the contact', update.errors);
  for await (const event of events) {
    if (event.errors) fail('the subscription', event.errors);
    console.log(`   event: contactChanged ${JSON.stringify(event.data?.contactChanged)}`);
    if (event.data?.contactChanged?.jobTitle === jobTitle) break; // `break` closes the stream
  }
}

async function winDeal(sb: SwitchboardClient) {
  const { data, errors } = await sb.request(OpenDealsDocument);
  const deals = data?.deals?.nodes;
  if (!deals) fail('listing deals', errors);
  const deal = deals.find(
    (d) => d.stage !== 'CLOSED_WON' && d.stage !== 'CLOSED_LOST' && (d.contacts?.length ?? 0) > 0 && (d.value?.amount ?? 0) > 0,
  );
  if (!deal) fail('finding an open deal with a contact', []);
  // No key given: the client generates one, and sends the same one on every retry of this call.
  const first = await sb.request(WinDealDocument, { dealId: deal.id });
  if (!first.data) fail('winning the deal', first.errors);
  console.log(`3. Won deal ${deal.id} "${deal.name}" (${deal.value?.formatted}) with idempotency key ${first.idempotencyKey}`);
  const won = first.data.winDeal;
  console.log(`   first call: ${won.status}, replayed: ${won.replayed}, invoice ${won.invoiceId}`);
  console.log(`   steps: ${won.steps.map((s) => `${s.name} ${s.status}`).join(', ')}`);
  const again = await sb.request(WinDealDocument, { dealId: deal.id, idempotencyKey: first.idempotencyKey });
  if (!again.data) fail('sending the deal again', again.errors);
  const replay = again.data.winDeal;
  console.log(
    `   second call, same key: ${replay.status}, replayed: ${replay.replayed}, invoice ${replay.invoiceId} (stored result, nothing written again)`,
  );
}

function fail(what: string, errors: SwitchboardError[] | undefined): never {
  const reasons = (errors ?? []).map((e) => `${e.code}: ${e.message}`).join('; ') || 'no data';
  throw new Error(`${what} failed: ${reasons}`);
}

const connection = resolveConnection();
console.log(`Switchboard at ${connection.url}`);
const sb = createClient({ url: connection.url, apiKey: connection.apiKey });
const contacts = await listContacts(sb);
await watchContact(sb, contacts[0]);
await winDeal(sb);
console.log('Done.');
