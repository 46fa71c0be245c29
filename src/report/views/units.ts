/** Decimal units, as `docker images` and dive print sizes. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let i = 0
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000
    i++
  }
  return i === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[i]}`
}

/** ls -l style permission string with setuid/setgid/sticky. */
export function modeString(type: string, mode: number): string {
  const kind = {directory: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p'}[type] ?? '-'
  const rwx = (bits: number, special: boolean, specialChar: string) =>
    (bits & 4 ? 'r' : '-') +
    (bits & 2 ? 'w' : '-') +
    (special ? (bits & 1 ? specialChar : specialChar.toUpperCase()) : bits & 1 ? 'x' : '-')
  return (
    kind +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  )
}
