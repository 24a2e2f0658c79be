// Pure analysis of a trained W (m neurons × n features, `W[j][i]`): feature norms and superposition,
// which neurons store which features, the regime in the paper's words, and a canonical neuron order.

export type { Matrix, Importance } from "./matrix.ts";
export { matrixShape, column, maxAbsEntry, maxPositiveEntry, featuresByImportance, importanceRank } from "./matrix.ts";
export type { AnalysisOptions, Thresholds } from "./options.ts";
export { DEFAULT_STORE_THRESHOLD, DEFAULT_DROP_THRESHOLD, resolveThresholds } from "./options.ts";
export { featureNorms, positiveFeatureNorms, featureGram, featureSuperposition } from "./norms.ts";
export type { DropReason, FeatureStorage } from "./features.ts";
export { featureStorage, featureCodes, representedFeatures, droppedFeatures } from "./features.ts";
export type { NeuronRole } from "./neurons.ts";
export { roleForCount, neuronFeaturesFromCodes, neuronFeatures, neuronRoles } from "./neurons.ts";
export type { RegimeId, FeatureKind, Block, RegimeCounts, Regime } from "./regime.ts";
export { REGIME_PHRASES, BLOCK_SHAPES, featureKinds, polysemanticBlocks, structureCounts, classifyRegime } from "./regime.ts";
export { canonicalOrderFromStored, canonicalNeuronOrder, assertPermutation, permute, applyOrder } from "./order.ts";
export type { Analysis } from "./analyse.ts";
export { analyse } from "./analyse.ts";
export type { CodeStructure, CodeSizeRow, CodeSizeSweep, SweepModel } from "./codes.ts";
export { codeStructure, describeCodeSizes, describeStructure, codeSizeSweep } from "./codes.ts";
