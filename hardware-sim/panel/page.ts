/** The control panel's page. Replaced by the full panel UI (issue 4). */
export function loadPanelPage(): string {
  return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hardware simulator</title></head><body><h1>Hardware simulator</h1><p>See <a href="/api/state">/api/state</a>.</p></body></html>';
}
