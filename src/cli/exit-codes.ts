/** The exit code table, shown in --help and docs/reports.md. */
/** 0 and 1 come from the gate (src/audit/gate.ts exitCodeFor); 2 from the command's error handler. */
export const EXIT_INPUT_ERROR = 2

export const EXIT_CODES_HELP = `EXIT CODES
  0  pass: no finding at or above --fail-on
  1  findings at or above --fail-on (the report is still complete)
  2  usage or input error (one line on stderr, nothing on stdout)`

/** inspect and tree show what is there: no gate, so no 1. */
export const VIEW_EXIT_CODES_HELP = `EXIT CODES
  0  shown
  2  usage or input error (one line on stderr, nothing on stdout)`
