/**
 * The widget's stylesheet, inside its shadow root. Shadow DOM keeps the page's selectors out, but
 * inherited properties (color, font, line-height…) still flow in through the host element, so the
 * root resets them with `all: initial` and sets its own. Nothing here loads fonts or images.
 */
export const STYLES = `
:host { display: block; height: 100%; min-height: 320px; contain: content; }
.nr {
  all: initial;
  --bg: #ffffff; --fg: #16181d; --muted: #5f6673; --line: #e3e6eb; --soft: #f4f6f9;
  --accent: #2f5bd3; --accent-fg: #ffffff; --own: #2f5bd3; --own-fg: #ffffff;
  --peer: #eef1f5; --ok: #1d7a46; --warn: #9a5b00; --bad: #b42318; --link: #2f5bd3; --radius: 14px;
  box-sizing: border-box; display: flex; flex-direction: column; height: 100%; width: 100%;
  min-height: inherit; overflow: hidden; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  border: 1px solid var(--line); border-radius: var(--radius); text-align: left;
  -webkit-font-smoothing: antialiased;
}
@media (prefers-color-scheme: dark) {
  .nr { --bg: #15171c; --fg: #eceef2; --muted: #a2a9b6; --line: #2b2f38; --soft: #1d2027;
    --peer: #252932; --own: #3d6df0; --ok: #47c07e; --warn: #e0a44a; --bad: #f07067; --link: #9db2ff; }
}
.nr *, .nr *::before, .nr *::after { box-sizing: border-box; }
button, input, textarea { font: inherit; color: inherit; }
b, strong { font-weight: 700; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[hidden] { display: none !important; }
button, .btn { cursor: pointer; border: 1px solid var(--line); background: var(--soft); color: var(--fg);
  border-radius: 10px; padding: 6px 12px; font-weight: 600; font-size: 13px; line-height: 1.3; }
button:hover { filter: brightness(0.96); }
button:disabled { opacity: 0.5; cursor: default; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.bar { display: flex; align-items: center; gap: 10px; padding: 10px 12px; border-bottom: 1px solid var(--line);
  background: var(--soft); flex-wrap: wrap; }
.heading { flex: 1 1 140px; min-width: 0; }
.title { margin: 0; font-size: 15px; font-weight: 700; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.state { display: flex; align-items: center; gap: 6px; font-size: 12px; color: var(--muted); }
.dot { width: 8px; height: 8px; border-radius: 50%; background: var(--warn); flex: none; }
.state[data-state="ready"] .dot { background: var(--ok); }
.state[data-state="closed"] .dot, .state[data-state="error"] .dot { background: var(--bad); }
.e2ee { display: inline-flex; align-items: center; gap: 4px; font-size: 12px; font-weight: 700; color: var(--ok);
  border: 1px solid currentColor; border-radius: 999px; padding: 2px 8px; }
.e2ee[data-on="false"] { color: var(--muted); }
.e2ee svg { width: 12px; height: 12px; fill: currentColor; }
.panel { padding: 10px 12px; border-bottom: 1px solid var(--line); font-size: 13px; }
.panel p { margin: 0 0 6px; }
.panel .hint { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.fp { display: block; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px;
  letter-spacing: 0.04em; word-spacing: 0.3em; background: var(--soft); border-radius: 8px; padding: 8px 10px;
  user-select: all; word-break: break-word; }
.peers { margin: 6px 0 0; padding: 0; list-style: none; font-size: 12px; color: var(--muted); }
.invite-row { display: flex; gap: 6px; }
.invite-url { flex: 1; min-width: 0; border: 1px solid var(--line); border-radius: 10px; padding: 6px 10px;
  background: var(--bg); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.notice { margin: 10px 12px 0; padding: 10px 12px; border-radius: 10px; background: var(--soft); font-size: 13px; }
.notice strong { display: flex; align-items: center; margin-bottom: 2px; }
.notice[data-kind="error"], .notice[data-kind="closed"] { background: color-mix(in srgb, var(--bad) 10%, var(--bg));
  border: 1px solid color-mix(in srgb, var(--bad) 35%, var(--bg)); }
.notice[data-kind="wait"] .spin { display: inline-block; width: 10px; height: 10px; margin-right: 6px;
  border: 2px solid var(--muted); border-right-color: transparent; border-radius: 50%; animation: spin 0.9s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spin { animation: none !important; } }
.challenge { display: flex; justify-content: center; padding: 0 12px; }
.challenge ::slotted(*) { margin-top: 10px; }
.log { flex: 1 1 auto; overflow-y: auto; margin: 0; padding: 12px; list-style: none; display: flex;
  flex-direction: column; gap: 8px; min-height: 80px; }
.empty { margin: auto; max-width: 260px; text-align: center; color: var(--muted); font-size: 13px; }
.empty b { display: block; color: var(--fg); font-size: 14px; margin-bottom: 4px; }
.msg { max-width: 82%; display: flex; flex-direction: column; gap: 2px; }
.msg.own { align-self: flex-end; align-items: flex-end; }
.msg.peer { align-self: flex-start; }
.meta { font-size: 11px; color: var(--muted); padding: 0 4px; }
.body { padding: 8px 12px; border-radius: var(--radius); background: var(--peer); white-space: pre-wrap;
  overflow-wrap: anywhere; }
.own .body { background: var(--own); color: var(--own-fg); border-bottom-right-radius: 4px; }
.peer .body { border-bottom-left-radius: 4px; }
.body a { color: var(--link); }
.own .body a { color: var(--own-fg); }
/* Not faded (faded text fails WCAG contrast): a dashed outline and the plain colours instead. */
.failed .body { background: var(--soft); color: var(--fg); border: 1px dashed var(--bad); }
.receipt { font-size: 11px; color: var(--muted); padding: 0 4px; }
.sys { align-self: center; font-size: 12px; color: var(--muted); text-align: center; max-width: 90%; }
.warn { color: var(--bad); }
.file { display: flex; flex-direction: column; gap: 6px; min-width: 180px; }
.file img { display: block; max-width: 220px; max-height: 220px; border-radius: 8px; background: var(--soft); }
.file .name { font-weight: 600; overflow-wrap: anywhere; }
.file .size { font-size: 12px; }
.file progress { width: 100%; height: 6px; }
.typing { min-height: 20px; padding: 0 14px; font-size: 12px; color: var(--muted); font-style: italic; }
.composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px; border-top: 1px solid var(--line); }
.composer textarea { flex: 1; min-width: 0; resize: none; border: 1px solid var(--line); border-radius: 12px;
  padding: 8px 12px; background: var(--bg); max-height: 120px; min-height: 38px; line-height: 1.4; }
.composer textarea:focus { border-color: var(--accent); outline: none; box-shadow: 0 0 0 2px color-mix(in srgb, var(--accent) 25%, transparent); }
.icon { width: 38px; height: 38px; padding: 0; display: inline-flex; align-items: center; justify-content: center; flex: none; }
.icon svg { width: 18px; height: 18px; fill: currentColor; }
.send { height: 38px; background: var(--accent); color: var(--accent-fg); border-color: var(--accent); flex: none; }
@media (max-width: 380px) {
  .bar { padding: 8px 10px; gap: 6px; }
  .msg { max-width: 92%; }
  .composer { padding: 8px; gap: 6px; }
}
`;
