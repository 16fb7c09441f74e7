// The plain-text part of an alert email (and what the logs could show): the document
// as lines, block titles underlined, trace hops indented.
import type { AlertDoc } from './doc.ts';

export function renderText(doc: AlertDoc): string {
  const out: string[] = [doc.headline, ''];
  for (const b of doc.blocks) {
    out.push(b.title, '-'.repeat(Math.min(b.title.length, 60)));
    for (const l of b.lines) out.push(l.mono ? `  ${l.text}` : l.text);
    out.push('');
  }
  return out.join('\n');
}
