// The omnifuse demo page. It reads the model's inputs from GET /v1/model and builds one widget per
// input by modality (vision: canvas + upload, audio: upload + microphone, anything else: text), so
// the page works for any bundle. Predictions go to POST /v1/predict as JSON with data: URIs.

const BRUSH_FRACTION = 1 / 11; // stroke width relative to the canvas, close to MNIST's thick pens
const RECORD_SAMPLE_RATE = 16000; // recordings are resampled to this before WAV encoding
const RECORD_MAX_SECONDS = 10; // well under the server's default audio limit (30 s)

const byId = (id) => document.getElementById(id);

/** Creates an element with attributes (`text` sets textContent) and children. */
function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

const percent = (x) => `${(x * 100).toFixed(1)}%`;
const compareLabels = (a, b) => String(a).localeCompare(String(b), undefined, { numeric: true });

function readAsDataUri(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(blob);
  });
}

// ---------- status and errors ----------

function setStatus(text, state) {
  const status = byId('status');
  status.textContent = text;
  status.dataset.state = state;
}

function showError(message) {
  const box = byId('error');
  box.textContent = message;
  box.hidden = false;
  revealResults();
}

/** Scrolls the result panel into view when its top is off screen (on narrow screens it sits below the inputs). */
function revealResults() {
  const panel = document.querySelector('.results');
  const top = panel.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) panel.scrollIntoView({ block: 'start' });
}

function clearError() {
  const box = byId('error');
  box.textContent = '';
  box.hidden = true;
}

// ---------- input widgets ----------
// Each widget: { field, root, included(), value() → Promise<value | undefined>, load(value) }.

/** The card around one input; optional inputs get an "include" checkbox that disables the rest. */
function inputCard(input, hint) {
  const include = input.optional
    ? el('input', { type: 'checkbox', checked: true, 'data-testid': `include-${input.field}` })
    : null;
  const legend = el('legend', {}, [
    el('span', { class: 'field-name', text: input.field }),
    el('span', { class: 'field-meta', text: `${input.modality}${input.optional ? '' : ' · required'}` }),
    include ? el('label', { class: 'include' }, [include, ' include']) : null,
  ]);
  // Controls inside the first legend stay usable when the fieldset is disabled.
  const root = el('fieldset', { class: 'input-card', 'data-testid': `input-${input.field}` }, [
    legend,
    hint ? el('p', { class: 'hint', text: hint }) : null,
  ]);
  if (include) {
    include.addEventListener('change', () => {
      root.disabled = !include.checked;
    });
  }
  return {
    root,
    included: () => !include || include.checked,
    setIncluded(on) {
      if (!include) return;
      include.checked = on;
      root.disabled = !on;
    },
  };
}

/**
 * A drawing framed the way MNIST digits are (LeCun et al.): cropped to its strokes, scaled so the
 * longer side is 20 px, and placed in a black 28×28 image with its centre of mass in the middle.
 * Without it a digit drawn small or off-centre looks nothing like what an MNIST model saw.
 */
function frameLikeMnist(canvas) {
  const { width, height } = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = pixels[(y * width + x) * 4];
      if (value < 32) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      mass += value;
      mx += value * x;
      my += value * y;
    }
  }
  if (x1 < 0) return canvas.toDataURL('image/png');
  const scale = 20 / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const out = el('canvas', { width: 28, height: 28 });
  const context = out.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, 28, 28);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  // Where the box's corner goes so that the centre of mass lands on (14, 14).
  const left = 14 - (mx / mass - x0) * scale;
  const top = 14 - (my / mass - y0) * scale;
  context.drawImage(
    canvas,
    x0,
    y0,
    x1 - x0 + 1,
    y1 - y0 + 1,
    left,
    top,
    (x1 - x0 + 1) * scale,
    (y1 - y0 + 1) * scale,
  );
  return out.toDataURL('image/png');
}

