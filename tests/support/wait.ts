import type { ScreenName, ViewState } from '../../kiosk/shared/view.js';

/** Something with the flow's view and view events (the flow, or a bridge to it). */
export interface Viewable {
  readonly view: ViewState;
  onView(listener: (v: ViewState) => void): () => void;
}

/** Resolves with the view once `screen` is shown (and `match` holds); rejects naming what was shown instead. */
export function waitForScreen(
  flow: Viewable,
  screen: ScreenName | readonly ScreenName[],
  timeoutMs = 15_000,
  match: (v: ViewState) => boolean = () => true,
): Promise<ViewState> {
  return new Promise((resolve, reject) => {
    const wanted: readonly ScreenName[] = typeof screen === 'string' ? [screen] : screen;
    const check = (v: ViewState) => wanted.includes(v.screen) && match(v);
    if (check(flow.view)) return resolve(flow.view);
    const seen: string[] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`waited for screen ${wanted.join('|')}; saw ${seen.join(' → ') || flow.view.screen}`));
    }, timeoutMs);
    const off = flow.onView((v) => {
      seen.push(v.screen === 'error' ? `error(${v.code})` : v.screen);
      if (check(v)) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    });
  });
}
