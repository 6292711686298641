// A sabotage simulator for the requester's verification (issue 17, item 5): one requester, N
// providers of which some are saboteurs, one job of U units at redundancy r, in virtual time. It
// drives the real pure core: acceptByPolicy picks each unit's providers (sim/market.ts), judgeUnit
// (with decideConsensus inside it) judges each unit on the results and the check records,
// recordOutcome/reputationScore/effectiveTrust give the trust the acceptance ranks by, and the ledger
// holds, pays and refunds (for a sample of units, sim/ledger.ts). The simulator does only what judgeUnit
// leaves to its caller: it runs the unit itself when asked for a check, counts a passed check on the
// provider's record, convicts the provider of a result that contradicted a check, and reopens every
// unit accepted unchecked on a result of a convicted provider (backtracking), marked suspect.
//
// Deterministic: seeded streams (sim/prng.ts), no Math.random, no clock. Virtual time: rounds of
// ROUND_MS; in each round every provider takes as many units as it has room for (its pipeline,
// one while on probation), all of them finish by the round's end, and then the requester judges.
//
// What to expect: a liar that is never caught, with its results checked at the floor rate q, slips
// in expectation at most 1/(e·q) ≈ 4.6 wrong results (q = 8 %) (credibility.ts); one that is caught has every
// unchecked one reopened while the job is open. So the wrong-accept rate is bounded by about
// liars · 4.6 / U: it scales with the number of liars over the number of units, not with f alone.
// A reopened unit at r = 1 costs two executions: judgeUnit, with no result standing, asks for a
// replica, and then checks it (the unit is suspect).
import { judgeUnit, type Judgement, type UnitEvidence } from '../src-main/core/verification/index.js';
import type { Vote } from '../src-main/core/consensus/index.js';
import { SampledLedger, type LedgerAudit } from './ledger.js';
import { Market, PRICE } from './market.js';
import { hashUnit, stream } from './prng.js';
import { Providers } from './providers.js';
import { liesOn, type Strategy } from './strategies.js';
import { ACCEPTED, Fifo, OPEN, outputHash, OWN_LIE, PENDING, SHARED_LIE, TRUE, trueHash, UnitTable } from './units.js';

export interface Scenario {
  units: number;
  providers: number;
  saboteurs: number;
  strategy: Strategy;
  redundancy: number;
  seed: number;
  /** Checks every provider has passed at the start: 0, all newcomers on probation (default); 20, all at the floor. */
  startPassed?: number;
  /** Units a proven provider may take in one round (default 5); a provider on probation takes 1. */
  pipeline?: number;
  /** One unit in this many goes through the ledger (default 100; 0: none). */
  ledgerEvery?: number;
}

export interface Outcome {
  /** Units whose accepted output is wrong at the end, after all backtracking. */
  wrong: number;
  /** Results computed by providers, and units the requester ran itself (checks). */
  providerExecutions: number;
  requesterRuns: number;
  /** Executions beyond r per unit: checks, extra replicas, recomputations of reopened units, results thrown out. */
  extraExecutions: number;
  /** Assignments beyond the first r of each unit (replicas asked for, and recomputations). */
  extraAssignments: number;
  /** Units reopened after a conviction (one unit may be reopened more than once). */
  reopened: number;
  convictedSaboteurIds: number;
  convictedHonestIds: number;
  /** Per saboteur slot: units it had accepted before its first conviction; -1 if never caught. */
  liarCaughtUnits: number[];
  rounds: number;
  judgements: number;
  /** Credits paid for results later reopened or thrown out (a settle is final: the ledger has no claw-back). */
  paidThenReopened: number;
  ledger: LedgerAudit;
}

/** A fixed start for virtual time (not a clock reading). */
const T0 = Date.parse('2026-01-01T00:00:00Z');
const ROUND_MS = 10_000;
const NOTHING_CHECKED: ReadonlyMap<string, boolean> = new Map();
const NOBODY: readonly string[] = [];

export function simulate(scenario: Scenario): Outcome {
  return new Simulation(scenario).run();
}

