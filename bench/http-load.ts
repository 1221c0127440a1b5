// The HTTP benchmark's load generator, in a process of its own (as a real client would be). It stays
// up for the whole benchmark, so that no round pays for starting Node and loading autocannon: each
// message is one autocannon run, answered with its result. It exits when the parent disconnects.
import autocannon from "autocannon";

process.on("message", async (options: autocannon.Options) => {
  process.send!(await autocannon(options));
});
process.on("disconnect", () => process.exit(0));
