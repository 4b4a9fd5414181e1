/**
 * The demo page's script (dist/demo.js, kept out of the HTML so a strict CSP can forbid inline
 * script): reads the options from the URL fragment and calls AnochatWidget.init. An invite link
 * (#roomId=…&joinToken=…) opens the same page as a p2p guest.
 */
import type * as Api from './main';

declare const AnochatWidget: typeof Api;

let handle: Api.WidgetHandle | undefined;

function start(): void {
  handle?.destroy();
  handle = undefined;
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const errorBox = document.getElementById('init-error')!;
  errorBox.hidden = true;
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
