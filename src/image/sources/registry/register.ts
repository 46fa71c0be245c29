/** Side-effect module: plugs the registry source into openImage (import once at CLI start-up). */
import {setRemoteSource} from '../../open.js'
import {RegistrySource} from './registry-source.js'

setRemoteSource(new RegistrySource())
