/** Every compare rule module, in report order: the zip side first, then extensions, environment, image. */
import {rule as agentPathMissing} from './agent-path-missing.js'
import {rule as architectureMismatch} from './architecture-mismatch.js'
import {rule as contentMismatch} from './content-mismatch.js'
import {rule as entrypointInvalid} from './entrypoint-invalid.js'
import {rule as extensionArchMismatch} from './extension-arch-mismatch.js'
import {rule as extensionCrlfShebang} from './extension-crlf-shebang.js'
import {rule as extensionInterpreterMissing} from './extension-interpreter-missing.js'
import {rule as extensionNotExecutable} from './extension-not-executable.js'
import {rule as extensionUnknownFormat} from './extension-unknown-format.js'
import {rule as extraFile} from './extra-file.js'
import {rule as handlerDiffers} from './handler-differs.js'
import {rule as handlerMissing} from './handler-missing.js'
import {rule as imageTooLarge} from './image-too-large.js'
import {rule as missingFile} from './missing-file.js'
import {rule as modeMismatch} from './mode-mismatch.js'
import {needsZipSide, type CompareRule} from './rule.js'
import {rule as symlinkTargetMismatch} from './symlink-target-mismatch.js'
import {rule as tooManyExtensions} from './too-many-extensions.js'
import {rule as typeMismatch} from './type-mismatch.js'
import {rule as unsupportedManifest} from './unsupported-manifest.js'
import {rule as wrapperMissing} from './wrapper-missing.js'
import {rule as wrapperNotExecutable} from './wrapper-not-executable.js'
import {rule as zipLimits} from './zip-limits.js'

export const compareRules: readonly CompareRule[] = [
  missingFile,
  contentMismatch,
  typeMismatch,
  symlinkTargetMismatch,
  modeMismatch,
  extraFile,
  extensionNotExecutable,
  extensionInterpreterMissing,
  extensionCrlfShebang,
  extensionArchMismatch,
  extensionUnknownFormat,
  tooManyExtensions,
  wrapperMissing,
  wrapperNotExecutable,
  agentPathMissing,
  handlerMissing,
  handlerDiffers,
  entrypointInvalid,
  imageTooLarge,
  unsupportedManifest,
  architectureMismatch,
  zipLimits,
]

/** The compare rules that need no zip side: what `lint` runs (with the scan rules) on an image alone. */
export const imageOnlyRules: readonly CompareRule[] = compareRules.filter((rule) => !needsZipSide(rule))