function visionWidget(input) {
  const { field } = input;
  const card = inputCard(
    input,
    'Draw with mouse, finger or pen, or upload an image (it replaces the drawing).',
  );
  const canvas = el('canvas', {
    width: 280,
    height: 280,
    class: 'draw',
    'data-testid': `canvas-${field}`,
    'aria-label': `Drawing area for ${field}: white strokes on black`,
    role: 'img',
  });
  const context = canvas.getContext('2d');
  const fileInput = el('input', {
    type: 'file',
    accept: 'image/*',
    id: `file-${field}`,
    'data-testid': `file-${field}`,
  });
  const note = el('p', { class: 'note', 'data-testid': `note-${field}`, text: 'Empty.' });
  const clear = el('button', { type: 'button', class: 'secondary', text: 'Clear' });
  const frame = el('input', { type: 'checkbox', checked: true, 'data-testid': `frame-${field}` });
  // 'empty' (nothing to send), 'drawing' (send the canvas) or 'file' (send the uploaded bytes).
  let source = 'empty';
  let fileUri;
  let last;

  const blank = () => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
  };
  const reset = () => {
    blank();
    source = 'empty';
    fileUri = undefined;
    fileInput.value = '';
    note.textContent = 'Empty.';
  };
  const point = (event) => {
    const rect = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) * canvas.width) / rect.width,
      y: ((event.clientY - rect.top) * canvas.height) / rect.height,
    };
  };
  const stroke = (from, to) => {
    context.strokeStyle = '#fff';
    context.lineWidth = canvas.width * BRUSH_FRACTION;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  };

  canvas.addEventListener('pointerdown', (event) => {
    if (card.root.disabled || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    stroke(last, last);
    // Drawing over an uploaded image keeps it: the canvas (image + strokes) is what gets sent.
    source = 'drawing';
    fileUri = undefined;
    note.textContent = 'Using the drawing.';
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!last) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const each of events.length ? events : [event]) {
      const next = point(each);
      stroke(last, next);
      last = next;
    }
  });
  const end = () => {
    last = undefined;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  /** Shows an image (a data: URI) on the canvas, fitted inside it on black. */
  const preview = (uri, name) =>
    new Promise((resolve) => {
      const image = new Image();
      image.onload = () => {
        blank();
        const scale = Math.min(canvas.width / image.width, canvas.height / image.height);
        const w = image.width * scale;
        const h = image.height * scale;
        context.imageSmoothingEnabled = scale < 1;
        context.drawImage(image, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
        note.textContent = `Using ${name} (${image.width}×${image.height}).`;
        resolve();
      };
      image.onerror = () => {
        blank();
        note.textContent = `Using ${name} (the browser cannot preview it; the server will decode it).`;
        resolve();
      };
      image.src = uri;
    });
  const useImage = async (uri, name) => {
    source = 'file';
    fileUri = uri;
    await preview(uri, name);
  };

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    await useImage(await readAsDataUri(file), file.name);
  });
  clear.addEventListener('click', reset);
  reset();

  card.root.append(
    canvas,
    el('div', { class: 'row' }, [
      clear,
      el('label', { class: 'file', for: fileInput.id }, [`Upload an image for ${field}`]),
      fileInput,
    ]),
    el('label', { class: 'frame' }, [
      frame,
      ' Frame drawings like MNIST (crop, fit 20×20 px, centre of mass in 28×28)',
    ]),
    note,
  );
  return {
    field,
    root: card.root,
    included: card.included,
    async value() {
      if (source === 'file') return fileUri;
      if (source === 'drawing') return frame.checked ? frameLikeMnist(canvas) : canvas.toDataURL('image/png');
      return undefined;
    },
    async load(value) {
      card.setIncluded(value !== undefined);
      if (value === undefined) reset();
      else await useImage(value, 'the example image');
    },
  };
}

// An AudioWorklet that forwards each 128-frame block of the first channel to the page.
const CAPTURE_WORKLET = `
class OmnifuseCapture extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor('omnifuse-capture', OmnifuseCapture);
`;

