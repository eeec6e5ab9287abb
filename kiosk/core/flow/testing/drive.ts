import type { Logger } from '../../../../common/log.js';
import type { ScreenName, ViewState } from '../../../shared/view.js';
import type { FlowConfig } from '../config.js';
import { flowConfig } from '../config.js';
import { KioskFlow, type TransactionEnd } from '../machine.js';
import { type FakeCard, type FakeCert, type FakePorts, fakePorts, settle, TEST_PIN } from './fakes.js';

/** A logger that keeps its lines in memory (tests scan them for personal data). */
export function memoryLogger(lines: string[], component = 'kiosk.flow'): Logger {
  const write = (level: string) => (event: string, fields?: Record<string, unknown>) =>
    void lines.push(JSON.stringify({ level, component, event, ...fields }));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (sub) => memoryLogger(lines, `${component}.${sub}`),
  };
}

export interface Harness {
  flow: KioskFlow<FakeCert>;
  ports: FakePorts;
  config: FlowConfig;
  views: ViewState[];
  ends: TransactionEnd[];
  logs: string[];
  readonly view: ViewState;
  /** Sends an intent and lets the flow's promises settle. */
  act(intent: unknown): Promise<ReturnType<KioskFlow<FakeCert>['intent']>>;
  /** Drives a fresh transaction forward until `screen` is shown. */
  goTo(screen: Step): Promise<void>;
}

export type Step =
  | 'menu'
  | 'pin'
  | 'remove-card'
  | 'municipality'
  | 'cert-type'
  | 'copies'
  | 'preview'
  | 'payment'
  | 'take-certificate';

const ORDER: Step[] = [
  'menu',
  'pin',
  'remove-card',
  'municipality',
  'cert-type',
  'copies',
  'preview',
  'payment',
  'take-certificate',
];

export function harness(
  overrides: Partial<FlowConfig> = {},
  opts: { copies?: number; certType?: 'domestic' | 'overseas'; card?: FakeCard } = {},
): Harness {
  const ports = fakePorts();
  if (opts.card) ports.card = opts.card;
  const config = flowConfig(overrides);
  const logs: string[] = [];
  const flow = new KioskFlow(ports, config, memoryLogger(logs));
  const views: ViewState[] = [];
  const ends: TransactionEnd[] = [];
  flow.onView((v) => views.push(v));
  flow.onTransactionEnd((e) => ends.push(e));
  flow.start();
  const h: Harness = {
    flow,
    ports,
    config,
    views,
    ends,
    logs,
    get view() {
      return flow.view;
    },
    async act(intent) {
      const r = flow.intent(intent);
      await settle();
      return r;
    },
    async goTo(target) {
      const upTo = ORDER.indexOf(target);
      for (const step of ORDER.slice(0, upTo + 1)) {
        switch (step) {
          case 'menu':
            ports.card.place();
            break;
          case 'pin':
            await h.act({ type: 'choose-service', service: 'covid-vaccine-certificate' });
            break;
          case 'remove-card':
            ports.pinpad.type(TEST_PIN);
            ports.pinpad.press('enter');
            break;
          case 'municipality':
            ports.card.remove();
            break;
          case 'cert-type':
            await h.act({ type: 'choose-municipality', code: '131016' });
            break;
          case 'copies':
            await h.act({ type: 'choose-cert-type', certType: opts.certType ?? 'domestic' });
            break;
          case 'preview':
            await h.act({ type: 'choose-copies', copies: opts.copies ?? 1 });
            break;
          case 'payment':
            await h.act({ type: 'confirm' });
            break;
          case 'take-certificate':
            ports.coin.insert((opts.copies ?? 1) * config.feePerCopy);
            break;
        }
        await settle();
        const shown: ScreenName = flow.view.screen;
        if (shown !== step) throw new Error(`expected screen ${step} but the flow shows ${shown}`);
      }
    },
  };
  return h;
}
