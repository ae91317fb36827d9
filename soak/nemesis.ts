/**
 * The faults the soak injects, on a schedule drawn from the run's seed. Three lanes run side
 * by side, each casting one fault at a time for a bounded spell with quiet gaps between: the
 * vendors (refusing, hanging, erring, 429 storms, corrupt, slow or late bodies), their
 * webhooks (duplicated, reordered, dropped, delayed) and the processes (a replica killed
 * mid-write and started again, Redis restarted empty). So faults of different lanes meet, as
 * they do in production, while each lane alone stays readable in the history.
 *
 * Each lane draws its kinds from a shuffled deck, every kind once before any twice: a
 * one-minute run already sees most kinds, an eight-minute run every kind several times.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Prng, SystemName } from '@switchboard/sandbox';
import { loadConfig } from '../src/index.ts';
import type { Cluster } from './cluster.ts';
import type { History, Replica } from './history.ts';
import { SandboxAdmin, SYSTEMS, type KnobPatch } from './nemesis-admin.ts';
import { VENDOR_FAULTS, vendorSpell, WEBHOOK_FAULTS, webhookSpell, type Baseline, type Spell } from './nemesis-faults.ts';
import { pickVictim, startRedis, startReplica } from './nemesis-processes.ts';

/** Redis forgets everything on a restart; more often than this and the run measures little else. */
const REDIS_RESTART_EVERY_MS = 60_000;
/** How long heal waits for the replicas to be ready and the webhooks to drain before the checker reads anyway. */
const SETTLE_MS = 60_000;

/** Every card once, in a seeded order, before any card again. */
class Deck<T> {
  private cards: T[] = [];

  constructor(
    private readonly all: readonly T[],
    private readonly prng: Prng,
  ) {}

  draw(): T {
    if (this.cards.length === 0) {
      this.cards = [...this.all];
      for (let i = this.cards.length - 1; i > 0; i--) {
        const j = this.prng.int(0, i);
        [this.cards[i], this.cards[j]] = [this.cards[j], this.cards[i]];
      }
    }
    return this.cards.pop()!;
  }

  /** A card drawn too early: it comes next. */
  putBack(card: T): void {
    this.cards.push(card);
  }
}

export class Nemesis {
  private readonly stopper = new AbortController();
  private readonly admin: SandboxAdmin;
  private baseline?: Baseline;
  private lastRedisRestart = Number.NEGATIVE_INFINITY;
  private readonly log = (line: string) => console.log(`[soak] nemesis: ${line}`);

  constructor(
    private readonly cluster: Cluster,
    private readonly history: History,
    private readonly prng: Prng,
    private readonly until: number,
  ) {
    this.admin = new SandboxAdmin(cluster.sandbox.urls);
  }

  /** Ends the schedule early (the workload finished first): spells in force are lifted at once. */
  stop(): void {
    this.stopper.abort();
  }

  async run(): Promise<void> {
    this.baseline = await this.readBaseline();
    const baseline = this.baseline;
    const requestDeadlineMs = loadConfig(this.cluster.replicas[0].spec.env).resilience.requestDeadlineMs;
    const vendors = this.prng.fork('vendors');
    const vendorKinds = new Deck(VENDOR_FAULTS, vendors.fork('kinds'));
    const vendorSystems = new Deck(SYSTEMS, vendors.fork('systems'));
    const webhooks = this.prng.fork('webhooks');
    const webhookKinds = new Deck(WEBHOOK_FAULTS, webhooks.fork('kinds'));
    const webhookSystems = new Deck(SYSTEMS, webhooks.fork('systems'));
    await Promise.all([
      this.spellLane(vendors, () =>
        vendorSpell(vendorKinds.draw(), vendorSystems.draw(), { prng: vendors, admin: this.admin, baseline, requestDeadlineMs }),
      ),
      this.spellLane(webhooks, () =>
        webhookSpell(webhookKinds.draw(), webhookSystems.draw(), { prng: webhooks, admin: this.admin, baseline }),
      ),
      this.processLane(this.prng.fork('processes')),
    ]);
  }