/** Starts capturing the microphone; `stop()` resolves to the mono samples and their rate. */
async function startCapture() {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('this browser gives no microphone access here (the page needs https or localhost)');
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const audio = new AudioContext();
  const source = audio.createMediaStreamSource(stream);
  const chunks = [];
  let node;
  if (audio.audioWorklet && typeof AudioWorkletNode === 'function') {
    const url = URL.createObjectURL(new Blob([CAPTURE_WORKLET], { type: 'text/javascript' }));
    try {
      await audio.audioWorklet.addModule(url);
    } finally {
      URL.revokeObjectURL(url);
    }
    node = new AudioWorkletNode(audio, 'omnifuse-capture');
    node.port.onmessage = (event) => chunks.push(event.data);
  } else {
    node = audio.createScriptProcessor(4096, 1, 1);
    node.onaudioprocess = (event) => chunks.push(new Float32Array(event.inputBuffer.getChannelData(0)));
  }
  // A silent path to the output keeps the graph pulled without playing the microphone back.
  const mute = audio.createGain();
  mute.gain.value = 0;
  source.connect(node);
  node.connect(mute);
  mute.connect(audio.destination);
  const started = performance.now();
  return {
    seconds: () => (performance.now() - started) / 1000,
    async stop() {
      for (const track of stream.getTracks()) track.stop();
      source.disconnect();
      node.disconnect();
      await audio.close();
      const samples = new Float32Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        samples.set(chunk, offset);
        offset += chunk.length;
      }
      return { samples, sampleRate: audio.sampleRate };
    },
  };
}

/** Linear-interpolation resampling; enough for speech at 16 kHz. */
function resample(samples, from, to) {
  if (from === to) return samples;
  const out = new Float32Array(Math.floor((samples.length * to) / from));
  const step = from / to;
  for (let i = 0; i < out.length; i++) {
    const x = i * step;
    const j = Math.floor(x);
    const next = samples[Math.min(j + 1, samples.length - 1)];
    out[i] = samples[j] + (next - samples[j]) * (x - j);
  }
  return out;
}

/** 16-bit PCM mono WAV, the format every omnifuse audio decoder reads. */
function encodeWav(samples, sampleRate) {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (offset, value) => {
    for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([view.buffer], { type: 'audio/wav' });
}

function audioWidget(input) {
  const { field } = input;
  const card = inputCard(input, 'Upload a recording (WAV, MP3, FLAC, Ogg) or record from the microphone.');
  const fileInput = el('input', {
    type: 'file',
    accept: 'audio/*,.wav,.mp3,.flac,.ogg,.oga',
    id: `file-${field}`,
    'data-testid': `file-${field}`,
  });
  const record = el('button', { type: 'button', class: 'secondary', 'data-testid': `record-${field}` }, [
    'Record',
  ]);
  const stop = el('button', {
    type: 'button',
    class: 'secondary',
    disabled: true,
    'data-testid': `stop-${field}`,
    text: 'Stop',
  });
  const clear = el('button', { type: 'button', class: 'secondary', text: 'Clear' });
  const player = el('audio', {
    controls: true,
    'data-testid': `player-${field}`,
    'aria-label': `${field} audio`,
  });
  const note = el('p', { class: 'note', 'data-testid': `note-${field}`, text: 'No audio yet.' });
  let uri;
  let playerUrl;
  let capture;
  let timer;

  const setAudio = (dataUri, blob, description) => {
    uri = dataUri;
    if (playerUrl) URL.revokeObjectURL(playerUrl);
    playerUrl = blob ? URL.createObjectURL(blob) : undefined;
    player.src = playerUrl ?? dataUri ?? '';
    if (!dataUri) player.removeAttribute('src');
    note.textContent = description;
  };
  const finish = async () => {
    clearInterval(timer);
    const current = capture;
    capture = undefined;
    record.disabled = false;
    stop.disabled = true;
    if (!current) return;
    const { samples, sampleRate } = await current.stop();
    const rate = Math.min(sampleRate, RECORD_SAMPLE_RATE);
    const wav = encodeWav(resample(samples, sampleRate, rate), rate);
    setAudio(await readAsDataUri(wav), wav, `Recorded ${(samples.length / sampleRate).toFixed(1)} s.`);
  };

  record.addEventListener('click', async () => {
    clearError();
    record.disabled = true;
    try {
      capture = await startCapture();
    } catch (error) {
      record.disabled = false;
      showError(`Could not record from the microphone: ${error?.message ?? error}`);
      return;
    }
    stop.disabled = false;
    stop.focus();
    note.textContent = 'Recording… 0.0 s';
    timer = setInterval(() => {
      const seconds = capture ? capture.seconds() : 0;
      note.textContent = `Recording… ${seconds.toFixed(1)} s`;
      if (seconds >= RECORD_MAX_SECONDS) void finish();
    }, 100);
  });
  stop.addEventListener('click', () => void finish());
  clear.addEventListener('click', () => {
    fileInput.value = '';
    setAudio(undefined, undefined, 'No audio yet.');
  });
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (file) setAudio(await readAsDataUri(file), file, `Using ${file.name}.`);
  });

  card.root.append(
    el('div', { class: 'row' }, [
      el('label', { class: 'file', for: fileInput.id }, [`Upload audio for ${field}`]),
      fileInput,
    ]),
    el('div', { class: 'row' }, [record, stop, clear]),
    player,
    note,
  );
  return {
    field,
    root: card.root,
    included: card.included,
    async value() {
      if (capture) await finish();
      return uri;
    },
    async load(value) {
      card.setIncluded(value !== undefined);
      fileInput.value = '';
      setAudio(value, undefined, value === undefined ? 'No audio yet.' : 'Using the example audio.');
    },
  };
}

