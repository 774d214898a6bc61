// @iter8ts/report/testing: sample experiments for the tests of tools that read experiments.
export { abInput, canaryInput, experiment } from "./__fixtures__/experiments";
export { simulatedAbnExperiment, simulatedCanaryExperiment, SIMULATED_VERSIONS } from "./report/__fixtures__/simulated-experiment";
