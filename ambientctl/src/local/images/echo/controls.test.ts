import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseControls } from './controls.ts';

describe('echo request controls', () => {
  it('reads status and delay from the query and the /delay/<ms> path', () => {
    const cases: [string, number, number][] = [
      ['/', 200, 0],
      ['/?status=503', 503, 0],
      ['/x?delay=250', 200, 250],
      ['/x?delay=250ms&status=201', 201, 250],
      ['/?delay=2s', 200, 2000],
      ['/delay/40', 200, 40],
      ['/delay/40/', 200, 40],
    ];
    for (const [url, status, delayMs] of cases) assert.deepEqual(parseControls(url), { ok: true, controls: { status, delayMs } }, url);
  });

  it('refuses bad values with a reason', () => {
    for (const [url, re] of [
      ['/?status=99', /status=99/],
      ['/?status=abc', /status=abc/],
      ['/?status=600', /100-599/],
      ['/?delay=-1', /delay -1/],
      ['/delay/soon', /delay soon/],
      ['/?delay=61s', /up to 60000/],
    ] as const) {
      const r = parseControls(url);
      assert.ok(!r.ok && re.test(r.error), `${url}: ${JSON.stringify(r)}`);
    }
  });
});
