/** The Dockerfile parser: lines as BuildKit's parser reads them, for placing findings on them. */
import {describe, expect, it} from 'vitest'

import {finalStageChain, parseDockerfile} from '../../src/dockerfile/parse.js'

const only = (text: string) => {
  const stages = parseDockerfile(text).stages
  return stages[stages.length - 1]!.instructions
}

describe('parseDockerfile', () => {
  it('joins continuation lines: the escape and line break go, the next line\'s indentation stays', () => {
    const [run, copy] = only('FROM python:3.12\nRUN pip install \\\n    boto3 \\\n  && rm -rf /root/.cache\nCOPY app.py /var/task/\n')
    expect(run).toMatchObject({keyword: 'RUN', line: 2, endLine: 4, args: 'pip install     boto3   && rm -rf /root/.cache'})
    expect(copy).toMatchObject({keyword: 'COPY', line: 5, endLine: 5, args: 'app.py /var/task/'})
  })

  it('skips comment lines and blank lines inside a continuation (they still count as lines)', () => {
    const [run, env] = only('FROM a\nRUN apt-get update && \\\n# the packages\n    apt-get install -y \\\n\n    curl\nENV A=b\n')
    expect(run).toMatchObject({line: 2, endLine: 6, args: 'apt-get update &&     apt-get install -y     curl'})
    expect(env).toMatchObject({keyword: 'ENV', line: 7})
  })

  it('reads the escape directive: a backtick continues lines and a backslash is literal', () => {
    const text = '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir C:\\ `\n    && echo done\nCOPY . C:\\app\\\n'
    const parsed = parseDockerfile(text)
    expect(parsed.escape).toBe('`')
    expect(parsed.directives).toEqual({escape: '`'})
    expect(parsed.stages[0]!.instructions).toMatchObject([
      {keyword: 'RUN', line: 3, endLine: 4, args: 'dir C:\\     && echo done'},
      {keyword: 'COPY', line: 5, endLine: 5, args: '. C:\\app\\'},
    ])
  })

  it('reads parser directives only at the very top', () => {
    expect(parseDockerfile('# syntax=docker/dockerfile:1\n# escape=\\\nFROM a\n').directives).toEqual({syntax: 'docker/dockerfile:1', escape: '\\'})
    // After a blank line or a comment, "# escape=`" is a comment: the backslash still escapes.
    const late = parseDockerfile('\n# escape=`\nFROM a\nRUN a \\\n b\n')
    expect(late.escape).toBe('\\')
    expect(late.stages[0]!.instructions[0]).toMatchObject({line: 4, endLine: 5})
    expect(parseDockerfile('# a comment\n# escape=`\nFROM a\n').escape).toBe('\\')
  })

  it('reads heredocs: the body raw, the delimiter line included in the instruction', () => {
    const text = [
      'FROM alpine',
      'RUN <<EOF',
      'set -e',
      '# not a comment of the Dockerfile',
      'apk add curl \\',
      'EOF',
      'RUN <<-"SCRIPT" bash',
      '\techo tabs',
      '\tSCRIPT',
      'COPY <<one <<two /etc/',
      'first',
      'one',
      'second',
      'two',
      'CMD ["true"]',
    ].join('\n')
    const [plain, stripped, copy, cmd] = only(text)
    expect(plain).toMatchObject({keyword: 'RUN', args: '<<EOF', line: 2, endLine: 6})
    expect(plain!.heredocs).toEqual([{name: 'EOF', body: 'set -e\n# not a comment of the Dockerfile\napk add curl \\\n', stripTabs: false}])
    expect(stripped).toMatchObject({line: 7, endLine: 9, heredocs: [{name: 'SCRIPT', body: '\techo tabs\n', stripTabs: true}]})
    expect(copy).toMatchObject({line: 10, endLine: 14, heredocs: [{name: 'one', body: 'first\n'}, {name: 'two', body: 'second\n'}]})
    expect(cmd).toMatchObject({keyword: 'CMD', line: 15, json: ['true']})
  })

  it('runs an unterminated heredoc to the end of the file, and finds none in quotes', () => {
    const [run] = only('FROM a\nRUN cat <<EOF\nno end\n')
    expect(run).toMatchObject({endLine: 4, heredocs: [{name: 'EOF'}]})
    expect(only('FROM a\nRUN echo "<<EOF"\nCMD x\n')[0]!.heredocs).toEqual([])
  })

  it('reads exec (JSON) form, and falls back to shell form when it is not a JSON array of strings', () => {
    const [cmd, entrypoint, run, bad] = only('FROM a\nCMD ["app.lambda_handler"]\nENTRYPOINT [ "/lambda-entrypoint.sh" ]\nRUN ["pip", "install", "x"]\nCMD [not json]\n')
    expect(cmd!.json).toEqual(['app.lambda_handler'])
    expect(entrypoint!.json).toEqual(['/lambda-entrypoint.sh'])
    expect(run!.json).toEqual(['pip', 'install', 'x'])
    expect(bad!.json).toBeUndefined()
    expect(bad!.args).toBe('[not json]')
  })

  it('reads flags, case-insensitive keywords, and stages with names', () => {
    const parsed = parseDockerfile([
      'ARG PY=3.12',
      'from --platform=$BUILDPLATFORM python:${PY} as Build',
      'run --mount=type=cache,target=/root/.cache pip install -r requirements.txt',
      'FROM scratch AS final',
      'COPY --from=build --chown=1000:1000 /opt /opt',
      'Copy --chmod="0755" run.sh /',
    ].join('\n'))
    expect(parsed.globalArgs.map((a) => a.args)).toEqual(['PY=3.12'])
    expect(parsed.stages.map((s) => [s.index, s.name, s.base])).toEqual([
      [0, 'Build', 'python:${PY}'],
      [1, 'final', 'scratch'],
    ])
    expect(parsed.stages[0]!.from.flags).toEqual(['--platform=$BUILDPLATFORM'])
    expect(parsed.stages[0]!.instructions[0]).toMatchObject({keyword: 'RUN', flags: ['--mount=type=cache,target=/root/.cache'], args: 'pip install -r requirements.txt'})
    expect(parsed.stages[1]!.instructions).toMatchObject([
      {keyword: 'COPY', flags: ['--from=build', '--chown=1000:1000'], args: '/opt /opt', line: 5},
      {keyword: 'COPY', flags: ['--chmod="0755"'], args: 'run.sh /', line: 6},
    ])
  })

  it('follows the last stage back through the stages it is built FROM', () => {
    const parsed = parseDockerfile('FROM python:3.12 AS base\nRUN a\nFROM base AS deps\nRUN b\nFROM golang AS tools\nRUN c\nFROM DEPS\nRUN d\n')
    expect(finalStageChain(parsed).map((s) => s.index)).toEqual([0, 1, 3])
    expect(finalStageChain(parseDockerfile('FROM a AS x\nFROM x\n')).map((s) => s.index)).toEqual([0, 1])
    // A stage naming itself (or a later one) is an image name, not a loop.
    expect(finalStageChain(parseDockerfile('FROM x AS x\n')).map((s) => s.index)).toEqual([0])
    expect(finalStageChain(parseDockerfile('# nothing\n'))).toEqual([])
  })

  it('reads CRLF files and a byte-order mark', () => {
    const [run] = only('\uFEFFFROM a\r\nRUN a \\\r\n  b\r\nCMD x\r\n')
    expect(run).toMatchObject({line: 2, endLine: 3, args: 'a   b'})
  })

  it('never throws, whatever it is given', () => {
    const garbage = Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919) % 256)).toString('latin1')
    for (const text of [garbage, '', '\\', 'RUN <<', 'FROM', 'FROM a\nRUN \\', 'FROM a\nCOPY <<EOF', '# escape=`\n`']) {
      expect(() => parseDockerfile(text)).not.toThrow()
    }
  })
})
