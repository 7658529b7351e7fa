// The page's logic: send the dropped images to /v1/predict, draw tags and probability bars, and
// optionally run the same model in the browser on the service's decoded pixels (/v1/preprocess).
const $ = (id) => document.getElementById(id);
const LABEL_COUNT = 17;
let sessionPromise;
let cardChecked = false;

function headers() {
  const key = $('apikey').value.trim();
  return key === '' ? {} : { 'x-api-key': key };
}

async function post(path, files) {
  const form = new FormData();
  for (const file of files) form.append('images', file, file.name);
  const res = await fetch(path, { method: 'POST', body: form, headers: headers() });
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${body.error}`);
  return body;
}

function bar(label, probability, on) {
  const row = document.createElement('div');
  row.className = on ? 'bar on' : 'bar';
  row.dataset.label = label;
  row.innerHTML = '<span class="label"></span><span class="track"><span class="fill"></span></span><span class="value"></span>';
  row.querySelector('.label').textContent = label;
  row.querySelector('.fill').style.width = `${(probability * 100).toFixed(1)}%`;
  row.querySelector('.value').textContent = probability.toFixed(3);
  return row;
}

function render(files, body) {
  const results = $('results');
  results.replaceChildren();
  body.predictions.forEach((p, i) => {
    const item = document.createElement('div');
    item.className = 'prediction';
    item.dataset.name = p.name;
    const img = document.createElement('img');
    img.src = URL.createObjectURL(files[i]);
    img.alt = p.name;
    const info = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = p.name;
    const tags = document.createElement('div');
    tags.className = 'tags';
    for (const label of p.labels) {
      const tag = document.createElement('span');
      tag.textContent = label;
      tags.append(tag);
    }
    info.append(title, tags, ...Object.entries(p.probabilities).map(([label, prob]) => bar(label, prob, p.labels.includes(label))));
    item.append(img, info);
    results.append(item);
  });
}

/**
 * The demo's smoke model (and the test bundle) is trained on generated images: its tags say nothing
 * about real chips, and a user should not have to read model.json to learn that.
 */
function syntheticData(card) {
  const training = card.training ?? {};
  if (typeof training.data === 'string' && /^synthetic\b/i.test(training.data)) return training.data;
  if (training.config?.data?.synthetic?.enabled === true) return 'synthetic data';
  return undefined;
}

async function checkModelCard() {
  if (cardChecked) return;
  // Before the API key is typed this answers 401: try again after the next successful answer.
  const res = await fetch('/v1/model', { headers: headers() }).catch(() => undefined);
  if (res === undefined || !res.ok) return;
  cardChecked = true;
  const card = await res.json();
  const data = syntheticData(card);
  if (data === undefined) return;
  const notice = $('notice');
  notice.textContent = `Demo model: ${card.name} ${card.version} was trained on synthetic images (${data}), not on Planet chips. ` +
    'Its tags and probabilities are meaningless; it is here to try the service, not to tag real chips.';
  notice.hidden = false;
}

async function browserSession() {
  sessionPromise ??= (async () => {
    const ort = await import('/ort/ort.wasm.min.mjs');
    ort.env.wasm.wasmPaths = '/ort/';
    // Threads need cross-origin isolation (the service sends COOP/COEP on every answer).
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(2, navigator.hardwareConcurrency || 1) : 1;
    const res = await fetch('/v1/model.onnx', { headers: headers() });
    if (!res.ok) throw new Error(`model.onnx: ${res.status}`);
    const session = await ort.InferenceSession.create(new Uint8Array(await res.arrayBuffer()), { executionProviders: ['wasm'] });
    return { ort, session };
  })();
  return sessionPromise;
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function compareInBrowser(files, served) {
  const pre = await post('/v1/preprocess', files);
  const { ort, session } = await browserSession();
  const s = pre.size;
  const input = new Uint8Array(pre.images.length * s * s * 3);
  pre.images.forEach((img, i) => { input.set(fromBase64(img.data), i * s * s * 3); });
  const started = performance.now();
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('uint8', input, [pre.images.length, s, s, 3]) });
  const ms = performance.now() - started;
  const probs = out[session.outputNames[0]].data;
  let worst = 0;
  served.predictions.forEach((p, i) => {
    Object.values(p.probabilities).forEach((v, j) => { worst = Math.max(worst, Math.abs(v - probs[i * LABEL_COUNT + j])); });
  });
  const agreement = $('agreement');
  agreement.dataset.maxDiff = String(worst);
  agreement.textContent = `Browser (onnxruntime-web, ${ms.toFixed(0)} ms) and service agree: largest difference ${worst.toExponential(1)}`;
}

async function handle(fileList) {
  const files = [...fileList];
  if (files.length === 0) return;
  $('status').textContent = `Tagging ${files.length} image(s)…`;
  $('status').className = '';
  $('agreement').textContent = '';
  delete $('agreement').dataset.maxDiff;
  try {
    const body = await post('/v1/predict', files);
    render(files, body);
    $('status').textContent = `${body.model.name} ${body.model.version}: ${files.length} image(s) tagged.`;
    void checkModelCard();
    if ($('browser').checked) await compareInBrowser(files, body);
  } catch (error) {
    // The previous answer is not the answer to these files: it must not stay under the error.
    $('results').replaceChildren();
    $('agreement').textContent = '';
    delete $('agreement').dataset.maxDiff;
    $('status').textContent = String(error.message ?? error);
    $('status').className = 'error';
  }
}

const drop = $('drop');
drop.addEventListener('click', () => { $('files').click(); });
drop.addEventListener('keydown', (event) => { if (event.key === 'Enter') $('files').click(); });
drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => { drop.classList.remove('over'); });
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  void handle(event.dataTransfer.files);
});
$('files').addEventListener('change', (event) => { void handle(event.target.files); });
void checkModelCard();
