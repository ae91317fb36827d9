/**
 * The four workloads as the bench runs them: each one's request bodies and critical-path
 * floor, from the shapes of the pages they read (probed once on the cold-cache gateway).
 */
import { post, type Fleet } from './fleet.ts';
import type { WorldFacts } from './protocol.ts';
import { ZERO, log } from './settings.ts';
import { planW3, type W3Plan } from './w3.ts';
import {
  body,
  floorMs,
  listLevels,
  W1_QUERY,
  W2_LEVELS,
  W2_QUERY,
  W3_LEVELS,
  W3_READ,
  W4_QUERY,
  w4Variables,
  type Latencies,
  type ListShape,
  type WorkloadName,
} from './workloads.ts';

export interface WorkloadRun {
  name: WorkloadName;
  title: string;
  /** Fresh body per request. */
  next: () => string;
  /** The same requests for the plain-Yoga baseline, when its bodies differ (the mix: the baseline's own cursors). */
  baselineNext?: () => string;
  /** Client requests per logical operation (W3: a mutation and a read). */
  perOperation: number;
  floor: (latency: Latencies) => number;
}

interface ContactNode {
  id: string;
  company: unknown;
  owner: unknown;
  billingCustomer: unknown;
}

export interface Shapes {
  w1: ListShape;
  w2: ListShape;
  w4: ListShape;
  /** W4's first variables: the page whose shape gives its minimum. */
  firstW4: Record<string, unknown>;
}

export interface WorkloadPlan {
  workloads: WorkloadRun[];
  shapes: Shapes;
  /** Undefined when W3 cannot run here. */
  w3Plan?: W3Plan;
  /** Why W3 cannot run, when it cannot. */
  w3Skipped?: string;
}

function shapeOf(nodes: ContactNode[], metadataLinked: number): ListShape {
  return {
    contacts: nodes.length,
    withCompany: nodes.filter((n) => n.company).length,
    withOwner: nodes.filter((n) => n.owner).length,
    distinctOwners: new Set(nodes.map((n) => (n.owner as { id?: string } | null)?.id).filter(Boolean)).size,
    customers: nodes.filter((n) => n.billingCustomer).length,
    metadataLinked,
  };
}

async function probeShapes(fleet: Fleet, nextW4: () => Record<string, unknown>): Promise<Shapes> {
  const { sandbox, gwCold, facts } = fleet;
  const metadataLinked = (ids: string[]) => sandbox.call<number>({ type: 'metadata-linked', contactIds: ids });
  const w1Cold = (await post(gwCold.ready.url, body(W1_QUERY))).data as { contacts: { nodes: ContactNode[] } };
  const w1Nodes = w1Cold.contacts.nodes;
  const w1 = shapeOf(w1Nodes, await metadataLinked(w1Nodes.map((n) => n.id)));
  const firstW4 = nextW4();
  const w4Page = (await post(gwCold.ready.url, body(W4_QUERY, firstW4))).data as { contacts: { nodes: ContactNode[] } };
  const w4 = shapeOf(w4Page.contacts.nodes, await metadataLinked(w4Page.contacts.nodes.map((n) => n.id)));
  const w2Contact = (await post(gwCold.ready.url, body(W2_QUERY, { id: facts.linkedContactId }))).data as { contact: ContactNode };
  return { w1, w2: shapeOf([w2Contact.contact], 1), w4, firstW4 };
}

/** W3's bodies: a mutation of a writable contact, then a read of it, round the writable contacts. */
function w3Next(plan: W3Plan, facts: WorldFacts): () => string {
  let counter = 0;
  return () => {
    const n = counter++;
    const id = facts.writableContactIds[Math.floor(n / 2) % facts.writableContactIds.length];
    return n % 2 === 0 ? body(plan.mutation, plan.variables(id, `Bench title ${n}`)) : body(W3_READ, { id });
  };
}

function workloadRuns(facts: WorldFacts, shapes: Shapes, nextW4: () => Record<string, unknown>, w3Plan?: W3Plan): WorkloadRun[] {
  return [
    {
      name: 'W1',
      title: 'first 50 contacts with links',
      next: () => body(W1_QUERY),
      perOperation: 1,
      floor: (l) => floorMs(listLevels(shapes.w1.customers - shapes.w1.metadataLinked), l),
    },
    {
      name: 'W2',
      title: 'one contact by ID with links',
      next: () => body(W2_QUERY, { id: facts.linkedContactId }),
      perOperation: 1,
      floor: (l) => floorMs(W2_LEVELS, l),
    },
    ...(w3Plan
      ? [
          {
            name: 'W3' as const,
            title: 'mutation, then read of the changed record',
            next: w3Next(w3Plan, facts),
            perOperation: 2,
            floor: (l: Latencies) => floorMs(W3_LEVELS, l),
          },
        ]
      : []),
    {
      name: 'W4',
      title: "W1's shape, filters rotating (owner × stage × page size)",
      next: () => body(W4_QUERY, nextW4()),
      perOperation: 1,
      floor: (l) => floorMs(listLevels(shapes.w4.customers - shapes.w4.metadataLinked), l),
    },
  ];
}

/** Probes the pages' shapes at zero latency (leaving the upstreams there) and builds the workloads from them. */
export async function planWorkloads(fleet: Fleet): Promise<WorkloadPlan> {
  const w3 = planW3();
  const w3Plan = typeof w3 === 'string' ? undefined : w3;
  const nextW4 = w4Variables(fleet.facts);
  await fleet.upstreams.setLatency(ZERO);
  const shapes = await probeShapes(fleet, nextW4);
  const workloads = workloadRuns(fleet.facts, shapes, nextW4, w3Plan);
  if (!w3Plan) log(`W3 skipped: ${w3}`);
  return { workloads, shapes, w3Plan, w3Skipped: typeof w3 === 'string' ? w3 : undefined };
}
