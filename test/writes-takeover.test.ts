/**
 * A replica that dies right after claiming a cross-system write's key, before saving any
 * progress, leaves the key `running` with its initial (empty) state. The next request with
 * that key, on another replica, takes it over once the lease runs out and runs the write
 * from its first step — found by the soak, where a SIGKILL in that window made every later
 * retry of the key fail with INTERNAL_SERVER_ERROR.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sandboxAdmin } from './support/live.ts';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import {
  dropSchema,
  freshSchema,
  withDatabase,
  openDeals,
  startWriteStack,
  vendorGet,
  WIN_DEAL,
  type WinDealResult,
} from './writes-support.ts';

describe.runIf(hasService('postgres'))('taking over a write whose replica died', () => {
  const schema = freshSchema();
  const stacks: Stack[] = [];
  let release: () => void = () => undefined;
  afterAll(async () => {
    release();
    await Promise.all(stacks.map((stack) => stack.close()));
    await dropSchema(schema);
  });

  it('runs it whole on the next request with the key, after the lease', async () => {
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let claimed = false;
    // Replica A claims the key, then stops before its first step forever, as if killed.
    const dead = await startWriteStack({
      schema,
      env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000' },
      onWorkflowStep: async ({ step, phase }) => {
        if (step === 'crm.closeDeal' && phase === 'start') {
          claimed = true;
          await stalled;
        }
      },
    });
    const live = await startWriteStack({ schema, sandbox: dead.sandbox, env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000' } });
    stacks.push(live, dead);
    const [deal] = await openDeals(live, 1);
    const key = `takeover-${randomUUID()}`;
    void dead.query(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    await vi.waitFor(() => expect(claimed).toBe(true), { timeout: 10_000 });

    // Until the dead run's lease ends, a request with the key is told the write is still running.
    let taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    for (let attempt = 1; attempt < 5 && taken.errors?.[0]?.extensions?.code === 'WRITE_OUTCOME_UNKNOWN'; attempt++)
      taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(taken.errors).toBeUndefined();
    expect(taken.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: false, error: null });
    expect(taken.data!.winDeal.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const stored = await vendorGet<{ properties: { dealstage: string } }>(
      live,
      'crm',
      `/crm/v3/objects/deals/${deal.id}?properties=dealstage`,
    );
    expect(stored.body.properties.dealstage).toBe('closedwon');
    // And the key now replays that outcome.
    const again = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(again.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: true, invoiceId: taken.data!.winDeal.invoiceId });
  });

  it('does not post the announcement again when the dead replica had posted it', async () => {
    const stack = await startWriteStack({ schema });
    stacks.push(stack);
    const [deal] = await openDeals(stack, 1);
    const key = `takeover-post-${randomUUID()}`;
    const first = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(first.data!.winDeal.status).toBe('SUCCEEDED');
    const posts = () => stack.sandbox.server('chat').requests.entries.filter((e) => e.route.includes('chat.postMessage'));
    expect(posts()).toHaveLength(1);
    // The key as a replica leaves it when killed between posting and recording the post: the
    // announcement's step still PENDING with the notes it saved before posting, its lease run out.
    await withDatabase(async (db) => {
      const table = `"${schema}".idempotency_keys`;
      const [row] = (await db.query(`SELECT state FROM ${table} WHERE key = $1`, [key])).rows as { state: { json: string } }[];
      const state = JSON.parse(row.state.json) as { steps: { name: string; status: string; ids: object }[] };
      Object.assign(
        state.steps.find((step) => step.name === 'chat.announce')!,
        { status: 'PENDING', ids: {} },
      );
      await db.query(
        `UPDATE ${table} SET status = 'running', result = NULL, lease_until = now() - interval '1 second', state = $2::jsonb WHERE key = $1`,
        [key, JSON.stringify({ json: JSON.stringify(state) })],
      );
    });

    const taken = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(taken.errors).toBeUndefined();
    expect(taken.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: false, error: null, ts: first.data!.winDeal.ts });
    // The run that took over found the message instead of posting another.
    expect(posts()).toHaveLength(1);
  });
  it("does not let a run resumed after its replica died adopt another run's contact when its precheck is refused", async () => {
    // Found by CI's one-minute soak: a run killed after noting it was about to create the contact
    // was retried during a billing outage; its precheck was refused, which freed the email for
    // another key's run, and the first key, retried later, took that run's contact for its own.
    const stack = await startWriteStack({ schema });
    stacks.push(stack);
    const email = `resumed-${randomUUID().slice(0, 8)}@example.com`;
    const onboard = (key: string) =>
      stack.query<{ onboardCustomer: { status: string; contactId: string | null } }>(
        `mutation { onboardCustomer(idempotencyKey: "${key}", contact: { email: "${email}" },
          plan: { priceId: "price_growth_monthly" }, notify: { channel: "#general" }) {
          status contactId: upstreamId(name: "contactId") } }`,
      );
    const billing = stack.sandbox.server('billing');
    const dead = `onboard-dead-${randomUUID()}`;
    await billing.setKnobs({ outage: 'refuse' });
    // The first attempt only leaves the key's row (its precheck is refused); it is then made what
    // a replica killed inside the contact step leaves: the step PENDING with its notes saved.
    const refused = await onboard(dead);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    await withDatabase(async (db) => {
      const table = `"${schema}".idempotency_keys`;
      const pending = (name: string, system: string, notes: object = {}) => ({
        name,
        system,
        status: 'PENDING',
        ids: {},
        notes,
        error: null,
        compensation: null,
      });
      const steps = [
        pending('crm.createContact', 'crm', { created: true }),
        pending('billing.createCustomer', 'billing'),
        pending('billing.createSubscription', 'billing'),
        pending('chat.welcome', 'chat'),
      ];
      const died = `status = 'running', result = NULL, lease_until = now() - interval '1 second', state = $2::jsonb`;
      await db.query(`UPDATE ${table} SET ${died} WHERE key = $1`, [dead, JSON.stringify({ json: JSON.stringify({ steps }) })]);
      const subject = await db.query(`UPDATE ${table} SET ${died} WHERE key = $1 RETURNING key`, [
        `#subject/onboardCustomer/email:${email}`,
        JSON.stringify({ json: JSON.stringify({ key: dead, outcome: 'running' }) }),
      ]);
      expect(subject.rows).toHaveLength(1);
    });

    // Retried while billing is still down, then another key onboards the email once billing is back.
    const retried = await onboard(dead);
    await billing.setKnobs({ outage: 'none' });
    // Billing's circuit breaker stays open a while after the outage: the same keys are retried until it lets calls through.
    const untilBillingAnswers = async (key: string) => {
      for (;;) {
        const answer = await onboard(key);
        const retryAfter = answer.errors?.[0]?.extensions?.retryAfter;
        if (answer.errors?.[0]?.extensions?.code !== 'UPSTREAM_UNAVAILABLE' || typeof retryAfter !== 'number') return answer;
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      }
    };
    const other = await untilBillingAnswers(`onboard-other-${randomUUID()}`);
    const again = await untilBillingAnswers(dead);

    const runs = [retried, other, again].map((r) => r.data?.onboardCustomer);
    const theirs = runs.filter((run) => run?.status === 'SUCCEEDED').map((run) => run!.contactId);
    // One run onboarded the email: no other run took its contact for its own.
    expect(theirs, JSON.stringify(runs)).toHaveLength(1);
    const customers = await vendorGet<{ data: { id: string; metadata: Record<string, string> }[] }>(
      stack,
      'billing',
      `/v1/customers?limit=100&email=${encodeURIComponent(email)}`,
    );
    const live = customers.body.data.filter((customer) => customer.metadata.hubspot_contact_id === theirs[0]);
    expect(live, 'live billing customers of the onboarded contact').toHaveLength(1);
  });

  it('goes on undoing a run whose replica died after a step failed, and never runs it forward again', async () => {
    // Found by the 8-minute soak: a replica killed mid-undo left the key showing the deal won
    // while HubSpot had it reopened; a takeover then skipped the "done" step and ran the failed one again.
    let stalled = false;
    const dead = await startWriteStack({
      schema,
      env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000', UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000' },
      onWorkflowStep: async ({ step, phase, status }) => {
        if (step !== 'billing.createInvoice') return;
        await dead.sandbox.server('billing').setKnobs({ errorRate: phase === 'start' ? 1 : 0 });
        // The failure is saved; the replica stops before its first undo, as if killed.
        if (phase === 'end' && status === 'FAILED') {
          stalled = true;
          await new Promise<void>((resolve) => {
            const others = release;
            release = () => (others(), resolve());
          });
        }
      },
    });
    const live = await startWriteStack({ schema, sandbox: dead.sandbox, env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000' } });
    stacks.push(live, dead);
    const [deal] = await openDeals(live, 1);
    const key = `takeover-undo-${randomUUID()}`;
    void dead.query(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    await vi.waitFor(() => expect(stalled).toBe(true), { timeout: 10_000 });
    const stage = async () =>
      (await vendorGet<{ properties: { dealstage: string } }>(live, 'crm', `/crm/v3/objects/deals/${deal.id}?properties=dealstage`)).body
        .properties.dealstage;
    expect(await stage()).toBe('closedwon');

    let taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    for (let attempt = 1; attempt < 5 && taken.errors?.[0]?.extensions?.code === 'WRITE_OUTCOME_UNKNOWN'; attempt++)
      taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(taken.errors).toBeUndefined();
    expect(taken.data!.winDeal.status).toBe('FAILED');
    const steps = Object.fromEntries(taken.data!.winDeal.steps.map((step) => [step.name, step.status]));
    expect(steps).toMatchObject({ 'crm.closeDeal': 'COMPENSATED', 'billing.createInvoice': 'FAILED', 'chat.announce': 'PENDING' });
    expect(await stage()).toBe(deal.stageRaw);
  });

  it('stops a run that outlived its lease once another request took it over: its stale undo never reopens a deal won since', async () => {
    // A run's undo gets a deadline of its own, so a run can outlive its lease while undoing: the takeover finishes
    // the undo, someone wins the deal in HubSpot, and the overtaken run, waking up, must not undo that win.
    let resume: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    let paused = false;
    const slow = await startWriteStack({
      schema,
      env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000', UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000' },
      onWorkflowStep: async ({ step, phase, status }) => {
        if (step !== 'billing.createInvoice' || paused) return;
        await slow.sandbox.server('billing').setKnobs({ errorRate: phase === 'start' ? 1 : 0 });
        // The failure is saved; the run stalls before its first undo, alive (a machine stalled past the lease).
        if (phase === 'end' && status === 'FAILED') {
          paused = true;
          await stalled;
        }
      },
    });
    const live = await startWriteStack({ schema, sandbox: slow.sandbox, env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000' } });
    stacks.push(live, slow);
    const [deal] = await openDeals(live, 1);
    const key = `overtaken-${randomUUID()}`;
    const overtaken = slow.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    await vi.waitFor(() => expect(paused).toBe(true), { timeout: 10_000 });

    let taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    for (let attempt = 1; attempt < 5 && taken.errors?.[0]?.extensions?.code === 'WRITE_OUTCOME_UNKNOWN'; attempt++)
      taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(taken.data!.winDeal.status).toBe('FAILED');
    // Someone wins the deal in HubSpot now.
    await sandboxAdmin(live.sandbox, 'crm', 'edit', { objectType: 'deals', id: deal.id, properties: { dealstage: 'closedwon' } });
    const stage = async () =>
      (await vendorGet<{ properties: { dealstage: string } }>(live, 'crm', `/crm/v3/objects/deals/${deal.id}?properties=dealstage`)).body
        .properties.dealstage;
    expect(await stage()).toBe('closedwon');
    const dealWrites = () => live.sandbox.server('crm').requests.count('PATCH /crm/v3/objects/:type/:id');
    const before = dealWrites();

    // The stalled run wakes up: its first save finds the key taken, and it stops there, undoing nothing.
    resume();
    const answer = await overtaken;
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.winDeal).toMatchObject({ status: 'OUTCOME_UNKNOWN', error: { code: 'WRITE_OUTCOME_UNKNOWN' } });
    expect(answer.data!.winDeal.error!.message).toMatch(/another request with the key took it over/);
    expect(dealWrites()).toBe(before);
    expect(await stage()).toBe('closedwon');
    // The key still replays the outcome of the request that took it over.
    const again = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(again.data!.winDeal).toMatchObject({ status: 'FAILED', replayed: true });
  });
});
