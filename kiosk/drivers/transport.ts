/**
 * The transport interfaces every device driver receives in its options. Drivers never import
 * `serialport` or `node-hid`: the real transports in `kiosk/drivers/transports/` wrap those libraries,
 * and the simulators in `hardware-sim/` provide in-process ones that behave like the device.
 */

/** A byte stream to a device on a serial line (real port, pty, or in-process simulator). */
export interface SerialTransport {
  /** Opens the line. Rejects with a coded error (`DEVICE_NOT_FOUND`, `DEVICE_OPEN_FAILED`). */
  open(): Promise<void>;
  /** Writes bytes; resolves once they are handed to the OS (drained). */
  write(data: Uint8Array): Promise<void>;
  /** Discards bytes received but not yet delivered (libnfc flushes before each command). */
  flushInput?(): Promise<void>;
  close(): Promise<void>;
  readonly isOpen: boolean;
  /** Bytes as they arrive, in arbitrary chunks. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** The line went away (cable pulled, port removed) or closed. `error` is set when it was not asked for. */
  onClose(listener: (error?: Error) => void): () => void;
}

/** A USB HID device, as `node-hid` exposes one: input reports in, output reports out. */
export interface HidTransport {
  open(): Promise<void>;
  /** Sends an output report (for a boot keyboard, the 1-byte LED report; report id prepended by the caller if any). */
  write(report: Uint8Array): Promise<void>;
  close(): Promise<void>;
  readonly isOpen: boolean;
  onReport(listener: (report: Uint8Array) => void): () => void;
  onClose(listener: (error?: Error) => void): () => void;
}

/** Opens a transport again after it went away; used by drivers that reconnect with backoff. */
export type SerialTransportFactory = () => SerialTransport;
export type HidTransportFactory = () => HidTransport;
