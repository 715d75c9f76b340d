/**
 * The engine-free front of a forward pass, shared by the tfjs engine (forward.ts) and the ORT one
 * (onnx/forward.ts): the batch checked, position ids that count real tokens only (so a left-padded row
 * matches the row alone), the key mask over cached and new positions, and the additive attention bias.
 */
import { dims, type ModelConfig } from '../io/config.js';

/** What a key/value cache carries besides its tensors. */
export interface CachedPositions {
  /** Positions held. */
  length: number;
  /** Per row, 1 for a real token and 0 for padding, over the positions held. */
  keyMask: number[][];
  /** Per row, the position id the next real token gets. */
  nextPosition: number[];
}

/** The layout of one forward pass: sizes, position ids (B·T), key mask, next positions and the (B, 1, T, pastLen + T) bias. */
export interface BatchLayout {
  batch: number;
  time: number;
  pastLen: number;
  totalLen: number;
  positions: Int32Array;
  keyMask: number[][];
  nextPosition: number[];
  /** Additive attention bias, causal and padding: −1e9 where a query may not look. */
  bias: Float32Array;
}

/** Checks (B, T) ids and the mask (default: all real) against the model and lays the batch out; throws plain Errors. */
export function batchLayout(config: ModelConfig, rows: number[][], attentionMask: number[][] | undefined, past?: CachedPositions): BatchLayout {
  const k = dims(config);
  const batch = rows.length;
  const time = rows[0]?.length ?? 0;
  if (batch === 0 || time === 0) throw new Error('forward: ids must be a non-empty (B, T) array');
  for (const r of rows) {
    if (r.length !== time) throw new Error('forward: every row of ids must have the same length (pad and pass attentionMask)');
    for (const t of r) if (!Number.isInteger(t) || t < 0 || t >= k.vocab) throw new Error(`forward: token id ${t} outside [0, ${k.vocab})`);
  }
  const mask = attentionMask ?? rows.map((r) => r.map(() => 1));
  if (mask.length !== batch || mask.some((m) => m.length !== time)) throw new Error('forward: attentionMask must have the shape of ids');
  const pastLen = past?.length ?? 0;
  const positions = new Int32Array(batch * time);
  const keyMask: number[][] = [];
  const nextPosition: number[] = [];
  let maxPos = 0;
  for (let b = 0; b < batch; b++) {
    let pos = past ? past.nextPosition[b] : 0;
    for (let t = 0; t < time; t++) {
      const p = mask[b][t] ? pos : 0;
      positions[b * time + t] = p;
      maxPos = Math.max(maxPos, p);
      if (mask[b][t]) pos++;
    }
    nextPosition.push(pos);
    keyMask.push([...(past ? past.keyMask[b] : []), ...mask[b]]);
  }
  if (config.model_type === 'gpt2' && maxPos >= k.maxPositions) throw new Error(`forward: position ${maxPos} exceeds the model's context of ${k.maxPositions}`);
  const totalLen = pastLen + time;
  const bias = new Float32Array(batch * time * totalLen);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      for (let j = 0; j < totalLen; j++) if (j > pastLen + t || !keyMask[b][j]) bias[(b * time + t) * totalLen + j] = -1e9;
    }
  }
  return { batch, time, pastLen, totalLen, positions, keyMask, nextPosition, bias };
}
