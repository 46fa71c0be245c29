/**
 * A loopback stand-in for the ECR API (JSON 1.1 over POST, X-Amz-Target
 * AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken) for the real @aws-sdk/client-ecr.
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'

export interface EcrStubCall {
  target?: string
  /** The access key id the SDK signed with (from the Authorization header's Credential=…). */
  accessKeyId?: string
  region?: string
}

export interface EcrStub {
  endpoint: string
  calls: EcrStubCall[]
  /** What the next calls answer: a token for "AWS:<password>", or an AWS error type. */
  answer: {password: string} | {error: string; status?: number}
  stop(): Promise<void>
}

export async function startEcrStub(password: string): Promise<EcrStub> {
  const stub = {calls: [] as EcrStubCall[], answer: {password} as EcrStub['answer']}
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const credential = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '')
      stub.calls.push({target: req.headers['x-amz-target'] as string | undefined, accessKeyId: credential?.[1], region: credential?.[2]})
      if (req.headers['x-amz-target'] !== 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken') {
        res.writeHead(400, {'Content-Type': 'application/x-amz-json-1.1'}).end(JSON.stringify({__type: 'UnknownOperationException'}))
        return
      }
      const answer = stub.answer
      if ('error' in answer) {
        res
          .writeHead(answer.status ?? 400, {'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': answer.error})
          .end(JSON.stringify({__type: answer.error, message: 'User: arn:aws:iam::123456789012:user/ci is not authorized'}))
        return
      }
      const token = Buffer.from(`AWS:${answer.password}`).toString('base64')
      res.writeHead(200, {'Content-Type': 'application/x-amz-json-1.1'}).end(
        JSON.stringify({
          authorizationData: [{authorizationToken: token, expiresAt: Math.floor(Date.now() / 1000) + 43_200, proxyEndpoint: 'https://unused'}],
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return Object.assign(stub, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}