class Simulation {
  readonly r: number;
  readonly maxReplicas: number;
  readonly units: UnitTable;
  readonly providers: Providers;
  readonly market: Market;
  readonly ledger: SampledLedger;
  readonly lies: () => number;
  readonly drawSeed: number;
  readonly collusionSeed: number;

  /** What judgeUnit reads: a provider's check record, and the requester's secret draw for a result. */
  readonly recordOf = (peer: string) => this.providers.record(this.providers.identityOf(peer));
  readonly draw = (resultId: string) => hashUnit(this.drawSeed, Number(resultId));
  /** A result that no longer stands: contradicted by a check, or of a convicted identity. */
  readonly fallen = (k: number) => this.units.checked[k] === -1 || this.providers.record(this.units.id[k]!).convicted;

  /** Units waiting for workers (replicas asked for, reopened units, units short of workers), oldest first. */
  readonly retry = new Fifo();
  readonly rejudge: number[] = [];
  nowMs = T0;
  accepted = 0;
  out: Omit<Outcome, 'liarCaughtUnits' | 'ledger' | 'extraExecutions'> = {
    wrong: 0,
    providerExecutions: 0,
    requesterRuns: 0,
    extraAssignments: 0,
    reopened: 0,
    convictedSaboteurIds: 0,
    convictedHonestIds: 0,
    rounds: 0,
    judgements: 0,
    paidThenReopened: 0,
  };

