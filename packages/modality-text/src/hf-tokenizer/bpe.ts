import { fieldReader, type Json, malformed, type TokenizerSource, unsupported } from './errors.js';
import { createMergeQueue } from './merge-queue.js';
import { type ModelToken, readVocab, type TokenModel, unkId } from './model.js';

const CACHE_LIMIT = 10_000;
/** Pair key: ids stay below 2^22 in any real vocabulary, so a * 2^22 + b is exact. */
const ID_LIMIT = 4_194_304;
const pairKey = (a: number, b: number): number => a * ID_LIMIT + b;

/**
 * BPE as the `tokenizers` library runs it: a word starts as characters (the continuing-subword
 * prefix on all but the first, the end-of-word suffix on the last; unknown characters become the
 * unknown token, fused when `fuse_unk`, or `<0xXX>` byte tokens when `byte_fallback`), then the
 * lowest-rank adjacent pair is merged until none is left (a heap of candidate merges, ties to the
 * left, stale entries skipped: the Rust `Word::merge_all`). Results are cached per word.
 */
export function createBpe(spec: Json, source: TokenizerSource, path: string): TokenModel {
  const read = fieldReader(source, spec, path);
  const vocab = readVocab(spec, source, path);
  const dropout = spec.dropout;
  if (dropout !== undefined && dropout !== null && dropout !== 0) {
    unsupported(
      source,
      `${path}.dropout`,
      'BPE dropout (random, so features would not be reproducible)',
      dropout,
    );
  }
  const unkToken = read.optionalString('unk_token');
  const unk = unkId(vocab, unkToken, source, path);
  const prefix = read.optionalString('continuing_subword_prefix') ?? '';
  const suffix = read.optionalString('end_of_word_suffix') ?? '';
  const fuseUnk = read.bool('fuse_unk', false);
  const byteFallback = read.bool('byte_fallback', false);
  const ignoreMerges = read.bool('ignore_merges', false);
  const merges = readMerges(spec, vocab, prefix, source, path);
  const byId = new Map<number, string>();
  for (const [token, id] of vocab) byId.set(id, token);
  const cache = new Map<string, ModelToken[]>();
  const encoder = new TextEncoder();

  /** The word's initial symbols (ids), per the Rust `BPE::merge_word`. */
  const initialSymbols = (word: string): number[] => {
    const chars = Array.from(word);
    const ids: number[] = [];
    let pendingUnk = false;
    const flushUnk = () => {
      if (pendingUnk) ids.push(unk!);
      pendingUnk = false;
    };
    chars.forEach((c, i) => {
      const piece = (i > 0 ? prefix : '') + c + (i === chars.length - 1 ? suffix : '');
      const id = vocab.get(piece);
      if (id !== undefined) {
        flushUnk();
        ids.push(id);
        return;
      }
      if (byteFallback) {
        const bytes = Array.from(encoder.encode(piece), (b) =>
          vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`),
        );
        if (bytes.every((b) => b !== undefined)) {
          flushUnk();
          ids.push(...(bytes as number[]));
          return;
        }
      }
      // Without an unk_token the character is dropped, as the Rust library does.
      if (unk === null) return;
      if (!(pendingUnk && fuseUnk)) flushUnk();
      pendingUnk = true;
    });
    flushUnk();
    return ids;
  };

  const mergeAll = (symbols: number[]): number[] => {
    const n = symbols.length;
    const ids = [...symbols];
    const prev = symbols.map((_, i) => i - 1);
    const next = symbols.map((_, i) => (i + 1 < n ? i + 1 : -1));
    const removed = new Array<boolean>(n).fill(false);
    const queue = createMergeQueue();
    for (let i = 0; i + 1 < n; i++) {
      const merge = merges.get(pairKey(ids[i]!, ids[i + 1]!));
      if (merge) queue.push({ pos: i, ...merge });
    }
    for (let top = queue.pop(); top; top = queue.pop()) {
      const right = next[top.pos]!;
      if (removed[top.pos] || right === -1) continue;
      // A stale entry: the pair at this position changed since it was queued.
      if (merges.get(pairKey(ids[top.pos]!, ids[right]!))?.newId !== top.newId) continue;
      ids[top.pos] = top.newId;
      removed[right] = true;
      next[top.pos] = next[right]!;
      if (next[right]! !== -1) prev[next[right]!] = top.pos;
      const before = prev[top.pos]!;
      if (before >= 0) {
        const merge = merges.get(pairKey(ids[before]!, ids[top.pos]!));
        if (merge) queue.push({ pos: before, ...merge });
      }
      const after = next[top.pos]!;
      if (after !== -1) {
        const merge = merges.get(pairKey(ids[top.pos]!, ids[after]!));
        if (merge) queue.push({ pos: top.pos, ...merge });
      }
    }
    return ids.filter((_, i) => !removed[i]);
  };

  return {
    vocab,
    tokenize(word) {
      if (ignoreMerges) {
        const id = vocab.get(word);
        if (id !== undefined) return [{ id, token: word }];
      }
      const cached = cache.get(word);
      if (cached) return cached;
      const tokens = mergeAll(initialSymbols(word)).map((id) => ({ id, token: byId.get(id)! }));
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(word, tokens);
      return tokens;
    },
  };
}

/** Merges as `"a b"` strings or `[a, b]` pairs → pair key → rank and merged id. */
function readMerges(
  spec: Json,
  vocab: ReadonlyMap<string, number>,
  prefix: string,
  source: TokenizerSource,
  path: string,
): Map<number, { rank: number; newId: number }> {
  const list = fieldReader(source, spec, path).list('merges');
  const merges = new Map<number, { rank: number; newId: number }>();
  list.forEach((entry, rank) => {
    const at = `${path}.merges[${rank}]`;
    let pair: [string, string];
    if (typeof entry === 'string') {
      const space = entry.indexOf(' ');
      if (space < 0) malformed(source, at, 'a merge string is "a b"', '"a b"', entry);
      pair = [entry.slice(0, space), entry.slice(space + 1)];
    } else if (Array.isArray(entry) && entry.length === 2 && entry.every((e) => typeof e === 'string')) {
      pair = entry as [string, string];
    } else {
      pair = malformed(source, at, 'a merge is "a b" or ["a", "b"]', '"a b" | [a, b]', entry);
    }
    const [a, b] = pair;
    // The merged token drops b's continuing-subword prefix (sliced by length, as in Rust).
    const merged = a + b.slice(prefix.length);
    const ids = [vocab.get(a), vocab.get(b), vocab.get(merged)];
    const missing = [a, b, merged].filter((_, i) => ids[i] === undefined);
    if (missing.length > 0)
      malformed(
        source,
        at,
        `the merge ${JSON.stringify(pair)} uses tokens not in the vocab`,
        'vocab tokens',
        missing,
      );
    if (ids.some((id) => id! >= ID_LIMIT)) unsupported(source, at, `ids ≥ ${ID_LIMIT}`, ids);
    // Later duplicates win, as when the Rust library collects the merges into a map.
    merges.set(pairKey(ids[0]!, ids[1]!), { rank, newId: ids[2]! });
  });
  return merges;
}
