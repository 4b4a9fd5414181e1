/**
 * The widget's DOM inside its shadow root. It only renders; `Widget` decides what to show. Every
 * piece of peer-controlled data (text, file names, sender ids) is inserted as text.
 */
import { formatBytes, groupDigits, h, icon, ICONS, timeOf } from './dom';
import { STYLES } from './styles';

export type ConnectionLabel =
  'connecting' | 'keying' | 'ready' | 'reconnecting' | 'closed' | 'error';

const STATE_TEXT: Record<ConnectionLabel, string> = {
  connecting: 'Connecting…',
  keying: 'Exchanging keys…',
  ready: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
  error: 'Not connected',
};

export interface ViewHandlers {
  readonly send: (text: string) => void;
  readonly typing: () => void;
  readonly files: (files: readonly File[]) => void;
}

export interface FileItem {
  readonly element: HTMLLIElement;
  progress(bytes: number, total: number): void;
  complete(url: string, showImage: boolean): void;
  fail(text: string): void;
}

export class View {
  readonly host: HTMLDivElement;
  private readonly root: ShadowRoot;
  private readonly stateEl: HTMLSpanElement;
  private readonly stateText: HTMLSpanElement;
  private readonly e2ee: HTMLSpanElement;
  private readonly verifyButton: HTMLButtonElement;
  private readonly verifyPanel: HTMLElement;
  private readonly fingerprint: HTMLElement;
  private readonly peerList: HTMLUListElement;
  private readonly invitePanel: HTMLElement;
  private readonly inviteInput: HTMLInputElement;
  private readonly notice: HTMLDivElement;
  /** Light-DOM element (in the page, slotted below the notice) for Cloudflare's challenge. */
  private challenge: HTMLDivElement | undefined;
  private readonly log: HTMLOListElement;
  private readonly empty: HTMLLIElement;
  private readonly typingEl: HTMLDivElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly attachButton: HTMLButtonElement;
  private readonly fileInput: HTMLInputElement;

