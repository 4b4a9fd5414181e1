/**
 * WCAG 2.x AA contrast of every visible text on a page, shadow roots included, as Chromium
 * renders it: ≥ 4.5:1, or ≥ 3:1 for large text (24 px, or 18.66 px bold). Colours come from the
 * computed styles, normalised through a canvas (so color-mix(), oklab() and friends work),
 * backgrounds composited from the outermost ancestor in, opacity applied to the text. Disabled
 * controls are exempt, as WCAG 1.4.3 exempts inactive user-interface components.
 * https://www.w3.org/TR/WCAG21/#contrast-minimum
 *
 * Used by the widget's and the admin dashboard's browser tests; runs inside the page.
 */
import { type Page } from 'playwright-core';

export interface ContrastFailure {
  readonly text: string;
  readonly where: string;
  readonly ratio: number;
  readonly needed: number;
  readonly fg: string;
  readonly bg: string;
}

export async function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const parse = (css: string): Rgba => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      return [d[0]!, d[1]!, d[2]!, d[3]! / 255];
    };
    const over = (top: Rgba, below: Rgba): Rgba => {
      const a = top[3];
      return [
        top[0] * a + below[0] * (1 - a),
        top[1] * a + below[1] * (1 - a),
        top[2] * a + below[2] * (1 - a),
        1,
      ];
    };
    const luminance = ([r, g, b]: Rgba): number => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const ratio = (a: Rgba, b: Rgba): number => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    /** The parent in the flat tree: a shadow root's host, a slotted node's slot's parent. */
    const parentOf = (el: Element): Element | null => {
      if (el.assignedSlot) return el.assignedSlot;
      if (el.parentElement) return el.parentElement;
      const root = el.getRootNode();
      return root instanceof ShadowRoot ? root.host : null;
    };
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const canvasColour: Rgba = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
    const background = (el: Element): Rgba => {
      const chain: Element[] = [];
      for (let e: Element | null = el; e; e = parentOf(e)) chain.push(e);
      let bg = canvasColour;
      for (const e of chain.reverse()) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) bg = over(c, bg);
      }
      return bg;
    };
    const opacity = (el: Element): number => {
      let o = 1;
      for (let e: Element | null = el; e; e = parentOf(e)) o *= Number(getComputedStyle(e).opacity);
      return o;
    };
    const describe = (el: Element): string => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && parts.length < 4; e = parentOf(e)) {
        const cls =
          typeof e.className === 'string' && e.className
            ? `.${e.className.trim().split(/\s+/).join('.')}`
            : '';
        parts.unshift(`${e.tagName.toLowerCase()}${cls}`);
      }
      return parts.join(' > ');
    };

    const failures: ContrastFailure[] = [];
    const check = (el: Element, text: string): void => {
      if (
        !(el as HTMLElement).checkVisibility?.({ opacityProperty: false, visibilityProperty: true })
      )
        return;
      if (el.closest(':disabled, [aria-disabled="true"]')) return;
      const style = getComputedStyle(el);
      const fg = parse(style.color);
      fg[3] *= opacity(el);
      const bg = background(el);
      const r = ratio(over(fg, bg), bg);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      if (r + 1e-6 < needed) {
        const rgb = (c: Rgba) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;
        failures.push({
          text: text.trim().slice(0, 40),
          where: describe(el),
          ratio: Math.round(r * 100) / 100,
          needed,
          fg: rgb(over(fg, bg)),
          bg: rgb(bg),
        });
      }
    };
    const visit = (root: Document | ShadowRoot): void => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) visit(el.shadowRoot);
        if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
          if (el.value.trim() !== '' && el.type !== 'file' && el.type !== 'hidden')
            check(el, el.value);
          continue;
        }
        if (['SCRIPT', 'STYLE', 'TITLE', 'HEAD', 'NOSCRIPT'].includes(el.tagName)) continue;
        for (const node of el.childNodes) {
          if (node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== '') {
            check(el, node.textContent!);
            break;
          }
        }
      }
    };
    visit(document);
    return failures;
  });
}
