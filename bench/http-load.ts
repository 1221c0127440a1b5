// The HTTP benchmark's load generator, in a process of its own (as a real client would be): runs
// autocannon with the options it is sent and sends the result back.
import autocannon from "autocannon";

process.once("message", async (options: autocannon.Options) => {
  const result = await autocannon(options);
  process.send!(result, () => process.exit(0));
});