  constructor(readonly s: Scenario) {
    this.r = s.redundancy;
    this.maxReplicas = Math.min(16, s.redundancy + 2);
    // r + 2 vote slots cover the most results judgeUnit may ask for (maxReplicas).
    this.units = new UnitTable(s.units, this.maxReplicas);
    const setup = stream(s.seed);
    // Which slots are saboteurs: a seeded shuffle, so they are not simply the first ids.
    const order = Array.from({ length: s.providers }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(setup() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const saboteur = new Uint8Array(s.providers);
    for (let i = 0; i < s.saboteurs; i++) saboteur[order[i]!] = 1;
    this.providers = new Providers(s.providers, saboteur, s.startPassed ?? 0);
    const budget = PRICE * s.units * 16;
    this.market = new Market(this.providers, stream(s.seed ^ 0x5bd1e995), budget);
    this.ledger = new SampledLedger(s.ledgerEvery ?? 100, budget);
    this.lies = stream(s.seed ^ 0x27d4eb2f);
    this.drawSeed = Math.floor(setup() * 2 ** 31);
    this.collusionSeed = Math.floor(setup() * 2 ** 31);
  }

  run(): Outcome {
    const { providers, units } = this;
    let next = 0;
    while (this.accepted < this.s.units) {
      const round = ++this.out.rounds;
      this.nowMs = T0 + round * ROUND_MS;
      this.market.startRound(round, this.nowMs);
      const open = providers.openRound(this.s.pipeline ?? 5);
      if (open.length === 0) throw new Error('no provider left');
      let room = 0;
      for (const slot of open) room += providers.room[slot]!;
      const touched: number[] = [];
      for (let waiting = this.retry.size; waiting > 0 && room > 0; waiting--)
        room -= this.assign(this.retry.shift(), open, touched);
      while (room > 0 && next < this.s.units) {
        const unit = next++;
        units.state[unit] = OPEN;
        units.wanted[unit] = this.r;
        room -= this.assign(unit, open, touched);
      }
      for (const unit of touched) this.complete(unit);
      for (const unit of touched) if (units.nVotes[unit]! >= units.wanted[unit]!) this.judge(unit);
      while (this.rejudge.length > 0) this.judge(this.rejudge.pop()!);
    }
    const liarCaughtUnits: number[] = [];
    for (let slot = 0; slot < providers.slots; slot++)
      if (providers.saboteur[slot])
        liarCaughtUnits.push(providers.caught[slot] ? providers.acceptedBeforeCaught[slot]! : -1);
    return {
      ...this.out,
      extraExecutions: this.out.providerExecutions + this.out.requesterRuns - this.r * this.s.units,
      liarCaughtUnits,
      ledger: this.ledger.audit(
        (peer) => providers.byName.has(peer) && providers.isSaboteur(providers.identityOf(peer)),
      ),
    };
  }

  /** Finds workers for a unit; returns how many it took. A unit short of workers waits for the next round. */
  /** The assignment id of vote slot k: its provider's name and the offer's serial (sim/market.ts). */
  private assignmentId(k: number): string {
    return `${this.providers.names[this.units.id[k]!]!}#${this.units.serial[k]}`;
  }

  assign(unit: number, open: readonly number[], touched: number[]): number {
    const { units, providers } = this;
    units.compact(unit, this.fallen, (k) => this.close(unit, k));
    const need = units.wanted[unit]! - units.nVotes[unit]!;
    const taken: string[] = [];
    for (let k = units.first(unit); k < units.end(unit); k++) taken.push(providers.names[units.id[k]!]!);
    const acceptances = this.market.accept(unit, units.wanted[unit]!, need, taken.length ? taken : NOBODY, open);
    for (const acceptance of acceptances) {
      const id = providers.identityOf(acceptance.provider_peer);
      units.add(unit, id, Number(acceptance.assignment_id.split('#')[1])); // `<provider>#<serial>`, as sim/market.ts makes it
      providers.room[providers.slotOf[id]!]!--;
      units.assigned[unit]!++;
      if (units.assigned[unit]! > this.r) this.out.extraAssignments++;
      this.ledger.escrow(unit, acceptance);
    }
    if (acceptances.length > 0) touched.push(unit);
    if (acceptances.length < need) this.retry.push(unit);
    return acceptances.length;
  }

  /** The providers compute: each new result is the truth or a lie, by its provider's strategy. */
  complete(unit: number): void {
    const { providers, units } = this;
    const { lying, colluding } = this.s.strategy;
    for (let k = units.first(unit); k < units.end(unit); k++) {
      if (units.out[k] !== PENDING) continue;
      const id = units.id[k]!;
      this.out.providerExecutions++;
      const resultsSoFar = providers.results[id]!++;
      // A saboteur is honest on a unit it can tell was handed out before (a replica, or a reopened
      // unit: the requester checks those), and so on any unit when it is honest by nature.
      if (!providers.isSaboteur(id) || units.assigned[unit]! > this.r) {
        units.out[k] = TRUE;
        continue;
      }
      const known = { resultsSoFar, unit, units: this.s.units, providers: providers.slots };
      if (!colluding) units.out[k] = liesOn(lying, { ...known, u: this.lies() }) ? OWN_LIE : TRUE;
      else {
        let allOurs = true;
        for (let o = units.first(unit); o < units.end(unit); o++) allOurs &&= providers.isSaboteur(units.id[o]!);
        const lie = allOurs && liesOn(lying, { ...known, u: hashUnit(this.collusionSeed, unit) });
        units.out[k] = lie ? SHARED_LIE : TRUE;
      }
    }
  }

  /** Asks judgeUnit about a unit until it is accepted or waits for replicas, doing what it asks. */
  judge(unit: number): void {
    for (;;) {
      this.out.judgements++;
      const judgement = judgeUnit(this.evidence(unit));
      switch (judgement.status) {
        case 'pending':
          throw new Error(`unit ${unit}: pending with every result in`);
        case 'replicas':
          this.units.wanted[unit] = this.units.nVotes[unit]! + judgement.extra;
          this.retry.push(unit);
          return;
        case 'check':
          this.check(unit, judgement.results);
          continue;
        case 'failed':
          // Nothing left to check (every result thrown out) and no replicas left: run it ourselves.
          this.out.requesterRuns++;
          this.units.truthKnown[unit] = 1;
          continue;
        case 'verified':
          this.accept(unit, judgement);
          return;
      }
    }
  }

  /** The requester runs the unit (the ground truth) and checks these results against it. */
  check(unit: number, results: readonly string[]): void {
    const { units } = this;
    this.out.requesterRuns++;
    units.truthKnown[unit] = 1;
    for (const result of results) {
      const k = units.find(unit, result);
      const id = units.id[k]!;
      if (units.out[k] === TRUE) {
        units.checked[k] = 1;
        this.providers.record(id).passed++;
      } else {
        units.checked[k] = -1;
        this.convict(id);
      }
    }
  }

  accept(unit: number, judgement: Extract<Judgement, { status: 'verified' }>): void {
    const { providers, units } = this;
    units.state[unit] = ACCEPTED;
    this.accepted++;
    units.suspect[unit] = 0;
    const wrong = judgement.hash === trueHash(unit) ? 0 : 1;
    units.wrongAccepted[unit] = wrong;
    this.out.wrong += wrong;
    for (let k = units.first(unit); k < units.end(unit); k++) {
      const id = units.id[k]!;
      if (!judgement.results.includes(String(units.serial[k]))) {
        this.close(unit, k);
        continue;
      }
      if (units.closed[k] !== 0) continue; // paid before this unit was reopened
      units.closed[k] = 1;
      this.ledger.settle(unit, this.assignmentId(k), this.nowMs);
      providers.outcome(id, 'verified', this.nowMs);
      const slot = providers.slotOf[id]!;
      if (!providers.caught[slot]) providers.acceptedBeforeCaught[slot]!++;
    }
    for (const result of judgement.unchecked) providers.unchecked[units.id[units.find(unit, result)]!]!.push(unit);
  }

  /** Convicts an identity: never accepted again; every unit it had accepted unchecked is reopened. */
  convict(id: number): void {
    const { providers, units } = this;
    const record = providers.record(id);
    if (record.convicted) return;
    record.convicted = true;
    providers.outcome(id, 'rejected', this.nowMs);
    const slot = providers.slotOf[id]!;
    if (providers.isSaboteur(id)) {
      this.out.convictedSaboteurIds++;
      providers.caught[slot] = 1;
    } else this.out.convictedHonestIds++;
    for (const unit of providers.unchecked[id]!)
      if (units.state[unit] === ACCEPTED && units.reliedOn(unit, id)) this.reopen(unit);
    providers.unchecked[id] = [];
    if (this.s.strategy.whitewash && providers.isSaboteur(id)) providers.newIdentity(slot, 0);
    else providers.current[slot] = -1;
  }

  /** Backtracking: the unit is open again, suspect, and judged again without the convicted result. */
  reopen(unit: number): void {
    const { units } = this;
    units.state[unit] = OPEN;
    this.accepted--;
    this.out.wrong -= units.wrongAccepted[unit]!;
    units.wrongAccepted[unit] = 0;
    units.suspect[unit] = 1;
    this.out.reopened++;
    this.rejudge.push(unit);
  }

  /** A result thrown out: its escrow refunded, or counted if it had been paid already. */
  close(unit: number, k: number): void {
    const { units } = this;
    if (units.closed[k] === 0) {
      units.closed[k] = 2;
      this.ledger.refund(unit, this.assignmentId(k), this.nowMs);
    } else if (units.closed[k] === 1) {
      units.closed[k] = 2;
      this.out.paidThenReopened += PRICE;
    }
  }

  /** What judgeUnit is told: the standing results (none of a convicted provider), checks, the truth if known. */
  evidence(unit: number): UnitEvidence {
    const { providers, units } = this;
    units.compact(unit, this.fallen, (k) => this.close(unit, k));
    const votes: Vote[] = [];
    let checked: Map<string, boolean> | undefined;
    for (let k = units.first(unit); k < units.end(unit); k++) {
      const id = units.id[k]!;
      const result_id = String(units.serial[k]);
      votes.push({ result_id, peer: providers.names[id]!, hash: outputHash(unit, units.out[k]!, id) });
      if (units.checked[k] !== 0) (checked ??= new Map()).set(result_id, units.checked[k] === 1);
    }
    return {
      redundancy: this.r,
      votes,
      requested: votes.length,
      maxReplicas: this.maxReplicas,
      record: this.recordOf,
      draw: this.draw,
      checked: checked ?? NOTHING_CHECKED,
      ...(units.truthKnown[unit] ? { truth: trueHash(unit) } : {}),
      canCheck: true,
      suspect: units.suspect[unit] === 1,
    };
  }
}
