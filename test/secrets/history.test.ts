/** created_by as the classic builder and BuildKit write it (strings shaped like the realdata corpus's). */
import {describe, expect, it} from 'vitest'
import {historyLayers, parseCreatedBy} from '../../src/secrets/history.js'

describe('parseCreatedBy', () => {
  it('reads classic #(nop) ENV, ARG and LABEL', () => {
    expect(parseCreatedBy('/bin/sh -c #(nop)  ENV NGINX_VERSION=1.17.3')).toMatchObject({instruction: 'ENV', assignments: [{name: 'NGINX_VERSION', value: '1.17.3'}]})
    expect(parseCreatedBy('/bin/sh -c #(nop)  ENV A=b C=d e')).toMatchObject({assignments: [{name: 'A', value: 'b'}, {name: 'C', value: 'd e'}]})
    expect(parseCreatedBy('/bin/sh -c #(nop)  ENV LEGACY value with spaces').assignments).toEqual([{name: 'LEGACY', value: 'value with spaces'}])
    expect(parseCreatedBy('/bin/sh -c #(nop)  ARG AWS_SECRET_ACCESS_KEY')).toMatchObject({instruction: 'ARG', assignments: [{name: 'AWS_SECRET_ACCESS_KEY'}]})
    expect(parseCreatedBy('/bin/sh -c #(nop)  LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>').assignments).toEqual([
      {name: 'maintainer', value: 'NGINX Docker Maintainers <docker-maint@nginx.com>'},
    ])
  })

  it('reads the classic |N build-arg prefix of a RUN', () => {
    const parsed = parseCreatedBy(
      '|4 ANCHORE_COMMIT=a395d942e5a3abb174e8e2cc593664ab9117037a ANCHORE_ENGINE_RELEASE=r0 ANCHORE_ENGINE_VERSION=0.8.1 CLI_COMMIT=v0.8.1-rc2 /bin/sh -c set -ex &&     yum update -y',
    )
    expect(parsed.instruction).toBe('RUN')
    expect(parsed.buildArgs.map((a) => a.name)).toEqual(['ANCHORE_COMMIT', 'ANCHORE_ENGINE_RELEASE', 'ANCHORE_ENGINE_VERSION', 'CLI_COMMIT'])
    expect(parsed.buildArgs[3].value).toBe('v0.8.1-rc2')
    expect(parsed.command).toBe('/bin/sh -c set -ex &&     yum update -y')
  })

  it('reads BuildKit RUN with build args, a custom SHELL and exec form', () => {
    expect(parseCreatedBy('RUN |2 AWS_ACCESS_KEY_ID=AKIA3RXLOOTHEM5S6DSZ AWS_SECRET_ACCESS_KEY=x/y+z /bin/sh -c aws lambda get-layer-version-by-arn # buildkit')).toEqual({
      instruction: 'RUN',
      buildKit: true,
      buildArgs: [
        {name: 'AWS_ACCESS_KEY_ID', value: 'AKIA3RXLOOTHEM5S6DSZ'},
        {name: 'AWS_SECRET_ACCESS_KEY', value: 'x/y+z'},
      ],
      assignments: [],
      command: '/bin/sh -c aws lambda get-layer-version-by-arn',
    })
    // Values are not quoted by either builder: a space continues the value up to the shell.
    expect(parseCreatedBy('RUN |1 PASSPHRASE=two words /bin/bash -o pipefail -c make # buildkit').buildArgs).toEqual([{name: 'PASSPHRASE', value: 'two words'}])
    expect(parseCreatedBy('RUN |1 TOKEN=abc echo hi # buildkit')).toMatchObject({buildArgs: [{name: 'TOKEN', value: 'abc'}], command: 'echo hi'})
    expect(parseCreatedBy('RUN /bin/sh -c rm /node # buildkit')).toMatchObject({buildArgs: [], command: '/bin/sh -c rm /node'})
  })

  it('reads BuildKit ARG, ENV, LABEL and leaves COPY alone', () => {
    expect(parseCreatedBy('ARG arg=value').assignments).toEqual([{name: 'arg', value: 'value'}])
    expect(parseCreatedBy('ARG arg_label').assignments).toEqual([{name: 'arg_label'}])
    expect(parseCreatedBy('ENV A=b C=d').assignments).toEqual([{name: 'A', value: 'b'}, {name: 'C', value: 'd'}])
    expect(parseCreatedBy('LABEL base=a').assignments).toEqual([{name: 'base', value: 'a'}])
    expect(parseCreatedBy('COPY layer1.txt /layer1 # buildkit')).toMatchObject({instruction: 'COPY', buildKit: true, buildArgs: [], assignments: []})
  })

  it('treats a plain classic command as a RUN', () => {
    expect(parseCreatedBy('/bin/sh -c apt-get update')).toMatchObject({instruction: 'RUN', command: '/bin/sh -c apt-get update'})
  })

  it('aligns history entries with layers, skipping empty ones', () => {
    expect(historyLayers([{}, {empty_layer: true}, {}, {empty_layer: true}, {}])).toEqual([0, undefined, 1, undefined, 2])
  })
})
