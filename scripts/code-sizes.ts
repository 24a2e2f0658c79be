// npm run code-sizes -- NAME…: chapter 2's measurements of declared experiments' data files, as text: per
// density, the winner's regime and code sizes (neurons per feature) and distinct codes, and over the
// whole population the share of models with a code of three or more neurons (src/site/code-sizes.ts).
// Reads public/data (or $PB_DATA_DIR); exit 2 on an unknown name, 1 on a missing or invalid file.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { readDataFile } from "../src/data/io.ts";
import { populationExpectation, readPopulationFile } from "../src/data/population.ts";
import { declaredExperiments, findExperiment, trainDataDirectory } from "../src/experiments/declarations.ts";
import { analysePopulation } from "../src/site/population.ts";
import { experimentCodeSizes } from "../src/site/code-sizes.ts";
import { analyse, describeCodeSizes } from "../src/analysis/index.ts";

const names = process.argv.slice(2);
if (!names.length) {
  console.error("usage: npm run code-sizes -- NAME [NAME…]  (a declared experiment, e.g. relu-n20)");
  process.exit(2);
}
for (const name of names) {
  const e = findExperiment(name, declaredExperiments());
  if (!e) {
    console.error(`code-sizes: unknown experiment '${name}'`);
    process.exit(2);
  }
  const path = join(trainDataDirectory(), `${name}.json`);
  let file;
  try {
    file = readDataFile(path);
  } catch (err) {
    console.error(`code-sizes: ${(err as Error).message}`);
    process.exit(1);
  }
  const popPath = file.population && join(trainDataDirectory(), file.population.file);
  const analyses = popPath && existsSync(popPath) ? analysePopulation(file, readPopulationFile(popPath, populationExpectation(file))) : undefined;
  const { winners, population } = experimentCodeSizes(file, analyses);
  const c = file.config;
  console.log(`${name}: n = ${c.features}, m = ${c.neurons}, K = ${c.modelsPerLevel}, importance ${c.importance[0]} … ${c.importance.at(-1)!.toPrecision(3)}`);
  for (const r of winners.rows) {
    const level = file.levels.find((l) => l.density === r.density)!;
    const regime = analyse(level.best.W, level.best.b, { importance: c.importance }).regime;
    const p = population?.find((x) => x.density === r.density);
    const pop = p ? ` | population: ${p.withThreeNeuronCode}/${p.models} with a ≥3-neuron code, largest ${p.largest}, mean ${p.meanDistinct.toFixed(1)} distinct codes, sizes 1/2/3/4/5: ${p.sizeShares.slice(1).map((s) => (100 * s).toFixed(0) + "%").join("/")}` : "";
    console.log(`  ${String(r.density).padEnd(6)} winner: ${r.structure.represented} features in ${r.structure.usedNeurons} neurons; ${describeCodeSizes(r.structure)}; ${r.structure.distinct} distinct; mean size ${r.meanSize.toFixed(2)}${regime.id === "unlabelled" ? "" : ` [${regime.phrase}]`}${pop}`);
  }
  console.log(`  codes of ≥ 3 neurons (winners): ${winners.threeNeuronDensities.length ? `at ${winners.threeNeuronDensities.join(", ")}` : "none"}; largest code ${winners.largest.size} neurons${winners.largest.density !== null ? ` (first at ${winners.largest.density})` : ""}; unchanged over ${winners.settled.join(", ")}`);
}
