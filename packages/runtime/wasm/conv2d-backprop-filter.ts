// AssemblyScript source of the WebAssembly SIMD Conv2DBackpropFilter kernel (see
// src/kernels/conv2d-backprop-filter-wasm.ts). Build with `npm run build:wasm -w @omnifuse/core`;
// the result is committed as src/kernels/conv2d-backprop-filter-wasm.generated.ts and a test checks
// it matches this file.
//
// dW[tap, ic, oc] = sum over b, oh, ow of xPadded[b, oh·sh + kh·dh, ow·sw + kw·dw, ic] · dy[b, oh, ow, oc].
// For each block of at most CHUNK output positions (part of a row, or several whole rows when the
// output is narrow), tap and input channel, the sum over the block runs in f32x4 registers over 4
// output channels at a time, then goes into a float64 total: one weight gathers
// batch · outHeight · outWidth terms (~500k in the LF LeNet's first layer), so a long f32 sum would
// lose digits.
//
// The host lays out x zero-padded (so no bounds checks) and dy as it is, NHWC. dy is read four
// channels at a time even when outChannels is not a multiple of 4: the extra lanes read the next
// position's channels (or the 16 bytes of slack after dy) and their sums are never written out.

const CHUNK: i32 = 128;

export function heapBase(): usize {
  return __heap_base;
}

/**
 * Copies x [batch, inH, inW, ci] to dst [batch, hp, wp, ci], shifted down and right by the top and
 * left padding, with zeros where no input lands. Rows or columns past the last window are dropped.
 */
export function padInput(
  src: usize,
  dst: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ci: i32,
  hp: i32,
  wp: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const c0 = max(0, padLeft);
  const c1 = min(wp, inW + padLeft);
  const rowBytes = (<usize>(wp * ci)) << 2;
  memory.fill(dst, 0, <usize>(batch * hp) * rowBytes);
  if (c1 <= c0) return;
  const copyBytes = (<usize>((c1 - c0) * ci)) << 2;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < hp; r++) {
      const ih = r - padTop;
      if (ih < 0 || ih >= inH) continue;
      const to = dst + <usize>(b * hp + r) * rowBytes + ((<usize>(c0 * ci)) << 2);
      const from = src + ((<usize>(((b * inH + ih) * inW + (c0 - padLeft)) * ci)) << 2);
      memory.copy(to, from, copyBytes);
    }
  }
}

// Adds the four f32 lanes of `v` to the float64 totals at `at` (binaryen inlines it).
function flush(at: usize, v: v128): void {
  f64.store(at, f64.load(at) + <f64>f32x4.extract_lane(v, 0));
  f64.store(at, f64.load(at, 8) + <f64>f32x4.extract_lane(v, 1), 8);
  f64.store(at, f64.load(at, 16) + <f64>f32x4.extract_lane(v, 2), 16);
  f64.store(at, f64.load(at, 24) + <f64>f32x4.extract_lane(v, 3), 24);
}

/**
 * Sums into `total` ([taps, ci, coP] float64, coP = outChannels rounded up to 4) from the padded x
 * ([batch, hp, wp, ci]) and dy ([batch, outH, outW, co]), then writes `out` ([taps, ci, co] f32).
 */
