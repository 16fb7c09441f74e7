// The webhook's "text": Slack-compatible mrkdwn (Mattermost and others read it too).
// Short: subject, the sentence, one line per target, the BGP lines, the console link;
// the traces are in the email and the console. &, < and > are escaped as Slack asks.
import type { AlertDoc } from './doc.ts';

export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderSlack(doc: AlertDoc): string {
  const out = [`*${escapeMrkdwn(doc.subject)}*`, escapeMrkdwn(doc.headline)];
  const bgp = doc.blocks.find((b) => b.title.startsWith('BGP'));
  for (const b of doc.blocks) {
    if (b === bgp || b.title.startsWith('Traces to') || b.title === 'About this alert') continue;
    out.push(`• *${escapeMrkdwn(b.title)}*: ${escapeMrkdwn(b.lines[0]?.text ?? '')}`);
  }
  if (bgp) out.push(...bgp.lines.filter((l) => l.text !== '').slice(0, 8).map((l) => `> ${escapeMrkdwn(l.text)}`));
  for (const [id, link] of doc.links) out.push(`<${link}|Open ${escapeMrkdwn(id)} in the console>`);
  return out.join('\n');
}
