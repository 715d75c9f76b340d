/**
 * The only way the v2 evaluation talks to a model: score candidate continuations of a prompt, read residual
 * streams at positions, and (optionally) sample. Token ids are the world's; prompts start with <bos>. Any
 * engine (the tfjs one now, the ONNX one later) plugs in by implementing this.
 */

/** One prompt and its candidate continuations (token ids). */
export interface ScoreRequest {
  prompt: number[];
  continuations: number[][];
}

/** One sequence and the positions to read (negative counts from the end: -1 is the last token). */
export interface ResidualRequest {
  ids: number[];
  positions: number[];
}

/** Sampling options. */
export interface SampleOptions {
  maxTokens: number;
  temperature: number;
  seed: number;
  stopTokens: number[];
}

/** What the v2 evaluation needs from a model. */
export interface ScoringModel {
  /** Sum of log-probabilities (nats) of each continuation after its prompt: [request][continuation]. */
  scoreContinuations(requests: ScoreRequest[]): Promise<number[][]>;
  /** Residual vectors per layer: layer names (e.g. 'embed', '0', '1') and vectors[layer][request][position]. */
  residuals(requests: ResidualRequest[]): Promise<{ layers: string[]; vectors: Float64Array[][][] }>;
  /** A sampled continuation (new tokens only, the stop token included when reached); absent: no generation section. */
  generate?(prompt: number[], opts: SampleOptions): Promise<number[]>;
}

/** Resolves a position (negative from the end) in a sequence of `length` tokens; throws when out of range. */
export function resolvePosition(position: number, length: number): number {
  const p = position < 0 ? length + position : position;
  if (!Number.isInteger(p) || p < 0 || p >= length) throw new Error(`position ${position} is outside a sequence of ${length} tokens`);
  return p;
}
