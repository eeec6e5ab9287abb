/**
 * The testers' control panel: plain HTML; behaviour in `static/panel.js`, style in `static/panel.css`
 * (served by `assets.ts`). Everything it does goes through the panel's HTTP API.
 */
export function loadPanelPage(): string {
  const faults = ['paper-out', 'cover-open', 'jam', 'offline', 'clear'];
  const key = (k: string, label: string) =>
    `<button type="button" class="key" data-key="${k}" data-testid="key-${k}">${label}</button>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiosk hardware simulator — control panel</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/panel/panel.css">
<script type="module" src="/panel/panel.js"></script>
</head>
<body>
<header>
  <h1>Kiosk hardware simulator</h1>
  <p id="status" data-testid="status" aria-live="polite">connecting…</p>
</header>
<main>
<section aria-labelledby="h-card">
  <h2 id="h-card">Card reader</h2>
  <label>Test resident <select id="resident" data-testid="resident"></select></label>
  <p class="hint">PIN of the selected test card: <strong id="resident-pin" data-testid="resident-pin">—</strong> <span id="resident-notes"></span></p>
  <label>Card behaviour <select id="card-mode" data-testid="card-mode">
    <option value="">(resident default)</option><option>normal</option><option>no-ap</option><option>slow</option>
    <option>remove-mid-read</option><option>garble</option></select></label>
  <div class="row">
    <button type="button" id="card-place" data-testid="card-place">Place card</button>
    <button type="button" id="card-remove" data-testid="card-remove">Remove card</button>
  </div>
  <div class="row">
    <label>PIN tries left <input id="pin-tries" type="number" min="0" max="3" value="3" data-testid="pin-tries"></label>
    <button type="button" id="pin-tries-set" data-testid="pin-tries-set">Set</button>
    <button type="button" id="card-lock" data-testid="card-lock">Lock card</button>
  </div>
  <div class="row plug" data-device="reader"></div>
</section>
<section aria-labelledby="h-pinpad">
  <h2 id="h-pinpad">PIN pad</h2>
  <div class="keypad" role="group" aria-label="PIN pad keys">
    ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => key(String(d), String(d))).join('')}
    ${key('C', 'Clear')}${key('0', '0')}${key('E', 'Enter')}
    ${key('X', 'Cancel')}
  </div>
  <div class="row">
    <label>Type keys <input id="keys" data-testid="keys" placeholder="1234E" pattern="[0-9ECX]+"></label>
    <button type="button" id="keys-send" data-testid="keys-send">Send</button>
  </div>
  <div class="row plug" data-device="pinpad"></div>
</section>
<section aria-labelledby="h-coins">
  <h2 id="h-coins">Coin acceptor and hopper</h2>
  <div class="row" role="group" aria-label="Insert coin">
    ${[10, 50, 100, 500].map((y) => `<button type="button" class="coin" data-yen="${y}" data-testid="coin-${y}">${y} yen</button>`).join('')}
  </div>
  <div class="row">
    <button type="button" data-acceptor-fault="jam" data-testid="acceptor-jam">Jam acceptor</button>
    <button type="button" data-acceptor-fault="clear" data-testid="acceptor-clear">Clear jam</button>
  </div>
  <div class="row plug" data-device="coin-acceptor"></div>
  <div class="row">
    <label>Hopper <select id="hopper-yen" data-testid="hopper-yen"><option value="10">10 yen</option><option value="50">50 yen</option><option value="100">100 yen</option></select></label>
    <label>coins <input id="hopper-coins" type="number" min="0" value="200" data-testid="hopper-coins"></label>
    <button type="button" id="hopper-set" data-testid="hopper-set">Set</button>
    <button type="button" data-hopper-fault="empty" data-testid="hopper-empty">Empty</button>
    <button type="button" data-hopper-fault="jam" data-testid="hopper-jam">Jam</button>
    <button type="button" data-hopper-fault="clear" data-testid="hopper-clear">Clear</button>
  </div>
  <div class="row plug" data-device="hopper"></div>
</section>
<section aria-labelledby="h-notes">
  <h2 id="h-notes">Note validator (ID-003)</h2>
  <div class="row" role="group" aria-label="Insert note">
    ${[1000, 5000, 10000].map((y) => `<button type="button" class="coin" data-note="${y}" data-testid="note-${y}">${y.toLocaleString('en-US')} yen note</button>`).join('')}
  </div>
  <div class="row" role="group" aria-label="Note validator faults">
    <button type="button" data-note-fault="jam" data-testid="note-jam">Jam</button>
    <button type="button" data-note-fault="cash-box-full" data-testid="note-full">Cash box full</button>
    <button type="button" data-note-fault="return-next" data-testid="note-return-next">Return next note</button>
    <button type="button" data-note-fault="empty-cash-box" data-testid="note-empty-box">Empty cash box</button>
    <button type="button" data-note-fault="clear" data-testid="note-clear">Clear</button>
  </div>
  <div class="row plug" data-device="note-validator"></div>
</section>
<section aria-labelledby="h-printer">
  <h2 id="h-printer">Printer</h2>
  <div class="row" role="group" aria-label="Printer faults">
    ${faults.map((f) => `<button type="button" data-fault="${f}" data-testid="fault-${f}">${f}</button>`).join('')}
  </div>
  <div class="row" role="group" aria-label="Printer paper">
    <label>sheets in the tray <input id="paper-sheets" type="number" min="0" max="10000" value="250" data-testid="paper-sheets"></label>
    <button type="button" id="paper-load" data-testid="paper-load">Load paper</button>
  </div>
  <div class="row plug" data-device="printer"></div>
  <div class="row">
    <button type="button" id="jobs-refresh" data-testid="jobs-refresh">Refresh jobs</button>
    <button type="button" id="jobs-clear" data-testid="jobs-clear">Delete finished jobs</button>
  </div>
  <ol id="jobs" data-testid="jobs" class="jobs"></ol>
</section>
<section aria-labelledby="h-log" class="wide">
  <h2 id="h-log">Device events</h2>
  <ol id="log" data-testid="log" class="log" aria-live="polite"></ol>
</section>
</main>
</body>
</html>`;
}
