import cliProgress from "cli-progress";

export interface Progress {
  update(value: number): void;
  stop(): void;
}

/**
 * Progress on stderr: a live bar on a terminal; otherwise (logs, CI) a plain line
 * at every tenth of the way, since redrawing a bar would flood them.
 */
export function createProgress(label: string, total: number, unit: string): Progress {
  return process.stderr.isTTY ? barProgress(label, total, unit) : lineProgress(label, total, unit);
}

function barProgress(label: string, total: number, unit: string): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} |{bar}| {percentage}% | {value}/{total} ${unit} | ETA {eta_formatted}`,
      // Not hidden: a process stopped by a signal could not show it again.
      hideCursor: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (value) => bar.update(value), stop: () => bar.stop() };
}

function lineProgress(label: string, total: number, unit: string): Progress {
  let reportedTenths = 0;
  return {
    update(value) {
      const tenths = Math.floor((10 * value) / total);
      if (tenths <= reportedTenths) return;
      reportedTenths = tenths;
      process.stderr.write(`${label}: ${tenths * 10}% (${value}/${total} ${unit})\n`);
    },
    stop() {},
  };
}
