// The Circles page's model: a circle's policy as labelled values a person reads, the change the
// "Propose a change" form sends (only the fields edited, checked against the policy first), what a
// proposal or an activation changes (before → after), and peer ids typed one a line.
import type { ProposalView } from '../../src-main/core/api/circle-methods.js';
import {
  applyFragment,
  fieldsOf,
  type Change,
  type MeshPolicy,
  type PolicyFragment,
  type PolicySection,
} from '../../src-main/core/circles/index.js';
import { formatCredits, formatGiB, shortPeerId, type Parsed } from '../format.js';

type SectionLabels = { [S in PolicySection]: { title: string; fields: { [F in keyof MeshPolicy[S]]: string } } };

/** Each section of a policy and each of its fields, in words, in the order the page shows them. */
export const POLICY_LABELS: SectionLabels = {
  rewards: {
    title: 'Rewards',
    fields: {
      worker_pct: 'Worker share',
      verifier_pct: "Verifiers' share",
      platform_pct: 'Platform share (kept by the requester)',
    },
  },
  reputation: {
    title: 'Reputation',
    fields: {
      weight_verified: 'Weight of a verified result',
      weight_rejected: 'Weight of a rejected result',
      weight_late: 'Weight of a late result',
      half_life_days: 'Half-life (days)',
    },
  },
  verification: {
    title: 'Verification',
    fields: { redundancy: 'Workers per unit', agreement: 'Workers that must agree', spot_check_rate: 'Spot checks' },
  },
  scheduling: {
    title: 'Scheduling',
    fields: {
      offer_timeout_s: 'Offer timeout',
      unit_timeout_s: 'Unit timeout',
      member_priority_boost: "Members' priority boost",
    },
  },
  requirements: {
    title: 'Requirements',
    fields: { min_cores: 'Least cores', min_ram_gib: 'Least RAM', min_speed: 'Least speed', min_trust: 'Least trust' },
  },
  bonding: { title: 'Bonding', fields: { min_credit: 'Least credit held' } },
  voting: {
    title: 'Voting',
    fields: {
      quorum: 'Quorum (members voting)',
      threshold: 'Threshold (approvals)',
      voting_period_s: 'Voting period',
      max_open_per_member: 'Open proposals per member',
    },
  },
};

export const POLICY_SECTIONS = Object.keys(POLICY_LABELS) as PolicySection[];

/** Fields that are a part of a whole (0..1), shown as percents. */
const PARTS = new Set(['agreement', 'spot_check_rate', 'quorum', 'threshold']);

/** The lowest least credit a policy may set (core/circles/policy.ts): none asked. */
const MIN_CREDIT_FLOOR = -1e12;

const round = (n: number, digits: number) => Number(n.toFixed(digits));

function formatSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A field's value as the page shows it: "80%", "7 d", "0.25". */
export function formatPolicyValue(field: string, value: number): string {
  if (field.endsWith('_pct')) return `${value}%`;
  if (PARTS.has(field)) return `${round(value * 100, 1)}%`;
  if (field.endsWith('_s')) return formatSeconds(value);
  if (field === 'min_ram_gib') return formatGiB(value);
  if (field === 'min_credit') return value <= MIN_CREDIT_FLOOR ? 'no minimum' : `${formatCredits(value)} credits`;
  return String(round(value, 3));
}

/** A dotted field (`rewards.worker_pct`) split, when it names a field of a policy. */
function policyField(dotted: string): { section: PolicySection; field: string } | undefined {
  const [section, field, ...rest] = dotted.split('.');
  if (rest.length > 0 || field === undefined || !Object.hasOwn(POLICY_LABELS, section ?? '')) return undefined;
  const labels: Record<string, string> = POLICY_LABELS[section as PolicySection].fields;
  return Object.hasOwn(labels, field) ? { section: section as PolicySection, field } : undefined;
}

const valueAt = (policy: MeshPolicy, section: PolicySection, field: string) =>
  (policy[section] as Record<string, number>)[field]!;

const labelOf = (section: PolicySection, field: string) =>
  `${POLICY_LABELS[section].title} · ${(POLICY_LABELS[section].fields as Record<string, string>)[field]}`;

/** One thing a proposal or an activation changes, in words. */
export interface ChangeLine {
  key: string;
  label: string;
  /** Absent for a member added or removed. */
  before?: string;
  after: string;
}

function memberLines(added: readonly string[], removed: readonly string[], name: (id: string) => string): ChangeLine[] {
  return [
    ...added.map((id) => ({ key: `add:${id}`, label: 'Member added', after: name(id) })),
    ...removed.map((id) => ({ key: `remove:${id}`, label: 'Member removed', after: name(id) })),
  ];
}

/** The fields named, each with its value in `before` and the one `after` gives it. */
function fieldLines(
  dotted: readonly string[],
  before: MeshPolicy,
  after: (section: PolicySection, field: string) => number,
): ChangeLine[] {
  return dotted.flatMap((name) => {
    const at = policyField(name);
    if (!at) return [];
    const { section, field } = at;
    return [
      {
        key: name,
        label: labelOf(section, field),
        before: formatPolicyValue(field, valueAt(before, section, field)),
        after: formatPolicyValue(field, after(section, field)),
      },
    ];
  });
}