  constructor(container: HTMLElement, title: string, handlers: ViewHandlers) {
    this.host = h('div', { class: 'nullroom-widget', 'data-nullroom-widget': '' });
    this.root = this.host.attachShadow({ mode: 'open' });

    this.stateText = h('span', {}, STATE_TEXT.connecting);
    this.stateEl = h(
      'span',
      { class: 'state', role: 'status', 'data-state': 'connecting' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      this.stateText,
    );
    this.e2ee = h(
      'span',
      { class: 'e2ee', 'data-on': 'false', title: 'Waiting for the end-to-end key exchange' },
      icon(ICONS.lock),
      'E2EE',
    );
    this.verifyButton = h(
      'button',
      { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'nr-verify', disabled: true },
      'Verify',
    );
    this.fingerprint = h('code', { class: 'fp', 'data-fingerprint': '' });
    this.peerList = h('ul', { class: 'peers' });
    this.verifyPanel = h(
      'section',
      { class: 'panel', id: 'nr-verify', hidden: true, 'aria-label': 'Safety number' },
      h('p', {}, 'Safety number of this conversation:'),
      this.fingerprint,
      h(
        'p',
        { class: 'hint' },
        'Compare this number with the other person out of band — in person or on a call. ' +
          'If it is the same on both screens, nobody can read along. It changes whenever someone joins or leaves.',
      ),
      this.peerList,
    );
    this.inviteInput = h('input', {
      class: 'invite-url',
      readonly: true,
      id: 'nr-invite',
      'aria-describedby': 'nr-invite-hint',
    });
    const copy = h('button', { type: 'button' }, 'Copy');
    copy.addEventListener('click', () => {
      this.inviteInput.select();
      void navigator.clipboard?.writeText(this.inviteInput.value).then(
        () => (copy.textContent = 'Copied'),
        () => undefined,
      );
    });
    this.invitePanel = h(
      'section',
      { class: 'panel', hidden: true },
      h('p', {}, h('label', { for: 'nr-invite' }, h('b', {}, 'Invite link'))),
      h('div', { class: 'invite-row' }, this.inviteInput, copy),
      h(
        'p',
        { class: 'hint', id: 'nr-invite-hint' },
        'Anyone with this link can join. Share it only with the person you want to talk to.',
      ),
    );
    this.notice = h('div', { class: 'notice', hidden: true, role: 'status' });
    this.empty = h(
      'li',
      { class: 'empty' },
      h('b', {}, 'No messages yet'),
      'Messages are end-to-end encrypted and disappear when the chat ends.',
    );
    this.log = h(
      'ol',
      { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages', tabindex: '0' },
      this.empty,
    );
    this.typingEl = h('div', { class: 'typing', 'aria-live': 'polite' });
    this.input = h('textarea', {
      id: 'nr-input',
      rows: '1',
      placeholder: 'Write a message…',
      autocomplete: 'off',
      'aria-label': 'Message',
    });
    this.fileInput = h('input', { type: 'file', multiple: true, hidden: true, tabindex: '-1' });
    this.attachButton = h(
      'button',
      { type: 'button', class: 'icon', 'aria-label': 'Send a file', title: 'Send a file' },
      icon(ICONS.clip),
    );
    this.sendButton = h('button', { type: 'submit', class: 'send' }, 'Send');
    const form = h(
      'form',
      { class: 'composer', 'aria-label': 'Send a message' },
      this.attachButton,
      this.fileInput,
      this.input,
      this.sendButton,
    );

    const frame = h(
      'div',
      { class: 'nr', role: 'region', 'aria-label': title },
      h(
        'header',
        { class: 'bar' },
        h('div', { class: 'heading' }, h('h2', { class: 'title' }, title), this.stateEl),
        this.e2ee,
        this.verifyButton,
      ),
      this.verifyPanel,
      this.invitePanel,
      this.notice,
      h('div', { class: 'challenge' }, h('slot', { name: 'challenge' })),
      this.log,
      this.typingEl,
      form,
    );
    const style = h('style', {}, STYLES);
    this.root.append(style, frame);

    this.verifyButton.addEventListener('click', () => {
      const open = this.verifyPanel.hidden;
      this.verifyPanel.hidden = !open;
      this.verifyButton.setAttribute('aria-expanded', String(open));
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit(handlers);
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit(handlers);
      }
    });
    this.input.addEventListener('input', () => {
      this.autosize();
      if (this.input.value !== '') handlers.typing();
    });
    this.attachButton.addEventListener('click', () => this.fileInput.click());
    this.fileInput.addEventListener('change', () => {
      const files = Array.from(this.fileInput.files ?? []);
      this.fileInput.value = '';
      if (files.length > 0) handlers.files(files);
    });
    this.setComposerEnabled(false);
    container.append(this.host);
  }

  setState(state: ConnectionLabel, text = STATE_TEXT[state]): void {
    this.stateEl.dataset.state = state;
    this.stateText.textContent = text;
    const on = state === 'ready';
    this.e2ee.dataset.on = String(on);
    this.e2ee.title = on
      ? 'End-to-end encrypted: the relay only forwards ciphertext'
      : 'Waiting for the end-to-end key exchange';
    this.setComposerEnabled(on);
  }

  setComposerEnabled(enabled: boolean): void {
    this.input.disabled = !enabled;
    this.sendButton.disabled = !enabled;
    this.attachButton.disabled = !enabled;
  }

  setFingerprint(fingerprint: string): void {
    this.fingerprint.textContent = groupDigits(fingerprint);
    this.verifyButton.disabled = false;
  }

  setPeerSafetyNumber(label: string, safetyNumber: string): void {
    const id = `nr-peer-${label.replace(/\W/g, '_')}`;
    let li = this.peerList.querySelector<HTMLLIElement>(`#${id}`);
    if (!li) this.peerList.append((li = h('li', { id })));
    li.textContent = `With ${label}: ${groupDigits(safetyNumber)}`;
  }

  showInvite(url: string): void {
    this.inviteInput.value = url;
    this.invitePanel.hidden = false;
  }

  hideInvite(): void {
    this.invitePanel.hidden = true;
  }

  /** `wait` shows a spinner; `error` and `closed` also disable the composer. */
  showNotice(kind: 'info' | 'wait' | 'error' | 'closed', title: string, detail = ''): void {
    this.notice.dataset.kind = kind;
    this.notice.replaceChildren(
      h(
        'strong',
        {},
        kind === 'wait' ? h('span', { class: 'spin', 'aria-hidden': 'true' }) : '',
        title,
      ),
      detail,
    );
    this.notice.setAttribute('role', kind === 'error' || kind === 'closed' ? 'alert' : 'status');
    this.notice.hidden = false;
    if (kind === 'error' || kind === 'closed') {
      this.setComposerEnabled(false);
      this.input.placeholder = kind === 'closed' ? 'This chat has ended' : 'Chat unavailable';
      this.typingEl.textContent = '';
    }
  }

  /** Where a Turnstile challenge renders: a child of the host element, shown in the slot. */
  challengeHost(): HTMLElement {
    if (!this.challenge) {
      this.challenge = h('div', { slot: 'challenge', 'data-nullroom-challenge': '' });
      this.host.append(this.challenge);
    }
    return this.challenge;
  }

  clearNotice(): void {
    this.notice.hidden = true;
    this.notice.replaceChildren();
  }

  addMessage(
    own: boolean,
    sender: string,
    text: string,
    at = new Date(),
  ): { element: HTMLLIElement; setReceipt: (text: string) => void } {
    const receipt = h('div', { class: 'receipt' });
    const element = h(
      'li',
      { class: `msg ${own ? 'own' : 'peer'}` },
      h('div', { class: 'meta' }, `${sender} · `, h('time', {}, timeOf(at))),
      h('div', { class: 'body' }, text),
      receipt,
    );
    this.append(element);
    return { element, setReceipt: (t: string) => (receipt.textContent = t) };
  }

  addSystem(text: string, warn = false): void {
    this.append(h('li', { class: `sys${warn ? ' warn' : ''}` }, text));
  }

  addFile(
    own: boolean,
    sender: string,
    name: string,
    size: number,
    previewUrl: string | undefined,
  ): FileItem {
    const img = previewUrl ? h('img', { src: previewUrl, alt: `Preview of ${name}` }) : null;
    const bar = h('progress', {
      max: String(Math.max(1, size)),
      value: '0',
      'aria-label': `Transfer of ${name}`,
    });
    const status = h('span', { class: 'size' }, formatBytes(size));
    const nameEl = h('span', { class: 'name' }, name);
    const body = h('div', { class: 'body file' }, img, nameEl, status, bar);
    const element = h(
      'li',
      { class: `msg ${own ? 'own' : 'peer'}`, 'data-file': name },
      h('div', { class: 'meta' }, `${sender} · `, h('time', {}, timeOf(new Date()))),
      body,
    );
    this.append(element);
    return {
      element,
      progress: (bytes, total) => {
        bar.value = bytes;
        bar.max = Math.max(1, total);
        status.textContent = `${formatBytes(bytes)} of ${formatBytes(total)}`;
      },
      complete: (url, showImage) => {
        bar.remove();
        status.textContent = formatBytes(size);
        const link = h('a', { href: url, download: name }, own ? name : `Download ${name}`);
        nameEl.replaceWith(link);
        if (showImage) {
          if (img) img.src = url;
          else link.before(h('img', { src: url, alt: name }));
        }
        element.dataset.complete = 'true';
      },
      fail: (text) => {
        bar.remove();
        status.textContent = text;
        element.classList.add('failed');
      },
    };
  }

  setTyping(text: string): void {
    this.typingEl.textContent = text;
  }

  focusInput(): void {
    this.input.focus();
  }

  remove(): void {
    this.host.remove();
  }

  private submit(handlers: ViewHandlers): void {
    const text = this.input.value.trim();
    if (text === '' || this.input.disabled) return;
    this.input.value = '';
    this.autosize();
    handlers.send(text);
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(120, this.input.scrollHeight + 2)}px`;
  }

  private append(element: HTMLLIElement): void {
    this.empty.remove();
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(element);
    // Not scrollIntoView: that would scroll the host page too.
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}
