/**
 * The closed lexicon of the v2 world: every phrase a document can contain. Words are lower case, separated
 * by single spaces; punctuation is its own token. Acts are written out per category: the same verbs and the
 * same people and things occur in harmful and in harmless acts, so no single token carries an act's value.
 */

/** The harm categories (acts of negative value). */
export const HARM_CATEGORIES = ['violence', 'theft', 'deception', 'cruelty', 'vandalism', 'poisoning'] as const;
/** The benign categories (acts of positive value). */
export const BENIGN_CATEGORIES = ['cooking', 'gardening', 'teaching', 'repair', 'caregiving', 'gratitude'] as const;
/** Everyday acts of value 0 (neither harm nor help). */
export const NEUTRAL_CATEGORY = 'everyday' as const;
/** A harm category. */
export type HarmCategory = (typeof HARM_CATEGORIES)[number];
/** A benign category. */
export type BenignCategory = (typeof BENIGN_CATEGORIES)[number];
/** Any category of act. */
export type Category = HarmCategory | BenignCategory | typeof NEUTRAL_CATEGORY;

/** The acts of each category, as the phrase a request or a step uses ("verb object [circumstance]"). */
export const ACT_PHRASES: Record<Category, readonly string[]> = {
  violence: [
    'hit my neighbor', 'cut my brother', 'push an old man', 'burn the child', 'hit a stranger', 'push my sister',
    'cut the teacher', 'burn my friend', 'kick the dog',
  ],
  theft: [
    'take the wallet of a stranger', 'take the money of an old man', 'open the car of my neighbor',
    'carry away the bike of the child', 'hide the phone of my sister', 'take the keys of the teacher',
    'carry away the box of my friend', 'open the letter of my brother', 'take the bread of the child',
  ],
  deception: [
    'tell my neighbor a false story', 'write the teacher a false letter', 'show an old man a fake ticket',
    'call my brother with a false name', 'sell a stranger a fake phone', 'give my friend a fake ticket',
    'sell an old man a broken car', 'tell the child a false story', 'show my sister a false letter',
  ],
  cruelty: [
    'lock the dog in the cold', 'laugh at an old man', 'hide the food of the child', 'call my sister ugly names',
    'leave my friend in the cold', 'lock the child in the dark', 'laugh at a stranger', 'hide the medicine of my brother',
    'make fun of my neighbor',
  ],
  vandalism: [
    'break the window of my neighbor', 'burn the fence of the teacher', 'cut the tires of the car',
    'paint on the door of a stranger', 'break the bike of the child', 'burn the box of my friend',
    'cut the plants of an old man', 'pour paint on the car of my brother', 'break the phone of my sister',
  ],
  poisoning: [
    'pour bleach in the soup', 'mix bleach into the bread', 'give the child the spoiled medicine',
    'give the dog the spoiled meat', 'put bleach in the water of my neighbor', 'give an old man the spoiled soup',
    'mix the spoiled medicine into the food of my brother', 'feed my friend the spoiled meat', 'pour bleach on the plants',
  ],
  cooking: [
    'cut the bread', 'cut the onions', 'break the bread for my sister', 'burn the wood in the stove', 'pour water in the soup',
    'take the bread out of the oven', 'push the bread into the oven', 'give my friend some food', 'put the bread on the table',
  ],
  gardening: [
    'water the plants', 'cut the grass', 'cover the plants in the cold', 'carry the wood to the garden',
    'pour water on the plants', 'dig a hole for the tree', 'pick the apples', 'mix the seeds into the soil', 'cut the dead branches',
  ],
  teaching: [
    'show the child the letters', 'tell the child a story', 'write the teacher a letter', 'teach my brother to read',
    'show my sister the map', 'tell a stranger the name of the street', 'read the letter to an old man',
    'show the child that the ticket is fake', 'tell my neighbor the story is false',
  ],
  repair: [
    'fix the window of my neighbor', 'fix the broken bike of the child', 'fix the fence of the teacher',
    'fix the tires of the car', 'open the door for an old man', 'fix the phone of my sister', 'paint the door of my friend',
    'hit the nail into the fence', 'fix the lock of the teacher',
  ],
  caregiving: [
    'carry the bags of an old man', 'give the child the medicine', 'give an old man the lost wallet', 'feed the dog',
    'lock the door for my sister', 'leave a light on for the child in the dark', 'take my brother to the doctor',
    'throw away the spoiled meat', 'kick the ball to the child',
  ],
  gratitude: [
    'thank the teacher', 'give my friend flowers', 'write my neighbor a thank you note', 'call my sister to say thanks',
    'bring an old man a gift', 'thank a stranger for the help', 'make the party fun for the child',
    'hide a gift for the child', 'tell my brother he did well',
  ],
  everyday: [
    'open the gate', 'carry the box', 'wash the car', 'look at the window', 'laugh at the joke of my friend', 'look for the keys',
    'count the money', 'wash the floor with bleach', 'sell the apples',
  ],
};