function textWidget(input) {
  const { field } = input;
  const hint =
    input.type === 'vector'
      ? 'Numbers, comma-separated or as a JSON list.'
      : input.type === 'number'
        ? 'A number.'
        : undefined;
  const card = inputCard(input, hint);
  const text = el('input', {
    type: 'text',
    id: `text-${field}`,
    'data-testid': `text-${field}`,
    autocomplete: 'off',
  });
  card.root.append(el('label', { class: 'visually-hidden', for: text.id, text: `${field} text` }), text);
  return {
    field,
    root: card.root,
    included: card.included,
    async value() {
      return text.value.trim() === '' ? undefined : text.value;
    },
    async load(value) {
      card.setIncluded(value !== undefined);
      text.value = value ?? '';
    },
  };
}

function widgetFor(input) {
  if (input.modality === 'vision' || input.type === 'image') return visionWidget(input);
  if (input.modality === 'audio' || input.type === 'audio') return audioWidget(input);
  return textWidget(input);
}

// ---------- results ----------

function barRow(name, value, attributes, highlight) {
  return el('div', { class: `bar-row${highlight ? ' top' : ''}`, ...attributes }, [
    el('span', { class: 'bar-name', text: name }),
    el('span', { class: 'bar-track', 'aria-hidden': 'true' }, [
      el('span', { class: 'bar-fill', style: `width: ${Math.max(0, Math.min(1, value)) * 100}%` }),
    ]),
    el('span', { class: 'bar-value', text: percent(value) }),
  ]);
}

function showResult(model, result) {
  byId('result-empty').hidden = true;
  byId('result').hidden = false;
  byId('prediction').textContent = String(result.prediction);

  const probabilities = byId('probabilities');
  probabilities.replaceChildren();
  if (result.probabilities) {
    const labels = Object.keys(result.probabilities).sort(compareLabels);
    for (const label of labels) {
      const p = result.probabilities[label];
      const top = label === String(result.prediction);
      probabilities.append(barRow(label, p, { 'data-label': label, 'data-probability': p }, top));
    }
  } else {
    probabilities.append(el('p', { class: 'muted', text: 'This task has no class probabilities.' }));
  }

  const weights = byId('fusion-weights');
  weights.replaceChildren();
  if (result.fusionWeights) {
    for (const { field } of model.inputs) {
      const w = result.fusionWeights[field];
      if (w === undefined) continue;
      weights.append(barRow(field, w, { 'data-field': field, 'data-weight': w }, false));
    }
  } else {
    weights.append(
      el('p', {
        class: 'muted',
        text: `The fusion method (${model.fusion ?? 'none'}) doesn't report per-modality weights.`,
      }),
    );
  }

  const missing = byId('missing');
  missing.textContent = result.missing.length
    ? `Left out (the model treated them as absent): ${result.missing.join(', ')}`
    : 'None: every input was used.';
}

