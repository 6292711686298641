// Two people connect by an invite, in the UI as they would do it: Ann makes a code on her Peers
// page (and its QR code, which a phone could scan), Ben pastes it into his and accepts. The QR
// code is read back from a screenshot with a QR decoder, as a phone would read it; the nodes' API
// is read only to check that each side now trusts the other at the weight it chose.
// (A used code, an expired one and the rest are refused in test/node/reach/invites.test.ts.)
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { decode } from 'fast-png';
import jsQR from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { webUiUrl } from '../src-main/node/api/index.js';
import { killAllChildren, startChild, stopChild, type ChildNode } from '../test/node/mesh/child-nodes.js';
import { seriousViolations } from './a11y.js';
import { collectPageErrors, launchChromium, waitUntilReady } from './browser.js';

let ann: ChildNode;
let ben: ChildNode;
let browser: Browser | undefined;
const pageErrors: string[] = [];

async function peersPage(node: ChildNode): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  collectPageErrors(page, pageErrors);
  await page.goto(webUiUrl(node.api.url, node.api.token));
  await waitUntilReady(page);
  await page.getByTestId('nav-peers').click();
  await page.getByTestId('page-peers').waitFor();
  return page;
}

async function trustIn(node: ChildNode, peer: string): Promise<number | undefined> {
  const { trust } = await node.api.call('trust.list', {});
  return trust.find((t) => t.peer_id === peer)?.weight;
}

/** What a phone's camera would read from the QR code on the page. */
async function scan(page: Page): Promise<string | undefined> {
  const png = decode(await page.getByTestId('invite-qr').screenshot());
  const rgba = new Uint8ClampedArray(png.width * png.height * 4);
  const channels = png.channels;
  for (let i = 0; i < png.width * png.height; i++)
    for (let c = 0; c < 4; c++) rgba[i * 4 + c] = c < channels ? Number(png.data[i * channels + c]) : 255;
  return jsQR.default(rgba, png.width, png.height)?.data; // a CommonJS module: its function is also its `default`
}

before(async () => {
  [ann, ben] = await Promise.all([startChild({ workers: 1 }), startChild({ workers: 1 })]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all([ann, ben].filter(Boolean).map((node) => stopChild(node)));
  killAllChildren();
  for (const node of [ann, ben]) if (node) rmSync(node.dataDir, { recursive: true, force: true });
});

test(
  'Ann invites Ben from the Peers page; its QR code reads back as the code; a damaged code is refused',
  { timeout: 60_000 },
  async () => {
    const annPage = await peersPage(ann);
    await annPage.getByTestId('invite-trust').fill('0.3');
    await annPage.getByTestId('invite-create').click();
    const code = (await annPage.getByTestId('invite-code').textContent())?.trim() ?? '';
    assert.match(code, /^mesh-invite:/);
    assert.equal(await scan(annPage), code, 'the QR code holds the invite code');
    assert.deepEqual(await seriousViolations(annPage), [], 'axe on the Peers page with an invite shown');

    const benPage = await peersPage(ben);
    await benPage.getByTestId('invite-accept-input').fill(code);
    await benPage.getByTestId('invite-accept-trust').fill('0.6');
    await benPage.getByTestId('invite-accept-button').click();
    await benPage.getByTestId('invite-accepted').waitFor({ timeout: 20_000 });
    assert.match(
      (await benPage.getByTestId('invite-accepted').textContent()) ?? '',
      /Connected to .*You trust each other/,
    );
    assert.equal(await trustIn(ben, ann.peerId), 0.6, 'Ben trusts Ann at the weight he chose');
    assert.equal(await trustIn(ann, ben.peerId), 0.3, 'Ann trusts Ben at the weight her invite named');
    // Trusted less than fully, Ben would get a free-rider's trickle from Ann's machine were he to share nothing.
    await annPage
      .getByTestId(`peer-row-${ben.peerId}`)
      .getByText(/if it shares nothing, 1 unit per 120 s/)
      .waitFor({ timeout: 20_000 });

    assert.deepEqual(pageErrors, [], 'the pages logged no error');

    // A code cut short in the copying: refused, said plainly, and Ben's trust stays as it was.
    await benPage.getByTestId('invite-accept-input').fill(code.slice(0, -12));
    await benPage.getByTestId('invite-accept-trust').fill('1');
    await benPage.getByTestId('invite-accept-button').click();
    const banner = benPage.getByTestId('error-banner');
    await banner.waitFor({ timeout: 20_000 });
    assert.match((await banner.textContent()) ?? '', /copy it again, whole/);
    assert.equal(await trustIn(ben, ann.peerId), 0.6);
    // Chromium logs the refusal's HTTP 400 itself; nothing else went wrong.
    const logged = pageErrors.map((e) => /status of (\d+).*\/api\/v1\/([\w.]+)/.exec(e)?.slice(1));
    assert.deepEqual(logged, [['400', 'invites.accept']]);
  },
);
