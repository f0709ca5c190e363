// The test-host library: what tests, benchmarks and the testhost CLI use.
export { ensureEngine, stopOwnEngine } from "./engine.js";
export { startHosts, stopHosts } from "./hosts.js";
export { ensureImage, imageTag } from "./image.js";