// ---------- page ----------

function summarise(model) {
  const parts = [];
  if (model.fusion) parts.push(`Fusion: ${model.fusion}`);
  parts.push(
    `Inputs: ${model.inputs
      .map((i) => `${i.field} (${i.modality}${i.optional ? ', optional' : ''})`)
      .join(', ')}`,
  );
  const labels = model.output.labels;
  if (labels?.length)
    parts.push(`Labels: ${labels.length > 12 ? `${labels.length} classes` : labels.join(' ')}`);
  const accuracy = model.metrics?.test?.accuracy;
  if (typeof accuracy === 'number') parts.push(`Test accuracy: ${percent(accuracy)}`);
  return parts.join(' · ');
}

async function fetchJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, body };
}

async function loadExamples(widgets) {
  const { ok, body } = await fetchJson('/demo/examples').catch(() => ({ ok: false }));
  const examples = ok && Array.isArray(body?.examples) ? body.examples : [];
  if (!examples.length) return;
  const buttons = byId('examples-buttons');
  examples.forEach((example, i) => {
    const button = el('button', {
      type: 'button',
      class: 'secondary',
      'data-testid': `example-${example.id}`,
      title: `Test example ${example.id}`,
      text: `#${i + 1}`,
    });
    button.addEventListener('click', async () => {
      clearError();
      for (const widget of widgets) await widget.load(example.inputs?.[widget.field]);
      setStatus(`Loaded test example ${example.id} (true label: ${example.label}).`, 'ready');
    });
    buttons.append(button);
  });
  byId('examples').hidden = false;
}

async function main() {
  const {
    ok,
    status,
    body: model,
  } = await fetchJson('/v1/model').catch((error) => ({
    ok: false,
    status: 0,
    body: { error: { message: error.message } },
  }));
  if (!ok) {
    byId('model-summary').textContent = 'The model could not be loaded.';
    showError(`Could not load the model: ${model?.error?.message ?? `HTTP ${status}`}`);
    setStatus('Model unavailable.', 'error');
    return;
  }
  byId('model-summary').textContent = summarise(model);
  const widgets = model.inputs.map(widgetFor);
  byId('inputs').replaceChildren(...widgets.map((w) => w.root));
  void loadExamples(widgets);

  const predictButton = byId('predict');
  predictButton.disabled = false;
  setStatus('Ready.', 'ready');

  byId('predict-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    predictButton.disabled = true;
    setStatus('Predicting…', 'busy');
    const started = performance.now();
    try {
      const inputs = {};
      for (const widget of widgets) {
        if (!widget.included()) continue;
        const value = await widget.value();
        if (value !== undefined) inputs[widget.field] = value;
      }
      const { ok, status, body } = await fetchJson('/v1/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs }),
      });
      if (!ok) {
        byId('result').hidden = true;
        byId('result-empty').hidden = false;
        showError(body?.error?.message ?? `The server answered HTTP ${status}.`);
        setStatus('The prediction failed.', 'error');
        return;
      }
      showResult(model, body);
      revealResults();
      setStatus(`Predicted in ${Math.round(performance.now() - started)} ms.`, 'done');
    } catch (error) {
      showError(`Could not reach the server: ${error?.message ?? error}`);
      setStatus('The prediction failed.', 'error');
    } finally {
      predictButton.disabled = false;
    }
  });
}

void main();
