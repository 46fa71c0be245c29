/**
 * Placing history entries on Dockerfile lines, with the created_by forms real builders write: BuildKit,
 * the classic builder, buildah and kaniko (synthetic cases shaped like them, then the real-world corpus's
 * histories with the Dockerfiles they were built from, then the fixture images with theirs).
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {readHistoryStep} from '../../src/dockerfile/history-step.js'
import {placeHistory, type HistoryRecord} from '../../src/dockerfile/match.js'
import {parseDockerfile} from '../../src/dockerfile/parse.js'
import {openImage} from '../../src/image/index.js'
import {FIXTURES} from '../helpers/cli.js'
import {REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'

type Entry = [createdBy: string, layer?: 'layer']

const history = (entries: Entry[]): HistoryRecord[] => entries.map(([created_by, layer]) => ({created_by, ...(layer ? {} : {empty_layer: true})}))
const layersOf = (records: HistoryRecord[]) => records.filter((r) => !r.empty_layer).length

/** The placed line of each history entry (undefined where none). */
function placedLines(dockerfile: string, records: HistoryRecord[], layerCount = layersOf(records)) {
  const placement = placeHistory(parseDockerfile(dockerfile), records, layerCount)
  return {lines: placement.entries.map((p) => p?.instruction.line), placement}
}

const HASH = 'a'.repeat(64)

/** The python base: made by the classic builder, so its entries are #(nop) forms. */
const LAMBDA_BASE: Entry[] = [
  [`/bin/sh -c #(nop) ADD file:${HASH} in / `, 'layer'],
  ['/bin/sh -c #(nop)  ENV LANG=en_US.UTF-8 TZ=:/etc/localtime'],
  ['/bin/sh -c #(nop)  ENV LAMBDA_TASK_ROOT=/var/task'],
  ['/bin/sh -c #(nop) WORKDIR /var/task'],
  ['/bin/sh -c #(nop)  ENTRYPOINT ["/lambda-entrypoint.sh"]'],
]

const FUNCTION_DOCKERFILE = `# syntax=docker/dockerfile:1
FROM public.ecr.aws/lambda/python:3.12 AS base
ARG PIP_INDEX_URL
WORKDIR \${LAMBDA_TASK_ROOT}
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache \\
    pip install -r requirements.txt \\
      --target "\${LAMBDA_TASK_ROOT}"
COPY app/ ./
ENV LOG_LEVEL=info \\
    POWERTOOLS_SERVICE_NAME=orders
CMD [ "app.handler" ]
`
const FUNCTION_LINES = [3, 4, 5, 6, 9, 10, 12]

