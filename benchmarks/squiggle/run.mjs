// Runs a Squiggle model read from standard input and prints its timings and summary as JSON, for
// benchmarks/questions.py. Usage: node run.mjs SAMPLES REPEAT < model.squiggle
// The model's last statement defines `out`; each repeat is timed inside node, after the module has loaded.
import { readFileSync } from "node:fs";
import { run, defaultEnvironment } from "@quri/squiggle-lang";

const [samples, repeat] = process.argv.slice(2).map(Number);
const model = readFileSync(0, "utf8");
const code =
  `${model}\n` +
  "{mean: mean(out), p5: quantile(out, 0.05), p50: quantile(out, 0.5), p95: quantile(out, 0.95)}";
const environment = { ...defaultEnvironment, sampleCount: samples };
const seconds = [];
let summary;
for (let i = 0; i < repeat; i++) {
  const started = performance.now();
  const output = await run(code, { environment: { ...environment, seed: `peil-${i}` } });
  seconds.push((performance.now() - started) / 1000);
  if (!output.result.ok) {
    throw new Error(output.result.value.toString());
  }
  summary = output.result.value.result.asJS().value;
}
console.log(JSON.stringify({ seconds, ...summary }));
