/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for the small smooth convex
 * problems of the meta-models (a few dozen parameters). Stops when the gradient's largest component
 * falls under `tolerance` or after `maxIterations`.
 */
export function minimizeLbfgs(
  objective: (x: Float64Array, gradient: Float64Array) => number,
  x0: Float64Array,
  { maxIterations = 1000, tolerance = 1e-10, memory = 10 } = {},
): { x: Float64Array; value: number; iterations: number } {
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = objective(x, g);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    if (maxAbs(g) < tolerance) break;
    // two-loop recursion: d = −H·g
    const q = Float64Array.from(g);
    const alpha = new Array<number>(sList.length);
    for (let k = sList.length - 1; k >= 0; k--) {
      alpha[k] = rhoList[k]! * dot(sList[k]!, q);
      axpy(-alpha[k]!, yList[k]!, q);
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const gamma = dot(sList[last]!, yList[last]!) / dot(yList[last]!, yList[last]!);
      for (let i = 0; i < n; i++) q[i] *= gamma;
    } else {
      const scale = 1 / Math.max(1, Math.sqrt(dot(g, g)));
      for (let i = 0; i < n; i++) q[i] *= scale;
    }
    for (let k = 0; k < sList.length; k++) {
      const beta = rhoList[k]! * dot(yList[k]!, q);
      axpy(alpha[k]! - beta, sList[k]!, q);
    }
    const d = q.map((v) => -v);
    let slope = dot(g, d);
    if (slope >= 0) {
      // not a descent direction (numerical trouble): restart from steepest descent
      sList.length = yList.length = rhoList.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    let step = 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = objective(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNew <= f)) break; // no progress possible at machine precision
    const s = xNew.map((v, i) => v - x[i]!);
    const y = gNew.map((v, i) => v - g[i]!);
    const sy = dot(s, y);
    if (sy > 1e-12) {
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
      if (sList.length > memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
    }
    const decrease = f - fNew;
    x = Float64Array.from(xNew);
    g = Float64Array.from(gNew);
    f = fNew;
    if (decrease <= 1e-15 * Math.max(1, Math.abs(f)) && maxAbs(g) < Math.sqrt(tolerance)) break;
  }
  return { x, value: f, iterations: iteration };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i]!;
}
function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