describe('placeHistory: the forms builders write', () => {
  it('BuildKit on a classic base: the base entries on FROM, each instruction on its lines', () => {
    const records = history([
      ...LAMBDA_BASE,
      ['ARG PIP_INDEX_URL=https://pypi.example.com/simple'],
      ['WORKDIR /var/task', 'layer'],
      ['COPY requirements.txt . # buildkit', 'layer'],
      ['RUN |1 PIP_INDEX_URL=https://pypi.example.com/simple /bin/sh -c pip install -r requirements.txt       --target "${LAMBDA_TASK_ROOT}" # buildkit', 'layer'],
      ['COPY app/ ./ # buildkit', 'layer'],
      ['ENV LOG_LEVEL=info POWERTOOLS_SERVICE_NAME=orders'],
      ['CMD ["app.handler"]'],
    ])
    const {lines, placement} = placedLines(FUNCTION_DOCKERFILE, records)
    expect(placement.problem).toBeUndefined()
    expect(lines).toEqual([2, 2, 2, 2, 2, ...FUNCTION_LINES])
    const run = placement.entries[8]!
    expect([run.instruction.line, run.instruction.endLine, run.stage.name]).toEqual([6, 8, 'base'])
    expect(placement.entries[10]!.instruction.endLine).toBe(11)
  })

  it('the classic builder: #(nop) metadata, COPY by content hash (only the destination compares), RUN with |N args', () => {
    const records = history([
      ...LAMBDA_BASE,
      ['/bin/sh -c #(nop)  ARG PIP_INDEX_URL'],
      ['/bin/sh -c #(nop) WORKDIR /var/task'],
      [`/bin/sh -c #(nop) COPY file:${HASH} in . `, 'layer'],
      ['|1 PIP_INDEX_URL=https://pypi.example.com/simple /bin/sh -c pip install -r requirements.txt       --target "${LAMBDA_TASK_ROOT}"', 'layer'],
      [`/bin/sh -c #(nop) COPY dir:${HASH} in ./ `, 'layer'],
      ['/bin/sh -c #(nop)  ENV LOG_LEVEL=info POWERTOOLS_SERVICE_NAME=orders'],
      ['/bin/sh -c #(nop)  CMD ["app.handler"]'],
    ])
    const {lines, placement} = placedLines(FUNCTION_DOCKERFILE.replace('--mount=type=cache,target=/root/.cache ', ''), records)
    expect(placement.problem).toBeUndefined()
    expect(lines).toEqual([2, 2, 2, 2, 2, ...FUNCTION_LINES])
  })

  it('buildah: #(nop) and the line as written (flags kept, variables not expanded), RUN with /bin/sh -c', () => {
    const records = history([
      ...LAMBDA_BASE,
      ['/bin/sh -c #(nop) ARG PIP_INDEX_URL'],
      ['/bin/sh -c #(nop) WORKDIR ${LAMBDA_TASK_ROOT}'],
      [`/bin/sh -c #(nop) COPY file:${HASH} in . `, 'layer'],
      ['|1 PIP_INDEX_URL=https://pypi.example.com/simple /bin/sh -c --mount=type=cache,target=/root/.cache     pip install -r requirements.txt       --target "${LAMBDA_TASK_ROOT}"', 'layer'],
      [`/bin/sh -c #(nop) COPY multi:${HASH} in ./ `, 'layer'],
      ['/bin/sh -c #(nop) ENV LOG_LEVEL=info     POWERTOOLS_SERVICE_NAME=orders'],
      ['/bin/sh -c #(nop) CMD [ "app.handler" ]'],
    ])
    const {lines, placement} = placedLines(FUNCTION_DOCKERFILE, records)
    expect(placement.problem).toBeUndefined()
    expect(lines).toEqual([2, 2, 2, 2, 2, ...FUNCTION_LINES])
  })

  it('heredocs: a lone one runs its body, a #! one runs as a script, others follow their line; COPY <<FILE', () => {
    const dockerfile = [
      'FROM alpine:3.20', // 1
      'RUN <<EOF', // 2
      'apk add --no-cache python3',
      'rm -rf /var/cache/apk',
      'EOF', // 5
      'RUN python3 <<PY', // 6
      'print("hi")',
      'PY', // 8
      "RUN <<'SH'", // 9
      '#!/bin/sh',
      'echo script',
      'SH', // 12
      'COPY <<-CONF /etc/app.conf', // 13
      '\tkey=value',
      '\tCONF', // 15
    ].join('\n')
    const records = history([
      [`/bin/sh -c #(nop) ADD file:${HASH} in / `, 'layer'],
      ['/bin/sh -c #(nop)  CMD ["/bin/sh"]'],
      ['RUN /bin/sh -c apk add --no-cache python3\nrm -rf /var/cache/apk\n # buildkit', 'layer'],
      ['RUN /bin/sh -c python3 <<PY\nprint("hi")\nPY # buildkit', 'layer'],
      ['RUN /dev/pipes/SH # buildkit', 'layer'],
      ['COPY <<CONF /etc/app.conf # buildkit', 'layer'],
    ])
    const {lines, placement} = placedLines(dockerfile, records)
    expect(placement.problem).toBeUndefined()
    expect(lines).toEqual([1, 1, 2, 6, 9, 13])
    expect(placement.entries.slice(2).map((p) => p!.instruction.endLine)).toEqual([5, 8, 12, 15])
  })

  it('a stage FROM an earlier stage: that stage\'s instructions come first, the root FROM holds the base', () => {
    const dockerfile = 'FROM python:3.12 AS base\nRUN pip install boto3\nFROM golang:1.22 AS tools\nRUN go build -o /out/tool ./...\nFROM base\nCOPY --from=tools /out/tool /usr/local/bin/tool\nCMD ["python3"]\n'
    const records = history([
      [`/bin/sh -c #(nop) ADD file:${HASH} in / `, 'layer'],
      ['/bin/sh -c #(nop)  CMD ["python3"]'],
      ['RUN /bin/sh -c pip install boto3 # buildkit', 'layer'],
      // BuildKit leaves --from out of the record; the form with it is accepted too.
      ['COPY --from=tools /out/tool /usr/local/bin/tool # buildkit', 'layer'],
      ['CMD ["python3"]'],
    ])
    const {lines, placement} = placedLines(dockerfile, records)
    expect(placement.problem).toBeUndefined()
    expect(lines).toEqual([1, 1, 2, 6, 7])
    expect(placement.entries.map((p) => p!.stage.name ?? String(p!.stage.index))).toEqual(['base', 'base', 'base', '2', '2'])
  })

  it('a SHELL, a relative WORKDIR, exec-form RUN with build args, COPY flags BuildKit records, ONBUILD without an entry', () => {
    const dockerfile = [
      'FROM debian:12',
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
      'WORKDIR /srv',
      'WORKDIR app',
      'ARG VERSION',
      'RUN curl -fsSL https://example.com/install.sh | bash',
      'RUN ["pip", "install", "x"]',
      'COPY --chown=app:app --chmod=755 --link run.sh /usr/local/bin/',
      'ONBUILD RUN echo child',
      'USER app',
    ].join('\n')
    const records = history([
      [`/bin/sh -c #(nop) ADD file:${HASH} in / `, 'layer'],
      ['SHELL [/bin/bash -o pipefail -c]'],
      ['WORKDIR /srv', 'layer'],
      ['WORKDIR /srv/app', 'layer'],
      ['ARG VERSION=1.2.3'],
      ['RUN |1 VERSION=1.2.3 /bin/bash -o pipefail -c curl -fsSL https://example.com/install.sh | bash # buildkit', 'layer'],
      ['RUN |1 VERSION=1.2.3 pip install x # buildkit', 'layer'],
      ['COPY --chown=app:app --chmod=755 run.sh /usr/local/bin/ # buildkit', 'layer'],
      ['USER app'],
    ])
    const {lines, placement} = placedLines(dockerfile, records)
    expect(placement.problem).toBeUndefined()
    expect(lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10])
  })

  it('a RUN matches only its own command: not one that ends with it, whatever comes before', () => {
    const dockerfile = 'FROM scratch\nRUN make\n'
    for (const recorded of ['RUN /bin/sh -c cd src && make # buildkit', '|1 A=x /bin/sh -c foo && make', 'RUN |1 A=x foo && make # buildkit']) {
      expect(placedLines(dockerfile, history([[recorded, 'layer']])).lines, recorded).toEqual([undefined])
    }
    for (const recorded of ['RUN /bin/sh -c make # buildkit', '/bin/sh -c make', '|2 A=x B=two words /bin/sh -c make', 'RUN make', 'RUN |1 A=x make # buildkit']) {
      expect(placedLines(dockerfile, history([[recorded, 'layer']])).lines, recorded).toEqual([2])
    }
  })

  it('a Dockerfile edited since the build: what matches after the change is placed, nothing before it', () => {
    const records = history([
      ...LAMBDA_BASE,
      ['ARG PIP_INDEX_URL=https://pypi.example.com/simple'],
      ['WORKDIR /var/task', 'layer'],
      ['COPY requirements.txt . # buildkit', 'layer'],
      ['RUN /bin/sh -c pip install -r requirements.txt # buildkit', 'layer'],
      ['COPY app/ ./ # buildkit', 'layer'],
      ['ENV LOG_LEVEL=info POWERTOOLS_SERVICE_NAME=orders'],
      ['CMD ["app.handler"]'],
    ])
    const {lines, placement} = placedLines(FUNCTION_DOCKERFILE, records)
    expect(lines).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 9, 10, 12])
    expect(placement.problem).toBe('line 6 (RUN) does not match history entry 8 (a RUN): 3 of 7 instructions placed')
  })

  it('FROM scratch: aligned from the first entry too, so a line added at the end leaves the rest placed', () => {
    const dockerfile = 'FROM scratch\nCOPY extensions/ /opt/extensions/\nCOPY wrapper /opt/\nLABEL version=2\n'
    const records = history([['COPY extensions/ /opt/extensions/ # buildkit', 'layer'], ['COPY wrapper /opt/ # buildkit', 'layer']])
    const {lines, placement} = placedLines(dockerfile, records)
    expect(lines).toEqual([2, 3])
    expect(placement.problem).toBe('line 4 (LABEL) does not match history entry 1 (a COPY): 2 of 3 instructions placed')
    // More entries than a FROM scratch stage explains: they are not the base's (it has none).
    const extra = placedLines('FROM scratch\nCOPY wrapper /opt/\n', history([['COPY a /a # buildkit', 'layer'], ['COPY wrapper /opt/ # buildkit', 'layer']]))
    expect(extra.lines).toEqual([undefined, 2])
    expect(extra.placement.problem).toBe('1 history entries come before the first instruction of a stage FROM scratch')
  })

  it('places nothing when the history\'s layer entries do not add up to the layers, or there is no stage', () => {
    const records = history([['COPY a /a # buildkit', 'layer'], ['COPY b /b # buildkit', 'layer']])
    const {lines, placement} = placedLines('FROM scratch\nCOPY a /a\nCOPY b /b\n', records, 3)
    expect(lines).toEqual([undefined, undefined])
    expect(placement.problem).toMatch(/^the image history has 2 entries that made a layer for 3 layers/)
    expect(placedLines('# no stage\n', records).placement.problem).toBe('it has no FROM instruction')
  })
})

