/**
 * What a stranger's image or account writes to make a pull-request comment link, ping or mark up, and a
 * check that none of it is live in rendered Markdown. The project has no Markdown parser: the check reads
 * the text as CommonMark does — code spans are shown as they are, a backslash-escaped character is text.
 */
import type {Finding} from '../../src/rules/types.js'

export const HOSTILE_HOME = 'https://github.com/acme/layer-audit'

export const HOSTILE_TEXT =
  '[click](https://evil.example/login) ![x](https://evil.example/p.png) <https://evil.example/a> https://evil.example/b ' +
  'www.evil.example **bold** _em_ `tick` ~~gone~~ $x$ <script>alert(1)</script> &amp; @octocat a@b.example #123 GH-45 | col'

export const HOSTILE_PATH = '/opt/[p](https://evil.example)/@octocat/``x`/<script>'

/** Findings whose every untrusted field is hostile: a message naming its path, one that does not, an origin. */
export function hostileFindings(rule: string): Finding[] {
  return [
    {rule, severity: 'error', path: HOSTILE_PATH, message: `${HOSTILE_TEXT} in ${HOSTILE_PATH}`, source: `- ${HOSTILE_TEXT}`},
    {rule, severity: 'error', path: '/opt/@team/#1', message: `1. ${HOSTILE_TEXT}`, layer: 2},
  ]
}

/**
 * Markdown as it renders to text, less what cannot be markup: read left to right, a backslash-escaped
 * character is dropped (it is text), and so is a code span (its fence, then anything up to a run as long).
 */
export function outsideCode(markdown: string): string {
  return markdown.replace(/\\[\s\S]|(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '')
}

/** Live markup left in rendered Markdown, other than our own links under `homepage`. */
export function liveMarkup(markdown: string, homepage = HOSTILE_HOME): string[] {
  const text = outsideCode(markdown).replaceAll(`](${homepage}/`, '](OURS/')
  const live: [string, RegExp][] = [
    ['link', /\]\(http/],
    ['nested list', /^- (?:\d+[.)]|[-+]) /m],
    ['autolink', /<http|:\/\/|www\./i],
    ['html', /<(?:script|img|b)\b/i],
    ['entity', /&amp;(?!amp;)/],
    ['mention', /@\w/],
    ['reference', /#\d|GH-\d/],
    ['emphasis', /\*\*bold|_em_|~~gone|\$x\$/],
  ]
  return live.filter(([, pattern]) => pattern.test(text)).map(([name]) => name)
}
