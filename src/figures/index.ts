// The figure functions: pure (data, options) → Plot spec, usable at build time (render.ts) and in the
// browser (Plot.plot({ ...spec, document })). Nothing here imports Node modules.

export type { PlotSpec, Weights, NeuronRoleName, CommonPlotOptions } from "./types.ts";
export { MATRIX_WIDTH, matrixCell, matrixPlot, matrixCells, positiveColourCap, sharedMaxAbs, valuesFit, weightExtent } from "./matrix.ts";
export type { MatrixPlotOptions, MatrixCell } from "./matrix.ts";
export { STACK_MIN_WEIGHT, stackPlot, stackSegments, stackExtent } from "./stack.ts";
export type { StackPlotOptions, StackSegment } from "./stack.ts";
export { featureNormsPlot, normBars, superpositionScale, superpositionExtent } from "./norms.ts";
export type { FeatureNormsInput, FeatureNormsOptions, NormBar } from "./norms.ts";
export { colourbarPlot, weightLegendPlot, superpositionLegendPlot, featureLegendPlot, roleLegendPlot } from "./legends.ts";
export {
  sweepRow,
  sweepRegimePlot,
  regimeLegendPlot,
  sweepCountsPlot,
  countsLegendPlot,
  sweepLossPlot,
  superpositionSweepPlot,
  lossSummary,
  quantile,
  REGIME_ORDER,
  REGIME_COLOURS,
} from "./sweep.ts";
export type { SweepRow, SweepLevel, SweepAnalysis, LossSummary } from "./sweep.ts";
export { FEATURE_COLOURS, featureColour, WEIGHT_SCHEME, SUPERPOSITION_SCHEME, ROLE_COLOURS, roleColour } from "./palette.ts";
export * from "./format.ts";