/** What a proposal would change, from the policy in force now to the values it proposes. */
export function proposalLines(
  proposal: Pick<ProposalView, 'change'>,
  policy: MeshPolicy,
  name: (id: string) => string,
): ChangeLine[] {
  const { change } = proposal;
  const fragment: PolicyFragment = change.policy ?? {};
  const proposed = (section: PolicySection, field: string) =>
    (fragment[section] as Record<string, number> | undefined)?.[field] ?? valueAt(policy, section, field);
  return [
    ...fieldLines(fieldsOf(fragment), policy, proposed),
    ...memberLines(change.add_members ?? [], change.remove_members ?? [], name),
  ];
}

/** What an activation changed: its fields before → after, and the members it added or removed. */
export function activationLines(
  activation: {
    fields: readonly string[];
    before: MeshPolicy;
    after: MeshPolicy;
    members_before: readonly string[];
    members_after: readonly string[];
  },
  name: (id: string) => string,
): ChangeLine[] {
  const before = new Set(activation.members_before);
  const after = new Set(activation.members_after);
  return [
    ...fieldLines(activation.fields, activation.before, (section, field) => valueAt(activation.after, section, field)),
    ...memberLines(
      activation.members_after.filter((id) => !before.has(id)),
      activation.members_before.filter((id) => !after.has(id)),
      name,
    ),
  ];
}

/** The fields the "Propose a change" form edits, dotted, each with its bounds in words. */
export const PROPOSABLE: ReadonlyArray<{ name: string; hint: string }> = [
  { name: 'rewards.worker_pct', hint: '1 to 100 %' },
  { name: 'rewards.verifier_pct', hint: '0 to 99 %' },
  { name: 'rewards.platform_pct', hint: '0 to 99 %; the three shares sum to 100' },
  { name: 'verification.redundancy', hint: '1 to 5 workers' },
  { name: 'requirements.min_trust', hint: '0 to 1' },
  { name: 'voting.threshold', hint: '0.5 to 1 of the approvals and rejections' },
];

/** A dotted field's label ("Rewards · Worker share"); a name that is no policy field as it is. */
export function fieldLabel(dotted: string): string {
  const at = policyField(dotted);
  return at ? labelOf(at.section, at.field) : dotted;
}

/** A dotted field's value in `policy`, as the form's input starts with it. */
export function proposableValue(policy: MeshPolicy, dotted: string): string {
  const at = policyField(dotted);
  return at ? String(valueAt(policy, at.section, at.field)) : '';
}

/** What a change touches, in words: its fields' labels, then the members it adds or removes. */
export function changeSummary(change: Change, name: (id: string) => string): string[] {
  return [
    ...fieldsOf(change.policy ?? {}).map((dotted) => fieldLabel(dotted)),
    ...(change.add_members ?? []).map((id) => `add ${name(id)}`),
    ...(change.remove_members ?? []).map((id) => `remove ${name(id)}`),
  ];
}

/** Peer ids typed one a line (or apart by spaces or commas), each once. */
export function peerIdsOf(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((id) => id !== ''))];
}

/**
 * The change the form proposes: the fields whose typed value differs from the policy in force,
 * and the members to add and remove. Refused in words when a value is not a number, when the
 * policy it makes breaks a rule (the shares must sum to 100), or when it changes nothing.
 */
export function proposedChange(
  policy: MeshPolicy,
  texts: Readonly<Record<string, string>>,
  add: string,
  remove: string,
): Parsed<Change> {
  const fragment: Record<string, Record<string, number>> = {};
  for (const [dotted, text] of Object.entries(texts)) {
    const at = policyField(dotted);
    if (!at) continue;
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(value))
      return { ok: false, error: `${labelOf(at.section, at.field)}: "${text.trim()}" is not a number` };
    if (value === valueAt(policy, at.section, at.field)) continue;
    fragment[at.section] = { ...fragment[at.section], [at.field]: value };
  }
  const checked = applyFragment(policy, fragment);
  if (!checked.ok) return { ok: false, error: checked.error };
  const addMembers = peerIdsOf(add);
  const removeMembers = peerIdsOf(remove);
  const changesPolicy = Object.keys(fragment).length > 0;
  if (!changesPolicy && addMembers.length === 0 && removeMembers.length === 0)
    return { ok: false, error: 'Change a field, or add or remove a member.' };
  return {
    ok: true,
    value: {
      ...(changesPolicy ? { policy: fragment } : {}),
      ...(addMembers.length > 0 ? { add_members: addMembers } : {}),
      ...(removeMembers.length > 0 ? { remove_members: removeMembers } : {}),
    },
  };
}

/** A peer by its name where I know it, "you" for me, else its short id. */
export function peerNamer(me: string, names: ReadonlyMap<string, string>): (id: string) => string {
  return (id) => (id === me ? 'you' : (names.get(id) ?? shortPeerId(id)));
}
