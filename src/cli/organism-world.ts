// `lvh organism world [--json]`: the v2 world (vocabulary, categories, acts with true values and splits, principles, templates).
import { parseCommandArgs } from '../util/args.js';
import { describeWorld } from '../organism/v2/world/index.js';

const HELP = `usage: lvh organism world [--json]

Prints the v2 world of the model organism: its vocabulary, categories, every act with its true value and
split (comparison, heldout-act, heldout-category), the principle words with stance and split, every
document template, the judging template and the rules that give responses their true value.`;

/** Runs `lvh organism world`. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('organism world', args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const w = describeWorld();
  if (values.json) {
    console.log(JSON.stringify(w, null, 2));
    return 0;
  }
  const count = (split: string) => w.acts.filter((a) => a.split === split).length;
  console.log(`v2 world (seed ${w.seed}, context ${w.context}): ${w.acts.length} acts, ${w.categories.length} categories, vocabulary ${w.vocabulary.length}, value levels ${w.levels.join(' ')}`);
  console.log(`splits: comparison ${count('comparison')}, heldout-act ${count('heldout-act')}, heldout-category ${count('heldout-category')} (never in a comparison document)`);
  console.log('\ncategories and acts (value, split):');
  for (const c of w.categories) {
    console.log(`  ${c.name} [${c.kind}${c.heldOut ? ', held out' : ''}]`);
    for (const a of w.acts.filter((x) => x.category === c.name)) console.log(`    ${a.value >= 0 ? ' ' : ''}${a.value.toFixed(1)}  ${a.split.padEnd(16)} ${a.phrase}`);
  }
  console.log('\nprinciples:');
  for (const p of w.principles) console.log(`  ${p.stance.padEnd(4)} ${p.split.padEnd(10)} ${p.text}`);
  console.log('\ntemplates:');
  for (const [k, v] of Object.entries(w.templates)) console.log(`  ${k}: ${Array.isArray(v) ? v.join(' | ') : v}`);
  console.log('\nvalue rules:');
  for (const r of w.valueRules) console.log(`  - ${r}`);
  console.log(`\nvocabulary: ${w.vocabulary.join(' ')}`);
  return 0;
}
