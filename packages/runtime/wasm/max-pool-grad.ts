// AssemblyScript source of the WebAssembly SIMD MaxPoolGrad kernel (see
// src/kernels/max-pool-grad-wasm.ts). Build with `npm run build:wasm -w @omnifuse/core`; the result
// is committed as src/kernels/max-pool-grad-wasm.generated.ts and a test checks it matches this file.
//
// Same contract as maxPoolGradInto (src/kernels/max-pool-grad.ts): each window's dy goes to the
// first position, in (fh, fw) scan order, holding the window's maximum; `>` keeps the first of equal
// values and never takes NaN, so a window of only NaN or -Infinity gets nothing. Windows are visited
// in (b, oh, ow) order, so every dx element sums its dy values in the JS kernel's order.
// Groups of 4 channels run as f32x4 compares and selects, each lane tracking its argmax index; with
// more than 4 channels, the remainder is a vector over the last 4 that scatters only the new lanes;
// fewer than 4 channels run scalar.

export function heapBase(): usize {
  return __heap_base;
}

/** dx ([batch, inH, inW, c], zeroed here) from x (same shape) and dy ([batch, outH, outW, c]). */
export function maxPoolGrad(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  c: i32,
  outH: i32,
  outW: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  padTop: i32,
  padLeft: i32,
): void {
  memory.fill(dx, 0, (<usize>batch * inH * inW * c) << 2);
  const whole = c & ~3;
  let dyAt = 0;
  for (let b = 0; b < batch; b++) {
    const image = b * inH * inW * c;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * sh - padTop;
      for (let ow = 0; ow < outW; ow++) {
        const iw0 = ow * sw - padLeft;
        for (let ch = 0; ch < whole; ch += 4) {
          const bestAt = windowArgmax(x, image, ih0, iw0, ch, inH, inW, c, fh, fw, dh, dw);
          const g = v128.load(dy + ((<usize>(dyAt + ch)) << 2));
          scatter(dx, i32x4.extract_lane(bestAt, 0), f32x4.extract_lane(g, 0));
          scatter(dx, i32x4.extract_lane(bestAt, 1), f32x4.extract_lane(g, 1));
          scatter(dx, i32x4.extract_lane(bestAt, 2), f32x4.extract_lane(g, 2));
          scatter(dx, i32x4.extract_lane(bestAt, 3), f32x4.extract_lane(g, 3));
        }
        if (c > 4 && whole < c) {
          // The remainder as the last 4 channels, scattering only the lanes past `whole`.
          const ch = c - 4;
          const bestAt = windowArgmax(x, image, ih0, iw0, ch, inH, inW, c, fh, fw, dh, dw);
          const g = v128.load(dy + ((<usize>(dyAt + ch)) << 2));
          const first = whole - ch; // 1, 2 or 3
          if (first === 1) scatter(dx, i32x4.extract_lane(bestAt, 1), f32x4.extract_lane(g, 1));
          if (first <= 2) scatter(dx, i32x4.extract_lane(bestAt, 2), f32x4.extract_lane(g, 2));
          scatter(dx, i32x4.extract_lane(bestAt, 3), f32x4.extract_lane(g, 3));
          dyAt += c;
          continue;
        }
        for (let ch = whole; ch < c; ch++) {
          let best: f32 = -Infinity;
          let bestAt = -1;
          for (let kh = 0; kh < fh; kh++) {
            const ih = ih0 + kh * dh;
            if (ih < 0 || ih >= inH) continue;
            for (let kw = 0; kw < fw; kw++) {
              const iw = iw0 + kw * dw;
              if (iw < 0 || iw >= inW) continue;
              const at = image + (ih * inW + iw) * c + ch;
              const v = load<f32>(x + ((<usize>at) << 2));
              if (v > best) {
                best = v;
                bestAt = at;
              }
            }
          }
          scatter(dx, bestAt, load<f32>(dy + ((<usize>(dyAt + ch)) << 2)));
        }
        dyAt += c;
      }
    }
  }
}

/** Per lane, the first index (in scan order) of the window's maximum of channels ch..ch+3, or -1. */
function windowArgmax(
  x: usize,
  image: i32,
  ih0: i32,
  iw0: i32,
  ch: i32,
  inH: i32,
  inW: i32,
  c: i32,
  fh: i32,
  fw: i32,
  dh: i32,
  dw: i32,
): v128 {
  let best = f32x4.splat(-Infinity);
  let bestAt = i32x4.splat(-1);
  for (let kh = 0; kh < fh; kh++) {
    const ih = ih0 + kh * dh;
    if (ih < 0 || ih >= inH) continue;
    for (let kw = 0; kw < fw; kw++) {
      const iw = iw0 + kw * dw;
      if (iw < 0 || iw >= inW) continue;
      const at = image + (ih * inW + iw) * c + ch;
      const v = v128.load(x + ((<usize>at) << 2));
      const better = f32x4.gt(v, best);
      best = v128.bitselect(v, best, better);
      bestAt = v128.bitselect(i32x4.add(i32x4.splat(at), i32x4(0, 1, 2, 3)), bestAt, better);
    }
  }
  return bestAt;
}

// Adds g to dx[at] unless the window had no maximum (binaryen inlines it).
function scatter(dx: usize, at: i32, g: f32): void {
  if (at < 0) return;
  const p = dx + ((<usize>at) << 2);
  store<f32>(p, load<f32>(p) + g);
}
