#!/usr/bin/env node
import {execute} from '@oclif/core'

// The AWS SDK warns on stderr that its 2027 releases will need Node 22; that is not the user's problem
// here and would break the one-line error contract.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

await execute({dir: import.meta.url})
