/* global document, EventSource */
// The control panel's behaviour: plain browser JavaScript, no build step. Every action is a call to the
// panel's HTTP API; device events arrive over Server-Sent Events (/api/events/stream).

const $ = (sel) => document.querySelector(sel);
const statusLine = $('#status');

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    // Every change is JSON (the panel refuses other types, so no other web page can post to it).
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const code = data?.error?.code ?? `HTTP_${res.status}`;
    statusLine.textContent = `${method} ${path}: ${code}`;
    statusLine.classList.add('error');
    throw new Error(code);
  }
  statusLine.classList.remove('error');
  return data;
}

const act = (method, path, body) =>
  api(method, path, body)
    .then(refreshState)
    .catch(() => undefined);

// ---- card reader ----------------------------------------------------------------------------------
let residents = [];
async function loadResidents() {
  residents = await api('GET', '/api/residents').catch(() => []);
  const sel = $('#resident');
  sel.replaceChildren(
    ...residents.map((r) => {
      const o = document.createElement('option');
      o.value = r.id;
      o.textContent = r.label;
      return o;
    }),
  );
  showResident();
}
function showResident() {
  const r = residents.find((x) => x.id === $('#resident').value);
  $('#resident-pin').textContent = r ? r.pin : '—';
  $('#resident-notes').textContent = r ? r.notes : '';
}
$('#resident').addEventListener('change', showResident);
$('#card-place').addEventListener('click', () => {
  const body = { resident: $('#resident').value };
  if ($('#card-mode').value) body.mode = $('#card-mode').value;
  void act('POST', '/api/card', body);
});
$('#card-remove').addEventListener('click', () => void act('DELETE', '/api/card'));
$('#pin-tries-set').addEventListener(
  'click',
  () => void act('POST', '/api/card/pin-tries', { remaining: Number($('#pin-tries').value) }),
);
$('#card-lock').addEventListener('click', () => void act('POST', '/api/card/lock'));

// ---- PIN pad ----------------------------------------------------------------------------------------
for (const b of document.querySelectorAll('[data-key]'))
  b.addEventListener('click', () => void act('POST', '/api/pinpad/keys', { keys: b.dataset.key }));
$('#keys-send').addEventListener('click', () => {
  const keys = $('#keys').value.toUpperCase().replace(/\s+/g, '');
  if (keys) void act('POST', '/api/pinpad/keys', { keys });
});

// ---- coins -------------------------------------------------------------------------------------------
for (const b of document.querySelectorAll('[data-yen]'))
  b.addEventListener('click', () => void act('POST', '/api/coins', { yen: Number(b.dataset.yen) }));
for (const b of document.querySelectorAll('[data-acceptor-fault]'))
  b.addEventListener(
    'click',
    () => void act('POST', '/api/coin-acceptor/fault', { fault: b.dataset.acceptorFault }),
  );
const hopperYen = () => Number($('#hopper-yen').value);
$('#hopper-set').addEventListener(
  'click',
  () => void act('POST', '/api/hopper', { yen: hopperYen(), coins: Number($('#hopper-coins').value) }),
);
for (const b of document.querySelectorAll('[data-hopper-fault]'))
  b.addEventListener(
    'click',
    () => void act('POST', '/api/hopper', { yen: hopperYen(), fault: b.dataset.hopperFault }),
  );

// ---- notes -------------------------------------------------------------------------------------------
for (const b of document.querySelectorAll('[data-note]'))
  b.addEventListener('click', () => void act('POST', '/api/notes', { yen: Number(b.dataset.note) }));
for (const b of document.querySelectorAll('[data-note-fault]'))
  b.addEventListener(
    'click',
    () => void act('POST', '/api/note-validator/fault', { fault: b.dataset.noteFault }),
  );

// ---- printer -----------------------------------------------------------------------------------------
for (const b of document.querySelectorAll('[data-fault]'))
  b.addEventListener('click', () => void act('POST', '/api/printer/fault', { kind: b.dataset.fault }));
$('#paper-load').addEventListener(
  'click',
  () => void act('POST', '/api/printer/paper', { sheets: Number($('#paper-sheets').value) }),
);
$('#jobs-refresh').addEventListener('click', () => void refreshJobs());
$('#jobs-clear').addEventListener('click', () => void api('DELETE', '/api/printer/jobs').then(refreshJobs));

