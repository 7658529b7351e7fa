/** A standard normal draw from a uniform [0, 1) source (Box-Muller; 1 - u keeps the log finite). */
export function standardNormal(next: () => number): number {
  const u = 1 - next();
  const v = next();
  return Math.sqrt(2 * -Math.log(u)) * Math.cos(2 * Math.PI * v);
}