/** Dockerfile.test-image of wagoodman/dive (MANIFEST.md §1.1), which built both dive images. */
const DIVE_DOCKERFILE = `FROM busybox:latest
ADD README.md /somefile.txt
RUN mkdir -p /root/example/really/nested
RUN cp /somefile.txt /root/example/somefile1.txt
RUN chmod 444 /root/example/somefile1.txt
RUN cp /somefile.txt /root/example/somefile2.txt
RUN cp /somefile.txt /root/example/somefile3.txt
RUN mv /root/example/somefile3.txt /root/saved.txt
RUN cp /root/saved.txt /root/.saved.txt
RUN rm -rf /root/example/
ADD .scripts/ /root/.data/
RUN cp /root/saved.txt /tmp/saved.again1.txt
RUN cp /root/saved.txt /root/.data/saved.again2.txt
RUN chmod +x /root/saved.txt
`

async function imageHistory(path: string): Promise<{records: HistoryRecord[]; layers: number}> {
  const image = await openImage(path)
  try {
    return {records: image.config.history ?? [], layers: image.layers.length}
  } finally {
    await image.close()
  }
}

/** An image config's history, and its layer count from rootfs (the file itself, or a member of a tar). */
function configHistory(path: string, member?: string): {records: HistoryRecord[]; layers: number} {
  const text = member ? execFileSync('tar', ['-xOf', path, member], {encoding: 'utf8'}) : readFileSync(path, 'utf8')
  const config = JSON.parse(text) as {history: HistoryRecord[]; rootfs: {diff_ids: string[]}}
  return {records: config.history, layers: config.rootfs.diff_ids.length}
}

