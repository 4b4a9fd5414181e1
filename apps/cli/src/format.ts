/** How chat events look in a terminal. Pure, so it is tested without a terminal. */
export const format = {
  message: (from: string, text: string) => `[${from}] ${text}`,
  own: (text: string) => `[you] ${text}`,
  joined: (id: string) => `* ${id} joined`,
  left: (id: string) => `* ${id} left`,
  typing: (id: string) => `* ${id} is typing…`,
  read: (id: string) => `* read by ${id}`,
  epoch: (epoch: number, members: readonly string[], fingerprint: string) =>
    `* new group key (epoch ${epoch}) for ${members.join(', ')}\n  fingerprint: ${fingerprint}`,
  peer: (id: string, safetyNumber: string) => `* ${id} verified; safety number:\n  ${safetyNumber}`,
  security: (from: string | undefined, name: string, code: string) =>
    `! refused a frame${from ? ` from ${from}` : ''}: ${name} (${code})`,
  fileOffer: (from: string, name: string, size: number, preview: boolean) =>
    `* ${from} is sending ${name} (${size} bytes${preview ? ', with preview' : ''})`,
  fileDone: (from: string, name: string, size: number, savedTo?: string) =>
    `* received ${name} from ${from} (${size} bytes)${savedTo ? ` → ${savedTo}` : ''}`,
  state: (state: string, retryInMs?: number) =>
    retryInMs === undefined ? `* ${state}` : `* ${state} (retry in ${retryInMs} ms)`,
};
