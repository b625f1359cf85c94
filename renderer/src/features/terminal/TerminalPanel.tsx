/** Serial, TCU and QEMU terminals open here (the run-and-observe feature); nothing is connected yet. */
export function TerminalPanel() {
  return <div className="panel-empty">No terminal is open. Serial ports and QEMU consoles appear here as tabs.</div>;
}
