import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

describe('Prometheus text metrics', () => {
  it('renders counters, gauges and histograms in the exposition format', () => {
    const m = new Metrics();
    m.counter('c_total', 'A counter.');
    m.gauge('g', 'A gauge.', () => 3);
    m.gauge('gl', 'Labelled.', () => [[{ endpoint: 'vrs0' }, 1]]);
    m.histogram('h_seconds', 'A histogram.');
    m.inc('c_total', { code: 'RELAY_BUSY' });
    m.inc('c_total', { code: 'RELAY_BUSY' }, 2);
    m.observe('h_seconds', 0.003);
    m.observe('h_seconds', 20);
    const text = m.render();
    expect(text).toContain('# TYPE c_total counter\nc_total{code="RELAY_BUSY"} 3');
    expect(text).toContain('# TYPE g gauge\ng 3');
    expect(text).toContain('gl{endpoint="vrs0"} 1');
    expect(text).toContain('h_seconds_bucket{le="0.002"} 0');
    expect(text).toContain('h_seconds_bucket{le="0.005"} 1');
    expect(text).toContain('h_seconds_bucket{le="+Inf"} 2');
    expect(text).toContain('h_seconds_count 2');
  });

  it('never renders free text as a label value, and refuses unknown names', () => {
    const m = new Metrics();
    m.counter('c_total', 'A counter.');
    m.inc('c_total', { code: 'Yamada Taro "quoted"\n' });
    expect(m.render()).toContain('c_total{code="other"} 1');
    expect(() => m.inc('nope')).toThrow(TypeError);
  });
});
