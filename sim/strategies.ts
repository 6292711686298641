// What a saboteur does with each unit it computes. A lie is a wrong output: a string of its own
// (each liar a different one), or, for colluders, the one wrong string all of them agree on for
// that unit, so that at redundancy 2 and more their results agree with each other. Every saboteur
// is honest on a unit it can tell was handed out before (a replica asked for after a dissent, or a
// unit reopened after a conviction: the requester checks those); the simulator applies that rule.

/** When a provider lies, counting its results under its current identity. */
export type Lying =
  | { kind: 'honest' }
  | { kind: 'always' }
  /** Each result a lie with probability p. */
  | { kind: 'probabilistic'; p: number }
  /** Honest for its first `honestFor` results (past probation, building a record), then lies with probability p. */
  | { kind: 'record-then-lie'; honestFor: number; p: number }
  /**
   * Honest until the job's last units, then a lie on every result: about `lies` of them, its
   * share of the last `lies`·N units (a provider knows the job's unit count and sees unit ids).
   * With lies = 1/q, the lies that slip past a never-caught liar are at their most,
   * m·(1−q)^m ≈ 1/(e·q), and the job ends before a conviction could reopen them: the strongest
   * lone liar here.
   */
  | { kind: 'endgame'; lies: number };

export interface Strategy {
  name: string;
  lying: Lying;
  /**
   * The saboteurs work together: one wrong output per unit for all of them, the same units picked
   * to lie on (a shared secret), and at redundancy >= 2 a lie only where every other result of the
   * unit is also theirs (they tell each other what they were given), so no honest result dissents.
   */
  colluding: boolean;
  /** Convicted, it comes back under a new id with a fresh record and starts its strategy again. */
  whitewash: boolean;
}

export const HONEST: Strategy = { name: 'honest', lying: { kind: 'honest' }, colluding: false, whitewash: false };

const solo = (name: string, lying: Lying): Strategy => ({ name, lying, colluding: false, whitewash: false });

/** K for record-then-lie: well past probation (5 checks) and the ramp down to the check-rate floor. */
const RECORD = 200;

/** Every strategy of the sabotage grid (issue 17, item 5). */
export const STRATEGIES: readonly Strategy[] = [
  solo('always', { kind: 'always' }),
  solo('p=0.5', { kind: 'probabilistic', p: 0.5 }),
  solo('p=0.1', { kind: 'probabilistic', p: 0.1 }),
  solo('p=0.01', { kind: 'probabilistic', p: 0.01 }),
  solo('p=0.001', { kind: 'probabilistic', p: 0.001 }),
  solo(`record-${RECORD}-then-always`, { kind: 'record-then-lie', honestFor: RECORD, p: 1 }),
  solo(`record-${RECORD}-then-p=0.01`, { kind: 'record-then-lie', honestFor: RECORD, p: 0.01 }),
  solo('endgame', { kind: 'endgame', lies: 20 }),
  { name: 'colluding', lying: { kind: 'always' }, colluding: true, whitewash: false },
  { name: 'colluding-p=0.001', lying: { kind: 'probabilistic', p: 0.001 }, colluding: true, whitewash: false },
  { name: 'whitewash-always', lying: { kind: 'always' }, colluding: false, whitewash: true },
  {
    name: `whitewash-record-${RECORD}-then-always`,
    lying: { kind: 'record-then-lie', honestFor: RECORD, p: 1 },
    colluding: false,
    whitewash: true,
  },
];

/** The same lying pattern, played by colluders (for the two-thirds scenario). */
export function colluding(strategy: Strategy): Strategy {
  return strategy.colluding ? strategy : { ...strategy, name: `${strategy.name}+colluding`, colluding: true };
}

/** What a provider knows when it decides whether to lie on a unit. */
export interface LieContext {
  /** This identity's earlier results. */
  resultsSoFar: number;
  /** Uniform in [0, 1): the liar's own draw, or for colluders the draw they share for the unit. */
  u: number;
  unit: number;
  units: number;
  providers: number;
}

/** Whether this result is a lie. */
// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it)
export function liesOn(lying: Lying, { resultsSoFar, u, unit, units, providers }: LieContext): boolean {
  switch (lying.kind) {
    case 'honest':
      return false;
    case 'always':
      return true;
    case 'probabilistic':
      return u < lying.p;
    case 'record-then-lie':
      return resultsSoFar >= lying.honestFor && u < lying.p;
    case 'endgame':
      return unit >= units - lying.lies * providers;
  }
}
