import {describe, expect, it} from 'vitest'

import {parseChallenge} from '../../src/image/sources/registry/challenge.js'
import {apiHost, formatReference, isRegistryReference, parseReference} from '../../src/image/sources/registry/reference.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('image references', () => {
  it.each([
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', undefined],
    ['alpine', 'docker.io', 'library/alpine', 'latest', undefined],
    ['docker://alpine', 'docker.io', 'library/alpine', 'latest', undefined],
    ['docker.io/bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
    ['index.docker.io/library/busybox:1', 'docker.io', 'library/busybox', '1', undefined],
    ['ghcr.io/org/team/tool:v1.2', 'ghcr.io', 'org/team/tool', 'v1.2', undefined],
    ['public.ecr.aws/lambda/python:3.12', 'public.ecr.aws', 'lambda/python', '3.12', undefined],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/fn/app:prod', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'fn/app', 'prod', undefined],
    [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/fn/app@${DIGEST}`, '123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'fn/app', undefined, DIGEST],
    [`127.0.0.1:5000/x/y:t@${DIGEST}`, '127.0.0.1:5000', 'x/y', 't', DIGEST],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined],
    ['Registry.Example.com:443/a/b', 'registry.example.com:443', 'a/b', 'latest', undefined],
  ])('%s', (input, registry, repository, tag, digest) => {
    const ref = parseReference(input)
    expect(ref).toEqual({registry, repository, tag, digest, input})
  })

  it('talks to registry-1.docker.io for Docker Hub and formats canonically', () => {
    expect(apiHost(parseReference('alpine'))).toBe('registry-1.docker.io')
    expect(apiHost(parseReference('ghcr.io/a/b'))).toBe('ghcr.io')
    expect(formatReference(parseReference('alpine:3.20'))).toBe('docker.io/library/alpine:3.20')
  })

  it.each(['', 'UPPER/case', 'a//b', `x@sha256:${'z'.repeat(64)}`, 'x:tag with space', 'x:-bad', 'x@sha256:abc'])('rejects %j', (input) => {
    expect(() => parseReference(input)).toThrow(/not an image reference/)
  })

  it('tells references from paths', () => {
    for (const yes of ['alpine:3.20', 'docker://image.tar', 'ghcr.io/a/b:1', '127.0.0.1:5000/x', 'alpine']) expect(isRegistryReference(yes), yes).toBe(true)
    for (const no of ['./image', '/abs/path', '../x', '~/img', 'image.tar', 'img.tar.gz', 'layer.zip', 'oci:dir', 'docker-archive:x.tar', 'C:\\images\\a']) {
      expect(isRegistryReference(no), no).toBe(false)
    }
  })
})

describe('WWW-Authenticate challenges', () => {
  it('reads bearer and basic challenges, quoted or bare, and prefers bearer', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/alpine:pull',
    })
    expect(parseChallenge('Basic realm="https://123.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"')).toEqual({
      scheme: 'basic',
      realm: 'https://123.dkr.ecr.us-east-1.amazonaws.com/',
      service: 'ecr.amazonaws.com',
    })
    expect(parseChallenge('Basic realm="r", Bearer realm=https://a/t, service="s\\"q"')).toEqual({scheme: 'bearer', realm: 'https://a/t', service: 's"q'})
    expect(parseChallenge(undefined)).toBeUndefined()
    expect(parseChallenge('Negotiate abc')).toBeUndefined()
  })
})
