/**
 * The plumbing of a training run shared by the v1 and v2 organisms: the AdamW recipe, and the loss log
 * (continued from a checkpoint's), the progress bar and the trainEngine callbacks that fill them. None of it
 * changes what is trained: the data order and the knobs stay with each recipe.
 */
import type { Checkpoint } from '../nn/checkpoint.js';
import type { StepInfo, TrainOptions, TrainResult } from '../nn/train.js';
import { InputError } from '../util/errors.js';
import { createProgress } from '../util/progress.js';
import type { TrainLogPoint } from './train.js';

/** The optimiser knobs of an organism run of `steps` steps: warm-up over a tenth of the run (at most 100 steps), cosine to 0.1·lr, weight decay 0.1, clip 1. */
export function organismOptimizer(steps: number, lr: number): Pick<TrainOptions, 'lr' | 'warmupSteps' | 'minLrRatio' | 'weightDecay' | 'clipNorm'> {
  return { lr, warmupSteps: Math.min(100, Math.floor(steps / 10)), minLrRatio: 0.1, weightDecay: 0.1, clipNorm: 1 };
}

/** How a run reports: the bar's length, tokens per step, the checkpoint it continues, and the caller's callbacks. */
export interface TrainRunLogOptions {
  /** Steps the progress bar counts to. */
  steps: number;
  tokensPerStep: number;
  /** The checkpoint the run continues (its loss log is continued); undefined: a fresh run. */
  checkpoint?: Checkpoint;
  /** Where the checkpoint came from, for the refusal message. */
  checkpointDir?: string;
  quiet: boolean;
  /** Called after every step with the loss curve point. */
  onLog?: (point: TrainLogPoint) => void;
  /** Called at each validation point. */
  onEval?: (step: number, loss: number) => void;
}

/** A run's loss log and progress, and the callbacks that fill them. */
export interface TrainRunLog {
  /** The loss curve, one point per step (the checkpoint's points first). */
  log: TrainLogPoint[];
  /** Step the run continues from (0: from the start). */
  resumedFromStep: number;
  /** trainEngine's onStep: appends the point, reports it and moves the bar. */
  onStep: (info: StepInfo) => void;
  /** trainEngine's onEval: puts the validation loss on its step's point and reports it. */
  onEval: (info: { step: number; loss: number }) => void;
  /** Closes the progress bar; returns the mean training loss of the last 20 steps and the last validation loss. */
  finish: (result: TrainResult) => { finalTrainLoss: number; finalEvalLoss: number };
}

/** Starts a run's loss log (refusing a checkpoint whose log does not reach its step) and its progress bar. */
export function trainRunLog(o: TrainRunLogOptions): TrainRunLog {
  const resumedFromStep = o.checkpoint?.state.step ?? 0;
  const log: TrainLogPoint[] = o.checkpoint ? (o.checkpoint.log as TrainLogPoint[]).map((p) => ({ ...p })) : [];
  if (log.length !== resumedFromStep) throw new InputError(o.checkpointDir!, 'checkpoint', `expected ${resumedFromStep} loss-log points, got ${log.length}`);
  const progress = createProgress('train', o.steps, { quiet: o.quiet });
  if (resumedFromStep > 0) progress.update(resumedFromStep, `resumed at step ${resumedFromStep}`);
  const start = performance.now();
  return {
    log,
    resumedFromStep,
    onStep: (info) => {
      const point: TrainLogPoint = { step: info.step + 1, tokens: (info.step + 1) * o.tokensPerStep, loss: info.loss, lr: info.lr };
      log.push(point);
      o.onLog?.(point);
      const tps = ((info.step + 1 - resumedFromStep) * o.tokensPerStep) / ((performance.now() - start) / 1000);
      progress.update(info.step + 1, `loss ${info.loss.toFixed(3)} ${Math.round(tps)} tok/s`);
    },
    onEval: (info) => {
      const point = log[log.length - 1];
      if (point && point.step === info.step) point.evalLoss = info.loss;
      o.onEval?.(info.step, info.loss);
    },
    finish: (r) => {
      const finalEvalLoss = r.evalLosses.length > 0 ? r.evalLosses[r.evalLosses.length - 1].loss : NaN;
      const tail = r.losses.slice(-Math.min(20, r.losses.length));
      const finalTrainLoss = tail.length > 0 ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN;
      progress.finish(`loss ${finalTrainLoss.toFixed(3)} eval ${finalEvalLoss.toFixed(3)}`);
      return { finalTrainLoss, finalEvalLoss };
    },
  };
}
