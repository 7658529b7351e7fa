/**
 * Public surface of training: the one-graph training step (forward, backward, AdamW) over a flat
 * state, its sessions and engines per device, the epoch loop, the evaluator and checkpoints.
 */
export { loadCheckpoint } from './checkpoint.js';
export { createEngines, type EvalEngine, type StepEngine } from './device/engines.js';
export { Evaluator } from './evaluator.js';
export { flatLayout, gatherParams, initialState, paramCountOf } from './flat-params.js';
export { positiveWeightsFor } from './loss.js';
export { initialLoopState, trainEpochs, type EpochSummary, type LoopState } from './loop.js';
export { createSession, kernelBlock, trainingStepOptions } from './session.js';
export { bakeParams, buildEvalGraph, buildTrainingGraph } from './training-graph.js';
