/**
 * Text set into GitHub-flavoured Markdown (pull-request comments, job summaries). Text from a stranger's
 * image or account (paths, messages, names, history) must render as the characters it is: a link, an
 * image, an autolink, HTML, emphasis, an @mention or an issue reference in it would let that stranger put
 * a phishing link in, or ping people from, our user's pull request. Our own text keeps its markup.
 */
import {displayText} from './escape.js'

// Invisible and not a word character: it breaks what GitHub's autolinker, @mention and #123 filters match.
// Those filters read the rendered text, so a backslash (gone once rendered) would not stop them.
const WORD_JOINER = '\u2060'
const LINK_TRIGGERS = /:(?=\/\/)|www(?=\.)|@(?=\w)|#(?=\d)|GH-(?=\d)/gi

// Markdown punctuation that marks up inline text, backslash-escaped (CommonMark allows it for any ASCII
// punctuation); `&`, `<` and `>` as entities, which read the same and cannot start a tag or an entity.
const MARKUP = /[\\`*_[\]~|$#&<>]/g
const ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;'}

// What would open a nested list or a thematic break when the text starts a list item ("- " + text).
const BLOCK_START = /^ *(?:[-+]|\d{1,9}[.)](?= |$))/

function escapeMarkup(text: string): string {
  const escaped = text.replace(MARKUP, (ch) => ENTITIES[ch] ?? `\\${ch}`)
  return escaped.replace(BLOCK_START, (start) => `${start.slice(0, -1)}\\${start.slice(-1)}`)
}

/** Untrusted text, rendered literally: inline, in a table cell or at the start of a list item. */
export function literal(text: string): string {
  return escapeMarkup(displayText(text).replace(LINK_TRIGGERS, (match) => `${match}${WORD_JOINER}`))
}

/** Our own text (rule titles, fixes): its `code spans` kept as they are, the rest shown as written. */
export function prose(text: string): string {
  return text
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : escapeMarkup(displayText(part))))
    .join('')
}

/**
 * An inline code span: shown as it is and copyable (GitHub neither links nor mentions inside code). The
 * fence is one backtick longer than any run in the text so that no run can close it; a space pads text
 * that starts or ends with a backtick or a space (CommonMark strips one from each side).
 */
export function code(text: string): string {
  const shown = displayText(text)
  const longestRun = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = /^[` ]|[` ]$/.test(shown) && shown.trim() !== '' ? ' ' : ''
  return `${fence}${pad}${shown}${pad}${fence}`
}

/** A code span in a table cell: GFM splits cells at a pipe even inside code, unless it is escaped. */
export function cellCode(text: string): string {
  return code(text).replace(/\|/g, '\\|')
}
