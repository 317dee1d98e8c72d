/**
 * The web page (page.html: one self-contained HTML file with its CSS and JS inline, no CDN) and
 * the Content-Security-Policy it is served with: the inline script and style are allowed by their
 * SHA-256 hashes, so nothing else can run on the page.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface WebPage {
  html: Buffer;
  contentSecurityPolicy: string;
}

/** Where the build puts the page: next to this module (scripts/copy-assets.mjs copies it to dist). */
export const WEB_PAGE_URL = new URL('./page.html', import.meta.url);

function hashesOf(html: string, tag: 'script' | 'style'): string[] {
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  return [...html.matchAll(re)].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
}

export function loadWebPage(url: URL = WEB_PAGE_URL): WebPage {
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (e) {
    throw new Error(`web page missing at ${url.pathname} (the build copies src/server/page.html there: run npm run build): ${e instanceof Error ? e.message : String(e)}`);
  }
  const csp = [
    "default-src 'none'",
    `script-src ${hashesOf(text, 'script').join(' ')}`,
    `style-src ${hashesOf(text, 'style').join(' ')}`,
    "connect-src 'self'",
    'media-src blob:',
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html: Buffer.from(text, 'utf8'), contentSecurityPolicy: csp };
}
