/**
 * The bench's sandbox: the three emulated vendors over a 100,000-contact world on
 * ephemeral ports, in a process of its own so the gateway's CPU and memory figures are
 * the gateway's alone. Reports its URLs to the driver over IPC; latency is set per run
 * through each server's admin API (`POST /__sandbox/knobs`).
 */
import { LIFECYCLE_STAGES, startSandbox } from '@switchboard/sandbox';
import type { SandboxReplyMsg, SandboxRequestMsg, WorldFacts } from './protocol.ts';

const send = (msg: SandboxReplyMsg) => process.send?.(msg);
const contacts = Number(process.env.BENCH_CONTACTS ?? 100_000);

const started = Date.now();
// Search lag 0: W3 reads back its own write, and the bench measures the gateway, not the index.
const sandbox = await startSandbox({ world: { size: contacts }, systemKnobs: { billing: { searchLagMs: 0 } } });
const world = sandbox.world;

const metadataLinked = new Set(world.customers.filter((c) => c.linkedByMetadata && c.contactId).map((c) => c.contactId!));
const linked = world.contacts.filter((c) => metadataLinked.has(c.id));

function facts(): WorldFacts {
  return {
    contacts: world.contacts.length,
    ownerIds: world.owners.map((o) => o.id),
    lifecycleStages: [...LIFECYCLE_STAGES],
    chatUsers: world.chatUsers.length,
    linkedContactId: linked[0].id,
    writableContactIds: linked.slice(-100).map((c) => c.id),
  };
}

process.on('message', (msg: SandboxRequestMsg) => {
  if (msg.type === 'facts') send({ type: 'reply', id: msg.id, value: facts() });
  else if (msg.type === 'metadata-linked')
    send({ type: 'reply', id: msg.id, value: msg.contactIds.filter((id) => metadataLinked.has(id)).length });
});
process.on('disconnect', () => void sandbox.close().then(() => process.exit(0)));

send({
  type: 'ready',
  urls: sandbox.urls as Record<'crm' | 'billing' | 'chat', string>,
  credentials: sandbox.credentials,
  worldMs: Date.now() - started,
});
