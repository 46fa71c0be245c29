#!/usr/bin/env node
// Runs the compiled commands without a manifest, so a stale oclif.manifest.json cannot hide a new command.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
