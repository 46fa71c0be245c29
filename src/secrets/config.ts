/**
 * The name/value pairs an image carries outside its layers: the config's Env and Labels and the OCI
 * annotations of the manifest, of the indexes that led to it and of its layers. All of them ship with
 * the image and are readable by anyone who can pull it.
 */
import type {Image} from '../image/model.js'

export interface ConfigItem {
  kind: 'env' | 'label' | 'annotation'
  name: string
  value: string
  /** Human-readable place: "config Env", "config Labels", "manifest annotations", "index annotations", "layer 2 annotations". */
  where: string
  layer?: number
}

export function configItems(image: Image): ConfigItem[] {
  const items: ConfigItem[] = []
  for (const entry of image.config.config?.Env ?? []) {
    const eq = entry.indexOf('=')
    items.push({kind: 'env', name: eq === -1 ? entry : entry.slice(0, eq), value: eq === -1 ? '' : entry.slice(eq + 1), where: 'config Env'})
  }
  for (const [name, value] of Object.entries(image.config.config?.Labels ?? {})) {
    items.push({kind: 'label', name, value: String(value), where: 'config Labels'})
  }
  const annotate = (annotations: Record<string, string> | undefined, where: string, layer?: number) => {
    for (const [name, value] of Object.entries(annotations ?? {})) items.push({kind: 'annotation', name, value: String(value), where, layer})
  }
  annotate(image.manifest.annotations, 'manifest annotations')
  for (const index of image.indexes) {
    for (const descriptor of index.manifests) {
      if (descriptor.digest === image.manifest.digest) annotate(descriptor.annotations, 'index descriptor annotations')
    }
  }
  for (const layer of image.layers) annotate(layer.annotations, `layer ${layer.index} annotations`, layer.index)
  return items
}

/** The value of each Env name in the final config, to tell whether a value set in history survives. */
export function finalEnv(image: Image): Map<string, string> {
  const env = new Map<string, string>()
  for (const entry of image.config.config?.Env ?? []) {
    const eq = entry.indexOf('=')
    env.set(eq === -1 ? entry : entry.slice(0, eq), eq === -1 ? '' : entry.slice(eq + 1))
  }
  return env
}
