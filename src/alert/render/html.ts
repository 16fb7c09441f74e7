// The HTML part of an alert email: the same document as text.ts, every piece of text
// escaped (target names, reasons and AS paths come from outside), hops in <pre> so
// their columns hold on a phone, no images, no remote anything.
import type { AlertDoc, Line } from './doc.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function line(l: Line): string {
  if (l.href !== undefined && /^https?:\/\//.test(l.href)) {
    const label = l.text.slice(0, l.text.length - l.href.length);
    return `<div>${escapeHtml(label)}<a href="${escapeHtml(l.href)}">${escapeHtml(l.href)}</a></div>`;
  }
  return l.text === '' ? '<div>&nbsp;</div>' : `<div>${escapeHtml(l.text)}</div>`;
}

export function renderHtml(doc: AlertDoc): string {
  const parts: string[] = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(doc.subject)}</title></head>`,
    '<body style="font-family:sans-serif;font-size:15px;line-height:1.4">',
    `<p style="font-size:17px"><b>${escapeHtml(doc.headline)}</b></p>`,
  ];
  for (const b of doc.blocks) {
    parts.push(`<h3 style="margin:16px 0 4px">${escapeHtml(b.title)}</h3>`);
    let mono: string[] = [];
    const flush = () => {
      if (mono.length) parts.push(`<pre style="margin:2px 0 8px;font-size:13px">${mono.map(escapeHtml).join('\n')}</pre>`);
      mono = [];
    };
    for (const l of b.lines) {
      if (l.mono) {
        mono.push(l.text);
        continue;
      }
      flush();
      parts.push(line(l));
    }
    flush();
  }
  parts.push('</body></html>');
  return parts.join('\n');
}