  /**
   * Lifts every fault still in force (knobs and webhook settings back to what they were, Redis
   * and any dead replica started), then waits until both replicas are ready and no webhook
   * delivery is pending, so the checker reads the systems of record as they settled.
   */
  async heal(): Promise<void> {
    this.stop();
    const started = Date.now();
    const baseline = this.baseline;
    if (baseline) {
      for (const system of SYSTEMS) {
        await this.retrying(`restoring ${system} knobs`, () => this.admin.knobs(system, { ...baseline.knobs[system], rateLimitForMs: 0 }));
        await this.retrying(`restoring ${system} webhooks`, () => this.admin.webhooks(system, baseline.webhooks[system]));
      }
    }
    if (!this.cluster.redis.running) await startRedis(this.cluster.redis, this.log);
    for (const replica of this.cluster.replicas) if (!replica.running) await startReplica(replica, this.log);
    const ready = await this.settled('both replicas ready', () => this.replicasReady());
    const drained = await this.settled('webhook deliveries drained', () => this.webhooksDrained());
    this.history.fault(ready && drained ? 'heal' : 'heal=unsettled');
    this.log(`healed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  private async readBaseline(): Promise<Baseline> {
    const knobs = {} as Baseline['knobs'];
    const webhooks = {} as Baseline['webhooks'];
    for (const system of SYSTEMS) {
      // The end of a 429 storm is a moment, not a setting: a storm is ended by asking for one of 0 ms.
      const { rateLimitedUntil: _, ...settings } = await this.admin.knobs(system);
      knobs[system] = settings as KnobPatch;
      webhooks[system] = (await this.admin.webhooks(system)).settings;
    }
    return { knobs, webhooks };
  }

  /** Sleeps, unless the schedule ends first; true when there is still time for another fault. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stopper.signal });
    } catch {
      return false;
    }
    return Date.now() < this.until;
  }

  private async spellLane(prng: Prng, draw: () => Spell): Promise<void> {
    while (await this.pause(prng.int(1500, 5000))) {
      const spell = draw();
      const left = this.until - Date.now();
      if (left < 1000) return;
      await this.cast({ ...spell, ms: Math.min(spell.ms, left) });
    }
  }

  private async cast(spell: Spell): Promise<void> {
    try {
      await spell.apply();
      this.history.fault(spell.action, Date.now() + spell.ms);
      await this.pause(spell.ms);
    } catch (error) {
      this.log(`${spell.action} could not be set: ${String(error)}`);
    }
    await this.retrying(`lifting ${spell.action}`, spell.lift);
  }

  private async processLane(prng: Prng): Promise<void> {
    const kinds = new Deck(['redis', 'replica'] as const, prng.fork('kinds'));
    let gap = prng.int(5000, 15_000);
    while (await this.pause(gap)) {
      gap = prng.int(8000, 20_000);
      // Too close to the end, a restart would still be under way when the workload stops.
      if (this.until - Date.now() < 5000) return;
      let kind = kinds.draw();
      if (kind === 'redis' && Date.now() - this.lastRedisRestart < REDIS_RESTART_EVERY_MS) {
        kinds.putBack(kind);
        kind = 'replica';
      }
      if (kind === 'redis') await this.restartRedis(prng);
      else await this.killReplica(prng);
    }
  }

  private async restartRedis(prng: Prng): Promise<void> {
    const downMs = prng.int(300, 2000);
    this.lastRedisRestart = Date.now();
    this.history.fault('redis:restart', Date.now() + downMs);
    await this.cluster.redis.stop();
    await sleep(downMs);
    if (!(await startRedis(this.cluster.redis, this.log))) this.log('redis did not start again; heal will try');
  }

  /** Kills one replica, preferably mid-write, never while the other is down; starts it again after a short spell. */
  private async killReplica(prng: Prng): Promise<void> {
    const { replicas } = this.cluster;
    const down = replicas.filter((replica) => !replica.running);
    if (down.length > 0) {
      for (const replica of down) await startReplica(replica, this.log);
      return;
    }
    const victim = await pickVictim(this.history, prng, [0, 1], {
      waitMs: Math.min(8000, this.until - Date.now()),
      minAgeMs: prng.int(0, 300),
    });
    if (!victim || this.stopper.signal.aborted) return;
    const replica = replicas[victim.replica];
    const downMs = prng.int(500, 3000);
    const during = victim.op ? `=mid ${victim.op.kind} op ${victim.op.id}` : '';
    this.history.fault(`${replicaName(victim.replica)}:kill${during}`, Date.now() + downMs);
    await replica.kill();
    await sleep(downMs);
    if (!(await startReplica(replica, this.log))) this.log(`${replica.spec.name} did not start again; heal will try`);
  }

  private async retrying(what: string, work: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        if (attempt === 5) return this.log(`${what} failed: ${String(error)}`);
        await sleep(500 * attempt);
      }
    }
  }

  private async settled(what: string, check: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return true;
      await sleep(250);
    }
    this.log(`not settled after ${SETTLE_MS} ms: ${what}`);
    return false;
  }

  private async replicasReady(): Promise<boolean> {
    const ready = await Promise.all(
      this.cluster.replicas.map((replica) =>
        fetch(`${replica.url}/readiness`, { signal: AbortSignal.timeout(5000) })
          .then((response) => response.status === 200)
          .catch(() => false),
      ),
    );
    return ready.every(Boolean);
  }

  /** No delivery pending on any system, twice in a row: HubSpot batches a change for a few ms before it is a delivery. */
  private async webhooksDrained(): Promise<boolean> {
    for (let look = 0; look < 2; look++) {
      if (look > 0) await sleep(250);
      const pending = await Promise.all(SYSTEMS.map((system: SystemName) => this.admin.webhooks(system).then((view) => view.pending)));
      if (pending.some((n) => n > 0)) return false;
    }
    return true;
  }
}

const replicaName = (replica: Replica) => `replica${replica}`;
