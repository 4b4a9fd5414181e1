/**
 * The demo page's script (dist/demo.js, kept out of the HTML so a strict CSP can forbid inline
 * script): reads the options from the URL fragment and calls AnochatWidget.init. An invite link
 * (#roomId=…&joinToken=…) opens the same page as a p2p guest.
 */
import type * as Api from './main';

declare const AnochatWidget: typeof Api;

let handle: Api.WidgetHandle | undefined;

const $ = (id: string): HTMLElement => document.getElementById(id)!;

/**
 * With ANOCHAT_API_KEY set the relay refuses POST /rooms from a page (as it must): say so to the
 * developer trying the demo, show how to create a room, and accept the answer pasted back.
 */
function showSetupHelp(mode: string): void {
  const origin = location.origin;
  $('setup-curl').textContent =
    `curl -X POST ${origin}/rooms \\\n  -H 'X-API-Key: <your ANOCHAT_API_KEY>' \\\n` +
    `  -H 'Content-Type: application/json' \\\n  -d '{"mode":"${mode}"}'`;
  const token = mode === 'support' ? 'visitorToken' : 'joinToken';
  $('setup-link').textContent =
    `${origin}${location.pathname}#${mode === 'support' ? 'mode=support&' : ''}` +
    `roomId=<roomId>&joinToken=<${token}>`;
  const answer = $('setup-answer') as HTMLTextAreaElement;
  const error = $('setup-answer-error');
  answer.oninput = () => {
    const text = answer.value.trim();
    error.hidden = true;
    if (text === '') return;
    let room: { roomId?: unknown; joinToken?: unknown; visitorToken?: unknown; mode?: unknown };
    try {
      room = JSON.parse(text) as typeof room;
    } catch {
      error.textContent = 'That is not the JSON POST /rooms answers.';
      error.hidden = false;
      return;
    }
    const secret = room.joinToken ?? room.visitorToken;
    if (typeof room.roomId !== 'string' || typeof secret !== 'string') {
      error.textContent = 'The answer needs a roomId and a joinToken (or visitorToken).';
      error.hidden = false;
      return;
    }
    const next = new URLSearchParams();
    if (room.mode === 'support') next.set('mode', 'support');
    next.set('roomId', room.roomId);
    next.set('joinToken', secret);
    location.hash = next.toString();
  };
  $('setup-help').hidden = false;
}

function start(): void {
  handle?.destroy();
  handle = undefined;
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const errorBox = $('init-error');
  errorBox.hidden = true;
  $('setup-help').hidden = true;
  const opt = (name: string): string | undefined => params.get(name) ?? undefined;
  const invite = AnochatWidget.readInvite(location.hash);
  const mode = opt('mode') ?? 'p2p';
  try {
    handle = AnochatWidget.init({
      apiBaseUrl: opt('apiBaseUrl') ?? location.origin,
      ...(opt('onionBaseUrl') ? { onionBaseUrl: opt('onionBaseUrl') } : {}),
      mode: mode as 'p2p',
      title: opt('title') ?? (mode === 'support' ? 'Support chat' : 'Encrypted chat'),
      container: '#chat-root',
      ...(opt('roomId') ? { roomId: opt('roomId') } : {}),
      ...(opt('joinToken') ? { joinToken: opt('joinToken') } : {}),
      ...(invite && mode === 'p2p' && opt('host') !== '1' ? { isP2PGuest: true } : {}),
    });
    handle.on('error', ({ code }) => {
      if (code === AnochatWidget.WidgetErrorCode.ROOMS_NEED_API_KEY) showSetupHelp(mode);
    });
    handle.on('room', ({ roomId, joinToken }) => {
      // Keep the room across a reload of the host's tab, as its host.
      const next = new URLSearchParams(params);
      next.set('roomId', roomId);
      if (joinToken) next.set('joinToken', joinToken);
      next.set('host', '1');
      history.replaceState(null, '', `#${next.toString()}`);
    });
  } catch (error) {
    errorBox.textContent = error instanceof Error ? error.message : String(error);
    errorBox.hidden = false;
  }
}

addEventListener('hashchange', start);
start();