function expectAllPlaced(dockerfile: string, {records, layers}: {records: HistoryRecord[]; layers: number}) {
  const placement = placeHistory(parseDockerfile(dockerfile), records, layers)
  expect(placement.problem).toBeUndefined()
  return placement.entries.map((p) => p!.instruction.line)
}

describeUnless(REALDATA_MISSING, 'placeHistory on real builders\' histories (the real-world corpus)', () => {
  it('dive: the same Dockerfile built by docker build (classic) and by kaniko', async () => {
    const expected = [1, 1, ...Array.from({length: 13}, (_, i) => i + 2)]
    expect(expectAllPlaced(DIVE_DOCKERFILE, await imageHistory(realdata('dive/test-docker-image.tar')))).toEqual(expected)
    expect(expectAllPlaced(DIVE_DOCKERFILE, await imageHistory(realdata('dive/test-kaniko-image.tar')))).toEqual(expected)
  })

  it('BuildKit on a classic base (snyk node-removed), FROM scratch (dive\'s BuildKit OCI images)', async () => {
    const nodeRemoved = await imageHistory(realdata('snyk/docker-archives/skopeo-copy/node-removed.tar'))
    expect(expectAllPlaced('FROM busybox\nCOPY node /\nRUN rm /node\n', nodeRemoved)).toEqual([1, 1, 2, 3])
    const minimal = await imageHistory(realdata('dive/test-oci-gzip-image.tar'))
    expect(expectAllPlaced('FROM scratch\nCOPY README.md /README.md\n', minimal)).toEqual([2])
  })

  it('BuildKit ARG with its value and a variable in a COPY destination (stereoscope multi-platform)', () => {
    const config = configHistory(realdata('stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir/blobs/sha256/549248a7ac95478805d9248e4ffdc778fc2404257d8c071848746e0100e08099'))
    expect(expectAllPlaced('FROM scratch\nARG TARGETPLATFORM\nCOPY README.md /$TARGETPLATFORM/README.md\n', config)).toEqual([2, 3])
  })

  it('BuildKit LABEL, ARG and VOLUME on a base image of its own (regclient testrepo)', () => {
    const config = configHistory(realdata('regclient/testdata/testrepo/blobs/sha256/265cf623914b139bb063c377e702759275910c1013005615cb400323d00608c1'))
    const dockerfile = 'FROM regclient/testrepo:b1\nCOPY layer1.txt /layer1\nARG arg=value\nCOPY layer2.txt /layer2\nARG arg_label=value\nLABEL arg_label=arg_for_$arg_label\nLABEL version=2\nVOLUME /volume\n'
    expect(expectAllPlaced(dockerfile, config)).toEqual([1, 1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('the classic builder FROM scratch, COPY by content hash into relative destinations (ggcr whiteout_dir)', async () => {
    const image = await imageHistory(realdata('ggcr/pkg/v1/mutate/testdata/whiteout_dir.tar'))
    expect(expectAllPlaced('FROM scratch\nCOPY a a\nCOPY b b\nCOPY .wh.a .wh.a\nCOPY c a\n', image)).toEqual([2, 3, 4, 5])
    // Only the destination can be compared: a wrong one does not match.
    expect(placeHistory(parseDockerfile('FROM scratch\nCOPY a a\nCOPY b b\nCOPY .wh.a .wh.a\nCOPY c z\n'), image.records, image.layers).problem).toMatch(/^line 5 \(COPY\)/)
  })

  it('the classic builder with tab-indented continuations, on a base of 13 entries (snyk dockergoof)', () => {
    // The archive is trimmed (4 of 9 layers: MANIFEST.md §3.1); its config is whole.
    const config = configHistory(realdata('snyk/docker-archives/docker-save/dockergoof.tar'), '1c13388e727de4695a7507d4695d21be94009d9bcacf54c9cc0e370c86f6d8ef.json')
    expect(expectAllPlaced('FROM node:10.4.0\n\nRUN apt-get install -y imagemagick\n', config)).toEqual([...Array(13).fill(1), 3])
  })

  it('the classic builder: ARG, COPY --from, MAINTAINER, multi-line LABEL and ENV, |4 RUN, WORKDIR, HEALTHCHECK, USER (anchore-engine 0.8.1)', () => {
    const config = configHistory(realdata('stereoscope/pkg/image/docker/testdata/engine-config.json'))
    const recorded = (i: number) => config.records[i]!.created_by!
    // The long RUNs and ENV written back as multi-line Dockerfile text, as their record shows they were.
    const run = (i: number) => `RUN ${recorded(i).replace(/^\|4 \S+ \S+ \S+ \S+ \/bin\/sh -c /, '').split('&&     ').join('&& \\\n    ')}`
    const env = `ENV ${recorded(10).replace('/bin/sh -c #(nop)  ENV ', '').split(/ (?=[A-Z_]+=)/).join(' \\\n    ')}`
    const dockerfile = [
      'FROM registry.access.redhat.com/ubi8/ubi:8.2 as anchore-engine-builder',
      'RUN make wheels',
      'FROM registry.access.redhat.com/ubi8/ubi:8.2',
      'ARG CLI_COMMIT',
      'ARG ANCHORE_COMMIT',
      'ARG ANCHORE_ENGINE_VERSION="0.8.1"',
      'ARG ANCHORE_ENGINE_RELEASE="r0"',
      '',
      '# Copy skopeo artifacts from build step',
      'COPY --from=anchore-engine-builder /build_output /build_output',
      'MAINTAINER dev@anchore.com',
      'LABEL anchore_cli_commit="${CLI_COMMIT}" \\',
      '      anchore_commit="${ANCHORE_COMMIT}" \\',
      '      name="anchore-engine" \\',
      '      maintainer="dev@anchore.com" \\',
      '      vendor="Anchore Inc." \\',
      '      version="${ANCHORE_ENGINE_VERSION}" \\',
      '      release="${ANCHORE_ENGINE_RELEASE}" \\',
      '      summary="Anchore Engine" \\',
      '      description="Anchore is an open platform"',
      'ENV LANG=en_US.UTF-8 LC_ALL=C.UTF-8',
      env,
      'EXPOSE ${ANCHORE_SERVICE_PORT}',
      run(12),
      'WORKDIR /anchore-engine',
      run(14),
      run(15),
      'HEALTHCHECK --start-period=20s CMD curl -f http://localhost:8228/health || exit 1',
      'USER anchore:anchore',
      'ENTRYPOINT ["/docker-entrypoint.sh"]',
      'CMD ["anchore-manager", "service", "start", "--all"]',
    ].join('\n')
    const lines = expectAllPlaced(dockerfile, config)
    const source = dockerfile.split('\n')
    expect(lines.slice(0, 2)).toEqual([3, 3])
    expect(lines.slice(2).map((line) => source[line - 1]!.split(' ')[0])).toEqual([
      'ARG', 'ARG', 'ARG', 'ARG', 'COPY', 'MAINTAINER', 'LABEL', 'ENV', 'ENV', 'EXPOSE', 'RUN', 'WORKDIR', 'RUN', 'RUN', 'HEALTHCHECK', 'USER', 'ENTRYPOINT', 'CMD',
    ])
  })
})

/** Each fixture image and the Dockerfile it was built from (fixtures/dockerfiles, docs/fixtures.md). */
const FIXTURE_BUILDS: [image: string, dockerfile: string][] = [
  ['function-image-good.docker.tar', 'function-image-good.Dockerfile'],
  ['function-image-good.oci.tar', 'function-image-good.Dockerfile'],
  ['function-image-broken.docker.tar', 'function-image-broken.Dockerfile'],
  ['layer-image.docker.tar', 'layer-image.Dockerfile'],
  ['secrets-single-stage.docker.tar', 'secrets-single-stage.Dockerfile'],
  ['secrets-multi-stage.docker.tar', 'secrets-multi-stage.Dockerfile'],
  ['secrets-doc-example.docker.tar', 'secrets-doc-example.Dockerfile'],
  ['secrets-false-positives.docker.tar', 'secrets-false-positives.Dockerfile'],
]

describe('the fixture images and their Dockerfiles', () => {
  it.each(FIXTURE_BUILDS)('%s: every history entry on a line of %s', async (image, file) => {
    const text = readFileSync(join(FIXTURES, 'dockerfiles', file), 'utf8')
    const {records, layers} = await imageHistory(join(FIXTURES, 'images', image))
    const lines = expectAllPlaced(text, {records, layers})
    const source = text.split('\n')
    // Each entry's instruction is the one its record names (the base's entries on the last FROM).
    records.forEach((record, i) => {
      const keyword = source[lines[i]! - 1]!.split(' ')[0]!.toUpperCase()
      if (keyword !== 'FROM') expect(keyword, `${image} entry ${i}: ${record.created_by}`).toBe(readHistoryStep(record.created_by ?? '').keyword)
    })
  })

  it('covers BuildKit and the classic builder, and a base image\'s entries on FROM', async () => {
    const good = await imageHistory(join(FIXTURES, 'images', 'function-image-good.docker.tar'))
    const text = readFileSync(join(FIXTURES, 'dockerfiles', 'function-image-good.Dockerfile'), 'utf8')
    const lineOf = (start: string) => text.split('\n').findIndex((line) => line.startsWith(start)) + 1
    expect(expectAllPlaced(text, good)).toEqual([
      ...Array(5).fill(lineOf('FROM example.com/lambda-python-base')),
      lineOf('RUN rm -f'),
      lineOf('COPY --from=layer'),
      lineOf('ENV AWS_LAMBDA_EXEC_WRAPPER'),
      lineOf('COPY src/'),
      lineOf('CMD'),
    ])
    const single = await imageHistory(join(FIXTURES, 'images', 'secrets-single-stage.docker.tar'))
    expect(single.records.slice(1).every((r) => r.created_by!.startsWith('/bin/sh -c') || r.created_by!.startsWith('|2 '))).toBe(true)
    expect(good.records.slice(5).every((r) => r.comment === 'buildkit.dockerfile.v0')).toBe(true)
  })
})

describe('a hostile history', () => {
  it('a created_by made to backtrack (long runs of blanks, a shell prefix of many words) is read in linear time or not at all', () => {
    const dockerfile = parseDockerfile('FROM scratch\nRUN make\n')
    const hostile = [
      `${' '.repeat(200_000)}x`, // /\s+# buildkit$/ retried at every blank
      `sh ${'a '.repeat(7_000)}make`, // under the cap: the shell-prefix pattern on a 14 KB prefix
      `sh ${'a '.repeat(100_000)}-c make`, // over the cap: never matched
    ]
    const started = Date.now()
    for (const created_by of hostile) {
      const placement = placeHistory(dockerfile, [{created_by}], 1)
      expect(placement.entries.filter(Boolean)).toHaveLength(0)
    }
    expect(Date.now() - started).toBeLessThan(2000)
    expect(readHistoryStep(`RUN ${'x'.repeat(20_000)}`)).toEqual({keyword: 'UNREAD', rest: ''})
    expect(readHistoryStep('RUN make   # buildkit')).toEqual({keyword: 'RUN', rest: 'make'})
  })
})