export function filterGrad(
  xp: usize,
  dy: usize,
  total: usize,
  out: usize,
  batch: i32,
  hp: i32,
  wp: i32,
  ci: i32,
  outH: i32,
  outW: i32,
  co: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
): void {
  const vecs = (co + 3) >> 2;
  const coP = vecs << 2;
  const taps = fh * fw;
  memory.fill(total, 0, (<usize>(taps * ci * coP)) << 3);
  const xStep = (<usize>(sw * ci)) << 2; // bytes from one output column's x to the next
  const dyStep = (<usize>co) << 2;
  const xRowBytes = (<usize>(wp * ci)) << 2;
  const dyRowBytes = (<usize>(outW * co)) << 2;
  // Narrow outputs sum several rows (across images too) per f32 partial, up to CHUNK terms.
  const rowsPerBlock = outW >= CHUNK ? 1 : CHUNK / outW;
  const allRows = batch * outH;
  for (let row0 = 0; row0 < allRows; row0 += rowsPerBlock) {
    const rows = min(rowsPerBlock, allRows - row0);
    const b0 = row0 / outH;
    const oh0 = row0 % outH;
    for (let ow0 = 0; ow0 < outW; ow0 += CHUNK) {
      const n = min(CHUNK, outW - ow0);
      const dyBlock = dy + <usize>row0 * dyRowBytes + <usize>ow0 * dyStep;
      for (let kh = 0; kh < fh; kh++) {
        for (let kw = 0; kw < fw; kw++) {
          // Offset of this tap's first x within a row block's first padded row.
          const xTap = <usize>(kh * dh) * xRowBytes + ((<usize>((ow0 * sw + kw * dw) * ci)) << 2);
          const totTap = total + ((<usize>((kh * fw + kw) * ci * coP)) << 3);
          for (let ic = 0; ic < ci; ic++) {
            const xOff = xTap + ((<usize>ic) << 2);
            const tot = totTap + ((<usize>(ic * coP)) << 3);
            let v = 0;
            for (; v + 4 <= vecs; v += 4) {
              let a0 = f32x4.splat(0);
              let a1 = f32x4.splat(0);
              let a2 = f32x4.splat(0);
              let a3 = f32x4.splat(0);
              let b = b0;
              let oh = oh0;
              for (let r = 0; r < rows; r++) {
                let px = xp + <usize>(b * hp + oh * sh) * xRowBytes + xOff;
                let py = dyBlock + <usize>r * dyRowBytes + ((<usize>v) << 4);
                for (let i = 0; i < n; i++) {
                  const s = v128.load32_splat(px);
                  a0 = f32x4.add(a0, f32x4.mul(s, v128.load(py)));
                  a1 = f32x4.add(a1, f32x4.mul(s, v128.load(py, 16)));
                  a2 = f32x4.add(a2, f32x4.mul(s, v128.load(py, 32)));
                  a3 = f32x4.add(a3, f32x4.mul(s, v128.load(py, 48)));
                  px += xStep;
                  py += dyStep;
                }
                if (++oh === outH) {
                  oh = 0;
                  b++;
                }
              }
              const at = tot + ((<usize>v) << 5);
              flush(at, a0);
              flush(at + 32, a1);
              flush(at + 64, a2);
              flush(at + 96, a3);
            }
            for (; v + 2 <= vecs; v += 2) {
              let a0 = f32x4.splat(0);
              let a1 = f32x4.splat(0);
              let b = b0;
              let oh = oh0;
              for (let r = 0; r < rows; r++) {
                let px = xp + <usize>(b * hp + oh * sh) * xRowBytes + xOff;
                let py = dyBlock + <usize>r * dyRowBytes + ((<usize>v) << 4);
                for (let i = 0; i < n; i++) {
                  const s = v128.load32_splat(px);
                  a0 = f32x4.add(a0, f32x4.mul(s, v128.load(py)));
                  a1 = f32x4.add(a1, f32x4.mul(s, v128.load(py, 16)));
                  px += xStep;
                  py += dyStep;
                }
                if (++oh === outH) {
                  oh = 0;
                  b++;
                }
              }
              const at = tot + ((<usize>v) << 5);
              flush(at, a0);
              flush(at + 32, a1);
            }
            if (v < vecs) {
              let a0 = f32x4.splat(0);
              let b = b0;
              let oh = oh0;
              for (let r = 0; r < rows; r++) {
                let px = xp + <usize>(b * hp + oh * sh) * xRowBytes + xOff;
                let py = dyBlock + <usize>r * dyRowBytes + ((<usize>v) << 4);
                for (let i = 0; i < n; i++) {
                  a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(px), v128.load(py)));
                  px += xStep;
                  py += dyStep;
                }
                if (++oh === outH) {
                  oh = 0;
                  b++;
                }
              }
              flush(tot + ((<usize>v) << 5), a0);
            }
          }
        }
      }
    }
  }
  const rows = taps * ci;
  for (let r = 0; r < rows; r++) {
    const from = total + ((<usize>(r * coP)) << 3);
    const to = out + ((<usize>(r * co)) << 2);
    for (let oc = 0; oc < co; oc++)
      f32.store(to + ((<usize>oc) << 2), <f32>f64.load(from + ((<usize>oc) << 3)));
  }
}
