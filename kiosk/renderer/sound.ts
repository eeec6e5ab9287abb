/**
 * Audio cues with WebAudio (no sound files): a click on every press, a rising chime for success, a low double
 * tone for errors, and an insistent two-tone reminder for a card or certificate left behind.
 */
export type Cue = 'press' | 'success' | 'error' | 'reminder' | 'attention';

const CUES: Record<Cue, [freq: number, ms: number][]> = {
  press: [[1200, 40]],
  success: [
    [880, 120],
    [1320, 200],
  ],
  error: [
    [330, 200],
    [0, 80],
    [330, 300],
  ],
  reminder: [
    [1000, 250],
    [750, 250],
    [1000, 250],
    [750, 250],
  ],
  attention: [[660, 300]],
};

let ctx: AudioContext | null = null;

export function play(cue: Cue): void {
  try {
    ctx ??= new AudioContext();
    let t = ctx.currentTime;
    for (const [freq, ms] of CUES[cue]) {
      if (freq > 0) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.2, t);
        gain.gain.exponentialRampToValueAtTime(0.001, t + ms / 1000);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + ms / 1000);
      }
      t += ms / 1000;
    }
    document.documentElement.dataset['lastCue'] = cue;
  } catch {
    // No audio device: the screen still shows every message.
  }
}
