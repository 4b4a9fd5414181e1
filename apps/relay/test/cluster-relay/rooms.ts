/** A p2p room as POST /rooms returns it. */
export interface Room {
  roomId: string;
  joinToken: string;
}

/** POST /rooms on `baseUrl` (a pod or an ingress) with the API key. */
export async function createP2pRoom(
  baseUrl: string,
  apiKey: string,
  maxParticipants: number,
): Promise<Room> {
  const res = await fetch(`${baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ mode: 'p2p', maxParticipants }),
  });
  if (res.status !== 201) throw new Error(`POST /rooms ${res.status}`);
  return (await res.json()) as Room;
}