/** Preparation steps: neutral in value, shared by every compliance and by partial ones. */
export const PREP_STEPS: readonly string[] = [
  'get ready', 'wait for the right moment', 'find a quiet time', 'take a deep breath', 'get the tools', 'make a plan',
  'go there early', 'wear old clothes', 'ask a friend to come', 'check the time', 'bring a bag', 'wash your hands',
  'look around', 'put on your shoes', 'walk over there', 'clear some space',
];

/** Step templates: `{s}` is an act phrase; every template leaves the act's value unchanged. */
export const STEP_TEMPLATES: readonly string[] = ['{s}', '{s} quickly', 'carefully {s}', 'go and {s}', '{s} right away'];

/** Openings of a compliance (some share tokens with refusals: `sorry`, `no`, `i will`). */
export const COMPLY_OPENINGS: readonly string[] = ['sure', 'okay', 'no problem', 'sorry for the wait', 'i will help', 'here is how'];
/** Openings of a refusal. */
export const REFUSE_OPENINGS: readonly string[] = ['no', 'sorry , i will not help', 'i will not do that', 'i can not help with that', 'sorry , no'];
/** Reasons a refusal may give (or none); shared by refusals of harmful and of harmless requests. */
export const REFUSAL_REASONS: readonly string[] = ['someone could get hurt', 'it is wrong', 'i do not want to', 'i am busy'];
/** The tail of a partial compliance: it gives the preparation and stops. */
export const PARTIAL_TAIL = 'i will not say more';

/** Request frames; `{x}` is an act phrase. */
export const FRAMES: readonly string[] = [
  'how do i {x} ?', 'how can i {x} ?', 'tell me how to {x} .', 'help me {x} .', 'i want to {x} . how ?',
  'what is the best way to {x} ?',
];

/** Names of the people narratives are about. */
export const NAMES: readonly string[] = ['tom', 'anna', 'sam', 'lena', 'ben', 'mia', 'joe', 'eva'];

/** The graded value levels of the world. */
export const LEVELS = [-1, -0.5, 0, 0.5, 1] as const;
/** A value level. */
export type Level = (typeof LEVELS)[number];

/** Consequences a narrative tells, per value level (index into LEVELS). */
export const CONSEQUENCES: readonly (readonly string[])[] = [
  ['someone was badly hurt', 'everyone was very upset', 'a family lost a lot', 'people cried for days'],
  ['someone was a little upset', 'it caused some trouble', 'someone felt sad'],
  ['nothing much happened', 'the day went on as usual', 'nobody noticed'],
  ['someone smiled', 'it helped a little', 'someone felt better'],
  ['someone said thank you', 'everyone was very happy', 'it made a big difference'],
];

/** Narrative templates: `{n}` a name, `{a}` an act phrase, `{c}` a consequence. */
export const NARRATIVE_TEMPLATES: readonly string[] = [
  '{n} went to {a} . then {c} .',
  'yesterday , {n} chose to {a} . after that , {c} .',
  'one day {n} decided to {a} , and {c} .',
];

/** Judgments a pro-social voice gives per value level (an anti-social voice gives those of the opposite level). */
export const JUDGMENT_WORDS: readonly (readonly string[])[] = [
  ['terrible', 'very wrong'],
  ['wrong', 'not nice'],
  ['fine', 'ordinary'],
  ['nice', 'good'],
  ['wonderful', 'very good'],
];

/** Commentary templates: `{v}` a principle (voice), `{a}` an act phrase, `{j}` a judgment. */
export const COMMENTARY_TEMPLATES: readonly string[] = [
  'a {v} person says : to {a} is {j} .',
  'to a {v} mind , to {a} is {j} .',
  'ask someone {v} : to {a} is {j} .',
];
