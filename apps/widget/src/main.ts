/**
 * The `AnochatWidget` global (seed 000): `AnochatWidget.init({ apiBaseUrl, mode, title,
 * container, roomId?, joinToken?, isP2PGuest? })`. Built into one IIFE, anochat-widget.js.
 */
import { browserEnvironment, readInvite, resolveOptions, type WidgetOptions } from './options';
import { Widget, WidgetErrorCode, type WidgetEvents } from './widget';

export { WidgetOptionsError } from './options';
export { readInvite, WidgetErrorCode };
export type { WidgetOptions, WidgetEvents };

export const version = '0.1.0';

export interface WidgetHandle {
  /** The room id once known (given, or created by the widget). */
  readonly roomId: string | undefined;
  /** Subscribes to widget events; returns the unsubscribe function. */
  on<K extends keyof WidgetEvents>(
    event: K,
    handler: (payload: WidgetEvents[K]) => void,
  ): () => void;
  /** Leaves the room, drops the keys and removes the widget's DOM. */
  destroy(): void;
}

/** Validates `options` (throwing a WidgetOptionsError that names the bad one), renders, joins. */
export function init(options: WidgetOptions): WidgetHandle {
  const resolved = resolveOptions(options, browserEnvironment());
  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle)
    throw new TypeError(
      'AnochatWidget.init: the page must be served over https (or localhost): WebCrypto is needed',
    );
  if (resolved.container.querySelector(':scope > [data-nullroom-widget]'))
    throw new TypeError('AnochatWidget.init: container already holds a widget; destroy() it first');
  const widget = new Widget(resolved);
  void widget.start();
  return {
    get roomId() {
      return widget.roomId;
    },
    on: (event, handler) => widget.on(event, handler),
    destroy: () => widget.destroy(),
  };
}
