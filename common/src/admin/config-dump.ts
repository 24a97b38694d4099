// The sections of `/config_dump`. Each subsystem adds a named provider (ztunnel's AdminHandler), and the
// dump calls them on demand, so it always shows current state rather than a copy taken at startup.

/** Produces one section's JSON-able value. */
export type ConfigDumpProvider = () => unknown;

/** The set of `/config_dump` sections, by name. */
export class ConfigDump {
  readonly #sections = new Map<string, ConfigDumpProvider>();

  /** Adds a section; a second add with the same name replaces it (e.g. after a reload). */
  add(name: string, provider: ConfigDumpProvider): void {
    this.#sections.set(name, provider);
  }

  /** Removes a section. */
  remove(name: string): void {
    this.#sections.delete(name);
  }

  /** The section names, in insertion order. */
  names(): string[] {
    return [...this.#sections.keys()];
  }

  /**
   * Builds the dump: `{ name: value, ... }`, only `names` when given. A provider that throws yields
   * `{ error: message }` for its section instead of failing the whole dump.
   */
  async dump(names?: readonly string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, provider] of this.#sections) {
      if (names && !names.includes(name)) continue;
      try {
        out[name] = await provider();
      } catch (err) {
        out[name] = { error: err instanceof Error ? err.message : String(err) };
      }
    }
    return out;
  }
}
