import type { EchoPort } from './ports.ts';

/** One served port: its configuration, the port actually bound, and the drain hooks (a DrainParticipant). */
export interface PortServer {
  readonly port: EchoPort;
  readonly boundPort: number;
  /** Stop accepting and let open connections finish. */
  graceful(signal?: AbortSignal): Promise<void>;
  /** Close everything now. */
  force(): void;
}

/** What every port needs to answer. */
export interface PortInputs {
  readonly port: EchoPort;
  /** Listen address; undefined = every address. */
  readonly host: string | undefined;
  readonly serviceVersion: string;
  readonly hostname: string;
}
