import { ErrorCode, OmnifuseError } from '@omnifuse/core';

export interface SpeechSettings {
  /** eSpeak-NG voice, language plus variant, e.g. `en-us+f3`. */
  readonly voice: string;
  /** 0–99; eSpeak's default is 50. */
  readonly pitch: number;
  /** Words per minute, 80–450; eSpeak's default is 175. */
  readonly rate: number;
  /** Pitch range 0–99; eSpeak's default is 50. */
  readonly range: number;
}

/** Text to 16-bit mono speech; each call is independent of the calls before it. */
export interface SpeechSynthesizer {
  readonly sampleRate: number;
  synthesize(text: string, settings: SpeechSettings): Int16Array;
}

type EspeakImport = () => Promise<{ default: typeof import('@echogarden/espeak-ng-emscripten').default }>;

const ESPEAK_PACKAGE = '@echogarden/espeak-ng-emscripten';

/**
 * Loads eSpeak-NG (once; about 0.1 s) and returns a synthesizer whose output depends only on its
 * arguments. eSpeak keeps state between utterances (a `rand()` seeded from the clock at start-up,
 * the flutter phase, the noise of breathy and Klatt voices), so the constructor sees a fixed clock
 * and every call restores the heap snapshot taken right after start-up.
 */
export async function createSpeechSynthesizer(
  importModule: EspeakImport = () => import('@echogarden/espeak-ng-emscripten'),
): Promise<SpeechSynthesizer> {
  let module: Awaited<ReturnType<typeof import('@echogarden/espeak-ng-emscripten').default>>;
  let worker: InstanceType<typeof module.eSpeakNGWorker>;
  try {
    module = await (await importModule()).default();
    worker = withFixedClock(() => new module.eSpeakNGWorker());
    // Allocate WebIDL's string buffer before the snapshot so restoring never frees it under JS.
    worker.set_voice('en-us');
    worker.synthesize('zero', () => {});
  } catch (cause) {
    throw new OmnifuseError({
      code: ErrorCode.BackendUnavailable,
      message: `cannot load the eSpeak-NG speech synthesizer (${(cause as Error)?.message ?? cause}); install the demo's dev dependency ${ESPEAK_PACKAGE}@0.3.5`,
      details: { package: ESPEAK_PACKAGE },
      cause,
    });
  }
  const snapshot = module.HEAPU8.slice();
  const sampleRate = worker.samplerate;
  return {
    sampleRate,
    synthesize(text, settings) {
      // HEAPU8 is replaced when memory grows, so read it each time.
      const heap = module.HEAPU8;
      heap.set(snapshot);
      if (heap.length > snapshot.length) heap.fill(0, snapshot.length);
      if (worker.set_voice(settings.voice) !== 0) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidOptions,
          message: 'eSpeak-NG has no such voice',
          field: 'voice',
          found: settings.voice,
        });
      }
      worker.set_rate(settings.rate);
      worker.set_pitch(settings.pitch);
      worker.set_range(settings.range);
      const chunks: Int16Array[] = [];
      worker.synthesize(text, (samples) => {
        chunks.push(samples.slice());
      });
      const out = new Int16Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    },
  };
}

/** Runs `make` with `Date.now` pinned to 0: eSpeak seeds `rand()` from the clock when it starts. */
function withFixedClock<T>(make: () => T): T {
  const now = Date.now;
  Date.now = () => 0;
  try {
    return make();
  } finally {
    Date.now = now;
  }
}
