/**
 * What a room needs from a connected member. The gateway's Connection implements it; tests can
 * use a plain object. Frames are built once by the caller and handed to every member as is.
 */
export interface Member {
  readonly clientId: string;
  /** Queue a frame for this member; a slow member disconnects itself instead of stalling. */
  deliver(frame: Buffer): void;
  /** Relay-initiated close with a documented code; idempotent. */
  end(code: number, reason: string): void;
  /**
   * Set while this member is a code-room guest proving the code: it may then only SEND_TO this
   * member (its verifier); anything else is answered with ERROR `not_admitted`.
   */
  onlyTo?: string | undefined;
}
