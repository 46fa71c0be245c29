/** Names from an image reach the terminal escaped: no escape sequence, no row split, no lost byte. */
import {describe, expect, it} from 'vitest'
import {displayText} from '../../src/report/escape.js'
import {renderTree} from '../../src/report/views/tree-view.js'
import {decodeByteString} from '../../src/tar/byte-string.js'
import {OciLayoutBuilder, tempDir} from '../image/helpers.js'
import {runCli} from '../helpers/cli.js'
import {packTar} from '../fs/helpers.js'

describe('displayText', () => {
  it('escapes control characters, non-UTF-8 bytes, lone surrogates and bidi overrides; keeps real text', () => {
    expect(displayText('e\x1b]0;PWNED\x07\x1b[31mRED')).toBe('e\\x1b]0;PWNED\\x07\\x1b[31mRED')
    expect(displayText('a\nb\rc\td\x7f\x9b')).toBe('a\\nb\\rc\\td\\x7f\\x9b')
    expect(displayText(decodeByteString(Buffer.from('caf\xe9', 'latin1')))).toBe('caf\\xe9')
    expect(displayText('café 日本 🚀')).toBe('café 日本 🚀')
    expect(displayText('x\u202egpj.exe')).toBe('x\\u{202e}gpj.exe')
    expect(displayText('lone\ud800')).toBe('lone\\u{d800}')
  })
})

describe('tree prints names from the image escaped', () => {
  it('renderTree: a hostile directory name and a Latin-1 link target', () => {
    const out = renderTree(
      [
        {path: '/e\x1b]0;PWNED\x07', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, layer: 0},
        {path: '/l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 0, layer: 0, linkTarget: decodeByteString(Buffer.from('n\xe9\nx', 'latin1'))},
      ],
      {color: false},
    )
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
    expect(out.trimEnd().split('\n')).toHaveLength(2)
    expect(out).toContain('e\\x1b]0;PWNED\\x07/')
    expect(out).toContain('-> n\\xe9\\nx')
  })

  it('CLI: tree of an image whose names hold ESC, BEL, a newline and Latin-1 bytes; --json keeps the bytes', async () => {
    const dir = tempDir()
    try {
      const layout = new OciLayoutBuilder(dir.path)
      const tar = await packTar([
        {name: 'e\x1b]0;PWNED\x07\x1b[31mRED/', type: 'directory'},
        {name: 'split\nrow', content: 'x'},
      ])
      // tar-stream writes names as UTF-8; put a raw Latin-1 byte into the second name's header.
      const latin = Buffer.concat([tar.subarray(0, 512), await packTar([{name: 'caf_', content: 'y'}])])
      latin[512 + 3] = 0xe9
      let sum = 0
      latin.fill(0x20, 512 + 148, 512 + 156)
      for (let i = 512; i < 1024; i++) sum += latin[i]!
      latin.write(`${sum.toString(8).padStart(6, '0')}\0 `, 512 + 148, 'latin1')
      layout.writeIndex([layout.image({layers: [{tar}, {tar: latin}]})])
      const shown = await runCli(['tree', dir.path])
      expect(shown.code).toBe(0)
      expect(shown.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
      expect(shown.stdout).toContain('e\\x1b]0;PWNED\\x07\\x1b[31mRED/')
      expect(shown.stdout).toContain('split\\nrow')
      expect(shown.stdout).toContain('caf\\xe9')
      const json = await runCli(['tree', dir.path, '--json'])
      const paths = (JSON.parse(json.stdout) as {entries: {path: string}[]}).entries.map((e) => e.path)
      expect(paths).toContain(decodeByteString(Buffer.from('/caf\xe9', 'latin1')))
      expect(paths).toContain('/split\nrow')
      // diff against an empty image: every hostile name is an added path, escaped in table and Markdown.
      const empty = tempDir()
      try {
        const blank = new OciLayoutBuilder(empty.path)
        blank.writeIndex([blank.image({layers: [{tar: await packTar([{name: 'ok', content: 'z'}])}]})])
        for (const format of ['table', 'markdown', 'junit']) {
          const diff = await runCli(['diff', empty.path, dir.path, '--format', format])
          expect(diff.code, diff.stderr).toBe(1)
          expect(diff.stdout, format).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
          expect(diff.stdout, format).toContain('split\\nrow')
        }
      } finally {
        empty.cleanup()
      }
    } finally {
      dir.cleanup()
    }
  })
})

describe('inspect prints what the image says escaped', () => {
  it('history, Cmd and platform with escape sequences and C1 controls', async () => {
    const dir = tempDir()
    try {
      const layout = new OciLayoutBuilder(dir.path)
      const tar = await packTar([{name: 'a', content: 'x'}])
      layout.writeIndex([
        layout.image({
          layers: [{tar}],
          cmd: ['app.handler\x1b[2J', '\u009b31m'],
          history: [{created_by: 'RUN echo \x1b]0;PWNED\x07 && \x1b[31mred'}],
        }),
      ])
      const shown = await runCli(['inspect', dir.path])
      expect(shown.code).toBe(0)
      expect(shown.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/)
      expect(shown.stdout).toContain('RUN echo \\x1b]0;PWNED\\x07 && \\x1b[31mred')
      expect(shown.stdout).toContain('\\x9b31m')
    } finally {
      dir.cleanup()
    }
  })
})
