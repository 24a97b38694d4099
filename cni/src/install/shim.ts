// The `istio-cni` executable in the CNI bin dir: a shell script exec'ing this project's Node on the plugin.

/** Quotes for /bin/sh single quotes. */
function sq(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** The shim text: absolute paths computed at install time. */
export function shimScript(nodePath: string, pluginMain: string): string {
  return `#!/bin/sh\n# istio-cni plugin shim, written by the node agent's installer.\nexec ${sq(nodePath)} --no-warnings ${sq(pluginMain)} "$@"\n`;
}
