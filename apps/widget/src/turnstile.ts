/**
 * Cloudflare Turnstile in the widget, for relays with TURNSTILE=1 (GET /public-config says so and
 * publishes the site key). Cloudflare's script is loaded only then, once per page, in explicit
 * render mode; the challenge renders into an element of the host page (slotted into the widget's
 * shadow root: Turnstile's iframe is not meant to live inside a shadow tree) and the token it
 * yields goes with POST /rooms, where the relay verifies it server-side.
 * https://developers.cloudflare.com/turnstile/get-started/client-side-rendering/
 *
 * Sites with a Content-Security-Policy must allow https://challenges.cloudflare.com in script-src
 * and frame-src.
 */
export const TURNSTILE_SCRIPT =
  'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';

interface RenderParameters {
  readonly sitekey: string;
  readonly theme?: 'auto' | 'light' | 'dark';
  readonly callback?: (token: string) => void;
  readonly 'error-callback'?: (code: string) => boolean | void;
  readonly 'expired-callback'?: () => void;
}

export interface TurnstileApi {
  render(container: HTMLElement, params: RenderParameters): string | null | undefined;
  remove(widgetId: string): void;
}

declare global {
  interface Window {
    turnstile?: TurnstileApi;
  }
}

let loading: Promise<TurnstileApi> | undefined;

/** Cloudflare's script, added to the page on first use; a failed load can be tried again. */
export function loadTurnstile(): Promise<TurnstileApi> {
  if (window.turnstile) return Promise.resolve(window.turnstile);
  loading ??= new Promise<TurnstileApi>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = TURNSTILE_SCRIPT;
    script.async = true;
    script.onload = () =>
      window.turnstile ? resolve(window.turnstile) : reject(new Error('no turnstile global'));
    script.onerror = () => reject(new Error('Turnstile script could not be loaded'));
    document.head.append(script);
  }).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Shows the challenge in `host` and resolves with its token (removing the challenge again). */
export async function solveChallenge(host: HTMLElement, siteKey: string): Promise<string> {
  const api = await loadTurnstile();
  return new Promise<string>((resolve, reject) => {
    // The callbacks may in principle run before render() returns its id.
    const widget: { id?: string | null } = {};
    const done = (): void => {
      if (typeof widget.id === 'string') api.remove(widget.id);
      host.replaceChildren();
    };
    widget.id = api.render(host, {
      sitekey: siteKey,
      theme: 'auto',
      callback: (token) => {
        done();
        resolve(token);
      },
      'error-callback': (code) => {
        done();
        reject(new Error(`Turnstile error ${code}`));
        return true; // handled: no exception from Cloudflare's script
      },
    });
    if (widget.id === undefined || widget.id === null)
      reject(new Error('Turnstile did not render'));
  });
}
