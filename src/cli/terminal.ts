/** What the CLI knows about the terminal it writes to, for the library, which never reads process.stdout. */

/**
 * Columns to fit the table to: the terminal's, when the stream is one. A pipe or a file gets no width
 * (undefined): lines are not wrapped, so a CI log or `grep` sees each finding and the verdict on one line.
 */
export function terminalWidth(stream: NodeJS.WriteStream): number | undefined {
  return stream.isTTY && stream.columns > 0 ? stream.columns : undefined
}
