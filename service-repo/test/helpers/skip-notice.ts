/**
 * Says why tests are skipped, in `npm test`'s output. Straight to stderr, not console.log: Jest
 * drops the buffered console output of a file whose tests are all skipped, so a skipped suite would
 * otherwise only show up as a count.
 */
export function skipNotice(what: string, reason: string): void {
  process.stderr.write(`SKIPPED ${what}: ${reason}\n`);
}
