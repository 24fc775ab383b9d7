// AssemblyScript source of the WebAssembly SIMD Conv2DBackpropInput kernel (see
// src/kernels/conv2d-backprop-input-wasm.ts). Build with `npm run build:wasm -w @omnifuse/core`;
// the result is committed as src/kernels/conv2d-backprop-input-wasm.generated.ts and a test checks
// it matches this file.
//
// dx[b, ih, iw, ic] = sum over taps (kh, kw) and oc of dy[b, oh, ow, oc] · w[kh, kw, ic, oc], where
// oh·sh + kh = ih + padTop (and likewise for columns). Each dx position gathers its few taps, so
// nothing is scattered and every output is written once, in order. Two layouts of the work:
// - inputGradOverIn (4 or more input channels): f32x4 over input channels, w given as
//   [taps, co, ciP] (ciP = ci rounded up to 4, zero-filled); a dy value is splatted against them.
//   Vectors are stored whole: the lanes past ci spill into the next position, which is written
//   after, and the host leaves 16 bytes of slack after dx.
// - inputGradOverOut (1 to 3 input channels): f32x4 over output channels, w given as
//   [taps, ci, coP] and dy as [batch, outH, outW, coP], both zero-filled past co; a horizontal sum
//   per dx value.

export function heapBase(): usize {
  return __heap_base;
}

/** dx ([batch, inH, inW, ci]) from dy ([batch, outH, outW, co]) and w ([taps, co, ciP]). */
export function inputGradOverIn(
  dy: usize,
  w: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ci: i32,
  outH: i32,
  outW: i32,
  co: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const vecs = (ci + 3) >> 2;
  const ocStep = (<usize>(vecs << 2)) << 2; // bytes from one oc's weights to the next
  const tapBytes = <usize>co * ocStep;
  let out = dx;
  for (let b = 0; b < batch; b++) {
    for (let ih = 0; ih < inH; ih++) {
      for (let iw = 0; iw < inW; iw++) {
        let v = 0;
        for (; v < vecs; ) {
          // 4, 2 or 1 vectors of input channels at a time.
          const width = vecs - v >= 4 ? 4 : vecs - v >= 2 ? 2 : 1;
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          for (let kh = 0; kh < fh; kh++) {
            const th = ih + padTop - kh;
            if (th < 0) break;
            // Integer division is slow in wasm: skip it at stride 1 (a predictable branch).
            let oh = th;
            if (sh !== 1) {
              if (th % sh !== 0) continue;
              oh = th / sh;
            }
            if (oh >= outH) continue;
            for (let kw = 0; kw < fw; kw++) {
              const tw = iw + padLeft - kw;
              if (tw < 0) break;
              let ow = tw;
              if (sw !== 1) {
                if (tw % sw !== 0) continue;
                ow = tw / sw;
              }
              if (ow >= outW) continue;
              let py = dy + ((<usize>(((b * outH + oh) * outW + ow) * co)) << 2);
              let pw = w + <usize>(kh * fw + kw) * tapBytes + ((<usize>v) << 4);
              if (width === 4) {
                for (let oc = 0; oc < co; oc++) {
                  const s = v128.load32_splat(py);
                  a0 = f32x4.add(a0, f32x4.mul(s, v128.load(pw)));
                  a1 = f32x4.add(a1, f32x4.mul(s, v128.load(pw, 16)));
                  a2 = f32x4.add(a2, f32x4.mul(s, v128.load(pw, 32)));
                  a3 = f32x4.add(a3, f32x4.mul(s, v128.load(pw, 48)));
                  py += 4;
                  pw += ocStep;
                }
              } else if (width === 2) {
                for (let oc = 0; oc < co; oc++) {
                  const s = v128.load32_splat(py);
                  a0 = f32x4.add(a0, f32x4.mul(s, v128.load(pw)));
                  a1 = f32x4.add(a1, f32x4.mul(s, v128.load(pw, 16)));
                  py += 4;
                  pw += ocStep;
                }
              } else {
                for (let oc = 0; oc < co; oc++) {
                  a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(py), v128.load(pw)));
                  py += 4;
                  pw += ocStep;
                }
              }
            }
          }
          const at = out + ((<usize>v) << 4);
          v128.store(at, a0);
          if (width >= 2) v128.store(at, a1, 16);
          if (width === 4) {
            v128.store(at, a2, 32);
            v128.store(at, a3, 48);
          }
          v += width;
        }
        out += (<usize>ci) << 2;
      }
    }
  }
}

/** dx ([batch, inH, inW, ci]) from dy ([batch, outH, outW, coP]) and w ([taps, ci, coP]). */
export function inputGradOverOut(
  dy: usize,
  w: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ci: i32,
  outH: i32,
  outW: i32,
  co: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const vecs = (co + 3) >> 2;
  const posBytes = (<usize>vecs) << 4; // one dy position, and one (tap, ic) row of w
  let out = dx;
  for (let b = 0; b < batch; b++) {
    for (let ih = 0; ih < inH; ih++) {
      for (let iw = 0; iw < inW; iw++) {
        for (let ic = 0; ic < ci; ic++) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          for (let kh = 0; kh < fh; kh++) {
            const th = ih + padTop - kh;
            if (th < 0) break;
            let oh = th;
            if (sh !== 1) {
              if (th % sh !== 0) continue;
              oh = th / sh;
            }
            if (oh >= outH) continue;
            for (let kw = 0; kw < fw; kw++) {
              const tw = iw + padLeft - kw;
              if (tw < 0) break;
              let ow = tw;
              if (sw !== 1) {
                if (tw % sw !== 0) continue;
                ow = tw / sw;
              }
              if (ow >= outW) continue;
              let py = dy + <usize>((b * outH + oh) * outW + ow) * posBytes;
              let pw = w + <usize>((kh * fw + kw) * ci + ic) * posBytes;
              let v = 0;
              for (; v + 2 <= vecs; v += 2) {
                a0 = f32x4.add(a0, f32x4.mul(v128.load(py), v128.load(pw)));
                a1 = f32x4.add(a1, f32x4.mul(v128.load(py, 16), v128.load(pw, 16)));
                py += 32;
                pw += 32;
              }
              if (v < vecs) a0 = f32x4.add(a0, f32x4.mul(v128.load(py), v128.load(pw)));
            }
          }
          const s = f32x4.add(a0, a1);
          f32.store(
            out,
            f32x4.extract_lane(s, 0) +
              f32x4.extract_lane(s, 1) +
              (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3)),
          );
          out += 4;
        }
      }
    }
  }
}
