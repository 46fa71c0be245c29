// The test account on loopback, kept up for a person to try `fleet` by hand:
//   npx vite-node test/fleet/helpers/serve-world.ts      (prints the environment to export; Ctrl-C stops it)
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {awsTestEnvironment, startFleetWorld} from './fleet-world.js'

const world = await startFleetWorld()
const env = awsTestEnvironment(world, mkdtempSync(join(tmpdir(), 'fleet-cache-')))
for (const [key, value] of Object.entries(env)) process.stdout.write(`export ${key}=${JSON.stringify(value)}\n`)
process.stdout.write('# then: node bin/run.js fleet --region eu-west-1 --region us-east-1\n')
const stop = () => void world.stop().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
setInterval(() => {}, 1 << 30)
