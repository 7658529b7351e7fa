import cliProgress from 'cli-progress';

/** Steps between log lines when stderr is not a terminal (CI logs): one line per this many steps. */
const PLAIN_EVERY = 50;

export interface EpochProgress {
  update(done: number, loss: number, imagesPerSecond: number): void;
  stop(): void;
}

/**
 * A progress bar for one epoch with loss, images/second and ETA; on a non-terminal stderr (CI)
 * a plain line every few dozen steps instead of escape codes.
 */
export function epochProgress(epoch: number, epochs: number, total: number): EpochProgress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream: process.stderr,
      format: `epoch ${epoch}/${epochs} {bar} {value}/{total} steps | loss {loss} | {ips} img/s | ETA {eta_formatted}`,
      etaBuffer: 20,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { loss: '-', ips: '-' });
    return {
      update: (done, loss, ips) => { bar.update(done, { loss: loss.toFixed(4), ips: ips.toFixed(0) }); },
      stop: () => { bar.stop(); },
    };
  }
  return {
    update: (done, loss, ips) => {
      if (done % PLAIN_EVERY !== 0 && done !== total) return;
      process.stderr.write(`epoch ${epoch}/${epochs} step ${done}/${total} loss ${loss.toFixed(4)} ${ips.toFixed(0)} img/s (${total - done} steps left)\n`);
    },
    stop: () => undefined,
  };
}
