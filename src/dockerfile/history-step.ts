/**
 * A history entry's `created_by` reduced to the instruction that wrote it, whichever builder it was:
 *   RUN |2 A=x B=y /bin/sh -c make # buildkit      BuildKit (" # buildkit" when the step has a layer)
 *   COPY --chown=app src/ /var/task/ # buildkit    BuildKit COPY/ADD: flags (not --from), sources, destination
 *   ENV A=b   WORKDIR /var/task   CMD ["x"]        BuildKit metadata steps, no suffix
 *   /bin/sh -c #(nop)  ENV A=b                     classic docker build, buildah (#(nop) + the instruction)
 *   /bin/sh -c #(nop) COPY file:3e4f… in /var/task/   classic/buildah COPY/ADD: a content hash, then " in DEST"
 *   |2 A=x B=y /bin/sh -c make   /bin/sh -c make   classic/buildah RUN: the shell command, no keyword
 *   RUN make   ADD README.md /somefile.txt         kaniko: the instruction as written, no shell
 */

export interface HistoryStep {
  /** Upper-case instruction; RUN for a bare shell command (classic, buildah). */
  keyword: string
  /** What follows the keyword, whitespace runs collapsed to one space, trimmed. For a RUN, the whole command line. */
  rest: string
}

const BUILDKIT_SUFFIX = '# buildkit'
/**
 * `created_by` is a stranger's text, and matching it against a Dockerfile runs regular expressions whose
 * time grows with the square of its length (a shell prefix, `${VAR}` patterns). Real steps are a few KiB;
 * a longer one is matched to nothing (its findings keep their image location) rather than hang the audit.
 */
export const MAX_HISTORY_STEP = 16 * 1024
/** The keyword of a step too long to read: no instruction has it. */
export const UNREAD_STEP = 'UNREAD'
const NOP = /^(?:\/bin\/sh -c|cmd \/S \/C)\s+#\(nop\)\s*/i
const KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD',
  'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
])

/** Whitespace runs (newlines and tabs of continuations and heredocs included) as one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

export function readHistoryStep(createdBy: string): HistoryStep {
  if (createdBy.length > MAX_HISTORY_STEP) return {keyword: UNREAD_STEP, rest: ''}
  let text = createdBy.trim()
  // A string test, not /\s+# buildkit$/: that regex retries at every blank of a long run of blanks.
  if (text.endsWith(BUILDKIT_SUFFIX) && /\s/.test(text.charAt(text.length - BUILDKIT_SUFFIX.length - 1))) {
    text = text.slice(0, text.length - BUILDKIT_SUFFIX.length).trimEnd()
  }
  const nop = NOP.exec(text)
  text = text.slice(nop?.[0].length ?? 0)
  const word = /^([A-Za-z]+)(?:\s+|$)/.exec(text)?.[1]
  // After #(nop) the instruction may be in any case (buildah keeps it as written); a bare command
  // such as "env X=1 make" is a RUN, so elsewhere only an upper-case keyword counts.
  if (word && KEYWORDS.has(word.toUpperCase()) && (nop || word === word.toUpperCase())) {
    return {keyword: word.toUpperCase(), rest: collapseWhitespace(text.slice(word.length))}
  }
  return {keyword: 'RUN', rest: collapseWhitespace(text)}
}
