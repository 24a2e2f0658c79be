// Every component the article's MDX can use, passed to each section's <Content components={…}> by
// src/pages/index.astro, so that no MDX file imports anything. See README, "Extend the write-up".
//
// Figures (numbered in document order; the caption is the children; every id inside starts with `id`):
//   <WeightFigure id experiment density views values>   one model's W: matrix, stack plot, feature norms
//   <ComparisonFigure id density views>                  linear beside ReLU at one density
//   <RegimesFigure id>, <SweepFigure id>, <SuperpositionSweepFigure id>, <CrossEvalFigure id>,
//   <BetterModelsFigure id>, <PopulationFigure id>                                the ReLU sweep and its population
//   <CodeSizesFigure id experiment population>           neurons per feature code as density falls (any experiment)
// Text: <Value name as>, <If fact not one>, <Plural fact one other>,
//   <Equation id tex>, <EqRef id>, <FigRef id prefix>, <DataLink model>, <PopulationFiles />
// Tables and the rest: <RegimeTable figure>, <SelectionTable />, <RunTable />, <RetrainCommands />,
//   <Explorer model density id>, <CodeStructureTable experiment>
// Interactive: <TrainItYourself open id>   the in-page trainer ("Train it yourself"), loaded on demand

import BetterModelsFigure from "./BetterModelsFigure.astro";
import CodeSizesFigure from "./CodeSizesFigure.astro";
import CodeStructureTable from "./CodeStructureTable.astro";
import ComparisonFigure from "./ComparisonFigure.astro";
import CrossEvalFigure from "./CrossEvalFigure.astro";
import DataLink from "./DataLink.astro";
import EqRef from "./EqRef.astro";
import Equation from "./Equation.astro";
import Explorer from "./explorer/Explorer.astro";
import FigRef from "./FigRef.astro";
import If from "./If.astro";
import Plural from "./Plural.astro";
import PopulationFigure from "./PopulationFigure.astro";
import PopulationFiles from "./PopulationFiles.astro";
import RegimeTable from "./RegimeTable.astro";
import RegimesFigure from "./RegimesFigure.astro";
import RetrainCommands from "./RetrainCommands.astro";
import RunTable from "./RunTable.astro";
import SelectionTable from "./SelectionTable.astro";
import SuperpositionSweepFigure from "./SuperpositionSweepFigure.astro";
import SweepFigure from "./SweepFigure.astro";
import TrainItYourself from "./trainer/TrainItYourself.astro";
import Value from "./Value.astro";
import WeightFigure from "./WeightFigure.astro";

export const articleComponents = {
  BetterModelsFigure,
  CodeSizesFigure,
  CodeStructureTable,
  ComparisonFigure,
  CrossEvalFigure,
  DataLink,
  EqRef,
  Equation,
  Explorer,
  FigRef,
  If,
  Plural,
  PopulationFigure,
  PopulationFiles,
  RegimeTable,
  RegimesFigure,
  RetrainCommands,
  RunTable,
  SelectionTable,
  SuperpositionSweepFigure,
  SweepFigure,
  TrainItYourself,
  Value,
  WeightFigure,
};