async function refreshJobs() {
  const jobs = await api('GET', '/api/printer/jobs').catch(() => null);
  if (!jobs) return;
  $('#jobs').replaceChildren(
    ...jobs
      .slice()
      .reverse()
      .map((j) => {
        const li = document.createElement('li');
        li.setAttribute('data-testid', `job-${j.id}`);
        const title = document.createElement('div');
        title.textContent = `Job ${j.id} “${j.name}”: ${j.status}, ${j.pagesPrinted}/${j.pages} pages `;
        if (j.pdf) {
          const a = document.createElement('a');
          a.href = j.pdf;
          a.textContent = 'PDF';
          a.target = '_blank';
          title.append(a);
        }
        li.append(title);
        // A thumbnail per page, linking to the page as printed (300 dpi: its QR codes decode).
        j.thumbnails.forEach((src, i) => {
          const a = document.createElement('a');
          a.href = j.pageImages[i];
          a.target = '_blank';
          const img = document.createElement('img');
          img.src = src;
          img.alt = `Job ${j.id} page ${i + 1}`;
          img.loading = 'lazy';
          a.append(img);
          li.append(a);
        });
        return li;
      }),
  );
}

// ---- plug / unplug ---------------------------------------------------------------------------------
const plugState = {};
for (const row of document.querySelectorAll('.plug')) {
  const device = row.dataset.device;
  const state = document.createElement('span');
  state.setAttribute('data-testid', `${device}-plugged`);
  plugState[device] = state;
  for (const what of ['unplug', 'plug']) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = what === 'unplug' ? 'Unplug' : 'Plug in';
    b.setAttribute('data-testid', `${device}-${what}`);
    b.addEventListener('click', () => void act('POST', `/api/${device}/${what}`));
    row.append(b);
  }
  row.append(state);
}

async function refreshState() {
  const s = await fetch('/api/state')
    .then((r) => r.json())
    .catch(() => null);
  if (!s) return;
  for (const [device, el] of Object.entries(plugState)) {
    const plugged = s[device]?.plugged;
    el.textContent = plugged === undefined ? 'not running' : plugged ? 'plugged in' : 'unplugged';
    el.className = plugged ? 'plugged-yes' : 'plugged-no';
  }
  const parts = [];
  if (s.printer) parts.push(`printer: ${s.printer.condition}`);
  if (s.reader) parts.push(`card: ${s.reader.present ? s.reader.resident : 'none'}`);
  if (s['coin-acceptor']) parts.push(`coins: ${s['coin-acceptor'].accepting ? 'accepting' : 'closed'}`);
  if (s.hopper?.hoppers)
    parts.push(
      `hoppers: ${s.hopper.hoppers.map((h) => `${h.coins} × ${h.yen}${h.low ? ' (low)' : ''}`).join(', ')}`,
    );
  const nv = s['note-validator'];
  if (nv) parts.push(`notes: ${nv.phase}${nv.faults.length ? ` (${nv.faults.join(', ')})` : ''}`);
  if (!statusLine.classList.contains('error')) statusLine.textContent = parts.join(' · ');
}

// ---- live log ------------------------------------------------------------------------------------------
const log = $('#log');
function addLog(e) {
  const li = document.createElement('li');
  const detail = e.detail ? ' ' + JSON.stringify(e.detail) : '';
  li.textContent = `${e.t.slice(11, 23)} ${e.device} ${e.event}${detail}`;
  li.setAttribute('data-device', e.device);
  log.prepend(li);
  while (log.children.length > 300) log.lastElementChild.remove();
}
let jobsTimer;
function onEvent(e) {
  addLog(e);
  if (e.device === 'printer') {
    clearTimeout(jobsTimer);
    jobsTimer = setTimeout(() => void refreshJobs(), 150);
  }
  void refreshState();
}

const recent = await fetch('/api/events')
  .then((r) => r.json())
  .catch(() => []);
let lastSeq = 0;
for (const e of recent) {
  addLog(e);
  lastSeq = e.seq;
}
const source = new EventSource('/api/events/stream');
source.addEventListener('sim', (m) => {
  const e = JSON.parse(m.data);
  if (e.seq <= lastSeq) return;
  lastSeq = e.seq;
  onEvent(e);
});
await Promise.all([loadResidents(), refreshState(), refreshJobs()]);
document.body.dataset.ready = 'true';
