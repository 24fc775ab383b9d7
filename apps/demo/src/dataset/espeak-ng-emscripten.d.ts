// The package ships no types; this is the part of its Emscripten/WebIDL surface the generator uses.
declare module '@echogarden/espeak-ng-emscripten' {
  export interface ESpeakNGWorker {
    /** Loads a voice such as `en-us+f3` (language + variant); 0 on success. */
    set_voice(name: string): number;
    set_rate(wordsPerMinute: number): void;
    set_pitch(pitch: number): void;
    set_range(range: number): void;
    readonly samplerate: number;
    /** Calls `onChunk` with each chunk of 16-bit samples (a view into the module's heap). */
    synthesize(text: string, onChunk: (samples: Int16Array, events: unknown) => void): number;
  }
  export interface ESpeakNGModule {
    readonly HEAPU8: Uint8Array;
    eSpeakNGWorker: new () => ESpeakNGWorker;
  }
  const createModule: () => Promise<ESpeakNGModule>;
  export default createModule;
}
