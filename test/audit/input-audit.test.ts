/**
 * Issue 11, "No silent bad YAML": every case of the corpus (cases.ts) goes through the
 * public API as a user would, and must either fail with a plain `Error` that names the
 * property and the value, or synthesize valid YAML that behaves. The last test prints
 * the counts per class and fails while any case is a crash, silent bad YAML, a wrong
 * rejection or an unclear error.
 */
import { CASES } from './cases';
import { AuditCase, AuditResult, Outcome, runCase } from './harness';

const results = new Map<AuditCase, AuditResult>();

/** Each case runs once, whether its own test or the summary asks first. */
function resultOf(c: AuditCase): AuditResult {
  let r = results.get(c);
  if (!r) {
    r = runCase(c);
    results.set(c, r);
  }
  return r;
}

const constructs = [...new Set(CASES.map(c => c.construct))];

for (const construct of constructs) {
  describe(construct, () => {
    for (const c of CASES.filter(k => k.construct === construct)) {
      const expected = c.expect === 'works' ? 'works' : 'fails clearly';
      test(`${c.title}: ${expected}`, () => {
        const r = resultOf(c);
        if (!r.passed) {
          throw new Error(`${r.outcome}: ${r.detail}`);
        }
      });
    }
  });
}

describe('the audit', () => {
  test('every case has a distinct title within its construct', () => {
    const keys = CASES.map(c => `${c.construct} / ${c.title}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test('summary: no crash, no silent bad YAML, no wrong rejection, no unclear error', () => {
    const all = CASES.map(c => ({ c, r: resultOf(c) }));
    const count = (o: Outcome) => all.filter(x => x.r.outcome === o).length;
    const counts = Object.fromEntries(Object.values(Outcome).map(o => [o, count(o)]));
    const perConstruct = constructs.map(k => {
      const mine = all.filter(x => x.c.construct === k);
      return `  ${k}: ${mine.length} cases, ${mine.filter(x => !x.r.passed).length} failing`;
    });
    const failing = Object.values(Outcome).flatMap(o => {
      const cases = all.filter(x => x.r.outcome === o && !x.r.passed);
      return cases.length === 0 ? [] : [`${o} (${cases.length}):`, ...cases.map(x => `  [${x.c.construct}] ${x.c.title} → ${x.r.detail}`)];
    });
    console.log([
      `input audit: ${all.length} cases`,
      ...Object.entries(counts).map(([o, n]) => `  ${o}: ${n}`),
      'per construct:', ...perConstruct,
      ...(failing.length ? ['failing:', ...failing] : []),
    ].join('\n'));

    expect(all.length).toBeGreaterThanOrEqual(120);
    expect({
      [Outcome.CRASH]: counts[Outcome.CRASH],
      [Outcome.SILENT_BAD_YAML]: counts[Outcome.SILENT_BAD_YAML],
      [Outcome.WRONG_REJECTION]: counts[Outcome.WRONG_REJECTION],
      [Outcome.UNCLEAR_ERROR]: counts[Outcome.UNCLEAR_ERROR],
    }).toEqual({
      [Outcome.CRASH]: 0,
      [Outcome.SILENT_BAD_YAML]: 0,
      [Outcome.WRONG_REJECTION]: 0,
      [Outcome.UNCLEAR_ERROR]: 0,
    });
  });
});
